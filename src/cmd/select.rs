//! `edgeshift select IN OUT BEGIN [END]`: cut a time window out of a CSV file.
//!
//! ```text
//! edgeshift select web-server.csv last3h.csv end -3h     # the last 3 hours of the file
//! edgeshift select web-server.csv last3h.csv now -3h     # the 3 hours before now
//! edgeshift select eden1_measure.csv day1.csv 2024-03-04T00:00 2024-03-04T23:59:59
//! edgeshift select eden1_measure.csv tail.csv -2h        # newest row - 2h .. end
//! ```
//! The window logic lives in `edgeshift::monitor::select` (shared with the monitor and the
//! edge service); this file only wires arguments and files.

use anyhow::Result;
use edgeshift::monitor::select::{cut_lines, parse_point};
use edgeshift::table::time::{now_local, parse_time};
use edgeshift::table::{Frame, ReadOptions, Select};
use std::path::PathBuf;
use std::process::ExitCode;

/// Cut a time window out of a CSV file (any file with a `Time` column).
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Cut a time window out of a CSV file with a Time column (edge measurements, \
probes, intermediate files). OUT gets the header line and the selected lines exactly as they \
were in IN (index columns and number forms kept); it is written atomically.\n\n\
BEGIN and END are `begin` (the first row), `end` (the newest row), `now` (the wall clock, or \
--now), an ISO time (2024-03-04T10:00:00), or an offset like -3h / +30m. A relative BEGIN \
counts back from the newest row of the file; a relative END counts from BEGIN. END defaults \
to `end`. The rows kept are those between the two points, both ends included, whichever \
comes first.",
    after_help = "Examples:\n  edgeshift select web-server.csv last3h.csv end -3h\n  \
edgeshift select web-server.csv last3h.csv now -3h\n  \
edgeshift select eden1_measure.csv day1.csv 2024-03-04T00:00 2024-03-04T23:59:59\n\n\
Exit codes: 0 rows written (possibly none: a message says so), 2 bad input."
)]
pub struct Args {
    /// The CSV file to read (needs a Time column, rows in time order).
    pub input: PathBuf,
    /// The file to write (header + selected lines, atomically).
    pub output: PathBuf,
    /// Start: begin, end, now, an ISO time, or -3h (back from the newest row).
    #[arg(allow_hyphen_values = true)]
    pub begin: String,
    /// End: begin, end, now, an ISO time, or an offset from BEGIN like -3h (default: end).
    #[arg(allow_hyphen_values = true)]
    pub end: Option<String>,
    /// Use this time as `now` instead of the wall clock (ISO time).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let begin = parse_point(&args.begin)?;
    let end = args.end.as_deref().map(parse_point).transpose()?;
    let now = match &args.now {
        Some(s) => parse_time(s).ok_or_else(|| {
            edgeshift::error::bad_input(format!(
                "--now: cannot read {s:?} as a time; expected e.g. 2024-03-04T10:00:00"
            ))
        })?,
        None => now_local(),
    };
    let text = std::fs::read_to_string(&args.input).map_err(|e| {
        edgeshift::error::bad_input(format!("cannot open {}: {e}", args.input.display()))
    })?;
    let frame = Frame::from_reader(
        text.as_bytes(),
        &args.input.display().to_string(),
        ReadOptions {
            select: Select::Only(&[]),
            require_ordered: true,
        },
    )?;
    let (out, cut) = cut_lines(&text, &frame.times, &frame.lines, begin, end, now);
    edgeshift::table::atomic::write_string_atomic(&args.output, &out)?;
    eprintln!(
        "select: {}: {} -> {}",
        args.input.display(),
        cut.describe(),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

//! `edgeshift clean IN LIMITS OUT [COLUMN...]`: remove outliers and interpolate them.
//!
//! ```text
//! edgeshift clean eden1_measure.bw.csv eden1_measure.limits.csv eden1_measure.smoothed.cleared.csv
//! ```
//! Drops rows with a missing parameter, then replaces values at or above
//! errors_mean + errors_std (from LIMITS) by linear interpolation in time.

use edgeshift::pipeline::{clean_frame, in_file, read_frame};
use edgeshift::table::limits::read_limits;
use std::path::PathBuf;
use std::process::ExitCode;

/// Remove outliers above errors_mean + errors_std and interpolate them.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  edgeshift clean eden1_measure.bw.csv eden1_measure.limits.csv eden1_measure.smoothed.cleared.csv",
    after_long_help = concat!(
        "Clean parameter columns: rows where a chosen parameter is empty (e.g. the first \
row's rate) are dropped; then, per parameter, values at or above errors_mean + errors_std (from \
LIMITS) are outliers, replaced by linear interpolation in time between the nearest kept values \
(at the start or end of the data: the nearest kept value). Other columns are copied.\n\n\
Writes OUT (atomically; nothing is written on error). Prints what was dropped and replaced.",
        "\n\n",
        "Example:\n  edgeshift clean eden1_measure.bw.csv eden1_measure.limits.csv eden1_measure.smoothed.cleared.csv"
    )
)]
pub struct Args {
    /// Input file (rates, e.g. from `bandwidth`).
    pub input: PathBuf,
    /// Limits file (from `limits`).
    pub limits: PathBuf,
    /// Output file.
    pub output: PathBuf,
    /// Parameter columns [default: every parameter of LIMITS].
    pub columns: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let limits = read_limits(&args.limits)?;
    let columns = if args.columns.is_empty() {
        limits.iter().map(|l| l.name.clone()).collect()
    } else {
        args.columns
    };
    let frame = read_frame(&args.input)?;
    let (out, report) =
        clean_frame(&frame, &limits, &columns).map_err(|e| in_file(&args.input, e))?;
    out.write(&args.output)?;
    let replaced: Vec<String> = report
        .replaced
        .iter()
        .map(|(n, k)| format!("{n}: {k}"))
        .collect();
    println!(
        "{}: {} rows kept, {} dropped (missing values); outliers replaced: {}",
        args.input.display(),
        out.len(),
        report.dropped,
        replaced.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

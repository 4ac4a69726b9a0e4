//! `edgeshift bandwidth IN OUT [COLUMN...]`: turn cumulative byte counters into rates.
//!
//! ```text
//! edgeshift bandwidth eden1_measure.csv eden1_measure.bw.csv "App. Tx B" "App. Rx B"
//! ```
//! Each counter column `NAME` becomes `NAME/s` (units per second, exact time differences);
//! the first row and a restarted counter's interval have no rate (empty cell). Prints one
//! summary line: rows, counter restarts, gaps.

use edgeshift::pipeline::{bandwidth, in_file, read_frame};
use edgeshift::table::edge::DEFAULT_COUNTERS;
use std::path::PathBuf;
use std::process::ExitCode;

/// Turn cumulative byte counters into rates (bytes per second).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  edgeshift bandwidth eden1_measure.csv eden1_measure.bw.csv \"App. Tx B\" \"App. Rx B\"",
    after_long_help = concat!(
        "Turn cumulative counters into per-second rates (the first step of `calibrate`).\n\n\
Each COLUMN (a cumulative counter, e.g. `App. Tx B`) is replaced by its rate column `COLUMN/s` \
(`App. Tx B/s`): (v[i] - v[i-1]) / (t[i] - t[i-1]) with the exact time difference. The first \
row has no rate (empty cell); when a counter goes down (the VM or device restarted) that \
interval's rate is unknown (empty), never negative. Rows whose time does not increase are an \
error. Other columns are copied unchanged.\n\n\
Writes OUT (atomically; nothing is written on error). Prints one summary line, e.g. \
`eden1_measure.csv: 2880 rows, 1 counter restart (line 1442), 0 gaps > 3 min`.",
        "\n\n",
        "Example:\n  edgeshift bandwidth eden1_measure.csv eden1_measure.bw.csv \"App. Tx B\" \"App. Rx B\""
    )
)]
pub struct Args {
    /// Edge measurement file (CSV with a Time column).
    pub input: PathBuf,
    /// Output file.
    pub output: PathBuf,
    /// Counter columns.
    #[arg(default_values_t = DEFAULT_COUNTERS.map(String::from))]
    pub columns: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let columns = args.columns;
    let frame = read_frame(&args.input)?;
    let (out, report) = bandwidth(&frame, &columns).map_err(|e| in_file(&args.input, e))?;
    out.write(&args.output)?;
    println!("{}: {report}", args.input.display());
    Ok(ExitCode::SUCCESS)
}

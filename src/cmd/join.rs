//! `edgeshift join LEFT RIGHT OUT`: as-of join of two time-indexed CSV files.
//!
//! ```text
//! edgeshift join eden1_measure.smoothed.csv web-server1.csv eden1_measure.web-server1.csv
//! ```
//! For each LEFT row, the columns of the latest RIGHT row at or before it (empty before
//! the first RIGHT row).

use edgeshift::pipeline::{join_frames, read_frame};
use std::path::PathBuf;
use std::process::ExitCode;

/// As-of join: for each LEFT row, the latest RIGHT row at or before it.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  edgeshift join eden1_measure.smoothed.csv web-server1.csv eden1_measure.web-server1.csv",
    after_long_help = concat!(
        "As-of join on Time: for each LEFT row, the columns of the latest RIGHT row whose \
time is at or before the LEFT row's time. LEFT rows before the first RIGHT row get empty cells. \
The output has LEFT's rows and times, LEFT's columns, then RIGHT's columns (a RIGHT column whose \
name LEFT already has is renamed `NAME (right)`).\n\n\
Writes OUT (atomically; nothing is written on error).",
        "\n\n",
        "Example:\n  edgeshift join eden1_measure.smoothed.csv web-server1.csv eden1_measure.web-server1.csv"
    )
)]
pub struct Args {
    /// Left file (e.g. edge measurements); its rows are kept.
    pub left: PathBuf,
    /// Right file (e.g. probes), matched as of each left row.
    pub right: PathBuf,
    /// Output file.
    pub output: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let left = read_frame(&args.left)?;
    let right = read_frame(&args.right)?;
    let out = join_frames(&left, &right);
    let matched = out.len()
        - left
            .times
            .iter()
            .filter(|t| right.times.first().is_some_and(|r| *t < r))
            .count();
    out.write(&args.output)?;
    println!(
        "{}: {} rows, {matched} with a {} row at or before them",
        args.output.display(),
        out.len(),
        args.right.display()
    );
    Ok(ExitCode::SUCCESS)
}

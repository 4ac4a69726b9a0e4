//! `edgeshift smooth IN OUT [COLUMN...] [--smoothing gcv|off|LAMBDA]`: smooth columns.
//!
//! ```text
//! edgeshift smooth eden1_measure.bw.csv eden1_measure.smoothed.csv --smoothing gcv
//! ```
//! A Whittaker smoother (second differences against time) with λ chosen by generalized
//! cross-validation, a fixed λ, or off. Empty cells are filled by the smoother.

use edgeshift::pipeline::{in_file, read_frame, smooth_frame, Smoothing};
use edgeshift::table::edge::DEFAULT_PARAMETERS;
use std::path::PathBuf;
use std::process::ExitCode;

/// Smooth columns with a penalized smoother (GCV-chosen by default).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  edgeshift smooth eden1_measure.bw.csv eden1_measure.smoothed.csv \"App. CPU Load %\" \"App. Tx B/s\" \"App. Rx B/s\" --smoothing gcv",
    after_long_help = concat!(
        "Smooth columns with a Whittaker smoother (penalized least squares with second \
differences against time), solved in O(n).\n\n\
--smoothing gcv (default) chooses λ by generalized cross-validation (exact trace of the hat \
matrix); a number sets λ (in units of the median sampling step: 1 is light, 1e4 heavy); off \
copies the values. Empty cells get weight 0 and are filled by the smoother (not with off). \
Other columns are copied unchanged.\n\n\
Writes OUT (atomically; nothing is written on error). Prints the λ used per column.",
        "\n\n",
        "Example:\n  edgeshift smooth eden1_measure.bw.csv eden1_measure.smoothed.csv \"App. CPU Load %\" \"App. Tx B/s\" \"App. Rx B/s\" --smoothing gcv"
    )
)]
pub struct Args {
    /// Input CSV file (with a Time column).
    pub input: PathBuf,
    /// Output file.
    pub output: PathBuf,
    /// Columns to smooth.
    #[arg(default_values_t = DEFAULT_PARAMETERS.map(String::from))]
    pub columns: Vec<String>,
    /// gcv, off, or a fixed λ (a positive number).
    #[arg(long, default_value = "gcv", value_name = "gcv|off|LAMBDA")]
    pub smoothing: Smoothing,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let columns = args.columns;
    let frame = read_frame(&args.input)?;
    let (out, notes) =
        smooth_frame(&frame, &columns, args.smoothing).map_err(|e| in_file(&args.input, e))?;
    out.write(&args.output)?;
    for n in notes {
        println!("{n}");
    }
    Ok(ExitCode::SUCCESS)
}

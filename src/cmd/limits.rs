//! `edgeshift limits IN OUT [COLUMN...] [--unavailable-below FRACTION]`: limit statistics.
//!
//! ```text
//! edgeshift limits eden1_measure.web-server1.csv eden1_measure.limits.csv
//! ```
//! From a joined file (edge parameters + probe columns): per parameter, mean and population
//! standard deviation over available and over unavailable rows, and the two levels.

use edgeshift::analysis::limits::DEFAULT_UNAVAILABLE_BELOW;
use edgeshift::pipeline::{in_file, limits_of, limits_text, read_frame};
use edgeshift::table::edge::DEFAULT_PARAMETERS;
use edgeshift::table::limits::write_limits;
use std::path::PathBuf;
use std::process::ExitCode;

/// Compute the six limit statistics per parameter from a joined file.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  edgeshift limits eden1_measure.web-server1.csv eden1_measure.limits.csv \"App. CPU Load %\" \"App. Tx B/s\" \"App. Rx B/s\"",
    after_long_help = concat!(
        "Compute the limits of each parameter from a joined file (edge parameters plus the \
probe columns `Successful attempts` and `Errors`, as `join` writes it).\n\n\
A row is unavailable when fewer than FRACTION of its attempts succeeded (attempts = Successful \
attempts + Errors of that row; default 0.5, i.e. fewer than half). Per parameter: access_mean and \
access_std_deviation (population) over available rows, errors_mean and errors_std_deviation over \
unavailable rows, access_level = access_mean + access_std, errors_level = errors_mean - errors_std. \
Refuses when there are no unavailable or no available rows (calibration needs both).\n\n\
Writes OUT, a limits file (atomically; nothing is written on error), and prints the limits.",
        "\n\n",
        "Example:\n  edgeshift limits eden1_measure.web-server1.csv eden1_measure.limits.csv \"App. CPU Load %\" \"App. Tx B/s\" \"App. Rx B/s\""
    )
)]
pub struct Args {
    /// Joined file (edge parameters + probe columns).
    pub input: PathBuf,
    /// Output limits file.
    pub output: PathBuf,
    /// Parameter columns.
    #[arg(default_values_t = DEFAULT_PARAMETERS.map(String::from))]
    pub columns: Vec<String>,
    /// A row is unavailable when fewer than this fraction of its attempts succeeded.
    #[arg(long, default_value_t = DEFAULT_UNAVAILABLE_BELOW, value_name = "FRACTION")]
    pub unavailable_below: f64,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let columns = args.columns;
    let frame = read_frame(&args.input)?;
    let limits =
        limits_of(&frame, &columns, args.unavailable_below).map_err(|e| in_file(&args.input, e))?;
    write_limits(&args.output, &limits)?;
    print!("{}", limits_text(&limits));
    Ok(ExitCode::SUCCESS)
}

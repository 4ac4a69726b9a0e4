//! `edgeshift time-table IN LIMITS SERVER OUT [--period hour|day|week|auto] [--votes N]`.
//!
//! ```text
//! edgeshift time-table eden1_measure.smoothed.cleared.smoothed.csv eden1_measure.limits.cleared.csv web-server1 web-server1.time_table.csv
//! ```
//! Busy slots of the period from prepared edge data (rates, cleaned, smoothed) and limits.

use edgeshift::pipeline::{
    in_file, period_line, read_frame, table_line, time_table_of, PeriodSpec,
};
use edgeshift::table::limits::read_limits;
use edgeshift::table::timetable::write_time_table;
use std::path::PathBuf;
use std::process::ExitCode;

/// Compute a time table (busy slots of the period) from edge data and limits.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  edgeshift time-table eden1_measure.smoothed.cleared.smoothed.csv eden1_measure.limits.cleared.csv web-server1 web-server1.time_table.csv --period hour",
    after_long_help = concat!(
        "Compute a time table from prepared edge data (rates, cleaned and smoothed: the \
parameters of LIMITS must be columns of IN) and limits.\n\n\
A sample is high when at least N (--votes, default 2) parameters are at or above their \
errors_level. Per slot (minute) of the period: share = high samples / samples in that slot. \
threshold = min + (max - min) / 2 of the shares; a slot is busy when its share >= threshold and \
share > 0 (a node that is never high has no busy slot). --period auto chooses hour, day or week \
from the data (needs at least two full cycles) and prints its choice.\n\n\
Writes OUT, a time table (`,SERVER` then `slot,0|1`; atomically, nothing written on error).",
        "\n\n",
        "Example:\n  edgeshift time-table eden1_measure.smoothed.cleared.smoothed.csv eden1_measure.limits.cleared.csv web-server1 web-server1.time_table.csv --period hour"
    )
)]
pub struct Args {
    /// Prepared edge data (rates, cleaned, smoothed).
    pub input: PathBuf,
    /// Limits file (every parameter in it votes).
    pub limits: PathBuf,
    /// Server name (the time table's column).
    pub server: String,
    /// Output time table.
    pub output: PathBuf,
    /// hour, day, week or auto.
    #[arg(long, default_value = "hour", value_name = "hour|day|week|auto")]
    pub period: PeriodSpec,
    /// How many parameters must be high together.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub votes: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let limits = read_limits(&args.limits)?;
    let params: Vec<String> = limits.iter().map(|l| l.name.clone()).collect();
    let frame = read_frame(&args.input)?;
    let (tt, period, auto) = time_table_of(
        &frame,
        &limits,
        &params,
        &args.server,
        args.period,
        args.votes,
    )
    .map_err(|e| in_file(&args.input, e))?;
    write_time_table(&args.output, &tt)?;
    println!("{}", period_line(period, auto.as_ref()));
    println!("{}", table_line(&tt, period));
    Ok(ExitCode::SUCCESS)
}

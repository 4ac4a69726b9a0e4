//! `edgeshift patterns TIME_TABLE`: list the busy runs of a time table.
//!
//! ```text
//! edgeshift patterns web-server1.time_table.csv
//! start,length,first,last
//! 16,4,:16,:19
//! 46,4,:46,:49
//! ```
//! The period is a cycle: a run crossing the end of the period is one run.

use edgeshift::analysis::patterns::busy_runs;
use edgeshift::table::timetable::read_time_table;
use std::path::PathBuf;
use std::process::ExitCode;

/// List the busy runs of a time table (start slot and length).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  edgeshift patterns web-server1.time_table.csv",
    after_long_help = concat!(
        "List the busy runs of a time table as CSV on standard output: start slot, length \
in slots (minutes), and the labels of the first and last slot (`:16` for an hour, `09:30` for a \
day, `Mon 09:30` for a week). The period is cyclic: a run that crosses the end of the period \
(busy in the last and the first slots) is one run, listed at its start. Writes no file.",
        "\n\n",
        "Example:\n  edgeshift patterns web-server1.time_table.csv"
    )
)]
pub struct Args {
    /// Time table file.
    pub time_table: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let tt = read_time_table(&args.time_table)?;
    let n = tt.busy.len();
    let period = tt.period().ok_or_else(|| {
        edgeshift::error::bad_input(format!(
            "{}: {n} slots is not a period",
            args.time_table.display()
        ))
    })?;
    println!("start,length,first,last");
    for r in busy_runs(&tt.busy) {
        println!(
            "{},{},{},{}",
            r.start,
            r.len,
            period.slot_label(r.start),
            period.slot_label(r.end(n))
        );
    }
    Ok(ExitCode::SUCCESS)
}

//! `edgeshift detect IN COLUMN LIMIT`: print the rounded percentage of rows with
//! COLUMN >= LIMIT.
//!
//! ```text
//! edgeshift detect last3h.csv Errors 5        # prints e.g. 12
//! ```
//! The monitor computes the same share with `edgeshift::monitor::select::share_at_or_above`.

use anyhow::Result;
use edgeshift::monitor::select::{round_half_even, share_at_or_above};
use edgeshift::table::{Frame, ReadOptions, Select};
use std::path::PathBuf;
use std::process::ExitCode;

/// Print the rounded percentage of rows with COLUMN >= LIMIT.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Print, on one line, the percentage of the rows of IN whose COLUMN is at or \
above LIMIT, rounded to a whole number (half to even, as the reference's Python round() \
does). Empty cells count as rows below the limit. Writes no file.",
    after_help = "Example:\n  edgeshift select web-server.csv last3h.csv end -3h\n  \
edgeshift detect last3h.csv Errors 5\n\n\
Exit codes: 0 printed, 2 bad input (no such column, no data rows, a bad number)."
)]
pub struct Args {
    /// The CSV file to read (needs a Time column).
    pub input: PathBuf,
    /// The column to test, e.g. Errors.
    pub column: String,
    /// The limit: rows with COLUMN >= LIMIT count.
    #[arg(allow_hyphen_values = true)]
    pub limit: f64,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !args.limit.is_finite() {
        edgeshift::bail_input!("LIMIT must be a finite number, not {}", args.limit);
    }
    let cols = [args.column.as_str()];
    let frame = Frame::read(
        &args.input,
        ReadOptions {
            select: Select::Only(&cols),
            require_ordered: false,
        },
    )?;
    let values = frame.values(&args.column, &args.input.display().to_string())?;
    let share = share_at_or_above(values, args.limit).unwrap_or(0.0);
    println!("{}", round_half_even(share * 100.0));
    Ok(ExitCode::SUCCESS)
}

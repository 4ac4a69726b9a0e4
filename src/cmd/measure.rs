//! `edgeshift measure URL ATTEMPTS FILE [--timeout 5s] [--pause 200ms] [--hosts-file PATH] [--at TIME]`
//!
//! Probes URL with ATTEMPTS sequential HTTP GETs and appends one row to the probe file FILE
//! (`Time,Successful attempts,Responce time,Errors`), creating it with its header. Safe to
//! run many at once on one file. Prints a one-line summary. Exit 0 whatever the attempts
//! gave; 2 on bad arguments, 1 when the file cannot be written.

use edgeshift::probe::measure::{append_row, measure_report, MeasureOptions};
use edgeshift::probe::parse_duration_flag;
use edgeshift::table::time::parse_time;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Probe a URL with N HTTP GETs and append one row to a probe file.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Probe URL with ATTEMPTS sequential HTTP GETs (a new connection each, --pause between) \
and append one row to the probe file FILE: start time, successful attempts, mean response time of \
the successes (H:MM:SS.ffffff, empty if none), errors. Timeouts, refused connections, name \
resolution failures, answers that are not HTTP and HTTP status >= 500 are errors; 4xx answers count \
as successes. FILE is created with its header when missing or empty; appends are atomic under an \
advisory lock, so many probes can write one file at once.",
    after_help = "Example (the reference crontab line):\n  * * * * * edgeshift measure http://web-server1:8000 10 /home/os/web-server1.csv\n\
Testbed: edgeshift measure http://web-server:8000 10 probes.csv --hosts-file ./hosts --at 2024-03-04T00:01:00"
)]
pub struct Args {
    /// The URL to probe (http:// only).
    pub url: String,
    /// How many GETs to make.
    pub attempts: u32,
    /// The probe file to append the row to (created with its header).
    pub file: PathBuf,
    /// Timeout of one attempt, connect to last byte (e.g. 5s, 500ms).
    #[arg(long, default_value = "5s", value_parser = parse_duration_flag)]
    pub timeout: Duration,
    /// Pause between two attempts.
    #[arg(long, default_value = "200ms", value_parser = parse_duration_flag)]
    pub pause: Duration,
    /// Resolve the URL's host through this hosts file instead of the system resolver.
    #[arg(long, value_name = "PATH")]
    pub hosts_file: Option<PathBuf>,
    /// Record this time in the row instead of now (ISO time, e.g. 2024-03-04T00:01:00).
    #[arg(long, value_name = "TIME", value_parser = parse_at)]
    pub at: Option<i64>,
}

fn parse_at(s: &str) -> Result<i64, String> {
    parse_time(s).ok_or_else(|| format!("`{s}` is not a time; use e.g. 2024-03-04T00:01:02"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = MeasureOptions {
        url: args.url,
        attempts: args.attempts,
        timeout: args.timeout,
        pause: args.pause,
        hosts_file: args.hosts_file,
        at: args.at,
    };
    let report = measure_report(&opts)?;
    append_row(&args.file, &report.row)?;
    println!("{}: {}", opts.url, report.summary());
    Ok(ExitCode::SUCCESS)
}

//! `edgeshift flood URL MINUTES [--concurrency N] [--rate R] [--json] [--timeout 5s] [--hosts-file PATH]`
//!
//! Generates HTTP load against URL for MINUTES (fractions allowed), closed loop (N
//! connections as fast as they can) or open loop (R requests per second whatever the answers),
//! then prints requests sent, answered, errors by kind, responses per second and latency
//! percentiles (text, or JSON with --json). Writes no file.

use edgeshift::probe::flood::{run as flood, FloodOptions};
use edgeshift::probe::parse_duration_flag;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Generate HTTP load for a number of minutes and report latency.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Send HTTP GETs to URL for MINUTES minutes (fractions allowed: 0.05 = 3 s). \
Closed loop by default: --concurrency keep-alive connections, each sending its next request as \
soon as the last was answered. With --rate R, open loop: requests are scheduled every 1/R s \
whatever the server does (at most --concurrency outstanding), and latency is measured from the \
scheduled time, so an overloaded server cannot hide behind slow answers. Keeps going when the \
server stops answering (reconnects, per-request --timeout) and stops hard at the deadline. \
Prints sent, answered (2xx/3xx/4xx), errors by kind (timeout, connect, 5xx, other), responses \
per second and latency percentiles of the answered requests. Writes no file.",
    after_help = "Examples:\n  edgeshift flood http://web-server1:8000 5                 # the reference: 5 minutes\n  \
edgeshift flood http://127.0.0.1:8000/ 0.05 --concurrency 8 --json\n  \
edgeshift flood http://web-server:8000 1 --rate 200 --hosts-file ./hosts"
)]
pub struct Args {
    /// The URL to load (http:// only).
    pub url: String,
    /// How long, in minutes (e.g. 5, 0.5).
    pub minutes: f64,
    /// Connections (closed loop) or the cap on outstanding requests (open loop).
    #[arg(long, short = 'c', default_value_t = 50)]
    pub concurrency: usize,
    /// Open loop: requests per second.
    #[arg(long, short = 'r')]
    pub rate: Option<f64>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Timeout of one request (open loop: from its scheduled time).
    #[arg(long, default_value = "5s", value_parser = parse_duration_flag)]
    pub timeout: Duration,
    /// Resolve the URL's host through this hosts file instead of the system resolver.
    #[arg(long, value_name = "PATH")]
    pub hosts_file: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(args.minutes.is_finite() && args.minutes >= 0.0) {
        edgeshift::bail_input!("MINUTES must be a number >= 0, not {}", args.minutes);
    }
    let opts = FloodOptions {
        url: args.url,
        duration: Duration::from_secs_f64(args.minutes * 60.0),
        concurrency: args.concurrency,
        rate: args.rate,
        timeout: args.timeout,
        hosts_file: args.hosts_file,
        progress: std::io::stderr().is_terminal(),
    };
    let report = flood(&opts)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(ExitCode::SUCCESS)
}

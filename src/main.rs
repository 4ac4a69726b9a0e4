//! The `edgeshift` binary: a thin shell of subcommands over the `edgeshift` library.
//!
//! Parsing is clap's; each subcommand lives in `cmd/<name>.rs`. Exit codes: 0 success,
//! 1 runtime failure, 2 bad usage or bad input, 3 "nothing to do" where a command says so.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Proactive provisioning of a web service on edge nodes.
///
/// edgeshift learns from measurements the load at which the service fails, finds when each
/// node is overloaded, and moves the service to another node ahead of time.
#[derive(Parser, Debug)]
#[command(
    name = "edgeshift",
    version,
    propagate_version = true,
    max_term_width = 100
)]
struct Cli {
    /// More log output (repeat for more); or set EDGESHIFT_LOG=debug.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Turn cumulative byte counters into rates (bytes per second).
    Bandwidth(cmd::bandwidth::Args),
    /// Smooth columns with a penalized smoother (GCV-chosen by default).
    Smooth(cmd::smooth::Args),
    /// As-of join: for each LEFT row, the latest RIGHT row at or before it.
    Join(cmd::join::Args),
    /// Compute the six limit statistics per parameter from a joined file.
    Limits(cmd::limits::Args),
    /// Remove outliers above errors_mean + errors_std and interpolate them.
    Clean(cmd::clean::Args),
    /// Compute a time table (busy slots of the period) from edge data and limits.
    TimeTable(cmd::time_table::Args),
    /// List the busy runs of a time table (start slot and length).
    Patterns(cmd::patterns::Args),
    /// Run the whole calibration chain (the reference analysis.sh) in one process.
    Calibrate(cmd::calibrate::Args),
    /// Run the edge-side chain: rates, clean, smooth, time table.
    EdgeTable(cmd::edge_table::Args),
    /// Write a realistic synthetic recording from a known flood schedule.
    Synth(cmd::synth::Args),
    /// Plan switches from time tables and print them as crontab lines.
    Plan(cmd::plan::Args),
    /// Install, show or remove the generated block in the user's crontab.
    Crontab(cmd::crontab::Args),
    /// Move the service from one node to another (start, check, repoint, stop).
    Switch(cmd::switch::Args),
    /// Print an example configuration file.
    Config(cmd::config::Args),
    /// Estimate the availability a plan would have given on recorded probes.
    Backtest(cmd::backtest::Args),
    /// Probe a URL with N HTTP GETs and append one row to a probe file.
    Measure(cmd::measure::Args),
    /// Generate HTTP load for a number of minutes and report latency.
    Flood(cmd::flood::Args),
    /// Serve the web service with a finite capacity (runs in the service VM).
    WebServer(cmd::web_server::Args),
    /// Print one edge measurement row (from eden, /proc or Prometheus).
    Diag(cmd::diag::Args),
    /// Serve this node's time table over HTTP.
    EdgeServe(cmd::edge_serve::Args),
    /// Check the probe log; when errors are frequent, re-plan and re-install.
    Monitor(cmd::monitor::Args),
    /// Cut a time window out of a CSV file.
    Select(cmd::select::Args),
    /// Print the rounded percentage of rows with COLUMN >= LIMIT.
    Detect(cmd::detect::Args),
    /// Run the whole system on this machine on loopback and report.
    Testbed(cmd::testbed::Args),
    /// Simulate many nodes in virtual time to study scale, delay and noise.
    Simulate(cmd::simulate::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Bandwidth(a) => cmd::bandwidth::run(a),
        Command::Smooth(a) => cmd::smooth::run(a),
        Command::Join(a) => cmd::join::run(a),
        Command::Limits(a) => cmd::limits::run(a),
        Command::Clean(a) => cmd::clean::run(a),
        Command::TimeTable(a) => cmd::time_table::run(a),
        Command::Patterns(a) => cmd::patterns::run(a),
        Command::Calibrate(a) => cmd::calibrate::run(a),
        Command::EdgeTable(a) => cmd::edge_table::run(a),
        Command::Synth(a) => cmd::synth::run(a),
        Command::Plan(a) => cmd::plan::run(a),
        Command::Crontab(a) => cmd::crontab::run(a),
        Command::Switch(a) => cmd::switch::run(a),
        Command::Config(a) => cmd::config::run(a),
        Command::Backtest(a) => cmd::backtest::run(a),
        Command::Measure(a) => cmd::measure::run(a),
        Command::Flood(a) => cmd::flood::run(a),
        Command::WebServer(a) => cmd::web_server::run(a),
        Command::Diag(a) => cmd::diag::run(a),
        Command::EdgeServe(a) => cmd::edge_serve::run(a),
        Command::Monitor(a) => cmd::monitor::run(a),
        Command::Select(a) => cmd::select::run(a),
        Command::Detect(a) => cmd::detect::run(a),
        Command::Testbed(a) => cmd::testbed::run(a),
        Command::Simulate(a) => cmd::simulate::run(a),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("edgeshift: error: {err:#}");
            ExitCode::from(edgeshift::error::exit_code(&err))
        }
    }
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter =
        EnvFilter::try_from_env("EDGESHIFT_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

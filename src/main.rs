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
    Bandwidth(cmd::bandwidth::Args),
    Smooth(cmd::smooth::Args),
    Join(cmd::join::Args),
    Limits(cmd::limits::Args),
    Clean(cmd::clean::Args),
    TimeTable(cmd::time_table::Args),
    Patterns(cmd::patterns::Args),
    Calibrate(cmd::calibrate::Args),
    EdgeTable(cmd::edge_table::Args),
    Synth(cmd::synth::Args),
    Plan(cmd::plan::Args),
    Crontab(cmd::crontab::Args),
    Switch(cmd::switch::Args),
    Config(cmd::config::Args),
    Backtest(cmd::backtest::Args),
    Measure(cmd::measure::Args),
    Flood(cmd::flood::Args),
    WebServer(cmd::web_server::Args),
    Diag(cmd::diag::Args),
    EdgeServe(cmd::edge_serve::Args),
    Monitor(cmd::monitor::Args),
    Select(cmd::select::Args),
    Detect(cmd::detect::Args),
    Testbed(cmd::testbed::Args),
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

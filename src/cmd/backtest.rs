//! `edgeshift backtest SWITCH_LINES PROBE... [--delay 8m]`
//!
//! Replays crontab switch lines (a file or `-`) over recorded probe files, one per node
//! (node name from the file stem, or `NAME=PATH`), and prints the availability with the plan
//! next to staying on each single node. The work is `edgeshift::plan::backtest`.

use anyhow::{Context, Result};
use edgeshift::error::bad_input;
use edgeshift::plan::{backtest, cron, crontab};
use edgeshift::table::probe::Probes;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Estimate the availability a plan would have given on recorded probes.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Estimate the availability a plan would have given on recorded probes.\n\n\
SWITCH_LINES are crontab lines whose command ends with FROM TO (the output of `edgeshift plan`; \
comments and blank lines are skipped). Each PROBE is a probe file of one node, named by its \
file stem (web-server1.csv -> web-server1) or given as NAME=PATH. A minute is available when \
the node's probe row had successes >= half of its attempts. With the plan, the node serving at \
a minute is the target of the latest line that fired at least DELAY earlier. Prints a table; \
writes nothing.",
    after_help = "Example:\n  edgeshift plan switch.sh ws1.time_table.csv ws2.time_table.csv > lines.txt\n  edgeshift backtest lines.txt web-server1.csv web-server2.csv --delay 8m"
)]
pub struct Args {
    /// File with the crontab switch lines, `-` for stdin.
    pub switch_lines: PathBuf,
    /// Probe files, one per node: PATH (name = file stem) or NAME=PATH.
    #[arg(required = true)]
    pub probes: Vec<String>,
    /// How long a switch takes before the target serves.
    #[arg(long, default_value = "8m")]
    pub delay: String,
}

fn node_and_path(arg: &str) -> Result<(String, PathBuf)> {
    if let Some((n, p)) = arg.split_once('=') {
        if !n.is_empty() && !n.contains('/') {
            return Ok((n.to_string(), PathBuf::from(p)));
        }
    }
    let p = PathBuf::from(arg);
    let stem = Path::new(arg)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .ok_or_else(|| bad_input(format!("{arg:?}: cannot take a node name from this path")))?;
    Ok((stem, p))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let delay = super::plan::parse_delay_minutes(&args.delay)?;
    let raw = crontab::read_lines_input(&args.switch_lines)?;
    let mut lines = Vec::new();
    for (i, l) in raw.iter().enumerate() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        lines.push(
            cron::parse_line(l)
                .with_context(|| format!("{}:{}", args.switch_lines.display(), i + 1))?,
        );
    }
    let mut probes = Vec::new();
    for a in &args.probes {
        let (n, p) = node_and_path(a)?;
        if probes.iter().any(|(m, _)| *m == n) {
            return Err(bad_input(format!(
                "node {n:?} given twice; use NAME=PATH to name probe files"
            )));
        }
        probes.push((n, Probes::read(&p)?));
    }
    let rows = backtest::backtest(&lines, &probes, delay as i64)?;
    println!(
        "{:<20} {:>8} {:>10} {:>8} {:>9}",
        "strategy", "minutes", "available", "share", "switches"
    );
    for r in rows {
        println!(
            "{:<20} {:>8} {:>10} {:>7.1}% {:>9}",
            r.strategy,
            r.minutes,
            r.available,
            100.0 * r.share(),
            r.switches
        );
    }
    Ok(ExitCode::SUCCESS)
}

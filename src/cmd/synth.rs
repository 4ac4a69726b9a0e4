//! `edgeshift synth OUTDIR [--days D] [--seed S] [--start TIME] [--schedule "CRON for DURATION"]...
//! [--nodes N] [--restart-at [NODE@]TIME]... [--restart-device] [--attempts N]`
//!
//! Writes a realistic synthetic recording into OUTDIR: for each node k, `edenK_measure.csv`
//! (edge rows) and `web-serverK.csv` (probe rows), one row a minute, floods following the
//! given schedules (default: the seed's `15,45 * * * * for 5m` and `0,30 * * * * for 10m`).
//! The model is `edgeshift::synth`; this file only reads the arguments and prints.

use edgeshift::error::bad_input;
use edgeshift::synth::{self, parse_restart, parse_schedule, SynthOptions, SCHEDULE_HELP};
use edgeshift::table::time::parse_time;
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Files written (atomically) in OUTDIR, for each node k = 1..N:
  edenK_measure.csv  edge rows: Time,CPU Load %,App. CPU Load %,Tx B,Rx B,App. Tx B,App. Rx B
                     (counters cumulative, sampled 1-4 s after each minute)
  web-serverK.csv    probe rows: Time,Successful attempts,Responce time,Errors
                     (ATTEMPTS HTTP GETs a minute, sampled 0.5-2 s after each minute)
The load follows a flood with a short lag (70 % in its first minute, then ~100 %; 30 %, 9 %,
3 % in the minutes after it); during a flood fewer than half of the attempts succeed.
Quiet minutes have noise and occasional single errors, as in the seed's recording.

Schedules: one --schedule per node, in node order; nodes without one are never flooded.
";

const EXAMPLES: &str = "
Usage examples:
  edgeshift synth rec/                                  # the seed's setup, 2 days
  edgeshift synth rec/ --days 7 --schedule \"0 9 * * * for 45m\" --schedule \"0 14 * * * for 30m\"
  edgeshift synth rec/ --days 21 --schedule \"0 9 * * 1-5 for 1h\" --schedule \"30 * * * * for 10m\"
  edgeshift synth rec/ --restart-at 2024-03-05T03:02:30 --restart-at 2@2024-03-05T07:00";

/// Write a realistic synthetic recording from a known flood schedule.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Write a realistic synthetic recording (edge and probe files, one row a minute) \
                  for nodes whose flood schedules are known, deterministic for a seed.",
    after_help = format!("{AFTER_HELP}\n{SCHEDULE_HELP}\n{EXAMPLES}")
)]
pub struct Args {
    /// Folder to write the files into (created if missing; existing files are replaced).
    pub outdir: PathBuf,
    /// Length of the recording in days (fractions allowed: 0.5 = 720 rows a file).
    #[arg(long, default_value_t = 2.0)]
    pub days: f64,
    /// Seed of the noise: the same seed and options always give the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Time of the first row's minute (wall clock, like the files).
    #[arg(long, default_value = synth::DEFAULT_START)]
    pub start: String,
    /// A node's flood schedule, "CRON for DURATION"; repeat once per node, in node order.
    /// Default: "15,45 * * * * for 5m" (node 1) and "0,30 * * * * for 10m" (node 2).
    #[arg(long, value_name = "\"CRON for DURATION\"")]
    pub schedule: Vec<String>,
    /// Number of nodes (default: the number of schedules, at least 2).
    #[arg(long)]
    pub nodes: Option<usize>,
    /// A VM restart: the App. counters start again from zero at TIME (every node), or only
    /// on node NODE with NODE@TIME. Repeatable.
    #[arg(long, value_name = "[NODE@]TIME")]
    pub restart_at: Vec<String>,
    /// Restarts also reset the device counters (Tx B, Rx B), as a device reboot would.
    #[arg(long)]
    pub restart_device: bool,
    /// HTTP attempts per probe row.
    #[arg(long, default_value_t = 10)]
    pub attempts: u32,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(args.days.is_finite() && args.days > 0.0 && args.days <= 3660.0) {
        return Err(bad_input(format!(
            "bad --days {}: expected a number of days above 0 and at most 3660",
            args.days
        )));
    }
    let minutes = (args.days * 1440.0).round() as usize;
    if minutes == 0 {
        return Err(bad_input(format!(
            "bad --days {}: less than one minute of data",
            args.days
        )));
    }
    if args.attempts == 0 || args.attempts > 1000 {
        return Err(bad_input(format!(
            "bad --attempts {}: expected 1 to 1000",
            args.attempts
        )));
    }
    let start = parse_time(&args.start).ok_or_else(|| {
        bad_input(format!(
            "bad --start {:?}: expected a time like 2024-03-04T00:00:00",
            args.start
        ))
    })?;
    let schedules = if args.schedule.is_empty() {
        let mut d = synth::default_schedules();
        d.truncate(args.nodes.unwrap_or(d.len()));
        d
    } else {
        args.schedule
            .iter()
            .enumerate()
            .map(|(i, s)| {
                parse_schedule(s)
                    .map_err(|e| bad_input(format!("--schedule of node {}: {e}", i + 1)))
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    let nodes = args.nodes.unwrap_or(schedules.len().max(2));
    if nodes == 0 || nodes > 1000 {
        return Err(bad_input(format!(
            "bad --nodes {nodes}: expected 1 to 1000"
        )));
    }
    if schedules.len() > nodes {
        return Err(bad_input(format!(
            "{} schedules for {nodes} node(s): give at most one --schedule per node",
            schedules.len()
        )));
    }
    let restarts = args
        .restart_at
        .iter()
        .map(|s| parse_restart(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if let Some(r) = restarts.iter().find(|r| r.node.is_some_and(|n| n > nodes)) {
        return Err(bad_input(format!(
            "bad --restart-at: node {} does not exist (there are {nodes})",
            r.node.unwrap_or_default()
        )));
    }
    let opts = SynthOptions {
        start,
        minutes,
        seed: args.seed,
        schedules,
        nodes,
        restarts,
        restart_device: args.restart_device,
        attempts: args.attempts,
    };
    for line in synth::describe(&opts) {
        println!("{line}");
    }
    for f in synth::write_recording(&args.outdir, &opts)? {
        println!(
            "wrote {} ({} rows, node {}, {} flood{})",
            f.path.display(),
            f.rows,
            f.node,
            f.floods,
            if f.floods == 1 { "" } else { "s" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

//! `edgeshift testbed [--nodes N] [--minute DURATION] [--learn PERIODS] [--run PERIODS]
//! [--schedule "CRON for DURATION" ...] [--delay 8m] [--boot 6m] [--out DIR] [--json]
//! [--quick] [--kill-node K@MINUTE]`
//!
//! Runs the whole system on this machine, on loopback, in compressed time: N emulated edge
//! nodes (web server + diag + edge service on 127.0.0.11, .12, ...), the central side
//! (probes every minute, floods on the schedule), calibration and planning after the
//! learning phase, then the plan run by a cron-like runner that switches the service name
//! in the testbed's hosts file, with the monitor every period. Writes `summary.json`,
//! `report.md` and SVG plots into the output folder.

use edgeshift::error::bad_input;
use edgeshift::testbed::{self, TestbedConfig};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The seed README's flood schedule, one per node.
pub const SEED_SCHEDULES: [&str; 2] = ["15,45 * * * * for 5m", "0,30 * * * * for 10m"];

/// Run the whole system on this machine on loopback and report.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Run the whole system on this machine, on loopback addresses (127.0.X.11, .12, ...), \
with time compressed (--minute: the wall time of one schedule minute).\n\n\
Learning phase (--learn hours of virtual time, starting at a virtual 2024-03-04T00:00): every node \
runs `edgeshift web-server` with a small capacity; every minute each node and the service name \
`web-server` (fixed on node 1: the baseline) are probed, `diag` samples every node from /proc and \
the server's /metrics, and `flood` loads the nodes on their --schedule. Then every node is \
calibrated (`calibrate`), the time tables are planned (`plan --delay`) and the lines installed in \
the testbed's crontab file (`crontab install --file`).\n\n\
Proactive phase (--run hours): only one node serves at a time; the testbed's cron-like runner runs \
the crontab lines on the compressed clock (`switch` with the process driver, whose start_delay \
emulates the VM boot, --boot), the service name is probed every minute, and `monitor --react` runs \
every --monitor-every. Floods go on as before.\n\n\
Writes into --out: summary.json, report.md, availability.svg, timetables.svg, load.svg, plan.txt, \
crontab, hosts, testbed.toml, monitor.toml, data/ (edge, probe, limits and time table files with \
virtual time stamps), logs/. All traffic stays on 127.0.0.0/8; every child process is stopped at \
the end, on error and on Ctrl-C.",
    after_help = "Examples:\n  edgeshift testbed --quick --json --out /tmp/tb      # about 1 minute\n  \
edgeshift testbed --minute 1s --learn 3 --run 2 --out tb\n  \
edgeshift testbed --quick --run 2 --kill-node 1@5 --monitor-every 5m"
)]
pub struct Args {
    /// Number of emulated edge nodes.
    #[arg(long, default_value_t = 2)]
    pub nodes: usize,
    /// Wall time of one schedule minute (e.g. 1s, 250ms).
    #[arg(long, default_value = "1s")]
    pub minute: String,
    /// Learning periods (hours of virtual time).
    #[arg(long)]
    pub learn: Option<u64>,
    /// Proactive periods (hours of virtual time).
    #[arg(long)]
    pub run: Option<u64>,
    /// Flood schedule of each node in node order, `CRON for DURATION` (repeat the flag; `none`
    /// for no flood) [default: the seed's `15,45 * * * * for 5m` and `0,30 * * * * for 10m`,
    /// no flood on further nodes: they are never busy].
    #[arg(long)]
    pub schedule: Vec<String>,
    /// Planned switching delay (whole minutes), as given to `plan`.
    #[arg(long, default_value = "8m")]
    pub delay: String,
    /// Emulated VM start time [default: 60 % of --delay, rounded: the planned delay keeps a
    /// margin for the health checks and the first minute a time table may miss].
    #[arg(long)]
    pub boot: Option<String>,
    /// Output folder (its data/ and state/ subfolders are emptied first).
    #[arg(long, default_value = "testbed-out")]
    pub out: PathBuf,
    /// Print summary.json on stdout at the end.
    #[arg(long)]
    pub json: bool,
    /// Short run for tests and CI: --minute 250ms, --learn 2, --run 1 (unless given).
    #[arg(long)]
    pub quick: bool,
    /// Kill node K's web server at minute M of the proactive phase (repeatable), e.g. 1@5.
    #[arg(long, value_name = "K@MINUTE")]
    pub kill_node: Vec<String>,
    /// How often the monitor runs in the proactive phase [default: every period, 60m].
    #[arg(long, default_value = "60m")]
    pub monitor_every: String,
    /// Web server worker threads per node.
    #[arg(long, default_value_t = 1)]
    pub workers: u32,
    /// Web server CPU work per request [default: 2ms].
    #[arg(long, default_value = "2ms")]
    pub work: String,
    /// Web server queue places.
    #[arg(long, default_value_t = 2)]
    pub queue: u32,
    /// Flood: most requests outstanding at once.
    #[arg(long, default_value_t = 64)]
    pub flood_concurrency: usize,
    /// Flood: requests per second (open loop; 8 × the capacity of one worker at 2ms).
    #[arg(long, default_value_t = 4000.0)]
    pub flood_rate: f64,
    /// Probe attempts per minute [default: 10, --quick 5].
    #[arg(long)]
    pub attempts: Option<u32>,
    /// Third octet of the node addresses (127.0.X.11 ...).
    #[arg(long, default_value_t = 0)]
    pub subnet: u8,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let minute_s = if args.quick && args.minute == "1s" {
        "250ms".to_string()
    } else {
        args.minute.clone()
    };
    let minute = humantime::parse_duration(&minute_s).map_err(|e| {
        bad_input(format!(
            "--minute {minute_s:?}: {e}; expected a duration like 1s or 250ms"
        ))
    })?;
    if minute < Duration::from_millis(100) || minute > Duration::from_secs(60) {
        return Err(bad_input(format!(
            "--minute {minute_s:?}: must be between 100ms and 60s"
        )));
    }
    let delay = parse_minutes(&args.delay, "--delay")?;
    if delay.fract() != 0.0 || !(1.0..60.0).contains(&delay) {
        return Err(bad_input(format!(
            "--delay {:?}: whole minutes from 1 to 59",
            args.delay
        )));
    }
    let boot = match &args.boot {
        Some(b) => parse_minutes(b, "--boot")?,
        None => (delay * 0.6).round().max(1.0),
    };
    let mut schedules = args.schedule.clone();
    if schedules.is_empty() {
        schedules = SEED_SCHEDULES.iter().map(|s| s.to_string()).collect();
    }
    while schedules.len() < args.nodes {
        schedules.push("none".into());
    }
    if schedules.len() > args.nodes {
        return Err(bad_input(format!(
            "{} --schedule values for {} nodes",
            schedules.len(),
            args.nodes
        )));
    }
    let mut kills = Vec::new();
    for k in &args.kill_node {
        let parsed = k
            .split_once('@')
            .and_then(|(n, m)| Some((n.parse::<usize>().ok()?, m.parse::<u64>().ok()?)));
        match parsed {
            Some((n, m)) if n >= 1 && n <= args.nodes => kills.push((n, m)),
            _ => {
                return Err(bad_input(format!(
                    "--kill-node {k:?}: expected K@MINUTE with K a node (1..{}) and MINUTE a minute of the proactive phase",
                    args.nodes
                )))
            }
        }
    }
    let monitor_every = parse_minutes(&args.monitor_every, "--monitor-every")?.round() as u64;
    let work = humantime::parse_duration(&args.work)
        .map_err(|e| bad_input(format!("--work {:?}: {e}", args.work)))?;
    let exe = std::env::current_exe()
        .map_err(|e| anyhow::anyhow!("cannot find the edgeshift binary: {e}"))?;
    let cfg = TestbedConfig {
        exe,
        out: args.out.clone(),
        nodes: args.nodes,
        minute,
        learn: args.learn.unwrap_or(if args.quick { 2 } else { 3 }),
        run: args.run.unwrap_or(if args.quick { 1 } else { 2 }),
        schedules,
        delay: delay as u64,
        boot,
        kills,
        monitor_every: monitor_every.max(1),
        workers: args.workers.max(1),
        work,
        queue: args.queue,
        flood_concurrency: args.flood_concurrency.max(1),
        flood_rate: if args.flood_rate.is_finite() && args.flood_rate > 0.0 {
            args.flood_rate
        } else {
            return Err(bad_input(
                "--flood-rate must be a positive number of requests per second",
            ));
        },
        attempts: args
            .attempts
            .unwrap_or(if args.quick { 5 } else { 10 })
            .max(1),
        subnet: args.subnet,
        quiet: args.quiet || args.json,
    };
    if cfg.learn == 0 || cfg.run == 0 {
        return Err(bad_input("--learn and --run must be at least 1 period"));
    }
    let summary = testbed::run(&cfg)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        writeln!(
            out,
            "baseline availability {:.1} % ({} of {} minutes), proactive {:.1} % ({} of {}); switches: {} planned, {} executed, {} failed\nreport: {}",
            summary.baseline.availability * 100.0,
            summary.baseline.available,
            summary.baseline.probed,
            summary.proactive.availability * 100.0,
            summary.proactive.available,
            summary.proactive.probed,
            summary.switches_planned,
            summary.switches_executed,
            summary.switches_failed,
            args.out.join("report.md").display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses a number of minutes: `8m`, `90s`, `1h`, or a plain number of minutes (`8`, `2.5`).
pub fn parse_minutes(s: &str, flag: &str) -> anyhow::Result<f64> {
    if let Ok(v) = s.parse::<f64>() {
        if v.is_finite() && v >= 0.0 {
            return Ok(v);
        }
    }
    match humantime::parse_duration(s) {
        Ok(d) => Ok(d.as_secs_f64() / 60.0),
        Err(_) => Err(bad_input(format!(
            "{flag} {s:?} is not a duration; expected e.g. 8m, 90s or a number of minutes"
        ))),
    }
}

//! `edgeshift monitor [--config FILE] [--probe FILE] [--window 3h] [--errors-at 5]
//! [--threshold 10%] [--every 1h] [--react] [--now TIME] [--log FILE] [--cache-dir DIR]
//! [--crontab-file PATH | --user U] [--switch-cmd CMD] [--delay 8m]`
//!
//! ```text
//! # hourly from cron, everything else in the config file:
//! 0 * * * * edgeshift monitor --config /etc/edgeshift.toml --react
//! ```
//! The decision logic is `edgeshift::monitor::run_once`; this file wires the planner
//! (`plan::planner`, `plan::cron`), the crontab block (`plan::crontab`) and the switch command
//! into its `Actions` seam.

use anyhow::{Context, Result};
use edgeshift::error::bad_input;
use edgeshift::monitor::config::{
    parse_period, parse_span, parse_threshold, read_token, ConfigFile,
};
use edgeshift::monitor::fetch::{EdgeTarget, FetchOptions};
use edgeshift::monitor::select::parse_window;
use edgeshift::monitor::{append_log, run_once, Actions, Planned, Settings};
use edgeshift::plan::crontab::{self, CrontabOptions, CrontabTarget};
use edgeshift::plan::{cron, planner};
use edgeshift::switch::config::Config as SwitchConfig;
use edgeshift::switch::{hosts, run_switch};
use edgeshift::table::time::{now_local, parse_time};
use edgeshift::table::timetable::TimeTable;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Check the probe log; when errors are frequent, re-plan and re-install.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "One run of the closed loop (run it hourly from cron, or use --every).\n\n\
1. Reads the last --window of the probe file (rows with now - window < Time <= now) and the \
share of rows with Errors >= --errors-at.\n\
2. When that share is >= --threshold: fetches every [[node]]'s time table from its edge \
service (edge_url, edge_token_file in the config) concurrently, with timeouts and retries, \
and checks each (a time table, of the node's server name, of the expected period). A node \
that does not answer is reported and its last good table (cached in --cache-dir) is used.\n\
3. Plans (delay --delay) and installs the lines as the generated block of the crontab \
(--crontab-file, --user, or your own). When fewer than two tables are usable, or planning or \
installing fails, the installed block stays as it was; a plan without any switch is not \
installed either.\n\
4. --react: when the newest react_rows (default 3) probe rows all fail and the node serving now \
was not expected to be busy, switches at once to the free node that stays free longest: \
in-process with --switch-config (whose hosts file also tells which node serves now), else by \
running `SWITCH_CMD FROM TO` through sh, as cron would. Without a switch config the serving \
node is the one the plan has serving now (or --serving).\n\n\
Every setting can come from the [monitor] section of the config file (see `edgeshift config`); \
flags override it. Writes: the crontab block, the cache folder (<node>.time_table.csv, \
atomically), crontab backups in <cache-dir>/crontab-backups, and one JSON line per run \
appended to --log (also printed on stdout).",
    after_help = "Example:\n  edgeshift monitor --config /etc/edgeshift.toml --react --log /var/log/edgeshift/monitor.jsonl\n\n\
Exit codes: 0 the run did its job (also when nothing had to change); 1 a re-plan or a reaction \
was needed but failed (the old block stays); 2 bad arguments or config; 3 no probe rows in the \
window (empty file, or only older rows): nothing checked, nothing changed."
)]
pub struct Args {
    #[command(flatten)]
    pub opts: Box<Opts>,
}

/// The options of [`Args`] (boxed: keeps the subcommand enum small).
#[derive(clap::Args, Debug)]
pub struct Opts {
    /// The TOML configuration ([monitor] section and [[node]] tables).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The probe file of the service name (default: [monitor] probe).
    #[arg(long, value_name = "FILE")]
    pub probe: Option<PathBuf>,
    /// How much of the probe file to look at (default 3h).
    #[arg(long, value_name = "LEN")]
    pub window: Option<String>,
    /// A probe row fails with Errors >= this (default 5).
    #[arg(long, value_name = "N")]
    pub errors_at: Option<f64>,
    /// Re-plan when at least this share of rows fail: 10% or 0.1 (default 10%).
    #[arg(long, value_name = "SHARE")]
    pub threshold: Option<String>,
    /// Keep running, one run every LEN (otherwise one run).
    #[arg(long, value_name = "LEN", conflicts_with = "now")]
    pub every: Option<String>,
    /// Switch at once when the serving node fails now and the plan did not expect it.
    #[arg(long)]
    pub react: bool,
    /// --react: how many newest probe rows must all fail (default 3).
    #[arg(long, value_name = "K")]
    pub react_rows: Option<usize>,
    /// --react: the node serving now, when the plan should not be trusted to say.
    #[arg(long, value_name = "NAME")]
    pub serving: Option<String>,
    /// Take this time as now (ISO); for replays and compressed clocks.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Append one JSON line per run to this file.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Folder for the last good time table of every node.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Install into this crontab-format file.
    #[arg(long, value_name = "PATH", conflicts_with = "user")]
    pub crontab_file: Option<PathBuf>,
    /// Install into this user's crontab (crontab -u; needs root).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// The switch command of the crontab lines (FROM and TO are appended).
    #[arg(long, value_name = "CMD")]
    pub switch_cmd: Option<String>,
    /// Switch delay, whole minutes (default 8m).
    #[arg(long, value_name = "LEN")]
    pub delay: Option<String>,
    /// The window asked from each edge service (default 2h).
    #[arg(long, value_name = "LEN")]
    pub edge_window: Option<String>,
    /// Period of the tables: hour, day, week or auto (default hour).
    #[arg(long)]
    pub period: Option<String>,
    /// Per-request HTTP timeout (default 5s).
    #[arg(long, value_name = "LEN")]
    pub timeout: Option<String>,
    /// Extra attempts per node after a failed one (default 2).
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// --react: switch in-process with this switch configuration (its hosts file also tells
    /// which node serves now); without it --react runs `SWITCH_CMD FROM TO`.
    #[arg(long, value_name = "FILE")]
    pub switch_config: Option<PathBuf>,
}

struct Wired {
    switch_cfg: Option<SwitchConfig>,
    switch_cmd: String,
    marker: String,
    target: CrontabTarget,
    opts: CrontabOptions,
}

impl Actions for Wired {
    fn plan(&self, tables: &[TimeTable], delay_slots: usize) -> Result<Planned> {
        let plan = planner::plan(tables, delay_slots)?;
        Ok(Planned {
            lines: cron::format_lines(&plan, &self.switch_cmd, &self.marker),
            nodes: plan.nodes.clone(),
            serving: plan.serving.clone(),
        })
    }

    fn install(&self, lines: &[String]) -> Result<bool> {
        Ok(crontab::install_block(&self.target, lines, &self.opts)?.changed)
    }

    fn serving_now(&self) -> Option<String> {
        self.serving_from_hosts()
    }

    fn switch(&self, from: &str, to: &str) -> Result<()> {
        if let Some(cfg) = &self.switch_cfg {
            let report = run_switch(cfg, from, to)?;
            if let Some(e) = report.stop_error {
                eprintln!("monitor: switched to {to}, but stopping {from} failed: {e}");
            }
            return Ok(());
        }
        let cmd = format!("{} {from} {to}", self.switch_cmd);
        let status = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(&cmd)
            .status()
            .with_context(|| format!("cannot run {cmd:?}"))?;
        if !status.success() {
            anyhow::bail!("{cmd:?} failed ({status})");
        }
        Ok(())
    }
}

impl Wired {
    /// The node whose address the service name points to in the switch's hosts file.
    fn serving_from_hosts(&self) -> Option<String> {
        let cfg = self.switch_cfg.as_ref()?;
        let ip = hosts::resolve(&cfg.hosts_file, &cfg.service).ok()??;
        cfg.nodes
            .iter()
            .find(|n| n.address.parse::<std::net::IpAddr>().ok() == Some(ip))
            .map(|n| n.name.clone())
    }
}

fn safe_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let args = *args.opts;
    let cfg = match &args.config {
        Some(p) => ConfigFile::load(p)?,
        None => ConfigFile::default(),
    };
    let m = &cfg.monitor;
    let probe = args
        .probe
        .clone()
        .or_else(|| m.probe.clone())
        .ok_or_else(|| bad_input("no probe file: give --probe or [monitor] probe in --config"))?;
    let window_us = parse_window(
        args.window
            .as_deref()
            .or(m.window.as_deref())
            .unwrap_or("3h"),
    )
    .map_err(|e| bad_input(format!("--window: {e}")))?;
    let errors_at = args.errors_at.or(m.errors_at).unwrap_or(5.0);
    if !errors_at.is_finite() {
        edgeshift::bail_input!("--errors-at must be a number");
    }
    let threshold = parse_threshold(
        args.threshold
            .as_deref()
            .or(m.threshold.as_deref())
            .unwrap_or("10%"),
    )?;
    let delay = crate::cmd::plan::parse_delay_minutes(
        args.delay.as_deref().or(m.delay.as_deref()).unwrap_or("8m"),
    )?;
    let switch_cmd = args
        .switch_cmd
        .clone()
        .or_else(|| m.switch_cmd.clone())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            bad_input("no switch command: give --switch-cmd or [monitor] switch_cmd in --config")
        })?;
    if switch_cmd.contains(['\n', '\r', '#', '%']) {
        edgeshift::bail_input!(
            "the switch command {switch_cmd:?} cannot hold a newline, '#' or '%' (crontab syntax)"
        );
    }
    let period = parse_period(
        args.period
            .as_deref()
            .or(m.period.as_deref())
            .unwrap_or("hour"),
    )?;
    let edge_window = args
        .edge_window
        .clone()
        .or_else(|| m.edge_window.clone())
        .unwrap_or_else(|| "2h".into());
    parse_window(&edge_window).map_err(|e| bad_input(format!("edge window: {e}")))?;
    let timeout = parse_span(
        args.timeout
            .as_deref()
            .or(m.timeout.as_deref())
            .unwrap_or("5s"),
        "--timeout",
    )?;
    let retries = args.retries.or(m.retries).unwrap_or(2);
    let react_rows = args.react_rows.or(m.react_rows).unwrap_or(3);
    let marker = m
        .marker
        .clone()
        .unwrap_or_else(|| cron::DEFAULT_MARKER.to_string());
    let cache_dir = args
        .cache_dir
        .clone()
        .or_else(|| m.cache_dir.clone())
        .unwrap_or_else(|| crontab::default_backup_dir().join("tables"));
    let log = args.log.clone().or_else(|| m.log.clone());
    let target = match (&args.crontab_file, &args.user) {
        (Some(f), _) => CrontabTarget::File(f.clone()),
        (None, Some(u)) => CrontabTarget::User(Some(u.clone())),
        (None, None) => match (&m.crontab_file, &m.user) {
            (Some(f), _) => CrontabTarget::File(f.clone()),
            (None, u) => CrontabTarget::User(u.clone()),
        },
    };
    let mut targets = Vec::new();
    for n in &cfg.nodes {
        if !safe_name(&n.name) {
            edgeshift::bail_input!(
                "node name {:?} must be letters, digits, '-', '_' or '.' (it goes into crontab lines)",
                n.name
            );
        }
        let token = n.edge_token_file.as_deref().map(read_token).transpose()?;
        targets.push(EdgeTarget {
            name: n.name.clone(),
            url: n.edge_url.clone(),
            token,
        });
    }
    if targets.len() < 2 {
        edgeshift::bail_input!(
            "the config lists {} [[node]] table(s); the monitor needs two or more (with edge_url)",
            targets.len()
        );
    }
    if let Some(s) = &args.serving {
        if !targets.iter().any(|t| &t.name == s) {
            edgeshift::bail_input!("--serving {s:?} is not a configured node");
        }
    }
    let fixed_now = match &args.now {
        Some(s) => Some(parse_time(s).ok_or_else(|| {
            bad_input(format!(
                "--now: cannot read {s:?} as a time; expected e.g. 2024-03-04T10:00:00"
            ))
        })?),
        None => None,
    };
    let every = args
        .every
        .as_deref()
        .map(|e| parse_span(e, "--every"))
        .transpose()?;
    let switch_cfg = args
        .switch_config
        .clone()
        .or_else(|| m.switch_config.clone())
        .map(|p| SwitchConfig::load(&p))
        .transpose()?;
    if let Some(sc) = &switch_cfg {
        for t in &targets {
            if sc.node(&t.name).is_err() {
                edgeshift::bail_input!(
                    "node {:?} of the monitor is not a node of the switch configuration",
                    t.name
                );
            }
        }
    }
    let wired = Wired {
        switch_cfg,
        switch_cmd,
        marker,
        target,
        opts: CrontabOptions {
            block: m
                .block
                .clone()
                .unwrap_or_else(|| crontab::DEFAULT_BLOCK.to_string()),
            backup_dir: Some(cache_dir.join("crontab-backups")),
            ..CrontabOptions::default()
        },
    };
    let mut settings = Settings {
        probe,
        window_us,
        errors_at,
        threshold,
        now: fixed_now.unwrap_or_else(now_local),
        react: args.react,
        react_rows,
        serving: args.serving.clone(),
        delay_slots: delay,
        fetch: FetchOptions {
            window: edge_window,
            period,
            timeout,
            retries,
            backoff: Duration::from_millis(300),
        },
        targets,
        cache_dir: Some(cache_dir),
    };
    loop {
        let rep = match (run_once(&settings, &wired), every) {
            (Ok(rep), _) => rep,
            (Err(e), None) => return Err(e),
            (Err(e), Some(d)) => {
                // A daemon keeps going: the probe file may be back next time.
                eprintln!("monitor: error: {e:#}");
                std::thread::sleep(d);
                settings.now = now_local();
                continue;
            }
        };
        eprintln!("monitor: {}", rep.message);
        println!("{}", serde_json::to_string(&rep)?);
        if let Some(l) = &log {
            if let Err(e) = append_log(l, &rep) {
                eprintln!("monitor: cannot append to the log {}: {e:#}", l.display());
            }
        }
        match every {
            None => return Ok(ExitCode::from(rep.exit_code)),
            Some(d) => {
                std::thread::sleep(d);
                settings.now = now_local();
            }
        }
    }
}

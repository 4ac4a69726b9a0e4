//! The switch procedure itself ([`run_switch`]) and its time-stamped step log.
//!
//! Owns the order of the steps and what is undone on failure. Must not know driver
//! details or file formats (drivers, hosts, health and lock modules do).

use super::config::Config;
use super::driver::{driver_for, StartOutcome, StopOutcome};
use super::health::{url_at, wait_healthy};
use super::hosts;
use super::lock::SwitchLock;
use crate::error::bad_input;
use anyhow::{Context, Result};
use std::io::Write;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// What a switch did.
#[derive(Debug, Clone)]
pub struct SwitchReport {
    pub from: String,
    pub to: String,
    /// True when this switch started TO (false: TO was already running).
    pub started_by_us: bool,
    /// Time from the start command to TO being healthy.
    pub healthy_after: Duration,
    /// True when the hosts file was rewritten (false: it already pointed at TO).
    pub hosts_changed: bool,
    /// True when FROM was stopped.
    pub stopped_from: bool,
    /// Why stopping FROM failed (the service is on TO nevertheless).
    pub stop_error: Option<String>,
    /// Time waited for the lock.
    pub lock_wait: Duration,
    /// Whole duration.
    pub elapsed: Duration,
    /// The step log lines.
    pub log: Vec<String>,
}

struct StepLog {
    prefix: String,
    stderr: bool,
    file: Option<std::fs::File>,
    lines: Vec<String>,
}

impl StepLog {
    fn new(cfg: &Config, from: &str, to: &str) -> Result<StepLog> {
        let file = match &cfg.log_file {
            Some(p) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .with_context(|| format!("cannot open the switch log {}", p.display()))?,
            ),
            None => None,
        };
        Ok(StepLog {
            prefix: format!("switch {from} -> {to} [pid {}]", std::process::id()),
            stderr: cfg.log_stderr,
            file,
            lines: Vec::new(),
        })
    }

    fn log(&mut self, msg: impl AsRef<str>) {
        let line = format!(
            "{} {}: {}",
            chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f"),
            self.prefix,
            msg.as_ref()
        );
        if self.stderr {
            eprintln!("{line}");
        }
        if let Some(f) = &mut self.file {
            let _ = writeln!(f, "{line}");
        }
        self.lines.push(line);
    }
}

/// Moves the service from node `from` to node `to` (see the module docs of `switch`).
pub fn run_switch(cfg: &Config, from: &str, to: &str) -> Result<SwitchReport> {
    let t0 = Instant::now();
    if from == to {
        return Err(bad_input(format!(
            "FROM and TO are both {from:?}; a switch needs two different nodes"
        )));
    }
    let from_node = cfg.node(from)?;
    let to_node = cfg.node(to)?;
    let to_addr: IpAddr = to_node
        .address
        .parse()
        .map_err(|_| bad_input(format!("node {to}: bad address {:?}", to_node.address)))?;
    let from_addr: Option<IpAddr> = from_node.address.parse().ok();
    let mut log = StepLog::new(cfg, from, to)?;

    log.log(format!(
        "waiting for the switch lock {} (mode {})",
        cfg.lock_file.display(),
        match cfg.lock.mode {
            super::config::LockMode::Wait => "wait",
            super::config::LockMode::Fail => "fail",
        }
    ));
    let _lock = match SwitchLock::acquire(&cfg.lock_file, cfg.lock.mode, cfg.lock.timeout) {
        Ok(l) => l,
        Err(e) => {
            log.log(format!("not switching: {e:#}"));
            return Err(e);
        }
    };
    let lock_wait = t0.elapsed();
    log.log(format!("lock taken after {:.1}s", lock_wait.as_secs_f64()));

    let to_drv = driver_for(cfg, to_node);
    let from_drv = driver_for(cfg, from_node);

    // 1. Start TO.
    log.log(format!("starting {to} ({})", to_drv.describe()));
    let t_start = Instant::now();
    let started = match to_drv.start() {
        Ok(s) => s,
        Err(e) => {
            log.log(format!(
                "start of {to} failed: {e:#}; {from} left running, hosts file untouched"
            ));
            return Err(e.context(format!(
                "switch {from} -> {to}: cannot start {to}; {from} left running, hosts file untouched"
            )));
        }
    };
    let started_by_us = started == StartOutcome::Started;
    log.log(match started {
        StartOutcome::Started => format!("{to} start requested"),
        StartOutcome::AlreadyRunning => format!("{to} was already running"),
    });

    // Undo for failures after the start: stop TO only if we started it.
    let undo_start = |log: &mut StepLog, why: &str| -> String {
        if started_by_us {
            log.log(format!("stopping {to}, which this switch started ({why})"));
            match to_drv.stop() {
                Ok(_) => format!("{to} was started by this switch and has been stopped again"),
                Err(e) => {
                    log.log(format!("stopping {to} failed: {e:#}"));
                    format!("{to} was started by this switch; stopping it again failed: {e:#}")
                }
            }
        } else {
            log.log(format!("{to} was running before this switch: left running"));
            format!("{to} was running before this switch and is left running")
        }
    };

    // 2. Wait until TO is healthy.
    log.log(format!(
        "waiting for {} ({} good answers in a row, every {:?}, up to {:?})",
        to_node.health_url, cfg.health.good, cfg.health.interval, cfg.start_timeout
    ));
    let remaining = cfg.start_timeout.saturating_sub(t_start.elapsed());
    match wait_healthy(
        &to_node.health_url,
        None,
        cfg.health.good,
        cfg.health.interval,
        cfg.health.timeout,
        remaining,
    ) {
        Ok(n) => log.log(format!(
            "{to} healthy after {:.1}s ({n} requests)",
            t_start.elapsed().as_secs_f64()
        )),
        Err(e) => {
            log.log(format!("{to} did not become healthy: {e:#}"));
            let undo = undo_start(&mut log, "never healthy");
            log.log(format!("{from} left running, hosts file untouched"));
            anyhow::bail!(
                "switch {from} -> {to} failed: {to} did not become healthy: {e:#}; {from} left running, hosts file untouched; {undo}"
            );
        }
    }
    let healthy_after = t_start.elapsed();

    // 3. Point the service name at TO.
    let change = match hosts::point_name(&cfg.hosts_file, &cfg.service, to_addr) {
        Ok(c) => c,
        Err(e) => {
            log.log(format!("hosts file update failed: {e:#}"));
            let undo = undo_start(&mut log, "hosts file not updated");
            anyhow::bail!(
                "switch {from} -> {to} failed: cannot update {}: {e:#}; {from} left running; {undo}",
                cfg.hosts_file.display()
            );
        }
    };
    if change.changed {
        log.log(format!(
            "{} now points {} at {to_addr} (was {}); backup {}",
            cfg.hosts_file.display(),
            cfg.service,
            change
                .previous
                .map(|a| a.to_string())
                .unwrap_or_else(|| "absent".into()),
            change
                .backup
                .as_ref()
                .map(|b| b.display().to_string())
                .unwrap_or_default()
        ));
    } else {
        log.log(format!(
            "{} already points {} at {to_addr}",
            cfg.hosts_file.display(),
            cfg.service
        ));
    }

    // 4. Check the service through its name.
    let check = (|| -> Result<()> {
        let addr = hosts::resolve(&cfg.hosts_file, &cfg.service)?.ok_or_else(|| {
            anyhow::anyhow!(
                "{} does not resolve through {}",
                cfg.service,
                cfg.hosts_file.display()
            )
        })?;
        let (url, port) = url_at(addr, &to_node.health_url)
            .ok_or_else(|| anyhow::anyhow!("bad health_url {:?}", to_node.health_url))?;
        let host = format!("{}:{port}", cfg.service);
        wait_healthy(
            &url,
            Some(&host),
            1,
            cfg.health.interval.min(Duration::from_secs(1)),
            cfg.health.timeout,
            cfg.service_check_timeout,
        )
        .map(|_| ())
        .with_context(|| format!("{} resolved to {addr}", cfg.service))
    })();
    match check {
        Ok(()) => log.log(format!("service {} answers through its name", cfg.service)),
        Err(e) => {
            log.log(format!("service check through the name failed: {e:#}"));
            let mut back = String::from("hosts file unchanged");
            if change.changed {
                back = match from_addr {
                    Some(a) => match hosts::point_name(&cfg.hosts_file, &cfg.service, a) {
                        Ok(_) => format!("{} points back at {from} ({a})", cfg.service),
                        Err(e2) => {
                            format!("pointing {} back at {from} failed: {e2:#}", cfg.service)
                        }
                    },
                    None => "cannot point back: bad FROM address".into(),
                };
                log.log(&back);
            }
            let undo = undo_start(&mut log, "service check failed");
            anyhow::bail!(
                "switch {from} -> {to} failed: the service does not answer through its name: {e:#}; {back}; {from} left running; {undo}"
            );
        }
    }

    // 5. Stop FROM.
    log.log(format!("stopping {from} ({})", from_drv.describe()));
    let (stopped_from, stop_error) = match from_drv.stop() {
        Ok(StopOutcome::Stopped) => {
            log.log(format!("{from} stopped"));
            (true, None)
        }
        Ok(StopOutcome::WasNotRunning) => {
            log.log(format!("{from} was not running: nothing to stop"));
            (false, None)
        }
        Err(e) => {
            log.log(format!(
                "stopping {from} failed: {e:#} (the service is on {to} nevertheless)"
            ));
            (false, Some(format!("{e:#}")))
        }
    };
    let elapsed = t0.elapsed();
    log.log(format!("done in {:.1}s", elapsed.as_secs_f64()));
    Ok(SwitchReport {
        from: from.to_string(),
        to: to.to_string(),
        started_by_us,
        healthy_after,
        hosts_changed: change.changed,
        stopped_from,
        stop_error,
        lock_wait,
        elapsed,
        log: log.lines,
    })
}

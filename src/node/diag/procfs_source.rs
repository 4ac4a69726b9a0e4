//! The /proc source (Linux, no eden): device CPU from `/proc/stat`, device traffic from
//! `/proc/net/dev`, the app's CPU from a process (`/proc/PID/stat`), processes by name, a
//! cgroup v2 (`cpu.stat` `usage_usec`) or the app's own `/metrics`, and the app's traffic
//! from an interface or the app's `/metrics`.
//!
//! Device CPU is busy time (user, nice, system, irq, softirq, steal) summed over all CPUs:
//! per second it gives CPU-seconds per second (0.35 = 35 % of one CPU; can exceed 1), the
//! edge file's `CPU Load %`. The app's CPU is reported in percent of one CPU. An app
//! interface's counters are read on the host side and swapped (what the host sends, the
//! app receives), as EVE reports them. Reads only; uses the `procfs` crate.

use super::prometheus::{self, AppMetricNames};
use super::{now_ns, Sample, Sampler};
use crate::error::bad_input;
use anyhow::{Context, Result};
use procfs::CurrentSI;
use std::path::PathBuf;
use std::time::Duration;

/// Where the app's CPU time comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum AppCpu {
    Pid(i32),
    /// Every process whose name (`comm`, or the file name of its executable) is this.
    ProcessName(String),
    /// A cgroup v2 folder (relative paths are under /sys/fs/cgroup).
    Cgroup(PathBuf),
    /// `process_cpu_seconds_total` (or the configured name) of the app's `/metrics`.
    Metrics,
}

#[derive(Debug, Clone)]
pub struct ProcOptions {
    /// Device interface; `None` = the default route's, else `lo`.
    pub interface: Option<String>,
    pub app_cpu: AppCpu,
    pub app_interface: Option<String>,
    /// The app's `/metrics` URL (for its traffic when no `app_interface`, and for
    /// `AppCpu::Metrics`).
    pub app_metrics: Option<String>,
    pub app_names: AppMetricNames,
    pub timeout: Duration,
}

/// The interface of the default route (`/proc/net/route`), else `lo`.
pub fn default_interface() -> String {
    procfs::net::route()
        .ok()
        .and_then(|routes| {
            routes
                .into_iter()
                .find(|r| r.destination.is_unspecified() && r.mask.is_unspecified())
                .map(|r| r.iface)
        })
        .unwrap_or_else(|| "lo".to_string())
}

fn interface_counters(name: &str) -> Result<(u64, u64)> {
    let devs = procfs::net::dev_status().context("cannot read /proc/net/dev")?;
    let d = devs.get(name).ok_or_else(|| {
        let mut names: Vec<&String> = devs.keys().collect();
        names.sort();
        bad_input(format!(
            "interface `{name}` is not in /proc/net/dev (interfaces: {})",
            names
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    Ok((d.sent_bytes, d.recv_bytes))
}

/// Busy CPU-seconds of the whole machine since boot.
pub fn device_busy_seconds() -> Result<f64> {
    let ks = procfs::KernelStats::current().context("cannot read /proc/stat")?;
    let t = &ks.total;
    let busy = t.user
        + t.nice
        + t.system
        + t.irq.unwrap_or(0)
        + t.softirq.unwrap_or(0)
        + t.steal.unwrap_or(0);
    Ok(busy as f64 / procfs::ticks_per_second() as f64)
}

fn pid_cpu_seconds(pid: i32) -> Result<f64> {
    let p = procfs::process::Process::new(pid)
        .map_err(|e| anyhow::anyhow!("process {pid} is not running ({e})"))?;
    let st = p
        .stat()
        .with_context(|| format!("cannot read /proc/{pid}/stat"))?;
    Ok((st.utime + st.stime) as f64 / procfs::ticks_per_second() as f64)
}

fn name_cpu_seconds(name: &str) -> Result<f64> {
    let mut total = 0u64;
    let mut found = 0;
    for p in procfs::process::all_processes()
        .context("cannot list /proc")?
        .flatten()
    {
        let Ok(st) = p.stat() else { continue };
        let exe_name = p
            .exe()
            .ok()
            .and_then(|e| e.file_name().map(|n| n.to_string_lossy().into_owned()));
        if st.comm == name || exe_name.as_deref() == Some(name) {
            found += 1;
            total += st.utime + st.stime;
        }
    }
    if found == 0 {
        anyhow::bail!("no running process is named `{name}`");
    }
    Ok(total as f64 / procfs::ticks_per_second() as f64)
}

fn cgroup_cpu_seconds(path: &std::path::Path) -> Result<f64> {
    let dir = if path.is_absolute() {
        path.to_path_buf()
    } else {
        PathBuf::from("/sys/fs/cgroup").join(path)
    };
    let file = dir.join("cpu.stat");
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {} (a cgroup v2 folder?)", file.display()))?;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("usage_usec ") {
            let us: u64 = v
                .trim()
                .parse()
                .with_context(|| format!("{}: bad usage_usec {v:?}", file.display()))?;
            return Ok(us as f64 / 1e6);
        }
    }
    anyhow::bail!("{} has no usage_usec line", file.display())
}

impl Sampler for ProcOptions {
    fn key(&self) -> String {
        format!(
            "proc|{:?}|{:?}|{:?}|{:?}",
            self.interface, self.app_cpu, self.app_interface, self.app_metrics
        )
    }

    fn sample(&self) -> Result<Sample> {
        let at_ns = now_ns();
        let cpu_s = device_busy_seconds()?;
        let iface = self.interface.clone().unwrap_or_else(default_interface);
        let (tx, rx) = interface_counters(&iface)?;
        let page = match &self.app_metrics {
            Some(url) if self.app_cpu == AppCpu::Metrics || self.app_interface.is_none() => {
                Some(prometheus::parse(&prometheus::fetch(url, self.timeout)?))
            }
            _ => None,
        };
        let url = self.app_metrics.as_deref().unwrap_or("");
        let app_cpu_s = match &self.app_cpu {
            AppCpu::Pid(pid) => pid_cpu_seconds(*pid)?,
            AppCpu::ProcessName(n) => name_cpu_seconds(n)?,
            AppCpu::Cgroup(p) => cgroup_cpu_seconds(p)?,
            AppCpu::Metrics => match &page {
                Some(s) => prometheus::require(s, &self.app_names.cpu, url)?,
                None => {
                    crate::bail_input!("the app's CPU from its metrics needs --app-metrics URL")
                }
            },
        };
        let (app_tx, app_rx) = match (&self.app_interface, &page) {
            (Some(i), _) => {
                let (host_tx, host_rx) = interface_counters(i)?;
                (host_rx, host_tx)
            }
            (None, Some(s)) => (
                prometheus::require(s, &self.app_names.tx, url)? as u64,
                prometheus::require(s, &self.app_names.rx, url)? as u64,
            ),
            (None, None) => (0, 0),
        };
        Ok(Sample {
            at_ns,
            cpu_s,
            app_cpu_s,
            tx,
            rx,
            app_tx,
            app_rx,
        })
    }
}

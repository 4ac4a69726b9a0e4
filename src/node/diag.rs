//! The edge metrics collector (`diag`): one row of the edge measurement format
//! (`table::edge::EdgeRow`) from one of three sources.
//!
//! * [`eden`]: the `eden` CLI, as the reference `eden_diag.py` does (two metric messages give
//!   the CPU figures by themselves).
//! * [`procfs_source`]: Linux `/proc` (`/proc/stat`, `/proc/net/dev`, a process or cgroup),
//!   plus the app's own `/metrics` for its traffic.
//! * [`prometheus`]: a Prometheus exposition endpoint (node_exporter) plus the app's `/metrics`.
//!
//! CPU figures are rates and need two samples of cumulative counters. The /proc and
//! Prometheus sources keep the previous sample in a small state file (see [`state`]) so each
//! cron run reports the load over the last interval; without a usable state they sample twice,
//! `sample_pause` apart.
//!
//! Owns no file format except its JSON state file; rows are formatted by `table::edge`.
//! Never prints: the command prints the finished row in one write (never a half row).

pub mod eden;
pub mod procfs_source;
pub mod prometheus;
pub mod state;

use crate::table::edge::EdgeRow;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// A reading of the cumulative counters at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// When: nanoseconds since the Unix epoch.
    pub at_ns: i64,
    /// Device busy CPU time, CPU-seconds (summed over CPUs).
    pub cpu_s: f64,
    /// The app's CPU time, CPU-seconds.
    pub app_cpu_s: f64,
    pub tx: u64,
    pub rx: u64,
    pub app_tx: u64,
    pub app_rx: u64,
}

impl Sample {
    /// True when a counter went down since `prev` (a restart): the interval cannot be used.
    pub fn went_backwards_from(&self, prev: &Sample) -> bool {
        self.cpu_s < prev.cpu_s || self.app_cpu_s < prev.app_cpu_s || self.at_ns <= prev.at_ns
    }
}

/// The row for the interval `prev`..`cur`, stamped `time` (microseconds, `table::time`).
pub fn row_from_samples(prev: &Sample, cur: &Sample, time: i64) -> Result<EdgeRow> {
    let dt = (cur.at_ns - prev.at_ns) as f64 / 1e9;
    if dt <= 0.0 {
        anyhow::bail!(
            "the two samples are not in time order ({} ns then {} ns)",
            prev.at_ns,
            cur.at_ns
        );
    }
    Ok(EdgeRow {
        time,
        cpu_load: ((cur.cpu_s - prev.cpu_s) / dt).max(0.0),
        app_cpu_load: ((cur.app_cpu_s - prev.app_cpu_s) / dt * 100.0).max(0.0),
        tx_bytes: cur.tx,
        rx_bytes: cur.rx,
        app_tx_bytes: cur.app_tx,
        app_rx_bytes: cur.app_rx,
    })
}

/// Now as nanoseconds since the Unix epoch.
pub fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// A source that samples counters now (the /proc and Prometheus sources).
pub trait Sampler {
    /// Identifies what is sampled, so a state file written for another app or source is not
    /// mixed in.
    fn key(&self) -> String;
    fn sample(&self) -> Result<Sample>;
}

/// Options shared by the sampling sources.
#[derive(Debug, Clone)]
pub struct SamplingOptions {
    /// State file; `None` = no state (always sample twice).
    pub state: Option<PathBuf>,
    /// Pause between the two samples when there is no usable state.
    pub sample_pause: Duration,
    /// A state older than this is stale.
    pub max_state_age: Duration,
}

/// Samples through `sampler`, using and updating the state file: the row over the interval
/// since the previous run, or over `sample_pause` when there is no usable previous sample.
pub fn sample_row(sampler: &dyn Sampler, opts: &SamplingOptions, time: i64) -> Result<EdgeRow> {
    let key = sampler.key();
    let mut cur = sampler.sample()?;
    let prev = opts
        .state
        .as_deref()
        .and_then(|p| state::load(p, &key))
        .filter(|p| {
            let age = cur.at_ns - p.at_ns;
            age > 0 && (age as u128) <= opts.max_state_age.as_nanos() && !cur.went_backwards_from(p)
        });
    let prev = match prev {
        Some(p) => p,
        None => {
            std::thread::sleep(opts.sample_pause);
            std::mem::replace(&mut cur, sampler.sample()?)
        }
    };
    let row = row_from_samples(&prev, &cur, time)?;
    if let Some(p) = &opts.state {
        if let Err(e) = state::save(p, &key, &cur) {
            tracing::warn!("{e:#}");
            eprintln!("edgeshift diag: warning: {e:#}");
        }
    }
    Ok(row)
}

/// The default state file: `$XDG_STATE_HOME/edgeshift/diag-APP.json`, else
/// `~/.local/state/edgeshift/diag-APP.json`, else in the temporary folder.
pub fn default_state_path(app: &str) -> PathBuf {
    let safe: String = app
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("edgeshift").join(format!("diag-{safe}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_rates_over_the_interval() {
        let a = Sample {
            at_ns: 1_000_000_000,
            cpu_s: 10.0,
            app_cpu_s: 2.0,
            tx: 1,
            rx: 2,
            app_tx: 3,
            app_rx: 4,
        };
        let b = Sample {
            at_ns: 3_000_000_000,
            cpu_s: 11.0,
            app_cpu_s: 2.5,
            tx: 10,
            rx: 20,
            app_tx: 30,
            app_rx: 40,
        };
        let r = row_from_samples(&a, &b, 7).unwrap();
        assert_eq!(r.cpu_load, 0.5);
        assert_eq!(r.app_cpu_load, 25.0);
        assert_eq!(
            (r.tx_bytes, r.rx_bytes, r.app_tx_bytes, r.app_rx_bytes),
            (10, 20, 30, 40)
        );
        assert!(row_from_samples(&b, &a, 7).is_err());
        assert!(a.went_backwards_from(&b));
    }
}

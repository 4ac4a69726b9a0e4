//! Backtest: the availability a set of switch lines would have given on recorded probes.
//!
//! Owns the replay of crontab switch lines minute by minute over recorded probe files and
//! the comparison with staying on each single node. Pure apart from what the caller reads:
//! takes parsed lines and probe columns, returns counts. Must not read or write files.
//!
//! A minute is *available* on a node when that node's probe row for the minute had
//! successes >= half of its attempts (successes + errors; no attempts = unavailable). With
//! the plan, the node serving at a minute is the target of the latest switch line that fired
//! at least `delay` minutes earlier (the VM boot); before the first switch completes, the
//! source of the first firing line serves. Minutes without a probe row of the serving node
//! are not counted.

use super::cron::CronLine;
use crate::analysis::period::MINUTE_US;
use crate::error::bad_input;
use crate::table::probe::Probes;
use anyhow::Result;
use std::collections::HashMap;

/// Availability of one strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestRow {
    /// `plan` or a node name (staying on that node all the time).
    pub strategy: String,
    /// Minutes with a probe row for the serving node.
    pub minutes: usize,
    /// Of those, minutes that were available.
    pub available: usize,
    /// Number of switches completed in the probed time range (plan only).
    pub switches: usize,
}

impl BacktestRow {
    /// available / minutes (0 when no minutes).
    pub fn share(&self) -> f64 {
        if self.minutes == 0 {
            0.0
        } else {
            self.available as f64 / self.minutes as f64
        }
    }
}

/// Per-minute availability of one node's probe file: minute index -> available.
pub fn availability(p: &Probes) -> HashMap<i64, bool> {
    let mut m = HashMap::with_capacity(p.len());
    for i in 0..p.len() {
        let (s, e) = (p.successes[i], p.errors[i]);
        let s = if s.is_finite() { s } else { 0.0 };
        let e = if e.is_finite() { e } else { 0.0 };
        let attempts = s + e;
        m.insert(
            p.times[i].div_euclid(MINUTE_US),
            attempts > 0.0 && s >= attempts / 2.0,
        );
    }
    m
}

/// The `FROM TO` of a switch line: the last two words of its command.
pub fn switch_nodes(line: &CronLine) -> Result<(String, String)> {
    let w = line.words();
    if w.len() < 3 {
        return Err(bad_input(format!(
            "{:?}: a switch line's command ends with FROM TO (e.g. \"switch.sh web-server1 web-server2\")",
            line.command
        )));
    }
    Ok((w[w.len() - 2].to_string(), w[w.len() - 1].to_string()))
}

/// Replays `lines` over the probes (`(node, probes)`), with a switch delay in minutes.
/// Returns the plan's row first, then one row per node.
pub fn backtest(
    lines: &[CronLine],
    probes: &[(String, Probes)],
    delay_minutes: i64,
) -> Result<Vec<BacktestRow>> {
    let names: Vec<&str> = probes.iter().map(|(n, _)| n.as_str()).collect();
    let avail: Vec<HashMap<i64, bool>> = probes.iter().map(|(_, p)| availability(p)).collect();
    let index = |n: &str| -> Result<usize> {
        names.iter().position(|x| *x == n).ok_or_else(|| {
            bad_input(format!(
                "switch line names node {n:?} but there is no probe file for it; nodes: {}",
                names.join(", ")
            ))
        })
    };
    let mut switches = Vec::with_capacity(lines.len());
    for l in lines {
        let (f, t) = switch_nodes(l)?;
        switches.push((index(&f)?, index(&t)?));
    }
    let (Some(first), Some(last)) = (
        avail.iter().flat_map(|m| m.keys()).min().copied(),
        avail.iter().flat_map(|m| m.keys()).max().copied(),
    ) else {
        return Err(bad_input("the probe files have no rows"));
    };
    let mut rows = Vec::new();
    // The plan: warm up one week before the first probe so the state is known.
    let mut serving: Option<usize> = None;
    let mut pending: Vec<(i64, usize)> = Vec::new();
    let (mut minutes, mut available, mut done) = (0usize, 0usize, 0usize);
    for m in (first - 10_080)..=last {
        pending.retain(|&(at, to)| {
            if at <= m {
                serving = Some(to);
                if m >= first {
                    done += 1;
                }
                false
            } else {
                true
            }
        });
        for (l, &(from, to)) in lines.iter().zip(&switches) {
            if l.fires_at(m * MINUTE_US) {
                serving.get_or_insert(from);
                pending.push((m + delay_minutes, to));
            }
        }
        if m < first {
            continue;
        }
        if let Some(s) = serving {
            if let Some(&a) = avail[s].get(&m) {
                minutes += 1;
                available += usize::from(a);
            }
        }
    }
    rows.push(BacktestRow {
        strategy: "plan".into(),
        minutes,
        available,
        switches: done,
    });
    for (i, n) in names.iter().enumerate() {
        rows.push(BacktestRow {
            strategy: n.to_string(),
            minutes: avail[i].len(),
            available: avail[i].values().filter(|a| **a).count(),
            switches: 0,
        });
    }
    Ok(rows)
}

//! The closed loop (`edgeshift monitor`): check the probe log; when errors are frequent,
//! fetch every edge's time table, re-plan and re-install the crontab block; with `react`,
//! switch at once when the serving node fails and the schedule did not foresee it.
//!
//! Owns the decision logic of one monitor run ([`run_once`]) and its JSON log record
//! ([`RunReport`]). Planning, installing and switching are reached through the [`Actions`]
//! seam (the command wires `plan::planner`, `plan::cron`, `plan::crontab` and `switch` into
//! it), so this module neither formats crontab lines nor touches a VM itself.
//!
//! Guarantees: the installed block is only ever *replaced* by a freshly made, non-empty plan;
//! when too few tables are available or planning or installing fails, it stays as it was.
//! A node that does not answer keeps its last good table (`fetch`'s cache) and is reported.
//!
//! Submodules: [`select`] (windows, shared with `select`/`detect` and the edge service),
//! [`config`] (the `[monitor]` TOML section), [`fetch`] (HTTP client, validation, cache).

pub mod config;
pub mod fetch;
pub mod select;

use crate::analysis::period::Period;
use crate::table::probe::Probes;
use crate::table::time::format_time;
use crate::table::timetable::TimeTable;
use anyhow::Result;
use fetch::{fetch_all, EdgeTarget, FetchOptions, NodeResult, Source};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Exit code: the run did its job (also when nothing had to change).
pub const EXIT_OK: u8 = 0;
/// Exit code: re-planning or a reaction was needed but could not be done (block kept).
pub const EXIT_FAILED: u8 = 1;
/// Exit code: no probe rows in the window (empty file or only older rows): nothing done.
pub const EXIT_NO_DATA: u8 = 3;

/// A plan as the monitor needs it.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The crontab lines of the plan (empty: no switch needed).
    pub lines: Vec<String>,
    /// Node names, and the index of the node serving at each slot of the period.
    pub nodes: Vec<String>,
    pub serving: Vec<usize>,
}

impl Planned {
    /// The node serving at `slot`.
    pub fn serving_node(&self, slot: usize) -> Option<&str> {
        let i = *self.serving.get(slot % self.serving.len().max(1))?;
        self.nodes.get(i).map(String::as_str)
    }
}

/// What the monitor does to the world, injected by the command.
pub trait Actions {
    /// Plans switches from tables of one period with a delay in slots.
    fn plan(&self, tables: &[TimeTable], delay_slots: usize) -> Result<Planned>;
    /// Installs the lines as the generated crontab block; true when the crontab changed.
    fn install(&self, lines: &[String]) -> Result<bool>;
    /// Switches the service from one node to another now.
    fn switch(&self, from: &str, to: &str) -> Result<()>;
    /// The node serving now, when the switch layer can tell (e.g. from the hosts file).
    fn serving_now(&self) -> Option<String> {
        None
    }
}

/// Everything one run needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub probe: PathBuf,
    /// Length of the probe window, microseconds.
    pub window_us: i64,
    /// A row fails with Errors >= this.
    pub errors_at: f64,
    /// Re-plan when the failing share is >= this (0..=1).
    pub threshold: f64,
    /// The current time (wall clock, or `--now`).
    pub now: i64,
    pub react: bool,
    /// `react`: this many newest rows of the window all failing = "failing now".
    pub react_rows: usize,
    /// The node serving now, when known; otherwise asked from [`Actions::serving_now`],
    /// else taken from the plan at `now`.
    pub serving: Option<String>,
    pub delay_slots: usize,
    pub fetch: FetchOptions,
    pub targets: Vec<EdgeTarget>,
    pub cache_dir: Option<PathBuf>,
}

/// What `react` did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reaction {
    /// "switched", "switch-failed", "foreseen" (the schedule already handles this slot),
    /// "no-free-node", "unknown-serving".
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One run's record: written as one JSON line to the log.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// When the run looked (the `now` used), ISO.
    pub time: String,
    pub probe: String,
    pub window: String,
    /// Probe rows in the window, and how many of them failed.
    pub rows: usize,
    pub failing_rows: usize,
    /// failing_rows / rows; null when there were no rows.
    pub error_share: Option<f64>,
    pub threshold: f64,
    /// "no-data", "none" (under the threshold), "installed" (a new block), "unchanged" (the
    /// plan equals the installed block), "kept" (no plan could be made or installed; the old
    /// block stays), "no-switch-needed" (the plan has no switch; the old block stays).
    pub action: String,
    /// The plan's crontab lines (when one was made).
    pub plan: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    pub nodes: Vec<NodeResult>,
    /// Nodes whose edge service did not give a valid table this run.
    pub not_answered: Vec<String>,
    pub reaction: Option<Reaction>,
    pub message: String,
    pub exit_code: u8,
}

/// Reads the probe file; `None` when it has a header but no rows (or is empty).
pub fn read_probes(path: &Path) -> Result<Option<Probes>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        crate::error::bad_input(format!(
            "cannot open the probe file {}: {e}",
            path.display()
        ))
    })?;
    if text.lines().skip(1).all(|l| l.trim().is_empty()) {
        return Ok(None);
    }
    Probes::read(path).map(Some)
}

/// One monitor run. Returns the record (also on failures the record describes); errors only
/// for bad input (the probe file unreadable or malformed).
pub fn run_once(s: &Settings, actions: &dyn Actions) -> Result<RunReport> {
    let mut rep = RunReport {
        time: format_time(s.now),
        probe: s.probe.display().to_string(),
        window: select::format_window(s.window_us),
        rows: 0,
        failing_rows: 0,
        error_share: None,
        threshold: s.threshold,
        action: "none".into(),
        plan: Vec::new(),
        period: None,
        nodes: Vec::new(),
        not_answered: Vec::new(),
        reaction: None,
        message: String::new(),
        exit_code: EXIT_OK,
    };
    let Some(probes) = read_probes(&s.probe)? else {
        rep.action = "no-data".into();
        rep.message = format!(
            "the probe file {} has no rows yet: nothing to check, nothing changed",
            s.probe.display()
        );
        rep.exit_code = EXIT_NO_DATA;
        return Ok(rep);
    };
    let range = select::last_window(&probes.times, s.now, s.window_us);
    if range.is_empty() {
        rep.action = "no-data".into();
        rep.message = format!(
            "no probe rows in the {} before {} (the newest row of {} is {}): nothing to check, nothing changed",
            rep.window,
            rep.time,
            s.probe.display(),
            probes.times.last().map(|t| format_time(*t)).unwrap_or_default()
        );
        rep.exit_code = EXIT_NO_DATA;
        return Ok(rep);
    }
    let errors = &probes.errors[range.clone()];
    rep.rows = errors.len();
    rep.failing_rows = errors.iter().filter(|e| **e >= s.errors_at).count();
    let share = rep.failing_rows as f64 / rep.rows as f64;
    rep.error_share = Some(share);
    let over = share >= s.threshold;
    let k = s.react_rows.max(1);
    let failing_now = s.react
        && errors.len() >= k
        && errors[errors.len() - k..].iter().all(|e| *e >= s.errors_at);
    if !over && !failing_now {
        rep.message = format!(
            "{} of {} probe rows failed ({:.1} %, threshold {:.1} %): nothing to do",
            rep.failing_rows,
            rep.rows,
            share * 100.0,
            s.threshold * 100.0
        );
        return Ok(rep);
    }

    // Fetch every node's table (the cache stands in for nodes that do not answer).
    let (nodes, period) = fetch_all(&s.targets, &s.fetch, s.cache_dir.as_deref());
    rep.period = period.map(|p| p.name().to_string());
    rep.not_answered = nodes
        .iter()
        .filter(|n| n.source != Source::Fetched)
        .map(|n| n.name.clone())
        .collect();
    let tables: Vec<TimeTable> = nodes.iter().filter_map(|n| n.table.clone()).collect();
    rep.nodes = nodes;
    let mut notes: Vec<String> = Vec::new();
    for n in &rep.nodes {
        match n.source {
            Source::Fetched => {}
            Source::Cached => notes.push(format!(
                "{} did not answer ({}); its cached table is used",
                n.name,
                n.error.as_deref().unwrap_or("?")
            )),
            Source::Missing => notes.push(format!(
                "{} did not answer and has no cached table ({})",
                n.name,
                n.error.as_deref().unwrap_or("?")
            )),
        }
    }

    let planned = if tables.len() >= 2 {
        match actions.plan(&tables, s.delay_slots) {
            Ok(p) => Some(p),
            Err(e) => {
                notes.push(format!("planning failed: {e:#}"));
                None
            }
        }
    } else {
        notes.push(format!(
            "only {} usable time table(s); planning needs two or more",
            tables.len()
        ));
        None
    };

    if over {
        match &planned {
            None => {
                rep.action = "kept".into();
                rep.exit_code = EXIT_FAILED;
                notes.push("the installed block was left as it was".into());
            }
            Some(p) if p.lines.is_empty() => {
                rep.action = "no-switch-needed".into();
                notes.push(
                    "the plan needs no switch; the installed block was left as it was".into(),
                );
            }
            Some(p) => {
                rep.plan = p.lines.clone();
                match actions.install(&p.lines) {
                    Ok(true) => rep.action = "installed".into(),
                    Ok(false) => rep.action = "unchanged".into(),
                    Err(e) => {
                        rep.action = "kept".into();
                        rep.exit_code = EXIT_FAILED;
                        notes.push(format!(
                            "installing the block failed, the old one stays: {e:#}"
                        ));
                    }
                }
            }
        }
    }

    if failing_now {
        let r = react(s, &tables, planned.as_ref(), period, actions);
        if r.outcome == "switch-failed" {
            rep.exit_code = EXIT_FAILED;
        }
        rep.reaction = Some(r);
    }

    let head = format!(
        "{} of {} probe rows failed ({:.1} %, threshold {:.1} %){}: {}",
        rep.failing_rows,
        rep.rows,
        share * 100.0,
        s.threshold * 100.0,
        if failing_now { ", failing now" } else { "" },
        match rep.action.as_str() {
            "installed" => format!("installed a new plan of {} switches", rep.plan.len()),
            "unchanged" => "re-planned; the installed block is already this plan".into(),
            other => other.to_string(),
        }
    );
    notes.insert(0, head);
    if let Some(r) = &rep.reaction {
        notes.push(format!(
            "reaction: {}{}",
            r.outcome,
            match (&r.from, &r.to) {
                (Some(f), Some(t)) => format!(" {f} -> {t}"),
                _ => String::new(),
            }
        ));
    }
    rep.message = notes.join("; ");
    Ok(rep)
}

/// The immediate switch when the serving node fails now.
fn react(
    s: &Settings,
    tables: &[TimeTable],
    planned: Option<&Planned>,
    period: Option<Period>,
    actions: &dyn Actions,
) -> Reaction {
    let mut r = Reaction {
        outcome: String::new(),
        from: None,
        to: None,
        error: None,
    };
    let period = period.or_else(|| tables.first().and_then(TimeTable::period));
    let Some(period) = period else {
        r.outcome = "unknown-serving".into();
        r.error = Some("no time table to tell the slot's state".into());
        return r;
    };
    let slot = period.slot_of(s.now);
    let serving = s.serving.clone().or_else(|| {
        planned
            .and_then(|p| p.serving_node(slot))
            .map(str::to_string)
    });
    let Some(from) = serving else {
        r.outcome = "unknown-serving".into();
        r.error = Some("no plan tells which node serves now (and no --serving)".into());
        return r;
    };
    r.from = Some(from.clone());
    if tables
        .iter()
        .find(|t| t.server == from)
        .is_some_and(|t| t.busy[slot])
    {
        r.outcome = "foreseen".into();
        return r;
    }
    match best_free(tables, &from, slot) {
        None => {
            r.outcome = "no-free-node".into();
        }
        Some(to) => {
            r.to = Some(to.clone());
            match actions.switch(&from, &to) {
                Ok(()) => r.outcome = "switched".into(),
                Err(e) => {
                    r.outcome = "switch-failed".into();
                    r.error = Some(format!("{e:#}"));
                }
            }
        }
    }
    r
}

/// The other node that is free at `slot` and stays free longest (first in order on ties).
pub fn best_free(tables: &[TimeTable], from: &str, slot: usize) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for t in tables.iter().filter(|t| t.server != from) {
        let n = t.busy.len();
        if n == 0 {
            continue;
        }
        let run = (0..n).take_while(|k| !t.busy[(slot + k) % n]).count();
        if run > 0 && best.is_none_or(|(b, _)| run > b) {
            best = Some((run, &t.server));
        }
    }
    best.map(|(_, s)| s.to_string())
}

/// Appends the record as one JSON line to the log file (created when missing).
pub fn append_log(path: &Path, rep: &RunReport) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(rep)?;
    line.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    // One write call: concurrent runs never interleave inside a line.
    f.write_all(line.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn tt(name: &str, busy: &[usize]) -> TimeTable {
        let mut b = vec![false; 60];
        for &i in busy {
            b[i] = true;
        }
        TimeTable {
            server: name.into(),
            busy: b,
        }
    }

    #[test]
    fn best_free_prefers_the_longest_free_run() {
        let t = [tt("a", &[5]), tt("b", &[10]), tt("c", &[30])];
        assert_eq!(best_free(&t, "a", 6).as_deref(), Some("c"));
        assert_eq!(best_free(&t, "c", 10).as_deref(), Some("a"));
        let all_busy = [tt("a", &[5]), tt("b", &[5])];
        assert_eq!(best_free(&all_busy, "a", 5), None);
    }

    struct Fake {
        installed: RefCell<Vec<Vec<String>>>,
        switched: RefCell<Vec<(String, String)>>,
    }

    impl Actions for Fake {
        fn plan(&self, tables: &[TimeTable], _d: usize) -> Result<Planned> {
            Ok(Planned {
                lines: vec!["8 * * * * sw a b".into()],
                nodes: tables.iter().map(|t| t.server.clone()).collect(),
                serving: vec![0; 60],
            })
        }
        fn install(&self, lines: &[String]) -> Result<bool> {
            self.installed.borrow_mut().push(lines.to_vec());
            Ok(true)
        }
        fn switch(&self, from: &str, to: &str) -> Result<()> {
            self.switched.borrow_mut().push((from.into(), to.into()));
            Ok(())
        }
    }

    fn settings(dir: &Path, probe_rows: &[(u32, u32)]) -> Settings {
        let p = dir.join("probe.csv");
        let mut s = format!("{}\n", crate::table::probe::HEADER);
        for (m, e) in probe_rows {
            s.push_str(&format!("2024-03-04T10:{m:02}:00,{},,{e}\n", 10 - e));
        }
        std::fs::write(&p, s).unwrap();
        // Cached tables stand in for edge services (no URL configured).
        let cache = dir.join("cache");
        fetch::write_cached(&cache, &tt("a", &[])).unwrap();
        fetch::write_cached(&cache, &tt("b", &[])).unwrap();
        Settings {
            probe: p,
            window_us: 3 * 3_600_000_000,
            errors_at: 5.0,
            threshold: 0.1,
            now: crate::table::time::parse_time("2024-03-04T10:59:30").unwrap(),
            react: true,
            react_rows: 3,
            serving: None,
            delay_slots: 8,
            fetch: FetchOptions {
                window: "2h".into(),
                period: crate::node::edge_service::PeriodArg::Fixed(Period::Hour),
                timeout: std::time::Duration::from_millis(200),
                retries: 0,
                backoff: std::time::Duration::from_millis(1),
            },
            targets: vec![
                EdgeTarget {
                    name: "a".into(),
                    url: None,
                    token: None,
                },
                EdgeTarget {
                    name: "b".into(),
                    url: None,
                    token: None,
                },
            ],
            cache_dir: Some(cache),
        }
    }

    #[test]
    fn quiet_probes_change_nothing_and_bursts_replan_and_react() {
        let dir = tempfile::tempdir().unwrap();
        let fake = Fake {
            installed: RefCell::new(vec![]),
            switched: RefCell::new(vec![]),
        };
        let quiet: Vec<(u32, u32)> = (0..50).map(|m| (m, 0)).collect();
        let rep = run_once(&settings(dir.path(), &quiet), &fake).unwrap();
        assert_eq!((rep.action.as_str(), rep.exit_code), ("none", 0));
        assert!(fake.installed.borrow().is_empty());

        let mut burst = quiet.clone();
        burst.extend((50..57).map(|m| (m, 10)));
        let rep = run_once(&settings(dir.path(), &burst), &fake).unwrap();
        assert_eq!(rep.action, "installed", "{}", rep.message);
        assert_eq!(rep.not_answered, vec!["a", "b"]);
        assert_eq!(fake.installed.borrow().len(), 1);
        let r = rep.reaction.unwrap();
        assert_eq!(r.outcome, "switched");
        assert_eq!(
            fake.switched.borrow()[0],
            ("a".to_string(), "b".to_string())
        );
        let json = serde_json::to_string(&rep.nodes).unwrap();
        assert!(json.contains("\"source\":\"cached\""), "{json}");
    }

    #[test]
    fn no_rows_in_the_window_is_a_defined_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let fake = Fake {
            installed: RefCell::new(vec![]),
            switched: RefCell::new(vec![]),
        };
        let mut s = settings(dir.path(), &[(0, 10)]);
        s.now += 10 * 3_600_000_000;
        let rep = run_once(&s, &fake).unwrap();
        assert_eq!(
            (rep.action.as_str(), rep.exit_code),
            ("no-data", EXIT_NO_DATA)
        );
        assert!(rep.message.contains("newest row"), "{}", rep.message);
        let s = settings(dir.path(), &[]);
        let rep = run_once(&s, &fake).unwrap();
        assert_eq!(rep.exit_code, EXIT_NO_DATA);
        assert!(fake.installed.borrow().is_empty());
    }
}

//! The testbed's results: events recorded during the run, the summary computed from the
//! files the run wrote (probe files, time tables, the plan), and its forms: `summary.json`,
//! `report.md` and the SVG plots (see [`super::plots`]). Reads only the run's own files.

use super::orchestrate::{ChildOutput, Layout, TestbedConfig};
use crate::table::probe::Probes;
use crate::table::timetable::read_time_table;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Something that happened during the run (virtual minutes since the start).
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub minute: f64,
    pub end: Option<f64>,
    /// `flood`, `kill`, `switch`, `cron`, `monitor`, `calibrate`, `plan`, ...
    pub kind: String,
    pub target: String,
    pub ok: Option<bool>,
    pub detail: String,
}

fn tail(s: &str, lines: usize) -> String {
    let v: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

impl Event {
    /// A note (no outcome).
    pub fn note(minute: f64, kind: &str, target: &str, detail: &str) -> Event {
        Event {
            minute,
            end: None,
            kind: kind.into(),
            target: target.into(),
            ok: None,
            detail: detail.into(),
        }
    }

    /// A setup step run to completion.
    pub fn step(minute: f64, kind: &str, target: &str, out: &ChildOutput) -> Event {
        Event {
            minute,
            end: None,
            kind: kind.into(),
            target: target.into(),
            ok: Some(out.ok),
            detail: if out.ok {
                format!("ok in {:.2} s", out.seconds)
            } else {
                format!("failed (exit {:?}): {}", out.code, tail(&out.stderr, 3))
            },
        }
    }

    /// A job started by cron or the testbed (switch, monitor).
    pub fn job(minute: f64, end: f64, command: &str, out: &ChildOutput) -> Event {
        let words: Vec<&str> = command.split_whitespace().collect();
        let (kind, target) = if command == "monitor" {
            ("monitor".to_string(), "all".to_string())
        } else if words.contains(&"switch") && words.len() >= 2 {
            (
                "switch".to_string(),
                format!("{} -> {}", words[words.len() - 2], words[words.len() - 1]),
            )
        } else {
            ("cron".to_string(), command.to_string())
        };
        let detail = if kind == "monitor" {
            let first = compact_monitor_line(out.stdout.lines().next().unwrap_or_default());
            if out.ok {
                first
            } else {
                format!("exit {:?}: {} {}", out.code, first, tail(&out.stderr, 2))
            }
        } else if out.ok {
            format!("ok in {:.2} s", out.seconds)
        } else {
            format!("failed (exit {:?}): {}", out.code, tail(&out.stderr, 2))
        };
        Event {
            minute,
            end: Some(end),
            kind,
            target,
            // The monitor's exit 3 (no rows in the window) is not a failure.
            ok: Some(out.ok || (command == "monitor" && out.code == Some(3))),
            detail,
        }
    }
}

/// The monitor prints one JSON line per run; keep what a reader needs: the action and its
/// message (or the line as it is when it is not JSON).
fn compact_monitor_line(line: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(v) => {
            let action = v.get("action").and_then(|a| a.as_str()).unwrap_or("?");
            let msg = v
                .get("message")
                .and_then(|a| a.as_str())
                .unwrap_or_default();
            let reaction = v
                .get("reaction")
                .filter(|r| !r.is_null())
                .map(|r| format!("; reaction: {r}"))
                .unwrap_or_default();
            format!("action {action}: {msg}{reaction}")
        }
        Err(_) => line.to_string(),
    }
}

/// Availability of the service name in one phase.
#[derive(Debug, Clone, Serialize, Default)]
pub struct PhaseSummary {
    /// Minutes of the phase.
    pub minutes: u64,
    /// Minutes with a probe row.
    pub probed: u64,
    /// Probed minutes in which at least half the attempts succeeded.
    pub available: u64,
    /// available / probed.
    pub availability: f64,
    /// Failed attempts over the phase.
    pub probe_errors: u64,
    pub probe_attempts: u64,
    /// The unavailable minutes (virtual minutes since the start of the run).
    pub unavailable_minutes: Vec<u64>,
}

/// One executed switch.
#[derive(Debug, Clone, Serialize)]
pub struct SwitchSummary {
    pub minute: f64,
    pub end: f64,
    pub from_to: String,
    pub ok: bool,
    pub detail: String,
    /// Failed probe attempts from one minute before the switch to one minute after its end.
    pub probe_errors_around: u64,
    pub unavailable_minutes_around: u64,
}

/// A node killed on purpose, and what followed.
#[derive(Debug, Clone, Serialize)]
pub struct KillSummary {
    pub minute: u64,
    pub node: String,
    pub detail: String,
    /// Unavailable minutes of the service from the kill until the first available one.
    pub outage_minutes: u64,
    /// The first minute the service answered again, if it did.
    pub recovered_at: Option<u64>,
    /// What the system did after the kill (switches, monitor runs), in order.
    pub reactions: Vec<String>,
}

/// The whole summary (`summary.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub nodes: usize,
    pub minute_ms: u64,
    pub learn_periods: u64,
    pub run_periods: u64,
    pub delay_minutes: u64,
    pub boot_minutes: f64,
    pub schedules: Vec<String>,
    pub baseline: PhaseSummary,
    pub proactive: PhaseSummary,
    /// Availability of every node's own probe in the learning phase.
    pub node_availability: BTreeMap<String, f64>,
    /// Busy slots of each time table.
    pub time_tables: BTreeMap<String, Vec<usize>>,
    /// The crontab lines of the plan.
    pub plan: Vec<String>,
    /// Planned firings in the proactive phase (plan lines × periods).
    pub switches_planned: u64,
    pub switches_executed: u64,
    pub switches_failed: u64,
    pub switches: Vec<SwitchSummary>,
    pub kills: Vec<KillSummary>,
    pub monitor_runs: Vec<Event>,
    /// Per-minute jobs (probes, diag) skipped because the previous one still ran.
    pub jobs_skipped: u64,
    /// Per-minute jobs that failed (a probe that could not write its row, a diag error).
    pub jobs_failed: u64,
    pub events: Vec<Event>,
}

fn phase(path: &Path, first_minute: u64, minutes: u64, origin: i64) -> PhaseSummary {
    let mut s = PhaseSummary {
        minutes,
        ..PhaseSummary::default()
    };
    let Ok(p) = Probes::read(path) else {
        return s;
    };
    for i in 0..p.len() {
        let m = ((p.times[i] - origin).div_euclid(60_000_000)) as u64;
        let (ok, err) = (p.successes[i], p.errors[i]);
        if !(ok.is_finite() && err.is_finite()) {
            continue;
        }
        s.probed += 1;
        s.probe_errors += err as u64;
        s.probe_attempts += (ok + err) as u64;
        if ok * 2.0 >= ok + err {
            s.available += 1;
        } else {
            s.unavailable_minutes.push(m.max(first_minute));
        }
    }
    s.availability = if s.probed == 0 {
        0.0
    } else {
        s.available as f64 / s.probed as f64
    };
    s
}

/// Per-minute (errors, unavailable) of a probe file, keyed by virtual minute.
pub fn probe_minutes(path: &Path, origin: i64) -> BTreeMap<u64, (u64, bool)> {
    let mut out = BTreeMap::new();
    if let Ok(p) = Probes::read(path) {
        for i in 0..p.len() {
            let m = ((p.times[i] - origin).div_euclid(60_000_000)) as u64;
            let (ok, err) = (p.successes[i], p.errors[i]);
            if ok.is_finite() && err.is_finite() {
                out.insert(m, (err as u64, ok * 2.0 < ok + err));
            }
        }
    }
    out
}

/// Computes the summary from the run's files and events.
pub fn summarize(
    cfg: &TestbedConfig,
    lay: &Layout,
    servers: &[String],
    events: &[Event],
) -> Result<Summary> {
    let origin = super::clock::default_origin();
    let learn = cfg.learn * 60;
    let run = cfg.run * 60;
    let baseline = phase(&lay.baseline_probe, 0, learn, origin);
    let proactive = phase(&lay.service_probe, learn, run, origin);
    let mut node_availability = BTreeMap::new();
    let mut time_tables = BTreeMap::new();
    for s in servers {
        let p = phase(&lay.data.join(format!("{s}.csv")), 0, learn, origin);
        node_availability.insert(s.clone(), p.availability);
        if let Ok(tt) = read_time_table(&lay.data.join(format!("{s}.time_table.csv"))) {
            time_tables.insert(
                s.clone(),
                (0..tt.busy.len()).filter(|&i| tt.busy[i]).collect(),
            );
        }
    }
    let plan: Vec<String> = std::fs::read_to_string(lay.out.join("plan.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let service = probe_minutes(&lay.service_probe, origin);
    let mut events: Vec<Event> = events.to_vec();
    events.sort_by(|a, b| a.minute.total_cmp(&b.minute));
    let switches: Vec<SwitchSummary> = events
        .iter()
        .filter(|e| e.kind == "switch")
        .map(|e| {
            let end = e.end.unwrap_or(e.minute);
            let lo = (e.minute as u64).saturating_sub(1);
            let hi = end.ceil() as u64 + 1;
            let around: Vec<&(u64, bool)> = service.range(lo..=hi).map(|(_, v)| v).collect();
            SwitchSummary {
                minute: e.minute,
                end,
                from_to: e.target.clone(),
                ok: e.ok == Some(true),
                detail: e.detail.clone(),
                probe_errors_around: around.iter().map(|v| v.0).sum(),
                unavailable_minutes_around: around.iter().filter(|v| v.1).count() as u64,
            }
        })
        .collect();
    let kills = events
        .iter()
        .filter(|e| e.kind == "kill")
        .map(|e| {
            let k = e.minute as u64;
            let mut outage = 0;
            let mut recovered_at = None;
            for (&m, &(_, bad)) in service.range(k..) {
                if bad {
                    outage += 1;
                } else {
                    recovered_at = Some(m);
                    break;
                }
            }
            let until = recovered_at.map_or(f64::INFINITY, |r| r as f64 + 1.0);
            let reactions = events
                .iter()
                .filter(|x| {
                    (x.kind == "switch" || x.kind == "monitor")
                        && x.end.unwrap_or(x.minute) >= k as f64
                        && x.minute <= until
                })
                .map(|x| {
                    format!(
                        "minute {:.0}: {} {}: {}",
                        x.minute, x.kind, x.target, x.detail
                    )
                })
                .collect();
            KillSummary {
                minute: k,
                node: e.target.clone(),
                detail: e.detail.clone(),
                outage_minutes: outage,
                recovered_at,
                reactions,
            }
        })
        .collect();
    let executed = switches.len() as u64;
    let failed = switches.iter().filter(|s| !s.ok).count() as u64;
    Ok(Summary {
        nodes: cfg.nodes,
        minute_ms: cfg.minute.as_millis() as u64,
        learn_periods: cfg.learn,
        run_periods: cfg.run,
        delay_minutes: cfg.delay,
        boot_minutes: cfg.boot,
        schedules: cfg.schedules.clone(),
        baseline,
        proactive,
        node_availability,
        time_tables,
        switches_planned: plan.len() as u64 * cfg.run,
        plan,
        switches_executed: executed,
        switches_failed: failed,
        switches,
        kills,
        monitor_runs: events
            .iter()
            .filter(|e| e.kind == "monitor")
            .cloned()
            .collect(),
        jobs_skipped: 0,
        jobs_failed: 0,
        events: events.into_iter().filter(|e| e.kind != "flood").collect(),
    })
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// The Markdown report.
pub fn markdown(s: &Summary) -> String {
    let mut r = String::new();
    let _ = writeln!(r, "# edgeshift testbed report\n");
    let _ = writeln!(
        r,
        "{} nodes on loopback, one schedule minute = {} ms, {} learning periods (hours) then {} proactive; \
planned switching delay {} min, emulated VM start {} min.\n",
        s.nodes, s.minute_ms, s.learn_periods, s.run_periods, s.delay_minutes, s.boot_minutes
    );
    let _ = writeln!(r, "Flood schedules:");
    for (i, sch) in s.schedules.iter().enumerate() {
        let _ = writeln!(r, "- web-server{}: `{sch}`", i + 1);
    }
    let _ = writeln!(r, "\n## Availability of the service name `web-server`\n");
    let _ = writeln!(
        r,
        "| phase | minutes | probed | available | availability | failed attempts |\n|---|---|---|---|---|---|"
    );
    for (name, p) in [
        ("baseline (learning, fixed on web-server1)", &s.baseline),
        ("proactive (plan + switching)", &s.proactive),
    ] {
        let _ = writeln!(
            r,
            "| {name} | {} | {} | {} | **{}** | {} / {} |",
            p.minutes,
            p.probed,
            p.available,
            pct(p.availability),
            p.probe_errors,
            p.probe_attempts
        );
    }
    let _ = writeln!(
        r,
        "\nUnavailable minutes, proactive phase: {:?}\n",
        s.proactive.unavailable_minutes
    );
    let _ = writeln!(
        r,
        "Per-minute jobs skipped (previous one still running): {}; failed: {} (a `diag` fails \
while its node's VM boots: no metrics yet).\n",
        s.jobs_skipped, s.jobs_failed
    );
    let _ = writeln!(r, "![availability](availability.svg)\n");
    let _ = writeln!(r, "## Calibration and plan\n");
    let _ = writeln!(
        r,
        "| server | availability while learning | busy slots |\n|---|---|---|"
    );
    for (k, v) in &s.node_availability {
        let busy = s
            .time_tables
            .get(k)
            .map(|b| format!("{b:?}"))
            .unwrap_or_else(|| "(no time table)".into());
        let _ = writeln!(r, "| {k} | {} | {busy} |", pct(*v));
    }
    let _ = writeln!(r, "\n![time tables](timetables.svg)\n\n![load](load.svg)\n");
    let _ = writeln!(r, "Plan (crontab lines):\n\n```");
    for l in &s.plan {
        let _ = writeln!(r, "{l}");
    }
    let _ = writeln!(r, "```\n");
    let _ = writeln!(
        r,
        "## Switches\n\nPlanned firings: {}; executed: {}; failed: {}.\n",
        s.switches_planned, s.switches_executed, s.switches_failed
    );
    if !s.switches.is_empty() {
        let _ = writeln!(
            r,
            "| minute | end | switch | ok | failed attempts around | unavailable minutes around | detail |\n|---|---|---|---|---|---|---|"
        );
        for w in &s.switches {
            let _ = writeln!(
                r,
                "| {:.0} | {:.1} | {} | {} | {} | {} | {} |",
                w.minute,
                w.end,
                w.from_to,
                if w.ok { "yes" } else { "**no**" },
                w.probe_errors_around,
                w.unavailable_minutes_around,
                w.detail.replace('\n', " ").replace('|', "/")
            );
        }
    }
    if !s.kills.is_empty() {
        let _ = writeln!(r, "\n## Killed nodes\n");
        for k in &s.kills {
            let _ = writeln!(
                r,
                "- minute {}: {} ({}). Outage of the service: {} minute(s); {}.",
                k.minute,
                k.node,
                k.detail,
                k.outage_minutes,
                match k.recovered_at {
                    Some(m) => format!("answering again at minute {m}"),
                    None => "not recovered before the end".into(),
                }
            );
            for x in &k.reactions {
                let _ = writeln!(r, "  - {x}");
            }
        }
    }
    if !s.monitor_runs.is_empty() {
        let _ = writeln!(r, "\n## Monitor runs\n");
        for m in &s.monitor_runs {
            let _ = writeln!(
                r,
                "- minute {:.0}: {} {}",
                m.minute,
                if m.ok == Some(true) { "ok" } else { "FAILED" },
                m.detail.replace('\n', " ")
            );
        }
    }
    r
}

/// Writes `summary.json`, `report.md` and the plots.
pub fn write_all(cfg: &TestbedConfig, lay: &Layout, servers: &[String], s: &Summary) -> Result<()> {
    use crate::table::atomic::write_string_atomic;
    write_string_atomic(
        &lay.out.join("summary.json"),
        &(serde_json::to_string_pretty(s)? + "\n"),
    )?;
    write_string_atomic(&lay.out.join("report.md"), &markdown(s))?;
    super::plots::write_plots(cfg, lay, servers, s)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(ok: bool, code: i32, stdout: &str, stderr: &str) -> ChildOutput {
        ChildOutput {
            ok,
            code: Some(code),
            stdout: stdout.into(),
            stderr: stderr.into(),
            seconds: 1.5,
        }
    }

    #[test]
    fn jobs_are_classified() {
        let e = Event::job(
            8.0,
            13.2,
            "/bin/edgeshift switch --config t.toml web-server1 web-server2",
            &out(true, 0, "", ""),
        );
        assert_eq!(
            (e.kind.as_str(), e.target.as_str()),
            ("switch", "web-server1 -> web-server2")
        );
        assert_eq!(e.ok, Some(true));
        let e = Event::job(
            8.0,
            9.0,
            "x switch a b",
            &out(false, 1, "", "one\ntwo\nthree"),
        );
        assert_eq!(e.ok, Some(false));
        assert!(
            e.detail.contains("two\nthree") && !e.detail.contains("one"),
            "{}",
            e.detail
        );
        let m = Event::job(
            60.0,
            60.5,
            "monitor",
            &out(
                false,
                3,
                r#"{"action":"none","message":"no rows","reaction":null}"#,
                "",
            ),
        );
        assert_eq!(m.kind, "monitor");
        assert_eq!(m.ok, Some(true), "exit 3 (no rows) is not a failure");
        assert!(m.detail.contains("action none: no rows"), "{}", m.detail);
    }

    #[test]
    fn phases_count_minutes_with_half_the_attempts() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.csv");
        std::fs::write(
            &p,
            "Time,Successful attempts,Responce time,Errors\n\
2024-03-04T00:00:00,5,0:00:00.001,0\n\
2024-03-04T00:01:00,2,0:00:00.001,3\n\
2024-03-04T00:02:00,0,,5\n\
2024-03-04T00:03:00,3,0:00:00.001,3\n",
        )
        .unwrap();
        let origin = super::super::clock::default_origin();
        let s = phase(&p, 0, 4, origin);
        assert_eq!((s.probed, s.available), (4, 2));
        assert_eq!(s.unavailable_minutes, vec![1, 2]);
        assert_eq!(s.probe_errors, 11);
        assert!((s.availability - 0.5).abs() < 1e-12);
        let m = probe_minutes(&p, origin);
        assert_eq!(m.get(&2), Some(&(5, true)));
        // A missing file is an empty phase, not an error.
        assert_eq!(phase(&dir.path().join("none.csv"), 0, 60, origin).probed, 0);
    }
}

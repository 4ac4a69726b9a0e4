//! `edgeshift backtest`: replaying switch lines over recorded probes.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn es() -> Command {
    Command::cargo_bin("edgeshift").unwrap()
}

/// A probe file over two hours (from 2024-03-04 00:00), failing at the given minutes.
fn probe(dir: &Path, file: &str, bad_minutes: &[u32]) -> PathBuf {
    let mut s = String::from("Time,Successful attempts,Responce time,Errors\n");
    for m in 0..120u32 {
        let ok = !bad_minutes.contains(&(m % 60));
        s.push_str(&format!(
            "2024-03-04T{:02}:{:02}:00.541339,{},{},{}\n",
            m / 60,
            m % 60,
            if ok { 10 } else { 2 },
            if ok {
                "0:00:00.004057"
            } else {
                "0:00:00.010000"
            },
            if ok { 0 } else { 8 }
        ));
    }
    let p = dir.join(file);
    std::fs::write(&p, s).unwrap();
    p
}

fn row(out: &str, name: &str) -> Vec<String> {
    out.lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in {out}"))
        .split_whitespace()
        .map(String::from)
        .collect()
}

#[test]
fn the_plan_avoids_the_busy_minutes() {
    let d = tempfile::tempdir().unwrap();
    let ws1: Vec<u32> = (16..20).chain(46..50).collect();
    let ws2: Vec<u32> = (1..10).chain(31..40).collect();
    let p1 = probe(d.path(), "web-server1.csv", &ws1);
    let p2 = probe(d.path(), "other.csv", &ws2);
    let plan = es()
        .args([
            "plan",
            "sw",
            "data/hourly-2d/reference/web-server1.time_table.csv",
            "data/hourly-2d/reference/web-server2.time_table.csv",
        ])
        .output()
        .unwrap();
    let lines = d.path().join("lines.txt");
    std::fs::write(&lines, &plan.stdout).unwrap();
    let out = es()
        .arg("backtest")
        .arg(&lines)
        .arg(&p1)
        .arg(format!("web-server2={}", p2.display()))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = String::from_utf8(out.stdout).unwrap();
    assert_eq!(row(&out, "plan")[1..4], ["120", "120", "100.0%"]);
    assert_eq!(row(&out, "plan")[4], "8");
    assert_eq!(row(&out, "web-server1")[1..4], ["120", "104", "86.7%"]);
    assert_eq!(row(&out, "web-server2")[1..4], ["120", "84", "70.0%"]);
    // Counting a longer switch delay moves the switches too late: availability drops.
    let out = es()
        .arg("backtest")
        .arg(&lines)
        .arg(&p1)
        .arg(format!("web-server2={}", p2.display()))
        .args(["--delay", "12m"])
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    // Each of the 8 switches lands 4 minutes late: 4 busy minutes each.
    assert_eq!(row(&out, "plan")[2], "88");
}

#[test]
fn the_sample_recording_is_better_with_the_plan() {
    let d = tempfile::tempdir().unwrap();
    let plan = es()
        .args([
            "plan",
            "sw",
            "data/hourly-2d/reference/web-server1.time_table.csv",
            "data/hourly-2d/reference/web-server2.time_table.csv",
        ])
        .output()
        .unwrap();
    let lines = d.path().join("lines.txt");
    std::fs::write(&lines, &plan.stdout).unwrap();
    let out = es()
        .arg("backtest")
        .arg(&lines)
        .args([
            "data/hourly-2d/web-server1.csv",
            "data/hourly-2d/web-server2.csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = String::from_utf8(out.stdout).unwrap();
    let share = |n: &str| -> f64 { row(&out, n)[3].trim_end_matches('%').parse().unwrap() };
    assert!(
        share("plan") > share("web-server1") && share("plan") > share("web-server2"),
        "{out}"
    );
}

#[test]
fn a_line_for_an_unknown_node_exits_2() {
    let d = tempfile::tempdir().unwrap();
    let p1 = probe(d.path(), "a.csv", &[]);
    let p2 = probe(d.path(), "b.csv", &[]);
    let lines = d.path().join("lines.txt");
    std::fs::write(&lines, "8 * * * * sw a c # x\n").unwrap();
    let out = es()
        .arg("backtest")
        .arg(&lines)
        .arg(&p1)
        .arg(&p2)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"c\""));
}

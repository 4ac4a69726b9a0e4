//! `edgeshift simulate`: a small study (20 nodes, 2 days) prints its table and writes its plot.

use std::process::Command;

#[test]
fn small_study_prints_a_table_and_a_plot() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("sim.svg");
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args([
            "simulate",
            "--nodes",
            "20",
            "--periods",
            "48",
            "--delay",
            "2m,8m",
            "--noise",
            "0.1,2",
            "--seed",
            "7",
            "--plot",
        ])
        .arg(&plot)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("# 20 nodes in 10 groups, 48 h"),
        "{text}"
    );
    assert!(
        lines[1].contains("baseline") && lines[1].contains("proactive"),
        "{text}"
    );
    let rows: Vec<Vec<f64>> = lines[2..6]
        .iter()
        .map(|l| {
            l.split_whitespace()
                .map(|c| c.trim_end_matches(['%', 'm']).parse::<f64>().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 4, "{text}");
    // 20 nodes × 48 h × 60 min × 2 noise levels.
    assert!(lines[6].starts_with("# 115200 samples"), "{text}");
    // noise 0.1: switching beats staying, and never beats the oracle.
    for r in &rows[..2] {
        let (baseline, proactive, oracle) = (r[2], r[3], r[4]);
        assert!(proactive > baseline + 5.0, "{text}");
        assert!(proactive <= oracle, "{text}");
        assert!(
            r[5] > 95.0,
            "time tables should be right at low noise: {text}"
        );
    }
    // Heavy noise spoils the time tables.
    assert!(rows[2][5] < rows[0][5], "{text}");
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("availability"),
        "plot"
    );
    // Same seed, same numbers.
    let again = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args([
            "simulate",
            "--nodes",
            "20",
            "--periods",
            "48",
            "--delay",
            "2m,8m",
            "--noise",
            "0.1,2",
            "--seed",
            "7",
            "--plot",
        ])
        .arg(&plot)
        .output()
        .unwrap();
    let t2 = String::from_utf8(again.stdout).unwrap();
    assert_eq!(
        text.lines().take(6).collect::<Vec<_>>(),
        t2.lines().take(6).collect::<Vec<_>>()
    );
}

#[test]
fn bad_arguments_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args(["simulate", "--delay", "90m"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--delay"));
}

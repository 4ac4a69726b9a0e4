//! `edgeshift testbed --quick --json`: the whole system on loopback, in compressed time, on
//! the seed's flood schedule. The proactive phase must keep the service name available
//! (> 99 % of its minutes) where the baseline (service fixed on node 1) is not (< 95 %).

use std::process::Command;

#[test]
fn quick_testbed_beats_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args(["testbed", "--quick", "--json", "--subnet", "0", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "testbed failed: {stderr}");
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let base = s["baseline"]["availability"].as_f64().unwrap();
    let pro = s["proactive"]["availability"].as_f64().unwrap();
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(pro > 0.99, "proactive availability {pro}\n{report}");
    assert!(base < 0.95, "baseline availability {base}\n{report}");
    // (Nearly) every minute of both phases was probed: a probe still running when the next
    // minute starts makes that minute skip.
    assert!(s["baseline"]["probed"].as_u64().unwrap() >= 110, "{report}");
    assert!(s["proactive"]["probed"].as_u64().unwrap() >= 55, "{report}");
    // The plan of the seed's schedule: four switches an hour, all executed, none failed.
    assert_eq!(s["plan"].as_array().unwrap().len(), 4, "{report}");
    assert_eq!(s["switches_executed"].as_u64(), Some(4), "{report}");
    assert_eq!(s["switches_failed"].as_u64(), Some(0), "{report}");
    // The learned time tables are the flood minutes of the schedule (give or take a minute).
    let tt1: Vec<u64> = s["time_tables"]["web-server1"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    for m in [17, 18, 47, 48] {
        assert!(tt1.contains(&m), "web-server1 busy slots {tt1:?}");
    }
    for f in [
        "summary.json",
        "availability.svg",
        "timetables.svg",
        "load.svg",
        "crontab",
    ] {
        let p = dir.path().join(f);
        assert!(p.exists(), "{} missing", p.display());
    }
    let svg = std::fs::read_to_string(dir.path().join("availability.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
    // The crontab block holds the plan's lines.
    let crontab = std::fs::read_to_string(dir.path().join("crontab")).unwrap();
    assert!(crontab.contains("# BEGIN edgeshift"), "{crontab}");
}

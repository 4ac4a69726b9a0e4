//! A node's web server killed during the proactive phase: the run goes on to the end, and
//! the summary and the report show the outage and what the system did about it.

use std::process::Command;

#[test]
fn killed_node_is_reported_and_the_run_completes() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args([
            "testbed",
            "--quick",
            "--json",
            "--run",
            "2",
            "--kill-node",
            "1@3",
            "--monitor-every",
            "5m",
            "--subnet",
            "1",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "testbed failed: {stderr}");
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    // The whole proactive phase was probed: the run did not stop at the kill.
    assert!(
        s["proactive"]["probed"].as_u64().unwrap() >= 110,
        "{report}"
    );
    let kills = s["kills"].as_array().unwrap();
    assert_eq!(kills.len(), 1, "{report}");
    let k = &kills[0];
    assert_eq!(k["node"], "web-server1");
    assert!(k["detail"].as_str().unwrap().contains("killed"), "{report}");
    // Node 1 served at minute 3: the service was out, then came back.
    let outage = k["outage_minutes"].as_u64().unwrap();
    assert!(outage >= 1, "{report}");
    assert!(outage < 30, "{report}");
    assert!(k["recovered_at"].as_u64().is_some(), "{report}");
    assert!(!k["reactions"].as_array().unwrap().is_empty(), "{report}");
    assert!(report.contains("## Killed nodes"), "{report}");
    assert!(report.contains("Outage of the service"), "{report}");
    // The outage shows in the availability, and the rest of the run is still proactive.
    let pro = s["proactive"]["availability"].as_f64().unwrap();
    assert!(pro < 1.0 && pro > 0.8, "{pro}\n{report}");
}

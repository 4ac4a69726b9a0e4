//! `diag --source proc` for real: the CPU of a busy child process started by the test, the
//! state file between two runs, and the app's traffic read from a real web-server's /metrics.

mod web_server_util;
use web_server_util::start_web_server;

use std::process::Command;
use std::time::{Duration, Instant};

fn fields(stdout: &[u8]) -> Vec<String> {
    let s = String::from_utf8(stdout.to_vec()).unwrap();
    assert_eq!(s.lines().count(), 1, "{s}");
    s.trim_end().split(',').map(str::to_string).collect()
}

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn reads_a_busy_processs_cpu_and_keeps_state_between_runs() {
    let busy = Killed(
        Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .unwrap(),
    );
    let pid = busy.0.id().to_string();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state/diag.json");
    let run = |pause: &str| {
        Command::new(env!("CARGO_BIN_EXE_edgeshift"))
            .args([
                "diag",
                "busy",
                "--source",
                "proc",
                "--pid",
                &pid,
                "--interface",
                "lo",
            ])
            .args(["--sample-pause", pause, "--state"])
            .arg(&state)
            .output()
            .unwrap()
    };
    let out = run("1s");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f = fields(&out.stdout);
    assert_eq!(f.len(), 7);
    let device: f64 = f[1].parse().unwrap();
    let app: f64 = f[2].parse().unwrap();
    println!("device {device} CPU-s/s, busy child {app} %");
    // A shell busy loop on a shared machine: clearly busy, at most one CPU.
    assert!(app > 5.0 && app <= 105.0, "{app}");
    assert!(device >= app / 100.0 * 0.9, "{device} vs {app}");
    assert!(state.exists());

    // The second run uses the state: it does not wait for a 30 s sampling pause.
    std::thread::sleep(Duration::from_millis(500));
    let start = Instant::now();
    let out = run("30s");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(start.elapsed() < Duration::from_secs(15));
    let app: f64 = fields(&out.stdout)[2].parse().unwrap();
    assert!(app > 5.0 && app <= 105.0, "{app}");

    // A process that is not running: an error, nothing on stdout.
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args([
            "diag",
            "x",
            "--source",
            "proc",
            "--pid",
            "999999999",
            "--no-state",
            "--sample-pause",
            "0s",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn reads_the_apps_traffic_and_cpu_from_the_web_servers_metrics() {
    let (child, url) = start_web_server(&["--work", "1ms"]);
    let server = Killed(child);
    let mut o = edgeshift::probe::measure::MeasureOptions::new(format!("{url}/"), 5);
    o.pause = Duration::ZERO;
    edgeshift::probe::measure::measure(&o).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args([
            "diag",
            "web",
            "--source",
            "proc",
            "--interface",
            "lo",
            "--no-state",
            "--sample-pause",
            "200ms",
        ])
        .arg("--app-metrics")
        .arg(format!("{url}/metrics"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f = fields(&out.stdout);
    let (tx, rx): (u64, u64) = (f[5].parse().unwrap(), f[6].parse().unwrap());
    // Five pages and a metrics page went out; five requests came in.
    assert!(tx > 5 * 100 && rx > 5 * 50, "{f:?}");
    let app_cpu: f64 = f[2].parse().unwrap();
    assert!(app_cpu >= 0.0);
    drop(server);
}

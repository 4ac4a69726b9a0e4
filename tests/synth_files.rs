//! `edgeshift synth` as a user runs it: the files it writes, their format, determinism,
//! restarts, and its errors. Real child processes, real files.

use edgeshift::table::probe::Probes;
use edgeshift::table::time::parse_time;
use edgeshift::table::{Frame, ReadOptions};
use std::path::Path;
use std::process::{Command, Output};

fn synth(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .arg("synth")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

const FILES: [&str; 4] = [
    "eden1_measure.csv",
    "web-server1.csv",
    "eden2_measure.csv",
    "web-server2.csv",
];

#[test]
fn writes_the_seed_like_recording_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&synth(dir.path(), &[]));
    for f in FILES {
        assert!(out.contains(f), "{out}");
    }
    assert!(out.contains("2880 rows"), "{out}");
    assert!(out.contains("15,45 * * * * for 5m"), "{out}");
    assert!(out.contains("0,30 * * * * for 10m"), "{out}");
    // Nothing else in the folder (no temporary files left behind).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);

    for k in 1..=2 {
        let edge_path = dir.path().join(format!("eden{k}_measure.csv"));
        let text = std::fs::read_to_string(&edge_path).unwrap();
        assert!(text.starts_with(
            "Time,CPU Load %,App. CPU Load %,Tx B,Rx B,App. Tx B,App. Rx B\n2024-03-04T00:00:0"
        ));
        let edge = Frame::read(&edge_path, ReadOptions::default()).unwrap();
        assert_eq!(edge.len(), 2880);
        let probes = Probes::read(&dir.path().join(format!("web-server{k}.csv"))).unwrap();
        assert_eq!(probes.len(), 2880);
        // Rows about a minute apart, with jitter, with microseconds.
        for w in edge.times.windows(2) {
            let dt = w[1] - w[0];
            assert!((56_000_000..64_000_000).contains(&dt), "{dt}");
        }
        assert!(edge.times.iter().any(|t| t % 1_000_000 != 0));
        // Counters never go down without a restart.
        for c in ["Tx B", "Rx B", "App. Tx B", "App. Rx B"] {
            let v = edge.values(c, "test").unwrap();
            assert!(v.windows(2).all(|w| w[1] >= w[0]), "{c}");
        }
        // Probes: 10 attempts, unavailable during floods, at most a few errors outside.
        let start = parse_time("2024-03-04T00:00:00").unwrap();
        let mut unavailable_in_flood = 0;
        let mut flood_rows = 0;
        for i in 0..probes.len() {
            assert_eq!(probes.successes[i] + probes.errors[i], 10.0);
            let minute = ((probes.times[i] - start) / 60_000_000) % 60;
            let flooded = if k == 1 {
                (16..20).contains(&minute) || (46..50).contains(&minute)
            } else {
                (1..10).contains(&minute) || (31..40).contains(&minute)
            };
            if flooded {
                flood_rows += 1;
                if probes.successes[i] < 5.0 {
                    unavailable_in_flood += 1;
                }
                assert!(probes.response[i].is_nan() || probes.response[i] > 0.2);
            } else if (k == 1 && !(15..24).contains(&(minute % 30)))
                || (k == 2 && minute % 30 >= 14)
            {
                // Not in a flood nor in the minutes after one: quiet.
                assert!(probes.successes[i] >= 8.0, "row {i}");
            }
        }
        assert!(unavailable_in_flood * 100 >= flood_rows * 95);
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let args = ["--days", "0.5", "--seed", "7"];
    ok(&synth(a.path(), &args));
    ok(&synth(b.path(), &args));
    ok(&synth(c.path(), &["--days", "0.5", "--seed", "8"]));
    for f in FILES {
        assert_eq!(read(a.path(), f), read(b.path(), f), "{f}");
        assert_ne!(read(a.path(), f), read(c.path(), f), "{f}");
    }
}

#[test]
fn schedules_nodes_and_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&synth(
        dir.path(),
        &[
            "--days",
            "1",
            "--start",
            "2025-01-06T00:00",
            "--nodes",
            "3",
            "--schedule",
            "0 9 * * * for 45m",
            "--schedule",
            "0 14 * * * for 30m",
        ],
    ));
    assert!(out.contains("node 3: no floods"), "{out}");
    assert!(out.contains("web-server3.csv (1440 rows"), "{out}");
    let edge = Frame::read(
        &dir.path().join("eden1_measure.csv"),
        ReadOptions::default(),
    )
    .unwrap();
    assert!(edge.times[0] > parse_time("2025-01-06T00:00:00").unwrap());
    assert!(edge.times[0] < parse_time("2025-01-06T00:00:05").unwrap());
    let cpu = edge.values("App. CPU Load %", "test").unwrap();
    // Row i is minute i of the day: flooded from 09:01 to 09:44.
    assert!(cpu[541..585].iter().all(|&v| v > 50.0));
    assert!(cpu[..540].iter().all(|&v| v < 30.0));
    assert!(cpu[600..].iter().all(|&v| v < 30.0));
    let quiet = Frame::read(
        &dir.path().join("eden3_measure.csv"),
        ReadOptions::default(),
    )
    .unwrap();
    assert!(quiet
        .values("App. CPU Load %", "test")
        .unwrap()
        .iter()
        .all(|&v| v < 30.0));
}

#[test]
fn a_restart_resets_the_app_counters_only() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    ok(&synth(a.path(), &["--days", "0.5"]));
    let out = ok(&synth(
        b.path(),
        &["--days", "0.5", "--restart-at", "2@2024-03-04T03:25:30"],
    ));
    assert!(
        out.contains("restart of node 2 at 2024-03-04T03:25:30"),
        "{out}"
    );
    // Node 1 and both probe files are untouched.
    for f in ["eden1_measure.csv", "web-server1.csv", "web-server2.csv"] {
        assert_eq!(read(a.path(), f), read(b.path(), f), "{f}");
    }
    let opts = ReadOptions::default;
    let fa = Frame::read(&a.path().join("eden2_measure.csv"), opts()).unwrap();
    let fb = Frame::read(&b.path().join("eden2_measure.csv"), opts()).unwrap();
    assert_eq!(fa.times, fb.times);
    let r = parse_time("2024-03-04T03:25:30").unwrap();
    let i = fb.times.iter().position(|&t| t >= r).unwrap();
    for c in ["CPU Load %", "App. CPU Load %", "Tx B", "Rx B"] {
        assert_eq!(
            fa.values(c, "t").unwrap(),
            fb.values(c, "t").unwrap(),
            "{c}"
        );
    }
    for c in ["App. Tx B", "App. Rx B"] {
        let (va, vb) = (fa.values(c, "t").unwrap(), fb.values(c, "t").unwrap());
        assert_eq!(va[..i], vb[..i], "{c}");
        assert!(vb[i] < vb[i - 1], "{c}: the counter restarts at row {i}");
        assert!(vb[i] < 1e6, "{c}: {}", vb[i]);
        // After the restart the increments are the same as without it.
        for j in i + 1..vb.len() {
            assert_eq!(vb[j] - vb[j - 1], va[j] - va[j - 1], "{c} row {j}");
        }
    }
    // --restart-device resets the device counters too.
    let c = tempfile::tempdir().unwrap();
    ok(&synth(
        c.path(),
        &[
            "--days",
            "0.5",
            "--restart-at",
            "2024-03-04T03:25:30",
            "--restart-device",
        ],
    ));
    let fc = Frame::read(&c.path().join("eden1_measure.csv"), opts()).unwrap();
    let tx = fc.values("Tx B", "t").unwrap();
    assert!(tx[i] < tx[i - 1]);
}

#[test]
fn help_explains_files_and_schedules() {
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args(["synth", "--help"])
        .output()
        .unwrap();
    let help = ok(&out);
    for want in [
        "edenK_measure.csv",
        "web-serverK.csv",
        "CRON for DURATION",
        "0 9 * * 1-5 for 1h",
        "15,45 * * * * for 5m",
        "--restart-at",
        "Examples:",
    ] {
        assert!(help.contains(want), "missing {want:?} in:\n{help}");
    }
}

#[test]
fn bad_arguments_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (args, want) in [
        (vec!["--schedule", "15,45 * * * *"], "CRON for DURATION"),
        (
            vec!["--schedule", "0 25 * * * for 5m"],
            "cannot parse the cron",
        ),
        (vec!["--schedule", "0 9 * * * for soon"], "duration"),
        (vec!["--days", "0"], "--days"),
        (vec!["--days=-1"], "--days"),
        (vec!["--start", "monday"], "--start"),
        (vec!["--restart-at", "noon"], "restart"),
        (vec!["--restart-at", "5@2024-03-04T10:00"], "node 5"),
        (
            vec![
                "--nodes",
                "1",
                "--schedule",
                "0 * * * * for 5m",
                "--schedule",
                "30 * * * * for 5m",
            ],
            "at most one --schedule per node",
        ),
    ] {
        let out = synth(dir.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // Nothing was written.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

//! Acceptance tests of the calibration chain on synthetic recordings whose truth is known:
//! `edgeshift synth` writes the recording, `edgeshift calibrate` / `edge-table` analyse it,
//! as a user would run them (real child processes, real files).

use edgeshift::table::timetable::{read_time_table, TimeTable};
use std::path::Path;
use std::process::{Command, Output};

fn edgeshift(dir: &Path, args: &[&str]) -> String {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "edgeshift {args:?}: {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `calibrate` for node k with extra arguments; returns its output and time table.
fn calibrate(dir: &Path, k: usize, extra: &[&str]) -> (String, TimeTable) {
    let (edge, probe, server) = (
        format!("eden{k}_measure.csv"),
        format!("web-server{k}.csv"),
        format!("web-server{k}"),
    );
    let mut args = vec!["calibrate", &edge, &probe, &server];
    args.extend_from_slice(extra);
    let out = edgeshift(dir, &args);
    let tt = read_time_table(&dir.join(format!("{server}.time_table.csv"))).unwrap();
    (out, tt)
}

fn busy(tt: &TimeTable) -> Vec<usize> {
    (0..tt.busy.len()).filter(|&i| tt.busy[i]).collect()
}

#[test]
fn counter_restarts_do_not_change_the_time_tables() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    edgeshift(a.path(), &["synth", "."]);
    // Restarts in quiet minutes and in the middle of floods, on one node and on all, with
    // and without the device counters.
    edgeshift(
        b.path(),
        &[
            "synth",
            ".",
            "--restart-at",
            "2024-03-04T10:25:30",
            "--restart-at",
            "1@2024-03-04T12:17:30",
            "--restart-at",
            "2@2024-03-05T07:33:30",
            "--restart-device",
        ],
    );
    for k in 1..=2 {
        let (out_a, tt_a) = calibrate(a.path(), k, &[]);
        let (out_b, tt_b) = calibrate(b.path(), k, &[]);
        assert!(out_a.contains("0 counter restarts"), "{out_a}");
        assert!(out_b.contains("2 counter restarts"), "{out_b}");
        assert_eq!(tt_a.busy, tt_b.busy, "node {k}");
        assert!(tt_a.busy_count() > 0, "node {k}");
        // The edge side, with the limits learned on the recording without restarts.
        let edge = format!("eden{k}_measure.csv");
        let limits = a.path().join(format!("eden{k}_measure.limits.cleared.csv"));
        let server = format!("web-server{k}");
        edgeshift(
            b.path(),
            &[
                "edge-table",
                &edge,
                limits.to_str().unwrap(),
                &server,
                "-o",
                "edge.csv",
            ],
        );
        let tt_edge = read_time_table(&b.path().join("edge.csv")).unwrap();
        assert_eq!(tt_edge.busy, tt_a.busy, "node {k}, edge-table");
    }
}

#[test]
fn a_daily_schedule_gives_busy_minutes_of_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    edgeshift(
        d,
        &[
            "synth",
            ".",
            "--days",
            "7",
            "--schedule",
            "0 9 * * * for 45m",
            "--schedule",
            "0 14 * * * for 30m",
        ],
    );
    // (node, first flood minute of the day, flood minutes)
    for (k, start, len) in [(1usize, 9 * 60, 45usize), (2, 14 * 60, 30)] {
        let (out, tt) = calibrate(d, k, &["--period", "day"]);
        assert_eq!(tt.busy.len(), 1440, "{out}");
        let b = busy(&tt);
        // Busy only during the flood (the first minute, at 70 % load, may not count) ...
        assert!(
            b.iter().all(|&s| (start..start + len).contains(&s)),
            "node {k}: {b:?}"
        );
        // ... and during nearly all of it, in one run.
        assert!(b.len() + 4 >= len, "node {k}: {b:?}");
        assert_eq!(b.last().unwrap() - b[0] + 1, b.len(), "node {k}: {b:?}");

        // --period auto finds the day on its own, with the same table.
        let (out, auto) = calibrate(d, k, &["--period", "auto"]);
        assert!(out.contains("period: day (chosen automatically"), "{out}");
        assert_eq!(auto.busy, tt.busy, "node {k}");
    }
}

#[test]
fn auto_picks_the_hour_on_the_seed_recording() {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/hourly-2d");
    for f in ["eden1_measure.csv", "web-server1.csv"] {
        std::fs::copy(data.join(f), dir.path().join(f)).unwrap();
    }
    let (out, tt) = calibrate(dir.path(), 1, &["--period", "auto"]);
    assert!(out.contains("period: hour (chosen automatically"), "{out}");
    assert_eq!(tt.busy.len(), 60);
    assert_eq!(busy(&tt), vec![16, 17, 18, 19, 46, 47, 48, 49], "{out}");
}

#[test]
fn auto_picks_the_hour_and_the_week_on_synthetic_recordings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The seed's schedules: hourly.
    edgeshift(d, &["synth", "."]);
    let (out, tt) = calibrate(d, 2, &["--period", "auto"]);
    assert!(out.contains("period: hour (chosen automatically"), "{out}");
    assert_eq!(
        busy(&tt),
        (1..10).chain(31..40).collect::<Vec<_>>(),
        "{out}"
    );
    // Weekdays only, three weeks: weekly.
    edgeshift(
        d,
        &[
            "synth",
            ".",
            "--days",
            "21",
            "--schedule",
            "0 9 * * 1-5 for 1h",
        ],
    );
    let (out, tt) = calibrate(d, 1, &["--period", "auto"]);
    assert!(out.contains("period: week (chosen automatically"), "{out}");
    assert_eq!(tt.busy.len(), 10080);
    let b = busy(&tt);
    // Monday (slot 0) to Friday, 09:00-09:59; nothing on the weekend.
    for day in 0..7 {
        let on_day = b.iter().filter(|&&s| s / 1440 == day).count();
        if day < 5 {
            assert!(on_day >= 55, "day {day}: {on_day}");
            assert!(b
                .iter()
                .filter(|&&s| s / 1440 == day)
                .all(|&s| (540..600).contains(&(s % 1440))));
        } else {
            assert_eq!(on_day, 0, "day {day}");
        }
    }
}

//! The pipeline subcommands through the real binary: outputs, messages, exit codes, and
//! that bad input never creates or truncates an output file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EDGE_HEADER: &str = "Time,CPU Load %,App. CPU Load %,Tx B,Rx B,App. Tx B,App. Rx B";

fn edgeshift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A small edge file: `rows` minutes, counters growing by 6000 B a minute.
fn edge_text(rows: usize) -> String {
    let mut t = format!("{EDGE_HEADER}\n");
    for i in 0..rows {
        let c = 1000 + 6000 * i;
        t.push_str(&format!(
            "2024-03-04T00:{:02}:02.5,0.1,{}.5,{c},{c},{c},{c}\n",
            i,
            i % 7
        ));
    }
    t
}

struct Case {
    _dir: tempfile::TempDir,
    input: PathBuf,
    out: PathBuf,
}

/// An input file with `content` and an output file that already holds known content.
fn case(content: &str) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("eden1_measure.csv");
    fs::write(&input, content).unwrap();
    let out = dir.path().join("out.csv");
    fs::write(&out, "precious\n").unwrap();
    Case {
        _dir: dir,
        input,
        out,
    }
}

/// Exit code 2, the message contains every `needle`, the output is untouched.
fn assert_refused(c: &Case, o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in: {err}");
    }
    assert_eq!(fs::read_to_string(&c.out).unwrap(), "precious\n");
}

#[test]
fn bandwidth_writes_rates_and_reports_restarts() {
    let mut text = edge_text(5);
    // A restart at line 6 (row 4): the app counters fall to 600.
    text = text.replace(",25000,25000,25000,25000\n", ",25000,25000,600,600\n");
    let c = case(&text);
    let o = edgeshift(&["bandwidth", s(&c.input), s(&c.out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        format!(
            "{}: 5 rows, 1 counter restart (line 6), 0 gaps > 3 min",
            c.input.display()
        )
    );
    let out = fs::read_to_string(&c.out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "Time,CPU Load %,App. CPU Load %,Tx B,Rx B,App. Tx B/s,App. Rx B/s"
    );
    assert!(
        lines[1].ends_with(",,"),
        "first row has no rate: {}",
        lines[1]
    );
    assert!(lines[2].ends_with(",100,100"), "{}", lines[2]);
    assert!(
        lines[5].ends_with(",,"),
        "restart has no rate: {}",
        lines[5]
    );
}

#[test]
fn missing_file() {
    let c = case("");
    let missing = c.input.with_file_name("nope.csv");
    let o = edgeshift(&["bandwidth", s(&missing), s(&c.out)]);
    assert_refused(&c, &o, &["nope.csv", "cannot open"]);
}

#[test]
fn empty_file() {
    let c = case("");
    let o = edgeshift(&["bandwidth", s(&c.input), s(&c.out)]);
    assert_refused(&c, &o, &["eden1_measure.csv", "empty"]);
    let c = case(&format!("{EDGE_HEADER}\n"));
    let o = edgeshift(&["smooth", s(&c.input), s(&c.out)]);
    assert_refused(&c, &o, &["eden1_measure.csv", "no data rows"]);
}

#[test]
fn missing_column() {
    let c = case(&edge_text(3).replace("App. Rx B", "App. Rx X"));
    let o = edgeshift(&["bandwidth", s(&c.input), s(&c.out)]);
    assert_refused(&c, &o, &["eden1_measure.csv", "\"App. Rx B\"", "App. Rx X"]);
    let o = edgeshift(&["smooth", s(&c.input), s(&c.out), "Nope"]);
    assert_refused(&c, &o, &["eden1_measure.csv", "\"Nope\""]);
}

#[test]
fn non_numeric_cell() {
    let c = case(&edge_text(4).replace(",2.5,", ",2.5x,"));
    let o = edgeshift(&["bandwidth", s(&c.input), s(&c.out)]);
    assert_refused(
        &c,
        &o,
        &[
            "eden1_measure.csv:4",
            "column \"App. CPU Load %\"",
            "\"2.5x\"",
        ],
    );
}

#[test]
fn unparseable_timestamp() {
    let c = case(&edge_text(4).replace("2024-03-04T00:02:02.5", "2024-03-04T00:62:02.5"));
    let o = edgeshift(&["bandwidth", s(&c.input), s(&c.out)]);
    assert_refused(
        &c,
        &o,
        &["eden1_measure.csv:4", "column \"Time\"", "00:62:02.5"],
    );
}

#[test]
fn time_going_backwards() {
    let c = case(&edge_text(4).replace("2024-03-04T00:02:02.5", "2024-03-04T00:00:00.0"));
    let o = edgeshift(&["bandwidth", s(&c.input), s(&c.out)]);
    assert_refused(
        &c,
        &o,
        &["eden1_measure.csv:4", "column \"Time\"", "backwards"],
    );
}

#[test]
fn zero_time_difference() {
    let c = case(&edge_text(4).replace("2024-03-04T00:02:02.5", "2024-03-04T00:01:02.5"));
    let o = edgeshift(&["bandwidth", s(&c.input), s(&c.out)]);
    assert_refused(
        &c,
        &o,
        &[
            "eden1_measure.csv",
            "line 4",
            "column \"Time\"",
            "same time",
        ],
    );
    let o = edgeshift(&["smooth", s(&c.input), s(&c.out), "App. CPU Load %"]);
    assert_refused(&c, &o, &["eden1_measure.csv", "line 4", "same time"]);
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let c = case(&edge_text(4));
    let o = edgeshift(&["smooth", s(&c.input), s(&c.out), "--smoothing", "spline"]);
    assert_refused(&c, &o, &["gcv, off, or a positive number"]);
}

fn copy_sample(dir: &Path) {
    for f in [
        "eden1_measure.csv",
        "eden2_measure.csv",
        "web-server1.csv",
        "web-server2.csv",
    ] {
        fs::copy(Path::new("data/hourly-2d").join(f), dir.join(f)).unwrap();
    }
}

const NINE: [&str; 9] = [
    "eden1_measure.bw.csv",
    "eden1_measure.smoothed.csv",
    "eden1_measure.web-server1.csv",
    "eden1_measure.limits.csv",
    "eden1_measure.smoothed.cleared.csv",
    "eden1_measure.smoothed.cleared.smoothed.csv",
    "eden1_measure.web-server1.cleared.csv",
    "eden1_measure.limits.cleared.csv",
    "web-server1.time_table.csv",
];

#[test]
fn calibrate_writes_the_nine_files_and_edge_table_agrees() {
    let dir = tempfile::tempdir().unwrap();
    copy_sample(dir.path());
    let d = |f: &str| dir.path().join(f);
    let o = edgeshift(&[
        "calibrate",
        s(&d("eden1_measure.csv")),
        s(&d("web-server1.csv")),
        "web-server1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("2880 rows, 0 counter restarts, 0 gaps > 3 min"),
        "{out}"
    );
    assert!(
        out.contains("web-server1: 8 busy slots of 60 (hour): :16-:19, :46-:49"),
        "{out}"
    );
    assert!(out.contains("calibration quality:"), "{out}");
    assert!(out.contains("errors_level"), "{out}");
    for f in NINE {
        assert!(d(f).exists(), "{f} missing");
    }
    let reference =
        fs::read_to_string("data/hourly-2d/reference/web-server1.time_table.csv").unwrap();
    assert_eq!(
        fs::read_to_string(d("web-server1.time_table.csv")).unwrap(),
        reference
    );

    // The edge chain with the calibrated limits gives the same table.
    fs::remove_file(d("web-server1.time_table.csv")).unwrap();
    let o = edgeshift(&[
        "edge-table",
        s(&d("eden1_measure.csv")),
        s(&d("eden1_measure.limits.cleared.csv")),
        "web-server1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(d("web-server1.time_table.csv")).unwrap(),
        reference
    );

    // The steps one by one give the same time table too.
    let steps: [&[&str]; 4] = [
        &[
            "clean",
            "eden1_measure.bw.csv",
            "eden1_measure.limits.cleared.csv",
            "c.csv",
        ],
        &["smooth", "c.csv", "cs.csv"],
        &[
            "time-table",
            "cs.csv",
            "eden1_measure.limits.cleared.csv",
            "web-server1",
            "tt.csv",
        ],
        &["patterns", "tt.csv"],
    ];
    let mut last = String::new();
    for step in steps {
        let args: Vec<String> = step
            .iter()
            .enumerate()
            .map(|(i, a)| {
                if i == 0 || a.starts_with("web-") && !a.ends_with(".csv") {
                    a.to_string()
                } else {
                    s(&d(a)).to_string()
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = edgeshift(&args);
        assert!(o.status.success(), "{step:?}: {}", stderr(&o));
        last = stdout(&o);
    }
    assert_eq!(fs::read_to_string(d("tt.csv")).unwrap(), reference);
    assert_eq!(
        last,
        "start,length,first,last\n16,4,:16,:19\n46,4,:46,:49\n"
    );
}

#[test]
fn calibrate_refuses_without_unavailable_rows_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    copy_sample(dir.path());
    let d = |f: &str| dir.path().join(f);
    // Every probe row a success: no unavailable row.
    let probes = fs::read_to_string(d("web-server1.csv")).unwrap();
    let mut ok = String::from("Time,Successful attempts,Responce time,Errors\n");
    for line in probes.lines().skip(1) {
        let t = line.split(',').next().unwrap();
        ok.push_str(&format!("{t},10,0:00:00.004000,0\n"));
    }
    fs::write(d("web-server1.csv"), ok).unwrap();
    fs::write(d("eden1_measure.limits.csv"), "precious\n").unwrap();
    let o = edgeshift(&[
        "calibrate",
        s(&d("eden1_measure.csv")),
        s(&d("web-server1.csv")),
        "web-server1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no unavailable rows"), "{}", stderr(&o));
    assert!(stderr(&o).contains("both states"), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(d("eden1_measure.limits.csv")).unwrap(),
        "precious\n"
    );
    for f in NINE.iter().filter(|f| !f.ends_with(".limits.csv")) {
        assert!(!d(f).exists(), "{f} was written");
    }
}

#[test]
fn calibrate_with_a_bad_probe_file_names_it() {
    let dir = tempfile::tempdir().unwrap();
    copy_sample(dir.path());
    let d = |f: &str| dir.path().join(f);
    let probes = fs::read_to_string(d("web-server1.csv")).unwrap();
    fs::write(d("web-server1.csv"), probes.replacen(",10,", ",ten,", 1)).unwrap();
    let o = edgeshift(&[
        "calibrate",
        s(&d("eden1_measure.csv")),
        s(&d("web-server1.csv")),
        "web-server1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("web-server1.csv:2: column \"Successful attempts\""),
        "{err}"
    );
    assert!(!d("eden1_measure.bw.csv").exists());
}

#[test]
fn limits_join_and_period_flags() {
    let dir = tempfile::tempdir().unwrap();
    copy_sample(dir.path());
    let d = |f: &str| s(&dir.path().join(f)).to_string();
    let o = edgeshift(&["bandwidth", &d("eden2_measure.csv"), &d("bw.csv")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = edgeshift(&["join", &d("bw.csv"), &d("web-server2.csv"), &d("j.csv")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = edgeshift(&[
        "limits",
        &d("j.csv"),
        &d("l.csv"),
        "--unavailable-below",
        "0.5",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("App. CPU Load %"));
    let o = edgeshift(&[
        "limits",
        &d("j.csv"),
        &d("l2.csv"),
        "--unavailable-below",
        "1.5",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("fraction"), "{}", stderr(&o));
    // Hour and day tables of two days of data.
    for (period, slots) in [("hour", 60), ("day", 1440)] {
        let o = edgeshift(&[
            "edge-table",
            &d("eden2_measure.csv"),
            "data/hourly-2d/reference/eden2_measure.limits.cleared.csv",
            "web-server2",
            "--period",
            period,
            "-o",
            &d("tt.csv"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let tt = fs::read_to_string(d("tt.csv")).unwrap();
        assert_eq!(tt.lines().count(), slots + 1);
    }
}

#[test]
fn every_subcommand_explains_itself() {
    for cmd in [
        "bandwidth",
        "smooth",
        "join",
        "limits",
        "clean",
        "time-table",
        "patterns",
        "calibrate",
        "edge-table",
    ] {
        let o = edgeshift(&[cmd, "--help"]);
        assert!(o.status.success());
        let h = stdout(&o);
        assert!(h.contains("Example"), "{cmd}: no example\n{h}");
        assert!(
            h.contains(&format!("edgeshift {cmd} ")),
            "{cmd}: example does not use the command\n{h}"
        );
        assert!(h.contains("Usage:"), "{cmd}");
        let writes = h.contains("Writes")
            || h.contains("writes no file")
            || h.contains("Writes no file")
            || h.contains("Files written");
        assert!(writes, "{cmd}: does not say what it writes\n{h}");
    }
}

#[test]
fn auto_period_without_enough_data_says_what_each_period_needs() {
    let dir = tempfile::tempdir().unwrap();
    let d = |f: &str| dir.path().join(f);
    // 90 minutes: not two full cycles of any period. (89 rows are left once the first
    // row, which has no rate, is dropped by the cleaning step.)
    let text = fs::read_to_string("data/hourly-2d/eden1_measure.csv").unwrap();
    let short: Vec<&str> = text.lines().take(91).collect();
    fs::write(d("eden1_measure.csv"), short.join("\n") + "\n").unwrap();
    let o = edgeshift(&[
        "edge-table",
        s(&d("eden1_measure.csv")),
        "data/hourly-2d/reference/eden1_measure.limits.cleared.csv",
        "web-server1",
        "--period",
        "auto",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for needle in [
        "89 rows",
        "88 min",
        "two full cycles",
        "hour: 2 h",
        "day: 2 days",
        "week: 14 days",
    ] {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
    assert!(!d("web-server1.time_table.csv").exists());
}

#[test]
fn calibrate_failing_at_the_time_table_leaves_no_file_behind() {
    // The six intermediate files are written to temporary files while the limits and
    // the time table are computed: a failure there (here: 90 minutes of data cannot
    // show a period) must leave the folder as it was.
    let dir = tempfile::tempdir().unwrap();
    let d = |f: &str| dir.path().join(f);
    for f in ["eden1_measure.csv", "web-server1.csv"] {
        let text = fs::read_to_string(Path::new("data/hourly-2d").join(f)).unwrap();
        let short: Vec<&str> = text.lines().take(91).collect();
        fs::write(d(f), short.join("\n") + "\n").unwrap();
    }
    fs::write(d("eden1_measure.bw.csv"), "precious\n").unwrap();
    let o = edgeshift(&[
        "calibrate",
        s(&d("eden1_measure.csv")),
        s(&d("web-server1.csv")),
        "web-server1",
        "--period",
        "auto",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("two full cycles"), "{}", stderr(&o));
    let mut left: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "eden1_measure.bw.csv",
            "eden1_measure.csv",
            "web-server1.csv"
        ]
    );
    assert_eq!(
        fs::read_to_string(d("eden1_measure.bw.csv")).unwrap(),
        "precious\n"
    );
}

#[test]
fn calibrate_names_a_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    copy_sample(dir.path());
    let d = |f: &str| dir.path().join(f);
    let o = edgeshift(&[
        "calibrate",
        s(&d("eden1_measure.csv")),
        s(&d("web-server1.csv")),
        "web-server1",
        "--columns",
        "App. CPU Load %,App. Disk B/s",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("eden1_measure.csv:1: no column \"App. Disk B\" (a counter)"),
        "{err}"
    );
    assert!(!d("eden1_measure.bw.csv").exists());
    // Any parameters may be chosen: device CPU load and the app's transmit rate.
    let o = edgeshift(&[
        "calibrate",
        s(&d("eden1_measure.csv")),
        s(&d("web-server1.csv")),
        "web-server1",
        "--columns",
        "CPU Load %,App. CPU Load %,App. Tx B/s",
        "--smoothing",
        "off",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let limits = fs::read_to_string(d("eden1_measure.limits.cleared.csv")).unwrap();
    assert!(
        limits.starts_with(",measurements,CPU Load %,App. CPU Load %,App. Tx B/s\n"),
        "{limits}"
    );
}

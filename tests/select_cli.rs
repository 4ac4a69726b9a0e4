//! `edgeshift select` and `edgeshift detect` on the recorded probe files, as the reference
//! monitor used them (`select ... end -3h`, `detect ... Errors 5`).

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_edgeshift");

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/hourly-2d")
        .join(name)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn select_cuts_the_last_hours_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("web-server2.csv");
    let out = dir.path().join("last3h.csv");
    let (code, _, err) = run(&[
        "select",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "end",
        "-3h",
    ]);
    assert_eq!(code, 0, "{err}");
    // Both ends are included: the row exactly 3 h before the newest one is kept too.
    assert!(err.contains("kept 181 of 2880 rows"), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let orig = std::fs::read_to_string(&input).unwrap();
    let lines: Vec<&str> = orig.lines().collect();
    // Header + the last 181 lines, byte for byte.
    let mut want = format!("{}\n", lines[0]);
    for l in &lines[lines.len() - 181..] {
        want.push_str(l);
        want.push('\n');
    }
    assert_eq!(text, want);

    // A relative BEGIN counts back from the newest row; END defaults to the end.
    let (code, _, err) = run(&[
        "select",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "-3h",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), want);

    // Absolute bounds, both included, in either order.
    for (b, e) in [
        ("2024-03-04T01:00", "2024-03-04T01:59:59"),
        ("2024-03-04T01:59:59", "2024-03-04T01:00"),
    ] {
        let (code, _, err) = run(&[
            "select",
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            b,
            e,
        ]);
        assert_eq!(code, 0, "{err}");
        let t = std::fs::read_to_string(&out).unwrap();
        assert_eq!(t.lines().count(), 61);
        assert!(t.lines().nth(1).unwrap().starts_with("2024-03-04T01:00:"));
        assert!(t.lines().last().unwrap().starts_with("2024-03-04T01:59:"));
    }

    // `now -3h` with a clock after the data: nothing kept, the header still written.
    let (code, _, err) = run(&[
        "select",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "now",
        "-3h",
        "--now",
        "2025-01-01T00:00:00",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("kept 0 of 2880 rows"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("{}\n", lines[0])
    );
}

#[test]
fn select_refuses_bad_points_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let input = data("web-server2.csv");
    let (code, _, err) = run(&[
        "select",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "yesterday",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read \"yesterday\" as a time"), "{err}");
    let (code, _, err) = run(&[
        "select",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "end",
        "-3x",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bad window"), "{err}");
    let (code, _, err) = run(&["select", "/nonexistent.csv", out.to_str().unwrap(), "begin"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent.csv"), "{err}");
    assert!(!out.exists());
}

#[test]
fn detect_prints_the_rounded_percentage() {
    let input = data("web-server2.csv");
    // Count with an independent reading of the file.
    let text = std::fs::read_to_string(&input).unwrap();
    let rows: Vec<u32> = text
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    let n = rows.iter().filter(|e| **e >= 5).count();
    let want = (n as f64 * 100.0 / rows.len() as f64).round() as i64;
    let (code, out, err) = run(&["detect", input.to_str().unwrap(), "Errors", "5"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), want.to_string());
    assert!(want > 0);

    // On a file of its own: 1 of 8 rows = 12.5 % -> 12 (half to even, as Python's round).
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.csv");
    let mut s = String::from("Time,Successful attempts,Responce time,Errors\n");
    for i in 0..8 {
        let e = if i == 3 { 7 } else { 0 };
        s.push_str(&format!(
            "2024-03-04T00:0{i}:00,{},0:00:00.004,{e}\n",
            10 - e
        ));
    }
    std::fs::write(&p, s).unwrap();
    let (_, out, _) = run(&["detect", p.to_str().unwrap(), "Errors", "5"]);
    assert_eq!(out.trim(), "12");

    let (code, _, err) = run(&["detect", input.to_str().unwrap(), "Erors", "5"]);
    assert_eq!(code, 2);
    assert!(err.contains("no column \"Erors\""), "{err}");
    assert!(err.contains("Errors"), "{err}");
}

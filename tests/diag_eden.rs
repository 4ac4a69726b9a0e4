//! `diag --source eden` against a fake `eden` (a script that prints the fixture files and
//! records its arguments): the normal row, app by name or UUID, `pod ps`, eden's log lines,
//! and the failures (missing app, one message, garbage, nothing, eden failing): never
//! anything on stdout then.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eden");
const ROW: &str =
    "2024-03-04T00:01:00.000000,0.152293,3.505745,49522406530,915802635377,8871798512,2244211876\n";

/// Writes a fake eden that logs its arguments to `args.log` and prints `metric` for
/// `eden metric ...` and `pod` for `eden pod ...`, then exits with `code`.
fn fake_eden(dir: &Path, metric: &str, pod: &str, code: i32) -> PathBuf {
    let m = dir.join("metric.out");
    let p = dir.join("pod.out");
    std::fs::write(&m, metric).unwrap();
    std::fs::write(&p, pod).unwrap();
    let script = dir.join("eden");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{log}'\ncase \"$1\" in\n  metric) cat '{m}' ;;\n  pod) cat '{p}' ;;\nesac\nexit {code}\n",
            log = dir.join("args.log").display(),
            m = m.display(),
            p = p.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap()
}

fn diag(eden: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .arg("diag")
        .args(args)
        .arg("--eden")
        .arg(eden)
        .args(["--at", "2024-03-04T00:01:00"])
        .output()
        .unwrap()
}

fn args_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("args.log")).unwrap_or_default()
}

#[test]
fn prints_one_row_from_two_metric_messages() {
    let dir = tempfile::tempdir().unwrap();
    let eden = fake_eden(
        dir.path(),
        &fixture("metric_tail2.jsonl"),
        &fixture("pod_ps.json"),
        0,
    );
    let out = diag(&eden, &["web-server1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), ROW);
    assert_eq!(args_log(dir.path()), "metric --format=json --tail 2\n");

    // By AppID, with the header.
    let out = diag(&eden, &["b7e2f0c4-1d3a-4e6b-8c9f-0a1b2c3d4e5f", "--header"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{}\n{ROW}", edgeshift::table::edge::HEADER)
    );
}

#[test]
fn pod_ps_and_one_interface() {
    let dir = tempfile::tempdir().unwrap();
    let eden = fake_eden(
        dir.path(),
        &fixture("metric_tail2.jsonl"),
        &fixture("pod_ps.json"),
        0,
    );
    let out = diag(
        &eden,
        &[
            "web-server1",
            "--app-cpu",
            "pod-ps",
            "--interface",
            "eth0",
            "--eden-cpu-scale",
            "4",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "2024-03-04T00:01:00.000000,0.60917,3,48236593410,913590126554,8871798512,2244211876\n"
    );
    assert_eq!(
        args_log(dir.path()),
        "metric --format=json --tail 2\npod ps --format=json\n"
    );
}

#[test]
fn eden_log_lines_and_spaces_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let metric = format!(
        "time=\"2025-10-15T10:21:00Z\" level=info msg=\"Attempt to re-establish connection with controller\"\n{}",
        fixture("metric_tail2.jsonl").replace("\",\"", "\", \"")
    );
    let eden = fake_eden(dir.path(), &metric, "", 0);
    let out = diag(&eden, &["web-server1"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), ROW);
}

fn assert_fails(out: &Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "half a row on stdout: {:?}",
        out.stdout
    );
    assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
}

#[test]
fn a_missing_app_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let eden = fake_eden(dir.path(), &fixture("metric_tail2.jsonl"), "", 0);
    let out = diag(&eden, &["web-server9"]);
    assert_fails(&out, 2, "web-server9");
    assert!(String::from_utf8_lossy(&out.stderr).contains("mqtt-broker"));
}

#[test]
fn malformed_output_is_an_error_with_nothing_printed() {
    for (metric, needle) in [
        ("garbage\n{\"atTimeStamp\": broken\n", "not valid JSON"),
        ("", "no metric message"),
        ("just some text\n", "no metric message"),
        ("{\"dm\":{}}\n{\"dm\":{}}\n", "atTimeStamp"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let eden = fake_eden(dir.path(), metric, "", 0);
        assert_fails(&diag(&eden, &["web-server1"]), 1, needle);
    }
    let dir = tempfile::tempdir().unwrap();
    let eden = fake_eden(dir.path(), &fixture("metric_tail1.json"), "", 0);
    assert_fails(&diag(&eden, &["web-server1"]), 1, "needs two");
}

#[test]
fn eden_failing_or_missing_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let eden = fake_eden(
        dir.path(),
        "time=\"2025\" level=fatal msg=\"Metric eden failed: connection refused\"\n",
        "",
        1,
    );
    assert_fails(&diag(&eden, &["web-server1"]), 1, "Metric eden failed");
    let out = diag(Path::new("/nonexistent/eden"), &["web-server1"]);
    assert_fails(&out, 1, "cannot run");
}

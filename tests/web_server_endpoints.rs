//! `edgeshift web-server`: the page, `/healthz`, `/metrics`, the finite capacity (503 when
//! the queue is full or too slow), the printed address and the graceful stop.

mod web_server_util;
use web_server_util::start_web_server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::time::Duration;

fn start(args: &[&str]) -> (Child, String) {
    let (child, url) = start_web_server(args);
    (child, url.trim_start_matches("http://").to_string())
}

/// One request on a new connection: (status, body).
fn get(addr: &str, method: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn metric(addr: &str, name: &str) -> f64 {
    let (_, body) = get(addr, "GET", "/metrics");
    body.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("{name} not in {body}"))
        .parse()
        .unwrap()
}

fn stop(mut child: Child) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn serves_the_page_health_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("index.html");
    std::fs::write(&page, "<p>my page</p>").unwrap();
    let (child, addr) = start(&["--page", page.to_str().unwrap(), "--work", "1ms"]);
    assert_eq!(get(&addr, "GET", "/"), (200, "<p>my page</p>".to_string()));
    assert_eq!(get(&addr, "GET", "/healthz"), (200, "ok\n".to_string()));
    assert_eq!(get(&addr, "POST", "/").0, 405);
    let (status, body) = get(&addr, "GET", "/metrics");
    assert_eq!(status, 200);
    for name in [
        "edgeshift_http_requests_total",
        "edgeshift_http_responses_total{code=\"200\"}",
        "edgeshift_http_sent_bytes_total",
        "edgeshift_http_received_bytes_total",
        "edgeshift_http_rejected_total",
        "edgeshift_http_in_flight",
        "process_cpu_seconds_total",
    ] {
        assert!(
            body.contains(&format!("\n{name} ")),
            "{name} missing in\n{body}"
        );
    }
    assert!(metric(&addr, "edgeshift_http_responses_total{code=\"200\"}") >= 2.0);
    assert!(metric(&addr, "edgeshift_http_sent_bytes_total") > 100.0);
    assert!(metric(&addr, "edgeshift_http_received_bytes_total") > 100.0);
    stop(child);
}

#[test]
fn beyond_capacity_requests_get_503_and_healthz_reports_it() {
    // One worker busy 600 ms per request, one waiting place.
    let (child, addr) = start(&["--workers", "1", "--work", "600ms", "--queue", "1"]);
    let a = addr.clone();
    let first = std::thread::spawn(move || get(&a, "GET", "/"));
    std::thread::sleep(Duration::from_millis(100));
    let a = addr.clone();
    let second = std::thread::spawn(move || get(&a, "GET", "/"));
    std::thread::sleep(Duration::from_millis(150));
    // The worker is busy and the queue is full.
    assert_eq!(get(&addr, "GET", "/healthz").0, 503);
    assert_eq!(get(&addr, "GET", "/").0, 503);
    assert_eq!(first.join().unwrap().0, 200);
    assert_eq!(second.join().unwrap().0, 200);
    assert_eq!(get(&addr, "GET", "/healthz").0, 200);
    assert!(metric(&addr, "edgeshift_http_rejected_total") >= 1.0);
    stop(child);
}

#[test]
fn a_request_that_waited_too_long_gets_503() {
    let (child, addr) = start(&[
        "--workers",
        "1",
        "--work",
        "500ms",
        "--queue-timeout",
        "100ms",
    ]);
    let a = addr.clone();
    let first = std::thread::spawn(move || get(&a, "GET", "/"));
    std::thread::sleep(Duration::from_millis(100));
    let (status, body) = get(&addr, "GET", "/");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("queue timeout"));
    assert_eq!(first.join().unwrap().0, 200);
    stop(child);
}

#[test]
fn a_missing_page_is_bad_input() {
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args([
            "web-server",
            "--listen",
            "127.0.0.1:0",
            "--page",
            "/nonexistent/page.html",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

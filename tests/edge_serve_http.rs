//! The edge service as clients see it, over real TCP on loopback: answers, validation,
//! the bearer token, path traversal attempts, oversized headers, slow clients.

mod edge_serve_util;

use edge_serve_util::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const TOKEN: &str = "s3cret-Token_42";

fn with_token(extra: &[&str]) -> (EdgeServe, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let tf = dir.path().join("token");
    std::fs::write(&tf, format!("{TOKEN}\n")).unwrap();
    let mut args = vec!["--token-file", tf.to_str().unwrap()];
    args.extend_from_slice(extra);
    let e = EdgeServe::node(1, &args);
    (e, dir)
}

#[test]
fn answers_the_reference_time_table_in_both_url_forms() {
    let e = EdgeServe::node(1, &[]);
    let reference = std::fs::read_to_string(data("reference/web-server1.time_table.csv")).unwrap();
    for path in [
        "/time_table/-2h",
        "/time_table/2h",
        "/time_table/2d",
        "/time_table?window=2h&period=hour",
        "/time_table?window=-2h",
        "/time_table",
        "/time_table/2h?now=2024-03-05T23:59:59",
    ] {
        let (code, body) = get(e.addr, path, None);
        assert_eq!(code, 200, "{path}: {body}");
        assert_eq!(body, reference, "{path}");
    }
    // A day table has 1440 slots.
    let (code, body) = get(e.addr, "/time_table/2d?period=day", None);
    assert_eq!(code, 200, "{body}");
    assert_eq!(body.lines().count(), 1441);
    // /limits is the limits file; /healthz; /metrics counts what happened.
    let (code, body) = get(e.addr, "/limits", None);
    assert_eq!(code, 200);
    let limits = edgeshift::table::limits::parse_limits(&body, "answer").expect("a limits file");
    assert_eq!(limits.len(), 3);
    assert_eq!(get(e.addr, "/healthz", None), (200, "ok\n".to_string()));
    let (code, m) = get(e.addr, "/metrics", None);
    assert_eq!(code, 200);
    assert!(m.contains("edgeshift_edge_rows_read_total 2880"), "{m}");
    assert!(m.contains("edgeshift_edge_busy_slots"), "{m}");
    assert!(
        m.contains("edgeshift_edge_requests_total{route=\"time_table\",code=\"200\"} 8"),
        "{m}"
    );
    assert!(
        m.contains("edgeshift_edge_request_seconds{quantile=\"0.99\"}"),
        "{m}"
    );
}

#[test]
fn bad_requests_are_400_404_405_with_a_message_never_500() {
    let e = EdgeServe::node(1, &[]);
    for path in [
        "/time_table/abc",
        "/time_table/0h",
        "/time_table/2",
        "/time_table/-",
        "/time_table/2h%3Brm",
        "/time_table/99999999999999999999h",
        "/time_table?window=soon",
        "/time_table/2h?window=3h",
        "/time_table/2h?period=month",
        "/time_table/2h?now=yesterday",
        "/time_table/2h?file=/etc/passwd",
        "/time_table/%FF%FE",
    ] {
        let (code, body) = get(e.addr, path, None);
        assert_eq!(code, 400, "{path}: {body}");
        assert!(body.starts_with("error: ") || !body.is_empty(), "{path}");
    }
    let (code, body) = get(e.addr, "/time_table/abc", None);
    assert_eq!(code, 400);
    assert!(body.contains("bad window \"abc\""), "{body}");
    // A window with no rows in it.
    let (code, body) = get(e.addr, "/time_table/2h?now=2020-01-01T00:00:00", None);
    assert_eq!(code, 422, "{body}");
    assert!(body.contains("no measurements in the window"), "{body}");
    assert_eq!(get(e.addr, "/nope", None).0, 404);
    assert_eq!(get(e.addr, "/time_table/2h/extra", None).0, 404);
    let (code, _) = raw(
        e.addr,
        "POST /time_table/2h HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(code, 405);
    let (code, _) = raw(
        e.addr,
        "GET /time_table/2h HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(code, 413);
}

#[test]
fn token_is_required_except_for_healthz() {
    let (e, _dir) = with_token(&[]);
    let (code, body) = get(e.addr, "/time_table/2h", None);
    assert_eq!(code, 401);
    assert!(body.contains("Bearer"), "{body}");
    for wrong in ["wrong", "s3cret-Token_4", "s3cret-Token_421", ""] {
        assert_eq!(get(e.addr, "/time_table/2h", Some(wrong)).0, 401, "{wrong}");
    }
    let (code, _) = raw(
        e.addr,
        &format!("GET /limits HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {TOKEN}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(code, 401);
    assert_eq!(get(e.addr, "/limits", None).0, 401);
    assert_eq!(get(e.addr, "/metrics", None).0, 401);
    assert_eq!(get(e.addr, "/nope", None).0, 401);
    assert_eq!(get(e.addr, "/healthz", None).0, 200);
    assert_eq!(get(e.addr, "/time_table/2h", Some(TOKEN)).0, 200);
    assert_eq!(get(e.addr, "/limits", Some(TOKEN)).0, 200);
}

#[test]
fn path_traversal_never_reads_a_file() {
    let (e, _dir) = with_token(&[]);
    for path in [
        "/time_table/../../etc/passwd",
        "/time_table/..%2F..%2Fetc%2Fpasswd",
        "/time_table/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/time_table/%2e%2e/%2e%2e/etc/passwd",
        "/time_table/..%252F..%252Fetc%252Fpasswd",
        "/time_table/%2Fetc%2Fpasswd",
        "/time_table?window=../../etc/passwd",
        "/time_table?window=%2Fetc%2Fpasswd",
        "/../../etc/passwd",
        "/limits/../../etc/passwd",
        "/time_table/....//....//etc/passwd",
    ] {
        let (code, body) = get(e.addr, path, Some(TOKEN));
        assert!(code == 400 || code == 404, "{path}: {code} {body}");
        assert!(!body.contains("root:"), "{path}: {body}");
    }
}

#[test]
fn huge_headers_are_refused_and_the_service_stays_up() {
    let mut e = EdgeServe::node(1, &[]);
    let big = "a".repeat(64 * 1024);
    let (code, body) = raw(
        e.addr,
        &format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\nConnection: close\r\n\r\n"),
    );
    assert!(code == 431 || code == 0, "{code} {body}");
    // Many headers.
    let mut many = String::new();
    for i in 0..500 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    let (code, _) = raw(
        e.addr,
        &format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n"),
    );
    assert!(code == 431 || code == 0, "{code}");
    assert!(e.alive());
    assert_eq!(get(e.addr, "/healthz", None).0, 200);
    assert_eq!(get(e.addr, "/time_table/2h", None).0, 200);
}

#[test]
fn a_slow_client_blocks_nobody_and_is_dropped_after_the_timeout() {
    let e = EdgeServe::node(1, &["--header-timeout", "2s"]);
    // Two slow clients, one byte a second.
    let slow: Vec<_> = (0..2)
        .map(|_| {
            let addr = e.addr;
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
                let started = Instant::now();
                let req = b"GET /time_table/2h HTTP/1.1\r\nHost: x\r\n\r\n";
                let mut buf = [0u8; 1024];
                for b in req.iter().take(20) {
                    if s.write_all(&[*b]).is_err() {
                        return started.elapsed();
                    }
                    let t = Instant::now();
                    while t.elapsed() < Duration::from_secs(1) {
                        match s.read(&mut buf) {
                            Ok(0) => return started.elapsed(), // closed by the server
                            Ok(_) => {}                        // a 408 before closing
                            Err(e)
                                if e.kind() == std::io::ErrorKind::WouldBlock
                                    || e.kind() == std::io::ErrorKind::TimedOut => {}
                            Err(_) => return started.elapsed(),
                        }
                    }
                }
                Duration::from_secs(3600)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // Meanwhile other clients are answered (bounded loose limit: the point is "not
    // blocked until the slow ones finish", which would take 20 s).
    for _ in 0..5 {
        let t = Instant::now();
        assert_eq!(get(e.addr, "/time_table/2h", None).0, 200);
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    }
    for h in slow {
        let dropped_after = h.join().unwrap();
        assert!(
            dropped_after < Duration::from_secs(10),
            "the slow client was not dropped ({dropped_after:?})"
        );
    }
}

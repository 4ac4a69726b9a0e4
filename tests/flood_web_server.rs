//! `flood` against real servers: it makes a small `web-server` unavailable to `measure`
//! while it runs (and not after), keeps going when the server stops answering or goes away,
//! and stops on time.

mod web_server_util;
use web_server_util::start_web_server;

use edgeshift::node::web_server::{RunningServer, ServerConfig};
use edgeshift::probe::flood::{run, FloodOptions};
use edgeshift::probe::measure::{measure, MeasureOptions};
use std::io::Read;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn probe(url: &str, attempts: u32) -> edgeshift::table::probe::ProbeRow {
    let mut o = MeasureOptions::new(format!("{url}/"), attempts);
    o.pause = Duration::from_millis(30);
    o.timeout = Duration::from_secs(2);
    measure(&o).unwrap()
}

#[test]
fn a_flood_makes_a_small_server_unavailable_while_it_runs() {
    let (mut server, url) = start_web_server(&["--workers", "1", "--work", "20ms"]);
    let before = probe(&url, 3);
    assert_eq!(before.errors, 0, "{before:?}");

    let flood = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args([
            "flood",
            &format!("{url}/"),
            "0.08",
            "--concurrency",
            "8",
            "--json",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let during = probe(&url, 10);
    let out = flood.wait_with_output().unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(during.errors > 0, "no errors during the flood: {during:?}");
    assert!(report["sent"].as_u64().unwrap() > 0);
    assert!(report["answered"].as_u64().unwrap() > 0, "{report}");
    assert!(
        report["errors"]["status_5xx"].as_u64().unwrap() > 0,
        "{report}"
    );
    assert!(
        report["latency"]["p99_ms"].as_f64().unwrap()
            >= report["latency"]["p50_ms"].as_f64().unwrap()
    );

    std::thread::sleep(Duration::from_millis(300));
    let after = probe(&url, 5);
    assert_eq!(after.errors, 0, "errors after the flood: {after:?}");

    // Graceful stop on SIGTERM.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(server.wait().unwrap().success());
}

#[test]
fn a_server_that_never_answers_gives_timeouts_and_the_flood_stops_on_time() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut b = [0u8; 1024];
                while matches!(s.read(&mut b), Ok(n) if n > 0) {}
            });
        }
    });
    let mut o = FloodOptions::new(
        format!("http://127.0.0.1:{port}/"),
        Duration::from_millis(1500),
    );
    o.concurrency = 4;
    o.timeout = Duration::from_millis(300);
    let start = Instant::now();
    let r = run(&o).unwrap();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert_eq!(r.answered, 0);
    assert!(r.errors.timeout >= 4, "{r:?}");
    assert!(r.sent >= r.errors.timeout);
}

#[test]
fn a_flood_survives_the_server_going_away() {
    let server = RunningServer::start({
        let mut c = ServerConfig::new("127.0.0.1:0".parse().unwrap());
        c.work = Duration::ZERO;
        c
    })
    .unwrap();
    let url = format!("http://{}/", server.addr);
    let mut o = FloodOptions::new(url, Duration::from_millis(1500));
    o.concurrency = 4;
    o.timeout = Duration::from_millis(300);
    let flood = std::thread::spawn(move || run(&o).unwrap());
    std::thread::sleep(Duration::from_millis(500));
    server.stop().unwrap();
    let r = flood.join().unwrap();
    assert!(r.answered > 0, "{r:?}");
    assert!(r.errors.total() > 0, "{r:?}");
    assert!(r.errors.connect > 0, "{r:?}");
    assert!(r.duration_s < 3.0, "{r:?}");
}

#[test]
fn open_loop_sends_at_the_scheduled_rate() {
    let server = RunningServer::start({
        let mut c = ServerConfig::new("127.0.0.1:0".parse().unwrap());
        c.work = Duration::ZERO;
        c
    })
    .unwrap();
    let mut o = FloodOptions::new(format!("http://{}/", server.addr), Duration::from_secs(1));
    o.rate = Some(200.0);
    o.concurrency = 16;
    let r = run(&o).unwrap();
    assert_eq!(r.mode, "open");
    // 200 requests are scheduled in one second, whatever the server does.
    assert!((195..=200).contains(&r.sent), "{r:?}");
    assert_eq!(r.answered + r.errors.total() + r.abandoned, r.sent, "{r:?}");
    assert!(r.answered >= 150, "{r:?}");
    assert!(r.latency.count == r.answered);
}

#[test]
fn bad_arguments_are_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args(["flood", "ftp://x/", "0.01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args(["flood", "http://127.0.0.1:1/", "-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

//! `diag --source prometheus` against a fake node_exporter on 127.0.0.1 whose counters grow
//! at known rates: 0.5 busy CPU-seconds per second (user + system; idle and iowait ignored)
//! and an app using 25 % of a CPU.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::Instant;

fn serve_metrics() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let start = Instant::now();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let t = start.elapsed().as_secs_f64();
            let body = format!(
                "# TYPE node_cpu_seconds_total counter\n\
node_cpu_seconds_total{{cpu=\"0\",mode=\"idle\"}} {}\n\
node_cpu_seconds_total{{cpu=\"0\",mode=\"iowait\"}} {}\n\
node_cpu_seconds_total{{cpu=\"0\",mode=\"user\"}} {}\n\
node_cpu_seconds_total{{cpu=\"1\",mode=\"system\"}} {}\n\
node_network_transmit_bytes_total{{device=\"eth0\"}} 123456\n\
node_network_receive_bytes_total{{device=\"eth0\"}} 654321\n\
node_network_transmit_bytes_total{{device=\"lo\"}} 1\n\
node_network_receive_bytes_total{{device=\"lo\"}} 1\n\
process_cpu_seconds_total {}\n\
edgeshift_http_sent_bytes_total 5000\n\
edgeshift_http_received_bytes_total 6000\n",
                1000.0 + 1.0 * t,
                50.0 + 0.5 * t,
                100.0 + 0.3 * t,
                80.0 + 0.2 * t,
                10.0 + 0.25 * t
            );
            let mut b = [0u8; 2048];
            let _ = s.read(&mut b);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/metrics")
}

#[test]
fn reads_rates_and_counters_from_an_exposition_endpoint() {
    let url = serve_metrics();
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args([
            "diag",
            "web",
            "--source",
            "prometheus",
            "--prometheus",
            &url,
        ])
        .args(["--interface", "eth0", "--no-state", "--sample-pause", "1s"])
        .args(["--at", "2024-03-04T00:01:00"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let f: Vec<&str> = line.trim_end().split(',').collect();
    assert_eq!(f[0], "2024-03-04T00:01:00.000000");
    let cpu: f64 = f[1].parse().unwrap();
    let app: f64 = f[2].parse().unwrap();
    assert!((cpu - 0.5).abs() < 0.1, "{line}");
    assert!((app - 25.0).abs() < 5.0, "{line}");
    assert_eq!(&f[3..], ["123456", "654321", "5000", "6000"]);

    // A missing metric is an error naming it; nothing on stdout.
    let out = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args([
            "diag",
            "web",
            "--source",
            "prometheus",
            "--prometheus",
            &url,
        ])
        .args([
            "--no-state",
            "--sample-pause",
            "0s",
            "--app-tx-metric",
            "nope_total",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope_total"));
}

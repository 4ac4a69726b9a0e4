//! Shared helpers of the edge service and monitor integration tests: start a real
//! `edgeshift edge-serve` child on 127.0.0.1 port 0, talk raw HTTP to it, write probe files.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_edgeshift");

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/hourly-2d")
        .join(name)
}

/// A running edge service, killed on drop.
pub struct EdgeServe {
    pub child: Child,
    pub addr: SocketAddr,
}

impl EdgeServe {
    /// Starts `edge-serve` with `--listen 127.0.0.1:0` and the extra arguments.
    pub fn start(data: &Path, limits: &Path, server: &str, extra: &[&str]) -> EdgeServe {
        let mut child = Command::new(BIN)
            .arg("edge-serve")
            .arg("--data")
            .arg(data)
            .arg("--limits")
            .arg(limits)
            .arg("--server")
            .arg(server)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("edge-serve: listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        EdgeServe { child, addr }
    }

    /// Starts the service of recorded node 1 or 2 (data/hourly-2d, reference limits).
    pub fn node(k: u32, extra: &[&str]) -> EdgeServe {
        EdgeServe::start(
            &data(&format!("eden{k}_measure.csv")),
            &data(&format!("reference/eden{k}_measure.limits.cleared.csv")),
            &format!("web-server{k}"),
            extra,
        )
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for EdgeServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A raw HTTP/1.1 exchange (no client-side path normalisation): returns (status, body);
/// status 0 when the server closed the connection without an answer.
pub fn raw(addr: SocketAddr, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let _ = s.write_all(request.as_bytes());
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// `GET path` with an optional bearer token; returns (status, body, headers).
pub fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> (u16, String) {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    raw(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"),
    )
}

/// Writes a probe file: one row a minute for `minutes` minutes ending at `end` (ISO, a
/// whole minute), Errors from `errors(i)` (i = 0 is the oldest row).
pub fn write_probes(path: &Path, end: &str, minutes: i64, errors: impl Fn(i64) -> u32) {
    let end = edgeshift::table::time::parse_time(end).unwrap();
    let mut s = String::from("Time,Successful attempts,Responce time,Errors\n");
    for i in 0..minutes {
        let t = end - (minutes - 1 - i) * 60_000_000;
        let e = errors(i);
        let rt = if e < 10 { "0:00:00.004057" } else { "" };
        s.push_str(&format!(
            "{},{},{rt},{e}\n",
            edgeshift::table::time::format_time(t),
            10 - e
        ));
    }
    std::fs::write(path, s).unwrap();
}

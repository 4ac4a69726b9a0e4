//! Shared by the integration tests that need a real `edgeshift web-server`: starts one on
//! 127.0.0.1 port 0 and reads the address it prints.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts `edgeshift web-server --listen 127.0.0.1:0 ARGS...`; returns the child and its
/// URL (`http://127.0.0.1:PORT`, the real port).
pub fn start_web_server(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_edgeshift"))
        .args(["web-server", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    (child, url)
}

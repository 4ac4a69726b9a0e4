//! `monitor --react --switch-config`: the serving node (read from the switch's hosts file)
//! fails unexpectedly; the monitor switches at once, in-process, with the real switch
//! (process driver: python3 http.server on 127.0.0.2 / 127.0.0.3, a temporary hosts file).

mod edge_serve_util;

use edge_serve_util::*;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn switch_config(d: &Path) -> std::path::PathBuf {
    let (p1, p2) = (free_port(), free_port());
    let server = |ip: &str, port: u16| {
        format!(
            "program = \"python3\"\nargs = [\"-m\", \"http.server\", \"--bind\", \"{ip}\", \"{port}\"]\ndir = \"{}\"",
            d.display()
        )
    };
    let toml = format!(
        r#"service = "web-server"
hosts_file = "{d}/hosts"
lock_file = "{d}/switch.lock"
start_timeout = "10s"
stop_timeout = "3s"
service_check_timeout = "5s"
log_stderr = false
[health]
good = 2
interval = "100ms"
timeout = "1s"

[[node]]
name = "web-server1"
address = "127.0.0.2"
health_url = "http://127.0.0.2:{p1}/"
[node.driver]
kind = "process"
{s1}
pid_file = "{d}/ws1.pid"

[[node]]
name = "web-server2"
address = "127.0.0.3"
health_url = "http://127.0.0.3:{p2}/"
[node.driver]
kind = "process"
{s2}
pid_file = "{d}/ws2.pid"
"#,
        d = d.display(),
        s1 = server("127.0.0.2", p1),
        s2 = server("127.0.0.3", p2),
    );
    let p = d.join("switch.toml");
    std::fs::write(&p, toml).unwrap();
    p
}

#[test]
fn react_switches_in_process_from_the_node_the_hosts_file_names() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: no python3 for the stand-in web servers");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("index.html"), "ok\n").unwrap();
    // web-server2 serves now (the hosts file says so).
    std::fs::write(
        d.join("hosts"),
        "127.0.0.1\tlocalhost\n127.0.0.3 web-server\n",
    )
    .unwrap();
    let sw = switch_config(d);
    let (e1, e2) = (EdgeServe::node(1, &[]), EdgeServe::node(2, &[]));
    let cfg = d.join("monitor.toml");
    std::fs::write(
        &cfg,
        format!(
            "[monitor]\nprobe = {:?}\nswitch_cmd = \"/bin/false\"\nedge_window = \"2h\"\nswitch_config = {:?}\n[[node]]\nname = \"web-server1\"\nedge_url = {:?}\n[[node]]\nname = \"web-server2\"\nedge_url = {:?}\n",
            d.join("probe.csv"),
            sw,
            e1.url(),
            e2.url()
        ),
    )
    .unwrap();
    // At :20 web-server2 is not expected busy, yet the last 3 probe rows fail.
    let now = "2024-03-06T00:20:00";
    write_probes(&d.join("probe.csv"), now, 180, |i| {
        if i >= 177 {
            10
        } else {
            0
        }
    });
    let out = Command::new(BIN)
        .args(["monitor", "--react", "--now", now, "--config"])
        .arg(&cfg)
        .arg("--cache-dir")
        .arg(d.join("cache"))
        .arg("--crontab-file")
        .arg(d.join("crontab"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let j: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim())
        .unwrap_or_else(|e| panic!("{e}: {stderr}"));
    // Stop the web server the switch started, whatever happened.
    if let Ok(pid) = std::fs::read_to_string(d.join("ws1.pid")) {
        let _ = Command::new("kill").arg(pid.trim()).status();
    }
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{j}");
    assert_eq!(j["reaction"]["outcome"], "switched", "{j}");
    assert_eq!(j["reaction"]["from"], "web-server2");
    assert_eq!(j["reaction"]["to"], "web-server1");
    let hosts = std::fs::read_to_string(d.join("hosts")).unwrap();
    assert!(hosts.contains("127.0.0.2 web-server"), "{hosts}");
    assert!(hosts.starts_with("127.0.0.1\tlocalhost\n"), "{hosts}");
}

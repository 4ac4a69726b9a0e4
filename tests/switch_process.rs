//! `edgeshift switch` with the `process` driver: real local web servers (python3
//! http.server on 127.0.0.x), a temporary hosts file, a real lock file.

mod support_issue3;

use assert_cmd::Command as Cmd;
use edgeshift::switch::config::{Config, LockMode};
use edgeshift::switch::driver::{driver_for, pid_alive, read_pid};
use edgeshift::switch::lock::SwitchLock;
use edgeshift::switch::run_switch;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use support_issue3::{free_port, port_open, wait_for};

const HOSTS: &str = "127.0.0.1\tlocalhost\n# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost ip6-loopback\n127.0.0.2 web-server   # the service\n10.1.2.3 other-host";

struct Setup {
    dir: tempfile::TempDir,
    cfg_path: PathBuf,
    cfg: Config,
    ports: [u16; 2],
}

impl Setup {
    /// Node ws1 serves on 127.0.0.2, ws2 on 127.0.0.3. `ws2_program` replaces ws2's server
    /// (e.g. a program that never answers); `extra` is appended to the top-level settings.
    fn new(ws2_delay: &str, ws2_broken: bool, extra: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("hosts"), HOSTS).unwrap();
        std::fs::write(d.join("index.html"), "ok\n").unwrap();
        let ports = [free_port(), free_port()];
        let server = |ip: &str, port: u16| {
            format!(
                "program = \"python3\"\nargs = [\"-m\", \"http.server\", \"--bind\", \"{ip}\", \"{port}\"]\ndir = \"{}\"",
                d.display()
            )
        };
        let ws2 = if ws2_broken {
            "program = \"sleep\"\nargs = [\"60\"]".to_string()
        } else {
            server("127.0.0.3", ports[1])
        };
        let toml = format!(
            r#"service = "web-server"
hosts_file = "{d}/hosts"
lock_file = "{d}/switch.lock"
{start_timeout}
stop_timeout = "3s"
service_check_timeout = "5s"
log_file = "{d}/switch.log"
{extra}
[health]
good = 2
interval = "100ms"
timeout = "1s"

[[node]]
name = "ws1"
address = "127.0.0.2"
health_url = "http://127.0.0.2:{p1}/"
[node.driver]
kind = "process"
{s1}
pid_file = "{d}/ws1.pid"

[[node]]
name = "ws2"
address = "127.0.0.3"
health_url = "http://127.0.0.3:{p2}/"
[node.driver]
kind = "process"
{ws2}
pid_file = "{d}/ws2.pid"
start_delay = "{ws2_delay}"
"#,
            d = d.display(),
            p1 = ports[0],
            p2 = ports[1],
            s1 = server("127.0.0.2", ports[0]),
            start_timeout = if extra.contains("start_timeout") {
                ""
            } else {
                "start_timeout = \"8s\""
            },
        );
        let cfg_path = d.join("edgeshift.toml");
        std::fs::write(&cfg_path, &toml).unwrap();
        let mut cfg = Config::load(&cfg_path).unwrap();
        cfg.log_stderr = false;
        Setup {
            dir,
            cfg_path,
            cfg,
            ports,
        }
    }

    fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    fn start_ws1(&self) {
        driver_for(&self.cfg, self.cfg.node("ws1").unwrap())
            .start()
            .unwrap();
        assert!(wait_for(Duration::from_secs(10), || port_open_at(
            "127.0.0.2",
            self.ports[0]
        )));
    }

    fn alive(&self, node: &str) -> bool {
        read_pid(&self.path(&format!("{node}.pid"))).is_some_and(pid_alive)
    }

    fn hosts(&self) -> String {
        std::fs::read_to_string(self.path("hosts")).unwrap()
    }

    fn switch_cmd(&self, from: &str, to: &str) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_edgeshift"));
        c.args(["switch", from, to, "--config"]).arg(&self.cfg_path);
        c
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        for n in ["ws1", "ws2"] {
            let _ = driver_for(&self.cfg, self.cfg.node(n).unwrap()).stop();
        }
    }
}

fn port_open_at(ip: &str, port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &format!("{ip}:{port}").parse().unwrap(),
        Duration::from_millis(200),
    )
    .is_ok()
}

fn lock_is_free(p: &Path) -> bool {
    SwitchLock::acquire(p, LockMode::Fail, Duration::ZERO).is_ok()
}

#[test]
fn switch_moves_the_service_and_back() {
    let s = Setup::new("0s", false, "");
    s.start_ws1();
    let r = run_switch(&s.cfg, "ws1", "ws2").unwrap();
    assert!(r.started_by_us && r.hosts_changed && r.stopped_from);
    assert!(port_open_at("127.0.0.3", s.ports[1]));
    assert!(!s.alive("ws1"));
    assert!(wait_for(Duration::from_secs(5), || !port_open_at(
        "127.0.0.2",
        s.ports[0]
    )));
    assert_eq!(
        s.hosts(),
        HOSTS.replace("127.0.0.2 web-server", "127.0.0.3 web-server")
    );
    assert_eq!(
        std::fs::read_to_string(s.path("hosts.edgeshift.bak")).unwrap(),
        HOSTS
    );
    // The step log has time stamps and every step.
    let log = std::fs::read_to_string(s.path("switch.log")).unwrap();
    for step in [
        "lock taken",
        "starting ws2",
        "ws2 healthy",
        "now points",
        "answers through its name",
        "ws1 stopped",
    ] {
        assert!(log.contains(step), "{step}: {log}");
    }
    assert!(log.starts_with("20"), "{log}");

    // And back, through the binary.
    let out = s.switch_cmd("ws2", "ws1").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("switched ws2 -> ws1"));
    assert_eq!(s.hosts(), HOSTS);
    assert!(s.alive("ws1") && !s.alive("ws2"));
    assert!(lock_is_free(&s.path("switch.lock")));
}

#[test]
fn a_target_that_never_becomes_healthy_changes_nothing() {
    let s = Setup::new("0s", true, "start_timeout = \"1500ms\"");
    s.start_ws1();
    let e = run_switch(&s.cfg, "ws1", "ws2").unwrap_err();
    let msg = format!("{e:#}");
    assert!(msg.contains("did not become healthy"), "{msg}");
    assert!(
        msg.contains("ws1 left running, hosts file untouched"),
        "{msg}"
    );
    assert!(
        msg.contains("started by this switch and has been stopped again"),
        "{msg}"
    );
    assert_eq!(s.hosts(), HOSTS);
    assert!(!s.path("hosts.edgeshift.bak").exists());
    assert!(s.alive("ws1"));
    assert!(!s.alive("ws2"));

    // When the target was already running (but unhealthy), it is left running.
    driver_for(&s.cfg, s.cfg.node("ws2").unwrap())
        .start()
        .unwrap();
    let out = s.switch_cmd("ws1", "ws2").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("running before this switch and is left running"),
        "{err}"
    );
    assert!(s.alive("ws2") && s.alive("ws1"));
    assert_eq!(s.hosts(), HOSTS);
}

#[test]
fn two_switches_at_once_with_lock_mode_fail() {
    let s = Setup::new("1500ms", false, "lock = { mode = \"fail\" }");
    s.start_ws1();
    let a = s
        .switch_cmd("ws1", "ws2")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first one holds the lock.
    assert!(wait_for(Duration::from_secs(10), || {
        std::fs::read_to_string(s.path("switch.log")).is_ok_and(|l| l.contains("lock taken"))
    }));
    let b = s.switch_cmd("ws1", "ws2").output().unwrap();
    assert_eq!(b.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&b.stderr).contains("another switch is running"));
    let a = a.wait_with_output().unwrap();
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    assert!(s.hosts().contains("127.0.0.3 web-server"));
}

#[test]
fn two_switches_at_once_with_lock_mode_wait() {
    let s = Setup::new("1s", false, "lock = { mode = \"wait\", timeout = \"30s\" }");
    s.start_ws1();
    let a = s
        .switch_cmd("ws1", "ws2")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let b = s
        .switch_cmd("ws1", "ws2")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(b.status.code(), Some(0));
    // The second found ws2 running and the hosts file right.
    let log = std::fs::read_to_string(s.path("switch.log")).unwrap();
    assert!(log.contains("ws2 was already running"), "{log}");
    assert!(log.contains("already points web-server"), "{log}");
    assert_eq!(log.matches("lock taken").count(), 2);
}

#[test]
fn sigkill_in_the_middle_leaves_hosts_whole_and_lock_free() {
    let s = Setup::new("5s", false, "");
    s.start_ws1();
    let mut child = s
        .switch_cmd("ws1", "ws2")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_for(Duration::from_secs(10), || {
        std::fs::read_to_string(s.path("switch.log")).is_ok_and(|l| l.contains("waiting for http"))
    }));
    assert!(!lock_is_free(&s.path("switch.lock")));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(s.hosts(), HOSTS);
    assert!(lock_is_free(&s.path("switch.lock")));
    assert!(s.alive("ws1"));
    // A new switch completes (ws2's delayed start is found running or restarted).
    let r = run_switch(&s.cfg, "ws1", "ws2").unwrap();
    assert!(r.hosts_changed);
    // No temporary files were left next to the hosts file.
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".edgeshift-hosts")
        })
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn bad_usage_and_bad_config_exit_2() {
    let s = Setup::new("0s", false, "");
    let out = s.switch_cmd("ws1", "ws9").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown node \"ws9\"") && err.contains("ws1, ws2"),
        "{err}"
    );
    let out = s.switch_cmd("ws1", "ws1").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A config with a missing field names it.
    let bad = s.path("bad.toml");
    std::fs::write(
        &bad,
        "[[node]]\nname = \"a\"\naddress = \"127.0.0.1\"\ndriver = { kind = \"eden\" }\n[[node]]\nname = \"b\"\naddress = \"127.0.0.1\"\nhealth_url = \"http://127.0.0.1:1/\"\ndriver = { kind = \"eden\" }\n",
    )
    .unwrap();
    let out = Cmd::cargo_bin("edgeshift")
        .unwrap()
        .args(["switch", "a", "b", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("health_url"));
    assert!(!port_open(s.ports[0]));
}

#[test]
fn a_stale_pid_file_is_not_trusted() {
    use edgeshift::switch::driver::StopOutcome;
    let s = Setup::new("0s", false, "");
    // The PID of this test process: alive, but not the node's program.
    std::fs::write(s.path("ws1.pid"), format!("{}\n", std::process::id())).unwrap();
    let drv = driver_for(&s.cfg, s.cfg.node("ws1").unwrap());
    assert_eq!(drv.stop().unwrap(), StopOutcome::WasNotRunning);
    s.start_ws1();
    assert_ne!(
        read_pid(&s.path("ws1.pid")),
        Some(std::process::id() as i32)
    );
}

//! The VM drivers call the right commands: fake `openstack`, `virsh` and `eden` scripts
//! record their arguments; a real local web server plays the started VM.

mod support_issue3;

use edgeshift::switch::config::Config;
use edgeshift::switch::run_switch;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use support_issue3::{free_port, PyServer};

/// A fake tool: appends `NAME ARGS` to `calls.txt` and keeps state: start/stop mark the
/// last argument up/down; status queries (`server show`, `domstate`) answer `up` or `down`
/// for the target named in the arguments.
fn fake(dir: &Path, name: &str, up: &str, down: &str) {
    let p = dir.join(name);
    let d = dir.display();
    std::fs::write(
        &p,
        format!(
            r#"#!/bin/sh
echo "{name} $*" >> {d}/calls.txt
for last; do :; done
case "$*" in
  *"server show"*|*domstate*)
    st='{down}'
    for a in "$@"; do [ -f "{d}/up-$a" ] && st='{up}'; done
    echo "$st" ;;
  *start*) touch "{d}/up-$last" ;;
  *stop*|*shutdown*) rm -f "{d}/up-$last" ;;
esac
exit 0
"#
        ),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn fakes(dir: &Path) {
    fake(dir, "openstack", "ACTIVE", "SHUTOFF");
    fake(dir, "virsh", "running", "shut off");
    fake(dir, "eden", "", "");
}

fn mark_up(dir: &Path, target: &str) {
    std::fs::write(dir.join(format!("up-{target}")), "").unwrap();
}

fn config(dir: &Path, port: u16) -> Config {
    let d = dir.display();
    let url = format!("http://127.0.0.1:{port}/");
    let toml = format!(
        r#"hosts_file = "{d}/hosts"
lock_file = "{d}/lock"
start_timeout = "10s"
log_stderr = false
[health]
good = 1
interval = "100ms"
[tools]
openstack = "{d}/openstack"
virsh = "{d}/virsh"
eden = "{d}/eden"
[[node]]
name = "os1"
address = "127.0.0.1"
health_url = "{url}"
driver = {{ kind = "openstack", server = "vm-os1" }}
[[node]]
name = "vi2"
address = "127.0.0.1"
health_url = "{url}"
driver = {{ kind = "virsh", domain = "dom2", connect = "qemu:///system" }}
[[node]]
name = "ed3"
address = "127.0.0.1"
health_url = "{url}"
driver = {{ kind = "eden" }}
[[node]]
name = "cm4"
address = "127.0.0.1"
health_url = "{url}"
driver = {{ kind = "command", start = "echo start {{name}} {{address}} >> {d}/calls.txt", stop = "echo stop {{name}} >> {d}/calls.txt" }}
"#
    );
    Config::parse(&toml, "drivers.toml").unwrap()
}

fn calls(dir: &Path) -> Vec<String> {
    let c = std::fs::read_to_string(dir.join("calls.txt")).unwrap_or_default();
    std::fs::remove_file(dir.join("calls.txt")).ok();
    c.lines().map(String::from).collect()
}

#[test]
fn each_driver_runs_its_commands() {
    let d = tempfile::tempdir().unwrap();
    let port = free_port();
    let _vm = PyServer::start(port, d.path());
    fakes(d.path());
    mark_up(d.path(), "vm-os1");
    std::fs::write(d.path().join("hosts"), "127.0.0.1 localhost\n").unwrap();
    let cfg = config(d.path(), port);

    run_switch(&cfg, "os1", "vi2").unwrap();
    assert_eq!(
        calls(d.path()),
        vec![
            "virsh -c qemu:///system domstate dom2",
            "virsh -c qemu:///system start dom2",
            "openstack server show vm-os1 -f value -c status",
            "openstack server stop vm-os1",
        ]
    );
    run_switch(&cfg, "vi2", "ed3").unwrap();
    assert_eq!(
        calls(d.path()),
        vec![
            "eden pod start ed3",
            "virsh -c qemu:///system domstate dom2",
            "virsh -c qemu:///system shutdown dom2",
        ]
    );
    run_switch(&cfg, "ed3", "cm4").unwrap();
    assert_eq!(
        calls(d.path()),
        vec!["start cm4 127.0.0.1", "eden pod stop ed3"]
    );
    run_switch(&cfg, "cm4", "os1").unwrap();
    assert_eq!(
        calls(d.path()),
        vec![
            "openstack server show vm-os1 -f value -c status",
            "openstack server start vm-os1",
            "stop cm4",
        ]
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("hosts")).unwrap(),
        "127.0.0.1 localhost\n127.0.0.1\tweb-server\n"
    );
}

#[test]
fn an_active_server_is_not_started_again() {
    let d = tempfile::tempdir().unwrap();
    let port = free_port();
    let _vm = PyServer::start(port, d.path());
    fakes(d.path());
    mark_up(d.path(), "vm-os1");
    let cfg = config(d.path(), port);
    // dom2 is not running: it is not stopped either.
    let r = run_switch(&cfg, "vi2", "os1").unwrap();
    assert!(!r.started_by_us && !r.stopped_from);
    assert_eq!(
        calls(d.path()),
        vec![
            "openstack server show vm-os1 -f value -c status",
            "virsh -c qemu:///system domstate dom2",
        ]
    );
}

#[test]
fn a_failing_start_command_leaves_everything() {
    let d = tempfile::tempdir().unwrap();
    let port = free_port();
    fakes(d.path());
    // eden fails.
    let p = d.path().join("eden");
    std::fs::write(&p, "#!/bin/sh\necho 'eden: pod not found' >&2\nexit 3\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(d.path().join("hosts"), "127.0.0.9 web-server\n").unwrap();
    let cfg = config(d.path(), port);
    let e = run_switch(&cfg, "os1", "ed3").unwrap_err();
    let msg = format!("{e:#}");
    assert!(
        msg.contains("pod not found") && msg.contains("os1 left running"),
        "{msg}"
    );
    assert!(calls(d.path()).is_empty());
    assert_eq!(
        std::fs::read_to_string(d.path().join("hosts")).unwrap(),
        "127.0.0.9 web-server\n"
    );
}

//! VM drivers: how to start and stop the service on a node.
//!
//! Owns the `Driver` trait and its implementations: `openstack` (`openstack server
//! start|stop NAME`, status from `openstack server show NAME -f value -c status`), `virsh`
//! (`virsh [-c URI] start|shutdown NAME`, status from `virsh domstate NAME`), `eden`
//! (`eden pod start|stop NAME`), `command` (shell templates) and `process` (a local program
//! with a PID file; SIGTERM, then SIGKILL). Must not touch the hosts file or the lock.

use super::config::{Config, DriverConfig, NodeConfig};
use anyhow::{Context, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What `start` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartOutcome {
    /// The driver started the service (so a failed switch should stop it again).
    Started,
    /// It was already running (a failed switch leaves it running).
    AlreadyRunning,
}

/// What `stop` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOutcome {
    /// The driver stopped the service.
    Stopped,
    /// A status query said it was not running: nothing done.
    WasNotRunning,
}

/// Starts and stops the service on one node.
pub trait Driver {
    /// A short description for the log, e.g. `openstack server web-server1`.
    fn describe(&self) -> String;
    /// Starts the service (returns when the start command returned, not when healthy).
    fn start(&self) -> Result<StartOutcome>;
    /// Stops the service (nothing to do when a status query says it is not running).
    fn stop(&self) -> Result<StopOutcome>;
}

/// The driver of a node.
pub fn driver_for(cfg: &Config, node: &NodeConfig) -> Box<dyn Driver> {
    let name = node.name.clone();
    match &node.driver {
        DriverConfig::Openstack { server } => Box::new(Cli {
            tool: cfg.tools.openstack.clone(),
            prefix: vec![],
            start: vec!["server".into(), "start".into()],
            stop: vec!["server".into(), "stop".into()],
            status: Some((
                vec!["server".into(), "show".into()],
                vec!["-f".into(), "value".into(), "-c".into(), "status".into()],
                "ACTIVE".into(),
            )),
            target: server.clone().unwrap_or(name),
        }),
        DriverConfig::Virsh { domain, connect } => Box::new(Cli {
            tool: cfg.tools.virsh.clone(),
            prefix: connect
                .as_ref()
                .map(|c| vec!["-c".to_string(), c.clone()])
                .unwrap_or_default(),
            start: vec!["start".into()],
            stop: vec!["shutdown".into()],
            status: Some((vec!["domstate".into()], vec![], "running".into())),
            target: domain.clone().unwrap_or(name),
        }),
        DriverConfig::Eden { pod } => Box::new(Cli {
            tool: cfg.tools.eden.clone(),
            prefix: vec![],
            start: vec!["pod".into(), "start".into()],
            stop: vec!["pod".into(), "stop".into()],
            status: None,
            target: pod.clone().unwrap_or(name),
        }),
        DriverConfig::Command {
            start,
            stop,
            status,
        } => {
            let fill = |t: &str| {
                t.replace("{name}", &node.name)
                    .replace("{address}", &node.address)
            };
            Box::new(Shell {
                start: fill(start),
                stop: fill(stop),
                status: status.as_deref().map(fill),
                node: node.name.clone(),
            })
        }
        DriverConfig::Process {
            program,
            args,
            env,
            pid_file,
            dir,
            log_file,
            start_delay,
        } => Box::new(Process {
            node: node.name.clone(),
            program: program.clone(),
            args: args.clone(),
            env: env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            pid_file: pid_file.clone(),
            dir: dir.clone(),
            log_file: log_file.clone(),
            start_delay: start_delay.unwrap_or_default(),
            stop_timeout: cfg.stop_timeout,
        }),
    }
}

fn run_checked(cmd: &mut Command, what: &str) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {what}"))?;
    if !out.status.success() {
        anyhow::bail!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A VM command-line tool (openstack, virsh, eden).
struct Cli {
    tool: PathBuf,
    prefix: Vec<String>,
    start: Vec<String>,
    stop: Vec<String>,
    /// (args before the target, args after it, the status text meaning "running").
    status: Option<(Vec<String>, Vec<String>, String)>,
    target: String,
}

impl Cli {
    fn call(&self, verb: &[String], after: &[String]) -> Result<String> {
        let mut args: Vec<String> = self.prefix.clone();
        args.extend(verb.iter().cloned());
        args.push(self.target.clone());
        args.extend(after.iter().cloned());
        let what = format!("{} {}", self.tool.display(), args.join(" "));
        run_checked(Command::new(&self.tool).args(&args), &what)
    }
}

impl Cli {
    /// The status query's answer: Some(true/false), or None without a (working) query.
    fn running(&self) -> Option<bool> {
        let (verb, after, running) = self.status.as_ref()?;
        let s = self.call(verb, after).ok()?;
        Some(s.trim().eq_ignore_ascii_case(running))
    }
}

impl Driver for Cli {
    fn describe(&self) -> String {
        format!("{} {}", self.tool.display(), self.target)
    }

    fn start(&self) -> Result<StartOutcome> {
        // A failing status query is not fatal: try to start.
        if self.running() == Some(true) {
            return Ok(StartOutcome::AlreadyRunning);
        }
        self.call(&self.start, &[])?;
        Ok(StartOutcome::Started)
    }

    fn stop(&self) -> Result<StopOutcome> {
        if self.running() == Some(false) {
            return Ok(StopOutcome::WasNotRunning);
        }
        self.call(&self.stop, &[])?;
        Ok(StopOutcome::Stopped)
    }
}

/// Shell command templates.
struct Shell {
    start: String,
    stop: String,
    status: Option<String>,
    node: String,
}

impl Shell {
    fn sh(&self, script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script).env("EDGESHIFT_NODE", &self.node);
        c
    }
}

impl Shell {
    /// Exit status of the status template (0 = running); None without a template.
    fn running(&self) -> Option<bool> {
        let st = self.status.as_ref()?;
        let ok = self
            .sh(st)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        Some(ok)
    }
}

impl Driver for Shell {
    fn describe(&self) -> String {
        format!("command {:?}", self.start)
    }

    fn start(&self) -> Result<StartOutcome> {
        if self.running() == Some(true) {
            return Ok(StartOutcome::AlreadyRunning);
        }
        run_checked(
            &mut self.sh(&self.start),
            &format!("sh -c {:?}", self.start),
        )?;
        Ok(StartOutcome::Started)
    }

    fn stop(&self) -> Result<StopOutcome> {
        if self.running() == Some(false) {
            return Ok(StopOutcome::WasNotRunning);
        }
        run_checked(&mut self.sh(&self.stop), &format!("sh -c {:?}", self.stop))?;
        Ok(StopOutcome::Stopped)
    }
}

/// A local program with a PID file.
struct Process {
    node: String,
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    pid_file: PathBuf,
    dir: Option<PathBuf>,
    log_file: Option<PathBuf>,
    start_delay: Duration,
    stop_timeout: Duration,
}

/// True when `pid` is a live process (not a zombie).
pub fn pid_alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => {
            // state is the field after the ")" of the command name.
            let state = s
                .rsplit_once(')')
                .and_then(|(_, r)| r.split_whitespace().next());
            !matches!(state, Some("Z") | Some("X") | None)
        }
        Err(_) => false,
    }
}

/// True when `pid` is alive and runs `program` (one of its command-line words is the
/// program or has the same file name), so that a stale pid file whose PID was reused by
/// another process is not taken for ours.
pub fn pid_runs(pid: i32, program: &str) -> bool {
    if !pid_alive(pid) {
        return false;
    }
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let want = Path::new(program).file_name();
    cmdline
        .split(|b| *b == 0)
        .filter(|w| !w.is_empty())
        .any(|w| {
            let w = String::from_utf8_lossy(w);
            w == program || (want.is_some() && Path::new(w.as_ref()).file_name() == want)
        })
}

/// The PID recorded in a pid file, if any.
pub fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

const START_SCRIPT: &str = r#"delay=$1; log=$2; shift 2
( if [ "$delay" != "0" ]; then sleep "$delay"; fi; exec "$@" ) </dev/null >>"$log" 2>&1 &
echo $!"#;

impl Driver for Process {
    fn describe(&self) -> String {
        format!(
            "process {} (pid file {})",
            self.program,
            self.pid_file.display()
        )
    }

    fn start(&self) -> Result<StartOutcome> {
        if let Some(pid) = read_pid(&self.pid_file) {
            if pid_runs(pid, &self.program) {
                return Ok(StartOutcome::AlreadyRunning);
            }
        }
        let log: OsString = self
            .log_file
            .as_ref()
            .map(|p| p.as_os_str().to_owned())
            .unwrap_or_else(|| "/dev/null".into());
        let delay = format!("{:.3}", self.start_delay.as_secs_f64());
        let delay = if self.start_delay.is_zero() {
            "0".to_string()
        } else {
            delay
        };
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(START_SCRIPT)
            .arg("edgeshift-start")
            .arg(delay)
            .arg(log)
            .arg(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("EDGESHIFT_NODE", &self.node);
        if let Some(d) = &self.dir {
            cmd.current_dir(d);
        }
        let out = run_checked(&mut cmd, &format!("starting {}", self.program))?;
        let pid: i32 = out.trim().parse().with_context(|| {
            format!(
                "starting {}: no PID from the start script ({out:?})",
                self.program
            )
        })?;
        crate::table::atomic::write_string_atomic(&self.pid_file, &format!("{pid}\n"))
            .with_context(|| format!("cannot write the pid file {}", self.pid_file.display()))?;
        Ok(StartOutcome::Started)
    }

    fn stop(&self) -> Result<StopOutcome> {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        let Some(pid) = read_pid(&self.pid_file) else {
            return Ok(StopOutcome::WasNotRunning);
        };
        let was_alive = pid_runs(pid, &self.program);
        if was_alive {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
            let t0 = Instant::now();
            while pid_alive(pid) && t0.elapsed() < self.stop_timeout {
                std::thread::sleep(Duration::from_millis(50));
            }
            if pid_alive(pid) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                let t1 = Instant::now();
                while pid_alive(pid) && t1.elapsed() < Duration::from_secs(5) {
                    std::thread::sleep(Duration::from_millis(50));
                }
                if pid_alive(pid) {
                    anyhow::bail!("process {pid} of {} survived SIGKILL", self.node);
                }
            }
        }
        let _ = std::fs::remove_file(&self.pid_file);
        Ok(if was_alive {
            StopOutcome::Stopped
        } else {
            StopOutcome::WasNotRunning
        })
    }
}

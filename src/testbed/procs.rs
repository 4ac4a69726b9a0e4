//! Child processes of the testbed: one process group for everything the testbed starts
//! (directly or through `switch`'s `process` driver), killed as a whole when the testbed
//! ends, fails or is interrupted.
//!
//! A `sleep` keeper leads the group so that the group exists for the whole run; every
//! child joins it, and grandchildren (the web servers that `switch` starts) inherit it.
//! [`ProcGroup`]'s `Drop` sends SIGTERM to the group, then SIGKILL. Direct children also get
//! the parent-death signal (SIGKILL), so that they do not outlive a testbed that was itself
//! killed with SIGKILL; the web servers that `switch` starts (grandchildren) are only reached
//! through the group.

use anyhow::{Context, Result};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The testbed's process group.
pub struct ProcGroup {
    keeper: Option<Child>,
    pgid: i32,
}

impl ProcGroup {
    /// Starts the group (its leader is a `sleep` that lives as long as the testbed).
    pub fn new() -> Result<ProcGroup> {
        let mut keeper = Command::new("sleep");
        keeper.arg("86400").process_group(0);
        die_with_parent(&mut keeper);
        let keeper = keeper
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting the process group keeper (`sleep`)")?;
        let pgid = keeper.id() as i32;
        Ok(ProcGroup {
            keeper: Some(keeper),
            pgid,
        })
    }

    /// The group id children join.
    pub fn pgid(&self) -> i32 {
        self.pgid
    }

    /// A tokio command that joins the group and is killed when its handle is dropped.
    pub fn command(&self, program: &std::path::Path) -> tokio::process::Command {
        group_command(self.pgid, program)
    }

    /// A std command that joins the group (for long-lived children).
    pub fn std_command(&self, program: &std::path::Path) -> Command {
        let mut c = Command::new(program);
        c.process_group(self.pgid).stdin(Stdio::null());
        die_with_parent(&mut c);
        c
    }

    /// Terminates every process of the group: SIGTERM, up to `grace`, then SIGKILL.
    pub fn kill_all(&mut self, grace: Duration) {
        let pg = Pid::from_raw(self.pgid);
        let _ = killpg(pg, Signal::SIGTERM);
        let until = Instant::now() + grace;
        // The group is gone once killpg(0) fails (ESRCH), except for the reaped keeper.
        while Instant::now() < until {
            if let Some(k) = self.keeper.as_mut() {
                let _ = k.try_wait();
            }
            if killpg(pg, None).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = killpg(pg, Signal::SIGKILL);
        if let Some(mut k) = self.keeper.take() {
            let _ = k.kill();
            let _ = k.wait();
        }
    }
}

impl Drop for ProcGroup {
    fn drop(&mut self) {
        if self.keeper.is_some() {
            self.kill_all(Duration::from_millis(500));
        }
    }
}

/// A tokio command that joins process group `pgid` and is killed when its handle is dropped
/// (for tasks that cannot hold the [`ProcGroup`]).
pub fn group_command(pgid: i32, program: &std::path::Path) -> tokio::process::Command {
    let mut c = Command::new(program);
    c.process_group(pgid).stdin(Stdio::null());
    die_with_parent(&mut c);
    let mut c = tokio::process::Command::from(c);
    c.kill_on_drop(true);
    c
}

/// Asks the kernel to SIGKILL the child when the thread that started it exits. The testbed
/// starts children from the thread that runs the experiment and from tokio's worker
/// threads, which all live until the children are stopped.
fn die_with_parent(c: &mut Command) {
    // SAFETY: the closure runs in the child between fork and exec and only calls prctl(2),
    // which is async-signal-safe; it allocates nothing and takes no lock.
    unsafe {
        c.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(std::io::Error::from)
        });
    }
}

/// Sends a signal to one process (used to stop a flood or kill a node's server).
pub fn signal(pid: u32, sig: Signal) -> bool {
    nix::sys::signal::kill(Pid::from_raw(pid as i32), sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_group_kills_grandchildren() {
        let g = ProcGroup::new().unwrap();
        // A shell that starts a background grandchild and exits.
        let out = g
            .std_command(std::path::Path::new("sh"))
            .arg("-c")
            .arg("sleep 300 >/dev/null 2>&1 & echo $!")
            .output()
            .unwrap();
        let pid: i32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        assert!(nix::sys::signal::kill(Pid::from_raw(pid), None).is_ok());
        drop(g);
        std::thread::sleep(Duration::from_millis(100));
        // Reaped by init or a zombie at worst: no longer a live `sleep`.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        assert!(stat.is_empty() || stat.contains(") Z"), "{stat}");
    }
}

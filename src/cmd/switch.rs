//! `edgeshift switch FROM TO [--config FILE]`
//!
//! Moves the service from node FROM to node TO: lock, start TO, wait until healthy, point
//! the service name at TO in the hosts file, check the service through the name, stop FROM.
//! Every step is logged with a time stamp to stderr. The work is `edgeshift::switch`.

use anyhow::Result;
use edgeshift::switch::{config::Config, run_switch};
use std::path::PathBuf;
use std::process::ExitCode;

/// Move the service from one node to another (start, check, repoint, stop).
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Move the service from node FROM to node TO.\n\n\
Steps: take the switch lock (one switch at a time); start TO with its driver (openstack, virsh, \
eden, command or process); wait until TO's health URL gave N good answers in a row; point the \
service name at TO's address in the hosts file (atomic rewrite, other lines kept byte for byte, \
backup HOSTS.edgeshift.bak); check the service through the name; stop FROM.\n\n\
If TO never becomes healthy: FROM keeps running, the hosts file is untouched, TO is stopped again \
only if this switch started it, exit code 1. Unknown nodes or a bad config: exit code 2. \
The config is --config FILE, else ./edgeshift.toml, else /etc/edgeshift/edgeshift.toml \
(see `edgeshift config example`). Files written: the hosts file and its backup, the lock file, \
pid files of `process` nodes, the log file if configured.",
    after_help = "Example (what the crontab lines of `edgeshift plan` run):\n  edgeshift switch web-server1 web-server2 --config /etc/edgeshift/edgeshift.toml"
)]
pub struct Args {
    /// The node serving now (as in the config's [[node]] names).
    pub from: String,
    /// The node to serve next.
    pub to: String,
    /// Config file (TOML).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let cfg = Config::find(args.config.as_deref())?;
    let r = run_switch(&cfg, &args.from, &args.to)?;
    println!(
        "switched {} -> {} in {:.1}s (healthy after {:.1}s, {}{})",
        r.from,
        r.to,
        r.elapsed.as_secs_f64(),
        r.healthy_after.as_secs_f64(),
        if r.hosts_changed {
            "hosts file updated"
        } else {
            "hosts file already right"
        },
        if r.stopped_from {
            format!(", {} stopped", r.from)
        } else {
            String::new()
        }
    );
    if let Some(e) = r.stop_error {
        eprintln!(
            "edgeshift switch: warning: the service is on {} but stopping {} failed: {e}",
            r.to, r.from
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

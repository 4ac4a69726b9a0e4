//! `edgeshift config example | check [FILE]`
//!
//! `example` prints a commented example of the switch configuration (edgeshift.toml);
//! `check` parses a config and prints a summary (exit 2 with the reason when it is wrong).

use anyhow::Result;
use edgeshift::switch::config::{Config, EXAMPLE};
use std::path::PathBuf;
use std::process::ExitCode;

/// Print an example configuration file.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Print a commented example of the switch configuration (edgeshift.toml), or check one.\n\n\
The configuration names the service, the hosts file, the lock, timeouts, health checks, the \
paths of the VM tools, and each node with its address, health URL and driver. Writes nothing.",
    after_help = "Examples:\n  edgeshift config example > /etc/edgeshift/edgeshift.toml\n  edgeshift config check /etc/edgeshift/edgeshift.toml"
)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Print a commented example config to stdout.
    Example,
    /// Parse a config (default: ./edgeshift.toml, then /etc/edgeshift/edgeshift.toml).
    Check {
        /// The config file.
        file: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.action {
        Action::Example => print!("{EXAMPLE}"),
        Action::Check { file } => {
            let c = Config::find(file.as_deref())?;
            println!(
                "service {} in {}; lock {}; {} nodes:",
                c.service,
                c.hosts_file.display(),
                c.lock_file.display(),
                c.nodes.len()
            );
            for n in &c.nodes {
                println!(
                    "  {:<16} {:<16} {:<8} {}",
                    n.name,
                    n.address,
                    n.driver.kind(),
                    n.health_url
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

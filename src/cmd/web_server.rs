//! `edgeshift web-server`: serve the web service with a finite capacity (runs in the service vm).
//!
//! (Issue 4: not implemented yet.)

use std::process::ExitCode;

/// Serve the web service with a finite capacity (runs in the service VM).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift web-server` is not implemented yet")
}

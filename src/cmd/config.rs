//! `edgeshift config`: print an example configuration file.
//!
//! (Issue 3: not implemented yet.)

use std::process::ExitCode;

/// Print an example configuration file.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift config` is not implemented yet")
}

//! `edgeshift flood`: generate http load for a number of minutes and report latency.
//!
//! (Issue 4: not implemented yet.)

use std::process::ExitCode;

/// Generate HTTP load for a number of minutes and report latency.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift flood` is not implemented yet")
}

//! `edgeshift simulate`: simulate many nodes in virtual time to study scale, delay and noise.
//!
//! (Issue 6: not implemented yet.)

use std::process::ExitCode;

/// Simulate many nodes in virtual time to study scale, delay and noise.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift simulate` is not implemented yet")
}

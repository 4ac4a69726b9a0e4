//! `edgeshift backtest`: estimate the availability a plan would have given on recorded probes.
//!
//! (Issue 3: not implemented yet.)

use std::process::ExitCode;

/// Estimate the availability a plan would have given on recorded probes.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift backtest` is not implemented yet")
}

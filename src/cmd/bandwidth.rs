//! `edgeshift bandwidth`: turn cumulative byte counters into rates (bytes per second).
//!
//! (Issue 2: not implemented yet.)

use std::process::ExitCode;

/// Turn cumulative byte counters into rates (bytes per second).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift bandwidth` is not implemented yet")
}

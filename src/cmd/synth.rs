//! `edgeshift synth`: write a realistic synthetic recording from a known flood schedule.
//!
//! (Issue 2: not implemented yet.)

use std::process::ExitCode;

/// Write a realistic synthetic recording from a known flood schedule.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift synth` is not implemented yet")
}

//! `edgeshift limits`: compute the six limit statistics per parameter from a joined file.
//!
//! (Issue 2: not implemented yet.)

use std::process::ExitCode;

/// Compute the six limit statistics per parameter from a joined file.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift limits` is not implemented yet")
}

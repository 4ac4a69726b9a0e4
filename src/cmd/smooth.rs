//! `edgeshift smooth`: smooth columns with a penalized smoother (gcv-chosen by default).
//!
//! (Issue 2: not implemented yet.)

use std::process::ExitCode;

/// Smooth columns with a penalized smoother (GCV-chosen by default).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift smooth` is not implemented yet")
}

//! `edgeshift clean`: remove outliers above errors_mean + errors_std and interpolate them.
//!
//! (Issue 2: not implemented yet.)

use std::process::ExitCode;

/// Remove outliers above errors_mean + errors_std and interpolate them.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift clean` is not implemented yet")
}

//! `edgeshift time-table`: compute a time table (busy slots of the period) from edge data and limits.
//!
//! (Issue 2: not implemented yet.)

use std::process::ExitCode;

/// Compute a time table (busy slots of the period) from edge data and limits.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift time-table` is not implemented yet")
}

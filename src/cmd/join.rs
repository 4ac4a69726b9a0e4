//! `edgeshift join`: as-of join: for each left row, the latest right row at or before it.
//!
//! (Issue 2: not implemented yet.)

use std::process::ExitCode;

/// As-of join: for each LEFT row, the latest RIGHT row at or before it.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift join` is not implemented yet")
}

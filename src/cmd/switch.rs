//! `edgeshift switch`: move the service from one node to another (start, check, repoint, stop).
//!
//! (Issue 3: not implemented yet.)

use std::process::ExitCode;

/// Move the service from one node to another (start, check, repoint, stop).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift switch` is not implemented yet")
}

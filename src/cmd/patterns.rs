//! `edgeshift patterns`: list the busy runs of a time table (start slot and length).
//!
//! (Issue 2: not implemented yet.)

use std::process::ExitCode;

/// List the busy runs of a time table (start slot and length).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift patterns` is not implemented yet")
}

//! `edgeshift select`: cut a time window out of a csv file.
//!
//! (Issue 5: not implemented yet.)

use std::process::ExitCode;

/// Cut a time window out of a CSV file.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift select` is not implemented yet")
}

//! `edgeshift detect`: print the rounded percentage of rows with column >= limit.
//!
//! (Issue 5: not implemented yet.)

use std::process::ExitCode;

/// Print the rounded percentage of rows with COLUMN >= LIMIT.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift detect` is not implemented yet")
}

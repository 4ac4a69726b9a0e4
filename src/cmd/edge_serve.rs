//! `edgeshift edge-serve`: serve this node's time table over http.
//!
//! (Issue 5: not implemented yet.)

use std::process::ExitCode;

/// Serve this node's time table over HTTP.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift edge-serve` is not implemented yet")
}

//! `edgeshift edge-table`: run the edge-side chain: rates, clean, smooth, time table.
//!
//! (Issue 2: not implemented yet.)

use std::process::ExitCode;

/// Run the edge-side chain: rates, clean, smooth, time table.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift edge-table` is not implemented yet")
}

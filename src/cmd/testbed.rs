//! `edgeshift testbed`: run the whole system on this machine on loopback and report.
//!
//! (Issue 6: not implemented yet.)

use std::process::ExitCode;

/// Run the whole system on this machine on loopback and report.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift testbed` is not implemented yet")
}

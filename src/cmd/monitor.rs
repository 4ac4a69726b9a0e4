//! `edgeshift monitor`: check the probe log; when errors are frequent, re-plan and re-install.
//!
//! (Issue 5: not implemented yet.)

use std::process::ExitCode;

/// Check the probe log; when errors are frequent, re-plan and re-install.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift monitor` is not implemented yet")
}

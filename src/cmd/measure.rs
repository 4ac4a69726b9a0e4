//! `edgeshift measure`: probe a url with n http gets and append one row to a probe file.
//!
//! (Issue 4: not implemented yet.)

use std::process::ExitCode;

/// Probe a URL with N HTTP GETs and append one row to a probe file.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift measure` is not implemented yet")
}

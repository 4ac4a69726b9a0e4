//! `edgeshift crontab`: install, show or remove the generated block in the user's crontab.
//!
//! (Issue 3: not implemented yet.)

use std::process::ExitCode;

/// Install, show or remove the generated block in the user's crontab.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift crontab` is not implemented yet")
}

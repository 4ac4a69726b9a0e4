//! `edgeshift plan`: plan switches from time tables and print them as crontab lines.
//!
//! (Issue 3: not implemented yet.)

use std::process::ExitCode;

/// Plan switches from time tables and print them as crontab lines.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift plan` is not implemented yet")
}

//! `edgeshift diag`: print one edge measurement row (from eden, /proc or prometheus).
//!
//! (Issue 4: not implemented yet.)

use std::process::ExitCode;

/// Print one edge measurement row (from eden, /proc or Prometheus).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift diag` is not implemented yet")
}

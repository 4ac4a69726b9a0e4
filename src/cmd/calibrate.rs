//! `edgeshift calibrate`: run the whole calibration chain (the reference analysis.sh) in one process.
//!
//! (Issue 2: not implemented yet.)

use std::process::ExitCode;

/// Run the whole calibration chain (the reference analysis.sh) in one process.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift calibrate` is not implemented yet")
}

//! `edgeshift testbed` (placeholder)
use std::process::ExitCode;

/// Run the whole system on this machine on loopback and report.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`edgeshift testbed` is not implemented yet")
}

/// Parses a number of minutes: `8m`, `90s`, `1h`, or a plain number of minutes (`8`, `2.5`).
pub fn parse_minutes(s: &str, flag: &str) -> anyhow::Result<f64> {
    if let Ok(v) = s.parse::<f64>() {
        if v.is_finite() && v >= 0.0 {
            return Ok(v);
        }
    }
    match humantime::parse_duration(s) {
        Ok(d) => Ok(d.as_secs_f64() / 60.0),
        Err(_) => Err(edgeshift::error::bad_input(format!(
            "{flag} {s:?} is not a duration; expected e.g. 8m, 90s or a number of minutes"
        ))),
    }
}

//! Orchestration (placeholder while being written).
use anyhow::Result;
use std::path::PathBuf;
use std::time::Duration;

/// Everything a testbed run needs.
#[derive(Debug, Clone)]
pub struct TestbedConfig {
    pub exe: PathBuf,
    pub out: PathBuf,
    pub nodes: usize,
    pub minute: Duration,
    pub learn: u64,
    pub run: u64,
    pub schedules: Vec<String>,
    pub delay: f64,
    pub boot: f64,
    pub kills: Vec<(usize, u64)>,
    pub workers: u32,
    pub work: Duration,
    pub queue: u32,
    pub flood_concurrency: usize,
    pub attempts: u32,
    pub quiet: bool,
}

pub fn run(_cfg: &TestbedConfig) -> Result<super::report::Summary> {
    anyhow::bail!("not yet")
}

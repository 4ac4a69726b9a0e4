//! The whole system on one machine: emulated edge nodes on loopback, floods, probes,
//! calibration, planning, switching, the monitor, and the report.
//!
//! Owns the orchestration of an experiment ([`orchestrate`]), the compressed clock
//! ([`clock`]), the cron-like runner ([`cron`]), the process group that guarantees cleanup
//! ([`procs`]), the progress display ([`progress`]), and the summary, report and plots
//! ([`report`], [`plots`]). Every step of the system runs the same code as the subcommands:
//! the long-lived parts (`web-server`, `edge-serve`) and the steps cron would start
//! (`diag`, `flood`, `calibrate`, `plan`, `switch`, `monitor`) are child processes of the
//! same binary; only the per-minute availability probe (`measure`) runs through the
//! library (`probe::measure`), because three probes a compressed minute (every 250 ms in
//! `--quick`) as processes would cost more CPU than the web servers they measure.
//!
//! Must not touch anything outside its output folder and 127.0.0.0/8: the hosts file,
//! crontab and switch state are the testbed's own files.

pub mod clock;
pub mod cron;
pub mod orchestrate;
pub mod plots;
pub mod procs;
pub mod progress;
pub mod report;

pub use orchestrate::{run, TestbedConfig};

//! The whole system on one machine: emulated edge nodes on loopback, floods, probes,
//! calibration, planning, switching, and the report.
//!
//! (Issue 6.) Orchestration only: every step runs the same code as the subcommands.

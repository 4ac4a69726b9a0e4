//! One file per subcommand: its argument struct (with the help text), and a `run()` that
//! wires library calls together. No computation here: numbers come from the library.
//!
//! Every `run()` returns the process exit code on success; errors are mapped to exit
//! codes by `edgeshift::error::exit_code` (2 for bad input, 1 for runtime failures).

pub mod backtest;
pub mod bandwidth;
pub mod calibrate;
pub mod clean;
pub mod config;
pub mod crontab;
pub mod detect;
pub mod diag;
pub mod edge_serve;
pub mod edge_table;
pub mod flood;
pub mod join;
pub mod limits;
pub mod measure;
pub mod monitor;
pub mod patterns;
pub mod plan;
pub mod select;
pub mod simulate;
pub mod smooth;
pub mod switch;
pub mod synth;
pub mod testbed;
pub mod time_table;
pub mod web_server;

//! # edgeshift
//!
//! Proactive provisioning of a web service hosted on edge nodes. edgeshift learns, from
//! measurements, the load at which the service fails (calibration), finds *when* each node
//! is overloaded (time tables), and moves the service to another node ahead of time
//! (planning, cron, switching), then keeps checking (monitor).
//!
//! The library holds all logic; the `edgeshift` binary is a thin shell of subcommands.
//!
//! | module | owns |
//! |---|---|
//! | [`table`] | every file format: CSV reading/writing, timestamps, atomic writes |
//! | [`analysis`] | the pure numeric core: rates, smoothing, joins, limits, time tables, periods |
//! | [`pipeline`] | the calibration and edge-table chains, wiring `table` and `analysis` |
//! | [`plan`] | the switch planner, crontab lines and the crontab block, backtests |
//! | [`switch`] | VM drivers, the hosts file, health checks, the switch lock, config |
//! | [`probe`] | `measure` (availability probe) and `flood` (load generator) |
//! | [`node`] | the service's web server, `diag` (metrics), the edge service |
//! | [`monitor`] | the hourly closed loop |
//! | [`testbed`] | the whole system on one machine |
//! | [`synth`] | synthetic recordings from a known flood schedule |
//! | [`sim`] | virtual-time scale studies |

pub mod analysis;
pub mod error;
pub mod monitor;
pub mod node;
pub mod pipeline;
pub mod plan;
pub mod probe;
pub mod sim;
pub mod switch;
pub mod synth;
pub mod table;
pub mod testbed;

//! A virtual-time model of many edge nodes, for scale studies of calibration and planning.
//!
//! No processes, no sockets, no files (except the SVG plot written by the caller): the model
//! produces per-minute samples in memory and feeds them to the same numeric steps that the
//! real system uses (limits, time tables, planning), then replays the plan against the
//! model's ground truth to measure availability. Owns the model ([`model`]), the per-group
//! pipeline and the parallel driver ([`run`]) and the plot ([`plot`]); must not touch the
//! real system's files, crontab or network.
//!
//! ## The model
//! * N nodes, split in groups of `group` nodes (default 2) that share one service: the
//!   planner moves each group's service between the group's nodes.
//! * Each node has a random periodic overload schedule within an hour: 1 to 3 floods of 3 to
//!   10 minutes at random minutes (like the seed's `15,45 * * * * for 5m`). An occurrence may
//!   start up to `jitter` minutes late or early (uniform), per hour.
//! * Every minute each node yields three parameters (CPU load, Tx rate, Rx rate): a base
//!   level plus a step while overloaded, plus Gaussian noise of standard deviation `noise`
//!   (in units of the step). The probe sees the service unavailable exactly while overloaded.
//! * Learning: the first `periods` hours are calibrated per node (limits: mean and population
//!   standard deviation over available and unavailable minutes; a parameter is *high* at or
//!   above `errors_mean - errors_std`; a sample is high when at least two parameters are),
//!   then each slot's share of high samples gives the time table (busy at or above the
//!   midpoint of the shares, never with a share of 0).
//! * Planning per group from the time tables with the switching delay (cyclic planner).
//! * Evaluation: the next `periods` hours of fresh ground truth are replayed with the plan:
//!   a switch started at slot M serves from TO after `delay` minutes if TO is not overloaded
//!   then (else it fails and the service stays); the service is available in a minute when
//!   its current node is not overloaded. The baseline keeps each group's service on its
//!   first node.

pub mod model;
pub mod plot;
pub mod run;

pub use model::{NodeModel, SimConfig};
pub use run::{simulate, SimOutcome, SimRow};

//! Planning: from time tables to a cyclic schedule of switches, and its place in cron.
//!
//! Owns the switching policy ([`planner`]), crontab line formatting and validation
//! ([`cron`]), the marked block in the user's crontab ([`crontab`]), and backtesting a plan
//! against recorded probes ([`backtest`]). Must not start or stop anything: `switch` does
//! that.
//!
//! Contract used by other modules (monitor, testbed):
//! - [`planner::plan`]`(tables, delay_slots) -> Result<Plan>`; [`planner::Plan::is_empty`];
//! - [`cron::format_lines`]`(plan, switch_cmd, marker)`, [`cron::parse_line`]`(line)`;
//! - [`crontab::install_block`], [`crontab::show_block`], [`crontab::remove_block`] on a
//!   [`crontab::CrontabTarget`] (`User(Option<String>)` or `File(PathBuf)`).

pub mod backtest;
pub mod cron;
pub mod crontab;
pub mod planner;

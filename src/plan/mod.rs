//! Planning: from time tables to a cyclic schedule of switches, and its place in cron.
//!
//! (Issue 3.) Owns the switching policy, crontab line formatting and validation, the marked
//! block in the user's crontab, and backtesting a plan against recorded probes. Must not
//! start or stop anything: `switch` does that.

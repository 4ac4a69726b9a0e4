//! The closed loop: check the probe log, and when errors are frequent fetch every edge's
//! time table, re-plan and re-install the crontab block.
//!
//! (Issue 5.) Uses `plan` and `plan::crontab`; must never leave an empty schedule behind.

pub mod select;

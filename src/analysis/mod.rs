//! The pure numeric core: slices in, values out. No I/O, no async, no clap, no file formats.
//!
//! Each submodule is one step of the calibration pipeline (SPEC section 3), with the fixes
//! of SPEC section 4:
//! - [`period`]: hours, days and weeks as slots (calendar arithmetic).
//! - [`limits`]: the six statistics per parameter.
//!
//! Everything here can be unit-tested, property-tested and benchmarked alone.

pub mod asof;
pub mod autoperiod;
pub mod clean;
pub mod limits;
pub mod patterns;
pub mod period;
pub mod rates;
pub mod smooth;
pub mod timetable;

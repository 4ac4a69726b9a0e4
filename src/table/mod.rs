//! File formats: the only module that knows a column's name in a file.
//!
//! Everything that reads or writes edgeshift's CSV files goes through here: edge
//! measurement files ([`edge`]), probe files ([`probe`]), intermediate files (the generic
//! [`frame::Frame`]), limits files ([`limits`]) and time tables ([`timetable`]), plus the
//! timestamp forms ([`time`]), atomic output ([`atomic`]) and writing several frames that
//! share cells at once ([`multi`]). Readers accept every form the
//! reference prototype and pandas write (SPEC section 2); writers produce the reference's
//! forms. Errors name file, line, column and value, and are input errors (exit code 2).
//!
//! This module must not compute anything beyond parsing and formatting: the numbers are
//! `analysis`'s job.

pub mod atomic;
pub mod edge;
pub mod frame;
pub mod limits;
pub mod multi;
pub mod probe;
pub mod time;
pub mod timetable;

pub use frame::{Column, Frame, Kind, ReadOptions, Select};

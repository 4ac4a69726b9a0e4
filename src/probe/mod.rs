//! The central system's instruments: the availability probe (`measure`) and the load
//! generator (`flood`) with its latency report.
//!
//! (Issue 4.) Writes probe rows through `table::probe`; must not know any other file format.

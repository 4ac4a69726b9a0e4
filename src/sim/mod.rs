//! A virtual-time model of many nodes, for scale studies of calibration and planning.
//!
//! (Issue 6.) No processes, no sockets: feeds the same analysis and planning code.

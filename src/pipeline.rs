//! The calibration chain (`calibrate`, the reference `analysis.sh`) and the edge-side chain
//! (`edge-table`), as library functions that the subcommands, the edge service, the monitor
//! and the testbed all share.
//!
//! This is the one place that wires `table` (files) to `analysis` (numbers); it must not
//! contain numeric kernels itself.

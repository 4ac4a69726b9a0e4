//! What runs on an edge node: the service VM's web server, the metrics collector (`diag`,
//! from eden, procfs or Prometheus) and the edge service that answers time tables.
//!
//! (Issues 4 and 5.) Computation of time tables is `analysis`'s; this module only serves.

pub mod diag;
pub mod edge_service;
pub mod web_server;

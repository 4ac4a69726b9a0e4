//! The edge measurement file: one row a minute of device and application metrics,
//! written by `diag` on each edge node.
//!
//! Header, exactly: `Time,CPU Load %,App. CPU Load %,Tx B,Rx B,App. Tx B,App. Rx B`.
//! See SPEC section 2 for the meaning (and the misleading names) of each column.

use super::time::format_time;

pub const CPU_LOAD: &str = "CPU Load %";
pub const APP_CPU_LOAD: &str = "App. CPU Load %";
pub const TX: &str = "Tx B";
pub const RX: &str = "Rx B";
pub const APP_TX: &str = "App. Tx B";
pub const APP_RX: &str = "App. Rx B";
/// The header line of an edge measurement file, without the newline.
pub const HEADER: &str = "Time,CPU Load %,App. CPU Load %,Tx B,Rx B,App. Tx B,App. Rx B";

/// The counters that `calibrate` turns into rates by default.
pub const DEFAULT_COUNTERS: [&str; 2] = [APP_TX, APP_RX];
/// The parameters `calibrate` uses by default (after the counters became rates).
pub const DEFAULT_PARAMETERS: [&str; 3] = [APP_CPU_LOAD, "App. Tx B/s", "App. Rx B/s"];

/// The name of the rate column made from a counter column: `App. Tx B` -> `App. Tx B/s`.
pub fn rate_name(counter: &str) -> String {
    format!("{counter}/s")
}

/// One row of the edge measurement file.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeRow {
    pub time: i64,
    /// Device CPU load as CPU-seconds per second over the last interval.
    pub cpu_load: f64,
    /// Application CPU usage in percent.
    pub app_cpu_load: f64,
    pub tx_bytes: u64,
    pub rx_bytes: u64,
    pub app_tx_bytes: u64,
    pub app_rx_bytes: u64,
}

impl EdgeRow {
    /// The CSV line for this row, with its trailing newline.
    pub fn to_csv_line(&self) -> String {
        format!(
            "{},{},{},{},{},{},{}\n",
            format_time(self.time),
            round6(self.cpu_load),
            round6(self.app_cpu_load),
            self.tx_bytes,
            self.rx_bytes,
            self.app_tx_bytes,
            self.app_rx_bytes
        )
    }
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::time::parse_time;

    #[test]
    fn row_format_matches_the_sample() {
        let r = EdgeRow {
            time: parse_time("2024-03-04T00:00:02.227597").unwrap(),
            cpu_load: 0.104649,
            app_cpu_load: 4.826,
            tx_bytes: 48089977,
            rx_bytes: 48049868,
            app_tx_bytes: 47896586,
            app_rx_bytes: 47915977,
        };
        assert_eq!(
            r.to_csv_line(),
            "2024-03-04T00:00:02.227597,0.104649,4.826,48089977,48049868,47896586,47915977\n"
        );
    }
}

//! The edge service's own counters, rendered as Prometheus text for `GET /metrics`.
//!
//! Owns only counting and formatting; the figures are pushed by the service.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// How many recent request latencies the summary keeps.
const LATENCY_WINDOW: usize = 2048;

#[derive(Debug, Default)]
struct Inner {
    /// (route, status code) -> count
    responses: BTreeMap<(&'static str, u16), u64>,
    latencies: Vec<f64>,
    next: usize,
    latency_sum: f64,
    latency_count: u64,
    busy_slots: Option<(usize, usize)>,
    tables_computed: u64,
    cache_hits: u64,
}

/// The service's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// The figures of the data file at render time.
#[derive(Debug, Clone, Default)]
pub struct DataFigures {
    pub rows_read: u64,
    pub rows_held: usize,
    pub bad_lines: u64,
    pub restarts: u64,
    /// Newest row, as seconds of the wall clock since 1970 (see `table::time`).
    pub last_row_seconds: Option<f64>,
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records one answered request.
    pub fn record(&self, route: &'static str, code: u16, seconds: f64) {
        let mut m = self.lock();
        *m.responses.entry((route, code)).or_default() += 1;
        if m.latencies.len() < LATENCY_WINDOW {
            m.latencies.push(seconds);
        } else {
            let i = m.next;
            m.latencies[i] = seconds;
        }
        m.next = (m.next + 1) % LATENCY_WINDOW;
        m.latency_sum += seconds;
        m.latency_count += 1;
    }

    /// Records a computed table: busy slots out of all slots.
    pub fn table_computed(&self, busy: usize, slots: usize) {
        let mut m = self.lock();
        m.busy_slots = Some((busy, slots));
        m.tables_computed += 1;
    }

    pub fn cache_hit(&self) {
        self.lock().cache_hits += 1;
    }

    /// Prometheus text exposition.
    pub fn render(&self, data: &DataFigures) -> String {
        let m = self.lock();
        let mut s = String::new();
        let mut metric = |name: &str, kind: &str, help: &str| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        metric(
            "edgeshift_edge_rows_read_total",
            "counter",
            "Measurement rows parsed since start.",
        );
        metric(
            "edgeshift_edge_rows_held",
            "gauge",
            "Measurement rows kept in memory.",
        );
        metric(
            "edgeshift_edge_bad_lines_total",
            "counter",
            "Unreadable measurement lines skipped.",
        );
        metric(
            "edgeshift_edge_file_restarts_total",
            "counter",
            "Times the data file was re-read from the start (rotated or truncated).",
        );
        metric(
            "edgeshift_edge_last_row_time_seconds",
            "gauge",
            "Time of the newest row (wall clock seconds since 1970).",
        );
        metric(
            "edgeshift_edge_requests_total",
            "counter",
            "Answered requests by route and status code.",
        );
        metric(
            "edgeshift_edge_busy_slots",
            "gauge",
            "Busy slots of the last computed time table.",
        );
        metric(
            "edgeshift_edge_table_slots",
            "gauge",
            "Slots of the last computed time table.",
        );
        metric(
            "edgeshift_edge_tables_computed_total",
            "counter",
            "Time tables computed.",
        );
        metric(
            "edgeshift_edge_table_cache_hits_total",
            "counter",
            "Time tables answered from the cache.",
        );
        metric(
            "edgeshift_edge_request_seconds",
            "summary",
            "Request latency (quantiles over the last 2048 requests).",
        );
        let mut out = String::new();
        // Re-emit grouped: HELP/TYPE lines first were collected above in order; values below.
        let _ = writeln!(out, "edgeshift_edge_rows_read_total {}", data.rows_read);
        let _ = writeln!(out, "edgeshift_edge_rows_held {}", data.rows_held);
        let _ = writeln!(out, "edgeshift_edge_bad_lines_total {}", data.bad_lines);
        let _ = writeln!(out, "edgeshift_edge_file_restarts_total {}", data.restarts);
        if let Some(t) = data.last_row_seconds {
            let _ = writeln!(out, "edgeshift_edge_last_row_time_seconds {t}");
        }
        for ((route, code), n) in &m.responses {
            let _ = writeln!(
                out,
                "edgeshift_edge_requests_total{{route=\"{route}\",code=\"{code}\"}} {n}"
            );
        }
        if let Some((busy, slots)) = m.busy_slots {
            let _ = writeln!(out, "edgeshift_edge_busy_slots {busy}");
            let _ = writeln!(out, "edgeshift_edge_table_slots {slots}");
        }
        let _ = writeln!(
            out,
            "edgeshift_edge_tables_computed_total {}",
            m.tables_computed
        );
        let _ = writeln!(
            out,
            "edgeshift_edge_table_cache_hits_total {}",
            m.cache_hits
        );
        let mut sorted = m.latencies.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.5, 0.9, 0.99] {
            if let Some(v) = quantile(&sorted, q) {
                let _ = writeln!(
                    out,
                    "edgeshift_edge_request_seconds{{quantile=\"{q}\"}} {v}"
                );
            }
        }
        let _ = writeln!(out, "edgeshift_edge_request_seconds_sum {}", m.latency_sum);
        let _ = writeln!(
            out,
            "edgeshift_edge_request_seconds_count {}",
            m.latency_count
        );
        merge(&s, &out)
    }
}

/// Puts each metric's HELP/TYPE lines right before its samples.
fn merge(meta: &str, samples: &str) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = meta.lines().collect();
    for pair in lines.chunks(2) {
        let name = pair[0].split_whitespace().nth(2).unwrap_or("");
        let mine: Vec<&str> = samples
            .lines()
            .filter(|l| {
                let n = l.split(['{', ' ']).next().unwrap_or("");
                n == name || n == format!("{name}_sum") || n == format!("{name}_count")
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        for l in pair {
            out.push_str(l);
            out.push('\n');
        }
        for l in mine {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The q-quantile (nearest rank) of sorted values.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.record("time_table", 200, 0.002);
        m.record("time_table", 400, 0.001);
        m.table_computed(8, 60);
        let s = m.render(&DataFigures {
            rows_read: 10,
            rows_held: 9,
            last_row_seconds: Some(1.5),
            ..Default::default()
        });
        assert!(s.contains("# TYPE edgeshift_edge_rows_read_total counter\nedgeshift_edge_rows_read_total 10\n"), "{s}");
        assert!(s.contains("edgeshift_edge_requests_total{route=\"time_table\",code=\"400\"} 1"));
        assert!(s.contains("edgeshift_edge_busy_slots 8"));
        assert!(s.contains("edgeshift_edge_request_seconds{quantile=\"0.5\"} 0.001"));
        assert!(s.contains("edgeshift_edge_request_seconds_count 2"));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.0));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.99), Some(4.0));
    }
}

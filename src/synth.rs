//! Synthetic recordings: the files a real testbed would have written, from a known flood
//! schedule, so that every analysis step can be checked against the truth.
//!
//! For each node k (1-based) a recording is two files, one row a minute:
//! `edenK_measure.csv` (edge format, [`EdgeRow`]) and `web-serverK.csv` (probe format,
//! [`ProbeRow`]). The sampling times jitter like the seed's (edge rows 1-4 s, probe rows
//! 0.5-2 s after the minute, with microseconds), the figures follow the load model of
//! [`model`] (fitted to `data/hourly-2d`), and floods follow a [`FloodSchedule`]
//! (`"CRON for DURATION"`, see [`schedule`]). A VM restart ([`Restart`]) sets the
//! application counters (and, if asked, the device counters) back to zero without
//! touching anything else. The same options and seed always give the same bytes.
//!
//! Generation streams minute by minute ([`NodeRecording`] is an iterator), so a year of
//! one-minute data costs no more memory than an hour. This module owns the model and the
//! writing of recordings; it must not analyse data (that is `analysis`/`pipeline`).

pub mod model;
pub mod schedule;

pub use schedule::{parse_schedule, FloodSchedule, SCHEDULE_HELP};

use crate::analysis::period::MINUTE_US;
use crate::error::bad_input;
use crate::table::atomic::write_atomic;
use crate::table::edge::{EdgeRow, HEADER as EDGE_HEADER};
use crate::table::probe::{ProbeRow, HEADER as PROBE_HEADER};
use crate::table::time::{format_time, parse_time, push_time};
use anyhow::{Context, Result};
use model::NodeScale;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};

/// The default start of a recording (the seed's: a Monday).
pub const DEFAULT_START: &str = "2024-03-04T00:00:00";
/// The seed's flood schedules: node 1, node 2.
pub const DEFAULT_SCHEDULES: [&str; 2] = ["15,45 * * * * for 5m", "0,30 * * * * for 10m"];
/// Minutes simulated before the first row so that the load level is settled.
const WARMUP_MINUTES: i64 = 30;

/// The seed's flood schedules, parsed.
pub fn default_schedules() -> Vec<FloodSchedule> {
    DEFAULT_SCHEDULES
        .iter()
        .filter_map(|s| parse_schedule(s).ok())
        .collect()
}

/// A VM restart: the application counters restart from zero at `time`.
#[derive(Debug, Clone, PartialEq)]
pub struct Restart {
    /// The node (1-based) that restarts; `None` for every node.
    pub node: Option<usize>,
    /// When (wall clock, microseconds).
    pub time: i64,
}

/// Parses `TIME` (every node) or `NODE@TIME` (node NODE, 1-based), TIME as in the files
/// (`2024-03-05T12:00`, seconds and fraction optional).
pub fn parse_restart(s: &str) -> Result<Restart> {
    let (node, time) = match s.split_once('@') {
        Some((n, t)) => {
            let n: usize = n.trim().parse().ok().filter(|&n| n >= 1).ok_or_else(|| {
                bad_input(format!(
                    "bad restart {s:?}: {n:?} is not a node number (1, 2, ...); \
                     expected TIME or NODE@TIME, e.g. 2@2024-03-05T12:00"
                ))
            })?;
            (Some(n), t)
        }
        None => (None, s),
    };
    let time = parse_time(time).ok_or_else(|| {
        bad_input(format!(
            "bad restart {s:?}: cannot read the time {time:?}; expected e.g. \
             2024-03-05T12:00 or 2@2024-03-05T12:00:30"
        ))
    })?;
    Ok(Restart { node, time })
}

/// Everything that decides a recording.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Time of the first minute (wall clock, microseconds).
    pub start: i64,
    /// Number of rows (minutes) per file.
    pub minutes: usize,
    /// Seed of the noise: same seed, same bytes.
    pub seed: u64,
    /// Flood schedule of node k at index k-1; nodes without one are never flooded.
    pub schedules: Vec<FloodSchedule>,
    /// Number of nodes.
    pub nodes: usize,
    /// VM restarts.
    pub restarts: Vec<Restart>,
    /// Restarts also reset the device counters (`Tx B`, `Rx B`), as a device reboot would.
    pub restart_device: bool,
    /// HTTP attempts per probe row (10 in the reference crontab).
    pub attempts: u32,
}

impl SynthOptions {
    /// The seed's setup: 2 days from [`DEFAULT_START`], the seed's schedules, seed 1.
    pub fn seed_like(days: f64) -> SynthOptions {
        SynthOptions {
            start: parse_time(DEFAULT_START).unwrap_or(0),
            minutes: (days * 1440.0).round().max(0.0) as usize,
            seed: 1,
            schedules: default_schedules(),
            nodes: 2,
            restarts: Vec::new(),
            restart_device: false,
            attempts: 10,
        }
    }

    /// The schedule of node `node` (1-based), if it has one.
    pub fn schedule(&self, node: usize) -> Option<&FloodSchedule> {
        node.checked_sub(1).and_then(|i| self.schedules.get(i))
    }

    /// End of the recorded span (start + minutes).
    pub fn end(&self) -> i64 {
        self.start + self.minutes as i64 * MINUTE_US
    }
}

/// File name of node k's edge file: `edenK_measure.csv`.
pub fn edge_file_name(node: usize) -> String {
    format!("eden{node}_measure.csv")
}

/// File name of node k's probe file (and its server name + `.csv`): `web-serverK.csv`.
pub fn probe_file_name(node: usize) -> String {
    format!("{}.csv", server_name(node))
}

/// Server name of node k: `web-serverK`.
pub fn server_name(node: usize) -> String {
    format!("web-server{node}")
}

fn mix(seed: u64, node: usize, stream: u64) -> u64 {
    // SplitMix64 finaliser over (seed, node, stream): independent streams per node.
    let mut z = seed
        ^ (node as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One node's recording, minute by minute: an iterator of (edge row, probe row).
pub struct NodeRecording {
    rng: StdRng,
    start: i64,
    minutes: usize,
    next: usize,
    attempts: u32,
    scale: NodeScale,
    floods: Vec<(i64, i64)>,
    flood_idx: usize,
    restarts: Vec<i64>,
    restart_device: bool,
    level: f64,
    prev_time: Option<i64>,
    counters: [f64; 4],
}

impl NodeRecording {
    /// The recording of node `node` (1-based).
    pub fn new(opts: &SynthOptions, node: usize) -> NodeRecording {
        let mut init = StdRng::seed_from_u64(mix(opts.seed, node, 1));
        let scale = NodeScale {
            traffic: init.gen_range(0.92..1.08),
        };
        let app_tx = init.gen_range(1.0e7..1.0e8_f64).round();
        let app_rx = init.gen_range(1.0e7..1.0e8_f64).round();
        let counters = [
            app_tx + init.gen_range(1.0e5..1.0e6_f64).round(),
            app_rx + init.gen_range(1.0e5..1.0e6_f64).round(),
            app_tx,
            app_rx,
        ];
        let warm = opts.start - WARMUP_MINUTES * MINUTE_US;
        let floods = opts
            .schedule(node)
            .map(|s| s.floods(warm, opts.end()))
            .unwrap_or_default();
        let mut restarts: Vec<i64> = opts
            .restarts
            .iter()
            .filter(|r| r.node.is_none_or(|n| n == node))
            .map(|r| r.time)
            .collect();
        restarts.sort_unstable();
        let mut rec = NodeRecording {
            rng: StdRng::seed_from_u64(mix(opts.seed, node, 2)),
            start: opts.start,
            minutes: opts.minutes,
            next: 0,
            attempts: opts.attempts,
            scale,
            floods,
            flood_idx: 0,
            restarts,
            restart_device: opts.restart_device,
            level: 0.0,
            prev_time: None,
            counters,
        };
        for m in -WARMUP_MINUTES..0 {
            let f = rec.flood_share(opts.start + m * MINUTE_US);
            rec.level = model::LAG * rec.level + (1.0 - model::LAG) * f;
        }
        rec
    }

    /// Share of the minute starting at `m0` under flood (minutes are asked in order).
    fn flood_share(&mut self, m0: i64) -> f64 {
        let m1 = m0 + MINUTE_US;
        while self.flood_idx < self.floods.len() && self.floods[self.flood_idx].1 <= m0 {
            self.flood_idx += 1;
        }
        let mut covered = 0i64;
        for &(s, e) in &self.floods[self.flood_idx..] {
            if s >= m1 {
                break;
            }
            covered += e.min(m1) - s.max(m0);
        }
        covered as f64 / MINUTE_US as f64
    }
}

impl Iterator for NodeRecording {
    type Item = (EdgeRow, ProbeRow);

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.minutes {
            return None;
        }
        let m0 = self.start + self.next as i64 * MINUTE_US;
        self.next += 1;
        let f = self.flood_share(m0);
        self.level = model::LAG * self.level + (1.0 - model::LAG) * f;
        let edge_off = self.rng.gen_range(1_000_000..4_000_000i64);
        let probe_off = self.rng.gen_range(500_000..2_000_000i64);
        let fig = model::minute(&mut self.rng, self.level, self.attempts, self.scale);
        let t = m0 + edge_off;
        let prev = self.prev_time.unwrap_or(t - MINUTE_US);
        self.prev_time = Some(t);
        let dt = (t - prev) as f64 / 1e6;
        let rates = [fig.tx_rate, fig.rx_rate, fig.app_tx_rate, fig.app_rx_rate];
        // A restart inside (prev, t]: the counters count from zero since the restart.
        let restart = self
            .restarts
            .iter()
            .rev()
            .find(|&&r| r > prev && r <= t)
            .copied();
        for (i, (c, r)) in self.counters.iter_mut().zip(rates).enumerate() {
            let device = i < 2;
            match restart {
                Some(r0) if !device || self.restart_device => {
                    *c = (r * (t - r0) as f64 / 1e6).round();
                }
                _ => *c += (r * dt).round(),
            }
        }
        let edge = EdgeRow {
            time: t,
            cpu_load: fig.cpu_load,
            app_cpu_load: fig.app_cpu_load,
            tx_bytes: self.counters[0] as u64,
            rx_bytes: self.counters[1] as u64,
            app_tx_bytes: self.counters[2] as u64,
            app_rx_bytes: self.counters[3] as u64,
        };
        let probe = ProbeRow {
            time: m0 + probe_off,
            successes: fig.successes,
            response: fig.response,
            errors: self.attempts - fig.successes,
        };
        Some((edge, probe))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.minutes - self.next;
        (n, Some(n))
    }
}

/// One file that [`write_recording`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenFile {
    pub path: PathBuf,
    /// Node (1-based).
    pub node: usize,
    /// Data rows (without the header).
    pub rows: usize,
    /// Floods that overlap the recording (both files of a node say the same).
    pub floods: usize,
}

/// Writes the recording of every node into `dir` (created if missing): for node k,
/// `edenK_measure.csv` and `web-serverK.csv`, each atomically. Returns what it wrote,
/// node by node, edge file first.
pub fn write_recording(dir: &Path, opts: &SynthOptions) -> Result<Vec<WrittenFile>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let mut written = Vec::new();
    for node in 1..=opts.nodes {
        let edge_path = dir.join(edge_file_name(node));
        let probe_path = dir.join(probe_file_name(node));
        let rec = NodeRecording::new(opts, node);
        let floods = rec
            .floods
            .iter()
            .filter(|&&(s, e)| e > opts.start && s < opts.end())
            .count();
        let mut rows = 0usize;
        write_atomic(&edge_path, |we| {
            write_atomic(&probe_path, |wp| {
                writeln!(we, "{EDGE_HEADER}")?;
                writeln!(wp, "{PROBE_HEADER}")?;
                let mut line = String::with_capacity(128);
                for (e, p) in rec {
                    line.clear();
                    push_edge_line(&mut line, &e);
                    we.write_all(line.as_bytes())?;
                    line.clear();
                    push_probe_line(&mut line, &p);
                    wp.write_all(line.as_bytes())?;
                    rows += 1;
                }
                Ok(())
            })
            .with_context(|| format!("cannot write {}", probe_path.display()))
        })
        .with_context(|| format!("cannot write {}", edge_path.display()))?;
        for path in [edge_path, probe_path] {
            written.push(WrittenFile {
                path,
                node,
                rows,
                floods,
            });
        }
    }
    Ok(written)
}

/// Appends an edge row as the files have it (`EdgeRow::to_csv_line`, but without a
/// temporary string per row, and floats always with a decimal point as pandas writes
/// them: `0.0`, not `0`).
fn push_edge_line(out: &mut String, e: &EdgeRow) {
    use std::fmt::Write as _;
    push_time(out, e.time);
    let _ = writeln!(
        out,
        ",{:?},{:?},{},{},{},{}",
        round_to(e.cpu_load, 1e6),
        round_to(e.app_cpu_load, 1e3),
        e.tx_bytes,
        e.rx_bytes,
        e.app_tx_bytes,
        e.app_rx_bytes
    );
}

/// Appends a probe row as `ProbeRow::to_csv_line` writes it.
fn push_probe_line(out: &mut String, p: &ProbeRow) {
    use std::fmt::Write as _;
    push_time(out, p.time);
    let _ = write!(out, ",{},", p.successes);
    if let Some(r) = p.response {
        out.push_str(&crate::table::time::format_duration(r));
    }
    let _ = writeln!(out, ",{}", p.errors);
}

fn round_to(v: f64, scale: f64) -> f64 {
    (v * scale).round() / scale
}

/// Describes the options in one line per node (what `synth` prints before writing).
pub fn describe(opts: &SynthOptions) -> Vec<String> {
    (1..=opts.nodes)
        .map(|k| match opts.schedule(k) {
            Some(s) => format!("node {k}: floods \"{s}\""),
            None => format!("node {k}: no floods"),
        })
        .chain(opts.restarts.iter().map(|r| {
            let who = r
                .node
                .map_or("every node".to_string(), |n| format!("node {n}"));
            format!(
                "restart of {who} at {}{}",
                format_time(r.time),
                if opts.restart_device {
                    " (device counters too)"
                } else {
                    ""
                }
            )
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(minutes: usize) -> SynthOptions {
        let mut o = SynthOptions::seed_like(0.0);
        o.minutes = minutes;
        o
    }

    #[test]
    fn rows_are_a_minute_apart_with_jitter() {
        let rows: Vec<_> = NodeRecording::new(&opts(600), 1).collect();
        assert_eq!(rows.len(), 600);
        let start = parse_time(DEFAULT_START).unwrap();
        for (i, (e, p)) in rows.iter().enumerate() {
            let m0 = start + i as i64 * MINUTE_US;
            assert!((m0 + 1_000_000..m0 + 4_000_000).contains(&e.time));
            assert!((m0 + 500_000..m0 + 2_000_000).contains(&p.time));
            assert_eq!(p.successes + p.errors, 10);
        }
    }

    #[test]
    fn floods_show_in_load_and_probes() {
        let rows: Vec<_> = NodeRecording::new(&opts(600), 1).collect();
        // 00:15-00:20 and 00:45-00:50 are flooded on node 1.
        let (mut flood_succ, mut flood_n) = (0, 0);
        for (i, (e, p)) in rows.iter().enumerate() {
            let m = i % 60;
            let flooded = (15..20).contains(&m) || (45..50).contains(&m);
            if flooded {
                assert!(e.app_cpu_load > 50.0, "minute {i}: {e:?}");
                assert!(p.response.unwrap_or(1.0) > 0.2, "minute {i}: {p:?}");
                if m != 15 && m != 45 {
                    flood_succ += p.successes;
                    flood_n += 1;
                }
            } else if !(20..24).contains(&m) && !(50..54).contains(&m) {
                assert!(e.app_cpu_load < 25.0, "minute {i}: {e:?}");
                assert!(p.successes >= 8, "minute {i}: {p:?}");
                assert!(p.response.unwrap() < 0.02, "minute {i}: {p:?}");
            }
        }
        // After the first minute of a flood, on average fewer than 2 of 10 attempts succeed.
        assert!(flood_succ < 2 * flood_n, "{flood_succ} / {flood_n}");
    }

    #[test]
    fn a_restart_changes_only_the_app_counters() {
        let base = opts(180);
        let mut restarted = base.clone();
        let r = parse_time("2024-03-04T01:30:30").unwrap();
        restarted.restarts.push(Restart {
            node: Some(1),
            time: r,
        });
        let a: Vec<_> = NodeRecording::new(&base, 1).collect();
        let b: Vec<_> = NodeRecording::new(&restarted, 1).collect();
        for ((ea, pa), (eb, pb)) in a.iter().zip(&b) {
            assert_eq!(pa, pb);
            assert_eq!(ea.time, eb.time);
            assert_eq!(ea.app_cpu_load, eb.app_cpu_load);
            assert_eq!(ea.tx_bytes, eb.tx_bytes);
            if ea.time < r {
                assert_eq!(ea, eb);
            } else {
                assert!(eb.app_tx_bytes < ea.app_tx_bytes);
            }
        }
        // Right after the restart the counter is small: at most a minute of quiet traffic.
        let i = b.iter().position(|(e, _)| e.time >= r).unwrap();
        assert!(b[i].0.app_tx_bytes < 1_000_000, "{:?}", b[i].0);
        assert!(b[i - 1].0.app_tx_bytes > b[i].0.app_tx_bytes);
        // Node 2 is untouched.
        let a2: Vec<_> = NodeRecording::new(&base, 2).collect();
        let b2: Vec<_> = NodeRecording::new(&restarted, 2).collect();
        assert_eq!(a2, b2);
    }

    #[test]
    fn lines_match_the_table_writers() {
        for (e, p) in NodeRecording::new(&opts(200), 2) {
            let mut line = String::new();
            push_edge_line(&mut line, &e);
            let want = e.to_csv_line();
            let (got_t, got_rest) = line.split_once(',').unwrap();
            let (want_t, want_rest) = want.split_once(',').unwrap();
            assert_eq!(got_t, want_t);
            let nums =
                |s: &str| -> Vec<f64> { s.trim().split(',').map(|x| x.parse().unwrap()).collect() };
            assert_eq!(nums(got_rest), nums(want_rest));
            line.clear();
            push_probe_line(&mut line, &p);
            assert_eq!(line, p.to_csv_line());
        }
        let mut s = String::new();
        push_time(&mut s, parse_time("1999-12-31T23:59:59.000001").unwrap());
        assert_eq!(s, "1999-12-31T23:59:59.000001");
    }

    #[test]
    fn parses_restarts() {
        let r = parse_restart("2@2024-03-05T12:00").unwrap();
        assert_eq!(r.node, Some(2));
        assert_eq!(r.time, parse_time("2024-03-05T12:00:00").unwrap());
        assert_eq!(parse_restart("2024-03-05T12:00").unwrap().node, None);
        assert!(parse_restart("0@2024-03-05T12:00").is_err());
        assert!(parse_restart("x@2024-03-05T12:00").is_err());
        assert!(parse_restart("tomorrow").is_err());
    }
}

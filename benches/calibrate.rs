//! Benchmark of the calibration chain (`calibrate`) on synthetic one-minute recordings of
//! 30 days (43 200 rows a node) and a year (525 600 rows), in memory (`calibrate_frames`)
//! and on files (`calibrate`: read two CSV files, compute, write nine files).
//!
//! The data is generated here (with `edgeshift::synth`, the seed's schedule), never in
//! tests. Throughput is reported in rows per second: roughly the same figure for 30 days
//! and a year means the chain is linear. The reference prototype needs about 14 s for the
//! 30-day case; edgeshift's target is under 140 ms (100x).
//!
//! `cargo bench --bench calibrate` (about 2 minutes); `cargo bench --bench calibrate --
//! --test` runs each case once. Set `EDGESHIFT_BENCH_QUICK=1` to skip the year.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use edgeshift::pipeline::{calibrate, calibrate_frames, read_edge, CalibrateOptions};
use edgeshift::synth::{write_recording, SynthOptions};
use edgeshift::table::probe::Probes;
use std::path::{Path, PathBuf};
use std::time::Duration;

struct Case {
    name: &'static str,
    rows: usize,
    dir: tempfile::TempDir,
}

impl Case {
    fn new(name: &'static str, days: f64) -> Case {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut opts = SynthOptions::seed_like(days);
        opts.nodes = 1;
        write_recording(dir.path(), &opts).expect("synthetic recording");
        Case {
            name,
            rows: opts.minutes,
            dir,
        }
    }

    fn edge(&self) -> PathBuf {
        self.dir.path().join("eden1_measure.csv")
    }

    fn probe(&self) -> PathBuf {
        self.dir.path().join("web-server1.csv")
    }
}

fn cases() -> Vec<Case> {
    let mut v = vec![Case::new("30d", 30.0)];
    if std::env::var_os("EDGESHIFT_BENCH_QUICK").is_none() {
        v.push(Case::new("365d", 365.0));
    }
    v
}

fn bench(c: &mut Criterion) {
    let opts = CalibrateOptions::default();
    for case in cases() {
        let edge = read_edge(&case.edge()).expect("edge file");
        let probes = Probes::read(&case.probe()).expect("probe file");
        let mut g = c.benchmark_group(format!("calibrate/{}", case.name));
        g.throughput(Throughput::Elements(case.rows as u64));
        g.sample_size(10);
        g.sampling_mode(SamplingMode::Flat);
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(if case.rows > 100_000 { 8 } else { 3 }));
        g.bench_function("in-memory", |b| {
            b.iter_batched(
                || edge.clone(),
                |e| calibrate_frames(e, &probes, "web-server1", &opts).expect("calibration"),
                BatchSize::LargeInput,
            )
        });
        // The same chain with smoothing off and with a fixed λ: shows what the GCV search
        // for λ costs (it fits each column for some 30 values of λ).
        for (label, smoothing) in [
            ("in-memory-lambda-fixed", "10"),
            ("in-memory-smoothing-off", "off"),
        ] {
            let fixed = CalibrateOptions {
                smoothing: smoothing.parse().expect("smoothing"),
                ..CalibrateOptions::default()
            };
            g.bench_function(label, |b| {
                b.iter_batched(
                    || edge.clone(),
                    |e| calibrate_frames(e, &probes, "web-server1", &fixed).expect("calibration"),
                    BatchSize::LargeInput,
                )
            });
        }
        g.bench_function("files", |b| {
            b.iter(|| {
                calibrate(&case.edge(), &case.probe(), "web-server1", &opts).expect("calibration")
            })
        });
        g.finish();
        clean_outputs(case.dir.path());
    }
}

/// Removes what `calibrate` wrote (keeps the two input files).
fn clean_outputs(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name != "eden1_measure.csv" && name != "web-server1.csv" {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Benchmark of the calibration chain (`calibrate`) on synthetic one-minute recordings of
//! 30 days (43 200 rows a node) and a year (525 600 rows): in memory (`calibrate_frames`,
//! with GCV smoothing, a fixed λ and smoothing off) and on files (`calibrate`: read two
//! CSV files, compute, write nine files).
//!
//! Times are the **CPU time of the process** (user + system, all threads, from
//! `/proc/self/stat`), not wall time: the build machine is shared by several jobs, and CPU
//! time is what the chain costs whatever else runs. `EDGESHIFT_BENCH_WALL=1` measures wall
//! time instead (on an idle machine it is lower: the smoother uses one thread a column). Throughput is reported in rows per second;
//! about the same figure for 30 days and a year means the chain is linear. The reference
//! prototype needs about 14 s for the 30-day case; the target is under 140 ms (100x).
//!
//! The data is generated here (with `edgeshift::synth`, the seed's schedule), never in
//! tests. `cargo bench --bench calibrate` takes about a minute on an idle machine;
//! `EDGESHIFT_BENCH_QUICK=1` skips the year; `-- --test` runs each case once.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use edgeshift::pipeline::{calibrate, calibrate_frames, read_edge, CalibrateOptions};
use edgeshift::synth::{write_recording, SynthOptions};
use edgeshift::table::probe::Probes;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
        opts.schedules.truncate(1);
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

/// CPU time (user + system) of the whole process so far, all threads included (the
/// smoother runs columns on threads), from `/proc/self/stat` in clock ticks (USER_HZ,
/// 100 a second on Linux). `None` where that file is missing.
fn process_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) closing with ')'.
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Whether to measure wall time (`EDGESHIFT_BENCH_WALL=1`) instead of process CPU time.
fn wall_clock() -> bool {
    std::env::var_os("EDGESHIFT_BENCH_WALL").is_some() || process_cpu().is_none()
}

/// Runs `run` on `iters` inputs made beforehand by `setup` (untimed), and returns the
/// process CPU time (or the wall time, see [`wall_clock`]) of all the runs together:
/// measured once over the batch, so that the 10 ms tick does not matter.
fn measure<S, T>(
    iters: u64,
    mut setup: impl FnMut() -> S,
    mut run: impl FnMut(S) -> T,
) -> Duration {
    let inputs: Vec<S> = (0..iters).map(|_| setup()).collect();
    let mut outputs = Vec::with_capacity(inputs.len());
    let (c0, w0) = (process_cpu(), Instant::now());
    for input in inputs {
        outputs.push(run(input));
    }
    let elapsed = match (wall_clock(), c0, process_cpu()) {
        (false, Some(a), Some(b)) => b.saturating_sub(a),
        _ => w0.elapsed(),
    };
    drop(outputs);
    elapsed
}

fn bench(c: &mut Criterion) {
    let quick = std::env::var_os("EDGESHIFT_BENCH_QUICK").is_some();
    let mut cases = vec![Case::new("30d", 30.0)];
    if !quick {
        cases.push(Case::new("365d", 365.0));
    }
    for case in &cases {
        let year = case.rows > 100_000;
        let edge = read_edge(&case.edge()).expect("edge file");
        let probes = Probes::read(&case.probe()).expect("probe file");
        let mut g = c.benchmark_group(format!("calibrate/{}", case.name));
        g.throughput(Throughput::Elements(case.rows as u64));
        g.sample_size(10);
        g.sampling_mode(SamplingMode::Flat);
        g.warm_up_time(Duration::from_millis(if year { 100 } else { 500 }));
        g.measurement_time(Duration::from_secs(if year { 20 } else { 3 }));
        // GCV (the default), a fixed λ and no smoothing: the difference is what the GCV
        // search for λ costs.
        let variants: &[(&str, &str)] = if year {
            &[("in-memory", "gcv")]
        } else {
            &[
                ("in-memory", "gcv"),
                ("in-memory-lambda-fixed", "10"),
                ("in-memory-smoothing-off", "off"),
            ]
        };
        for &(label, smoothing) in variants {
            let opts = CalibrateOptions {
                smoothing: smoothing.parse().expect("smoothing"),
                ..CalibrateOptions::default()
            };
            g.bench_function(label, |b| {
                b.iter_custom(|iters| {
                    measure(
                        iters,
                        || edge.clone(),
                        |e| {
                            calibrate_frames(e, &probes, "web-server1", &opts).expect("calibration")
                        },
                    )
                })
            });
        }
        if !year {
            let opts = CalibrateOptions::default();
            g.bench_function("files", |b| {
                b.iter_custom(|iters| {
                    measure(
                        iters,
                        || (),
                        |()| {
                            calibrate(&case.edge(), &case.probe(), "web-server1", &opts)
                                .expect("calibration")
                        },
                    )
                })
            });
        }
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

//! `edgeshift simulate --nodes N --periods P [--group G] [--delay 2m,5m,8m]
//! [--noise 0.1,0.5,1] [--jitter MIN] [--seed S] [--threads T] [--plot FILE] [--json]`
//!
//! Simulates N edge nodes in virtual time (no processes, no network): random hourly
//! overload schedules, noisy per-minute samples, calibration and time tables, a cyclic
//! plan per group of nodes sharing one service, and a replay of the plan on fresh hours.
//! Prints one table row per (noise, delay) combination and writes an SVG plot.

use crate::cmd::testbed::parse_minutes;
use edgeshift::error::bad_input;
use edgeshift::sim::{self, SimConfig};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Simulate many nodes in virtual time to study scale, delay and noise.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Simulate many edge nodes in virtual time (no processes, no network) to study how \
the method scales and how availability depends on the switching delay and the measurement noise.\n\n\
Model: N nodes in groups of G sharing one service. Each node has a random hourly overload \
schedule (1 to 3 floods of 3 to 10 minutes; each occurrence may start up to --jitter minutes \
early or late). Every minute yields three parameters (CPU, Tx, Rx): base + step while overloaded \
+ Gaussian noise (sd = --noise, in units of the step). The first P hours are learned \
(limits, time tables), each group is planned (cyclic planner, switching delay), and the plan is \
replayed on P fresh hours: a switch takes effect after the delay if its target is free then.\n\n\
Output: a table (stdout) with, per noise and delay: baseline availability (service fixed on the \
group's first node), proactive availability, the oracle's availability (some node of the group \
free), time-table accuracy, switches per group and hour, failed switches; and an SVG plot \
(--plot).",
    after_help = "Example:\n  edgeshift simulate --nodes 1000 --periods 168 --delay 2m,5m,8m --noise 0.2,0.5,1 \
--plot sim.svg\n  (1,000 nodes, a week of one-minute slots: 10 million samples per noise level)"
)]
pub struct Args {
    /// Number of nodes.
    #[arg(long, default_value_t = 20)]
    pub nodes: usize,
    /// Hours (periods) learned, and as many replayed.
    #[arg(long, default_value_t = 48)]
    pub periods: usize,
    /// Nodes per group sharing one service (2 = pairs).
    #[arg(long, default_value_t = 2)]
    pub group: usize,
    /// Switching delays, comma-separated (`8m`, `5`, `2m,5m,8m`; minutes, under an hour).
    #[arg(long, default_value = "2m,5m,8m")]
    pub delay: String,
    /// Measurement noise levels, comma-separated (sd in units of the overload step).
    #[arg(long, default_value = "0.3,1,2,3")]
    pub noise: String,
    /// Schedule jitter in minutes: each overload may start up to this much early or late.
    #[arg(long, default_value_t = 1)]
    pub jitter: usize,
    /// Random seed (same seed, same result).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Where to write the SVG plot.
    #[arg(long, default_value = "simulate.svg")]
    pub plot: PathBuf,
    /// Print the result as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.nodes == 0 || args.periods == 0 || args.group == 0 {
        return Err(bad_input(
            "--nodes, --periods and --group must be at least 1",
        ));
    }
    let delays = args
        .delay
        .split(',')
        .map(|d| {
            let m = parse_minutes(d.trim(), "--delay")?;
            if m >= 60.0 {
                return Err(bad_input(format!(
                    "--delay {d:?}: delays must be under an hour (the model's period)"
                )));
            }
            Ok(m.round() as usize)
        })
        .collect::<anyhow::Result<Vec<usize>>>()?;
    let noises = args
        .noise
        .split(',')
        .map(|n| match n.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(bad_input(format!(
                "--noise {n:?} is not a noise level; expected non-negative numbers like 0.1,0.5"
            ))),
        })
        .collect::<anyhow::Result<Vec<f64>>>()?;
    if args.jitter >= 30 {
        return Err(bad_input("--jitter must be under 30 minutes"));
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let cfg = SimConfig {
        nodes: args.nodes,
        group: args.group,
        periods: args.periods,
        delays,
        noises,
        jitter: args.jitter,
        seed: args.seed,
        threads,
    };
    let out = sim::simulate(&cfg);
    let svg = sim::plot::availability_svg(&out)?;
    edgeshift::table::atomic::write_string_atomic(&args.plot, &svg)?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        writeln!(stdout, "{}", serde_json::to_string_pretty(&out)?)?;
    } else {
        writeln!(
            stdout,
            "# {} nodes in {} groups, {} h learned + {} h replayed, jitter {} min, seed {}",
            out.nodes, out.groups, out.periods, out.periods, args.jitter, args.seed
        )?;
        writeln!(
            stdout,
            "{:>6} {:>6} {:>9} {:>9} {:>9} {:>8} {:>9} {:>7}",
            "noise", "delay", "baseline", "proactive", "oracle", "table", "sw/h", "failed"
        )?;
        for r in &out.rows {
            writeln!(
                stdout,
                "{:>6.2} {:>5}m {:>8.2}% {:>8.2}% {:>8.2}% {:>7.1}% {:>9.2} {:>7}",
                r.noise,
                r.delay,
                r.baseline * 100.0,
                r.proactive * 100.0,
                r.best * 100.0,
                r.table_accuracy * 100.0,
                r.switches_per_hour,
                r.failed_switches
            )?;
        }
        writeln!(
            stdout,
            "# {} samples in {:.2} s on {} threads ({:.1} M samples/s); plot: {}",
            out.samples,
            out.seconds,
            out.threads,
            out.samples as f64 / out.seconds.max(1e-9) / 1e6,
            args.plot.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

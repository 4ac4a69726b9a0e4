//! `edgeshift calibrate EDGE PROBE SERVER [--columns ...] [--smoothing ...] [--period ...]`.
//!
//! ```text
//! edgeshift calibrate data/eden1_measure.csv data/web-server1.csv web-server1
//! ```
//! The whole reference `analysis.sh` in one process: bandwidth, smooth, join, limits,
//! clean, smooth, join, limits, time table. Writes the same nine files next to EDGE, prints
//! the limits and the calibration quality.

use edgeshift::analysis::limits::DEFAULT_UNAVAILABLE_BELOW;
use edgeshift::pipeline::{
    calibrate, counters_of, limits_text, period_line, table_line, CalibrateOptions, PeriodSpec,
    Smoothing,
};
use edgeshift::table::edge::DEFAULT_PARAMETERS;
use std::path::PathBuf;
use std::process::ExitCode;

/// Run the whole calibration chain (the reference analysis.sh) in one process.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  edgeshift calibrate eden1_measure.csv web-server1.csv web-server1\n  \
edgeshift calibrate eden1_measure.csv web-server1.csv web-server1 --smoothing off --period day\n  \
edgeshift calibrate e.csv p.csv s1 --columns \"CPU Load %,App. CPU Load %,App. Tx B/s\" --votes 2",
    after_long_help = concat!(
        "Calibrate a node: learn the levels of its parameters at which the service fails, \
and its time table. This is the reference `analysis.sh` in one process:\n  \
bandwidth -> smooth -> join with PROBE -> limits -> clean -> smooth -> join -> limits -> time table.\n\n\
Files written next to EDGE (each atomically, all computed before the first is written), for \
EDGE=eden1_measure.csv, PROBE=web-server1.csv, SERVER=web-server1:\n  \
eden1_measure.bw.csv                          counters as rates (NAME/s)\n  \
eden1_measure.smoothed.csv                    smoothed\n  \
eden1_measure.web-server1.csv                 joined with the probes (as of each edge row)\n  \
eden1_measure.limits.csv                      first limits\n  \
eden1_measure.smoothed.cleared.csv            outliers removed\n  \
eden1_measure.smoothed.cleared.smoothed.csv   smoothed again\n  \
eden1_measure.web-server1.cleared.csv         joined again\n  \
eden1_measure.limits.cleared.csv              the calibration result (copy it to the node)\n  \
web-server1.time_table.csv                    busy slots of the period\n\n\
Prints a summary of the edge data (rows, counter restarts, gaps), the λ of each smoothing, the \
limits, the time table and a quality line: how often \"at least N parameters at or above \
errors_level\" agrees with \"unavailable\". Refuses data without both available and unavailable \
rows.",
        "\n\n",
        "Examples:\n  edgeshift calibrate eden1_measure.csv web-server1.csv web-server1\n  \
edgeshift calibrate eden1_measure.csv web-server1.csv web-server1 --smoothing off --period day\n  \
edgeshift calibrate e.csv p.csv s1 --columns \"CPU Load %,App. CPU Load %,App. Tx B/s\" --votes 2"
    )
)]
pub struct Args {
    /// Edge measurement file (Time, CPU Load %, App. CPU Load %, ..., App. Rx B).
    pub edge: PathBuf,
    /// Probe file of the node's server (Time, Successful attempts, Responce time, Errors).
    pub probe: PathBuf,
    /// Server name (names the time table).
    pub server: String,
    /// Parameters, comma-separated; a `NAME/s` parameter is the rate of counter NAME.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_PARAMETERS.map(String::from))]
    pub columns: Vec<String>,
    /// Counter columns turned into rates [default: the NAME of each NAME/s parameter].
    #[arg(long, value_delimiter = ',')]
    pub counters: Option<Vec<String>>,
    /// gcv, off, or a fixed λ.
    #[arg(long, default_value = "gcv", value_name = "gcv|off|LAMBDA")]
    pub smoothing: Smoothing,
    /// hour, day, week or auto.
    #[arg(long, default_value = "hour", value_name = "hour|day|week|auto")]
    pub period: PeriodSpec,
    /// How many parameters must be high together.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub votes: usize,
    /// A row is unavailable when fewer than this fraction of its attempts succeeded.
    #[arg(long, default_value_t = DEFAULT_UNAVAILABLE_BELOW, value_name = "FRACTION")]
    pub unavailable_below: f64,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = CalibrateOptions {
        counters: args.counters.unwrap_or_else(|| counters_of(&args.columns)),
        parameters: args.columns,
        smoothing: args.smoothing,
        period: args.period,
        votes: args.votes,
        unavailable_below: args.unavailable_below,
    };
    let report = calibrate(&args.edge, &args.probe, &args.server, &opts)?;
    let cal = &report.calibration;
    println!("{}", report.summary);
    for n in &cal.smoothing {
        println!("smoothing {n}");
    }
    println!("limits ({}):", report.paths[7].display());
    print!("{}", limits_text(&cal.limits));
    println!("{}", period_line(cal.table.period, cal.table.auto.as_ref()));
    println!("{}", table_line(&cal.table.table, cal.table.period));
    println!("{}", cal.quality_line(opts.votes));
    println!(
        "wrote {}",
        report
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

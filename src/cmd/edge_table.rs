//! `edgeshift edge-table EDGE LIMITS SERVER [--period ...]`: the edge-side chain.
//!
//! ```text
//! edgeshift edge-table eden1_measure.csv eden1_measure.limits.cleared.csv web-server1
//! ```
//! Bandwidth, clean, smooth, time table (the reference `edge_time_table.sh`), writing
//! `SERVER.time_table.csv` next to EDGE.

use edgeshift::pipeline::{
    counters_of, edge_time_table, in_file, period_line, read_edge, table_line, time_table_name,
    EdgeTableOptions, PeriodSpec, Smoothing,
};
use edgeshift::table::limits::read_limits;
use edgeshift::table::timetable::write_time_table;
use std::path::PathBuf;
use std::process::ExitCode;

/// Run the edge-side chain: rates, clean, smooth, time table.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  edgeshift edge-table eden1_measure.csv eden1_measure.limits.cleared.csv web-server1\n  \
edgeshift edge-table eden1_measure.csv eden1_measure.limits.cleared.csv web-server1 --period auto",
    after_long_help = concat!(
        "Compute a node's time table from its own measurements and its calibrated limits \
(the reference `edge_time_table.sh`): counters to rates, clean (outliers above errors_mean + \
errors_std interpolated), smooth, time table (see `edgeshift time-table --help` for the busy \
rule). The parameters are those of LIMITS.\n\n\
Writes SERVER.time_table.csv next to EDGE (or --output), atomically. Prints the edge data \
summary (rows, counter restarts, gaps), the period (with its strength when chosen by --period \
auto) and the busy slots.",
        "\n\n",
        "Examples:\n  edgeshift edge-table eden1_measure.csv eden1_measure.limits.cleared.csv web-server1\n  \
edgeshift edge-table eden1_measure.csv eden1_measure.limits.cleared.csv web-server1 --period auto"
    )
)]
pub struct Args {
    /// Edge measurement file.
    pub edge: PathBuf,
    /// Limits file (the calibration result, `*.limits.cleared.csv`).
    pub limits: PathBuf,
    /// Server name (names the time table).
    pub server: String,
    /// hour, day, week or auto.
    #[arg(long, default_value = "hour", value_name = "hour|day|week|auto")]
    pub period: PeriodSpec,
    /// gcv, off, or a fixed λ.
    #[arg(long, default_value = "gcv", value_name = "gcv|off|LAMBDA")]
    pub smoothing: Smoothing,
    /// How many parameters must be high together.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub votes: usize,
    /// Counter columns turned into rates [default: the NAME of each NAME/s parameter].
    #[arg(long, value_delimiter = ',')]
    pub counters: Option<Vec<String>>,
    /// Where to write the time table [default: SERVER.time_table.csv next to EDGE].
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let limits = read_limits(&args.limits)?;
    let parameters: Vec<String> = limits.iter().map(|l| l.name.clone()).collect();
    let opts = EdgeTableOptions {
        counters: args.counters.unwrap_or_else(|| counters_of(&parameters)),
        parameters,
        smoothing: args.smoothing,
        period: args.period,
        votes: args.votes,
    };
    let edge = read_edge(&args.edge)?;
    let et =
        edge_time_table(&edge, &limits, &args.server, &opts).map_err(|e| in_file(&args.edge, e))?;
    let out = args.output.unwrap_or_else(|| {
        args.edge
            .parent()
            .unwrap_or(std::path::Path::new(""))
            .join(time_table_name(&args.server))
    });
    write_time_table(&out, &et.table)?;
    println!("{}: {}", args.edge.display(), et.report);
    println!("{}", period_line(et.period, et.auto.as_ref()));
    println!("{}", table_line(&et.table, et.period));
    println!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

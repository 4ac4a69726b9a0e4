//! `edgeshift diag APP [--source eden|proc|prometheus] [--header] [--state FILE] [--at TIME] ...`
//!
//! Prints one row of the edge measurement format (`Time,CPU Load %,App. CPU Load %,Tx B,Rx B,
//! App. Tx B,App. Rx B`) for the app APP, as the reference `eden_diag.py` does from cron
//! (`* * * * * edgeshift diag web-server1 >> ~/eden1_measure.csv`). The line is built whole and
//! written at once: on any error nothing reaches stdout (exit 2 for bad input such as an
//! unknown app, 1 otherwise). Writes only its state file (/proc and Prometheus sources).

use edgeshift::node::diag::eden::{eden_row, AppCpuFrom, EdenOptions};
use edgeshift::node::diag::procfs_source::{AppCpu, ProcOptions};
use edgeshift::node::diag::prometheus::{AppMetricNames, PrometheusOptions, Selector};
use edgeshift::node::diag::{default_state_path, sample_row, SamplingOptions};
use edgeshift::probe::parse_duration_flag;
use edgeshift::table::edge::HEADER;
use edgeshift::table::time::{now_local, parse_time};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// The eden CLI (EVE-OS nodes).
    Eden,
    /// Linux /proc, plus the app's /metrics.
    Proc,
    /// A Prometheus exposition endpoint (node_exporter), plus the app's /metrics.
    Prometheus,
}

/// Print one edge measurement row (from eden, /proc or Prometheus).
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Print one row of the edge measurement format for the app APP to stdout: time, \
device CPU load (CPU-seconds per second over the last interval), the app's CPU %, the device's \
Tx/Rx byte counters and the app's Tx/Rx byte counters. Append it to the node's measurement file \
from cron. Sources: eden (default: `eden metric --format=json --tail 2`, APP is the AppName or \
AppID), proc (/proc/stat, /proc/net/dev, the app's process or cgroup, the app's /metrics) and \
prometheus (node_exporter metrics and the app's /metrics). The proc and prometheus sources keep \
the previous sample in a state file (--state) so each run reports the load since the last run; \
with no state, a stale one (older than --max-state-age) or a counter that went backwards they \
sample twice, --sample-pause apart. Nothing is printed on error.",
    after_help = "Examples:\n  \
* * * * * edgeshift diag 287dff0a-2996-4c2d-8f42-288ac315f4c1 >> ~/eden1_measure.csv\n  \
edgeshift diag web-server1 --header > eden1_measure.csv      # start a file\n  \
edgeshift diag web --source proc --pid 1234 --app-metrics http://127.0.0.1:8000/metrics\n  \
edgeshift diag web --source prometheus --prometheus http://127.0.0.1:9100/metrics --interface eth0 \\\n      \
--app-metrics http://10.0.0.5:8000/metrics"
)]
pub struct Args {
    /// The app: eden AppName or AppID; for proc, the process name unless --pid/--process-name/--cgroup/--app-metrics say otherwise.
    pub app: String,
    /// Where the figures come from.
    #[arg(long, value_enum, default_value_t = Source::Eden)]
    pub source: Source,
    /// Print the header line before the row.
    #[arg(long)]
    pub header: bool,
    /// Stamp the row with this time instead of now (ISO time).
    #[arg(long, value_name = "TIME", value_parser = parse_at)]
    pub at: Option<i64>,
    /// Device interface (eden: iName or localName; default all ports. proc: default the default route's. prometheus: the device label; default all but lo).
    #[arg(long)]
    pub interface: Option<String>,

    #[command(flatten)]
    pub more: Box<More>,
}

/// The source-specific options (boxed: keeps the command enum small).
#[derive(clap::Args, Debug)]
pub struct More {
    /// State file keeping the previous sample [default: $XDG_STATE_HOME or ~/.local/state /edgeshift/diag-APP.json].
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Sampling (proc, prometheus)"
    )]
    pub state: Option<PathBuf>,
    /// Keep no state: always sample twice.
    #[arg(long, help_heading = "Sampling (proc, prometheus)")]
    pub no_state: bool,
    /// Pause between two samples when there is no usable state.
    #[arg(long, default_value = "1s", value_parser = parse_duration_flag, help_heading = "Sampling (proc, prometheus)")]
    pub sample_pause: Duration,
    /// A state older than this is not used.
    #[arg(long, default_value = "10m", value_parser = parse_duration_flag, help_heading = "Sampling (proc, prometheus)")]
    pub max_state_age: Duration,

    /// The eden program.
    #[arg(
        long,
        value_name = "PATH",
        default_value = "eden",
        help_heading = "eden"
    )]
    pub eden: PathBuf,
    /// The app's CPU from the metric messages or from `eden pod ps` (whole percent).
    #[arg(long, value_enum, default_value_t = AppCpuFrom::Metric, help_heading = "eden")]
    pub app_cpu: AppCpuFrom,
    /// Multiply eden's device CPU ratio (a fraction of the whole box) by this, e.g. the CPU count.
    #[arg(long, default_value_t = 1.0, help_heading = "eden")]
    pub eden_cpu_scale: f64,
    /// Longest time eden may take.
    #[arg(long, default_value = "60s", value_parser = parse_duration_flag, help_heading = "eden")]
    pub eden_timeout: Duration,

    /// The app's process id.
    #[arg(long, help_heading = "proc")]
    pub pid: Option<i32>,
    /// The app's processes by name (summed).
    #[arg(long, help_heading = "proc")]
    pub process_name: Option<String>,
    /// The app's cgroup v2 folder (relative: under /sys/fs/cgroup).
    #[arg(long, value_name = "PATH", help_heading = "proc")]
    pub cgroup: Option<PathBuf>,
    /// The app's interface (host side; counters swapped to the app's view).
    #[arg(long, help_heading = "proc")]
    pub app_interface: Option<String>,
    /// The app's Prometheus /metrics URL (traffic; CPU when no --pid/--process-name/--cgroup).
    #[arg(long, value_name = "URL", help_heading = "proc")]
    pub app_metrics: Option<String>,

    /// The node's metrics URL (node_exporter /metrics).
    #[arg(long, value_name = "URL", help_heading = "prometheus")]
    pub prometheus: Option<String>,
    #[arg(
        long,
        default_value = "node_cpu_seconds_total",
        help_heading = "prometheus"
    )]
    pub cpu_metric: String,
    /// CPU modes that are not busy.
    #[arg(
        long,
        default_value = "idle,iowait",
        value_delimiter = ',',
        help_heading = "prometheus"
    )]
    pub idle_modes: Vec<String>,
    #[arg(
        long,
        default_value = "node_network_transmit_bytes_total",
        help_heading = "prometheus"
    )]
    pub tx_metric: String,
    #[arg(
        long,
        default_value = "node_network_receive_bytes_total",
        help_heading = "prometheus"
    )]
    pub rx_metric: String,
    /// The app's CPU seconds metric (selector: name or name{label="v"}).
    #[arg(
        long,
        default_value = "process_cpu_seconds_total",
        help_heading = "prometheus"
    )]
    pub app_cpu_metric: String,
    /// The app's bytes-sent metric (App. Tx B).
    #[arg(
        long,
        default_value = "edgeshift_http_sent_bytes_total",
        help_heading = "prometheus"
    )]
    pub app_tx_metric: String,
    /// The app's bytes-received metric (App. Rx B).
    #[arg(
        long,
        default_value = "edgeshift_http_received_bytes_total",
        help_heading = "prometheus"
    )]
    pub app_rx_metric: String,
}

fn parse_at(s: &str) -> Result<i64, String> {
    parse_time(s).ok_or_else(|| format!("`{s}` is not a time; use e.g. 2024-03-04T00:01:02"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        app,
        source,
        header,
        at,
        interface,
        more,
    } = args;
    let args = *more;
    let time = at.unwrap_or_else(now_local);
    let sampling = SamplingOptions {
        state: if args.no_state {
            None
        } else {
            Some(
                args.state
                    .clone()
                    .unwrap_or_else(|| default_state_path(&app)),
            )
        },
        sample_pause: args.sample_pause,
        max_state_age: args.max_state_age,
    };
    let names = AppMetricNames {
        cpu: Selector::parse(&args.app_cpu_metric)?,
        tx: Selector::parse(&args.app_tx_metric)?,
        rx: Selector::parse(&args.app_rx_metric)?,
    };
    let row = match source {
        Source::Eden => {
            if !(args.eden_cpu_scale.is_finite() && args.eden_cpu_scale > 0.0) {
                edgeshift::bail_input!("--eden-cpu-scale must be a positive number");
            }
            eden_row(
                &EdenOptions {
                    eden: args.eden,
                    app: app.clone(),
                    interface,
                    app_cpu: args.app_cpu,
                    ncpu_scale: args.eden_cpu_scale,
                    timeout: args.eden_timeout,
                },
                time,
            )?
        }
        Source::Proc => {
            let app_cpu = match (args.pid, args.process_name, args.cgroup) {
                (Some(p), None, None) => AppCpu::Pid(p),
                (None, Some(n), None) => AppCpu::ProcessName(n),
                (None, None, Some(c)) => AppCpu::Cgroup(c),
                (None, None, None) if args.app_metrics.is_some() => AppCpu::Metrics,
                (None, None, None) => AppCpu::ProcessName(app.clone()),
                _ => edgeshift::bail_input!("give at most one of --pid, --process-name, --cgroup"),
            };
            let opts = ProcOptions {
                interface,
                app_cpu,
                app_interface: args.app_interface,
                app_metrics: args.app_metrics,
                app_names: names,
                timeout: Duration::from_secs(5),
            };
            sample_row(&opts, &sampling, time)?
        }
        Source::Prometheus => {
            let Some(url) = args.prometheus else {
                edgeshift::bail_input!(
                    "--source prometheus needs --prometheus URL (the node's /metrics)"
                );
            };
            let mut opts = PrometheusOptions::new(url);
            opts.app_url = args.app_metrics;
            opts.cpu_metric = args.cpu_metric;
            opts.idle_modes = args.idle_modes;
            opts.tx_metric = args.tx_metric;
            opts.rx_metric = args.rx_metric;
            opts.interface = interface;
            opts.app = names;
            sample_row(&opts, &sampling, time)?
        }
    };
    let mut text = String::new();
    if header {
        text.push_str(HEADER);
        text.push('\n');
    }
    text.push_str(&row.to_csv_line());
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

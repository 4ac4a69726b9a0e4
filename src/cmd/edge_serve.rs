//! `edgeshift edge-serve --data FILE --limits FILE --server NAME [--listen ADDR]
//! [--token-file F] [--period hour|day|week|auto] [--keep 35d] [--header-timeout 10s]`
//!
//! ```text
//! edgeshift edge-serve --data ~/eden1_measure.csv --limits eden1_measure.limits.cleared.csv \
//!     --server web-server1 --listen 127.0.0.1:5000 --token-file /etc/edgeshift/token
//! curl -H "Authorization: Bearer $(cat /etc/edgeshift/token)" http://127.0.0.1:5000/time_table/-2h
//! ```
//! Serves this node's time table over HTTP (`edgeshift::node::edge_service`), computed with
//! `pipeline::edge_time_table` on the rows of the requested window.

use anyhow::{Context, Result};
use edgeshift::monitor::config::{parse_span, read_token};
use edgeshift::monitor::select::parse_window;
use edgeshift::node::edge_service::{
    serve, Computed, MakeTable, PeriodArg, ServeOptions, Service, ServiceConfig,
};
use edgeshift::pipeline::{edge_time_table, EdgeTableOptions, PeriodSpec, Smoothing};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Serve this node's time table over HTTP.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Serve this node's time table over HTTP, for the central monitor.\n\n\
Routes (GET): /time_table/<window> (window like -2h, 90m, 1d) and \
/time_table?window=2h&period=hour&now=ISO answer the time table CSV of the measurements in \
the window. The window ends at the NEWEST ROW of the data file (so replayed or \
compressed-clock recordings work), or at now= when given: rows with \
end - window < Time <= end. /limits answers the limits file, /healthz `ok`, /metrics \
Prometheus text.\n\n\
The data file is read incrementally while diag appends to it (a rotated or truncated file \
is re-read from the start; a partial last line waits for its newline); only the last \
--keep of rows is held in memory. Computed tables are cached per window, period and newest \
row. Writes no files.\n\n\
With --token-file every request but /healthz needs `Authorization: Bearer <token>` (401 \
otherwise). Bad windows are 400, unknown paths 404, request heads over 8 KiB 431; a client \
that does not send its request head within --header-timeout is disconnected.\n\n\
Prints `edge-serve: listening on http://ADDR` (the real address, also with port 0) on \
stdout once ready.",
    after_help = "Example:\n  edgeshift edge-serve --data eden1_measure.csv \
--limits eden1_measure.limits.cleared.csv --server web-server1 --token-file token.txt\n  \
curl -H \"Authorization: Bearer $(cat token.txt)\" http://127.0.0.1:5000/time_table/-2h\n\n\
Exit codes: runs until stopped; 2 bad arguments or unreadable files at start, 1 cannot listen."
)]
pub struct Args {
    #[command(flatten)]
    pub opts: Box<Opts>,
}

/// The options of [`Args`] (boxed: keeps the subcommand enum small).
#[derive(clap::Args, Debug)]
pub struct Opts {
    /// The edge measurement file (appended to by diag).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The limits file from calibration (re-read when it changes).
    #[arg(long, value_name = "FILE")]
    pub limits: PathBuf,
    /// The server name written in the tables, e.g. web-server1.
    #[arg(long, value_name = "NAME")]
    pub server: String,
    /// Address to listen on (loopback unless told otherwise; port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:5000")]
    pub listen: SocketAddr,
    /// File holding the bearer token (first line); without it no authentication.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The period of the tables when a request does not say: hour, day, week or auto.
    #[arg(long, default_value = "hour")]
    pub period: String,
    /// How much data to keep in memory, back from the newest row.
    #[arg(long, default_value = "35d")]
    pub keep: String,
    /// Smoothing of the edge chain: gcv, off, or a fixed λ.
    #[arg(long, default_value = "gcv")]
    pub smoothing: String,
    /// How many parameters must be high together for a sample to count as high.
    #[arg(long)]
    pub votes: Option<usize>,
    /// Disconnect a client that has not sent its request head within this time.
    #[arg(long, default_value = "10s")]
    pub header_timeout: String,
    /// The most connections served at once.
    #[arg(long, default_value_t = 256)]
    pub max_connections: usize,
}

/// The table maker: the edge-side pipeline.
pub fn pipeline_maker(smoothing: Smoothing, votes: Option<usize>) -> MakeTable {
    Arc::new(move |frame, limits, server, period| {
        let mut opts = EdgeTableOptions {
            smoothing,
            period: match period {
                PeriodArg::Fixed(p) => PeriodSpec::Fixed(p),
                PeriodArg::Auto => PeriodSpec::Auto,
            },
            ..EdgeTableOptions::default()
        };
        if let Some(v) = votes {
            opts.votes = v;
        }
        let t = edge_time_table(frame, limits, server, &opts)?;
        Ok(Computed {
            table: t.table,
            period: t.period,
            report: t.report,
        })
    })
}

pub fn run(args: Args) -> Result<ExitCode> {
    let args = *args.opts;
    let bad = edgeshift::error::bad_input;
    let period: PeriodArg = args
        .period
        .parse()
        .map_err(|e| bad(format!("--period: {e}")))?;
    let smoothing: Smoothing = args
        .smoothing
        .parse()
        .map_err(|e| bad(format!("--smoothing: {e}")))?;
    let keep_us = parse_window(&args.keep).map_err(|e| bad(format!("--keep: {e}")))?;
    let header_timeout = parse_span(&args.header_timeout, "--header-timeout")?;
    let token = args.token_file.as_deref().map(read_token).transpose()?;
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "edge-serve: warning: listening on {} (not loopback){}",
            args.listen,
            if token.is_none() {
                "; without --token-file anyone who reaches it can read the tables"
            } else {
                ""
            }
        );
    }
    let svc = Service::new(
        ServiceConfig {
            data: args.data.clone(),
            limits: args.limits.clone(),
            server: args.server.clone(),
            token,
            period,
            keep_us,
        },
        pipeline_maker(smoothing, args.votes),
    )?;
    let rows = svc.rows_held();
    let opts = ServeOptions {
        header_read_timeout: header_timeout,
        max_connections: args.max_connections,
        ..ServeOptions::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        println!("edge-serve: listening on http://{addr}");
        eprintln!(
            "edge-serve: {} rows of {} for {}, default period {}",
            rows,
            args.data.display(),
            args.server,
            period
        );
        let _ = std::io::stdout().flush();
        tokio::select! {
            r = serve(listener, svc, opts) => r,
            _ = shutdown_signal() => {
                eprintln!("edge-serve: stopping");
                Ok(())
            }
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

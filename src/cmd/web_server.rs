//! `edgeshift web-server [--listen 0.0.0.0:8000] [--page FILE] [--workers N] [--work 10ms] [--queue Q] [--queue-timeout 2s]`
//!
//! The service VM's web server: serves a page at `/` with a finite capacity (N workers, each
//! request burning --work of CPU, a bounded queue, 503 beyond), `/healthz` and `/metrics`
//! (Prometheus text). Prints `listening on http://ADDR` when ready; stops gracefully on
//! SIGTERM or SIGINT. Writes no file.

use edgeshift::node::web_server::{run_until_signal, ServerConfig};
use edgeshift::probe::parse_duration_flag;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Serve the web service with a finite capacity (runs in the service VM).
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Serve the web service as a small edge VM would: GET / returns the page (built-in, or \
--page FILE) after --work of real CPU work on one of --workers threads. Requests beyond the workers \
wait in a queue of --queue places; when it is full, or a request waited longer than --queue-timeout, \
the answer is 503 — so a flood really makes the service unavailable. GET /healthz answers 200 ok, or \
503 while the queue is full (it does no work). GET /metrics gives Prometheus text (requests, statuses, \
bytes sent/received, rejected, in flight, queue, process CPU seconds), read by `edgeshift diag`. \
With --work 0ms requests are served inline (a fast server for benchmarks). Prints \
`listening on http://ADDR` once ready (with port 0, the real port). Stops gracefully on SIGTERM/SIGINT.",
    after_help = "Examples:\n  edgeshift web-server                                  # 0.0.0.0:8000, 4 workers, 10 ms each\n  \
edgeshift web-server --listen 127.0.0.1:0 --workers 1 --work 20ms\n  \
edgeshift web-server --workers 64 --work 0ms --page index.html"
)]
pub struct Args {
    /// Address to listen on (port 0: any free port, printed on start).
    #[arg(long, default_value = "0.0.0.0:8000")]
    pub listen: SocketAddr,
    /// Serve this file at / instead of the built-in page.
    #[arg(long, value_name = "FILE")]
    pub page: Option<PathBuf>,
    /// Worker threads: how many requests are worked on at once.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// CPU work per page request (busy loop), e.g. 10ms; 0ms serves inline.
    #[arg(long, default_value = "10ms", value_parser = parse_duration_flag)]
    pub work: Duration,
    /// Waiting places beyond the workers [default: 4 × workers].
    #[arg(long)]
    pub queue: Option<usize>,
    /// Longest wait in the queue before answering 503.
    #[arg(long, default_value = "2s", value_parser = parse_duration_flag)]
    pub queue_timeout: Duration,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.workers == 0 {
        edgeshift::bail_input!("--workers must be at least 1");
    }
    let mut cfg = ServerConfig::new(args.listen);
    if let Some(p) = &args.page {
        cfg = cfg.with_page_file(p)?;
    }
    cfg.workers = args.workers;
    cfg.work = args.work;
    cfg.queue = args.queue.unwrap_or(4 * args.workers);
    cfg.queue_timeout = args.queue_timeout;
    run_until_signal(cfg)?;
    Ok(ExitCode::SUCCESS)
}

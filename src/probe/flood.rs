//! The load generator: HTTP GETs against one URL for a fixed time, with a latency report.
//!
//! Two modes:
//! * **closed loop** (default): `concurrency` connections, each sending its next request as
//!   soon as the previous one is answered (keep-alive, one request in flight per connection).
//! * **open loop** (`rate`): requests are *scheduled* at fixed intervals (1/rate) whatever
//!   the server does; up to `concurrency` of them are outstanding at once (one connection
//!   each). Latency is measured from the scheduled time, so waiting for a free connection
//!   counts (no coordinated omission), and a request still not answered `timeout` after its
//!   scheduled time is a timeout.
//!
//! Both modes reconnect after any error (with a 10 ms back-off after a failed connect, so a
//! dead server does not turn the generator into a busy loop), give each request a timeout,
//! and stop hard at the deadline: requests in flight then are abandoned and counted as such.
//!
//! Uses tokio with one single-threaded event loop per CPU for the closed loop (as wrk does)
//! and a minimal HTTP/1.1 client ([`super::http1`]) for speed: hyper's client cost about 1.7×
//! wrk's CPU time per request, which on a machine shared with the server halves the rate. Owns no file format. The host is resolved once at the start (system resolver or a
//! hosts file).

use super::hosts;
use super::http1::{get_request, ExchangeError, Http1Conn};
use super::latency::{Histogram, LatencySummary};
use super::HttpTarget;
use anyhow::{Context, Result};
use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// What one flood does.
#[derive(Debug, Clone)]
pub struct FloodOptions {
    pub url: String,
    pub duration: Duration,
    /// Closed loop: the number of connections. Open loop: the cap on outstanding requests.
    pub concurrency: usize,
    /// Open loop at this many requests per second; `None` = closed loop.
    pub rate: Option<f64>,
    /// Per request (open loop: from its scheduled time).
    pub timeout: Duration,
    pub hosts_file: Option<PathBuf>,
    /// Show an indicatif progress bar on stderr.
    pub progress: bool,
}

impl FloodOptions {
    pub fn new(url: impl Into<String>, duration: Duration) -> FloodOptions {
        FloodOptions {
            url: url.into(),
            duration,
            concurrency: 50,
            rate: None,
            timeout: Duration::from_secs(5),
            hosts_file: None,
            progress: false,
        }
    }
}

/// Failed requests by kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorCounts {
    /// No complete answer within the timeout.
    pub timeout: u64,
    /// The TCP connection could not be made (refused, unreachable).
    pub connect: u64,
    /// The server answered with status >= 500.
    pub status_5xx: u64,
    /// Anything else: connection reset or closed mid-request, not HTTP, body errors.
    pub other: u64,
}

impl ErrorCounts {
    pub fn total(&self) -> u64 {
        self.timeout + self.connect + self.status_5xx + self.other
    }
}

/// The result of a flood.
#[derive(Debug, Clone, Serialize)]
pub struct FloodReport {
    pub url: String,
    /// `closed` or `open`.
    pub mode: String,
    pub concurrency: usize,
    pub rate: Option<f64>,
    /// Wall-clock seconds from start to stop.
    pub duration_s: f64,
    /// Requests started (open loop: scheduled).
    pub sent: u64,
    /// Answered with 2xx, 3xx or 4xx.
    pub answered: u64,
    pub status_2xx: u64,
    pub status_3xx: u64,
    pub status_4xx: u64,
    pub errors: ErrorCounts,
    pub errors_total: u64,
    /// In flight (or waiting for a connection) at the deadline, not counted otherwise.
    pub abandoned: u64,
    /// HTTP responses (any status) per second.
    pub req_per_s: f64,
    /// Answered (2xx-4xx) per second.
    pub answered_per_s: f64,
    /// Latency of the answered requests.
    pub latency: LatencySummary,
}

impl FloodReport {
    /// A few lines for humans.
    pub fn to_text(&self) -> String {
        let l = &self.latency;
        let e = &self.errors;
        let mode = match self.rate {
            Some(r) => format!(
                "open loop at {r} req/s, at most {} outstanding",
                self.concurrency
            ),
            None => format!("closed loop, {} connections", self.concurrency),
        };
        format!(
            "flood {} for {:.2} s, {mode}\n\
             sent {}, answered {} (2xx {}, 3xx {}, 4xx {}), errors {} (timeout {}, connect {}, 5xx {}, other {}), abandoned at the deadline {}\n\
             {:.1} responses/s, {:.1} answered/s\n\
             latency of answered requests: mean {:.3} ms, p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms\n",
            self.url,
            self.duration_s,
            self.sent,
            self.answered,
            self.status_2xx,
            self.status_3xx,
            self.status_4xx,
            self.errors_total,
            e.timeout,
            e.connect,
            e.status_5xx,
            e.other,
            self.abandoned,
            self.req_per_s,
            self.answered_per_s,
            l.mean_ms,
            l.p50_ms,
            l.p90_ms,
            l.p99_ms,
            l.max_ms
        )
    }
}

/// Runs a flood on its own tokio runtime (for synchronous callers). From async code, use
/// [`run_async`].
pub fn run(opts: &FloodOptions) -> Result<FloodReport> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    let report = rt.block_on(run_async(opts));
    // Abandoned connections must not delay the return.
    rt.shutdown_background();
    report
}

#[derive(Default)]
struct Stats {
    hist: Histogram,
    sent: u64,
    s2: u64,
    s3: u64,
    s4: u64,
    errors: ErrorCounts,
    abandoned: u64,
}

impl Stats {
    fn merge(&mut self, o: &Stats) {
        self.hist.merge(&o.hist);
        self.sent += o.sent;
        self.s2 += o.s2;
        self.s3 += o.s3;
        self.s4 += o.s4;
        self.errors.timeout += o.errors.timeout;
        self.errors.connect += o.errors.connect;
        self.errors.status_5xx += o.errors.status_5xx;
        self.errors.other += o.errors.other;
        self.abandoned += o.abandoned;
    }
}

/// Live counters for the progress bar.
#[derive(Default)]
struct Live {
    done: AtomicU64,
    errors: AtomicU64,
}

struct Shared {
    /// The request's bytes, built once.
    request: Vec<u8>,
    addrs: Vec<SocketAddr>,
    timeout: Duration,
    deadline: Instant,
    live: Option<Arc<Live>>,
}

enum Failure {
    Connect,
    Other,
}

type Job = tokio::sync::mpsc::Receiver<Instant>;

/// Runs a flood on the current tokio runtime.
pub async fn run_async(opts: &FloodOptions) -> Result<FloodReport> {
    let target = HttpTarget::parse(&opts.url)?;
    if opts.concurrency == 0 {
        crate::bail_input!("--concurrency must be at least 1");
    }
    if let Some(r) = opts.rate {
        if !(r.is_finite() && r > 0.0) {
            crate::bail_input!("--rate must be a positive number of requests per second, not {r}");
        }
    }
    let (host, port, hf) = (target.host.clone(), target.port, opts.hosts_file.clone());
    let addrs = tokio::task::spawn_blocking(move || hosts::resolve(&host, port, hf.as_deref()))
        .await
        .context("name resolution task failed")?
        .with_context(|| format!("cannot resolve the host of {}", opts.url))?;
    let start = Instant::now();
    let deadline = start + opts.duration;
    let live = opts.progress.then(|| Arc::new(Live::default()));
    let shared = Arc::new(Shared {
        request: get_request(&target.path, &target.host_header()),
        addrs,
        timeout: opts.timeout,
        deadline,
        live: live.clone(),
    });
    let progress = live.map(|l| tokio::spawn(progress_bar(l, start, opts.duration)));

    let mut handles = Vec::with_capacity(opts.concurrency);
    let mut threads_done = Vec::new();
    let mut scheduler = None;
    match opts.rate {
        None => {
            // Closed loop: like wrk, one single-threaded event loop per CPU, each driving its
            // share of the connections (no work stealing, no cross-thread wake-ups).
            let threads = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
                .min(opts.concurrency);
            for t in 0..threads {
                let mine: Vec<usize> = (t..opts.concurrency).step_by(threads).collect();
                let s = shared.clone();
                let (tx, rx) = tokio::sync::oneshot::channel::<Stats>();
                std::thread::Builder::new()
                    .name(format!("flood-{t}"))
                    .spawn(move || {
                        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                            .enable_all()
                            .build()
                        else {
                            return;
                        };
                        let st = rt.block_on(async move {
                            let hs: Vec<_> = mine
                                .into_iter()
                                .map(|i| tokio::spawn(worker(s.clone(), None, i)))
                                .collect();
                            let mut total = Stats::default();
                            for h in hs {
                                if let Ok(st) = h.await {
                                    total.merge(&st);
                                }
                            }
                            total
                        });
                        rt.shutdown_background();
                        let _ = tx.send(st);
                    })
                    .context("cannot start a flood thread")?;
                threads_done.push(rx);
            }
        }
        Some(rate) => {
            let cap = ((rate * opts.timeout.as_secs_f64()).ceil() as usize).clamp(1024, 1 << 20);
            let (tx, rx) = tokio::sync::mpsc::channel::<Instant>(cap);
            let rx = Arc::new(tokio::sync::Mutex::new(rx));
            for i in 0..opts.concurrency {
                let s = shared.clone();
                let rx = rx.clone();
                handles.push(tokio::spawn(async move { worker(s, Some(rx), i).await }));
            }
            let interval = Duration::from_secs_f64(1.0 / rate);
            scheduler = Some(tokio::spawn(async move {
                let mut dropped = 0u64;
                let mut i: u64 = 0;
                loop {
                    let t = start + interval.mul_f64(i as f64);
                    if t >= deadline {
                        break;
                    }
                    tokio::time::sleep_until(t).await;
                    if tx.try_send(t).is_err() {
                        dropped += 1;
                    }
                    i += 1;
                }
                dropped
            }));
        }
    }
    let mut total = Stats::default();
    for rx in threads_done {
        let st = rx.await.context("a flood thread failed")?;
        total.merge(&st);
    }
    for h in handles {
        let st = h.await.context("a flood worker failed")?;
        total.merge(&st);
    }
    if let Some(s) = scheduler {
        // Requests that could not even be queued waited far beyond any timeout.
        let dropped = s.await.unwrap_or(0);
        total.sent += dropped;
        total.errors.timeout += dropped;
    }
    if let Some(p) = progress {
        p.abort();
        let _ = p.await;
    }
    let elapsed = start.elapsed().as_secs_f64().max(1e-9);
    let answered = total.s2 + total.s3 + total.s4;
    let responses = answered + total.errors.status_5xx;
    Ok(FloodReport {
        url: opts.url.clone(),
        mode: if opts.rate.is_some() {
            "open"
        } else {
            "closed"
        }
        .to_string(),
        concurrency: opts.concurrency,
        rate: opts.rate,
        duration_s: elapsed,
        sent: total.sent,
        answered,
        status_2xx: total.s2,
        status_3xx: total.s3,
        status_4xx: total.s4,
        errors_total: total.errors.total(),
        errors: total.errors,
        abandoned: total.abandoned,
        req_per_s: responses as f64 / elapsed,
        answered_per_s: answered as f64 / elapsed,
        latency: total.hist.summary(),
    })
}

async fn progress_bar(live: Arc<Live>, start: Instant, total: Duration) {
    let pb = indicatif::ProgressBar::new(total.as_millis() as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let _clear = ClearOnDrop(pb.clone());
    loop {
        tick.tick().await;
        let el = start.elapsed();
        let done = live.done.load(Ordering::Relaxed);
        pb.set_position(el.as_millis().min(total.as_millis()) as u64);
        pb.set_message(format!(
            "{done} done, {} errors, {:.0}/s",
            live.errors.load(Ordering::Relaxed),
            done as f64 / el.as_secs_f64().max(1e-3)
        ));
    }
}

struct ClearOnDrop(indicatif::ProgressBar);

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

async fn worker(s: Arc<Shared>, jobs: Option<Arc<tokio::sync::Mutex<Job>>>, index: usize) -> Stats {
    let mut st = Stats::default();
    let mut conn: Option<Http1Conn> = None;
    let addr = s.addrs[index % s.addrs.len()];
    // One timer for the hard deadline, reused by every request.
    let stop = tokio::time::sleep_until(s.deadline);
    tokio::pin!(stop);
    // The per-request timeout, re-armed for each request.
    let timer = tokio::time::sleep_until(s.deadline);
    tokio::pin!(timer);
    loop {
        let scheduled = match &jobs {
            None => Instant::now(),
            Some(rx) => {
                let next = async { rx.lock().await.recv().await };
                tokio::select! {
                    _ = &mut stop => break,
                    j = next => match j { Some(t) => t, None => break },
                }
            }
        };
        if Instant::now() >= s.deadline {
            break;
        }
        st.sent += 1;
        timer.as_mut().reset(scheduled + s.timeout);
        let outcome = tokio::select! {
            biased;
            _ = &mut stop => {
                st.abandoned += 1;
                break;
            }
            _ = &mut timer => Err(()),
            r = request(&s, addr, &mut conn) => Ok(r),
        };
        let mut failed = true;
        match outcome {
            Err(()) => {
                st.errors.timeout += 1;
                conn = None;
            }
            Ok(Ok(status)) => {
                let us = scheduled.elapsed().as_micros() as u64;
                match status {
                    200..=299 => st.s2 += 1,
                    300..=399 => st.s3 += 1,
                    400..=499 => st.s4 += 1,
                    _ => st.errors.status_5xx += 1,
                }
                if status < 500 {
                    st.hist.record(us);
                    failed = false;
                }
            }
            Ok(Err(Failure::Connect)) => {
                st.errors.connect += 1;
                conn = None;
                let pause = (Instant::now() + Duration::from_millis(10)).min(s.deadline);
                tokio::time::sleep_until(pause).await;
            }
            Ok(Err(Failure::Other)) => {
                st.errors.other += 1;
                conn = None;
            }
        }
        if let Some(l) = &s.live {
            l.done.fetch_add(1, Ordering::Relaxed);
            if failed {
                l.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    st
}

async fn request(
    s: &Shared,
    addr: SocketAddr,
    conn: &mut Option<Http1Conn>,
) -> Result<u16, Failure> {
    // A kept-alive connection the server has closed is replaced silently, once.
    let mut reused = conn.is_some();
    loop {
        let c = match conn {
            Some(c) => c,
            None => conn.insert(
                Http1Conn::connect(addr)
                    .await
                    .map_err(|_| Failure::Connect)?,
            ),
        };
        match c.exchange(&s.request).await {
            Ok((status, keep_alive)) => {
                if !keep_alive {
                    *conn = None;
                }
                return Ok(status);
            }
            Err(ExchangeError::ClosedBeforeAnswer) if reused => {
                *conn = None;
                reused = false;
            }
            Err(_) => {
                *conn = None;
                return Err(Failure::Other);
            }
        }
    }
}

//! The service VM's web server: a small page with a *finite capacity*, so that a flood really
//! makes it unavailable, as on a small edge VM.
//!
//! Owns the server, its capacity model and its `/metrics`. Must not know any edgeshift file
//! format; `diag` reads its metrics by the names exported here.
//!
//! * `GET /` (any path but the two below): the page. With `work` > 0 it goes through the
//!   capacity: `workers` dedicated threads, each request keeps one busy (a real CPU busy
//!   loop) for `work` of wall-clock time. Requests beyond the workers wait in a bounded FIFO
//!   queue (`queue` places); a full queue answers 503 at once, and a request that waited
//!   longer than `queue_timeout` answers 503 without doing the work. Requests whose client
//!   has gone away are skipped. With `work` = 0 requests are served inline (the fast server
//!   of the benchmarks).
//! * `GET /healthz`: bypasses the work (a health check must stay cheap) but answers
//!   `503 overloaded` while the queue is full, so a switch's health check sees an overloaded
//!   node as unhealthy; `200 ok` otherwise.
//! * `GET /metrics`: Prometheus text format, never queued: requests total and by status,
//!   bytes sent and received on the wire (counted on the TCP streams), rejected requests,
//!   in-flight requests, queue length, workers, and process CPU seconds (`/proc/self/stat`).
//!
//! Shutdown is graceful: stop accepting, let open connections finish (at most 5 s).

use crate::error::bad_input;
use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::VecDeque;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Metric names (shared with `diag`, which reads them back).
pub const METRIC_REQUESTS: &str = "edgeshift_http_requests_total";
pub const METRIC_RESPONSES: &str = "edgeshift_http_responses_total";
pub const METRIC_SENT_BYTES: &str = "edgeshift_http_sent_bytes_total";
pub const METRIC_RECEIVED_BYTES: &str = "edgeshift_http_received_bytes_total";
pub const METRIC_REJECTED: &str = "edgeshift_http_rejected_total";
pub const METRIC_IN_FLIGHT: &str = "edgeshift_http_in_flight";
pub const METRIC_QUEUE: &str = "edgeshift_http_queue_length";
pub const METRIC_CPU: &str = "process_cpu_seconds_total";

/// The built-in page.
pub const DEFAULT_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>web-server</title></head>\n\
<body><h1>web-server</h1><p>Served by edgeshift web-server.</p></body></html>\n";

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub page: Bytes,
    pub workers: usize,
    /// CPU work per page request.
    pub work: Duration,
    /// Waiting places beyond the workers.
    pub queue: usize,
    /// Longest wait in the queue before a 503.
    pub queue_timeout: Duration,
}

impl ServerConfig {
    /// Defaults: 0.0.0.0:8000, built-in page, 4 workers, 10 ms work, queue 4 × workers, 2 s.
    pub fn new(listen: SocketAddr) -> ServerConfig {
        ServerConfig {
            listen,
            page: Bytes::from_static(DEFAULT_PAGE.as_bytes()),
            workers: 4,
            work: Duration::from_millis(10),
            queue: 16,
            queue_timeout: Duration::from_secs(2),
        }
    }

    /// Reads the page from a file.
    pub fn with_page_file(mut self, path: &Path) -> Result<ServerConfig> {
        let bytes = std::fs::read(path)
            .map_err(|e| bad_input(format!("cannot read the page {}: {e}", path.display())))?;
        self.page = Bytes::from(bytes);
        Ok(self)
    }
}

const CODES: [u16; 6] = [200, 404, 405, 500, 503, 0];

/// Live counters of a server.
#[derive(Debug, Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    /// Indexed like `CODES` (the last slot: any other status).
    responses: [AtomicU64; 6],
    pub sent_bytes: AtomicU64,
    pub received_bytes: AtomicU64,
    pub rejected: AtomicU64,
    pub in_flight: AtomicU64,
}

impl Metrics {
    fn count_status(&self, code: u16) {
        let i = CODES
            .iter()
            .position(|&c| c == code)
            .unwrap_or(CODES.len() - 1);
        self.responses[i].fetch_add(1, Ordering::Relaxed);
    }

    /// Responses sent with `code`.
    pub fn responses(&self, code: u16) -> u64 {
        CODES
            .iter()
            .position(|&c| c == code)
            .map(|i| self.responses[i].load(Ordering::Relaxed))
            .unwrap_or(0)
    }
}

struct Job {
    enqueued: Instant,
    done: tokio::sync::oneshot::Sender<bool>,
}

/// The worker threads and their queue.
struct Pool {
    queue: Mutex<VecDeque<Job>>,
    ready: Condvar,
    stop: AtomicBool,
    capacity: usize,
    work: Duration,
    queue_timeout: Duration,
}

impl Pool {
    fn start(
        workers: usize,
        capacity: usize,
        work: Duration,
        queue_timeout: Duration,
    ) -> Arc<Pool> {
        let pool = Arc::new(Pool {
            queue: Mutex::new(VecDeque::with_capacity(capacity)),
            ready: Condvar::new(),
            stop: AtomicBool::new(false),
            capacity,
            work,
            queue_timeout,
        });
        for i in 0..workers {
            let p = pool.clone();
            let _ = std::thread::Builder::new()
                .name(format!("web-worker-{i}"))
                .spawn(move || p.work_loop());
        }
        pool
    }

    fn queue_len(&self) -> usize {
        self.queue.lock().map(|q| q.len()).unwrap_or(0)
    }

    fn full(&self) -> bool {
        self.queue_len() >= self.capacity
    }

    /// Queues a job; `None` when the queue is full.
    fn submit(&self) -> Option<tokio::sync::oneshot::Receiver<bool>> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let mut q = self.queue.lock().ok()?;
        if q.len() >= self.capacity {
            return None;
        }
        q.push_back(Job {
            enqueued: Instant::now(),
            done: tx,
        });
        drop(q);
        self.ready.notify_one();
        Some(rx)
    }

    fn work_loop(&self) {
        loop {
            let job = {
                let Ok(mut q) = self.queue.lock() else { return };
                loop {
                    if self.stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if let Some(j) = q.pop_front() {
                        break j;
                    }
                    q = match self.ready.wait_timeout(q, Duration::from_millis(500)) {
                        Ok((q, _)) => q,
                        Err(_) => return,
                    };
                }
            };
            if job.done.is_closed() {
                continue; // the client went away
            }
            if job.enqueued.elapsed() > self.queue_timeout {
                let _ = job.done.send(false);
                continue;
            }
            busy(self.work);
            let _ = job.done.send(true);
        }
    }

    fn shutdown(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.ready.notify_all();
    }
}

/// Keeps the CPU busy for `d` of wall-clock time.
fn busy(d: Duration) {
    let start = Instant::now();
    let mut x = 0u64;
    while start.elapsed() < d {
        for i in 0..1000u64 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
    }
    std::hint::black_box(x);
}

struct State {
    cfg: ServerConfig,
    metrics: Arc<Metrics>,
    pool: Option<Arc<Pool>>,
}

impl Drop for State {
    fn drop(&mut self) {
        if let Some(p) = &self.pool {
            p.shutdown();
        }
    }
}

/// A TCP stream that counts the bytes it carries.
struct Counting {
    inner: TcpStream,
    metrics: Arc<Metrics>,
}

impl AsyncRead for Counting {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        if n > 0 {
            self.metrics
                .received_bytes
                .fetch_add(n as u64, Ordering::Relaxed);
        }
        r
    }
}

impl AsyncWrite for Counting {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &r {
            self.metrics
                .sent_bytes
                .fetch_add(*n as u64, Ordering::Relaxed);
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = &r {
            self.metrics
                .sent_bytes
                .fetch_add(*n as u64, Ordering::Relaxed);
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

fn text(status: StatusCode, body: impl Into<Bytes>, ctype: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(ctype),
    );
    r
}

struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn handle(req: Request<Incoming>, st: Arc<State>) -> Response<Full<Bytes>> {
    let m = &st.metrics;
    m.requests.fetch_add(1, Ordering::Relaxed);
    m.in_flight.fetch_add(1, Ordering::Relaxed);
    let _guard = InFlight(m);
    let resp = route(&req, &st).await;
    m.count_status(resp.status().as_u16());
    resp
}

async fn route(req: &Request<Incoming>, st: &State) -> Response<Full<Bytes>> {
    const PLAIN: &str = "text/plain; charset=utf-8";
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n", PLAIN);
    }
    match req.uri().path() {
        "/healthz" => match &st.pool {
            Some(p) if p.full() => text(StatusCode::SERVICE_UNAVAILABLE, "overloaded\n", PLAIN),
            _ => text(StatusCode::OK, "ok\n", PLAIN),
        },
        "/metrics" => text(
            StatusCode::OK,
            render_metrics(st),
            "text/plain; version=0.0.4; charset=utf-8",
        ),
        "/favicon.ico" => text(StatusCode::NOT_FOUND, "not found\n", PLAIN),
        _ => {
            let page = || {
                text(
                    StatusCode::OK,
                    st.cfg.page.clone(),
                    "text/html; charset=utf-8",
                )
            };
            let Some(pool) = &st.pool else { return page() };
            match pool.submit() {
                None => {
                    st.metrics.rejected.fetch_add(1, Ordering::Relaxed);
                    text(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "overloaded: queue full\n",
                        PLAIN,
                    )
                }
                Some(rx) => match rx.await {
                    Ok(true) => page(),
                    _ => {
                        st.metrics.rejected.fetch_add(1, Ordering::Relaxed);
                        text(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "overloaded: queue timeout\n",
                            PLAIN,
                        )
                    }
                },
            }
        }
    }
}

/// Process CPU seconds (user + system) from /proc/self/stat.
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = procfs::process::Process::myself().ok()?.stat().ok()?;
    Some((stat.utime + stat.stime) as f64 / procfs::ticks_per_second() as f64)
}

fn render_metrics(st: &State) -> String {
    use std::fmt::Write;
    let m = &st.metrics;
    let ld = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let mut s = String::with_capacity(1500);
    let mut metric = |name: &str, kind: &str, help: &str, lines: Vec<(String, String)>| {
        let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, v) in lines {
            let _ = writeln!(s, "{name}{labels} {v}");
        }
    };
    metric(
        METRIC_REQUESTS,
        "counter",
        "HTTP requests received.",
        vec![(String::new(), ld(&m.requests).to_string())],
    );
    let by_code = CODES
        .iter()
        .zip(&m.responses)
        .map(|(c, n)| {
            let label = if *c == 0 {
                "other".to_string()
            } else {
                c.to_string()
            };
            (format!("{{code=\"{label}\"}}"), ld(n).to_string())
        })
        .collect();
    metric(
        METRIC_RESPONSES,
        "counter",
        "HTTP responses by status code.",
        by_code,
    );
    metric(
        METRIC_SENT_BYTES,
        "counter",
        "Bytes sent on the wire.",
        vec![(String::new(), ld(&m.sent_bytes).to_string())],
    );
    metric(
        METRIC_RECEIVED_BYTES,
        "counter",
        "Bytes received on the wire.",
        vec![(String::new(), ld(&m.received_bytes).to_string())],
    );
    metric(
        METRIC_REJECTED,
        "counter",
        "Requests answered 503 because the queue was full or too slow.",
        vec![(String::new(), ld(&m.rejected).to_string())],
    );
    metric(
        METRIC_IN_FLIGHT,
        "gauge",
        "Requests being handled.",
        vec![(String::new(), ld(&m.in_flight).to_string())],
    );
    let qlen = st.pool.as_ref().map(|p| p.queue_len()).unwrap_or(0);
    metric(
        METRIC_QUEUE,
        "gauge",
        "Requests waiting for a worker.",
        vec![(String::new(), qlen.to_string())],
    );
    metric(
        "edgeshift_workers",
        "gauge",
        "Worker threads (the capacity).",
        vec![(String::new(), st.cfg.workers.to_string())],
    );
    metric(
        "edgeshift_queue_capacity",
        "gauge",
        "Waiting places.",
        vec![(String::new(), st.cfg.queue.to_string())],
    );
    if let Some(cpu) = process_cpu_seconds() {
        metric(
            METRIC_CPU,
            "counter",
            "Total user and system CPU time spent in seconds.",
            vec![(String::new(), cpu.to_string())],
        );
    }
    s
}

/// Serves on `listener` until `shutdown` completes, then drains connections (at most 5 s).
pub async fn serve(
    listener: TcpListener,
    cfg: ServerConfig,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    if cfg.workers == 0 {
        crate::bail_input!("--workers must be at least 1");
    }
    let pool = (!cfg.work.is_zero())
        .then(|| Pool::start(cfg.workers, cfg.queue.max(1), cfg.work, cfg.queue_timeout));
    let state = Arc::new(State { cfg, metrics, pool });
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            acc = listener.accept() => {
                let (stream, _) = match acc {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, don't spin.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let io = TokioIo::new(Counting { inner: stream, metrics: state.metrics.clone() });
                let st = state.clone();
                let svc = hyper::service::service_fn(move |req| {
                    let st = st.clone();
                    async move { Ok::<_, std::convert::Infallible>(handle(req, st).await) }
                });
                let conn = graceful.watch(builder.serve_connection(io, svc));
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
    Ok(())
}

/// A server running on its own thread and runtime (tests, the testbed).
pub struct RunningServer {
    pub addr: SocketAddr,
    pub metrics: Arc<Metrics>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl RunningServer {
    /// Binds `cfg.listen` (port 0 picks a free port, see `addr`) and serves in the background.
    pub fn start(cfg: ServerConfig) -> Result<RunningServer> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("cannot start the tokio runtime")?;
        let listener = rt
            .block_on(TcpListener::bind(cfg.listen))
            .with_context(|| format!("cannot listen on {}", cfg.listen))?;
        let addr = listener.local_addr()?;
        let metrics = Arc::new(Metrics::default());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let m = metrics.clone();
        let thread = std::thread::Builder::new()
            .name(format!("web-server-{addr}"))
            .spawn(move || {
                let r = rt.block_on(serve(listener, cfg, m, async {
                    let _ = rx.await;
                }));
                rt.shutdown_background();
                r
            })?;
        Ok(RunningServer {
            addr,
            metrics,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    /// Stops the server and waits for it.
    pub fn stop(mut self) -> Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            return t
                .join()
                .map_err(|_| anyhow::anyhow!("the web server thread panicked"))?;
        }
        Ok(())
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.stop_inner();
    }
}

/// Runs the server until SIGTERM or SIGINT, printing `listening on http://ADDR` first
/// (the `web-server` command).
pub fn run_until_signal(cfg: ServerConfig) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    rt.block_on(async move {
        let listener = TcpListener::bind(cfg.listen)
            .await
            .with_context(|| format!("cannot listen on {}", cfg.listen))?;
        let addr = listener.local_addr()?;
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on http://{addr}")?;
            out.flush()?;
        }
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("cannot install the SIGTERM handler")?;
        let stop = async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        };
        serve(listener, cfg, Arc::new(Metrics::default()), stop).await
    })?;
    rt.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

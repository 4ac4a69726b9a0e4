//! The edge service: answers this node's time table over HTTP (`edgeshift edge-serve`).
//!
//! Owns the HTTP surface (routes, validation, the bearer token, limits on request size and
//! time, metrics) and the in-memory data it serves from ([`tail::Tail`], read incrementally
//! while `diag` appends to the file). It does **not** compute time tables: the computation is
//! injected as a [`MakeTable`] (the `edge-serve` command passes `pipeline::edge_time_table`),
//! so this module never duplicates `analysis` and can be tested with any table maker.
//!
//! Routes (all `GET`):
//! * `/time_table/<window>` (`-2h`, `90m`, `1d`) and `/time_table?window=2h&period=hour&now=ISO`:
//!   the time table CSV (`table::timetable::format_time_table`) of the rows in the window.
//!   The window ends at the **newest row of the data file** (so a replayed or compressed-clock
//!   recording works), or at `now=` when given: rows with `end - window < Time <= end`.
//!   Without a window: every row held.
//! * `/limits`: the limits file as CSV. `/healthz`: `ok`. `/metrics`: Prometheus text.
//!
//! Answers: 200 with `text/csv`; 400 for a bad window/period/now/parameter (message in the
//! body); 401 without the right `Authorization: Bearer <token>` (every route but `/healthz`,
//! compared in constant time); 404 unknown path; 405 other methods; 413 a request body over
//! 64 KiB; 422 when the window holds no rows or the data cannot give a table; 431 for headers
//! over the limit (hyper answers it); 503 when the data file cannot be read at all. A client
//! that does not send its headers within `header_read_timeout` is disconnected; connections
//! are served concurrently and capped (`max_connections`).

pub mod metrics;
pub mod tail;

use crate::analysis::limits::ParamLimits;
use crate::analysis::period::Period;
use crate::error::{bad_input, is_input_error};
use crate::monitor::select::{format_window, last_window, parse_window};
use crate::table::limits::{format_limits, read_limits};
use crate::table::time::{format_time, parse_time};
use crate::table::timetable::{format_time_table, TimeTable};
use crate::table::Frame;
use anyhow::Result;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics::{DataFigures, Metrics};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};
use tail::Tail;

/// Which period the table is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodArg {
    Fixed(Period),
    /// Chosen from the data (`analysis::autoperiod`, through the pipeline).
    Auto,
}

impl FromStr for PeriodArg {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(PeriodArg::Auto);
        }
        Period::from_str(s)
            .map(PeriodArg::Fixed)
            .map_err(|_| format!("unknown period {s:?}: expected hour, day, week or auto"))
    }
}

impl fmt::Display for PeriodArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodArg::Fixed(p) => write!(f, "{p}"),
            PeriodArg::Auto => f.write_str("auto"),
        }
    }
}

/// A computed table, as the table maker returns it.
#[derive(Debug, Clone)]
pub struct Computed {
    pub table: TimeTable,
    pub period: Period,
    /// A human summary (the pipeline's report), sent back in no header: logged at debug.
    pub report: String,
}

/// The injected time-table computation: `(edge rows, limits, server, period) -> table`.
pub type MakeTable =
    Arc<dyn Fn(&Frame, &[ParamLimits], &str, PeriodArg) -> Result<Computed> + Send + Sync>;

/// What the service serves.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub data: PathBuf,
    pub limits: PathBuf,
    /// The server name written in the tables (`web-server1`).
    pub server: String,
    /// The bearer token; `None` = no authentication.
    pub token: Option<String>,
    /// The period used when a request does not say.
    pub period: PeriodArg,
    /// How much data to keep in memory (microseconds back from the newest row).
    pub keep_us: i64,
}

/// Connection limits of the HTTP server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// A client must send its whole request head within this time (also the idle limit of
    /// a kept-alive connection).
    pub header_read_timeout: Duration,
    /// The largest request head, bytes (at least 8 KiB: hyper's minimum buffer).
    pub max_header_bytes: usize,
    /// The most header fields in a request.
    pub max_headers: usize,
    /// The most connections served at once; more are closed at once.
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: 8192,
            max_headers: 64,
            max_connections: 256,
        }
    }
}

/// The largest request body accepted (requests are GETs: they need none).
pub const MAX_BODY: u64 = 64 * 1024;

#[derive(Debug)]
struct LimitsFile {
    path: PathBuf,
    stamp: Option<(SystemTime, u64)>,
    limits: Arc<Vec<ParamLimits>>,
    generation: u64,
}

impl LimitsFile {
    fn load(path: &Path) -> Result<LimitsFile> {
        let mut l = LimitsFile {
            path: path.to_path_buf(),
            stamp: None,
            limits: Arc::new(Vec::new()),
            generation: 0,
        };
        l.refresh()?;
        Ok(l)
    }

    /// Re-reads the limits when the file changed (a new calibration was copied in). A bad
    /// new file is reported and the old limits stay.
    fn refresh(&mut self) -> Result<()> {
        let meta = std::fs::metadata(&self.path)
            .map_err(|e| bad_input(format!("cannot open {}: {e}", self.path.display())))?;
        let stamp = (
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            meta.len(),
        );
        if self.stamp == Some(stamp) {
            return Ok(());
        }
        let limits = read_limits(&self.path)?;
        self.limits = Arc::new(limits);
        self.stamp = Some(stamp);
        self.generation += 1;
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    window: Option<i64>,
    period: PeriodArg,
    end: i64,
    rows: usize,
    data_generation: u64,
    limits_generation: u64,
}

/// A ready answer.
#[derive(Debug)]
struct Answer {
    csv: String,
    period: Period,
    rows: usize,
    end: i64,
}

const CACHE_ENTRIES: usize = 64;

/// How many tables are computed at once; further requests that need a computation wait
/// (cached answers do not), so a flood of distinct windows cannot exhaust the machine.
pub const COMPUTE_SLOTS: usize = 2;

/// The rows of a request that missed the cache.
struct Work {
    frame: Frame,
    key: CacheKey,
    limits: Arc<Vec<ParamLimits>>,
}

enum Prepared {
    Ready(Arc<Answer>),
    Work(Work),
}

/// The running service's state.
pub struct Service {
    cfg: ServiceConfig,
    tail: Mutex<Tail>,
    limits: Mutex<LimitsFile>,
    cache: Mutex<HashMap<CacheKey, Arc<Answer>>>,
    make: MakeTable,
    metrics: Metrics,
    compute_slots: tokio::sync::Semaphore,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// An error answer: status and message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("error: {}\n", self.message),
        )
            .into_response()
    }
}

impl Service {
    /// Loads the data file and the limits (both must be readable now) and builds the state.
    pub fn new(cfg: ServiceConfig, make: MakeTable) -> Result<Arc<Service>> {
        if cfg.server.trim().is_empty() || cfg.server.contains([',', '"', '\n', '\r']) {
            crate::bail_input!(
                "server name {:?} cannot be a time table column name",
                cfg.server
            );
        }
        let limits = LimitsFile::load(&cfg.limits)?;
        let mut tail = Tail::new(&cfg.data, cfg.keep_us);
        tail.refresh()?;
        Ok(Arc::new(Service {
            tail: Mutex::new(tail),
            limits: Mutex::new(limits),
            cache: Mutex::new(HashMap::new()),
            make,
            metrics: Metrics::default(),
            compute_slots: tokio::sync::Semaphore::new(COMPUTE_SLOTS),
            cfg,
        }))
    }

    /// Rows held right now (after a refresh).
    pub fn rows_held(&self) -> usize {
        let mut t = lock(&self.tail);
        let _ = t.refresh();
        t.len()
    }

    /// The time table for a window (its length in microseconds; `None` = all rows held)
    /// ending at `now` (default: the newest row), as CSV. Blocking: file reads and the
    /// computation run here.
    pub fn time_table_csv(
        &self,
        window: Option<i64>,
        period: Option<PeriodArg>,
        now: Option<i64>,
    ) -> std::result::Result<(String, Period, usize, i64), ApiError> {
        let a = match self.prepare(window, period, now)? {
            Prepared::Ready(a) => a,
            Prepared::Work(w) => self.compute(w)?,
        };
        Ok((a.csv.clone(), a.period, a.rows, a.end))
    }

    /// Reads what was appended, cuts the window and looks in the cache: either the answer
    /// is ready, or the rows to compute from are returned (cheap; no table computed here).
    fn prepare(
        &self,
        window: Option<i64>,
        period: Option<PeriodArg>,
        now: Option<i64>,
    ) -> std::result::Result<Prepared, ApiError> {
        let period = period.unwrap_or(self.cfg.period);
        let (limits, limits_generation) = {
            let mut l = lock(&self.limits);
            if let Err(e) = l.refresh() {
                tracing::warn!("limits file: {e:#}; keeping the limits read before");
            }
            (l.limits.clone(), l.generation)
        };
        let mut t = lock(&self.tail);
        if let Err(e) = t.refresh() {
            if t.is_empty() {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("no measurements: {e:#}"),
                ));
            }
            tracing::warn!("data file: {e:#}; serving the rows read before");
        }
        let Some(newest) = t.newest() else {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{} holds no measurement rows yet", t.path().display()),
            ));
        };
        let end = now.unwrap_or(newest);
        let range = match window {
            Some(w) => last_window(&t.times, end, w),
            None => 0..t.times.partition_point(|&x| x <= end),
        };
        if range.is_empty() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "no measurements in the window {} ending {}; the data covers {} to {}",
                    window.map(format_window).unwrap_or_else(|| "(all)".into()),
                    format_time(end),
                    format_time(t.times[0]),
                    format_time(newest)
                ),
            ));
        }
        let key = CacheKey {
            window,
            period,
            end,
            rows: range.len(),
            data_generation: t.generation,
            limits_generation,
        };
        if let Some(hit) = lock(&self.cache).get(&key) {
            self.metrics.cache_hit();
            return Ok(Prepared::Ready(hit.clone()));
        }
        Ok(Prepared::Work(Work {
            frame: t.frame(range),
            key,
            limits,
        }))
    }

    /// Computes a table (the expensive part) and caches it.
    fn compute(&self, w: Work) -> std::result::Result<Arc<Answer>, ApiError> {
        let computed =
            (self.make)(&w.frame, &w.limits, &self.cfg.server, w.key.period).map_err(|e| {
                if is_input_error(&e) {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!("cannot compute a time table from these rows: {e:#}"),
                    )
                } else {
                    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}"))
                }
            })?;
        tracing::debug!("time table: {}", computed.report);
        self.metrics
            .table_computed(computed.table.busy_count(), computed.table.busy.len());
        let answer = Arc::new(Answer {
            csv: format_time_table(&computed.table),
            period: computed.period,
            rows: w.frame.len(),
            end: w.key.end,
        });
        let mut cache = lock(&self.cache);
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(w.key, answer.clone());
        Ok(answer)
    }

    fn data_figures(&self) -> DataFigures {
        let mut t = lock(&self.tail);
        let _ = t.refresh();
        DataFigures {
            rows_read: t.rows_read,
            rows_held: t.len(),
            bad_lines: t.bad_lines,
            restarts: t.generation,
            last_row_seconds: t.newest().map(|us| us as f64 / 1e6),
        }
    }

    /// Constant-time check of an `Authorization` header value against the token.
    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(token) = &self.cfg.token else {
            return true;
        };
        let Some(given) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        constant_time_eq(given.trim().as_bytes(), token.as_bytes())
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().max(b.len());
    let mut diff = (a.len() ^ b.len()) as u8 | u8::from(a.len() != b.len());
    for i in 0..n {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

fn route_of(path: &str) -> &'static str {
    match path {
        "/time_table" => "time_table",
        p if p.starts_with("/time_table/") => "time_table",
        "/limits" => "limits",
        "/metrics" => "metrics",
        "/healthz" => "healthz",
        _ => "other",
    }
}

/// Authentication, body limit, and metrics for every request.
async fn guard(State(svc): State<Arc<Service>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_of(req.uri().path());
    let response = if route != "healthz" && !svc.authorized(req.headers()) {
        let mut r = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "this service needs Authorization: Bearer <token>",
        )
        .into_response();
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        r
    } else if req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().parse::<u64>().map_or(true, |n| n > MAX_BODY))
    {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request bodies are limited to {MAX_BODY} bytes (GET needs none)"),
        )
        .into_response()
    } else {
        next.run(req).await
    };
    svc.metrics.record(
        route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

async fn time_table_path(
    State(svc): State<Arc<Service>>,
    UrlPath(window): UrlPath<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    time_table(svc, Some(window), query).await
}

async fn time_table_query(
    State(svc): State<Arc<Service>>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    time_table(svc, None, query).await
}

/// The parsed parameters of a time-table request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableRequest {
    pub window: Option<i64>,
    pub period: Option<PeriodArg>,
    pub now: Option<i64>,
}

/// Validates a time-table request's path segment and query parameters.
pub fn parse_request(
    path_window: Option<&str>,
    query: &[(String, String)],
) -> std::result::Result<TableRequest, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let mut req = TableRequest::default();
    let mut window = path_window.map(str::to_string);
    let mut seen: Vec<&str> = Vec::new();
    for (k, v) in query {
        if seen.contains(&k.as_str()) {
            return Err(bad(format!("parameter {k:?} given twice")));
        }
        match k.as_str() {
            "window" => {
                if window.is_some() {
                    return Err(bad(
                        "the window is given both in the path and as ?window=".into()
                    ));
                }
                window = Some(v.clone());
                seen.push("window");
            }
            "period" => {
                req.period = Some(PeriodArg::from_str(v).map_err(bad)?);
                seen.push("period");
            }
            "now" => {
                req.now = Some(parse_time(v).ok_or_else(|| {
                    bad(format!(
                        "cannot read now={:?} as a time; expected e.g. 2024-03-04T10:00:00",
                        v.chars().take(40).collect::<String>()
                    ))
                })?);
                seen.push("now");
            }
            other => {
                return Err(bad(format!(
                    "unknown parameter {:?}; expected window, period or now",
                    other.chars().take(40).collect::<String>()
                )))
            }
        }
    }
    if let Some(w) = window {
        req.window = Some(parse_window(&w).map_err(|e| bad(e.to_string()))?);
    }
    Ok(req)
}

async fn time_table(
    svc: Arc<Service>,
    window: Option<String>,
    query: Vec<(String, String)>,
) -> Response {
    let req = match parse_request(window.as_deref(), &query) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let result = answer_async(svc, req).await;
    match result {
        Ok(a) => {
            let mut r = (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
                a.csv.clone(),
            )
                .into_response();
            let h = r.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                "x-edgeshift-period",
                HeaderValue::from_static(a.period.name()),
            );
            if let Ok(v) = HeaderValue::from_str(&a.rows.to_string()) {
                h.insert("x-edgeshift-rows", v);
            }
            if let Ok(v) = HeaderValue::from_str(&format_time(a.end)) {
                h.insert("x-edgeshift-window-end", v);
            }
            r
        }
        Err(e) => e.into_response(),
    }
}

/// Prepares on the blocking pool; computes (when the cache missed) under a compute slot.
async fn answer_async(
    svc: Arc<Service>,
    req: TableRequest,
) -> std::result::Result<Arc<Answer>, ApiError> {
    let failed = |e: tokio::task::JoinError| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("task failed: {e}"),
        )
    };
    let s = svc.clone();
    let prepared = tokio::task::spawn_blocking(move || s.prepare(req.window, req.period, req.now))
        .await
        .map_err(failed)??;
    match prepared {
        Prepared::Ready(a) => Ok(a),
        Prepared::Work(w) => {
            let _slot = svc.compute_slots.acquire().await.map_err(|e| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("shutting down: {e}"),
                )
            })?;
            let s = svc.clone();
            tokio::task::spawn_blocking(move || s.compute(w))
                .await
                .map_err(failed)?
        }
    }
}

async fn limits(State(svc): State<Arc<Service>>) -> Response {
    let text = {
        let mut l = lock(&svc.limits);
        if let Err(e) = l.refresh() {
            tracing::warn!("limits file: {e:#}; keeping the limits read before");
        }
        format_limits(&l.limits)
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        text,
    )
        .into_response()
}

async fn metrics_page(State(svc): State<Arc<Service>>) -> Response {
    let text = tokio::task::spawn_blocking(move || svc.metrics.render(&svc.data_figures()))
        .await
        .unwrap_or_default();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        text,
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not found; routes are /time_table/<window>, /time_table?window=, /limits, /metrics, /healthz",
    )
    .into_response()
}

/// The service's routes.
pub fn router(svc: Arc<Service>) -> Router {
    Router::new()
        .route("/time_table/{window}", get(time_table_path))
        .route("/time_table", get(time_table_query))
        .route("/limits", get(limits))
        .route("/metrics", get(metrics_page))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(svc.clone(), guard))
        .with_state(svc)
}

/// Serves until the future is dropped: one task per connection, each with hyper's HTTP/1
/// limits (head size, header count, head read timeout) applied.
pub async fn serve(
    listener: tokio::net::TcpListener,
    svc: Arc<Service>,
    opts: ServeOptions,
) -> Result<()> {
    use hyper::server::conn::http1;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let app = router(svc);
    let slots = Arc::new(tokio::sync::Semaphore::new(opts.max_connections.max(1)));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                // Out of file descriptors and the like: wait a little, keep serving.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracing::warn!("{peer}: too many connections, closing");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let opts = opts.clone();
        tokio::spawn(async move {
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(opts.header_read_timeout)
                .max_buf_size(opts.max_header_bytes.max(8192))
                .max_headers(opts.max_headers)
                .keep_alive(true);
            if let Err(e) = builder
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("{peer}: connection ended: {e}");
            }
            drop(permit);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_validated() {
        let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let r = parse_request(Some("-2h"), &q(&[("period", "day")])).unwrap();
        assert_eq!(r.window, Some(2 * 3_600_000_000));
        assert_eq!(r.period, Some(PeriodArg::Fixed(Period::Day)));
        let r = parse_request(None, &q(&[("window", "90m"), ("now", "2024-03-04T10:00")])).unwrap();
        assert_eq!(r.window, Some(90 * 60_000_000));
        assert!(r.now.is_some());
        for (w, query) in [
            (Some("../../etc/passwd"), q(&[])),
            (Some("2h"), q(&[("window", "2h")])),
            (None, q(&[("window", "abc")])),
            (None, q(&[("period", "month")])),
            (None, q(&[("now", "yesterday")])),
            (None, q(&[("file", "/etc/passwd")])),
            (None, q(&[("period", "day"), ("period", "day")])),
        ] {
            let e = parse_request(w, &query).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{w:?} {query:?}");
        }
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }
}

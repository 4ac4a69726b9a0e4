//! The availability probe: N sequential HTTP GETs, one probe row appended to a probe file.
//!
//! Owns the probe's notion of success (an HTTP answer with a status below 500, body read
//! completely within the timeout) and the concurrent-safe append. It writes rows only
//! through [`ProbeRow::to_csv_line`] and the header from `table::probe`; it knows no other
//! format.
//!
//! Errors: timeout, refused connection, name resolution failure, an answer that is not HTTP,
//! and status >= 500. A 4xx is a success: the server answered. Every attempt uses a new
//! connection (no keep-alive), like the reference `measure.py`, so an overloaded server that
//! no longer accepts connections is seen.
//!
//! Response time is measured from the start of the attempt (before connecting) to the last
//! byte of the body, with the monotonic clock.

use super::hosts::HostsFileResolver;
use super::HttpTarget;
use crate::table::probe::{header_line, ProbeRow};
use crate::table::time::now_local;
use anyhow::{Context, Result};
use fs4::fs_std::FileExt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What one `measure` run does.
#[derive(Debug, Clone)]
pub struct MeasureOptions {
    pub url: String,
    pub attempts: u32,
    /// Per attempt, connect to last body byte.
    pub timeout: Duration,
    /// Between two attempts.
    pub pause: Duration,
    /// Resolve the host through this hosts file instead of the system resolver.
    pub hosts_file: Option<PathBuf>,
    /// The time recorded in the row (microseconds, see `table::time`); `None` = now.
    pub at: Option<i64>,
}

impl MeasureOptions {
    pub fn new(url: impl Into<String>, attempts: u32) -> MeasureOptions {
        MeasureOptions {
            url: url.into(),
            attempts,
            timeout: Duration::from_secs(5),
            pause: Duration::from_millis(200),
            hosts_file: None,
            at: None,
        }
    }
}

/// Why an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    Timeout,
    Refused,
    Dns,
    /// The peer answered something that is not HTTP, or closed the connection early.
    Protocol,
    /// HTTP status >= 500.
    Status5xx,
    Other,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::Refused => "refused",
            ErrorKind::Dns => "dns",
            ErrorKind::Protocol => "not-http",
            ErrorKind::Status5xx => "5xx",
            ErrorKind::Other => "other",
        }
    }
}

/// The outcome of one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt {
    /// Status and duration in seconds.
    Ok(u16, f64),
    Err(ErrorKind, String),
}

/// A probe run: the row and the attempts behind it.
#[derive(Debug, Clone)]
pub struct MeasureReport {
    pub row: ProbeRow,
    pub attempts: Vec<Attempt>,
}

impl MeasureReport {
    /// One line for humans: `10 attempts: 9 ok (mean 4.057 ms), 1 error (timeout: 1)`.
    pub fn summary(&self) -> String {
        let r = &self.row;
        let mut s = format!("{} attempts: {} ok", r.successes + r.errors, r.successes);
        if let Some(m) = r.response {
            s.push_str(&format!(" (mean {:.3} ms)", m * 1000.0));
        }
        s.push_str(&format!(
            ", {} error{}",
            r.errors,
            if r.errors == 1 { "" } else { "s" }
        ));
        let mut kinds = std::collections::BTreeMap::new();
        let mut first = None;
        for a in &self.attempts {
            if let Attempt::Err(k, msg) = a {
                *kinds.entry(k.name()).or_insert(0u32) += 1;
                first.get_or_insert(msg.clone());
            }
        }
        if !kinds.is_empty() {
            let list: Vec<String> = kinds.iter().map(|(k, n)| format!("{k}: {n}")).collect();
            s.push_str(&format!(" ({})", list.join(", ")));
            if let Some(m) = first {
                s.push_str(&format!("; first: {m}"));
            }
        }
        s
    }
}

/// Runs the probe and returns its row.
pub fn measure(opts: &MeasureOptions) -> Result<ProbeRow> {
    Ok(measure_report(opts)?.row)
}

/// Runs the probe and returns the row and every attempt's outcome.
pub fn measure_report(opts: &MeasureOptions) -> Result<MeasureReport> {
    HttpTarget::parse(&opts.url)?;
    if opts.attempts == 0 {
        crate::bail_input!("ATTEMPTS must be at least 1");
    }
    let time = opts.at.unwrap_or_else(now_local);
    let mut builder = ureq::AgentBuilder::new()
        .timeout(opts.timeout)
        .max_idle_connections(0)
        .redirects(0)
        .user_agent(concat!("edgeshift-measure/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = &opts.hosts_file {
        let r = HostsFileResolver { path: path.clone() };
        builder = builder.resolver(move |netloc: &str| r.resolve_netloc(netloc));
    }
    let agent = builder.build();
    let mut attempts = Vec::with_capacity(opts.attempts as usize);
    for i in 0..opts.attempts {
        if i > 0 && !opts.pause.is_zero() {
            std::thread::sleep(opts.pause);
        }
        attempts.push(attempt(&agent, &opts.url, opts.timeout));
    }
    let ok: Vec<f64> = attempts
        .iter()
        .filter_map(|a| match a {
            Attempt::Ok(_, d) => Some(*d),
            Attempt::Err(..) => None,
        })
        .collect();
    let row = ProbeRow {
        time,
        successes: ok.len() as u32,
        response: if ok.is_empty() {
            None
        } else {
            Some(ok.iter().sum::<f64>() / ok.len() as f64)
        },
        errors: (attempts.len() - ok.len()) as u32,
    };
    Ok(MeasureReport { row, attempts })
}

fn attempt(agent: &ureq::Agent, url: &str, timeout: Duration) -> Attempt {
    let start = Instant::now();
    let resp = match agent.get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(t)) => return classify(&t),
    };
    let status = resp.status();
    // Read the whole body (bounded) so the time covers the full answer.
    let mut body = resp.into_reader().take(64 << 20);
    let mut sink = [0u8; 16 * 1024];
    loop {
        match body.read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                let kind = if is_timeout(&e) || start.elapsed() >= timeout {
                    ErrorKind::Timeout
                } else {
                    ErrorKind::Protocol
                };
                return Attempt::Err(kind, format!("reading the body: {e}"));
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    if status >= 500 {
        return Attempt::Err(ErrorKind::Status5xx, format!("HTTP {status}"));
    }
    Attempt::Ok(status, secs)
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

fn classify(t: &ureq::Transport) -> Attempt {
    use ureq::ErrorKind as K;
    let msg = t.to_string();
    let io_kind = std::error::Error::source(t)
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .map(|e| e.kind());
    let kind = match t.kind() {
        K::Dns => ErrorKind::Dns,
        K::ConnectionFailed => match io_kind {
            Some(std::io::ErrorKind::TimedOut) | Some(std::io::ErrorKind::WouldBlock) => {
                ErrorKind::Timeout
            }
            _ => ErrorKind::Refused,
        },
        K::Io => match io_kind {
            Some(std::io::ErrorKind::TimedOut) | Some(std::io::ErrorKind::WouldBlock) => {
                ErrorKind::Timeout
            }
            _ if msg.contains("timed out") => ErrorKind::Timeout,
            _ => ErrorKind::Protocol,
        },
        K::BadStatus | K::BadHeader | K::TooManyRedirects => ErrorKind::Protocol,
        _ if msg.contains("timed out") => ErrorKind::Timeout,
        _ => ErrorKind::Other,
    };
    Attempt::Err(kind, msg)
}

/// Appends `row` to the probe file at `path`, creating it with the header when it is missing
/// or empty. Safe when many probes append to one file at once: the file is opened with
/// `O_APPEND`, an exclusive advisory lock (flock, fs4) is held while the size is checked and
/// the whole line (with the header when needed) is written by one `write_all`.
pub fn append_row(path: &Path, row: &ProbeRow) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .with_context(|| format!("cannot open the probe file {}", path.display()))?;
    FileExt::lock_exclusive(&file)
        .with_context(|| format!("cannot lock the probe file {}", path.display()))?;
    let len = file
        .metadata()
        .with_context(|| format!("cannot stat {}", path.display()))?
        .len();
    let mut line = String::new();
    if len == 0 {
        line.push_str(&header_line());
    }
    line.push_str(&row.to_csv_line());
    let res = file
        .write_all(line.as_bytes())
        .and_then(|_| file.flush())
        .with_context(|| format!("cannot append to the probe file {}", path.display()));
    let _ = FileExt::unlock(&file);
    res
}

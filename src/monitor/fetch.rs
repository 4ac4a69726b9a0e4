//! Fetching the edge nodes' time tables for the monitor, and the on-disk cache of the last
//! good table of every node.
//!
//! Owns: the HTTP client side of the edge service (one thread per node, `ureq` with connect
//! and read timeouts, retries with back-off on transport errors and 5xx answers, a size limit
//! on the body), the validation of each answer (a parseable time table, the expected server
//! name, the expected period) and the cache folder (`<cache-dir>/<node>.time_table.csv`,
//! written atomically, only with validated tables). Must not plan or touch the crontab.

use crate::analysis::period::Period;
use crate::node::edge_service::PeriodArg;
use crate::table::timetable::{parse_time_table, read_time_table, write_time_table, TimeTable};
use anyhow::{anyhow, Context, Result};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest answer accepted (a week table is about 80 KB).
pub const MAX_BODY: u64 = 1 << 20;

/// One node to ask.
#[derive(Debug, Clone)]
pub struct EdgeTarget {
    pub name: String,
    /// Base URL of its edge service; `None`: not configured (only the cache can help).
    pub url: Option<String>,
    pub token: Option<String>,
}

/// How to ask.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The window asked for (`2h`), as the edge service accepts it.
    pub window: String,
    pub period: PeriodArg,
    pub timeout: Duration,
    /// Extra attempts after a failed one (transport errors and 5xx only).
    pub retries: u32,
    /// Pause before the first retry; doubled each time.
    pub backoff: Duration,
}

/// Where a node's table came from in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Fetched now.
    Fetched,
    /// Fetching failed; the last good table from the cache is used.
    Cached,
    /// Neither: the node takes no part in the plan.
    Missing,
}

/// A node's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct NodeResult {
    pub name: String,
    pub source: Source,
    /// Why fetching failed (when it did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip)]
    pub table: Option<TimeTable>,
}

/// The URL of a node's time table.
pub fn table_url(base: &str, opts: &FetchOptions) -> String {
    format!(
        "{}/time_table/{}?period={}",
        base.trim_end_matches('/'),
        opts.window,
        opts.period
    )
}

/// Fetches and validates one node's table (with retries).
pub fn fetch_one(target: &EdgeTarget, opts: &FetchOptions) -> Result<TimeTable> {
    let base = target
        .url
        .as_deref()
        .ok_or_else(|| anyhow!("no edge_url configured for {}", target.name))?;
    let url = table_url(base, opts);
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(opts.timeout)
        .timeout(opts.timeout)
        .redirects(0)
        .build();
    let mut attempt = 0u32;
    let mut pause = opts.backoff;
    loop {
        let mut req = agent.get(&url);
        if let Some(t) = &target.token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        let (retry, err) = match req.call() {
            Ok(resp) => {
                let mut body = String::new();
                resp.into_reader()
                    .take(MAX_BODY + 1)
                    .read_to_string(&mut body)
                    .with_context(|| format!("{url}: reading the answer"))?;
                if body.len() as u64 > MAX_BODY {
                    return Err(anyhow!("{url}: the answer is larger than {MAX_BODY} bytes"));
                }
                return validate(&body, &url, &target.name, opts.period);
            }
            Err(ureq::Error::Status(code, resp)) => {
                let mut msg = String::new();
                let _ = resp.into_reader().take(300).read_to_string(&mut msg);
                let msg = msg.trim().trim_start_matches("error: ").to_string();
                (
                    code >= 500,
                    anyhow!(
                        "{url}: HTTP {code}{}",
                        if msg.is_empty() {
                            String::new()
                        } else {
                            format!(": {msg}")
                        }
                    ),
                )
            }
            Err(e) => (true, anyhow!("{url}: {e}")),
        };
        if !retry || attempt >= opts.retries {
            return Err(if attempt > 0 {
                err.context(format!("after {} attempts", attempt + 1))
            } else {
                err
            });
        }
        attempt += 1;
        std::thread::sleep(pause);
        pause *= 2;
    }
}

/// Checks an answer: a time table of `name`, of the expected period when one is fixed.
pub fn validate(body: &str, source: &str, name: &str, period: PeriodArg) -> Result<TimeTable> {
    let tt = parse_time_table(body, source)
        .with_context(|| format!("{source}: the answer is not a time table"))?;
    if tt.server != name {
        return Err(anyhow!(
            "{source}: the time table is for {:?}, expected {name:?}",
            tt.server
        ));
    }
    if let PeriodArg::Fixed(p) = period {
        if tt.period() != Some(p) {
            return Err(anyhow!(
                "{source}: the time table has {} slots, expected a {p} table ({} slots)",
                tt.busy.len(),
                p.slots()
            ));
        }
    }
    Ok(tt)
}

/// The cache file of a node.
pub fn cache_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(
        "{}.time_table.csv",
        crate::table::atomic::safe_file_stem(name)
    ))
}

/// Reads a node's cached table, validated like a fetched one.
pub fn read_cached(dir: &Path, name: &str, period: PeriodArg) -> Result<TimeTable> {
    let p = cache_path(dir, name);
    if !p.exists() {
        return Err(anyhow!("no cached table ({} does not exist)", p.display()));
    }
    let tt = read_time_table(&p)?;
    let text = crate::table::timetable::format_time_table(&tt);
    validate(&text, &p.display().to_string(), name, period)
}

/// Stores a validated table in the cache (atomically).
pub fn write_cached(dir: &Path, tt: &TimeTable) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the cache folder {}", dir.display()))?;
    write_time_table(&cache_path(dir, &tt.server), tt)
}

/// Fetches every node concurrently; failed nodes fall back to the cache. With
/// `PeriodArg::Auto` the period of the first fetched table (in node order) becomes the
/// expected one and tables of other periods are refused.
pub fn fetch_all(
    targets: &[EdgeTarget],
    opts: &FetchOptions,
    cache_dir: Option<&Path>,
) -> (Vec<NodeResult>, Option<Period>) {
    let fetched: Vec<Result<TimeTable>> = std::thread::scope(|s| {
        let handles: Vec<_> = targets
            .iter()
            .map(|t| s.spawn(move || fetch_one(t, opts)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow!("the fetch thread panicked")))
            })
            .collect()
    });
    let mut period = match opts.period {
        PeriodArg::Fixed(p) => Some(p),
        PeriodArg::Auto => None,
    };
    let mut results = Vec::new();
    for (t, r) in targets.iter().zip(fetched) {
        let r = r.and_then(|tt| {
            let p = tt.period();
            match period {
                None => {
                    period = p;
                    Ok(tt)
                }
                Some(want) if p == Some(want) => Ok(tt),
                Some(want) => Err(anyhow!(
                    "{}: a {} table where the other nodes sent {want} tables",
                    t.name,
                    p.map(|p| p.name()).unwrap_or("?")
                )),
            }
        });
        match r {
            Ok(tt) => {
                if let Some(dir) = cache_dir {
                    if let Err(e) = write_cached(dir, &tt) {
                        tracing::warn!("cannot cache the table of {}: {e:#}", t.name);
                    }
                }
                results.push(NodeResult {
                    name: t.name.clone(),
                    source: Source::Fetched,
                    error: None,
                    table: Some(tt),
                });
            }
            Err(e) => {
                let error = format!("{e:#}");
                let cached = cache_dir.map(|dir| {
                    read_cached(
                        dir,
                        &t.name,
                        period.map(PeriodArg::Fixed).unwrap_or(PeriodArg::Auto),
                    )
                });
                match cached {
                    Some(Ok(tt)) => results.push(NodeResult {
                        name: t.name.clone(),
                        source: Source::Cached,
                        error: Some(error),
                        table: Some(tt),
                    }),
                    other => {
                        let why = match other {
                            Some(Err(c)) => format!("{error}; {c:#}"),
                            _ => error,
                        };
                        results.push(NodeResult {
                            name: t.name.clone(),
                            source: Source::Missing,
                            error: Some(why),
                            table: None,
                        })
                    }
                }
            }
        }
    }
    // With an automatic period, a cached table read before the period was known may
    // disagree: drop those.
    if let Some(p) = period {
        for r in &mut results {
            if r.table.as_ref().is_some_and(|t| t.period() != Some(p)) {
                r.table = None;
                r.source = Source::Missing;
                r.error = Some(format!("{}: cached table is not a {p} table", r.name));
            }
        }
    }
    (results, period)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, n: usize) -> String {
        let mut s = format!(",{name}\n");
        for i in 0..n {
            s.push_str(&format!("{i},{}\n", u8::from(i % 7 == 0)));
        }
        s
    }

    #[test]
    fn validation_refuses_wrong_server_period_and_garbage() {
        let hour = PeriodArg::Fixed(Period::Hour);
        assert!(validate(&table("a", 60), "u", "a", hour).is_ok());
        let e = validate(&table("b", 60), "u", "a", hour).unwrap_err();
        assert!(format!("{e:#}").contains("expected \"a\""), "{e:#}");
        let e = validate(&table("a", 1440), "u", "a", hour).unwrap_err();
        assert!(format!("{e:#}").contains("expected a hour table"), "{e:#}");
        let e = validate("<html>hello</html>", "u", "a", hour).unwrap_err();
        assert!(format!("{e:#}").contains("not a time table"), "{e:#}");
        assert!(validate(&table("a", 1440), "u", "a", PeriodArg::Auto).is_ok());
    }

    #[test]
    fn cache_round_trip_and_safe_names() {
        let dir = tempfile::tempdir().unwrap();
        let tt = parse_time_table(&table("web-server1", 60), "t").unwrap();
        write_cached(dir.path(), &tt).unwrap();
        let back = read_cached(dir.path(), "web-server1", PeriodArg::Fixed(Period::Hour)).unwrap();
        assert_eq!(back, tt);
        assert!(read_cached(dir.path(), "web-server1", PeriodArg::Fixed(Period::Day)).is_err());
        assert_eq!(
            cache_path(Path::new("/c"), "../../etc/x"),
            PathBuf::from("/c/_.._etc_x.time_table.csv")
        );
    }
}

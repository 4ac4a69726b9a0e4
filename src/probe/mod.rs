//! The central system's instruments: the availability probe (`measure`) and the load
//! generator (`flood`) with its latency histogram, plus the small helpers they share
//! (hosts-file name resolution, URL and duration parsing).
//!
//! (Issue 4.) Writes probe rows through `table::probe`; must not know any other file format.
//! `measure` is synchronous (ureq); `flood` is async (tokio + hyper) and wraps itself in its
//! own runtime for synchronous callers.

pub mod flood;
pub mod hosts;
pub mod http1;
pub mod latency;
pub mod measure;

use crate::error::bad_input;
use anyhow::Result;
use std::time::Duration;

/// Parses a duration flag: `5s`, `200ms`, `1m30s`, `0ms` (humantime) or plain seconds
/// (`0.5`). Used by clap `value_parser`s.
pub fn parse_duration_flag(s: &str) -> std::result::Result<Duration, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Ok(Duration::from_secs_f64(secs));
        }
        return Err(format!("`{s}` is not a valid duration (must be >= 0)"));
    }
    humantime::parse_duration(t).map_err(|e| {
        format!("`{s}` is not a valid duration ({e}); use e.g. 5s, 200ms, 1m30s or 0.5")
    })
}

/// An `http://host[:port]/path` URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTarget {
    pub host: String,
    pub port: u16,
    /// Path and query, at least `/`.
    pub path: String,
}

impl HttpTarget {
    /// Parses a plain-HTTP URL; anything else (https, no host, garbage) is bad input.
    pub fn parse(url: &str) -> Result<HttpTarget> {
        let uri: hyper::Uri = url
            .parse()
            .map_err(|e| bad_input(format!("`{url}` is not a valid URL: {e}")))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return Err(bad_input(format!(
                    "`{url}`: scheme `{other}` is not supported (only http://)"
                )))
            }
            None => {
                return Err(bad_input(format!(
                    "`{url}` has no scheme; write it as http://HOST[:PORT]/PATH"
                )))
            }
        }
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad_input(format!("`{url}` has no host name")))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let path = uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/".to_string());
        Ok(HttpTarget {
            host,
            port: uri.port_u16().unwrap_or(80),
            path,
        })
    }

    /// The `Host` header value.
    pub fn host_header(&self) -> String {
        let h = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == 80 {
            h
        } else {
            format!("{h}:{}", self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_urls() {
        assert_eq!(
            parse_duration_flag("200ms").unwrap(),
            Duration::from_millis(200)
        );
        assert_eq!(parse_duration_flag("0ms").unwrap(), Duration::ZERO);
        assert_eq!(
            parse_duration_flag("1.5").unwrap(),
            Duration::from_millis(1500)
        );
        assert!(parse_duration_flag("soon").is_err());
        let t = HttpTarget::parse("http://web-server:8000").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("web-server", 8000, "/")
        );
        assert_eq!(t.host_header(), "web-server:8000");
        let t = HttpTarget::parse("http://[::1]/x?y=1").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 80, "/x?y=1")
        );
        assert!(HttpTarget::parse("https://a/").is_err());
        assert!(HttpTarget::parse("nonsense").is_err());
    }
}

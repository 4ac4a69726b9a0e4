//! Health checks: N consecutive good HTTP answers (2xx), with ureq.
//!
//! Owns the HTTP checks of a node's health URL and of the service through its name (an
//! address resolved from the hosts file, the service name in the Host header). Must not
//! change anything.

use anyhow::Result;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Splits `http://HOST[:PORT]/PATH` into (host, port, path). `None` for anything else.
pub fn split_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    if hostport.is_empty() {
        return None;
    }
    let (host, port) = if let Some(h) = hostport.strip_prefix('[') {
        // [v6]:port
        let (h, p) = h.split_once(']')?;
        let port = match p.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if p.is_empty() => 80,
            None => return None,
        };
        (h.to_string(), port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (hostport.to_string(), 80),
        }
    };
    if host.is_empty() {
        return None;
    }
    Some((host, port, path))
}

/// One GET; Ok(status) for any HTTP answer, Err for no answer.
pub fn get_once(url: &str, host_header: Option<&str>, timeout: Duration) -> Result<u16> {
    let agent = ureq::AgentBuilder::new()
        .timeout(timeout)
        .redirects(0)
        .build();
    let mut req = agent.get(url);
    if let Some(h) = host_header {
        req = req.set("Host", h);
    }
    match req.call() {
        Ok(r) => Ok(r.status()),
        Err(ureq::Error::Status(code, _)) => Ok(code),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// Waits until `url` gave `good` consecutive 2xx answers, checking every `interval`, each
/// request limited to `timeout`, the whole wait to `deadline`. Returns the number of
/// requests made; Err with the last failure when the deadline passes.
pub fn wait_healthy(
    url: &str,
    host_header: Option<&str>,
    good: u32,
    interval: Duration,
    timeout: Duration,
    deadline: Duration,
) -> Result<u32> {
    let start = Instant::now();
    let mut consecutive = 0u32;
    let mut requests = 0u32;
    let mut last = String::from("no answer yet");
    loop {
        requests += 1;
        match get_once(url, host_header, timeout) {
            Ok(code) if (200..300).contains(&code) => {
                consecutive += 1;
                if consecutive >= good {
                    return Ok(requests);
                }
            }
            Ok(code) => {
                consecutive = 0;
                last = format!("HTTP {code}");
            }
            Err(e) => {
                consecutive = 0;
                last = e.to_string();
            }
        }
        if start.elapsed() + interval > deadline {
            anyhow::bail!(
                "{url} not healthy within {:?} ({requests} requests, {consecutive} good in a row of {good} needed; last: {last})",
                deadline
            );
        }
        std::thread::sleep(interval);
    }
}

/// The URL to reach the service at `addr`, on the port and path of `health_url`.
pub fn url_at(addr: IpAddr, health_url: &str) -> Option<(String, u16)> {
    let (_, port, path) = split_url(health_url)?;
    let host = match addr {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
    };
    Some((format!("http://{host}:{port}{path}"), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        assert_eq!(
            split_url("http://127.0.0.1:8001/health"),
            Some(("127.0.0.1".into(), 8001, "/health".into()))
        );
        assert_eq!(
            split_url("http://web-server"),
            Some(("web-server".into(), 80, "/".into()))
        );
        assert_eq!(
            split_url("http://[::1]:9/x"),
            Some(("::1".into(), 9, "/x".into()))
        );
        assert_eq!(split_url("https://x/"), None);
        assert_eq!(split_url("http://:80/"), None);
    }
}

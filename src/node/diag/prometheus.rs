//! The Prometheus source, and the exposition-format reading used by the others: fetch a
//! `/metrics` page, parse it, sum the series a selector matches.
//!
//! Device figures come from a node_exporter endpoint: busy CPU = `node_cpu_seconds_total`
//! summed over every CPU and every mode but the idle ones (`idle`, `iowait`); traffic =
//! `node_network_transmit_bytes_total` / `node_network_receive_bytes_total` of one `device`
//! (or summed over all devices but `lo`). App figures come from the app's endpoint (the
//! web-server's `/metrics`): `process_cpu_seconds_total`, `edgeshift_http_sent_bytes_total`
//! (App. Tx B), `edgeshift_http_received_bytes_total` (App. Rx B). Every name is configurable.
//! Only reads over HTTP; writes nothing.

use super::{now_ns, Sample, Sampler};
use crate::node::web_server;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::time::Duration;

/// One series of an exposition page.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Parses the Prometheus text exposition format (comments and bad lines skipped).
pub fn parse(text: &str) -> Vec<Series> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(s) = parse_line(line) {
            out.push(s);
        }
    }
    out
}

fn parse_line(line: &str) -> Option<Series> {
    let (name, labels, rest) = match line.find('{') {
        Some(open) if line[..open].find(' ').is_none() => {
            let (labels, after) = parse_labels(&line[open + 1..])?;
            (&line[..open], labels, after)
        }
        _ => {
            let (n, r) = line.split_once(char::is_whitespace)?;
            (n, BTreeMap::new(), r)
        }
    };
    let value = rest.split_whitespace().next()?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().ok()?,
    };
    Some(Series {
        name: name.to_string(),
        labels,
        value,
    })
}

/// Parses `a="x",b="y"}` and returns the labels and what follows the `}`.
fn parse_labels(s: &str) -> Option<(BTreeMap<String, String>, &str)> {
    let mut labels = BTreeMap::new();
    let mut rest = s.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix('}') {
            return Some((labels, r));
        }
        let eq = rest.find('=')?;
        let key = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start().strip_prefix('"')?;
        let mut val = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '\\' => {
                    let (_, e) = chars.next()?;
                    val.push(match e {
                        'n' => '\n',
                        other => other,
                    });
                }
                '"' => break i,
                c => val.push(c),
            }
        };
        labels.insert(key, val);
        rest = after[end + 1..].trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
}

/// A metric selector: `name` or `name{label="value",...}` (equality matchers only).
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

impl Selector {
    pub fn parse(s: &str) -> Result<Selector> {
        let s = s.trim();
        let bad = || {
            crate::error::bad_input(format!(
                "`{s}` is not a metric selector; write name or name{{label=\"value\"}}"
            ))
        };
        match s.find('{') {
            None if !s.is_empty() && !s.contains(char::is_whitespace) => Ok(Selector {
                name: s.to_string(),
                labels: BTreeMap::new(),
            }),
            None => Err(bad()),
            Some(open) => {
                let (labels, rest) = parse_labels(&s[open + 1..]).ok_or_else(bad)?;
                if !rest.trim().is_empty() || open == 0 {
                    return Err(bad());
                }
                Ok(Selector {
                    name: s[..open].to_string(),
                    labels,
                })
            }
        }
    }

    pub fn matches(&self, s: &Series) -> bool {
        s.name == self.name && self.labels.iter().all(|(k, v)| s.labels.get(k) == Some(v))
    }
}

/// The sum of the series `sel` matches; `None` when none does.
pub fn sum(series: &[Series], sel: &Selector) -> Option<f64> {
    let mut any = false;
    let mut total = 0.0;
    for s in series.iter().filter(|s| sel.matches(s)) {
        any = true;
        total += s.value;
    }
    any.then_some(total)
}

/// Fetches a metrics page.
pub fn fetch(url: &str, timeout: Duration) -> Result<String> {
    let agent = ureq::AgentBuilder::new().timeout(timeout).build();
    let resp = agent
        .get(url)
        .call()
        .with_context(|| format!("cannot read the metrics at {url}"))?;
    resp.into_string()
        .with_context(|| format!("cannot read the metrics at {url}"))
}

/// Names of the app's metrics.
#[derive(Debug, Clone)]
pub struct AppMetricNames {
    pub cpu: Selector,
    pub tx: Selector,
    pub rx: Selector,
}

impl Default for AppMetricNames {
    fn default() -> Self {
        let plain = |n: &str| Selector {
            name: n.to_string(),
            labels: BTreeMap::new(),
        };
        AppMetricNames {
            cpu: plain(web_server::METRIC_CPU),
            tx: plain(web_server::METRIC_SENT_BYTES),
            rx: plain(web_server::METRIC_RECEIVED_BYTES),
        }
    }
}

/// Reads one metric of a page or says which is missing where.
pub fn require(series: &[Series], sel: &Selector, url: &str) -> Result<f64> {
    sum(series, sel).ok_or_else(|| {
        anyhow::anyhow!(
            "no series `{}` matching {:?} at {url}",
            sel.name,
            sel.labels
        )
    })
}

/// The Prometheus source's settings.
#[derive(Debug, Clone)]
pub struct PrometheusOptions {
    /// The node's exposition endpoint (node_exporter `/metrics`).
    pub url: String,
    /// The app's endpoint; `None` = the same as `url`.
    pub app_url: Option<String>,
    pub cpu_metric: String,
    pub idle_modes: Vec<String>,
    pub tx_metric: String,
    pub rx_metric: String,
    /// The `device` label; `None` = all devices but `lo`.
    pub interface: Option<String>,
    pub app: AppMetricNames,
    pub timeout: Duration,
}

impl PrometheusOptions {
    pub fn new(url: impl Into<String>) -> PrometheusOptions {
        PrometheusOptions {
            url: url.into(),
            app_url: None,
            cpu_metric: "node_cpu_seconds_total".into(),
            idle_modes: vec!["idle".into(), "iowait".into()],
            tx_metric: "node_network_transmit_bytes_total".into(),
            rx_metric: "node_network_receive_bytes_total".into(),
            interface: None,
            app: AppMetricNames::default(),
            timeout: Duration::from_secs(5),
        }
    }
}

impl PrometheusOptions {
    fn device_sum(&self, series: &[Series], name: &str) -> Result<u64> {
        let mut any = false;
        let mut total = 0.0;
        for s in series.iter().filter(|s| s.name == name) {
            let dev = s.labels.get("device").map(String::as_str).unwrap_or("");
            let take = match &self.interface {
                Some(i) => dev == i,
                None => dev != "lo",
            };
            if take {
                any = true;
                total += s.value;
            }
        }
        if !any {
            anyhow::bail!(
                "no series `{name}`{} at {}",
                self.interface
                    .as_ref()
                    .map(|i| format!(" with device=\"{i}\""))
                    .unwrap_or_default(),
                self.url
            );
        }
        Ok(total as u64)
    }
}

impl Sampler for PrometheusOptions {
    fn key(&self) -> String {
        format!(
            "prometheus|{}|{}|{:?}|{:?}",
            self.url,
            self.app_url.as_deref().unwrap_or(""),
            self.interface,
            self.app.cpu
        )
    }

    fn sample(&self) -> Result<Sample> {
        let at_ns = now_ns();
        let node = parse(&fetch(&self.url, self.timeout)?);
        let mut cpu = 0.0;
        let mut any = false;
        for s in node.iter().filter(|s| s.name == self.cpu_metric) {
            any = true;
            let mode = s.labels.get("mode").map(String::as_str).unwrap_or("");
            if !self.idle_modes.iter().any(|m| m == mode) {
                cpu += s.value;
            }
        }
        if !any {
            anyhow::bail!("no series `{}` at {}", self.cpu_metric, self.url);
        }
        let tx = self.device_sum(&node, &self.tx_metric)?;
        let rx = self.device_sum(&node, &self.rx_metric)?;
        let app_url = self.app_url.as_deref().unwrap_or(&self.url);
        let app = if app_url == self.url {
            node
        } else {
            parse(&fetch(app_url, self.timeout)?)
        };
        Ok(Sample {
            at_ns,
            cpu_s: cpu,
            app_cpu_s: require(&app, &self.app.cpu, app_url)?,
            tx,
            rx,
            app_tx: require(&app, &self.app.tx, app_url)? as u64,
            app_rx: require(&app, &self.app.rx, app_url)? as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exposition_text_and_selects() {
        let text = "# HELP x y\n# TYPE node_cpu_seconds_total counter\n\
node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 100.5\n\
node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 10\n\
node_cpu_seconds_total{cpu=\"1\",mode=\"system\"} 2.5e0\n\
node_network_transmit_bytes_total{device=\"eth0\"} 1.234e+06\n\
node_network_transmit_bytes_total{device=\"lo\"} 99\n\
weird{a=\"q\\\"uote, }\"} 3 1700000000\n\
process_cpu_seconds_total 4.25\n";
        let s = parse(text);
        assert_eq!(s.len(), 7);
        assert_eq!(s[5].labels["a"], "q\"uote, }");
        let sel = Selector::parse("node_cpu_seconds_total{mode=\"user\"}").unwrap();
        assert_eq!(sum(&s, &sel), Some(10.0));
        assert_eq!(
            sum(&s, &Selector::parse("process_cpu_seconds_total").unwrap()),
            Some(4.25)
        );
        assert_eq!(sum(&s, &Selector::parse("nothing").unwrap()), None);
        assert!(Selector::parse("a b").is_err());
        let o = PrometheusOptions::new("http://x/metrics");
        assert_eq!(
            o.device_sum(&s, "node_network_transmit_bytes_total")
                .unwrap(),
            1_234_000
        );
    }
}

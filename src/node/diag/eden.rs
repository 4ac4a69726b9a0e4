//! The eden source: runs `eden metric --format=json --tail 2` (and, if asked,
//! `eden pod ps --format=json`) and turns the two newest metric messages into a row.
//!
//! Formats and traps are in `tests/fixtures/eden/README.md`: one protobuf-JSON message per
//! line, 64-bit integers as strings, zero fields left out (= 0), eden's log lines mixed into
//! stdout (skipped: only lines starting with `{` are messages), any key order, maybe spaces.
//!
//! Figures:
//! * device CPU: Δ`dm.cpuMetric.totalNs` / Δ`atTimeStamp`. EVE divides `totalNs` by the CPU
//!   count, so this is the busy fraction of the whole box (0..1); `ncpu_scale` multiplies it
//!   (pass the CPU count to get CPU-seconds per second as the /proc source reports them).
//!   After a device reboot (counter went down) the average since boot, `totalNs`/`upTime`.
//! * device counters: `dm.network[]` `txBytes`/`rxBytes` summed over all ports, or the port
//!   whose `iName` or `localName` is `interface`.
//! * app (matched by `AppName` or `AppID`): CPU % = Δ`am[].cpu.totalNs` / Δ`atTimeStamp` × 100
//!   (percent of the app's vCPUs, like eden's `CPUUsage` but not truncated), or `CPUUsage`
//!   from `eden pod ps`; counters: `am[].network[]` summed (already from the app's view).
//!
//! Runs only the `eden` program it is given; never writes anything.

use crate::error::bad_input;
use crate::table::edge::EdgeRow;
use anyhow::{Context, Result};
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where the app's CPU figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AppCpuFrom {
    /// Δ am[].cpu.totalNs over Δ atTimeStamp of the two metric messages.
    Metric,
    /// `CPUUsage` of `eden pod ps --format=json` (whole percent).
    PodPs,
}

#[derive(Debug, Clone)]
pub struct EdenOptions {
    /// The eden program.
    pub eden: PathBuf,
    /// App name or UUID.
    pub app: String,
    /// Only this device port (iName or localName); `None` = sum of all ports.
    pub interface: Option<String>,
    pub app_cpu: AppCpuFrom,
    /// Multiplies the device CPU ratio (1 = fraction of the whole box).
    pub ncpu_scale: f64,
    /// Longest time eden may take.
    pub timeout: Duration,
}

/// Runs eden and builds the row stamped `time`.
pub fn eden_row(opts: &EdenOptions, time: i64) -> Result<EdgeRow> {
    let metric = run_eden(opts, &["metric", "--format=json", "--tail", "2"])?;
    let pod_ps = match opts.app_cpu {
        AppCpuFrom::Metric => None,
        AppCpuFrom::PodPs => Some(run_eden(opts, &["pod", "ps", "--format=json"])?),
    };
    row_from_output(&metric, pod_ps.as_deref(), opts, time)
}

fn run_eden(opts: &EdenOptions, args: &[&str]) -> Result<String> {
    let what = format!("{} {}", opts.eden.display(), args.join(" "));
    let mut child = Command::new(&opts.eden)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run `{what}` (is eden installed? see --eden)"))?;
    let mut out = child.stdout.take().context("no stdout pipe")?;
    let mut err = child.stderr.take().context("no stderr pipe")?;
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break st;
        }
        if start.elapsed() > opts.timeout {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!("`{what}` did not finish within {:?}; killed", opts.timeout);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap_or_default()).into_owned();
    if !status.success() {
        anyhow::bail!(
            "`{what}` failed ({status}): {}",
            tail(&format!("{}{}", stdout, stderr))
        );
    }
    Ok(stdout)
}

fn tail(s: &str) -> String {
    let t = s.trim();
    let start = t.char_indices().rev().nth(300).map(|(i, _)| i).unwrap_or(0);
    if t.is_empty() {
        "(no output)".to_string()
    } else {
        t[start..].to_string()
    }
}

/// One device port's counters.
#[derive(Debug, Clone, PartialEq)]
pub struct Port {
    pub name: String,
    pub local_name: String,
    pub tx: u64,
    pub rx: u64,
}

/// One app's figures in a message.
#[derive(Debug, Clone, PartialEq)]
pub struct App {
    pub id: String,
    pub name: String,
    pub cpu_total_ns: u64,
    /// Seconds since the app booted, when reported.
    pub uptime_s: Option<f64>,
    pub tx: u64,
    pub rx: u64,
}

/// The parts of a `ZMetricMsg` diag uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub at_ns: i64,
    pub cpu_total_ns: u64,
    pub uptime_s: Option<f64>,
    pub ports: Vec<Port>,
    pub apps: Vec<App>,
}

/// Parses `eden metric --format=json` output: every line starting with `{` is a message,
/// everything else (log lines) is skipped.
pub fn parse_metric_output(text: &str) -> Result<Vec<Message>> {
    let mut msgs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if !line.starts_with('{') {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| {
            anyhow::anyhow!(
                "eden metric output line {}: not valid JSON ({e}): {}",
                i + 1,
                clip(line)
            )
        })?;
        msgs.push(parse_message(&v).with_context(|| format!("eden metric output line {}", i + 1))?);
    }
    Ok(msgs)
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// A protobuf-JSON 64-bit integer: a string (or, leniently, a number); missing = 0.
fn u64_field(v: &Value, key: &str) -> Result<u64> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(s)) => s
            .parse::<u64>()
            .map_err(|_| anyhow::anyhow!("`{key}` is not an unsigned integer: {s:?}")),
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .ok_or_else(|| anyhow::anyhow!("`{key}` is not an unsigned integer: {n}")),
        Some(other) => anyhow::bail!("`{key}` is not an integer: {other}"),
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// An RFC 3339 timestamp as nanoseconds since the epoch.
fn timestamp_ns(s: &str) -> Result<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .and_then(|d| d.timestamp_nanos_opt())
        .ok_or_else(|| anyhow::anyhow!("not an RFC 3339 time: {s:?}"))
}

fn parse_message(v: &Value) -> Result<Message> {
    let at = v
        .get("atTimeStamp")
        .and_then(Value::as_str)
        .context("the metric message has no atTimeStamp")?;
    let at_ns = timestamp_ns(at).context("atTimeStamp")?;
    let dm = v.get("dm").cloned().unwrap_or(Value::Null);
    let cpu = dm.get("cpuMetric").cloned().unwrap_or(Value::Null);
    let cpu_total_ns = u64_field(&cpu, "totalNs").context("dm.cpuMetric")?;
    let uptime_s = cpu
        .get("upTime")
        .and_then(Value::as_str)
        .map(|s| timestamp_ns(s).map(|n| n as f64 / 1e9))
        .transpose()
        .context("dm.cpuMetric.upTime")?;
    let mut ports = Vec::new();
    for p in dm
        .get("network")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        ports.push(Port {
            name: str_field(p, "iName").to_string(),
            local_name: str_field(p, "localName").to_string(),
            tx: u64_field(p, "txBytes").context("dm.network[]")?,
            rx: u64_field(p, "rxBytes").context("dm.network[]")?,
        });
    }
    let mut apps = Vec::new();
    for a in v.get("am").and_then(Value::as_array).into_iter().flatten() {
        let cpu = a.get("cpu").cloned().unwrap_or(Value::Null);
        let (mut tx, mut rx) = (0u64, 0u64);
        for n in a
            .get("network")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            tx = tx.saturating_add(u64_field(n, "txBytes").context("am[].network[]")?);
            rx = rx.saturating_add(u64_field(n, "rxBytes").context("am[].network[]")?);
        }
        apps.push(App {
            id: str_field(a, "AppID").to_string(),
            name: str_field(a, "AppName").to_string(),
            cpu_total_ns: u64_field(&cpu, "totalNs").context("am[].cpu")?,
            uptime_s: cpu
                .get("upTime")
                .and_then(Value::as_str)
                .and_then(|s| timestamp_ns(s).ok())
                .map(|n| n as f64 / 1e9),
            tx,
            rx,
        });
    }
    Ok(Message {
        at_ns,
        cpu_total_ns,
        uptime_s,
        ports,
        apps,
    })
}

fn find_app<'a>(m: &'a Message, app: &str) -> Option<&'a App> {
    m.apps
        .iter()
        .find(|a| a.name == app || a.id.eq_ignore_ascii_case(app))
}

/// `CPUUsage` of `app` in `eden pod ps --format=json` output.
pub fn pod_ps_cpu(text: &str, app: &str) -> Result<f64> {
    let start = text
        .find('[')
        .ok_or_else(|| anyhow::anyhow!("eden pod ps printed no JSON array: {}", tail(text)))?;
    let v: Value = serde_json::from_str(text[start..].trim_end())
        .map_err(|e| anyhow::anyhow!("eden pod ps output is not valid JSON: {e}"))?;
    let pods = v
        .as_array()
        .context("eden pod ps output is not a JSON array")?;
    let pod = pods
        .iter()
        .find(|p| str_field(p, "Name") == app || str_field(p, "UUID").eq_ignore_ascii_case(app))
        .ok_or_else(|| {
            let names: Vec<&str> = pods.iter().map(|p| str_field(p, "Name")).collect();
            bad_input(format!(
                "app `{app}` is not in `eden pod ps` (apps: {})",
                names.join(", ")
            ))
        })?;
    pod.get("CPUUsage")
        .and_then(Value::as_f64)
        .ok_or_else(|| anyhow::anyhow!("eden pod ps: `{app}` has no numeric CPUUsage"))
}

/// Builds the row from eden's outputs (pure: the fixture tests call it directly too).
pub fn row_from_output(
    metric: &str,
    pod_ps: Option<&str>,
    opts: &EdenOptions,
    time: i64,
) -> Result<EdgeRow> {
    let msgs = parse_metric_output(metric)?;
    let (prev, cur) = match msgs.as_slice() {
        [] => anyhow::bail!(
            "`eden metric` printed no metric message (output: {})",
            tail(metric)
        ),
        [_] => anyhow::bail!(
            "`eden metric` has only one metric message so far; the CPU load needs two (try again after the next metric interval)"
        ),
        [.., a, b] => (a, b),
    };
    let dt_ns = (cur.at_ns - prev.at_ns) as f64;
    if dt_ns <= 0.0 {
        anyhow::bail!("the two newest eden metric messages are not in time order (atTimeStamp)");
    }
    // Device CPU.
    let ratio = if cur.cpu_total_ns >= prev.cpu_total_ns {
        (cur.cpu_total_ns - prev.cpu_total_ns) as f64 / dt_ns
    } else {
        match cur.uptime_s {
            Some(up) if up > 0.0 => cur.cpu_total_ns as f64 / (up * 1e9),
            _ => anyhow::bail!(
                "the device CPU counter went down (reboot) and no upTime was reported"
            ),
        }
    };
    // Device counters.
    let ports: Vec<&Port> = match &opts.interface {
        None => cur.ports.iter().collect(),
        Some(i) => {
            let sel: Vec<&Port> = cur
                .ports
                .iter()
                .filter(|p| &p.name == i || &p.local_name == i)
                .collect();
            if sel.is_empty() {
                let names: Vec<&str> = cur.ports.iter().map(|p| p.name.as_str()).collect();
                return Err(bad_input(format!(
                    "interface `{i}` is not in eden's dm.network (ports: {})",
                    names.join(", ")
                )));
            }
            sel
        }
    };
    let tx = ports.iter().fold(0u64, |s, p| s.saturating_add(p.tx));
    let rx = ports.iter().fold(0u64, |s, p| s.saturating_add(p.rx));
    // The app.
    let app = find_app(cur, &opts.app).ok_or_else(|| {
        let names: Vec<String> = cur
            .apps
            .iter()
            .map(|a| format!("{} ({})", a.name, a.id))
            .collect();
        bad_input(format!(
            "app `{}` is not in eden's metrics (give its AppName or AppID; apps: {})",
            opts.app,
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ))
    })?;
    let app_cpu = match pod_ps {
        Some(text) => pod_ps_cpu(text, &opts.app)?,
        None => match find_app(prev, &opts.app) {
            Some(p) if p.cpu_total_ns <= app.cpu_total_ns => {
                (app.cpu_total_ns - p.cpu_total_ns) as f64 / dt_ns * 100.0
            }
            // New or restarted app: its average since boot.
            _ => match app.uptime_s {
                Some(up) if up > 0.0 => app.cpu_total_ns as f64 / (up * 1e9) * 100.0,
                _ => 0.0,
            },
        },
    };
    Ok(EdgeRow {
        time,
        cpu_load: ratio * opts.ncpu_scale,
        app_cpu_load: app_cpu,
        tx_bytes: tx,
        rx_bytes: rx,
        app_tx_bytes: app.tx,
        app_rx_bytes: app.rx,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(app: &str) -> EdenOptions {
        EdenOptions {
            eden: PathBuf::from("eden"),
            app: app.to_string(),
            interface: None,
            app_cpu: AppCpuFrom::Metric,
            ncpu_scale: 1.0,
            timeout: Duration::from_secs(5),
        }
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("tests/fixtures/eden/{name}")).unwrap()
    }

    #[test]
    fn the_fixture_gives_the_documented_figures() {
        let r = row_from_output(
            &fixture("metric_tail2.jsonl"),
            None,
            &opts("web-server1"),
            0,
        )
        .unwrap();
        assert!((r.cpu_load - 0.152_292_567).abs() < 1e-6, "{}", r.cpu_load);
        assert!(
            (r.app_cpu_load - 3.505_745).abs() < 1e-5,
            "{}",
            r.app_cpu_load
        );
        assert_eq!((r.tx_bytes, r.rx_bytes), (49_522_406_530, 915_802_635_377));
        assert_eq!(
            (r.app_tx_bytes, r.app_rx_bytes),
            (8_871_798_512, 2_244_211_876)
        );
        // By UUID, one port, pod ps.
        let mut o = opts("B7E2F0C4-1D3A-4E6B-8C9F-0A1B2C3D4E5F");
        o.interface = Some("eth0".into());
        o.app_cpu = AppCpuFrom::PodPs;
        let r = row_from_output(
            &fixture("metric_tail2.jsonl"),
            Some(&fixture("pod_ps.json")),
            &o,
            0,
        )
        .unwrap();
        assert_eq!((r.tx_bytes, r.rx_bytes), (48_236_593_410, 913_590_126_554));
        assert_eq!(r.app_cpu_load, 3.0);
    }

    #[test]
    fn log_lines_and_spaces_are_tolerated() {
        let text = fixture("metric_tail2.jsonl").replace("\",\"", "\", \"");
        let text =
            format!("time=\"2025\" level=info msg=\"Attempt to re-establish connection\"\n{text}");
        let r = row_from_output(&text, None, &opts("web-server1"), 0).unwrap();
        assert_eq!(r.app_tx_bytes, 8_871_798_512);
    }

    #[test]
    fn one_message_or_none_or_garbage_is_an_error() {
        assert!(
            row_from_output(&fixture("metric_tail1.json"), None, &opts("web-server1"), 0).is_err()
        );
        assert!(row_from_output("", None, &opts("web-server1"), 0).is_err());
        assert!(row_from_output("{not json\n", None, &opts("web-server1"), 0).is_err());
        let e =
            row_from_output(&fixture("metric_tail2.jsonl"), None, &opts("nope"), 0).unwrap_err();
        assert!(crate::error::is_input_error(&e));
        assert!(e.to_string().contains("web-server1"), "{e}");
    }
}

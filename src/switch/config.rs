//! The switch configuration (TOML): service name, hosts file, lock, timeouts, health
//! checks, tool paths and the nodes with their drivers.
//!
//! Owns parsing, defaults and validation of `edgeshift.toml` and the commented example
//! printed by `edgeshift config example`. Must not act on anything.

use crate::error::bad_input;
use anyhow::Result;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where `Config::find` looks when no path is given, in order.
pub const DEFAULT_PATHS: [&str; 2] = ["./edgeshift.toml", "/etc/edgeshift/edgeshift.toml"];

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The name clients use, repointed in the hosts file (default `web-server`).
    #[serde(default = "d_service")]
    pub service: String,
    /// The hosts file that maps the service name (default `/etc/hosts`).
    #[serde(default = "d_hosts")]
    pub hosts_file: PathBuf,
    /// The lock file that serialises switches.
    #[serde(default = "d_lock_file")]
    pub lock_file: PathBuf,
    /// What a second switch does while one runs.
    #[serde(default)]
    pub lock: LockConfig,
    /// How long the target may take to become healthy (VM start included).
    #[serde(default = "d_start_timeout", deserialize_with = "de_duration")]
    pub start_timeout: Duration,
    /// How long a `process` node may take to exit after SIGTERM before SIGKILL.
    #[serde(default = "d_stop_timeout", deserialize_with = "de_duration")]
    pub stop_timeout: Duration,
    /// How long the check of the service through its name may take.
    #[serde(default = "d_service_check_timeout", deserialize_with = "de_duration")]
    pub service_check_timeout: Duration,
    /// Health checks of the target.
    #[serde(default)]
    pub health: HealthConfig,
    /// Also append the step log to this file.
    #[serde(default)]
    pub log_file: Option<PathBuf>,
    /// Write the step log to stderr (default true).
    #[serde(default = "d_true")]
    pub log_stderr: bool,
    /// Paths of the VM command-line tools.
    #[serde(default)]
    pub tools: Tools,
    /// The nodes (`[[node]]` tables).
    #[serde(rename = "node", default)]
    pub nodes: Vec<NodeConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LockMode {
    /// Wait for the running switch (up to `timeout`).
    #[default]
    Wait,
    /// Exit at once with a message.
    Fail,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockConfig {
    #[serde(default)]
    pub mode: LockMode,
    #[serde(default = "d_lock_timeout", deserialize_with = "de_duration")]
    pub timeout: Duration,
}

impl Default for LockConfig {
    fn default() -> Self {
        LockConfig {
            mode: LockMode::Wait,
            timeout: d_lock_timeout(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthConfig {
    /// Consecutive good answers (HTTP 2xx) needed.
    #[serde(default = "d_good")]
    pub good: u32,
    /// Pause between checks.
    #[serde(default = "d_interval", deserialize_with = "de_duration")]
    pub interval: Duration,
    /// Timeout of one request.
    #[serde(default = "d_req_timeout", deserialize_with = "de_duration")]
    pub timeout: Duration,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            good: d_good(),
            interval: d_interval(),
            timeout: d_req_timeout(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tools {
    #[serde(default = "d_openstack")]
    pub openstack: PathBuf,
    #[serde(default = "d_virsh")]
    pub virsh: PathBuf,
    #[serde(default = "d_eden")]
    pub eden: PathBuf,
}

impl Default for Tools {
    fn default() -> Self {
        Tools {
            openstack: d_openstack(),
            virsh: d_virsh(),
            eden: d_eden(),
        }
    }
}

/// One node: where the service runs when it is there, and how to start/stop it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Name as in time tables and crontab lines, e.g. `web-server1`.
    pub name: String,
    /// The IP address the service name points to when this node serves.
    pub address: String,
    /// URL answering 2xx when the node's service is healthy.
    pub health_url: String,
    /// How to start and stop the service VM.
    pub driver: DriverConfig,
}

/// The VM layer of a node.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum DriverConfig {
    /// `openstack server start|stop SERVER` (status from `openstack server show`).
    Openstack {
        /// Server name (default: the node name).
        #[serde(default)]
        server: Option<String>,
    },
    /// `virsh [-c URI] start|shutdown DOMAIN` (status from `virsh domstate`).
    Virsh {
        #[serde(default)]
        domain: Option<String>,
        #[serde(default)]
        connect: Option<String>,
    },
    /// `eden pod start|stop POD`.
    Eden {
        #[serde(default)]
        pod: Option<String>,
    },
    /// Shell command templates (`sh -c`); `{name}` and `{address}` are replaced.
    Command {
        start: String,
        stop: String,
        /// Exit 0 when running (optional).
        #[serde(default)]
        status: Option<String>,
    },
    /// A local program, started in the background and stopped by PID.
    Process {
        program: String,
        #[serde(default)]
        args: Vec<String>,
        #[serde(default)]
        env: BTreeMap<String, String>,
        /// Where the PID is kept.
        pid_file: PathBuf,
        /// Working folder of the program.
        #[serde(default)]
        dir: Option<PathBuf>,
        /// Output of the program (default: discarded).
        #[serde(default)]
        log_file: Option<PathBuf>,
        /// Emulated boot time: the program starts only after this delay.
        #[serde(default, deserialize_with = "de_opt_duration")]
        start_delay: Option<Duration>,
    },
}

impl DriverConfig {
    pub fn kind(&self) -> &'static str {
        match self {
            DriverConfig::Openstack { .. } => "openstack",
            DriverConfig::Virsh { .. } => "virsh",
            DriverConfig::Eden { .. } => "eden",
            DriverConfig::Command { .. } => "command",
            DriverConfig::Process { .. } => "process",
        }
    }
}

fn d_service() -> String {
    "web-server".into()
}
fn d_hosts() -> PathBuf {
    "/etc/hosts".into()
}
fn d_lock_file() -> PathBuf {
    std::env::temp_dir().join("edgeshift-switch.lock")
}
fn d_start_timeout() -> Duration {
    Duration::from_secs(15 * 60)
}
fn d_stop_timeout() -> Duration {
    Duration::from_secs(10)
}
fn d_service_check_timeout() -> Duration {
    Duration::from_secs(30)
}
fn d_lock_timeout() -> Duration {
    Duration::from_secs(20 * 60)
}
fn d_good() -> u32 {
    3
}
fn d_interval() -> Duration {
    Duration::from_secs(2)
}
fn d_req_timeout() -> Duration {
    Duration::from_secs(3)
}
fn d_true() -> bool {
    true
}
fn d_openstack() -> PathBuf {
    "openstack".into()
}
fn d_virsh() -> PathBuf {
    "virsh".into()
}
fn d_eden() -> PathBuf {
    "eden".into()
}

/// A duration as `"8m"`, `"1h 30m"`, `"250ms"` (humantime) or a number of seconds.
fn parse_duration_value(v: toml::Value) -> std::result::Result<Duration, String> {
    match v {
        toml::Value::String(s) => humantime::parse_duration(s.trim()).map_err(|e| {
            format!("{s:?} is not a duration ({e}); write e.g. \"8m\", \"30s\", \"250ms\"")
        }),
        toml::Value::Integer(i) if i >= 0 => Ok(Duration::from_secs(i as u64)),
        toml::Value::Float(f) if f >= 0.0 && f.is_finite() => Ok(Duration::from_secs_f64(f)),
        other => Err(format!(
            "{other} is not a duration; write e.g. \"8m\", \"30s\" or a number of seconds"
        )),
    }
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Duration, D::Error> {
    let v = toml::Value::deserialize(d)?;
    parse_duration_value(v).map_err(serde::de::Error::custom)
}

fn de_opt_duration<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Duration>, D::Error> {
    let v = toml::Value::deserialize(d)?;
    parse_duration_value(v)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad_input(format!("cannot read config {}: {e}", path.display())))?;
        Config::parse(&text, &path.display().to_string())
    }

    /// Parses and validates config text; `name` is used in messages.
    pub fn parse(text: &str, name: &str) -> Result<Config> {
        let cfg: Config = toml::from_str(text)
            .map_err(|e| bad_input(format!("config {name}: {}", e.to_string().trim_end())))?;
        cfg.validate(name)?;
        Ok(cfg)
    }

    /// The config at `path`, or the first of [`DEFAULT_PATHS`] that exists.
    pub fn find(path: Option<&Path>) -> Result<Config> {
        if let Some(p) = path {
            return Config::load(p);
        }
        for p in DEFAULT_PATHS {
            let p = Path::new(p);
            if p.exists() {
                return Config::load(p);
            }
        }
        Err(bad_input(format!(
            "no config file: give --config FILE or create {} (see `edgeshift config example`)",
            DEFAULT_PATHS.join(" or ")
        )))
    }

    fn validate(&self, name: &str) -> Result<()> {
        if self.service.trim().is_empty() || self.service.contains(char::is_whitespace) {
            return Err(bad_input(format!(
                "config {name}: service {:?} must be one host name without spaces",
                self.service
            )));
        }
        if self.nodes.len() < 2 {
            return Err(bad_input(format!(
                "config {name}: {} [[node]] table(s); a switch needs at least two nodes",
                self.nodes.len()
            )));
        }
        if self.health.good == 0 {
            return Err(bad_input(format!(
                "config {name}: health.good must be at least 1"
            )));
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if n.name.trim().is_empty() {
                return Err(bad_input(format!(
                    "config {name}: node {} has an empty name",
                    i + 1
                )));
            }
            if self.nodes[..i].iter().any(|m| m.name == n.name) {
                return Err(bad_input(format!(
                    "config {name}: node {:?} is defined twice",
                    n.name
                )));
            }
            if n.address.parse::<IpAddr>().is_err() {
                return Err(bad_input(format!(
                    "config {name}: node {:?}: address {:?} is not an IP address (e.g. 10.0.0.11)",
                    n.name, n.address
                )));
            }
            if crate::switch::health::split_url(&n.health_url).is_none() {
                return Err(bad_input(format!(
                    "config {name}: node {:?}: health_url {:?} must look like http://HOST[:PORT]/PATH",
                    n.name, n.health_url
                )));
            }
        }
        Ok(())
    }

    /// The node called `name`, or a bad-input error listing the known nodes.
    pub fn node(&self, name: &str) -> Result<&NodeConfig> {
        self.nodes.iter().find(|n| n.name == name).ok_or_else(|| {
            bad_input(format!(
                "unknown node {name:?}; the config knows {}",
                self.nodes
                    .iter()
                    .map(|n| n.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
}

/// A commented example configuration (it parses).
pub const EXAMPLE: &str = r#"# edgeshift switch configuration (edgeshift.toml).
# Looked up as --config FILE, else ./edgeshift.toml, else /etc/edgeshift/edgeshift.toml.
# Durations: "8m", "30s", "250ms", "1h 30m" or a number of seconds.

# The name clients use; `switch` points it at the serving node in the hosts file.
service = "web-server"
hosts_file = "/etc/hosts"           # rewritten atomically; backup in /etc/hosts.edgeshift.bak

# One switch at a time: a second switch waits (mode = "wait", up to timeout) or exits (mode = "fail").
lock_file = "/tmp/edgeshift-switch.lock"
lock = { mode = "wait", timeout = "20m" }

start_timeout = "15m"               # the target must be healthy within this time (VM start included)
stop_timeout = "10s"                # process driver: SIGTERM, then SIGKILL after this
service_check_timeout = "30s"       # after repointing: the service must answer through its name
# log_file = "/var/log/edgeshift-switch.log"   # step log, in addition to stderr
log_stderr = true

# Health: `good` consecutive HTTP 2xx answers from the target's health_url.
[health]
good = 3
interval = "2s"
timeout = "3s"

# Paths of the VM tools (tests point these at fake scripts).
[tools]
openstack = "openstack"
virsh = "virsh"
eden = "eden"

# One [[node]] per node. driver.kind: openstack | virsh | eden | command | process.
[[node]]
name = "web-server1"                # as in the time tables and crontab lines
address = "10.0.0.11"               # where the service name points when this node serves
health_url = "http://10.0.0.11:8000/"
driver = { kind = "openstack" }     # openstack server start|stop web-server1 (server = "..." to rename)

[[node]]
name = "web-server2"
address = "10.0.0.12"
health_url = "http://10.0.0.12:8000/"
driver = { kind = "virsh", domain = "web-server2" }   # virsh start|shutdown; connect = "qemu:///system"

# [[node]]
# name = "web-server3"
# address = "10.0.0.13"
# health_url = "http://10.0.0.13:8000/"
# driver = { kind = "eden", pod = "web-server3" }     # eden pod start|stop web-server3

# [[node]]
# name = "web-server4"
# address = "10.0.0.14"
# health_url = "http://10.0.0.14:8000/"
# driver = { kind = "command", start = "ssh edge4 start-vm {name}", stop = "ssh edge4 stop-vm {name}", status = "ssh edge4 vm-running {name}" }

# A local program (tests, testbed): started in the background, PID kept, stopped with
# SIGTERM then SIGKILL; start_delay emulates a VM boot.
# [[node]]
# name = "local1"
# address = "127.0.0.1"
# health_url = "http://127.0.0.1:8001/"
# [node.driver]
# kind = "process"
# program = "python3"
# args = ["-m", "http.server", "--bind", "127.0.0.1", "8001"]
# env = { PYTHONUNBUFFERED = "1" }
# pid_file = "/tmp/edgeshift-local1.pid"
# start_delay = "5s"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses() {
        let c = Config::parse(EXAMPLE, "example").unwrap();
        assert_eq!(c.service, "web-server");
        assert_eq!(c.nodes.len(), 2);
        assert_eq!(c.lock.mode, LockMode::Wait);
        assert_eq!(c.lock.timeout, Duration::from_secs(1200));
        assert_eq!(c.nodes[1].driver.kind(), "virsh");
        // The commented-out nodes parse too.
        let all: String = EXAMPLE
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(r)
                    if r.starts_with('[')
                        || r.split_once(" = ").is_some_and(|(k, _)| {
                            k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        }) =>
                {
                    r
                }
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = Config::parse(&all, "uncommented").unwrap();
        assert_eq!(c.nodes.len(), 5);
        assert_eq!(c.nodes[4].driver.kind(), "process");
    }

    #[test]
    fn missing_fields_are_named() {
        let e = Config::parse(
            "[[node]]\nname = \"a\"\naddress = \"127.0.0.1\"\ndriver = { kind = \"eden\" }\n",
            "x.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("health_url"), "{e}");
        assert_eq!(crate::error::exit_code(&e), 2);
    }
}

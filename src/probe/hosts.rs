//! Name resolution through a hosts file (`/etc/hosts` format) instead of the system resolver.
//!
//! The testbed points the service name (`web-server`) at one server by editing its own hosts
//! file; probes and floods given `--hosts-file` must see that file, re-read at every lookup
//! (a switch may change it between two attempts). Read-only: editing hosts files is
//! `switch`'s job.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

/// The address of `name` in the hosts file at `path`: the first line that lists it
/// (case-insensitive, as glibc does). `None` when the file cannot be read or has no such name.
/// An IP literal resolves to itself without reading the file.
pub fn resolve_in_hosts_file(path: &Path, name: &str) -> Option<IpAddr> {
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Some(ip);
    }
    let text = std::fs::read_to_string(path).ok()?;
    lookup_in_hosts_text(&text, name)
}

/// The same lookup in the text of a hosts file.
pub fn lookup_in_hosts_text(text: &str, name: &str) -> Option<IpAddr> {
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        let Some(ip) = fields.next() else { continue };
        if fields.any(|n| n.eq_ignore_ascii_case(name)) {
            if let Ok(ip) = ip.parse::<IpAddr>() {
                return Some(ip);
            }
        }
    }
    None
}

/// A resolver for `ureq` (and anything that resolves `host:port` strings) reading a hosts file.
#[derive(Debug, Clone)]
pub struct HostsFileResolver {
    pub path: PathBuf,
}

impl HostsFileResolver {
    /// Resolves `host:port` (or `[v6]:port`).
    pub fn resolve_netloc(&self, netloc: &str) -> io::Result<Vec<SocketAddr>> {
        let (host, port) = netloc.rsplit_once(':').ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("no port in `{netloc}`"),
            )
        })?;
        let port: u16 = port.parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bad port in `{netloc}`"),
            )
        })?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        match resolve_in_hosts_file(&self.path, host) {
            Some(ip) => Ok(vec![SocketAddr::new(ip, port)]),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("`{host}` is not in the hosts file {}", self.path.display()),
            )),
        }
    }
}

/// Resolves `host` to socket addresses: through `hosts_file` when given, else the system
/// resolver.
pub fn resolve(host: &str, port: u16, hosts_file: Option<&Path>) -> io::Result<Vec<SocketAddr>> {
    if let Some(path) = hosts_file {
        return HostsFileResolver {
            path: path.to_path_buf(),
        }
        .resolve_netloc(&format!("{host}:{port}"));
    }
    use std::net::ToSocketAddrs;
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("`{host}` has no address"),
        ));
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_and_aliases_and_skips_comments() {
        let text = "127.0.0.1 localhost\n# 10.0.0.1 web-server\n127.0.0.2\tweb-server1 Web-Server # now\n::1 v6host\n";
        assert_eq!(
            lookup_in_hosts_text(text, "web-server"),
            Some("127.0.0.2".parse().unwrap())
        );
        assert_eq!(
            lookup_in_hosts_text(text, "v6host"),
            Some("::1".parse().unwrap())
        );
        assert_eq!(lookup_in_hosts_text(text, "nothere"), None);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("hosts");
        std::fs::write(&p, text).unwrap();
        let r = HostsFileResolver { path: p.clone() };
        assert_eq!(
            r.resolve_netloc("web-server1:8000").unwrap(),
            vec!["127.0.0.2:8000".parse().unwrap()]
        );
        assert!(r.resolve_netloc("nothere:80").is_err());
        assert_eq!(
            resolve_in_hosts_file(&p, "127.0.0.9"),
            Some("127.0.0.9".parse().unwrap())
        );
    }
}

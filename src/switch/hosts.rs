//! The hosts file: point a name at an address, atomically, keeping every other line.
//!
//! Owns reading (`resolve`) and editing (`point_name`) of a hosts-format file. The edit
//! writes a temporary file in the same folder (with the original's permissions), syncs it
//! and renames it over the file, after a copy of the previous content went to
//! `HOSTS.edgeshift.bak`. Lines that do not mention the name are kept byte for byte.
//! Must not start, stop or check anything.
//!
//! Rules for the name:
//! - first line that lists the name alone: its address is replaced in place (spacing and
//!   comment kept);
//! - first line that lists the name with other names: the name is taken off that line and
//!   a line `ADDRESS<TAB>NAME` is inserted right after it;
//! - later lines that list the name: the name is taken off (the line goes when it was the
//!   only name), so that only one address remains for it;
//! - no line lists it: `ADDRESS<TAB>NAME` is appended.

use anyhow::{Context, Result};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// What `point_name` did.
#[derive(Debug, Clone)]
pub struct HostsChange {
    /// False when the name already pointed at the address (nothing written).
    pub changed: bool,
    /// The copy of the previous content (when changed).
    pub backup: Option<PathBuf>,
    /// The address the name had before (first line listing it), if any.
    pub previous: Option<IpAddr>,
}

/// The fields of a line before any comment: (address, names) with byte spans of each name.
fn parse_line(line: &str) -> Option<(&str, Vec<(usize, usize)>)> {
    let content = match line.find('#') {
        Some(i) => &line[..i],
        None => line,
    };
    let mut spans = Vec::new();
    let mut i = 0;
    let b = content.as_bytes();
    while i < b.len() {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t' || b[i] == b'\r' || b[i] == b'\n') {
            i += 1;
        }
        let s = i;
        while i < b.len() && !(b[i] == b' ' || b[i] == b'\t' || b[i] == b'\r' || b[i] == b'\n') {
            i += 1;
        }
        if i > s {
            spans.push((s, i));
        }
    }
    if spans.len() < 2 {
        return None;
    }
    let (a0, a1) = spans[0];
    Some((&line[a0..a1], spans[1..].to_vec()))
}

/// The address of `name` in hosts text (first line listing it, as the resolver does).
pub fn resolve_text(text: &str, name: &str) -> Option<IpAddr> {
    for line in text.lines() {
        if let Some((addr, names)) = parse_line(line) {
            if names
                .iter()
                .any(|&(a, b)| line[a..b].eq_ignore_ascii_case(name))
            {
                return addr.parse().ok();
            }
        }
    }
    None
}

/// The address of `name` in a hosts file.
pub fn resolve(path: &Path, name: &str) -> Result<Option<IpAddr>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the hosts file {}", path.display()))?;
    Ok(resolve_text(&text, name))
}

/// Removes the name at byte span (a, b) from `line` with the whitespace before it.
fn remove_name(line: &str, a: usize, b: usize) -> String {
    let mut start = a;
    let bytes = line.as_bytes();
    while start > 0 && (bytes[start - 1] == b' ' || bytes[start - 1] == b'\t') {
        start -= 1;
    }
    format!("{}{}", &line[..start], &line[b..])
}

/// The hosts text with `name` pointing at `addr`. Pure.
pub fn rewrite(text: &str, name: &str, addr: IpAddr) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut placed = false;
    for raw in text.split_inclusive('\n') {
        let Some((old_addr, names)) = parse_line(raw) else {
            out.push_str(raw);
            continue;
        };
        let hits: Vec<(usize, usize)> = names
            .iter()
            .copied()
            .filter(|&(a, b)| raw[a..b].eq_ignore_ascii_case(name))
            .collect();
        if hits.is_empty() {
            out.push_str(raw);
            continue;
        }
        let ending = if raw.ends_with("\r\n") {
            "\r\n"
        } else if raw.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        let only_this_name = hits.len() == names.len();
        if !placed && only_this_name {
            // Replace the address in place.
            let a0 = raw.find(old_addr).unwrap_or(0);
            out.push_str(&raw[..a0]);
            out.push_str(&addr.to_string());
            out.push_str(&raw[a0 + old_addr.len()..]);
            placed = true;
            continue;
        }
        // Take the name off this line (from the right, so spans stay valid).
        let mut line = raw.to_string();
        for &(a, b) in hits.iter().rev() {
            line = remove_name(&line, a, b);
        }
        if !only_this_name {
            out.push_str(&line);
        }
        if !placed {
            if !out.ends_with('\n') && !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{addr}\t{name}"));
            out.push_str(if ending.is_empty() { "\n" } else { ending });
            placed = true;
        }
    }
    if !placed {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{addr}\t{name}\n"));
    }
    out
}

/// The backup path of a hosts file: `HOSTS.edgeshift.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".edgeshift.bak");
    PathBuf::from(s)
}

/// Writes `content` to `path` atomically, giving the new file `mode` (unix permissions).
fn write_with_mode(path: &Path, content: &str, mode: Option<u32>) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".edgeshift-hosts.")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(content.as_bytes())
        .and_then(|_| tmp.flush())
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write a temporary file in {}", dir.display()))?;
    if let Some(m) = mode {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(m))
            .with_context(|| format!("cannot set permissions on the new {}", path.display()))?;
    }
    tmp.persist(path).map_err(|e| e.error).with_context(|| {
        format!(
            "cannot rename the new hosts file over {} (a bind-mounted file cannot be replaced; point hosts_file at a file in a writable folder)",
            path.display()
        )
    })?;
    Ok(())
}

/// Points `name` at `addr` in the hosts file at `path` (see the module rules).
pub fn point_name(path: &Path, name: &str, addr: IpAddr) -> Result<HostsChange> {
    let (old, mode) = match std::fs::read(path) {
        Ok(b) => {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .ok()
                .map(|m| m.permissions().mode() & 0o7777);
            (
                String::from_utf8(b).with_context(|| {
                    format!("the hosts file {} is not UTF-8 text", path.display())
                })?,
                mode,
            )
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), Some(0o644)),
        Err(e) => {
            return Err(anyhow::anyhow!(
                "cannot read the hosts file {}: {e}",
                path.display()
            ))
        }
    };
    let previous = resolve_text(&old, name);
    let new = rewrite(&old, name, addr);
    if new == old {
        return Ok(HostsChange {
            changed: false,
            backup: None,
            previous,
        });
    }
    let bak = backup_path(path);
    write_with_mode(&bak, &old, mode).with_context(|| {
        format!(
            "cannot keep a backup of the hosts file in {}",
            bak.display()
        )
    })?;
    write_with_mode(path, &new, mode)?;
    Ok(HostsChange {
        changed: true,
        backup: Some(bak),
        previous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn replaces_in_place_and_keeps_other_lines() {
        let t = "127.0.0.1\tlocalhost\n# comment web-server\n10.0.0.11   web-server  # svc\n::1 ip6-localhost\n";
        let n = rewrite(t, "web-server", ip("10.0.0.12"));
        assert_eq!(
            n,
            "127.0.0.1\tlocalhost\n# comment web-server\n10.0.0.12   web-server  # svc\n::1 ip6-localhost\n"
        );
        assert_eq!(resolve_text(&n, "web-server"), Some(ip("10.0.0.12")));
    }

    #[test]
    fn splits_a_shared_line() {
        let t = "10.0.0.11 web-server1 web-server other\n1.2.3.4 x";
        let n = rewrite(t, "web-server", ip("10.0.0.12"));
        assert_eq!(
            n,
            "10.0.0.11 web-server1 other\n10.0.0.12\tweb-server\n1.2.3.4 x"
        );
        assert_eq!(resolve_text(&n, "web-server"), Some(ip("10.0.0.12")));
        assert_eq!(resolve_text(&n, "web-server1"), Some(ip("10.0.0.11")));
    }

    #[test]
    fn appends_when_missing_and_drops_duplicates() {
        assert_eq!(
            rewrite("1.2.3.4 x", "web-server", ip("10.0.0.12")),
            "1.2.3.4 x\n10.0.0.12\tweb-server\n"
        );
        let t = "10.0.0.11 web-server\n10.0.0.13 web-server\n10.0.0.14 a web-server\n";
        assert_eq!(
            rewrite(t, "web-server", ip("10.0.0.12")),
            "10.0.0.12 web-server\n10.0.0.14 a\n"
        );
        // Already right: identical text.
        let t = "10.0.0.12 web-server\n";
        assert_eq!(rewrite(t, "web-server", ip("10.0.0.12")), t);
    }

    #[test]
    fn point_name_writes_a_backup_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("hosts");
        std::fs::write(&p, "127.0.0.1 localhost\n10.0.0.11 web-server\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let c = point_name(&p, "web-server", ip("10.0.0.12")).unwrap();
        assert!(c.changed);
        assert_eq!(c.previous, Some(ip("10.0.0.11")));
        assert_eq!(
            std::fs::read_to_string(backup_path(&p)).unwrap(),
            "127.0.0.1 localhost\n10.0.0.11 web-server\n"
        );
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
        let c = point_name(&p, "web-server", ip("10.0.0.12")).unwrap();
        assert!(!c.changed);
    }
}

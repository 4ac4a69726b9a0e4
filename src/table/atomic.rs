//! Atomic file output: nothing half-written is ever visible under the final name.
//!
//! Every file edgeshift produces is written to a temporary file in the same folder, flushed
//! and synced, then renamed over the destination. A crash or an error in the middle leaves
//! the previous file (or no file) in place, never a truncated one.

use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Writes `path` atomically: `fill` writes the content into a buffered temporary file in
/// the same folder, which replaces `path` only when `fill` succeeded.
pub fn write_atomic<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    write_pending(path, fill)?.commit()
}

/// A complete, synced temporary file waiting to replace its destination
/// ([`write_pending`]). [`PendingFile::commit`] renames it into place; dropping it
/// removes it, leaving the destination as it was.
#[derive(Debug)]
pub struct PendingFile {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

/// The first half of [`write_atomic`]: writes and syncs the temporary file, and leaves
/// the rename to [`PendingFile::commit`]. Several outputs can so be prepared while the
/// work that decides whether they are wanted still runs.
pub fn write_pending<F>(path: &Path, fill: F) -> Result<PendingFile>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let pending = PendingFile::create(path)?;
    {
        let mut w = BufWriter::new(pending.file());
        fill(&mut w)?;
        w.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    pending.finish()?;
    Ok(pending)
}

impl PendingFile {
    /// An empty temporary file in `path`'s folder, to be filled through
    /// [`PendingFile::file`], then [`PendingFile::finish`]ed and committed.
    pub fn create(path: &Path) -> Result<PendingFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(&format!(
                ".{}.",
                path.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("edgeshift")
            ))
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        Ok(PendingFile {
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// The temporary file, for writing.
    pub fn file(&self) -> &std::fs::File {
        self.tmp.as_file()
    }

    /// Gives the file its final mode and syncs it to disk.
    pub fn finish(&self) -> Result<()> {
        let path = &self.path;
        // tempfile creates 0600 files; an output file should look like any other: keep
        // the mode of the file it replaces, else the usual 0644.
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        self.file()
            .set_permissions(mode)
            .with_context(|| format!("cannot set the permissions of {}", path.display()))?;
        self.file()
            .sync_all()
            .with_context(|| format!("cannot sync {}", path.display()))
    }

    /// Renames the temporary file over the destination.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        self.tmp
            .persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot rename the temporary file to {}", path.display()))?;
        Ok(())
    }

    /// The destination.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A file-name-safe form of user text (a node or user name): ASCII letters, digits, `-`, `_`
/// and `.` are kept, anything else becomes `_`, and leading dots are dropped so the result
/// can neither climb out of a folder nor hide.
pub fn safe_file_stem(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    safe.trim_start_matches('.').to_string()
}

/// Writes a whole string atomically.
pub fn write_string_atomic(path: &Path, content: &str) -> Result<()> {
    write_string_pending(path, content)?.commit()
}

/// Writes a whole string to a synced temporary file that [`PendingFile::commit`] puts
/// in place of `path`.
pub fn write_string_pending(path: &Path, content: &str) -> Result<PendingFile> {
    write_pending(path, |w| {
        w.write_all(content.as_bytes())?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_string_atomic(&p, "old\n").unwrap();
        let r = write_atomic(&p, |w| {
            w.write_all(b"partial")?;
            anyhow::bail!("boom")
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old\n");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_pending_file_replaces_nothing_until_committed_and_vanishes_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_string_atomic(&p, "old\n").unwrap();
        let pending = write_pending(&p, |w| Ok(w.write_all(b"new\n")?)).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old\n");
        drop(pending);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let pending = write_pending(&p, |w| Ok(w.write_all(b"new\n")?)).unwrap();
        assert_eq!(pending.path(), p);
        pending.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn safe_file_stems_cannot_escape_their_folder() {
        assert_eq!(safe_file_stem("web-server1"), "web-server1");
        assert_eq!(safe_file_stem("../etc/passwd"), "_etc_passwd");
        assert_eq!(safe_file_stem("a b/c"), "a_b_c");
    }

    #[test]
    fn new_files_are_0644_and_replaced_files_keep_their_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new.csv");
        write_string_atomic(&p, "x\n").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&p), 0o644);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_string_atomic(&p, "y\n").unwrap();
        assert_eq!(mode(&p), 0o640);
    }
}

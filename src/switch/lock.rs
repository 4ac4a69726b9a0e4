//! The switch lock: one switch at a time, through an advisory lock (fs4, flock) on a file.
//!
//! The lock is released when the holder ends, however it ends (even SIGKILL), because the
//! kernel drops flock locks with the last file descriptor. Must not touch anything else.

use super::config::LockMode;
use anyhow::{Context, Result};
use fs4::fs_std::FileExt;
use std::fs::{File, OpenOptions};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Returned (inside `anyhow::Error`) when the lock is held by another switch.
#[derive(Debug)]
pub struct LockBusy {
    pub path: PathBuf,
    pub holder: String,
    pub waited: Duration,
}

impl std::fmt::Display for LockBusy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "another switch is running (lock {} held{}); gave up after {:.1}s",
            self.path.display(),
            if self.holder.is_empty() {
                String::new()
            } else {
                format!(" by {}", self.holder)
            },
            self.waited.as_secs_f64()
        )
    }
}

impl std::error::Error for LockBusy {}

/// A held switch lock; released on drop.
#[derive(Debug)]
pub struct SwitchLock {
    file: File,
    pub path: PathBuf,
}

impl SwitchLock {
    /// Takes the lock; with `LockMode::Wait` polls until `timeout`, with `Fail` tries once.
    pub fn acquire(path: &Path, mode: LockMode, timeout: Duration) -> Result<SwitchLock> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the lock folder {}", dir.display()))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        let start = Instant::now();
        loop {
            let got = FileExt::try_lock_exclusive(&file)
                .with_context(|| format!("cannot lock {}", path.display()))?;
            if got {
                // Informational: who holds it.
                let _ = file.set_len(0);
                let _ = file.rewind();
                let _ = writeln!(file, "pid {}", std::process::id());
                return Ok(SwitchLock {
                    file,
                    path: path.to_path_buf(),
                });
            }
            if mode == LockMode::Fail || start.elapsed() >= timeout {
                let holder = std::fs::read_to_string(path)
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                return Err(anyhow::Error::new(LockBusy {
                    path: path.to_path_buf(),
                    holder,
                    waited: start.elapsed(),
                }));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SwitchLock {
    fn drop(&mut self) {
        let _ = FileExt::unlock(&self.file);
    }
}

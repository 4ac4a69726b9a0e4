//! Incremental reading of a growing edge measurement file (the edge service's data).
//!
//! Owns the in-memory copy of the file's rows: it remembers the byte offset it has read up
//! to and the file's identity (device, inode), and on each [`Tail::refresh`] reads only the
//! bytes appended since. A partial last line (no newline yet: `diag` is still writing it) is
//! left for the next refresh. A new inode (the file was rotated) or a file shorter than the
//! offset (truncated) makes it start again from the first byte. Rows older than
//! `newest - keep` are dropped so memory stays bounded.
//!
//! Bad lines (wrong cell count, an unreadable time or number, a time going backwards) are
//! skipped and counted, never fatal: one broken line from cron must not take the service
//! down. Must not compute anything but parsing: the time table is `pipeline`'s.

use crate::error::bad_input;
use crate::table::frame::{is_index_column, Column, Kind, TIME};
use crate::table::time::parse_time;
use crate::table::Frame;
use anyhow::Result;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The rows of an edge file, kept in memory and refreshed incrementally.
#[derive(Debug)]
pub struct Tail {
    path: PathBuf,
    keep_us: i64,
    identity: Option<(u64, u64)>,
    offset: u64,
    /// Column names (after the Time column and index columns) and their cell positions.
    header: Option<Header>,
    /// Row times, in order.
    pub times: Vec<i64>,
    /// One vector per column of `header`.
    values: Vec<Vec<f64>>,
    /// Incremented whenever the data restarts (rotation, truncation), so caches keyed on
    /// it never mix two files.
    pub generation: u64,
    /// Rows parsed since start (all files).
    pub rows_read: u64,
    /// Lines skipped as unreadable since start.
    pub bad_lines: u64,
    /// The last skipped line's message.
    pub last_bad: Option<String>,
    /// Line number (1-based) of the next line to be read, for messages.
    next_line: u64,
}

#[derive(Debug, Clone)]
struct Header {
    cells: usize,
    time_idx: usize,
    columns: Vec<(usize, String)>,
}

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Refresh {
    pub new_rows: usize,
    pub restarted: bool,
}

impl Tail {
    /// A reader for `path` that keeps the rows of the last `keep_us` microseconds.
    pub fn new(path: &Path, keep_us: i64) -> Tail {
        Tail {
            path: path.to_path_buf(),
            keep_us,
            identity: None,
            offset: 0,
            header: None,
            times: Vec::new(),
            values: Vec::new(),
            generation: 0,
            rows_read: 0,
            bad_lines: 0,
            last_bad: None,
            next_line: 1,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of rows held.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The newest row's time.
    pub fn newest(&self) -> Option<i64> {
        self.times.last().copied()
    }

    /// The byte offset read up to (the start of the first unread line).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    fn restart(&mut self) {
        self.identity = None;
        self.offset = 0;
        self.header = None;
        self.times.clear();
        self.values.clear();
        self.generation += 1;
        self.next_line = 1;
    }

    /// Reads what was appended since the last call. Errors only when the file cannot be
    /// opened or its header is not an edge file's; the rows held so far stay as they were.
    pub fn refresh(&mut self) -> Result<Refresh> {
        let name = self.path.display().to_string();
        let meta = std::fs::metadata(&self.path)
            .map_err(|e| bad_input(format!("cannot open {name}: {e}")))?;
        let id = (meta.dev(), meta.ino());
        let mut result = Refresh::default();
        if self.identity.is_some_and(|old| old != id) || meta.len() < self.offset {
            self.restart();
            result.restarted = true;
        }
        if self.identity.is_some() && meta.len() == self.offset {
            return Ok(result);
        }
        let mut file = std::fs::File::open(&self.path)
            .map_err(|e| bad_input(format!("cannot open {name}: {e}")))?;
        // The file we opened may already be a newer one than the one we stat'ed: take the
        // identity of the opened file.
        let fmeta = file.metadata()?;
        let fid = (fmeta.dev(), fmeta.ino());
        if self.identity.is_some_and(|old| old != fid) || fmeta.len() < self.offset {
            self.restart();
            result.restarted = true;
        }
        self.identity = Some(fid);
        file.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::with_capacity((fmeta.len().saturating_sub(self.offset)) as usize);
        file.read_to_end(&mut buf)?;
        let Some(last_nl) = buf.iter().rposition(|b| *b == b'\n') else {
            return Ok(result); // only a partial line so far
        };
        let complete = &buf[..=last_nl];
        let mut start = 0usize;
        if self.header.is_none() {
            let end = complete
                .iter()
                .position(|b| *b == b'\n')
                .unwrap_or(complete.len());
            let line = String::from_utf8_lossy(&complete[..end]);
            self.header = Some(parse_header(&line, &name)?);
            self.values = vec![Vec::new(); self.header.as_ref().map_or(0, |h| h.columns.len())];
            start = end + 1;
            self.next_line = 2;
        }
        let before = self.times.len();
        for raw in complete[start..].split(|b| *b == b'\n') {
            if start >= complete.len() {
                break;
            }
            start += raw.len() + 1;
            let line_no = self.next_line;
            self.next_line += 1;
            let line = String::from_utf8_lossy(raw);
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            if let Err(msg) = self.push_line(line) {
                self.bad_lines += 1;
                let msg = format!("{name}:{line_no}: {msg}; line skipped");
                tracing::warn!("{msg}");
                self.last_bad = Some(msg);
            }
        }
        self.offset += (last_nl + 1) as u64;
        result.new_rows = self.times.len() - before;
        self.rows_read += result.new_rows as u64;
        self.trim();
        Ok(result)
    }

    fn push_line(&mut self, line: &str) -> std::result::Result<(), String> {
        let Some(h) = &self.header else {
            return Err("no header".into());
        };
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != h.cells {
            return Err(format!(
                "{} cells where the header has {}",
                cells.len(),
                h.cells
            ));
        }
        let ts = cells[h.time_idx];
        let t = parse_time(ts).ok_or_else(|| format!("cannot read {ts:?} as a time"))?;
        if let Some(&prev) = self.times.last() {
            if t < prev {
                return Err(format!("time {ts:?} goes backwards"));
            }
        }
        let mut row = Vec::with_capacity(h.columns.len());
        for (ci, cname) in &h.columns {
            let raw = cells[*ci].trim();
            let v = if raw.is_empty() || raw.eq_ignore_ascii_case("nan") {
                f64::NAN
            } else {
                raw.parse::<f64>()
                    .map_err(|_| format!("column {cname:?}: cannot read {raw:?} as a number"))?
            };
            row.push(v);
        }
        self.times.push(t);
        for (col, v) in self.values.iter_mut().zip(row) {
            col.push(v);
        }
        Ok(())
    }

    /// Drops rows older than `newest - keep`.
    fn trim(&mut self) {
        let Some(newest) = self.newest() else { return };
        let cut = self
            .times
            .partition_point(|&t| t < newest.saturating_sub(self.keep_us));
        if cut > 0 {
            self.times.drain(..cut);
            for c in &mut self.values {
                c.drain(..cut);
            }
        }
    }

    /// A frame of the rows in `range` (every column of the file).
    pub fn frame(&self, range: Range<usize>) -> Frame {
        let columns = match &self.header {
            Some(h) => h
                .columns
                .iter()
                .zip(&self.values)
                .map(|((_, name), v)| Column {
                    name: name.clone(),
                    values: v[range.clone()].to_vec(),
                    kind: Kind::Number,
                })
                .collect(),
            None => Vec::new(),
        };
        Frame {
            times: self.times[range].to_vec(),
            columns,
            lines: Vec::new(),
        }
    }
}

fn parse_header(line: &str, name: &str) -> Result<Header> {
    let names: Vec<String> = line
        .trim_end_matches('\r')
        .split(',')
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let time_idx = names.iter().position(|h| h == TIME).ok_or_else(|| {
        bad_input(format!(
            "{name}:1: no {TIME:?} column in the header; columns are: {}",
            names.join(", ")
        ))
    })?;
    let columns = names
        .iter()
        .enumerate()
        .filter(|(i, h)| *i != time_idx && !is_index_column(h))
        .map(|(i, h)| (i, h.clone()))
        .collect();
    Ok(Header {
        cells: names.len(),
        time_idx,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const HDR: &str = "Time,CPU Load %,App. CPU Load %,Tx B,Rx B,App. Tx B,App. Rx B\n";

    fn row(min: u32) -> String {
        format!(
            "2024-03-04T{:02}:{:02}:02.000000,0.1,5,{},{},{},{}\n",
            min / 60,
            min % 60,
            min * 10,
            min * 10,
            min * 10,
            min * 10
        )
    }

    #[test]
    fn reads_appends_partial_lines_rotation_and_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.csv");
        std::fs::write(&p, format!("{HDR}{}{}", row(0), row(1))).unwrap();
        let mut t = Tail::new(&p, 86_400_000_000);
        assert_eq!(t.refresh().unwrap().new_rows, 2);
        assert_eq!(t.refresh().unwrap().new_rows, 0);
        // A partial line waits for its newline.
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        let r2 = row(2);
        f.write_all(&r2.as_bytes()[..10]).unwrap();
        assert_eq!(t.refresh().unwrap().new_rows, 0);
        f.write_all(&r2.as_bytes()[10..]).unwrap();
        f.write_all(b"garbage line\n").unwrap();
        f.write_all(row(3).as_bytes()).unwrap();
        assert_eq!(t.refresh().unwrap().new_rows, 2);
        assert_eq!(t.bad_lines, 1);
        assert!(
            t.last_bad.as_deref().unwrap().contains("e.csv:5"),
            "{:?}",
            t.last_bad
        );
        assert_eq!(t.len(), 4);
        let fr = t.frame(1..3);
        assert_eq!(fr.times.len(), 2);
        assert_eq!(fr.column("App. Tx B").unwrap().values, vec![10.0, 20.0]);
        // Rotation: a new file under the same name.
        let q = dir.path().join("e.csv.new");
        std::fs::write(&q, format!("{HDR}{}", row(10))).unwrap();
        std::fs::rename(&q, &p).unwrap();
        let r = t.refresh().unwrap();
        assert!(r.restarted);
        assert_eq!(t.len(), 1);
        // Truncation in place.
        std::fs::write(&p, HDR).unwrap();
        let r = t.refresh().unwrap();
        assert!(r.restarted);
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn keeps_a_bounded_span() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.csv");
        let mut s = HDR.to_string();
        for m in 0..120 {
            s.push_str(&row(m));
        }
        std::fs::write(&p, s).unwrap();
        let mut t = Tail::new(&p, 30 * 60_000_000);
        t.refresh().unwrap();
        assert_eq!(t.len(), 31);
        assert_eq!(t.rows_read, 120);
    }

    #[test]
    fn refuses_a_file_without_time() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.csv");
        std::fs::write(&p, "a,b\n1,2\n").unwrap();
        let e = Tail::new(&p, 1).refresh().unwrap_err();
        assert!(e.to_string().contains("no \"Time\" column"), "{e}");
    }
}

//! The time table file: busy flags for every slot of a period, for one server.
//!
//! ```text
//! ,web-server1
//! 0,0
//! ...
//! 16,1
//! ```
//! An index column (the slot) and one column named after the server; 60, 1440 or 10080
//! rows (hour, day, week); values 0 or 1 (`0.0`/`1.0`, `True`/`False` are accepted too).

use super::atomic::{write_string_pending, PendingFile};
use super::frame::push_field;
use crate::analysis::period::Period;
use crate::error::bad_input;
use anyhow::{Context, Result};
use std::path::Path;

/// Busy flags for every slot of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeTable {
    /// The server the table is for (the file's column name), e.g. `web-server1`.
    pub server: String,
    /// One flag per slot: true when the server is expected to be overloaded.
    pub busy: Vec<bool>,
}

impl TimeTable {
    /// The period, known from the number of slots.
    pub fn period(&self) -> Option<Period> {
        Period::from_slots(self.busy.len())
    }

    /// Number of busy slots.
    pub fn busy_count(&self) -> usize {
        self.busy.iter().filter(|b| **b).count()
    }
}

/// Reads a time table file.
pub fn read_time_table(path: &Path) -> Result<TimeTable> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_input(format!("cannot open {}: {e}", path.display())))?;
    parse_time_table(&text, &path.display().to_string())
}

/// Parses the text of a time table; `name` is used in messages.
pub fn parse_time_table(text: &str, name: &str) -> Result<TimeTable> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| bad_input(format!("{name}:1: cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.len() != 2 || headers[1].is_empty() {
        return Err(bad_input(format!(
            "{name}:1: a time table has two columns, the slot index and the server name (e.g. \",web-server1\"); found {:?}",
            headers.join(",")
        )));
    }
    let server = headers[1].clone();
    let mut busy = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad_input(format!("{name}: malformed CSV: {e}")))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() != 2 {
            return Err(bad_input(format!(
                "{name}:{line}: expected 2 cells (slot, flag), found {}",
                rec.len()
            )));
        }
        let idx = rec[0].trim();
        if idx.parse::<usize>().ok() != Some(busy.len()) {
            return Err(bad_input(format!(
                "{name}:{line}: slot index {idx:?} where {} was expected; slots run 0, 1, 2, ... without gaps",
                busy.len()
            )));
        }
        let flag = match rec[1].trim() {
            "0" | "0.0" | "False" | "false" => false,
            "1" | "1.0" | "True" | "true" => true,
            other => {
                return Err(bad_input(format!(
                "{name}:{line}: column {server:?}: {other:?} is not a busy flag; expected 0 or 1"
            )))
            }
        };
        busy.push(flag);
    }
    if Period::from_slots(busy.len()).is_none() {
        return Err(bad_input(format!(
            "{name}: {} slots; a time table has 60 (hour), 1440 (day) or 10080 (week)",
            busy.len()
        )));
    }
    Ok(TimeTable { server, busy })
}

/// The text of a time table file.
pub fn format_time_table(tt: &TimeTable) -> String {
    let mut s = String::with_capacity(tt.busy.len() * 8 + 32);
    s.push(',');
    push_field(&mut s, &tt.server);
    s.push('\n');
    for (i, b) in tt.busy.iter().enumerate() {
        s.push_str(&format!("{i},{}\n", u8::from(*b)));
    }
    s
}

/// Writes a time table atomically.
pub fn write_time_table(path: &Path, tt: &TimeTable) -> Result<()> {
    write_time_table_pending(path, tt)?.commit()
}

/// Writes a time table to a synced temporary file that [`PendingFile::commit`] puts in place
/// of `path`.
pub fn write_time_table_pending(path: &Path, tt: &TimeTable) -> Result<PendingFile> {
    write_string_pending(path, &format_time_table(tt))
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_and_writes_it_back_identically() {
        let p = Path::new("data/hourly-2d/reference/web-server1.time_table.csv");
        let tt = read_time_table(p).unwrap();
        assert_eq!(tt.server, "web-server1");
        assert_eq!(tt.period(), Some(Period::Hour));
        let busy: Vec<usize> = (0..60).filter(|&i| tt.busy[i]).collect();
        assert_eq!(busy, vec![16, 17, 18, 19, 46, 47, 48, 49]);
        assert_eq!(format_time_table(&tt), std::fs::read_to_string(p).unwrap());
    }

    #[test]
    fn refuses_bad_tables() {
        let e = parse_time_table(",a\n0,0\n1,2\n", "t.csv").unwrap_err();
        assert!(e.to_string().contains("t.csv:3"), "{e}");
        let e = parse_time_table(",a\n0,0\n1,1\n", "t.csv").unwrap_err();
        assert!(e.to_string().contains("2 slots"), "{e}");
        let e = parse_time_table(",a\n0,0\n2,1\n", "t.csv").unwrap_err();
        assert!(e.to_string().contains("slot index"), "{e}");
    }
}

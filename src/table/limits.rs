//! The limits file: six statistic rows, one column per parameter.
//!
//! ```text
//! ,measurements,App. CPU Load %,App. Tx B/s,App. Rx B/s
//! 0,access_mean,6.97,60900.6,30607.9
//! ...
//! 5,errors_level,73.1,1434999.9,717646.5
//! ```
//! Written exactly in the reference's shape (with the index column) so that the reference's
//! edge scripts can read ours. Read with or without the index column, rows in any order.

use super::atomic::{write_string_pending, PendingFile};
use super::frame::{is_index_column, push_field};
use crate::analysis::limits::{ParamLimits, STAT_NAMES};
use crate::error::bad_input;
use anyhow::{Context, Result};
use std::path::Path;

const MEASUREMENTS: &str = "measurements";

/// Reads a limits file.
pub fn read_limits(path: &Path) -> Result<Vec<ParamLimits>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_input(format!("cannot open {}: {e}", path.display())))?;
    parse_limits(&text, &path.display().to_string())
}

/// Parses the text of a limits file; `name` is used in messages.
pub fn parse_limits(text: &str, name: &str) -> Result<Vec<ParamLimits>> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| bad_input(format!("{name}:1: cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let m_idx = headers.iter().position(|h| h == MEASUREMENTS).ok_or_else(|| {
        bad_input(format!(
            "{name}:1: no {MEASUREMENTS:?} column; this does not look like a limits file (columns: {})",
            headers.join(", ")
        ))
    })?;
    let params: Vec<(usize, &String)> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| *i != m_idx && !is_index_column(h))
        .collect();
    if params.is_empty() {
        return Err(bad_input(format!("{name}:1: no parameter columns")));
    }
    let mut values = vec![[f64::NAN; 6]; params.len()];
    let mut seen = [false; 6];
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad_input(format!("{name}: malformed CSV: {e}")))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let stat = rec.get(m_idx).unwrap_or("").trim();
        let Some(s) = STAT_NAMES.iter().position(|n| *n == stat) else {
            return Err(bad_input(format!(
                "{name}:{line}: column {MEASUREMENTS:?}: unknown statistic {stat:?}; expected one of {}",
                STAT_NAMES.join(", ")
            )));
        };
        seen[s] = true;
        for (k, (ci, pname)) in params.iter().enumerate() {
            let raw = rec.get(*ci).unwrap_or("").trim();
            values[k][s] = raw.parse::<f64>().map_err(|_| {
                bad_input(format!(
                    "{name}:{line}: column {pname:?}: cannot read {raw:?} as a number"
                ))
            })?;
        }
    }
    if let Some(missing) = (0..6).find(|&s| !seen[s]) {
        return Err(bad_input(format!(
            "{name}: no {:?} row; a limits file has the rows {}",
            STAT_NAMES[missing],
            STAT_NAMES.join(", ")
        )));
    }
    Ok(params
        .iter()
        .zip(values)
        .map(|((_, n), v)| ParamLimits::from_array(n, v))
        .collect())
}

/// The text of a limits file.
pub fn format_limits(limits: &[ParamLimits]) -> String {
    let mut s = String::from(",measurements");
    for l in limits {
        s.push(',');
        push_field(&mut s, &l.name);
    }
    s.push('\n');
    for (row, stat) in STAT_NAMES.iter().enumerate() {
        s.push_str(&format!("{row},{stat}"));
        for l in limits {
            let v = l.as_array()[row];
            s.push(',');
            if v.is_finite() {
                s.push_str(&format!("{v}"));
            }
        }
        s.push('\n');
    }
    s
}

/// Writes a limits file atomically.
pub fn write_limits(path: &Path, limits: &[ParamLimits]) -> Result<()> {
    write_limits_pending(path, limits)?.commit()
}

/// Writes a limits file to a synced temporary file that [`PendingFile::commit`] puts in place
/// of `path`.
pub fn write_limits_pending(path: &Path, limits: &[ParamLimits]) -> Result<PendingFile> {
    write_string_pending(path, &format_limits(limits))
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_and_writes_it_back_identically() {
        let p = Path::new("data/hourly-2d/reference/eden1_measure.limits.csv");
        let text = std::fs::read_to_string(p).unwrap();
        let l = read_limits(p).unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].name, "App. CPU Load %");
        assert_eq!(l[0].errors_level, 73.26599562977586);
        assert_eq!(format_limits(&l), text);
    }

    #[test]
    fn refuses_a_file_that_is_not_limits() {
        let e = parse_limits("Time,a\n2024-01-01,1\n", "x.csv").unwrap_err();
        assert!(e.to_string().contains("measurements"), "{e}");
        let e = parse_limits(",measurements,a\n0,access_mean,1\n", "x.csv").unwrap_err();
        assert!(e.to_string().contains("access_std_deviation"), "{e}");
        let e = parse_limits(",measurements,a\n0,access_mean,zz\n", "x.csv").unwrap_err();
        assert!(e.to_string().contains("x.csv:2: column \"a\""), "{e}");
    }
}

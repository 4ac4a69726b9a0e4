//! Time windows over time-ordered rows: the `select` and `detect` subcommands, the
//! monitor's "last 3 hours of the probe file" and the edge service's `/time_table/<window>`
//! all use these functions, so they agree on what a window is.
//!
//! Owns: window lengths (`2h`, `-90m`, `1d12h`), time points (`begin`, `end`, `now`, an ISO
//! time, a relative offset) and the row ranges they select. Must not read or write files
//! other than through `table` (the cut itself copies the selected lines of the input).
//!
//! Definitions (documented in `edgeshift select --help`):
//! * a *window* `W` ending at `E` holds the rows with `E - W < time <= E` ("the last W");
//! * `select` with two points holds the rows with `lo <= time <= hi` (both ends included,
//!   `lo`/`hi` being the earlier/later of BEGIN and END);
//! * a relative BEGIN (`-3h`) counts back from the newest row of the file; a relative END
//!   (`-3h`, `+30m`) counts from BEGIN.

use crate::error::bad_input;
use crate::table::time::{format_time, parse_time};
use anyhow::Result;
use std::ops::Range;

/// Microseconds per unit.
const SEC: i64 = 1_000_000;

/// The longest window accepted (400 days): longer is surely a typo.
pub const MAX_WINDOW_US: i64 = 400 * 86_400 * SEC;

/// Parses a window length: an optional leading `-` (the reference writes `-2h`), then one or
/// more `<number><unit>` parts with unit `s`, `m`, `h`, `d` or `w` (`90m`, `1d12h`).
/// Returns the length in microseconds (always positive).
pub fn parse_window(s: &str) -> Result<i64> {
    let t = s.trim();
    let body = t.strip_prefix('-').unwrap_or(t);
    let bad = |why: &str| {
        bad_input(format!(
            "bad window {:?}: {why}; expected a length like 2h, -2h, 90m, 1d or 1d12h (units s, m, h, d, w)",
            truncate(s, 40)
        ))
    };
    if body.is_empty() {
        return Err(bad("empty"));
    }
    if body.len() > 32 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad("unexpected characters"));
    }
    let mut total: i64 = 0;
    let mut num: Option<i64> = None;
    for b in body.bytes() {
        if b.is_ascii_digit() {
            let n = num.unwrap_or(0);
            num = Some(
                n.checked_mul(10)
                    .and_then(|n| n.checked_add(i64::from(b - b'0')))
                    .filter(|n| *n <= 1_000_000_000)
                    .ok_or_else(|| bad("number too large"))?,
            );
        } else {
            let unit = match b {
                b's' => SEC,
                b'm' => 60 * SEC,
                b'h' => 3600 * SEC,
                b'd' => 86_400 * SEC,
                b'w' => 7 * 86_400 * SEC,
                _ => return Err(bad("unknown unit")),
            };
            let n = num.take().ok_or_else(|| bad("a unit without a number"))?;
            total = total
                .checked_add(n.saturating_mul(unit))
                .ok_or_else(|| bad("too long"))?;
        }
    }
    if num.is_some() {
        return Err(bad("a number without a unit"));
    }
    if total <= 0 {
        return Err(bad("the length must be positive"));
    }
    if total > MAX_WINDOW_US {
        return Err(bad("longer than 400 days"));
    }
    Ok(total)
}

/// Formats a window length compactly (`2h`, `90m`, `1d12h`).
pub fn format_window(us: i64) -> String {
    let mut rest = us / SEC;
    if rest <= 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, len) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if rest >= len {
            out.push_str(&format!("{}{unit}", rest / len));
            rest %= len;
        }
    }
    out
}

fn truncate(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

/// A point in time as `select` accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// The first row of the file.
    Begin,
    /// The newest row of the file.
    End,
    /// The wall clock now (or the `--now` override).
    Now,
    /// An absolute time (microseconds, see `table::time`).
    At(i64),
    /// An offset in microseconds (negative = earlier): from the newest row for BEGIN, from
    /// BEGIN for END.
    Relative(i64),
}

/// Parses a point: `begin`, `end`, `now`, an ISO time, or `-3h` / `+30m`.
pub fn parse_point(s: &str) -> Result<Point> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "begin" => return Ok(Point::Begin),
        "end" => return Ok(Point::End),
        "now" => return Ok(Point::Now),
        _ => {}
    }
    if let Some(rest) = t.strip_prefix('-') {
        return Ok(Point::Relative(-parse_window(rest)?));
    }
    if let Some(rest) = t.strip_prefix('+') {
        return Ok(Point::Relative(parse_window(rest)?));
    }
    parse_time(t).map(Point::At).ok_or_else(|| {
        bad_input(format!(
            "cannot read {:?} as a time; expected begin, end, now, an ISO time like 2024-03-04T10:00:00, or an offset like -3h",
            truncate(s, 40)
        ))
    })
}

/// Resolves BEGIN and END against a file's row times; returns `(lo, hi)`, lo <= hi, both
/// included. `END` defaults to `end`.
pub fn resolve(times: &[i64], begin: Point, end: Option<Point>, now: i64) -> (i64, i64) {
    let first = times.first().copied().unwrap_or(now);
    let last = times.last().copied().unwrap_or(now);
    let b = match begin {
        Point::Begin => first,
        Point::End => last,
        Point::Now => now,
        Point::At(t) => t,
        Point::Relative(d) => last + d,
    };
    let e = match end.unwrap_or(Point::End) {
        Point::Begin => first,
        Point::End => last,
        Point::Now => now,
        Point::At(t) => t,
        Point::Relative(d) => b + d,
    };
    (b.min(e), b.max(e))
}

/// The rows with `lo <= time <= hi` of time-ordered `times`.
pub fn rows_between(times: &[i64], lo: i64, hi: i64) -> Range<usize> {
    let a = times.partition_point(|&t| t < lo);
    let b = times.partition_point(|&t| t <= hi);
    a..b.max(a)
}

/// The rows of the window of length `window` ending at `end`: `end - window < time <= end`.
pub fn last_window(times: &[i64], end: i64, window: i64) -> Range<usize> {
    let a = times.partition_point(|&t| t <= end - window);
    let b = times.partition_point(|&t| t <= end);
    a..b.max(a)
}

/// The share (0..=1) of `values` that are `>= limit` (NaN counts as not), `None` when empty.
pub fn share_at_or_above(values: &[f64], limit: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let n = values.iter().filter(|v| **v >= limit).count();
    Some(n as f64 / values.len() as f64)
}

/// Rounds a percentage as Python's `round()` does (half to even), as the reference prints it.
pub fn round_half_even(x: f64) -> i64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && (r as i64) % 2 != 0 {
        (r - x.signum()) as i64
    } else {
        r as i64
    }
}

/// What a `select` run kept, for its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub lo: i64,
    pub hi: i64,
    pub rows: Range<usize>,
    pub total: usize,
}

impl Cut {
    pub fn describe(&self) -> String {
        format!(
            "kept {} of {} rows from {} to {}",
            self.rows.len(),
            self.total,
            format_time(self.lo),
            format_time(self.hi)
        )
    }
}

/// Cuts the rows between BEGIN and END out of a CSV text with a `Time` column. The output is
/// the header line and the selected lines exactly as they were (index columns, number
/// forms and all). `line_of_row[i]` is the 1-based file line of row `i` (from `Frame`).
pub fn cut_lines(
    text: &str,
    times: &[i64],
    line_of_row: &[u64],
    begin: Point,
    end: Option<Point>,
    now: i64,
) -> (String, Cut) {
    let (lo, hi) = resolve(times, begin, end, now);
    let rows = rows_between(times, lo, hi);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::new();
    if let Some(h) = lines.first() {
        out.push_str(h);
        if !h.ends_with('\n') {
            out.push('\n');
        }
    }
    for i in rows.clone() {
        if let Some(l) = line_of_row
            .get(i)
            .and_then(|&ln| lines.get((ln as usize).saturating_sub(1)))
        {
            out.push_str(l);
            if !l.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    (
        out,
        Cut {
            lo,
            hi,
            rows,
            total: times.len(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600 * SEC;

    #[test]
    fn windows_parse_in_every_reference_form() {
        assert_eq!(parse_window("-2h").unwrap(), 2 * H);
        assert_eq!(parse_window("2h").unwrap(), 2 * H);
        assert_eq!(parse_window("90m").unwrap(), 90 * 60 * SEC);
        assert_eq!(parse_window("1d").unwrap(), 24 * H);
        assert_eq!(parse_window("1d12h").unwrap(), 36 * H);
        assert_eq!(parse_window("1w").unwrap(), 168 * H);
        assert_eq!(format_window(36 * H), "1d12h");
        for bad in [
            "",
            "-",
            "h",
            "2",
            "2x",
            "0h",
            "../etc",
            "2h;rm",
            "--2h",
            "2 h",
            "9999999999d",
            "500d",
            "2h\u{0}",
            "１h",
        ] {
            let e = parse_window(bad).unwrap_err();
            assert!(crate::error::is_input_error(&e), "{bad}");
            assert!(e.to_string().contains("bad window"), "{e}");
        }
    }

    #[test]
    fn points_and_ranges() {
        let times: Vec<i64> = (0..10).map(|i| i * H).collect();
        assert_eq!(parse_point("-3h").unwrap(), Point::Relative(-3 * H));
        assert_eq!(parse_point("NOW").unwrap(), Point::Now);
        assert!(parse_point("tomorrow").is_err());
        // The last 3 hours of the file, both ends included.
        let (lo, hi) = resolve(&times, Point::End, Some(Point::Relative(-3 * H)), 0);
        assert_eq!((lo, hi), (6 * H, 9 * H));
        assert_eq!(rows_between(&times, lo, hi), 6..10);
        // A relative BEGIN counts back from the newest row; END defaults to the end.
        let (lo, hi) = resolve(&times, Point::Relative(-2 * H), None, 0);
        assert_eq!(rows_between(&times, lo, hi), 7..10);
        // now - 3h .. now, with "now" past the data: nothing.
        let (lo, hi) = resolve(&times, Point::Now, Some(Point::Relative(-3 * H)), 20 * H);
        assert!(rows_between(&times, lo, hi).is_empty());
        // The "last W" excludes the row exactly W before the end.
        assert_eq!(last_window(&times, 9 * H, 3 * H), 7..10);
        assert_eq!(last_window(&times, 100 * H, 3 * H), 10..10);
    }

    #[test]
    fn shares_and_rounding() {
        assert_eq!(
            share_at_or_above(&[0.0, 5.0, 7.0, f64::NAN], 5.0),
            Some(0.5)
        );
        assert_eq!(share_at_or_above(&[], 5.0), None);
        assert_eq!(round_half_even(12.5), 12);
        assert_eq!(round_half_even(13.5), 14);
        assert_eq!(round_half_even(13.4), 13);
        assert_eq!(round_half_even(0.0), 0);
    }

    #[test]
    fn cut_keeps_lines_verbatim() {
        let text = ",Time,a\n0,2024-03-04 00:00:00,1.50\n1,2024-03-04 01:00:00,2\n2,2024-03-04 02:00:00,3\n";
        let f = crate::table::Frame::from_reader(
            text.as_bytes(),
            "t",
            crate::table::ReadOptions::default(),
        )
        .unwrap();
        let (out, cut) = cut_lines(
            text,
            &f.times,
            &f.lines,
            Point::End,
            Some(Point::Relative(-H)),
            0,
        );
        assert_eq!(
            out,
            ",Time,a\n1,2024-03-04 01:00:00,2\n2,2024-03-04 02:00:00,3\n"
        );
        assert_eq!(cut.rows, 1..3);
    }
}

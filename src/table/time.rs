//! Timestamps as they appear in edgeshift's files.
//!
//! Files hold naive local wall-clock times (`2024-03-04T00:01:02.209339`), written by the
//! reference with or without microseconds and, in intermediate files, with a space instead
//! of the `T`. In memory a time is an `i64` of microseconds since 1970-01-01T00:00:00 of
//! that same wall clock: no time zone is applied, so slot arithmetic (minute of the hour,
//! of the day, of the week) is integer arithmetic on the number.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike};

/// Parses a timestamp: `YYYY-MM-DD[T ]HH:MM[:SS[.f…]]`, optionally followed by `Z` or an
/// offset (ignored: the wall-clock part is kept). Returns microseconds since the epoch.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(t) = parse_fast(s.as_bytes()) {
        return Some(t);
    }
    let normalized = s.replacen(' ', "T", 1);
    if let Ok(dt) = normalized.parse::<NaiveDateTime>() {
        return Some(to_micros(dt));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(&normalized) {
        return Some(to_micros(dt.naive_local()));
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%d"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&normalized, fmt) {
            return Some(to_micros(dt));
        }
        if let Ok(d) = NaiveDate::parse_from_str(&normalized, fmt) {
            return Some(to_micros(d.and_hms_opt(0, 0, 0)?));
        }
    }
    None
}

/// Fixed-position parser for the common form `YYYY-MM-DD?HH:MM:SS[.ffffff]`: about ten
/// times faster than the general path, which matters for year-long recordings.
fn parse_fast(b: &[u8]) -> Option<i64> {
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[10] != b'T' && b[10] != b' ' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let mut micros = 0i64;
    if b.len() > 19 {
        if b[19] != b'.' || b.len() == 20 {
            return None;
        }
        let frac = &b[20..];
        if frac.len() > 9 || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut scale = 100_000i64;
        for (i, &c) in frac.iter().enumerate() {
            if i >= 6 {
                break;
            }
            micros += i64::from(c - b'0') * scale;
            scale /= 10;
        }
    }
    let days = i64::from(date.num_days_from_ce() - 719_163);
    Some(
        ((days * 24 + i64::from(h)) * 60 + i64::from(m)) * 60_000_000
            + i64::from(sec) * 1_000_000
            + micros,
    )
}

use chrono::Datelike;

fn to_micros(dt: NaiveDateTime) -> i64 {
    dt.and_utc().timestamp_micros()
}

/// The wall-clock time of a microsecond count.
pub fn to_datetime(t_us: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_micros(t_us).map(|d| d.naive_utc())
}

/// Formats a time as the edge and probe files do: `2024-03-04T00:01:02.209339`.
pub fn format_time(t_us: i64) -> String {
    let mut s = String::with_capacity(26);
    push_time(&mut s, t_us);
    s
}

/// Appends the [`format_time`] text of a time to `out`. Fixed-position digits: several
/// times faster than chrono's `format`, which matters when writing year-long files.
pub fn push_time(out: &mut String, t_us: i64) {
    TimeWriter::default().push(out, t_us);
}

/// Writes many times in a row, as [`push_time`] does, remembering the date of the last one
/// (rows of a file mostly share their day): what [`Frame`](super::Frame) writing uses.
#[derive(Debug, Clone, Default)]
pub struct TimeWriter {
    /// The day number and the `YYYY-MM-DD` text of the last time written.
    day: Option<(i64, [u8; 10])>,
}

impl TimeWriter {
    /// Appends the [`format_time`] text of `t_us` to `out`.
    pub fn push(&mut self, out: &mut String, t_us: i64) {
        let days = t_us.div_euclid(86_400_000_000);
        let rest = t_us.rem_euclid(86_400_000_000);
        let date = match self.day {
            Some((d, text)) if d == days => text,
            _ => {
                let date = i32::try_from(days + 719_163)
                    .ok()
                    .and_then(NaiveDate::from_num_days_from_ce_opt)
                    .filter(|d| (0..=9999).contains(&d.year()));
                let Some(date) = date else {
                    match to_datetime(t_us) {
                        Some(dt) => out.push_str(&dt.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()),
                        None => out.push_str(&format!("invalid-time({t_us})")),
                    }
                    return;
                };
                let mut text = *b"0000-00-00";
                put_digits(&mut text[0..4], i64::from(date.year()));
                put_digits(&mut text[5..7], i64::from(date.month()));
                put_digits(&mut text[8..10], i64::from(date.day()));
                self.day = Some((days, text));
                text
            }
        };
        let (secs, us) = (rest / 1_000_000, rest % 1_000_000);
        let mut buf = *b"0000-00-00T00:00:00.000000";
        buf[..10].copy_from_slice(&date);
        put_digits(&mut buf[11..13], secs / 3600);
        put_digits(&mut buf[14..16], (secs / 60) % 60);
        put_digits(&mut buf[17..19], secs % 60);
        put_digits(&mut buf[20..26], us);
        // Only ASCII digits and separators: always valid UTF-8.
        out.push_str(std::str::from_utf8(&buf).unwrap_or("invalid-time"));
    }
}

/// Writes the last `out.len()` decimal digits of `v` (≥ 0) into `out`, zero-padded.
fn put_digits(out: &mut [u8], mut v: i64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// The current local wall-clock time in microseconds (what `measure` and `diag` record).
pub fn now_local() -> i64 {
    to_micros(chrono::Local::now().naive_local())
}

/// Parses a `Responce time` cell, `H:MM:SS.ffffff` (hours may exceed 23 and may be
/// preceded by `N day(s), `, as Python's `timedelta` prints), into seconds.
pub fn parse_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    // ("5 days, 1:02:03" is rare: look for the comma before searching for ", ".)
    let with_days = if s.as_bytes().contains(&b',') {
        s.split_once(", ")
    } else {
        None
    };
    let (days, rest) = match with_days {
        Some((d, rest)) => {
            let d = d.trim_end_matches(" days").trim_end_matches(" day");
            (d.trim().parse::<f64>().ok()?, rest)
        }
        None => (0.0, s),
    };
    let mut parts = rest.split(':');
    let h = parts.next()?.trim().parse::<f64>().ok()?;
    let m = parts.next()?.trim().parse::<f64>().ok()?;
    let sec = parts.next()?.trim().parse::<f64>().ok()?;
    if parts.next().is_some() || m >= 60.0 || sec >= 60.0 || h < 0.0 || m < 0.0 || sec < 0.0 {
        return None;
    }
    Some(days * 86_400.0 + h * 3600.0 + m * 60.0 + sec)
}

/// Formats seconds as Python's `str(timedelta)` does for durations under a day:
/// `0:00:00.004057` (always six fraction digits, as the probe files have them).
pub fn format_duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return String::new();
    }
    let total_us = (secs * 1e6).round() as i64;
    let (s, us) = (total_us / 1_000_000, total_us % 1_000_000);
    format!("{}:{:02}:{:02}.{:06}", s / 3600, (s / 60) % 60, s % 60, us)
}

/// Appends the [`format_duration`] text of `secs` to `out`, without allocating (the
/// probe's `Responce time` column of every joined file).
pub fn push_duration(out: &mut String, secs: f64) {
    if !secs.is_finite() || secs < 0.0 {
        return;
    }
    let total_us = (secs * 1e6).round() as i64;
    let (s, us) = (total_us / 1_000_000, total_us % 1_000_000);
    let hours = s / 3600;
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut h = hours;
    loop {
        at -= 1;
        digits[at] = b'0' + (h % 10) as u8;
        h /= 10;
        if h == 0 {
            break;
        }
    }
    let mut tail = [b':', 0, 0, b':', 0, 0, b'.', 0, 0, 0, 0, 0, 0];
    let (m, sec) = ((s / 60) % 60, s % 60);
    tail[1] = b'0' + (m / 10) as u8;
    tail[2] = b'0' + (m % 10) as u8;
    tail[4] = b'0' + (sec / 10) as u8;
    tail[5] = b'0' + (sec % 10) as u8;
    let mut u = us;
    for k in (7..13).rev() {
        tail[k] = b'0' + (u % 10) as u8;
        u /= 10;
    }
    for &b in digits[at..].iter().chain(&tail) {
        out.push(char::from(b));
    }
}

/// The time of day as `HH:MM` (for labels).
pub fn hhmm(t_us: i64) -> String {
    to_datetime(t_us)
        .map(|d| format!("{:02}:{:02}", d.hour(), d.minute()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_duration_matches_format_duration() {
        let cases = [
            0.0,
            -0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            0.005056,
            0.0000004,
            0.0000005,
            59.9999996,
            3599.9999995,
            3600.0,
            86_399.123456,
            1e9 + 0.25,
            9.2e12,
            1e30,
        ];
        for v in cases
            .into_iter()
            .chain((0..5000).map(|k| k as f64 * 0.7345679))
        {
            let mut out = String::from("x");
            push_duration(&mut out, v);
            assert_eq!(out, format!("x{}", format_duration(v)), "{v}");
        }
    }

    #[test]
    fn time_writer_matches_format_time_across_days() {
        let mut w = TimeWriter::default();
        let mut out = String::new();
        let mut want = String::new();
        let start = parse_time("2023-12-31T23:58:59.999999").unwrap();
        for k in 0..200i64 {
            let t = start + k * 37_123_457 - if k == 100 { 10 * 86_400_000_000 } else { 0 };
            w.push(&mut out, t);
            want.push_str(&format_time(t));
        }
        assert_eq!(out, want);
        assert!(want.contains("2024-01-01T00:"));
    }

    #[test]
    fn parses_every_form_the_files_use() {
        let a = parse_time("2024-03-04T00:01:02.209339").unwrap();
        let b = parse_time("2024-03-04 00:01:02.209339").unwrap();
        assert_eq!(a, b);
        assert_eq!(format_time(a), "2024-03-04T00:01:02.209339");
        let c = parse_time("2024-03-04T00:01:02").unwrap();
        assert_eq!(a - c, 209_339);
        assert_eq!(parse_time("2024-03-04T00:01:02.2").unwrap() - c, 200_000);
        assert_eq!(
            parse_time("2024-03-04T00:01:02.123456789").unwrap() - c,
            123_456
        );
        assert_eq!(parse_time("2024-03-04T00:01:02Z").unwrap(), c);
        assert_eq!(parse_time("2024-03-04T00:01").unwrap(), c - 2_000_000);
        assert!(parse_time("2024-13-04T00:01:02").is_none());
        assert!(parse_time("yesterday").is_none());
        assert!(parse_time("").is_none());
        assert_eq!(format_time(c), "2024-03-04T00:01:02.000000");
        assert_eq!(
            format_time(parse_time("1969-12-31T23:59:59.5").unwrap()),
            "1969-12-31T23:59:59.500000"
        );
        assert_eq!(
            format_time(parse_time("0999-01-02T03:04:05").unwrap()),
            "0999-01-02T03:04:05.000000"
        );
        // 1970-01-01 is the epoch of the wall clock.
        assert_eq!(parse_time("1970-01-01T00:00:01").unwrap(), 1_000_000);
    }

    #[test]
    fn durations_round_trip() {
        assert_eq!(parse_duration("0:00:00.004057"), Some(0.004057));
        assert_eq!(format_duration(0.004057), "0:00:00.004057");
        assert_eq!(format_duration(3725.5), "1:02:05.500000");
        assert_eq!(parse_duration("1 day, 0:00:01"), Some(86_401.0));
        assert_eq!(parse_duration("abc"), None);
        assert_eq!(parse_duration("0:61:00"), None);
    }
}

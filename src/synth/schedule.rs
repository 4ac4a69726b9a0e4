//! Flood schedules: `"CRON for DURATION"`, shared by `synth` and the testbed.
//!
//! A schedule says when a node is flooded: a flood starts at every match of a standard
//! 5-field cron expression (minute, hour, day of month, month, day of week; parsed with
//! the `croner` crate, so ranges, lists, steps, names and `@hourly`-style nicknames work)
//! and lasts DURATION (parsed with `humantime`: `90s`, `5m`, `1h 30m`).
//!
//! | schedule | floods |
//! |---|---|
//! | `15,45 * * * * for 5m` | at :15 and :45 of every hour, 5 minutes (the seed's node 1) |
//! | `0,30 * * * * for 10m` | at :00 and :30 of every hour, 10 minutes (the seed's node 2) |
//! | `0 9 * * * for 45m` | every day at 09:00, 45 minutes |
//! | `0 9 * * 1-5 for 1h` | Monday to Friday at 09:00, one hour |
//!
//! Times are naive wall-clock times (see `table::time`); cron is evaluated on that same
//! wall clock, without time zones or daylight-saving jumps. Floods that overlap (a
//! duration longer than the gap to the next start) merge into one.
//!
//! This module only parses and enumerates; it must not generate data or touch files.

use crate::error::bad_input;
use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A flood schedule: floods start at every match of a cron expression and last a duration.
#[derive(Debug, Clone)]
pub struct FloodSchedule {
    cron_text: String,
    cron: croner::Cron,
    duration: Duration,
}

impl PartialEq for FloodSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.cron_text == other.cron_text && self.duration == other.duration
    }
}

impl FloodSchedule {
    /// The cron expression as given (whitespace normalised).
    pub fn cron(&self) -> &str {
        &self.cron_text
    }

    /// How long each flood lasts.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// How long each flood lasts, in microseconds.
    pub fn duration_us(&self) -> i64 {
        i64::try_from(self.duration.as_micros()).unwrap_or(i64::MAX)
    }

    /// Whole minutes of each flood, rounded up (what a flood generator's minute argument is).
    pub fn duration_minutes(&self) -> u64 {
        self.duration.as_secs().div_ceil(60).max(1)
    }

    /// The flood start times (microseconds of wall clock) at or after `from_us` and
    /// before `to_us`, in order.
    pub fn starts(&self, from_us: i64, to_us: i64) -> impl Iterator<Item = i64> + '_ {
        let first = DateTime::<Utc>::from_timestamp_micros(from_us);
        let iter = first.map(|t| self.cron.iter_from(t));
        iter.into_iter()
            .flatten()
            .map(|t| t.timestamp_micros())
            .take_while(move |&t| t < to_us)
    }

    /// The flood intervals `[start, end)` that overlap `[from_us, to_us)`, in order,
    /// overlapping or touching floods merged into one.
    pub fn floods(&self, from_us: i64, to_us: i64) -> Vec<(i64, i64)> {
        let d = self.duration_us();
        let mut out: Vec<(i64, i64)> = Vec::new();
        for s in self.starts(from_us.saturating_sub(d), to_us) {
            let e = s.saturating_add(d);
            if e <= from_us {
                continue;
            }
            match out.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => out.push((s, e)),
            }
        }
        out
    }

    /// True when a flood is running at `t_us`.
    pub fn is_flooding(&self, t_us: i64) -> bool {
        !self.floods(t_us, t_us.saturating_add(1)).is_empty()
    }
}

impl fmt::Display for FloodSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} for {}",
            self.cron_text,
            humantime::format_duration(self.duration)
        )
    }
}

impl FromStr for FloodSchedule {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_schedule(s)
    }
}

/// The help text for the schedule syntax (used by `--help` of the commands that take one).
pub const SCHEDULE_HELP: &str = "\
A schedule is \"CRON for DURATION\": a flood starts at every match of the 5-field cron
expression (minute hour day-of-month month day-of-week; lists, ranges, steps and names
work, day of week 0 or 7 = Sunday, 1 = Monday) and lasts DURATION (90s, 5m, 1h, 1h 30m).
Examples:
  \"15,45 * * * * for 5m\"    at :15 and :45 of every hour, 5 minutes
  \"0,30 * * * * for 10m\"    at :00 and :30 of every hour, 10 minutes
  \"0 9 * * * for 45m\"       every day at 09:00, 45 minutes
  \"0 9 * * 1-5 for 1h\"      Monday to Friday at 09:00, one hour";

/// Parses `"CRON for DURATION"` (see the module documentation). Errors are input errors
/// that quote the bad part and say what would be valid.
pub fn parse_schedule(s: &str) -> anyhow::Result<FloodSchedule> {
    let text = s.trim();
    let Some((cron_part, dur_part)) = text.rsplit_once(" for ") else {
        return Err(bad_input(format!(
            "bad flood schedule {s:?}: expected \"CRON for DURATION\", \
             e.g. \"15,45 * * * * for 5m\" or \"0 9 * * 1-5 for 1h\""
        )));
    };
    let cron_text = cron_part.split_whitespace().collect::<Vec<_>>().join(" ");
    let fields = cron_text.split(' ').count();
    if !cron_text.starts_with('@') && fields != 5 {
        return Err(bad_input(format!(
            "bad flood schedule {s:?}: the cron expression {cron_text:?} has {fields} \
             field(s), expected 5 (minute hour day-of-month month day-of-week), \
             e.g. \"0 9 * * 1-5\""
        )));
    }
    let cron = croner::Cron::new(&cron_text).parse().map_err(|e| {
        bad_input(format!(
            "bad flood schedule {s:?}: cannot parse the cron expression {cron_text:?}: {e}"
        ))
    })?;
    let dur_text = dur_part.trim();
    let duration = humantime::parse_duration(dur_text).map_err(|e| {
        bad_input(format!(
            "bad flood schedule {s:?}: cannot parse the duration {dur_text:?} ({e}): \
             expected e.g. 90s, 5m, 1h or 1h 30m"
        ))
    })?;
    if duration.is_zero() {
        return Err(bad_input(format!(
            "bad flood schedule {s:?}: the duration must be longer than zero"
        )));
    }
    // A pattern that never matches (e.g. 31 February) would make enumeration spin.
    if cron
        .find_next_occurrence(&DateTime::<Utc>::UNIX_EPOCH, true)
        .is_err()
    {
        return Err(bad_input(format!(
            "bad flood schedule {s:?}: the cron expression {cron_text:?} never matches"
        )));
    }
    Ok(FloodSchedule {
        cron_text,
        cron,
        duration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::time::parse_time;

    fn t(s: &str) -> i64 {
        parse_time(s).unwrap()
    }

    #[test]
    fn parses_the_examples() {
        for s in [
            "15,45 * * * * for 5m",
            "0,30 * * * * for 10m",
            "0 9 * * * for 45m",
            "0 9 * * 1-5 for 1h",
            "*/20 8-17 * * mon-fri for 90s",
        ] {
            let sch = parse_schedule(s).unwrap();
            assert_eq!(parse_schedule(&sch.to_string()).unwrap(), sch, "{s}");
        }
        let s = parse_schedule("  15,45  * * * *   for  5m ").unwrap();
        assert_eq!(s.cron(), "15,45 * * * *");
        assert_eq!(s.duration(), Duration::from_secs(300));
        assert_eq!(s.to_string(), "15,45 * * * * for 5m");
        assert_eq!(s.duration_minutes(), 5);
    }

    #[test]
    fn rejects_bad_schedules_with_input_errors() {
        for (s, want) in [
            ("15,45 * * * *", "CRON for DURATION"),
            ("15,45 * * * for 5m", "expected 5"),
            ("0 0 15,45 * * * for 5m", "expected 5"),
            ("61 * * * * for 5m", "cannot parse the cron"),
            ("0 * * * * for five minutes", "cannot parse the duration"),
            ("0 * * * * for 0s", "longer than zero"),
        ] {
            let e = parse_schedule(s).unwrap_err();
            assert!(crate::error::is_input_error(&e), "{s}");
            assert!(e.to_string().contains(want), "{s}: {e}");
        }
    }

    #[test]
    fn enumerates_floods() {
        let s = parse_schedule("15,45 * * * * for 5m").unwrap();
        let f = s.floods(t("2024-03-04T00:00:00"), t("2024-03-04T01:00:00"));
        assert_eq!(
            f,
            vec![
                (t("2024-03-04T00:15:00"), t("2024-03-04T00:20:00")),
                (t("2024-03-04T00:45:00"), t("2024-03-04T00:50:00")),
            ]
        );
        // A flood that started before the window is included.
        let f = s.floods(t("2024-03-04T00:17:00"), t("2024-03-04T00:30:00"));
        assert_eq!(
            f,
            vec![(t("2024-03-04T00:15:00"), t("2024-03-04T00:20:00"))]
        );
        assert!(s.is_flooding(t("2024-03-04T00:19:59")));
        assert!(!s.is_flooding(t("2024-03-04T00:20:00")));
        // Overlapping floods merge.
        let s = parse_schedule("*/5 * * * * for 10m").unwrap();
        let f = s.floods(t("2024-03-04T00:00:00"), t("2024-03-04T00:30:00"));
        assert_eq!(
            f,
            vec![(
                t("2024-03-04T23:55:00") - 86_400_000_000,
                t("2024-03-04T00:35:00")
            )]
        );
    }

    #[test]
    fn weekdays_follow_cron() {
        // 2024-03-04 is a Monday; 09:00 Monday to Friday.
        let s = parse_schedule("0 9 * * 1-5 for 1h").unwrap();
        let starts: Vec<i64> = s
            .starts(t("2024-03-04T00:00:00"), t("2024-03-11T00:00:00"))
            .collect();
        assert_eq!(starts.len(), 5);
        assert_eq!(starts[0], t("2024-03-04T09:00:00"));
        assert_eq!(starts[4], t("2024-03-08T09:00:00"));
    }
}

//! Periods and slots: the calendar arithmetic shared by time tables and the planner.
//!
//! A *period* is the length of the recurring pattern (an hour, a day or a week); a *slot*
//! is one minute of it. Times are naive local wall-clock times in microseconds since
//! 1970-01-01T00:00:00 (see `table::time`), so slot arithmetic is plain integer division.
//!
//! Week slots start on **Monday 00:00** (slot 0) and end on Sunday 23:59 (slot 10079).
//! 1970-01-01 was a Thursday, which is why [`Period::slot_of`] shifts by three days.
//!
//! Automatic period detection from data lives in `analysis::autoperiod`; this module is
//! only the fixed calendar and must stay free of I/O and statistics.

use std::fmt;
use std::str::FromStr;

/// Microseconds in one minute.
pub const MINUTE_US: i64 = 60_000_000;

/// The length of a recurring load pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Hour,
    Day,
    Week,
}

impl Period {
    /// All periods, shortest first.
    pub const ALL: [Period; 3] = [Period::Hour, Period::Day, Period::Week];

    /// Number of one-minute slots in the period (60, 1440, 10080).
    pub fn slots(self) -> usize {
        match self {
            Period::Hour => 60,
            Period::Day => 1440,
            Period::Week => 10080,
        }
    }

    /// The period whose slot count is `n`, if any (used to recognise a time table's period
    /// from its number of rows).
    pub fn from_slots(n: usize) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.slots() == n)
    }

    /// The period's length in microseconds.
    pub fn micros(self) -> i64 {
        self.slots() as i64 * MINUTE_US
    }

    /// The slot (minute of the period) that a time falls in.
    pub fn slot_of(self, t_us: i64) -> usize {
        let minute = t_us.div_euclid(MINUTE_US);
        match self {
            Period::Hour => minute.rem_euclid(60) as usize,
            Period::Day => minute.rem_euclid(1440) as usize,
            // 1970-01-01 is a Thursday: Monday-based minute = minute + 3 days.
            Period::Week => (minute + 3 * 1440).rem_euclid(10080) as usize,
        }
    }

    /// The index of the period occurrence that a time falls in (counts whole periods since
    /// the epoch, aligned like [`Period::slot_of`]). Two times in the same hour/day/week
    /// have the same cycle index.
    pub fn cycle_of(self, t_us: i64) -> i64 {
        let minute = t_us.div_euclid(MINUTE_US);
        match self {
            Period::Hour => minute.div_euclid(60),
            Period::Day => minute.div_euclid(1440),
            Period::Week => (minute + 3 * 1440).div_euclid(10080),
        }
    }

    /// The crontab time fields (minute, hour, day of month, month, day of week) of a slot,
    /// e.g. `"8 * * * *"` for slot 8 of an hour, `"30 9 * * *"` for slot 570 of a day,
    /// `"0 9 * * 1"` for Monday 09:00 of a week (cron day of week: 0 = Sunday).
    pub fn cron_fields(self, slot: usize) -> String {
        let slot = slot % self.slots();
        let (m, h) = (slot % 60, (slot / 60) % 24);
        match self {
            Period::Hour => format!("{m} * * * *"),
            Period::Day => format!("{m} {h} * * *"),
            Period::Week => {
                let monday_based = slot / 1440;
                let cron_dow = (monday_based + 1) % 7;
                format!("{m} {h} * * {cron_dow}")
            }
        }
    }

    /// A human label for a slot: `:08` (hour), `09:30` (day), `Mon 09:30` (week).
    pub fn slot_label(self, slot: usize) -> String {
        let slot = slot % self.slots();
        let (m, h) = (slot % 60, (slot / 60) % 24);
        match self {
            Period::Hour => format!(":{m:02}"),
            Period::Day => format!("{h:02}:{m:02}"),
            Period::Week => {
                const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
                format!("{} {h:02}:{m:02}", DAYS[slot / 1440])
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Period::Hour => "hour",
            Period::Day => "day",
            Period::Week => "week",
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hour" | "hourly" | "h" => Ok(Period::Hour),
            "day" | "daily" | "d" => Ok(Period::Day),
            "week" | "weekly" | "w" => Ok(Period::Week),
            other => Err(format!(
                "unknown period {other:?}: expected hour, day or week"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(days: i64, h: i64, m: i64) -> i64 {
        ((days * 24 + h) * 60 + m) * MINUTE_US
    }

    #[test]
    fn slots_follow_the_wall_clock() {
        // 1970-01-01 09:30 is a Thursday.
        let t = us(0, 9, 30) + 12_345;
        assert_eq!(Period::Hour.slot_of(t), 30);
        assert_eq!(Period::Day.slot_of(t), 570);
        assert_eq!(Period::Week.slot_of(t), 3 * 1440 + 570);
        // 1970-01-05 is a Monday.
        assert_eq!(Period::Week.slot_of(us(4, 0, 0)), 0);
    }

    #[test]
    fn cron_fields_match_slots() {
        assert_eq!(Period::Hour.cron_fields(8), "8 * * * *");
        assert_eq!(Period::Day.cron_fields(570), "30 9 * * *");
        assert_eq!(Period::Week.cron_fields(540), "0 9 * * 1");
        assert_eq!(Period::Week.cron_fields(6 * 1440), "0 0 * * 0");
        assert_eq!(Period::Week.slot_label(6 * 1440 + 61), "Sun 01:01");
    }

    #[test]
    fn recognises_period_from_rows() {
        assert_eq!(Period::from_slots(60), Some(Period::Hour));
        assert_eq!(Period::from_slots(1440), Some(Period::Day));
        assert_eq!(Period::from_slots(10080), Some(Period::Week));
        assert_eq!(Period::from_slots(61), None);
    }
}

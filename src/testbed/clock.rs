//! The compressed clock: one schedule minute lasts `minute` of wall time, and virtual time
//! starts at a fixed origin (2024-03-04T00:00:00, a Monday), so rows stamped with virtual
//! time fall into the slots the schedule talks about.

use std::time::{Duration, Instant};

/// Microseconds of one virtual minute.
pub const MINUTE_US: i64 = 60_000_000;

/// The virtual origin, 2024-03-04T00:00:00, in `table::time` microseconds.
pub fn default_origin() -> i64 {
    // 2024-03-04 is day 19786 after 1970-01-01.
    19_786 * 86_400 * 1_000_000
}

/// A compressed clock.
#[derive(Debug, Clone)]
pub struct Clock {
    start: Instant,
    minute: Duration,
    origin: i64,
}

impl Clock {
    /// A clock whose virtual minute 0 starts now.
    pub fn new(minute: Duration, origin: i64) -> Clock {
        Clock {
            start: Instant::now(),
            minute,
            origin,
        }
    }

    /// Wall time of one virtual minute.
    pub fn minute(&self) -> Duration {
        self.minute
    }

    /// Wall time of `virtual_minutes` virtual minutes.
    pub fn scale(&self, virtual_minutes: f64) -> Duration {
        self.minute.mul_f64(virtual_minutes.max(0.0))
    }

    /// The wall-clock instant at which virtual minute `m` begins.
    pub fn instant_of(&self, m: u64) -> Instant {
        self.start
            + self
                .minute
                .saturating_mul(m.min(u64::from(u32::MAX)) as u32)
    }

    /// The virtual time stamp (microseconds) of the beginning of minute `m`.
    pub fn stamp(&self, m: u64) -> i64 {
        self.origin + m as i64 * MINUTE_US
    }

    /// The current virtual time in microseconds (fractions of a minute scale too).
    pub fn now_virtual(&self) -> i64 {
        let el = self.start.elapsed().as_secs_f64() / self.minute.as_secs_f64();
        self.origin + (el * MINUTE_US as f64) as i64
    }

    /// The virtual minute (possibly fractional) at an instant.
    pub fn minute_at(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.start).as_secs_f64() / self.minute.as_secs_f64()
    }

    /// Sleeps until virtual minute `m` begins (returns at once if it has).
    pub async fn until(&self, m: u64) {
        tokio::time::sleep_until(tokio::time::Instant::from_std(self.instant_of(m))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::time::{format_time, parse_time};

    #[test]
    fn origin_is_the_seed_start_and_minutes_scale() {
        assert_eq!(Some(default_origin()), parse_time("2024-03-04T00:00:00"));
        let c = Clock::new(Duration::from_millis(250), default_origin());
        assert_eq!(format_time(c.stamp(75)), "2024-03-04T01:15:00.000000");
        assert_eq!(c.scale(8.0), Duration::from_secs(2));
        assert_eq!(c.instant_of(4) - c.instant_of(0), Duration::from_secs(1));
    }
}

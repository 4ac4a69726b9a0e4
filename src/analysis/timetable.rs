//! Time tables (SPEC section 3 "time table", fixes 5 and 6): which slots of the period are busy.
//!
//! Owns the "high sample" vote, the per-slot shares and the busy rule. Pure: slices in,
//! flags out; the file form of a time table is `table::timetable`'s.
//!
//! - A sample is *high* when at least `votes` parameters are at or above their errors_level
//!   (a NaN value never votes).
//! - Per slot of the period: share = high samples / samples in that slot (sampling is not
//!   perfectly regular, so counts would favour slots that happen to get more samples).
//! - threshold = min + (max - min) / 2 over the shares of the slots that have samples (the
//!   midpoint; the reference used (max - min) / 2).
//! - A slot is busy when its share >= threshold **and** share > 0: a slot without a high
//!   sample is never busy, so a node that is never high has no busy slot.

use super::period::Period;

/// The default number of parameters that must be high together.
pub const DEFAULT_VOTES: usize = 2;

/// Marks each sample high when at least `votes` of the parameters are at or above their
/// level. `params[k][i]` is parameter k at sample i; `levels[k]` is its errors_level.
pub fn high_samples(params: &[&[f64]], levels: &[f64], votes: usize, n: usize) -> Vec<bool> {
    (0..n)
        .map(|i| {
            let count = params
                .iter()
                .zip(levels)
                .filter(|(p, l)| p.get(i).is_some_and(|v| *v >= **l))
                .count();
            count >= votes
        })
        .collect()
}

/// Per-slot counts of high samples and of all samples.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotShares {
    pub high: Vec<u32>,
    pub samples: Vec<u32>,
}

impl SlotShares {
    /// Counts samples per slot of `period`.
    pub fn count(times: &[i64], high: &[bool], period: Period) -> SlotShares {
        let slots = period.slots();
        let mut s = SlotShares {
            high: vec![0; slots],
            samples: vec![0; slots],
        };
        for (&t, &h) in times.iter().zip(high) {
            let k = period.slot_of(t);
            s.samples[k] += 1;
            s.high[k] += u32::from(h);
        }
        s
    }

    /// The share of high samples of a slot; `None` for a slot without samples.
    pub fn share(&self, slot: usize) -> Option<f64> {
        (self.samples[slot] > 0).then(|| self.high[slot] as f64 / self.samples[slot] as f64)
    }

    /// The busy threshold: the midpoint of the smallest and largest share (over slots
    /// with samples); `None` when no slot has a sample.
    pub fn threshold(&self) -> Option<f64> {
        let shares = (0..self.samples.len()).filter_map(|k| self.share(k));
        let (lo, hi) = shares.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
            (lo.min(s), hi.max(s))
        });
        (lo <= hi).then(|| lo + (hi - lo) / 2.0)
    }

    /// The busy flags: share >= threshold and share > 0.
    pub fn busy(&self) -> Vec<bool> {
        let Some(th) = self.threshold() else {
            return vec![false; self.samples.len()];
        };
        (0..self.samples.len())
            .map(|k| self.share(k).is_some_and(|s| s > 0.0 && s >= th))
            .collect()
    }

    /// How many slots have no sample at all.
    pub fn empty_slots(&self) -> usize {
        self.samples.iter().filter(|s| **s == 0).count()
    }
}

/// The busy flags of every slot of `period` from sample times and high flags.
pub fn busy_slots(times: &[i64], high: &[bool], period: Period) -> Vec<bool> {
    SlotShares::count(times, high, period).busy()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::period::MINUTE_US;

    fn minute(m: i64) -> i64 {
        m * MINUTE_US + 2_000_000
    }

    #[test]
    fn votes_need_enough_parameters() {
        let a = [1.0, 5.0, 5.0, f64::NAN];
        let b = [1.0, 1.0, 5.0, 5.0];
        let c = [5.0, 1.0, 1.0, 5.0];
        let h = high_samples(&[&a, &b, &c], &[5.0, 5.0, 5.0], 2, 4);
        assert_eq!(h, vec![false, false, true, true]);
        let h = high_samples(&[&a, &b, &c], &[5.0, 5.0, 5.0], 1, 4);
        assert_eq!(h, vec![true, true, true, true]);
    }

    #[test]
    fn midpoint_threshold_on_shares() {
        // Three hours; slot 10 high 3 times, slot 11 high once, slot 12 twice.
        let mut times = Vec::new();
        let mut high = Vec::new();
        for h in 0..3 {
            for m in 0..60 {
                times.push(minute(h * 60 + m));
                high.push(m == 10 || (m == 11 && h == 0) || (m == 12 && h < 2));
            }
        }
        let s = SlotShares::count(&times, &high, Period::Hour);
        assert_eq!(s.threshold(), Some(0.5));
        let busy = s.busy();
        let idx: Vec<usize> = (0..60).filter(|&k| busy[k]).collect();
        assert_eq!(idx, vec![10, 12]);
    }

    #[test]
    fn a_node_that_is_never_high_has_no_busy_slot() {
        let times: Vec<i64> = (0..120).map(minute).collect();
        let busy = busy_slots(&times, &[false; 120], Period::Hour);
        assert!(busy.iter().all(|b| !b));
        // With a threshold of 0 (every share equal) a zero slot is still not busy.
        let busy = busy_slots(&[], &[], Period::Hour);
        assert_eq!(busy.len(), 60);
        assert!(busy.iter().all(|b| !b));
    }

    #[test]
    fn shares_not_counts_with_irregular_sampling() {
        // Slot 5 gets 4 samples an hour (1 high), slot 6 one sample (high): counts would
        // tie at 2 over two hours; shares are 0.25 and 1.0, so only slot 6 is busy.
        let mut times = Vec::new();
        let mut high = Vec::new();
        for h in 0..2 {
            for k in 0..4 {
                times.push(h * 60 * MINUTE_US + 5 * MINUTE_US + k * 10_000_000);
                high.push(k == 0);
            }
            times.push(h * 60 * MINUTE_US + 6 * MINUTE_US);
            high.push(true);
        }
        let s = SlotShares::count(&times, &high, Period::Hour);
        assert_eq!(s.share(5), Some(0.25));
        assert_eq!(s.share(6), Some(1.0));
        assert_eq!(s.empty_slots(), 58);
        let busy = s.busy();
        assert!(!busy[5] && busy[6]);
    }

    #[test]
    fn day_period_uses_minutes_of_the_day() {
        // Two days, high from 09:00 to 09:29.
        let mut times = Vec::new();
        let mut high = Vec::new();
        for d in 0..2 {
            for m in 0..1440 {
                times.push(minute(d * 1440 + m));
                high.push((540..570).contains(&m));
            }
        }
        let busy = busy_slots(&times, &high, Period::Day);
        assert_eq!(busy.len(), 1440);
        let idx: Vec<usize> = (0..1440).filter(|&k| busy[k]).collect();
        assert_eq!(idx, (540..570).collect::<Vec<_>>());
    }
}

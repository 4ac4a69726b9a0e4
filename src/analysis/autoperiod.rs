//! Automatic choice of the period (hour, day or week) from the data.
//!
//! For each period with at least two full cycles of data, the signal is folded by slot
//! (minute of the period: per-slot means, each weighted by its number of samples) and the
//! strength of the period is the share of the signal's variance that this slot profile
//! explains, **adjusted for the number of slots** (the adjusted R² of a one-way analysis
//! of variance):
//!
//! `strength = 1 - (SS_within / (n - k)) / (SS_total / (n - 1))`
//!
//! with n samples and k non-empty slots. Without the adjustment a week of 10 080 slots
//! would "explain" a third of pure noise recorded over three weeks (k/n); adjusted, pure
//! noise scores about 0 whatever the period, and a pattern scores the share of variance it
//! truly explains, so periods with different numbers of slots compare fairly. (A
//! cross-validated score, profile of even cycles predicting odd ones, was tried first: it
//! also measures how noisy the profile estimate is, which penalises a week recorded over
//! three weeks against a day folded from 21 cycles and lets noise decide.)
//!
//! The choice is the **shortest** period whose strength is close to the best (an hourly
//! pattern folds just as well by day or week, but the hour is the simpler explanation;
//! see [`TOLERANCE`]), provided the best is at least [`MIN_STRENGTH`]; otherwise the data
//! has no pattern (`None`). O(n + slots) per period, pure: slices in, values out, no I/O.

use super::period::Period;

/// Below this strength no period is chosen: the data has no pattern worth
/// planning on.
pub const MIN_STRENGTH: f64 = 0.2;

/// A shorter period is preferred when its strength is at least `best - TOLERANCE * best`
/// (and at least `best - 0.05`, whichever is lower).
pub const TOLERANCE: f64 = 0.1;

/// The period chosen from the data, with how strongly the data supports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodChoice {
    /// The chosen period.
    pub period: Period,
    /// Strength of the evidence for it, 0 (none) to 1 (a perfectly repeating pattern).
    pub strength: f64,
    /// How many full cycles of the chosen period the data covers.
    pub cycles: f64,
    /// Every period that had at least two full cycles of data, with its strength.
    pub candidates: Vec<(Period, f64)>,
}

/// Chooses the period of `signal` (one value per sample at `times`, e.g. 1.0 for a "high"
/// sample and 0.0 otherwise, or a load figure). Needs at least two full cycles of the
/// period it picks; `None` when the data is too short for any period or has no pattern.
pub fn choose_period(times: &[i64], signal: &[f64]) -> Option<PeriodChoice> {
    let n = times.len().min(signal.len());
    let (times, signal) = (&times[..n], &signal[..n]);
    let mut first = i64::MAX;
    let mut last = i64::MIN;
    let mut valid = 0usize;
    for (&t, &v) in times.iter().zip(signal) {
        if v.is_finite() {
            first = first.min(t);
            last = last.max(t);
            valid += 1;
        }
    }
    if valid < 4 {
        return None;
    }
    // The data covers [first, last + one sampling step).
    let step = median_step(times)?;
    let span = (last - first).saturating_add(step);
    let candidates: Vec<(Period, f64, f64)> = Period::ALL
        .into_iter()
        .filter_map(|p| {
            let cycles = span as f64 / p.micros() as f64;
            // Two full cycles, allowing one sample of slack for the sampling jitter.
            if span.saturating_add(step) < 2 * p.micros() {
                return None;
            }
            let s = adjusted_strength(times, signal, p)?;
            Some((p, s, cycles))
        })
        .collect();
    let best = candidates.iter().map(|c| c.1).fold(f64::NAN, f64::max);
    if candidates.is_empty() || best < MIN_STRENGTH {
        return None;
    }
    let bar = (best - TOLERANCE * best).min(best - 0.05).max(MIN_STRENGTH);
    let &(period, strength, cycles) = candidates.iter().find(|c| c.1 >= bar)?;
    Some(PeriodChoice {
        period,
        strength,
        cycles,
        candidates: candidates.iter().map(|c| (c.0, c.1)).collect(),
    })
}

/// The median of the positive time steps (the sampling interval), O(n).
fn median_step(times: &[i64]) -> Option<i64> {
    let mut steps: Vec<i64> = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|&d| d > 0)
        .collect();
    if steps.is_empty() {
        return None;
    }
    let mid = steps.len() / 2;
    let (_, m, _) = steps.select_nth_unstable(mid);
    Some(*m)
}

/// Explained variance of the slot profile of period `p`, adjusted for the number of slots
/// (see the module documentation), clamped to 0..1; `None` for a constant signal.
fn adjusted_strength(times: &[i64], signal: &[f64], p: Period) -> Option<f64> {
    let slots = p.slots();
    let mut sum = vec![0.0f64; slots];
    let mut count = vec![0u32; slots];
    let (mut total, mut n) = (0.0f64, 0u64);
    for &v in signal {
        if v.is_finite() {
            total += v;
            n += 1;
        }
    }
    if n < 2 {
        return None;
    }
    let mean = total / n as f64;
    // Centred values keep the sums of squares exact for large offsets (load figures).
    let mut sst = 0.0f64;
    for (&t, &v) in times.iter().zip(signal) {
        if v.is_finite() {
            let c = v - mean;
            let s = p.slot_of(t);
            sum[s] += c;
            count[s] += 1;
            sst += c * c;
        }
    }
    let (mut ssb, mut used) = (0.0f64, 0u64);
    for (&s, &c) in sum.iter().zip(&count) {
        if c > 0 {
            ssb += s * s / f64::from(c);
            used += 1;
        }
    }
    if sst.is_nan() || sst <= 1e-12 * n as f64 || n <= used {
        return None;
    }
    let ssw = (sst - ssb).max(0.0);
    let adjusted = 1.0 - (ssw / (n - used) as f64) / (sst / (n - 1) as f64);
    Some(adjusted.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::period::MINUTE_US;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// One sample a minute (with up to 3 s of jitter) from 2024-03-04 (a Monday) for
    /// `days`, value `f(minute since start)` with `flip` of the 0/1 values flipped.
    fn series(days: f64, flip: f64, f: impl Fn(i64) -> bool) -> (Vec<i64>, Vec<f64>) {
        let start = crate::table::time::parse_time("2024-03-04T00:00:00").unwrap();
        let mut rng = StdRng::seed_from_u64(42);
        let n = (days * 1440.0) as i64;
        let times = (0..n)
            .map(|m| start + m * MINUTE_US + rng.gen_range(1_000_000..4_000_000))
            .collect();
        let values = (0..n)
            .map(|m| {
                let v = f(m) != (rng.gen::<f64>() < flip);
                if v {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        (times, values)
    }

    fn hourly(m: i64) -> bool {
        let mh = m % 60;
        (15..20).contains(&mh) || (45..50).contains(&mh)
    }

    fn daily(m: i64) -> bool {
        (540..585).contains(&(m % 1440))
    }

    fn weekdays(m: i64) -> bool {
        (m % 10080) / 1440 < 5 && (540..600).contains(&(m % 1440))
    }

    #[test]
    fn an_hourly_pattern_is_hourly() {
        let (t, v) = series(2.0, 0.02, hourly);
        let c = choose_period(&t, &v).unwrap();
        assert_eq!(c.period, Period::Hour, "{c:?}");
        assert!(c.strength > 0.5, "{c:?}");
        assert!((c.cycles - 48.0).abs() < 0.1, "{c:?}");
        // A day also folds an hourly pattern, but two days is too short for a week.
        assert_eq!(c.candidates.len(), 2, "{c:?}");
        // Even without noise (the day explains it just as perfectly) the hour wins.
        let (t, v) = series(14.0, 0.0, hourly);
        let c = choose_period(&t, &v).unwrap();
        assert_eq!(c.period, Period::Hour, "{c:?}");
        assert_eq!(c.candidates.len(), 3, "{c:?}");
    }

    #[test]
    fn a_daily_pattern_over_a_week_is_daily() {
        let (t, v) = series(7.0, 0.01, daily);
        let c = choose_period(&t, &v).unwrap();
        assert_eq!(c.period, Period::Day, "{c:?}");
        assert!(c.strength > 0.5, "{c:?}");
        let hour = c.candidates.iter().find(|x| x.0 == Period::Hour).unwrap();
        assert!(hour.1 < MIN_STRENGTH, "{c:?}");
    }

    #[test]
    fn a_weekday_pattern_over_three_weeks_is_weekly() {
        let (t, v) = series(21.0, 0.01, weekdays);
        let c = choose_period(&t, &v).unwrap();
        assert_eq!(c.period, Period::Week, "{c:?}");
        let day = c.candidates.iter().find(|x| x.0 == Period::Day).unwrap();
        assert!(day.1 < c.strength - 0.1, "{c:?}");
    }

    #[test]
    fn pure_noise_has_no_period() {
        let (t, v) = series(21.0, 0.5, |_| false);
        assert_eq!(choose_period(&t, &v), None);
        // Gaussian noise too.
        let mut rng = StdRng::seed_from_u64(7);
        let v: Vec<f64> = v
            .iter()
            .map(|_| rng.gen::<f64>() + rng.gen::<f64>())
            .collect();
        assert_eq!(choose_period(&t, &v), None);
    }

    #[test]
    fn too_little_data_never_picks_the_longer_period() {
        let (t, v) = series(1.5, 0.0, daily);
        let c = choose_period(&t, &v);
        assert!(c.as_ref().is_none_or(|c| c.period != Period::Day), "{c:?}");
        assert!(c
            .iter()
            .all(|c| c.candidates.iter().all(|x| x.0 == Period::Hour)));
        // 13 days of a weekday pattern: no week.
        let (t, v) = series(13.0, 0.0, weekdays);
        let c = choose_period(&t, &v);
        assert!(c.as_ref().is_none_or(|c| c.period != Period::Week), "{c:?}");
        // 90 minutes: nothing at all.
        let (t, v) = series(0.0625, 0.0, hourly);
        assert_eq!(choose_period(&t, &v), None);
    }

    #[test]
    fn degenerate_input_has_no_period() {
        assert_eq!(choose_period(&[], &[]), None);
        let (t, v) = series(3.0, 0.0, |_| true);
        assert_eq!(choose_period(&t, &v), None);
        // Missing values are skipped, not fatal.
        let (t, mut v) = series(2.0, 0.0, hourly);
        for x in v.iter_mut().step_by(7) {
            *x = f64::NAN;
        }
        assert_eq!(choose_period(&t, &v).unwrap().period, Period::Hour);
    }

    #[test]
    fn a_continuous_load_figure_works_too() {
        // App. CPU-like: 4 +- 2 idle, 90 during the daily flood.
        let (t, v) = series(7.0, 0.0, daily);
        let mut rng = StdRng::seed_from_u64(3);
        let v: Vec<f64> = v
            .iter()
            .map(|&x| 4.0 + 86.0 * x + 2.0 * (rng.gen::<f64>() - 0.5))
            .collect();
        assert_eq!(choose_period(&t, &v).unwrap().period, Period::Day);
    }
}

//! Rates: cumulative counters become per-second rates (SPEC section 3 "bandwidth", fix 1).
//!
//! Owns the counter-to-rate arithmetic, the time-order check that guards it, and gap
//! detection. Pure: slices of times (microseconds) and values in, values out; it knows no
//! column names and does no I/O.
//!
//! Unlike the reference, the rate uses the exact time difference (not whole seconds), the
//! first row has no rate (NaN, not 0), a counter that goes down restarted (that interval's
//! rate is NaN, never negative), and a zero or negative time difference is an error.
//! A missing counter cell (NaN) is skipped: the next rate is taken from the last known
//! value, which is the exact average rate over the longer interval.

use std::fmt;

/// A row whose time does not come strictly after the previous row's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOrderError {
    /// The offending row (0-based).
    pub row: usize,
    /// Its time minus the previous row's time, in microseconds (zero or negative).
    pub dt_us: i64,
}

impl fmt::Display for TimeOrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dt_us == 0 {
            write!(
                f,
                "row {} has the same time as the previous row; rates need increasing times",
                self.row
            )
        } else {
            write!(
                f,
                "row {} is {:.6} s earlier than the previous row; rows must be in time order",
                self.row,
                -(self.dt_us as f64) / 1e6
            )
        }
    }
}

impl std::error::Error for TimeOrderError {}

/// Checks that times strictly increase.
pub fn check_increasing(times: &[i64]) -> Result<(), TimeOrderError> {
    for i in 1..times.len() {
        let dt = times[i] - times[i - 1];
        if dt <= 0 {
            return Err(TimeOrderError { row: i, dt_us: dt });
        }
    }
    Ok(())
}

/// The rates of one counter.
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    /// Units of the counter per second; NaN for the first row, after a restart, and where
    /// the counter cell itself is missing.
    pub values: Vec<f64>,
    /// Rows (0-based) at which the counter went down (restarted).
    pub restarts: Vec<usize>,
}

/// Turns a cumulative counter into a per-second rate. Times must strictly increase
/// (checked: the error names the first row that does not).
pub fn counter_rates(times: &[i64], counter: &[f64]) -> Result<Rates, TimeOrderError> {
    check_increasing(times)?;
    let n = times.len().min(counter.len());
    let mut values = vec![f64::NAN; n];
    let mut restarts = Vec::new();
    let mut last: Option<(i64, f64)> = None;
    for i in 0..n {
        let v = counter[i];
        if !v.is_finite() {
            continue;
        }
        if let Some((t0, v0)) = last {
            if v < v0 {
                restarts.push(i);
            } else {
                values[i] = (v - v0) / ((times[i] - t0) as f64 / 1e6);
            }
        }
        last = Some((times[i], v));
    }
    Ok(Rates { values, restarts })
}

/// Rows (0-based) that come more than `min_gap_us` after the previous row.
pub fn gaps(times: &[i64], min_gap_us: i64) -> Vec<usize> {
    (1..times.len())
        .filter(|&i| times[i] - times[i - 1] > min_gap_us)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;

    #[test]
    fn exact_time_difference_and_no_first_rate() {
        // 59.5 s and 60.25 s: the reference would have divided by 59 and 60.
        let t = [0, 59 * S + S / 2, 119 * S + 3 * S / 4];
        let r = counter_rates(&t, &[1000.0, 1595.0, 2800.0]).unwrap();
        assert!(r.values[0].is_nan());
        assert!((r.values[1] - 10.0).abs() < 1e-12);
        assert!((r.values[2] - 1205.0 / 60.25).abs() < 1e-12);
        assert!(r.restarts.is_empty());
    }

    #[test]
    fn a_restart_is_unknown_never_negative() {
        let t = [0, 60 * S, 120 * S, 180 * S];
        let r = counter_rates(&t, &[6000.0, 12000.0, 600.0, 1200.0]).unwrap();
        assert_eq!(r.values[1], 100.0);
        assert!(r.values[2].is_nan());
        assert_eq!(r.values[3], 10.0);
        assert_eq!(r.restarts, vec![2]);
    }

    #[test]
    fn missing_cells_use_the_last_known_value() {
        let t = [0, 60 * S, 120 * S];
        let r = counter_rates(&t, &[0.0, f64::NAN, 1200.0]).unwrap();
        assert!(r.values[1].is_nan());
        assert_eq!(r.values[2], 10.0);
    }

    #[test]
    fn zero_or_negative_dt_is_an_error() {
        let e = counter_rates(&[0, 60 * S, 60 * S], &[1.0, 2.0, 3.0]).unwrap_err();
        assert_eq!(e, TimeOrderError { row: 2, dt_us: 0 });
        assert!(e.to_string().contains("same time"));
        let e = counter_rates(&[0, 60 * S, 59 * S], &[1.0, 2.0, 3.0]).unwrap_err();
        assert_eq!(e.row, 2);
        assert!(e.to_string().contains("earlier"));
    }

    #[test]
    fn finds_gaps() {
        let t = [0, 60 * S, 300 * S, 360 * S];
        assert_eq!(gaps(&t, 180 * S), vec![2]);
    }
}

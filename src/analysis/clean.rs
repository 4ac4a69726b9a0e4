//! Cleaning (SPEC section 3 "clean"): outliers removed and filled by linear interpolation.
//!
//! Owns the outlier rule (a value at or above `errors_mean + errors_std` of its parameter
//! is an outlier), the interpolation in time that fills them, and the "complete rows"
//! selection. Pure: slices in, values out; no column names, no I/O.
//!
//! Interpolation is linear in *time* between the nearest non-outlier neighbours (the
//! reference interpolated by row number; with one row a minute the two agree). An outlier
//! run at the start or end of the data takes the nearest non-outlier value (no
//! extrapolation of a slope past the data).

/// Rows where every given column has a finite value.
pub fn complete_rows(columns: &[&[f64]], n: usize) -> Vec<bool> {
    (0..n)
        .map(|i| {
            columns
                .iter()
                .all(|c| c.get(i).is_some_and(|v| v.is_finite()))
        })
        .collect()
}

/// The result of cleaning one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    pub values: Vec<f64>,
    /// How many values were outliers (or missing) and got replaced.
    pub replaced: usize,
}

/// Replaces values at or above `limit` (and NaNs) by linear interpolation in time between
/// the nearest kept neighbours. When no value is kept, the series is returned unchanged.
pub fn clean_outliers(times: &[i64], values: &[f64], limit: f64) -> Cleaned {
    let keep: Vec<bool> = values.iter().map(|v| v.is_finite() && *v < limit).collect();
    let replaced = keep.iter().filter(|k| !**k).count();
    if replaced == 0 || replaced == values.len() {
        return Cleaned {
            values: values.to_vec(),
            replaced: 0,
        };
    }
    Cleaned {
        values: interpolate(times, values, &keep),
        replaced,
    }
}

/// Fills the values whose `keep` flag is false by linear interpolation in time between the
/// nearest kept values; before the first (after the last) kept value, that value is used.
/// `keep` must have at least one true entry.
pub fn interpolate(times: &[i64], values: &[f64], keep: &[bool]) -> Vec<f64> {
    let n = values.len();
    let mut out = values.to_vec();
    let mut prev: Option<usize> = None;
    let mut i = 0;
    while i < n {
        if keep[i] {
            prev = Some(i);
            i += 1;
            continue;
        }
        // A run of replaced values: i..j.
        let mut j = i;
        while j < n && !keep[j] {
            j += 1;
        }
        let next = (j < n).then_some(j);
        for k in i..j {
            out[k] = match (prev, next) {
                (Some(a), Some(b)) => {
                    let span = (times[b] - times[a]) as f64;
                    let w = if span > 0.0 {
                        (times[k] - times[a]) as f64 / span
                    } else {
                        (k - a) as f64 / (b - a) as f64
                    };
                    values[a] + w * (values[b] - values[a])
                }
                (Some(a), None) => values[a],
                (None, Some(b)) => values[b],
                (None, None) => values[k],
            };
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outliers_are_interpolated_in_time() {
        let t = [0, 60, 120, 240, 300];
        let v = [1.0, 100.0, 100.0, 5.0, 6.0];
        let c = clean_outliers(&t, &v, 50.0);
        assert_eq!(c.replaced, 2);
        // Between t=0 (1.0) and t=240 (5.0): 2.0 at 60, 3.0 at 120.
        assert_eq!(c.values, vec![1.0, 2.0, 3.0, 5.0, 6.0]);
    }

    #[test]
    fn the_limit_itself_is_an_outlier() {
        let c = clean_outliers(&[0, 1, 2], &[1.0, 50.0, 3.0], 50.0);
        assert_eq!(c.values, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn edges_take_the_nearest_kept_value() {
        let t = [0, 1, 2, 3, 4];
        let c = clean_outliers(&t, &[90.0, 91.0, 2.0, 4.0, 99.0], 50.0);
        assert_eq!(c.values, vec![2.0, 2.0, 2.0, 4.0, 4.0]);
        assert_eq!(c.replaced, 3);
    }

    #[test]
    fn all_outliers_are_left_alone() {
        let c = clean_outliers(&[0, 1], &[90.0, 91.0], 50.0);
        assert_eq!(c.values, vec![90.0, 91.0]);
        assert_eq!(c.replaced, 0);
    }

    #[test]
    fn complete_rows_need_every_column() {
        let a = [1.0, f64::NAN, 3.0];
        let b = [1.0, 2.0, f64::NAN];
        assert_eq!(complete_rows(&[&a, &b], 3), vec![true, false, false]);
    }
}

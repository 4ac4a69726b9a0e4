//! As-of join (SPEC section 3 "join"): for each left row, the latest right row at or before it.
//!
//! Owns only the index matching; copying columns is the caller's business. Pure: two
//! sorted time slices in, indices out.

/// For each left time, the index of the latest right time that is at or before it (the
/// last one among equal times), or `None` when every right time is later. `right` must be
/// sorted ascending; `left` may be in any order.
pub fn asof_indices(left: &[i64], right: &[i64]) -> Vec<Option<usize>> {
    left.iter()
        .map(|&t| {
            let k = right.partition_point(|&r| r <= t);
            k.checked_sub(1)
        })
        .collect()
}

/// Picks `values[idx]` for each index, NaN where there is none.
pub fn take(values: &[f64], idx: &[Option<usize>]) -> Vec<f64> {
    idx.iter()
        .map(|i| i.and_then(|i| values.get(i).copied()).unwrap_or(f64::NAN))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_at_or_before() {
        let right = [10, 20, 20, 30];
        let left = [5, 10, 15, 20, 29, 30, 100];
        assert_eq!(
            asof_indices(&left, &right),
            vec![None, Some(0), Some(0), Some(2), Some(2), Some(3), Some(3)]
        );
        let v = take(&[1.0, 2.0, 3.0, 4.0], &asof_indices(&left, &right));
        assert!(v[0].is_nan());
        assert_eq!(&v[1..], &[1.0, 1.0, 3.0, 3.0, 4.0, 4.0]);
    }

    #[test]
    fn empty_right_gives_nothing() {
        assert_eq!(asof_indices(&[1, 2], &[]), vec![None, None]);
    }
}

//! Limits: the six statistics per parameter that say at which level the service fails.
//!
//! Owns the [`ParamLimits`] type and its computation from a parameter series and the
//! availability flags of the joined probe rows. Pure: slices in, values out.
//!
//! Fixes over the reference (SPEC section 4): "unavailable" is a fraction of the attempts
//! of each row ([`unavailable_flags`], default fewer than half succeeded) instead of a
//! hard-wired "fewer than 5 successes", and [`compute`] refuses (instead of returning NaN)
//! when the data has no unavailable or no available rows: calibration needs both states.
//! [`Agreement`] measures how well the learned levels explain unavailability.

/// The six statistics of one parameter (SPEC section 3, "limits").
#[derive(Debug, Clone, PartialEq)]
pub struct ParamLimits {
    /// The parameter (column) name, e.g. `App. CPU Load %`.
    pub name: String,
    /// Mean over rows where the service was available.
    pub access_mean: f64,
    /// Population standard deviation over available rows.
    pub access_std: f64,
    /// access_mean + access_std.
    pub access_level: f64,
    /// Mean over rows where the service was unavailable.
    pub errors_mean: f64,
    /// Population standard deviation over unavailable rows.
    pub errors_std: f64,
    /// errors_mean - errors_std: at or above this the parameter counts as "high".
    pub errors_level: f64,
}

/// The default unavailability fraction: a row is unavailable when fewer than half of its
/// attempts succeeded.
pub const DEFAULT_UNAVAILABLE_BELOW: f64 = 0.5;

/// Availability of each probe row: `Some(true)` when the row is unavailable (successes
/// below `below` times the attempts, attempts = successes + errors), `Some(false)` when
/// available, `None` when unknown (missing cells, or no attempt at all).
pub fn unavailable_flags(successes: &[f64], errors: &[f64], below: f64) -> Vec<Option<bool>> {
    successes
        .iter()
        .zip(errors)
        .map(|(&s, &e)| {
            let attempts = s + e;
            if !s.is_finite() || !e.is_finite() || attempts <= 0.0 {
                None
            } else {
                Some(s < below * attempts)
            }
        })
        .collect()
}

/// Why limits cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LimitsError {
    /// No row of one availability state has a value for the parameter.
    #[error(
        "parameter {name:?}: no {missing} rows with a value ({available} available, {unavailable} unavailable); \
         calibration needs rows of both states: record the probes while the node is both idle and overloaded, \
         or change --unavailable-below"
    )]
    OneStateOnly {
        name: String,
        /// "unavailable" or "available".
        missing: &'static str,
        available: usize,
        unavailable: usize,
    },
}

/// Mean and population standard deviation of the finite values; `None` when there is none.
pub fn mean_std(values: impl Iterator<Item = f64> + Clone) -> Option<(f64, f64, usize)> {
    let (mut n, mut sum) = (0usize, 0.0);
    for v in values.clone().filter(|v| v.is_finite()) {
        n += 1;
        sum += v;
    }
    if n == 0 {
        return None;
    }
    let mean = sum / n as f64;
    let ss: f64 = values
        .filter(|v| v.is_finite())
        .map(|v| (v - mean) * (v - mean))
        .sum();
    Some((mean, (ss / n as f64).sqrt(), n))
}

/// The six statistics of a parameter from its values and the rows' availability
/// (see [`unavailable_flags`]). Rows with a NaN value or unknown availability are left out.
/// Refuses when either state has no row with a value.
pub fn compute(
    name: &str,
    values: &[f64],
    unavailable: &[Option<bool>],
) -> Result<ParamLimits, LimitsError> {
    let pick = |state: bool| {
        values
            .iter()
            .zip(unavailable)
            .filter(move |(_, u)| **u == Some(state))
            .map(|(v, _)| *v)
    };
    let access = mean_std(pick(false));
    let errors = mean_std(pick(true));
    match (access, errors) {
        (Some(a), Some(e)) => Ok(ParamLimits::from_stats(name, (a.0, a.1), (e.0, e.1))),
        (a, e) => Err(LimitsError::OneStateOnly {
            name: name.to_string(),
            missing: if e.is_none() {
                "unavailable"
            } else {
                "available"
            },
            available: a.map_or(0, |a| a.2),
            unavailable: e.map_or(0, |e| e.2),
        }),
    }
}

/// How often "high" (enough parameters at or above their errors_level) agrees with
/// "unavailable", over the rows whose availability is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Agreement {
    /// High and unavailable.
    pub both: usize,
    /// High but available (false alarms).
    pub high_only: usize,
    /// Unavailable but not high (misses).
    pub unavailable_only: usize,
    /// Neither.
    pub neither: usize,
}

impl Agreement {
    /// Counts the four cases.
    pub fn count(high: &[bool], unavailable: &[Option<bool>]) -> Agreement {
        let mut a = Agreement::default();
        for (h, u) in high.iter().zip(unavailable) {
            match (h, u) {
                (true, Some(true)) => a.both += 1,
                (true, Some(false)) => a.high_only += 1,
                (false, Some(true)) => a.unavailable_only += 1,
                (false, Some(false)) => a.neither += 1,
                (_, None) => {}
            }
        }
        a
    }

    /// Rows counted.
    pub fn total(&self) -> usize {
        self.both + self.high_only + self.unavailable_only + self.neither
    }

    /// Share of rows where the two agree (0 to 1; NaN without rows).
    pub fn share(&self) -> f64 {
        (self.both + self.neither) as f64 / self.total() as f64
    }
}

/// The row names of a limits file, in file order.
pub const STAT_NAMES: [&str; 6] = [
    "access_mean",
    "access_std_deviation",
    "access_level",
    "errors_mean",
    "errors_std_deviation",
    "errors_level",
];

impl ParamLimits {
    /// Builds limits from the two (mean, std) pairs; the levels are derived.
    pub fn from_stats(name: &str, access: (f64, f64), errors: (f64, f64)) -> ParamLimits {
        ParamLimits {
            name: name.to_string(),
            access_mean: access.0,
            access_std: access.1,
            access_level: access.0 + access.1,
            errors_mean: errors.0,
            errors_std: errors.1,
            errors_level: errors.0 - errors.1,
        }
    }

    /// The six values in file order (see [`STAT_NAMES`]).
    pub fn as_array(&self) -> [f64; 6] {
        [
            self.access_mean,
            self.access_std,
            self.access_level,
            self.errors_mean,
            self.errors_std,
            self.errors_level,
        ]
    }

    /// Builds limits from the six values in file order, as read from a file (the levels
    /// are taken as written, not recomputed, so hand-edited levels are honoured).
    pub fn from_array(name: &str, v: [f64; 6]) -> ParamLimits {
        ParamLimits {
            name: name.to_string(),
            access_mean: v[0],
            access_std: v[1],
            access_level: v[2],
            errors_mean: v[3],
            errors_std: v[4],
            errors_level: v[5],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_std_over_each_state() {
        let v = [1.0, 3.0, 10.0, 20.0, f64::NAN, 99.0];
        let u = [
            Some(false),
            Some(false),
            Some(true),
            Some(true),
            Some(true),
            None,
        ];
        let l = compute("x", &v, &u).unwrap();
        assert_eq!(l.access_mean, 2.0);
        assert_eq!(l.access_std, 1.0); // population, not sample (which would be 1.414)
        assert_eq!(l.access_level, 3.0);
        assert_eq!(l.errors_mean, 15.0);
        assert_eq!(l.errors_std, 5.0);
        assert_eq!(l.errors_level, 10.0);
    }

    #[test]
    fn refuses_without_both_states() {
        let e = compute("cpu", &[1.0, 2.0], &[Some(false), Some(false)]).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("no unavailable rows"), "{msg}");
        assert!(msg.contains("2 available"), "{msg}");
        let e = compute("cpu", &[1.0, 2.0], &[Some(true), None]).unwrap_err();
        assert!(e.to_string().contains("no available rows"), "{e}");
    }

    #[test]
    fn unavailable_is_a_fraction_of_the_attempts() {
        // 10 attempts: 4 successes is unavailable, 5 is not (reference: < 5).
        let f = unavailable_flags(&[4.0, 5.0], &[6.0, 5.0], 0.5);
        assert_eq!(f, vec![Some(true), Some(false)]);
        // 3 attempts: 1 success is unavailable, 2 is not.
        let f = unavailable_flags(&[1.0, 2.0], &[2.0, 1.0], 0.5);
        assert_eq!(f, vec![Some(true), Some(false)]);
        // 20 attempts with a stricter fraction: 17 of 20 is below 0.9.
        let f = unavailable_flags(&[17.0, 18.0], &[3.0, 2.0], 0.9);
        assert_eq!(f, vec![Some(true), Some(false)]);
        // Unknown rows.
        let f = unavailable_flags(&[f64::NAN, 0.0], &[1.0, 0.0], 0.5);
        assert_eq!(f, vec![None, None]);
    }

    #[test]
    fn agreement_counts() {
        let a = Agreement::count(
            &[true, true, false, false, true],
            &[Some(true), Some(false), Some(true), Some(false), None],
        );
        assert_eq!(
            (a.both, a.high_only, a.unavailable_only, a.neither),
            (1, 1, 1, 1)
        );
        assert_eq!(a.share(), 0.5);
    }
}

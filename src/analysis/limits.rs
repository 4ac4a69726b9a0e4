//! Limits: the six statistics per parameter that say at which level the service fails.
//!
//! Owns the [`ParamLimits`] type and its computation from a parameter series and the
//! availability flags of the joined probe rows. Pure: slices in, values out.

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

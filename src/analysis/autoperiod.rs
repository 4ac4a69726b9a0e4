//! Automatic choice of the period (hour, day or week) from the data.
//!
//! (Placeholder: the contract below is fixed; the body is being written.)

use super::period::Period;

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
    let _ = (times, signal);
    None
}

//! Smoothing (SPEC section 3 "smooth", fix 2): a Whittaker smoother with GCV, in O(n).
//!
//! Owns the penalized least-squares smoother and the choice of its parameter. Pure: slices
//! in, values out. The reference "smoothed" with an interpolating spline evaluated at its
//! own knots, which changes nothing; this is real smoothing.
//!
//! The smoother minimizes `Σ w_i (y_i - z_i)² + λ Σ (Δ²z)_k²`, where `Δ²` is the second
//! difference (second *divided* difference when sample positions `x` are given, scaled by
//! the median step², so that λ means the same on regular data and gaps are bridged like a
//! spline would). NaN values get weight 0 and are filled by the smoother. The solution of
//! the pentadiagonal system `(W + λ D'D) z = W y` takes one banded LDLᵀ factorization and two
//! triangular sweeps: O(n) time and memory.
//!
//! λ is chosen by generalized cross-validation, `GCV(λ) = n·RSS / (n - tr H)²` with
//! `H = (W + λD'D)⁻¹W`. The trace needs the diagonal of the inverse of the banded matrix:
//! it is computed exactly, in O(n), from the LDLᵀ factors with the Hutchinson–de Hoog
//! (Takahashi) recursion `Σ = D⁻¹L⁻¹ + (I - Lᵀ)Σ` restricted to the band. The search is a
//! grid over log10 λ in [-2, 8] (step 2.5) refined by Brent's method (to 0.05 in log10 λ):
//! about 12 solves in all.
//!
//! Second differences leave straight lines untouched: a linear series is returned as is
//! for every λ, and λ → ∞ gives the least-squares straight line.

use std::fmt;

/// Smallest and largest log10 λ that GCV considers.
pub const LOG10_LAMBDA_RANGE: (f64, f64) = (-2.0, 8.0);

/// Sample positions that do not strictly increase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PositionError {
    /// The first row (0-based) whose position is not after the previous one.
    pub row: usize,
}

impl fmt::Display for PositionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {} does not come after the previous row in time; smoothing needs increasing times",
            self.row
        )
    }
}

impl std::error::Error for PositionError {}

/// A smoothed series and how it was smoothed.
#[derive(Debug, Clone, PartialEq)]
pub struct Smoothed {
    pub values: Vec<f64>,
    /// The λ used (0 when the series was too short to smooth and was returned as is).
    pub lambda: f64,
    /// Effective degrees of freedom, tr H (NaN when not computed).
    pub edf: f64,
    /// The GCV score at λ (NaN when not computed).
    pub gcv: f64,
}

/// The smoothing problem for one series: weights, data and the banded penalty D'D.
/// Build once, then [`Whittaker::fit`] for any λ or [`Whittaker::fit_gcv`].
#[derive(Debug, Clone)]
pub struct Whittaker {
    w: Vec<f64>,
    /// y with NaN replaced by 0 (their weight is 0).
    wy: Vec<f64>,
    y: Vec<f64>,
    /// Number of observed values.
    nw: usize,
    /// Penalty band: p0[i] = P[i][i], p1[i] = P[i][i+1], p2[i] = P[i][i+2].
    p0: Vec<f64>,
    p1: Vec<f64>,
    p2: Vec<f64>,
}

/// Working storage of one fit.
#[derive(Debug, Default)]
struct Work {
    inv_d: Vec<f64>,
    l1: Vec<f64>,
    l2: Vec<f64>,
    z: Vec<f64>,
}

impl Whittaker {
    /// Sets up the problem. `x` are the sample positions (e.g. times), strictly increasing;
    /// `None` means equally spaced.
    pub fn new(x: Option<&[f64]>, y: &[f64]) -> Result<Whittaker, PositionError> {
        let n = y.len();
        let w: Vec<f64> = y
            .iter()
            .map(|v| f64::from(u8::from(v.is_finite())))
            .collect();
        let wy: Vec<f64> = y
            .iter()
            .map(|v| if v.is_finite() { *v } else { 0.0 })
            .collect();
        let nw = w.iter().filter(|w| **w > 0.0).count();
        // Rows of D: row k touches k, k+1, k+2 with coefficients (a, b, c).
        let m = n.saturating_sub(2);
        let (mut a, mut b, mut c) = (vec![1.0; m], vec![-2.0; m], vec![1.0; m]);
        if let Some(x) = x {
            let steps: Vec<f64> = x.windows(2).map(|p| p[1] - p[0]).collect();
            if let Some(row) = steps.iter().position(|h| h.is_nan() || *h <= 0.0) {
                return Err(PositionError { row: row + 1 });
            }
            let mut sorted = steps.clone();
            let scale = if sorted.is_empty() {
                1.0
            } else {
                let mid = sorted.len() / 2;
                *sorted.select_nth_unstable_by(mid, f64::total_cmp).1
            };
            for k in 0..m {
                let h1 = steps[k] / scale;
                let h2 = steps[k + 1] / scale;
                a[k] = 2.0 / ((h1 + h2) * h1);
                c[k] = 2.0 / ((h1 + h2) * h2);
                b[k] = -(a[k] + c[k]);
            }
        }
        let (mut p0, mut p1, mut p2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for k in 0..m {
            p0[k] += a[k] * a[k];
            p0[k + 1] += b[k] * b[k];
            p0[k + 2] += c[k] * c[k];
            p1[k] += a[k] * b[k];
            p1[k + 1] += b[k] * c[k];
            p2[k] += a[k] * c[k];
        }
        Ok(Whittaker {
            w,
            wy,
            y: y.to_vec(),
            nw,
            p0,
            p1,
            p2,
        })
    }

    /// True when there is enough data to smooth (at least 3 observed values).
    pub fn can_smooth(&self) -> bool {
        self.nw >= 3
    }

    /// The smoothed series for a fixed λ (≥ 0). Too little data: the input is returned.
    pub fn fit(&self, lambda: f64) -> Smoothed {
        if !self.can_smooth() {
            return self.unsmoothed();
        }
        let mut work = Work::default();
        let (rss, tr) = self.solve(lambda, &mut work);
        Smoothed {
            values: work.z,
            lambda,
            edf: tr,
            gcv: self.score(rss, tr),
        }
    }

    /// The smoothed series with λ chosen by generalized cross-validation: log10 λ on a
    /// grid of step 2.5 over [`LOG10_LAMBDA_RANGE`] (5 solves), then Brent's method
    /// (parabolic interpolation with golden-section safeguards) in the bracket around the
    /// best grid point, to 0.05 in log10 λ (typically 6 to 10 more solves).
    pub fn fit_gcv(&self) -> Smoothed {
        if self.nw < 4 {
            return self.unsmoothed();
        }
        let mut work = Work::default();
        let mut best = Smoothed {
            values: Vec::new(),
            lambda: f64::NAN,
            edf: f64::NAN,
            gcv: f64::INFINITY,
        };
        let mut eval = |log_l: f64| {
            let lambda = 10f64.powf(log_l);
            let (rss, tr) = self.solve(lambda, &mut work);
            let v = self.score(rss, tr);
            let v = if v.is_nan() { f64::INFINITY } else { v };
            if v < best.gcv || best.values.is_empty() {
                best.values.clone_from(&work.z);
                best.lambda = lambda;
                best.edf = tr;
                best.gcv = v;
            }
            v
        };
        let (lo, hi) = LOG10_LAMBDA_RANGE;
        const STEP: f64 = 2.5;
        let steps = ((hi - lo) / STEP).round() as usize;
        let grid: Vec<f64> = (0..=steps).map(|k| lo + STEP * k as f64).collect();
        let scores: Vec<f64> = grid.iter().map(|&g| eval(g)).collect();
        let mut k = 0;
        for i in 1..scores.len() {
            if scores[i] < scores[k] {
                k = i;
            }
        }
        let a = grid[k.saturating_sub(1)];
        let b = grid[(k + 1).min(grid.len() - 1)];
        brent_min(&mut eval, a, b, grid[k], scores[k], 0.05);
        best
    }

    fn unsmoothed(&self) -> Smoothed {
        Smoothed {
            values: self.y.clone(),
            lambda: 0.0,
            edf: f64::NAN,
            gcv: f64::NAN,
        }
    }

    /// GCV score from the weighted residual sum of squares and the trace.
    fn score(&self, rss: f64, tr: f64) -> f64 {
        let n = self.nw as f64;
        let denom = n - tr;
        if denom <= 0.0 {
            return f64::INFINITY;
        }
        n * rss / (denom * denom)
    }

    /// Solves (W + λP) z = W y into `work.z`; returns (weighted RSS, tr H).
    ///
    /// Two sweeps: forward, the LDLᵀ factorization fused with L u = W y; backward,
    /// Lᵀ z = D⁻¹u fused with the residuals and the band of Σ = A⁻¹ (Hutchinson & de Hoog /
    /// Takahashi: Σ_ij = δ_ij / d_i - Σ_{k>i} L_ki Σ_kj for j >= i, which closes on the
    /// band). Entries past the ends are zero: P's band vanishes there, so do l1 and l2.
    fn solve(&self, lambda: f64, work: &mut Work) -> (f64, f64) {
        let n = self.w.len();
        work.inv_d.resize(n, 0.0);
        work.l1.resize(n, 0.0);
        work.l2.resize(n, 0.0);
        work.z.resize(n, 0.0);
        let (inv_d, l1, l2, z) = (
            &mut work.inv_d[..],
            &mut work.l1[..],
            &mut work.l2[..],
            &mut work.z[..],
        );
        let (w, wy, p0, p1, p2) = (
            &self.w[..n],
            &self.wy[..n],
            &self.p0[..n],
            &self.p1[..n],
            &self.p2[..n],
        );
        // Rolling values of rows i-1 and i-2. With n1 = d·l1 and n2 = d·l2 (the numerators
        // before the division), l1²d = l1·n1 and l2²d = l2·n2: one multiplication less on
        // the loop-carried chain, which is what bounds this loop.
        let (mut n1_1, mut l1_1) = (0.0, 0.0);
        let (mut l2_1, mut l2_2) = (0.0, 0.0);
        let (mut e2_1, mut e2_2) = (0.0, 0.0); // l2²d of rows i-1, i-2
        let (mut u1, mut u2) = (0.0, 0.0);
        for i in 0..n {
            let di = w[i] + lambda * p0[i] - l1_1 * n1_1 - e2_2;
            let inv = 1.0 / di;
            let n1 = lambda * p1[i] - l2_1 * n1_1;
            let n2 = lambda * p2[i];
            let l1i = n1 * inv;
            let l2i = n2 * inv;
            let u = wy[i] - l1_1 * u1 - l2_2 * u2;
            inv_d[i] = inv;
            l1[i] = l1i;
            l2[i] = l2i;
            z[i] = u;
            e2_2 = e2_1;
            e2_1 = l2i * n2;
            l2_2 = l2_1;
            l2_1 = l2i;
            l1_1 = l1i;
            n1_1 = n1;
            u2 = u1;
            u1 = u;
        }
        // z[i+1], z[i+2]; Σ[i+1][i+1], Σ[i+2][i+2], Σ[i+1][i+2].
        let (mut z1, mut z2) = (0.0, 0.0);
        let (mut s0_1, mut s0_2, mut s1_1) = (0.0, 0.0, 0.0);
        let (mut rss, mut trace) = (0.0, 0.0);
        for i in (0..n).rev() {
            let (a, b) = (l1[i], l2[i]);
            let zi = z[i] * inv_d[i] - a * z1 - b * z2;
            z[i] = zi;
            let r = wy[i] - zi;
            rss += w[i] * r * r;
            let s2 = -(a * s1_1 + b * s0_2);
            let s1 = -(a * s0_1 + b * s1_1);
            let s0 = inv_d[i] - (a * s1 + b * s2);
            trace += w[i] * s0;
            z2 = z1;
            z1 = zi;
            s0_2 = s0_1;
            s0_1 = s0;
            s1_1 = s1;
        }
        (rss, trace)
    }
}

/// Brent's minimization of `f` on [a, b], starting from an already evaluated point
/// `x0` (with value `f0`) inside it, to an absolute tolerance `tol`. Returns the best point.
fn brent_min(
    f: &mut impl FnMut(f64) -> f64,
    mut a: f64,
    mut b: f64,
    x0: f64,
    f0: f64,
    tol: f64,
) -> f64 {
    const CGOLD: f64 = 0.381_966_011_250_105;
    let (mut x, mut w, mut v) = (x0, x0, x0);
    let (mut fx, mut fw, mut fv) = (f0, f0, f0);
    let (mut d, mut e): (f64, f64) = (0.0, 0.0);
    for _ in 0..40 {
        let xm = 0.5 * (a + b);
        let tol2 = 2.0 * tol;
        if (x - xm).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut golden = true;
        if e.abs() > tol {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            } else {
                q = -q;
            }
            let etemp = e;
            e = d;
            if p.abs() < (0.5 * q * etemp).abs() && p > q * (a - x) && p < q * (b - x) {
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = tol.copysign(xm - x);
                }
                golden = false;
            }
        }
        if golden {
            e = if x >= xm { a - x } else { b - x };
            d = CGOLD * e;
        }
        let u = if d.abs() >= tol {
            x + d
        } else {
            x + tol.copysign(d)
        };
        let fu = f(u);
        if fu <= fx {
            if u >= x {
                a = x;
            } else {
                b = x;
            }
            (v, fv, w, fw, x, fx) = (w, fw, x, fx, u, fu);
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                (v, fv, w, fw) = (w, fw, u, fu);
            } else if fu <= fv || v == x || v == w {
                (v, fv) = (u, fu);
            }
        }
    }
    x
}

/// Smooths with a fixed λ (NaNs filled). Positions as in [`Whittaker::new`].
pub fn smooth_fixed(x: Option<&[f64]>, y: &[f64], lambda: f64) -> Result<Smoothed, PositionError> {
    Ok(Whittaker::new(x, y)?.fit(lambda))
}

/// Smooths with λ chosen by GCV (NaNs filled). Positions as in [`Whittaker::new`].
pub fn smooth_gcv(x: Option<&[f64]>, y: &[f64]) -> Result<Smoothed, PositionError> {
    Ok(Whittaker::new(x, y)?.fit_gcv())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dense (W + λ D'D) for the uniform case, solved by Gaussian elimination, and its
    /// inverse diagonal.
    fn dense(y: &[f64], lambda: f64) -> (Vec<f64>, Vec<f64>) {
        let n = y.len();
        let mut a = vec![vec![0.0; n]; n];
        for (i, row) in a.iter_mut().enumerate() {
            row[i] = if y[i].is_finite() { 1.0 } else { 0.0 };
        }
        for k in 0..n - 2 {
            let coef = [(k, 1.0), (k + 1, -2.0), (k + 2, 1.0)];
            for &(i, ci) in &coef {
                for &(j, cj) in &coef {
                    a[i][j] += lambda * ci * cj;
                }
            }
        }
        let inv = invert(a);
        let wy: Vec<f64> = y
            .iter()
            .map(|v| if v.is_finite() { *v } else { 0.0 })
            .collect();
        let z = (0..n)
            .map(|i| (0..n).map(|j| inv[i][j] * wy[j]).sum())
            .collect();
        let diag = (0..n).map(|i| inv[i][i]).collect();
        (z, diag)
    }

    fn invert(mut a: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
        let n = a.len();
        let mut inv: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
            .collect();
        for col in 0..n {
            let p = (col..n)
                .max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))
                .unwrap();
            a.swap(col, p);
            inv.swap(col, p);
            let piv = a[col][col];
            for j in 0..n {
                a[col][j] /= piv;
                inv[col][j] /= piv;
            }
            for r in 0..n {
                if r != col {
                    let f = a[r][col];
                    for j in 0..n {
                        a[r][j] -= f * a[col][j];
                        inv[r][j] -= f * inv[col][j];
                    }
                }
            }
        }
        inv
    }

    fn noisy(n: usize) -> Vec<f64> {
        // Deterministic pseudo-noise.
        let mut s: u64 = 12345;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5
            })
            .collect()
    }

    #[test]
    fn matches_a_dense_solve_including_the_trace() {
        let mut y: Vec<f64> = noisy(12)
            .iter()
            .enumerate()
            .map(|(i, e)| i as f64 + 3.0 * e)
            .collect();
        y[4] = f64::NAN;
        for lambda in [0.1, 3.0, 250.0] {
            let w = Whittaker::new(None, &y).unwrap();
            let s = w.fit(lambda);
            let (z, diag) = dense(&y, lambda);
            for (i, (a, b)) in s.values.iter().zip(&z).enumerate() {
                assert!((a - b).abs() < 1e-9, "λ={lambda} i={i}");
            }
            let tr: f64 = (0..y.len())
                .filter(|&i| y[i].is_finite())
                .map(|i| diag[i])
                .sum();
            assert!((s.edf - tr).abs() < 1e-9, "λ={lambda}: {} vs {tr}", s.edf);
        }
    }

    #[test]
    fn tiny_lambda_returns_the_data() {
        let y = noisy(50);
        let s = smooth_fixed(None, &y, 1e-9).unwrap();
        for (a, b) in s.values.iter().zip(&y) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn straight_lines_are_untouched_for_any_lambda() {
        let x: Vec<f64> = (0..200).map(|i| i as f64 * 60.0 + (i % 3) as f64).collect();
        let y: Vec<f64> = x.iter().map(|x| 2.5 * x - 7.0).collect();
        let yi: Vec<f64> = (0..200).map(|i| -0.5 * i as f64 + 3.0).collect();
        for lambda in [0.0, 1.0, 1e4, 1e8] {
            // Uneven positions given, and even spacing assumed.
            for (pos, y) in [(Some(x.as_slice()), &y), (None, &yi)] {
                let s = smooth_fixed(pos, y, lambda).unwrap();
                let scale = y.iter().fold(1.0f64, |m, v| m.max(v.abs()));
                for (a, b) in s.values.iter().zip(y) {
                    // Exact in theory; only rounding (condition number ~16λ) remains.
                    assert!((a - b).abs() < 1e-7 * scale, "λ={lambda}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn huge_lambda_gives_the_least_squares_line() {
        let y: Vec<f64> = noisy(50)
            .iter()
            .enumerate()
            .map(|(i, e)| 0.3 * i as f64 + e)
            .collect();
        let s = smooth_fixed(None, &y, 1e8).unwrap();
        // Least-squares line by the normal equations.
        let n = y.len() as f64;
        let (sx, sy) = (
            (0..50).map(|i| i as f64).sum::<f64>(),
            y.iter().sum::<f64>(),
        );
        let sxx = (0..50).map(|i| (i * i) as f64).sum::<f64>();
        let sxy = y.iter().enumerate().map(|(i, v)| i as f64 * v).sum::<f64>();
        let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        let icpt = (sy - slope * sx) / n;
        for (i, v) in s.values.iter().enumerate() {
            assert!(
                (v - (icpt + slope * i as f64)).abs() < 1e-3,
                "{i}: {v} vs {}",
                icpt + slope * i as f64
            );
        }
        assert!((s.edf - 2.0).abs() < 1e-3);
    }

    #[test]
    fn nan_values_are_filled() {
        let y = [1.0, 2.0, f64::NAN, 4.0, 5.0];
        let s = smooth_fixed(None, &y, 1.0).unwrap();
        assert!((s.values[2] - 3.0).abs() < 1e-9);
    }

    #[test]
    fn gcv_removes_noise_from_a_sine() {
        let n = 2000;
        let truth: Vec<f64> = (0..n).map(|i| (i as f64 / 100.0).sin() * 10.0).collect();
        let noise = noisy(n);
        let y: Vec<f64> = truth.iter().zip(&noise).map(|(t, e)| t + 4.0 * e).collect();
        let s = smooth_gcv(None, &y).unwrap();
        let rmse = |a: &[f64]| {
            (a.iter()
                .zip(&truth)
                .map(|(a, t)| (a - t) * (a - t))
                .sum::<f64>()
                / n as f64)
                .sqrt()
        };
        let raw = rmse(&y);
        let fit = rmse(&s.values);
        assert!(fit < raw / 3.0, "raw {raw}, smoothed {fit}, λ {}", s.lambda);
        assert!(s.lambda > 1.0 && s.lambda < 1e8, "λ {}", s.lambda);
        assert!(s.edf > 2.0 && s.edf < n as f64 / 4.0, "edf {}", s.edf);
    }

    #[test]
    fn gcv_search_finds_the_minimum_of_a_fine_scan() {
        let n = 600;
        let noise = noisy(n);
        let y: Vec<f64> = (0..n)
            .map(|i| (i as f64 / 40.0).sin() * 3.0 + noise[i])
            .collect();
        let w = Whittaker::new(None, &y).unwrap();
        let chosen = w.fit_gcv();
        let fine = (0..=200)
            .map(|k| w.fit(10f64.powf(-2.0 + 0.05 * k as f64)).gcv)
            .fold(f64::INFINITY, f64::min);
        assert!(chosen.gcv <= fine * 1.001, "{} vs {fine}", chosen.gcv);
        assert_eq!(chosen.values, w.fit(chosen.lambda).values);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn any_small_problem_matches_the_dense_solve(
            y in proptest::collection::vec(-100.0f64..100.0, 3..14),
            missing in proptest::collection::vec(proptest::bool::weighted(0.2), 14),
            log_l in -3.0f64..5.0,
        ) {
            let mut y = y;
            for (v, m) in y.iter_mut().zip(&missing) {
                if *m {
                    *v = f64::NAN;
                }
            }
            proptest::prop_assume!(y.iter().filter(|v| v.is_finite()).count() >= 3);
            let lambda = 10f64.powf(log_l);
            let s = smooth_fixed(None, &y, lambda).unwrap();
            let (z, diag) = dense(&y, lambda);
            let scale = y.iter().filter(|v| v.is_finite()).fold(1.0f64, |m, v| m.max(v.abs()));
            for (a, b) in s.values.iter().zip(&z) {
                proptest::prop_assert!((a - b).abs() < 1e-7 * scale, "{} vs {}", a, b);
            }
            let tr: f64 = (0..y.len()).filter(|&i| y[i].is_finite()).map(|i| diag[i]).sum();
            proptest::prop_assert!((s.edf - tr).abs() < 1e-7, "{} vs {}", s.edf, tr);
        }
    }

    #[test]
    fn positions_must_increase() {
        let e = smooth_fixed(Some(&[0.0, 1.0, 1.0]), &[1.0, 2.0, 3.0], 1.0).unwrap_err();
        assert_eq!(e.row, 2);
    }

    #[test]
    fn short_series_are_returned_as_is() {
        let s = smooth_gcv(None, &[1.0, 5.0]).unwrap();
        assert_eq!(s.values, vec![1.0, 5.0]);
        assert_eq!(s.lambda, 0.0);
    }
}

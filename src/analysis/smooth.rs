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
//! grid over log10 λ in [-2, 8] (step 2.5) refined by two rounds of four points and a
//! parabola; the points of a round are solved side by side in one pass, so the search
//! costs about five single solves.
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

/// The penalty `D'D` of second (divided) differences at given sample positions: a
/// symmetric band of width 2. It depends only on the positions, so the columns of one
/// table share it.
#[derive(Debug, Clone, PartialEq)]
pub struct Penalty {
    /// p0[i] = P[i][i], p1[i] = P[i][i+1], p2[i] = P[i][i+2].
    p0: Vec<f64>,
    p1: Vec<f64>,
    p2: Vec<f64>,
}

impl Penalty {
    /// The penalty for `n` samples at positions `x` (strictly increasing; `None` means
    /// equally spaced).
    pub fn new(x: Option<&[f64]>, n: usize) -> Result<Penalty, PositionError> {
        // Row k of D touches samples k, k+1, k+2 with coefficients (a, b, c): (1, -2, 1)
        // for equal spacing, else the second divided difference with the steps h1, h2
        // in units of the median step.
        let m = n.saturating_sub(2);
        let scale = match x {
            Some(x) => {
                let mut steps: Vec<f64> = x.windows(2).map(|p| p[1] - p[0]).collect();
                if let Some(row) = steps.iter().position(|h| h.is_nan() || *h <= 0.0) {
                    return Err(PositionError { row: row + 1 });
                }
                if steps.is_empty() {
                    1.0
                } else {
                    let mid = steps.len() / 2;
                    *steps.select_nth_unstable_by(mid, f64::total_cmp).1
                }
            }
            None => 1.0,
        };
        let (mut p0, mut p1, mut p2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for k in 0..m {
            let (a, b, c) = match x {
                Some(x) if k + 2 < x.len() => {
                    let h1 = (x[k + 1] - x[k]) / scale;
                    let h2 = (x[k + 2] - x[k + 1]) / scale;
                    let a = 2.0 / ((h1 + h2) * h1);
                    let c = 2.0 / ((h1 + h2) * h2);
                    (a, -(a + c), c)
                }
                _ => (1.0, -2.0, 1.0),
            };
            p0[k] += a * a;
            p0[k + 1] += b * b;
            p0[k + 2] += c * c;
            p1[k] += a * b;
            p1[k + 1] += b * c;
            p2[k] += a * c;
        }
        Ok(Penalty { p0, p1, p2 })
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.p0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.p0.is_empty()
    }
}

/// The smoothing problem for one series: weights, data and the banded penalty D'D.
/// Build once, then [`Whittaker::fit`] for any λ or [`Whittaker::fit_gcv`].
#[derive(Debug, Clone)]
pub struct Whittaker<'a> {
    w: Vec<f64>,
    /// y with NaN replaced by 0 (their weight is 0).
    wy: Vec<f64>,
    y: &'a [f64],
    /// Number of observed values.
    nw: usize,
    penalty: std::borrow::Cow<'a, Penalty>,
}

/// Working storage of fits: the factors of up to [`MAX_LANES`] systems solved side by
/// side, interleaved (element `i * L + k` belongs to row `i` of lane `k`).
#[derive(Debug, Default)]
struct Work {
    inv_d: Vec<f64>,
    l1: Vec<f64>,
    /// u = L⁻¹Wy after the forward sweep, z after the backward one.
    u: Vec<f64>,
}

/// The most systems [`Whittaker::fit_gcv`] solves side by side (its grid).
const MAX_LANES: usize = 5;

/// Work storage of finished fits, kept for the next ones. A fit of 43 200 samples needs
/// 5 MB of it, and touching that much fresh memory costs about as much as a third of
/// the fit (page faults); the calibration runs nine fits, three at a time. At most
/// [`SPARE_BYTES`] are kept (enough for three 30-day fits), so a long-running process
/// (the edge service) keeps at most that much after its last fit.
static SPARE: std::sync::Mutex<Vec<Work>> = std::sync::Mutex::new(Vec::new());
const SPARE_BYTES: usize = 16 << 20;

impl Work {
    fn take() -> Work {
        SPARE
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_default()
    }

    fn bytes(&self) -> usize {
        (self.inv_d.capacity() + self.l1.capacity() + self.u.capacity()) * 8
    }

    fn give_back(self) {
        if let Ok(mut spare) = SPARE.lock() {
            let kept: usize = spare.iter().map(Work::bytes).sum();
            if kept + self.bytes() <= SPARE_BYTES {
                spare.push(self);
            }
        }
    }
}

impl<'a> Whittaker<'a> {
    /// Sets up the problem. `x` are the sample positions (e.g. times), strictly increasing;
    /// `None` means equally spaced.
    pub fn new(x: Option<&[f64]>, y: &'a [f64]) -> Result<Whittaker<'a>, PositionError> {
        let penalty = Penalty::new(x, y.len())?;
        Ok(Whittaker::build(std::borrow::Cow::Owned(penalty), y))
    }

    /// Sets up the problem with a penalty built for `y`'s positions (see [`Penalty`]).
    ///
    /// # Panics
    /// When the penalty is not for `y.len()` samples.
    pub fn with_penalty(penalty: &'a Penalty, y: &'a [f64]) -> Whittaker<'a> {
        assert_eq!(
            penalty.len(),
            y.len(),
            "a penalty for another number of samples"
        );
        Whittaker::build(std::borrow::Cow::Borrowed(penalty), y)
    }

    fn build(penalty: std::borrow::Cow<'a, Penalty>, y: &'a [f64]) -> Whittaker<'a> {
        let w: Vec<f64> = y
            .iter()
            .map(|v| f64::from(u8::from(v.is_finite())))
            .collect();
        let wy: Vec<f64> = y
            .iter()
            .map(|v| if v.is_finite() { *v } else { 0.0 })
            .collect();
        let nw = w.iter().filter(|w| **w > 0.0).count();
        Whittaker {
            w,
            wy,
            y,
            nw,
            penalty,
        }
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
        let mut work = Work::take();
        let [(rss, tr)] = self.solve::<1, true>([lambda], &mut work);
        let values = work.u[..self.w.len()].to_vec();
        work.give_back();
        Smoothed {
            values,
            lambda,
            edf: tr,
            gcv: self.score(rss, tr),
        }
    }

    /// The smoothed series with λ chosen by generalized cross-validation.
    ///
    /// The search works on log10 λ over [`LOG10_LAMBDA_RANGE`]: a grid of step 2.5 (5
    /// points), then two rounds that each put four points between the best point and its
    /// neighbours (spacing / 3, so the spacing goes 2.5, 0.83, 0.28), then the vertex of
    /// the parabola through the best point and its neighbours, where the final solve is
    /// made. The points of a round are independent, so they are solved side by side in
    /// one pass over the data (`Whittaker::solve` with 4 or 5 lanes): a round costs
    /// about 1.2 to 1.9 times one solve (a single solve is bound by the latency of its
    /// recurrences, not by arithmetic), and the whole search about 5 single solves where a
    /// sequential search (Brent's method, used before) needed 13.
    pub fn fit_gcv(&self) -> Smoothed {
        if self.nw < 4 {
            return self.unsmoothed();
        }
        let mut work = Work::take();
        let (lo, hi) = LOG10_LAMBDA_RANGE;
        const STEP: f64 = 2.5;
        const ROUNDS: usize = 2;
        let grid: [f64; MAX_LANES] = std::array::from_fn(|k| lo + STEP * k as f64);
        let grid_scores = self.scores(grid, &mut work);
        let mut best = 0;
        for k in 1..grid.len() {
            if grid_scores[k] < grid_scores[best] {
                best = k;
            }
        }
        // The best point x, its score, the spacing h and the scores at x - h and x + h
        // (infinite outside the range).
        let (mut x, mut fx, mut h) = (grid[best], grid_scores[best], STEP);
        let mut fl = if best > 0 {
            grid_scores[best - 1]
        } else {
            f64::INFINITY
        };
        let mut fr = grid_scores.get(best + 1).copied().unwrap_or(f64::INFINITY);
        for _ in 0..ROUNDS {
            let t = h / 3.0;
            let points = [x - 2.0 * t, x - t, x + t, x + 2.0 * t];
            let inside = points.map(|p| (lo..=hi).contains(&p));
            // Lanes outside the range solve at x (any valid λ) and are ignored.
            let mut scores = self.scores(
                points.map(|p| if (lo..=hi).contains(&p) { p } else { x }),
                &mut work,
            );
            for (s, ok) in scores.iter_mut().zip(inside) {
                if !ok {
                    *s = f64::INFINITY;
                }
            }
            // Seven points at spacing t: x - 3t (= x - h) to x + 3t (= x + h).
            let f = [fl, scores[0], scores[1], fx, scores[2], scores[3], fr];
            let mut j = 3;
            for i in 1..=5 {
                if f[i] < f[j] {
                    j = i;
                }
            }
            x += (j as f64 - 3.0) * t;
            (fl, fx, fr, h) = (f[j - 1], f[j], f[j + 1], t);
        }
        // The vertex of the parabola through (x - h, fl), (x, fx), (x + h, fr); fl and fr
        // are at least fx, so it lies within h / 2 of x.
        let curvature = fl - 2.0 * fx + fr;
        let shift = h * (fl - fr) / (2.0 * curvature);
        let vertex = if curvature > 0.0 && shift.is_finite() {
            (x + shift).clamp(lo, hi)
        } else {
            x
        };
        let mut chosen = vertex;
        let [(mut rss, mut tr)] = self.solve::<1, true>([10f64.powf(chosen)], &mut work);
        if self.score(rss, tr).is_nan() || self.score(rss, tr) > fx {
            chosen = x;
            [(rss, tr)] = self.solve::<1, true>([10f64.powf(chosen)], &mut work);
        }
        let values = work.u[..self.w.len()].to_vec();
        work.give_back();
        Smoothed {
            values,
            lambda: 10f64.powf(chosen),
            edf: tr,
            gcv: self.score(rss, tr),
        }
    }

    /// GCV scores at `L` values of log10 λ, solved side by side; NaN scores count as
    /// infinite.
    fn scores<const L: usize>(&self, log_lambdas: [f64; L], work: &mut Work) -> [f64; L] {
        let solved = self.solve::<L, false>(log_lambdas.map(|l| 10f64.powf(l)), work);
        solved.map(|(rss, tr)| {
            let v = self.score(rss, tr);
            if v.is_nan() {
                f64::INFINITY
            } else {
                v
            }
        })
    }

    fn unsmoothed(&self) -> Smoothed {
        Smoothed {
            values: self.y.to_vec(),
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

    /// Solves (W + λP) z = W y for `L` values of λ side by side; returns (weighted RSS,
    /// tr H) per λ and, with `KEEP_Z`, leaves z of lane `k` at `work.u[i * L + k]`.
    ///
    /// Two sweeps: forward, the LDLᵀ factorization fused with L u = W y; backward,
    /// Lᵀ z = D⁻¹u fused with the residuals and the band of Σ = A⁻¹ (Hutchinson & de Hoog /
    /// Takahashi: Σ_ij = δ_ij / d_i - Σ_{k>i} L_ki Σ_kj for j >= i, which closes on the
    /// band). Entries past the ends are zero: P's band vanishes there, so do l1 and l2.
    /// Each lane does exactly the operations of a single solve, in the same order, so its
    /// result does not depend on the other lanes.
    fn solve<const L: usize, const KEEP_Z: bool>(
        &self,
        lambda: [f64; L],
        work: &mut Work,
    ) -> [(f64, f64); L] {
        let n = self.w.len();
        // Every element is written before it is read: no need to clear.
        for v in [&mut work.inv_d, &mut work.l1, &mut work.u] {
            v.resize(n * L, 0.0);
        }
        let (inv_d, _) = work.inv_d.as_chunks_mut::<L>();
        let (l1s, _) = work.l1.as_chunks_mut::<L>();
        let (us, _) = work.u.as_chunks_mut::<L>();
        let (inv_d, l1s, us) = (&mut inv_d[..n], &mut l1s[..n], &mut us[..n]);
        let p = &*self.penalty;
        let (w, wy, p0, p1, p2) = (
            &self.w[..n],
            &self.wy[..n],
            &p.p0[..n],
            &p.p1[..n],
            &p.p2[..n],
        );
        // Rolling values of rows i-1 and i-2. With n1 = d·l1 and n2 = d·l2 (the numerators
        // before the division), l1²d = l1·n1 and l2²d = l2·n2: one multiplication less on
        // the loop-carried chain, which is what bounds this loop.
        let zero = [0.0; L];
        let (mut n1_1, mut l1_1) = (zero, zero);
        let (mut l2_1, mut l2_2) = (zero, zero);
        let (mut e2_1, mut e2_2) = (zero, zero); // l2²d of rows i-1, i-2
        let (mut u1, mut u2) = (zero, zero);
        for i in 0..n {
            // Whole rows in locals, stored at once: the compiler keeps them in registers.
            let (mut inv_i, mut l1_i, mut u_i) = (zero, zero, zero);
            for k in 0..L {
                let di = w[i] + lambda[k] * p0[i] - l1_1[k] * n1_1[k] - e2_2[k];
                let inv = 1.0 / di;
                let n1 = lambda[k] * p1[i] - l2_1[k] * n1_1[k];
                let n2 = lambda[k] * p2[i];
                let l1i = n1 * inv;
                let l2i = n2 * inv;
                let u = wy[i] - l1_1[k] * u1[k] - l2_2[k] * u2[k];
                inv_i[k] = inv;
                l1_i[k] = l1i;
                u_i[k] = u;
                e2_2[k] = e2_1[k];
                e2_1[k] = l2i * n2;
                l2_2[k] = l2_1[k];
                l2_1[k] = l2i;
                l1_1[k] = l1i;
                n1_1[k] = n1;
                u2[k] = u1[k];
                u1[k] = u;
            }
            (inv_d[i], l1s[i], us[i]) = (inv_i, l1_i, u_i);
        }
        // z[i+1], z[i+2]; Σ[i+1][i+1], Σ[i+2][i+2], Σ[i+1][i+2].
        let (mut z1, mut z2) = (zero, zero);
        let (mut s0_1, mut s0_2, mut s1_1) = (zero, zero, zero);
        let (mut rss, mut trace) = (zero, zero);
        for i in (0..n).rev() {
            let (inv_i, l1_i, mut u_i) = (inv_d[i], l1s[i], us[i]);
            for k in 0..L {
                // l2 = n2 / d, recomputed exactly as the forward sweep computed it.
                let (a, b) = (l1_i[k], lambda[k] * p2[i] * inv_i[k]);
                let zi = u_i[k] * inv_i[k] - a * z1[k] - b * z2[k];
                u_i[k] = zi;
                let r = wy[i] - zi;
                rss[k] += w[i] * r * r;
                let s2 = -(a * s1_1[k] + b * s0_2[k]);
                let s1 = -(a * s0_1[k] + b * s1_1[k]);
                let s0 = inv_i[k] - (a * s1 + b * s2);
                trace[k] += w[i] * s0;
                z2[k] = z1[k];
                z1[k] = zi;
                s0_2[k] = s0_1[k];
                s0_1[k] = s0;
                s1_1[k] = s1;
            }
            if KEEP_Z {
                us[i] = u_i;
            }
        }
        std::array::from_fn(|k| (rss[k], trace[k]))
    }
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
    fn systems_solved_side_by_side_give_the_bits_of_single_solves() {
        let mut y: Vec<f64> = noisy(3000)
            .iter()
            .enumerate()
            .map(|(i, e)| (i as f64 / 90.0).sin() + e)
            .collect();
        y[17] = f64::NAN;
        let x: Vec<f64> = (0..y.len()).map(|i| (i * 60 + i % 7) as f64).collect();
        let w = Whittaker::new(Some(&x), &y).unwrap();
        let lambdas = [0.01, 3.0, 250.0, 1e6, 1e8];
        let mut work = Work::default();
        let together = w.solve::<5, false>(lambdas, &mut work);
        for (l, (rss, tr)) in lambdas.iter().zip(together) {
            let one = w.fit(*l);
            let [(rss1, tr1)] = w.solve::<1, true>([*l], &mut work);
            assert_eq!(
                (rss.to_bits(), tr.to_bits()),
                (rss1.to_bits(), tr1.to_bits())
            );
            assert_eq!(one.edf.to_bits(), tr.to_bits());
        }
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

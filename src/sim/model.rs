//! The node model: random periodic overload schedules, ground truth and noisy samples.
//!
//! Everything is seeded: node `i` of a run with seed `s` draws from its own generator, so a
//! node's schedule and samples do not depend on how nodes are spread over threads.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

/// Minutes in the model's period (an hour: the seed's schedules are hourly).
pub const SLOTS: usize = 60;

/// Number of measured parameters per sample (CPU load, Tx rate, Rx rate).
pub const PARAMS: usize = 3;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Number of nodes.
    pub nodes: usize,
    /// Nodes per service group.
    pub group: usize,
    /// Hours of learning, and as many hours of evaluation.
    pub periods: usize,
    /// Switching delays (minutes) to evaluate.
    pub delays: Vec<usize>,
    /// Measurement noise levels (standard deviation, in units of the overload step).
    pub noises: Vec<f64>,
    /// Schedule jitter: an occurrence starts up to this many minutes early or late.
    pub jitter: usize,
    /// Random seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
}

/// One node's periodic overload schedule: (start minute, duration) within the hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeModel {
    pub floods: Vec<(usize, usize)>,
}

/// A generator private to one node (and one purpose: schedule, learning, evaluation).
pub fn node_rng(seed: u64, node: usize, purpose: u64) -> StdRng {
    let mix = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((node as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9))
        .wrapping_add(purpose.wrapping_mul(0x94D0_49BB_1331_11EB));
    StdRng::seed_from_u64(mix)
}

impl NodeModel {
    /// A random schedule: 1 to 3 floods of 3 to 10 minutes, not overlapping each other
    /// (cyclically, with at least 2 free minutes between them).
    pub fn random(rng: &mut StdRng) -> NodeModel {
        let count = rng.gen_range(1..=3);
        let mut floods: Vec<(usize, usize)> = Vec::new();
        let mut tries = 0;
        while floods.len() < count && tries < 100 {
            tries += 1;
            let start = rng.gen_range(0..SLOTS);
            let len = rng.gen_range(3..=10);
            let clash = floods.iter().any(|&(s, l)| {
                // cyclic distance check with a 2-minute gap
                (0..len + 2).any(|k| {
                    let m = (start + SLOTS + k - 1) % SLOTS;
                    (m + SLOTS - s) % SLOTS < l
                })
            });
            if !clash {
                floods.push((start, len));
            }
        }
        floods.sort_unstable();
        NodeModel { floods }
    }

    /// Ground truth for `hours` hours: `true` in the minutes the node is overloaded. Each
    /// occurrence is shifted by a uniform draw in `-jitter..=jitter` minutes.
    pub fn truth(&self, hours: usize, jitter: usize, rng: &mut StdRng) -> Vec<bool> {
        let n = hours * SLOTS;
        let mut out = vec![false; n];
        for h in 0..hours {
            for &(s, l) in &self.floods {
                let shift = if jitter == 0 {
                    0
                } else {
                    rng.gen_range(-(jitter as i64)..=jitter as i64)
                };
                let start = (h * SLOTS + s) as i64 + shift;
                for k in 0..l as i64 {
                    let m = start + k;
                    if m >= 0 && (m as usize) < n {
                        out[m as usize] = true;
                    }
                }
            }
        }
        out
    }
}

/// Noisy samples of the three parameters, parameter-major (`out[p][minute]`): base 0.3,
/// plus 1.0 while overloaded, plus Gaussian noise of standard deviation `noise`.
pub fn samples(truth: &[bool], noise: f64, rng: &mut StdRng) -> [Vec<f64>; PARAMS] {
    let normal = Normal::new(0.0, noise.max(0.0)).ok();
    std::array::from_fn(|_| {
        truth
            .iter()
            .map(|&busy| {
                let level = if busy { 1.3 } else { 0.3 };
                match &normal {
                    Some(d) if noise > 0.0 => level + d.sample(rng),
                    _ => level,
                }
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_seeded_and_well_formed() {
        for node in 0..200 {
            let a = NodeModel::random(&mut node_rng(7, node, 0));
            let b = NodeModel::random(&mut node_rng(7, node, 0));
            assert_eq!(a, b);
            assert!(!a.floods.is_empty() && a.floods.len() <= 3);
            // The second hour is complete (floods may wrap around the hour).
            let t = a.truth(3, 0, &mut node_rng(7, node, 1));
            let busy = t[60..120].iter().filter(|b| **b).count();
            let want: usize = a.floods.iter().map(|f| f.1).sum();
            assert_eq!(busy, want, "{a:?}");
        }
    }

    #[test]
    fn samples_step_up_while_overloaded() {
        let truth = vec![false, true, false];
        let s = samples(&truth, 0.0, &mut node_rng(1, 0, 2));
        assert_eq!(s[0], vec![0.3, 1.3, 0.3]);
    }
}

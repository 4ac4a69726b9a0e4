//! The per-group pipeline (calibrate, time tables, plan, replay) and the parallel driver.

use super::model::{node_rng, samples, NodeModel, SimConfig, PARAMS, SLOTS};
use crate::analysis::period::{Period, MINUTE_US};
use crate::analysis::{limits, timetable};
use crate::table::timetable::TimeTable;
use std::time::Instant;

/// One line of the result table: a (delay, noise) combination over all groups.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SimRow {
    /// Switching delay, minutes.
    pub delay: usize,
    /// Measurement noise (standard deviation in units of the overload step).
    pub noise: f64,
    /// Availability with each service kept on its group's first node.
    pub baseline: f64,
    /// Availability with the plan.
    pub proactive: f64,
    /// Availability of a perfect oracle: some node of the group is free.
    pub best: f64,
    /// Share of time-table slots that match the true schedule.
    pub table_accuracy: f64,
    /// Planned switches per group and hour.
    pub switches_per_hour: f64,
    /// Switches whose target was overloaded when it should have taken over.
    pub failed_switches: u64,
}

/// The whole outcome of a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SimOutcome {
    pub nodes: usize,
    pub groups: usize,
    pub periods: usize,
    /// Samples generated for learning (nodes × minutes × noise levels).
    pub samples: u64,
    pub rows: Vec<SimRow>,
    /// Wall time of the whole run, seconds.
    pub seconds: f64,
    pub threads: usize,
}

#[derive(Default, Clone)]
struct Acc {
    minutes: u64,
    baseline_ok: u64,
    proactive_ok: u64,
    best_ok: u64,
    slots: u64,
    slots_right: u64,
    switches: u64,
    failed: u64,
}

impl Acc {
    fn add(&mut self, o: &Acc) {
        self.minutes += o.minutes;
        self.baseline_ok += o.baseline_ok;
        self.proactive_ok += o.proactive_ok;
        self.best_ok += o.best_ok;
        self.slots += o.slots;
        self.slots_right += o.slots_right;
        self.switches += o.switches;
        self.failed += o.failed;
    }
}

/// Runs the study: every group through calibration, planning and replay, for every
/// (delay, noise) combination, spread over `cfg.threads` threads.
pub fn simulate(cfg: &SimConfig) -> SimOutcome {
    let start = Instant::now();
    let group = cfg.group.max(1);
    let groups = cfg.nodes.div_ceil(group);
    let combos = cfg.delays.len() * cfg.noises.len();
    let threads = cfg.threads.clamp(1, groups.max(1));
    let per_thread = groups.div_ceil(threads);
    let accs: Vec<Vec<Acc>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut acc = vec![Acc::default(); combos];
                    let first = t * per_thread;
                    let last = ((t + 1) * per_thread).min(groups);
                    for g in first..last {
                        let nodes: Vec<usize> =
                            (g * group..((g + 1) * group).min(cfg.nodes)).collect();
                        run_group(cfg, &nodes, &mut acc);
                    }
                    acc
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut total = vec![Acc::default(); combos];
    for a in &accs {
        for (t, x) in total.iter_mut().zip(a) {
            t.add(x);
        }
    }
    let mut rows = Vec::with_capacity(combos);
    for (ni, &noise) in cfg.noises.iter().enumerate() {
        for (di, &delay) in cfg.delays.iter().enumerate() {
            let a = &total[ni * cfg.delays.len() + di];
            let share = |x: u64, of: u64| {
                if of == 0 {
                    f64::NAN
                } else {
                    x as f64 / of as f64
                }
            };
            rows.push(SimRow {
                delay,
                noise,
                baseline: share(a.baseline_ok, a.minutes),
                proactive: share(a.proactive_ok, a.minutes),
                best: share(a.best_ok, a.minutes),
                table_accuracy: share(a.slots_right, a.slots),
                switches_per_hour: if groups == 0 {
                    0.0
                } else {
                    a.switches as f64 / groups as f64
                },
                failed_switches: a.failed,
            });
        }
    }
    SimOutcome {
        nodes: cfg.nodes,
        groups,
        periods: cfg.periods,
        samples: (cfg.nodes * cfg.periods * SLOTS * cfg.noises.len()) as u64,
        rows,
        seconds: start.elapsed().as_secs_f64(),
        threads,
    }
}

fn run_group(cfg: &SimConfig, nodes: &[usize], acc: &mut [Acc]) {
    let hours = cfg.periods.max(1);
    let models: Vec<NodeModel> = nodes
        .iter()
        .map(|&n| NodeModel::random(&mut node_rng(cfg.seed, n, 0)))
        .collect();
    // The schedule as it really is (for the time table accuracy).
    let nominal: Vec<Vec<bool>> = models
        .iter()
        .map(|m| m.truth(3, 0, &mut node_rng(0, 0, 0))[SLOTS..2 * SLOTS].to_vec())
        .collect();
    let learn_truth: Vec<Vec<bool>> = models
        .iter()
        .zip(nodes)
        .map(|(m, &n)| m.truth(hours, cfg.jitter, &mut node_rng(cfg.seed, n, 1)))
        .collect();
    let eval_truth: Vec<Vec<bool>> = models
        .iter()
        .zip(nodes)
        .map(|(m, &n)| m.truth(hours, cfg.jitter, &mut node_rng(cfg.seed, n, 2)))
        .collect();
    let minutes = hours * SLOTS;
    let baseline_ok = (0..minutes).filter(|&t| !eval_truth[0][t]).count() as u64;
    let best_ok = (0..minutes)
        .filter(|&t| eval_truth.iter().any(|tr| !tr[t]))
        .count() as u64;
    let times = sample_times(minutes);
    for (ni, &noise) in cfg.noises.iter().enumerate() {
        let tables: Vec<Vec<bool>> = learn_truth
            .iter()
            .zip(nodes)
            .map(|(truth, &n)| {
                let mut rng = node_rng(cfg.seed, n, 3 + ni as u64);
                let s = samples(truth, noise, &mut rng);
                learn_table(&s, truth, &times)
            })
            .collect();
        let right: u64 = tables
            .iter()
            .zip(&nominal)
            .map(|(t, n)| t.iter().zip(n).filter(|(a, b)| a == b).count() as u64)
            .sum();
        for (di, &delay) in cfg.delays.iter().enumerate() {
            let plan = plan_cycle(&tables, delay);
            let (ok, failed) = replay(&plan, &eval_truth, delay);
            let a = &mut acc[ni * cfg.delays.len() + di];
            a.minutes += minutes as u64;
            a.baseline_ok += baseline_ok;
            a.best_ok += best_ok;
            a.proactive_ok += ok;
            a.slots += (tables.len() * SLOTS) as u64;
            a.slots_right += right;
            a.switches += plan.moves.len() as u64;
            a.failed += failed;
        }
    }
}

/// Calibration and time table of one node, with the real system's numeric steps
/// (`analysis::limits::compute`, `analysis::timetable::{high_samples, busy_slots}`): limits
/// per parameter from the minutes the probe saw the service available or not, high samples
/// (at least two parameters at or above their errors level), busy slots (share of high
/// samples at or above the midpoint of the shares, never 0). A node that was never (or
/// always) unavailable cannot be calibrated: its table is all free.
pub fn learn_table(samples: &[Vec<f64>; PARAMS], unavailable: &[bool], times: &[i64]) -> Vec<bool> {
    let flags: Vec<Option<bool>> = unavailable.iter().map(|&u| Some(u)).collect();
    let mut levels = [0.0; PARAMS];
    for (p, values) in samples.iter().enumerate() {
        match limits::compute(PARAM_NAMES[p], values, &flags) {
            Ok(l) => levels[p] = l.errors_level,
            Err(_) => return vec![false; SLOTS],
        }
    }
    let params: [&[f64]; PARAMS] = std::array::from_fn(|p| samples[p].as_slice());
    let n = unavailable.len().min(times.len());
    let high = timetable::high_samples(&params, &levels, timetable::DEFAULT_VOTES, n);
    timetable::busy_slots(&times[..n], &high, Period::Hour)
}

/// Sample times for `minutes` minutes from the virtual origin (a minute boundary, plus two
/// seconds, as `diag` rows are).
pub fn sample_times(minutes: usize) -> Vec<i64> {
    (0..minutes as i64)
        .map(|m| m * MINUTE_US + 2_000_000)
        .collect()
}

const PARAM_NAMES: [&str; PARAMS] = ["App. CPU Load %", "App. Tx B/s", "App. Rx B/s"];

/// One planned switch: at `slot` start moving the service from `from` to `to` (indices in
/// the group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub slot: usize,
    pub from: usize,
    pub to: usize,
}

/// A group's cyclic plan: the node serving at slot 0 and the switches of one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CyclePlan {
    pub start: usize,
    pub moves: Vec<Move>,
}

/// Plans a group with the real planner (`plan::planner::plan`, SPEC fix 7), the same code
/// that `edgeshift plan` and the monitor use; only the node names are made up here.
pub fn plan_cycle(tables: &[Vec<bool>], delay: usize) -> CyclePlan {
    let named: Vec<TimeTable> = tables
        .iter()
        .enumerate()
        .map(|(k, busy)| TimeTable {
            server: format!("n{k}"),
            busy: busy.clone(),
        })
        .collect();
    let Ok(plan) = crate::plan::planner::plan(&named, delay) else {
        // Fewer than two nodes: nothing to plan, node 0 serves.
        return CyclePlan {
            start: 0,
            moves: Vec::new(),
        };
    };
    let index = |name: &str| plan.nodes.iter().position(|n| n == name).unwrap_or(0);
    CyclePlan {
        start: plan.serving.first().copied().unwrap_or(0),
        moves: plan
            .switches
            .iter()
            .map(|s| Move {
                slot: s.fire_slot,
                from: index(&s.from),
                to: index(&s.to),
            })
            .collect(),
    }
}

/// Replays a plan against the ground truth. Returns (available minutes, failed switches).
pub fn replay(plan: &CyclePlan, truth: &[Vec<bool>], delay: usize) -> (u64, u64) {
    let minutes = truth.first().map_or(0, Vec::len);
    let mut by_slot: Vec<Option<Move>> = vec![None; SLOTS];
    for m in &plan.moves {
        by_slot[m.slot % SLOTS] = Some(*m);
    }
    let mut cur = plan.start;
    let mut pending: Option<(usize, usize)> = None; // (target, ready at)
    let (mut ok, mut failed) = (0u64, 0u64);
    for t in 0..minutes {
        if pending.is_none() {
            if let Some(m) = by_slot[t % SLOTS] {
                if m.to != cur {
                    pending = Some((m.to, t + delay));
                }
            }
        }
        if let Some((to, ready)) = pending {
            if t >= ready {
                if truth[to][t] {
                    failed += 1;
                } else {
                    cur = to;
                }
                pending = None;
            }
        }
        ok += u64::from(!truth[cur][t]);
    }
    (ok, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(busy: &[std::ops::Range<usize>]) -> Vec<bool> {
        (0..SLOTS)
            .map(|s| busy.iter().any(|r| r.contains(&s)))
            .collect()
    }

    #[test]
    fn plans_the_seed_schedule_like_the_seed_readme() {
        // Time tables of the seed README: node 1 busy 16-19 and 46-49, node 2 1-10, 31-40.
        let t1 = table(&[16..20, 46..50]);
        let t2 = table(&[1..11, 31..41]);
        let plan = plan_cycle(&[t1, t2], 8);
        let slots: Vec<(usize, usize, usize)> =
            plan.moves.iter().map(|m| (m.slot, m.from, m.to)).collect();
        assert_eq!(slots, vec![(8, 0, 1), (23, 1, 0), (38, 0, 1), (53, 1, 0)]);
    }

    #[test]
    fn a_noiseless_node_learns_its_schedule_and_the_plan_avoids_it() {
        let m1 = NodeModel {
            floods: vec![(15, 5), (45, 5)],
        };
        let m2 = NodeModel {
            floods: vec![(0, 10), (30, 10)],
        };
        let mut rng = node_rng(1, 0, 0);
        let truth: Vec<Vec<bool>> = [&m1, &m2].iter().map(|m| m.truth(4, 0, &mut rng)).collect();
        let tables: Vec<Vec<bool>> = truth
            .iter()
            .map(|t| learn_table(&samples(t, 0.05, &mut rng), t, &sample_times(t.len())))
            .collect();
        assert_eq!(tables[0], table(&[15..20, 45..50]));
        let plan = plan_cycle(&tables, 5);
        let (ok, failed) = replay(&plan, &truth, 5);
        assert_eq!(failed, 0);
        // Only the first minutes, before the plan's first move, can be lost.
        assert!(ok >= 4 * 60 - 10, "{ok}");
        let baseline = truth[0].iter().filter(|b| !**b).count();
        assert!(ok as usize > baseline);
    }
}

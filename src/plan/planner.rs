//! The switching policy: from time tables to a cyclic schedule of switches.
//!
//! Owns [`plan`] and the [`Plan`] it returns. Pure: slices in, a plan out, no I/O, no cron
//! syntax (that is `plan::cron`).
//!
//! ## Model
//! One node serves at every slot (minute) of the period. A switch to node `m` that must
//! serve from slot `p` fires at `p - delay` (the VM boots meanwhile) and `m` serves from `p`
//! on; the previous node serves until `p - 1`. Two switches are never closer than the delay
//! (a switch cannot start before the previous one completed), cyclically across the end of
//! the period.
//!
//! ## Policy (SPEC 4, item 7)
//! The plan is the cheapest *cyclic* schedule under a lexicographic cost, found by dynamic
//! programming over (slot, serving node, slots since the last switch capped at the delay):
//! 1. fewest busy slots served (availability first; when every node is busy, staying is as
//!    good as anything, so the plan stays);
//! 2. fewest switches (a switch that does not reduce busy slots is not worth making);
//! 3. least slack: a switch away from a node that is still free costs one unit per free
//!    slot given up, so the plan *stays while the current node is free* and switches at the
//!    last moment, unless an earlier switch is the only way to avoid a busy slot later;
//! 4. among targets, the one that stays free longest.
//!
//! A switch into a node that is not free for at least the delay from the slot it must
//! serve is never made: the target would be busy again before a next switch could complete.
//!
//! Cyclicity: the state at slot 0 (serving node, slots since the last switch) must equal
//! the state after the last slot. Every possible start state is tried when that is cheap
//! (`nodes x (delay+1)` constrained passes); for large problems the candidates are each
//! node with no recent switch plus the steady state at the period boundaries of an
//! unconstrained three-period plan.

use crate::analysis::period::Period;
use crate::error::bad_input;
use crate::table::timetable::TimeTable;
use anyhow::Result;

/// One switch of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switch {
    /// Slot of the period at which the crontab line fires (`serve_slot - delay`, wrapped).
    pub fire_slot: usize,
    /// The node serving before the switch.
    pub from: String,
    /// The node serving after the switch.
    pub to: String,
    /// First slot at which `to` must serve.
    pub serve_slot: usize,
}

/// A cyclic schedule of switches over one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub period: Period,
    /// Switch delay in slots (minutes).
    pub delay_slots: usize,
    /// Node names in input order (the time tables' column names).
    pub nodes: Vec<String>,
    /// The switches, sorted by `fire_slot`.
    pub switches: Vec<Switch>,
    /// Index into `nodes` of the node serving at each slot.
    pub serving: Vec<usize>,
    /// Number of slots at which the serving node is expected to be busy.
    pub busy_served: usize,
}

impl Plan {
    /// True when no switch is needed (one node serves all period).
    pub fn is_empty(&self) -> bool {
        self.switches.is_empty()
    }

    /// Name of the node serving at `slot` (wrapped around the period).
    pub fn serving_node(&self, slot: usize) -> &str {
        &self.nodes[self.serving[slot % self.serving.len()]]
    }

    /// Share (0..1) of the period in which the serving node is expected to be busy.
    pub fn busy_share(&self) -> f64 {
        self.busy_served as f64 / self.serving.len() as f64
    }
}

/// Checks the tables (two or more, distinct names, one period) and returns the period.
pub fn check_tables(tables: &[TimeTable]) -> Result<Period> {
    if tables.len() < 2 {
        return Err(bad_input(format!(
            "planning needs the time tables of two or more nodes, got {}",
            tables.len()
        )));
    }
    for (i, t) in tables.iter().enumerate() {
        if let Some(j) = tables[..i].iter().position(|u| u.server == t.server) {
            return Err(bad_input(format!(
                "node {:?} appears twice (time tables {} and {}); each node needs one time table with its own column name",
                t.server,
                j + 1,
                i + 1
            )));
        }
    }
    let first = tables[0].period().ok_or_else(|| {
        bad_input(format!(
            "time table of {:?} has {} slots; expected 60, 1440 or 10080",
            tables[0].server,
            tables[0].busy.len()
        ))
    })?;
    for t in tables {
        if t.period() != Some(first) {
            return Err(bad_input(format!(
                "mixed periods: {:?} has {} slots but {:?} has {} ({}); all time tables must cover the same period",
                tables[0].server,
                tables[0].busy.len(),
                t.server,
                t.busy.len(),
                first
            )));
        }
    }
    Ok(first)
}

/// Plans the switches for time tables of one period, with a switch delay in slots.
pub fn plan(tables: &[TimeTable], delay_slots: usize) -> Result<Plan> {
    let period = check_tables(tables)?;
    let busy: Vec<&[bool]> = tables.iter().map(|t| t.busy.as_slice()).collect();
    let serving = solve(&busy, delay_slots);
    Ok(build(tables, period, delay_slots, serving))
}

/// Assembles a plan from the serving node per slot.
fn build(tables: &[TimeTable], period: Period, delay: usize, serving: Vec<usize>) -> Plan {
    let p = serving.len();
    let nodes: Vec<String> = tables.iter().map(|t| t.server.clone()).collect();
    let mut switches = Vec::new();
    for t in 0..p {
        let prev = serving[(t + p - 1) % p];
        if serving[t] != prev {
            switches.push(Switch {
                fire_slot: (t + p - delay % p) % p,
                from: nodes[prev].clone(),
                to: nodes[serving[t]].clone(),
                serve_slot: t,
            });
        }
    }
    switches.sort_by_key(|s| (s.fire_slot, s.serve_slot));
    let busy_served = (0..p).filter(|&t| tables[serving[t]].busy[t]).count();
    Plan {
        period,
        delay_slots: delay,
        nodes,
        switches,
        serving,
        busy_served,
    }
}

/// A compact timeline of the plan: one line per run of slots with the same serving node
/// and the same reason, then the share of the period in which the serving node is busy.
pub fn explain(plan: &Plan, tables: &[TimeTable]) -> String {
    let p = plan.serving.len();
    let period = plan.period;
    let reason = |t: usize| -> String {
        let s = plan.serving[t];
        if !tables[s].busy[t] {
            return "free".into();
        }
        if tables.iter().all(|tt| tt.busy[t]) {
            "BUSY: every node is busy".into()
        } else {
            "BUSY: no free node reachable (switches must be a delay apart)".into()
        }
    };
    let mut out = format!(
        "plan over one {period} ({p} slots), {} nodes, delay {} min, {} switch(es)\n",
        plan.nodes.len(),
        plan.delay_slots,
        plan.switches.len()
    );
    // Start the timeline at a switch so that runs do not wrap.
    let start = plan
        .switches
        .iter()
        .map(|s| s.serve_slot)
        .min()
        .unwrap_or(0);
    let mut i = 0;
    while i < p {
        let t0 = (start + i) % p;
        let (node, why) = (plan.serving[t0], reason(t0));
        let mut j = i + 1;
        while j < p {
            let t = (start + j) % p;
            if plan.serving[t] != node || reason(t) != why {
                break;
            }
            j += 1;
        }
        let t1 = (start + j - 1) % p;
        let mut line = format!(
            "{:>10} - {:<10} {:<16} {}",
            period.slot_label(t0),
            period.slot_label(t1),
            plan.nodes[node],
            why
        );
        if let Some(sw) = plan.switches.iter().find(|s| s.serve_slot == t0) {
            line.push_str(&format!(
                "; switched in from {} (line fires at {})",
                sw.from,
                period.slot_label(sw.fire_slot)
            ));
        }
        out.push_str(line.trim_end());
        out.push('\n');
        i = j;
    }
    out.push_str(&format!(
        "serving node expected busy: {:.1} % of the period ({} of {p} slots)\n",
        100.0 * plan.busy_share(),
        plan.busy_served
    ));
    out
}

// ---------------------------------------------------------------------------------------
// Dynamic programming.

/// Lexicographic cost packed in a u128: busy slots, switches, slack, shortness; each field
/// has 32 bits and sums stay far below 2^32 for any horizon used here (<= 3 weeks).
type Cost = u128;
const INF: Cost = Cost::MAX;
const BUSY: Cost = 1 << 96;
const SWITCH: Cost = 1 << 64;
const SLACK: Cost = 1 << 32;

struct Problem<'a> {
    busy: &'a [&'a [bool]],
    p: usize,
    n: usize,
    /// Cap of the "slots since the last switch" counter: the delay.
    d: usize,
    /// free_run[node][slot]: consecutive free slots of node starting at slot (cyclic, <= p).
    free_run: Vec<Vec<usize>>,
}

impl<'a> Problem<'a> {
    fn new(busy: &'a [&'a [bool]], delay: usize) -> Self {
        let p = busy[0].len();
        let free_run = busy
            .iter()
            .map(|b| {
                let mut run = vec![0usize; p];
                if b.iter().all(|x| !x) {
                    return vec![p; p];
                }
                // Two backward sweeps handle the wrap.
                let mut next = 0usize;
                for _ in 0..2 {
                    for t in (0..p).rev() {
                        next = if b[t] { 0 } else { (next + 1).min(p) };
                        run[t] = next;
                    }
                }
                run
            })
            .collect();
        Problem {
            busy,
            p,
            n: busy.len(),
            d: delay,
            free_run,
        }
    }

    fn idx(&self, node: usize, k: usize) -> usize {
        node * (self.d + 1) + k
    }

    fn width(&self) -> usize {
        self.n * (self.d + 1)
    }

    fn slot_cost(&self, node: usize, t: usize) -> Cost {
        if self.busy[node][t % self.p] {
            BUSY
        } else {
            0
        }
    }

    /// A switch into `m` serving from slot `t` is worth making only when `m` stays free for
    /// at least the delay (at least one slot): otherwise the target is busy again before
    /// the next switch could complete.
    fn worth_switching_to(&self, m: usize, t: usize) -> bool {
        self.free_run[m][t % self.p] >= self.d.max(1)
    }

    /// Cost of switching from `from` to `to` so that `to` serves at slot `t`.
    fn switch_cost(&self, from: usize, to: usize, t: usize) -> Cost {
        let s = t % self.p;
        SWITCH + SLACK * self.free_run[from][s] as Cost + (self.p - self.free_run[to][s]) as Cost
    }

    /// Backward pass over `h` slots. `terminal[state]` is the cost of being in `state` at
    /// slot `h`. Returns `v[t * width + state]`: the cheapest cost of slots t..h given the
    /// state at slot t (cost of slot t included).
    fn backward(&self, h: usize, terminal: &[Cost]) -> Vec<Cost> {
        let w = self.width();
        let d = self.d;
        let mut v = vec![INF; (h + 1) * w];
        v[h * w..].copy_from_slice(terminal);
        for t in (0..h).rev() {
            let (cur, next) = v[t * w..].split_at_mut(w);
            let next = &next[..w];
            // The switch cost separates into a part of the source (slack) and a part of the
            // target (entry state + shortness): keep the two cheapest targets so that the
            // best target other than the source is O(1) per source.
            let s1 = (t + 1) % self.p;
            let (mut b1, mut b2): ((Cost, usize), (Cost, usize)) =
                ((INF, usize::MAX), (INF, usize::MAX));
            for m in 0..self.n {
                let nv = next[self.idx(m, 0)];
                if nv == INF || !self.worth_switching_to(m, t + 1) {
                    continue;
                }
                let c = nv.saturating_add((self.p - self.free_run[m][s1]) as Cost);
                if c < b1.0 {
                    b2 = b1;
                    b1 = (c, m);
                } else if c < b2.0 {
                    b2 = (c, m);
                }
            }
            for node in 0..self.n {
                let sc = self.slot_cost(node, t);
                let into = if b1.1 != node { b1.0 } else { b2.0 };
                let switch = if into == INF {
                    INF
                } else {
                    into.saturating_add(SWITCH + SLACK * self.free_run[node][s1] as Cost)
                };
                for k in 0..=d {
                    let k1 = (k + 1).min(d);
                    let mut best = next[self.idx(node, k1)];
                    if k1 >= d && switch < best {
                        best = switch;
                    }
                    cur[self.idx(node, k)] = if best == INF { INF } else { best + sc };
                }
            }
        }
        v
    }

    /// Forward reconstruction from `start` at slot 0 over `h` slots: the state per slot
    /// (0..=h). Prefers staying on ties (switch as late as possible), then the lowest
    /// switch cost.
    fn forward(&self, v: &[Cost], h: usize, start: usize) -> Vec<usize> {
        let w = self.width();
        let d = self.d;
        let mut states = Vec::with_capacity(h + 1);
        let mut s = start;
        states.push(s);
        for t in 0..h {
            let (node, k) = (s / (d + 1), s % (d + 1));
            let target = v[t * w + s] - self.slot_cost(node, t);
            let next = &v[(t + 1) * w..(t + 2) * w];
            let k1 = (k + 1).min(d);
            let stay = self.idx(node, k1);
            let mut chosen = stay;
            if next[stay] != target {
                let mut best: Option<(Cost, usize)> = None;
                if k1 >= d {
                    for m in 0..self.n {
                        if m == node
                            || !self.worth_switching_to(m, t + 1)
                            || next[self.idx(m, 0)] == INF
                        {
                            continue;
                        }
                        let c =
                            next[self.idx(m, 0)].saturating_add(self.switch_cost(node, m, t + 1));
                        if best.is_none_or(|(b, _)| c < b) {
                            best = Some((c, self.idx(m, 0)));
                        }
                    }
                }
                if let Some((c, st)) = best {
                    if c < next[stay] {
                        chosen = st;
                    }
                }
            }
            s = chosen;
            states.push(s);
        }
        states
    }
}

/// The serving node per slot of the best cyclic schedule.
fn solve(busy: &[&[bool]], delay: usize) -> Vec<usize> {
    let pr = Problem::new(busy, delay);
    let (p, w, d) = (pr.p, pr.width(), pr.d);
    // Candidate start states.
    let mut candidates: Vec<usize> = Vec::new();
    let exhaustive_work = (w as u64) * (w as u64) * (p as u64) * (pr.n as u64);
    if exhaustive_work <= 60_000_000 {
        candidates.extend(0..w);
    } else {
        candidates.extend((0..pr.n).map(|node| pr.idx(node, d)));
        let h = 3 * p;
        let v = pr.backward(h, &vec![0; w]);
        let start = (0..pr.n)
            .map(|node| pr.idx(node, d))
            .min_by_key(|&s| v[s])
            .unwrap_or(0);
        let states = pr.forward(&v, h, start);
        for c in [states[p], states[2 * p]] {
            if !candidates.contains(&c) {
                candidates.push(c);
            }
        }
    }
    let mut best: Option<(Cost, Vec<usize>)> = None;
    for &s in &candidates {
        let mut terminal = vec![INF; w];
        terminal[s] = 0;
        let v = pr.backward(p, &terminal);
        let cost = v[s];
        if cost == INF {
            continue;
        }
        if best.as_ref().is_none_or(|(b, _)| cost < *b) {
            let states = pr.forward(&v, p, s);
            best = Some((cost, states));
        }
    }
    match best {
        Some((_, states)) => states[..p].iter().map(|s| s / (d + 1)).collect(),
        // Unreachable: staying on node 0 with no recent switch is always a valid cycle.
        None => vec![0; p],
    }
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    fn table(name: &str, slots: usize, busy: &[std::ops::Range<usize>]) -> TimeTable {
        let mut b = vec![false; slots];
        for r in busy {
            for i in r.clone() {
                b[i % slots] = true;
            }
        }
        TimeTable {
            server: name.into(),
            busy: b,
        }
    }

    fn lines(p: &Plan) -> Vec<(usize, String, String)> {
        p.switches
            .iter()
            .map(|s| (s.fire_slot, s.from.clone(), s.to.clone()))
            .collect()
    }

    #[test]
    fn seed_readme_case() {
        let a = table("web-server1", 60, &[16..20, 46..50]);
        let b = table("web-server2", 60, &[1..10, 31..40]);
        let p = plan(&[a, b], 8).unwrap();
        let (w1, w2) = ("web-server1".to_string(), "web-server2".to_string());
        assert_eq!(
            lines(&p),
            vec![
                (8, w1.clone(), w2.clone()),
                (23, w2.clone(), w1.clone()),
                (38, w1.clone(), w2.clone()),
                (53, w2, w1)
            ]
        );
        assert_eq!(p.busy_served, 0);
    }

    #[test]
    fn early_switch_when_late_is_impossible() {
        // A free [0,20) and [50,60); B free [10,25); C free [22,50). Staying on A until it is
        // busy leaves B only 5 slots: the planner must move to B early.
        let a = table("a", 60, &[20..50]);
        let b = table("b", 60, &[0..10, 25..60]);
        let c = table("c", 60, &[0..22, 50..60]);
        let p = plan(&[a, b, c], 8).unwrap();
        assert_eq!(p.busy_served, 0, "{p:?}");
        assert_eq!(p.switches.len(), 3);
    }

    #[test]
    fn free_node_means_no_switch() {
        let a = table("a", 60, &[]);
        let b = table("b", 60, &[0..30]);
        let p = plan(&[a, b], 8).unwrap();
        assert!(p.is_empty());
        assert_eq!(p.serving_node(17), "a");
    }
}

//! Busy runs of a time table: where each run of busy slots starts and how long it lasts.
//!
//! The period is a cycle: a run that crosses the end of the period (busy in the last and
//! the first slots) is one run, reported from its start near the end. Pure: flags in,
//! runs out.

/// A run of consecutive busy slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// First busy slot.
    pub start: usize,
    /// Number of busy slots (may wrap past the end of the period).
    pub len: usize,
}

impl Run {
    /// The last busy slot of the run (wrapped into the period of `slots` slots).
    pub fn end(&self, slots: usize) -> usize {
        (self.start + self.len - 1) % slots
    }
}

/// The busy runs, in order of their start slot. A table that is busy everywhere is one
/// run starting at slot 0.
pub fn busy_runs(busy: &[bool]) -> Vec<Run> {
    let n = busy.len();
    if n == 0 {
        return Vec::new();
    }
    if busy.iter().all(|b| *b) {
        return vec![Run { start: 0, len: n }];
    }
    let mut runs = Vec::new();
    for s in 0..n {
        let prev = busy[(s + n - 1) % n];
        if busy[s] && !prev {
            let mut len = 0;
            while busy[(s + len) % n] {
                len += 1;
            }
            runs.push(Run { start: s, len });
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(n: usize, busy: &[usize]) -> Vec<bool> {
        (0..n).map(|i| busy.contains(&i)).collect()
    }

    #[test]
    fn finds_runs() {
        let t = table(60, &[16, 17, 18, 19, 46, 47, 48, 49]);
        assert_eq!(
            busy_runs(&t),
            vec![Run { start: 16, len: 4 }, Run { start: 46, len: 4 }]
        );
    }

    #[test]
    fn a_run_across_the_period_end_is_one_run() {
        let t = table(60, &[58, 59, 0, 1, 2, 30]);
        let runs = busy_runs(&t);
        assert_eq!(
            runs,
            vec![Run { start: 30, len: 1 }, Run { start: 58, len: 5 }]
        );
        assert_eq!(runs[1].end(60), 2);
    }

    #[test]
    fn all_and_nothing() {
        assert_eq!(busy_runs(&[true; 5]), vec![Run { start: 0, len: 5 }]);
        assert!(busy_runs(&[false; 5]).is_empty());
        assert!(busy_runs(&[]).is_empty());
    }
}

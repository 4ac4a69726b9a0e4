//! Differential tests against the reference prototype's outputs on `data/hourly-2d`
//! (`data/hourly-2d/reference/`): where edgeshift deliberately differs (SPEC section 4) the
//! difference is measured and bounded here, with the reason next to the bound.

use edgeshift::analysis::limits::ParamLimits;
use edgeshift::pipeline::*;
use edgeshift::table::limits::read_limits;
use edgeshift::table::probe::Probes;
use edgeshift::table::timetable::read_time_table;
use std::path::Path;

fn run(k: u32, smoothing: &str) -> Calibration {
    let edge = read_edge(Path::new(&format!("data/hourly-2d/eden{k}_measure.csv"))).unwrap();
    let probes = Probes::read(Path::new(&format!("data/hourly-2d/web-server{k}.csv"))).unwrap();
    let opts = CalibrateOptions {
        smoothing: smoothing.parse().unwrap(),
        ..Default::default()
    };
    calibrate_frames(edge, &probes, &format!("web-server{k}"), &opts).unwrap()
}

fn reference(k: u32, which: &str) -> Option<Vec<ParamLimits>> {
    let p = format!("data/hourly-2d/reference/eden{k}_measure.{which}.csv");
    Path::new(&p)
        .exists()
        .then(|| read_limits(Path::new(&p)).unwrap())
}

/// Largest relative difference over the six statistics.
fn max_rel(a: &ParamLimits, b: &ParamLimits) -> f64 {
    a.as_array()
        .iter()
        .zip(b.as_array())
        .map(|(x, y)| ((x - y) / y).abs())
        .fold(0.0, f64::max)
}

fn busy(tt: &edgeshift::table::timetable::TimeTable) -> Vec<usize> {
    (0..tt.busy.len()).filter(|&i| tt.busy[i]).collect()
}

#[test]
fn limits_agree_with_the_reference_without_smoothing() {
    for k in [1, 2] {
        let cal = run(k, "off");
        for (which, ours) in [
            ("limits", &cal.first_limits),
            ("limits.cleared", &cal.limits),
        ] {
            let Some(theirs) = reference(k, which) else {
                continue; // the reference kept no first-pass limits for eden2
            };
            assert_eq!(ours.len(), theirs.len());
            for (a, b) in ours.iter().zip(&theirs) {
                assert_eq!(a.name, b.name);
                let rel = max_rel(a, b);
                let bound = match (a.name.as_str(), which) {
                    // Not a rate, not cleaned: the same rows, the same arithmetic. Measured 6e-16.
                    ("App. CPU Load %", "limits") => 1e-12,
                    // Cleaning drops the first row, whose rates we leave unknown (the
                    // reference set them to 0 and kept the row): one available row less.
                    // eden2's first row has a CPU load of 67.3 against a mean of 8.2 over
                    // ~1970 available rows, which moves access_mean by 3.7e-3 and the std
                    // by 4.6e-3. Measured: eden1 2.0e-4, eden2 4.6e-3.
                    ("App. CPU Load %", _) => 5e-3,
                    // Rates: the reference divided by whole seconds of the time difference
                    // (60.98 s counted as 60 s), which inflates every rate by up to 1/60;
                    // we divide by the exact difference. Measured: at most 9.8e-3.
                    _ => 1.0e-2,
                };
                assert!(
                    rel <= bound,
                    "eden{k} {which} {}: relative difference {rel:.2e} > {bound:.0e}",
                    a.name
                );
            }
        }
    }
}

#[test]
fn time_tables_equal_the_reference() {
    // The reference used (max - min) / 2 of the counts; we use the midpoint of the shares.
    // On this clean data (min share 0, one row a minute) the two rules coincide.
    for smoothing in ["off", "gcv"] {
        for k in [1, 2] {
            let cal = run(k, smoothing);
            let theirs = read_time_table(Path::new(&format!(
                "data/hourly-2d/reference/web-server{k}.time_table.csv"
            )))
            .unwrap();
            assert_eq!(cal.table.table, theirs, "eden{k}, smoothing {smoothing}");
        }
    }
    let cal = run(1, "gcv");
    assert_eq!(busy(&cal.table.table), vec![16, 17, 18, 19, 46, 47, 48, 49]);
    let cal = run(2, "gcv");
    let expect: Vec<usize> = (1..10).chain(31..40).collect();
    assert_eq!(busy(&cal.table.table), expect);
}

#[test]
fn gcv_smooths_and_the_quality_is_high() {
    // GCV chooses a small λ on this data (the floods are steps a few minutes long and the
    // noise is white), so the limits stay within a few percent of the unsmoothed ones: the
    // smoother spreads a little of each flood into the neighbouring available minutes,
    // which raises access_mean most (measured: at most 5.3%).
    let cal = run(1, "gcv");
    for n in &cal.smoothing {
        assert!(n.lambda > 0.0, "{n}");
        assert!(n.edf < 2880.0, "{n}");
    }
    let off = run(1, "off");
    for (a, b) in cal.limits.iter().zip(&off.limits) {
        let rel = max_rel(a, b);
        assert!(rel < 0.06, "{}: {rel}", a.name);
    }
    assert!(cal.quality.share() > 0.95, "{}", cal.quality_line(2));
    assert!(cal.quality.total() >= 2870);
}

#[test]
fn edge_table_on_the_sample_matches_the_reference() {
    for k in [1, 2] {
        let edge = read_edge(Path::new(&format!("data/hourly-2d/eden{k}_measure.csv"))).unwrap();
        let limits = read_limits(Path::new(&format!(
            "data/hourly-2d/reference/eden{k}_measure.limits.cleared.csv"
        )))
        .unwrap();
        let server = format!("web-server{k}");
        let et = edge_time_table(&edge, &limits, &server, &EdgeTableOptions::default()).unwrap();
        let theirs = read_time_table(Path::new(&format!(
            "data/hourly-2d/reference/{server}.time_table.csv"
        )))
        .unwrap();
        assert_eq!(et.table, theirs);
        assert_eq!(et.report, "2880 rows, 0 counter restarts, 0 gaps > 3 min");
        assert!(et.auto.is_none());
    }
}

#[test]
fn auto_period_picks_the_hour_on_the_sample() {
    let edge = read_edge(Path::new("data/hourly-2d/eden1_measure.csv")).unwrap();
    let limits = read_limits(Path::new(
        "data/hourly-2d/reference/eden1_measure.limits.cleared.csv",
    ))
    .unwrap();
    let opts = EdgeTableOptions {
        period: PeriodSpec::Auto,
        ..Default::default()
    };
    let et = edge_time_table(&edge, &limits, "web-server1", &opts).unwrap();
    let choice = et.auto.as_ref().unwrap();
    assert_eq!(et.period, edgeshift::analysis::period::Period::Hour);
    assert!(choice.cycles >= 2.0);
    assert_eq!(busy(&et.table), vec![16, 17, 18, 19, 46, 47, 48, 49]);
    assert!(period_line(et.period, et.auto.as_ref())
        .starts_with("period: hour (chosen automatically, strength"));
}

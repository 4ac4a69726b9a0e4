//! The calibration chain (`calibrate`, the reference `analysis.sh`) and the edge-side chain
//! (`edge-table`), as library functions that the subcommands, the edge service, the monitor
//! and the testbed all share.
//!
//! This is the one place that wires `table` (files, column names) to `analysis` (numbers);
//! it must not contain numeric kernels itself. Every step exists on [`Frame`]s in memory
//! ([`bandwidth`], [`smooth_frame`], [`join_frames`], [`limits_of`], [`clean_frame`],
//! [`time_table_of`]); the chains are [`edge_time_table`] (pure, no files: used by the edge
//! service, the monitor and the testbed) and [`calibrate_frames`] (pure) /
//! [`calibrate`] (reads the two files and writes the nine outputs of SPEC section 3).
//!
//! Contract (other modules code against these names):
//! - [`Smoothing`] (`gcv` | `off` | a number λ), [`PeriodSpec`] (`hour` | `day` | `week` |
//!   `auto`), both `FromStr`.
//! - [`EdgeTableOptions`] + [`edge_time_table`] → [`EdgeTable`].
//! - [`CalibrateOptions`] + [`calibrate_frames`] → [`Calibration`] (in memory), and
//!   [`calibrate`] → [`CalibrationReport`] (files).
//!
//! Input errors (missing columns, time not increasing, a calibration without both
//! availability states, too little data for `--period auto`) are `error::bad_input`.

use crate::analysis::autoperiod::{choose_period, PeriodChoice};
use crate::analysis::limits::{self as alimits, Agreement, ParamLimits};
use crate::analysis::period::{Period, MINUTE_US};
use crate::analysis::{asof, clean, rates, smooth, timetable};
use crate::error::bad_input;
use crate::table::atomic::PendingFile;
use crate::table::edge::{rate_name, DEFAULT_COUNTERS, DEFAULT_PARAMETERS};
use crate::table::limits::write_limits_pending;
use crate::table::probe::{Probes, ERRORS, RESPONSE_TIME, SUCCESSES};
use crate::table::timetable::{write_time_table_pending, TimeTable};
use crate::table::{Frame, Kind, ReadOptions};
use anyhow::{Context, Result};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// How to smooth: λ chosen by GCV (default), no smoothing, or a fixed λ.
///
/// λ is in units of the median sampling step (see `analysis::smooth`): the same λ smooths
/// one-minute data and ten-second data alike, relative to their own step.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Smoothing {
    #[default]
    Gcv,
    Off,
    Lambda(f64),
}

impl FromStr for Smoothing {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gcv" | "auto" => Ok(Smoothing::Gcv),
            "off" | "none" | "0" => Ok(Smoothing::Off),
            other => match other.parse::<f64>() {
                Ok(l) if l.is_finite() && l > 0.0 => Ok(Smoothing::Lambda(l)),
                _ => Err(format!(
                    "unknown smoothing {s:?}: expected gcv, off, or a positive number (λ, e.g. 100)"
                )),
            },
        }
    }
}

impl fmt::Display for Smoothing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Smoothing::Gcv => f.write_str("gcv"),
            Smoothing::Off => f.write_str("off"),
            Smoothing::Lambda(l) => write!(f, "{l}"),
        }
    }
}

/// A fixed period, or `auto` (chosen from the data by `analysis::autoperiod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodSpec {
    Fixed(Period),
    Auto,
}

impl Default for PeriodSpec {
    fn default() -> Self {
        PeriodSpec::Fixed(Period::Hour)
    }
}

impl FromStr for PeriodSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(PeriodSpec::Auto);
        }
        s.parse::<Period>()
            .map(PeriodSpec::Fixed)
            .map_err(|_| format!("unknown period {s:?}: expected hour, day, week or auto"))
    }
}

impl fmt::Display for PeriodSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodSpec::Fixed(p) => write!(f, "{p}"),
            PeriodSpec::Auto => f.write_str("auto"),
        }
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Options of the edge-side chain (bandwidth, clean, smooth, time table).
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeTableOptions {
    /// Counter columns turned into rates (`NAME` becomes `NAME/s`).
    pub counters: Vec<String>,
    /// The parameters (after the rates) that vote for "high".
    pub parameters: Vec<String>,
    pub smoothing: Smoothing,
    pub period: PeriodSpec,
    /// How many parameters must be at or above their errors_level together.
    pub votes: usize,
}

impl Default for EdgeTableOptions {
    fn default() -> Self {
        EdgeTableOptions {
            counters: strings(&DEFAULT_COUNTERS),
            parameters: strings(&DEFAULT_PARAMETERS),
            smoothing: Smoothing::Gcv,
            period: PeriodSpec::Fixed(Period::Hour),
            votes: timetable::DEFAULT_VOTES,
        }
    }
}

/// The result of the edge-side chain.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeTable {
    pub table: TimeTable,
    /// The period used (the chosen one with `auto`).
    pub period: Period,
    /// With `auto`: what was chosen and how strongly.
    pub auto: Option<PeriodChoice>,
    /// The one-line summary of the input (rows, counter restarts, gaps).
    pub report: String,
}

/// What [`bandwidth`] found in the data: rows, counter restarts, gaps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RatesReport {
    pub rows: usize,
    /// Rows (0-based) where at least one counter went down.
    pub restart_rows: Vec<usize>,
    /// Their file lines, when the frame was read from a file.
    pub restart_lines: Vec<u64>,
    /// Intervals longer than `gap_us`.
    pub gaps: usize,
    /// The gap threshold: three median sampling steps.
    pub gap_us: i64,
}

impl fmt::Display for RatesReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.restart_rows.len();
        write!(
            f,
            "{} rows, {k} counter restart{}",
            self.rows,
            if k == 1 { "" } else { "s" }
        )?;
        if k > 0 {
            let places: Vec<String> = if self.restart_lines.len() == k {
                self.restart_lines.iter().map(|l| l.to_string()).collect()
            } else {
                self.restart_rows
                    .iter()
                    .map(|r| format!("row {r}"))
                    .collect()
            };
            let shown = places
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            let more = if k > 5 { ", ..." } else { "" };
            let word = if self.restart_lines.len() == k {
                if k == 1 {
                    "line "
                } else {
                    "lines "
                }
            } else {
                ""
            };
            write!(f, " ({word}{shown}{more})")?;
        }
        write!(
            f,
            ", {} gap{} > {}",
            self.gaps,
            if self.gaps == 1 { "" } else { "s" },
            human_us(self.gap_us)
        )
    }
}

/// A duration in microseconds as `3 min`, `45 s`, `2 h`, `1.5 days`.
pub fn human_us(us: i64) -> String {
    let s = us as f64 / 1e6;
    if s >= 2.0 * 86_400.0 {
        format!("{} days", trim_num(s / 86_400.0))
    } else if s >= 2.0 * 3600.0 {
        format!("{} h", trim_num(s / 3600.0))
    } else if s >= 60.0 {
        format!("{} min", trim_num(s / 60.0))
    } else {
        format!("{} s", trim_num(s))
    }
}

fn trim_num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// "line N" when the frame knows its file lines, else "row N".
fn place(frame: &Frame, row: usize) -> String {
    match frame.line_of(row) {
        Some(l) => format!("line {l}"),
        None => format!("row {row}"),
    }
}

/// Checks that the frame's times strictly increase (rates and smoothing need it).
pub fn check_times(frame: &Frame) -> Result<()> {
    rates::check_increasing(&frame.times).map_err(|e| time_error(frame, e))
}

fn time_error(frame: &Frame, e: rates::TimeOrderError) -> anyhow::Error {
    let what = if e.dt_us == 0 {
        "has the same time as the previous row".to_string()
    } else {
        format!("is {} earlier than the previous row", human_us(-e.dt_us))
    };
    bad_input(format!(
        "{}: column \"Time\": the row {what}; times must strictly increase (a zero or negative time difference is an error in the data)",
        place(frame, e.row)
    ))
}

/// Step `bandwidth`: each counter column `NAME` is replaced (in place) by its rate column
/// `NAME/s` in units per second. See `analysis::rates` for restarts and the first row.
pub fn bandwidth(frame: &Frame, counters: &[String]) -> Result<(Frame, RatesReport)> {
    check_times(frame)?;
    let mut out = frame.clone();
    let mut restart = vec![false; frame.len()];
    for c in counters {
        let v = frame.values(c, "bandwidth")?;
        let r = rates::counter_rates(&frame.times, v).map_err(|e| time_error(frame, e))?;
        for i in r.restarts {
            restart[i] = true;
        }
        let col = out
            .columns
            .iter_mut()
            .find(|col| &col.name == c)
            .ok_or_else(|| bad_input(format!("bandwidth: no column {c:?}")))?;
        col.name = rate_name(c);
        col.values = r.values;
        col.kind = Kind::Number;
    }
    let restart_rows: Vec<usize> = (0..frame.len()).filter(|&i| restart[i]).collect();
    let restart_lines: Vec<u64> = restart_rows
        .iter()
        .filter_map(|&i| frame.line_of(i))
        .collect();
    let gap_us = 3 * median_step(&frame.times).max(1);
    let report = RatesReport {
        rows: frame.len(),
        gaps: rates::gaps(&frame.times, gap_us).len(),
        restart_rows,
        restart_lines,
        gap_us,
    };
    Ok((out, report))
}

/// The median time step in microseconds (one minute when there is no step).
pub fn median_step(times: &[i64]) -> i64 {
    let mut steps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    if steps.is_empty() {
        return MINUTE_US;
    }
    let mid = steps.len() / 2;
    *steps.select_nth_unstable(mid).1
}

/// How one column was smoothed.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSmoothing {
    pub name: String,
    /// λ used (0: not smoothed).
    pub lambda: f64,
    /// Effective degrees of freedom (NaN when not computed).
    pub edf: f64,
}

impl fmt::Display for ColumnSmoothing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lambda == 0.0 {
            write!(f, "{}: not smoothed", self.name)
        } else {
            write!(
                f,
                "{}: λ = {:.3e} ({:.0} effective points)",
                self.name, self.lambda, self.edf
            )
        }
    }
}

/// From this many rows on, [`smooth_frame`] smooths its columns on parallel threads.
pub const PARALLEL_ROWS: usize = 5000;

/// Step `smooth`: smooths the given columns (in place) against time. NaNs are filled
/// (except with `Smoothing::Off`, which leaves the frame as it is).
pub fn smooth_frame(
    frame: &Frame,
    columns: &[String],
    smoothing: Smoothing,
) -> Result<(Frame, Vec<ColumnSmoothing>)> {
    smooth_frame_reusing(frame, columns, smoothing, None)
}

/// An earlier [`smooth_frame`] run: its input frame, output frame and notes.
type Prior<'a> = (&'a Frame, &'a Frame, &'a [ColumnSmoothing]);

/// The earlier result for column `c` when it smoothed exactly the same series (same
/// times, bit-identical values): smoothing is deterministic, so it is the same result.
fn reusable(
    prior: Option<Prior<'_>>,
    frame: &Frame,
    c: &str,
) -> Option<(Vec<f64>, ColumnSmoothing)> {
    let (input, output, notes) = prior?;
    if input.times != frame.times {
        return None;
    }
    let (a, b) = (input.values(c, "").ok()?, frame.values(c, "").ok()?);
    let same = a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
    if !same {
        return None;
    }
    let note = notes.iter().find(|n| n.name == c)?.clone();
    Some((output.values(c, "").ok()?.to_vec(), note))
}

/// [`smooth_frame`], taking the result of an earlier run for each column whose series is
/// bit-identical to what that run smoothed (the calibration smooths the cleaned rates twice,
/// with the first and the final limits; the cleaning often replaces the same samples).
fn smooth_frame_reusing(
    frame: &Frame,
    columns: &[String],
    smoothing: Smoothing,
    prior: Option<Prior<'_>>,
) -> Result<(Frame, Vec<ColumnSmoothing>)> {
    let mut notes = Vec::new();
    for c in columns {
        frame.values(c, "smooth")?;
    }
    if smoothing == Smoothing::Off {
        for c in columns {
            notes.push(ColumnSmoothing {
                name: c.clone(),
                lambda: 0.0,
                edf: f64::NAN,
            });
        }
        return Ok((frame.clone(), notes));
    }
    check_times(frame)?;
    let x: Vec<f64> = frame
        .times
        .iter()
        .map(|t| (t - frame.times.first().copied().unwrap_or(0)) as f64)
        .collect();
    // All columns have the same times, so they share the penalty.
    let penalty = smooth::Penalty::new(Some(&x), frame.len())
        .map_err(|e| bad_input(format!("smooth: {}: {e}", place(frame, e.row))))?;
    let penalty = &penalty;
    let smooth_one = |c: &String| -> Result<smooth::Smoothed> {
        if let Some((values, note)) = reusable(prior, frame, c) {
            return Ok(smooth::Smoothed {
                values,
                lambda: note.lambda,
                edf: note.edf,
                gcv: f64::NAN,
            });
        }
        let y = frame.values(c, "smooth")?;
        let problem = smooth::Whittaker::with_penalty(penalty, y);
        Ok(match smoothing {
            Smoothing::Lambda(l) => problem.fit(l),
            // `Off` returned above.
            Smoothing::Gcv | Smoothing::Off => problem.fit_gcv(),
        })
    };
    // Columns are independent: long series are smoothed on one thread each.
    let results: Vec<Result<smooth::Smoothed>> =
        if frame.len() >= PARALLEL_ROWS && columns.len() > 1 {
            std::thread::scope(|scope| {
                let handles: Vec<_> = columns
                    .iter()
                    .map(|c| scope.spawn(move || smooth_one(c)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(anyhow::anyhow!("a smoothing thread panicked")))
                    })
                    .collect()
            })
        } else {
            columns.iter().map(smooth_one).collect()
        };
    let mut smoothed: Vec<(&String, Vec<f64>)> = Vec::new();
    for (c, s) in columns.iter().zip(results) {
        let s = s?;
        notes.push(ColumnSmoothing {
            name: c.clone(),
            lambda: s.lambda,
            edf: s.edf,
        });
        smoothed.push((c, s.values));
    }
    // The other columns are copied as they are.
    let mut out = Frame {
        times: frame.times.clone(),
        lines: frame.lines.clone(),
        columns: Vec::with_capacity(frame.columns.len()),
    };
    for col in &frame.columns {
        let values = match smoothed.iter().position(|(c, _)| **c == col.name) {
            Some(k) => std::mem::take(&mut smoothed[k].1),
            None => col.values.clone(),
        };
        out.columns.push(crate::table::Column {
            name: col.name.clone(),
            values,
            kind: col.kind,
        });
    }
    Ok((out, notes))
}

/// The probe file as a frame (`Successful attempts`, `Responce time`, `Errors`).
pub fn probes_frame(p: &Probes) -> Frame {
    let mut f = Frame::with_times(p.times.clone());
    f.lines = p.lines.clone();
    f.set(SUCCESSES, p.successes.clone(), Kind::Number);
    f.set(RESPONSE_TIME, p.response.clone(), Kind::Duration);
    f.set(ERRORS, p.errors.clone(), Kind::Number);
    f
}

/// Step `join`: for each left row, the columns of the latest right row at or before it
/// (NaN before the first right row). Left rows and times are kept; a right column whose
/// name the left already has is added as `NAME (right)`.
pub fn join_frames(left: &Frame, right: &Frame) -> Frame {
    let idx = asof::asof_indices(&left.times, &right.times);
    let mut out = left.clone();
    for c in &right.columns {
        let name = if left.column(&c.name).is_some() {
            format!("{} (right)", c.name)
        } else {
            c.name.clone()
        };
        out.set(&name, asof::take(&c.values, &idx), c.kind);
    }
    out
}

/// The availability of each row of a joined frame (see `analysis::limits::unavailable_flags`).
pub fn availability(joined: &Frame, unavailable_below: f64) -> Result<Vec<Option<bool>>> {
    let s = joined.values(SUCCESSES, "limits (the joined probe columns)")?;
    let e = joined.values(ERRORS, "limits (the joined probe columns)")?;
    Ok(alimits::unavailable_flags(s, e, unavailable_below))
}

/// Step `limits`: the six statistics of each parameter over available and unavailable rows.
pub fn limits_of(
    joined: &Frame,
    parameters: &[String],
    unavailable_below: f64,
) -> Result<Vec<ParamLimits>> {
    if !(unavailable_below > 0.0 && unavailable_below <= 1.0) {
        return Err(bad_input(format!(
            "--unavailable-below {unavailable_below}: expected a fraction of the attempts, above 0 and at most 1 (default 0.5)"
        )));
    }
    let flags = availability(joined, unavailable_below)?;
    parameters
        .iter()
        .map(|p| {
            let v = joined.values(p, "limits")?;
            alimits::compute(p, v, &flags).map_err(|e| {
                bad_input(format!(
                    "{e} (unavailable = fewer than {}% of a row's attempts succeeded)",
                    unavailable_below * 100.0
                ))
            })
        })
        .collect()
}

/// Finds the limits of each parameter by name.
pub fn limits_for<'a>(
    limits: &'a [ParamLimits],
    parameters: &[String],
) -> Result<Vec<&'a ParamLimits>> {
    parameters
        .iter()
        .map(|p| {
            limits.iter().find(|l| &l.name == p).ok_or_else(|| {
                bad_input(format!(
                    "the limits have no parameter {p:?}; they have: {}",
                    limits
                        .iter()
                        .map(|l| l.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
        })
        .collect()
}

/// What [`clean_frame`] did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CleanReport {
    /// Rows dropped because a parameter was missing (e.g. the first row's rate).
    pub dropped: usize,
    /// Per parameter: how many outliers were replaced.
    pub replaced: Vec<(String, usize)>,
}

/// Step `clean`: drops rows where a parameter is missing, then per parameter replaces the
/// values at or above `errors_mean + errors_std` by linear interpolation in time.
pub fn clean_frame(
    frame: &Frame,
    limits: &[ParamLimits],
    parameters: &[String],
) -> Result<(Frame, CleanReport)> {
    let lims = limits_for(limits, parameters)?;
    let cols: Vec<&[f64]> = parameters
        .iter()
        .map(|p| frame.values(p, "clean"))
        .collect::<Result<_>>()?;
    let keep = clean::complete_rows(&cols, frame.len());
    let mut out = frame.clone();
    out.retain_rows(&keep);
    if out.is_empty() {
        return Err(bad_input(format!(
            "clean: no row has a value in every parameter ({})",
            parameters.join(", ")
        )));
    }
    let mut report = CleanReport {
        dropped: frame.len() - out.len(),
        replaced: Vec::new(),
    };
    for (p, l) in parameters.iter().zip(lims) {
        let limit = l.errors_mean + l.errors_std;
        let v = out.values(p, "clean")?;
        let c = clean::clean_outliers(&out.times, v, limit);
        report.replaced.push((p.clone(), c.replaced));
        if let Some(v) = out.values_mut(p) {
            *v = c.values;
        }
    }
    Ok((out, report))
}

/// The high flag of each row: at least `votes` parameters at or above their errors_level.
pub fn high_flags(
    frame: &Frame,
    limits: &[ParamLimits],
    parameters: &[String],
    votes: usize,
) -> Result<Vec<bool>> {
    if votes == 0 || votes > parameters.len() {
        return Err(bad_input(format!(
            "--votes {votes}: expected 1 to {} (the number of parameters)",
            parameters.len()
        )));
    }
    let lims = limits_for(limits, parameters)?;
    let cols: Vec<&[f64]> = parameters
        .iter()
        .map(|p| frame.values(p, "time table"))
        .collect::<Result<_>>()?;
    let levels: Vec<f64> = lims.iter().map(|l| l.errors_level).collect();
    Ok(timetable::high_samples(&cols, &levels, votes, frame.len()))
}

/// Step `time-table`: busy slots from a prepared frame (rates, cleaned, smoothed) and limits.
pub fn time_table_of(
    frame: &Frame,
    limits: &[ParamLimits],
    parameters: &[String],
    server: &str,
    period: PeriodSpec,
    votes: usize,
) -> Result<(TimeTable, Period, Option<PeriodChoice>)> {
    let high = high_flags(frame, limits, parameters, votes)?;
    let (period, auto) = match period {
        PeriodSpec::Fixed(p) => (p, None),
        PeriodSpec::Auto => {
            let signal: Vec<f64> = high.iter().map(|h| f64::from(u8::from(*h))).collect();
            match choose_period(&frame.times, &signal) {
                Some(c) => (c.period, Some(c)),
                None => return Err(auto_period_error(&frame.times)),
            }
        }
    };
    let busy = timetable::busy_slots(&frame.times, &high, period);
    Ok((
        TimeTable {
            server: server.to_string(),
            busy,
        },
        period,
        auto,
    ))
}

fn auto_period_error(times: &[i64]) -> anyhow::Error {
    let span = match (times.first(), times.last()) {
        (Some(a), Some(b)) => b - a,
        _ => 0,
    };
    bad_input(format!(
        "--period auto: cannot choose a period from {} rows covering {}; each period needs at least two full cycles of data \
         (hour: 2 h, day: 2 days, week: 14 days) and a repeating pattern of high samples. \
         Record longer, or choose one with --period hour|day|week",
        times.len(),
        human_us(span)
    ))
}

/// The edge-side chain on an edge measurement frame: bandwidth, clean, smooth, time table.
/// Pure (no files); used by `edge-table`, the edge service, the monitor and the testbed.
pub fn edge_time_table(
    edge: &Frame,
    limits: &[ParamLimits],
    server: &str,
    opts: &EdgeTableOptions,
) -> Result<EdgeTable> {
    let (bw, report) = bandwidth(edge, &opts.counters)?;
    table_from_rates(&bw, limits, server, opts, report.to_string(), None)
}

fn table_from_rates(
    bw: &Frame,
    limits: &[ParamLimits],
    server: &str,
    opts: &EdgeTableOptions,
    report: String,
    prior: Option<Prior<'_>>,
) -> Result<EdgeTable> {
    let (cleared, _) = clean_frame(bw, limits, &opts.parameters)?;
    let (smoothed, _) = smooth_frame_reusing(&cleared, &opts.parameters, opts.smoothing, prior)?;
    let (table, period, auto) = time_table_of(
        &smoothed,
        limits,
        &opts.parameters,
        server,
        opts.period,
        opts.votes,
    )?;
    Ok(EdgeTable {
        table,
        period,
        auto,
        report,
    })
}

/// Options of the calibration chain.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrateOptions {
    /// Counter columns turned into rates.
    pub counters: Vec<String>,
    /// The parameters whose limits are learned.
    pub parameters: Vec<String>,
    pub smoothing: Smoothing,
    /// The period of the time table.
    pub period: PeriodSpec,
    /// Parameters that must be high together (time table and quality figure).
    pub votes: usize,
    /// A row is unavailable when fewer than this fraction of its attempts succeeded.
    pub unavailable_below: f64,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions {
            counters: strings(&DEFAULT_COUNTERS),
            parameters: strings(&DEFAULT_PARAMETERS),
            smoothing: Smoothing::Gcv,
            period: PeriodSpec::Fixed(Period::Hour),
            votes: timetable::DEFAULT_VOTES,
            unavailable_below: alimits::DEFAULT_UNAVAILABLE_BELOW,
        }
    }
}

impl CalibrateOptions {
    /// The matching edge-side options.
    pub fn edge_options(&self) -> EdgeTableOptions {
        EdgeTableOptions {
            counters: self.counters.clone(),
            parameters: self.parameters.clone(),
            smoothing: self.smoothing,
            period: self.period,
            votes: self.votes,
        }
    }
}

/// Everything the calibration chain computes, in memory (SPEC section 3, in order).
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Counters as rates (`.bw.csv`).
    pub bw: Arc<Frame>,
    /// Smoothed (`.smoothed.csv`).
    pub smoothed: Arc<Frame>,
    /// Joined with the probes (`.PROBE.csv`).
    pub joined: Arc<Frame>,
    /// First limits (`.limits.csv`).
    pub first_limits: Vec<ParamLimits>,
    /// Outliers removed (`.smoothed.cleared.csv`).
    pub cleared: Arc<Frame>,
    /// Smoothed again (`.smoothed.cleared.smoothed.csv`).
    pub cleared_smoothed: Arc<Frame>,
    /// Joined again (`.PROBE.cleared.csv`).
    pub joined_cleared: Arc<Frame>,
    /// The calibration result (`.limits.cleared.csv`).
    pub limits: Vec<ParamLimits>,
    /// The time table of the edge chain with `limits` (`SERVER.time_table.csv`).
    pub table: EdgeTable,
    /// How often "high" agrees with "unavailable" on the cleared joined rows.
    pub quality: Agreement,
    /// Counter restarts and gaps of the edge data.
    pub rates: RatesReport,
    /// λ per column of the two smoothing passes.
    pub smoothing: Vec<ColumnSmoothing>,
}

impl Calibration {
    /// The calibration quality line.
    pub fn quality_line(&self, votes: usize) -> String {
        let q = &self.quality;
        format!(
            "calibration quality: \"at least {votes} parameters at or above errors_level\" agrees with \"unavailable\" on {:.1}% of {} rows \
             (high and unavailable {}, high but available {}, unavailable but not high {}, neither {})",
            q.share() * 100.0,
            q.total(),
            q.both,
            q.high_only,
            q.unavailable_only,
            q.neither
        )
    }
}

/// The calibration chain in memory: no files read or written.
pub fn calibrate_frames(
    edge: Frame,
    probes: &Probes,
    server: &str,
    opts: &CalibrateOptions,
) -> Result<Calibration> {
    calibrate_frames_with(edge, probes, server, opts, &mut |_| {})
}

/// The six intermediate frames of a calibration, in the order of [`output_paths`]
/// (rates, smoothed, joined, cleaned, smoothed again, joined again).
pub type Intermediates = [Arc<Frame>; 6];

/// [`calibrate_frames`], handing the six intermediate frames to `ready` as soon as they
/// are computed (before the limits, the time table and the quality figure), so that
/// they can be written while the rest of the chain runs.
fn calibrate_frames_with(
    edge: Frame,
    probes: &Probes,
    server: &str,
    opts: &CalibrateOptions,
    ready: &mut dyn FnMut(&Intermediates),
) -> Result<Calibration> {
    let params = &opts.parameters;
    if probes.is_empty() {
        return Err(bad_input("the probe data has no rows"));
    }
    let (bw, rates) = bandwidth(&edge, &opts.counters)?;
    drop(edge);
    let (smoothed, mut notes) = smooth_frame(&bw, params, opts.smoothing)?;
    let pf = probes_frame(probes);
    let joined = join_frames(&smoothed, &pf);
    if availability(&joined, opts.unavailable_below)?
        .iter()
        .all(Option::is_none)
    {
        return Err(no_overlap(&bw.times, &probes.times));
    }
    let first_limits = limits_of(&joined, params, opts.unavailable_below)?;
    let (cleared, _) = clean_frame(&bw, &first_limits, params)?;
    let (cleared_smoothed, notes2) = smooth_frame(&cleared, params, opts.smoothing)?;
    notes.extend(notes2);
    let joined_cleared = join_frames(&cleared_smoothed, &pf);
    let frames: Intermediates = [
        bw,
        smoothed,
        joined,
        cleared,
        cleared_smoothed,
        joined_cleared,
    ]
    .map(Arc::new);
    ready(&frames);
    let [bw, smoothed, joined, cleared, cleared_smoothed, joined_cleared] = frames;
    let limits = limits_of(&joined_cleared, params, opts.unavailable_below)?;
    let high = high_flags(&joined_cleared, &limits, params, opts.votes)?;
    let quality = Agreement::count(
        &high,
        &availability(&joined_cleared, opts.unavailable_below)?,
    );
    let table = table_from_rates(
        &bw,
        &limits,
        server,
        &opts.edge_options(),
        rates.to_string(),
        Some((&cleared, &cleared_smoothed, &notes[params.len()..])),
    )?;
    Ok(Calibration {
        bw,
        smoothed,
        joined,
        first_limits,
        cleared,
        cleared_smoothed,
        joined_cleared,
        limits,
        table,
        quality,
        rates,
        smoothing: notes,
    })
}

fn no_overlap(edge: &[i64], probes: &[i64]) -> anyhow::Error {
    use crate::table::time::format_time;
    let span = |t: &[i64]| match (t.first(), t.last()) {
        (Some(a), Some(b)) => format!("{} to {}", format_time(*a), format_time(*b)),
        _ => "nothing".to_string(),
    };
    bad_input(format!(
        "no edge row has a probe row at or before it with attempts: the edge data runs from {}, the probes from {}; \
         calibration needs probes recorded during the edge measurements",
        span(edge),
        span(probes)
    ))
}

/// The nine output paths of `calibrate`, in the order of SPEC section 3, all in EDGE's
/// folder: for EDGE `eden1_measure.csv`, PROBE `web-server1.csv`, SERVER `web-server1`:
/// `eden1_measure.bw.csv`, `eden1_measure.smoothed.csv`, `eden1_measure.web-server1.csv`,
/// `eden1_measure.limits.csv`, `eden1_measure.smoothed.cleared.csv`,
/// `eden1_measure.smoothed.cleared.smoothed.csv`, `eden1_measure.web-server1.cleared.csv`,
/// `eden1_measure.limits.cleared.csv`, `web-server1.time_table.csv`.
pub fn output_paths(edge_path: &Path, probe_path: &Path, server: &str) -> [PathBuf; 9] {
    let dir = edge_path.parent().unwrap_or(Path::new("")).to_path_buf();
    let stem = stem_of(edge_path);
    let probe = stem_of(probe_path);
    let p = |name: String| dir.join(name);
    [
        p(format!("{stem}.bw.csv")),
        p(format!("{stem}.smoothed.csv")),
        p(format!("{stem}.{probe}.csv")),
        p(format!("{stem}.limits.csv")),
        p(format!("{stem}.smoothed.cleared.csv")),
        p(format!("{stem}.smoothed.cleared.smoothed.csv")),
        p(format!("{stem}.{probe}.cleared.csv")),
        p(format!("{stem}.limits.cleared.csv")),
        p(time_table_name(server)),
    ]
}

/// `SERVER.time_table.csv`.
pub fn time_table_name(server: &str) -> String {
    format!("{server}.time_table.csv")
}

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What [`calibrate`] computed and wrote.
#[derive(Debug, Clone)]
pub struct CalibrationReport {
    pub calibration: Calibration,
    /// The files written, in the order of [`output_paths`].
    pub paths: Vec<PathBuf>,
    /// The edge file's summary line (`FILE: N rows, K counter restarts, G gaps > 3 min`).
    pub summary: String,
}

impl CalibrationReport {
    /// The calibration result.
    pub fn limits(&self) -> &[ParamLimits] {
        &self.calibration.limits
    }
    /// The time table.
    pub fn table(&self) -> &TimeTable {
        &self.calibration.table.table
    }
}

/// Reads an edge measurement file for the chains (all columns; time order checked).
pub fn read_edge(path: &Path) -> Result<Frame> {
    let f = Frame::read(path, ReadOptions::default())?;
    check_times(&f).map_err(|e| bad_input(format!("{}: {e}", path.display())))?;
    Ok(f)
}

/// Checks that the edge file has every counter, and every parameter either as a column
/// or as the rate of a counter; the message names the file and its header line.
pub fn check_columns(
    edge: &Frame,
    path: &Path,
    counters: &[String],
    parameters: &[String],
) -> Result<()> {
    let have = edge.column_names();
    let missing = |name: &str, role: &str| {
        bad_input(format!(
            "{}:1: no column {name:?} ({role}); columns are: {}",
            path.display(),
            have.join(", ")
        ))
    };
    for c in counters {
        if edge.column(c).is_none() {
            return Err(missing(c, "a counter"));
        }
    }
    for p in parameters {
        let from_counter = counters.iter().any(|c| &rate_name(c) == p);
        if !from_counter && edge.column(p).is_none() {
            return Err(missing(p, "a parameter"));
        }
    }
    Ok(())
}

/// The calibration chain on files (the reference `analysis.sh`): reads EDGE and PROBE,
/// computes everything in memory, then writes the nine files next to EDGE, each
/// atomically. Nothing is written when anything fails: the six intermediate files are
/// formatted and written to temporary files while the chain goes on (on other threads),
/// and all nine are renamed into place only when the whole chain has succeeded.
pub fn calibrate(
    edge_path: &Path,
    probe_path: &Path,
    server: &str,
    opts: &CalibrateOptions,
) -> Result<CalibrationReport> {
    // The two files are independent: the probe file is read on a second thread.
    let (edge, probes) = std::thread::scope(|scope| {
        let probes = scope.spawn(|| Probes::read(probe_path));
        let edge = read_edge(edge_path).and_then(|e| {
            check_columns(&e, edge_path, &opts.counters, &opts.parameters).map(|()| e)
        });
        let probes = probes.join().unwrap_or_else(|_| {
            Err(anyhow::anyhow!(
                "the thread reading {} panicked",
                probe_path.display()
            ))
        });
        // The edge file's error first, as when the files were read one after the other.
        Ok::<_, anyhow::Error>((edge?, probes?))
    })?;
    let paths = output_paths(edge_path, probe_path, server);
    // The six intermediate files are written (to temporary files) on other threads while
    // the limits and the time table are computed; nothing is renamed into place unless
    // the whole chain succeeds.
    let (cal, frames) = std::thread::scope(|scope| {
        let mut writer = None;
        let cal = calibrate_frames_with(edge, &probes, server, opts, &mut |frames| {
            let (frames, paths) = (frames.clone(), &paths);
            writer = Some(scope.spawn(move || write_intermediates(&frames, paths)));
        });
        let frames = writer.map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the thread writing the outputs panicked")))
        });
        (cal, frames)
    });
    let cal = cal?;
    // `calibrate_frames_with` hands the frames over before it can succeed.
    let frames = frames
        .ok_or_else(|| anyhow::anyhow!("the intermediate frames were never handed over"))??;
    write_outputs(&cal, frames, &paths, server)?;
    let summary = format!("{}: {}", edge_path.display(), cal.rates);
    Ok(CalibrationReport {
        calibration: cal,
        paths: paths.to_vec(),
        summary,
    })
}

/// Writes the six intermediate frames of [`calibrate`] to synced temporary files
/// (outputs 0-2 and 4-6 of [`output_paths`]).
///
/// They are formatted together ([`multi`]), each copying the cells it shares with the
/// ones before it: the smoothed file repeats the rates, the joined one the smoothed one,
/// the cleaned one the rates, and so on.
fn write_intermediates(frames: &Intermediates, paths: &[PathBuf; 9]) -> Result<Vec<PendingFile>> {
    use crate::table::multi::{write_pending_all, Output};
    // Output paths, and bases as indices into `frames`.
    let files: [(usize, &[usize]); 6] = [
        (0, &[]),
        (1, &[0]),
        (2, &[1]),
        (4, &[0]),
        (5, &[3]),
        (6, &[4, 2]),
    ];
    let outputs: Vec<Output> = frames
        .iter()
        .zip(files)
        .map(|(frame, (i, bases))| Output {
            frame,
            path: &paths[i],
            bases,
        })
        .collect();
    write_pending_all(&outputs)
}

/// Writes the three small outputs of [`calibrate`] (limits, limits, time table), then
/// renames all nine into place (`frames` are the other six, see
/// [`write_intermediates`]).
fn write_outputs(
    cal: &Calibration,
    frames: Vec<PendingFile>,
    paths: &[PathBuf; 9],
    server: &str,
) -> Result<()> {
    let mut pending = frames;
    pending.push(write_limits_pending(&paths[3], &cal.first_limits)?);
    pending.push(write_limits_pending(&paths[7], &cal.limits)?);
    pending.push(
        write_time_table_pending(&paths[8], &cal.table.table)
            .with_context(|| format!("writing the time table of {server}"))?,
    );
    // In the order of the paths. Each rename is atomic; replacing a file frees the old
    // one (about 1.5 ms for 5 MB, and the kernel does not overlap renames in one folder).
    pending.sort_by_key(|p| paths.iter().position(|q| q == p.path()));
    pending.into_iter().try_for_each(PendingFile::commit)
}

/// Prefixes an error with the file it is about (keeps its class: input errors stay input
/// errors, exit code 2).
pub fn in_file(path: &Path, e: anyhow::Error) -> anyhow::Error {
    e.context(path.display().to_string())
}

/// Reads any CSV frame (all columns, time order checked by the reader).
pub fn read_frame(path: &Path) -> Result<Frame> {
    Frame::read(path, ReadOptions::default())
}

/// The counters behind the rate parameters: `App. Tx B/s` -> `App. Tx B`.
pub fn counters_of(parameters: &[String]) -> Vec<String> {
    parameters
        .iter()
        .filter_map(|p| p.strip_suffix("/s").map(str::to_string))
        .collect()
}

/// The busy slots of a table as ranges of slot labels: `:16-:19, :46-:49` (or `none`).
pub fn busy_ranges(tt: &TimeTable, period: Period) -> String {
    let runs = crate::analysis::patterns::busy_runs(&tt.busy);
    if runs.is_empty() {
        return "none".to_string();
    }
    const SHOWN: usize = 12;
    let mut text = runs
        .iter()
        .take(SHOWN)
        .map(|r| {
            let (a, b) = (
                period.slot_label(r.start),
                period.slot_label(r.end(tt.busy.len())),
            );
            if r.len == 1 {
                a
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    if runs.len() > SHOWN {
        text.push_str(&format!(", ... ({} runs)", runs.len()));
    }
    text
}

/// A one-line description of a time table: `web-server1: 8 busy slots of 60 (hour): :16-:19, :46-:49`.
pub fn table_line(tt: &TimeTable, period: Period) -> String {
    format!(
        "{}: {} busy slot{} of {} ({period}): {}",
        tt.server,
        tt.busy_count(),
        if tt.busy_count() == 1 { "" } else { "s" },
        tt.busy.len(),
        busy_ranges(tt, period)
    )
}

/// The limits as an aligned text table, for printing.
pub fn limits_text(limits: &[ParamLimits]) -> String {
    let width = limits
        .iter()
        .map(|l| l.name.chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    let mut s = format!("{:<width$}", "parameter");
    for n in alimits::STAT_NAMES {
        s.push_str(&format!(" {n:>20}"));
    }
    s.push('\n');
    for l in limits {
        s.push_str(&format!("{:<width$}", l.name));
        for v in l.as_array() {
            s.push_str(&format!(" {:>20}", format!("{v:.6}")));
        }
        s.push('\n');
    }
    s
}

/// The auto-period line: `period: day (chosen automatically, strength 0.83, 6.0 cycles; ...)`.
pub fn period_line(period: Period, auto: Option<&PeriodChoice>) -> String {
    match auto {
        None => format!("period: {period}"),
        Some(c) => {
            let cands: Vec<String> = c
                .candidates
                .iter()
                .map(|(p, s)| format!("{p} {s:.2}"))
                .collect();
            format!(
                "period: {period} (chosen automatically, strength {:.2}, {:.1} cycles of data; candidates: {})",
                c.strength,
                c.cycles,
                cands.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() {
        assert_eq!("gcv".parse::<Smoothing>(), Ok(Smoothing::Gcv));
        assert_eq!("off".parse::<Smoothing>(), Ok(Smoothing::Off));
        assert_eq!("250".parse::<Smoothing>(), Ok(Smoothing::Lambda(250.0)));
        assert!("-1".parse::<Smoothing>().is_err());
        assert!("spline".parse::<Smoothing>().is_err());
        assert_eq!("auto".parse::<PeriodSpec>(), Ok(PeriodSpec::Auto));
        assert_eq!(
            "day".parse::<PeriodSpec>(),
            Ok(PeriodSpec::Fixed(Period::Day))
        );
        assert!("month".parse::<PeriodSpec>().is_err());
        assert_eq!(
            EdgeTableOptions::default().period,
            PeriodSpec::Fixed(Period::Hour)
        );
    }

    #[test]
    fn summary_line() {
        let r = RatesReport {
            rows: 2880,
            restart_rows: vec![1440],
            restart_lines: vec![1442],
            gaps: 0,
            gap_us: 3 * MINUTE_US,
        };
        assert_eq!(
            r.to_string(),
            "2880 rows, 1 counter restart (line 1442), 0 gaps > 3 min"
        );
    }

    #[test]
    fn output_names_follow_the_reference() {
        let p = output_paths(
            Path::new("d/eden1_measure.csv"),
            Path::new("x/web-server1.csv"),
            "web-server1",
        );
        let names: Vec<String> = p.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(names[2], "d/eden1_measure.web-server1.csv");
        assert_eq!(names[6], "d/eden1_measure.web-server1.cleared.csv");
        assert_eq!(names[8], "d/web-server1.time_table.csv");
    }
}

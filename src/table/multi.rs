//! Writing several frames at once when they repeat one another's cells.
//!
//! The calibration writes six intermediate files of the same rows that mostly repeat
//! one another: the smoothed file is the rates file with three columns smoothed, the
//! joined file is the smoothed file plus the probe columns, and so on. Formatting 30 MB
//! of numbers is a large part of a `calibrate` run, and copying the text of a cell that
//! an earlier file already holds is several times cheaper than formatting it again.
//!
//! This module owns how that is done. The rows are cut into chunks by time; for each
//! chunk, every frame's rows in it are formatted in turn, each copying the cells it
//! shares (same time, same column name and kind, bit-identical value) from the chunks of
//! its *bases*, earlier frames of the same call. Formatting is a pure function of the
//! value, so the bytes are those [`Frame::write_to`] writes. Chunks are formatted on
//! several threads and appended to the files in order; only a few chunks are in memory
//! at a time (and in the CPU's caches), whatever the length of the frames.
//!
//! It writes synced temporary files and hands them back as [`PendingFile`]s: deciding
//! whether they replace their destinations is the caller's business.

use super::atomic::PendingFile;
use super::frame::{push_field, push_number, Frame, Kind, TIME};
use super::time::{push_duration, TimeWriter};
use anyhow::{Context, Result};
use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::sync::{Condvar, Mutex};

/// One file to write.
#[derive(Debug, Clone, Copy)]
pub struct Output<'a> {
    pub frame: &'a Frame,
    pub path: &'a Path,
    /// Earlier outputs of the same call (indices) whose cells this one may copy.
    pub bases: &'a [usize],
}

/// Rows per chunk of the longest frame: small enough for a chunk of six files to stay in
/// the CPU's caches, large enough to make the per-chunk work negligible.
const CHUNK_ROWS: usize = 1024;

/// Writes every output to a synced temporary file in its destination's folder and
/// returns them, in the order of `outputs`, for the caller to commit. The first error
/// stops the writing; no temporary file is left behind on error.
///
/// # Panics
/// When an output names a base that is not an earlier output.
pub fn write_pending_all(outputs: &[Output<'_>]) -> Result<Vec<PendingFile>> {
    for (i, o) in outputs.iter().enumerate() {
        assert!(o.bases.iter().all(|b| *b < i), "bases must come earlier");
    }
    let files: Vec<PendingFile> = outputs
        .iter()
        .map(|o| {
            let file = PendingFile::create(o.path)?;
            let mut header = String::new();
            push_header(&mut header, o.frame);
            file.file()
                .write_all(header.as_bytes())
                .with_context(|| format!("writing {}", o.path.display()))?;
            Ok(file)
        })
        .collect::<Result<_>>()?;
    let plan = Plan::new(outputs);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 4)
        .min(plan.chunks.max(1));
    let turn = Turn::default();
    let failures: Vec<anyhow::Error> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (plan, files, turn) = (&plan, &files, &turn);
                scope.spawn(move || work(w, workers, plan, outputs, files, turn))
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match h.join() {
                Ok(r) => r.err(),
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    if let Some(e) = failures.into_iter().next() {
        return Err(e);
    }
    // Syncing waits for the disk: all files at once.
    let synced: Vec<Result<()>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files.iter().map(|f| scope.spawn(|| f.finish())).collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(r) => r,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    synced.into_iter().collect::<Result<Vec<()>>>()?;
    Ok(files)
}

/// Writes one frame to any writer, a chunk at a time (see [`Frame::write_to`]).
pub(super) fn write_frame_to(frame: &Frame, w: &mut dyn Write) -> Result<()> {
    let mut text = ChunkText::default();
    push_header(&mut text.text, frame);
    w.write_all(text.text.as_bytes())?;
    let mut floats = zmij::Buffer::new();
    for start in (0..frame.len()).step_by(CHUNK_ROWS) {
        let rows = start..(start + CHUNK_ROWS).min(frame.len());
        format_rows(frame, rows, &[], &mut text, &mut floats);
        w.write_all(text.text.as_bytes())?;
    }
    Ok(())
}

fn push_header(out: &mut String, frame: &Frame) {
    out.push_str(TIME);
    for c in &frame.columns {
        out.push(',');
        push_field(out, &c.name);
    }
    out.push('\n');
}

/// The chunks: for each chunk, each output's row range; and for each output and each of
/// its bases, which base column (if any) matches each of the output's columns.
struct Plan {
    chunks: usize,
    /// rows[c][o]: the rows of output o in chunk c.
    rows: Vec<Vec<Range<usize>>>,
    /// columns[o][k][j]: for base k of output o, the index of the base's column with the
    /// name and kind of output o's column j.
    columns: Vec<Vec<Vec<Option<usize>>>>,
}

impl Plan {
    fn new(outputs: &[Output<'_>]) -> Plan {
        let sorted = outputs
            .iter()
            .all(|o| o.frame.times.windows(2).all(|w| w[0] <= w[1]));
        let longest = outputs.iter().map(|o| o.frame.len()).max().unwrap_or(0);
        // Chunk bounds are times of the longest frame; every frame's rows before the
        // first bound go to chunk 0, and so on. Frames out of time order are written in
        // one chunk (every row exactly once, whatever the order).
        let bounds: Vec<i64> = match outputs.iter().find(|o| o.frame.len() == longest) {
            Some(o) if sorted => o
                .frame
                .times
                .iter()
                .step_by(CHUNK_ROWS)
                .skip(1)
                .copied()
                .collect(),
            _ => Vec::new(),
        };
        let chunks = bounds.len() + 1;
        let mut rows = Vec::with_capacity(chunks);
        let mut starts = vec![0usize; outputs.len()];
        for c in 0..chunks {
            let mut chunk = Vec::with_capacity(outputs.len());
            for (o, start) in outputs.iter().zip(&mut starts) {
                let end = match bounds.get(c) {
                    Some(&bound) => {
                        *start + o.frame.times[*start..].partition_point(|t| *t < bound)
                    }
                    None => o.frame.len(),
                };
                chunk.push(*start..end);
                *start = end;
            }
            rows.push(chunk);
        }
        let columns = outputs
            .iter()
            .map(|o| {
                o.bases
                    .iter()
                    .map(|&b| {
                        let base = outputs[b].frame;
                        o.frame
                            .columns
                            .iter()
                            .map(|c| {
                                base.columns
                                    .iter()
                                    .position(|d| d.name == c.name && d.kind == c.kind)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Plan {
            chunks,
            rows,
            columns,
        }
    }
}

/// How many chunks between two [`start_writeback`]s.
const WRITEBACK_CHUNKS: usize = 8;

/// Asks the kernel to start writing the file's dirty pages to disk, and returns at once
/// (Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)`). Only a hint: errors are left to
/// the final sync, which reports them.
fn start_writeback(file: &std::fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is open (borrowed from `file`) for the whole call, and the
    // call reads no memory of ours.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

/// Whose turn it is to append its chunk to the files.
#[derive(Default)]
struct Turn {
    state: Mutex<TurnState>,
    changed: Condvar,
}

#[derive(Default)]
struct TurnState {
    next: usize,
    failed: bool,
}

impl Turn {
    /// Waits until chunk `c` may be written; false when another worker failed.
    fn wait_for(&self, c: usize) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        while state.next != c && !state.failed {
            state = match self.changed.wait(state) {
                Ok(s) => s,
                Err(_) => return false,
            };
        }
        !state.failed
    }

    fn done(&self, c: usize, ok: bool) {
        if let Ok(mut state) = self.state.lock() {
            if ok {
                state.next = c + 1;
            } else {
                state.failed = true;
            }
        }
        self.changed.notify_all();
    }
}

/// Marks the writing as failed when dropped during a panic, waking the other workers.
struct FailOnPanic<'a>(&'a Turn);

impl Drop for FailOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.done(0, false);
        }
    }
}

/// The text of one output's rows in one chunk, with where each cell starts (then the
/// end of the text).
#[derive(Default)]
struct ChunkText {
    text: String,
    starts: Vec<usize>,
    rows: Range<usize>,
    cells_per_row: usize,
}

/// Worker `w` of `workers`: formats chunks w, w + workers, ... and appends each to the
/// files when its turn comes.
fn work(
    w: usize,
    workers: usize,
    plan: &Plan,
    outputs: &[Output<'_>],
    files: &[PendingFile],
    turn: &Turn,
) -> Result<()> {
    // A worker that panics must not leave the others waiting for its turn forever.
    let _guard = FailOnPanic(turn);
    let mut texts: Vec<ChunkText> = outputs.iter().map(|_| ChunkText::default()).collect();
    let mut floats = zmij::Buffer::new();
    for c in (w..plan.chunks).step_by(workers) {
        for o in 0..outputs.len() {
            let (done, rest) = texts.split_at_mut(o);
            let bases: Vec<(&Frame, &ChunkText, &[Option<usize>])> = outputs[o]
                .bases
                .iter()
                .zip(&plan.columns[o])
                .map(|(&b, cols)| (outputs[b].frame, &done[b], cols.as_slice()))
                .collect();
            format_rows(
                outputs[o].frame,
                plan.rows[c][o].clone(),
                &bases,
                &mut rest[0],
                &mut floats,
            );
        }
        if !turn.wait_for(c) {
            return Ok(());
        }
        let written = outputs
            .iter()
            .zip(files)
            .zip(&texts)
            .try_for_each(|((o, f), t)| {
                f.file()
                    .write_all(t.text.as_bytes())
                    .with_context(|| format!("writing {}", o.path.display()))
            });
        // Every few chunks, start writing the files out to disk (without waiting), so
        // that the final sync has little left to wait for.
        if written.is_ok() && c % WRITEBACK_CHUNKS == WRITEBACK_CHUNKS - 1 {
            for f in files {
                start_writeback(f.file());
            }
        }
        turn.done(c, written.is_ok());
        written?;
    }
    Ok(())
}

/// Formats `rows` of `frame` into `out`, copying cells from the bases' chunks: a base
/// row with the same time gives its time cell, and each of its cells whose column has
/// the same name and kind and whose value is bit-identical (or missing in both). Runs of
/// neighbouring cells copied from one base row are copied in one piece, separators
/// included: a joined row is mostly the smoothed row it extends.
fn format_rows(
    frame: &Frame,
    rows: Range<usize>,
    bases: &[(&Frame, &ChunkText, &[Option<usize>])],
    out: &mut ChunkText,
    floats: &mut zmij::Buffer,
) {
    let k = frame.columns.len() + 1;
    out.text.clear();
    out.starts.clear();
    out.rows = rows.clone();
    out.cells_per_row = k;
    let text = &mut out.text;
    let starts = &mut out.starts;
    // Our columns, and for each base and each of our columns the base's values and cell
    // index (time = 0) in a column of the same name and kind.
    let ours: Vec<(&[f64], Kind)> = frame
        .columns
        .iter()
        .map(|c| (c.values.as_slice(), c.kind))
        .collect();
    let theirs: Vec<Vec<BaseCell>> = bases
        .iter()
        .map(|(b, _, cols)| {
            cols.iter()
                .map(|c| c.map(|c| (b.columns[c].values.as_slice(), c + 1)))
                .collect()
        })
        .collect();
    // Each base's position: rows are matched by time in one forward pass.
    let mut pos: Vec<usize> = bases.iter().map(|(_, t, _)| t.rows.start).collect();
    let mut row_of: Vec<Option<usize>> = vec![None; bases.len()];
    let mut times = TimeWriter::default();
    // Bit-identical, or both written as an empty cell.
    let same = |v: f64, w: f64| v.to_bits() == w.to_bits() || !(v.is_finite() || w.is_finite());
    for i in rows {
        let t = frame.times[i];
        for (bi, (b, bt, _)) in bases.iter().enumerate() {
            let p = &mut pos[bi];
            while *p < bt.rows.end && b.times[*p] < t {
                *p += 1;
            }
            row_of[bi] = (*p < bt.rows.end && b.times[*p] == t).then_some(*p);
        }
        let flush = |run: &mut Option<Run>, text: &mut String, starts: &mut Vec<usize>| {
            if let Some(done) = run.take() {
                done.copy(bases[done.base].1, text, starts);
            }
        };
        // The time cell: from the first base that has the row.
        let mut run = row_of.iter().enumerate().find_map(|(bi, r)| {
            r.map(|row| Run {
                base: bi,
                row,
                cell: 0,
                first: 0,
                last: 0,
            })
        });
        if run.is_none() {
            starts.push(text.len());
            times.push(text, t);
        }
        for (j, &(values, kind)) in ours.iter().enumerate() {
            let v = values[i];
            // The base of the run being copied first, then any base.
            let mut source = None;
            if let Some(run) = &run {
                if let Some((col, cell)) = theirs[run.base][j] {
                    if same(v, col[run.row]) {
                        source = Some((run.base, run.row, cell));
                    }
                }
            }
            if source.is_none() {
                for (bi, row) in row_of.iter().enumerate() {
                    if let (Some(r), Some((col, cell))) = (*row, theirs[bi][j]) {
                        if same(v, col[r]) {
                            source = Some((bi, r, cell));
                            break;
                        }
                    }
                }
            }
            match source {
                Some((bi, r, cell)) => match &mut run {
                    Some(run) if run.base == bi && run.row == r && run.last + 1 == cell => {
                        run.last = cell;
                    }
                    _ => {
                        flush(&mut run, text, starts);
                        run = Some(Run {
                            base: bi,
                            row: r,
                            cell: j + 1,
                            first: cell,
                            last: cell,
                        });
                    }
                },
                None => {
                    flush(&mut run, text, starts);
                    text.push(',');
                    starts.push(text.len());
                    if v.is_finite() {
                        match kind {
                            Kind::Number => push_number(text, v, floats),
                            Kind::Duration => push_duration(text, v),
                        }
                    }
                }
            }
        }
        flush(&mut run, text, starts);
        text.push('\n');
    }
    starts.push(text.len());
}

/// Where a base holds one of our columns: its values and its cell index (time = 0).
type BaseCell<'a> = Option<(&'a [f64], usize)>;

/// Neighbouring cells of one base row being copied: base cells `first..=last`, which
/// become this row's cells from `cell` on.
#[derive(Debug, Clone, Copy)]
struct Run {
    base: usize,
    row: usize,
    cell: usize,
    first: usize,
    last: usize,
}

impl Run {
    /// Appends the run's text (with the separator before it) and its cells' starts.
    fn copy(self, base: &ChunkText, text: &mut String, starts: &mut Vec<usize>) {
        if self.cell > 0 {
            text.push(',');
        }
        let at = (self.row - base.rows.start) * base.cells_per_row;
        let from = base.starts[at + self.first];
        let to = base.starts[at + self.last + 1] - 1;
        let shift = text.len();
        for c in self.first..=self.last {
            starts.push(shift + base.starts[at + c] - from);
        }
        text.push_str(&base.text[from..to]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: &Frame) -> String {
        let mut v = Vec::new();
        f.write_to(&mut v).unwrap();
        String::from_utf8(v).unwrap()
    }

    fn frames(n: i64) -> Vec<Frame> {
        let mut a = Frame::with_times(
            (0..n)
                .map(|i| 1_700_000_000_000_000 + i * 61_000_123)
                .collect(),
        );
        let x: Vec<f64> = (0..n).map(|i| i as f64 * 1.37 - 3.0).collect();
        let mut y: Vec<f64> = (0..n).map(|i| (i * i) as f64).collect();
        y[7] = f64::NAN;
        a.set("x", x.clone(), Kind::Number);
        a.set("y", y, Kind::Number);
        a.set("d", x.iter().map(|v| v.abs()).collect(), Kind::Duration);
        // Fewer rows, some values changed, a column of another kind, a new column.
        let mut b = a.clone();
        let keep: Vec<bool> = (0..n).map(|i| i % 3 != 0).collect();
        b.retain_rows(&keep);
        if let Some(v) = b.values_mut("x") {
            v[4] = 1e21;
            v[5] = f64::NAN;
        }
        b.set("d", b.values("x", "").unwrap().to_vec(), Kind::Number);
        b.set("z", vec![0.25; b.len()], Kind::Number);
        // Rows the bases do not have.
        let mut c = b.clone();
        c.times.push(c.times[c.len() - 1] + 1);
        for col in &mut c.columns {
            col.values.push(2.5);
        }
        vec![a, b, c]
    }

    #[test]
    fn files_written_together_are_what_write_to_writes() {
        // One chunk, a few chunks, many chunks on several workers.
        for n in [50, 3000, 20_000] {
            let fs = frames(n);
            let dir = tempfile::tempdir().unwrap();
            let paths: Vec<_> = (0..3)
                .map(|i| dir.path().join(format!("{i}.csv")))
                .collect();
            let bases: [&[usize]; 3] = [&[], &[0], &[1, 0]];
            let outputs: Vec<Output> = (0..3)
                .map(|i| Output {
                    frame: &fs[i],
                    path: &paths[i],
                    bases: bases[i],
                })
                .collect();
            let pending = write_pending_all(&outputs).unwrap();
            assert!(
                paths.iter().all(|p| !p.exists()),
                "nothing in place before commit"
            );
            for p in pending {
                p.commit().unwrap();
            }
            for (f, p) in fs.iter().zip(&paths) {
                assert_eq!(std::fs::read_to_string(p).unwrap(), written(f), "n = {n}");
            }
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
        }
    }

    #[test]
    fn frames_out_of_time_order_lose_no_row() {
        let mut fs = frames(5000);
        fs[1].times.swap(10, 3000);
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<_> = (0..2)
            .map(|i| dir.path().join(format!("{i}.csv")))
            .collect();
        let outputs = [
            Output {
                frame: &fs[0],
                path: &paths[0],
                bases: &[],
            },
            Output {
                frame: &fs[1],
                path: &paths[1],
                bases: &[0],
            },
        ];
        for p in write_pending_all(&outputs).unwrap() {
            p.commit().unwrap();
        }
        for (f, p) in fs.iter().zip(&paths) {
            assert_eq!(std::fs::read_to_string(p).unwrap(), written(f));
        }
    }

    #[test]
    fn a_folder_that_cannot_be_written_fails_and_leaves_nothing() {
        let fs = frames(10);
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("a.csv");
        let bad = dir.path().join("missing").join("b.csv");
        let outputs = [
            Output {
                frame: &fs[0],
                path: &good,
                bases: &[],
            },
            Output {
                frame: &fs[1],
                path: &bad,
                bases: &[0],
            },
        ];
        let e = write_pending_all(&outputs).unwrap_err();
        assert!(format!("{e:#}").contains("missing"), "{e:#}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

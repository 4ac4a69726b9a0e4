//! The generic time-indexed table behind every CSV file edgeshift reads or writes.
//!
//! A [`Frame`] is a `Time` column plus named numeric columns. Edge measurement files,
//! probe files and all intermediate files (rates, smoothed, joined) are frames; the
//! specific modules (`edge`, `probe`) only add column names and row formatting.
//!
//! Reading accepts what the reference and pandas write: zero or more unnamed leading index
//! columns (`""`, `Unnamed: 0`, `Unnamed: 0.1`), `T` or a space between date and time,
//! with or without fractional seconds, empty cells for missing values, and `Responce time`
//! cells in `H:MM:SS.ffffff` form (read as seconds, written back in the same form).
//! Every error names the file, the line, the column and the bad value.

use super::atomic::write_atomic;
use super::time::{format_time, parse_duration, parse_time, push_duration, TimeWriter};
use crate::error::bad_input;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// The name of the time column in every file.
pub const TIME: &str = "Time";

/// How a column's cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A plain number; NaN is written as an empty cell.
    Number,
    /// Seconds, written as `H:MM:SS.ffffff` (the probe's `Responce time`).
    Duration,
}

/// One named column of values. Missing values are NaN.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: Vec<f64>,
    pub kind: Kind,
}

/// A table of rows in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    /// Row times, microseconds of wall-clock time (see `table::time`).
    pub times: Vec<i64>,
    pub columns: Vec<Column>,
    /// The file line of each row (1-based, header = line 1), for messages about a row;
    /// empty for frames that were computed rather than read.
    pub lines: Vec<u64>,
}

/// Which columns to read.
#[derive(Debug, Clone, Copy)]
pub enum Select<'a> {
    /// Every column (except index columns).
    All,
    /// Exactly these columns; a missing one is an error that lists what the file has.
    Only(&'a [&'a str]),
}

/// Options for reading a frame.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions<'a> {
    pub select: Select<'a>,
    /// Refuse rows whose time is earlier than the previous row's (equal times pass here;
    /// computations that divide by time differences check them themselves).
    pub require_ordered: bool,
}

impl Default for ReadOptions<'_> {
    fn default() -> Self {
        ReadOptions {
            select: Select::All,
            require_ordered: true,
        }
    }
}

/// True for the unnamed index columns pandas writes.
pub fn is_index_column(name: &str) -> bool {
    let n = name.trim();
    n.is_empty() || n.starts_with("Unnamed: ")
}

impl Frame {
    /// An empty frame with the given times.
    pub fn with_times(times: Vec<i64>) -> Frame {
        Frame {
            times,
            columns: Vec::new(),
            lines: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The values of a column, or an input error naming the columns that exist.
    pub fn values(&self, name: &str, what: &str) -> Result<&[f64]> {
        self.column(name)
            .map(|c| c.values.as_slice())
            .ok_or_else(|| {
                bad_input(format!(
                    "{what}: no column {name:?}; columns are: {}",
                    self.column_names().join(", ")
                ))
            })
    }

    pub fn values_mut(&mut self, name: &str) -> Option<&mut Vec<f64>> {
        self.columns
            .iter_mut()
            .find(|c| c.name == name)
            .map(|c| &mut c.values)
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Adds a column, or replaces the values of an existing one with the same name.
    pub fn set(&mut self, name: &str, values: Vec<f64>, kind: Kind) {
        debug_assert_eq!(values.len(), self.times.len());
        if let Some(c) = self.columns.iter_mut().find(|c| c.name == name) {
            c.values = values;
            c.kind = kind;
        } else {
            self.columns.push(Column {
                name: name.to_string(),
                values,
                kind,
            });
        }
    }

    /// Keeps only the rows where `keep` is true.
    pub fn retain_rows(&mut self, keep: &[bool]) {
        let filter = |v: &mut Vec<f64>| {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        };
        let mut i = 0;
        self.times.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        if !self.lines.is_empty() {
            let mut i = 0;
            self.lines.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        for c in &mut self.columns {
            filter(&mut c.values);
        }
    }

    /// The file line of row `i`, if known.
    pub fn line_of(&self, i: usize) -> Option<u64> {
        self.lines.get(i).copied()
    }

    /// Reads a frame from a CSV file.
    pub fn read(path: &Path, opts: ReadOptions<'_>) -> Result<Frame> {
        let file = std::fs::File::open(path)
            .map_err(|e| bad_input(format!("cannot open {}: {e}", path.display())))?;
        Frame::from_reader(file, &path.display().to_string(), opts)
    }

    /// Reads a frame from any reader; `name` is used in messages.
    pub fn from_reader<R: std::io::Read>(
        reader: R,
        name: &str,
        opts: ReadOptions<'_>,
    ) -> Result<Frame> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let headers = rdr
            .byte_headers()
            .map_err(|e| bad_input(format!("{name}: cannot read the header line: {e}")))?
            .clone();
        if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
            return Err(bad_input(format!(
                "{name}: the file is empty (no header line)"
            )));
        }
        let header_names: Vec<String> = headers
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_string()
            })
            .collect();
        let time_idx = header_names.iter().position(|h| h == TIME).ok_or_else(|| {
            bad_input(format!(
                "{name}:1: no {TIME:?} column in the header; columns are: {}",
                header_names.join(", ")
            ))
        })?;
        // (file column index, output column index)
        let mut wanted: Vec<(usize, String)> = Vec::new();
        match opts.select {
            Select::All => {
                for (i, h) in header_names.iter().enumerate() {
                    if i != time_idx && !is_index_column(h) {
                        wanted.push((i, h.clone()));
                    }
                }
            }
            Select::Only(names) => {
                for want in names {
                    let i = header_names.iter().position(|h| h == want).ok_or_else(|| {
                        let have: Vec<&str> = header_names
                            .iter()
                            .filter(|h| !is_index_column(h))
                            .map(String::as_str)
                            .collect();
                        bad_input(format!(
                            "{name}:1: no column {want:?}; columns are: {}",
                            have.join(", ")
                        ))
                    })?;
                    wanted.push((i, want.to_string()));
                }
            }
        }
        let mut frame = Frame::default();
        let mut cols: Vec<Column> = wanted
            .iter()
            .map(|(_, n)| Column {
                name: n.clone(),
                values: Vec::new(),
                kind: Kind::Number,
            })
            .collect();
        let mut kind_known = vec![false; cols.len()];
        let mut record = csv::ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    return Err(bad_input(format!("{name}:{line}: malformed CSV: {e}")));
                }
            }
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if record.len() == 1 && record[0].is_empty() {
                continue; // blank line
            }
            let cell = |i: usize| -> &str { std::str::from_utf8(&record[i]).unwrap_or("\u{fffd}") };
            let ts = cell(time_idx);
            let t = parse_time(ts).ok_or_else(|| {
                bad_input(format!(
                    "{name}:{line}: column {TIME:?}: cannot read {ts:?} as a time; expected e.g. 2024-03-04T00:01:02.209339"
                ))
            })?;
            if opts.require_ordered {
                if let Some(&prev) = frame.times.last() {
                    if t < prev {
                        return Err(bad_input(format!(
                            "{name}:{line}: column {TIME:?}: time goes backwards ({} after {}); rows must be in time order",
                            ts.trim(),
                            format_time(prev)
                        )));
                    }
                }
            }
            frame.times.push(t);
            frame.lines.push(line);
            for (k, (fi, cname)) in wanted.iter().enumerate() {
                let raw = cell(*fi).trim();
                let v = if raw.is_empty() || raw.eq_ignore_ascii_case("nan") {
                    f64::NAN
                } else if let Ok(v) = raw.parse::<f64>() {
                    v
                } else if let Some(d) = parse_duration(raw) {
                    if !kind_known[k] {
                        cols[k].kind = Kind::Duration;
                    }
                    d
                } else {
                    return Err(bad_input(format!(
                        "{name}:{line}: column {cname:?}: cannot read {raw:?} as a number"
                    )));
                };
                if !raw.is_empty() {
                    kind_known[k] = true;
                }
                cols[k].values.push(v);
            }
        }
        if frame.times.is_empty() {
            return Err(bad_input(format!("{name}: no data rows after the header")));
        }
        frame.columns = cols;
        Ok(frame)
    }

    /// Writes the frame as CSV (`Time` first, no index column) to any writer.
    ///
    /// Rows are formatted into a buffer handed to `w` in chunks of about 256 KiB (few
    /// system calls, little memory).
    pub fn write_to(&self, w: &mut dyn Write) -> Result<()> {
        const CHUNK: usize = 256 * 1024;
        let mut out = String::with_capacity(CHUNK + 4096);
        out.push_str(TIME);
        for c in &self.columns {
            out.push(',');
            push_field(&mut out, &c.name);
        }
        out.push('\n');
        let mut floats = ryu::Buffer::new();
        let mut times = TimeWriter::default();
        for i in 0..self.times.len() {
            times.push(&mut out, self.times[i]);
            for c in &self.columns {
                out.push(',');
                let v = c.values[i];
                if v.is_finite() {
                    match c.kind {
                        Kind::Number => push_number(&mut out, v, &mut floats),
                        Kind::Duration => push_duration(&mut out, v),
                    }
                }
            }
            out.push('\n');
            if out.len() >= CHUNK {
                w.write_all(out.as_bytes())?;
                out.clear();
            }
        }
        w.write_all(out.as_bytes())?;
        Ok(())
    }

    /// The frame as CSV text (what [`Frame::write_to`] writes), copying the text of every
    /// cell that one of the `bases` (frames already formatted) holds at the same time with
    /// a bit-identical value in a column of the same name and kind: formatting is a pure
    /// function of the value, so the bytes are the same, and copying them is several times
    /// cheaper than formatting. The calibration's six intermediate files mostly repeat
    /// one another's columns. Rows are matched by time in one forward pass per base.
    pub fn to_text(&self, bases: &[(&Frame, &FrameText)]) -> FrameText {
        let k = self.columns.len() + 1;
        let n = self.len();
        // Per base: for each of our columns, the base's column of the same name and kind
        // (None for bases whose text has no cell offsets).
        let maps: Vec<Option<Vec<Option<&[f64]>>>> = bases
            .iter()
            .map(|(b, bt)| {
                bt.has_cells(b).then(|| {
                    self.columns
                        .iter()
                        .map(|c| {
                            b.columns
                                .iter()
                                .find(|d| d.name == c.name && d.kind == c.kind)
                                .map(|d| &d.values[..])
                        })
                        .collect()
                })
            })
            .collect();
        let mut header = String::with_capacity(self.len() * k * 16 + 256);
        header.push_str(TIME);
        for c in &self.columns {
            header.push(',');
            push_field(&mut header, &c.name);
        }
        header.push('\n');
        // Long frames: the second half of the rows is formatted on a second thread, then
        // appended. Each row's text depends only on the row (and the bases), so the bytes
        // are those of one pass.
        let (mut first, second) = if n >= PARALLEL_TEXT_ROWS {
            let mid = n / 2;
            let maps = &maps;
            std::thread::scope(|scope| {
                let tail = scope.spawn(move || {
                    self.text_rows(mid..n, bases, maps, String::with_capacity(mid * k * 16))
                });
                let head = self.text_rows(0..mid, bases, maps, header);
                match tail.join() {
                    Ok(tail) => (head, Some(tail)),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            })
        } else {
            (self.text_rows(0..n, bases, &maps, header), None)
        };
        if let Some(tail) = second {
            let shift = first.text.len();
            first.text.push_str(&tail.text);
            match u32::try_from(shift) {
                Ok(shift) if first.fit && tail.fit => {
                    first.starts.reserve(tail.starts.len() + 1);
                    for s in tail.starts {
                        match s.checked_add(shift) {
                            Some(s) => first.starts.push(s),
                            None => {
                                first.fit = false;
                                break;
                            }
                        }
                    }
                }
                _ => first.fit = false,
            }
        }
        let RowsText {
            text,
            mut starts,
            fit,
        } = first;
        match u32::try_from(text.len()) {
            Ok(end) if fit => starts.push(end),
            _ => starts = Vec::new(),
        }
        if !fit {
            starts = Vec::new();
        }
        FrameText {
            text,
            starts,
            cells_per_row: k,
        }
    }

    /// The text of rows `rows` appended to `text` (see [`Frame::to_text`]), with where
    /// each cell starts in `text`.
    fn text_rows(
        &self,
        rows: std::ops::Range<usize>,
        bases: &[(&Frame, &FrameText)],
        maps: &[Option<Vec<Option<&[f64]>>>],
        mut text: String,
    ) -> RowsText {
        let k = self.columns.len() + 1;
        let mut starts: Vec<u32> = Vec::with_capacity(rows.len() * k + 1);
        // Where each base's forward pass stands at the first row: the pass over the rows
        // before, without formatting them.
        let mut pos = vec![0usize; bases.len()];
        for (bi, (b, _)) in bases.iter().enumerate() {
            if maps[bi].is_some() {
                let p = &mut pos[bi];
                for &t in &self.times[..rows.start] {
                    while *p < b.times.len() && b.times[*p] < t {
                        *p += 1;
                    }
                }
            }
        }
        let mut row_of: Vec<Option<usize>> = vec![None; bases.len()];
        let mut floats = ryu::Buffer::new();
        let mut times = TimeWriter::default();
        let mut offsets_fit = true;
        for i in rows {
            let t = self.times[i];
            for (bi, (b, _)) in bases.iter().enumerate() {
                row_of[bi] = None;
                if maps[bi].is_some() {
                    let p = &mut pos[bi];
                    while *p < b.times.len() && b.times[*p] < t {
                        *p += 1;
                    }
                    if *p < b.times.len() && b.times[*p] == t {
                        row_of[bi] = Some(*p);
                    }
                }
            }
            let mut mark = |text: &String, starts: &mut Vec<u32>| match u32::try_from(text.len()) {
                Ok(at) if offsets_fit => starts.push(at),
                _ => offsets_fit = false,
            };
            mark(&text, &mut starts);
            match bases
                .iter()
                .zip(&row_of)
                .find_map(|(b, r)| r.map(|r| (b.1, r)))
            {
                Some((bt, r)) => text.push_str(bt.cell(r, 0)),
                None => times.push(&mut text, t),
            }
            for (j, c) in self.columns.iter().enumerate() {
                text.push(',');
                mark(&text, &mut starts);
                let v = c.values[i];
                if !v.is_finite() {
                    continue;
                }
                let copied = bases.iter().enumerate().find_map(|(bi, (_, bt))| {
                    let r = row_of[bi]?;
                    let col = maps[bi].as_ref()?[j]?;
                    (col[r].to_bits() == v.to_bits()).then(|| bt.cell(r, j + 1))
                });
                match (copied, c.kind) {
                    (Some(cell), _) => text.push_str(cell),
                    (None, Kind::Number) => push_number(&mut text, v, &mut floats),
                    (None, Kind::Duration) => push_duration(&mut text, v),
                }
            }
            text.push('\n');
        }
        RowsText {
            text,
            starts,
            fit: offsets_fit,
        }
    }

    /// Writes the frame to `path` atomically (temporary file + rename).
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, |w| self.write_to(w))
            .with_context(|| format!("writing {}", path.display()))
    }
}

/// From this many rows on, [`Frame::to_text`] formats the two halves of the rows on two
/// threads.
const PARALLEL_TEXT_ROWS: usize = 8192;

/// Rows formatted by one thread of [`Frame::to_text`]: the text, where each cell starts,
/// and whether every offset fitted in `u32`.
struct RowsText {
    text: String,
    starts: Vec<u32>,
    fit: bool,
}

/// A frame formatted as CSV ([`Frame::to_text`]), with where each cell starts so that
/// later frames can copy cells from it.
#[derive(Debug, Clone, Default)]
pub struct FrameText {
    /// The whole file: header line and rows.
    pub text: String,
    /// Where each cell starts (row by row: the time, then the columns), then the end of
    /// the text; empty when the text is too long for `u32` offsets (4 GiB).
    starts: Vec<u32>,
    cells_per_row: usize,
}

impl FrameText {
    /// Whether this text has cell offsets matching `frame`'s shape.
    fn has_cells(&self, frame: &Frame) -> bool {
        self.cells_per_row == frame.columns.len() + 1
            && self.starts.len() == frame.len() * self.cells_per_row + 1
    }

    /// Cell `j` of row `r` (without the comma or newline after it).
    fn cell(&self, r: usize, j: usize) -> &str {
        let at = r * self.cells_per_row + j;
        &self.text[self.starts[at] as usize..self.starts[at + 1] as usize - 1]
    }

    /// Writes the text to `path` atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, |w| {
            w.write_all(self.text.as_bytes())?;
            Ok(())
        })
        .with_context(|| format!("writing {}", path.display()))
    }
}

/// Appends a finite number exactly as `format!("{v}")` would (shortest digits that read
/// back to the same value, no exponent, no trailing `.0`), via `ryu`: about twice as fast,
/// which matters for the intermediate files of long recordings.
pub fn push_number(out: &mut String, v: f64, buf: &mut ryu::Buffer) {
    // Whole numbers (counters, counts) below 2^53 print as integers: `{v}` writes them
    // without a fraction or exponent, and integer digits are cheaper than ryu's search.
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && v.abs() < EXACT {
        if v.is_sign_negative() {
            out.push('-');
        }
        push_integer(out, v.abs() as u64);
        return;
    }
    let s = buf.format_finite(v);
    if s.contains('e') {
        use std::fmt::Write as _;
        let _ = write!(out, "{v}");
    } else {
        out.push_str(s.strip_suffix(".0").unwrap_or(s));
    }
}

/// Appends the decimal digits of `v`.
fn push_integer(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits: always valid UTF-8.
    out.push_str(std::str::from_utf8(&buf[at..]).unwrap_or("0"));
}

/// Appends a CSV field, quoting it when needed.
pub fn push_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_copied_from_bases_is_what_write_to_writes() {
        // 50 rows: one thread; 20 000 rows: two halves on two threads.
        for n in [50, 20_000] {
            copied_text_matches(n);
        }
    }

    fn copied_text_matches(n: i64) {
        let written = |f: &Frame| {
            let mut v = Vec::new();
            f.write_to(&mut v).unwrap();
            String::from_utf8(v).unwrap()
        };
        let mut a = Frame::with_times(
            (0..n)
                .map(|i| 1_700_000_000_000_000 + i * 61_000_123)
                .collect(),
        );
        let x: Vec<f64> = (0..n).map(|i| i as f64 * 1.37 - 3.0).collect();
        let mut y: Vec<f64> = (0..n).map(|i| (i * i) as f64).collect();
        y[7] = f64::NAN;
        a.set("x", x.clone(), Kind::Number);
        a.set("y", y.clone(), Kind::Number);
        a.set("d", x.iter().map(|v| v.abs()).collect(), Kind::Duration);
        let at = a.to_text(&[]);
        assert_eq!(at.text, written(&a));
        assert!(at.has_cells(&a), "the cell offsets cover every cell");
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
        let bt = b.to_text(&[(&a, &at)]);
        assert_eq!(bt.text, written(&b));
        // Two bases; rows the bases do not have.
        let mut c = b.clone();
        c.times.push(c.times[c.len() - 1] + 1);
        for col in &mut c.columns {
            col.values.push(2.5);
        }
        let ct = c.to_text(&[(&b, &bt), (&a, &at)]);
        assert_eq!(ct.text, written(&c));
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let mut buf = ryu::Buffer::new();
        let mut x = 0.123_456_789_f64;
        let mut vals = vec![
            0.0,
            -0.0,
            1.0,
            -2.5,
            1e-7,
            1e21,
            123456.0,
            0.1 + 0.2,
            f64::MAX,
            f64::MIN_POSITIVE,
            18_440_938.0,
            -7.0,
            1e15,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            -1e300,
        ];
        for _ in 0..2000 {
            x = (x * 7919.0 + 0.5).fract() * 10f64.powi((x * 40.0) as i32 - 20);
            vals.push(x);
            vals.push(-x * 1e3);
        }
        for v in vals {
            let mut s = String::new();
            push_number(&mut s, v, &mut buf);
            assert_eq!(s, format!("{v}"));
        }
    }

    fn read(s: &str) -> Result<Frame> {
        Frame::from_reader(s.as_bytes(), "t.csv", ReadOptions::default())
    }

    #[test]
    fn reads_index_columns_and_both_time_forms() {
        let f = read(",Unnamed: 0,Time,a,Responce time\n0,0,2024-03-04 00:00:01.5,1.5,0:00:00.004057\n1,1,2024-03-04T00:01:01,,\n").unwrap();
        assert_eq!(f.column_names(), vec!["a", "Responce time"]);
        assert_eq!(f.times[1] - f.times[0], 59_500_000);
        assert!(f.column("a").unwrap().values[1].is_nan());
        let rt = f.column("Responce time").unwrap();
        assert_eq!(rt.kind, Kind::Duration);
        assert_eq!(rt.values[0], 0.004057);
        let mut out = Vec::new();
        f.write_to(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Time,a,Responce time\n2024-03-04T00:00:01.500000,1.5,0:00:00.004057\n2024-03-04T00:01:01.000000,,\n"
        );
    }

    #[test]
    fn errors_name_file_line_column_and_value() {
        let e = read("Time,a\n2024-03-04T00:00:01,1\n2024-03-04T00:01:01,x1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:3: column \"a\": cannot read \"x1\" as a number"
        );
        assert!(crate::error::is_input_error(&e));
        let e = read("Time,a\n2024-03-04T00:02:01,1\n2024-03-04T00:01:01,1\n").unwrap_err();
        assert!(e.to_string().contains("t.csv:3"), "{e}");
        assert!(e.to_string().contains("backwards"), "{e}");
        let e = read("Time,a\nnot a time,1\n").unwrap_err();
        assert!(e.to_string().contains("t.csv:2: column \"Time\""), "{e}");
        let e = read("").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
        let e = read("Time,a\n").unwrap_err();
        assert!(e.to_string().contains("no data rows"), "{e}");
        let e = Frame::from_reader(
            "Time,a\n2024-03-04T00:00:01,1\n".as_bytes(),
            "t.csv",
            ReadOptions {
                select: Select::Only(&["b"]),
                require_ordered: true,
            },
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:1: no column \"b\"; columns are: Time, a"
        );
    }
}

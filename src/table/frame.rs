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

use super::time::{format_time, parse_duration, parse_time};
use crate::error::bad_input;
use anyhow::Result;
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
        let bytes = std::fs::read(path)
            .map_err(|e| bad_input(format!("cannot open {}: {e}", path.display())))?;
        Frame::from_bytes(&bytes, &path.display().to_string(), opts)
    }

    /// Reads a frame from any reader; `name` is used in messages.
    pub fn from_reader<R: std::io::Read>(
        mut reader: R,
        name: &str,
        opts: ReadOptions<'_>,
    ) -> Result<Frame> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| bad_input(format!("{name}: cannot read: {e}")))?;
        Frame::from_bytes(&bytes, name, opts)
    }

    /// Reads a frame from the bytes of a CSV file; `name` is used in messages.
    ///
    /// Long files (1 MiB or more, no quoted fields) are parsed in two halves on two
    /// threads, cut at a line end; the result, messages included, is that of one pass.
    pub fn from_bytes(bytes: &[u8], name: &str, opts: ReadOptions<'_>) -> Result<Frame> {
        Frame::from_bytes_split(bytes, name, opts, SPLIT_BYTES)
    }

    /// [`Frame::from_bytes`], splitting bodies of `split_bytes` or more.
    fn from_bytes_split(
        bytes: &[u8],
        name: &str,
        opts: ReadOptions<'_>,
        split_bytes: usize,
    ) -> Result<Frame> {
        let layout = Layout::read(bytes, name, opts)?;
        let body = &bytes[layout.body_start..];
        // Line numbers: the header's lines come before the body's.
        let header_lines = count_lines(&bytes[..layout.body_start]);
        let cut = (body.len() >= split_bytes && !body.contains(&b'"'))
            .then(|| {
                let mid = body.len() / 2;
                body[mid..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map(|p| mid + p + 1)
            })
            .flatten();
        let part = match cut {
            None => {
                let (part, result) = layout.parse(body, body.len(), header_lines, name, opts);
                result?;
                part
            }
            Some(cut) => {
                let (head, tail) = body.split_at(cut);
                let tail_lines = header_lines + count_lines(head);
                let (first, second) = std::thread::scope(|scope| {
                    let second =
                        scope.spawn(|| layout.parse(tail, tail.len(), tail_lines, name, opts));
                    // The first half's vectors get room for the whole file: the second
                    // half is appended to them.
                    let first = layout.parse(head, body.len(), header_lines, name, opts);
                    (first, second.join())
                });
                // The first half's error is the one a single pass would meet first.
                let (mut first, result) = first;
                result?;
                let (second, error) = match second {
                    Ok(r) => r,
                    Err(panic) => std::panic::resume_unwind(panic),
                };
                first.append(second, error, name, opts)?;
                first
            }
        };
        if part.times.is_empty() {
            return Err(bad_input(format!("{name}: no data rows after the header")));
        }
        Ok(Frame {
            times: part.times,
            lines: part.lines,
            columns: layout
                .wanted
                .iter()
                .zip(part.values)
                .zip(part.kinds)
                .map(|(((_, name), values), kind)| Column {
                    name: name.clone(),
                    values,
                    kind: kind.unwrap_or(Kind::Number),
                })
                .collect(),
        })
    }

    /// Writes the frame as CSV (`Time` first, no index column) to any writer, a chunk of
    /// rows at a time (the row formatting of [`super::multi`], without copying).
    pub fn write_to(&self, w: &mut dyn Write) -> Result<()> {
        super::multi::write_frame_to(self, w)
    }

    /// Writes the frame to `path` atomically (temporary file + rename).
    /// The rows are formatted on all cores ([`super::multi`]).
    pub fn write(&self, path: &Path) -> Result<()> {
        let output = super::multi::Output {
            frame: self,
            path,
            bases: &[],
        };
        for file in super::multi::write_pending_all(&[output])? {
            file.commit()?;
        }
        Ok(())
    }
}

/// From this many bytes of rows on, [`Frame::from_bytes`] parses on two threads.
const SPLIT_BYTES: usize = 1 << 20;

/// The number of line ends in `bytes`.
fn count_lines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// What the header line of a file says: where its columns are and where the rows begin.
struct Layout {
    /// Fields per record.
    fields: usize,
    time_idx: usize,
    /// (field index, column name) of the columns to read.
    wanted: Vec<(usize, String)>,
    /// Byte offset of the first row.
    body_start: usize,
}

/// Rows parsed from a run of lines: times, file lines, the wanted columns' values, and
/// each column's kind as given by its first non-empty cell (None: no such cell yet).
struct Part {
    times: Vec<i64>,
    lines: Vec<u64>,
    values: Vec<Vec<f64>>,
    kinds: Vec<Option<Kind>>,
    /// The time cell of the first row as written (for messages).
    first_time_text: String,
}

impl Layout {
    fn read(bytes: &[u8], name: &str, opts: ReadOptions<'_>) -> Result<Layout> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(bytes);
        let headers = rdr
            .byte_headers()
            .map_err(|e| bad_input(format!("{name}: cannot read the header line: {e}")))?
            .clone();
        if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
            return Err(bad_input(format!(
                "{name}: the file is empty (no header line)"
            )));
        }
        let body_start = usize::try_from(rdr.position().byte())
            .unwrap_or(bytes.len())
            .min(bytes.len());
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
        Ok(Layout {
            fields: headers.len(),
            time_idx,
            wanted,
            body_start,
        })
    }

    /// Parses the rows in `body`, whose first line is line `lines_before + 1` of the file,
    /// into vectors with room for the rows of `room` bytes. Returns the rows before the
    /// first error, with the error.
    fn parse(
        &self,
        body: &[u8],
        room: usize,
        lines_before: u64,
        name: &str,
        opts: ReadOptions<'_>,
    ) -> (Part, Result<()>) {
        // Rows are 40 bytes or more (a probe row is about 47): a reserve that rarely
        // needs to grow; pages never written are never touched.
        let guess = room / 40 + 1;
        let mut part = Part {
            times: Vec::with_capacity(guess),
            lines: Vec::with_capacity(guess),
            values: self
                .wanted
                .iter()
                .map(|_| Vec::with_capacity(guess))
                .collect(),
            kinds: vec![None; self.wanted.len()],
            first_time_text: String::new(),
        };
        let result = self.parse_into(body, lines_before, name, opts, &mut part);
        (part, result)
    }

    fn parse_into(
        &self,
        body: &[u8],
        lines_before: u64,
        name: &str,
        opts: ReadOptions<'_>,
        part: &mut Part,
    ) -> Result<()> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body);
        let mut record = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = lines_before + e.position().map(|p| p.line()).unwrap_or(1);
                    return Err(bad_input(format!("{name}:{line}: malformed CSV: {e}")));
                }
            }
            let line = lines_before + record.position().map(|p| p.line()).unwrap_or(1);
            if record.len() == 1 && record[0].is_empty() {
                continue; // blank line
            }
            if record.len() != self.fields {
                return Err(bad_input(format!(
                    "{name}:{line}: malformed CSV: {} fields, but the header has {}",
                    record.len(),
                    self.fields
                )));
            }
            let cell = |i: usize| -> &str { &record[i] };
            let ts = cell(self.time_idx);
            let t = parse_time(ts).ok_or_else(|| {
                bad_input(format!(
                    "{name}:{line}: column {TIME:?}: cannot read {ts:?} as a time; expected e.g. 2024-03-04T00:01:02.209339"
                ))
            })?;
            if opts.require_ordered {
                if let Some(&prev) = part.times.last() {
                    if t < prev {
                        return Err(backwards(name, line, ts, prev));
                    }
                }
            }
            part.times.push(t);
            part.lines.push(line);
            for (k, (fi, cname)) in self.wanted.iter().enumerate() {
                let cell = cell(*fi);
                // Cells rarely have spaces around them: trim only when an end is not a
                // plain ASCII character (`trim` would return the cell unchanged).
                let plain = |b: &u8| b.is_ascii() && !char::from(*b).is_whitespace();
                let raw = match (cell.as_bytes().first(), cell.as_bytes().last()) {
                    (Some(a), Some(b)) if plain(a) && plain(b) => cell,
                    _ => cell.trim(),
                };
                let (v, kind) = if raw.is_empty() || raw.eq_ignore_ascii_case("nan") {
                    (f64::NAN, Kind::Number)
                } else if let Ok(v) = raw.parse::<f64>() {
                    (v, Kind::Number)
                } else if let Some(d) = parse_duration(raw) {
                    (d, Kind::Duration)
                } else {
                    return Err(bad_input(format!(
                        "{name}:{line}: column {cname:?}: cannot read {raw:?} as a number"
                    )));
                };
                if !raw.is_empty() && part.kinds[k].is_none() {
                    part.kinds[k] = Some(kind);
                }
                part.values[k].push(v);
            }
            if part.times.len() == 1 {
                part.first_time_text = ts.trim().to_string();
            }
        }
        Ok(())
    }
}

fn backwards(name: &str, line: u64, ts: &str, prev: i64) -> anyhow::Error {
    bad_input(format!(
        "{name}:{line}: column {TIME:?}: time goes backwards ({} after {}); rows must be in time order",
        ts.trim(),
        format_time(prev)
    ))
}

impl Part {
    /// Appends the rows of the part that follows this one in the file, parsed up to
    /// `error` (if any): the messages are those of one pass over both.
    fn append(
        &mut self,
        next: Part,
        error: Result<()>,
        name: &str,
        opts: ReadOptions<'_>,
    ) -> Result<()> {
        if opts.require_ordered {
            if let (Some(&prev), Some(&t), Some(&line)) =
                (self.times.last(), next.times.first(), next.lines.first())
            {
                if t < prev {
                    return Err(backwards(name, line, &next.first_time_text, prev));
                }
            }
        }
        error?;
        self.times.extend_from_slice(&next.times);
        self.lines.extend_from_slice(&next.lines);
        for ((v, k), (nv, nk)) in self
            .values
            .iter_mut()
            .zip(&mut self.kinds)
            .zip(next.values.into_iter().zip(next.kinds))
        {
            v.extend_from_slice(&nv);
            if k.is_none() {
                *k = nk;
            }
        }
        Ok(())
    }
}

/// Appends a finite number exactly as `format!("{v}")` would (shortest digits that read
/// back to the same value, no exponent, no trailing `.0`), via `zmij` (the Żmij algorithm,
/// faster than `ryu`, which was used before): several times faster than `format!`,
/// which matters for the intermediate files of long recordings.
pub fn push_number(out: &mut String, v: f64, buf: &mut zmij::Buffer) {
    // Whole numbers (counters, counts) below 2^53 print as integers: `{v}` writes them
    // without a fraction or exponent, and integer digits are cheaper than the float search.
    // (`as` truncates; the comparison is exact below 2^53, and avoids `fract`, a library
    // call on baseline x86-64.)
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.abs() < EXACT && (v as i64) as f64 == v {
        if v.is_sign_negative() {
            out.push('-'); // `{v}` writes -0.0 as "-0"
        }
        out.push_str(itoa::Buffer::new().format((v as i64).unsigned_abs()));
        return;
    }
    let s = buf.format_finite(v);
    if s.bytes().any(|b| b == b'e') {
        use std::fmt::Write as _;
        let _ = write!(out, "{v}");
    } else {
        out.push_str(s.strip_suffix(".0").unwrap_or(s));
    }
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
    fn a_file_read_in_two_halves_is_read_as_in_one_pass() {
        let one = |text: &str| {
            Frame::from_bytes_split(text.as_bytes(), "t.csv", ReadOptions::default(), usize::MAX)
        };
        let two = |text: &str| {
            Frame::from_bytes_split(text.as_bytes(), "t.csv", ReadOptions::default(), 1)
        };
        let row = |i: i64, rt: &str| {
            format!(
                "{},{},{rt},{}\n",
                crate::table::time::format_time(1_700_000_000_000_000 + i * 60_000_000),
                i as f64 * 0.5,
                i * i
            )
        };
        // The probe-like column is empty in the first half: its kind comes from the second.
        let mut good = String::from("Time,a,Responce time,b\n");
        for i in 0..400 {
            good.push_str(&row(i, if i < 300 { "" } else { "0:00:00.004057" }));
        }
        let (a, b) = (one(&good).unwrap(), two(&good).unwrap());
        // (Frames with NaN cells are never `==`: compare the bits.)
        let bits = |f: &Frame| -> Vec<(String, Kind, Vec<u64>)> {
            f.columns
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        c.kind,
                        c.values.iter().map(|v| v.to_bits()).collect(),
                    )
                })
                .collect()
        };
        assert_eq!(
            (&a.times, &a.lines, bits(&a)),
            (&b.times, &b.lines, bits(&b))
        );
        assert_eq!(b.len(), 400);
        assert_eq!(b.lines[399], 401);
        assert_eq!(b.column("Responce time").unwrap().kind, Kind::Duration);
        // Errors name the same line and value: in the second half, at the cut (time
        // going backwards across it), and a row with a missing field.
        let lines: Vec<&str> = good.lines().collect();
        let with = |at: usize, line: &str| {
            let mut l = lines.clone();
            l[at] = line;
            l.join("\n") + "\n"
        };
        let cut = 201; // the first line of the second half (the header is line 1)
        for bad in [
            with(350, "2023-11-14T22:13:20,x,,1"),
            with(cut, "2023-11-14T00:00:00.000000,1,,1"),
            with(cut + 5, "2023-11-14T00:00:00.000000,1,,1"),
            with(390, "2023-11-15T22:13:20,1,1"),
        ] {
            let (e1, e2) = (one(&bad).unwrap_err(), two(&bad).unwrap_err());
            assert_eq!(e1.to_string(), e2.to_string());
            assert!(crate::error::is_input_error(&e2));
        }
        assert!(one(&with(cut, "2023-11-14T00:00:00.000000,1,,1"))
            .unwrap_err()
            .to_string()
            .contains(&format!("t.csv:{}:", cut + 1)));
    }

    #[test]
    fn spaces_around_cells_are_ignored() {
        let f = read("Time,a,b,c\n2024-03-04T00:00:01, 1.5 ,\t2\u{b},\u{a0}3\u{a0}\n").unwrap();
        let v = |c: &str| f.column(c).unwrap().values[0];
        assert_eq!((v("a"), v("b"), v("c")), (1.5, 2.0, 3.0));
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let mut buf = zmij::Buffer::new();
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

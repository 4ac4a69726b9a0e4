//! The probe file: one row a minute of HTTP availability, written by `measure`.
//!
//! Header (the misspelling is part of the format): `Time,Successful attempts,Responce time,Errors`.

use super::frame::{push_field, Frame, ReadOptions, Select};
use super::time::{format_duration, format_time};
use anyhow::Result;
use std::path::Path;

pub const SUCCESSES: &str = "Successful attempts";
pub const RESPONSE_TIME: &str = "Responce time";
pub const ERRORS: &str = "Errors";
/// The header line of a probe file, without the newline.
pub const HEADER: &str = "Time,Successful attempts,Responce time,Errors";

/// One probe row.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeRow {
    /// When the probe started (wall clock, microseconds; see `table::time`).
    pub time: i64,
    pub successes: u32,
    /// Mean duration of the successful attempts in seconds; `None` when none succeeded.
    pub response: Option<f64>,
    pub errors: u32,
}

impl ProbeRow {
    /// The CSV line for this row, with its trailing newline.
    pub fn to_csv_line(&self) -> String {
        let rt = self.response.map(format_duration).unwrap_or_default();
        format!(
            "{},{},{},{}\n",
            format_time(self.time),
            self.successes,
            rt,
            self.errors
        )
    }
}

/// A probe file in columns.
#[derive(Debug, Clone)]
pub struct Probes {
    pub times: Vec<i64>,
    pub successes: Vec<f64>,
    /// Seconds; NaN when no attempt succeeded.
    pub response: Vec<f64>,
    pub errors: Vec<f64>,
    pub lines: Vec<u64>,
}

impl Probes {
    /// Reads a probe file (index columns and both time forms accepted).
    pub fn read(path: &Path) -> Result<Probes> {
        let f = Frame::read(
            path,
            ReadOptions {
                select: Select::Only(&[SUCCESSES, RESPONSE_TIME, ERRORS]),
                require_ordered: true,
            },
        )?;
        Ok(Probes::from_frame(f))
    }

    fn from_frame(mut f: Frame) -> Probes {
        let take = |f: &mut Frame, i: usize| std::mem::take(&mut f.columns[i].values);
        let errors = take(&mut f, 2);
        let response = take(&mut f, 1);
        let successes = take(&mut f, 0);
        Probes {
            times: f.times,
            successes,
            response,
            errors,
            lines: f.lines,
        }
    }

    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }
}

/// The header line with a newline, quoted as CSV would.
pub fn header_line() -> String {
    let mut s = String::new();
    for (i, h) in ["Time", SUCCESSES, RESPONSE_TIME, ERRORS]
        .iter()
        .enumerate()
    {
        if i > 0 {
            s.push(',');
        }
        push_field(&mut s, h);
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::time::parse_time;

    #[test]
    fn rows_are_written_as_the_reference_writes_them() {
        let t = parse_time("2024-03-04T00:00:00.541339").unwrap();
        let r = ProbeRow {
            time: t,
            successes: 10,
            response: Some(0.004057),
            errors: 0,
        };
        assert_eq!(
            r.to_csv_line(),
            "2024-03-04T00:00:00.541339,10,0:00:00.004057,0\n"
        );
        let r = ProbeRow {
            time: t,
            successes: 0,
            response: None,
            errors: 10,
        };
        assert_eq!(r.to_csv_line(), "2024-03-04T00:00:00.541339,0,,10\n");
        assert_eq!(header_line(), format!("{HEADER}\n"));
    }

    #[test]
    fn reads_the_sample() {
        let p = Probes::read(Path::new("data/hourly-2d/web-server1.csv")).unwrap();
        assert_eq!(p.len(), 2880);
        assert_eq!(p.successes[0], 10.0);
        assert_eq!(p.response[0], 0.004057);
    }
}

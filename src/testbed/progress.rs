//! The testbed's progress display: an indicatif bar on a terminal, plain lines otherwise.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Progress output on stderr.
pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Progress {
    /// A bar over `total` virtual minutes when stderr is a terminal; plain lines otherwise;
    /// nothing when `quiet`.
    pub fn new(total: u64, quiet: bool) -> Progress {
        let bar = if !quiet && std::io::stderr().is_terminal() {
            let b = ProgressBar::new(total);
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} min  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            b.set_style(style);
            Some(b)
        } else {
            None
        };
        Progress { bar, quiet }
    }

    /// Reports the current virtual minute and a status message.
    pub fn tick(&self, minute: u64, msg: &str, line_now: bool) {
        match &self.bar {
            Some(b) => {
                b.set_position(minute);
                b.set_message(msg.to_string());
            }
            None if !self.quiet && line_now => eprintln!("testbed: minute {minute}: {msg}"),
            None => {}
        }
    }

    /// A one-off line (phase changes, events).
    pub fn line(&self, msg: &str) {
        match &self.bar {
            Some(b) => b.println(format!("testbed: {msg}")),
            None if !self.quiet => eprintln!("testbed: {msg}"),
            None => {}
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

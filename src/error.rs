//! Error classification shared by every command.
//!
//! edgeshift uses `anyhow` for error propagation and attaches context on the way up
//! (file, line, column, value). This module only decides *what kind* of failure an
//! error is, because that decides the exit code:
//!
//! * [`InputError`] anywhere in the chain: the user gave us something we cannot use
//!   (a missing file, a bad cell, a bad argument). Exit code 2.
//! * anything else: a runtime failure (network, a child process, the machine). Exit code 1.
//!
//! Commands that have a third outcome (for example `plan` when no switch is needed)
//! return their own `ExitCode` instead of an error.

use std::fmt;

/// An error in what the user gave us. Its message must say what and where
/// (file, line, column, the bad value) and what would be valid.
#[derive(Debug)]
pub struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// Builds an [`InputError`] wrapped in `anyhow::Error`.
pub fn bad_input(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(InputError(msg.into()))
}

/// Returns early with an [`InputError`], like `anyhow::bail!`.
#[macro_export]
macro_rules! bail_input {
    ($($arg:tt)*) => {
        return Err($crate::error::bad_input(format!($($arg)*)))
    };
}

/// True when the error (or anything it wraps) is an [`InputError`].
pub fn is_input_error(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<InputError>())
}

/// The process exit code for an error: 2 for bad input, 1 for runtime failures.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if is_input_error(err) {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn input_errors_keep_their_class_through_context() {
        let err: anyhow::Result<()> = Err(bad_input("bad cell"));
        let err = err.context("reading x.csv").unwrap_err();
        assert_eq!(exit_code(&err), 2);
        let other = anyhow::anyhow!("connection refused");
        assert_eq!(exit_code(&other), 1);
    }
}

//! The diag state file: the previous sample, as JSON, written atomically.

use super::Sample;
use crate::table::atomic::write_string_atomic;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Serialize, Deserialize)]
struct State {
    key: String,
    sample: Sample,
}

/// The previous sample for `key`, if the file exists, parses and is for the same key.
pub fn load(path: &Path, key: &str) -> Option<Sample> {
    let text = std::fs::read_to_string(path).ok()?;
    let st: State = serde_json::from_str(&text).ok()?;
    (st.key == key).then_some(st.sample)
}

/// Writes the sample (creating the folder).
pub fn save(path: &Path, key: &str, sample: &Sample) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the state folder {}", dir.display()))?;
    }
    let text = serde_json::to_string(&State {
        key: key.to_string(),
        sample: sample.clone(),
    })?;
    write_string_atomic(path, &text)
        .with_context(|| format!("cannot write the diag state file {}", path.display()))
}

//! Summary (placeholder).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {}

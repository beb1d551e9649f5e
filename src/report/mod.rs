//! Reports: rendering a [`RunVerdict`] for people and programs. With `cli`, the only module
//! that turns results into text; it imports the verdict layer and nothing else of custody.
//!
//! Every command that judges artifacts (verify, compare, rebuild, diff, source) produces a
//! [`RunVerdict`]: one entry per artifact (or checkout) with its checks and typed sections, and
//! one overall verdict. It renders as human text, JSON (`custody/report/v1`, described by
//! `schema.json` beside this file), SARIF 2.1.0, or an HTML page of a rebuild's differences.

pub mod html;
mod human;
mod json;
mod sarif;

pub use crate::verdict::{ArtifactVerdict, RunVerdict, Verdict};
pub use human::render_human;
pub use json::render_json;
pub use sarif::render_sarif;

/// The JSON schema name of a report.
pub const REPORT_SCHEMA: &str = "custody/report/v1";

/// The JSON Schema (draft 2020-12) of `custody/report/v1`.
pub const JSON_SCHEMA: &str = include_str!("schema.json");

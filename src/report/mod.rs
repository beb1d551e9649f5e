//! Reports: the one place besides `cli` that turns results into text.
//!
//! Every command that judges artifacts (verify, compare, rebuild, source) produces a [`Report`]:
//! one entry per artifact (or subject) with its checks, and one overall [`Verdict`]. The same
//! report renders as human text, JSON (`custody/report/v1`) or SARIF 2.1.0.

mod human;
mod json;
mod sarif;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::{Check, Outcome};

pub use human::render_human;
pub use json::render_json;
pub use sarif::render_sarif;

/// The JSON schema name of a report.
pub const REPORT_SCHEMA: &str = "custody/report/v1";

/// Pass or fail: the one answer a report gives, overall and per artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
}

impl Verdict {
    /// Fail when any check failed or could not be performed; pass only when every check passed
    /// and there was at least one.
    pub fn of(checks: &[Check]) -> Verdict {
        if !checks.is_empty() && checks.iter().all(|c| c.outcome == Outcome::Pass) {
            Verdict::Pass
        } else {
            Verdict::Fail
        }
    }
}

/// What one command concluded about every artifact it was given.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Always [`REPORT_SCHEMA`].
    pub schema: &'static str,
    /// The subcommand that produced the report (`verify`, `compare`, ...).
    pub command: &'static str,
    pub verdict: Verdict,
    pub artifacts: Vec<ArtifactReport>,
    /// Facts that apply to the whole run (trusted root used, policy file, dangerous settings).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<String, serde_json::Value>,
}

impl Report {
    /// Build a report; the overall verdict passes only when every artifact passed.
    pub fn new(command: &'static str, artifacts: Vec<ArtifactReport>) -> Report {
        let verdict =
            if !artifacts.is_empty() && artifacts.iter().all(|a| a.verdict == Verdict::Pass) {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
        Report {
            schema: REPORT_SCHEMA,
            command,
            verdict,
            artifacts,
            notes: BTreeMap::new(),
        }
    }

    /// The notes every report format must show, whatever its verbosity: which trusted root keyless
    /// evidence was checked against, how many files a stat cache let through unread, and every
    /// `dangerous_*` setting in force.
    pub fn headline_notes(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.notes
            .iter()
            .filter(|(k, _)| {
                matches!(k.as_str(), "trusted_root" | "stat_cache") || k.starts_with("dangerous_")
            })
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Every failed or not-performed check, with the artifact it belongs to.
    pub fn problems(&self) -> impl Iterator<Item = (&ArtifactReport, &Check)> {
        self.artifacts.iter().flat_map(|a| {
            a.checks
                .iter()
                .filter(|c| c.outcome != Outcome::Pass)
                .map(move |c| (a, c))
        })
    }
}

/// One artifact: what it is, its digests, its checks, and what was learned about it.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactReport {
    /// The name the user gave (a path, or `sha256:HEX`).
    pub name: String,
    /// Digests by algorithm name (`sha256`, `sha512`), lowercase hex.
    pub digest: BTreeMap<String, String>,
    pub verdict: Verdict,
    pub checks: Vec<Check>,
    /// Command-specific facts, keyed by section (`verified`, `contents`, `rebuild`, ...).
    #[serde(flatten)]
    pub details: BTreeMap<String, serde_json::Value>,
}

impl ArtifactReport {
    /// An artifact's report whose verdict follows from its checks.
    pub fn new(
        name: impl Into<String>,
        digest: BTreeMap<String, String>,
        checks: Vec<Check>,
    ) -> Self {
        let verdict = Verdict::of(&checks);
        ArtifactReport {
            name: name.into(),
            digest,
            verdict,
            checks,
            details: BTreeMap::new(),
        }
    }
}

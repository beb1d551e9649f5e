//! The human report: one line per artifact, then one line per failed check with its code.

use std::fmt::Write;

use super::{Report, Verdict};
use crate::check::Outcome;

/// The report as text for a person.
pub fn render_human(report: &Report) -> String {
    let mut out = String::new();
    for a in &report.artifacts {
        let word = match a.verdict {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
        };
        let _ = writeln!(out, "{word} {}", a.name);
        for c in &a.checks {
            let mark = match c.outcome {
                Outcome::Pass => continue,
                Outcome::Fail => "fail",
                Outcome::NotPerformed => "not performed",
            };
            let _ = writeln!(out, "  {mark} [{}] {}", c.code, c.message);
        }
    }
    let word = match report.verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
    };
    let _ = writeln!(out, "verdict: {word}");
    out
}

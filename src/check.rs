//! The vocabulary every check speaks: an [`Outcome`], a [`Check`] with a stable kebab-case
//! code, and the [`Code`] registry entry that `custody explain` prints.
//!
//! A failed check is data, never an `Err`: an `Err` means custody could not run at all.

use serde::Serialize;

/// What happened to one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome {
    /// The check ran and its condition holds.
    Pass,
    /// The check ran and its condition does not hold.
    Fail,
    /// The check could not be performed; never counted as a pass.
    NotPerformed,
}

/// One check's result: a stable code, its outcome, and one line saying why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub code: &'static str,
    pub outcome: Outcome,
    pub message: String,
}

impl Check {
    pub fn pass(code: &'static str, message: impl Into<String>) -> Self {
        Check {
            code,
            outcome: Outcome::Pass,
            message: message.into(),
        }
    }
    pub fn fail(code: &'static str, message: impl Into<String>) -> Self {
        Check {
            code,
            outcome: Outcome::Fail,
            message: message.into(),
        }
    }
    pub fn not_performed(code: &'static str, message: impl Into<String>) -> Self {
        Check {
            code,
            outcome: Outcome::NotPerformed,
            message: message.into(),
        }
    }
}

/// A registry entry for a check code: what `custody explain CODE` prints.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    /// Stable kebab-case identifier, e.g. `no-matching-subject`.
    pub code: &'static str,
    /// One line.
    pub summary: &'static str,
    /// A paragraph: what the check looks at, why it matters, how to fix a failure.
    pub description: &'static str,
}

//! The vocabulary every check speaks: an [`Outcome`], a [`Check`] with a stable kebab-case
//! code, and the [`codes!`](crate::codes!) macro with which each module declares its own
//! `Code` enum, whose entries `custody explain` prints.
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

/// A module's check code: a variant of its `Code` enum (declared with [`codes!`](crate::codes!)).
pub trait CheckCode: Copy {
    /// The stable kebab-case name reports carry.
    fn name(self) -> &'static str;
}

/// One check's result: a stable code, its outcome, and one line saying why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub code: &'static str,
    pub outcome: Outcome,
    pub message: String,
    /// The file inside the artifact the check is about (an archive member's path), when it is
    /// about one: SARIF points there rather than at the whole archive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl Check {
    pub fn new(code: impl CheckCode, outcome: Outcome, message: impl Into<String>) -> Self {
        Check {
            code: code.name(),
            outcome,
            message: message.into(),
            member: None,
        }
    }
    /// The same check, about `member`, a file inside the artifact.
    pub fn about(mut self, member: impl Into<String>) -> Self {
        self.member = Some(member.into());
        self
    }
    pub fn pass(code: impl CheckCode, message: impl Into<String>) -> Self {
        Check::new(code, Outcome::Pass, message)
    }
    pub fn fail(code: impl CheckCode, message: impl Into<String>) -> Self {
        Check::new(code, Outcome::Fail, message)
    }
    pub fn not_performed(code: impl CheckCode, message: impl Into<String>) -> Self {
        Check::new(code, Outcome::NotPerformed, message)
    }
    /// Whether this check is of `code`.
    pub fn is(&self, code: impl CheckCode) -> bool {
        self.code == code.name()
    }
}

/// A registry entry for a check code: what `custody explain CODE` prints.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    /// Stable kebab-case identifier, e.g. `no-matching-subject`.
    pub code: &'static str,
    /// One line.
    pub summary: &'static str,
    /// A paragraph: what the check looks at, why it matters, how to fix a failure.
    pub description: &'static str,
}

/// Declare a module's check codes: an enum whose variants are the codes, each with its
/// kebab-case name, a one-line summary and a description, and `Code::INFO` listing them for
/// `custody explain` (`crate::codes` gathers every module's list).
///
/// ```ignore
/// codes! {
///     /// What the subject check reports.
///     pub enum Code {
///         SubjectMatched = "subject-matched" {
///             summary: "a verified statement names the artifact's digest",
///             description: "...",
///         },
///     }
/// }
/// ```
#[macro_export]
macro_rules! codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $code:literal {
                    summary: $summary:expr,
                    description: $description:expr $(,)?
                }
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every code of this module.
            #[allow(dead_code)]
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// Every code with its summary and description.
            pub const INFO: &'static [$crate::check::CodeInfo] = &[
                $($crate::check::CodeInfo {
                    code: $code,
                    summary: $summary,
                    description: $description,
                }),*
            ];
            /// The stable kebab-case name.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
        }

        impl $crate::check::CheckCode for $name {
            fn name(self) -> &'static str {
                $name::name(self)
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.name()
            }
        }
    };
}

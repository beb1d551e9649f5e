//! Everything one run gathered, before anything is judged: which attestations verified (only
//! the signature layer can say so), the artifacts' digests and the verified statements naming
//! them, the checkout's facts, and what reproducing each artifact found. `crate::checks`
//! judges it against the policy; nothing here holds an opinion.

pub mod reproduce;
pub mod source;
pub mod subjects;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::artifact::Artifact;
use crate::check::Check;
use crate::contents::ContentsFacts;
use crate::git::CommitId;
use crate::policy::ReproduceMode;
use crate::rebuild::RebuildFacts;
use crate::signature::{Rejected, Verified};
use crate::source::{CheckoutDiff, CheckoutFacts, RefFacts, ReviewFacts};

/// What became of one piece of evidence.
#[derive(Debug)]
pub enum Attestation {
    Verified(Verified),
    Rejected(Box<Rejected>),
    /// Unreadable evidence: it names no artifact, so it fails them all.
    Malformed(Check),
}

/// Everything one run gathered.
#[derive(Debug, Default)]
pub struct Evidence {
    /// Checks decided before any evidence was read (a `--key` that cannot be used).
    pub preflight: Vec<Check>,
    /// Whether the run verifies attestations (`verify`), so every artifact must be named by one.
    pub attested: bool,
    /// In the order the files were given.
    pub attestations: Vec<Attestation>,
    pub source: Option<SourceEvidence>,
    pub artifacts: Vec<ArtifactEvidence>,
    /// Each attestation file read, with the SHA-256 (hex) of the bytes read.
    pub files: Vec<(PathBuf, String)>,
    /// The commits entering a branch (`custody check-range`).
    pub range: Option<RangeEvidence>,
}

/// A range of commits entering a branch, and the ref update that brings them (hooks).
#[derive(Debug)]
pub struct RangeEvidence {
    pub facts: crate::source::range::RangeFacts,
    pub update: Option<RefUpdate>,
}

/// One ref update of a push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefUpdate {
    pub name: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub kind: UpdateKind,
    /// Whether the policy's `[review]` protected-branches names it.
    pub protected: bool,
}

/// What a ref update does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateKind {
    Create,
    Delete,
    FastForward,
    /// The new commit does not descend from the old one.
    Force,
}

impl Evidence {
    /// The verified attestation at `index`.
    pub fn verified(&self, index: usize) -> Option<&Verified> {
        match self.attestations.get(index) {
            Some(Attestation::Verified(v)) => Some(v),
            _ => None,
        }
    }

    /// How many attestations verified.
    pub fn verified_count(&self) -> usize {
        self.attestations
            .iter()
            .filter(|a| matches!(a, Attestation::Verified(_)))
            .count()
    }
}

/// The reviewed source, from a checkout.
#[derive(Debug)]
pub struct SourceEvidence {
    pub checkout: CheckoutFacts,
    pub commit: CommitId,
    /// How the working tree differs from the commit; `None` when the revision is not HEAD.
    pub worktree: Option<CheckoutDiff>,
    /// The review facts the policy asks for; `None` when it asks for none.
    pub review: Option<ReviewFacts>,
    /// The checkout's remotes: (name, canonical URL).
    pub remotes: Vec<(String, String)>,
    /// Where each ref a verified provenance names leads in the checkout.
    pub refs: BTreeMap<String, RefFacts>,
    /// Judge the policy's `[source]` commit and repository against the checkout itself, as
    /// `custody source` does when there is no provenance.
    pub judge_policy_source: bool,
}

/// One artifact and what was found about it.
#[derive(Debug)]
pub struct ArtifactEvidence {
    /// The name the user gave (a path, or `sha256:HEX`).
    pub name: String,
    pub digest: Artifact,
    /// Verified attestations naming it: index into [`Evidence::attestations`], and the subject
    /// name that matched (empty for a message signature).
    pub matched: Vec<(usize, String)>,
    /// What reproducing it found, when the run reproduces.
    pub reproduced: Option<Reproduced>,
}

/// What reproducing one artifact found.
#[derive(Debug)]
pub enum Reproduced {
    /// Its files, compared with the reviewed commit.
    Contents(Box<ContentsFacts>),
    /// A rebuild of the reviewed commit, compared with it.
    Rebuild(Box<RebuildFacts>),
    /// Why it could not be reproduced.
    NotPerformed { mode: ReproduceMode, reason: String },
}

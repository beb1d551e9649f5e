//! Gathering the source evidence from a checkout: its facts, the working tree's comparison with
//! the reviewed commit, the review facts the policy's `[review]` rules need, and where each ref
//! a provenance names leads.

use std::path::Path;

use super::SourceEvidence;
use crate::policy::{Policy, SignedCommits};
use crate::source::signers::Signers;
use crate::source::{Checkout, ReviewQuery, SignatureScope, SourceError};

/// What to read from the checkout besides its facts.
pub struct Gather<'a> {
    pub policy: &'a Policy,
    pub signers: &'a Signers,
    /// Hashing threads for the working tree (default: one per core).
    pub threads: Option<usize>,
    /// A stat cache already checked to lie outside the checkout (`custody source`).
    pub stat_cache: Option<&'a Path>,
    /// Refs named by verified provenance, to look up.
    pub refs: Vec<String>,
    /// Judge the policy's `[source]` against the checkout itself (no provenance).
    pub judge_policy_source: bool,
}

/// Read everything the source checks need from `checkout`.
pub fn gather(checkout: &Checkout, g: Gather<'_>) -> Result<SourceEvidence, SourceError> {
    let worktree = checkout.worktree(g.threads, g.stat_cache)?;
    let rule = &g.policy.review;
    let review = if rule.is_empty() {
        None
    } else {
        Some(checkout.review(&ReviewQuery {
            protected_branches: &rule.protected_branches,
            base: rule.base.as_deref(),
            signers: g.signers,
            signatures: match rule.require_signed {
                SignedCommits::None => SignatureScope::None,
                SignedCommits::Release => SignatureScope::Release,
                SignedCommits::SinceBase => SignatureScope::SinceBase,
            },
            changes: rule.two_party,
        })?)
    };
    let refs = g
        .refs
        .into_iter()
        .map(|r| {
            let facts = checkout.reference(&r);
            (r, facts)
        })
        .collect();
    Ok(SourceEvidence {
        checkout: checkout.facts(),
        commit: checkout.commit(),
        worktree,
        review,
        remotes: checkout.remotes(),
        refs,
        judge_policy_source: g.judge_policy_source,
    })
}

//! What the repository's history says about review: which protected branches reach the
//! reviewed commit, whether a trusted base is its ancestor, who signed which commit, and what
//! each change since the base brought in. Facts only: `crate::checks::review` judges them
//! against the policy's `[review]` rules.
//!
//! A change is one commit of the first-parent chain from the release commit back to the base: a
//! merge brings the commits of its other parents that its first parent lacks; a plain commit
//! brings only itself.

use std::collections::HashMap;

use super::SourceError;
use super::signers::{SignatureOutcome, Signers};
use crate::git::{CommitId, Repo, split_signed};

/// What review facts to gather, from the policy's `[review]` rules.
#[derive(Clone, Copy, Debug)]
pub struct ReviewQuery<'a> {
    /// Full ref names whose reachability to judge.
    pub protected_branches: &'a [String],
    /// The trusted base, as the policy spells it (full hex id).
    pub base: Option<&'a str>,
    /// Who may sign commits.
    pub signers: &'a Signers,
    /// Which commits' signatures to check.
    pub signatures: SignatureScope,
    /// Whether to list the changes since the base (for two-party review).
    pub changes: bool,
}

/// Which commits' signatures a review looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureScope {
    None,
    /// The release commit.
    Release,
    /// Every commit reachable from the release commit and not from the base.
    SinceBase,
}

/// A protected branch and whether it reaches the commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    pub name: String,
    /// Its tip, when the checkout has the branch.
    pub tip: Option<CommitId>,
    /// Whether the commit is its tip or an ancestor of it.
    pub reaches: bool,
}

/// The trusted base, as found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// The commit or one of its ancestors.
    Found(CommitId),
    /// Not a full id of a commit the checkout has.
    Missing(String),
    /// In the checkout, but not the commit nor one of its ancestors.
    NotAncestor(String),
}

/// One change reaching the release since the base.
#[derive(Clone, Debug)]
pub struct Change {
    /// The first-parent commit that brought it.
    pub commit: CommitId,
    pub merge: bool,
    /// The commits it brought (for a plain commit, itself).
    pub brought: Vec<CommitId>,
}

/// Everything review rules are judged on.
#[derive(Clone, Debug)]
pub struct ReviewFacts {
    pub commit: CommitId,
    pub branches: Vec<Branch>,
    pub base: Option<Base>,
    /// Commits whose signatures were checked, release commit first for `SinceBase`, in
    /// topological order.
    pub signed: Vec<CommitId>,
    /// Each checked commit's signature, and its author's e-mail as the commit states it.
    pub signatures: HashMap<CommitId, Signature>,
    /// The changes since the base, newest first; empty unless asked for.
    pub changes: Vec<Change>,
}

/// One commit's signature and what the commit claims about its author.
#[derive(Clone, Debug)]
pub struct Signature {
    pub outcome: SignatureOutcome,
    /// The author e-mail in lower case, as written by whoever made the commit.
    pub claimed_author: Option<String>,
}

/// Gather the review facts for `commit`.
pub fn review(
    repo: &Repo,
    commit: CommitId,
    query: &ReviewQuery<'_>,
) -> Result<ReviewFacts, SourceError> {
    let mut facts = ReviewFacts {
        commit,
        branches: Vec::new(),
        base: None,
        signed: Vec::new(),
        signatures: HashMap::new(),
        changes: Vec::new(),
    };
    for name in query.protected_branches {
        let tip = repo.reference(name);
        facts.branches.push(Branch {
            name: name.clone(),
            tip,
            reaches: tip.is_some_and(|t| repo.is_ancestor(commit, t)),
        });
    }
    let base = query.base.map(|given| match repo.find_commit(given) {
        None => Base::Missing(given.to_owned()),
        Some(b) if repo.is_ancestor(b, commit) => Base::Found(b),
        Some(_) => Base::NotAncestor(given.to_owned()),
    });
    let found = match &base {
        Some(Base::Found(b)) => Some(*b),
        _ => None,
    };
    facts.base = base;
    let mut signer = Signer {
        repo,
        signers: query.signers,
        seen: HashMap::new(),
    };
    match (query.signatures, found) {
        (SignatureScope::Release, _) => facts.signed.push(commit),
        (SignatureScope::SinceBase, Some(base)) => facts.signed = repo.range(&[commit], &[base])?,
        _ => {}
    }
    for c in facts.signed.clone() {
        signer.signature(c)?;
    }
    if let (true, Some(base)) = (query.changes, found) {
        let in_range: std::collections::HashSet<CommitId> =
            repo.range(&[commit], &[base])?.into_iter().collect();
        let mut at = commit;
        while in_range.contains(&at) {
            let c = repo.commit(at)?;
            let brought = if c.parents.len() > 1 {
                repo.range(&c.parents[1..], &c.parents[..1])?
            } else {
                vec![at]
            };
            for b in brought.iter().chain([&at]) {
                signer.signature(*b)?;
            }
            facts.changes.push(Change {
                commit: at,
                merge: c.parents.len() > 1,
                brought,
            });
            match c.parents.first() {
                Some(p) => at = *p,
                None => break,
            }
        }
    }
    facts.signatures = signer.seen;
    Ok(facts)
}

/// Checks commit signatures, each once.
struct Signer<'a> {
    repo: &'a Repo,
    signers: &'a Signers,
    seen: HashMap<CommitId, Signature>,
}

impl Signer<'_> {
    fn signature(&mut self, id: CommitId) -> Result<(), SourceError> {
        if self.seen.contains_key(&id) {
            return Ok(());
        }
        let commit = self.repo.commit(id)?;
        let header = self.repo.object_format().signature_header();
        let outcome = match self.repo.commit_object(id) {
            Ok(object) => match split_signed(&object, header) {
                (Some(sig), payload) => self.signers.check(Some(&sig), &payload, commit.time),
                (None, _) => SignatureOutcome::Unsigned,
            },
            Err(e) => SignatureOutcome::Invalid(format!("cannot read the commit object: {e}")),
        };
        self.seen.insert(
            id,
            Signature {
                outcome,
                claimed_author: commit.author_email.map(|e| e.to_lowercase()),
            },
        );
        Ok(())
    }
}

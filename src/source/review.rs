//! Did the reviewed commit pass review? The policy's `[review]` rules, judged from the
//! repository's history: reachable from a protected branch, signed by allowed signers, and
//! every change since the trusted base brought in by a second person.
//!
//! Two-party review follows the first-parent chain from the release commit back to the base:
//! each commit on it is one change reaching the release. A merge brings the commits of its other
//! parents that its first parent lacks; a plain commit brings itself. The change passes when the
//! commit that brought it is signed by an allowed signer who is none of the authors of what it
//! brings, or when the change carries signatures of at least `min-signers` distinct allowed
//! signers.

use std::collections::{BTreeSet, HashMap};

use git2::{Oid, Repository, Sort};

use super::SourceError;
use super::codes::*;
use super::signers::SignatureOutcome;
use crate::check::Check;
use crate::limits::MAX_REVIEW_COMMITS;
use crate::policy::{ReviewRule, SignedCommits};
use crate::signature::codes::SIGNATURE_INVALID;

/// Judges commits, remembering each signature's outcome.
struct Reviewer<'a> {
    repo: &'a Repository,
    rule: &'a ReviewRule,
    outcomes: HashMap<Oid, SignatureOutcome>,
}

/// Every `[review]` check for `commit`.
pub fn review(
    repo: &Repository,
    commit: Oid,
    rule: &ReviewRule,
) -> Result<Vec<Check>, SourceError> {
    let mut r = Reviewer {
        repo,
        rule,
        outcomes: HashMap::new(),
    };
    let mut checks = Vec::new();
    if !rule.protected_branches.is_empty() {
        checks.push(r.protected_branch(commit));
    }
    let base = match &rule.base {
        Some(base) => match r.base(base, commit) {
            Ok(oid) => Some(oid),
            Err(check) => {
                checks.push(check);
                return Ok(checks);
            }
        },
        None => None,
    };
    match (rule.require_signed, base) {
        (SignedCommits::None, _) => {}
        (SignedCommits::Release, _) => checks.push(r.signed(commit)?),
        (SignedCommits::SinceBase, Some(base)) => {
            let range = r.range(&[commit], &[base])?;
            let mut bad: Vec<Check> = Vec::new();
            for c in &range {
                let check = r.signed(*c)?;
                if check.outcome != crate::check::Outcome::Pass {
                    bad.push(check);
                }
            }
            if bad.is_empty() {
                checks.push(Check::pass(
                    COMMIT_SIGNED,
                    format!(
                        "all {} commits since base {} are signed by allowed signers",
                        range.len(),
                        full_id(base)
                    ),
                ));
            }
            checks.extend(bad);
        }
        // Policy validation demands a base for these; a rule built in code without one cannot
        // be judged, and says so rather than passing.
        (SignedCommits::SinceBase, None) => checks.push(Check::not_performed(
            COMMIT_UNSIGNED,
            "every commit since the base must be signed, but no trusted base was given",
        )),
    }
    match (rule.two_party, base) {
        (true, Some(base)) => checks.extend(r.two_party(commit, base)?),
        (true, None) => checks.push(Check::not_performed(
            REVIEW_MISSING,
            "two-party review needs a trusted base commit, and none was given",
        )),
        (false, _) => {}
    }
    Ok(checks)
}

impl Reviewer<'_> {
    fn protected_branch(&self, commit: Oid) -> Check {
        let mut missing = Vec::new();
        for name in &self.rule.protected_branches {
            let Ok(tip) = self
                .repo
                .find_reference(name)
                .and_then(|r| r.peel_to_commit())
                .map(|c| c.id())
            else {
                missing.push(name.as_str());
                continue;
            };
            if tip == commit || self.repo.graph_descendant_of(tip, commit).unwrap_or(false) {
                return Check::pass(
                    ON_PROTECTED_BRANCH,
                    format!(
                        "{} is reachable from {name} ({})",
                        full_id(commit),
                        full_id(tip)
                    ),
                );
            }
        }
        let mut message = format!(
            "{} is reachable from none of the protected branches {}",
            full_id(commit),
            self.rule.protected_branches.join(", ")
        );
        if !missing.is_empty() {
            message.push_str(&format!(
                " (not in the checkout: {}; fetch them)",
                missing.join(", ")
            ));
        }
        Check::fail(NOT_ON_PROTECTED_BRANCH, message)
    }

    /// Resolve the trusted base, which must be the commit or one of its ancestors.
    fn base(&self, base: &str, commit: Oid) -> Result<Oid, Check> {
        let fail = |why: String| Check::fail(REVIEW_MISSING, why);
        let oid = Oid::from_str_ext(base, self.repo.object_format())
            .ok()
            .filter(|o| o.to_string().len() == base.len())
            .and_then(|o| self.repo.find_commit(o).ok())
            .map(|c| c.id())
            .ok_or_else(|| {
                fail(format!(
                    "the trusted base {base} is not in the checkout{}",
                    super::binding::id_format_hint(base, commit)
                ))
            })?;
        if oid == commit || self.repo.graph_descendant_of(commit, oid).unwrap_or(false) {
            Ok(oid)
        } else {
            Err(fail(format!(
                "the trusted base {base} is not an ancestor of {commit}: the history was rewritten, or the base is wrong"
            )))
        }
    }

    /// Commits reachable from `tips` and not from `hide`, in a fixed (topological) order.
    fn range(&self, tips: &[Oid], hide: &[Oid]) -> Result<Vec<Oid>, SourceError> {
        let git = |e: git2::Error| SourceError::Git(e.message().to_owned());
        let mut walk = self.repo.revwalk().map_err(git)?;
        walk.set_sorting(Sort::TOPOLOGICAL).map_err(git)?;
        for t in tips {
            walk.push(*t).map_err(git)?;
        }
        for h in hide {
            walk.hide(*h).map_err(git)?;
        }
        let mut out = Vec::new();
        for oid in walk {
            out.push(oid.map_err(git)?);
            if out.len() > MAX_REVIEW_COMMITS {
                return Err(SourceError::Git(format!(
                    "more than {MAX_REVIEW_COMMITS} commits since the trusted base"
                )));
            }
        }
        Ok(out)
    }

    fn outcome(&mut self, oid: Oid) -> Result<SignatureOutcome, SourceError> {
        if let Some(o) = self.outcomes.get(&oid) {
            return Ok(o.clone());
        }
        let commit = self
            .repo
            .find_commit(oid)
            .map_err(|e| SourceError::Git(format!("{oid}: {}", e.message())))?;
        let time = commit.committer().when().seconds();
        let header = signature_header(self.repo.object_format());
        let object = self
            .repo
            .odb()
            .and_then(|odb| odb.read(oid).map(|o| o.data().to_vec()));
        let outcome = match object {
            Ok(object) => match split_signed(&object, header) {
                (Some(sig), payload) => self.rule.signers.check(Some(&sig), &payload, time),
                (None, _) => SignatureOutcome::Unsigned,
            },
            Err(e) => {
                SignatureOutcome::Invalid(format!("cannot read the commit object: {}", e.message()))
            }
        };
        self.outcomes.insert(oid, outcome.clone());
        Ok(outcome)
    }

    /// The signature check of one commit.
    fn signed(&mut self, oid: Oid) -> Result<Check, SourceError> {
        let c = full_id(oid);
        Ok(match self.outcome(oid)? {
            SignatureOutcome::Allowed { signer, .. } => {
                Check::pass(COMMIT_SIGNED, format!("{c} is signed by {signer}"))
            }
            SignatureOutcome::Unsigned => {
                Check::fail(COMMIT_UNSIGNED, format!("{c} is not signed"))
            }
            SignatureOutcome::Invalid(why) => Check::fail(SIGNATURE_INVALID, format!("{c}: {why}")),
            SignatureOutcome::NotAllowed(why) => {
                Check::fail(SIGNER_NOT_ALLOWED, format!("{c}: {why}"))
            }
            SignatureOutcome::Refused { code, why } => Check::fail(code, format!("{c}: {why}")),
            SignatureOutcome::Unsupported(why) => Check::not_performed(
                SIGNATURE_UNSUPPORTED,
                format!("{c}: {why}, which custody does not check"),
            ),
        })
    }

    fn two_party(&mut self, commit: Oid, base: Oid) -> Result<Vec<Check>, SourceError> {
        let in_range: BTreeSet<Oid> = self.range(&[commit], &[base])?.into_iter().collect();
        let mut mainline = Vec::new();
        let mut at = commit;
        while in_range.contains(&at) {
            mainline.push(at);
            let c = self
                .repo
                .find_commit(at)
                .map_err(|e| SourceError::Git(e.message().to_owned()))?;
            match c.parent_id(0) {
                Ok(p) => at = p,
                Err(_) => break,
            }
        }
        let mut violations = Vec::new();
        for m in &mainline {
            if let Some(why) = self.change_violation(*m)? {
                violations.push(Check::fail(REVIEW_MISSING, why));
            }
        }
        if violations.is_empty() {
            return Ok(vec![Check::pass(
                REVIEW_SATISFIED,
                format!(
                    "all {} changes since base {} came through a second person",
                    mainline.len(),
                    full_id(base)
                ),
            )]);
        }
        Ok(violations)
    }

    /// Why the change brought by mainline commit `m` lacks a second person, if it does.
    fn change_violation(&mut self, m: Oid) -> Result<Option<String>, SourceError> {
        let git = |e: git2::Error| SourceError::Git(e.message().to_owned());
        let commit = self.repo.find_commit(m).map_err(git)?;
        let parents: Vec<Oid> = commit.parent_ids().collect();
        let brought = if parents.len() > 1 {
            self.range(&parents[1..], &parents[..1])?
        } else {
            vec![m]
        };
        let mut authors = BTreeSet::new();
        for b in &brought {
            let c = self.repo.find_commit(*b).map_err(git)?;
            if let Ok(email) = c.author().email() {
                authors.insert(email.to_lowercase());
            }
        }
        let mut signers = BTreeSet::new();
        for b in brought.iter().chain(std::iter::once(&m)) {
            if let SignatureOutcome::Allowed { signer, .. } = self.outcome(*b)? {
                signers.insert(signer);
            }
        }
        let kind = if parents.len() > 1 { "merge" } else { "commit" };
        let authors_text = authors.iter().cloned().collect::<Vec<_>>().join(", ");
        let gate = self.outcome(m)?;
        let independent = match &gate {
            SignatureOutcome::Allowed { identities, .. } => {
                !identities.iter().any(|i| authors.contains(i))
            }
            _ => false,
        };
        if independent || signers.len() >= self.rule.min_signers {
            return Ok(None);
        }
        let why = match gate {
            SignatureOutcome::Allowed { signer, .. } => format!(
                "{kind} {} is signed by {signer}, an author of the {} commit(s) it brings ({authors_text}), and the change carries {} of {} distinct allowed signers",
                full_id(m),
                brought.len(),
                signers.len(),
                self.rule.min_signers
            ),
            _ => format!(
                "{kind} {} is not signed by an allowed signer, so nobody vouches for the {} commit(s) it brings ({authors_text}); the change carries {} of {} distinct allowed signers",
                full_id(m),
                brought.len(),
                signers.len(),
                self.rule.min_signers
            ),
        };
        Ok(Some(why))
    }
}

/// The commit header git signs in: `gpgsig` in a SHA-1 repository, `gpgsig-sha256` in a SHA-256
/// one. git verifies only the header of the repository's own format, and so does custody: a
/// commit of a SHA-256 repository that carries only `gpgsig` is unsigned to both.
fn signature_header(format: git2::ObjectFormat) -> &'static str {
    match format {
        git2::ObjectFormat::Sha1 => "gpgsig",
        git2::ObjectFormat::Sha256 => "gpgsig-sha256",
    }
}

/// A commit object split as git splits it to verify it (`parse_buffer_signed_by_header` in git's
/// commit.c): the signature in `header` (its continuation lines joined, without their leading
/// space), and the payload it signs, which is the object without that header and without any
/// other `gpgsig*` header (the other object format's signature, which a commit made during the
/// SHA-1 to SHA-256 transition may carry too). Only headers are read: the message after the
/// first empty line is payload whatever it holds. libgit2's `git_commit_extract_signature` is
/// not used: it keeps other signature headers in the payload, and mangles a `gpgsig-sha256`
/// header when asked for `gpgsig`, so such commits would not verify where git says they do.
fn split_signed(object: &[u8], header: &str) -> (Option<Vec<u8>>, Vec<u8>) {
    let mut signature: Option<Vec<u8>> = None;
    let mut payload = Vec::with_capacity(object.len());
    let (mut in_signature, mut other) = (false, false);
    let mut rest = object;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let (line, next) = rest.split_at(end);
        let mut sig = None;
        if in_signature && line.starts_with(b" ") {
            sig = Some(&line[1..]);
        } else if line.starts_with(header.as_bytes()) && line.get(header.len()) == Some(&b' ') {
            sig = Some(&line[header.len() + 1..]);
            other = false;
        } else if line.starts_with(b"gpgsig") {
            other = true;
        } else if other && !line.starts_with(b" ") {
            other = false;
        }
        match sig {
            Some(sig) => {
                signature
                    .get_or_insert_with(Vec::new)
                    .extend_from_slice(sig);
                in_signature = true;
            }
            None => {
                if line == b"\n" {
                    payload.extend_from_slice(rest);
                    break;
                }
                if !other {
                    payload.extend_from_slice(line);
                }
                in_signature = false;
            }
        }
        rest = next;
    }
    (signature, payload)
}

/// A commit id as reports show it: the full id, since short ids can collide by design.
fn full_id(oid: Oid) -> String {
    oid.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Outcome;

    #[test]
    fn commits_split_into_signature_and_payload_as_git_splits_them() {
        let object = b"tree t\nparent p\nauthor a\ncommitter c\ngpgsig -----BEGIN SSH SIGNATURE-----\n AAAA\n -----END SSH SIGNATURE-----\ngpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n BBBB\n -----END SSH SIGNATURE-----\nmergetag object o\n type commit\n\nmessage\ngpgsig-sha256 in the message\n continued\n";
        let payload = b"tree t\nparent p\nauthor a\ncommitter c\nmergetag object o\n type commit\n\nmessage\ngpgsig-sha256 in the message\n continued\n".to_vec();
        assert_eq!(
            split_signed(object, "gpgsig"),
            (
                Some(
                    b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n".to_vec()
                ),
                payload.clone()
            )
        );
        assert_eq!(
            split_signed(object, "gpgsig-sha256"),
            (
                Some(
                    b"-----BEGIN SSH SIGNATURE-----\nBBBB\n-----END SSH SIGNATURE-----\n".to_vec()
                ),
                payload
            )
        );
        // No header of the repository's format: unsigned, whatever else is there.
        let plain = b"tree t\nauthor a\ncommitter c\ngpgsig x\n y\n\nm";
        assert_eq!(
            split_signed(plain, "gpgsig-sha256"),
            (None, b"tree t\nauthor a\ncommitter c\n\nm".to_vec())
        );
        assert_eq!(
            split_signed(b"tree t", "gpgsig"),
            (None, b"tree t".to_vec())
        );
        // A header that merely starts like the signature header is not it.
        assert_eq!(split_signed(b"tree t\ngpgsigx y\n\nm", "gpgsig").0, None);
    }

    #[test]
    fn a_sha256_base_is_found_by_its_full_id_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = git2::RepositoryInitOptions::new();
        opts.object_format(git2::ObjectFormat::Sha256);
        let repo = Repository::init_opts(dir.path(), &opts).unwrap();
        assert_eq!(signature_header(repo.object_format()), "gpgsig-sha256");
        let sig = git2::Signature::now("A", "a@example.com").unwrap();
        let tree = repo
            .find_tree(repo.index().unwrap().write_tree().unwrap())
            .unwrap();
        let base = repo
            .commit(Some("HEAD"), &sig, &sig, "one", &tree, &[])
            .unwrap();
        let parent = repo.find_commit(base).unwrap();
        let commit = repo
            .commit(Some("HEAD"), &sig, &sig, "two", &tree, &[&parent])
            .unwrap();
        let full = base.to_string();
        assert_eq!(full.len(), 64);
        let rule = ReviewRule::default();
        let r = Reviewer {
            repo: &repo,
            rule: &rule,
            outcomes: HashMap::new(),
        };
        assert_eq!(r.base(&full, commit).unwrap(), base);
        let short = r.base(&full[..40], commit).unwrap_err();
        assert_eq!(short.code, REVIEW_MISSING);
        assert!(
            short.message.contains(
                "40 hex digits is a SHA-1 commit id, and the checkout is a SHA-256 repository"
            ),
            "{}",
            short.message
        );
    }

    #[test]
    fn rules_without_a_base_are_not_performed() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::now("A", "a@example.com").unwrap();
        let tree = repo
            .find_tree(repo.index().unwrap().write_tree().unwrap())
            .unwrap();
        let commit = repo
            .commit(Some("HEAD"), &sig, &sig, "one", &tree, &[])
            .unwrap();
        let rule = ReviewRule {
            require_signed: SignedCommits::SinceBase,
            two_party: true,
            ..ReviewRule::default()
        };
        let checks = review(&repo, commit, &rule).unwrap();
        let got: Vec<(&str, Outcome)> = checks.iter().map(|c| (c.code, c.outcome)).collect();
        assert_eq!(
            got,
            [
                (COMMIT_UNSIGNED, Outcome::NotPerformed),
                (REVIEW_MISSING, Outcome::NotPerformed)
            ]
        );
    }
}

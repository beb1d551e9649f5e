//! Did the reviewed commit pass review? The policy's `[review]` rules, judged from the
//! history's facts (`crate::source::ReviewFacts`): reachable from a protected branch, signed by
//! allowed signers, and every change since the trusted base brought in by a second person.
//!
//! Two-party review: a change passes when the commit that brought it is signed by an allowed
//! signer and every commit it brings is signed by another allowed signer, or when the change
//! carries signatures of at least `min-signers` distinct allowed signers. A commit's author is
//! a person only as far as a signature proves it: the author field is written by whoever made
//! the commit, so an unsigned commit may be anyone's, and a signed one is its signer's. A plain
//! commit on the first-parent chain is therefore one person's change.

use std::collections::BTreeSet;

use super::{Context, Sink};
use crate::check::Check;
use crate::git::CommitId;
use crate::policy::SignedCommits;
use crate::sigstore::codes::Code as Signature;
use crate::source::openpgp::RefusalKind;
use crate::source::review::{Base, Change, ReviewFacts};
use crate::source::signers::SignatureOutcome;

crate::codes! {
    /// What the review rules report (a commit signature that does not verify is `signature-invalid`, `crate::sigstore::codes::Code`).
    pub enum Code {
        OnProtectedBranch = "on-protected-branch" {
            summary: "the reviewed commit is reachable from a protected branch",
            description: "The commit is the tip or an ancestor of one of the branches the policy's [review] \
            protected-branches names, as the checkout knows them.",
        },
        NotOnProtectedBranch = "not-on-protected-branch" {
            summary: "the reviewed commit is on no protected branch",
            description: "A commit that never reached a protected branch did not go through its review rules. The \
            branches are read from the checkout: fetch them first (git fetch origin main), and name remote-tracking \
            branches by their full ref (refs/remotes/origin/main) when the local branch is not kept up to date.",
        },
        CommitSigned = "commit-signed" {
            summary: "a commit carries a valid signature by an allowed signer",
            description: "SSH signatures (SSHSIG, namespace git) are checked against the policy's allowed-signers file \
            at the committer's time, as git verify-commit does; OpenPGP signatures against the policy's armored \
            public keys, by a key that was valid (not expired, not revoked, with the signing flag) at the \
            signature's date. The signature is the one git verifies: the gpgsig header in a SHA-1 \
            repository, gpgsig-sha256 in a SHA-256 one.",
        },
        CommitUnsigned = "commit-unsigned" {
            summary: "a commit the policy requires to be signed has no signature",
            description: "The policy's [review] require-signed says which commits must be signed: the release commit, \
            or every commit since the trusted base. Sign with git commit -S (gpg.format=ssh or openpgp) and \
            re-push, or move the base past commits that predate signing.",
        },
        SignerNotAllowed = "signer-not-allowed" {
            summary: "a commit is signed, but not by an allowed signer",
            description: "The signing key is not in the allowed-signers file (or not for namespace git, or outside its \
            valid-after / valid-before window at the commit's time), or is none of the trusted OpenPGP keys. Add \
            the key to the policy's signers if it should be trusted.",
        },
        SignatureUnsupported = "signature-unsupported" {
            summary: "a commit's signature is of a kind custody cannot check",
            description: "X.509 (gpgsm) signatures, SSH certificates (cert-authority lines) and FIDO (sk-) keys are not \
            checked by custody; the check is reported as not performed, which fails.",
        },
        SignerKeyExpired = "signer-key-expired" {
            summary: "a commit's OpenPGP signature was made after its key expired",
            description: "The signature verifies with a trusted OpenPGP key, but it is dated at or after the key's \
            expiration: the key expiration time of the newest self-signature that verifies and was made by the \
            signature's date (for a subkey, of its binding signature; an expired primary key takes its subkeys \
            with it). Signatures made before the expiration still count, as with git verify-commit. If the key \
            holder extended the expiry, export the key again (gpg --armor --export) so the policy's file carries \
            the new self-signature; an extension made after the signature does not revive it.",
        },
        SignerKeyRevoked = "signer-key-revoked" {
            summary: "a commit's OpenPGP signature is by a revoked key",
            description: "The policy's key file carries a key revocation signature on the primary key, or a subkey \
            revocation on the signing subkey, that verifies. A revocation with reason \"key superseded\" or \"key \
            retired\" invalidates the signatures dated at or after it; one with no reason, \"key compromised\" or \
            an unknown reason invalidates every signature, since a thief can backdate. Re-sign the commits with a \
            valid key, or move the trusted base past them.",
        },
        SignerKeyNotSigning = "signer-key-not-signing" {
            summary: "a commit's OpenPGP signature is by a key not certified for signing",
            description: "The self-signature in force at the signature's date does not give the key the signing \
            key flag, or, for a subkey, lacks the embedded primary-key binding (back) signature that proves the \
            subkey's holder agreed to the binding. gpg refuses such signatures too. Sign with a signing (sub)key.",
        },
        SignatureExpired = "signature-expired" {
            summary: "a commit's OpenPGP signature has passed its own expiration time",
            description: "The signature carries a signature expiration time (gpg --ask-sig-expire, \
            --default-sig-expire), and that time has passed now. Re-sign the commit if it must still count.",
        },
        SignatureTimeInvalid = "signature-time-invalid" {
            summary: "a commit's OpenPGP signature is dated when its key could not have made it",
            description: "The signature is dated before its key (or subkey) was created or first bound by a \
            self-signature, or more than five minutes in the future of this machine's clock. A signing \
            machine's wrong clock or a forged date: check both clocks and re-sign.",
        },
        ReviewSatisfied = "review-satisfied" {
            summary: "every change since the base reached the release commit through a second person",
            description: "Each commit on the first-parent chain from the release commit back to the trusted base is a \
            merge or commit signed by an allowed signer who is not an author of the changes it brings, or the \
            change carries signatures of at least min-signers distinct allowed signers.",
        },
        ReviewMissing = "review-missing" {
            summary: "a change reached the release commit without a second person",
            description: "Under [review] two-party, every change since the trusted base must come through a merge (or \
            signed commit) whose allowed signer is not the author of the changes it brings, or carry signatures of \
            at least min-signers distinct allowed signers. Each violating commit is listed: a self-merged branch, a \
            direct push, an unsigned merge. Also reported when the base is not an ancestor of the release commit.",
        },
    }
}

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    let rule = &ctx.policy.review;
    if ctx.artifact.is_some() || rule.is_empty() {
        return;
    }
    let Some(facts) = ctx.evidence.source.as_ref().and_then(|s| s.review.as_ref()) else {
        if ctx.evidence.source.is_none() {
            sink.push(Check::not_performed(
                Code::ReviewMissing,
                "the policy's [review] rules are judged from a checkout of the source: give --source DIR",
            ));
        }
        return;
    };
    if !rule.protected_branches.is_empty() {
        sink.push(protected_branch(facts));
    }
    let base = match &facts.base {
        Some(Base::Found(b)) => Some(*b),
        Some(Base::Missing(given)) => {
            sink.push(Check::fail(
                Code::ReviewMissing,
                format!(
                    "the trusted base {given} is not in the checkout{}",
                    crate::source::binding::id_format_hint(given, facts.commit)
                ),
            ));
            return;
        }
        Some(Base::NotAncestor(given)) => {
            sink.push(Check::fail(
                Code::ReviewMissing,
                format!(
                    "the trusted base {given} is not an ancestor of {}: the history was rewritten, or the base is wrong",
                    facts.commit
                ),
            ));
            return;
        }
        None => None,
    };
    match (rule.require_signed, base) {
        (SignedCommits::None, _) => {}
        (SignedCommits::Release, _) => sink.push(signed(facts, facts.commit)),
        (SignedCommits::SinceBase, Some(base)) => {
            let bad: Vec<Check> = facts
                .signed
                .iter()
                .map(|c| signed(facts, *c))
                .filter(|c| c.outcome != crate::check::Outcome::Pass)
                .collect();
            if bad.is_empty() {
                sink.push(Check::pass(
                    Code::CommitSigned,
                    format!(
                        "all {} commits since base {base} are signed by allowed signers",
                        facts.signed.len()
                    ),
                ));
            }
            sink.extend(bad);
        }
        // Policy validation demands a base for these; a rule built in code without one cannot
        // be judged, and says so rather than passing.
        (SignedCommits::SinceBase, None) => sink.push(Check::not_performed(
            Code::CommitUnsigned,
            "every commit since the base must be signed, but no trusted base was given",
        )),
    }
    match (rule.two_party, base) {
        (true, Some(base)) => {
            let violations: Vec<Check> = facts
                .changes
                .iter()
                .filter_map(|c| violation(facts, c, rule.min_signers))
                .map(|why| Check::fail(Code::ReviewMissing, why))
                .collect();
            if violations.is_empty() {
                sink.push(Check::pass(
                    Code::ReviewSatisfied,
                    format!(
                        "all {} changes since base {base} came through a second person",
                        facts.changes.len()
                    ),
                ));
            }
            sink.extend(violations);
        }
        (true, None) => sink.push(Check::not_performed(
            Code::ReviewMissing,
            "two-party review needs a trusted base commit, and none was given",
        )),
        (false, _) => {}
    }
}

fn protected_branch(facts: &ReviewFacts) -> Check {
    let commit = facts.commit;
    if let Some(b) = facts.branches.iter().find(|b| b.reaches) {
        let tip = b.tip.map(|t| t.hex()).unwrap_or_default();
        return Check::pass(
            Code::OnProtectedBranch,
            format!("{commit} is reachable from {} ({tip})", b.name),
        );
    }
    let names: Vec<&str> = facts.branches.iter().map(|b| b.name.as_str()).collect();
    let missing: Vec<&str> = facts
        .branches
        .iter()
        .filter(|b| b.tip.is_none())
        .map(|b| b.name.as_str())
        .collect();
    let mut message = format!(
        "{commit} is reachable from none of the protected branches {}",
        names.join(", ")
    );
    if !missing.is_empty() {
        message.push_str(&format!(
            " (not in the checkout: {}; fetch them)",
            missing.join(", ")
        ));
    }
    Check::fail(Code::NotOnProtectedBranch, message)
}

fn outcome(facts: &ReviewFacts, c: CommitId) -> SignatureOutcome {
    facts
        .signatures
        .get(&c)
        .map(|s| s.outcome.clone())
        .unwrap_or_else(|| SignatureOutcome::Invalid("the commit's signature was not read".into()))
}

/// The signature check of one commit.
fn signed(facts: &ReviewFacts, c: CommitId) -> Check {
    match outcome(facts, c) {
        SignatureOutcome::Allowed { signer, .. } => {
            Check::pass(Code::CommitSigned, format!("{c} is signed by {signer}"))
        }
        SignatureOutcome::Unsigned => {
            Check::fail(Code::CommitUnsigned, format!("{c} is not signed"))
        }
        SignatureOutcome::Invalid(why) => {
            Check::fail(Signature::SignatureInvalid, format!("{c}: {why}"))
        }
        SignatureOutcome::NotAllowed(why) => {
            Check::fail(Code::SignerNotAllowed, format!("{c}: {why}"))
        }
        SignatureOutcome::Refused { kind, why } => {
            let code = match kind {
                RefusalKind::NotAllowed => Code::SignerNotAllowed,
                RefusalKind::TimeInvalid => Code::SignatureTimeInvalid,
                RefusalKind::SignatureExpired => Code::SignatureExpired,
                RefusalKind::KeyRevoked => Code::SignerKeyRevoked,
                RefusalKind::KeyExpired => Code::SignerKeyExpired,
                RefusalKind::KeyNotSigning => Code::SignerKeyNotSigning,
            };
            Check::fail(code, format!("{c}: {why}"))
        }
        SignatureOutcome::Unsupported(why) => Check::not_performed(
            Code::SignatureUnsupported,
            format!("{c}: {why}, which custody does not check"),
        ),
    }
}

/// Why `change` lacks a second person, if it does.
fn violation(facts: &ReviewFacts, change: &Change, min_signers: usize) -> Option<String> {
    let m = change.commit;
    let brought: Vec<CommitId> = change.brought.iter().copied().filter(|b| *b != m).collect();
    let mut signers = BTreeSet::new();
    for c in change.brought.iter().chain([&m]) {
        if let SignatureOutcome::Allowed { signer, .. } = outcome(facts, *c) {
            signers.insert(signer);
        }
    }
    let carries = format!(
        "the change carries {} of {} distinct allowed signers",
        signers.len(),
        min_signers
    );
    if signers.len() >= min_signers {
        return None;
    }
    let claimed: BTreeSet<String> = change
        .brought
        .iter()
        .filter_map(|b| facts.signatures.get(b)?.claimed_author.clone())
        .collect();
    let claimed = claimed.into_iter().collect::<Vec<_>>().join(", ");
    let kind = if change.merge { "merge" } else { "commit" };
    let n = change.brought.len();
    let (signer, identities) = match outcome(facts, m) {
        SignatureOutcome::Allowed { signer, identities } => (signer, identities),
        _ => {
            return Some(format!(
                "{kind} {m} is not signed by an allowed signer, so nobody vouches for the {n} commit(s) it brings ({claimed}); {carries}"
            ));
        }
    };
    if !change.merge {
        return Some(format!(
            "commit {m} is signed by {signer}, who is its author as far as anything proves (the author field, {claimed}, is written by whoever commits); one person's change needs a second signer: {carries}"
        ));
    }
    let mut own = 0;
    let mut unproven = 0;
    for b in &brought {
        match outcome(facts, *b) {
            SignatureOutcome::Allowed {
                identities: theirs, ..
            } => {
                if theirs.iter().any(|t| identities.contains(t)) {
                    own += 1;
                }
            }
            _ => unproven += 1,
        }
    }
    if own > 0 {
        return Some(format!(
            "merge {m} is signed by {signer}, an author of {own} of the {n} commit(s) it brings ({claimed}); {carries}"
        ));
    }
    if unproven > 0 {
        return Some(format!(
            "merge {m} is signed by {signer}, but {unproven} of the {n} commit(s) it brings carry no allowed signature, so nothing proves their author ({claimed}) is someone else; {carries}"
        ));
    }
    None
}

//! Does the provenance name the reviewed checkout? Its commit must be the checkout's commit,
//! its repository the policy's or one of the checkout's remotes, and a ref it names must lead to
//! the commit in the checkout (a tag points at it; a branch has it as tip or ancestor). For
//! `custody source`, which has no provenance, the policy's `[source]` commit and repository are
//! judged against the checkout itself.

use super::provenance::Code as Provenance;
use super::{Context, Sink};
use crate::attest::slsa::{Provenance as SlsaProvenance, Source};
use crate::check::Check;
use crate::evidence::SourceEvidence;
use crate::source::binding::{canonical_repository, id_format_hint};

crate::codes! {
    /// What binding a provenance to the checkout reports (with the provenance codes `source-commit-*` and `source-ref-*`, `crate::checks::provenance::Code`).
    pub enum Code {
        SourceRepoMatched = "source-repo-matched" {
            summary: "the provenance's source repository is the expected one",
            description: "With --source, the repository the provenance names equals the policy's [source] uri or, \
            without one, a remote of the checkout, after normalising both (no scheme, git+, user info, .git or \
            trailing slash; host in lower case; scp-style git@host:path read as host/path).",
        },
        SourceRepoMismatch = "source-repo-mismatch" {
            summary: "the provenance names another repository than the checkout's, or none",
            description: "The artifact claims to come from a repository other than the one reviewed. Compare the \
            provenance's repository (shown in the report) with the policy's [source] uri or the checkout's remotes \
            (git remote -v). A fork with the same history is still another repository: point [source] uri at the \
            repository that is really trusted. When neither a policy uri nor a remote exists there is nothing to \
            compare with, and the check is not performed (which fails).",
        },
    }
}

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    let Some(source) = &ctx.evidence.source else {
        return;
    };
    let Some(a) = ctx.artifact else {
        if source.judge_policy_source {
            sink.extend(policy_source(ctx, source));
        }
        return;
    };
    if !ctx.evidence.attested {
        return;
    }
    let mut bound = 0;
    for (i, _) in &a.matched {
        let Some(v) = ctx.evidence.verified(*i) else {
            continue;
        };
        let Some(s) = v.statement() else {
            continue;
        };
        if let Some(Ok(p)) = SlsaProvenance::from_predicate(&s.predicate_type, &s.predicate) {
            bound += 1;
            let expected = ctx.policy.source.uri.as_deref();
            sink.extend(bind(source, &p.source(), expected, &v.origin().to_string()));
        }
    }
    if bound == 0 {
        sink.push(Check::fail(
            Provenance::SourceCommitMismatch,
            "no verified SLSA provenance about this artifact names its source, so nothing binds it to the checkout",
        ));
    }
}

/// The policy's `[source]` commit and repository against the checkout.
fn policy_source(ctx: &Context<'_>, source: &SourceEvidence) -> Vec<Check> {
    let mut checks = Vec::new();
    let commit = source.commit.hex();
    if let Some(want) = &ctx.policy.source.commit {
        checks.push(if want.eq_ignore_ascii_case(&commit) {
            Check::pass(
                Provenance::SourceCommitMatched,
                format!("the checkout is at {commit}"),
            )
        } else {
            Check::fail(
                Provenance::SourceCommitMismatch,
                format!(
                    "the checkout is at {commit}, but the policy expects {want}{}",
                    id_format_hint(want, source.commit)
                ),
            )
        });
    }
    if let Some(want) = &ctx.policy.source.uri {
        let want = canonical_repository(want);
        let remotes = &source.remotes;
        checks.push(match remotes.iter().find(|(_, url)| *url == want) {
            Some((name, _)) => Check::pass(
                Code::SourceRepoMatched,
                format!("the checkout's remote {name} is {want}"),
            ),
            None => Check::fail(
                Code::SourceRepoMismatch,
                format!(
                    "the policy expects {want}, which is none of the checkout's remotes ({})",
                    if remotes.is_empty() {
                        "it has none".to_owned()
                    } else {
                        remotes
                            .iter()
                            .map(|(n, u)| format!("{n} {u}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            ),
        });
    }
    checks
}

/// The checks binding one provenance's `source` (from attestation `at`) to the checkout.
/// `expected_repo` is the policy's repository, if any.
fn bind(
    checkout: &SourceEvidence,
    source: &Source,
    expected_repo: Option<&str>,
    at: &str,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let commit = checkout.commit;
    let want = commit.hex();
    checks.push(match &source.commit {
        Some(got) if got.eq_ignore_ascii_case(&want) => Check::pass(
            Provenance::SourceCommitMatched,
            format!("{at}: built from commit {want}, the checkout's"),
        ),
        Some(got) => Check::fail(
            Provenance::SourceCommitMismatch,
            format!(
                "{at}: built from commit {got}, but the checkout is at {want}{}",
                id_format_hint(got, commit)
            ),
        ),
        None => Check::fail(
            Provenance::SourceCommitMismatch,
            format!("{at}: the provenance names no source commit to compare with {want}"),
        ),
    });
    checks.push(repository_check(checkout, source, expected_repo, at));
    if let Some(git_ref) = &source.git_ref {
        checks.push(ref_check(checkout, git_ref, at));
    }
    checks
}

fn repository_check(
    checkout: &SourceEvidence,
    source: &Source,
    expected: Option<&str>,
    at: &str,
) -> Check {
    let Some(got) = source.repository.as_deref() else {
        return Check::fail(
            Code::SourceRepoMismatch,
            format!("{at}: the provenance names no source repository"),
        );
    };
    let got = canonical_repository(got);
    if let Some(want) = expected {
        let want = canonical_repository(want);
        return if got == want {
            Check::pass(
                Code::SourceRepoMatched,
                format!("{at}: source {got}, the policy's"),
            )
        } else {
            Check::fail(
                Code::SourceRepoMismatch,
                format!("{at}: built from {got}, but the policy expects {want}"),
            )
        };
    }
    let remotes = &checkout.remotes;
    if remotes.is_empty() {
        return Check::not_performed(
            Code::SourceRepoMismatch,
            format!(
                "{at}: built from {got}; the checkout has no remote and the policy names no [source] uri to compare with"
            ),
        );
    }
    match remotes.iter().find(|(_, url)| *url == got) {
        Some((name, _)) => Check::pass(
            Code::SourceRepoMatched,
            format!("{at}: source {got}, the checkout's remote {name}"),
        ),
        None => {
            let list: Vec<String> = remotes.iter().map(|(n, u)| format!("{n} {u}")).collect();
            Check::fail(
                Code::SourceRepoMismatch,
                format!(
                    "{at}: built from {got}, which is none of the checkout's remotes ({})",
                    list.join(", ")
                ),
            )
        }
    }
}

/// A tag must point at the commit. A branch moves forward by design, so the commit must be its
/// tip or an ancestor of it: demanding the tip would fail every check made after the next push.
fn ref_check(checkout: &SourceEvidence, git_ref: &str, at: &str) -> Check {
    let commit = checkout.commit;
    let Some(facts) = checkout.refs.get(git_ref) else {
        return Check::not_performed(
            Provenance::SourceRefMismatch,
            format!(
                "{at}: the provenance names {git_ref}, which was not looked up in the checkout"
            ),
        );
    };
    let full = &facts.full;
    let Some((name, target)) = &facts.found else {
        return Check::not_performed(
            Provenance::SourceRefMismatch,
            format!(
                "{at}: the provenance names {full}, which the checkout does not have (git fetch --tags, or fetch the branch)"
            ),
        );
    };
    if *target == commit {
        return Check::pass(
            Provenance::SourceRefMatched,
            format!("{at}: {name} points at {commit} in the checkout"),
        );
    }
    if facts.reaches {
        return Check::pass(
            Provenance::SourceRefMatched,
            format!("{at}: {commit} is on {name} in the checkout (now at {target})"),
        );
    }
    Check::fail(
        Provenance::SourceRefMismatch,
        format!(
            "{at}: the provenance names {full}, but in the checkout {name} points at {target}, not {commit}"
        ),
    )
}

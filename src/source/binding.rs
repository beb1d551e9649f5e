//! Does the provenance name this checkout? Its commit must be the reviewed commit, its
//! repository the policy's or one of the checkout's remotes, and a ref it names must lead to the
//! commit in the checkout.

use git2::{Oid, Repository};

use super::codes::{SOURCE_REPO_MATCHED, SOURCE_REPO_MISMATCH};
use crate::attest::slsa::{Source, normalize_repository};
use crate::check::Check;
use crate::policy::codes::{
    SOURCE_COMMIT_MATCHED, SOURCE_COMMIT_MISMATCH, SOURCE_REF_MATCHED, SOURCE_REF_MISMATCH,
};

/// A repository URL in the one form custody compares: no `git+`, scheme, user info, `.git` or
/// trailing slash, host in lower case, and scp-style `git@host:org/repo` read as
/// `host/org/repo`.
pub fn canonical_repository(uri: &str) -> String {
    let trimmed = uri.trim();
    let scp = !trimmed.contains("://")
        && trimmed
            .find(':')
            .is_some_and(|c| !trimmed[..c].contains('/') && !trimmed[c + 1..].starts_with('/'));
    let rewritten = if scp {
        trimmed.replacen(':', "/", 1)
    } else {
        trimmed.to_owned()
    };
    let bare = normalize_repository(&rewritten);
    match bare.split_once('/') {
        Some((host, path)) => format!("{}/{path}", host.to_ascii_lowercase()),
        None => bare.to_ascii_lowercase(),
    }
}

/// The checkout's remotes: (name, canonical URL), sorted by name.
pub fn remotes(repo: &Repository) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(names) = repo.remotes() {
        for name in names.iter().flatten().flatten() {
            if let Ok(remote) = repo.find_remote(name)
                && let Ok(url) = remote.url()
            {
                out.push((name.to_owned(), canonical_repository(url)));
            }
        }
    }
    out.sort();
    out
}

/// The checks binding one provenance's `source` (from attestation `at`) to the checkout at
/// `commit`. `expected_repo` is the policy's repository, if any.
pub fn bind(
    repo: &Repository,
    commit: Oid,
    source: &Source,
    expected_repo: Option<&str>,
    at: &str,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let want = commit.to_string();
    checks.push(match &source.commit {
        Some(got) if got.eq_ignore_ascii_case(&want) => Check::pass(
            SOURCE_COMMIT_MATCHED,
            format!("{at}: built from commit {want}, the checkout's"),
        ),
        Some(got) => Check::fail(
            SOURCE_COMMIT_MISMATCH,
            format!(
                "{at}: built from commit {got}, but the checkout is at {want}{}",
                id_format_hint(got, commit)
            ),
        ),
        None => Check::fail(
            SOURCE_COMMIT_MISMATCH,
            format!("{at}: the provenance names no source commit to compare with {want}"),
        ),
    });
    checks.push(repository_check(repo, source, expected_repo, at));
    if let Some(git_ref) = &source.git_ref {
        checks.push(ref_check(repo, commit, git_ref, at));
    }
    checks
}

/// Why a commit id cannot name `commit` at all, when its length is that of the other object
/// format: a SHA-1 id (40 hex digits) never names a commit of a SHA-256 repository (64), nor
/// the reverse. Empty when the lengths agree.
pub fn id_format_hint(id: &str, commit: Oid) -> String {
    let format_of = |len: usize| match len {
        40 => Some("SHA-1"),
        64 => Some("SHA-256"),
        _ => None,
    };
    let want = commit.to_string().len();
    match (format_of(id.len()), format_of(want)) {
        (Some(given), Some(repo)) if given != repo => format!(
            " ({} hex digits is a {given} commit id, and the checkout is a {repo} repository)",
            id.len()
        ),
        _ => String::new(),
    }
}

fn repository_check(repo: &Repository, source: &Source, expected: Option<&str>, at: &str) -> Check {
    let Some(got) = source.repository.as_deref() else {
        return Check::fail(
            SOURCE_REPO_MISMATCH,
            format!("{at}: the provenance names no source repository"),
        );
    };
    let got = canonical_repository(got);
    if let Some(want) = expected {
        let want = canonical_repository(want);
        return if got == want {
            Check::pass(
                SOURCE_REPO_MATCHED,
                format!("{at}: source {got}, the policy's"),
            )
        } else {
            Check::fail(
                SOURCE_REPO_MISMATCH,
                format!("{at}: built from {got}, but the policy expects {want}"),
            )
        };
    }
    let remotes = remotes(repo);
    if remotes.is_empty() {
        return Check::not_performed(
            SOURCE_REPO_MISMATCH,
            format!(
                "{at}: built from {got}; the checkout has no remote and the policy names no [source] uri to compare with"
            ),
        );
    }
    match remotes.iter().find(|(_, url)| *url == got) {
        Some((name, _)) => Check::pass(
            SOURCE_REPO_MATCHED,
            format!("{at}: source {got}, the checkout's remote {name}"),
        ),
        None => {
            let list: Vec<String> = remotes.iter().map(|(n, u)| format!("{n} {u}")).collect();
            Check::fail(
                SOURCE_REPO_MISMATCH,
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
fn ref_check(repo: &Repository, commit: Oid, git_ref: &str, at: &str) -> Check {
    let full = if git_ref.starts_with("refs/") {
        git_ref.to_owned()
    } else {
        format!("refs/heads/{git_ref}")
    };
    let candidates: Vec<String> = match full.strip_prefix("refs/heads/") {
        Some(branch) => {
            let mut c = vec![full.clone()];
            for (remote, _) in remotes(repo) {
                c.push(format!("refs/remotes/{remote}/{branch}"));
            }
            c
        }
        None => vec![full.clone()],
    };
    let Some((name, target)) = candidates.iter().find_map(|name| {
        let r = repo.find_reference(name).ok()?;
        let target = r.peel_to_commit().ok()?.id();
        Some((name.clone(), target))
    }) else {
        return Check::not_performed(
            SOURCE_REF_MISMATCH,
            format!(
                "{at}: the provenance names {full}, which the checkout does not have (git fetch --tags, or fetch the branch)"
            ),
        );
    };
    if target == commit {
        return Check::pass(
            SOURCE_REF_MATCHED,
            format!("{at}: {name} points at {commit} in the checkout"),
        );
    }
    if full.starts_with("refs/heads/") && repo.graph_descendant_of(target, commit).unwrap_or(false)
    {
        return Check::pass(
            SOURCE_REF_MATCHED,
            format!("{at}: {commit} is on {name} in the checkout (now at {target})"),
        );
    }
    Check::fail(
        SOURCE_REF_MISMATCH,
        format!(
            "{at}: the provenance names {full}, but in the checkout {name} points at {target}, not {commit}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_the_other_object_format_are_named() {
        let sha1 = Oid::from_str_ext(&"a".repeat(40), git2::ObjectFormat::Sha1).unwrap();
        let sha256 = Oid::from_str_ext(&"b".repeat(64), git2::ObjectFormat::Sha256).unwrap();
        assert_eq!(
            id_format_hint(&"b".repeat(64), sha1),
            " (64 hex digits is a SHA-256 commit id, and the checkout is a SHA-1 repository)"
        );
        assert_eq!(
            id_format_hint(&"a".repeat(40), sha256),
            " (40 hex digits is a SHA-1 commit id, and the checkout is a SHA-256 repository)"
        );
        assert_eq!(id_format_hint(&"c".repeat(40), sha1), "");
        assert_eq!(id_format_hint(&"c".repeat(64), sha256), "");
        assert_eq!(id_format_hint("abc", sha256), "");
    }

    #[test]
    fn repositories_normalise() {
        for uri in [
            "git+https://GitHub.com/org/repo.git",
            "https://github.com/org/repo/",
            "git@github.com:org/repo.git",
            "ssh://git@GITHUB.COM/org/repo",
            "github.com/org/repo",
        ] {
            assert_eq!(canonical_repository(uri), "github.com/org/repo", "{uri}");
        }
        // The path keeps its case: hosts such as GitLab treat it as significant.
        assert_eq!(canonical_repository("https://h/Org/Repo"), "h/Org/Repo");
    }
}

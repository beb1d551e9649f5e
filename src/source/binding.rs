//! Facts for binding a provenance to the checkout: the checkout's remotes in one canonical
//! form, and where a ref the provenance names leads in the checkout. `crate::checks::binding`
//! judges them.

use crate::attest::slsa::normalize_repository;
use crate::git::{CommitId, Repo};

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
pub fn remotes(repo: &Repo) -> Vec<(String, String)> {
    repo.remotes()
        .into_iter()
        .map(|(name, url)| (name, canonical_repository(&url)))
        .collect()
}

/// Where a ref that a provenance names leads in the checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefFacts {
    /// The ref as a full name (`refs/heads/main` for a bare branch name).
    pub full: String,
    /// The ref the checkout has (the branch, or a remote's copy of it) and its commit.
    pub found: Option<(String, CommitId)>,
    /// Whether the reviewed commit is that commit or (for a branch, which moves forward by
    /// design) one of its ancestors.
    pub reaches: bool,
}

/// Look up `git_ref` in the checkout: a tag must point at the commit; a branch (or a remote's
/// copy of it) must have the commit as its tip or an ancestor of it.
pub fn reference(repo: &Repo, commit: CommitId, git_ref: &str) -> RefFacts {
    let full = if git_ref.starts_with("refs/") {
        git_ref.to_owned()
    } else {
        format!("refs/heads/{git_ref}")
    };
    let candidates: Vec<String> = match full.strip_prefix("refs/heads/") {
        Some(branch) => {
            let mut c = vec![full.clone()];
            for (remote, _) in repo.remotes() {
                c.push(format!("refs/remotes/{remote}/{branch}"));
            }
            c
        }
        None => vec![full.clone()],
    };
    let found = candidates
        .iter()
        .find_map(|name| Some((name.clone(), repo.reference(name)?)));
    let reaches = match &found {
        Some((_, target)) if *target == commit => true,
        Some((_, target)) => full.starts_with("refs/heads/") && repo.is_ancestor(commit, *target),
        None => false,
    };
    RefFacts {
        full,
        found,
        reaches,
    }
}

/// Why a commit id cannot name `commit` at all, when its length is that of the other object
/// format: a SHA-1 id (40 hex digits) never names a commit of a SHA-256 repository (64), nor
/// the reverse. Empty when the lengths agree.
pub fn id_format_hint(id: &str, commit: CommitId) -> String {
    let format_of = |len: usize| crate::git::ObjectFormat::of_hex_len(len).map(|f| f.title());
    match (format_of(id.len()), Some(commit.format().title())) {
        (Some(given), Some(repo)) if given != repo => format!(
            " ({} hex digits is a {given} commit id, and the checkout is a {repo} repository)",
            id.len()
        ),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_the_other_object_format_are_named() {
        use crate::git::ObjectFormat;
        let sha1 = CommitId::parse(&"a".repeat(40), ObjectFormat::Sha1).unwrap();
        let sha256 = CommitId::parse(&"b".repeat(64), ObjectFormat::Sha256).unwrap();
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

//! Source binding and review evidence: the reviewed commit in a local checkout, checked against
//! the provenance, the working tree and the policy's `[review]` rules.
//!
//! A [`Checkout`] is opened once per run (`custody source`, or `custody verify --source`): the
//! revision is resolved, then [`Checkout::checks`] judges the working tree and the review
//! evidence, and [`Checkout::bind`] judges each verified provenance against the commit. The
//! repository is read with git2 for objects and refs only; file contents are hashed by custody
//! (`crate::hash`), never taken from the index.

pub mod binding;
mod checkout;
pub mod codes;
mod openpgp;
mod review;
pub mod signers;

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};
use serde_json::{Value, json};

use crate::attest::slsa::Source;
use crate::check::Check;
use crate::hash::Format;
use crate::policy::Policy;
use crate::policy::codes::{SOURCE_COMMIT_MATCHED, SOURCE_COMMIT_MISMATCH};
use codes::*;

pub use checkout::{CheckoutDiff, StatCacheUse};

/// Why the source checks could not run (custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The directory is not inside a git repository, or it cannot be opened.
    #[error("{path}: not a git checkout: {message}")]
    Open { path: PathBuf, message: String },
    /// The revision does not name a commit in the checkout.
    #[error("{rev}: not a commit in the checkout: {message}")]
    Rev { rev: String, message: String },
    /// The repository uses an object format this build cannot read.
    #[error("{path}: {message}")]
    ObjectFormat { path: PathBuf, message: String },
    /// Reading objects or refs failed.
    #[error("git: {0}")]
    Git(String),
    /// The working tree could not be read or hashed.
    #[error("{0}")]
    Hash(String),
    /// The stat cache may not be used where it is.
    #[error("--stat-cache {path}: {message}")]
    StatCache { path: PathBuf, message: String },
}

/// A checkout and the revision that was reviewed in it.
pub struct Checkout {
    repo: Repository,
    dir: PathBuf,
    rev: String,
    commit: Oid,
    /// Whether the revision is HEAD, so the working tree must be it.
    at_head: bool,
    format: Format,
}

impl Checkout {
    /// Open the repository containing `dir` and resolve `rev` (default `HEAD`) to a commit.
    pub fn open(dir: &Path, rev: Option<&str>) -> Result<Checkout, SourceError> {
        let open = |message: String| SourceError::Open {
            path: dir.to_owned(),
            message,
        };
        let repo = Repository::open(dir).map_err(|e| {
            // libgit2 refuses a repository whose format extensions it does not know; name the
            // object format when that is why.
            match object_format(dir) {
                Some(format) if format != "sha1" && format != "sha256" => SourceError::ObjectFormat {
                    path: dir.to_owned(),
                    message: format!(
                        "the repository's object format is {format}; custody reads SHA-1 and SHA-256 repositories only"
                    ),
                },
                _ => open(e.message().to_owned()),
            }
        })?;
        let format = tree_format(repo.object_format());
        let rev_text = rev.unwrap_or("HEAD").to_owned();
        let rev_err = |e: git2::Error| SourceError::Rev {
            rev: rev_text.clone(),
            message: e.message().to_owned(),
        };
        let commit = repo
            .revparse_single(&rev_text)
            .and_then(|o| o.peel_to_commit())
            .map_err(rev_err)?
            .id();
        // Only HEAD is what the working tree claims to be: another revision, even one HEAD
        // happens to be at, was reviewed as history, not as these files.
        let at_head = rev_text == "HEAD";
        Ok(Checkout {
            repo,
            dir: dir.to_owned(),
            rev: rev_text,
            commit,
            at_head,
            format,
        })
    }

    /// The checkout's directory, as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The reviewed commit id, lowercase hex.
    pub fn commit(&self) -> String {
        self.commit.to_string()
    }

    /// The checks binding one verified provenance's `source` (from attestation `at`) to this
    /// checkout; `expected_repo` is the policy's repository, if any.
    pub fn bind(&self, source: &Source, expected_repo: Option<&str>, at: &str) -> Vec<Check> {
        binding::bind(&self.repo, self.commit, source, expected_repo, at)
    }

    /// Where a stat cache at `path` really is (absolute, symlinks and `..` resolved), refusing
    /// one inside the checkout: a commit could ship a forged cache there, and it would count as
    /// an untracked file.
    pub fn stat_cache_path(&self, path: &Path) -> Result<PathBuf, SourceError> {
        let err = |message: String| SourceError::StatCache {
            path: path.to_owned(),
            message,
        };
        let resolved = resolve(path).map_err(|e| err(format!("cannot resolve: {e}")))?;
        for dir in [Some(self.dir.as_path()), self.repo.workdir()]
            .into_iter()
            .flatten()
        {
            let real =
                std::fs::canonicalize(dir).map_err(|e| err(format!("{}: {e}", dir.display())))?;
            if resolved.starts_with(&real) {
                return Err(err(format!(
                    "{} is inside the checkout {}; a cache there could come with a commit (and \
                     would count as an untracked file). Keep it where only you write, e.g. \
                     ~/.cache/custody/NAME.stat",
                    resolved.display(),
                    real.display()
                )));
            }
        }
        Ok(resolved)
    }

    /// The checks that need no provenance: the working tree (when the revision is HEAD) and the
    /// policy's `[review]` rules, plus the facts to report under `details["source"]`. With
    /// `stat_cache` (see [`Checkout::stat_cache_path`]), files whose stat data is unchanged since
    /// an earlier run read them are trusted from it, and the facts and messages count them.
    pub fn checks(
        &self,
        policy: &Policy,
        threads: Option<usize>,
        stat_cache: Option<&Path>,
    ) -> Result<(Vec<Check>, Value), SourceError> {
        let mut checks = Vec::new();
        let mut facts = json!({
            "path": self.dir.display().to_string(),
            "rev": self.rev,
            "commit": self.commit(),
            "object_format": self.repo.object_format().str(),
            "remotes": binding::remotes(&self.repo)
                .into_iter()
                .map(|(name, url)| json!({ "name": name, "url": url }))
                .collect::<Vec<_>>(),
        });
        let obj = facts.as_object_mut().expect("a JSON object literal");
        if self.at_head {
            let tree = self
                .repo
                .find_commit(self.commit)
                .and_then(|c| c.tree())
                .map_err(|e| SourceError::Git(e.message().to_owned()))?;
            let diff = checkout::compare(&self.repo, &tree, self.format, threads, stat_cache)?;
            checks.extend(worktree_checks(&diff));
            obj.insert("worktree".into(), worktree_facts(&diff));
        } else {
            obj.insert(
                "worktree".into(),
                format!(
                    "not compared: {} is not HEAD, so the working tree is not what was reviewed",
                    self.rev
                )
                .into(),
            );
        }
        checks.extend(review::review(&self.repo, self.commit, &policy.review)?);
        Ok((checks, facts))
    }

    /// What `custody source` checks without provenance: the policy's `[source]` commit and
    /// repository against the checkout.
    pub fn policy_checks(&self, policy: &Policy) -> Vec<Check> {
        let mut checks = Vec::new();
        let commit = self.commit();
        if let Some(want) = &policy.source.commit {
            checks.push(if want.eq_ignore_ascii_case(&commit) {
                Check::pass(
                    SOURCE_COMMIT_MATCHED,
                    format!("the checkout is at {commit}"),
                )
            } else {
                Check::fail(
                    SOURCE_COMMIT_MISMATCH,
                    format!(
                        "the checkout is at {commit}, but the policy expects {want}{}",
                        binding::id_format_hint(want, self.commit)
                    ),
                )
            });
        }
        if let Some(want) = &policy.source.uri {
            let want = binding::canonical_repository(want);
            let remotes = binding::remotes(&self.repo);
            checks.push(match remotes.iter().find(|(_, url)| *url == want) {
                Some((name, _)) => Check::pass(
                    SOURCE_REPO_MATCHED,
                    format!("the checkout's remote {name} is {want}"),
                ),
                None => Check::fail(
                    SOURCE_REPO_MISMATCH,
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
}

/// `path` made absolute with its symlinks and `..` resolved: the longest part of it that exists
/// is canonicalized, and the rest, which does not exist and so holds no symlink, is applied
/// lexically.
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    use std::path::Component;
    let abs = std::env::current_dir()?.join(path);
    let parts: Vec<Component<'_>> = abs.components().collect();
    for i in (1..=parts.len()).rev() {
        let prefix: PathBuf = parts[..i].iter().collect();
        let Ok(mut out) = std::fs::canonicalize(&prefix) else {
            continue;
        };
        for part in &parts[i..] {
            match part {
                Component::ParentDir => {
                    out.pop();
                }
                Component::Normal(name) => out.push(name),
                _ => {}
            }
        }
        return Ok(out);
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "no part of the path exists",
    ))
}

/// The `extensions.objectformat` of the repository holding `dir`, read from its config file, to
/// explain why git2 could not open it.
fn object_format(dir: &Path) -> Option<String> {
    let path = Repository::discover_path(dir, std::iter::empty::<&std::ffi::OsStr>()).ok()?;
    let config = git2::Config::open(&path.join("config")).ok()?;
    config
        .get_string("extensions.objectformat")
        .ok()
        .map(|f| f.to_ascii_lowercase())
}

/// The tree hashing that gives tree ids in a repository's object format.
fn tree_format(format: git2::ObjectFormat) -> Format {
    match format {
        git2::ObjectFormat::Sha1 => Format::GitSha1,
        git2::ObjectFormat::Sha256 => Format::GitSha256,
    }
}

fn worktree_checks(diff: &CheckoutDiff) -> Vec<Check> {
    let mut checks = Vec::new();
    if diff.is_clean() {
        checks.push(Check::pass(
            CHECKOUT_CLEAN,
            match &diff.stat_cache {
                None => format!(
                    "the working tree's {} files ({} bytes, read in full) hash to tree {}, the commit's",
                    diff.files, diff.bytes, diff.worktree_tree
                ),
                Some(used) => format!(
                    "the working tree's {} files hash to tree {}, the commit's; {}",
                    diff.files,
                    diff.worktree_tree,
                    cache_words(used)
                ),
            },
        ));
    } else {
        let mut parts = Vec::new();
        for (what, list) in [
            ("modified", &diff.modified),
            ("deleted", &diff.deleted),
            ("untracked", &diff.untracked),
        ] {
            if !list.is_empty() {
                parts.push(format!("{what}: {}", list_paths(list)));
            }
        }
        if parts.is_empty() {
            parts.push("no file differs, yet the tree ids differ".into());
        }
        if let Some(used) = &diff.stat_cache {
            parts.push(cache_words(used));
        }
        checks.push(Check::fail(
            CHECKOUT_DIRTY,
            format!(
                "the working tree (tree {}) is not the commit's tree {}; {}",
                diff.worktree_tree,
                diff.commit_tree,
                parts.join("; ")
            ),
        ));
    }
    if !diff.submodules.is_empty() {
        checks.push(Check::not_performed(
            CHECKOUT_SUBMODULE,
            format!(
                "submodules are not checked: {}",
                list_paths(&diff.submodules)
            ),
        ));
    }
    checks
}

/// How many files a stat cache let through unread, said in every message that states a result.
fn cache_words(used: &StatCacheUse) -> String {
    format!(
        "{} read in full ({} bytes), {} trusted without being read from the stat cache {} \
         (lstat data unchanged since an earlier run read them)",
        files(used.read),
        used.bytes_read,
        files(used.trusted),
        used.path.display()
    )
}

fn files(n: usize) -> String {
    format!("{n} file{}", if n == 1 { "" } else { "s" })
}

/// One line on what the stat cache did, from the facts [`Checkout::checks`] returned, for the
/// report's notes (shown by every format); `None` when no cache was used.
pub fn stat_cache_note(facts: &Value) -> Option<String> {
    let used = facts.get("worktree")?.get("stat_cache")?;
    let count = |key: &str| used[key].as_u64().unwrap_or_default() as usize;
    let mut s = format!(
        "{} trusted from {} without being read, {} read",
        files(count("trusted")),
        used["path"].as_str().unwrap_or_default(),
        count("read")
    );
    if let Some(why) = used.get("ignored").and_then(Value::as_str) {
        s.push_str(&format!(
            "; the cache was ignored ({why}), every file was read"
        ));
    }
    if let Some(e) = used.get("write_error").and_then(Value::as_str) {
        s.push_str(&format!("; warning: the cache could not be written ({e})"));
    }
    Some(s)
}

/// Up to 20 paths, then a count: the full lists are in the report's details.
fn list_paths(list: &[crate::walk::RelPath]) -> String {
    let mut s: Vec<String> = list.iter().take(20).map(|p| p.to_string()).collect();
    if list.len() > 20 {
        s.push(format!("and {} more", list.len() - 20));
    }
    s.join(", ")
}

fn worktree_facts(diff: &CheckoutDiff) -> Value {
    let paths =
        |l: &[crate::walk::RelPath]| -> Vec<String> { l.iter().map(|p| p.to_string()).collect() };
    let mut facts = json!({
        "commit_tree": diff.commit_tree,
        "worktree_tree": diff.worktree_tree,
        "files": diff.files,
        "bytes": diff.bytes,
        "modified": paths(&diff.modified),
        "deleted": paths(&diff.deleted),
        "untracked": paths(&diff.untracked),
        "submodules": paths(&diff.submodules),
    });
    if let Some(used) = &diff.stat_cache {
        let mut cache = json!({
            "path": used.path.display().to_string(),
            "trusted": used.trusted,
            "read": used.read,
            "bytes_read": used.bytes_read,
            "recorded": used.recorded,
        });
        let obj = cache.as_object_mut().expect("a JSON object literal");
        if let Some(why) = &used.ignored {
            obj.insert("ignored".into(), why.clone().into());
        }
        if let Some(e) = &used.write_error {
            obj.insert("write_error".into(), e.clone().into());
        }
        facts["stat_cache"] = cache;
    }
    facts
}

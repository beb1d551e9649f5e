//! The reviewed source in a local checkout: the facts that bind a provenance to it and judge its
//! review. A [`Checkout`] is opened once per run (`custody source`, or `custody verify
//! --source`): the revision is resolved, then it answers questions — how the working tree
//! differs from the commit ([`Checkout::worktree`]), what the history says about review
//! ([`Checkout::review`]), where a ref leads ([`Checkout::reference`]). It judges nothing:
//! `crate::checks` applies the policy to these facts.
//!
//! The repository is read through `crate::git` for objects and refs only; file contents are
//! hashed by custody (`crate::hash`), never taken from the index.

pub mod binding;
mod checkout;
pub mod openpgp;
pub mod range;
pub mod review;
pub mod signers;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::git::{CommitId, GitError, ObjectFormat, Repo};
use crate::hash::Format;

pub use binding::RefFacts;
pub use checkout::{CheckoutDiff, StatCacheUse};
pub use review::{ReviewFacts, ReviewQuery, SignatureScope};

/// Why the source facts could not be gathered (custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The repository could not be opened or read.
    #[error(transparent)]
    Git(#[from] GitError),
    /// The working tree could not be read or hashed.
    #[error("{0}")]
    Hash(String),
    /// The stat cache may not be used where it is.
    #[error("--stat-cache {path}: {message}")]
    StatCache { path: PathBuf, message: String },
}

/// A checkout and the revision that was reviewed in it.
pub struct Checkout {
    repo: Repo,
    dir: PathBuf,
    rev: String,
    commit: CommitId,
    /// Whether the revision is HEAD, so the working tree must be it.
    at_head: bool,
    /// Whether the working tree is judged against the index (what the next commit holds, for
    /// pre-commit and pre-merge-commit hooks) instead of HEAD.
    staged: bool,
}

/// What a report says about the checkout, whatever was judged.
#[derive(Clone, Debug, Serialize)]
pub struct CheckoutFacts {
    pub path: String,
    pub rev: String,
    pub commit: String,
    pub object_format: &'static str,
    pub remotes: Vec<Remote>,
    /// The repository's top directory, when the directory given is inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// What would make git read another working tree or object store (`core.worktree`,
    /// `GIT_DIR`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirections: Vec<String>,
    /// What rewrites history locally (a grafts file, replace refs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history_rewrites: Vec<String>,
}

/// A remote of the checkout, its URL in canonical form.
#[derive(Clone, Debug, Serialize)]
pub struct Remote {
    pub name: String,
    pub url: String,
}

impl Checkout {
    /// Open the repository at `dir` and resolve `rev` (default `HEAD`) to a commit.
    pub fn open(dir: &Path, rev: Option<&str>) -> Result<Checkout, SourceError> {
        let repo = Repo::open(dir)?;
        let rev = rev.unwrap_or("HEAD").to_owned();
        let commit = repo.resolve(&rev)?;
        // Only HEAD is what the working tree claims to be: another revision, even one HEAD
        // happens to be at, was reviewed as history, not as these files.
        let at_head = rev == "HEAD";
        Ok(Checkout {
            repo,
            dir: dir.to_owned(),
            rev,
            commit,
            at_head,
            staged: false,
        })
    }

    /// Judge the working tree against the index, the commit about to be made on top of HEAD,
    /// instead of against HEAD (for hooks that run before git commits: `pre-commit`,
    /// `pre-merge-commit`). Only HEAD has an index on top of it.
    pub fn against_index(mut self) -> Result<Checkout, SourceError> {
        if !self.at_head {
            return Err(SourceError::Hash(format!(
                "the index is staged on top of HEAD, not on {}: --staged needs the default --rev HEAD",
                self.rev
            )));
        }
        self.staged = true;
        Ok(self)
    }

    /// Whether the working tree is judged against the index rather than HEAD.
    pub fn staged(&self) -> bool {
        self.staged
    }

    /// The checkout's directory, as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The revision as given (`HEAD` by default).
    pub fn rev(&self) -> &str {
        &self.rev
    }

    /// The reviewed commit.
    pub fn commit(&self) -> CommitId {
        self.commit
    }

    /// Whether the reviewed revision is HEAD, so the working tree must be its tree.
    pub fn at_head(&self) -> bool {
        self.at_head
    }

    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    pub fn object_format(&self) -> ObjectFormat {
        self.repo.object_format()
    }

    /// The checkout's remotes: (name, canonical URL), sorted by name.
    pub fn remotes(&self) -> Vec<(String, String)> {
        binding::remotes(&self.repo)
    }

    /// What a report says about the checkout.
    pub fn facts(&self) -> CheckoutFacts {
        CheckoutFacts {
            path: self.dir.display().to_string(),
            rev: self.rev.clone(),
            commit: self.commit.hex(),
            object_format: self.object_format().name(),
            remotes: self
                .remotes()
                .into_iter()
                .map(|(name, url)| Remote { name, url })
                .collect(),
            repository: self.enclosing().map(|p| p.display().to_string()),
            redirections: self.repo.redirections(),
            history_rewrites: self.repo.history_rewrites(),
        }
    }

    /// The repository's top directory, when the directory given is below it.
    pub fn enclosing(&self) -> Option<&Path> {
        let top = self.repo.workdir()?;
        let given = std::fs::canonicalize(&self.dir).ok()?;
        (given != top).then_some(top)
    }

    /// Where a ref the provenance names leads in the checkout.
    pub fn reference(&self, git_ref: &str) -> RefFacts {
        binding::reference(&self.repo, self.commit, git_ref)
    }

    /// How the working tree differs from the reviewed commit, every byte read (or, with
    /// `stat_cache`, see [`Checkout::stat_cache_path`], trusted where unchanged since an
    /// earlier run read it). `None` when the revision is not HEAD: the working tree is then
    /// not what was reviewed.
    pub fn worktree(
        &self,
        threads: Option<usize>,
        stat_cache: Option<&Path>,
    ) -> Result<Option<CheckoutDiff>, SourceError> {
        if !self.at_head {
            return Ok(None);
        }
        let format = match self.object_format() {
            ObjectFormat::Sha1 => Format::GitSha1,
            ObjectFormat::Sha256 => Format::GitSha256,
        };
        if self.staged {
            let tree = self.repo.staged_tree(self.commit)?;
            let mut diff = checkout::compare(&self.repo, &tree, None, format, threads, stat_cache)?;
            diff.against_index = true;
            return Ok(Some(diff));
        }
        let tree = self.repo.tree(self.commit)?;
        // Read only when the working tree differs, to name what is staged. An unreadable index
        // is no reason to stop: staged files then read as what they are on disk (modified,
        // deleted, untracked).
        let index = || self.repo.index().ok();
        checkout::compare(&self.repo, &tree, Some(&index), format, threads, stat_cache).map(Some)
    }

    /// The review facts the query asks for.
    pub fn review(&self, query: &ReviewQuery<'_>) -> Result<ReviewFacts, SourceError> {
        review::review(&self.repo, self.commit, query)
    }

    /// Where a stat cache at `path` really is (absolute, symlinks and `..` resolved), refusing
    /// one inside the working tree: a commit could ship a forged cache there, and it would
    /// count as an untracked file. The repository's own `.git` directory is fine: nothing in it
    /// is committed.
    pub fn stat_cache_path(&self, path: &Path) -> Result<PathBuf, SourceError> {
        let err = |message: String| SourceError::StatCache {
            path: path.to_owned(),
            message,
        };
        let resolved = resolve(path).map_err(|e| err(format!("cannot resolve: {e}")))?;
        let git_dir = std::fs::canonicalize(self.repo.raw().path()).ok();
        for dir in [Some(self.dir.as_path()), self.repo.workdir()]
            .into_iter()
            .flatten()
        {
            let real =
                std::fs::canonicalize(dir).map_err(|e| err(format!("{}: {e}", dir.display())))?;
            let in_git_dir = git_dir.as_ref().is_some_and(|g| resolved.starts_with(g));
            if resolved.starts_with(&real) && !in_git_dir {
                return Err(err(format!(
                    "{} is inside the working tree {}; a cache there could come with a commit \
                     (and would count as an untracked file). Keep it in the repository's .git \
                     directory or where only you write, e.g. ~/.cache/custody/NAME.stat",
                    resolved.display(),
                    real.display()
                )));
            }
        }
        // Checked before anything opens it: a FIFO would block the read forever.
        if let Ok(meta) = std::fs::metadata(&resolved)
            && !meta.is_file()
        {
            return Err(err(format!(
                "{} is not a regular file (a FIFO, a directory or a device); a stat cache is a \
                 file custody writes",
                resolved.display()
            )));
        }
        let parent = resolved.parent().unwrap_or(Path::new("/"));
        if !parent.is_dir() {
            return Err(err(format!(
                "cannot write a cache there: the directory {} does not exist",
                parent.display()
            )));
        }
        Ok(resolved)
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

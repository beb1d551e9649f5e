//! git, read through one door: every command that reads a repository (`source`, `compare`,
//! `rebuild`, `hash --tracked`, `verify --source`) opens it here, and git2's types stay inside.
//!
//! Object ids are newtypes ([`CommitId`], [`TreeId`], [`BlobId`]) that know their repository's
//! [`ObjectFormat`], so a SHA-1 id can never be compared with a SHA-256 one by accident. Only
//! objects and refs are read from the repository; working-tree files are hashed by custody
//! (`crate::hash`), never taken from the index.

mod ids;
mod signed;
mod tree;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use git2::{Repository, Sort};

pub use ids::{BlobId, CommitId, ObjectFormat, TreeId};
pub use signed::split_signed;
pub use tree::{Lookup, TreeEntry, TreeFile, TreeListing};

use crate::limits::MAX_REVIEW_COMMITS;

/// Why a repository could not be read (custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    /// The directory is not inside a git repository, or it cannot be opened.
    #[error("source {path}: not a git checkout: {message}")]
    Open { path: PathBuf, message: String },
    /// The repository uses an object format this build cannot read.
    #[error(
        "{path}: the repository's object format is {format}; custody reads SHA-1 and SHA-256 repositories only"
    )]
    ObjectFormat { path: PathBuf, format: String },
    /// The revision names no commit.
    #[error("no revision {rev} in {repo}")]
    Revision { rev: String, repo: PathBuf },
    /// Reading objects or refs failed.
    #[error("git: {0}")]
    Read(String),
}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        GitError::Read(e.message().to_owned())
    }
}

/// One commit's facts, as custody uses them.
#[derive(Clone, Debug)]
pub struct Commit {
    pub id: CommitId,
    pub tree: TreeId,
    pub parents: Vec<CommitId>,
    /// The author's e-mail as the commit states it (attacker-written: evidence only when a
    /// signature vouches for it).
    pub author_email: Option<String>,
    /// Committer time, seconds since the Unix epoch.
    pub time: i64,
}

/// An open repository.
pub struct Repo {
    inner: Repository,
    /// The directory it was opened from, as given.
    dir: PathBuf,
    /// The working tree as git finds it from `dir`: the nearest directory holding `.git`.
    top: Option<PathBuf>,
}

/// Environment variables with which git would read another repository, object store or working
/// tree than the one in the directory: custody reads the directory's own, so where one is set,
/// what custody judges is not what git would act on. (`GIT_INDEX_FILE` is not one: custody reads
/// the index it names, as git does; git sets it for the pre-commit and pre-merge-commit hooks.)
const REDIRECTING_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_REPLACE_REF_BASE",
    "GIT_GRAFT_FILE",
];

impl Repo {
    /// Open the repository of `dir`: `dir` itself, or, as git finds it, the nearest directory
    /// above it holding a `.git` (a bare repository's directory is also accepted).
    pub fn open(dir: &Path) -> Result<Repo, GitError> {
        let inner = Repository::open_ext(
            dir,
            git2::RepositoryOpenFlags::empty(),
            std::iter::empty::<&std::ffi::OsStr>(),
        )
        .map_err(|e| open_error(dir, e))?;
        let top = if inner.is_bare() { None } else { find_top(dir) };
        let repo = Repo {
            inner,
            dir: dir.to_owned(),
            top,
        };
        // In a pre-receive hook the pushed objects wait in a quarantine directory until the
        // hook accepts them; git reads them from there, and so does custody.
        if let Some(q) = std::env::var_os("GIT_QUARANTINE_PATH") {
            repo.add_object_dir(Path::new(&q))?;
        }
        Ok(repo)
    }

    /// The directory it was opened from, as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The working tree custody reads: the directory holding `.git`, never a `core.worktree`
    /// elsewhere. `None` for a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        self.top.as_deref()
    }

    /// What would make git read another working tree, index or object store than this
    /// directory's own: `core.worktree` (any configuration level), `core.bare`, and the `GIT_*`
    /// variables that redirect git. Each as `name = value`.
    pub fn redirections(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(config) = self.inner.config() {
            for key in ["core.worktree", "core.bare"] {
                if let Ok(value) = config.get_string(key)
                    && !(key == "core.bare" && value == "false")
                {
                    out.push(format!("{key} = {value}"));
                }
            }
        }
        for var in REDIRECTING_ENV {
            if let Some(value) = std::env::var_os(var) {
                out.push(format!("{var}={}", value.to_string_lossy()));
            }
        }
        out
    }

    /// What rewrites this repository's history locally, so that git, libgit2 and custody could
    /// each read another history: a grafts file (libgit2 honours it) and replace refs (git
    /// honours them, libgit2 does not).
    pub fn history_rewrites(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for dir in [self.inner.path(), self.inner.commondir()] {
            let grafts = dir.join("info/grafts");
            let shown = grafts.display().to_string();
            if grafts.exists() && !out.contains(&shown) {
                out.push(shown);
            }
        }
        if let Ok(refs) = self.inner.references_glob("refs/replace/*") {
            for r in refs.flatten() {
                if let Ok(name) = r.name() {
                    out.push(name.to_owned());
                }
            }
        }
        out
    }

    pub fn object_format(&self) -> ObjectFormat {
        ObjectFormat::of(self.inner.object_format())
    }

    /// The commit a revision (a commit id, branch, tag, `HEAD`, `HEAD~2`) names.
    pub fn resolve(&self, rev: &str) -> Result<CommitId, GitError> {
        self.inner
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| CommitId(c.id()))
            .map_err(|_| GitError::Revision {
                rev: rev.to_owned(),
                repo: self.dir.clone(),
            })
    }

    /// The commit with this full hex id (40 digits in a SHA-1 repository, 64 in a SHA-256 one),
    /// if the repository has it.
    pub fn find_commit(&self, hex: &str) -> Option<CommitId> {
        let id = CommitId::parse(hex, self.object_format())?;
        self.inner.find_commit(id.0).ok().map(|c| CommitId(c.id()))
    }

    pub fn commit(&self, id: CommitId) -> Result<Commit, GitError> {
        let c = self
            .inner
            .find_commit(id.0)
            .map_err(|e| GitError::Read(format!("{id}: {}", e.message())))?;
        Ok(Commit {
            id,
            tree: TreeId(c.tree_id()),
            parents: c.parent_ids().map(CommitId).collect(),
            author_email: c.author().email().ok().map(str::to_owned),
            time: c.committer().when().seconds(),
        })
    }

    /// The commit object's bytes, as git stores them (for its signature).
    pub fn commit_object(&self, id: CommitId) -> Result<Vec<u8>, GitError> {
        let odb = self.inner.odb()?;
        Ok(odb.read(id.0)?.data().to_vec())
    }

    /// Whether `ancestor` is `commit` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: CommitId, commit: CommitId) -> bool {
        ancestor == commit
            || self
                .inner
                .graph_descendant_of(commit.0, ancestor.0)
                .unwrap_or(false)
    }

    /// The commit a full ref name (`refs/heads/main`, `refs/tags/v1`) leads to.
    pub fn reference(&self, name: &str) -> Option<CommitId> {
        let r = self.inner.find_reference(name).ok()?;
        r.peel_to_commit().ok().map(|c| CommitId(c.id()))
    }

    /// The tags that lead to `commit` (lightweight or annotated), by their short names, sorted.
    pub fn tags_at(&self, commit: CommitId) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(refs) = self.inner.references_glob("refs/tags/*") {
            for r in refs.flatten() {
                let at = r.peel_to_commit().ok().map(|c| c.id());
                if at == Some(commit.0)
                    && let Some(name) = r.name().ok().and_then(|n| n.strip_prefix("refs/tags/"))
                {
                    out.push(name.to_owned());
                }
            }
        }
        out.sort();
        out
    }

    /// Commits reachable from `tips` and not from `hide`, in a fixed (topological) order; at
    /// most [`MAX_REVIEW_COMMITS`].
    pub fn range(&self, tips: &[CommitId], hide: &[CommitId]) -> Result<Vec<CommitId>, GitError> {
        let mut walk = self.inner.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL)?;
        for t in tips {
            walk.push(t.0)?;
        }
        for h in hide {
            walk.hide(h.0)?;
        }
        let mut out = Vec::new();
        for oid in walk {
            out.push(CommitId(oid?));
            if out.len() > MAX_REVIEW_COMMITS {
                return Err(GitError::Read(format!(
                    "more than {MAX_REVIEW_COMMITS} commits in the range"
                )));
            }
        }
        Ok(out)
    }

    /// The files `commit` changes: against its parent, or, for a merge, the paths whose content
    /// differs from every parent (what the merge itself brings, as `git diff --cc` shows it);
    /// every file for a root commit. Deletions have no blob.
    pub fn changed_files(&self, commit: CommitId) -> Result<Vec<ChangedFile>, GitError> {
        let c = self.inner.find_commit(commit.0)?;
        let tree = c.tree()?;
        let against = |parent: Option<&git2::Tree<'_>>| self.tree_changes(parent, &tree);
        let parents: Vec<git2::Tree<'_>> =
            c.parents().map(|p| p.tree()).collect::<Result<_, _>>()?;
        match parents.as_slice() {
            [] => against(None),
            [one] => against(Some(one)),
            [first, rest @ ..] => {
                let mut changed = against(Some(first))?;
                for p in rest {
                    let also: HashSet<Vec<u8>> =
                        against(Some(p))?.into_iter().map(|f| f.path).collect();
                    changed.retain(|f| also.contains(&f.path));
                }
                Ok(changed)
            }
        }
    }

    /// What the index stages against `head`'s tree (the commit about to be made), as a change:
    /// the files it adds, changes or removes. The index's tree is written to an in-memory
    /// object store (see [`Repo::staged_tree`]); its id is returned too.
    pub fn staged_changes(&self, head: CommitId) -> Result<(Vec<ChangedFile>, TreeId), GitError> {
        let id = self.index_tree()?;
        let index_tree = self.inner.find_tree(id.0)?;
        let head_tree = self.inner.find_commit(head.0)?.tree()?;
        let out = self.tree_changes(Some(&head_tree), &index_tree)?;
        Ok((out, id))
    }

    /// The files that differ from `old` (every file of `new` without one); deletions have no
    /// blob. No rename detection: a rename is a deletion and an addition.
    fn tree_changes(
        &self,
        old: Option<&git2::Tree<'_>>,
        new: &git2::Tree<'_>,
    ) -> Result<Vec<ChangedFile>, GitError> {
        let mut opts = git2::DiffOptions::new();
        opts.ignore_submodules(false).include_typechange(true);
        let diff = self
            .inner
            .diff_tree_to_tree(old, Some(new), Some(&mut opts))?;
        let mut out = Vec::with_capacity(diff.deltas().len());
        for d in diff.deltas() {
            let file = d.new_file();
            let Some(path) = file.path_bytes().or(d.old_file().path_bytes()) else {
                continue;
            };
            let blob = (d.status() != git2::Delta::Deleted)
                .then(|| (BlobId(file.id()), u32::from(file.mode())));
            out.push(ChangedFile {
                path: path.to_vec(),
                blob,
            });
        }
        Ok(out)
    }

    /// The size of a blob, from its header (the content is not read).
    pub fn blob_size(&self, id: BlobId) -> Result<u64, GitError> {
        let (size, _) = self.inner.odb()?.read_header(id.0)?;
        Ok(size as u64)
    }

    /// The file at `path` in the tree `root`: a blob's bytes (at most `max` of them are
    /// wanted; a larger blob is `None`), or `None` when there is no file there.
    pub fn file_in_tree(&self, root: TreeId, path: &str, max: u64) -> Option<Vec<u8>> {
        let tree = self.inner.find_tree(root.0).ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        let id = BlobId(entry.id());
        if entry.kind() != Some(git2::ObjectType::Blob) || self.blob_size(id).ok()? > max {
            return None;
        }
        self.blob(id).ok()
    }

    /// The tree id of the folder `path` in the tree `root` (`None` when it is no folder there).
    pub fn folder_in_tree(&self, root: TreeId, path: &str) -> Option<TreeId> {
        let tree = self.inner.find_tree(root.0).ok()?;
        let entry = tree.get_path(Path::new(path.trim_end_matches('/'))).ok()?;
        (entry.kind() == Some(git2::ObjectType::Tree)).then(|| TreeId(entry.id()))
    }

    /// Every file and symlink under the folder `folder`: path relative to it, and blob.
    pub fn files_in_folder(&self, folder: TreeId) -> Result<Vec<(Vec<u8>, BlobId)>, GitError> {
        let tree = self.inner.find_tree(folder.0)?;
        let mut out = Vec::new();
        let mut too_many = false;
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if out.len() >= crate::limits::MAX_TREE_ENTRIES {
                too_many = true;
                return git2::TreeWalkResult::Abort;
            }
            if entry.kind() == Some(git2::ObjectType::Blob) {
                let mut path = dir.as_bytes().to_vec();
                path.extend_from_slice(entry.name_bytes());
                out.push((path, BlobId(entry.id())));
            }
            git2::TreeWalkResult::Ok
        })
        .or_else(|e| if too_many { Ok(()) } else { Err(e) })?;
        if too_many {
            return Err(GitError::Read(format!(
                "the folder has more than {} entries",
                crate::limits::MAX_TREE_ENTRIES
            )));
        }
        Ok(out)
    }

    /// The commits the refs under `prefix` (`refs/heads/`, `refs/remotes/origin/`) point at.
    pub fn references_under(&self, prefix: &str) -> Vec<CommitId> {
        let mut out = Vec::new();
        if let Ok(refs) = self.inner.references_glob(&format!("{prefix}*")) {
            for r in refs.flatten() {
                if let Ok(c) = r.peel_to_commit() {
                    out.push(CommitId(c.id()));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The best common ancestor of two commits.
    pub fn merge_base(&self, a: CommitId, b: CommitId) -> Option<CommitId> {
        self.inner.merge_base(a.0, b.0).ok().map(CommitId)
    }

    /// Read objects from `dir` too: git's quarantine directory, where a `pre-receive` hook finds
    /// the objects being pushed (`GIT_QUARANTINE_PATH`) before git moves them in.
    pub fn add_object_dir(&self, dir: &Path) -> Result<(), GitError> {
        self.inner
            .odb()?
            .add_disk_alternate(&dir.to_string_lossy())
            .map_err(GitError::from)
    }

    /// The remotes: (name, URL as configured), sorted by name.
    pub fn remotes(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Ok(names) = self.inner.remotes() {
            for name in names.iter().flatten().flatten() {
                if let Ok(remote) = self.inner.find_remote(name)
                    && let Ok(url) = remote.url()
                {
                    out.push((name.to_owned(), url.to_owned()));
                }
            }
        }
        out.sort();
        out
    }

    /// Every entry of a commit's tree (at most `MAX_TREE_ENTRIES`).
    pub fn tree(&self, commit: CommitId) -> Result<TreeListing<'_>, GitError> {
        tree::list(self, commit)
    }

    /// The tree the index would commit on top of `head`, as `git write-tree` makes it, listed
    /// like a commit's tree. The tree objects go to an in-memory object store: nothing is
    /// written into the repository. Unmerged paths are an error, as they are for git.
    pub fn staged_tree(&self, head: CommitId) -> Result<TreeListing<'_>, GitError> {
        let tree = self.inner.find_tree(self.index_tree()?.0)?;
        tree::list_tree(self, &tree, head)
    }

    /// The id of the tree the index would commit, written to an in-memory object store.
    fn index_tree(&self) -> Result<TreeId, GitError> {
        let mut index = self.open_index()?;
        if index.has_conflicts() {
            return Err(GitError::Read(
                "the index has unmerged (conflicted) paths; resolve the merge first".into(),
            ));
        }
        let odb = self.inner.odb()?;
        // Highest priority: new objects go to memory, reads fall through to the real store.
        let _mempack = odb.add_new_mempack_backend(1000)?;
        Ok(TreeId(index.write_tree_to(&self.inner)?))
    }

    /// The bytes of a blob.
    pub fn blob(&self, id: BlobId) -> Result<Vec<u8>, GitError> {
        Ok(self.inner.find_blob(id.0)?.content().to_vec())
    }

    /// The paths of the index's entries (stage 0 only) and its unmerged paths, relative to the
    /// work tree, with their git modes.
    pub fn index(&self) -> Result<Index, GitError> {
        let index = self.open_index()?;
        let mut out = Index::default();
        for entry in index.iter() {
            let stage = (entry.flags >> 12) & 0x3;
            if stage == 0 {
                out.entries.push((entry.path, entry.mode, BlobId(entry.id)));
            } else {
                out.unmerged.push(entry.path);
            }
        }
        out.unmerged.sort();
        out.unmerged.dedup();
        Ok(out)
    }

    /// The index git would commit: the one `GIT_INDEX_FILE` names (relative to the current
    /// directory, as git reads it), else the repository's own.
    fn open_index(&self) -> Result<git2::Index, GitError> {
        match std::env::var_os("GIT_INDEX_FILE") {
            Some(path) => Ok(git2::Index::open(Path::new(&path))?),
            None => Ok(self.inner.index()?),
        }
    }

    /// Whether git's ignore rules on disk leave `path` (relative to the work tree; with a
    /// trailing `/` for a directory) out. An error counts as not ignored.
    pub fn is_ignored_on_disk(&self, path: &Path) -> bool {
        self.inner.is_path_ignored(path).unwrap_or(false)
    }

    pub(crate) fn raw(&self) -> &Repository {
        &self.inner
    }
}

/// One file a commit changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedFile {
    pub path: Vec<u8>,
    /// The new content and git mode; `None` when the commit deletes the file.
    pub blob: Option<(BlobId, u32)>,
}

/// What the index holds.
#[derive(Debug, Default)]
pub struct Index {
    /// Merged entries: path, git mode and object id.
    pub entries: Vec<(Vec<u8>, u32, BlobId)>,
    /// Paths with conflict stages (a merge in progress).
    pub unmerged: Vec<Vec<u8>>,
}

impl Index {
    /// The paths whose staged state differs from `commit`'s tree, sorted: added to the index,
    /// changed there (content or mode), removed from it, and unmerged. Submodules are left to
    /// the submodule check: custody does not look inside them.
    pub fn staged_against(&self, commit: &TreeListing<'_>) -> Vec<Vec<u8>> {
        let mut in_index: HashSet<&[u8]> = HashSet::with_capacity(self.entries.len());
        let mut staged: Vec<Vec<u8>> = Vec::new();
        for (path, mode, id) in &self.entries {
            in_index.insert(path);
            let same = match commit.entry_bytes(path) {
                Some(file) => file.id == *id && file.mode == *mode,
                None => *mode == 0o160000 && commit.is_gitlink(path),
            };
            if !same {
                staged.push(path.clone());
            }
        }
        for (path, _) in commit.files() {
            if !in_index.contains(path) {
                staged.push(path.to_vec());
            }
        }
        staged.extend(self.unmerged.iter().cloned());
        staged.sort();
        staged.dedup();
        staged
    }
}

/// The nearest directory at or above `dir` holding a `.git` (directory, or file naming a git
/// directory), as git's discovery finds it.
fn find_top(dir: &Path) -> Option<PathBuf> {
    let mut at = std::fs::canonicalize(dir).ok()?;
    loop {
        if std::fs::symlink_metadata(at.join(".git")).is_ok() {
            return Some(at);
        }
        if !at.pop() {
            return None;
        }
    }
}

/// Why `dir` could not be opened: an unknown object format is named, since libgit2 only says it
/// does not know the repository's extensions.
fn open_error(dir: &Path, e: git2::Error) -> GitError {
    if let Err(missing) = std::fs::metadata(dir) {
        return GitError::Open {
            path: dir.to_owned(),
            message: missing.to_string(),
        };
    }
    match object_format_of(dir) {
        Some(format) if format != "sha1" && format != "sha256" => GitError::ObjectFormat {
            path: dir.to_owned(),
            format,
        },
        _ => GitError::Open {
            path: dir.to_owned(),
            message: e.message().to_owned(),
        },
    }
}

/// The `extensions.objectformat` of the repository holding `dir`, from its config file.
fn object_format_of(dir: &Path) -> Option<String> {
    let path = Repository::discover_path(dir, std::iter::empty::<&std::ffi::OsStr>()).ok()?;
    let config = git2::Config::open(&path.join("config")).ok()?;
    config
        .get_string("extensions.objectformat")
        .ok()
        .map(|f| f.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_that_name_nothing_say_so_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::now("A", "a@example.com").unwrap();
        let tree = repo
            .find_tree(repo.index().unwrap().write_tree().unwrap())
            .unwrap();
        let id = repo
            .commit(Some("HEAD"), &sig, &sig, "one", &tree, &[])
            .unwrap();
        let r = Repo::open(dir.path()).unwrap();
        assert_eq!(r.resolve("HEAD").unwrap().to_string(), id.to_string());
        let e = r.resolve("v9.9.9").unwrap_err().to_string();
        assert_eq!(e, format!("no revision v9.9.9 in {}", dir.path().display()));
        assert!(r.find_commit(&id.to_string()).is_some());
        assert!(r.find_commit(&id.to_string()[..12]).is_none());
    }
}

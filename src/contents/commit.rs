//! The reviewed source: a commit's tree, read from git's objects rather than the working tree,
//! so that uncommitted edits in the checkout can neither explain nor hide a difference.
//!
//! Symlinks stored in git (mode 120000) are followed through the commit's own tree, one path
//! component at a time, at most [`MAX_SYMLINK_HOPS`] links per path; a link that leaves the
//! repository or loops resolves to nothing.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;

use git2::{ObjectFormat, ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use crate::limits::{MAX_SYMLINK_HOPS, MAX_SYMLINK_TARGET};

/// Git's file mode for a symbolic link.
const MODE_SYMLINK: i32 = 0o120000;
/// Git's file mode for a submodule (a commit inside a tree).
const MODE_SUBMODULE: i32 = 0o160000;

/// Why the reviewed source could not be opened; each means custody cannot run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// `--source` is not the top of a git repository.
    #[error("{dir}: not a git repository: {source}")]
    NotARepository { dir: String, source: git2::Error },
    /// `--source-rev` names no commit in the repository.
    #[error("revision `{rev}` names no commit: {source}")]
    UnknownRevision { rev: String, source: git2::Error },
    /// The repository's objects could not be read.
    #[error("reading the repository: {0}")]
    Git(#[from] git2::Error),
}

/// A git checkout and the commit in it that was reviewed.
pub struct SourceTree {
    repo: Repository,
    reviewed: Oid,
}

impl SourceTree {
    /// Open the repository at `dir` and resolve `rev` (a commit id, branch, tag or `HEAD`).
    pub fn open(dir: &Path, rev: &str) -> Result<SourceTree, SourceError> {
        let repo = Repository::open(dir).map_err(|source| SourceError::NotARepository {
            dir: dir.display().to_string(),
            source,
        })?;
        let reviewed = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|source| SourceError::UnknownRevision {
                rev: rev.to_owned(),
                source,
            })?
            .id();
        Ok(SourceTree { repo, reviewed })
    }

    /// The reviewed commit.
    pub fn reviewed_commit(&self) -> Oid {
        self.reviewed
    }

    /// The repository's object format: the hash of its object ids.
    pub(crate) fn object_format(&self) -> ObjectFormat {
        self.repo.object_format()
    }

    /// Find a commit an artifact names by its full hex id (40 digits in a SHA-1 repository, 64
    /// in a SHA-256 one); `None` when the repository lacks it.
    pub(crate) fn find_commit(&self, hex: &str) -> Option<Oid> {
        let format = self.object_format();
        let full = match format {
            ObjectFormat::Sha1 => 40,
            ObjectFormat::Sha256 => 64,
        };
        if hex.len() != full {
            return None;
        }
        let oid = Oid::from_str_ext(hex, format).ok()?;
        self.repo.find_commit(oid).ok().map(|c| c.id())
    }

    /// Whether `commit` is the reviewed commit or one of its ancestors.
    pub(crate) fn is_reviewed_or_ancestor(&self, commit: Oid) -> bool {
        commit == self.reviewed
            || self
                .repo
                .graph_descendant_of(self.reviewed, commit)
                .unwrap_or(false)
    }

    /// Every file of `commit`'s tree.
    pub(crate) fn files(&self, commit: Oid) -> Result<CommitFiles<'_>, git2::Error> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut files = HashMap::new();
        let mut dirs = HashSet::new();
        tree.walk(TreeWalkMode::PreOrder, |root, entry| {
            let path = format!("{root}{}", String::from_utf8_lossy(entry.name_bytes()));
            match entry.kind() {
                Some(ObjectType::Tree) => {
                    dirs.insert(path);
                }
                _ => {
                    let file = GitFile {
                        oid: entry.id(),
                        mode: entry.filemode(),
                    };
                    files.insert(path, file);
                }
            }
            TreeWalkResult::Ok
        })?;
        let mut by_blob: HashMap<Oid, Vec<String>> = HashMap::new();
        for (path, f) in &files {
            if f.is_regular() {
                by_blob.entry(f.oid).or_default().push(path.clone());
            }
        }
        // Sorted, so that reports do not vary with hash order.
        by_blob.values_mut().for_each(|paths| paths.sort_unstable());
        Ok(CommitFiles {
            repo: &self.repo,
            files,
            dirs,
            by_blob,
        })
    }
}

/// One file in a commit's tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GitFile {
    pub oid: Oid,
    pub mode: i32,
}

impl GitFile {
    pub fn is_symlink(self) -> bool {
        self.mode == MODE_SYMLINK
    }
    /// Whether git records the file as executable (mode 100755).
    pub fn is_executable(self) -> bool {
        self.mode == 0o100755
    }
    pub fn is_regular(self) -> bool {
        self.mode != MODE_SYMLINK && self.mode != MODE_SUBMODULE
    }
}

/// Where a path leads in a commit's tree once symlinks are followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// A regular file, at `path` after following links.
    File { path: String, file: GitFile },
    /// Nothing there (or a directory, or a submodule).
    Missing,
    /// A symlink on the way leaves the repository, loops, or is too long.
    Unresolvable,
}

/// The files of one commit, by path (`/`-separated, from the repository root).
pub(crate) struct CommitFiles<'r> {
    repo: &'r Repository,
    files: HashMap<String, GitFile>,
    dirs: HashSet<String>,
    by_blob: HashMap<Oid, Vec<String>>,
}

impl CommitFiles<'_> {
    /// The entry at exactly `path`, without following symlinks.
    pub fn entry(&self, path: &str) -> Option<GitFile> {
        self.files.get(path).copied()
    }

    /// The paths of regular files with exactly this content, sorted.
    pub fn paths_of_blob(&self, oid: Oid) -> &[String] {
        self.by_blob
            .get(&oid)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Every path (files, links, submodules) under `prefix` (`""` or ending in `/`), sorted.
    pub fn paths_under(&self, prefix: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .files
            .keys()
            .filter(|p| p.starts_with(prefix))
            .map(String::as_str)
            .collect();
        v.sort_unstable();
        v
    }

    /// Parse a full blob id in the repository's object format.
    pub fn parse_id(&self, hex: &str) -> Option<Oid> {
        Oid::from_str_ext(hex, self.repo.object_format())
            .ok()
            .filter(|o| o.to_string().len() == hex.len())
    }

    /// The bytes of a blob.
    pub fn blob(&self, oid: Oid) -> Result<Vec<u8>, git2::Error> {
        Ok(self.repo.find_blob(oid)?.content().to_vec())
    }

    /// Follow `path` through the tree, resolving every symlink met on the way.
    pub fn resolve(&self, path: &str) -> Lookup {
        if let Some(f) = self.entry(path).filter(|f| !f.is_symlink()) {
            return if f.is_regular() {
                Lookup::File {
                    path: path.to_owned(),
                    file: f,
                }
            } else {
                Lookup::Missing
            };
        }
        let mut todo: VecDeque<String> = components(path.as_bytes());
        let mut done: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = todo.pop_front() {
            match part.as_str() {
                "." => continue,
                ".." => {
                    if done.pop().is_none() {
                        return Lookup::Unresolvable;
                    }
                    continue;
                }
                _ => {}
            }
            done.push(part);
            let here = done.join("/");
            match self.entry(&here) {
                Some(f) if f.is_symlink() => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Lookup::Unresolvable;
                    }
                    let Ok(target) = self.blob(f.oid) else {
                        return Lookup::Unresolvable;
                    };
                    if target.is_empty()
                        || target.len() > MAX_SYMLINK_TARGET
                        || target.starts_with(b"/")
                    {
                        return Lookup::Unresolvable;
                    }
                    done.pop();
                    let mut next = components(&target);
                    next.extend(todo);
                    todo = next;
                }
                Some(f) if todo.is_empty() => {
                    return if f.is_regular() {
                        Lookup::File {
                            path: here,
                            file: f,
                        }
                    } else {
                        Lookup::Missing
                    };
                }
                Some(_) => return Lookup::Missing, // a file used as a directory
                None if self.dirs.contains(&here) => {}
                None => return Lookup::Missing,
            }
        }
        Lookup::Missing // the path names a directory
    }
}

fn components(bytes: &[u8]) -> VecDeque<String> {
    bytes
        .split(|&b| b == b'/')
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with one commit holding `files` and `links` (path, target).
    fn repo_with(files: &[(&str, &str)], links: &[(&str, &str)]) -> (tempfile::TempDir, Oid) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        for (path, target) in links {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(target, p).unwrap();
        }
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.org").unwrap();
        let id = repo
            .commit(Some("HEAD"), &sig, &sig, "c", &tree, &[])
            .unwrap();
        (dir, id)
    }

    #[test]
    fn resolves_symlinks_one_component_at_a_time() {
        let (dir, id) = repo_with(
            &[("src/lib/a.c", "a\n"), ("README", "r\n")],
            &[
                ("include", "src/lib"),
                ("docs/readme", "../README"),
                ("chain", "include"),
                ("out", "../outside"),
                ("abs", "/etc/passwd"),
                ("loop1", "loop2"),
                ("loop2", "loop1"),
            ],
        );
        let source = SourceTree::open(dir.path(), "HEAD").unwrap();
        assert_eq!(source.reviewed_commit(), id);
        let files = source.files(id).unwrap();
        let at = |p: &str| match files.resolve(p) {
            Lookup::File { path, .. } => Some(path),
            _ => None,
        };
        assert_eq!(at("src/lib/a.c").as_deref(), Some("src/lib/a.c"));
        assert_eq!(at("include/a.c").as_deref(), Some("src/lib/a.c"));
        assert_eq!(at("chain/a.c").as_deref(), Some("src/lib/a.c"));
        assert_eq!(at("docs/readme").as_deref(), Some("README"));
        assert_eq!(files.resolve("include/missing.c"), Lookup::Missing);
        assert_eq!(files.resolve("out/x"), Lookup::Unresolvable);
        assert_eq!(files.resolve("abs"), Lookup::Unresolvable);
        assert_eq!(files.resolve("loop1/x"), Lookup::Unresolvable);
        assert_eq!(files.resolve("src/lib"), Lookup::Missing);
        assert!(files.entry("include").unwrap().is_symlink());
    }

    #[test]
    fn refuses_what_is_not_a_repository_or_a_revision() {
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            SourceTree::open(empty.path(), "HEAD"),
            Err(SourceError::NotARepository { .. })
        ));
        let (dir, _) = repo_with(&[("a", "a")], &[]);
        assert!(matches!(
            SourceTree::open(dir.path(), "v9.9"),
            Err(SourceError::UnknownRevision { .. })
        ));
    }
}

//! A commit's tree, listed from git's objects rather than the working tree, so that uncommitted
//! edits in a checkout can neither explain nor hide a difference.
//!
//! Symlinks stored in git (mode 120000) are followed through the tree itself, one path component
//! at a time, at most `MAX_SYMLINK_HOPS` links per path; a link that leaves the repository or
//! loops resolves to nothing. [`TreeListing::export`] writes the tree out as files, for a
//! rebuild.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use git2::{ObjectType, TreeWalkMode, TreeWalkResult};

use super::{BlobId, CommitId, GitError, Repo, TreeId};
use crate::limits::{MAX_SYMLINK_HOPS, MAX_SYMLINK_TARGET, MAX_TREE_ENTRIES};

/// Git's file modes.
pub const MODE_EXECUTABLE: u32 = 0o100755;
pub const MODE_SYMLINK: u32 = 0o120000;
pub const MODE_GITLINK: u32 = 0o160000;

/// One file of a tree: a blob and its mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeFile {
    pub id: BlobId,
    pub mode: u32,
}

impl TreeFile {
    pub fn is_symlink(self) -> bool {
        self.mode == MODE_SYMLINK
    }
    /// A file (executable or not): neither a symlink nor a submodule.
    pub fn is_regular(self) -> bool {
        self.mode != MODE_SYMLINK && self.mode != MODE_GITLINK
    }
    /// Whether git records the file as executable (mode 100755).
    pub fn is_executable(self) -> bool {
        self.mode == MODE_EXECUTABLE
    }
}

/// One entry, in tree order (parents before children).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeEntry {
    Dir(Vec<u8>),
    File(Vec<u8>, TreeFile),
    /// A submodule: the path and the commit it pins (in the submodule's repository).
    Gitlink(Vec<u8>, String),
}

/// Where a path leads in a tree once symlinks are followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A regular file, at `path` after following links.
    File { path: String, file: TreeFile },
    /// Nothing there (or a directory, or a submodule).
    Missing,
    /// A symlink on the way leaves the repository, loops, or is too long.
    Unresolvable,
}

/// Every entry of one commit's tree.
pub struct TreeListing<'r> {
    repo: &'r Repo,
    pub id: TreeId,
    pub commit: CommitId,
    /// In tree order.
    pub entries: Vec<TreeEntry>,
    files: HashMap<Vec<u8>, TreeFile>,
    dirs: HashSet<Vec<u8>>,
    gitlinks: HashSet<Vec<u8>>,
    by_blob: HashMap<BlobId, Vec<String>>,
}

pub(super) fn list(repo: &Repo, commit: CommitId) -> Result<TreeListing<'_>, GitError> {
    let tree = repo.raw().find_commit(commit.0)?.tree()?;
    list_tree(repo, &tree, commit)
}

/// Every entry of `tree`, listed as the tree of `commit` (the commit it belongs to, or for
/// the index's tree the commit it would be committed on top of).
pub(super) fn list_tree<'r>(
    repo: &'r Repo,
    tree: &git2::Tree<'_>,
    commit: CommitId,
) -> Result<TreeListing<'r>, GitError> {
    let mut entries = Vec::new();
    let mut too_many = false;
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entries.len() >= MAX_TREE_ENTRIES {
            too_many = true;
            return TreeWalkResult::Abort;
        }
        let mut path = dir.as_bytes().to_vec();
        path.extend_from_slice(entry.name_bytes());
        entries.push(match entry.kind() {
            Some(ObjectType::Tree) => TreeEntry::Dir(path),
            Some(ObjectType::Blob) => TreeEntry::File(
                path,
                TreeFile {
                    id: BlobId(entry.id()),
                    mode: entry.filemode() as u32,
                },
            ),
            _ => TreeEntry::Gitlink(path, entry.id().to_string()),
        });
        TreeWalkResult::Ok
    })
    .map_err(|e| GitError::Read(format!("cannot list the commit's tree: {}", e.message())))?;
    if too_many {
        return Err(GitError::Read(format!(
            "the commit's tree has more than {MAX_TREE_ENTRIES} entries"
        )));
    }
    let mut files = HashMap::new();
    let mut dirs = HashSet::new();
    let mut gitlinks = HashSet::new();
    let mut by_blob: HashMap<BlobId, Vec<String>> = HashMap::new();
    for e in &entries {
        match e {
            TreeEntry::Dir(p) => {
                dirs.insert(p.clone());
            }
            TreeEntry::File(p, f) => {
                files.insert(p.clone(), *f);
                if f.is_regular() {
                    by_blob
                        .entry(f.id)
                        .or_default()
                        .push(String::from_utf8_lossy(p).into_owned());
                }
            }
            TreeEntry::Gitlink(p, _) => {
                gitlinks.insert(p.clone());
            }
        }
    }
    // Sorted, so that reports do not vary with hash order.
    by_blob.values_mut().for_each(|paths| paths.sort_unstable());
    Ok(TreeListing {
        repo,
        id: TreeId(tree.id()),
        commit,
        entries,
        files,
        dirs,
        gitlinks,
        by_blob,
    })
}

impl TreeListing<'_> {
    /// The file or symlink at exactly `path`, without following symlinks.
    pub fn entry(&self, path: &str) -> Option<TreeFile> {
        self.entry_bytes(path.as_bytes())
    }

    pub fn entry_bytes(&self, path: &[u8]) -> Option<TreeFile> {
        self.files.get(path).copied()
    }

    pub fn is_dir(&self, path: &[u8]) -> bool {
        self.dirs.contains(path)
    }

    pub fn is_gitlink(&self, path: &[u8]) -> bool {
        self.gitlinks.contains(path)
    }

    /// Every file and symlink, by path.
    pub fn files(&self) -> impl Iterator<Item = (&[u8], TreeFile)> {
        self.files.iter().map(|(p, f)| (p.as_slice(), *f))
    }

    /// The submodules' paths.
    pub fn gitlinks(&self) -> impl Iterator<Item = &[u8]> {
        self.gitlinks.iter().map(Vec::as_slice)
    }

    /// The paths of regular files with exactly this content, sorted.
    pub fn paths_of_blob(&self, id: BlobId) -> &[String] {
        self.by_blob.get(&id).map(Vec::as_slice).unwrap_or_default()
    }

    /// Every path (files, links) under `prefix` (`""` or ending in `/`), sorted.
    pub fn paths_under(&self, prefix: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .files
            .keys()
            .filter(|p| p.starts_with(prefix.as_bytes()))
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        v.sort_unstable();
        v
    }

    /// The bytes of a blob.
    pub fn blob(&self, id: BlobId) -> Result<Vec<u8>, GitError> {
        self.repo.blob(id)
    }

    /// The bytes of the regular file at `path` (symlinks followed), if there is one.
    pub fn read(&self, path: &str) -> Option<(String, Vec<u8>)> {
        match self.resolve(path) {
            Lookup::File { path, file } => Some((path, self.blob(file.id).ok()?)),
            _ => None,
        }
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
                    let Ok(target) = self.blob(f.id) else {
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
                None if self.dirs.contains(here.as_bytes()) => {}
                None => return Lookup::Missing,
            }
        }
        Lookup::Missing // the path names a directory
    }

    /// Write the tree into `dest`, which must be empty or absent: files with git's modes,
    /// symlinks as symlinks, submodules as empty directories (as `git archive` does).
    pub fn export(&self, dest: &Path) -> io::Result<()> {
        if dest.exists() && fs::read_dir(dest)?.next().is_some() {
            return Err(io::Error::other(format!(
                "{} is not empty; a fixed build path must be new or empty",
                dest.display()
            )));
        }
        fs::create_dir_all(dest)?;
        for entry in &self.entries {
            let (TreeEntry::Dir(p) | TreeEntry::File(p, _) | TreeEntry::Gitlink(p, _)) = entry;
            let Ok(rel) = std::str::from_utf8(p) else {
                return Err(io::Error::other("a tree entry name is not UTF-8"));
            };
            // git refuses such names itself; a hostile repository could still carry them.
            if rel
                .split('/')
                .any(|part| matches!(part, "" | "." | ".." | ".git"))
            {
                return Err(io::Error::other(format!("refusing tree entry `{rel}`")));
            }
            let path = dest.join(rel);
            let at = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
            match entry {
                TreeEntry::Dir(_) | TreeEntry::Gitlink(..) => fs::create_dir(&path).map_err(at)?,
                TreeEntry::File(_, f) => {
                    let data = self.blob(f.id).map_err(io::Error::other)?;
                    if f.is_symlink() {
                        let target = std::str::from_utf8(&data)
                            .map_err(|_| io::Error::other("a symlink target is not UTF-8"))?;
                        std::os::unix::fs::symlink(target, &path).map_err(at)?;
                    } else {
                        fs::write(&path, data).map_err(at)?;
                        let perm = if f.is_executable() { 0o755 } else { 0o644 };
                        fs::set_permissions(&path, fs::Permissions::from_mode(perm)).map_err(at)?;
                    }
                }
            }
        }
        Ok(())
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
    fn repo_with(files: &[(&str, &str)], links: &[(&str, &str)]) -> (tempfile::TempDir, git2::Oid) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
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
        let repo = Repo::open(dir.path()).unwrap();
        let commit = repo.resolve("HEAD").unwrap();
        assert_eq!(commit.hex(), id.to_string());
        let files = repo.tree(commit).unwrap();
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
    fn exports_files_modes_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let raw = git2::Repository::init(dir.path()).unwrap();
        let sig =
            git2::Signature::new("t", "t@example.com", &git2::Time::new(1_700_000_000, 0)).unwrap();
        let mut tb = raw.treebuilder(None).unwrap();
        let blob = raw.blob(b"#!/bin/sh\n").unwrap();
        tb.insert("run.sh", blob, MODE_EXECUTABLE as i32).unwrap();
        let link = raw.blob(b"run.sh").unwrap();
        tb.insert("link", link, MODE_SYMLINK as i32).unwrap();
        let tree = raw.find_tree(tb.write().unwrap()).unwrap();
        raw.commit(Some("HEAD"), &sig, &sig, "c", &tree, &[])
            .unwrap();
        let repo = Repo::open(dir.path()).unwrap();
        let c = repo.commit(repo.resolve("HEAD").unwrap()).unwrap();
        assert_eq!(c.time, 1_700_000_000);
        let out = dir.path().join("out");
        let listing = repo.tree(c.id).unwrap();
        listing.export(&out).unwrap();
        let meta = fs::metadata(out.join("run.sh")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o755);
        assert_eq!(
            fs::read_link(out.join("link")).unwrap(),
            Path::new("run.sh")
        );
        assert!(listing.export(&out).is_err(), "a used directory is refused");
    }
}

//! The scratch directory a rebuild runs in: the reviewed commit's tree exported from git's
//! objects (never the user's working tree, so uncommitted edits cannot leak into the build),
//! a scratch `HOME` and `TMPDIR`, and beside them, outside what the build may write, its log.
//!
//! Layout of the work directory:
//!
//! ```text
//! custody-rebuild-PID-NANOS/
//!   build.log       the build's standard output and error
//!   rebuilt/NAME    the rebuilt artifact, kept for inspection
//!   scratch/        all the build may write: src/ (the checkout), home/, tmp/
//! ```

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

/// Git's file mode for an executable file.
const MODE_EXECUTABLE: i32 = 0o100755;
/// Git's file mode for a symbolic link.
const MODE_SYMLINK: i32 = 0o120000;

/// The reviewed commit, resolved.
pub struct Commit {
    pub id: Oid,
    /// Committer time, seconds since the epoch: the build's `SOURCE_DATE_EPOCH`.
    pub time: i64,
}

/// Resolve `rev` in the repository at `dir`.
pub fn resolve(dir: &Path, rev: &str) -> Result<(Repository, Commit), git2::Error> {
    let repo = Repository::open(dir)?;
    let commit = repo.revparse_single(rev)?.peel_to_commit()?;
    let c = Commit {
        id: commit.id(),
        time: commit.time().seconds(),
    };
    drop(commit);
    Ok((repo, c))
}

/// A fresh work directory under `base`, readable by its owner only until the build runs.
pub fn work_dir(base: &Path) -> io::Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = base.join(format!("custody-rebuild-{}-{nanos}", std::process::id()));
    fs::DirBuilder::new().mode(0o700).create(&dir)?;
    for sub in ["scratch", "scratch/home", "scratch/tmp", "rebuilt"] {
        fs::create_dir(dir.join(sub))?;
    }
    Ok(dir)
}

/// Write the tree of `commit` into `dest`, which must be empty or absent. Submodules are left
/// as empty directories, as `git archive` does.
pub fn export(repo: &Repository, commit: Oid, dest: &Path) -> io::Result<()> {
    let git = |e: git2::Error| io::Error::other(e.to_string());
    if dest.exists() && fs::read_dir(dest)?.next().is_some() {
        return Err(io::Error::other(format!(
            "{} is not empty; a fixed build path must be new or empty",
            dest.display()
        )));
    }
    fs::create_dir_all(dest)?;
    let tree = repo.find_commit(commit).map_err(git)?.tree().map_err(git)?;
    let mut failure: Option<io::Error> = None;
    tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        let Ok(name) = entry.name() else {
            failure = Some(io::Error::other("a tree entry name is not UTF-8"));
            return TreeWalkResult::Abort;
        };
        // git refuses such names itself; a hostile repository could still carry them.
        if matches!(name, "" | "." | ".." | ".git") || name.contains('/') {
            failure = Some(io::Error::other(format!(
                "refusing tree entry `{parent}{name}`"
            )));
            return TreeWalkResult::Abort;
        }
        let path = dest.join(parent).join(name);
        let result = match entry.kind() {
            Some(ObjectType::Tree) => fs::create_dir(&path),
            Some(ObjectType::Blob) => write_blob(repo, entry.id(), entry.filemode(), &path),
            Some(ObjectType::Commit) => fs::create_dir(&path),
            _ => Ok(()),
        };
        match result {
            Ok(()) => TreeWalkResult::Ok,
            Err(e) => {
                failure = Some(io::Error::new(e.kind(), format!("{}: {e}", path.display())));
                TreeWalkResult::Abort
            }
        }
    })
    .map_err(|e| failure.take().unwrap_or_else(|| git(e)))?;
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn write_blob(repo: &Repository, id: Oid, mode: i32, path: &Path) -> io::Result<()> {
    let blob = repo
        .find_blob(id)
        .map_err(|e| io::Error::other(e.to_string()))?;
    if mode == MODE_SYMLINK {
        let target = std::str::from_utf8(blob.content())
            .map_err(|_| io::Error::other("a symlink target is not UTF-8"))?;
        return std::os::unix::fs::symlink(target, path);
    }
    fs::write(path, blob.content())?;
    let perm = if mode == MODE_EXECUTABLE {
        0o755
    } else {
        0o644
    };
    fs::set_permissions(path, fs::Permissions::from_mode(perm))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_files_modes_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let sig =
            git2::Signature::new("t", "t@example.com", &git2::Time::new(1_700_000_000, 0)).unwrap();
        let mut tb = repo.treebuilder(None).unwrap();
        let blob = repo.blob(b"#!/bin/sh\n").unwrap();
        tb.insert("run.sh", blob, MODE_EXECUTABLE).unwrap();
        let link = repo.blob(b"run.sh").unwrap();
        tb.insert("link", link, MODE_SYMLINK).unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let id = repo
            .commit(Some("HEAD"), &sig, &sig, "c", &tree, &[])
            .unwrap();
        let (repo, c) = resolve(dir.path(), "HEAD").unwrap();
        assert_eq!((c.id, c.time), (id, 1_700_000_000));
        let out = dir.path().join("out");
        export(&repo, c.id, &out).unwrap();
        let meta = fs::metadata(out.join("run.sh")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o755);
        assert_eq!(
            fs::read_link(out.join("link")).unwrap(),
            Path::new("run.sh")
        );
        assert!(
            export(&repo, c.id, &out).is_err(),
            "a used directory is refused"
        );
    }
}

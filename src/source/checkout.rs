//! Is the working tree exactly the reviewed commit? Compared byte for byte, never through the
//! index.
//!
//! `git status` trusts the index's stat data, so an edit that keeps a file's size and
//! modification time goes unseen, and whoever can write the working tree can write the index
//! too. custody instead lists the commit's tree (from the object database), walks the working
//! tree itself, reads every byte of every file that is in the commit or is untracked and not
//! ignored, computes the git tree id with its own hashing in the repository's object format, and
//! compares it with the commit's tree id. Only files outside the commit consult the ignore
//! rules, so a clean checkout costs one read per file and no ignore look-ups. The ignore rules
//! are the reviewed commit's own `.gitignore` files, read from git's objects: an untracked
//! `.gitignore`, `.git/info/exclude` or a user's `core.excludesFile` could otherwise hide a
//! file the build will read, so every other untracked file is reported.
//!
//! The one exception is asked for by name: with a stat cache (`custody source --stat-cache`, for
//! pre-merge hooks) a file whose `lstat` data is unchanged since an earlier run read it keeps
//! the blob id that run computed, and the report counts those files as trusted, not read.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::SourceError;
use crate::git::{BlobId, Index, Repo, TreeListing};
use crate::hash::statcache::Loaded;
use crate::hash::{self, FileKind, Format, HashOptions, StatCache};
use crate::limits::{MAX_TREE_DEPTH, MAX_TREE_ENTRIES};
use crate::walk::{Entry, EntryKind, RelPath};

/// How the working tree differs from the commit. Paths are sorted by bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckoutDiff {
    /// The commit's tree id, lowercase hex.
    pub commit_tree: String,
    /// The tree id custody computed for the working tree (commit files plus untracked,
    /// not-ignored files).
    pub worktree_tree: String,
    /// In the commit, with other content, mode or kind on disk.
    pub modified: Vec<RelPath>,
    /// In the commit, missing on disk.
    pub deleted: Vec<RelPath>,
    /// On disk, not in the commit, not ignored (and not staged as they are on disk).
    pub untracked: Vec<RelPath>,
    /// Staged in the index against the commit (added, changed or removed there), whether or
    /// not the disk matches the index; a path the disk holds as staged is listed only here.
    pub staged: Vec<RelPath>,
    /// Whether `commit_tree` is the index's tree (the commit about to be made), not a commit's.
    pub against_index: bool,
    /// Gitlinks: custody does not descend into submodules.
    pub submodules: Vec<RelPath>,
    /// Files and symlinks hashed: read, or trusted from a stat cache (see `stat_cache`).
    pub files: usize,
    /// Bytes of content of those files (read, or trusted from a stat cache).
    pub bytes: u64,
    /// What the stat cache did, when one was asked for.
    pub stat_cache: Option<StatCacheUse>,
}

/// What a stat cache did in one comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatCacheUse {
    /// The cache file, symlinks resolved.
    pub path: PathBuf,
    /// Files whose blob id came from the cache: not opened, not read.
    pub trusted: usize,
    /// Files and symlinks read in full.
    pub read: usize,
    /// Bytes read.
    pub bytes_read: u64,
    /// Why an existing cache file was not used; every file was read instead.
    pub ignored: Option<String>,
    /// Entries in the cache written for the next run.
    pub recorded: usize,
    /// Why the cache for the next run could not be written.
    pub write_error: Option<String>,
}

impl CheckoutDiff {
    /// Whether the working tree is the commit's tree (submodules aside, which are reported on
    /// their own).
    pub fn is_clean(&self) -> bool {
        self.modified.is_empty()
            && self.deleted.is_empty()
            && self.untracked.is_empty()
            && self.staged.is_empty()
            && (self.commit_tree == self.worktree_tree || !self.submodules.is_empty())
    }
}

/// Compare the working tree of `repo` with `tree` (the reviewed commit's tree, or the index's).
/// With `index` (when `tree` is a commit's), paths the index stages against the commit are
/// named as staged rather than as untracked, modified or deleted. With `stat_cache` (a path
/// already known to lie outside the checkout), files unchanged since an earlier run read them
/// are trusted from that cache, which is updated when anything changed.
pub fn compare(
    repo: &Repo,
    commit: &TreeListing<'_>,
    index: Option<&dyn Fn() -> Option<Index>>,
    format: Format,
    threads: Option<usize>,
    stat_cache: Option<&Path>,
) -> Result<CheckoutDiff, SourceError> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| SourceError::Hash("a bare repository has no working tree to check".into()))?
        .to_owned();
    let ignores = CommitIgnores::new(commit, &workdir)?;
    let cache = match stat_cache {
        Some(path) => {
            let real = std::fs::canonicalize(&workdir)
                .map_err(|e| SourceError::Hash(format!("{}: {e}", workdir.display())))?;
            let empty = StatCache::new(format, real.clone())
                .ok_or_else(|| SourceError::Hash(format!("no stat cache for {format}")))?;
            let (cache, ignored, on_disk) = match StatCache::load(path, format, &real) {
                Loaded::Cache(c) => (c, None, true),
                Loaded::Missing => (empty, None, false),
                Loaded::Ignored(why) => (empty, Some(why), false),
            };
            Some((path, cache, ignored, on_disk))
        }
        None => None,
    };
    // The walk runs here (the repository answers the ignore questions and stays on this
    // thread) and hands each file to the hashing pool as soon as it is found.
    let (scanned, digest) = hash::hash_while(
        &workdir,
        &HashOptions {
            formats: [format].into(),
            dirhash_prefix: String::new(),
            per_file_sha256: false,
            threads,
        },
        cache.as_ref().map(|(_, c, _, _)| c),
        |feed| {
            let mut scan = Scan {
                ignores: &ignores,
                root: &workdir,
                commit,
                feed,
                counted: 0,
                modified: Vec::new(),
                untracked: Vec::new(),
            };
            scan.dir(&workdir, &[], 0)
                .map(|()| (scan.modified, scan.untracked))
        },
    )
    .map_err(|e| SourceError::Hash(e.to_string()))?;
    let (mut modified, mut untracked) = scanned?;

    let mut seen: HashSet<&[u8]> = HashSet::with_capacity(digest.records.len());
    let mut on_disk: HashMap<&[u8], (Option<BlobId>, u32)> = HashMap::new();
    for r in &digest.records {
        let id = r.git_id(format).map(BlobId::from_digest);
        on_disk.insert(r.path.as_bytes(), (id, git_mode(&r.kind)));
        match commit.entry_bytes(r.path.as_bytes()) {
            Some(blob) => {
                seen.insert(r.path.as_bytes());
                if id != Some(blob.id) || blob.mode != git_mode(&r.kind) {
                    modified.push(r.path.clone());
                }
            }
            None => untracked.push(r.path.clone()),
        }
    }
    // A file that became a directory or a FIFO is already listed as modified.
    let changed_kind: HashSet<&[u8]> = modified.iter().map(|p| p.as_bytes()).collect();
    let mut deleted: Vec<RelPath> = commit
        .files()
        .map(|(p, _)| p)
        .filter(|p| !seen.contains(p) && !changed_kind.contains(p))
        .map(|p| RelPath::new(p.to_vec()))
        .collect();
    let worktree_tree = match format {
        Format::GitSha256 => digest.git_sha256.map(|d| hash::hex(&d)),
        _ => digest.git_sha1.map(|d| hash::hex(&d)),
    }
    .unwrap_or_default();
    let mut submodules: Vec<RelPath> = commit
        .gitlinks()
        .map(|p| RelPath::new(p.to_vec()))
        .collect();
    // A staged path is named as staged; it stays in its other list only when the disk holds
    // something else again than the index.
    let mut staged: Vec<RelPath> = Vec::new();
    let differs = !(modified.is_empty()
        && deleted.is_empty()
        && untracked.is_empty()
        && commit.id.hex() == worktree_tree);
    if let Some(index) = index.filter(|_| differs).and_then(|load| load()) {
        let index = &index;
        let staged_paths = index.staged_against(commit);
        let in_index: HashMap<&[u8], (BlobId, u32)> = index
            .entries
            .iter()
            .map(|(p, mode, id)| (p.as_slice(), (*id, *mode)))
            .collect();
        let as_staged: HashSet<&[u8]> = staged_paths
            .iter()
            .map(Vec::as_slice)
            .filter(|p| match (in_index.get(p), on_disk.get(p)) {
                (Some((id, mode)), Some((Some(disk), disk_mode))) => {
                    id == disk && mode == disk_mode
                }
                (None, None) => true,
                _ => false,
            })
            .collect();
        for list in [&mut modified, &mut deleted, &mut untracked] {
            list.retain(|p| !as_staged.contains(p.as_bytes()));
        }
        staged = staged_paths.into_iter().map(RelPath::new).collect();
    }
    for list in [&mut modified, &mut deleted, &mut untracked, &mut submodules] {
        list.sort();
        list.dedup();
    }
    let stat_cache = cache.map(|(path, old, ignored, on_disk)| {
        let mut next = StatCache::new(format, old.workdir().to_owned())
            .expect("a cache was made for this format");
        let mut used = StatCacheUse {
            path: path.to_owned(),
            ignored,
            ..StatCacheUse::default()
        };
        for r in &digest.records {
            if r.trusted {
                used.trusted += 1;
            } else {
                used.read += 1;
                if matches!(r.kind, FileKind::Regular { .. }) {
                    used.bytes_read += r.size;
                }
            }
            if let (Some(stat), Some(id)) = (r.stat, r.git_id(format))
                && next.insert(r.path.as_bytes(), stat, id)
            {
                used.recorded += 1;
            }
        }
        // A run that found every file as the cache had it leaves the file alone: rewriting
        // megabytes to say the same would be most of a warm run's cost.
        if !(on_disk && next.same_as(&old)) {
            used.write_error = next.save(path).err().map(|e| e.to_string());
        }
        used
    });
    Ok(CheckoutDiff {
        commit_tree: commit.id.hex(),
        worktree_tree,
        modified,
        deleted,
        untracked,
        staged,
        against_index: false,
        submodules,
        files: digest.records.len(),
        bytes: digest.bytes,
        stat_cache,
    })
}

fn git_mode(kind: &FileKind) -> u32 {
    match kind {
        FileKind::Regular { executable: false } => 0o100644,
        FileKind::Regular { executable: true } => 0o100755,
        FileKind::Symlink { .. } => 0o120000,
    }
}

/// The working-tree walk: which entries count, and what is already known to differ.
struct Scan<'a, 'f> {
    ignores: &'a CommitIgnores,
    root: &'a Path,
    commit: &'a TreeListing<'a>,
    /// Takes the files and symlinks to hash: every one in the commit, and untracked ones not
    /// ignored.
    feed: &'f mut dyn FnMut(&Entry),
    /// Entries fed so far.
    counted: usize,
    /// Found different without hashing (a file became a directory or a FIFO).
    modified: Vec<RelPath>,
    /// Untracked entries that cannot be hashed (FIFOs, sockets, devices).
    untracked: Vec<RelPath>,
}

impl Scan<'_, '_> {
    fn dir(&mut self, dir: &Path, rel: &[u8], depth: usize) -> Result<(), SourceError> {
        if depth > MAX_TREE_DEPTH {
            return Err(SourceError::Hash(format!(
                "{}: deeper than {MAX_TREE_DEPTH} directories",
                dir.display()
            )));
        }
        let read = |e: std::io::Error| SourceError::Hash(format!("{}: {e}", dir.display()));
        for item in std::fs::read_dir(dir).map_err(read)? {
            let item = item.map_err(read)?;
            let name = item.file_name();
            // git never stores a .git entry; the repository itself is not content.
            if name.as_bytes() == b".git" {
                continue;
            }
            let mut path = rel.to_vec();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(name.as_bytes());
            if self.counted >= MAX_TREE_ENTRIES {
                return Err(SourceError::Hash(format!(
                    "{}: more than {MAX_TREE_ENTRIES} entries",
                    self.root.display()
                )));
            }
            let kind = item.file_type().map_err(read)?;
            let tracked = self.commit.entry_bytes(&path).is_some();
            if kind.is_dir() {
                if self.commit.is_gitlink(&path) {
                    continue;
                }
                if tracked {
                    // A file of the commit is now a directory: its content is gone, and
                    // whatever is inside is new.
                    self.modified.push(RelPath::new(path.clone()));
                }
                if self.commit.is_dir(&path) || !self.ignored(&path, true) {
                    self.dir(&dir.join(&name), &path, depth + 1)?;
                }
            } else if kind.is_file() || kind.is_symlink() {
                if tracked || !self.ignored(&path, false) {
                    self.counted += 1;
                    (self.feed)(&Entry {
                        path: RelPath::new(path),
                        kind: if kind.is_symlink() {
                            EntryKind::Symlink
                        } else {
                            EntryKind::File
                        },
                    });
                }
            } else if tracked {
                self.modified.push(RelPath::new(path));
            } else if !self.ignored(&path, false) {
                self.untracked.push(RelPath::new(path));
            }
        }
        Ok(())
    }

    /// Whether the reviewed commit's ignore rules leave `path` out.
    fn ignored(&self, path: &[u8], dir: bool) -> bool {
        self.ignores.ignored(path, dir)
    }
}

/// The ignore rules of the reviewed commit: one matcher per directory whose `.gitignore` the
/// commit holds, applied as git applies them (the deepest file with a matching pattern decides;
/// within a file the last matching pattern wins; a negated pattern re-includes).
struct CommitIgnores {
    root: PathBuf,
    by_dir: HashMap<Vec<u8>, ignore::gitignore::Gitignore>,
}

impl CommitIgnores {
    fn new(commit: &TreeListing<'_>, root: &Path) -> Result<CommitIgnores, SourceError> {
        let mut by_dir = HashMap::new();
        for (path, file) in commit.files() {
            let (dir, name) = match path.iter().rposition(|&b| b == b'/') {
                Some(i) => (&path[..i], &path[i + 1..]),
                None => (&path[..0], path),
            };
            if name != b".gitignore" || !file.is_regular() {
                continue;
            }
            let text = commit.blob(file.id)?;
            let base = root.join(OsStr::from_bytes(dir));
            let mut builder = ignore::gitignore::GitignoreBuilder::new(&base);
            for line in String::from_utf8_lossy(&text).lines() {
                // A line git cannot read, it ignores; so does custody (the file is reported).
                let _ = builder.add_line(None, line);
            }
            if let Ok(gi) = builder.build() {
                by_dir.insert(dir.to_vec(), gi);
            }
        }
        Ok(CommitIgnores {
            root: root.to_owned(),
            by_dir,
        })
    }

    fn ignored(&self, path: &[u8], dir: bool) -> bool {
        if self.by_dir.is_empty() {
            return false;
        }
        let full = self.root.join(OsStr::from_bytes(path));
        let mut at: &[u8] = path;
        loop {
            at = match at.iter().rposition(|&b| b == b'/') {
                Some(i) => &at[..i],
                None if at.is_empty() => return false,
                None => &at[..0],
            };
            if let Some(gi) = self.by_dir.get(at) {
                let m = gi.matched(&full, dir);
                if m.is_ignore() {
                    return true;
                }
                if m.is_whitelist() {
                    return false;
                }
            }
            if at.is_empty() {
                return false;
            }
        }
    }
}

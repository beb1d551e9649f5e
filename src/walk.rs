//! The tree walk: which entries of a directory count, in a canonical order.
//!
//! The walk lists names and kinds only; it never opens a file. Symlinks are recorded, never
//! followed, so loops and links out of the tree are harmless. FIFOs, sockets and device nodes
//! are collected by path so the caller can refuse them without ever opening one (opening a FIFO
//! for reading blocks). Entries are sorted by the bytes of their relative path, so nothing that
//! follows depends on directory order or on thread count.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::limits::{MAX_TREE_DEPTH, MAX_TREE_ENTRIES};

/// A path relative to the tree's root: raw bytes, components separated by `/`.
///
/// Names are kept as bytes because a tree may hold names that are not UTF-8; every digest
/// format hashes names by their bytes.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelPath(Vec<u8>);

impl RelPath {
    pub fn new(bytes: Vec<u8>) -> Self {
        RelPath(bytes)
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// The path on disk under `root`.
    pub fn under(&self, root: &Path) -> PathBuf {
        root.join(OsStr::from_bytes(&self.0))
    }
    /// The path as UTF-8 text when it is valid UTF-8.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

/// Shows the path with every byte that is not printable UTF-8 escaped as `\xNN`, and a
/// backslash as `\\`, so a name is always visible and never ambiguous.
impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&escape_bytes(&self.0), f)
    }
}

impl fmt::Debug for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", escape_bytes(&self.0))
    }
}

/// Escape a byte string for display: valid UTF-8 printable characters stay, everything else
/// (invalid bytes, control characters) becomes `\xNN`; a backslash becomes `\\`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// What kind of thing a walk entry is, as far as the walk can tell without opening it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Symlink,
    Dir,
}

/// One entry of the tree.
#[derive(Clone, Debug)]
pub struct Entry {
    pub path: RelPath,
    pub kind: EntryKind,
}

/// A file the walk found but no digest format can represent: it is reported, never opened.
#[derive(Clone, Debug)]
pub struct SpecialFile {
    pub path: RelPath,
    pub kind: &'static str,
}

/// The walk's result: every counted entry sorted by path bytes, and the special files found.
#[derive(Debug)]
pub struct Tree {
    pub root: PathBuf,
    pub entries: Vec<Entry>,
    pub specials: Vec<SpecialFile>,
}

/// Which entries count.
#[derive(Default)]
pub struct WalkOptions {
    /// Only these paths count, when set (e.g. the files git tracks); each directory on the way
    /// to one of them is descended into, no other.
    pub only: Option<HashSet<RelPath>>,
    /// Globs of paths to leave out. A pattern without `/` matches a name at any depth; one
    /// with `/` matches the whole relative path. A matching directory is not descended into.
    pub exclude: Vec<String>,
}

/// Why a walk could not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalkError {
    /// The root does not exist or cannot be read.
    #[error("{path}: {source}")]
    Root {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The root is not a directory.
    #[error("{0}: not a directory")]
    NotADirectory(PathBuf),
    /// A directory or entry inside the tree could not be read.
    #[error("{path}: cannot read: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Nesting deeper than [`MAX_TREE_DEPTH`].
    #[error("{0}: nested deeper than {MAX_TREE_DEPTH} directories")]
    TooDeep(PathBuf),
    /// More entries than [`MAX_TREE_ENTRIES`].
    #[error("{0}: more than {MAX_TREE_ENTRIES} entries")]
    TooManyEntries(PathBuf),
    /// An `--exclude` pattern is not a valid glob.
    #[error("invalid --exclude pattern {pattern:?}: {message}")]
    BadGlob { pattern: String, message: String },
}

/// Walk `root`, leaving out every `.git` entry, and return the entries that count.
pub fn walk(root: &Path, options: &WalkOptions) -> Result<Tree, WalkError> {
    walk_feeding(root, options, &mut |_| {})
}

/// [`walk`], also handing each counted entry to `feed` as soon as it is found (in directory
/// order, not yet sorted), so that work on it can start before the walk ends.
pub fn walk_feeding(
    root: &Path,
    options: &WalkOptions,
    feed: &mut dyn FnMut(&Entry),
) -> Result<Tree, WalkError> {
    check_root(root)?;
    let excludes = Excludes::new(&options.exclude)?;
    let only_dirs = options.only.as_ref().map(ancestor_dirs);

    let mut entries = Vec::new();
    let mut specials = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .min_depth(1)
        .max_depth(MAX_TREE_DEPTH + 1)
        .into_iter()
        .filter_entry(|e| {
            if e.file_name() == ".git" {
                return false;
            }
            let rel = relative(root, e.path());
            if excludes.matches(&rel) {
                return false;
            }
            match (&only_dirs, e.file_type().is_dir()) {
                (Some(dirs), true) => dirs.contains(rel.as_slice()),
                _ => true,
            }
        });
    for item in walker {
        let e = item.map_err(|err| {
            let path = err.path().unwrap_or(root).to_path_buf();
            let source = err
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("filesystem loop"));
            WalkError::Unreadable { path, source }
        })?;
        if e.depth() > MAX_TREE_DEPTH {
            return Err(WalkError::TooDeep(e.path().to_path_buf()));
        }
        if entries.len() + specials.len() >= MAX_TREE_ENTRIES {
            return Err(WalkError::TooManyEntries(root.to_path_buf()));
        }
        let path = RelPath(relative(root, e.path()));
        let ft = e.file_type();
        let kind = if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_file() {
            EntryKind::File
        } else if ft.is_symlink() {
            EntryKind::Symlink
        } else {
            let kind = if ft.is_fifo() {
                "FIFO"
            } else if ft.is_socket() {
                "socket"
            } else if ft.is_block_device() {
                "block device"
            } else if ft.is_char_device() {
                "character device"
            } else {
                "special file"
            };
            specials.push(SpecialFile { path, kind });
            continue;
        };
        if let Some(only) = &options.only
            && kind != EntryKind::Dir
            && !only.contains(&path)
        {
            continue;
        }
        let entry = Entry { path, kind };
        feed(&entry);
        entries.push(entry);
    }
    entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    specials.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(Tree {
        root: root.to_path_buf(),
        entries,
        specials,
    })
}

/// The root must exist and be a directory.
pub fn check_root(root: &Path) -> Result<(), WalkError> {
    let meta = std::fs::metadata(root).map_err(|source| WalkError::Root {
        path: root.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(WalkError::NotADirectory(root.to_path_buf()));
    }
    Ok(())
}

/// `path` relative to `root`. The walk builds every path as `root` joined with names, so this
/// is a slice of bytes; comparing path components instead was a measurable share of the walk.
fn relative(root: &Path, path: &Path) -> Vec<u8> {
    let (r, p) = (root.as_os_str().as_bytes(), path.as_os_str().as_bytes());
    let skip = r.len() + usize::from(!r.ends_with(b"/"));
    match p.get(skip..) {
        Some(rel) if p.starts_with(r) && (r.ends_with(b"/") || p[r.len()] == b'/') => rel.to_vec(),
        _ => path
            .strip_prefix(root)
            .unwrap_or(path)
            .as_os_str()
            .as_bytes()
            .to_vec(),
    }
}

/// Every directory that leads to one of `paths`, as relative path bytes.
fn ancestor_dirs(paths: &HashSet<RelPath>) -> HashSet<Vec<u8>> {
    let mut dirs = HashSet::new();
    for p in paths {
        let bytes = p.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'/' {
                dirs.insert(bytes[..i].to_vec());
            }
        }
    }
    dirs
}

/// Compiled `--exclude` patterns.
pub struct Excludes {
    /// Patterns without `/`, matched against the last path component.
    names: GlobSet,
    /// Patterns with `/`, matched against the whole relative path.
    paths: GlobSet,
}

impl Excludes {
    pub fn new(patterns: &[String]) -> Result<Excludes, WalkError> {
        let (names, paths) = compile_excludes(patterns)?;
        Ok(Excludes { names, paths })
    }

    /// Whether the relative path (bytes, `/`-separated) is left out.
    pub fn matches(&self, rel: &[u8]) -> bool {
        let name = rel.rsplit(|&b| b == b'/').next().unwrap_or(rel);
        self.names.is_match(OsStr::from_bytes(name)) || self.paths.is_match(OsStr::from_bytes(rel))
    }
}

fn compile_excludes(patterns: &[String]) -> Result<(GlobSet, GlobSet), WalkError> {
    let mut names = GlobSetBuilder::new();
    let mut paths = GlobSetBuilder::new();
    for pattern in patterns {
        let trimmed = pattern.trim_end_matches('/');
        let glob = GlobBuilder::new(trimmed.trim_start_matches('/'))
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| WalkError::BadGlob {
                pattern: pattern.clone(),
                message: e.kind().to_string(),
            })?;
        if trimmed.contains('/') {
            paths.add(glob);
        } else {
            names.add(glob);
        }
    }
    let build = |b: GlobSetBuilder| {
        b.build().map_err(|e| WalkError::BadGlob {
            pattern: patterns.join(" "),
            message: e.to_string(),
        })
    };
    Ok((build(names)?, build(paths)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_invalid_utf8_and_controls() {
        assert_eq!(escape_bytes(b"caf\xc3\xa9"), "café");
        assert_eq!(escape_bytes(b"a\xffb"), "a\\xffb");
        assert_eq!(escape_bytes(b"new\nline"), "new\\x0aline");
        assert_eq!(escape_bytes(b"back\\slash"), "back\\\\slash");
    }

    #[test]
    fn relative_paths_with_and_without_a_trailing_slash() {
        assert_eq!(relative(Path::new("a/b"), Path::new("a/b/c/d")), b"c/d");
        assert_eq!(relative(Path::new("a/b/"), Path::new("a/b/c")), b"c");
        assert_eq!(relative(Path::new("/"), Path::new("/etc")), b"etc");
        assert_eq!(relative(Path::new("."), Path::new("./x")), b"x");
    }

    #[test]
    fn ancestors_of_tracked_paths() {
        let only: HashSet<RelPath> = [RelPath(b"a/b/c".to_vec()), RelPath(b"d".to_vec())]
            .into_iter()
            .collect();
        let dirs = ancestor_dirs(&only);
        assert!(dirs.contains(b"a".as_slice()));
        assert!(dirs.contains(b"a/b".as_slice()));
        assert!(!dirs.contains(b"d".as_slice()));
    }
}

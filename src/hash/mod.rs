//! Tree digests in the formats other tools already use: Go's dirhash `h1:`, git tree ids in
//! SHA-1 and SHA-256 object format, and the Nix NAR hash; plus a per-file manifest.
//!
//! One parallel pass reads every file once and feeds each selected per-file digest (SHA-256 for
//! dirhash and the manifest, git blob ids). The NAR hash is a single sequential SHA-256 over the
//! whole serialised tree, which no amount of threads can split, so when it is asked for it runs
//! on a thread of its own beside the parallel pass, reading the files in NAR order itself (the
//! second read comes from the page cache; both reads prove the file did not change).

mod dirhash;
pub use dirhash::hash1_of;
mod file;
mod gittree;
pub mod manifest;
mod nar;
pub mod sha1dc;
pub mod statcache;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::walk::{self, Entry, EntryKind, RelPath, Tree, WalkError, WalkOptions};
use sha1dc::Sha1Dc;

pub use file::{
    ContentSink, Dir, FileInfo, ReadError, StatData, read_file_at, read_file_at_stat,
    read_named_file, read_symlink_at, write_atomically,
};
pub use nar::nix_base32;
pub use statcache::StatCache;

/// A digest format `custody hash` can compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Go's dirhash `h1:` (golang.org/x/mod/sumdb/dirhash `Hash1`), the in-toto `dirHash`.
    Dirhash,
    /// The git tree id in SHA-1 object format.
    GitSha1,
    /// The git tree id in SHA-256 object format.
    GitSha256,
    /// The SHA-256 of the Nix archive (NAR) serialisation.
    Nar,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::GitSha1,
        Format::GitSha256,
        Format::Dirhash,
        Format::Nar,
    ];

    /// The name used on the command line and as the JSON key.
    pub fn name(self) -> &'static str {
        match self {
            Format::Dirhash => "dirhash",
            Format::GitSha1 => "git-sha1",
            Format::GitSha256 => "git-sha256",
            Format::Nar => "nar",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| {
            format!("unknown digest format {s:?} (expected dirhash, git-sha1, git-sha256, nar or all)")
        })
    }
}

/// Parse a comma-separated `--digest` list; `all` selects every format.
pub fn parse_formats(list: &str) -> Result<BTreeSet<Format>, String> {
    let mut set = BTreeSet::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if item == "all" {
            set.extend(Format::ALL);
        } else {
            set.insert(item.parse()?);
        }
    }
    if set.is_empty() {
        return Err("--digest needs at least one format".into());
    }
    Ok(set)
}

/// What to compute.
#[derive(Clone, Debug)]
pub struct HashOptions {
    pub formats: BTreeSet<Format>,
    /// Prepended to every name in the dirhash summary (`module@version` for Go module zips).
    pub dirhash_prefix: String,
    /// Compute each file's SHA-256 even when dirhash is not selected (for a manifest).
    pub per_file_sha256: bool,
    /// Threads for the parallel pass; `None` uses one per core.
    pub threads: Option<usize>,
}

/// What one file or symlink is, as hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    Regular {
        executable: bool,
    },
    /// A symlink, hashed as its target bytes.
    Symlink {
        target: Vec<u8>,
    },
}

/// One hashed entry of the tree.
#[derive(Clone, Debug)]
pub struct FileRecord {
    pub path: RelPath,
    pub kind: FileKind,
    /// Content length: the file's size, or the symlink target's length.
    pub size: u64,
    pub sha256: Option<[u8; 32]>,
    pub git_sha1: Option<[u8; 20]>,
    pub git_sha256: Option<[u8; 32]>,
    /// With a stat cache only: the file's stat data when it was read or confirmed, for the next
    /// cache; `None` for a file changed too recently to be recorded (see
    /// [`statcache::recordable`]) and for symlinks, which are always read.
    pub stat: Option<StatData>,
    /// The git blob id came from a stat cache: the file was not opened, only its `lstat` data
    /// compared with what it was when an earlier run read it.
    pub trusted: bool,
}

impl FileRecord {
    /// The git blob id in the object format `format` names (SHA-256 for `git-sha256`, SHA-1
    /// otherwise), if it was computed.
    pub fn git_id(&self, format: Format) -> Option<&[u8]> {
        match format {
            Format::GitSha256 => self.git_sha256.as_ref().map(|d| d.as_slice()),
            _ => self.git_sha1.as_ref().map(|d| d.as_slice()),
        }
    }

    /// The git tree entry mode of this entry.
    pub fn git_mode(&self) -> &'static str {
        match self.kind {
            FileKind::Regular { executable: false } => "100644",
            FileKind::Regular { executable: true } => "100755",
            FileKind::Symlink { .. } => "120000",
        }
    }
}

/// The digests of a whole tree, and the per-file records they were built from.
#[derive(Clone, Debug)]
pub struct TreeDigest {
    pub dirhash: Option<String>,
    pub git_sha1: Option<[u8; 20]>,
    pub git_sha256: Option<[u8; 32]>,
    pub nar: Option<[u8; 32]>,
    /// Files and symlinks, sorted by path bytes.
    pub records: Vec<FileRecord>,
    /// Bytes of regular-file content.
    pub bytes: u64,
}

impl TreeDigest {
    pub fn regular_files(&self) -> usize {
        self.records
            .iter()
            .filter(|r| matches!(r.kind, FileKind::Regular { .. }))
            .count()
    }
    pub fn symlinks(&self) -> usize {
        self.records.len() - self.regular_files()
    }
}

/// Why a tree could not be hashed. No partial digest is ever returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HashError {
    /// FIFOs, sockets or device nodes: no digest format represents them, and they are never
    /// opened. Leave them out with `--exclude`.
    #[error("{}", special_list(.0))]
    SpecialFiles(Vec<(RelPath, &'static str)>),
    /// One entry could not be read, or changed while it was read.
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        /// The entry's path relative to the tree root.
        rel: RelPath,
        source: ReadError,
    },
    /// A file's SHA-1 computation detected a collision attack (a SHAttered-style pair).
    #[error("{path}: SHA-1 collision attack detected; refusing to compute its git-sha1 id")]
    Sha1Collision { path: PathBuf, rel: RelPath },
    /// Go's dirhash cannot represent a name containing a newline.
    #[error("{0}: dirhash does not support file names containing a newline")]
    NewlineInName(RelPath),
    /// The thread pool could not be built.
    #[error("cannot start {threads} threads: {message}")]
    Threads { threads: usize, message: String },
    /// A NAR hash was asked of a pass that hashes entries as they are found.
    #[error("a NAR hash needs the whole tree before it starts")]
    NarNeedsTree,
    /// A stat cache holds git blob ids in one object format only: per-file SHA-256, dirhash,
    /// NAR or the other object format would have to read the files anyway.
    #[error("a stat cache gives {0} blob ids only; no other digest can be taken from it")]
    StatCacheFormats(Format),
}

fn special_list(files: &[(RelPath, &'static str)]) -> String {
    let mut s = String::from(
        "the tree holds files no digest format can represent (never opened; leave them out with --exclude):",
    );
    for (path, kind) in files {
        s.push_str(&format!("\n  {path} ({kind})"));
    }
    s
}

/// Hash a walked tree in the selected formats.
pub fn hash_tree(tree: &Tree, options: &HashOptions) -> Result<TreeDigest, HashError> {
    check_tree(tree, options)?;
    let pool = thread_pool(options)?;
    let wants = Wants::from(options);
    let root = open_root(&tree.root)?;
    let files: Vec<&Entry> = tree
        .entries
        .iter()
        .filter(|e| e.kind != EntryKind::Dir)
        .collect();
    let (records, nar) = std::thread::scope(|s| {
        let nar = options
            .formats
            .contains(&Format::Nar)
            .then(|| s.spawn(|| nar::nar_hash(tree)));
        let records: Vec<Result<FileRecord, HashError>> = pool.install(|| {
            files
                .par_chunks(BATCH)
                .flat_map_iter(|batch| hash_batch(&root, &tree.root, batch.iter().copied(), wants))
                .collect()
        });
        let nar = nar.map(|h| h.join().expect("the NAR thread does not panic"));
        (records, nar)
    });
    finish(records, nar, options)
}

/// Walk `root` and hash what the walk finds, in one go: files are hashed while the walk is
/// still listing directories, so the single-threaded walk overlaps the parallel reads instead
/// of preceding them. The result equals `hash_tree(&walk(root, walk_options)?, options)`.
pub fn walk_and_hash(
    root: &Path,
    walk_options: &WalkOptions,
    options: &HashOptions,
) -> Result<(Tree, TreeDigest), WalkOrHashError> {
    walk::check_root(root)?;
    let (walked, records) = hash_fed(root, options, None, |feed| {
        let tree = walk::walk_feeding(root, walk_options, feed)?;
        // The NAR hash is sequential and needs the whole tree: it starts once the walk is
        // done, on this thread, while the pool finishes the per-file digests.
        let nar = match options.formats.contains(&Format::Nar) && tree.specials.is_empty() {
            true => Some(nar::nar_hash(&tree)),
            false => None,
        };
        Ok::<_, WalkError>((tree, nar))
    })?;
    let (tree, nar) = walked?;
    check_tree(&tree, options)?;
    let digest = finish(records, nar, options)?;
    Ok((tree, digest))
}

/// Hash the files and symlinks under `root` that `produce` hands to its feed, while `produce`
/// is still finding them. `produce` runs on the calling thread, so it may hold what cannot
/// cross threads (a git repository); the reads run on the pool. Returns what `produce`
/// returned and the digest of every entry fed. For the per-file and git formats: a NAR hash
/// needs the whole tree, so it is refused here.
///
/// With a stat `cache`, a regular file whose `lstat` data equals what the cache recorded for
/// its path gets the recorded blob id without being opened (its record says `trusted`); every
/// other file is read as usual, and each record carries the stat data for the next cache. The
/// cache holds one object format's blob ids, so `options` must then ask for that format alone,
/// without per-file SHA-256: anything else is refused.
pub fn hash_while<T>(
    root: &Path,
    options: &HashOptions,
    cache: Option<&StatCache>,
    produce: impl FnOnce(&mut dyn FnMut(&Entry)) -> T,
) -> Result<(T, TreeDigest), HashError> {
    if options.formats.contains(&Format::Nar) {
        return Err(HashError::NarNeedsTree);
    }
    if let Some(cache) = cache
        && (options.per_file_sha256 || options.formats != BTreeSet::from([cache.format()]))
    {
        return Err(HashError::StatCacheFormats(cache.format()));
    }
    let (out, records) = hash_fed(root, options, cache, produce)?;
    Ok((out, finish(records, None, options)?))
}

/// The parallel pass behind [`walk_and_hash`] and [`hash_while`]: entries fed by `produce`
/// travel to the pool in batches over a bounded channel; records come back sorted by path.
fn hash_fed<T>(
    root: &Path,
    options: &HashOptions,
    cache: Option<&StatCache>,
    produce: impl FnOnce(&mut dyn FnMut(&Entry)) -> T,
) -> Result<(T, Vec<Result<FileRecord, HashError>>), HashError> {
    let pool = thread_pool(options)?;
    let wants = Wants {
        cache,
        ..Wants::from(options)
    };
    let root_dir = open_root(root)?;
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<Entry>>(64);
    Ok(std::thread::scope(|s| {
        let hashing = s.spawn(|| {
            pool.install(|| {
                receiver
                    .into_iter()
                    .par_bridge()
                    .flat_map_iter(|batch| hash_batch(&root_dir, root, batch.iter(), wants))
                    .collect::<Vec<_>>()
            })
        });
        let mut batch = Vec::with_capacity(BATCH);
        let out = produce(&mut |e| {
            if e.kind != EntryKind::Dir {
                batch.push(e.clone());
                if batch.len() == BATCH {
                    // The receiver only goes away once hashing is over.
                    let _ = sender.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                }
            }
        });
        let _ = sender.send(batch);
        drop(sender);
        let mut records = hashing.join().expect("the hashing thread does not panic");
        records.sort_by(|a, b| record_path(a).cmp(record_path(b)));
        (out, records)
    }))
}

/// Entries are hashed in batches: the walk hands them over a channel in batches, and each
/// batch opens each directory it reads from once.
const BATCH: usize = 256;

fn open_root(root: &Path) -> Result<Dir, HashError> {
    Dir::open(root).map_err(|source| HashError::Read {
        path: root.to_path_buf(),
        rel: RelPath::new(Vec::new()),
        source: ReadError::Io(source),
    })
}

/// Hash a batch of file and symlink entries, opening each run of entries that share a parent
/// directory through one open handle of that directory. The entries themselves are hashed in
/// parallel: a batch of a few large files must still use every core.
fn hash_batch<'a>(
    root: &Dir,
    root_path: &Path,
    entries: impl Iterator<Item = &'a Entry>,
    wants: Wants<'_>,
) -> Vec<Result<FileRecord, HashError>> {
    let mut dirs: Vec<Result<Dir, std::io::Error>> = Vec::new();
    let mut items: Vec<(usize, &[u8], &Entry)> = Vec::with_capacity(BATCH);
    let mut current: Option<&[u8]> = None;
    for e in entries {
        let bytes = e.path.as_bytes();
        let (parent, name) = match bytes.iter().rposition(|&b| b == b'/') {
            Some(i) => (&bytes[..i], &bytes[i + 1..]),
            None => (&bytes[..0], bytes),
        };
        if current != Some(parent) {
            dirs.push(root.open_beneath(if parent.is_empty() { b"." } else { parent }));
            current = Some(parent);
        }
        items.push((dirs.len() - 1, name, e));
    }
    items
        .into_par_iter()
        .map(|(d, name, e)| match &dirs[d] {
            Ok(dir) => hash_entry(dir, name, root_path, &e.path, e.kind, wants),
            Err(err) => Err(HashError::Read {
                path: e.path.under(root_path),
                rel: e.path.clone(),
                source: ReadError::Io(std::io::Error::new(err.kind(), err.to_string())),
            }),
        })
        .collect()
}

/// The path a hashing result is about, for putting results back in path order.
fn record_path(r: &Result<FileRecord, HashError>) -> &[u8] {
    match r {
        Ok(record) => record.path.as_bytes(),
        Err(HashError::Read { rel, .. } | HashError::Sha1Collision { rel, .. }) => rel.as_bytes(),
        Err(_) => &[],
    }
}

/// Why `walk_and_hash` failed: the walk or the hashing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalkOrHashError {
    #[error(transparent)]
    Walk(#[from] WalkError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// Refuse what no format can represent, before any result is reported.
fn check_tree(tree: &Tree, options: &HashOptions) -> Result<(), HashError> {
    if !tree.specials.is_empty() {
        return Err(HashError::SpecialFiles(
            tree.specials
                .iter()
                .map(|s| (s.path.clone(), s.kind))
                .collect(),
        ));
    }
    if options.formats.contains(&Format::Dirhash)
        && let Some(e) = tree
            .entries
            .iter()
            .find(|e| e.kind != EntryKind::Dir && e.path.as_bytes().contains(&b'\n'))
    {
        return Err(HashError::NewlineInName(e.path.clone()));
    }
    Ok(())
}

fn thread_pool(options: &HashOptions) -> Result<rayon::ThreadPool, HashError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = options.threads {
        builder = builder.num_threads(n);
    }
    builder.build().map_err(|e| HashError::Threads {
        threads: options.threads.unwrap_or(0),
        message: e.to_string(),
    })
}

/// Combine per-file results, sorted by path, into the tree digests.
fn finish(
    records: Vec<Result<FileRecord, HashError>>,
    nar: Option<Result<[u8; 32], HashError>>,
    options: &HashOptions,
) -> Result<TreeDigest, HashError> {
    let wants = Wants::from(options);
    // The first error in path order, so the message does not depend on thread timing.
    let records = records.into_iter().collect::<Result<Vec<_>, _>>()?;
    let nar = nar.transpose()?;
    let bytes = records
        .iter()
        .filter(|r| matches!(r.kind, FileKind::Regular { .. }))
        .map(|r| r.size)
        .sum();
    let dirhash = options
        .formats
        .contains(&Format::Dirhash)
        .then(|| dirhash::hash1(&records, &options.dirhash_prefix));
    let git_sha1 = wants.git_sha1.then(|| gittree::tree_id_sha1(&records));
    let git_sha256 = wants.git_sha256.then(|| gittree::tree_id_sha256(&records));
    Ok(TreeDigest {
        dirhash,
        git_sha1,
        git_sha256,
        nar,
        records,
        bytes,
    })
}

/// Which per-file digests the parallel pass computes, and the stat cache it may trust.
#[derive(Clone, Copy)]
struct Wants<'c> {
    sha256: bool,
    git_sha1: bool,
    git_sha256: bool,
    cache: Option<&'c StatCache>,
}

impl From<&HashOptions> for Wants<'_> {
    fn from(options: &HashOptions) -> Self {
        Wants {
            sha256: options.per_file_sha256 || options.formats.contains(&Format::Dirhash),
            git_sha1: options.formats.contains(&Format::GitSha1),
            git_sha256: options.formats.contains(&Format::GitSha256),
            cache: None,
        }
    }
}

/// Per-file hashers, fed the same bytes in one read.
struct FileHashers {
    sha256: Option<Sha256>,
    git_sha1: Option<Sha1Dc>,
    git_sha256: Option<Sha256>,
}

impl FileHashers {
    fn new(wants: Wants<'_>) -> Self {
        FileHashers {
            sha256: wants.sha256.then(Sha256::new),
            git_sha1: wants.git_sha1.then(Sha1Dc::new),
            git_sha256: wants.git_sha256.then(Sha256::new),
        }
    }

    /// Git hashes a blob as `blob <size>\0` followed by the content.
    fn begin(&mut self, size: u64) {
        let header = format!("blob {size}\0");
        if let Some(h) = &mut self.git_sha1 {
            h.update(header.as_bytes());
        }
        if let Some(h) = &mut self.git_sha256 {
            h.update(header.as_bytes());
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        if let Some(h) = &mut self.sha256 {
            h.update(bytes);
        }
        if let Some(h) = &mut self.git_sha1 {
            h.update(bytes);
        }
        if let Some(h) = &mut self.git_sha256 {
            h.update(bytes);
        }
    }
}

impl ContentSink for FileHashers {
    fn start(&mut self, info: FileInfo) {
        self.begin(info.size);
    }
    fn chunk(&mut self, bytes: &[u8]) {
        self.feed(bytes);
    }
}

/// Hash the entry `name` of `dir`, whose path relative to the tree root is `path`.
fn hash_entry(
    dir: &Dir,
    name: &[u8],
    root: &Path,
    path: &RelPath,
    kind: EntryKind,
    wants: Wants<'_>,
) -> Result<FileRecord, HashError> {
    // The full path is only for messages: built when one is needed, not for every file.
    let read_err = |source| HashError::Read {
        path: path.under(root),
        rel: path.clone(),
        source,
    };
    if let Some(cache) = wants.cache
        && kind == EntryKind::File
        // A failed lstat is left to the read, which reports it.
        && let Ok(stat) = dir.stat_at(name)
        && let Some(id) = cache.lookup(path.as_bytes(), &stat)
    {
        let (git_sha1, git_sha256) = match id.len() {
            20 => (id.try_into().ok(), None),
            _ => (None, id.try_into().ok()),
        };
        return Ok(FileRecord {
            path: path.clone(),
            kind: FileKind::Regular {
                executable: stat.is_executable(),
            },
            size: stat.size,
            sha256: None,
            git_sha1,
            git_sha256,
            stat: Some(stat),
            trusted: true,
        });
    }
    let mut hashers = FileHashers::new(wants);
    let mut stat = None;
    let (kind, size) = match kind {
        EntryKind::Symlink => {
            let target = read_symlink_at(dir, name).map_err(read_err)?;
            let size = target.len() as u64;
            hashers.begin(size);
            hashers.feed(&target);
            (FileKind::Symlink { target }, size)
        }
        _ => {
            // The clock is read before the file: the racy window is measured from the earliest
            // moment the content seen could have been written.
            let read_at = wants.cache.map(|_| std::time::SystemTime::now());
            let (info, seen) = read_file_at_stat(dir, name, &mut hashers).map_err(read_err)?;
            stat = read_at
                .filter(|&t| statcache::recordable(&seen, t))
                .map(|_| seen);
            (
                FileKind::Regular {
                    executable: info.executable,
                },
                info.size,
            )
        }
    };
    let git_sha1 = match hashers.git_sha1 {
        Some(h) => {
            let result = h.finalize();
            if result.collision {
                return Err(HashError::Sha1Collision {
                    path: path.under(root),
                    rel: path.clone(),
                });
            }
            Some(result.hash)
        }
        None => None,
    };
    Ok(FileRecord {
        path: path.clone(),
        kind,
        size,
        sha256: hashers.sha256.map(|h| h.finalize().into()),
        git_sha1,
        git_sha256: hashers.git_sha256.map(|h| h.finalize().into()),
        stat,
        trusted: false,
    })
}

/// Lowercase hex of a digest.
/// Uppercase hex, as OpenPGP fingerprints are written.
pub fn hex_upper(bytes: &[u8]) -> String {
    hex(bytes).to_uppercase()
}

/// The bytes of a hex string (either case); `None` for anything else.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_digest_lists() {
        let all = parse_formats("all").unwrap();
        assert_eq!(all.len(), 4);
        let two = parse_formats("nar, git-sha1").unwrap();
        assert_eq!(
            two.into_iter().collect::<Vec<_>>(),
            vec![Format::GitSha1, Format::Nar]
        );
        assert!(
            parse_formats("sha3")
                .unwrap_err()
                .contains("unknown digest format")
        );
        assert!(parse_formats(",").is_err());
    }

    #[test]
    fn walking_while_hashing_equals_hashing_a_walked_tree() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..700 {
            let sub = dir.path().join(format!("d{}", i % 7));
            std::fs::create_dir_all(&sub).unwrap();
            std::fs::write(sub.join(format!("f{i}")), i.to_string()).unwrap();
        }
        std::os::unix::fs::symlink("d0/f0", dir.path().join("link")).unwrap();
        let options = HashOptions {
            formats: Format::ALL.into_iter().collect(),
            dirhash_prefix: String::new(),
            per_file_sha256: true,
            threads: Some(3),
        };
        let walk_options = WalkOptions::default();
        let tree = walk::walk(dir.path(), &walk_options).unwrap();
        let one = hash_tree(&tree, &options).unwrap();
        let (tree2, two) = walk_and_hash(dir.path(), &walk_options, &options).unwrap();
        assert_eq!(tree.entries.len(), tree2.entries.len());
        assert_eq!(one.dirhash, two.dirhash);
        assert_eq!(one.git_sha1, two.git_sha1);
        assert_eq!(one.git_sha256, two.git_sha256);
        assert_eq!(one.nar, two.nar);
        let paths = |d: &TreeDigest| d.records.iter().map(|r| r.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&one), paths(&two));
        assert_eq!(two.records.len(), 701);

        // Fed by a producer of its own, in any order, the same entries give the same digest.
        let git = HashOptions {
            formats: [Format::GitSha1, Format::GitSha256].into(),
            dirhash_prefix: String::new(),
            per_file_sha256: false,
            threads: Some(3),
        };
        let (fed, three) = hash_while(dir.path(), &git, None, |feed| {
            tree.entries.iter().rev().for_each(&mut *feed);
            tree.entries.len()
        })
        .unwrap();
        assert_eq!(fed, tree.entries.len());
        assert_eq!(one.git_sha1, three.git_sha1);
        assert_eq!(one.git_sha256, three.git_sha256);
        assert_eq!(paths(&one), paths(&three));
        // A NAR hash needs the whole tree first.
        let err = hash_while(dir.path(), &options, None, |_| ()).unwrap_err();
        assert!(matches!(err, HashError::NarNeedsTree), "{err}");
    }

    #[test]
    fn a_stat_cache_gives_ids_of_unchanged_files_and_is_refused_for_other_digests() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a", "b", "c"] {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        std::os::unix::fs::symlink("a", dir.path().join("l")).unwrap();
        let entries: Vec<Entry> = ["a", "b", "c", "l"]
            .iter()
            .map(|n| Entry {
                path: RelPath::new(n.as_bytes().to_vec()),
                kind: if *n == "l" {
                    EntryKind::Symlink
                } else {
                    EntryKind::File
                },
            })
            .collect();
        let options = HashOptions {
            formats: [Format::GitSha1].into(),
            dirhash_prefix: String::new(),
            per_file_sha256: false,
            threads: Some(2),
        };
        let run = |cache: &StatCache| {
            hash_while(dir.path(), &options, Some(cache), |feed| {
                entries.iter().for_each(&mut *feed)
            })
            .unwrap()
            .1
        };
        let mut cache = StatCache::new(Format::GitSha1, dir.path().to_owned()).unwrap();
        let cold = run(&cache);
        assert!(cold.records.iter().all(|r| !r.trusted));
        // Written just now: too recent to be recorded.
        assert!(cold.records.iter().all(|r| r.stat.is_none()));
        // An id recorded with b's current stat data is used without reading b: a made-up id
        // shows it. a's entry has other stat data, so a is read.
        let root = Dir::open(dir.path()).unwrap();
        let b = root.stat_at(b"b").unwrap();
        let mut a = root.stat_at(b"a").unwrap();
        a.ctime_nsec = a.ctime_nsec.wrapping_add(1);
        assert!(cache.insert(b"b", b, &[7; 20]));
        assert!(cache.insert(b"a", a, &[7; 20]));
        let warm = run(&cache);
        let trusted: Vec<_> = warm.records.iter().filter(|r| r.trusted).collect();
        assert_eq!(trusted.len(), 1);
        assert_eq!(trusted[0].path.as_bytes(), b"b");
        assert_eq!(trusted[0].git_sha1, Some([7; 20]));
        assert_eq!(trusted[0].stat, Some(b));
        assert_eq!(warm.records[0].git_sha1, cold.records[0].git_sha1);
        assert_ne!(warm.git_sha1, cold.git_sha1);
        // What cannot come from the cache is refused, not read behind its back.
        for (formats, per_file_sha256) in [
            (vec![Format::GitSha1], true),
            (vec![Format::GitSha1, Format::GitSha256], false),
            (vec![Format::GitSha256], false),
            (vec![Format::Dirhash], false),
        ] {
            let other = HashOptions {
                formats: formats.into_iter().collect(),
                per_file_sha256,
                ..options.clone()
            };
            let err = hash_while(dir.path(), &other, Some(&cache), |_| ()).unwrap_err();
            assert!(matches!(err, HashError::StatCacheFormats(_)), "{err}");
        }
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}

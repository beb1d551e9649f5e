//! The first pass over an archive: every entry's normalised path, kind, size and digests (the
//! git blob id, so identical files are found without reading git's blobs, and SHA-256 for the
//! report), plus the bytes of the few packaging metadata files that decide the layout.
//!
//! Path escapes, special entries and duplicates are recorded here as problems with their check
//! codes; reading goes on, so one hostile entry does not hide the rest of the archive.
//!
//! Decompressing and hashing each take about half the time, so they overlap: entries up to
//! [`PIPELINED_ENTRY`] bytes are handed to a hashing thread while the next one is unpacked;
//! larger ones are hashed as they stream, in bounded memory.

pub(crate) use crate::hash::hex;
use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, mpsc};

use crate::git::{BlobId, ObjectFormat};
use sha2::{Digest, Sha256};

use crate::archive::path::{self as entry_path, LinkEscape, PathProblem};
use crate::archive::{self, Entry as RawEntry, Kind as RawKind, ReadOutcome};
use crate::hash::sha1dc::Sha1Dc;
use crate::kind::HEAD_LEN;
use crate::limits::{MAX_METADATA_FILE, MAX_METADATA_TOTAL, MAX_VERSION_FILE};

/// File names whose bytes the layout and the packaging rules need.
const METADATA_NAMES: &[&str] = &[
    ".cargo_vcs_info.json",
    "package.json",
    "setup.cfg",
    "setup.py",
    "pyproject.toml",
    "Cargo.toml",
    "Cargo.toml.orig",
    "PKG-INFO",
    "Cargo.lock",
    "go.mod",
];

/// Largest entry read whole and hashed on the hashing thread.
const PIPELINED_ENTRY: u64 = 4 << 20;
// Metadata files are kept whole, so they must be small enough to go through the pipeline.
const _: () = assert!(MAX_METADATA_FILE as u64 <= PIPELINED_ENTRY);

/// Batches waiting for the hashing thread; with [`BATCH_BYTES`] and [`PIPELINED_ENTRY`], bounds
/// the memory used.
const PIPELINE_DEPTH: usize = 4;
/// Bytes of small entries sent to the hashing thread at once: one message per entry would spend
/// more time waking threads than hashing.
const BATCH_BYTES: usize = 1 << 20;

/// Entries for the hashing thread: position, bytes, and whether to keep them.
type Batch = Vec<(usize, Vec<u8>, bool)>;

/// What an entry is, once read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EntryKind {
    File,
    Directory,
    Symlink(Vec<u8>),
    Special(&'static str),
}

/// What is wrong with an entry, in the words of the check it fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ProblemKind {
    #[serde(rename = "archive-absolute-path")]
    AbsolutePath,
    #[serde(rename = "archive-path-traversal")]
    PathTraversal,
    #[serde(rename = "archive-limit")]
    Limit,
    #[serde(rename = "archive-path-invalid")]
    PathInvalid,
    #[serde(rename = "archive-link-escape")]
    LinkEscape,
    #[serde(rename = "archive-special-entry")]
    SpecialEntry,
    #[serde(rename = "archive-duplicate-entry")]
    DuplicateEntry,
    /// Content that is a SHA-1 collision attack: never explained.
    #[serde(rename = "contents-unexplained")]
    Sha1Collision,
}

/// What is wrong with an entry, and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub kind: ProblemKind,
    pub message: String,
}

/// One archive entry after the first pass.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The normalised path from the archive root; `None` when the path was refused.
    pub path: Option<String>,
    /// The path as stored, for reports.
    pub shown: String,
    pub kind: EntryKind,
    /// Whether the owner-executable bit is set; `None` when the archive records no mode.
    pub executable: Option<bool>,
    /// Position of the entry whose bytes this one has: itself, or a hard link's target.
    pub content_from: usize,
    pub size: u64,
    /// Git blob id of the content (for a symlink, of its target, as git stores it).
    pub blob: BlobId,
    pub sha256: [u8; 32],
    /// First bytes, for recognising build outputs.
    pub head: Vec<u8>,
    /// The bytes of packaging metadata files (shared with hard links to the same entry).
    pub kept: Option<Arc<[u8]>>,
    pub problem: Option<Problem>,
}

/// Everything the first pass learned.
pub(crate) struct Scan {
    pub entries: Vec<Entry>,
    pub outcome: ReadOutcome,
}

/// Read every entry of the archive at `path`, with blob ids in the object format `format` (the
/// source repository's).
pub(crate) fn scan(path: &Path, format: ObjectFormat) -> io::Result<Scan> {
    std::thread::scope(|scope| {
        let (to_hasher, batches) = mpsc::sync_channel::<Batch>(PIPELINE_DEPTH);
        let hasher = scope.spawn(move || {
            batches
                .into_iter()
                .flatten()
                .map(|(index, data, keep)| (index, Digests::of(data, keep, format)))
                .collect::<Vec<_>>()
        });
        let read = read_entries(path, &to_hasher, format);
        drop(to_hasher);
        let digests = match hasher.join() {
            Ok(d) => d,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let mut scan = read?;
        for (index, d) in digests {
            d.apply(&mut scan.entries[index]);
        }
        // Hard links have their target's bytes, known only now that every digest is in.
        for index in 0..scan.entries.len() {
            let from = scan.entries[index].content_from;
            if from != index {
                let (source, entry) = (scan.entries[from].clone(), &mut scan.entries[index]);
                entry.size = source.size;
                entry.blob = source.blob;
                entry.sha256 = source.sha256;
                entry.head = source.head;
                entry.kept = source.kept;
            }
        }
        Ok(scan)
    })
}

/// The first pass proper: every entry's header, with small files sent to the hashing thread.
fn read_entries(
    path: &Path,
    to_hasher: &mpsc::SyncSender<Batch>,
    format: ObjectFormat,
) -> io::Result<Scan> {
    let mut batch: Batch = Vec::new();
    let mut batch_bytes = 0usize;
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_path: HashMap<String, usize> = HashMap::new();
    // Bytes of metadata files kept so far, against MAX_METADATA_TOTAL.
    let mut kept_bytes = 0usize;
    let mut symlinks: HashMap<String, Vec<u8>> = HashMap::new();
    // One read buffer for every entry: most entries are small, and zeroing a fresh buffer for
    // each costs more than reading it.
    let mut buf = vec![0u8; 1 << 16];
    let options = archive::Options::default();
    let outcome = archive::read(
        path,
        options,
        &mut |raw: RawEntry, content: &mut dyn Read| {
            let index = entries.len();
            let shown = raw.shown();
            let mut problem = None;
            let normalised = match entry_path::normalise(&raw.path, raw.backslash_separates) {
                Ok(p) => Some(p),
                Err(why) => {
                    problem = Some(path_problem(why, &shown));
                    None
                }
            };
            let mut entry = Entry {
                path: normalised.clone(),
                shown: shown.clone(),
                kind: EntryKind::File,
                executable: raw.executable(),
                content_from: index,
                size: 0,
                blob: BlobId::ZERO,
                sha256: [0; 32],
                head: Vec::new(),
                kept: None,
                problem: None,
            };
            match raw.kind {
                RawKind::File => {
                    let keep = normalised
                        .as_deref()
                        .is_some_and(|p| is_metadata(p, raw.size))
                        && kept_bytes + raw.size as usize <= MAX_METADATA_TOTAL;
                    if keep {
                        kept_bytes += raw.size as usize;
                    }
                    if raw.size <= PIPELINED_ENTRY {
                        let mut data = Vec::with_capacity(raw.size as usize);
                        content.take(raw.size + 1).read_to_end(&mut data)?;
                        check_size(&shown, raw.size, data.len() as u64)?;
                        batch_bytes += data.len();
                        batch.push((index, data, keep));
                        if batch_bytes >= BATCH_BYTES {
                            batch_bytes = 0;
                            // The hashing thread ends only when the sender is dropped, after the read.
                            let _ = to_hasher.send(std::mem::take(&mut batch));
                        }
                    } else {
                        Digests::of_stream(content, &shown, raw.size, &mut buf, format)?
                            .apply(&mut entry);
                    }
                }
                RawKind::Directory => entry.kind = EntryKind::Directory,
                RawKind::Symlink(target) => {
                    // Whether it escapes is judged once every link is known (below).
                    if let Some(p) = &normalised {
                        symlinks.insert(p.clone(), target.clone());
                    }
                    Digests::of(target.clone(), false, format).apply(&mut entry);
                    entry.kind = EntryKind::Symlink(target);
                }
                RawKind::Hardlink(target) => {
                    let shown_target = String::from_utf8_lossy(&target).into_owned();
                    match entry_path::normalise(&target, false) {
                        Err(_) => {
                            problem.get_or_insert(Problem {
                                kind: ProblemKind::LinkEscape,
                                message: format!(
                                    "{shown}: hard link to `{shown_target}` leaves the archive"
                                ),
                            });
                        }
                        Ok(t) => match by_path.get(&t).map(|&i| &entries[i]) {
                            Some(from) if from.kind == EntryKind::File => {
                                entry.content_from = from.content_from; // digests copied after
                            }
                            _ => {
                                problem.get_or_insert(Problem {
                                    kind: ProblemKind::SpecialEntry,
                                    message: format!(
                                        "{shown}: hard link to `{shown_target}`, which is no \
                                     earlier file of the archive"
                                    ),
                                });
                            }
                        },
                    }
                }
                RawKind::Special(what) => {
                    entry.kind = EntryKind::Special(what);
                    problem.get_or_insert(Problem {
                        kind: ProblemKind::SpecialEntry,
                        message: format!("{shown}: {what}, which a source release never needs"),
                    });
                }
            }
            if let Some(p) = &normalised {
                // An entry written through a symlink the archive made lands wherever the link
                // points; extractors that follow it write outside the root.
                if let Some(link) = entry_path::ancestors(p).find(|a| symlinks.contains_key(*a)) {
                    problem.get_or_insert(Problem {
                        kind: ProblemKind::LinkEscape,
                        message: format!("{shown}: written through the archive's symlink `{link}`"),
                    });
                }
                if entry.kind != EntryKind::Directory
                    && let Some(&first) = by_path.get(p)
                {
                    problem.get_or_insert(Problem {
                        kind: ProblemKind::DuplicateEntry,
                        message: format!(
                            "{shown}: stored twice (entries {} and {}); extraction keeps only \
                         the last",
                            first + 1,
                            index + 1
                        ),
                    });
                }
                by_path.insert(p.clone(), index);
            }
            entry.problem = problem.or(entry.problem.take());
            entries.push(entry);
            Ok(())
        },
    )?;
    if !batch.is_empty() {
        let _ = to_hasher.send(batch);
    }
    // A symlink is judged as extraction leaves it: through every other link of the archive.
    for entry in &mut entries {
        if let (EntryKind::Symlink(target), Some(p)) = (&entry.kind, &entry.path)
            && entry.problem.is_none()
            && let Err(escape) = entry_path::resolve_symlink(p, target, &symlinks)
        {
            let why = match escape {
                LinkEscape::Outside => "leaves the archive",
                LinkEscape::TooManyHops => "resolves through too many links (a loop)",
            };
            entry.problem = Some(Problem {
                kind: ProblemKind::LinkEscape,
                message: format!(
                    "{}: symlink to `{}` {why}",
                    entry.shown,
                    String::from_utf8_lossy(target)
                ),
            });
        }
    }
    Ok(Scan { entries, outcome })
}

/// Whether the packaging rules may need the bytes of the file at `path`, of `size` bytes:
/// manifests and lock files, everything in a Python `*.dist-info/` or `*.egg-info/` directory,
/// and the Python files a build may write or rewrite to carry the version.
fn is_metadata(path: &str, size: u64) -> bool {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or(path);
    let parent = parts.next().unwrap_or("");
    let grandparent = parts.next().unwrap_or("");
    if size > MAX_METADATA_FILE as u64 {
        return false;
    }
    let in_info = |dir: &str| dir.ends_with(".dist-info") || dir.ends_with(".egg-info");
    let version_file = name.ends_with(".py")
        && (name.contains("version") || name == "__init__.py" || name == "__about__.py")
        && size <= MAX_VERSION_FILE as u64;
    METADATA_NAMES.contains(&name) || in_info(parent) || in_info(grandparent) || version_file
}

fn path_problem(why: PathProblem, shown: &str) -> Problem {
    let (kind, what) = match why {
        PathProblem::Absolute => (ProblemKind::AbsolutePath, "absolute path"),
        PathProblem::Traversal => (ProblemKind::PathTraversal, "path climbs out with `..`"),
        PathProblem::OverLimit => (ProblemKind::Limit, "path longer or deeper than the limit"),
        PathProblem::Invalid => (ProblemKind::PathInvalid, "path is not UTF-8 or holds NUL"),
    };
    Problem {
        kind,
        message: format!("{shown}: {what}"),
    }
}

/// An entry's digests: git's blob id (in the repository's object format; SHA-1 with collision
/// detection, as git computes it), its SHA-256, its first bytes and, for metadata files, all of
/// them.
struct Digests {
    size: u64,
    blob: BlobId,
    collision: bool,
    sha256: [u8; 32],
    head: Vec<u8>,
    kept: Option<Arc<[u8]>>,
}

/// Git's blob id being computed, in one object format.
enum BlobHasher {
    Sha1(Box<Sha1Dc>),
    Sha256(Sha256),
}

impl BlobHasher {
    /// A blob id of `size` bytes: git hashes the header `blob SIZE\0` first.
    fn new(format: ObjectFormat, size: u64) -> BlobHasher {
        let header = format!("blob {size}\0");
        let mut h = match format {
            ObjectFormat::Sha1 => BlobHasher::Sha1(Box::default()),
            ObjectFormat::Sha256 => BlobHasher::Sha256(Sha256::new()),
        };
        h.update(header.as_bytes());
        h
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            BlobHasher::Sha1(h) => h.update(data),
            BlobHasher::Sha256(h) => h.update(data),
        }
    }

    /// The blob id, and whether the content is a SHA-1 collision attack.
    fn finish(self) -> (BlobId, bool) {
        match self {
            BlobHasher::Sha1(h) => {
                let d = h.finalize();
                let oid = BlobId::from_digest(&d.hash);
                (oid, d.collision)
            }
            BlobHasher::Sha256(h) => {
                let oid = BlobId::from_digest(h.finalize().as_slice());
                (oid, false)
            }
        }
    }
}

impl Digests {
    fn of(data: Vec<u8>, keep: bool, format: ObjectFormat) -> Digests {
        let mut blob = BlobHasher::new(format, data.len() as u64);
        blob.update(&data);
        let (blob, collision) = blob.finish();
        Digests {
            size: data.len() as u64,
            blob,
            collision,
            sha256: Sha256::digest(&data).into(),
            head: data[..data.len().min(HEAD_LEN)].to_vec(),
            kept: (keep && data.len() <= MAX_METADATA_FILE).then(|| Arc::from(data)),
        }
    }

    /// Digests of content too large to hold, hashed in `buf`-sized chunks. Git's blob id hashes
    /// the length first, so the declared size starts the hash and any other length is
    /// malformed.
    fn of_stream(
        content: &mut dyn Read,
        shown: &str,
        size: u64,
        buf: &mut [u8],
        format: ObjectFormat,
    ) -> io::Result<Digests> {
        let mut blob = BlobHasher::new(format, size);
        let mut sha256 = Sha256::new();
        let mut head = Vec::new();
        let mut total = 0u64;
        loop {
            let n = match content.read(buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let chunk = &buf[..n];
            blob.update(chunk);
            sha256.update(chunk);
            if head.len() < HEAD_LEN {
                head.extend_from_slice(&chunk[..(HEAD_LEN - head.len()).min(n)]);
            }
            total += n as u64;
        }
        check_size(shown, size, total)?;
        let (blob, collision) = blob.finish();
        Ok(Digests {
            size,
            blob,
            collision,
            sha256: sha256.finalize().into(),
            head,
            kept: None, // metadata files are never this large (asserted below)
        })
    }

    fn apply(self, entry: &mut Entry) {
        if self.collision && entry.problem.is_none() {
            entry.problem = Some(Problem {
                kind: ProblemKind::Sha1Collision,
                message: format!("{}: content is a SHA-1 collision attack", entry.shown),
            });
        }
        entry.size = self.size;
        entry.blob = self.blob;
        entry.sha256 = self.sha256;
        entry.head = self.head;
        entry.kept = self.kept;
    }
}

fn check_size(shown: &str, declared: u64, read: u64) -> io::Result<()> {
    if declared == read {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{shown}: declares {declared} bytes, holds {read}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A small archive of each container, to corrupt.
    fn samples() -> Vec<(&'static str, Vec<u8>)> {
        let mut b = tar::Builder::new(Vec::new());
        for (i, name) in ["p/a.txt", "p/dir/b.rs", "p/c.bin"].iter().enumerate() {
            let data = vec![b'a' + i as u8; 700 * (i + 1)];
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, &data[..]).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, data) in [("p/a.txt", &b"hello\n"[..]), ("p/b.rs", &[7u8; 3000][..])] {
            zip.start_file(name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        let zip = zip.finish().unwrap().into_inner();
        vec![("tar", tar), ("tar.gz", gz.finish().unwrap()), ("zip", zip)]
    }

    /// Corrupted archives end in a stop or an error, never a panic or a hang: a cheap stand-in
    /// for fuzzing, deterministic so a failure reproduces.
    #[test]
    fn corrupt_archives_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corrupt");
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for (name, original) in samples() {
            for round in 0..150 {
                let mut bytes = original.clone();
                for _ in 0..1 + round % 8 {
                    let at = (next() % bytes.len() as u64) as usize;
                    bytes[at] = next() as u8;
                }
                if round % 10 == 9 {
                    bytes.truncate((next() % bytes.len() as u64) as usize);
                }
                std::fs::write(&path, &bytes).unwrap();
                let result = std::panic::catch_unwind(|| scan(&path, ObjectFormat::Sha1));
                assert!(result.is_ok(), "{name}, round {round}: panicked");
            }
        }
    }

    #[test]
    fn large_entries_stream_and_hard_links_share_their_targets_digests() {
        let big: Vec<u8> = (0..(PIPELINED_ENTRY as u32 + 4096))
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(big.len() as u64);
        h.set_cksum();
        b.append_data(&mut h, "p/big.bin", &big[..]).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_cksum();
        b.append_data(&mut h, "p/small.txt", &b"hi\n"[..]).unwrap();
        for (link, target) in [("p/big-link", "p/big.bin"), ("p/small-link", "p/small.txt")] {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Link);
            h.set_size(0);
            b.append_link(&mut h, link, target).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.tar");
        std::fs::write(&path, b.into_inner().unwrap()).unwrap();
        let scan = scan(&path, ObjectFormat::Sha1).unwrap();
        assert_eq!(scan.outcome.stop, None);
        let e = &scan.entries;
        assert_eq!(
            e[0].blob.hex(),
            git2::Oid::hash_object(git2::ObjectType::Blob, &big)
                .unwrap()
                .to_string()
        );
        assert_eq!(e[0].sha256, <[u8; 32]>::from(Sha256::digest(&big)));
        assert_eq!(
            (e[2].content_from, e[2].blob, e[2].size),
            (0, e[0].blob, e[0].size)
        );
        assert_eq!((e[3].content_from, e[3].blob, e[3].size), (1, e[1].blob, 3));
        assert!(e.iter().all(|x| x.problem.is_none()));

        // For a SHA-256 repository, streamed and pipelined entries get SHA-256 blob ids.
        let sha256 = super::scan(&path, ObjectFormat::Sha256).unwrap();
        let e = &sha256.entries;
        let blob = |data: &[u8]| {
            git2::Oid::hash_object_ext(git2::ObjectType::Blob, data, git2::ObjectFormat::Sha256)
                .unwrap()
                .to_string()
        };
        assert_eq!(e[0].blob.hex(), blob(&big));
        assert_eq!(e[1].blob.hex(), blob(b"hi\n"));
        assert_eq!(e[3].blob, e[1].blob);
        assert_eq!(e[0].sha256, <[u8; 32]>::from(Sha256::digest(&big)));
    }

    #[test]
    fn records_digests_problems_and_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let (_, tar) = samples().remove(0);
        let path = dir.path().join("x.tar");
        std::fs::write(&path, tar).unwrap();
        let scan = scan(&path, ObjectFormat::Sha1).unwrap();
        assert_eq!(scan.entries.len(), 3);
        let a = &scan.entries[0];
        assert_eq!(a.path.as_deref(), Some("p/a.txt"));
        assert_eq!(a.size, 700);
        // libgit2's own blob hashing, independent of ours.
        let blob = git2::Oid::hash_object(git2::ObjectType::Blob, &[b'a'; 700]).unwrap();
        assert_eq!(a.blob.hex(), blob.to_string());
        assert_eq!(a.head, b"aaaaaaaa");
        assert!(a.problem.is_none());
    }
}

//! A stat cache: the git blob id custody computed for each file it read, with the `lstat` data
//! the file had when it was read, so that a later run may use the id without opening the file
//! while that data is unchanged.
//!
//! This is what git's index does, and it is trusted the same way: whoever can write the cache
//! can make custody believe any content for any unchanged-looking file. It belongs where only
//! the user writes (never inside the tree it describes), and only a tool that says so may use it
//! (`custody source --stat-cache`, for pre-merge hooks; a verifier re-reads).
//!
//! An edit shows in the stat data even when it keeps the size and the modification time
//! (`touch -r`): the change time (ctime) moves on every write and every metadata change, and an
//! unprivileged user cannot set it back. A replaced file has a new inode. Kernel timestamps are
//! coarse, though, so an edit in the same clock tick as custody's read could leave both times
//! unchanged: a file is only recorded when its mtime and ctime are at least [`RACY_SECONDS`]
//! older than the moment custody started reading it ([`recordable`]); newer files are read again
//! on the next run.
//!
//! # File format, version 1
//!
//! All integers little-endian.
//!
//! ```text
//! magic          8 bytes   "CUSTSTAT"
//! version        u32       1
//! object format  u8        1 = SHA-1 (git-sha1), 2 = SHA-256 (git-sha256)
//! workdir        u32 length (1..=MAX_STAT_CACHE_PATH), then the bytes of the absolute,
//!                          symlink-free path of the working tree the entries are relative to
//! count          u64       number of entries (at most MAX_TREE_ENTRIES)
//! count entries, sorted by path bytes, no path twice:
//!   path         u32 length (1..=MAX_STAT_CACHE_PATH), then the bytes of the path relative to
//!                          the working tree, `/`-separated
//!   dev          u64       st_dev
//!   ino          u64       st_ino
//!   size         u64       st_size
//!   mtime        i64 seconds, u32 nanoseconds
//!   ctime        i64 seconds, u32 nanoseconds
//!   mode         u32       st_mode: file type and permission bits (regular files only)
//!   id           20 bytes (SHA-1) or 32 bytes (SHA-256): the git blob id of the content
//! checksum       32 bytes  SHA-256 of every byte before it
//! ```
//!
//! A file that is larger than [`MAX_STAT_CACHE_FILE`], truncated, corrupt (checksum), of
//! another version, or that breaks any bound above is ignored as a whole, never partly used.
//! The file is written to a temporary file in the same directory and renamed over the old one,
//! so a reader sees the old cache or the new one, never a mix.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::{Format, StatData, write_atomically};
use crate::limits::{MAX_STAT_CACHE_FILE, MAX_STAT_CACHE_PATH, MAX_TREE_ENTRIES};

const MAGIC: &[u8; 8] = b"CUSTSTAT";
const VERSION: u32 = 1;
const CHECKSUM: usize = 32;
/// Bytes of one entry besides its path and id.
const ENTRY_FIXED: usize = 4 + 8 * 3 + (8 + 4) * 2 + 4;

/// How much older than the read a file's mtime and ctime must be for the file to be recorded.
pub const RACY_SECONDS: i64 = 2;

/// The blob id and stat data of one file, as last read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cached {
    stat: StatData,
    id: [u8; 32],
}

/// Blob ids by path for one working tree and one object format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatCache {
    format: Format,
    workdir: PathBuf,
    entries: HashMap<Vec<u8>, Cached>,
}

/// What loading a stat cache file found.
#[derive(Debug)]
pub enum Loaded {
    /// A cache for this working tree and object format.
    Cache(StatCache),
    /// No file: a cold cache.
    Missing,
    /// A file that cannot be used, and why; a cold cache is used instead.
    Ignored(String),
}

fn id_len(format: Format) -> Option<usize> {
    match format {
        Format::GitSha1 => Some(20),
        Format::GitSha256 => Some(32),
        _ => None,
    }
}

fn format_byte(format: Format) -> u8 {
    match format {
        Format::GitSha256 => 2,
        _ => 1,
    }
}

fn format_words(format: Format) -> &'static str {
    match format {
        Format::GitSha256 => "SHA-256",
        _ => "SHA-1",
    }
}

/// Whether a file read at `read_at` with stat data `stat` may be recorded: its modification and
/// change times are both at least [`RACY_SECONDS`] before `read_at`. A file changed within the
/// same clock tick as the read could otherwise keep both times while its content differs from
/// what was read.
pub fn recordable(stat: &StatData, read_at: SystemTime) -> bool {
    let Ok(now) = read_at.duration_since(UNIX_EPOCH) else {
        return false;
    };
    let limit = i128::from(now.as_secs()) * 1_000_000_000 + i128::from(now.subsec_nanos())
        - i128::from(RACY_SECONDS) * 1_000_000_000;
    let ns = |sec: i64, nsec: u32| i128::from(sec) * 1_000_000_000 + i128::from(nsec);
    ns(stat.mtime_sec, stat.mtime_nsec) <= limit && ns(stat.ctime_sec, stat.ctime_nsec) <= limit
}

impl StatCache {
    /// An empty cache for `workdir` (absolute, symlink-free) in `format`; `None` for a format
    /// without per-file blob ids.
    pub fn new(format: Format, workdir: PathBuf) -> Option<StatCache> {
        id_len(format)?;
        Some(StatCache {
            format,
            workdir,
            entries: HashMap::new(),
        })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn id_len(&self) -> usize {
        id_len(self.format).unwrap_or(32)
    }

    /// The blob id recorded for `path` when `stat` (the file's `lstat` now) equals the stat data
    /// it had when it was read, every field; only regular files are ever trusted.
    pub fn lookup(&self, path: &[u8], stat: &StatData) -> Option<&[u8]> {
        let cached = self.entries.get(path)?;
        (stat.is_regular() && cached.stat == *stat).then(|| &cached.id[..self.id_len()])
    }

    /// Whether `other` holds exactly these entries, for the same working tree and format: then
    /// the file `other` came from need not be written again.
    pub fn same_as(&self, other: &StatCache) -> bool {
        self.format == other.format
            && self.workdir == other.workdir
            && self.entries == other.entries
    }

    /// Record `path`, a regular file with `stat` whose blob id is `id`. Returns false (and records
    /// nothing) for anything else: not a regular file, an id of another length, a path out of
    /// bounds, or a full cache.
    pub fn insert(&mut self, path: &[u8], stat: StatData, id: &[u8]) -> bool {
        if !stat.is_regular()
            || id.len() != self.id_len()
            || path.is_empty()
            || path.len() > MAX_STAT_CACHE_PATH
            || (self.entries.len() >= MAX_TREE_ENTRIES && !self.entries.contains_key(path))
        {
            return false;
        }
        let mut full = [0u8; 32];
        full[..id.len()].copy_from_slice(id);
        self.entries
            .insert(path.to_vec(), Cached { stat, id: full });
        true
    }

    /// The cache in the file format above.
    pub fn encode(&self) -> Vec<u8> {
        let workdir = self.workdir.as_os_str().as_bytes();
        let n = self.id_len();
        let mut paths: Vec<&Vec<u8>> = self.entries.keys().collect();
        paths.sort();
        let mut out = Vec::with_capacity(
            64 + workdir.len()
                + self
                    .entries
                    .keys()
                    .map(|p| p.len() + ENTRY_FIXED + n)
                    .sum::<usize>(),
        );
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.push(format_byte(self.format));
        out.extend_from_slice(&(workdir.len() as u32).to_le_bytes());
        out.extend_from_slice(workdir);
        out.extend_from_slice(&(paths.len() as u64).to_le_bytes());
        for path in paths {
            let c = &self.entries[path];
            let s = &c.stat;
            out.extend_from_slice(&(path.len() as u32).to_le_bytes());
            out.extend_from_slice(path);
            for v in [s.dev, s.ino, s.size] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            out.extend_from_slice(&s.mtime_sec.to_le_bytes());
            out.extend_from_slice(&s.mtime_nsec.to_le_bytes());
            out.extend_from_slice(&s.ctime_sec.to_le_bytes());
            out.extend_from_slice(&s.ctime_nsec.to_le_bytes());
            out.extend_from_slice(&s.mode.to_le_bytes());
            out.extend_from_slice(&c.id[..n]);
        }
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        out
    }

    /// Parse a cache file's bytes, refusing anything out of bounds or inconsistent.
    pub fn decode(bytes: &[u8]) -> Result<StatCache, String> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err("not a custody stat cache".into());
        }
        if bytes.len() as u64 > MAX_STAT_CACHE_FILE {
            return Err(format!("larger than {MAX_STAT_CACHE_FILE} bytes"));
        }
        if bytes.len() < MAGIC.len() + 4 + 1 + 4 + 8 + CHECKSUM {
            return Err("truncated".into());
        }
        let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM);
        let mut r = Cursor(&body[MAGIC.len()..]);
        let version = r.u32()?;
        if version != VERSION {
            return Err(format!(
                "format version {version}; this custody reads version {VERSION}"
            ));
        }
        if Sha256::digest(body).as_slice() != sum {
            return Err("truncated or corrupt (checksum mismatch)".into());
        }
        let format = match r.u8()? {
            1 => Format::GitSha1,
            2 => Format::GitSha256,
            other => return Err(format!("unknown object format {other}")),
        };
        let n = id_len(format).unwrap_or(32);
        let workdir_len = r.u32()? as usize;
        if workdir_len == 0 || workdir_len > MAX_STAT_CACHE_PATH {
            return Err("working tree path out of bounds".into());
        }
        let workdir = PathBuf::from(std::ffi::OsStr::from_bytes(r.take(workdir_len)?));
        let count = r.u64()?;
        // Every entry takes at least this many bytes: a count the file cannot hold is refused
        // before anything is allocated for it.
        let smallest = (ENTRY_FIXED + 1 + n) as u64;
        if count > MAX_TREE_ENTRIES as u64 || count > r.0.len() as u64 / smallest {
            return Err(format!("entry count {count} out of bounds"));
        }
        let mut entries = HashMap::with_capacity(count as usize);
        let mut previous: Option<&[u8]> = None;
        for _ in 0..count {
            let len = r.u32()? as usize;
            if len == 0 || len > MAX_STAT_CACHE_PATH {
                return Err("entry path length out of bounds".into());
            }
            let path = r.take(len)?;
            if previous.is_some_and(|p| p >= path) {
                return Err("entries not sorted by path".into());
            }
            previous = Some(path);
            let stat = StatData {
                dev: r.u64()?,
                ino: r.u64()?,
                size: r.u64()?,
                mtime_sec: r.i64()?,
                mtime_nsec: r.u32()?,
                ctime_sec: r.i64()?,
                ctime_nsec: r.u32()?,
                mode: r.u32()?,
            };
            if !stat.is_regular() {
                return Err("an entry that is not a regular file".into());
            }
            let mut id = [0u8; 32];
            id[..n].copy_from_slice(r.take(n)?);
            entries.insert(path.to_vec(), Cached { stat, id });
        }
        if !r.0.is_empty() {
            return Err("bytes after the last entry".into());
        }
        Ok(StatCache {
            format,
            workdir,
            entries,
        })
    }

    /// Load the cache at `path` for `workdir` in `format`. Never fails: a missing file is a cold
    /// cache, and a file that cannot be used says why.
    pub fn load(path: &Path, format: Format, workdir: &Path) -> Loaded {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
            Err(e) => return Loaded::Ignored(format!("cannot be read: {e}")),
        };
        match file.metadata() {
            Ok(m) if !m.is_file() => return Loaded::Ignored("not a regular file".into()),
            Ok(m) if m.len() > MAX_STAT_CACHE_FILE => {
                return Loaded::Ignored(format!("larger than {MAX_STAT_CACHE_FILE} bytes"));
            }
            Ok(_) => {}
            Err(e) => return Loaded::Ignored(format!("cannot be read: {e}")),
        }
        let mut bytes = Vec::new();
        if let Err(e) = file.take(MAX_STAT_CACHE_FILE + 1).read_to_end(&mut bytes) {
            return Loaded::Ignored(format!("cannot be read: {e}"));
        }
        let cache = match StatCache::decode(&bytes) {
            Ok(c) => c,
            Err(why) => return Loaded::Ignored(why),
        };
        if cache.workdir != workdir {
            return Loaded::Ignored(format!(
                "made for another working tree ({})",
                cache.workdir.display()
            ));
        }
        if cache.format != format {
            return Loaded::Ignored(format!(
                "made for {} object ids; this repository uses {}",
                format_words(cache.format),
                format_words(format)
            ));
        }
        Loaded::Cache(cache)
    }

    /// Write the cache to `path` atomically: a new file in the same directory (mode 0600),
    /// renamed over `path`. Missing parent directories are created.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        write_atomically(path, 0o600, |w| w.write_all(&self.encode()))
    }
}

/// Reads the file format's fields, failing on truncation.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("truncated".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        Ok(self.take(N)?.try_into().expect("take returns N bytes"))
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        self.array().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Result<u64, String> {
        self.array().map(u64::from_le_bytes)
    }
    fn i64(&mut self) -> Result<i64, String> {
        self.array().map(i64::from_le_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn stat(n: u64) -> StatData {
        StatData {
            dev: 66306,
            ino: 1000 + n,
            size: 10 * n,
            mtime_sec: 1_700_000_000 + n as i64,
            mtime_nsec: 123_456_789,
            ctime_sec: 1_700_000_100 + n as i64,
            ctime_nsec: 987_654_321,
            mode: libc::S_IFREG | 0o644,
        }
    }

    fn sample(format: Format) -> StatCache {
        let mut c = StatCache::new(format, PathBuf::from("/home/u/src/project")).unwrap();
        let n = id_len(format).unwrap();
        for i in 0..50u64 {
            let id: Vec<u8> = (0..n).map(|b| (b as u64 * 7 + i) as u8).collect();
            assert!(c.insert(format!("dir{}/file{i}", i % 3).as_bytes(), stat(i), &id));
        }
        c
    }

    #[test]
    fn round_trips_in_both_object_formats() {
        for format in [Format::GitSha1, Format::GitSha256] {
            let c = sample(format);
            let bytes = c.encode();
            let back = StatCache::decode(&bytes).unwrap();
            assert_eq!(back, c);
            assert_eq!(back.format(), format);
            assert_eq!(back.len(), 50);
            let id = back.lookup(b"dir1/file7", &stat(7)).unwrap();
            assert_eq!(id.len(), id_len(format).unwrap());
            assert_eq!(id[1], 7 + 7);
            // Re-encoding is byte for byte the same: entries are written sorted.
            assert_eq!(back.encode(), bytes);
        }
        let empty = StatCache::new(Format::GitSha1, PathBuf::from("/w")).unwrap();
        assert_eq!(StatCache::decode(&empty.encode()).unwrap(), empty);
        assert!(StatCache::new(Format::Dirhash, PathBuf::from("/w")).is_none());
    }

    #[test]
    fn trusts_only_identical_stat_data_of_a_regular_file() {
        let c = sample(Format::GitSha1);
        let s = stat(4);
        assert!(c.lookup(b"dir1/file4", &s).is_some());
        assert!(c.lookup(b"dir1/file5", &s).is_none(), "another path");
        let changes: [fn(&mut StatData); 9] = [
            |s| s.dev += 1,
            |s| s.ino += 1,
            |s| s.size += 1,
            |s| s.mtime_sec += 1,
            |s| s.mtime_nsec += 1,
            |s| s.ctime_sec += 1,
            |s| s.ctime_nsec += 1,
            |s| s.mode |= 0o100,
            |s| s.mode = libc::S_IFLNK | 0o777,
        ];
        for change in changes {
            let mut t = s;
            change(&mut t);
            assert!(c.lookup(b"dir1/file4", &t).is_none(), "{t:?}");
        }
        let mut c = c;
        let mut link = s;
        link.mode = libc::S_IFLNK | 0o777;
        assert!(!c.insert(b"link", link, &[0; 20]), "only regular files");
        assert!(!c.insert(b"short", s, &[0; 19]), "an id of another length");
        assert!(!c.insert(b"", s, &[0; 20]));
        assert!(!c.insert(&vec![b'a'; MAX_STAT_CACHE_PATH + 1], s, &[0; 20]));
    }

    #[test]
    fn racy_files_are_not_recorded() {
        let mut s = stat(0);
        let t = |sec: i64, nsec: u32| UNIX_EPOCH + Duration::new(sec as u64, nsec);
        let (m, c) = ((s.mtime_sec, s.mtime_nsec), (s.ctime_sec, s.ctime_nsec));
        // ctime is the later of the two here: 2 s after it, exactly, the file may be recorded.
        assert!(recordable(&s, t(c.0 + 2, c.1)));
        assert!(recordable(&s, t(c.0 + 60, 0)));
        // A nanosecond less, or within the same second, it may not.
        assert!(!recordable(&s, t(c.0 + 2, c.1 - 1)));
        assert!(!recordable(&s, t(c.0 + 1, 999_999_999)));
        assert!(!recordable(&s, t(c.0, c.1)));
        // The modification time counts too.
        s.mtime_sec = c.0 + 1;
        assert!(!recordable(&s, t(c.0 + 2, c.1)));
        assert!(recordable(&s, t(c.0 + 3, c.1)));
        // A time in the future is never old enough; times before 1970 are.
        s.mtime_sec = m.0 + 1_000_000_000;
        assert!(!recordable(&s, t(c.0 + 2, c.1)));
        s.mtime_sec = -5;
        s.ctime_sec = -3;
        assert!(recordable(&s, t(0, 0)));
        assert!(!recordable(&stat(0), UNIX_EPOCH - Duration::from_secs(1)));
        let _ = m;
    }

    #[test]
    fn refuses_truncated_corrupt_foreign_and_oversized_files() {
        let c = sample(Format::GitSha1);
        let bytes = c.encode();
        for cut in [0, 5, 8, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(StatCache::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for at in [8, 12, 13, 40, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x40;
            assert!(StatCache::decode(&bad).is_err(), "byte {at} flipped");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(StatCache::decode(&extra).is_err());
        assert_eq!(
            StatCache::decode(b"GITINDEX and more bytes than the header").unwrap_err(),
            "not a custody stat cache"
        );
        let mut v2 = bytes.clone();
        v2[8] = 2;
        assert!(StatCache::decode(&v2).unwrap_err().contains("version 2"));

        // Well-formed (valid checksum) but out of bounds: a huge count, a huge path, unsorted.
        let reseal = |mut body: Vec<u8>| {
            body.truncate(body.len() - CHECKSUM);
            let sum = Sha256::digest(&body);
            body.extend_from_slice(&sum);
            body
        };
        let count_at = 8 + 4 + 1 + 4 + c.workdir.as_os_str().len();
        let mut huge = bytes.clone();
        huge[count_at..count_at + 8].copy_from_slice(&(u64::MAX).to_le_bytes());
        assert!(
            StatCache::decode(&reseal(huge))
                .unwrap_err()
                .contains("entry count")
        );
        let mut many = bytes.clone();
        many[count_at..count_at + 8]
            .copy_from_slice(&((MAX_TREE_ENTRIES as u64) + 1).to_le_bytes());
        assert!(StatCache::decode(&reseal(many)).is_err());
        let mut long = bytes.clone();
        long[count_at + 8..count_at + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            StatCache::decode(&reseal(long))
                .unwrap_err()
                .contains("path length")
        );
        // Two entries with the same path.
        let mut twice = StatCache::new(Format::GitSha1, PathBuf::from("/w")).unwrap();
        twice.insert(b"a", stat(1), &[1; 20]);
        twice.insert(b"b", stat(2), &[2; 20]);
        let mut dup = twice.encode();
        let second = 8 + 4 + 1 + 4 + 2 + 8 + (4 + 1 + ENTRY_FIXED - 4 + 20);
        assert_eq!(dup[second + 4], b'b');
        dup[second + 4] = b'a';
        assert!(
            StatCache::decode(&reseal(dup))
                .unwrap_err()
                .contains("sorted")
        );
    }

    #[test]
    fn loads_saves_and_ignores_other_trees_and_formats() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.stat");
        let c = sample(Format::GitSha1);
        assert!(matches!(
            StatCache::load(&path, Format::GitSha1, c.workdir()),
            Loaded::Missing
        ));
        c.save(&path).unwrap();
        c.save(&path).unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        match StatCache::load(&path, Format::GitSha1, c.workdir()) {
            Loaded::Cache(back) => assert_eq!(back, c),
            other => panic!("{other:?}"),
        }
        match StatCache::load(&path, Format::GitSha1, Path::new("/elsewhere")) {
            Loaded::Ignored(why) => assert!(why.contains("another working tree"), "{why}"),
            other => panic!("{other:?}"),
        }
        match StatCache::load(&path, Format::GitSha256, c.workdir()) {
            Loaded::Ignored(why) => assert!(why.contains("SHA-1 object ids"), "{why}"),
            other => panic!("{other:?}"),
        }
        match StatCache::load(dir.path(), Format::GitSha1, c.workdir()) {
            Loaded::Ignored(_) => {}
            other => panic!("{other:?}"),
        }
        assert!(c.save(&dir.path().join("c.stat/x")).is_err());
        // An oversized file is refused by its size, before any of it is read (sparse here).
        let big = dir.path().join("big.stat");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_STAT_CACHE_FILE + 1).unwrap();
        match StatCache::load(&big, Format::GitSha1, c.workdir()) {
            Loaded::Ignored(why) => assert!(why.contains("larger than"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}

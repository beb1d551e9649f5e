//! Reading release archives as a stream of entries, without extracting anything: the one
//! archive reader that `compare`, `rebuild` and `diff` share.
//!
//! The container is recognised by its structure and its name together (`detect`): gzip, xz,
//! bzip2 and zstd streams must hold a tar archive, zip is read through its central directory,
//! and a file that is validly two formats, or whose name says another format than its bytes,
//! is refused as ambiguous. Tar headers are parsed here (`tar`), not by a library, so that every
//! field that extractors could read two ways (a pax `path` beside a GNU long name, two `path`
//! records, a prefix field under a non-ustar magic, data after the end-of-archive marker) is
//! either read as GNU tar, bsdtar and Python's tarfile all read it, or refused as ambiguous
//! ([`Stop::Ambiguous`]). Zip local headers are checked against the central directory (`zip`).
//!
//! Every byte read from disk and every byte a decompressor yields is charged to one unpack
//! budget (`budget`), which stops the read the moment the archive passes a limit of
//! `crate::limits`, so a bomb costs at most the limit.

mod budget;
mod detect;
pub mod path;
mod tar;
mod zip;
mod zstd_frames;

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use budget::{Compressed, UnpackBudget};
pub use detect::detect;
pub use zstd_frames::ZstdFrames;

/// The container of a release archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Format {
    #[serde(rename = "tar")]
    Tar,
    #[serde(rename = "tar.gz")]
    TarGz,
    #[serde(rename = "tar.xz")]
    TarXz,
    #[serde(rename = "tar.bz2")]
    TarBz2,
    #[serde(rename = "tar.zst")]
    TarZst,
    #[serde(rename = "zip")]
    Zip,
}

impl Format {
    /// The usual file extension, which is also how reports name the format.
    pub fn name(self) -> &'static str {
        match self {
            Format::Tar => "tar",
            Format::TarGz => "tar.gz",
            Format::TarXz => "tar.xz",
            Format::TarBz2 => "tar.bz2",
            Format::TarZst => "tar.zst",
            Format::Zip => "zip",
        }
    }
}

/// What an entry is, as the archive declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Directory,
    /// A symbolic link and its target, as stored.
    Symlink(Vec<u8>),
    /// A tar hard link to an earlier entry, named from the archive root.
    Hardlink(Vec<u8>),
    /// Devices, FIFOs, sockets and unknown entry types, which no source release needs.
    Special(&'static str),
}

/// Who owns an entry, as a tar header says (zip records no owner).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Owner {
    pub uid: u64,
    pub gid: u64,
    /// User and group names; empty when the header has none.
    pub user: String,
    pub group: String,
}

/// One entry's header: the path as extractors will read it, what kind of entry it is, and the
/// metadata a rebuild may legitimately change.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The path bytes, after long names and pax records are applied.
    pub path: Vec<u8>,
    pub kind: Kind,
    /// The content length the archive declares; the reader yields exactly this many bytes or
    /// fails.
    pub size: u64,
    /// Permission bits, including setuid, setgid and sticky; `None` for a zip entry that records
    /// no Unix mode.
    pub mode: Option<u32>,
    pub owner: Owner,
    /// Seconds since the epoch (zip: its DOS time read as UTC).
    pub mtime: i64,
    /// A zip member's compression method (`Deflated`, `Stored`); `None` in tar.
    pub method: Option<String>,
    /// Zip writers on Windows separate components with `\`; in tar it is part of a name.
    pub backslash_separates: bool,
}

impl Entry {
    /// The path as text, with bytes that are not UTF-8 replaced, for reports.
    pub fn shown(&self) -> String {
        String::from_utf8_lossy(&self.path).into_owned()
    }

    /// Whether the owner-executable bit is set (git records only this bit of the mode).
    pub fn executable(&self) -> Option<bool> {
        self.mode.map(|m| m & 0o100 != 0)
    }
}

/// Why reading stopped before the archive's end. Each is a failing check, not an error: the file
/// could be read, and what it holds is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stop {
    /// The file is no archive custody reads (unknown magic, a compressed stream without tar, a
    /// sparse or multi-volume member).
    Unsupported(String),
    /// The archive is corrupt or truncated.
    Malformed(String),
    /// Unpacking went past the size or compression-ratio limit.
    Bomb(String),
    /// More than `MAX_ARCHIVE_ENTRIES` entries, or more than `MAX_TAR_HEADER_BYTES` of headers
    /// (GNU long names, pax records) before one entry.
    OverLimit(String),
    /// Extractors could read the archive two ways: what custody would compare is not certainly
    /// what they unpack.
    Ambiguous(String),
}

impl Stop {
    /// The reason, whatever the kind.
    pub fn reason(&self) -> &str {
        match self {
            Stop::Unsupported(s)
            | Stop::Malformed(s)
            | Stop::Bomb(s)
            | Stop::OverLimit(s)
            | Stop::Ambiguous(s) => s,
        }
    }
}

/// The gzip member header of a `.tar.gz`: what the compressor itself records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GzipHeader {
    pub mtime: u32,
    /// Extra flags, which name the compression level (2 best, 4 fastest).
    pub extra_flags: u8,
    pub os: u8,
}

/// What one read should compute besides the entries.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// SHA-256 of the whole unpacked tar stream (not for zip): equal streams in unequal files
    /// mean only the compression differs.
    pub stream_sha256: bool,
}

/// How a read went: the container found, and where it stopped if not at the end.
#[derive(Clone, Debug, Default)]
pub struct ReadOutcome {
    pub format: Option<Format>,
    pub stop: Option<Stop>,
    /// Entries handed to the visitor.
    pub entries: u64,
    pub gzip: Option<GzipHeader>,
    /// With [`Options::stream_sha256`], for a tar read to its end.
    pub stream_sha256: Option<String>,
    /// The `comment` records of a tar's global pax headers, in order (`git archive` writes the
    /// commit id there). They describe the archive, not a member.
    pub comments: Vec<String>,
}

/// Called once per entry with its header and a reader of exactly its content (empty for
/// directories and links). An `Err` from the visitor stops the read and is returned as is;
/// [`Finished`] ends it early without fault.
pub type Visitor<'a> = dyn FnMut(Entry, &mut dyn Read) -> io::Result<()> + 'a;

/// Read the archive at `path` entry by entry. `Err` only when the file cannot be read at all,
/// or the visitor failed.
pub fn read(path: &Path, options: Options, visit: &mut Visitor<'_>) -> io::Result<ReadOutcome> {
    let mut file = File::open(path)?;
    let format = match detect::detect_open(path, &mut file)? {
        Ok(format) => format,
        Err(stop) => {
            return Ok(ReadOutcome {
                stop: Some(stop),
                ..ReadOutcome::default()
            });
        }
    };
    file.seek(SeekFrom::Start(0))?;
    let budget = Rc::new(UnpackBudget::default());
    let mut outcome = ReadOutcome {
        format: Some(format),
        ..ReadOutcome::default()
    };
    let disk = BufReader::with_capacity(
        1 << 16,
        Compressed {
            inner: file,
            budget: budget.clone(),
        },
    );
    let hash = options.stream_sha256 && format != Format::Zip;
    let result = match format {
        Format::Zip => {
            let file = disk.into_inner().inner;
            zip::read_zip(path, file, &budget, &mut outcome, visit)
        }
        Format::Tar => tar::read_tar(disk, &budget, hash, &mut outcome, visit),
        Format::TarGz => {
            let mut head = [0u8; 10];
            let mut f = File::open(path)?;
            if read_up_to(&mut f, &mut head)? == 10 {
                outcome.gzip = Some(GzipHeader {
                    mtime: u32::from_le_bytes([head[4], head[5], head[6], head[7]]),
                    extra_flags: head[8],
                    os: head[9],
                });
            }
            let stream = flate2::bufread::MultiGzDecoder::new(disk);
            tar::read_tar(stream, &budget, hash, &mut outcome, visit)
        }
        Format::TarXz => {
            let stream = lzma_rust2::XzReader::new(disk, true);
            tar::read_tar(stream, &budget, hash, &mut outcome, visit)
        }
        Format::TarBz2 => {
            let stream = bzip2::bufread::MultiBzDecoder::new(disk);
            tar::read_tar(stream, &budget, hash, &mut outcome, visit)
        }
        Format::TarZst => {
            let stream = ZstdFrames::new(disk);
            tar::read_tar(stream, &budget, hash, &mut outcome, visit)
        }
    };
    let stop = match result {
        Ok(stop) => stop,
        Err(e) => match budget.tripped.borrow_mut().take() {
            Some(stop) => Some(stop),
            None if e.get_ref().is_some_and(|inner| inner.is::<Finished>()) => None,
            // The visitor's own failure (say, a content reader that disagrees with the declared
            // size) is malformed input; a file that vanished mid-read is not.
            None if e.kind() == io::ErrorKind::NotFound => return Err(e),
            None => Some(Stop::Malformed(e.to_string())),
        },
    };
    outcome.stop = stop.or_else(|| budget.tripped.borrow_mut().take());
    if matches!(outcome.stop, Some(Stop::Unsupported(_))) && outcome.entries == 0 {
        outcome.format = None;
    }
    if outcome.stop.is_some() {
        outcome.stream_sha256 = None;
    }
    Ok(outcome)
}

/// Returned by a visitor (as `io::Error::other(Finished)`) to end the read early, without fault.
#[derive(Debug)]
pub struct Finished;

impl std::fmt::Display for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the visitor has what it needs")
    }
}

impl std::error::Error for Finished {}

/// Fill `buf` as far as the reader allows; the count read.
pub(crate) fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// An entry's content: exactly `left` more bytes, or an error. A stream that ends early is a
/// truncated or lying archive, and the visitor must not mistake a short read for the file.
pub(crate) struct Exact<R> {
    pub inner: R,
    pub left: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "an entry ends {} bytes before the size it declares",
                    self.left
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// SHA-256 of a stream as it is read.
struct Hashing<R> {
    inner: R,
    hash: Option<Sha256>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hash {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests;

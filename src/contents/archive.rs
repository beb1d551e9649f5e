//! Reading a release archive as a stream of entries, without extracting anything.
//!
//! The container is recognised by its magic bytes, never by its name: gzip, xz, bzip2 and zstd
//! streams must hold a tar archive; zip is read through its central directory. Every byte that
//! comes out of a decompressor is charged to an [`UnpackBudget`], which stops the read the moment
//! the archive unpacks to more than [`MAX_ARCHIVE_UNPACKED`] bytes or more than
//! [`MAX_COMPRESSION_RATIO`] times what was read from disk, so a bomb costs at most the limit.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;

use serde::Serialize;

use crate::limits::{
    COMPRESSION_RATIO_FLOOR, MAX_ARCHIVE_ENTRIES, MAX_ARCHIVE_UNPACKED, MAX_COMPRESSION_RATIO,
    MAX_SYMLINK_TARGET, MAX_TAR_HEADER_BYTES,
};

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
pub(crate) enum RawKind {
    File,
    Directory,
    /// A symbolic link and its target, as stored.
    Symlink(Vec<u8>),
    /// A tar hard link to an earlier entry, named from the archive root.
    Hardlink(Vec<u8>),
    /// Devices, FIFOs, sockets and unknown entry types, which no source release needs.
    Special(&'static str),
}

/// One entry's header: the path bytes as stored and what kind of entry it is.
#[derive(Clone, Debug)]
pub(crate) struct RawEntry {
    pub path: Vec<u8>,
    pub kind: RawKind,
    /// The content length the archive declares; the reader yields exactly this many bytes or
    /// fails.
    pub size: u64,
    /// Zip writers on Windows separate components with `\`; in tar it is part of a name.
    pub backslash_separates: bool,
}

/// Why reading stopped before the archive's end. Each is a failing check, not an error: the file
/// could be read, and what it holds is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Stop {
    /// The file is no archive custody reads (unknown magic, or a compressed stream without tar).
    Unsupported(String),
    /// The archive is corrupt or truncated.
    Malformed(String),
    /// Unpacking went past the size or compression-ratio limit.
    Bomb(String),
    /// More than [`MAX_ARCHIVE_ENTRIES`] entries, or more than [`MAX_TAR_HEADER_BYTES`] of
    /// headers (GNU long names, pax records) before one entry.
    OverLimit(String),
}

/// How a read went: the container found, and where it stopped if not at the end.
#[derive(Clone, Debug)]
pub(crate) struct ReadOutcome {
    pub format: Option<Format>,
    pub stop: Option<Stop>,
}

/// The bytes read from disk and unpacked so far, shared by every reader of one archive, and the
/// limit that tripped, if any.
#[derive(Default)]
struct UnpackBudget {
    compressed: Cell<u64>,
    unpacked: Cell<u64>,
    /// Whether a visitor is reading an entry's content; bytes read otherwise are headers.
    in_entry: Cell<bool>,
    /// Header bytes since the last entry. The tar crate reads GNU long names and pax records
    /// into memory whatever their declared size, so this is what bounds that memory.
    header_bytes: Cell<u64>,
    tripped: RefCell<Option<Stop>>,
}

impl UnpackBudget {
    fn charge(&self, n: usize) -> io::Result<()> {
        let unpacked = self.unpacked.get() + n as u64;
        self.unpacked.set(unpacked);
        let compressed = self.compressed.get().max(1);
        if !self.in_entry.get() {
            let header = self.header_bytes.get() + n as u64;
            self.header_bytes.set(header);
            if header > MAX_TAR_HEADER_BYTES {
                let why = format!(
                    "more than {MAX_TAR_HEADER_BYTES} bytes of headers (long names, pax \
                     records) before one entry; reading stopped there"
                );
                self.tripped
                    .borrow_mut()
                    .get_or_insert(Stop::OverLimit(why));
                return Err(io::Error::other("archive header limit reached"));
            }
        }
        let over = if unpacked > MAX_ARCHIVE_UNPACKED {
            Some(format!(
                "unpacks to more than {MAX_ARCHIVE_UNPACKED} bytes; reading stopped there"
            ))
        } else if unpacked > COMPRESSION_RATIO_FLOOR
            && unpacked / compressed > MAX_COMPRESSION_RATIO
        {
            Some(format!(
                "{unpacked} bytes unpacked from {compressed} read: compression ratio over \
                 {MAX_COMPRESSION_RATIO}; reading stopped there"
            ))
        } else {
            None
        };
        match over {
            Some(why) => {
                self.tripped.borrow_mut().get_or_insert(Stop::Bomb(why));
                Err(io::Error::other("archive unpack limit reached"))
            }
            None => Ok(()),
        }
    }
}

/// Counts the bytes read from the archive file.
struct Compressed<R> {
    inner: R,
    budget: Rc<UnpackBudget>,
}

impl<R: Read> Read for Compressed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let b = &self.budget.compressed;
        b.set(b.get() + n as u64);
        Ok(n)
    }
}

/// Charges every unpacked byte to the budget, failing the read once a limit is passed.
struct Unpacked<R> {
    inner: R,
    budget: Rc<UnpackBudget>,
}

impl<R: Read> Read for Unpacked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget.tripped.borrow().is_some() {
            return Err(io::Error::other("archive unpack limit reached"));
        }
        let n = self.inner.read(buf)?;
        self.budget.charge(n)?;
        Ok(n)
    }
}

/// Called once per entry with its header and a reader of its content (empty for directories and
/// links). An `Err` from the visitor stops the read and is returned as is.
pub(crate) type Visitor<'a> = dyn FnMut(RawEntry, &mut dyn Read) -> io::Result<()> + 'a;

/// Read the archive at `path` entry by entry. `Err` only when the file cannot be read at all.
pub(crate) fn read(path: &std::path::Path, visit: &mut Visitor<'_>) -> io::Result<ReadOutcome> {
    let mut file = File::open(path)?;
    let mut magic = [0u8; 6];
    let got = read_up_to(&mut file, &mut magic)?;
    let magic = &magic[..got];
    file.seek(SeekFrom::Start(0))?;
    let budget = Rc::new(UnpackBudget::default());
    let disk = BufReader::with_capacity(
        1 << 16,
        Compressed {
            inner: file,
            budget: budget.clone(),
        },
    );
    let (format, result) = if magic.starts_with(b"PK\x03\x04") || magic.starts_with(b"PK\x05\x06") {
        let file = disk.into_inner().inner;
        (Format::Zip, read_zip(file, &budget, visit))
    } else if magic.starts_with(&[0x1f, 0x8b]) {
        let stream = flate2::bufread::MultiGzDecoder::new(disk);
        (Format::TarGz, read_tar(stream, &budget, visit))
    } else if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        let stream = lzma_rust2::XzReader::new(disk, true);
        (Format::TarXz, read_tar(stream, &budget, visit))
    } else if magic.starts_with(b"BZh") {
        let stream = bzip2::bufread::MultiBzDecoder::new(disk);
        (Format::TarBz2, read_tar(stream, &budget, visit))
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let stream = ZstdFrames::new(disk);
        (Format::TarZst, read_tar(stream, &budget, visit))
    } else {
        (Format::Tar, read_tar(disk, &budget, visit))
    };
    let stop = match result {
        Ok(stop) => stop,
        Err(e) => match budget.tripped.borrow_mut().take() {
            Some(stop) => Some(stop),
            None if e.get_ref().is_some_and(|inner| inner.is::<Finished>()) => None,
            None => Some(Stop::Malformed(e.to_string())),
        },
    };
    let stop = stop.or_else(|| budget.tripped.borrow_mut().take());
    let format = match &stop {
        Some(Stop::Unsupported(_)) => None,
        _ => Some(format),
    };
    Ok(ReadOutcome { format, stop })
}

/// Returned by a visitor (as `io::Error::other(Finished)`) to end the read early, without fault.
#[derive(Debug)]
pub(crate) struct Finished;

impl std::fmt::Display for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the visitor has what it needs")
    }
}

impl std::error::Error for Finished {}

/// Read a tar stream; `Ok(Some)` when it is no tar at all or has too many entries.
fn read_tar<R: Read>(
    stream: R,
    budget: &Rc<UnpackBudget>,
    visit: &mut Visitor<'_>,
) -> io::Result<Option<Stop>> {
    let mut stream = Unpacked {
        inner: stream,
        budget: budget.clone(),
    };
    let mut first = vec![0u8; 512];
    let got = read_up_to(&mut stream, &mut first)?;
    first.truncate(got);
    if !looks_like_tar(&first) {
        return Ok(Some(Stop::Unsupported(
            "not a tar, zip, or compressed tar archive".into(),
        )));
    }
    let mut archive = tar::Archive::new(Cursor::new(first).chain(stream));
    let mut count = 0u64;
    for entry in archive.entries()? {
        let mut entry = entry?;
        count += 1;
        if count > MAX_ARCHIVE_ENTRIES {
            return Ok(Some(too_many_entries()));
        }
        let link = || {
            entry
                .link_name_bytes()
                .map(|l| l.into_owned())
                .unwrap_or_default()
        };
        use tar::EntryType as T;
        let kind = match entry.header().entry_type() {
            T::Regular | T::Continuous | T::GNUSparse => RawKind::File,
            T::Directory => RawKind::Directory,
            T::Symlink => RawKind::Symlink(link()),
            T::Link => RawKind::Hardlink(link()),
            // `git archive` writes the commit id in a global pax header; it is no file.
            T::XGlobalHeader => continue,
            T::Char | T::Block => RawKind::Special("device node"),
            T::Fifo => RawKind::Special("FIFO"),
            _ => RawKind::Special("unknown tar entry type"),
        };
        let path = entry.path_bytes().into_owned();
        let size = entry.size();
        let raw = RawEntry {
            path,
            kind,
            size,
            backslash_separates: false,
        };
        budget.in_entry.set(true);
        let visited = visit(raw, &mut entry);
        // Whatever the visitor left unread is skipped by tar as it reads on: content, not
        // headers, so it is drained here, inside the entry.
        let drained = visited.and_then(|()| io::copy(&mut entry, &mut io::sink()));
        budget.in_entry.set(false);
        budget.header_bytes.set(0);
        drained?;
    }
    Ok(None)
}

fn too_many_entries() -> Stop {
    Stop::OverLimit(format!(
        "more than {MAX_ARCHIVE_ENTRIES} entries; reading stopped there"
    ))
}

/// A tar header block: `ustar` magic, or (old v7 tar) a valid header checksum; an all-zero
/// block is an empty archive.
fn looks_like_tar(block: &[u8]) -> bool {
    if block.len() < 512 {
        return false;
    }
    if &block[257..262] == b"ustar" || block.iter().all(|&b| b == 0) {
        return true;
    }
    let stored = std::str::from_utf8(&block[148..156])
        .ok()
        .map(|s| s.trim_matches(|c: char| c == '\0' || c == ' '))
        .and_then(|s| u32::from_str_radix(s, 8).ok());
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                b as u32
            }
        })
        .sum();
    stored == Some(sum)
}

/// Read a zip archive through its central directory.
fn read_zip(
    file: File,
    budget: &Rc<UnpackBudget>,
    visit: &mut Visitor<'_>,
) -> io::Result<Option<Stop>> {
    let size = file.metadata()?.len();
    budget.compressed.set(size);
    let mut archive = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(a) => a,
        Err(e) => return Ok(Some(Stop::Malformed(e.to_string()))),
    };
    if archive.len() as u64 > MAX_ARCHIVE_ENTRIES {
        return Ok(Some(too_many_entries()));
    }
    // Zip names and extra fields are bounded by the format (16-bit lengths).
    budget.in_entry.set(true);
    for i in 0..archive.len() {
        let entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => return Ok(Some(Stop::Malformed(e.to_string()))),
        };
        let path = match entry.name() {
            Ok(name) => name.as_bytes().to_vec(),
            Err(_) => entry.name_raw().to_vec(), // refused later as not UTF-8
        };
        let size = entry.size();
        let mode = entry.unix_mode().unwrap_or(0) & 0o170000;
        let mut content = Unpacked {
            inner: entry,
            budget: budget.clone(),
        };
        let kind = if content.inner.is_symlink() {
            let mut target = Vec::new();
            (&mut content)
                .take(MAX_SYMLINK_TARGET as u64 + 1)
                .read_to_end(&mut target)?;
            RawKind::Symlink(target)
        } else if content.inner.is_dir() {
            RawKind::Directory
        } else if matches!(mode, 0o010000 | 0o020000 | 0o060000 | 0o140000) {
            RawKind::Special("device node, FIFO or socket")
        } else {
            RawKind::File
        };
        let raw = RawEntry {
            path,
            kind,
            size,
            backslash_separates: true,
        };
        visit(raw, &mut content)?;
        // Drain what the visitor left so the entry's CRC is checked and its size charged.
        io::copy(&mut content, &mut io::sink())?;
    }
    Ok(None)
}

/// A zstd stream of one or more frames (`zstd -T0` and `pzstd` write several).
struct ZstdFrames<R: Read> {
    decoder: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
    source: Option<R>,
}

impl<R: io::BufRead> ZstdFrames<R> {
    fn new(source: R) -> Self {
        ZstdFrames {
            decoder: None,
            source: Some(source),
        }
    }
}

impl<R: io::BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(decoder) = &mut self.decoder {
                let n = decoder.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                let decoder = self.decoder.take().expect("checked above");
                self.source = Some(decoder.into_inner());
            }
            let Some(mut source) = self.source.take() else {
                return Ok(0);
            };
            if source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            match ruzstd::decoding::StreamingDecoder::new(source) {
                Ok(d) => self.decoder = Some(d),
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e.to_string())),
            }
        }
    }
}

/// Fill `buf` as far as the reader allows; the count read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn entries(path: &std::path::Path) -> (ReadOutcome, Vec<(String, Vec<u8>)>) {
        let mut seen = Vec::new();
        let outcome = read(path, &mut |e, r| {
            let mut data = Vec::new();
            r.read_to_end(&mut data)?;
            seen.push((String::from_utf8_lossy(&e.path).into_owned(), data));
            Ok(())
        })
        .unwrap();
        (outcome, seen)
    }

    #[test]
    fn reads_plain_and_gzipped_tar_by_magic() {
        let dir = tempfile::tempdir().unwrap();
        let tar = tar_of(&[("p/a.txt", b"hello\n")]);
        let plain = dir.path().join("x.zip"); // the name lies; the magic decides
        std::fs::write(&plain, &tar).unwrap();
        let (o, seen) = entries(&plain);
        assert_eq!(o.format, Some(Format::Tar));
        assert_eq!(seen, [("p/a.txt".to_string(), b"hello\n".to_vec())]);

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let gzipped = dir.path().join("x.tar");
        std::fs::write(&gzipped, gz.finish().unwrap()).unwrap();
        let (o, seen) = entries(&gzipped);
        assert_eq!((o.format, o.stop), (Some(Format::TarGz), None));
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn refuses_what_is_not_an_archive() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("notes.tar.gz");
        std::fs::write(&p, b"just text, not an archive").unwrap();
        let (o, seen) = entries(&p);
        assert!(matches!(o.stop, Some(Stop::Unsupported(_))));
        assert!(seen.is_empty());
    }

    #[test]
    fn stops_a_gzip_bomb_at_the_ratio_limit() {
        let dir = tempfile::tempdir().unwrap();
        let zeros = vec![0u8; (COMPRESSION_RATIO_FLOOR as usize) * 2];
        let tar = tar_of(&[("p/zeros", &zeros)]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&tar).unwrap();
        let p = dir.path().join("bomb.tgz");
        std::fs::write(&p, gz.finish().unwrap()).unwrap();
        let (o, _) = entries(&p);
        assert!(matches!(o.stop, Some(Stop::Bomb(_))), "{:?}", o.stop);
    }

    #[test]
    fn a_huge_gnu_long_name_stops_at_the_header_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = tar::Header::new_gnu();
        h.as_gnu_mut().unwrap().name[..13].copy_from_slice(b"././@LongLink");
        h.set_entry_type(tar::EntryType::GNULongName);
        let name = vec![b'a'; (MAX_TAR_HEADER_BYTES as usize) * 2];
        h.set_size(name.len() as u64);
        h.set_cksum();
        let mut tar = h.as_bytes().to_vec();
        tar.extend_from_slice(&name);
        tar.resize(tar.len() + 2048, 0);
        let p = dir.path().join("longname.tar");
        std::fs::write(&p, tar).unwrap();
        let (o, seen) = entries(&p);
        assert!(matches!(o.stop, Some(Stop::OverLimit(_))), "{:?}", o.stop);
        assert!(seen.is_empty());
    }

    #[test]
    fn truncated_stream_is_malformed() {
        let dir = tempfile::tempdir().unwrap();
        let tar = tar_of(&[("p/a.txt", &[7u8; 4000])]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let mut bytes = gz.finish().unwrap();
        bytes.truncate(bytes.len() / 2);
        let p = dir.path().join("cut.tgz");
        std::fs::write(&p, bytes).unwrap();
        let (o, _) = entries(&p);
        assert!(matches!(o.stop, Some(Stop::Malformed(_))), "{:?}", o.stop);
    }
}

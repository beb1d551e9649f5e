//! Reading a release archive as a stream of entries, without extracting anything.
//!
//! The container is recognised by its magic bytes, never by its name: gzip, xz, bzip2 and zstd
//! streams must hold a tar archive; zip is read through its central directory. Every byte read
//! from disk and every byte a decompressor yields is charged to one unpack budget (`budget`),
//! which stops the read the moment the archive passes a limit of `crate::limits`, so a bomb
//! costs at most the limit.

mod budget;
mod tarball;
mod zipfile;
mod zstd_frames;
pub(crate) use zstd_frames::ZstdFrames;

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::rc::Rc;

use serde::Serialize;

use budget::{Compressed, UnpackBudget};
use tarball::read_tar;
use zipfile::read_zip;

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

/// Fill `buf` as far as the reader allows; the count read.
pub(super) fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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
    use crate::limits::{COMPRESSION_RATIO_FLOOR, MAX_TAR_HEADER_BYTES};
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

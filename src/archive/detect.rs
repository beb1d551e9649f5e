//! Which container an archive is, from its bytes and its name together.
//!
//! Tools pick the reader differently: `tar` and Python's tarfile read from the start, `unzip`
//! and zip libraries from the end-of-central-directory record at the end, and a user's shell
//! picks the tool by the file's name. A file whose start is a valid tar header and whose end is
//! a valid zip directory is both, and each tool extracts something else, so custody refuses it;
//! so too a file whose name says one format while its bytes are another.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::{Format, Stop, read_up_to};

/// The format of the archive at `path`: `Ok(Err(stop))` when it is no archive custody reads or
/// is ambiguous; `Err` when it cannot be read at all.
pub fn detect(path: &Path) -> io::Result<Result<Format, Stop>> {
    detect_open(path, &mut File::open(path)?)
}

pub(super) fn detect_open(path: &Path, file: &mut File) -> io::Result<Result<Format, Stop>> {
    let mut head = [0u8; 512];
    let got = read_up_to(file, &mut head)?;
    let head = &head[..got];
    let by_bytes = by_magic(head);
    let by_name = path.file_name().and_then(|n| n.to_str()).and_then(by_name);
    let tar_header = is_tar_header(head);
    let zip_directory = has_zip_directory(file)?;
    let Some(format) = by_bytes else {
        return Ok(Err(Stop::Unsupported(
            "not a tar, zip, or compressed tar archive".into(),
        )));
    };
    if format == Format::Zip && tar_header {
        return Ok(Err(Stop::Ambiguous(
            "the file is both a zip archive and a tar archive (its first block is a valid tar \
             header): tar and unzip would extract different files"
                .into(),
        )));
    }
    if format != Format::Zip && zip_directory {
        return Ok(Err(Stop::Ambiguous(format!(
            "the file is a {} archive that also ends in a zip central directory: tar and unzip \
             would extract different files",
            format.name()
        ))));
    }
    if let Some(named) = by_name
        && named != format
    {
        return Ok(Err(Stop::Ambiguous(format!(
            "the name says {} but the bytes are a {} archive: the tool a user picks by the \
             name is not the one that reads it",
            named.name(),
            format.name()
        ))));
    }
    Ok(Ok(format))
}

/// The container the first bytes name, if any.
fn by_magic(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Format::Zip)
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Some(Format::TarGz)
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some(Format::TarXz)
    } else if head.starts_with(b"BZh") {
        Some(Format::TarBz2)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Format::TarZst)
    } else if is_tar_header(head) || (head.len() == 512 && head.iter().all(|&b| b == 0)) {
        Some(Format::Tar)
    } else {
        None
    }
}

/// The container a file name promises, by the extensions packaging tools write; `None` for
/// names that promise nothing (custody then goes by the bytes alone).
fn by_name(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    let ends = |exts: &[&str]| exts.iter().any(|e| lower.ends_with(e));
    if ends(&[".tar.gz", ".tgz", ".crate"]) {
        Some(Format::TarGz)
    } else if ends(&[".tar.xz", ".txz"]) {
        Some(Format::TarXz)
    } else if ends(&[".tar.bz2", ".tbz2", ".tbz"]) {
        Some(Format::TarBz2)
    } else if ends(&[".tar.zst", ".tzst"]) {
        Some(Format::TarZst)
    } else if ends(&[".tar"]) {
        Some(Format::Tar)
    } else if ends(&[".zip", ".whl", ".jar", ".egg", ".nupkg"]) {
        Some(Format::Zip)
    } else {
        None
    }
}

/// Whether `block` is a tar header whose checksum holds (as unsigned or signed byte sums, both
/// of which tar implementations accept).
pub(super) fn is_tar_header(block: &[u8]) -> bool {
    if block.len() < 512 || block[..512].iter().all(|&b| b == 0) {
        return false;
    }
    let Some(stored) = super::tar::octal(&block[148..156]) else {
        return false;
    };
    let (mut unsigned, mut signed) = (0u64, 0i64);
    for (i, &b) in block[..512].iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// Whether the file ends in a zip end-of-central-directory record that zip readers would
/// accept: its comment reaches exactly the end of the file, and the directory it points to
/// lies before it.
fn has_zip_directory(file: &mut File) -> io::Result<bool> {
    const EOCD: usize = 22;
    let len = file.metadata()?.len();
    let window = len.min((EOCD + u16::MAX as usize) as u64);
    file.seek(SeekFrom::Start(len - window))?;
    let mut tail = Vec::with_capacity(window as usize);
    file.take(window).read_to_end(&mut tail)?;
    let base = len - window;
    for at in (0..tail.len().saturating_sub(EOCD - 1)).rev() {
        if &tail[at..at + 4] != b"PK\x05\x06" {
            continue;
        }
        let field = |o: usize, n: usize| -> u64 {
            tail[at + o..at + o + n]
                .iter()
                .rev()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
        };
        let comment = field(20, 2);
        let position = base + at as u64;
        if position + EOCD as u64 + comment != len {
            continue;
        }
        let (size, offset) = (field(12, 4), field(16, 4));
        // Zip64 keeps the real values elsewhere; the record itself is enough to be a zip.
        if offset == 0xffff_ffff || size == 0xffff_ffff || offset + size <= position {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_promise_formats() {
        assert_eq!(by_name("serde-1.0.0.crate"), Some(Format::TarGz));
        assert_eq!(by_name("pkg-1.0-py3-none-any.whl"), Some(Format::Zip));
        assert_eq!(by_name("xz-5.4.1.tar.XZ"), Some(Format::TarXz));
        assert_eq!(by_name("app.tgz"), Some(Format::TarGz));
        assert_eq!(by_name("app.bin"), None);
    }

    #[test]
    fn a_tar_header_needs_its_checksum() {
        let mut block = [0u8; 512];
        block[..5].copy_from_slice(b"a.txt");
        block[156] = b'0';
        assert!(!is_tar_header(&block));
        let sum: u32 = block.iter().map(|&b| u32::from(b)).sum::<u32>() + 8 * u32::from(b' ');
        block[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        assert!(is_tar_header(&block));
        assert!(!is_tar_header(&[0u8; 512]));
    }
}

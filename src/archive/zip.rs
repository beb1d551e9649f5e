//! Zip archives (wheels, `git archive --format=zip`), read through the central directory and
//! checked against the local headers.
//!
//! Zip names every entry twice, in its local header and in the central directory, and readers
//! differ in which they trust: Python's zipfile and unzip read the central directory, streaming
//! readers (libarchive on a pipe, Java's ZipInputStream) the local headers. custody reads the
//! central directory and refuses the archive as ambiguous when the two disagree: a name that
//! differs, an Info-ZIP Unicode Path field that names another file, or bytes between entries
//! that no central record accounts for (a hidden entry only a streaming reader sees).

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::rc::Rc;

use super::budget::{UnpackBudget, Unpacked};
use super::{Entry, Exact, Kind, Owner, ReadOutcome, Stop, Visitor};
use crate::limits::{MAX_ARCHIVE_ENTRIES, MAX_SYMLINK_TARGET};

/// Where one entry lies in the file, as its local header says.
struct Span {
    name: String,
    header: u64,
    /// Just past its compressed data.
    data_end: u64,
    /// Whether a data descriptor follows the data (general purpose flag bit 3).
    descriptor: bool,
}

/// Read a zip archive through its central directory.
pub(super) fn read_zip(
    path: &std::path::Path,
    file: File,
    budget: &Rc<UnpackBudget>,
    outcome: &mut ReadOutcome,
    visit: &mut Visitor<'_>,
) -> io::Result<Option<Stop>> {
    let size = file.metadata()?.len();
    budget.compressed.set(size);
    // A handle of its own for the local headers: a clone would share the reader's offset.
    let mut raw = File::open(path)?;
    let mut archive = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(a) => a,
        Err(e) => return Ok(Some(Stop::Malformed(e.to_string()))),
    };
    if archive.len() as u64 > MAX_ARCHIVE_ENTRIES {
        return Ok(Some(Stop::OverLimit(format!(
            "more than {MAX_ARCHIVE_ENTRIES} entries; reading stopped there"
        ))));
    }
    let directory = archive.central_directory_start();
    let mut spans = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => return Ok(Some(Stop::Malformed(e.to_string()))),
        };
        let central = entry.name_raw().to_vec();
        let shown = String::from_utf8_lossy(&central).into_owned();
        if entry.encrypted() {
            return Ok(Some(Stop::Unsupported(format!(
                "`{shown}` is encrypted, so its content cannot be compared"
            ))));
        }
        let local = match local_header(&mut raw, entry.header_start(), size) {
            Ok(l) => l,
            Err(why) => return Ok(Some(Stop::Malformed(format!("`{shown}`: {why}")))),
        };
        if local.name != central {
            return Ok(Some(Stop::Ambiguous(format!(
                "entry `{shown}` is named `{}` in its local header: unzip and streaming readers \
                 extract different files",
                String::from_utf8_lossy(&local.name)
            ))));
        }
        let central_extra = central_extra(&mut raw, entry.central_header_start())?;
        for extra in [&local.extra, &central_extra] {
            if let Some(unicode) = unicode_path(extra)
                && unicode != central
            {
                return Ok(Some(Stop::Ambiguous(format!(
                    "entry `{shown}` carries an Info-ZIP Unicode Path `{}`: unzip extracts it \
                     under that name, other readers under the header's",
                    String::from_utf8_lossy(&unicode)
                ))));
            }
        }
        spans.push(Span {
            name: shown.clone(),
            header: entry.header_start(),
            data_end: local.data_start + entry.compressed_size(),
            descriptor: local.flags & 0x08 != 0,
        });
        let declared = entry.size();
        let mode = entry.unix_mode();
        let mtime = entry
            .last_modified()
            .map(|t| {
                dos_time_seconds(
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second(),
                )
            })
            .unwrap_or(0);
        let method = format!("{:?}", entry.compression());
        let is_symlink = entry.is_symlink();
        let is_dir = entry.is_dir();
        let mut content = Unpacked {
            inner: entry,
            budget: budget.clone(),
        };
        let kind = if is_symlink {
            let mut target = Vec::new();
            (&mut content)
                .take(MAX_SYMLINK_TARGET as u64 + 1)
                .read_to_end(&mut target)?;
            Kind::Symlink(target)
        } else if is_dir {
            Kind::Directory
        } else if matches!(
            mode.map(|m| m & 0o170000),
            Some(0o010000 | 0o020000 | 0o060000 | 0o140000)
        ) {
            Kind::Special("device node, FIFO or socket")
        } else {
            Kind::File
        };
        let size = if matches!(kind, Kind::File) {
            declared
        } else {
            0
        };
        let entry = Entry {
            path: central,
            kind,
            size,
            mode: mode.map(|m| m & 0o7777),
            owner: Owner::default(),
            mtime,
            method: Some(method),
            backslash_separates: true,
        };
        outcome.entries += 1;
        if size > 0 {
            let mut exact = Exact {
                inner: &mut content,
                left: size,
            };
            visit(entry, &mut exact)?;
            io::copy(&mut exact, &mut io::sink())?;
        } else {
            visit(entry, &mut io::empty())?;
        }
        // Drain what is left so the entry's CRC is checked and every byte is charged; more
        // bytes than declared is a lie one reader or another believes.
        if io::copy(&mut content, &mut io::sink())? > 0 && size > 0 {
            return Ok(Some(Stop::Malformed(format!(
                "`{shown}` holds more than the {declared} bytes it declares"
            ))));
        }
    }
    Ok(coverage(&mut raw, spans, directory).err())
}

/// What a local file header says.
struct Local {
    flags: u16,
    name: Vec<u8>,
    extra: Vec<u8>,
    data_start: u64,
}

fn local_header(file: &mut File, at: u64, len: u64) -> Result<Local, String> {
    let io = |e: io::Error| e.to_string();
    if at.saturating_add(30) > len {
        return Err("its local header lies past the end of the file".into());
    }
    file.seek(SeekFrom::Start(at)).map_err(io)?;
    let mut fixed = [0u8; 30];
    file.read_exact(&mut fixed).map_err(io)?;
    if &fixed[..4] != b"PK\x03\x04" {
        return Err("no local header where the central directory says".into());
    }
    let u16_at = |o: usize| u16::from_le_bytes([fixed[o], fixed[o + 1]]);
    let (name_len, extra_len) = (u16_at(26) as usize, u16_at(28) as usize);
    let mut name = vec![0u8; name_len];
    let mut extra = vec![0u8; extra_len];
    file.read_exact(&mut name).map_err(io)?;
    file.read_exact(&mut extra).map_err(io)?;
    Ok(Local {
        flags: u16_at(6),
        name,
        extra,
        data_start: at + 30 + (name_len + extra_len) as u64,
    })
}

fn central_extra(file: &mut File, at: u64) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(at))?;
    let mut fixed = [0u8; 46];
    file.read_exact(&mut fixed)?;
    let u16_at = |o: usize| u16::from_le_bytes([fixed[o], fixed[o + 1]]) as u64;
    file.seek(SeekFrom::Current(u16_at(28) as i64))?;
    let mut extra = vec![0u8; u16_at(30) as usize];
    file.read_exact(&mut extra)?;
    Ok(extra)
}

/// The name an Info-ZIP Unicode Path extra field (0x7075) gives, if the field is there.
fn unicode_path(extra: &[u8]) -> Option<Vec<u8>> {
    let mut rest = extra;
    while rest.len() >= 4 {
        let id = u16::from_le_bytes([rest[0], rest[1]]);
        let len = u16::from_le_bytes([rest[2], rest[3]]) as usize;
        let data = rest.get(4..4 + len)?;
        if id == 0x7075 && data.len() >= 5 {
            return Some(data[5..].to_vec());
        }
        rest = &rest[4 + len..];
    }
    None
}

/// The entries must tile the file from its start to the central directory: each local header
/// right after the previous entry's data (and its data descriptor). Bytes no entry accounts for
/// are what a streaming reader would take for another entry.
fn coverage(file: &mut File, mut spans: Vec<Span>, directory: u64) -> Result<(), Stop> {
    spans.sort_by_key(|s| s.header);
    let mut at = 0u64;
    let mut previous: Option<&Span> = None;
    for span in &spans {
        let gap = span.header.checked_sub(at);
        let fits = match (gap, previous) {
            (Some(0), Some(p)) => !p.descriptor || descriptor_at(file, at, 0),
            (Some(0), None) => true,
            (Some(g), Some(p)) if p.descriptor => {
                matches!(g, 12 | 16 | 20 | 24) && descriptor_at(file, at, g)
            }
            _ => false,
        };
        if !fits {
            let what = match previous {
                Some(p) if span.header < at => {
                    format!("entries `{}` and `{}` overlap", p.name, span.name)
                }
                Some(p) => format!(
                    "{} bytes between entries `{}` and `{}` belong to no entry of the central \
                     directory",
                    span.header - at,
                    p.name,
                    span.name
                ),
                None => format!(
                    "{} bytes before the first entry `{}` belong to no entry",
                    span.header, span.name
                ),
            };
            return Err(Stop::Ambiguous(format!(
                "{what}: a streaming reader would see something else there"
            )));
        }
        at = span.data_end;
        previous = Some(span);
    }
    let tail = directory.checked_sub(at);
    let fits = match (tail, previous) {
        (Some(0), p) => p.is_none_or(|p| !p.descriptor || descriptor_at(file, at, 0)),
        (Some(g), Some(p)) if p.descriptor => {
            matches!(g, 12 | 16 | 20 | 24) && descriptor_at(file, at, g)
        }
        _ => false,
    };
    if !fits {
        return Err(Stop::Ambiguous(format!(
            "the bytes between the last entry and the central directory ({}..{directory}) \
             belong to no entry: a streaming reader would see something else there",
            at
        )));
    }
    Ok(())
}

/// Whether a data descriptor of `len` bytes at `at` is plausible: with its optional signature
/// when 16 or 24 bytes long. A zero length means the descriptor was expected and is absent.
fn descriptor_at(file: &mut File, at: u64, len: u64) -> bool {
    match len {
        12 | 20 => true,
        16 | 24 => {
            let mut sig = [0u8; 4];
            file.seek(SeekFrom::Start(at)).is_ok()
                && file.read_exact(&mut sig).is_ok()
                && &sig == b"PK\x07\x08"
        }
        _ => false,
    }
}

/// Seconds since the epoch of a DOS date and time, read as UTC.
pub(crate) fn dos_time_seconds(
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
) -> i64 {
    let days = crate::attest::timestamp::days_from_civil(
        i64::from(year),
        i64::from(month),
        i64::from(day),
    );
    days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_time_reads_as_utc() {
        assert_eq!(dos_time_seconds(1980, 1, 1, 0, 0, 0), 315_532_800);
        assert_eq!(dos_time_seconds(2024, 2, 29, 12, 0, 0), 1_709_208_000);
    }

    #[test]
    fn unicode_path_fields_are_found() {
        let mut extra = vec![0x55, 0x54, 1, 0, 0]; // another field first
        extra.extend_from_slice(&[0x75, 0x70, 8, 0, 1, 0, 0, 0, 0, b'e', b'v', b'l']);
        assert_eq!(unicode_path(&extra), Some(b"evl".to_vec()));
        assert_eq!(unicode_path(&[0x55, 0x54, 1, 0, 0]), None);
    }
}

//! Zip archives (wheels, `git archive --format=zip`), read through the central directory.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::rc::Rc;

use super::budget::{UnpackBudget, Unpacked};
use super::tarball::too_many_entries;
use super::{RawEntry, RawKind, Stop, Visitor};
use crate::limits::{MAX_ARCHIVE_ENTRIES, MAX_SYMLINK_TARGET};

/// Read a zip archive through its central directory.
pub(super) fn read_zip(
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

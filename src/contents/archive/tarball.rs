//! Tar streams (plain, or out of a decompressor), entry by entry through the `tar` crate, which
//! handles GNU long names, pax records and sparse files.

use std::io::{self, Cursor, Read};
use std::rc::Rc;

use super::budget::{UnpackBudget, Unpacked};
use super::{RawEntry, RawKind, Stop, Visitor, read_up_to};
use crate::limits::MAX_ARCHIVE_ENTRIES;

/// Read a tar stream; `Ok(Some)` when it is no tar at all or has too many entries.
pub(super) fn read_tar<R: Read>(
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

pub(super) fn too_many_entries() -> Stop {
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

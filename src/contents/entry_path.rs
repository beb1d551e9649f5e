//! Archive entry paths: turning the bytes an archive stores into a path relative to the archive
//! root, and refusing the ones that would land outside it when extracted.
//!
//! custody never extracts, but a release archive that escapes its root is hostile to everyone who
//! does, so each escape is a failing check of its own.

use crate::limits::{MAX_ARCHIVE_DEPTH, MAX_ARCHIVE_PATH};

/// Why an entry path was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PathProblem {
    /// Starts at the filesystem root (`/etc/passwd`) or a drive (`C:`).
    Absolute,
    /// Has a `..` component.
    Traversal,
    /// Longer than [`MAX_ARCHIVE_PATH`] bytes or deeper than [`MAX_ARCHIVE_DEPTH`] components.
    OverLimit,
    /// Not UTF-8, or holds a NUL byte: no repository path can match it.
    Invalid,
}

/// Normalise an entry path: drop `.` and empty components, refuse absolute paths and `..`.
/// Zip writers on Windows use `\` as separator, so for zip it is one (tar allows it in names).
/// An empty result is the archive root itself (`./`).
pub(crate) fn normalise(raw: &[u8], backslash_separates: bool) -> Result<String, PathProblem> {
    let text = std::str::from_utf8(raw).map_err(|_| PathProblem::Invalid)?;
    if text.contains('\0') {
        return Err(PathProblem::Invalid);
    }
    let text = if backslash_separates {
        text.replace('\\', "/")
    } else {
        text.to_owned()
    };
    let bytes = text.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if text.starts_with('/') || (backslash_separates && drive) {
        return Err(PathProblem::Absolute);
    }
    if text.len() > MAX_ARCHIVE_PATH {
        return Err(PathProblem::OverLimit);
    }
    let mut parts = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(PathProblem::Traversal),
            _ => parts.push(part),
        }
    }
    if parts.len() > MAX_ARCHIVE_DEPTH {
        return Err(PathProblem::OverLimit);
    }
    Ok(parts.join("/"))
}

/// Whether a symlink stored at `entry` (a normalised path) pointing at `target` stays inside the
/// archive root, resolving the target lexically from the link's own directory.
pub(crate) fn symlink_stays_inside(entry: &str, target: &[u8]) -> bool {
    if target.is_empty() || target.starts_with(b"/") {
        return false;
    }
    // Depth of the directory holding the link.
    let mut depth = entry.split('/').count().saturating_sub(1);
    for part in target.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => depth += 1,
        }
    }
    true
}

/// The directory prefixes of a normalised path, shortest first (`a`, `a/b` for `a/b/c`).
pub(crate) fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_dots_and_empty_components() {
        assert_eq!(normalise(b"./a//b/./c", false).unwrap(), "a/b/c");
        assert_eq!(normalise(b"./", false).unwrap(), "");
    }

    #[test]
    fn refuses_escapes() {
        assert_eq!(normalise(b"/etc/passwd", false), Err(PathProblem::Absolute));
        assert_eq!(normalise(b"a/../../x", false), Err(PathProblem::Traversal));
        assert_eq!(normalise(b"a/..", false), Err(PathProblem::Traversal));
        assert_eq!(normalise(b"C:\\x", true), Err(PathProblem::Absolute));
        assert_eq!(
            normalise(b"a\\..\\..\\x", true),
            Err(PathProblem::Traversal)
        );
        // In tar a backslash is an ordinary character.
        assert_eq!(normalise(b"a\\..\\x", false).unwrap(), "a\\..\\x");
        assert_eq!(normalise(b"\xff", false), Err(PathProblem::Invalid));
        let long = "a/".repeat(MAX_ARCHIVE_DEPTH + 1);
        assert_eq!(
            normalise(long.as_bytes(), false),
            Err(PathProblem::OverLimit)
        );
    }

    #[test]
    fn symlinks_inside_and_outside() {
        assert!(symlink_stays_inside("p/a/link", b"../b"));
        assert!(symlink_stays_inside("p/link", b"./x/../y"));
        assert!(!symlink_stays_inside("p/link", b"../../etc"));
        assert!(!symlink_stays_inside("link", b".."));
        assert!(!symlink_stays_inside("p/link", b"/etc/passwd"));
    }

    #[test]
    fn lists_ancestors() {
        assert_eq!(ancestors("a/b/c").collect::<Vec<_>>(), ["a", "a/b"]);
        assert_eq!(ancestors("a").count(), 0);
    }
}

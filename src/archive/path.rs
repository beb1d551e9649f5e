//! Archive entry paths: turning the bytes an archive stores into a path relative to the archive
//! root, and refusing the ones that would land outside it when extracted.
//!
//! custody never extracts, but a release archive that escapes its root is hostile to everyone who
//! does, so each escape is a failing check of its own. Symlinks are judged as an extractor
//! leaves them: resolved one component at a time through every other symlink of the archive,
//! so that `src/l1 -> ..` and `l2 -> src/l1/../..`, each harmless alone, are seen to escape
//! together.

use std::collections::HashMap;

use crate::limits::{MAX_ARCHIVE_DEPTH, MAX_ARCHIVE_PATH, MAX_SYMLINK_HOPS};

/// Why an entry path was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathProblem {
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
pub fn normalise(raw: &[u8], backslash_separates: bool) -> Result<String, PathProblem> {
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

/// Why a symlink's target does not stay inside the archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkEscape {
    /// The target is absolute, or climbs above the root (through other links or not).
    Outside,
    /// Resolving it goes through more than `MAX_SYMLINK_HOPS` links: a loop, or a maze.
    TooManyHops,
}

/// Where a symlink stored at `entry` (a normalised path) pointing at `target` leads once
/// extracted, resolving every component through `links` (normalised path → target, every
/// symlink of the archive) as the filesystem would: the resolved path from the root, or why it
/// leaves the root. A target that names nothing in the archive still resolves (to a dangling
/// path inside it).
pub fn resolve_symlink(
    entry: &str,
    target: &[u8],
    links: &HashMap<String, Vec<u8>>,
) -> Result<String, LinkEscape> {
    let mut hops = 0usize;
    let mut dir: Vec<String> = entry.split('/').map(str::to_owned).collect();
    dir.pop();
    let resolved = walk(dir, target, links, &mut hops)?;
    Ok(resolved.join("/"))
}

/// Apply `target`'s components from directory `at`, expanding every symlink met on the way.
fn walk(
    mut at: Vec<String>,
    target: &[u8],
    links: &HashMap<String, Vec<u8>>,
    hops: &mut usize,
) -> Result<Vec<String>, LinkEscape> {
    if target.is_empty() || target.starts_with(b"/") {
        return Err(LinkEscape::Outside);
    }
    for part in target.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if at.pop().is_none() {
                    return Err(LinkEscape::Outside);
                }
            }
            name => {
                at.push(String::from_utf8_lossy(name).into_owned());
                if let Some(next) = links.get(&at.join("/")) {
                    *hops += 1;
                    if *hops > MAX_SYMLINK_HOPS {
                        return Err(LinkEscape::TooManyHops);
                    }
                    at.pop();
                    at = walk(at, next, links, hops)?;
                }
            }
        }
    }
    Ok(at)
}

/// The directory prefixes of a normalised path, shortest first (`a`, `a/b` for `a/b/c`).
pub fn ancestors(path: &str) -> impl Iterator<Item = &str> {
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

    fn links(pairs: &[(&str, &str)]) -> HashMap<String, Vec<u8>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn symlinks_inside_and_outside() {
        let none = HashMap::new();
        assert_eq!(resolve_symlink("p/a/link", b"../b", &none).unwrap(), "p/b");
        assert_eq!(
            resolve_symlink("p/link", b"./x/../y", &none).unwrap(),
            "p/y"
        );
        assert_eq!(
            resolve_symlink("p/link", b"../../etc", &none),
            Err(LinkEscape::Outside)
        );
        assert_eq!(
            resolve_symlink("link", b"..", &none),
            Err(LinkEscape::Outside)
        );
        assert_eq!(
            resolve_symlink("p/link", b"/etc/passwd", &none),
            Err(LinkEscape::Outside)
        );
    }

    #[test]
    fn chains_of_links_that_each_stay_inside_escape_together() {
        let all = links(&[("src/l1", ".."), ("l2", "src/l1/../..")]);
        assert_eq!(resolve_symlink("src/l1", b"..", &all).unwrap(), "");
        // src/l1 is the root, so src/l1/.. is above it.
        assert_eq!(
            resolve_symlink("l2", b"src/l1/../..", &all),
            Err(LinkEscape::Outside)
        );
        let looping = links(&[("a", "b"), ("b", "a")]);
        assert_eq!(
            resolve_symlink("a", b"b", &looping),
            Err(LinkEscape::TooManyHops)
        );
    }

    #[test]
    fn lists_ancestors() {
        assert_eq!(ancestors("a/b/c").collect::<Vec<_>>(), ["a", "a/b"]);
        assert_eq!(ancestors("a").count(), 0);
    }
}

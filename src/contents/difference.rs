//! How a modified file differs from git: a short unified diff for text, sizes and the first
//! differing byte for anything else. Both are bounded ([`MAX_DIFF_INPUT`], [`MAX_DIFF_LINES`],
//! a time limit on the diff itself), because the archive is hostile input.

use std::time::Duration;

use serde::Serialize;

use crate::limits::{MAX_DIFF_INPUT, MAX_DIFF_LINES};

/// How one modified file differs from the commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Difference {
    /// A unified diff from git's version (`---`) to the archive's (`+++`).
    Text { diff: String, truncated: bool },
    /// Sizes, and the offset of the first byte that differs (the shorter length when one is a
    /// prefix of the other).
    Binary {
        archive_size: u64,
        source_size: u64,
        first_difference: u64,
    },
}

/// Compares an archive entry, fed in chunks as it streams by, with git's bytes.
pub(crate) struct Comparer<'s> {
    source: &'s [u8],
    seen: u64,
    first_difference: Option<u64>,
    kept: Vec<u8>,
    too_large: bool,
}

impl<'s> Comparer<'s> {
    pub fn new(source: &'s [u8]) -> Self {
        Comparer {
            source,
            seen: 0,
            first_difference: None,
            kept: Vec::new(),
            too_large: false,
        }
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        if self.first_difference.is_none() {
            let start = (self.seen as usize).min(self.source.len());
            let theirs = &self.source[start..];
            let common = chunk.len().min(theirs.len());
            if let Some(i) = (0..common).find(|&i| chunk[i] != theirs[i]) {
                self.first_difference = Some(self.seen + i as u64);
            } else if common < chunk.len() {
                self.first_difference = Some(self.seen + common as u64);
            }
        }
        if !self.too_large {
            if self.kept.len() + chunk.len() <= MAX_DIFF_INPUT {
                self.kept.extend_from_slice(chunk);
            } else {
                self.too_large = true;
                self.kept = Vec::new();
            }
        }
        self.seen += chunk.len() as u64;
    }

    /// Describe the difference; `source_name` and `archive_name` head the diff.
    pub fn finish(self, source_name: &str, archive_name: &str) -> Difference {
        let archive_size = self.seen;
        let source_size = self.source.len() as u64;
        let new = (!self.too_large).then(|| as_text(&self.kept)).flatten();
        if let (Some(old), Some(new)) = (as_text(self.source), new) {
            let (diff, truncated) = unified(old, new, source_name, archive_name);
            return Difference::Text { diff, truncated };
        }
        let first_difference = self
            .first_difference
            .unwrap_or(archive_size.min(source_size));
        Difference::Binary {
            archive_size,
            source_size,
            first_difference,
        }
    }
}

/// The bytes as text, when they are small enough to diff, UTF-8, and free of NUL.
fn as_text(b: &[u8]) -> Option<&str> {
    (b.len() <= MAX_DIFF_INPUT && !b.contains(&0))
        .then(|| std::str::from_utf8(b).ok())
        .flatten()
}

/// A unified diff with three lines of context, cut at [`MAX_DIFF_LINES`].
fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> (String, bool) {
    let diff = similar::TextDiff::configure()
        .timeout(Duration::from_millis(500))
        .diff_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("git/{old_name}"), &format!("archive/{new_name}"))
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let truncated = lines.len() > MAX_DIFF_LINES;
    let mut out = lines[..lines.len().min(MAX_DIFF_LINES)].join("\n");
    out.push('\n');
    (out, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(source: &[u8], archive: &[u8]) -> Difference {
        let mut c = Comparer::new(source);
        for chunk in archive.chunks(3) {
            c.feed(chunk);
        }
        c.finish("a", "a")
    }

    #[test]
    fn text_gets_a_unified_diff() {
        let Difference::Text { diff, truncated } = compare(b"one\ntwo\n", b"one\n2\n") else {
            panic!("expected text");
        };
        assert!(!truncated);
        assert!(diff.contains("-two\n+2\n"), "{diff}");
        assert!(diff.starts_with("--- git/a\n+++ archive/a\n"), "{diff}");
    }

    #[test]
    fn binary_gets_sizes_and_offset() {
        assert_eq!(
            compare(b"\0\x01\x02\x03", b"\0\x01\x09\x03\x04"),
            Difference::Binary {
                archive_size: 5,
                source_size: 4,
                first_difference: 2
            }
        );
        assert_eq!(
            compare(b"\0\x01", b"\0\x01\x02"),
            Difference::Binary {
                archive_size: 3,
                source_size: 2,
                first_difference: 2
            }
        );
    }

    #[test]
    fn long_diffs_are_cut() {
        let old: String = (0..500).map(|i| format!("{i}\n")).collect();
        let new: String = (0..500).map(|i| format!("x{i}\n")).collect();
        let Difference::Text { diff, truncated } = compare(old.as_bytes(), new.as_bytes()) else {
            panic!("expected text");
        };
        assert!(truncated);
        assert_eq!(diff.lines().count(), MAX_DIFF_LINES);
    }
}

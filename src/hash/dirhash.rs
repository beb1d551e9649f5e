//! Go's dirhash `h1:` (golang.org/x/mod/sumdb/dirhash `Hash1`), also in-toto's `dirHash`.
//!
//! The summary has one line per file, sorted by name bytes: the hex SHA-256 of the content,
//! two spaces, the name (with the prefix), a newline. `h1:` is the base64 of its SHA-256.
//! Go's `HashDir` follows symlinks; custody never follows one and hashes it as its target
//! text, as git does (Go module zips cannot hold symlinks, so module hashes are unaffected).

use base64::Engine;
use sha2::{Digest, Sha256};

use super::{FileRecord, hex};

/// The `h1:` hash of the records, which are sorted by path and carry their SHA-256.
pub fn hash1(records: &[FileRecord], prefix: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    let named: Vec<(Vec<u8>, [u8; 32])> = records
        .iter()
        .map(|r| {
            let mut name = Vec::new();
            if !prefix.is_empty() {
                name.extend_from_slice(prefix.as_bytes());
                name.push(b'/');
            }
            name.extend_from_slice(r.path.as_bytes());
            (name, r.sha256.expect("dirhash records carry their SHA-256"))
        })
        .collect();
    hash1_of(named.iter().map(|(n, s)| (n.as_slice(), s)))
}

/// The `h1:` hash of (full name, SHA-256) pairs already sorted by name: a Go module zip's
/// files under `module@version/`.
pub fn hash1_of<'a>(files: impl Iterator<Item = (&'a [u8], &'a [u8; 32])>) -> String {
    let mut summary = Sha256::new();
    for (name, sha) in files {
        summary.update(hex(sha).as_bytes());
        summary.update(b"  ");
        summary.update(name);
        summary.update(b"\n");
    }
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(summary.finalize())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::FileKind;
    use crate::walk::RelPath;

    fn record(name: &str, content: &str) -> FileRecord {
        FileRecord {
            path: RelPath::new(name.as_bytes().to_vec()),
            kind: FileKind::Regular { executable: false },
            size: content.len() as u64,
            sha256: Some(Sha256::digest(content.as_bytes()).into()),
            git_sha1: None,
            git_sha256: None,
            stat: None,
            trusted: false,
        }
    }

    /// The summary Go's own `TestHash1` and `TestHashDir` build by hand, and its `h1:`.
    fn go_reference(lines: &[(&str, &str)]) -> String {
        let mut summary = String::new();
        for (name, content) in lines {
            summary.push_str(&format!(
                "{}  {}\n",
                hex(&Sha256::digest(content.as_bytes())),
                name
            ));
        }
        format!(
            "h1:{}",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(summary))
        )
    }

    #[test]
    fn matches_go_test_hash1() {
        // golang.org/x/mod/sumdb/dirhash TestHash1: files "xyz", "abc" with "data for NAME".
        let records = [record("abc", "data for abc"), record("xyz", "data for xyz")];
        let want = go_reference(&[("abc", "data for abc"), ("xyz", "data for xyz")]);
        assert_eq!(hash1(&records, ""), want);
    }

    #[test]
    fn matches_go_test_hash_dir_with_prefix() {
        // TestHashDir: HashDir(dir, "prefix", Hash1) names files "prefix/abc", "prefix/xyz".
        let records = [record("abc", "data for abc"), record("xyz", "data for xyz")];
        let want = go_reference(&[
            ("prefix/abc", "data for abc"),
            ("prefix/xyz", "data for xyz"),
        ]);
        assert_eq!(hash1(&records, "prefix"), want);
        assert_eq!(hash1(&records, "prefix/"), want);
        assert_ne!(hash1(&records, ""), want);
    }

    #[test]
    fn known_value_for_empty_tree() {
        // sha256 of the empty summary, base64.
        assert_eq!(
            hash1(&[], ""),
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}

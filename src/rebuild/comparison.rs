//! The verdict on two artifacts: the same bytes, the same contents with only metadata
//! differences (accepted or not), or different contents, in one `rebuild-reproduced` check.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::Accept;
use super::diff::{self, ArchiveDiff, Class};
use crate::check::Check;

/// How two artifacts compared.
pub struct Comparison {
    /// `identical` (same bytes), `contents` (same member contents, metadata differences
    /// accepted) or `different`.
    pub comparison: &'static str,
    pub rebuilt_sha256: String,
    /// The structural diff, when the bytes differ.
    pub diff: Option<ArchiveDiff>,
    /// `rebuild-reproduced`.
    pub check: Check,
}

/// Compare the published `artifact` (whose SHA-256 is `artifact_sha256`) with `rebuilt`.
pub fn compare(
    artifact: &Path,
    artifact_sha256: &str,
    rebuilt: &Path,
    accept: Accept,
) -> std::io::Result<Comparison> {
    let digest = file_sha256(rebuilt)?;
    if digest == artifact_sha256 {
        return Ok(Comparison {
            comparison: "identical",
            check: Check::pass(
                "rebuild-reproduced",
                format!("bit-for-bit identical: sha256 {digest}"),
            ),
            rebuilt_sha256: digest,
            diff: None,
        });
    }
    let d = diff::compare(artifact, rebuilt)?;
    let content = d.count(Class::Content);
    let metadata = d.count(Class::Metadata);
    let (comparison, check) = if !d.incomplete.is_empty() {
        (
            "different",
            Check::fail(
                "rebuild-reproduced",
                format!(
                    "the artifacts differ and could not be compared in full: {}",
                    d.incomplete.join("; ")
                ),
            ),
        )
    } else if content > 0 {
        let paths: Vec<&str> = d
            .differences
            .iter()
            .filter(|x| x.class == Class::Content)
            .take(5)
            .map(|x| {
                if x.path.is_empty() {
                    "(whole file)"
                } else {
                    x.path.as_str()
                }
            })
            .collect();
        (
            "different",
            Check::fail(
                "rebuild-reproduced",
                format!(
                    "not reproduced: {content} content difference(s) ({}{}) and {metadata} \
                     metadata",
                    paths.join(", "),
                    if content > paths.len() { ", ..." } else { "" }
                ),
            ),
        )
    } else if accept == Accept::Content {
        (
            "contents",
            Check::pass(
                "rebuild-reproduced",
                format!(
                    "contents reproduced: every member identical; {metadata} metadata \
                     difference(s) accepted (accept = \"content\"); the bytes differ"
                ),
            ),
        )
    } else {
        (
            "different",
            Check::fail(
                "rebuild-reproduced",
                format!(
                    "not bit-for-bit: every member's content is identical, but {metadata} \
                     metadata difference(s); accept = \"content\" would accept them"
                ),
            ),
        )
    };
    Ok(Comparison {
        comparison,
        rebuilt_sha256: digest,
        diff: Some(d),
        check,
    })
}

/// SHA-256 of a file, lowercase hex.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; crate::limits::READ_BUFFER];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(crate::hash::hex(&h.finalize()))
}

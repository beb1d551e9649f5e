//! Two artifacts compared: the same bytes, or, when they differ, where (`super::diff`).

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::diff::{self, ArchiveDiff};

/// How two artifacts compared.
pub struct Comparison {
    pub rebuilt_sha256: String,
    /// The structural diff, when the bytes differ.
    pub diff: Option<ArchiveDiff>,
}

/// Compare the published `artifact` (whose SHA-256 is `artifact_sha256`) with `rebuilt`.
pub fn compare(
    artifact: &Path,
    artifact_sha256: &str,
    rebuilt: &Path,
) -> std::io::Result<Comparison> {
    let digest = file_sha256(rebuilt)?;
    let diff = if digest == artifact_sha256 {
        None
    } else {
        Some(diff::compare(artifact, rebuilt)?)
    };
    Ok(Comparison {
        rebuilt_sha256: digest,
        diff,
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

//! Artifacts to verify: files, hashed streaming and in parallel, or `sha256:HEX` digests.
//!
//! Files are read through the tree hasher's reader (one bounded, reused buffer; a FIFO or
//! device is refused without blocking; a file that changes while read is an error).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256, Sha512};

use crate::hash::{ContentSink, FileInfo, ReadError, read_named_file};

/// Why an artifact could not be read at all (custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// `sha256:` followed by something other than 64 hex digits.
    #[error("{text}: a digest artifact must be sha256: followed by 64 hex digits")]
    BadDigest { text: String },
    /// The file does not exist or could not be read.
    #[error("artifact {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A directory, FIFO, socket or device.
    #[error("artifact {path}: not a regular file")]
    NotAFile { path: PathBuf },
}

/// An artifact as the user named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArtifactSpec {
    File(PathBuf),
    /// Lowercase hex SHA-256.
    Sha256(String),
}

impl ArtifactSpec {
    /// `sha256:HEX` is a digest; anything else is a path.
    pub fn parse(text: &str) -> Result<ArtifactSpec, ArtifactError> {
        match text.strip_prefix("sha256:") {
            Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Ok(ArtifactSpec::Sha256(hex.to_ascii_lowercase()))
            }
            Some(_) => Err(ArtifactError::BadDigest {
                text: text.to_owned(),
            }),
            None => Ok(ArtifactSpec::File(PathBuf::from(text))),
        }
    }

    pub fn name(&self) -> String {
        match self {
            ArtifactSpec::File(p) => p.display().to_string(),
            ArtifactSpec::Sha256(hex) => format!("sha256:{hex}"),
        }
    }
}

/// An artifact with its digests (lowercase hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    pub name: String,
    pub sha256: String,
    /// Computed only for files, and only when some subject offers nothing but sha512.
    pub sha512: Option<String>,
}

/// Digest every artifact, in parallel; the result keeps the input order.
pub fn digest_all(
    specs: &[ArtifactSpec],
    with_sha512: bool,
) -> Result<Vec<Artifact>, ArtifactError> {
    specs
        .par_iter()
        .map(|spec| match spec {
            ArtifactSpec::Sha256(hex) => Ok(Artifact {
                name: spec.name(),
                sha256: hex.clone(),
                sha512: None,
            }),
            ArtifactSpec::File(path) => {
                let (sha256, sha512) = digest_file(path, with_sha512)?;
                Ok(Artifact {
                    name: spec.name(),
                    sha256,
                    sha512,
                })
            }
        })
        .collect()
}

/// SHA-256 (and SHA-512 if asked) of one file, read once.
pub fn digest_file(
    path: &Path,
    with_sha512: bool,
) -> Result<(String, Option<String>), ArtifactError> {
    let mut sink = Digests {
        sha256: Sha256::new(),
        sha512: with_sha512.then(Sha512::new),
    };
    read_named_file(path, &mut sink).map_err(|e| match e {
        ReadError::NotRegular => ArtifactError::NotAFile {
            path: path.to_path_buf(),
        },
        ReadError::Io(source) => ArtifactError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => ArtifactError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(other.to_string()),
        },
    })?;
    Ok((
        crate::hash::hex(&sink.sha256.finalize()),
        sink.sha512.map(|h| crate::hash::hex(&h.finalize())),
    ))
}

struct Digests {
    sha256: Sha256,
    sha512: Option<Sha512>,
}

impl ContentSink for Digests {
    fn start(&mut self, _: FileInfo) {}
    fn chunk(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        if let Some(h) = self.sha512.as_mut() {
            h.update(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_specs_are_validated_and_lowercased() {
        let hex = "A0CFC71271D6E278E57CD332FF957C3F7043FDDA354C4CBB190A30D56EFA01BF";
        assert_eq!(
            ArtifactSpec::parse(&format!("sha256:{hex}")).unwrap(),
            ArtifactSpec::Sha256(hex.to_ascii_lowercase())
        );
        assert!(matches!(
            ArtifactSpec::parse("sha256:abc"),
            Err(ArtifactError::BadDigest { .. })
        ));
        assert_eq!(
            ArtifactSpec::parse("dist/a.tgz").unwrap(),
            ArtifactSpec::File("dist/a.tgz".into())
        );
    }

    #[test]
    fn file_digests_match_known_values() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"abc").unwrap();
        let (s256, s512) = digest_file(&p, true).unwrap();
        assert_eq!(
            s256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(s512.unwrap().starts_with("ddaf35a193617aba"));
        assert!(matches!(
            digest_file(dir.path(), false),
            Err(ArtifactError::NotAFile { .. })
        ));
        assert!(matches!(
            digest_file(&dir.path().join("none"), false),
            Err(ArtifactError::Io { .. })
        ));
    }
}

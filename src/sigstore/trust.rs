//! Trusted roots: the Fulcio CAs, Rekor logs, CT logs and timestamp authorities a keyless
//! verification trusts. This is trusted *material*, kept apart from the identity policy.
//!
//! The Sigstore public-good production and staging roots are built in (`roots/`, embedded at
//! build time, never downloaded); any other `trusted_root.json` can be given by path. A root
//! that cannot be parsed or used is an error (custody exits 2), never a failing check.

use std::path::Path;

use crate::limits::MAX_TRUSTED_ROOT_FILE;

const PRODUCTION: &[u8] = include_bytes!("roots/production.json");
const STAGING: &[u8] = include_bytes!("roots/staging.json");

/// Why a trusted root cannot be used (custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustRootError {
    /// The file could not be read.
    #[error("trusted root {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Not a regular file, or larger than [`MAX_TRUSTED_ROOT_FILE`].
    #[error("trusted root {path}: not a regular file of at most {MAX_TRUSTED_ROOT_FILE} bytes")]
    NotARootFile { path: String },
    /// The contents are not a usable trusted root.
    #[error("{name}: invalid trusted root: {reason}")]
    Invalid { name: String, reason: String },
}

/// A parsed, validated trusted root, ready to verify bundles against.
pub struct TrustedRoot {
    name: String,
    pub(super) verifier: sigstore_verify::Verifier,
    /// Fulcio CA certificates (DER) with the window each is trusted in (Unix seconds).
    pub(super) fulcio: Vec<(Vec<u8>, Window)>,
    /// CT logs: log id (SHA-256 of the key), SubjectPublicKeyInfo DER, trusted window.
    pub(super) ct_logs: Vec<([u8; 32], Vec<u8>, Window)>,
    /// The transparency logs' ids, to say which instance a bundle's entry came from.
    pub(super) tlog_ids: Vec<Vec<u8>>,
    /// Which built-in root this is, if it is one.
    pub(super) builtin: Option<Instance>,
}

/// The Sigstore public-good instances whose roots are built in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instance {
    Production,
    Staging,
}

impl Instance {
    /// The other built-in instance's root, and the flag that selects it.
    pub(super) fn other(
        self,
    ) -> (
        Result<TrustedRoot, TrustRootError>,
        &'static str,
        &'static str,
    ) {
        match self {
            Instance::Production => (TrustedRoot::staging(), "staging", "pass --staging"),
            Instance::Staging => (TrustedRoot::production(), "production", "drop --staging"),
        }
    }
}

/// When a piece of trusted material may be relied on: `[start, end]`, end open if `None`.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Window {
    start: Option<i64>,
    end: Option<i64>,
}

impl Window {
    fn of(range: Option<&sigstore_types::TimeRange>) -> Window {
        range.map_or(Window::default(), |r| Window {
            start: Some(r.start.as_second()),
            end: r.end.map(|e| e.as_second()),
        })
    }
    pub(super) fn contains(self, t: i64) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t <= e)
    }
}

impl std::fmt::Debug for TrustedRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedRoot")
            .field("name", &self.name)
            .finish()
    }
}

impl TrustedRoot {
    /// The built-in Sigstore public-good production root.
    pub fn production() -> Result<TrustedRoot, TrustRootError> {
        let mut root =
            TrustedRoot::from_bytes(PRODUCTION, "built-in Sigstore public-good production root")?;
        root.builtin = Some(Instance::Production);
        Ok(root)
    }

    /// The built-in Sigstore public-good staging root.
    pub fn staging() -> Result<TrustedRoot, TrustRootError> {
        let mut root =
            TrustedRoot::from_bytes(STAGING, "built-in Sigstore public-good staging root")?;
        root.builtin = Some(Instance::Staging);
        Ok(root)
    }

    /// A `trusted_root.json` file.
    pub fn from_file(path: &Path) -> Result<TrustedRoot, TrustRootError> {
        let shown = path.display().to_string();
        let io = |source| TrustRootError::Io {
            path: shown.clone(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if !meta.is_file() || meta.len() > MAX_TRUSTED_ROOT_FILE {
            return Err(TrustRootError::NotARootFile { path: shown });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        TrustedRoot::from_bytes(&bytes, &format!("trusted root {shown}"))
    }

    /// Parse and validate a trusted root; `name` says where it came from, for reports.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<TrustedRoot, TrustRootError> {
        let invalid = |reason: String| TrustRootError::Invalid {
            name: name.to_owned(),
            reason,
        };
        let text = std::str::from_utf8(bytes).map_err(|_| invalid("not UTF-8".into()))?;
        let root = sigstore_trust_root::TrustedRoot::from_json(text)
            .map_err(|e| invalid(e.to_string()))?;
        let verifier = sigstore_verify::Verifier::new(&root).map_err(|e| invalid(e.to_string()))?;
        let fulcio = root
            .certificate_authorities
            .iter()
            .flat_map(|ca| {
                let w = Window::of(ca.valid_for.as_ref());
                ca.cert_chain
                    .certificates
                    .iter()
                    .map(move |c| (c.raw_bytes.as_bytes().to_vec(), w))
            })
            .collect();
        let ct_logs = root
            .ctlogs
            .iter()
            .filter_map(|log| {
                let id: [u8; 32] = log.log_id.key_id.as_bytes().try_into().ok()?;
                Some((
                    id,
                    log.public_key.raw_bytes.as_bytes().to_vec(),
                    Window::of(log.public_key.valid_for.as_ref()),
                ))
            })
            .collect();
        let tlog_ids = root
            .tlogs
            .iter()
            .map(|log| log.log_id.key_id.as_bytes().to_vec())
            .collect();
        Ok(TrustedRoot {
            name: name.to_owned(),
            verifier,
            fulcio,
            ct_logs,
            tlog_ids,
            builtin: None,
        })
    }

    /// Where the root came from, e.g. `built-in Sigstore public-good production root`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_roots_parse() {
        assert!(
            TrustedRoot::production()
                .unwrap()
                .name()
                .contains("production")
        );
        assert!(TrustedRoot::staging().unwrap().name().contains("staging"));
    }

    #[test]
    fn garbage_is_an_invalid_root() {
        for bad in [&b"{}"[..], b"not json", b"\xff", b"{\"mediaType\": 1}"] {
            assert!(matches!(
                TrustedRoot::from_bytes(bad, "t"),
                Err(TrustRootError::Invalid { .. })
            ));
        }
    }
}

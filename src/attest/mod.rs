//! Attestation formats: reading files of untrusted evidence into typed, *unverified* data.
//!
//! A file may hold one DSSE envelope, one Sigstore bundle, JSON Lines of either
//! (`.intoto.jsonl`, `gh attestation download`), a PEP 740 attestation, a PyPI provenance
//! document or an npm attestation document. Each piece of evidence found becomes a
//! [`Loaded::Evidence`]; each piece that cannot be understood becomes a [`Loaded::Malformed`]
//! with a stable code. Only a file that cannot be read at all is an `Err`.
//!
//! Nothing here checks a signature: that is `signature`'s job.

pub mod bundle;
pub mod codes;
pub mod dsse;
mod ecosystem;
mod file;
pub mod json;
pub mod oci;
pub mod slsa;
pub mod statement;
pub mod timestamp;

use std::fmt;
use std::path::{Path, PathBuf};

use bundle::{Bundle, BundleVersion, TlogEntry};
use dsse::Envelope;
pub use file::{load, parse_file, read_bounded};

/// Why an attestation file could not be read at all (custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file does not exist or could not be opened or read.
    #[error("bundle {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The path names a FIFO, socket, device or directory, which custody refuses to read.
    #[error("bundle {path}: not a regular file")]
    NotAFile { path: PathBuf },
}

/// Input that was read but is not valid evidence: a stable code and one line saying why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub code: codes::Code,
    pub message: String,
}

impl Malformed {
    pub fn new(code: codes::Code, message: impl Into<String>) -> Self {
        Malformed {
            code,
            message: message.into(),
        }
    }
}

/// Where a piece of evidence came from: a file, and a line (JSON Lines) or an entry number
/// (npm and PyPI documents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub entry: Option<usize>,
}

impl Origin {
    pub(crate) fn file(path: &Path) -> Origin {
        Origin {
            file: path.to_owned(),
            line: None,
            entry: None,
        }
    }
    fn entry(&self, entry: usize) -> Origin {
        Origin {
            entry: Some(entry),
            ..self.clone()
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(entry) = self.entry {
            write!(f, "#{entry}")?;
        }
        Ok(())
    }
}

/// The format a piece of evidence was found in.
#[derive(Clone, Debug, PartialEq)]
pub enum Format {
    /// A bare DSSE envelope (`.intoto.jsonl` lines, `.dsse.json`).
    DsseEnvelope,
    SigstoreBundle(BundleVersion),
    Pep740Attestation,
    /// One attestation of a PyPI provenance document, with its publisher as PyPI states it.
    PypiProvenance {
        publisher: serde_json::Value,
    },
    /// One entry of an npm attestation document, with the predicate type npm lists for it.
    Npm {
        predicate_type: String,
    },
    /// A cosign attestation layer of an OCI image layout, read as the bundle it stands for.
    CosignAttestation,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::DsseEnvelope => f.write_str("DSSE envelope"),
            Format::SigstoreBundle(v) => write!(f, "Sigstore bundle {}", v.as_str()),
            Format::Pep740Attestation => f.write_str("PEP 740 attestation"),
            Format::PypiProvenance { .. } => f.write_str("PyPI provenance attestation"),
            Format::Npm { .. } => f.write_str("npm attestation"),
            Format::CosignAttestation => f.write_str("cosign attestation (OCI layout)"),
        }
    }
}

/// What is signed: a DSSE envelope, or (bundles only) a signature over an artifact's digest.
#[derive(Clone, Debug)]
pub enum Content {
    Envelope(Envelope),
    MessageSignature(MessageSignature),
}

/// A bundle's `messageSignature`: a signature over the artifact itself.
#[derive(Clone, Debug)]
pub struct MessageSignature {
    /// The digest the bundle claims the artifact has; unverified until the signature is.
    pub digest: Option<(HashAlgorithm, Vec<u8>)>,
    pub signature: Vec<u8>,
}

/// The hash algorithms Sigstore message digests use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    pub fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }
}

/// The key material that comes with a signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Material {
    /// A bare DSSE envelope: the key must come from the verifier's keyring.
    None,
    /// A bundle signed with a key; the hint names it but is never trusted.
    PublicKey { hint: Option<String> },
    /// Keyless: a DER leaf certificate (bundle v0.3, PEP 740).
    Certificate(Vec<u8>),
    /// Keyless: a DER certificate chain, leaf first (bundles v0.1, v0.2).
    CertificateChain(Vec<Vec<u8>>),
}

/// One piece of unverified evidence.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub origin: Origin,
    pub format: Format,
    pub content: Content,
    pub material: Material,
    pub tlog_entries: Vec<TlogEntry>,
    pub rfc3161_timestamps: Vec<Vec<u8>>,
    /// The evidence as a Sigstore bundle's JSON text, for the keyless verifier: the bundle as
    /// read, or (PEP 740) the equivalent v0.3 bundle. `None` for bare DSSE envelopes.
    pub bundle_json: Option<String>,
}

impl Evidence {
    fn from_bundle(b: Bundle, origin: Origin, format: Format) -> Evidence {
        Evidence {
            origin,
            format,
            content: b.content,
            material: b.material,
            tlog_entries: b.tlog_entries,
            rfc3161_timestamps: b.rfc3161_timestamps,
            bundle_json: Some(b.json),
        }
    }
}

/// One entry of an attestation file.
#[derive(Clone, Debug)]
pub enum Loaded {
    Evidence(Box<Evidence>),
    Malformed(Origin, Malformed),
}

//! Signature checking: the only layer that can mark evidence verified.
//!
//! A [`Verified`] can only be built inside this module (its fields are private), so code
//! downstream (`policy`, `verify`) cannot be handed something unverified. Evidence is routed by
//! its key material to a [`SignatureVerifier`]: [`keyed::KeyVerifier`] for public keys and bare
//! DSSE envelopes, [`keyless::KeylessVerifier`] for certificates (Sigstore keyless, against a
//! trusted root and the accepted identities).

pub mod codes;
mod keyed;
mod keyless;

use codes::Code;
use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::key::{KeyError, KeyKind, PublicKey};
pub use keyless::KeylessTrust;

use crate::attest::statement::{DigestSet, Statement};
use crate::attest::{Content, Evidence, Format, HashAlgorithm, Material, Origin};
use crate::check::Check;

/// The keys a verification trusts and how many of them must sign.
#[derive(Debug, Default)]
pub struct Keyring {
    keys: Vec<PublicKey>,
    threshold: usize,
}

impl Keyring {
    /// `threshold` distinct keys of `keys` must sign each envelope (at least 1).
    pub fn new(keys: Vec<PublicKey>, threshold: usize) -> Keyring {
        Keyring {
            keys,
            threshold: threshold.max(1),
        }
    }
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }
    pub fn threshold(&self) -> usize {
        self.threshold
    }
}

/// Who signed, and the algorithm that verified: a trusted key (its name and fingerprint), or a
/// keyless certificate (its identity and OIDC issuer). Each field holds what its name says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// A trusted key's name: its file, or the policy's inline key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The trusted key's fingerprint (SHA-256 of its SubjectPublicKeyInfo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyid: Option<String>,
    /// Keyless: the certificate's identity (SAN); null when it has none custody reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Option<String>>,
    /// Keyless: the certificate's OIDC issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Option<String>>,
    pub algorithm: &'static str,
    /// Keyless: the signing certificate's identity, issuer and Fulcio extensions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<serde_json::Value>,
}

impl Signer {
    /// How a report names the signer: the key's name, or the certificate's identity.
    pub fn name(&self) -> &str {
        match (&self.key, &self.identity) {
            (Some(key), _) => key,
            (None, Some(Some(identity))) => identity,
            _ => "(no identity)",
        }
    }
}

/// What a verified signature vouches for.
#[derive(Clone, Debug)]
pub enum Claim {
    /// An in-toto statement (DSSE).
    Statement(Statement),
    /// An artifact digest (a message-signature bundle).
    ArtifactDigest {
        algorithm: HashAlgorithm,
        hex: String,
    },
}

impl Claim {
    /// The one digest a Sigstore log entry binds this claim to: the message digest, or the first
    /// subject's sha256 (else sha512). Binding to *artifacts* is `verify::binding`'s job.
    pub(crate) fn bound_digest(&self) -> Option<(HashAlgorithm, Vec<u8>)> {
        match self {
            Claim::ArtifactDigest { algorithm, hex } => Some((*algorithm, unhex(hex)?)),
            Claim::Statement(s) => s.subjects.iter().find_map(|s| {
                [
                    ("sha256", HashAlgorithm::Sha256),
                    ("sha512", HashAlgorithm::Sha512),
                ]
                .into_iter()
                .find_map(|(name, alg)| Some((alg, unhex(s.digest.0.get(name)?)?)))
            }),
        }
    }
}

use crate::hash::unhex;

/// Proof that a piece of evidence was signed by trusted keys or, keyless, by an accepted signer
/// whose certificate chains to the trusted root. Only this module constructs it.
#[derive(Clone, Debug)]
pub struct Verified {
    origin: Origin,
    format: Format,
    signers: Vec<Signer>,
    claim: Claim,
    /// The verification steps that passed beyond the signature itself (keyless: certificate
    /// chain, SCT, transparency log, timestamps, identity), in the order they ran.
    steps: Vec<Check>,
}

impl Verified {
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
    pub fn format(&self) -> &Format {
        &self.format
    }
    pub fn signers(&self) -> &[Signer] {
        &self.signers
    }
    pub fn claim(&self) -> &Claim {
        &self.claim
    }
    pub fn steps(&self) -> &[Check] {
        &self.steps
    }
    pub fn statement(&self) -> Option<&Statement> {
        match &self.claim {
            Claim::Statement(s) => Some(s),
            Claim::ArtifactDigest { .. } => None,
        }
    }

    /// The digests this evidence vouches for, one set per subject.
    pub fn subjects(&self) -> Vec<(&str, DigestSet)> {
        match &self.claim {
            Claim::Statement(s) => s
                .subjects
                .iter()
                .map(|s| (s.name.as_str(), s.digest.clone()))
                .collect(),
            Claim::ArtifactDigest { algorithm, hex } => {
                vec![(
                    "",
                    DigestSet(BTreeMap::from([(algorithm.name().to_owned(), hex.clone())])),
                )]
            }
        }
    }
}

/// Evidence whose signature did not verify, with the check saying why and the digests it
/// *claims* (unverified, used only to tell which artifact the failure concerns).
#[derive(Clone, Debug)]
pub struct Rejected {
    pub origin: Origin,
    pub check: Check,
    pub claimed: Vec<DigestSet>,
}

impl Rejected {
    fn new(evidence: &Evidence, check: Check) -> Box<Rejected> {
        Box::new(Rejected {
            origin: evidence.origin.clone(),
            check,
            claimed: claimed_subjects(evidence),
        })
    }
}

/// Checks the signatures of one kind of evidence.
///
/// The seam where verification methods plug in: each verifier says which key material it
/// handles, and the first that does decides.
pub trait SignatureVerifier: Send + Sync {
    /// Whether this verifier checks evidence that comes with `material`.
    fn handles(&self, material: &Material) -> bool;
    /// Check the evidence's signatures; `Err` carries a failing or not-performed check.
    fn verify(&self, evidence: &Evidence) -> Result<Verified, Box<Rejected>>;
}

/// Every verifier custody knows, in the order they are asked.
pub struct Verifiers {
    list: Vec<Box<dyn SignatureVerifier>>,
}

impl Verifiers {
    /// Key-based verification with `keyring`, keyless verification with `keyless`; both check
    /// transparency log entries and timestamps against `keyless.root`.
    pub fn new(keyring: Keyring, keyless: KeylessTrust) -> Verifiers {
        Verifiers {
            list: vec![
                Box::new(keyed::KeyVerifier::new(keyring, keyless.root.clone())),
                Box::new(keyless::KeylessVerifier::new(keyless)),
            ],
        }
    }

    /// Route the evidence to the verifier for its key material.
    pub fn verify(&self, evidence: &Evidence) -> Result<Verified, Box<Rejected>> {
        match self.list.iter().find(|v| v.handles(&evidence.material)) {
            Some(v) => v.verify(evidence),
            None => Err(Rejected::new(
                evidence,
                Check::not_performed(
                    Code::UnsupportedKeyMaterial,
                    "no verifier handles this key material",
                ),
            )),
        }
    }
}

/// The subjects an unverified piece of evidence claims, for attributing its failure.
fn claimed_subjects(evidence: &Evidence) -> Vec<DigestSet> {
    match &evidence.content {
        Content::Envelope(e) => Statement::from_slice(&e.payload)
            .map(|s| s.subjects.into_iter().map(|s| s.digest).collect())
            .unwrap_or_default(),
        Content::MessageSignature(m) => m
            .digest
            .iter()
            .map(|(alg, d)| {
                DigestSet(BTreeMap::from([(
                    alg.name().to_owned(),
                    crate::hash::hex(d),
                )]))
            })
            .collect(),
    }
}

//! Key-based verification: bare DSSE envelopes and Sigstore bundles whose verification
//! material is a public key, checked against the user's keyring.
//!
//! Steps, in order, each failing with its own code: a key is available; at least one signature
//! verifies over the DSSE pre-authentication encoding (so a changed payload *or* payloadType
//! fails); enough distinct keys signed; the payload is an in-toto statement.

use super::codes::Code;
use crate::sigstore::codes::Code as Sigstore;
use aws_lc_rs::digest;

use super::{Claim, Keyring, PublicKey, Rejected, SignatureVerifier, Signer, Verified};
use crate::attest::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::attest::statement::Statement;
use crate::attest::{Content, Evidence, HashAlgorithm, Material, MessageSignature};
use std::sync::Arc;

use crate::check::Check;
use crate::sigstore::{TrustedRoot, verify_key_bundle};

pub struct KeyVerifier {
    keyring: Keyring,
    /// For the log entries and timestamps a key-signed Sigstore bundle carries.
    root: Arc<TrustedRoot>,
}

impl KeyVerifier {
    pub fn new(keyring: Keyring, root: Arc<TrustedRoot>) -> KeyVerifier {
        KeyVerifier { keyring, root }
    }

    /// A key-signed bundle's transparency log entries and RFC 3161 timestamps: none is
    /// required (the key is trusted directly), but every one present must verify against the
    /// trusted root.
    fn bundle_steps(&self, evidence: &Evidence, v: &mut Verified) -> Result<(), Box<Rejected>> {
        let Some(json) = &evidence.bundle_json else {
            return Ok(());
        };
        if evidence.tlog_entries.is_empty() && evidence.rfc3161_timestamps.is_empty() {
            return Ok(());
        }
        let key = v.signers.first().and_then(|s| {
            self.keyring
                .keys()
                .iter()
                .find(|k| s.keyid.as_deref() == Some(k.keyid()))
        });
        let (Some(key), Some(digest)) = (key, v.claim.bound_digest()) else {
            return Err(Rejected::new(
                evidence,
                Check::not_performed(
                    Code::MessageSignatureNotCheckable,
                    format!(
                        "{}: the bundle's log entries cannot be checked without a signed digest",
                        evidence.origin
                    ),
                ),
            ));
        };
        let steps = verify_key_bundle(&self.root, json, (digest.0, &digest.1), key.spki_der())
            .map_err(|c| {
                Rejected::new(
                    evidence,
                    Check {
                        message: format!("{}: {}", evidence.origin, c.message),
                        ..c
                    },
                )
            })?;
        v.steps.extend(steps.into_iter().map(|c| Check {
            message: format!("{}: {}", evidence.origin, c.message),
            ..c
        }));
        Ok(())
    }

    /// Keys in the order to try them: those the hint names first. The hint never decides trust;
    /// it only saves work.
    fn ordered(&self, hint: Option<&str>) -> Vec<&PublicKey> {
        let mut keys: Vec<&PublicKey> = self.keyring.keys().iter().collect();
        if let Some(h) = hint {
            keys.sort_by_key(|k| !k.matches_hint(h));
        }
        keys
    }

    fn verify_envelope(
        &self,
        evidence: &Evidence,
        env: &Envelope,
        hint: Option<&str>,
    ) -> Result<Verified, Box<Rejected>> {
        let pae = env.pae();
        let mut signers: Vec<Signer> = Vec::new();
        for sig in &env.signatures {
            let hint = sig.keyid.as_deref().or(hint);
            for k in self.ordered(hint) {
                if signers
                    .iter()
                    .any(|s| s.keyid.as_deref() == Some(k.keyid()))
                {
                    continue;
                }
                if let Some(algorithm) = k.verify(&pae, &sig.sig) {
                    signers.push(signer(k, algorithm));
                    break;
                }
            }
        }
        self.enough(evidence, &signers)?;
        if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
            let msg = format!(
                "{}: payloadType {:?} is not {IN_TOTO_PAYLOAD_TYPE}",
                evidence.origin, env.payload_type
            );
            return Err(Rejected::new(
                evidence,
                Check::fail(Code::UnsupportedPayloadType, msg),
            ));
        }
        let statement = Statement::from_slice(&env.payload).map_err(|m| {
            Rejected::new(
                evidence,
                Check::fail(m.code, format!("{}: {}", evidence.origin, m.message)),
            )
        })?;
        Ok(Verified {
            origin: evidence.origin.clone(),
            format: evidence.format.clone(),
            signers,
            claim: Claim::Statement(statement),
            steps: Vec::new(),
        })
    }

    fn verify_message(
        &self,
        evidence: &Evidence,
        m: &MessageSignature,
        hint: Option<&str>,
    ) -> Result<Verified, Box<Rejected>> {
        let Some((algorithm, bytes)) = &m.digest else {
            let msg = format!(
                "{}: message signature without messageDigest",
                evidence.origin
            );
            return Err(Rejected::new(
                evidence,
                Check::not_performed(Code::MessageSignatureNotCheckable, msg),
            ));
        };
        let alg: &'static digest::Algorithm = match algorithm {
            HashAlgorithm::Sha256 => &digest::SHA256,
            HashAlgorithm::Sha384 => &digest::SHA384,
            HashAlgorithm::Sha512 => &digest::SHA512,
        };
        let keys = self.ordered(hint);
        if keys.iter().all(|k| !k.signs_digests()) {
            let msg = format!(
                "{}: message signatures cover a digest, which Ed25519 keys cannot check",
                evidence.origin
            );
            return Err(Rejected::new(
                evidence,
                Check::not_performed(Code::MessageSignatureNotCheckable, msg),
            ));
        }
        let signers: Vec<Signer> = keys
            .into_iter()
            .filter_map(|k| {
                k.verify_digest(alg, bytes, &m.signature)
                    .map(|a| signer(k, a))
            })
            .take(1)
            .collect();
        self.enough(evidence, &signers)?;
        Ok(Verified {
            origin: evidence.origin.clone(),
            format: evidence.format.clone(),
            signers,
            claim: Claim::ArtifactDigest {
                algorithm: *algorithm,
                hex: crate::hash::hex(bytes),
            },
            steps: Vec::new(),
        })
    }

    /// At least one signature, and at least the threshold of distinct keys.
    fn enough(&self, evidence: &Evidence, signers: &[Signer]) -> Result<(), Box<Rejected>> {
        let n = self.keyring.keys().len();
        if signers.is_empty() {
            let msg = format!(
                "{}: no signature verifies with the {n} trusted key{} (wrong key, or the payload or payloadType was changed)",
                evidence.origin,
                if n == 1 { "" } else { "s" }
            );
            return Err(Rejected::new(
                evidence,
                Check::fail(Sigstore::SignatureInvalid, msg),
            ));
        }
        let t = self.keyring.threshold();
        if signers.len() < t {
            let msg = format!(
                "{}: {} distinct trusted key{} signed, the threshold is {t}",
                evidence.origin,
                signers.len(),
                if signers.len() == 1 { "" } else { "s" }
            );
            return Err(Rejected::new(
                evidence,
                Check::fail(Code::ThresholdNotMet, msg),
            ));
        }
        Ok(())
    }
}

fn signer(k: &PublicKey, algorithm: &'static str) -> Signer {
    Signer {
        key: Some(k.name().to_owned()),
        keyid: Some(k.keyid().to_owned()),
        identity: None,
        issuer: None,
        algorithm,
        certificate: None,
    }
}

impl SignatureVerifier for KeyVerifier {
    fn handles(&self, material: &Material) -> bool {
        matches!(material, Material::None | Material::PublicKey { .. })
    }

    fn verify(&self, evidence: &Evidence) -> Result<Verified, Box<Rejected>> {
        if self.keyring.keys().is_empty() {
            let msg = format!(
                "{}: {} signed with a key, but no key was given (--key or the policy's [signatures] keys)",
                evidence.origin, evidence.format
            );
            return Err(Rejected::new(
                evidence,
                Check::fail(Code::NoTrustedKey, msg),
            ));
        }
        let hint = match &evidence.material {
            Material::PublicKey { hint } => hint.as_deref(),
            _ => None,
        };
        let mut v = match &evidence.content {
            Content::Envelope(env) => self.verify_envelope(evidence, env, hint),
            Content::MessageSignature(m) => self.verify_message(evidence, m, hint),
        }?;
        self.bundle_steps(evidence, &mut v)?;
        Ok(v)
    }
}

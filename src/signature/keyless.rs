//! Keyless evidence: a Fulcio certificate, Rekor entries, RFC 3161 timestamps.
//!
//! Steps, in the order of the Sigstore client specification: the bundle's cryptography against
//! the trusted root (`sigstore::verify_bundle`: times, chain, SCT, log proofs, signature, entry
//! consistency), then the signer's identity against the accepted identities. Only when both
//! hold does the evidence become [`Verified`]. With no identity given, keyless evidence fails:
//! there is no "any signer" default.

use super::codes::Code;
use crate::sigstore::codes::Code as Sigstore;
use std::sync::Arc;

use super::{Claim, Rejected, SignatureVerifier, Signer, Verified};
use crate::attest::dsse::IN_TOTO_PAYLOAD_TYPE;
use crate::attest::statement::Statement;
use crate::attest::{Content, Evidence, HashAlgorithm, Material};
use crate::check::Check;
use crate::sigstore::{
    BundleOutcome, CertificateFacts, Identity, TrustedRoot, verify_bundle, verify_unlogged,
};

/// What keyless verification trusts, and whom it accepts.
#[derive(Debug)]
pub struct KeylessTrust {
    pub root: Arc<TrustedRoot>,
    /// Accepted signers; any one suffices. Empty: keyless evidence fails.
    pub identities: Vec<Identity>,
    /// Accept keyless evidence that has no transparency log entry (bare DSSE envelopes).
    pub dangerous_accept_unlogged: bool,
    /// The log entries and signed timestamps a bundle needs.
    pub time_sources: crate::policy::TimeSources,
}

pub struct KeylessVerifier {
    trust: KeylessTrust,
}

impl KeylessVerifier {
    pub fn new(trust: KeylessTrust) -> KeylessVerifier {
        KeylessVerifier { trust }
    }

    /// A bare DSSE envelope whose signature carries a certificate: no log entry, no timestamp.
    fn unlogged(&self, evidence: &Evidence) -> Result<BundleOutcome, Check> {
        let (Content::Envelope(env), Material::Certificate(cert)) =
            (&evidence.content, &evidence.material)
        else {
            return Err(Check::fail(
                Sigstore::KeylessBundleInvalid,
                "bundle structure: keyless evidence without a bundle must be a DSSE envelope",
            ));
        };
        let sigs: Vec<&[u8]> = env
            .signatures
            .iter()
            .filter(|s| s.cert.as_ref() == Some(cert))
            .map(|s| s.sig.as_slice())
            .collect();
        verify_unlogged(&self.trust.root, cert, &env.pae(), &sigs)
    }

    /// The identity step: which accepted identity the certificate matches.
    fn identity(&self, evidence: &Evidence, cert: &CertificateFacts) -> Result<Check, Check> {
        let who = format!(
            "identity {} from issuer {}",
            show(cert.identity.as_deref()),
            show(cert.issuer.as_deref())
        );
        if self.trust.identities.is_empty() {
            return Err(Check::fail(
                Sigstore::IdentityNotSpecified,
                format!(
                    "{}: step 3 (identity): signed keyless by {who}, but no identity was given: pass \
                     --certificate-identity and --certificate-oidc-issuer (or -regexp), --builder-id, \
                     or [[signatures.identities]] in a policy",
                    evidence.origin
                ),
            ));
        }
        let mut reasons = Vec::new();
        for id in &self.trust.identities {
            match id.check(cert) {
                Ok(()) if id.dangerous_any_identity => {
                    return Ok(Check::pass(
                        Sigstore::IdentityMatched,
                        format!(
                            "{}: signed by {who}; DANGEROUS: dangerous-any-identity accepted this signer without checking who it is",
                            evidence.origin
                        ),
                    ));
                }
                Ok(()) => {
                    return Ok(Check::pass(
                        Sigstore::IdentityMatched,
                        format!("{}: signed by {who}, accepted as {id}", evidence.origin),
                    ));
                }
                Err(reason) => reasons.push(reason),
            }
        }
        Err(Check::fail(
            Sigstore::IdentityMismatch,
            format!(
                "{}: step 3 (identity): signed by {who}, which no accepted identity matches: {}",
                evidence.origin,
                reasons.join("; ")
            ),
        ))
    }
}

impl SignatureVerifier for KeylessVerifier {
    fn handles(&self, material: &Material) -> bool {
        matches!(
            material,
            Material::Certificate(_) | Material::CertificateChain(_)
        )
    }

    fn verify(&self, evidence: &Evidence) -> Result<Verified, Box<Rejected>> {
        let reject = |check: Check| Rejected::new(evidence, check);
        let (claim, digest) = claim_of(evidence).map_err(reject)?;
        let located = |c: Check| {
            reject(Check {
                message: format!("{}: {}", evidence.origin, c.message),
                ..c
            })
        };
        let (mut outcome, logged) = match &evidence.bundle_json {
            Some(json) => (
                verify_bundle(
                    &self.trust.root,
                    json,
                    (digest.0, &digest.1),
                    self.trust.time_sources,
                )
                .map_err(located)?,
                true,
            ),
            None => (self.unlogged(evidence).map_err(located)?, false),
        };
        let identity = self
            .identity(evidence, &outcome.certificate)
            .map_err(reject)?;
        if !logged {
            if !self.trust.dangerous_accept_unlogged {
                return Err(reject(Check::not_performed(
                    Sigstore::TlogNotPerformed,
                    format!(
                        "{}: step 4 (transparency log): not performed: the envelope is signed with a Fulcio \
                         certificate but has no transparency log entry, so custody cannot show the signature was \
                         logged (certificate chain, SCT, signature and identity did verify); a policy may accept \
                         this with [signatures] dangerous-accept-unlogged = true",
                        evidence.origin
                    ),
                )));
            }
            outcome.steps.push(Check::pass(
                Sigstore::TlogAbsenceAccepted,
                "transparency log: NOT performed (no log entry); accepted by the policy's \
                 dangerous-accept-unlogged",
            ));
        }
        let mut steps: Vec<Check> = outcome
            .steps
            .into_iter()
            .map(|c| Check {
                message: format!("{}: {}", evidence.origin, c.message),
                ..c
            })
            .collect();
        steps.push(identity);
        let cert = &outcome.certificate;
        Ok(Verified {
            origin: evidence.origin.clone(),
            format: evidence.format.clone(),
            signers: vec![Signer {
                key: None,
                keyid: None,
                identity: Some(cert.identity.clone()),
                issuer: Some(cert.issuer.clone()),
                algorithm: "sigstore-keyless",
                certificate: Some(cert.to_json()),
            }],
            claim,
            steps,
        })
    }
}

/// What the signed content claims, and the digest sigstore-verify is to bind it to.
fn claim_of(evidence: &Evidence) -> Result<(Claim, (HashAlgorithm, Vec<u8>)), Check> {
    match &evidence.content {
        Content::Envelope(env) => {
            if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
                return Err(Check::fail(
                    Code::UnsupportedPayloadType,
                    format!(
                        "{}: payloadType {:?} is not {IN_TOTO_PAYLOAD_TYPE}",
                        evidence.origin, env.payload_type
                    ),
                ));
            }
            let statement = Statement::from_slice(&env.payload)
                .map_err(|m| Check::fail(m.code, format!("{}: {}", evidence.origin, m.message)))?;
            let claim = Claim::Statement(statement);
            let digest = claim.bound_digest().ok_or_else(|| {
                Check::fail(
                    Code::UnsupportedPayloadType,
                    format!(
                        "{}: the statement names no subject by a sha256 or sha512 digest",
                        evidence.origin
                    ),
                )
            })?;
            Ok((claim, digest))
        }
        Content::MessageSignature(m) => {
            let Some((algorithm, bytes)) = &m.digest else {
                return Err(Check::not_performed(
                    Code::MessageSignatureNotCheckable,
                    format!(
                        "{}: message signature without messageDigest",
                        evidence.origin
                    ),
                ));
            };
            Ok((
                Claim::ArtifactDigest {
                    algorithm: *algorithm,
                    hex: crate::hash::hex(bytes),
                },
                (*algorithm, bytes.clone()),
            ))
        }
    }
}

fn show(v: Option<&str>) -> String {
    v.map_or_else(|| "(none)".to_owned(), str::to_owned)
}

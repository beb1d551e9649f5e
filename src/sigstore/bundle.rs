//! Verifying one keyless Sigstore bundle against a [`TrustedRoot`], in the order of the
//! Sigstore client specification (sigstore-go's `pkg/verify`):
//!
//! 0. establish verified signing times (RFC 3161 timestamps against the root's TSAs; Rekor v1
//!    integrated times authenticated by a signed entry timestamp);
//! 1. the certificate chains to a Fulcio CA of the root and is valid at every verified time;
//! 2. its embedded SCT verifies against the root's CT logs;
//! 3. (identity: custody's own step, in `signature::keyless`, against [`super::Identity`]);
//! 4. the Rekor inclusion proof and the signed checkpoint (v1 and v2 logs);
//! 5. the inclusion promise (signed entry timestamp), when present;
//! 6. the integrated time lies within the certificate's validity;
//! 7. the signature over the DSSE envelope or the artifact digest;
//! 8. the log entry body (hashedrekord 0.0.1/0.0.2, intoto 0.0.2, dsse 0.0.1) describes this
//!    bundle's signature, key and content.
//!
//! The cryptography is sigstore-verify's (`=0.15.1`); this file maps its outcome onto custody
//! checks, one code per step, and never lets its types escape. Binding the signed content to
//! an artifact is custody's own later step (`verify::binding`), so the "artifact" handed to
//! sigstore-verify is the digest the signed content itself claims.

use super::codes::Code;
use sigstore_verify::bundle::Error as BundleError;
use sigstore_verify::{CertificateError, Error, TimestampError, TransparencyLogError};

use super::TrustedRoot;
use super::certificate::CertificateFacts;
use crate::attest::HashAlgorithm;
use crate::check::Check;
use crate::policy::TimeSources;

/// What a keyless bundle was verified to be.
#[derive(Clone, Debug)]
pub struct BundleOutcome {
    pub certificate: CertificateFacts,
    /// One passing check per verified step, in spec order.
    pub steps: Vec<Check>,
}

/// Verify `bundle` (the bundle's JSON text) whose signed content claims `digest`.
///
/// `Err` is the failing check of the first step that failed.
pub fn verify_bundle(
    root: &TrustedRoot,
    bundle: &str,
    digest: (HashAlgorithm, &[u8]),
    time: TimeSources,
) -> Result<BundleOutcome, Check> {
    let parsed = sigstore_types::Bundle::from_json(bundle).map_err(|e| {
        Check::fail(
            Code::KeylessBundleInvalid,
            format!("bundle structure: the bundle is not a valid Sigstore bundle: {e}"),
        )
    })?;
    let artifact = artifact_digest(digest)?;
    let unlogged = parsed.verification_material.tlog_entries.is_empty();
    let signed_timestamps = parsed
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps
        .len();
    if unlogged && time.log_entries > 0 {
        return Err(Check::not_performed(
            Code::TlogNotPerformed,
            "step 4 (transparency log): not performed: the bundle has no transparency log entry; \
             a policy may accept bundles whose signing time RFC 3161 timestamps establish instead, \
             with [signatures] transparency-log-threshold = 0 and signed-timestamp-threshold = 1",
        ));
    }
    if signed_timestamps < time.signed_timestamps {
        return Err(Check::fail(
            Code::TimestampThresholdNotMet,
            format!(
                "step 0 (signing time): the bundle has {signed_timestamps} RFC 3161 timestamp(s); \
                 the policy's signed-timestamp-threshold needs {}",
                time.signed_timestamps
            ),
        ));
    }
    // Identity is judged by custody against its own policy (whole-match regexes, extensions),
    // so sigstore-verify is asked for the cryptographic steps only. The log step is skipped only
    // for a bundle that has no entry, under a policy that accepts signed timestamps instead:
    // there is nothing to prove included, and the timestamps (all verified, or the bundle
    // fails) give the time the certificate is checked at.
    let mut policy = sigstore_verify::VerificationPolicy::any_identity();
    if unlogged {
        policy = policy.skip_tlog_unsafe();
    }
    let result = root
        .verifier
        .verify(artifact, &parsed, &policy)
        .map_err(|e| other_instance_hint(step_failure(e), root, &parsed))?;
    let Some(info) = result.certificate() else {
        return Err(Check::fail(
            Code::KeylessBundleInvalid,
            "bundle structure: the bundle has no signing certificate",
        ));
    };
    // Never report a step as passed that the library did not say it performed.
    let mut steps = Vec::new();
    let times: Vec<String> = result
        .verified_timestamps()
        .iter()
        .map(|t| t.to_string())
        .collect();
    let leaf = match &parsed.verification_material.content {
        sigstore_types::bundle::VerificationMaterialContent::Certificate(c) => {
            c.raw_bytes.as_bytes()
        }
        sigstore_types::bundle::VerificationMaterialContent::X509CertificateChain {
            certificates,
        } => certificates
            .first()
            .map_or(&[][..], |c| c.raw_bytes.as_bytes()),
        _ => &[],
    };
    let facts = CertificateFacts::from_certificate(info, leaf);
    steps.push(performed(
        result.certificate_verified(),
        Code::CertificateChainVerified,
        format!(
            "certificate chain: chains to a Fulcio CA of the {} and was valid at the verified signing time{} {}",
            root.name(),
            if times.len() == 1 { "" } else { "s" },
            times.join(", ")
        ),
    ));
    steps.push(performed(
        result.sct_verified(),
        Code::SctVerified,
        "SCT: the certificate's signed certificate timestamp verifies against a trusted CT log",
    ));
    let entries = &parsed.verification_material.tlog_entries;
    steps.extend(timestamp_step(&parsed, root));
    let described: Vec<String> = entries
        .iter()
        .map(|e| {
            let set = if e.inclusion_promise.is_some() {
                ", signed entry timestamp"
            } else {
                ""
            };
            format!(
                "{:?} entry {} (inclusion proof, checkpoint{set}, body consistent with the bundle)",
                e.kind_version, e.log_index
            )
        })
        .collect();
    if unlogged {
        steps.push(Check::pass(
            Code::TlogAbsenceAccepted,
            format!(
                "transparency log: NOT performed (the bundle has no log entry); accepted by the \
                 policy's transparency-log-threshold = 0, with {signed_timestamps} verified RFC 3161 \
                 timestamp(s) establishing the signing time"
            ),
        ));
    } else {
        steps.push(performed(
            result.tlog_verified(),
            Code::TlogVerified,
            format!("transparency log: {}", described.join("; ")),
        ));
    }
    Ok(BundleOutcome {
        certificate: facts,
        steps,
    })
}

/// Verify the transparency log entries and RFC 3161 timestamps of a bundle signed with a managed
/// key (`spki`, already trusted by the caller), whose signed content claims `digest`. The
/// signature is checked again here, as part of the entry's consistency.
pub fn verify_key_bundle(
    root: &TrustedRoot,
    bundle: &str,
    digest: (HashAlgorithm, &[u8]),
    spki: &[u8],
) -> Result<Vec<Check>, Check> {
    let parsed = sigstore_types::Bundle::from_json(bundle).map_err(|e| {
        Check::fail(
            Code::KeylessBundleInvalid,
            format!("bundle structure: the bundle is not a valid Sigstore bundle: {e}"),
        )
    })?;
    let artifact = artifact_digest(digest)?;
    let policy = sigstore_verify::PublicKeyVerificationPolicy::new(
        sigstore_types::DerPublicKey::from(spki.to_vec()),
    );
    let result = root
        .verifier
        .verify(artifact, &parsed, &policy)
        .map_err(|e| other_instance_hint(step_failure(e), root, &parsed))?;
    let mut steps = Vec::new();
    steps.extend(timestamp_step(&parsed, root));
    let entries = parsed.verification_material.tlog_entries.len();
    if entries > 0 {
        steps.push(performed(
            result.tlog_verified(),
            Code::TlogVerified,
            format!(
                "transparency log: {entries} entr{} proven included in a log of the {} and consistent with the bundle",
                if entries == 1 { "y" } else { "ies" },
                root.name()
            ),
        ));
    }
    Ok(steps)
}

fn artifact_digest(
    digest: (HashAlgorithm, &[u8]),
) -> Result<sigstore_types::ArtifactDigest, Check> {
    let algorithm = match digest.0 {
        HashAlgorithm::Sha256 => sigstore_types::HashAlgorithm::Sha2256,
        HashAlgorithm::Sha384 => sigstore_types::HashAlgorithm::Sha2384,
        HashAlgorithm::Sha512 => sigstore_types::HashAlgorithm::Sha2512,
    };
    sigstore_types::ArtifactDigest::new(algorithm, digest.1.to_vec())
        .map_err(|e| Check::fail(Code::KeylessBundleInvalid, format!("bundle digest: {e}")))
}

/// The RFC 3161 step of a bundle that verified: sigstore-verify refuses a bundle whose
/// timestamps do not verify, so any it carries were checked.
fn timestamp_step(parsed: &sigstore_types::Bundle, root: &TrustedRoot) -> Option<Check> {
    let tsa = parsed
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps
        .len();
    (tsa > 0).then(|| {
        Check::pass(
            Code::TimestampVerified,
            format!(
                "RFC 3161: {tsa} timestamp(s) verify against the {}'s timestamp authorities",
                root.name()
            ),
        )
    })
}

/// A failure verified against one built-in root, of a bundle whose log entries the other
/// built-in root's logs wrote, says so and names the flag that picks the right root.
fn other_instance_hint(check: Check, root: &TrustedRoot, bundle: &sigstore_types::Bundle) -> Check {
    let Some(instance) = root.builtin else {
        return check;
    };
    let ids: Vec<&[u8]> = bundle
        .verification_material
        .tlog_entries
        .iter()
        .map(|e| e.log_id.key_id.as_bytes())
        .collect();
    if ids.is_empty() || ids.iter().any(|id| root.tlog_ids.iter().any(|t| t == id)) {
        return check;
    }
    let (other, name, flag) = instance.other();
    let Ok(other) = other else {
        return check;
    };
    if !ids.iter().all(|id| other.tlog_ids.iter().any(|t| t == id)) {
        return check;
    }
    Check {
        message: format!(
            "{}; the bundle's log entry was written by the Sigstore {name} instance's log, which \
             the {} does not hold: {flag} to verify it against the {name} root",
            check.message,
            root.name()
        ),
        ..check
    }
}

fn performed(done: bool, code: Code, message: impl Into<String>) -> Check {
    if done {
        Check::pass(code, message)
    } else {
        Check::not_performed(code, message)
    }
}

/// The failing check for a sigstore-verify error, named by its step.
fn step_failure(e: Error) -> Check {
    let (code, step) = match &e {
        Error::Certificate(c) => match c {
            CertificateError::NotYetValid { .. } | CertificateError::Expired { .. } => (
                Code::CertificateNotValidAtSigningTime,
                "step 1 (certificate validity)",
            ),
            CertificateError::Sct(_) => (Code::SctInvalid, "step 2 (SCT)"),
            _ => (Code::CertificateChainInvalid, "step 1 (certificate chain)"),
        },
        Error::TransparencyLog(t) => match t {
            TransparencyLogError::UnknownLog { .. } => {
                (Code::TlogUnknownLog, "step 4 (transparency log key)")
            }
            TransparencyLogError::InclusionProof(_) => {
                (Code::TlogInclusionProofInvalid, "step 4 (inclusion proof)")
            }
            TransparencyLogError::Checkpoint(_) => {
                (Code::TlogCheckpointInvalid, "step 4 (checkpoint)")
            }
            TransparencyLogError::InclusionPromise(_) => {
                (Code::TlogSetInvalid, "step 5 (signed entry timestamp)")
            }
            TransparencyLogError::IntegratedTime(_) => {
                (Code::TlogIntegratedTimeInvalid, "step 6 (integrated time)")
            }
            TransparencyLogError::EntryMismatch(_) => {
                (Code::TlogEntryMismatch, "step 8 (log entry consistency)")
            }
            _ => (Code::TlogEntryMismatch, "step 8 (log entry)"),
        },
        Error::Timestamp(t) => match t {
            TimestampError::Invalid(_) | TimestampError::OutsideAuthorityValidity { .. } => {
                (Code::TimestampInvalid, "step 0 (RFC 3161 timestamp)")
            }
            _ => (Code::NoVerifiedTime, "step 0 (signing time)"),
        },
        Error::SignatureInvalid(_) => (Code::SignatureInvalid, "step 7 (signature)"),
        Error::ArtifactMismatch(_) => (Code::TlogEntryMismatch, "step 8 (content consistency)"),
        Error::IdentityMismatch { .. } | Error::IssuerMismatch { .. } => {
            (Code::IdentityMismatch, "step 3 (identity)")
        }
        Error::Bundle(b) => match b {
            BundleError::CheckpointRootMismatch | BundleError::LogIndexOutOfRange { .. } => {
                (Code::TlogInclusionProofInvalid, "step 4 (inclusion proof)")
            }
            BundleError::MissingInclusionProof(_) => (
                Code::TlogInclusionProofInvalid,
                "step 4 (inclusion proof missing)",
            ),
            BundleError::MissingCheckpoint => {
                (Code::TlogCheckpointInvalid, "step 4 (checkpoint missing)")
            }
            BundleError::MissingInclusionPromise(_) => (
                Code::TlogSetInvalid,
                "step 5 (signed entry timestamp missing)",
            ),
            BundleError::MissingSigningTimeEvidence | BundleError::MissingTimestamp => {
                (Code::NoVerifiedTime, "step 0 (signing time)")
            }
            _ => (Code::KeylessBundleInvalid, "bundle structure"),
        },
        Error::InvalidTrustRoot(_) | Error::TrustRoot(_) | Error::TrustedCertificate(_) => {
            (Code::TrustedRootUnusable, "trusted root")
        }
        _ => (Code::KeylessBundleInvalid, "bundle structure"),
    };
    Check::fail(code, format!("{step}: {e}"))
}

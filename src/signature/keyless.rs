//! Keyless evidence (a Fulcio certificate, Rekor entries, timestamps).
//!
//! Verifying it needs a trusted root, the certificate chain, transparency log proofs and an
//! identity policy; that arrives with the keyless verifier. Until then this verifier claims
//! keyless material so that it is reported as *not performed* — which fails the artifact —
//! instead of falling through to anything that could pass it.

use super::codes::KEYLESS_NOT_SUPPORTED;
use super::{Rejected, SignatureVerifier, Verified};
use crate::attest::{Evidence, Material};
use crate::check::Check;

pub struct KeylessVerifier;

impl SignatureVerifier for KeylessVerifier {
    fn handles(&self, material: &Material) -> bool {
        matches!(
            material,
            Material::Certificate(_) | Material::CertificateChain(_)
        )
    }

    fn verify(&self, evidence: &Evidence) -> Result<Verified, Box<Rejected>> {
        let msg = format!(
            "{}: {} is signed keyless (certificate); keyless verification is not available in this build, so it was not checked",
            evidence.origin, evidence.format
        );
        Err(Rejected::new(
            evidence,
            Check::not_performed(KEYLESS_NOT_SUPPORTED, msg),
        ))
    }
}

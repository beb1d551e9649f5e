//! What was verified about an artifact, for the report's `details["verified"]`: per piece of
//! evidence, where it came from, who signed it, its predicate type, and (for SLSA provenance)
//! builder, build type, source and build time. Facts are reported whether or not a policy
//! judges them.

use serde_json::{Value, json};

use crate::attest::slsa::Provenance;
use crate::signature::{Claim, Verified};

/// One JSON object describing `v`, which matched the artifact through subject `subject`.
pub fn describe(v: &Verified, subject: &str) -> Value {
    let mut facts = json!({
        "attestation": v.origin().to_string(),
        "format": v.format().to_string(),
        "signers": v.signers(),
    });
    let obj = facts.as_object_mut().expect("a JSON object literal");
    if !subject.is_empty() {
        obj.insert("subject".into(), subject.into());
    }
    match v.claim() {
        Claim::ArtifactDigest { algorithm, .. } => {
            obj.insert("message_signature".into(), algorithm.name().into());
        }
        Claim::Statement(s) => {
            obj.insert("predicate_type".into(), s.predicate_type.clone().into());
            match Provenance::from_predicate(&s.predicate_type, &s.predicate) {
                Some(Ok(p)) => {
                    let src = p.source();
                    obj.insert("builder_id".into(), p.builder_id().into());
                    obj.insert("build_type".into(), p.build_type().into());
                    obj.insert(
                        "source".into(),
                        json!({ "repository": src.repository, "ref": src.git_ref, "commit": src.commit }),
                    );
                    if let Some(t) = p.build_time() {
                        obj.insert("build_time".into(), t.into());
                    }
                }
                Some(Err(m)) => {
                    obj.insert("provenance_error".into(), m.message.into());
                }
                None => {}
            }
        }
    }
    facts
}

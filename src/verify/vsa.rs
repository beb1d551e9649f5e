//! `custody verify-vsa`: a SLSA Verification Summary Attestation in, judged as slsa-verifier's
//! `verify-vsa` judges it: the envelope's signature by the given key (a signature naming
//! another key id is not tried, as go-securesystemslib's DSSE verifier does), then the VSA's
//! subject digests, verifier, resource, result and levels (`crate::checks::vsa`).
//!
//! The VSA is another verifier's word; the report says so, and says whose.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::attest::{self, Content, Loaded};
use crate::check::Check;
use crate::checks::vsa::{self, Expect};
use crate::key::PublicKey;
use crate::policy::TimeSources;
use crate::signature::codes::Code as SignatureCode;
use crate::signature::{KeylessTrust, Keyring, Verifiers};
use crate::sigstore::TrustedRoot;
use crate::verdict::{ArtifactVerdict, RunVerdict, Sections, VerifiedSection};

use super::VerifyError;

/// Everything one VSA verification needs.
pub struct VsaRequest {
    pub attestation: PathBuf,
    pub key: PublicKey,
    /// `--public-key-id`; without it, the key's OpenSSH fingerprint.
    pub key_id: Option<String>,
    pub expect: Expect,
    /// For a VSA in a Sigstore bundle with log entries.
    pub root: Arc<TrustedRoot>,
}

/// Verify one VSA file (every envelope in it must pass).
pub fn run(req: VsaRequest) -> Result<RunVerdict, VerifyError> {
    let (loaded, _) = attest::load(&req.attestation)?;
    let key_id = req.key_id.clone().or_else(|| req.key.ssh_fingerprint());
    let key_name = req.key.name().to_owned();
    let verifiers = Verifiers::new(
        Keyring::new(vec![req.key], 1),
        KeylessTrust {
            root: req.root,
            identities: Vec::new(),
            dangerous_accept_unlogged: false,
            time_sources: TimeSources::default(),
        },
    );
    let mut checks = Vec::new();
    let mut verified = Vec::new();
    for l in loaded {
        let mut e = match l {
            Loaded::Evidence(e) => e,
            Loaded::Malformed(origin, m) => {
                checks.push(Check::fail(m.code, format!("{origin}: {}", m.message)));
                continue;
            }
        };
        if let (Content::Envelope(env), Some(want)) = (&mut e.content, &key_id) {
            let before = env.signatures.len();
            env.signatures
                .retain(|s| s.keyid.as_deref().is_none_or(|k| k.is_empty() || k == want));
            if env.signatures.is_empty() && before > 0 {
                checks.push(Check::fail(
                    SignatureCode::KeyIdMismatch,
                    format!(
                        "{}: no signature names the key id {want} of {key_name}; pass the \
                         signer's key id with --public-key-id",
                        e.origin
                    ),
                ));
                continue;
            }
        }
        match verifiers.verify(&e) {
            Ok(v) => {
                checks.extend(v.steps().iter().cloned());
                match v.statement() {
                    Some(s) => {
                        checks.extend(vsa::evaluate(&v.origin().to_string(), s, &req.expect))
                    }
                    None => checks.push(Check::fail(
                        vsa::Code::VsaPredicateType,
                        format!("{}: a message signature, not a VSA", v.origin()),
                    )),
                }
                let subject = v
                    .statement()
                    .and_then(|s| s.subjects.first())
                    .map_or("", |s| s.name.as_str())
                    .to_owned();
                verified.push(VerifiedSection::of(&v, &subject));
            }
            Err(r) => checks.push(r.check),
        }
    }
    let name = if req.expect.subject_digests.is_empty() {
        req.attestation.display().to_string()
    } else {
        req.expect.subject_digests.join(", ")
    };
    let digests: BTreeMap<String, String> = req
        .expect
        .subject_digests
        .iter()
        .filter_map(|d| d.split_once(':'))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let sections = Sections {
        verified: (!verified.is_empty()).then_some(verified),
        ..Sections::default()
    };
    let mut run = RunVerdict::new(
        "verify-vsa",
        vec![ArtifactVerdict::new(name, digests, checks, sections)],
    );
    run.notes.vsa = Some(format!(
        "the verdict rests on another verifier's word: a VSA signed by {key_name}{}",
        req.expect
            .verifier_id
            .as_deref()
            .map(|v| format!(" for verifier {v}"))
            .unwrap_or_default()
    ));
    Ok(run)
}

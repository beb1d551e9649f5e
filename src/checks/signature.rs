//! What the signatures say about each artifact: every verified attestation naming it, with the
//! verification steps that passed (keyless: certificate chain, SCT, log, timestamps,
//! identity); every attestation whose signature failed, against the artifacts it claims to be
//! about, or against all of them when it names none of this run's artifacts (nothing given on
//! the command line may be silently ignored); every unreadable file, against all.

use super::{Context, Sink};
use crate::check::Check;
use crate::evidence::Attestation;
use crate::evidence::subjects;

crate::codes! {
    /// What the signature check reports (failures are the verifiers' own codes, `crate::signature::codes` and `crate::sigstore::codes`).
    pub enum Code {
        SignatureVerified = "signature-verified" {
            summary: "a signature verified with a trusted key",
            description: "The DSSE envelope's pre-authentication encoding (or, for a message-signature bundle, the \
            artifact digest) carries a valid signature by a key given with --key or listed in the policy. Passing \
            this check alone says nothing about which artifact the statement names; see subject-matched.",
        },
    }
}

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    let evidence = ctx.evidence;
    match ctx.artifact {
        None => {
            for a in &evidence.attestations {
                match a {
                    Attestation::Malformed(check) => sink.push(check.clone()),
                    Attestation::Rejected(r)
                        if !evidence
                            .artifacts
                            .iter()
                            .any(|art| subjects::claims(&r.claimed, &art.digest)) =>
                    {
                        sink.push(r.check.clone())
                    }
                    _ => {}
                }
            }
        }
        Some(art) => {
            for a in &evidence.attestations {
                if let Attestation::Rejected(r) = a
                    && subjects::claims(&r.claimed, &art.digest)
                {
                    sink.push(r.check.clone());
                }
            }
            for (i, _) in &art.matched {
                let Some(v) = evidence.verified(*i) else {
                    continue;
                };
                let by: Vec<String> = v
                    .signers()
                    .iter()
                    .map(|s| format!("{} ({})", s.name(), s.algorithm))
                    .collect();
                sink.push(Check::pass(
                    Code::SignatureVerified,
                    format!("{}: {} signed by {}", v.origin(), v.format(), by.join(", ")),
                ));
                sink.extend(v.steps().iter().cloned());
            }
        }
    }
}

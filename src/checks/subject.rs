//! Artifact binding: every artifact must be named, by digest, by a subject of a verified
//! statement (or be the digest of a verified message signature). Subject names are informative
//! only; digests decide.

use super::{Context, Sink};
use crate::check::Check;

crate::codes! {
    /// What the subject check reports.
    pub enum Code {
        SubjectMatched = "subject-matched" {
            summary: "a verified statement names the artifact's digest",
            description: "A subject of a statement whose signature verified has the artifact's sha256 (or, when \
            that is all the subject has, its sha512). Subject names are informative only; digests decide.",
        },
        NoMatchingSubject = "no-matching-subject" {
            summary: "no verified statement names the artifact",
            description: "No subject of any verified statement, and no verified message signature, has this \
            artifact's digest. Either the attestation is for another file (a different version, a rebuilt \
            archive), the artifact was changed after signing, or the attestation that names it did not verify \
            (see the other checks of this artifact).",
        },
    }
}

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    let (Some(a), true) = (ctx.artifact, ctx.evidence.attested) else {
        return;
    };
    if a.matched.is_empty() {
        sink.push(Check::fail(
            Code::NoMatchingSubject,
            format!(
                "no verified statement names sha256:{} ({} of {} attestations verified)",
                a.digest.sha256,
                ctx.evidence.verified_count(),
                ctx.evidence.attestations.len()
            ),
        ));
        return;
    }
    for (i, name) in &a.matched {
        let Some(v) = ctx.evidence.verified(*i) else {
            continue;
        };
        let what = if name.is_empty() {
            "its digest".to_owned()
        } else {
            format!("subject {name:?}")
        };
        sink.push(Check::pass(
            Code::SubjectMatched,
            format!("{}: {what}", v.origin()),
        ));
    }
}

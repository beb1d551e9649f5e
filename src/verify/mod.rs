//! `custody verify`: artifacts and attestations in, one [`Report`] out.
//!
//! Fixed steps, in order: read every attestation file (parse only) → check signatures
//! (`signature`, the only place evidence becomes [`Verified`]) → digest the artifacts → bind
//! each artifact to the verified subjects naming it → apply the policy → report. Files are
//! read, verified and hashed in parallel; the report keeps the order the user gave.

pub mod binding;
mod facts;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::artifact::{self, ArtifactError, ArtifactSpec};
use crate::attest::{self, LoadError, Loaded};
use crate::check::Check;
use crate::policy::evaluate::evaluate;
use crate::policy::{Policy, ReproduceMode};
use crate::report::{ArtifactReport, Report};
use crate::signature::codes::SIGNATURE_VERIFIED;
use crate::signature::{Keyring, Rejected, Verified, Verifiers};
use binding::{NO_MATCHING_SUBJECT, SUBJECT_MATCHED, SubjectIndex};

/// Why verification could not run at all (custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// An attestation file could not be read.
    #[error(transparent)]
    Attestation(#[from] LoadError),
    /// An artifact could not be read.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
}

/// Everything one verification needs.
pub struct Request {
    pub artifacts: Vec<ArtifactSpec>,
    pub attestations: Vec<PathBuf>,
    pub keyring: Keyring,
    pub policy: Policy,
    /// Seconds since the Unix epoch, for `max-age`.
    pub now: i64,
    /// Facts about the run to put in the report's `notes`.
    pub notes: BTreeMap<String, serde_json::Value>,
}

/// What became of one piece of evidence.
enum Checked {
    Verified(Verified),
    Rejected(Box<Rejected>),
    /// Unreadable evidence: it names no artifact, so it fails them all.
    Malformed(Check),
}

/// Run a verification.
pub fn run(req: Request) -> Result<Report, VerifyError> {
    let files: Vec<Vec<Loaded>> = req
        .attestations
        .par_iter()
        .map(|p| attest::load(p))
        .collect::<Result<_, _>>()?;
    let verifiers = Verifiers::new(req.keyring);
    let checked: Vec<Checked> = files
        .into_par_iter()
        .flatten()
        .map(|l| match l {
            Loaded::Evidence(e) => match verifiers.verify(&e) {
                Ok(v) => Checked::Verified(v),
                Err(r) => Checked::Rejected(r),
            },
            Loaded::Malformed(origin, m) => {
                Checked::Malformed(Check::fail(m.code, format!("{origin}: {}", m.message)))
            }
        })
        .collect();

    let verified: Vec<&Verified> = checked
        .iter()
        .filter_map(|c| match c {
            Checked::Verified(v) => Some(v),
            _ => None,
        })
        .collect();
    let artifacts = artifact::digest_all(&req.artifacts, binding::wants_sha512(&verified))?;
    let index = SubjectIndex::new(&verified);

    // Failures that name no artifact of this run fail every artifact: nothing given on the
    // command line may be silently ignored.
    let mut everywhere: Vec<Check> = Vec::new();
    let mut attributed: Vec<&Rejected> = Vec::new();
    for c in &checked {
        match c {
            Checked::Malformed(check) => everywhere.push(check.clone()),
            Checked::Rejected(r) if artifacts.iter().any(|a| binding::claims(&r.claimed, a)) => {
                attributed.push(r)
            }
            Checked::Rejected(r) => everywhere.push(r.check.clone()),
            Checked::Verified(_) => {}
        }
    }

    let reports: Vec<ArtifactReport> = artifacts
        .par_iter()
        .map(|a| {
            let mut checks = everywhere.clone();
            checks.extend(
                attributed
                    .iter()
                    .filter(|r| binding::claims(&r.claimed, a))
                    .map(|r| r.check.clone()),
            );
            let hits = index.lookup(a);
            let matched: Vec<&Verified> = hits.iter().map(|(i, _)| verified[*i]).collect();
            for v in &matched {
                let by: Vec<String> = v
                    .signers()
                    .iter()
                    .map(|s| format!("{} ({})", s.key, s.algorithm))
                    .collect();
                checks.push(Check::pass(
                    SIGNATURE_VERIFIED,
                    format!("{}: {} signed by {}", v.origin(), v.format(), by.join(", ")),
                ));
            }
            if matched.is_empty() {
                checks.push(Check::fail(
                    NO_MATCHING_SUBJECT,
                    format!(
                        "no verified statement names sha256:{} ({} of {} attestations verified)",
                        a.sha256,
                        verified.len(),
                        checked.len()
                    ),
                ));
            } else {
                for (i, name) in &hits {
                    let what = if name.is_empty() {
                        "its digest".to_owned()
                    } else {
                        format!("subject {name:?}")
                    };
                    checks.push(Check::pass(
                        SUBJECT_MATCHED,
                        format!("{}: {what}", verified[*i].origin()),
                    ));
                }
                checks.extend(evaluate(&req.policy, &matched, req.now));
            }
            if let Some(r) = &req.policy.reproduce {
                checks.push(reproduce_not_performed(r.mode));
            }
            let mut digest = BTreeMap::from([("sha256".to_owned(), a.sha256.clone())]);
            if let Some(h) = &a.sha512 {
                digest.insert("sha512".to_owned(), h.clone());
            }
            let mut report = ArtifactReport::new(a.name.clone(), digest, checks);
            let facts: Vec<serde_json::Value> = hits
                .iter()
                .map(|(i, name)| facts::describe(verified[*i], name))
                .collect();
            report.details.insert("verified".to_owned(), facts.into());
            report
        })
        .collect();

    let mut report = Report::new("verify", reports);
    report.notes = req.notes;
    Ok(report)
}

/// The policy asks for the artifact to be reproduced from the reviewed source, which verify
/// cannot reach in this build (it takes no `--source`); the separate commands can. Reported,
/// never passed.
fn reproduce_not_performed(mode: ReproduceMode) -> Check {
    let (code, command) = match mode {
        ReproduceMode::Rebuild => (
            "rebuild-reproduced",
            "custody rebuild ARTIFACT --source DIR --policy FILE",
        ),
        ReproduceMode::Contents => (
            "contents-matches-source",
            "custody compare ARTIFACT --source DIR",
        ),
    };
    Check::not_performed(
        code,
        format!(
            "the policy's [reproduce] needs the reviewed source, which verify does not take in \
             this build; run `{command}`"
        ),
    )
}

//! `custody verify`: artifacts and attestations in, one [`Report`] out.
//!
//! Fixed steps, in order: read every attestation file (parse only) → check signatures
//! (`signature`, the only place evidence becomes [`Verified`]) → digest the artifacts → bind
//! each artifact to the verified subjects naming it → apply the policy → report. Files are
//! read, verified and hashed in parallel; the report keeps the order the user gave.

pub mod binding;
mod facts;
mod reproduce;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::artifact::{self, ArtifactError, ArtifactSpec};
use crate::attest::slsa::Provenance;
use crate::attest::{self, LoadError, Loaded, Material};
use crate::check::Check;
use crate::policy::Policy;
use crate::policy::codes::SOURCE_COMMIT_MISMATCH;
use crate::policy::evaluate::evaluate;
use crate::report::{ArtifactReport, Report};
use crate::signature::codes::SIGNATURE_VERIFIED;
use crate::signature::{KeylessTrust, Keyring, Rejected, Verified, Verifiers};
use crate::source::codes::REVIEW_MISSING;
use crate::source::{Checkout, SourceError};
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
    /// The source checkout could not be read.
    #[error("--source: {0}")]
    Source(#[from] SourceError),
}

/// Everything one verification needs.
pub struct Request {
    pub artifacts: Vec<ArtifactSpec>,
    pub attestations: Vec<PathBuf>,
    pub keyring: Keyring,
    /// The trusted root and accepted identities for keyless evidence.
    pub keyless: KeylessTrust,
    pub policy: Policy,
    /// Checks decided before any evidence was read (e.g. a `--key` that cannot be used); they
    /// apply to every artifact.
    pub preflight: Vec<Check>,
    /// Seconds since the Unix epoch, for `max-age`.
    pub now: i64,
    /// Facts about the run to put in the report's `notes`.
    pub notes: BTreeMap<String, serde_json::Value>,
    /// The checkout of the reviewed source (`--source`), if given.
    pub source: Option<Checkout>,
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
    // Say which trusted root was used, when any evidence needed one: keyless evidence, or a
    // key-signed bundle with log entries or timestamps.
    let keyless_seen = files.iter().flatten().any(|l| {
        matches!(l, Loaded::Evidence(e)
            if matches!(e.material, Material::Certificate(_) | Material::CertificateChain(_))
                || (e.bundle_json.is_some()
                    && !(e.tlog_entries.is_empty() && e.rfc3161_timestamps.is_empty())))
    });
    let root_name = req.keyless.root.name().to_owned();
    let verifiers = Verifiers::new(req.keyring, req.keyless);
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
    let mut everywhere: Vec<Check> = req.preflight.clone();
    // The source checks: the checkout and review evidence hold for every artifact alike; each
    // verified provenance is bound to the checkout once, here, because a git repository cannot
    // be shared between threads.
    let with_source = req.source.is_some();
    let mut source_facts = None;
    let mut bindings: Vec<Option<Vec<Check>>> = vec![None; verified.len()];
    match &req.source {
        Some(checkout) => {
            let (checks, facts) = checkout.checks(&req.policy, None, None)?;
            everywhere.extend(checks);
            source_facts = Some(facts);
            for (i, v) in verified.iter().enumerate() {
                if let Some(s) = v.statement()
                    && let Some(Ok(p)) = Provenance::from_predicate(&s.predicate_type, &s.predicate)
                {
                    bindings[i] = Some(checkout.bind(
                        &p.source(),
                        req.policy.source.uri.as_deref(),
                        &v.origin().to_string(),
                    ));
                }
            }
        }
        None if !req.policy.review.is_empty() => everywhere.push(Check::not_performed(
            REVIEW_MISSING,
            "the policy's [review] rules are judged from a checkout of the source: give --source DIR",
        )),
        None => {}
    }
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

    // Reproducing runs one artifact at a time: a rebuild is a whole build, not a digest.
    let reproduced: Vec<reproduce::Reproduced> = match &req.policy.reproduce {
        Some(rule) => req
            .artifacts
            .iter()
            .map(|spec| reproduce::reproduce(rule, req.source.as_ref(), spec))
            .collect(),
        None => Vec::new(),
    };
    let nothing = reproduce::Reproduced {
        checks: Vec::new(),
        section: None,
    };

    let reports: Vec<ArtifactReport> = artifacts
        .par_iter()
        .enumerate()
        .map(|(n, a)| {
            let reproduced = reproduced.get(n).unwrap_or(&nothing);
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
                checks.extend(v.steps().iter().cloned());
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
            if with_source {
                let bound: Vec<&Check> = hits
                    .iter()
                    .filter_map(|(i, _)| bindings[*i].as_ref())
                    .flatten()
                    .collect();
                if bound.is_empty() {
                    checks.push(Check::fail(
                        SOURCE_COMMIT_MISMATCH,
                        "no verified SLSA provenance about this artifact names its source, so nothing binds it to the checkout",
                    ));
                }
                checks.extend(bound.into_iter().cloned());
            }
            checks.extend(reproduced.checks.iter().cloned());
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
            if let Some(f) = &source_facts {
                report.details.insert("source".to_owned(), f.clone());
            }
            if let Some((name, section)) = &reproduced.section {
                report.details.insert((*name).to_owned(), section.clone());
            }
            report
        })
        .collect();

    let mut report = Report::new("verify", reports);
    report.notes = req.notes;
    if keyless_seen {
        report
            .notes
            .insert("trusted_root".to_owned(), root_name.into());
    }
    Ok(report)
}

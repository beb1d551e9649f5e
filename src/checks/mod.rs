//! Judgement: the one place where the policy meets the evidence and checks are made.
//!
//! Producers (`source`, `contents`, `rebuild`, `signature`) gather facts into an
//! [`Evidence`](crate::evidence::Evidence); every module here has one signature,
//! `check(&Context, &mut Sink)` (cargo-deny's model), owns its check codes (a `Code` enum) and
//! is listed once in [`RUN`]. Each is called twice per run: once for what holds for the whole
//! run (`ctx.artifact` is `None`: the checkout, the review, evidence that names no artifact),
//! and once per artifact. A module acts in the pass its evidence belongs to and only when its
//! evidence is there, so adding a check means adding one module and one line below.

pub mod binding;
pub mod checkout;
pub mod contents;
pub mod gcb;
pub mod npm;
pub mod preflight;
pub mod provenance;
pub mod range;
pub mod rebuild;
pub mod review;
pub mod signature;
pub mod subject;
pub mod vsa;

use std::collections::BTreeMap;

use crate::check::Check;
use crate::evidence::{ArtifactEvidence, Evidence, Reproduced};
use crate::policy::Policy;
use crate::verdict::{
    ArtifactVerdict, InputDigest, RebuildSection, RunVerdict, Sections, SourceSection,
    VerifiedSection,
};

/// What a check looks at.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub policy: &'a Policy,
    pub evidence: &'a Evidence,
    /// The artifact judged in this pass; `None` in the run-wide pass.
    pub artifact: Option<&'a ArtifactEvidence>,
    /// Seconds since the Unix epoch, for `max-age`.
    pub now: i64,
}

/// Where checks put what they found, in order.
#[derive(Debug, Default)]
pub struct Sink {
    checks: Vec<Check>,
}

impl Sink {
    pub fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    pub fn extend(&mut self, checks: impl IntoIterator<Item = Check>) {
        self.checks.extend(checks);
    }

    pub fn into_checks(self) -> Vec<Check> {
        self.checks
    }
}

/// A check module's entry point.
pub type CheckFn = fn(&Context<'_>, &mut Sink);

/// Every check, in the order reports list them.
pub const RUN: &[CheckFn] = &[
    preflight::check,
    binding::check,
    checkout::check,
    review::check,
    signature::check,
    subject::check,
    provenance::check,
    npm::check,
    contents::check,
    rebuild::check,
    range::check,
];

/// Every registered code list, for `custody explain`.
pub const CODES: &[&[crate::check::CodeInfo]] = &[
    binding::Code::INFO,
    checkout::Code::INFO,
    review::Code::INFO,
    signature::Code::INFO,
    subject::Code::INFO,
    provenance::Code::INFO,
    contents::Code::INFO,
    rebuild::Code::INFO,
    range::Code::INFO,
    vsa::Code::INFO,
    npm::Code::INFO,
    gcb::Code::INFO,
];

/// The checks that hold for the whole run.
pub fn run_wide(policy: &Policy, evidence: &Evidence, now: i64) -> Vec<Check> {
    let ctx = Context {
        policy,
        evidence,
        artifact: None,
        now,
    };
    let mut sink = Sink::default();
    for check in RUN {
        check(&ctx, &mut sink);
    }
    sink.into_checks()
}

/// The checks of one artifact (without the run-wide ones).
pub fn artifact(
    policy: &Policy,
    evidence: &Evidence,
    artifact: &ArtifactEvidence,
    now: i64,
) -> Vec<Check> {
    let ctx = Context {
        policy,
        evidence,
        artifact: Some(artifact),
        now,
    };
    let mut sink = Sink::default();
    for check in RUN {
        check(&ctx, &mut sink);
    }
    sink.into_checks()
}

/// Judge a run: the run-wide checks and each artifact's, and every artifact's verdict with the
/// sections its facts fill. With no artifact (`custody source`), the checkout itself is the one
/// entry, named `name` and identified by its commit.
pub fn assemble(
    command: &'static str,
    policy: &Policy,
    evidence: &Evidence,
    now: i64,
    name: &str,
) -> RunVerdict {
    let mut run = judge_run(command, policy, evidence, now, name);
    run.inputs = inputs(policy, evidence);
    run
}

/// The evidence files the run read, with the SHA-256 of their bytes: the attestation files in
/// the order given, then the policy.
fn inputs(policy: &Policy, evidence: &Evidence) -> Vec<InputDigest> {
    let mut out: Vec<InputDigest> = evidence
        .files
        .iter()
        .map(|(path, sha256)| InputDigest {
            role: "bundle",
            path: path.display().to_string(),
            sha256: sha256.clone(),
        })
        .collect();
    if let Some(file) = &policy.file {
        out.push(InputDigest {
            role: "policy",
            path: file.display().to_string(),
            sha256: crate::hash::hex(&<sha2::Sha256 as sha2::Digest>::digest(
                policy.text.as_bytes(),
            )),
        });
    }
    out
}

fn judge_run(
    command: &'static str,
    policy: &Policy,
    evidence: &Evidence,
    now: i64,
    name: &str,
) -> RunVerdict {
    let everywhere = run_wide(policy, evidence, now);
    let source = evidence.source.as_ref().map(SourceSection::of);
    if evidence.artifacts.is_empty() {
        let digest = evidence
            .source
            .as_ref()
            .map(|s| BTreeMap::from([("gitCommit".to_owned(), s.commit.hex())]))
            .unwrap_or_default();
        let sections = Sections {
            source,
            ..Sections::default()
        };
        let entry = ArtifactVerdict::new(name, digest, everywhere, sections);
        return RunVerdict::new(command, vec![entry]);
    }
    let entries = evidence
        .artifacts
        .iter()
        .map(|a| {
            let mut checks = everywhere.clone();
            checks.extend(artifact(policy, evidence, a, now));
            let mut digest = BTreeMap::from([("sha256".to_owned(), a.digest.sha256.clone())]);
            if let Some(h) = &a.digest.sha512 {
                digest.insert("sha512".to_owned(), h.clone());
            }
            let mut sections = Sections {
                source: source.clone(),
                ..Sections::default()
            };
            if evidence.attested {
                sections.verified = Some(
                    a.matched
                        .iter()
                        .filter_map(|(i, name)| {
                            Some(VerifiedSection::of(evidence.verified(*i)?, name))
                        })
                        .collect(),
                );
            }
            match &a.reproduced {
                Some(Reproduced::Contents(facts)) => sections.contents = Some((**facts).clone()),
                Some(Reproduced::Rebuild(facts)) => {
                    let accept = rebuild::accept(policy);
                    sections.rebuild = Some(RebuildSection {
                        comparison: rebuild::comparison(
                            facts.rebuilt_sha256.as_deref(),
                            facts.diff.as_ref(),
                            accept,
                        ),
                        accept,
                        build: Some((**facts).clone()),
                        rebuilt: None,
                        rebuilt_sha256: None,
                        diff: None,
                    });
                }
                _ => {}
            }
            ArtifactVerdict::new(a.name.clone(), digest, checks, sections)
        })
        .collect();
    RunVerdict::new(command, entries)
}

//! `custody verify`: artifacts and attestations in, one [`RunVerdict`] out.
//!
//! Fixed steps, in order: read every attestation file (parse only) → check signatures
//! (`signature`, the only place evidence becomes [`Verified`]) → digest the artifacts → bind
//! each artifact to the verified subjects naming it → read the checkout (`--source`) → reproduce
//! (`[reproduce]`) → judge everything (`crate::checks`). Files are read, verified and hashed in
//! parallel; the report keeps the order the user gave.

use std::path::PathBuf;

pub mod vsa;

use rayon::prelude::*;

use crate::artifact::{self, ArtifactError, ArtifactSpec};
use crate::attest::slsa::Provenance;
use crate::attest::{self, LoadError, Loaded, Material};
use crate::check::Check;
use crate::evidence::subjects::{self, SubjectIndex};
use crate::evidence::{ArtifactEvidence, Attestation, Evidence, reproduce, source};
use crate::policy::Policy;
use crate::signature::{KeylessTrust, Keyring, Verifiers};
use crate::source::signers::Signers;
use crate::source::{Checkout, SourceError};
use crate::verdict::{Notes, RunVerdict};

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
    /// Who may sign commits (the policy's `[review]`).
    pub signers: Signers,
    pub policy: Policy,
    /// Checks decided before any evidence was read (e.g. a `--key` that cannot be used); they
    /// apply to every artifact.
    pub preflight: Vec<Check>,
    /// Seconds since the Unix epoch, for `max-age`.
    pub now: i64,
    /// Facts about the run for the report.
    pub notes: Notes,
    /// The checkout of the reviewed source (`--source`), if given.
    pub source: Option<Checkout>,
}

/// Run a verification.
pub fn run(req: Request) -> Result<RunVerdict, VerifyError> {
    let (files, file_digests): (Vec<Vec<Loaded>>, Vec<String>) = req
        .attestations
        .par_iter()
        .map(|p| attest::load(p))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .unzip();
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
    let attestations: Vec<Attestation> = files
        .into_par_iter()
        .flatten()
        .map(|l| match l {
            Loaded::Evidence(e) => match verifiers.verify(&e) {
                Ok(v) => Attestation::Verified(v),
                Err(r) => Attestation::Rejected(r),
            },
            Loaded::Malformed(origin, m) => {
                Attestation::Malformed(Check::fail(m.code, format!("{origin}: {}", m.message)))
            }
        })
        .collect();
    let verified: Vec<(usize, &crate::signature::Verified)> = attestations
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match a {
            Attestation::Verified(v) => Some((i, v)),
            _ => None,
        })
        .collect();
    let only: Vec<&crate::signature::Verified> = verified.iter().map(|(_, v)| *v).collect();
    let digests = artifact::digest_all(&req.artifacts, subjects::wants_sha512(&only))?;
    let index = SubjectIndex::new(&only);
    let artifacts: Vec<ArtifactEvidence> = digests
        .into_iter()
        .map(|digest| {
            let matched = index
                .lookup(&digest)
                .into_iter()
                .map(|(i, name)| (verified[i].0, name.to_owned()))
                .collect();
            ArtifactEvidence {
                name: digest.name.clone(),
                digest,
                matched,
                reproduced: None,
            }
        })
        .collect();

    // The refs the verified provenance names, to look up in the checkout.
    let refs: Vec<String> = only
        .iter()
        .filter_map(|v| v.statement())
        .filter_map(|s| Provenance::from_predicate(&s.predicate_type, &s.predicate)?.ok())
        .filter_map(|p| p.source().git_ref)
        .collect();
    let source = match &req.source {
        Some(checkout) => Some(source::gather(
            checkout,
            source::Gather {
                policy: &req.policy,
                signers: &req.signers,
                threads: None,
                stat_cache: None,
                refs,
                judge_policy_source: false,
            },
        )?),
        None => None,
    };
    let mut evidence = Evidence {
        preflight: req.preflight,
        attested: true,
        attestations,
        source,
        artifacts,
        files: req.attestations.iter().cloned().zip(file_digests).collect(),
        range: None,
    };
    // Reproducing runs one artifact at a time: a rebuild is a whole build, not a digest.
    if let Some(rule) = &req.policy.reproduce {
        for (a, spec) in evidence.artifacts.iter_mut().zip(&req.artifacts) {
            a.reproduced = Some(reproduce::reproduce(rule, req.source.as_ref(), spec));
        }
    }
    let mut run = crate::checks::assemble("verify", &req.policy, &evidence, req.now, "");
    run.notes = req.notes;
    if keyless_seen {
        run.notes.trusted_root = Some(root_name);
    }
    Ok(run)
}

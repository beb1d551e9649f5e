//! Verdicts: what a run concluded, typed, before any rendering. Every command builds a
//! [`RunVerdict`] from its checks (`crate::checks`) and the facts it reports; `crate::report`
//! renders it as human text, JSON, SARIF or HTML and imports nothing else.
//!
//! The sections an artifact carries (`verified`, `source`, `contents`, `rebuild`) and the run's
//! notes are typed here: their JSON field names are `custody/report/v1`'s, described by
//! `src/report/schema.json`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::{Check, Outcome};
use crate::contents::ContentsFacts;
pub use crate::policy::Accept;
pub use crate::rebuild::{ArchiveDiff, Change, Class, Detail, MemberDifference, RebuildFacts};
use crate::signature::Signer;
use crate::source::{CheckoutDiff, CheckoutFacts};

/// Pass or fail: the one answer a report gives, overall and per artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
}

impl Verdict {
    /// Fail when any check failed or could not be performed; pass only when every check passed
    /// and there was at least one.
    pub fn of(checks: &[Check]) -> Verdict {
        if !checks.is_empty() && checks.iter().all(|c| c.outcome == Outcome::Pass) {
            Verdict::Pass
        } else {
            Verdict::Fail
        }
    }
}

/// One artifact (or checkout): what it is, its digests, its checks, and what was learned.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactVerdict {
    /// The name the user gave (a path, or `sha256:HEX`).
    pub name: String,
    /// Digests by algorithm name (`sha256`, `sha512`, `gitCommit`), lowercase hex.
    pub digest: BTreeMap<String, String>,
    pub verdict: Verdict,
    pub checks: Vec<Check>,
    #[serde(flatten)]
    pub sections: Sections,
}

crate::codes! {
    /// The verdict layer's own code: a verdict is never without a check.
    pub enum Code {
        NothingChecked = "nothing-checked" {
            summary: "no check applied to the artifact",
            description: "Every verdict rests on at least one check, and a fail verdict names what \
                failed. When nothing the command knows how to check applied to an artifact, this \
                not-performed check says so and the artifact fails: passing what was never looked \
                at would be a false pass. Please report it: every command is meant to check \
                something.",
        },
    }
}

impl ArtifactVerdict {
    /// An artifact's verdict, which follows from its checks. A verdict without a check cannot
    /// be made: an empty list gets a not-performed `nothing-checked`, so that a failing verdict
    /// always names a reason.
    pub fn new(
        name: impl Into<String>,
        digest: BTreeMap<String, String>,
        mut checks: Vec<Check>,
        sections: Sections,
    ) -> Self {
        debug_assert!(!checks.is_empty(), "a verdict with no check");
        if checks.is_empty() {
            checks.push(Check::not_performed(
                Code::NothingChecked,
                "no check applied to this artifact",
            ));
        }
        let verdict = Verdict::of(&checks);
        ArtifactVerdict {
            name: name.into(),
            digest,
            verdict,
            checks,
            sections,
        }
    }
}

/// What was learned about an artifact besides its checks, section by section.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Sections {
    /// Per verified attestation naming the artifact: origin, signers, predicate, provenance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<Vec<VerifiedSection>>,
    /// The checkout of the reviewed source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceSection>,
    /// The archive compared file by file with the commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<ContentsFacts>,
    /// The artifact rebuilt from the commit, or compared with a rebuilt one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuild: Option<RebuildSection>,
}

/// One verified attestation, as the report shows it. Facts are reported whether or not a
/// policy judges them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct VerifiedSection {
    pub attestation: String,
    pub format: String,
    pub signers: Vec<Signer>,
    /// The subject name that matched (absent for a message signature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A message signature's digest algorithm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_signature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builder_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<ProvenanceSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_time: Option<String>,
    /// Why an SLSA predicate could not be read as provenance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance_error: Option<String>,
}

impl VerifiedSection {
    /// What a report says about verified evidence `v`, which matched through subject
    /// `subject` (empty for a message signature).
    pub fn of(v: &crate::signature::Verified, subject: &str) -> VerifiedSection {
        use crate::attest::slsa::Provenance;
        use crate::signature::Claim;
        let mut out = VerifiedSection {
            attestation: v.origin().to_string(),
            format: v.format().to_string(),
            signers: v.signers().to_vec(),
            subject: (!subject.is_empty()).then(|| subject.to_owned()),
            ..VerifiedSection::default()
        };
        match v.claim() {
            Claim::ArtifactDigest { algorithm, .. } => {
                out.message_signature = Some(algorithm.name().to_owned());
            }
            Claim::Statement(s) => {
                out.predicate_type = Some(s.predicate_type.clone());
                match Provenance::from_predicate(&s.predicate_type, &s.predicate) {
                    Some(Ok(p)) => {
                        let src = p.source();
                        out.builder_id = Some(p.builder_id().to_owned());
                        out.build_type = Some(p.build_type().to_owned());
                        out.source = Some(ProvenanceSource {
                            repository: src.repository,
                            git_ref: src.git_ref,
                            commit: src.commit,
                        });
                        out.build_time = p.build_time().map(str::to_owned);
                    }
                    Some(Err(m)) => out.provenance_error = Some(m.message),
                    None => {}
                }
            }
        }
        out
    }
}

/// The source a provenance names.
#[derive(Clone, Debug, Serialize)]
pub struct ProvenanceSource {
    pub repository: Option<String>,
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    pub commit: Option<String>,
}

/// The checkout, and how its working tree compared with the reviewed commit.
#[derive(Clone, Debug, Serialize)]
pub struct SourceSection {
    #[serde(flatten)]
    pub checkout: CheckoutFacts,
    pub worktree: Worktree,
}

/// The working tree's comparison, or why there was none.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Worktree {
    Compared(Box<WorktreeSection>),
    NotCompared(String),
}

impl SourceSection {
    pub fn of(source: &crate::evidence::SourceEvidence) -> SourceSection {
        SourceSection {
            checkout: source.checkout.clone(),
            worktree: match &source.worktree {
                Some(diff) => Worktree::Compared(Box::new(WorktreeSection::of(diff))),
                None => Worktree::NotCompared(format!(
                    "not compared: {} is not HEAD, so the working tree is not what was reviewed",
                    source.checkout.rev
                )),
            },
        }
    }
}

/// How the working tree differs from the commit.
#[derive(Clone, Debug, Serialize)]
pub struct WorktreeSection {
    pub commit_tree: String,
    pub worktree_tree: String,
    pub files: usize,
    pub bytes: u64,
    pub modified: Vec<String>,
    pub deleted: Vec<String>,
    pub untracked: Vec<String>,
    /// Staged in the index against the commit (see `CheckoutDiff::staged`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub staged: Vec<String>,
    /// The working tree was judged against the index (`custody source --staged`), and
    /// `commit_tree` is the index's tree.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub against_index: bool,
    pub submodules: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stat_cache: Option<StatCacheSection>,
}

/// What a stat cache did.
#[derive(Clone, Debug, Serialize)]
pub struct StatCacheSection {
    pub path: String,
    pub trusted: usize,
    pub read: usize,
    pub bytes_read: u64,
    pub recorded: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_error: Option<String>,
}

impl WorktreeSection {
    pub fn of(diff: &CheckoutDiff) -> WorktreeSection {
        let paths = |l: &[crate::walk::RelPath]| l.iter().map(|p| p.to_string()).collect();
        WorktreeSection {
            commit_tree: diff.commit_tree.clone(),
            worktree_tree: diff.worktree_tree.clone(),
            files: diff.files,
            bytes: diff.bytes,
            modified: paths(&diff.modified),
            deleted: paths(&diff.deleted),
            untracked: paths(&diff.untracked),
            staged: paths(&diff.staged),
            against_index: diff.against_index,
            submodules: paths(&diff.submodules),
            stat_cache: diff.stat_cache.as_ref().map(|u| StatCacheSection {
                path: u.path.display().to_string(),
                trusted: u.trusted,
                read: u.read,
                bytes_read: u.bytes_read,
                recorded: u.recorded,
                ignored: u.ignored.clone(),
                write_error: u.write_error.clone(),
            }),
        }
    }
}

/// A rebuild (or a comparison with an artifact rebuilt elsewhere) and how it was judged.
#[derive(Clone, Debug, Serialize)]
pub struct RebuildSection {
    /// The build, when custody ran it (`rebuild`, `[reproduce] mode = "rebuild"`).
    #[serde(flatten)]
    pub build: Option<RebuildFacts>,
    /// The rebuilt artifact, when compared without a build (`diff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<ArchiveDiff>,
    /// `identical`, `contents` (metadata differences accepted), `different`, or `none`.
    pub comparison: &'static str,
    pub accept: Accept,
}

/// What one command concluded about every artifact it was given.
#[derive(Clone, Debug, Serialize)]
pub struct RunVerdict {
    /// The subcommand (`verify`, `compare`, ...).
    pub command: &'static str,
    /// The custody version that reached the verdict.
    pub custody_version: &'static str,
    /// When the verdict was reached, UTC (`YYYY-MM-DDTHH:MM:SSZ`).
    pub time: String,
    /// The evidence files read (bundles, attestations, the policy), each with its SHA-256: what
    /// the verdict rests on, so another run can tell whether it saw the same inputs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InputDigest>,
    pub verdict: Verdict,
    pub artifacts: Vec<ArtifactVerdict>,
    /// Facts that apply to the whole run.
    #[serde(skip_serializing_if = "Notes::is_empty")]
    pub notes: Notes,
}

impl RunVerdict {
    /// The overall verdict passes only when every artifact passed.
    pub fn new(command: &'static str, artifacts: Vec<ArtifactVerdict>) -> RunVerdict {
        let verdict =
            if !artifacts.is_empty() && artifacts.iter().all(|a| a.verdict == Verdict::Pass) {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        RunVerdict {
            command,
            custody_version: env!("CARGO_PKG_VERSION"),
            time: crate::attest::timestamp::format_utc(now),
            inputs: Vec::new(),
            verdict,
            artifacts,
            notes: Notes::default(),
        }
    }

    /// Every failed or not-performed check, with the artifact it belongs to.
    pub fn problems(&self) -> impl Iterator<Item = (&ArtifactVerdict, &Check)> {
        self.artifacts.iter().flat_map(|a| {
            a.checks
                .iter()
                .filter(|c| c.outcome != Outcome::Pass)
                .map(move |c| (a, c))
        })
    }
}

/// One evidence file a run read, and the SHA-256 of the bytes it read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputDigest {
    /// What the file was to the run: `bundle` (an attestation or bundle file) or `policy`.
    pub role: &'static str,
    pub path: String,
    pub sha256: String,
}

/// Facts about the whole run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Notes {
    /// The policy file used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Which trusted root keyless evidence (or a bundle's log entries) was checked against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_root: Option<String>,
    /// The keys trusted for key-signed evidence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trusted_keys: Vec<TrustedKey>,
    /// How many distinct trusted keys must sign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<usize>,
    /// The identities keyless evidence must be signed by.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keyless_identities: Vec<String>,
    /// Set when keyless signers are slsa-verifier's default builders (only the source
    /// repository was pinned): which builders those are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_builders: Option<String>,
    /// What a stat cache did (`custody source --stat-cache`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stat_cache: Option<String>,
    /// Set when the policy accepts any keyless identity of an issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dangerous_any_identity: Option<String>,
    /// Set when the policy accepts keyless evidence without a log entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dangerous_accept_unlogged: Option<String>,
    /// Set when the verdict rests on a VSA: whose word it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vsa: Option<String>,
    /// Set when the policy accepts bundles without a log entry on signed timestamps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamps_without_log: Option<String>,
    /// Where an HTML page of the differences was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// What running diffoscope did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diffoscope: Option<String>,
}

impl Notes {
    pub fn is_empty(&self) -> bool {
        self.policy.is_none()
            && self.trusted_root.is_none()
            && self.trusted_keys.is_empty()
            && self.threshold.is_none()
            && self.keyless_identities.is_empty()
            && self.default_builders.is_none()
            && self.stat_cache.is_none()
            && self.dangerous_any_identity.is_none()
            && self.dangerous_accept_unlogged.is_none()
            && self.timestamps_without_log.is_none()
            && self.vsa.is_none()
            && self.html.is_none()
            && self.diffoscope.is_none()
    }

    /// The notes every report format must show, whatever its verbosity: the trusted root, the
    /// stat cache, and every `dangerous_*` setting in force, as (key, text).
    pub fn headline(&self) -> Vec<(&'static str, &str)> {
        [
            ("dangerous_accept_unlogged", &self.dangerous_accept_unlogged),
            ("dangerous_any_identity", &self.dangerous_any_identity),
            ("default_builders", &self.default_builders),
            ("stat_cache", &self.stat_cache),
            ("trusted_root", &self.trusted_root),
            ("timestamps_without_log", &self.timestamps_without_log),
            ("vsa", &self.vsa),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_deref()?)))
        .collect()
    }
}

/// A key trusted for key-signed evidence.
#[derive(Clone, Debug, Serialize)]
pub struct TrustedKey {
    pub key: String,
    pub keyid: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

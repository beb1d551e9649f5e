//! Applying a policy to the verified provenance about one artifact, in the order of slsa.dev
//! "Verifying artifacts": predicate type, builder, build type, source (repository, ref,
//! commit), external parameters, then age.
//!
//! Only [`Verified`] evidence comes in, so nothing here can be fooled by an unsigned claim.
//! Every statement of an accepted type is judged; one failing statement fails the artifact.

use serde_json::{Map, Value};

use super::{Context, Sink};
use crate::attest::slsa::Provenance;
use crate::attest::statement::Statement;
use crate::attest::timestamp::parse_rfc3339;
use crate::check::Check;
use crate::generator;
use crate::policy::Policy;
use crate::signature::Verified;

crate::codes! {
    /// What the provenance rules report.
    pub enum Code {
        PredicateTypeAccepted = "predicate-type-accepted" {
            summary: "a verified statement has a predicate type the policy accepts",
            description: "The policy's predicate-types lists this statement's predicateType.",
        },
        PredicateTypeNotAccepted = "predicate-type-not-accepted" {
            summary: "no verified statement about the artifact has an accepted predicate type",
            description: "The policy's predicate-types lists the kinds of statement it accepts (for example \
            https://slsa.dev/provenance/v1). Statements about the artifact were verified, but none is of an accepted \
            type; statements of other types are ignored, never counted.",
        },
        ProvenanceMissing = "provenance-missing" {
            summary: "the policy judges provenance, but no verified SLSA provenance names the artifact",
            description: "Builder, build type, source, age and SLSA parameter rules are read from SLSA provenance v0.2 \
            or v1. The artifact is named only by other kinds of verified statement (or by a message signature), so \
            those rules cannot hold. Pass the provenance attestation with --bundle.",
        },
        BuilderIdAccepted = "builder-id-accepted" {
            summary: "the provenance's builder id is accepted",
            description: "The builder id matches --builder-id or the policy's builder-ids (without @ref, any ref of \
            that builder matches; @vX.Y.Z matches refs/tags/vX.Y.Z), or, with only --source-uri pinned, the builder is \
            one slsa-verifier trusts by default: slsa-github-generator's generic, Go and container-based builders, and \
            builds its delegators (delegator_generic_slsa3.yml, delegator_lowperms-generic_slsa3.yml) made with one of \
            its own workflows (the Maven, Gradle and Node.js builders).",
        },
        BuilderIdNotAccepted = "builder-id-not-accepted" {
            summary: "the provenance was produced by a builder the policy does not trust",
            description: "slsa.dev: the builder id is what you trust to have produced honest provenance. This one is not \
            among --builder-id / builder-ids. With @ref an id must match (@vX.Y.Z matches refs/tags/vX.Y.Z); without, \
            any ref matches. A delegated build (signed by an slsa-github-generator delegator) is judged by the builder \
            it names, and a builder outside slsa-github-generator is trusted only when --builder-id names it.",
        },
        BuilderNotReleased = "builder-not-released" {
            summary: "slsa-github-generator provenance from a builder that was not at a release tag",
            description: "slsa-verifier's rule for slsa-github-generator: the workflow that signed (a builder, or a \
            delegator) must have run at a release tag refs/tags/vX.Y.Z, and a delegated build's builder (its builder.id, \
            the tool's reusable workflow) must be at a release tag too. A branch or a pre-release can be moved or \
            rewritten by whoever controls the repository, so provenance from one proves nothing about released code.",
        },
        BuilderMismatch = "builder-mismatch" {
            summary: "the provenance names another builder than the workflow that signed it",
            description: "slsa-github-generator's builders sign their own provenance, so its builder.id must be exactly \
            the signing certificate's workflow identity (NAME@refs/tags/vX.Y.Z). A delegated build is signed by a \
            delegator workflow and must have the delegator's build type \
            (https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0); its builder.id names the \
            builder it delegated to, which --builder-id is matched against.",
        },
        BuildTypeAccepted = "build-type-accepted" {
            summary: "the provenance's build type is accepted",
            description: "The buildType is listed in the policy's build-types.",
        },
        BuildTypeNotAccepted = "build-type-not-accepted" {
            summary: "the provenance's build type is not one the policy accepts",
            description: "The buildType decides how the rest of the provenance (external parameters) must be read; a \
            build type the policy does not list cannot be interpreted safely.",
        },
        SourceUriMatched = "source-uri-matched" {
            summary: "the provenance names the expected source repository",
            description: "The repository in the provenance (v0.2 invocation.configSource or first material; v1 \
            externalParameters.workflow.repository or source) equals --source-uri / source.uri.",
        },
        SourceUriMismatch = "source-uri-mismatch" {
            summary: "the artifact was built from a different repository, or the provenance names none",
            description: "Repositories are compared after removing git+, the scheme and a trailing .git, as \
            slsa-verifier does: --source-uri github.com/org/repo.",
        },
        SourceRefMatched = "source-ref-matched" {
            summary: "the provenance's git ref is the expected one",
            description: "The ref matches --source-tag, --source-versioned-tag, --source-branch or the policy's \
            source ref pattern.",
        },
        SourceRefMismatch = "source-ref-mismatch" {
            summary: "the artifact was built from another ref, or the provenance names none",
            description: "A tag must be refs/tags/TAG, a branch refs/heads/BRANCH, a versioned tag a semver tag whose \
            leading components equal the given vX[.Y[.Z]], and a ref pattern a glob over the full ref.",
        },
        SourceCommitMatched = "source-commit-matched" {
            summary: "the provenance names the expected commit",
            description: "The source's gitCommit/sha1 digest equals source.commit.",
        },
        SourceCommitMismatch = "source-commit-mismatch" {
            summary: "the artifact was built from another commit, or the provenance names none",
            description: "The commit comes from the digest of the config source (v0.2) or of the resolved dependency \
            that is the source repository (v1). A SHA-256 repository's commits have 64 hex digits and a SHA-1 \
            repository's 40: an id of the other length never names the checkout's commit, and the message says so.",
        },
        WorkflowInputMatched = "workflow-input-matched" {
            summary: "a workflow input has the expected value",
            description: "--build-workflow-input KEY=VALUE (or slsa.workflow-inputs) matches the provenance.",
        },
        WorkflowInputMismatch = "workflow-input-mismatch" {
            summary: "a workflow input is missing or has another value",
            description: "Inputs are read from v1 externalParameters.inputs or v0.2 \
            invocation.environment.github_event_payload.inputs, as slsa-verifier reads them.",
        },
        ExternalParametersRecognised = "external-parameters-recognised" {
            summary: "every external parameter is recognised or allowed",
            description: "With slsa.reject-unknown-external-parameters, each external parameter is one custody checks \
            (workflow, source, expected inputs) or one the policy allows.",
        },
        UnknownExternalParameter = "unknown-external-parameter" {
            summary: "the provenance has external parameters the policy neither checks nor allows",
            description: "slsa.dev \"Verifying artifacts\": external parameters are the inputs an attacker could \
            control, and any unrecognised one should fail verification because it could have changed the build. Allow it \
            with slsa.allowed-external-parameters (`name`, or `inputs.NAME`) or expect its value.",
        },
        AttestationAgeOk = "attestation-age-ok" {
            summary: "the build is recent enough",
            description: "The provenance's build time (finished, else started) is within the policy's max-age.",
        },
        AttestationTooOld = "attestation-too-old" {
            summary: "the build is older than the policy's max-age",
            description: "The signed build time is further in the past than max-age allows; rebuild or relax max-age.",
        },
        AttestationAgeUnknown = "attestation-age-unknown" {
            summary: "max-age is set, but the provenance states no valid build time",
            description: "Age is read from the signed provenance (v1 runDetails.metadata finishedOn/startedOn, v0.2 \
            metadata buildFinishedOn/buildStartedOn), never from unverified log entries. Without a valid RFC 3339 \
            time the age cannot be established, which fails rather than passes.",
        },
    }
}

/// Build types whose `externalParameters.workflow` custody reads as the source.
const GITHUB_WORKFLOW_BUILD_TYPES: &[&str] = &[
    "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
    "https://actions.github.io/buildtypes/workflow/v1",
];

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    let Some(a) = ctx.artifact else {
        return;
    };
    let matched: Vec<&Verified> = a
        .matched
        .iter()
        .filter_map(|(i, _)| ctx.evidence.verified(*i))
        .collect();
    if !matched.is_empty() {
        sink.extend(evaluate(ctx.policy, &matched, ctx.now));
    }
}

/// The checks `policy` adds for an artifact named by `matched` (all verified); `now` is seconds
/// since the Unix epoch.
pub fn evaluate(policy: &Policy, matched: &[&Verified], now: i64) -> Vec<Check> {
    let mut checks = Vec::new();
    let statements: Vec<(&Verified, &Statement)> = matched
        .iter()
        .filter_map(|v| Some((*v, v.statement()?)))
        .collect();

    let considered: Vec<(&Verified, &Statement)> = if policy.predicate_types.is_empty() {
        statements
    } else {
        let (accepted, other): (Vec<_>, Vec<_>) = statements
            .into_iter()
            .partition(|(_, s)| policy.predicate_types.contains(&s.predicate_type));
        if accepted.is_empty() {
            let seen: Vec<&str> = other
                .iter()
                .map(|(_, s)| s.predicate_type.as_str())
                .collect();
            checks.push(Check::fail(
                Code::PredicateTypeNotAccepted,
                format!(
                    "no verified statement has an accepted predicate type (found: {}; accepted: {})",
                    if seen.is_empty() { "none".to_owned() } else { seen.join(", ") },
                    policy.predicate_types.join(", ")
                ),
            ));
            return checks;
        }
        for (v, s) in &accepted {
            checks.push(Check::pass(
                Code::PredicateTypeAccepted,
                format!("{}: predicate type {}", v.origin(), s.predicate_type),
            ));
        }
        accepted
    };

    if !policy.needs_provenance() {
        return checks;
    }
    let mut provenances = 0;
    for (v, s) in considered {
        match Provenance::from_predicate(&s.predicate_type, &s.predicate) {
            None => {}
            Some(Err(m)) => checks.push(Check::fail(
                m.code,
                format!("{}: {}", v.origin(), m.message),
            )),
            Some(Ok(p)) => {
                provenances += 1;
                provenance(policy, v, &p, now, &mut checks);
            }
        }
    }
    if provenances == 0 {
        match certificate_source(policy, matched) {
            Some(from_certificates) => checks.extend(from_certificates),
            None => checks.push(Check::fail(
                Code::ProvenanceMissing,
                "the policy judges builder, source or age, but no verified SLSA provenance names this artifact",
            )),
        }
    }
    checks
}

/// Without SLSA provenance (a PyPI publish attestation), the one source rule a keyless
/// signature can still answer is the repository: Fulcio writes the CI's source repository into
/// the signing certificate. `None` when the policy asks for more than the repository, or no
/// signer has such a certificate.
fn certificate_source(policy: &Policy, matched: &[&Verified]) -> Option<Vec<Check>> {
    let want = policy.source.uri.as_deref()?;
    let only_repository = policy.builder_ids.is_empty()
        && policy.build_types.is_empty()
        && policy.source.git_ref.is_none()
        && policy.source.commit.is_none()
        && policy.max_age.is_none()
        && !policy.slsa.reject_unknown_external_parameters
        && policy.slsa.workflow_inputs.is_empty();
    if !only_repository {
        return None;
    }
    let mut checks = Vec::new();
    for v in matched {
        for signer in v.signers() {
            let Some(got) = signer
                .certificate
                .as_ref()
                .and_then(|c| c["extensions"]["source-repository-uri"].as_str())
            else {
                continue;
            };
            let got = crate::source::binding::canonical_repository(got);
            checks.push(if got == want {
                Check::pass(
                    Code::SourceUriMatched,
                    format!("{}: source {got}, from the signing certificate", v.origin()),
                )
            } else {
                Check::fail(
                    Code::SourceUriMismatch,
                    format!(
                        "{}: signed by a workflow of {got} (the signing certificate's source \
                         repository), expected {want}",
                        v.origin()
                    ),
                )
            });
        }
    }
    (!checks.is_empty()).then_some(checks)
}

fn accepted(policy: &Policy) -> String {
    let want: Vec<&str> = policy.builder_ids.iter().map(|b| b.as_str()).collect();
    want.join(", ")
}

/// slsa-verifier's builder rules for provenance an slsa-github-generator workflow signed (see
/// [`generator`]): the signer at a release tag; a builder's provenance names exactly the
/// signer; a delegated build has the delegator's build type and names its builder at a
/// release tag, which `--builder-id` (or, by default, the generator's own workflows) must
/// accept.
fn generator_builder(
    policy: &Policy,
    at: &str,
    p: &Provenance,
    signer: generator::Signer,
    checks: &mut Vec<Check>,
) {
    let id = p.builder_id();
    if !generator::is_release_ref(signer.git_ref()) {
        checks.push(Check::fail(
            Code::BuilderNotReleased,
            format!(
                "{at}: signed by {}, which is not at a release tag refs/tags/vX.Y.Z",
                signer.identity()
            ),
        ));
        return;
    }
    match signer {
        generator::Signer::Builder { identity } => {
            if id != identity {
                checks.push(Check::fail(
                    Code::BuilderMismatch,
                    format!("{at}: the provenance names builder {id}, but {identity} signed it"),
                ));
            } else if policy.builder_ids.is_empty() {
                checks.push(Check::pass(
                    Code::BuilderIdAccepted,
                    format!("{at}: builder {id}, which signed its own provenance"),
                ));
            } else if policy.builder_ids.iter().any(|b| b.matches(id)) {
                checks.push(Check::pass(
                    Code::BuilderIdAccepted,
                    format!("{at}: builder {id}"),
                ));
            } else {
                checks.push(Check::fail(
                    Code::BuilderIdNotAccepted,
                    format!("{at}: builder {id} is not one of {}", accepted(policy)),
                ));
            }
        }
        generator::Signer::Delegator { identity } => {
            let build_type = p.build_type();
            if build_type != generator::DELEGATOR_BUILD_TYPE {
                checks.push(Check::fail(
                    Code::BuilderMismatch,
                    format!(
                        "{at}: signed by the delegator {identity}, but the build type is {build_type:?}, \
                         not {}",
                        generator::DELEGATOR_BUILD_TYPE
                    ),
                ));
            } else if !generator::is_released_builder(id) {
                checks.push(Check::fail(
                    Code::BuilderNotReleased,
                    format!(
                        "{at}: builder {id} (delegated by {identity}) is not at a release tag \
                         refs/tags/vX.Y.Z"
                    ),
                ));
            } else if policy.builder_ids.is_empty() {
                checks.push(if id.starts_with(generator::WORKFLOWS) {
                    Check::pass(
                        Code::BuilderIdAccepted,
                        format!(
                            "{at}: builder {id}, delegated by {identity} (trusted by default: one \
                             of slsa-github-generator's workflows)"
                        ),
                    )
                } else {
                    Check::fail(
                        Code::BuilderIdNotAccepted,
                        format!(
                            "{at}: builder {id}, delegated by {identity}, is not one of \
                             slsa-github-generator's workflows; trust it by naming it with \
                             --builder-id"
                        ),
                    )
                });
            } else if policy.builder_ids.iter().any(|b| b.matches(id)) {
                checks.push(Check::pass(
                    Code::BuilderIdAccepted,
                    format!("{at}: builder {id}, delegated by {identity}"),
                ));
            } else {
                checks.push(Check::fail(
                    Code::BuilderIdNotAccepted,
                    format!(
                        "{at}: builder {id} (delegated by {identity}) is not one of {}",
                        accepted(policy)
                    ),
                ));
            }
        }
    }
}

/// Every provenance rule for one verified provenance statement.
fn provenance(policy: &Policy, v: &Verified, p: &Provenance, now: i64, checks: &mut Vec<Check>) {
    let at = v.origin();
    let generator_signers: Vec<generator::Signer> = v
        .signers()
        .iter()
        .filter_map(|s| match (&s.identity, &s.issuer) {
            (Some(Some(identity)), Some(Some(issuer))) => generator::Signer::of(identity, issuer),
            _ => None,
        })
        .collect();
    if generator_signers.is_empty() {
        if !policy.builder_ids.is_empty() {
            let id = p.builder_id();
            checks.push(if policy.builder_ids.iter().any(|b| b.matches(id)) {
                Check::pass(Code::BuilderIdAccepted, format!("{at}: builder {id}"))
            } else {
                Check::fail(
                    Code::BuilderIdNotAccepted,
                    format!("{at}: builder {id} is not one of {}", accepted(policy)),
                )
            });
        }
    } else {
        for signer in generator_signers {
            generator_builder(policy, &at.to_string(), p, signer, checks);
        }
    }
    if !policy.build_types.is_empty() {
        let t = p.build_type();
        checks.push(if policy.build_types.iter().any(|b| b == t) {
            Check::pass(Code::BuildTypeAccepted, format!("{at}: build type {t}"))
        } else {
            Check::fail(
                Code::BuildTypeNotAccepted,
                format!("{at}: build type {t:?} is not accepted"),
            )
        });
    }
    let source = p.source();
    if let Some(want) = &policy.source.uri {
        checks.push(match &source.repository {
            Some(got) if got == want => {
                Check::pass(Code::SourceUriMatched, format!("{at}: source {got}"))
            }
            Some(got) => Check::fail(
                Code::SourceUriMismatch,
                format!("{at}: built from {got}, expected {want}"),
            ),
            None => Check::fail(
                Code::SourceUriMismatch,
                format!("{at}: the provenance names no source repository"),
            ),
        });
    }
    if let Some(rule) = &policy.source.git_ref {
        // A branch rule asks which branch the build ran for; a tag build ran for the branch
        // the tag was pushed to, which slsa-github-generator's GitHub environment records.
        let git_ref = match (rule, p.github_branch()) {
            (crate::policy::RefRule::Branch(_), Some(branch)) => Some(branch),
            _ => source.git_ref.clone(),
        };
        checks.push(match &git_ref {
            Some(got) if rule.matches(got) => {
                Check::pass(Code::SourceRefMatched, format!("{at}: ref {got}"))
            }
            Some(got) => Check::fail(
                Code::SourceRefMismatch,
                format!("{at}: built from {got}, expected {}", rule.describe()),
            ),
            None => Check::fail(
                Code::SourceRefMismatch,
                format!("{at}: the provenance names no git ref"),
            ),
        });
    }
    if let Some(want) = &policy.source.commit {
        checks.push(match &source.commit {
            Some(got) if got == want => {
                Check::pass(Code::SourceCommitMatched, format!("{at}: commit {got}"))
            }
            Some(got) => Check::fail(
                Code::SourceCommitMismatch,
                format!("{at}: built from commit {got}, expected {want}"),
            ),
            None => Check::fail(
                Code::SourceCommitMismatch,
                format!("{at}: the provenance names no source commit"),
            ),
        });
    }
    let inputs = p.workflow_inputs();
    for (key, want) in &policy.slsa.workflow_inputs {
        let got = inputs.and_then(|i| i.get(key)).map(scalar_text);
        checks.push(match got {
            Some(Some(got)) if got == *want => Check::pass(
                Code::WorkflowInputMatched,
                format!("{at}: workflow input {key}={got}"),
            ),
            Some(Some(got)) => Check::fail(
                Code::WorkflowInputMismatch,
                format!("{at}: workflow input {key} is {got:?}, expected {want:?}"),
            ),
            _ => Check::fail(
                Code::WorkflowInputMismatch,
                format!("{at}: workflow input {key} is not set"),
            ),
        });
    }
    if policy.slsa.reject_unknown_external_parameters {
        let unknown = unknown_external_parameters(policy, p);
        checks.push(if unknown.is_empty() {
            Check::pass(
                Code::ExternalParametersRecognised,
                format!("{at}: every external parameter is recognised"),
            )
        } else {
            Check::fail(
                Code::UnknownExternalParameter,
                format!(
                    "{at}: unrecognised external parameters: {}",
                    unknown.join(", ")
                ),
            )
        });
    }
    if let Some(max) = policy.max_age {
        checks.push(match p.build_time().map(|t| (t, parse_rfc3339(t))) {
            Some((t, Some(secs))) => {
                let age = now.saturating_sub(secs);
                if age <= i64::try_from(max).unwrap_or(i64::MAX) {
                    Check::pass(Code::AttestationAgeOk, format!("{at}: built {t}"))
                } else {
                    Check::fail(
                        Code::AttestationTooOld,
                        format!(
                            "{at}: built {t}, {} days ago; max-age is {} days",
                            age / 86_400,
                            max / 86_400
                        ),
                    )
                }
            }
            Some((t, None)) => Check::fail(
                Code::AttestationAgeUnknown,
                format!("{at}: build time {t:?} is not RFC 3339"),
            ),
            None => Check::fail(
                Code::AttestationAgeUnknown,
                format!("{at}: the provenance states no build time"),
            ),
        });
    }
}

/// Strings as they are; numbers and booleans as JSON writes them; anything else has no text.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    }
}

/// External parameters that are neither read by custody nor allowed by the policy, sorted.
fn unknown_external_parameters(policy: &Policy, p: &Provenance) -> Vec<String> {
    let allowed = &policy.slsa.allowed_external_parameters;
    let allows = |name: &str| allowed.iter().any(|a| a == name);
    let mut unknown = Vec::new();
    let nested = |prefix: &str, map: &Map<String, Value>, unknown: &mut Vec<String>| {
        for key in map.keys() {
            let name = format!("{prefix}.{key}");
            let expected = prefix == "inputs" && policy.slsa.workflow_inputs.contains_key(key);
            if !expected && !allows(prefix) && !allows(&name) {
                unknown.push(name);
            }
        }
    };
    let empty = Map::new();
    let (top, build_type) = match p {
        Provenance::V1(v1) => (&v1.external_parameters, v1.build_type.as_str()),
        Provenance::V02(v02) => (
            v02.parameters.as_object().unwrap_or(&empty),
            v02.build_type.as_str(),
        ),
    };
    for (key, value) in top {
        let read_by_custody = key == "source"
            || (key == "workflow" && GITHUB_WORKFLOW_BUILD_TYPES.contains(&build_type));
        match (key.as_str(), value) {
            _ if read_by_custody => {}
            ("inputs" | "vars", Value::Object(map)) => nested(key, map, &mut unknown),
            _ if allows(key) => {}
            _ => unknown.push(key.clone()),
        }
    }
    if let (Provenance::V02(_), Some(inputs)) = (p, p.workflow_inputs()) {
        nested("inputs", inputs, &mut unknown);
    }
    unknown.sort();
    unknown.dedup();
    unknown
}

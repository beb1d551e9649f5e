//! Applying a policy to the verified evidence about one artifact, in the order of slsa.dev
//! "Verifying artifacts": predicate type, builder, build type, source (repository, ref,
//! commit), external parameters, then age.
//!
//! Only [`Verified`] evidence comes in, so nothing here can be fooled by an unsigned claim.
//! Every statement of an accepted type is judged; one failing statement fails the artifact.

use serde_json::{Map, Value};

use super::Policy;
use super::codes::*;
use crate::attest::slsa::Provenance;
use crate::attest::statement::Statement;
use crate::attest::timestamp::parse_rfc3339;
use crate::check::Check;
use crate::signature::Verified;

/// Build types whose `externalParameters.workflow` custody reads as the source.
const GITHUB_WORKFLOW_BUILD_TYPES: &[&str] = &[
    "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
    "https://actions.github.io/buildtypes/workflow/v1",
];

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
                PREDICATE_TYPE_NOT_ACCEPTED,
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
                PREDICATE_TYPE_ACCEPTED,
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
        checks.push(Check::fail(
            PROVENANCE_MISSING,
            "the policy judges builder, source or age, but no verified SLSA provenance names this artifact",
        ));
    }
    checks
}

/// Every provenance rule for one verified provenance statement.
fn provenance(policy: &Policy, v: &Verified, p: &Provenance, now: i64, checks: &mut Vec<Check>) {
    let at = v.origin();
    if !policy.builder_ids.is_empty() {
        let id = p.builder_id();
        checks.push(if policy.builder_ids.iter().any(|b| b.matches(id)) {
            Check::pass(BUILDER_ID_ACCEPTED, format!("{at}: builder {id}"))
        } else {
            let want: Vec<&str> = policy.builder_ids.iter().map(|b| b.as_str()).collect();
            Check::fail(
                BUILDER_ID_NOT_ACCEPTED,
                format!("{at}: builder {id} is not one of {}", want.join(", ")),
            )
        });
    }
    if !policy.build_types.is_empty() {
        let t = p.build_type();
        checks.push(if policy.build_types.iter().any(|b| b == t) {
            Check::pass(BUILD_TYPE_ACCEPTED, format!("{at}: build type {t}"))
        } else {
            Check::fail(
                BUILD_TYPE_NOT_ACCEPTED,
                format!("{at}: build type {t:?} is not accepted"),
            )
        });
    }
    let source = p.source();
    if let Some(want) = &policy.source.uri {
        checks.push(match &source.repository {
            Some(got) if got == want => {
                Check::pass(SOURCE_URI_MATCHED, format!("{at}: source {got}"))
            }
            Some(got) => Check::fail(
                SOURCE_URI_MISMATCH,
                format!("{at}: built from {got}, expected {want}"),
            ),
            None => Check::fail(
                SOURCE_URI_MISMATCH,
                format!("{at}: the provenance names no source repository"),
            ),
        });
    }
    if let Some(rule) = &policy.source.git_ref {
        checks.push(match &source.git_ref {
            Some(got) if rule.matches(got) => {
                Check::pass(SOURCE_REF_MATCHED, format!("{at}: ref {got}"))
            }
            Some(got) => Check::fail(
                SOURCE_REF_MISMATCH,
                format!("{at}: built from {got}, expected {}", rule.describe()),
            ),
            None => Check::fail(
                SOURCE_REF_MISMATCH,
                format!("{at}: the provenance names no git ref"),
            ),
        });
    }
    if let Some(want) = &policy.source.commit {
        checks.push(match &source.commit {
            Some(got) if got == want => {
                Check::pass(SOURCE_COMMIT_MATCHED, format!("{at}: commit {got}"))
            }
            Some(got) => Check::fail(
                SOURCE_COMMIT_MISMATCH,
                format!("{at}: built from commit {got}, expected {want}"),
            ),
            None => Check::fail(
                SOURCE_COMMIT_MISMATCH,
                format!("{at}: the provenance names no source commit"),
            ),
        });
    }
    let inputs = p.workflow_inputs();
    for (key, want) in &policy.slsa.workflow_inputs {
        let got = inputs.and_then(|i| i.get(key)).map(scalar_text);
        checks.push(match got {
            Some(Some(got)) if got == *want => Check::pass(
                WORKFLOW_INPUT_MATCHED,
                format!("{at}: workflow input {key}={got}"),
            ),
            Some(Some(got)) => Check::fail(
                WORKFLOW_INPUT_MISMATCH,
                format!("{at}: workflow input {key} is {got:?}, expected {want:?}"),
            ),
            _ => Check::fail(
                WORKFLOW_INPUT_MISMATCH,
                format!("{at}: workflow input {key} is not set"),
            ),
        });
    }
    if policy.slsa.reject_unknown_external_parameters {
        let unknown = unknown_external_parameters(policy, p);
        checks.push(if unknown.is_empty() {
            Check::pass(
                EXTERNAL_PARAMETERS_RECOGNISED,
                format!("{at}: every external parameter is recognised"),
            )
        } else {
            Check::fail(
                UNKNOWN_EXTERNAL_PARAMETER,
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
                    Check::pass(ATTESTATION_AGE_OK, format!("{at}: built {t}"))
                } else {
                    Check::fail(
                        ATTESTATION_TOO_OLD,
                        format!(
                            "{at}: built {t}, {} days ago; max-age is {} days",
                            age / 86_400,
                            max / 86_400
                        ),
                    )
                }
            }
            Some((t, None)) => Check::fail(
                ATTESTATION_AGE_UNKNOWN,
                format!("{at}: build time {t:?} is not RFC 3339"),
            ),
            None => Check::fail(
                ATTESTATION_AGE_UNKNOWN,
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

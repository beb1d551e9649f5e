//! A SLSA Verification Summary Attestation (VSA) as input: another verifier's signed word that
//! a resource passed its policy. Judged as slsa-verifier's `verify-vsa` judges it
//! (verifiers/internal/vsa/verifier.go): the expected subject digests, the verifier id, the
//! resource URI, the result PASSED, and the verified levels (per SLSA track, at least the level
//! asked for; any other level, verbatim). Every rule is reported, not only the first to fail.

use crate::attest::statement::Statement;
use crate::check::Check;

/// The VSA predicate type slsa-verifier accepts.
pub const VSA_V1: &str = "https://slsa.dev/verification_summary/v1";

crate::codes! {
    /// What the VSA rules report.
    pub enum Code {
        VsaPredicateType = "vsa-predicate-type" {
            summary: "the verified statement is not a SLSA VSA v1",
            description: "A verification summary must have predicateType https://slsa.dev/verification_summary/v1.",
        },
        VsaSubjectMatched = "vsa-subject-matched" {
            summary: "the VSA names every expected subject digest",
            description: "Each --subject-digest TYPE:VALUE is a digest of some subject of the VSA (any digest type: \
            sha256, gce_image_id, ...).",
        },
        VsaSubjectMissing = "vsa-subject-missing" {
            summary: "the VSA does not name an expected subject digest, or none was given",
            description: "The VSA vouches only for the subjects it lists. At least one --subject-digest TYPE:VALUE \
            must be given, and each must be a digest of one of its subjects.",
        },
        VsaVerifierMatched = "vsa-verifier-matched" {
            summary: "the VSA comes from the expected verifier",
            description: "predicate.verifier.id equals --verifier-id.",
        },
        VsaVerifierMismatch = "vsa-verifier-mismatch" {
            summary: "the VSA names another verifier, or none",
            description: "The verifier id says whose judgement the VSA carries; it must equal --verifier-id. The \
            key that signed the VSA is checked separately (--public-key-path).",
        },
        VsaResourceMatched = "vsa-resource-matched" {
            summary: "the VSA is about the expected resource",
            description: "predicate.resourceUri equals --resource-uri.",
        },
        VsaResourceMismatch = "vsa-resource-mismatch" {
            summary: "the VSA is about another resource, or names none",
            description: "predicate.resourceUri must equal --resource-uri: a VSA for one package or image says \
            nothing about another that happens to share a digest type.",
        },
        VsaPassed = "vsa-passed" {
            summary: "the verifier found the resource PASSED",
            description: "predicate.verificationResult is PASSED.",
        },
        VsaNotPassed = "vsa-not-passed" {
            summary: "the verifier did not pass the resource",
            description: "predicate.verificationResult is not PASSED (FAILED, or missing): the other verifier \
            refused it.",
        },
        VsaLevelsMet = "vsa-levels-met" {
            summary: "the VSA has the verified levels asked for",
            description: "Each --verified-level SLSA_TRACK_LEVEL_N is met by a level of the same track at N or above; \
            any other level (BCID_L1, FEDRAMP_LOW) is present verbatim.",
        },
        VsaLevelsNotMet = "vsa-levels-not-met" {
            summary: "the VSA lacks a verified level asked for",
            description: "A SLSA track asked for is missing or below the level asked for, or another level is not \
            listed in predicate.verifiedLevels.",
        },
        VsaLevelInvalid = "vsa-level-invalid" {
            summary: "a SLSA level is malformed",
            description: "A level starting SLSA_ must read SLSA_TRACK_LEVEL_N with a whole number N, in --verified-level \
            and in the VSA alike.",
        },
    }
}

/// What the VSA must say (slsa-verifier's `verify-vsa` flags).
#[derive(Clone, Debug, Default)]
pub struct Expect {
    /// `--subject-digest TYPE:VALUE`.
    pub subject_digests: Vec<String>,
    pub verifier_id: Option<String>,
    pub resource_uri: Option<String>,
    pub verified_levels: Vec<String>,
}

/// Every VSA rule for one verified statement; `at` names where it came from.
pub fn evaluate(at: &str, statement: &Statement, want: &Expect) -> Vec<Check> {
    if statement.predicate_type != VSA_V1 {
        return vec![Check::fail(
            Code::VsaPredicateType,
            format!(
                "{at}: predicateType {:?} is not {VSA_V1}",
                statement.predicate_type
            ),
        )];
    }
    let p = &statement.predicate;
    let text = |key: &str| p.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    let mut checks = vec![subjects(at, statement, &want.subject_digests)];
    let verifier = p
        .pointer("/verifier/id")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    checks.push(matches(
        at,
        "verifier id",
        verifier,
        want.verifier_id.as_deref(),
        "--verifier-id",
        (Code::VsaVerifierMatched, Code::VsaVerifierMismatch),
    ));
    checks.push(matches(
        at,
        "resource URI",
        text("resourceUri"),
        want.resource_uri.as_deref(),
        "--resource-uri",
        (Code::VsaResourceMatched, Code::VsaResourceMismatch),
    ));
    let result = text("verificationResult");
    checks.push(if result == "PASSED" {
        Check::pass(Code::VsaPassed, format!("{at}: verificationResult PASSED"))
    } else {
        Check::fail(
            Code::VsaNotPassed,
            format!("{at}: verificationResult is {result:?}, not \"PASSED\""),
        )
    });
    let got: Vec<String> = p
        .get("verifiedLevels")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    checks.push(levels(at, &got, &want.verified_levels));
    checks
}

fn subjects(at: &str, statement: &Statement, want: &[String]) -> Check {
    if want.is_empty() {
        return Check::fail(
            Code::VsaSubjectMissing,
            format!("{at}: no --subject-digest given: a VSA is judged for the subjects it names"),
        );
    }
    let missing: Vec<&String> = want
        .iter()
        .filter(|w| {
            let Some((kind, value)) = w.split_once(':') else {
                return true;
            };
            !statement
                .subjects
                .iter()
                .any(|s| s.digest.get(kind) == Some(value))
        })
        .collect();
    if missing.is_empty() {
        Check::pass(
            Code::VsaSubjectMatched,
            format!("{at}: subject digest {}", want.join(", ")),
        )
    } else {
        Check::fail(
            Code::VsaSubjectMissing,
            format!(
                "{at}: no subject has the digest {}",
                missing
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }
}

fn matches(
    at: &str,
    what: &str,
    got: &str,
    want: Option<&str>,
    flag: &str,
    (pass, fail): (Code, Code),
) -> Check {
    match want {
        _ if got.is_empty() => Check::fail(fail, format!("{at}: the VSA names no {what}")),
        Some(w) if w == got => Check::pass(pass, format!("{at}: {what} {got}")),
        Some(w) => Check::fail(fail, format!("{at}: {what} {got}, expected {w}")),
        None => Check::fail(
            fail,
            format!("{at}: {what} {got}, and no {flag} says which to expect"),
        ),
    }
}

/// `SLSA_TRACK_LEVEL_N` → (TRACK, N); `Err` for a malformed SLSA level; `Ok(None)` for a level
/// outside the SLSA tracks.
fn slsa_level(level: &str) -> Result<Option<(&str, u64)>, ()> {
    if !level.starts_with("SLSA_") {
        return Ok(None);
    }
    let mut parts = level.splitn(4, '_');
    let (_, track, word, n) = (parts.next(), parts.next(), parts.next(), parts.next());
    match (track, word, n.and_then(|n| n.parse::<u64>().ok())) {
        (Some(track), Some("LEVEL"), Some(n)) => Ok(Some((track, n))),
        _ => Err(()),
    }
}

/// The highest level per SLSA track; `Err` names the first malformed level.
fn tracks(levels: &[String]) -> Result<std::collections::BTreeMap<&str, u64>, &str> {
    let mut out = std::collections::BTreeMap::new();
    for l in levels {
        if let Some((track, n)) = slsa_level(l).map_err(|()| l.as_str())? {
            let e = out.entry(track).or_insert(n);
            *e = (*e).max(n);
        }
    }
    Ok(out)
}

fn levels(at: &str, got: &[String], want: &[String]) -> Check {
    let (wanted, have) = match (tracks(want), tracks(got)) {
        (Err(bad), _) => {
            return Check::fail(
                Code::VsaLevelInvalid,
                format!("{at}: --verified-level {bad} is not SLSA_TRACK_LEVEL_N"),
            );
        }
        (_, Err(bad)) => {
            return Check::fail(
                Code::VsaLevelInvalid,
                format!("{at}: the VSA's level {bad} is not SLSA_TRACK_LEVEL_N"),
            );
        }
        (Ok(w), Ok(h)) => (w, h),
    };
    let mut problems = Vec::new();
    for (track, n) in &wanted {
        match have.get(track) {
            None => problems.push(format!("no SLSA {track} level (wanted at least {n})")),
            Some(h) if h < n => {
                problems.push(format!("SLSA {track} level {h}, wanted at least {n}"))
            }
            Some(_) => {}
        }
    }
    for w in want.iter().filter(|w| !w.starts_with("SLSA_")) {
        if !got.contains(w) {
            problems.push(format!("no level {w}"));
        }
    }
    if problems.is_empty() {
        Check::pass(
            Code::VsaLevelsMet,
            format!("{at}: verified levels {}", got.join(", ")),
        )
    } else {
        Check::fail(
            Code::VsaLevelsNotMet,
            format!(
                "{at}: {} (the VSA lists {})",
                problems.join("; "),
                if got.is_empty() {
                    "none".to_owned()
                } else {
                    got.join(", ")
                }
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vsa(levels: &[&str], result: &str) -> Statement {
        Statement::from_slice(
            serde_json::json!({
                "_type": "https://in-toto.io/Statement/v1",
                "subject": [{"name": "_", "digest": {"gce_image_id": "42"}}],
                "predicateType": VSA_V1,
                "predicate": {
                    "verifier": {"id": "https://v"},
                    "resourceUri": "pkg:x",
                    "verificationResult": result,
                    "verifiedLevels": levels,
                }
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap()
    }

    fn expect(levels: &[&str]) -> Expect {
        Expect {
            subject_digests: vec!["gce_image_id:42".into()],
            verifier_id: Some("https://v".into()),
            resource_uri: Some("pkg:x".into()),
            verified_levels: levels.iter().map(|l| (*l).to_owned()).collect(),
        }
    }

    fn failing(checks: &[Check]) -> Vec<&'static str> {
        checks
            .iter()
            .filter(|c| c.outcome == crate::check::Outcome::Fail)
            .map(|c| c.code)
            .collect()
    }

    #[test]
    fn levels_per_track_and_verbatim() {
        let v = vsa(&["BCID_L1", "SLSA_BUILD_LEVEL_2"], "PASSED");
        for ok in [
            &[][..],
            &["SLSA_BUILD_LEVEL_1"],
            &["SLSA_BUILD_LEVEL_2", "BCID_L1"],
        ] {
            assert!(
                failing(&evaluate("v", &v, &expect(ok))).is_empty(),
                "{ok:?}"
            );
        }
        for (bad, code) in [
            (&["SLSA_BUILD_LEVEL_3"][..], "vsa-levels-not-met"),
            (&["SLSA_SOURCE_LEVEL_1"], "vsa-levels-not-met"),
            (&["FEDRAMP_LOW"], "vsa-levels-not-met"),
            (&["SLSA_BUILD_LEVEL_X"], "vsa-level-invalid"),
            (&["SLSA_BUILD_2"], "vsa-level-invalid"),
        ] {
            assert_eq!(failing(&evaluate("v", &v, &expect(bad))), [code], "{bad:?}");
        }
    }

    #[test]
    fn every_rule_is_reported() {
        let v = vsa(&[], "FAILED");
        let want = Expect {
            subject_digests: vec!["gce_image_id:1".into(), "zeit:geist".into()],
            verifier_id: Some("https://other".into()),
            resource_uri: None,
            verified_levels: vec![],
        };
        assert_eq!(
            failing(&evaluate("v", &v, &want)),
            [
                "vsa-subject-missing",
                "vsa-verifier-mismatch",
                "vsa-resource-mismatch",
                "vsa-not-passed"
            ]
        );
        let none = Expect::default();
        assert!(failing(&evaluate("v", &v, &none)).contains(&"vsa-subject-missing"));
        let mut provenance = v.clone();
        provenance.predicate_type = "https://slsa.dev/provenance/v1".into();
        assert_eq!(
            failing(&evaluate("v", &provenance, &expect(&[]))),
            ["vsa-predicate-type"]
        );
    }
}

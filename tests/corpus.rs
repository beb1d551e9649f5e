//! The real-world Sigstore corpus (`testdata/sigstore-corpus/`, public projects' own test data
//! with the verdict each project's tests expect) as a gate: every case must get its expected
//! verdict, except the disputed ones listed with their reasons in
//! `testdata/corpus-disputed.txt`, and a listed case that custody now gets right must leave the
//! list. The rules are those of the shared `corpus-check` tool: exit 0 for an expected pass,
//! 1 for an expected fail, 2 accepted as a fail only where the case's trusted root itself is
//! malformed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::custody;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sigstore-corpus")
}

/// A PyPI Trusted Publisher (pypi-attestations' policy objects) as the certificate identity its
/// tokens carry, in cosign's flags.
fn publisher_flags(policy: &Value) -> Vec<String> {
    let esc = |s: &Value| regex::escape(s.as_str().unwrap_or_default());
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let Some(publisher) = policy.get("publisher") else {
        if let Some(repo) = policy.get("repository").and_then(Value::as_str) {
            let repo = repo.trim_start_matches("https://github.com/");
            return owned(&[
                "--certificate-identity-regexp",
                &format!("https://github\\.com/{}/.*", regex::escape(repo)),
                "--certificate-oidc-issuer",
                "https://token.actions.githubusercontent.com",
            ]);
        }
        return Vec::new();
    };
    match publisher["kind"].as_str() {
        Some("GitHub") => owned(&[
            "--certificate-identity-regexp",
            &format!(
                "https://github\\.com/{}/\\.github/workflows/{}@.*",
                esc(&publisher["repository"]),
                esc(&publisher["workflow"])
            ),
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
        ]),
        Some("GitLab") => owned(&[
            "--certificate-identity-regexp",
            &format!(
                "https://gitlab\\.com/{}//{}@.*",
                esc(&publisher["repository"]),
                esc(&publisher["workflow_filepath"])
            ),
            "--certificate-oidc-issuer",
            "https://gitlab.com",
        ]),
        Some("Google") => owned(&[
            "--certificate-identity",
            publisher["email"].as_str().unwrap_or_default(),
            "--certificate-oidc-issuer",
            "https://accounts.google.com",
        ]),
        Some("CircleCI") => owned(&[
            "--certificate-identity",
            &format!(
                "https://circleci.com/api/v2/projects/{}/pipeline-definitions/{}",
                publisher["project_id"].as_str().unwrap_or_default(),
                publisher["pipeline_definition_id"]
                    .as_str()
                    .unwrap_or_default()
            ),
            "--certificate-oidc-issuer-regexp",
            "https://oidc\\.circleci\\.com(/.*)?",
        ]),
        other => panic!("unknown publisher kind {other:?}"),
    }
}

fn command(case: &Value, by_digest: bool) -> Vec<String> {
    let root = corpus();
    let at = |rel: &Value| root.join(rel.as_str().unwrap()).display().to_string();
    let files = &case["files"];
    let artifact = &case["artifact"];
    let target = if by_digest || artifact["digest_only"].as_bool() == Some(true) {
        format!("sha256:{}", artifact["sha256"].as_str().unwrap())
    } else {
        at(&artifact["path"])
    };
    let bundle = files.get("bundle").or(files.get("attestation")).unwrap();
    let mut cmd = vec!["verify".to_owned(), target, "--bundle".into(), at(bundle)];
    if let Some(root) = files.get("trusted_root") {
        cmd.extend(["--trusted-root".into(), at(root)]);
    }
    if let Some(key) = files.get("key") {
        cmd.extend(["--key".into(), at(key)]);
    } else {
        if let Some(id) = case["identity"].as_str() {
            cmd.extend(["--certificate-identity".into(), id.into()]);
        }
        if let Some(issuer) = case["issuer"].as_str() {
            cmd.extend(["--certificate-oidc-issuer".into(), issuer.into()]);
        }
        cmd.extend(publisher_flags(case.get("policy").unwrap_or(&Value::Null)));
    }
    cmd
}

#[test]
fn every_corpus_case_gets_its_projects_verdict_or_is_listed_as_disputed() {
    let cases = cases(&corpus());
    let mut wrong = BTreeSet::new();
    let mut right = 0;
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let mut runs = vec![false];
        if case["verify_by_digest_too"].as_bool() == Some(true)
            && case["artifact"]["digest_only"].as_bool() != Some(true)
        {
            runs.push(true);
        }
        for by_digest in runs {
            let out = custody().args(command(case, by_digest)).output().unwrap();
            let mut code = out.status.code().expect("custody exits, never by a signal");
            let want = if case["expected"] == "pass" { 0 } else { 1 };
            let bad_root = id.contains("trust-root-") || id.contains("invalid-ct-key");
            if code == 2 && want == 1 && bad_root {
                code = 1;
            }
            if code == want {
                right += 1;
            } else {
                wrong.insert(id);
            }
        }
    }
    gate(&wrong, "corpus-disputed.txt");
    assert!(right > 150, "only {right} verdicts ran");
}

fn cases(dir: &Path) -> Vec<Value> {
    serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap()
}

/// Every wrong verdict must be listed in `testdata/LIST`, and every listed case must still be
/// wrong, so that the list stays true.
fn gate(wrong: &BTreeSet<&str>, list: &str) {
    let listed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(list),
    )
    .unwrap();
    let disputed: BTreeSet<&str> = listed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let unexpected: Vec<_> = wrong.difference(&disputed).collect();
    let settled: Vec<_> = disputed.difference(wrong).collect();
    assert!(unexpected.is_empty(), "wrong verdicts: {unexpected:?}");
    assert!(
        settled.is_empty(),
        "disputed cases now right; remove them from testdata/{list}: {settled:?}"
    );
}

/// slsa-verifier's own regression cases (`testdata/slsa-verifier/`): each is one
/// `slsa-verifier verify-artifact` (or `verify-github-attestation`) call, whose flags
/// `custody verify` takes as they are, or one `verify-vsa` or `verify-npm-package` call, which
/// the custody command of that name takes with the same flags.
/// `scripts/slsa-corpus` prints the same run's totals per source and builder.
#[test]
fn every_slsa_verifier_case_gets_its_verdict_or_is_listed_as_disputed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/slsa-verifier");
    let cases = cases(&root);
    let command = |case: &Value| -> Vec<String> {
        if case["command"] == "verify-vsa" {
            // slsa-verifier's verify-vsa flags, taken as they are; file flags are corpus paths.
            let mut cmd = vec!["verify-vsa".to_owned()];
            for (flag, value) in case["flags"].as_object().unwrap() {
                let values = match value {
                    Value::Array(list) => list.iter().collect(),
                    one => vec![one],
                };
                for v in values {
                    let v = v.as_str().unwrap();
                    let v = if flag.ends_with("-path") {
                        root.join(v).display().to_string()
                    } else {
                        v.to_owned()
                    };
                    cmd.extend([format!("--{flag}"), v]);
                }
            }
            return cmd;
        }
        if case["command"] == "verify-image" && case["files"]["layout"].is_string() {
            // An image in a local OCI layout: LAYOUT@sha256:DIGEST.
            let layout = root.join(case["files"]["layout"].as_str().unwrap());
            let mut cmd = vec![
                "verify-image".to_owned(),
                format!(
                    "{}@{}",
                    layout.display(),
                    case["artifact"]["digest"].as_str().unwrap()
                ),
            ];
            for (flag, value) in case["flags"].as_object().unwrap() {
                cmd.extend([format!("--{flag}"), value.as_str().unwrap().to_owned()]);
            }
            return cmd;
        }
        if case["command"] == "verify-image" {
            // slsa-verifier's verify-image flags, with Cloud Build's keys as files.
            let mut cmd = vec![
                "verify-image".to_owned(),
                case["artifact"]["reference"].as_str().unwrap().to_owned(),
                "--provenance-path".into(),
                root.join(case["files"]["bundle"].as_str().unwrap())
                    .display()
                    .to_string(),
            ];
            let keys = root.join(case["files"]["keys"].as_str().unwrap());
            let mut files: Vec<_> = std::fs::read_dir(&keys)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            for k in files {
                cmd.extend(["--key".to_owned(), k.display().to_string()]);
            }
            for (flag, value) in case["flags"].as_object().unwrap() {
                cmd.extend([format!("--{flag}"), value.as_str().unwrap().to_owned()]);
            }
            return cmd;
        }
        if case["command"] == "verify-npm-package" {
            // slsa-verifier's verify-npm-package flags, taken as they are.
            let mut cmd = vec![
                "verify-npm-package".to_owned(),
                root.join(case["artifact"]["path"].as_str().unwrap())
                    .display()
                    .to_string(),
                "--attestations-path".into(),
                root.join(case["files"]["bundle"].as_str().unwrap())
                    .display()
                    .to_string(),
            ];
            for (flag, value) in case["flags"].as_object().unwrap() {
                cmd.extend([format!("--{flag}"), value.as_str().unwrap().to_owned()]);
            }
            return cmd;
        }
        let artifact = &case["artifact"];
        let target = match artifact["path"].as_str() {
            Some(p) => root.join(p).display().to_string(),
            None => format!("sha256:{}", artifact["sha256"].as_str().unwrap()),
        };
        let bundle = root.join(case["files"]["bundle"].as_str().unwrap());
        let mut cmd = vec![
            "verify".to_owned(),
            target,
            "--bundle".into(),
            bundle.display().to_string(),
        ];
        for (flag, value) in case["flags"].as_object().unwrap() {
            assert!(
                [
                    "source-uri",
                    "source-tag",
                    "source-versioned-tag",
                    "source-branch",
                    "builder-id"
                ]
                .contains(&flag.as_str()),
                "{}: --{flag} has no custody equivalent",
                case["id"]
            );
            // slsa-verifier reads an empty flag as an absent one.
            let value = value.as_str().unwrap();
            if !value.is_empty() {
                cmd.extend([format!("--{flag}"), value.to_owned()]);
            }
        }
        cmd
    };
    // Two workers: each case is one short process.
    let wrong: BTreeSet<&str> = std::thread::scope(|s| {
        let workers: Vec<_> = cases
            .chunks(cases.len().div_ceil(2))
            .map(|chunk| {
                s.spawn(|| {
                    chunk
                        .iter()
                        .filter(|case| {
                            let out = custody().args(command(case)).output().unwrap();
                            let code = out.status.code().expect("custody exits, never by a signal");
                            code != if case["expected"] == "pass" { 0 } else { 1 }
                        })
                        .map(|case| case["id"].as_str().unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    gate(&wrong, "slsa-corpus-disputed.txt");
    assert!(cases.len() > 2000, "only {} cases", cases.len());
}

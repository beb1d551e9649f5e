//! `custody verify-npm-package` on real packages from slsa-verifier's test data (all of its
//! npm cases are gated in `tests/corpus.rs`): what the report says, and the registry key.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::support::*;

fn real(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/slsa-verifier/files/npm/gha")
        .join(name)
}

fn run(scene: &Scene, tgz: &str, extra: &[&str]) -> (i32, Value, String) {
    let tarball = real(tgz);
    let doc = real(&format!("{tgz}.json"));
    let out = scene
        .custody()
        .arg("verify-npm-package")
        .arg(&tarball)
        .arg("--attestations-path")
        .arg(&doc)
        .args([
            "--source-uri",
            "github.com/ramonpetgrave64/gundam-visor",
            "--builder-id",
            "https://github.com/actions/runner/github-hosted",
            "--json",
        ])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        crate::support::report(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn both_attestations_verify_and_agree() {
    let scene = Scene::new();
    let (code, report, _) = run(
        &scene,
        "gundam-visor-cli-v1-tag.tgz",
        &["--package-name", "gundam-visor"],
    );
    assert_eq!(code, 0, "{report:#}");
    let pass = codes(&report, 0, "pass");
    for want in [
        "npm-attestations-agree",
        "npm-runner-matched",
        "provenance-matches-certificate",
        "source-uri-matched",
    ] {
        assert!(pass.contains(&want.to_owned()), "{want}: {report:#}");
    }
    assert!(
        report
            .to_string()
            .contains("npm registry attestation key (built in)"),
        "{report:#}"
    );
    // Another key in place of the registry's: the publish attestation no longer verifies.
    let other = TestKey::new(Alg::P256);
    scene.key("other.pem", &other);
    let (code, report, _) = run(
        &scene,
        "gundam-visor-cli-v1-tag.tgz",
        &["--key", "other.pem"],
    );
    assert_eq!(code, 1, "{report:#}");
    assert!(codes(&report, 0, "fail").contains(&"npm-attestation-missing".to_owned()));
}

#[test]
fn an_unreadable_attestations_document_is_exit_2() {
    let scene = Scene::new();
    let (code, _, err) = scene.run(&[
        "verify-npm-package",
        real("gundam-visor-cli-v1-tag.tgz").to_str().unwrap(),
        "--attestations-path",
        "missing.json",
        "--source-uri",
        "github.com/ramonpetgrave64/gundam-visor",
        "--builder-id",
        "https://github.com/actions/runner/github-hosted",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.json"), "{err}");
}

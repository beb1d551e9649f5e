//! `custody verify-vsa`: SLSA Verification Summary Attestations signed here, and the real one
//! from slsa-verifier's test data (the whole of its cases are gated in `tests/corpus.rs`).

use serde_json::{Value, json};

use super::support::*;

const VSA_V1: &str = "https://slsa.dev/verification_summary/v1";

fn vsa(result: &str, levels: &[&str]) -> Value {
    statement(
        &[("app.tgz", &sha256(b"app"))],
        VSA_V1,
        json!({
            "verifier": {"id": "https://verifier.example/v1"},
            "timeVerified": "2026-01-01T00:00:00Z",
            "resourceUri": "pkg:npm/app@1.0.0",
            "policy": {"uri": "https://verifier.example/policy"},
            "verificationResult": result,
            "verifiedLevels": levels,
        }),
    )
}

/// `custody verify-vsa --json` with the usual expectations plus `extra`.
fn run(scene: &Scene, file: &str, extra: &[&str]) -> (i32, Value) {
    let digest = format!("sha256:{}", sha256(b"app"));
    let resource = if extra.contains(&"--resource-uri") {
        &[][..]
    } else {
        &["--resource-uri", "pkg:npm/app@1.0.0"][..]
    };
    let out = scene
        .custody()
        .args([
            "verify-vsa",
            "--attestation-path",
            file,
            "--public-key-path",
            "vsa.pem",
            "--subject-digest",
            &digest,
            "--verifier-id",
            "https://verifier.example/v1",
            "--json",
        ])
        .args(resource)
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let report = crate::support::report(&out.stdout).unwrap_or(Value::Null);
    (code, report)
}

#[test]
fn a_signed_vsa_is_judged_rule_by_rule() {
    let scene = Scene::new();
    let key = TestKey::new(Alg::P256);
    scene.key("vsa.pem", &key);
    let id = key.keyid();
    let with_id = ["--public-key-id", id.as_str()];
    scene.write_json(
        "pass.json",
        &envelope(&vsa("PASSED", &["SLSA_BUILD_LEVEL_3"]), &[&key]),
    );
    scene.write_json(
        "failed.json",
        &envelope(&vsa("FAILED", &["SLSA_BUILD_LEVEL_3"]), &[&key]),
    );
    let mut tampered = envelope(&vsa("PASSED", &["SLSA_BUILD_LEVEL_3"]), &[&key]);
    tampered["payload"] = Value::String(base64_of(
        &serde_json::to_vec(&vsa("PASSED", &["SLSA_BUILD_LEVEL_4"])).unwrap(),
    ));
    scene.write_json("tampered.json", &tampered);

    let (code, report) = run(&scene, "pass.json", &with_id);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["command"], "verify-vsa");
    assert!(
        report["notes"]["vsa"]
            .as_str()
            .unwrap()
            .contains("another verifier's word")
    );
    let (code, report) = run(
        &scene,
        "pass.json",
        &[&with_id[..], &["--verified-level", "SLSA_BUILD_LEVEL_2"]].concat(),
    );
    assert_eq!(code, 0, "{report:#}");
    for (file, extra, code_wanted) in [
        ("failed.json", &with_id[..], "vsa-not-passed"),
        ("tampered.json", &with_id[..], "signature-invalid"),
        (
            "pass.json",
            &["--public-key-id", "another-key"][..],
            "key-id-mismatch",
        ),
        // Without --public-key-id the key is named by its OpenSSH fingerprint, which the
        // envelope's keyid (custody's SPKI digest) is not.
        ("pass.json", &[][..], "key-id-mismatch"),
    ] {
        let (code, report) = run(&scene, file, extra);
        assert_eq!(code, 1, "{file} {extra:?}: {report:#}");
        assert!(
            codes(&report, 0, "fail").contains(&code_wanted.to_owned()),
            "{file} {extra:?}: {report:#}"
        );
    }
    let (code, report) = run(
        &scene,
        "pass.json",
        &[&with_id[..], &["--verified-level", "SLSA_BUILD_LEVEL_4"]].concat(),
    );
    assert_eq!(code, 1);
    assert_eq!(codes(&report, 0, "fail"), ["vsa-levels-not-met"]);
    let (code, report) = run(
        &scene,
        "pass.json",
        &[&with_id[..], &["--resource-uri", "pkg:npm/other@1.0.0"]].concat(),
    );
    assert_eq!(code, 1);
    assert_eq!(codes(&report, 0, "fail"), ["vsa-resource-mismatch"]);
}

#[test]
fn a_vsa_that_cannot_be_read_is_exit_2() {
    let scene = Scene::new();
    let key = TestKey::new(Alg::Ed25519);
    scene.key("vsa.pem", &key);
    scene.write("not-a-key.pem", "hello");
    let (code, _, err) = scene.run(&[
        "verify-vsa",
        "--attestation-path",
        "missing.json",
        "--public-key-path",
        "vsa.pem",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.json"), "{err}");
    scene.write_json("v.json", &envelope(&vsa("PASSED", &[]), &[&key]));
    let (code, _, err) = scene.run(&[
        "verify-vsa",
        "--attestation-path",
        "v.json",
        "--public-key-path",
        "not-a-key.pem",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--public-key-path not-a-key.pem"), "{err}");
}

fn base64_of(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

//! `custody verify-image` on Google Cloud Build provenance from slsa-verifier's test data (all of
//! its Cloud Build cases are gated in `tests/corpus.rs`): the key chosen by keyid, and input that
//! cannot be read.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::support::*;

const IMAGE: &str = "us-west2-docker.pkg.dev/gosst-scare-sandbox/quickstart-docker-repo/quickstart-image@sha256:1a033b002f89ed2b8ea733162497fb70f1a4049a7f8602d6a33682b4ad9921fd";

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/slsa-verifier")
        .join(rel)
}

fn run(scene: &Scene, keys: &[&str], extra: &[&str]) -> (i32, Value) {
    let mut cmd = scene.custody();
    cmd.args(["verify-image", IMAGE, "--provenance-path"])
        .arg(testdata(
            "files/gcb_container/v0.2/gcloud-container-github.json",
        ))
        .args([
            "--builder-id",
            "https://cloudbuild.googleapis.com/GoogleHostedWorker",
            "--source-uri",
            "github.com/laurentsimon/gcb-tests",
            "--json",
        ]);
    for k in keys {
        cmd.arg("--key").arg(testdata(&format!("keys/gcb/{k}.key")));
    }
    let out = cmd.args(extra).output().unwrap();
    (
        out.status.code().unwrap(),
        crate::support::report(&out.stdout).unwrap_or(Value::Null),
    )
}

#[test]
fn the_signature_is_tried_with_the_key_its_keyid_names() {
    let scene = Scene::new();
    // The v0.2 provenance is signed with the global builtByGCB key.
    let (code, report) = run(&scene, &["global"], &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["command"], "verify-image");
    // Another region's key, even though it is a Cloud Build key, is not the one named.
    let (code, report) = run(&scene, &["us-west2", "global-pae-provenanceSigner_1"], &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(codes(&report, 0, "fail"), ["gcb-no-valid-signature"]);
    let (code, report) = run(&scene, &["global"], &["--source-branch", "main"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(codes(&report, 0, "fail"), ["gcb-source-mismatch"]);
}

#[test]
fn unreadable_inputs_are_exit_2() {
    let scene = Scene::new();
    scene.write("not-a-key.key", "hello");
    let (code, _, err) = scene.run(&[
        "verify-image",
        IMAGE,
        "--provenance-path",
        "missing.json",
        "--builder-id",
        "https://cloudbuild.googleapis.com/GoogleHostedWorker",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.json"), "{err}");
    let (code, _, err) = scene.run(&[
        "verify-image",
        IMAGE,
        "--provenance-path",
        testdata("files/gcb_container/v0.2/gcloud-container-github.json")
            .to_str()
            .unwrap(),
        "--key",
        "not-a-key.key",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--key not-a-key.key"), "{err}");
}

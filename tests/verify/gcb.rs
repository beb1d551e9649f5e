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

/// The container generator's cosign attestation, read from a real OCI image layout.
const LAYOUT: &str = "files/gha_generic_container/v1.10.0/container_workflow_dispatch";
const LAYOUT_DIGEST: &str =
    "sha256:e0a0a765d690a5104331cfbac88ebbbf01736c1f87aaa3cd455c516a5ea586a5";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn an_image_in_an_oci_layout_is_verified_by_its_cosign_attestation() {
    let scene = Scene::new();
    let image = format!("{}@{LAYOUT_DIGEST}", testdata(LAYOUT).display());
    let run = |image: &str, extra: &[&str]| {
        let out = scene
            .custody()
            .args(["verify-image", image, "--json"])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            crate::support::report(&out.stdout).unwrap_or(Value::Null),
        )
    };
    // Only the repository pinned: the container generator is trusted by default.
    let (code, report) = run(
        &image,
        &["--source-uri", "github.com/slsa-framework/example-package"],
    );
    assert_eq!(code, 0, "{report:#}");
    assert!(
        report["notes"]["default_builders"]
            .as_str()
            .unwrap()
            .contains("container generator")
    );
    let (code, report) = run(&image, &["--source-uri", "github.com/slsa-framework/other"]);
    assert_eq!(code, 1, "{report:#}");
    // A tag build ran for the branch its tag was pushed to.
    let (code, report) = run(
        &image,
        &[
            "--source-uri",
            "github.com/slsa-framework/example-package",
            "--source-branch",
            "main",
        ],
    );
    assert_eq!(code, 0, "{report:#}");
    // A blob whose bytes no longer hash to its name is refused.
    let copy = scene.path("layout");
    copy_dir(&testdata(LAYOUT), &copy);
    let blob =
        copy.join("blobs/sha256/20b16d5835eceaa7b9dbb7e4fdf4db52a8b9159c1416dd73e54cade07e838917");
    let mut bytes = std::fs::read(&blob).unwrap();
    let at = bytes.iter().position(|&b| b == b'"').unwrap();
    bytes.insert(at, b' ');
    std::fs::write(&blob, bytes).unwrap();
    let (code, report) = run(
        &format!("layout@{LAYOUT_DIGEST}"),
        &["--source-uri", "github.com/slsa-framework/example-package"],
    );
    assert_eq!(code, 1, "{report:#}");
    assert!(report.to_string().contains("hashes to"), "{report:#}");
    // An image that is not a local layout, and no Cloud Build provenance: nothing to read.
    let (code, _, err) = scene.run(&["verify-image", &format!("ghcr.io/org/app@{LAYOUT_DIGEST}")]);
    assert_eq!(code, 2);
    assert!(err.contains("cosign save"), "{err}");
}

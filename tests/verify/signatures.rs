//! Key-based signatures: every algorithm verifies, and every way of breaking one fails.

use serde_json::json;

use super::support::*;

/// Sign a statement about one artifact with `alg` and verify it.
fn roundtrip(alg: Alg) {
    let s = Scene::new();
    let (art, digest) = s.artifact("app.tgz", b"release bytes");
    let key = TestKey::new(alg);
    let k = s.key("release.pub", &key);
    let st = statement(
        &[("app.tgz", &digest)],
        SLSA_V1,
        provenance_v1(
            "github.com/o/r",
            "refs/tags/v1.0.0",
            "2030-01-01T00:00:00Z",
            json!({}),
        ),
    );
    let b = s.write_json("app.intoto.json", &envelope(&st, &[&key]));
    let (code, report) = s.verify_json(&[&art, "--bundle", &b, "--key", &k]);
    assert_eq!(code, 0, "{alg:?}: {report:#}");
    assert_eq!(report["verdict"], "pass");
    assert_eq!(
        report["artifacts"][0]["verified"][0]["signers"][0]["keyid"],
        key.keyid()
    );
    assert_eq!(
        codes(&report, 0, "pass"),
        ["signature-verified", "subject-matched"]
    );
}

#[test]
fn ecdsa_p256_der() {
    roundtrip(Alg::P256);
}

#[test]
fn ecdsa_p256_fixed() {
    roundtrip(Alg::P256Fixed);
}

#[test]
fn ecdsa_p384_der() {
    roundtrip(Alg::P384);
}

#[test]
fn ecdsa_p384_fixed() {
    roundtrip(Alg::P384Fixed);
}

#[test]
fn ed25519() {
    roundtrip(Alg::Ed25519);
}

#[test]
fn rsa_pkcs1() {
    roundtrip(Alg::RsaPkcs1);
}

#[test]
fn rsa_pss() {
    roundtrip(Alg::RsaPss);
}

/// An envelope whose payload or payloadType was changed after signing fails.
#[test]
fn tampered_payload_and_payload_type_fail() {
    let s = Scene::new();
    let (art, digest) = s.artifact("a.bin", b"a");
    let key = TestKey::new(Alg::P256);
    let k = s.key("k.pub", &key);
    let st = statement(&[("a.bin", &digest)], "https://example.com/p", json!({}));
    let good = envelope(&st, &[&key]);

    let mut payload = good.clone();
    let mut changed = st.clone();
    changed["predicateType"] = json!("https://example.com/other");
    payload["payload"] = json!(base64_of(&serde_json::to_vec(&changed).unwrap()));
    let mut ptype = good.clone();
    ptype["payloadType"] = json!("application/vnd.in-toto+json; tampered");

    for (name, env) in [("payload", payload), ("payloadType", ptype)] {
        let b = s.write_json(&format!("{name}.json"), &env);
        let (code, report) = s.verify_json(&[&art, "--bundle", &b, "--key", &k]);
        assert_eq!(code, 1, "{name}");
        assert_eq!(
            problems(&report),
            ["signature-invalid", "no-matching-subject"],
            "{name}: {report:#}"
        );
    }
    let b = s.write_json("good.json", &good);
    assert_eq!(s.verify_json(&[&art, "--bundle", &b, "--key", &k]).0, 0);
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn wrong_key_fails_and_keyid_is_only_a_hint() {
    let s = Scene::new();
    let (art, digest) = s.artifact("a.bin", b"a");
    let signer = TestKey::new(Alg::Ed25519);
    let other = TestKey::new(Alg::Ed25519);
    let wrong = s.key("wrong.pub", &other);
    let st = statement(&[("a.bin", &digest)], "https://example.com/p", json!({}));
    // The envelope claims the trusted key's id, but was signed by another key.
    let mut env = envelope(&st, &[&signer]);
    env["signatures"][0]["keyid"] = json!(other.keyid());
    let b = s.write_json("e.json", &env);
    let (code, report) = s.verify_json(&[&art, "--bundle", &b, "--key", &wrong]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&report),
        ["signature-invalid", "no-matching-subject"]
    );
}

#[test]
fn a_key_signed_attestation_without_any_key_fails() {
    let s = Scene::new();
    let (art, digest) = s.artifact("a.bin", b"a");
    let key = TestKey::new(Alg::P256);
    let st = statement(&[("a.bin", &digest)], "https://example.com/p", json!({}));
    let b = s.write_json("e.json", &envelope(&st, &[&key]));
    let (code, report) = s.verify_json(&[&art, "--bundle", &b]);
    assert_eq!(code, 1);
    assert_eq!(problems(&report), ["no-trusted-key", "no-matching-subject"]);
}

#[test]
fn threshold_counts_distinct_trusted_keys() {
    let s = Scene::new();
    let (art, digest) = s.artifact("a.bin", b"a");
    let (k1, k2) = (TestKey::new(Alg::P256), TestKey::new(Alg::P384));
    let (p1, p2) = (s.key("k1.pub", &k1), s.key("k2.pub", &k2));
    let st = statement(&[("a.bin", &digest)], "https://example.com/p", json!({}));
    let both = s.write_json("both.json", &envelope(&st, &[&k1, &k2]));
    let twice = s.write_json("twice.json", &envelope(&st, &[&k1, &k1]));

    let (code, report) = s.verify_json(&[
        &art,
        "--bundle",
        &both,
        "--key",
        &p1,
        "--key",
        &p2,
        "--threshold",
        "2",
    ]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["artifacts"][0]["verified"][0]["signers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Two signatures by one key are one signer.
    let (code, report) = s.verify_json(&[
        &art,
        "--bundle",
        &twice,
        "--key",
        &p1,
        "--key",
        &p2,
        "--threshold",
        "2",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&report),
        ["threshold-not-met", "no-matching-subject"]
    );

    // One key given twice, once with its point compressed, is still one key: a threshold of 2
    // cannot be met by it (it was, by counting two encodings as two keys).
    let again = s.write("k1-compressed.pub", k1.pem_compressed());
    let out = s
        .custody()
        .args([
            "verify", &art, "--bundle", &twice, "--key", &p1, "--key", &again,
        ])
        .args(["--threshold", "2"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("k1-compressed.pub is k1.pub: the same key"),
        "{err}"
    );

    // The threshold can also come from the policy.
    let policy = s.write(
        "p.toml",
        "[signatures]\nthreshold = 2\nkeys = [{ path = \"k1.pub\" }, { path = \"k2.pub\" }]\n",
    );
    assert_eq!(
        s.verify_json(&[&art, "--bundle", &twice, "--policy", &policy])
            .0,
        1
    );
    assert_eq!(
        s.verify_json(&[&art, "--bundle", &both, "--policy", &policy])
            .0,
        0
    );
}

#[test]
fn subject_mismatch_fails_with_no_matching_subject() {
    let s = Scene::new();
    let (art, _) = s.artifact("a.bin", b"a");
    let key = TestKey::new(Alg::P256);
    let k = s.key("k.pub", &key);
    let st = statement(
        &[("a.bin", &sha256(b"something else"))],
        "https://example.com/p",
        json!({}),
    );
    let b = s.write_json("e.json", &envelope(&st, &[&key]));
    let (code, report) = s.verify_json(&[&art, "--bundle", &b, "--key", &k]);
    assert_eq!(code, 1);
    // The signature is fine; the statement is simply about another file.
    assert_eq!(problems(&report), ["no-matching-subject"]);
}

#[test]
fn message_signature_bundles_sign_the_artifact() {
    let s = Scene::new();
    let (art, _) = s.artifact("a.bin", b"signed artifact");
    let (other, _) = s.artifact("b.bin", b"another artifact");
    let key = TestKey::new(Alg::P256);
    let k = s.key("k.pub", &key);
    let b = s.write_json("a.sigstore.json", &message_bundle(b"signed artifact", &key));
    assert_eq!(s.verify_json(&[&art, "--bundle", &b, "--key", &k]).0, 0);
    let (code, report) = s.verify_json(&[&other, "--bundle", &b, "--key", &k]);
    assert_eq!(code, 1);
    assert_eq!(problems(&report), ["no-matching-subject"]);

    // Ed25519 keys cannot check a signature over a digest: not performed, never passed.
    let ed = TestKey::new(Alg::Ed25519);
    let e = s.key("ed.pub", &ed);
    let (code, report) = s.verify_json(&[&art, "--bundle", &b, "--key", &e]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&report, 0, "not-performed"),
        ["message-signature-not-checkable"]
    );
}

#[test]
fn sigstore_conformance_managed_key_bundles() {
    let s = Scene::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus");
    let f = |n: &str| dir.join(n).display().to_string();
    let (code, report) = s.verify_json(&[
        &f("a.txt"),
        "--bundle",
        &f("managed-key.sigstore.json"),
        "--key",
        &f("managed-key.pub"),
    ]);
    assert_eq!(code, 0, "{report:#}");
    let digest = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
    assert_eq!(
        s.verify_json(&[
            digest,
            "--bundle",
            &f("managed-key.sigstore.json"),
            "--key",
            &f("managed-key.pub")
        ])
        .0,
        0
    );
    // The same signature does not verify for another key.
    let other = TestKey::new(Alg::P256);
    let k = s.key("other.pub", &other);
    let (code, report) = s.verify_json(&[
        &f("a.txt"),
        "--bundle",
        &f("managed-key-wrong-key.sigstore.json"),
        "--key",
        &k,
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&report),
        ["signature-invalid", "no-matching-subject"]
    );
}

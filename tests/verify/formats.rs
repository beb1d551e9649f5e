//! Every attestation format custody reads, well-formed and malformed, and artifact binding
//! across many artifacts and many attestations.

use serde_json::json;

use super::support::*;

fn testdata(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/corpus")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn key_based_bundles_of_every_version_and_media_type_spelling() {
    let s = Scene::new();
    let (art, digest) = s.artifact("a.bin", b"a");
    let key = TestKey::new(Alg::P256);
    let k = s.key("k.pub", &key);
    let st = statement(&[("a.bin", &digest)], "https://example.com/p", json!({}));
    for (i, mt) in [
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
    ]
    .iter()
    .enumerate()
    {
        let b = s.write_json(
            &format!("b{i}.json"),
            &key_bundle(mt, envelope(&st, &[&key])),
        );
        let (code, report) = s.verify_json(&[&art, "--bundle", &b, "--key", &k]);
        assert_eq!(code, 0, "{mt}: {report:#}");
        assert!(
            report["artifacts"][0]["verified"][0]["format"]
                .as_str()
                .unwrap()
                .starts_with("Sigstore bundle v0.")
        );
    }
}

#[test]
fn json_lines_of_envelopes_and_of_bundles_bind_many_artifacts() {
    let s = Scene::new();
    let key = TestKey::new(Alg::Ed25519);
    let k = s.key("k.pub", &key);
    let arts: Vec<(String, String)> = (0..3)
        .map(|i| s.artifact(&format!("dist/f{i}"), format!("file {i}").as_bytes()))
        .collect();
    // One statement names all three artifacts; a second names only the first.
    let all: Vec<(&str, &str)> = arts.iter().map(|(n, d)| (n.as_str(), d.as_str())).collect();
    let st_all = statement(&all, "https://example.com/p", json!({}));
    let st_one = statement(&all[..1], "https://example.com/q", json!({}));
    let lines = [envelope(&st_all, &[&key]), envelope(&st_one, &[&key])]
        .iter()
        .map(|v| serde_json::to_string(v).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let jsonl = s.write("multiple.intoto.jsonl", lines + "\n");
    let mut args: Vec<&str> = arts.iter().map(|(n, _)| n.as_str()).collect();
    args.extend(["--bundle", &jsonl, "--key", &k]);
    let (code, report) = s.verify_json(&args);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["artifacts"][0]["verified"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        report["artifacts"][2]["verified"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        report["artifacts"][0]["verified"][1]["attestation"],
        "multiple.intoto.jsonl:2"
    );

    // `gh attestation download` writes one bundle per line.
    let bundles = [key_bundle(
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        envelope(&st_all, &[&key]),
    )]
    .iter()
    .map(|v| serde_json::to_string(v).unwrap())
    .collect::<Vec<_>>()
    .join("\n");
    let gh = s.write("sha256-x.jsonl", bundles);
    let mut args: Vec<&str> = arts.iter().map(|(n, _)| n.as_str()).collect();
    args.extend(["--bundle", &gh, "--key", &k]);
    assert_eq!(s.verify_json(&args).0, 0);
}

#[test]
fn npm_attestation_documents_wrap_bundles() {
    let s = Scene::new();
    let (art, digest) = s.artifact("pkg-1.0.0.tgz", b"npm tarball");
    let key = TestKey::new(Alg::P256);
    let k = s.key("k.pub", &key);
    let st = statement(
        &[("pkg:npm/pkg@1.0.0", &digest)],
        SLSA_V1,
        provenance_v1(
            "github.com/o/pkg",
            "refs/heads/main",
            "2030-01-01T00:00:00Z",
            json!({}),
        ),
    );
    let doc = json!({"attestations": [{
        "predicateType": SLSA_V1,
        "bundle": key_bundle("application/vnd.dev.sigstore.bundle+json;version=0.2", envelope(&st, &[&key])),
    }]});
    let b = s.write_json("attestations.json", &doc);
    let (code, report) = s.verify_json(&[
        &art,
        "--bundle",
        &b,
        "--key",
        &k,
        "--source-uri",
        "github.com/o/pkg",
    ]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["artifacts"][0]["verified"][0]["format"],
        "npm attestation"
    );
    assert_eq!(
        report["artifacts"][0]["verified"][0]["attestation"],
        "attestations.json#1"
    );
}

#[test]
fn sha512_only_subjects_match_files_but_not_bare_sha256_digests() {
    let s = Scene::new();
    let (art, digest) = s.artifact("a.bin", b"only sha512");
    let key = TestKey::new(Alg::P256);
    let k = s.key("k.pub", &key);
    let st = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": [{"name": "a.bin", "digest": {"sha512": sha512(b"only sha512")}}],
        "predicateType": "https://example.com/p",
        "predicate": {},
    });
    let b = s.write_json("e.json", &envelope(&st, &[&key]));
    let (code, report) = s.verify_json(&[&art, "--bundle", &b, "--key", &k]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["artifacts"][0]["digest"]["sha512"],
        sha512(b"only sha512")
    );
    let by_digest = format!("sha256:{digest}");
    let (code, report) = s.verify_json(&[&by_digest, "--bundle", &b, "--key", &k]);
    assert_eq!(code, 1);
    assert_eq!(problems(&report), ["no-matching-subject"]);
}

#[test]
fn artifacts_by_digest_alone() {
    let s = Scene::new();
    let digest = sha256(b"not on disk");
    let key = TestKey::new(Alg::P384);
    let k = s.key("k.pub", &key);
    let st = statement(&[("x", &digest)], "https://example.com/p", json!({}));
    let b = s.write_json("e.json", &envelope(&st, &[&key]));
    let upper = format!("sha256:{}", digest.to_uppercase());
    let (code, report) = s.verify_json(&[&upper, "--bundle", &b, "--key", &k]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["artifacts"][0]["digest"]["sha256"], digest);
}

/// Keyless evidence of every format is verified against the trusted root; without an identity
/// it still fails, and says so, instead of trusting any signer.
#[test]
fn keyless_evidence_without_an_identity_fails() {
    let s = Scene::new();
    let other = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
    for (file, staging) in [
        ("keyless-v0.1-dsse.sigstore", false),
        ("keyless-v0.2-intoto.sigstore", false),
        ("keyless-v0.3-dsse.sigstore", false),
        ("rfc8785-0.1.2-py3-none-any.whl.attestation", true),
        ("pypi_attestations-0.0.19.tar.gz.provenance", false),
    ] {
        let path = testdata(file);
        let mut args = vec![other, "--bundle", &path];
        if staging {
            args.push("--staging");
        }
        let (code, report) = s.verify_json(&args);
        assert_eq!(code, 1, "{file}");
        let mut p = problems(&report);
        p.sort();
        assert_eq!(
            p,
            ["identity-not-specified", "no-matching-subject"],
            "{file}: {report:#}"
        );
    }
}

/// Malformed input of every format is a failing check with its own code, exit 1, never a
/// crash and never exit 2.
#[test]
fn malformed_input_of_each_format() {
    let s = Scene::new();
    let (art, digest) = s.artifact("a.bin", b"a");
    let key = TestKey::new(Alg::P256);
    let k = s.key("k.pub", &key);
    let unsigned = statement(&[("a.bin", &digest)], "https://example.com/p", json!({}));
    let not_a_statement = envelope_raw(IN_TOTO, b"{\"hello\": 1}", &[&key]);
    let other_type = envelope_raw("text/plain", b"hello", &[&key]);
    let mut deep = String::new();
    for _ in 0..100 {
        deep.push('[');
    }
    let cases: Vec<(&str, String, &str)> = vec![
        ("truncated.json", "{\"payloadType\": \"x\", ".into(), "malformed-json"),
        ("empty.json", "".into(), "malformed-json"),
        ("deep.json", deep, "input-limit-exceeded"),
        ("nosig.json", r#"{"payloadType":"x","payload":"","signatures":[]}"#.into(), "malformed-envelope"),
        ("badb64.json", r#"{"payloadType":"x","payload":"@@@","signatures":[{"sig":"AA=="}]}"#.into(), "malformed-base64"),
        ("version.json", r#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=9.9"}"#.into(), "unsupported-bundle-version"),
        (
            "bundle.json",
            r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}}}"#.into(),
            "malformed-bundle",
        ),
        ("pep740.json", r#"{"version":1,"envelope":{"statement":"AA=="},"verification_material":{}}"#.into(), "malformed-pep740"),
        ("pypi.json", r#"{"version":1,"attestation_bundles":[{"publisher":{}}]}"#.into(), "malformed-pep740"),
        ("npm.json", r#"{"attestations":[{"bundle":{}}]}"#.into(), "malformed-npm-attestation"),
        ("unknown.json", r#"{"hello":"world"}"#.into(), "unknown-attestation-format"),
        ("statement.json", serde_json::to_string(&unsigned).unwrap(), "unsigned-statement"),
        ("notstatement.json", serde_json::to_string(&not_a_statement).unwrap(), "malformed-statement"),
        ("texttype.json", serde_json::to_string(&other_type).unwrap(), "unsupported-payload-type"),
        (
            "mixed.jsonl",
            format!("{}\nnot json at all\n", serde_json::to_string(&envelope(&unsigned, &[&key])).unwrap()),
            "malformed-json",
        ),
    ];
    for (name, contents, code) in cases {
        let b = s.write(name, &contents);
        let (exit, report) = s.verify_json(&[&art, "--bundle", &b, "--key", &k]);
        assert_eq!(exit, 1, "{name}: {report:#}");
        let p = problems(&report);
        assert_eq!(p[0], code, "{name}: {report:#}");
    }
    for (file, code) in [
        ("malformed.sigstore.json", "malformed-json"),
        ("invalid-version.sigstore", "unsupported-bundle-version"),
    ] {
        let (exit, report) = s.verify_json(&[&art, "--bundle", &testdata(file), "--key", &k]);
        assert_eq!(exit, 1);
        assert_eq!(problems(&report)[0], code, "{file}");
    }
}

/// A failure that names no artifact of the run fails every artifact: nothing given is ignored.
#[test]
fn unattributable_failures_fail_every_artifact_but_attributed_ones_only_theirs() {
    let s = Scene::new();
    let (a, da) = s.artifact("a", b"a");
    let (b, db) = s.artifact("b", b"b");
    let key = TestKey::new(Alg::P256);
    let k = s.key("k.pub", &key);
    let good = s.write_json(
        "good.json",
        &envelope(
            &statement(
                &[("a", &da), ("b", &db)],
                "https://example.com/p",
                json!({}),
            ),
            &[&key],
        ),
    );
    let mut bad_env = envelope(
        &statement(&[("b", &db)], "https://example.com/p", json!({})),
        &[&key],
    );
    bad_env["payloadType"] = json!("tampered");
    let bad = s.write_json("bad.json", &bad_env);
    let (code, report) = s.verify_json(&[&a, &b, "--bundle", &good, &bad, "--key", &k]);
    assert_eq!(code, 1);
    assert_eq!(report["artifacts"][0]["verdict"], "pass", "{report:#}");
    assert_eq!(codes(&report, 1, "fail"), ["signature-invalid"]);
    let junk = s.write("junk.json", "{}");
    let (_, report) = s.verify_json(&[&a, &b, "--bundle", &good, &junk, "--key", &k]);
    assert_eq!(codes(&report, 0, "fail"), ["unknown-attestation-format"]);
    assert_eq!(codes(&report, 1, "fail"), ["unknown-attestation-format"]);
}

//! Exit codes, `--output`, the human report, `policy check` and `explain`.

use serde_json::json;

use super::support::*;

/// A scene with a passing verification: (scene, artifact, bundle, key).
fn passing() -> (Scene, String, String, String) {
    let s = Scene::new();
    let (art, digest) = s.artifact("a.bin", b"a");
    let key = TestKey::new(Alg::P256);
    let k = s.key("k.pub", &key);
    let b = s.write_json(
        "e.json",
        &envelope(
            &statement(&[("a.bin", &digest)], "https://example.com/p", json!({})),
            &[&key],
        ),
    );
    (s, art, b, k)
}

#[test]
fn could_not_run_is_exit_2() {
    let (s, art, b, k) = passing();
    s.write("garbage.pub", "not a key");
    s.write("bad.toml", "nonsense = 1\n");
    let cases: Vec<Vec<&str>> = vec![
        vec!["verify", &art, "--bundle", "missing.json", "--key", &k],
        vec!["verify", "missing.bin", "--bundle", &b, "--key", &k],
        vec!["verify", "sha256:1234", "--bundle", &b, "--key", &k],
        vec!["verify", &art, "--bundle", &b, "--key", "missing.pub"],
        vec!["verify", &art, "--bundle", &b, "--policy", "bad.toml"],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--key",
            &k,
            "--threshold",
            "2",
        ],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--key",
            &k,
            "--threshold",
            "0",
        ],
        vec!["verify", &art, "--bundle", &b, "--key", &k, "--source", "."],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--key",
            &k,
            "--source-versioned-tag",
            "1.2",
        ],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--key",
            &k,
            "--source-tag",
            "v1",
            "--source-branch",
            "main",
        ],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--key",
            &k,
            "--source-uri",
            "nohost",
        ],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--key",
            &k,
            "--build-workflow-input",
            "novalue",
        ],
        vec![
            "verify", &art, "--bundle", &b, "--key", &k, "--format", "xml",
        ],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--key",
            &k,
            "--trusted-root",
            "missing.json",
        ],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--key",
            &k,
            "--trusted-root",
            &b,
        ],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--key",
            &k,
            "--certificate-identity",
            "x",
        ],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--certificate-identity-regexp",
            "(",
            "--certificate-oidc-issuer",
            "https://i",
        ],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--certificate-identity",
            "x",
        ],
        vec![
            "verify",
            &art,
            "--bundle",
            &b,
            "--key",
            &k,
            "--output",
            "no/such/dir/report.json",
        ],
        vec!["verify", &art],
        vec!["verify", ".", "--bundle", &b, "--key", &k],
        vec!["verify", &art, "--bundle", ".", "--key", &k],
    ];
    for args in cases {
        let (code, _, err) = s.run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.is_empty(), "{args:?} says nothing");
    }
    assert_eq!(s.run(&["verify", &art, "--bundle", &b, "--key", &k]).0, 0);
}

/// A key file that can be read but not used fails like a wrong key (exit 1), naming the key;
/// only a key that cannot be read at all stops custody.
#[test]
fn an_unusable_key_is_a_failing_check() {
    let (s, art, b, k) = passing();
    s.write("garbage.pub", "not a key");
    let (code, report) = s.verify_json(&[&art, "--bundle", &b, "--key", "garbage.pub"]);
    assert_eq!(code, 1, "{report:#}");
    let p = problems(&report);
    assert!(p.contains(&"key-unusable".to_owned()), "{p:?}");
    // With a usable key next to it, the unusable one still fails the run.
    let (code, report) =
        s.verify_json(&[&art, "--bundle", &b, "--key", &k, "--key", "garbage.pub"]);
    assert_eq!(code, 1);
    assert_eq!(problems(&report), ["key-unusable"]);
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    let (s, art, b, k) = passing();
    let fifo = s.path("fifo");
    assert!(
        crate::support::cmd("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (code, _, err) = s.run(&["verify", &art, "--bundle", "fifo", "--key", &k]);
    assert_eq!(code, 2);
    assert!(err.contains("not a regular file"), "{err}");
    assert_eq!(s.run(&["verify", "fifo", "--bundle", &b, "--key", &k]).0, 2);
}

#[test]
fn output_file_and_human_report() {
    let (s, art, b, k) = passing();
    let (code, out, _) = s.run(&[
        "verify", &art, "--bundle", &b, "--key", &k, "--output", "r.json", "--format", "json",
    ]);
    assert_eq!(code, 0);
    assert!(out.is_empty());
    let report: serde_json::Value =
        crate::support::report(&std::fs::read(s.path("r.json")).unwrap()).unwrap();
    assert_eq!(report["schema"], "custody/report/v1");

    s.write("missing-subject.bin", "x");
    let (code, out, _) = s.run(&[
        "verify",
        &art,
        "missing-subject.bin",
        "--bundle",
        &b,
        "--key",
        &k,
    ]);
    assert_eq!(code, 1);
    assert!(out.starts_with("PASS a.bin\n  verified: https://example.com/p; signed by k.pub\n  signature:        pass"), "{out}");
    assert!(
        out.contains("\nFAIL missing-subject.bin\n  signature:        fail"),
        "{out}"
    );
    assert!(
        out.contains("  fail [no-matching-subject] no verified statement names sha256:"),
        "{out}"
    );
    assert!(
        out.contains("verdict: fail (1 of 2 artifacts failed)"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn every_preset_policy_validates() {
    let s = Scene::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.starts_with('#'),
                "{} needs a header comment",
                path.display()
            );
            let (code, out, err) = s.run(&["policy", "check", &path.display().to_string()]);
            assert_eq!(code, 0, "{}: {err}", path.display());
            assert!(out.contains("valid policy"), "{out}");
            n += 1;
        }
    }
    assert!(n >= 5, "expected at least 5 presets, found {n}");
    for preset in [
        "default",
        "slsa-github-generator",
        "github-artifact-attestations",
        "npm-provenance",
        "pypi-trusted-publishing",
    ] {
        assert!(dir.join(format!("{preset}.toml")).exists(), "{preset}");
    }
}

#[test]
fn policy_check_exit_codes() {
    let s = Scene::new();
    s.write("bad.toml", "max-age = 3\n");
    let (code, _, err) = s.run(&["policy", "check", "bad.toml"]);
    assert_eq!(
        code, 2,
        "an invalid policy is exit 2, as for verify --policy"
    );
    assert!(err.contains("bad.toml:1:11"), "{err}");
    assert_eq!(s.run(&["policy", "check", "missing.toml"]).0, 2);
    assert_eq!(s.run(&["policy", "check", "."]).0, 2);
}

#[test]
fn the_default_preset_passes_good_provenance_and_fails_unknown_parameters() {
    let s = Scene::new();
    let (art, digest) = s.artifact("a.bin", b"a");
    let key = TestKey::new(Alg::P256);
    let k = s.key("k.pub", &key);
    let prov = provenance_v1(
        "github.com/o/r",
        "refs/tags/v1",
        "2030-01-01T00:00:00Z",
        json!({}),
    );
    let good = s.write_json(
        "good.json",
        &envelope(
            &statement(&[("a.bin", &digest)], SLSA_V1, prov.clone()),
            &[&key],
        ),
    );
    let mut risky = prov;
    risky["buildDefinition"]["externalParameters"]["extra"] = json!("--no-verify");
    let risky = s.write_json(
        "risky.json",
        &envelope(&statement(&[("a.bin", &digest)], SLSA_V1, risky), &[&key]),
    );
    let preset = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies/default.toml")
        .display()
        .to_string();
    assert_eq!(
        s.verify_json(&[&art, "--bundle", &good, "--key", &k, "--policy", &preset])
            .0,
        0
    );
    let (code, report) =
        s.verify_json(&[&art, "--bundle", &risky, "--key", &k, "--policy", &preset]);
    assert_eq!(code, 1);
    assert_eq!(problems(&report), ["unknown-external-parameter"]);
}

#[test]
fn explain_describes_every_reported_code() {
    let s = Scene::new();
    let (code, out, _) = s.run(&["explain", "no-matching-subject"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("no-matching-subject: no verified statement names the artifact\n\n"),
        "{out}"
    );
    let (code, _, err) = s.run(&["explain", "no-such-code"]);
    assert_eq!(code, 2);
    assert!(err.contains("custody explain --list"), "{err}");
    let (code, list, _) = s.run(&["explain", "--list"]);
    assert_eq!(code, 0);
    for c in [
        "identity-not-specified",
        "certificate-chain-verified",
        "tlog-inclusion-proof-invalid",
        "signature-invalid",
        "threshold-not-met",
        "unknown-external-parameter",
        "malformed-pep740",
    ] {
        assert!(
            list.lines().any(|l| l.starts_with(c)),
            "{c} missing from --list"
        );
    }
}

/// The report does not depend on how many threads hashed and verified.
#[test]
fn output_does_not_depend_on_thread_count() {
    let s = Scene::new();
    let key = TestKey::new(Alg::Ed25519);
    let k = s.key("k.pub", &key);
    let mut args: Vec<String> = Vec::new();
    let mut bundles: Vec<String> = Vec::new();
    for i in 0..40 {
        let (art, digest) = s.artifact(
            &format!("dist/{i:02}.bin"),
            format!("artifact {i}").as_bytes(),
        );
        let st = statement(&[(&art, &digest)], "https://example.com/p", json!({}));
        // Every third attestation is tampered, so failures are interleaved with passes.
        let mut env = envelope(&st, &[&key]);
        if i % 3 == 0 {
            env["payloadType"] = json!("tampered");
        }
        bundles.push(s.write_json(&format!("att/{i:02}.json"), &env));
        args.push(art);
    }
    args.push("--bundle".into());
    args.extend(bundles);
    args.extend(["--key".into(), k, "--format".into(), "json".into()]);
    let run = |threads: &str| {
        let out = s
            .custody()
            .arg("verify")
            .args(&args)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        out.stdout
    };
    assert_eq!(run("1"), run("4"));
}

/// Every row of the README's exit-code table, with the inputs the table names, and the same
/// input getting the same code from every command that reads it.
#[test]
fn the_readme_exit_code_table_holds_row_by_row() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for row in [
        "| 0 | every check passed",
        "| 1 | at least one check failed",
        "| 2 | custody could not run",
    ] {
        assert!(
            readme.contains(row),
            "the README's table lost the row {row:?}"
        );
    }
    let (s, art, b, k) = passing();
    s.write("text.pub", "not a key");
    s.write("binary.pub", [0xff, 0xfe, 0x00, 0x9c, 0x80, 0x01]);
    s.write("unknown-key.toml", "[nope]\nx = 1\n");
    s.write(
        "valid.toml",
        "predicate-types = [\"https://example.com/p\"]\n",
    );
    let rows: Vec<(i32, Vec<&str>)> = vec![
        // 0: every check passed.
        (0, vec!["verify", &art, "--bundle", &b, "--key", &k]),
        (0, vec!["policy", "check", "valid.toml"]),
        // 1: a check failed, including readable but malformed input: a key file of text or
        // of binary bytes that holds no key fails the same way.
        (1, vec!["verify", &art, "--bundle", &b, "--key", "text.pub"]),
        (
            1,
            vec!["verify", &art, "--bundle", &b, "--key", "binary.pub"],
        ),
        // 2: bad flags, an invalid policy (for verify and for policy check alike), an input
        // that cannot be read at all.
        (2, vec!["verify", &art, "--bundle", &b, "--no-such-flag"]),
        (
            2,
            vec![
                "verify",
                &art,
                "--bundle",
                &b,
                "--key",
                &k,
                "--policy",
                "unknown-key.toml",
            ],
        ),
        (2, vec!["policy", "check", "unknown-key.toml"]),
        (
            2,
            vec!["verify", &art, "--bundle", &b, "--key", "missing.pub"],
        ),
    ];
    for (want, args) in rows {
        let (code, out, err) = s.run(&args);
        assert_eq!(code, want, "{args:?}\n{out}\n{err}");
    }
}

/// An input that cannot be read is named with its role, so the user knows which flag to fix.
#[test]
fn a_missing_input_is_named_with_its_role() {
    let (s, art, b, k) = passing();
    s.write("source.tgz", "not an archive");
    crate::support::git(s.dir.path(), &["init", "-q"]);
    crate::support::git(
        s.dir.path(),
        &[
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "c",
        ],
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["verify", "missing.bin", "--bundle", &b, "--key", &k],
            "artifact missing.bin: ",
        ),
        (
            vec!["verify", &art, "--bundle", "missing.json", "--key", &k],
            "bundle missing.json: ",
        ),
        (
            vec!["verify", &art, "--bundle", &b, "--key", "missing.pub"],
            "key missing.pub: ",
        ),
        (
            vec![
                "verify",
                &art,
                "--bundle",
                &b,
                "--key",
                &k,
                "--policy",
                "missing.toml",
            ],
            "policy missing.toml: ",
        ),
        (
            vec!["policy", "check", "missing.toml"],
            "policy missing.toml: ",
        ),
        (
            vec![
                "verify",
                &art,
                "--bundle",
                &b,
                "--certificate-identity",
                "i",
                "--certificate-oidc-issuer",
                "o",
                "--trusted-root",
                "missing.json",
            ],
            "trusted root missing.json: ",
        ),
        (
            vec!["compare", "missing.tgz", "--source", "."],
            "artifact missing.tgz: ",
        ),
        (
            vec!["compare", "source.tgz", "--source", "missing-dir"],
            "source missing-dir: ",
        ),
        (
            vec!["diff", "missing.tgz", "source.tgz"],
            "published artifact missing.tgz: ",
        ),
        (
            vec!["diff", "source.tgz", "missing.tgz"],
            "rebuilt artifact missing.tgz: ",
        ),
        (
            vec!["rebuild", "missing.tgz", "--source", ".", "--", "true"],
            "artifact missing.tgz: ",
        ),
    ];
    for (args, role) in cases {
        let (code, _, err) = s.run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(role), "{args:?}: {err}");
        assert!(
            !err.contains("class=") && !err.contains("failed to resolve"),
            "{err}"
        );
    }
}

/// The JSON report carries custody's version, the time of the verdict and the SHA-256 of every
/// evidence file read, the policy included; a changed bundle gives another digest.
#[test]
fn the_report_records_version_time_and_input_digests() {
    let (s, art, b, k) = passing();
    s.write("p.toml", "predicate-types = [\"https://example.com/p\"]\n");
    let (code, report) = s.verify_json(&[&art, "--bundle", &b, "--key", &k, "--policy", "p.toml"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["custody_version"], env!("CARGO_PKG_VERSION"));
    let time = report["time"].as_str().unwrap();
    assert!(
        time.len() == 20 && time.starts_with("20") && time.ends_with('Z'),
        "{time}"
    );
    let sha = |name: &str| {
        crate::support::hex(&<sha2::Sha256 as sha2::Digest>::digest(
            std::fs::read(s.path(name)).unwrap(),
        ))
    };
    let inputs = report["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2, "{report:#}");
    assert_eq!(inputs[0]["role"], "bundle");
    assert_eq!(inputs[0]["sha256"], sha(&b).as_str());
    assert_eq!(inputs[1]["role"], "policy");
    assert_eq!(inputs[1]["path"], "p.toml");
    assert_eq!(inputs[1]["sha256"], sha("p.toml").as_str());
    // A bundle with one more byte (a trailing newline) still verifies, and is another input.
    let before = inputs[0]["sha256"].clone();
    let mut bytes = std::fs::read(s.path(&b)).unwrap();
    bytes.push(b'\n');
    std::fs::write(s.path(&b), bytes).unwrap();
    let (code, report) = s.verify_json(&[&art, "--bundle", &b, "--key", &k]);
    assert_eq!(code, 0, "{report:#}");
    assert_ne!(report["inputs"][0]["sha256"], before);
    assert_eq!(report["inputs"].as_array().unwrap().len(), 1);
}

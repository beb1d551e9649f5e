//! Keyless Sigstore verification, end to end through the real binary: bundles minted by an
//! in-process CA and transparency log (`virtual_sigstore`), each spoiled one way, and real
//! bundles from public test suites (`testdata/sigstore/`).

mod generator;
mod virtual_sigstore;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use virtual_sigstore::{IDENTITY, ISSUER, Tamper, VirtualSigstore};

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

/// Run `custody verify --json` with `args`; the exit code and the report.
fn verify(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = Command::from_std(crate::support::custody())
        .current_dir(dir)
        .arg("verify")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let report = crate::support::report(&out.stdout).unwrap_or(Value::Null);
    if report.is_null() {
        eprintln!("stderr: {}", String::from_utf8_lossy(&out.stderr));
    }
    (code, report)
}

/// Every check code of the first artifact with its outcome.
fn checks(report: &Value) -> Vec<(String, String)> {
    report["artifacts"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn has(report: &Value, code: &str, outcome: &str) -> bool {
    checks(report)
        .iter()
        .any(|(c, o)| c == code && o == outcome)
}

/// Mint a bundle spoiled by `tamper` into a fresh directory with its trusted root.
fn minted(tamper: Tamper) -> tempfile::TempDir {
    let v = VirtualSigstore::new();
    let m = v.mint(b"hello, custody\n", IDENTITY, ISSUER, tamper);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("artifact.txt"), &m.artifact).unwrap();
    std::fs::write(dir.path().join("bundle.sigstore.json"), &m.bundle).unwrap();
    std::fs::write(dir.path().join("trusted_root.json"), v.trusted_root()).unwrap();
    dir
}

const MINTED: &[&str] = &[
    "artifact.txt",
    "--bundle",
    "bundle.sigstore.json",
    "--trusted-root",
    "trusted_root.json",
];

fn with_identity<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = MINTED.to_vec();
    v.extend_from_slice(&[
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    v.extend_from_slice(extra);
    v
}

#[test]
fn a_minted_bundle_verifies_every_step() {
    let dir = minted(Tamper::None);
    let (code, report) = verify(dir.path(), &with_identity(&[]));
    assert_eq!(code, 0, "{report:#}");
    for step in [
        "signature-verified",
        "certificate-chain-verified",
        "sct-verified",
        "tlog-verified",
        "identity-matched",
        "subject-matched",
    ] {
        assert!(has(&report, step, "pass"), "{step}: {report:#}");
    }
    assert!(
        report["notes"]["trusted_root"]
            .as_str()
            .unwrap()
            .contains("trusted_root.json"),
        "{report:#}"
    );
}

#[test]
fn each_tampered_part_fails_its_own_step() {
    let cases = [
        (Tamper::InclusionProofHash, "tlog-inclusion-proof-invalid"),
        (Tamper::RootHash, "tlog-inclusion-proof-invalid"),
        (Tamper::CheckpointSignature, "tlog-checkpoint-invalid"),
        (Tamper::SignedEntryTimestamp, "tlog-set-invalid"),
        // Path validation at the integrated time sees the certificate expired.
        (
            Tamper::IntegratedTimeOutsideValidity,
            "certificate-chain-invalid",
        ),
        (Tamper::UntrustedCa, "certificate-chain-invalid"),
        (Tamper::MissingSct, "sct-invalid"),
        (Tamper::Signature, "signature-invalid"),
    ];
    for (tamper, code) in cases {
        let dir = minted(tamper);
        let (exit, report) = verify(dir.path(), &with_identity(&[]));
        assert_eq!(exit, 1, "{tamper:?}: {report:#}");
        assert!(has(&report, code, "fail"), "{tamper:?}: {report:#}");
        assert!(
            !has(&report, "signature-verified", "pass"),
            "{tamper:?}: {report:#}"
        );
    }
}

#[test]
fn identity_and_issuer_must_match() {
    let dir = minted(Tamper::None);
    let wrong_identity = [
        "artifact.txt",
        "--bundle",
        "bundle.sigstore.json",
        "--trusted-root",
        "trusted_root.json",
        "--certificate-identity",
        "https://github.com/org/other/.github/workflows/release.yml@refs/tags/v1.0.0",
        "--certificate-oidc-issuer",
        ISSUER,
    ];
    let (code, report) = verify(dir.path(), &wrong_identity);
    assert_eq!(code, 1);
    assert!(has(&report, "identity-mismatch", "fail"), "{report:#}");

    let mut wrong_issuer = MINTED.to_vec();
    wrong_issuer.extend([
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        "https://accounts.google.com",
    ]);
    let (code, report) = verify(dir.path(), &wrong_issuer);
    assert_eq!(code, 1);
    assert!(has(&report, "identity-mismatch", "fail"), "{report:#}");
}

#[test]
fn a_regex_that_matches_only_a_prefix_does_not_accept() {
    let dir = minted(Tamper::None);
    for (re, want) in [
        ("https://github\\.com/org/repo/", 1),
        ("https://github\\.com/org/repo/.*", 0),
        (".*release\\.yml", 1),
    ] {
        let mut args = MINTED.to_vec();
        args.extend([
            "--certificate-identity-regexp",
            re,
            "--certificate-oidc-issuer-regexp",
            "https://token\\.actions\\.githubusercontent\\.com",
        ]);
        let (code, report) = verify(dir.path(), &args);
        assert_eq!(code, want, "{re}: {report:#}");
    }
}

#[test]
fn no_identity_fails_and_says_how_to_give_one() {
    let dir = minted(Tamper::None);
    let (code, report) = verify(dir.path(), MINTED);
    assert_eq!(code, 1);
    assert!(has(&report, "identity-not-specified", "fail"), "{report:#}");
}

#[test]
fn dangerous_any_identity_is_noted_in_the_report() {
    let dir = minted(Tamper::None);
    std::fs::write(
        dir.path().join("p.toml"),
        format!(
            "[[signatures.identities]]\ndangerous-any-identity = true\noidc-issuer = \"{ISSUER}\"\n"
        ),
    )
    .unwrap();
    let mut args = MINTED.to_vec();
    args.extend(["--policy", "p.toml"]);
    let (code, report) = verify(dir.path(), &args);
    assert_eq!(code, 0, "{report:#}");
    assert!(
        report["notes"]["dangerous_any_identity"]
            .as_str()
            .unwrap()
            .contains("DANGEROUS"),
        "{report:#}"
    );
    // Every format says so, not only JSON.
    for format in ["human", "sarif"] {
        let out = Command::from_std(crate::support::custody())
            .current_dir(dir.path())
            .arg("verify")
            .args(&args)
            .args(["--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("DANGEROUS"), "{format}: {text}");
        assert!(text.contains("trusted_root.json"), "{format}: {text}");
    }
}

#[test]
fn policy_extensions_pin_the_certificate() {
    let dir = minted(Tamper::None);
    for (r#ref, want) in [("refs/tags/v1.0.0", 0), ("refs/heads/main", 1)] {
        std::fs::write(
            dir.path().join("p.toml"),
            format!(
                "[[signatures.identities]]\ncertificate-identity = \"{IDENTITY}\"\noidc-issuer = \"{ISSUER}\"\nsource-repository-ref = \"{}\"\n",
                r#ref
            ),
        )
        .unwrap();
        let mut args = MINTED.to_vec();
        args.extend(["--policy", "p.toml"]);
        let (code, report) = verify(dir.path(), &args);
        assert_eq!(code, want, "{ref}: {report:#}");
    }
}

#[test]
fn username_and_email_identities_are_told_apart() {
    let v = VirtualSigstore::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("trusted_root.json"), v.trusted_root()).unwrap();
    let issuer = "https://oidc.example";
    for (name, san) in [
        ("user", "alice!oidc.example"),
        ("email", "alice@oidc.example"),
    ] {
        let m = v.mint(b"hello, custody\n", san, issuer, Tamper::None);
        std::fs::write(dir.path().join("artifact.txt"), &m.artifact).unwrap();
        std::fs::write(dir.path().join(format!("{name}.sigstore.json")), &m.bundle).unwrap();
    }
    let run = |bundle: &str, identity: &str| {
        let bundle = format!("{bundle}.sigstore.json");
        let args = [
            "artifact.txt",
            "--bundle",
            &bundle,
            "--trusted-root",
            "trusted_root.json",
            "--certificate-identity",
            identity,
            "--certificate-oidc-issuer",
            issuer,
        ];
        verify(dir.path(), &args)
    };
    // A Fulcio username (otherName SAN) is read and matched by its own text.
    let (code, report) = run("user", "alice!oidc.example");
    assert_eq!(code, 0, "{report:#}");
    assert!(
        report
            .to_string()
            .contains(r#""identity":"alice!oidc.example""#),
        "{report:#}"
    );
    let (code, report) = run("user", "alice@oidc.example");
    assert_eq!(code, 1, "{report:#}");
    assert!(has(&report, "identity-mismatch", "fail"), "{report:#}");
    // The email certificate matches the email, and not the username.
    assert_eq!(run("email", "alice@oidc.example").0, 0);
    assert_eq!(run("email", "alice!oidc.example").0, 1);
}

#[test]
fn builder_id_pins_the_signer() {
    let dir = minted(Tamper::None);
    for (builder, want) in [
        (
            "https://github.com/org/repo/.github/workflows/release.yml",
            0,
        ),
        (
            "https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.0.0",
            0,
        ),
        (
            "https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v2.0.0",
            1,
        ),
        ("https://github.com/org/repo/.github/workflows/other.yml", 1),
    ] {
        let mut args = MINTED.to_vec();
        args.extend(["--builder-id", builder]);
        let (code, report) = verify(dir.path(), &args);
        // The bundle is a message signature, which has no provenance: only the signer is
        // judged here, so a matching builder still fails on provenance-missing.
        let pinned = has(&report, "identity-matched", "pass");
        assert_eq!(pinned, want == 0, "{builder}: {report:#}");
        assert_eq!(code, 1);
        // The policy key means the same as the flag when the policy lists no identities.
        std::fs::write(
            dir.path().join("builders.toml"),
            format!("builder-ids = [\"{builder}\"]\n"),
        )
        .unwrap();
        let mut args = MINTED.to_vec();
        args.extend(["--policy", "builders.toml"]);
        let (_, report) = verify(dir.path(), &args);
        assert!(
            !has(&report, "identity-not-specified", "fail"),
            "{builder}: {report:#}"
        );
        let by_key = has(&report, "identity-matched", "pass");
        assert_eq!(by_key, want == 0, "builder-ids = [{builder}]: {report:#}");
    }
}

#[test]
fn an_invalid_trusted_root_cannot_run() {
    let dir = minted(Tamper::None);
    std::fs::write(dir.path().join("trusted_root.json"), "{\"mediaType\": 3}").unwrap();
    let out = Command::from_std(crate::support::custody())
        .current_dir(dir.path())
        .arg("verify")
        .args(with_identity(&[]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn real_bundles_verify_against_the_built_in_root() {
    let a = testdata("corpus/a.txt");
    let bundle = testdata("sigstore/happy-path-v0.3.sigstore.json");
    let args = [
        a.to_str().unwrap(),
        "--bundle",
        bundle.to_str().unwrap(),
        "--certificate-identity",
        BEACON,
        "--certificate-oidc-issuer",
        ISSUER,
    ];
    let (code, report) = verify(Path::new("."), &args);
    assert_eq!(code, 0, "{report:#}");
    // The signer record names the certificate's identity and issuer as such; key and keyid
    // are for keys.
    let signer = &report["artifacts"][0]["verified"][0]["signers"][0];
    assert_eq!(signer["identity"], BEACON, "{signer:#}");
    assert_eq!(signer["issuer"], ISSUER, "{signer:#}");
    assert!(
        signer.get("key").is_none() && signer.get("keyid").is_none(),
        "{signer:#}"
    );
    assert!(
        report["notes"]["trusted_root"]
            .as_str()
            .unwrap()
            .contains("production"),
        "{report:#}"
    );
    // The same bundle by digest alone.
    let mut by_digest = args;
    by_digest[0] = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
    assert_eq!(verify(Path::new("."), &by_digest).0, 0);
}

#[test]
fn real_bundles_that_must_fail() {
    let a = testdata("corpus/a.txt");
    for (name, code) in [
        // The log entry is checked first (as sigstore-go orders it): its SET names a staging log key.
        ("from-staging", "tlog-set-invalid"),
        ("checkpoint-wrong-roothash", "tlog-inclusion-proof-invalid"),
    ] {
        let bundle = testdata(&format!("sigstore/{name}.sigstore.json"));
        let (exit, report) = verify(
            Path::new("."),
            &[
                a.to_str().unwrap(),
                "--bundle",
                bundle.to_str().unwrap(),
                "--certificate-identity",
                BEACON,
                "--certificate-oidc-issuer",
                ISSUER,
            ],
        );
        assert_eq!(exit, 1, "{name}: {report:#}");
        assert!(
            checks(&report)
                .iter()
                .any(|(c, o)| c == code && o == "fail"),
            "{name}: no failing {code}: {report:#}"
        );
        // A staging bundle checked against production says so and names the flag; a bundle
        // that fails for another reason gets no such hint.
        let hinted = report.to_string().contains("pass --staging");
        assert_eq!(hinted, name == "from-staging", "{name}: {report:#}");
    }
}

/// The other way round: a production bundle verified with --staging is told to drop it.
#[test]
fn a_production_bundle_verified_with_staging_is_told_to_drop_the_flag() {
    let a = testdata("corpus/a.txt");
    let bundle = testdata("sigstore/happy-path-v0.3.sigstore.json");
    let (exit, report) = verify(
        Path::new("."),
        &[
            a.to_str().unwrap(),
            "--bundle",
            bundle.to_str().unwrap(),
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            ISSUER,
            "--staging",
        ],
    );
    assert_eq!(exit, 1, "{report:#}");
    let text = report.to_string();
    assert!(
        text.contains("Sigstore production instance's log"),
        "{report:#}"
    );
    assert!(text.contains("drop --staging"), "{report:#}");
}

#[test]
fn rekor_v2_and_intoto_with_custom_roots() {
    let (code, report) = verify(
        Path::new("."),
        &[
            testdata("corpus/a.txt").to_str().unwrap(),
            "--bundle",
            testdata("sigstore/rekor2-happy-path.sigstore.json")
                .to_str()
                .unwrap(),
            "--trusted-root",
            testdata("sigstore/rekor2-trusted_root.json")
                .to_str()
                .unwrap(),
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            ISSUER,
        ],
    );
    assert_eq!(code, 0, "{report:#}");
    assert!(has(&report, "timestamp-verified", "pass"), "{report:#}");
    let (code, report) = verify(
        Path::new("."),
        &[
            testdata("sigstore/intoto-custom-root.artifact")
                .to_str()
                .unwrap(),
            "--bundle",
            testdata("sigstore/intoto-custom-root.sigstore.json")
                .to_str()
                .unwrap(),
            "--trusted-root",
            testdata("sigstore/intoto-custom-root.trusted_root.json")
                .to_str()
                .unwrap(),
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            ISSUER,
        ],
    );
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn verify_bundle_speaks_the_conformance_protocol() {
    let a = testdata("corpus/a.txt");
    let run = |bundle: &str| {
        Command::from_std(crate::support::custody())
            .args([
                "verify-bundle",
                "--bundle",
                testdata(bundle).to_str().unwrap(),
                "--certificate-identity",
                BEACON,
                "--certificate-oidc-issuer",
                ISSUER,
                a.to_str().unwrap(),
            ])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run("sigstore/happy-path-v0.3.sigstore.json"), Some(0));
    assert_eq!(run("sigstore/from-staging.sigstore.json"), Some(1));
}

/// verify-bundle has no --builder-id or policy: without --key it needs both certificate flags,
/// and says so before reading anything, naming only flags it has.
#[test]
fn verify_bundle_without_an_identity_names_the_flags_it_takes() {
    let a = testdata("corpus/a.txt");
    let bundle = testdata("sigstore/happy-path-v0.3.sigstore.json");
    let out = Command::from_std(crate::support::custody())
        .args(["verify-bundle", "--bundle", bundle.to_str().unwrap()])
        .arg(&a)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--certificate-identity") && err.contains("--certificate-oidc-issuer"),
        "{err}"
    );
    assert!(
        !err.contains("--builder-id") && !err.contains("policy"),
        "{err}"
    );
}

#[test]
fn an_unlogged_certificate_envelope_fails_unless_the_policy_accepts_it() {
    let v = VirtualSigstore::new();
    let dir = tempfile::tempdir().unwrap();
    let artifact = b"built by an old generator\n";
    std::fs::write(dir.path().join("artifact.txt"), artifact).unwrap();
    std::fs::write(dir.path().join("trusted_root.json"), v.trusted_root()).unwrap();
    let write = |name: &str, tamper: Tamper| {
        std::fs::write(
            dir.path().join(name),
            v.mint_unlogged_envelope(artifact, IDENTITY, tamper) + "\n",
        )
        .unwrap();
    };
    write("good.intoto.jsonl", Tamper::None);
    write("bad-sig.intoto.jsonl", Tamper::Signature);
    write("rogue.intoto.jsonl", Tamper::UntrustedCa);
    write("no-sct.intoto.jsonl", Tamper::MissingSct);
    std::fs::write(
        dir.path().join("accept.toml"),
        format!(
            "[signatures]\ndangerous-accept-unlogged = true\n[[signatures.identities]]\ncertificate-identity = \"{IDENTITY}\"\noidc-issuer = \"{ISSUER}\"\n"
        ),
    )
    .unwrap();
    let run = |bundle: &str, policy: bool| {
        let mut args = vec![
            "artifact.txt",
            "--bundle",
            bundle,
            "--trusted-root",
            "trusted_root.json",
        ];
        if policy {
            args.extend(["--policy", "accept.toml"]);
        } else {
            args.extend([
                "--certificate-identity",
                IDENTITY,
                "--certificate-oidc-issuer",
                ISSUER,
            ]);
        }
        verify(dir.path(), &args)
    };
    // Default: the log check is not performed, which fails, and says so.
    let (code, report) = run("good.intoto.jsonl", false);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        has(&report, "tlog-not-performed", "not-performed"),
        "{report:#}"
    );
    // Accepted by policy: every other step verified, the log step reported as accepted.
    let (code, report) = run("good.intoto.jsonl", true);
    assert_eq!(code, 0, "{report:#}");
    for step in [
        "certificate-chain-verified",
        "sct-verified",
        "identity-matched",
        "tlog-absence-accepted",
    ] {
        assert!(has(&report, step, "pass"), "{step}: {report:#}");
    }
    assert!(!has(&report, "tlog-verified", "pass"));
    assert!(
        report["notes"]["dangerous_accept_unlogged"].is_string(),
        "{report:#}"
    );
    // The policy never rescues a broken signature, chain or SCT.
    for (bundle, code) in [
        ("bad-sig.intoto.jsonl", "signature-invalid"),
        ("rogue.intoto.jsonl", "certificate-chain-invalid"),
        ("no-sct.intoto.jsonl", "sct-invalid"),
    ] {
        let (exit, report) = run(bundle, true);
        assert_eq!(exit, 1, "{bundle}: {report:#}");
        assert!(has(&report, code, "fail"), "{bundle}: {report:#}");
    }
}

#[test]
fn an_integrated_time_in_the_future_fails_and_a_bad_ct_key_cannot_be_trusted() {
    let a = testdata("corpus/a.txt");
    let bundle = testdata("sigstore/integrated-time-in-future.sigstore.json");
    let (code, report) = verify(
        Path::new("."),
        &[
            a.to_str().unwrap(),
            "--bundle",
            bundle.to_str().unwrap(),
            "--certificate-identity",
            "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com",
            "--certificate-oidc-issuer",
            "https://accounts.google.com",
        ],
    );
    assert_eq!(code, 1, "{report:#}");
    assert!(!has(&report, "signature-verified", "pass"), "{report:#}");
    // A trusted root whose CT log key is unusable is refused before any bundle is read.
    let out = Command::from_std(crate::support::custody())
        .args([
            "verify",
            a.to_str().unwrap(),
            "--bundle",
            testdata("sigstore/happy-path-v0.3.sigstore.json")
                .to_str()
                .unwrap(),
            "--trusted-root",
            testdata("sigstore/invalid-ct-key.trusted_root.json")
                .to_str()
                .unwrap(),
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            ISSUER,
        ])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
}

/// A key-signed bundle's log entry and timestamp are checked against the trusted root too: the
/// key being trusted does not excuse a forged inclusion proof.
#[test]
fn a_key_signed_bundle_with_a_tampered_log_entry_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut bundle: Value = serde_json::from_slice(
        &std::fs::read(testdata("corpus/managed-key.sigstore.json")).unwrap(),
    )
    .unwrap();
    let args = |b: &str| {
        vec![
            testdata("corpus/a.txt").to_str().unwrap().to_owned(),
            "--bundle".to_owned(),
            b.to_owned(),
            "--key".to_owned(),
            testdata("corpus/managed-key.pub")
                .to_str()
                .unwrap()
                .to_owned(),
        ]
    };
    let run = |b: &str| {
        let a = args(b);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        verify(dir.path(), &refs)
    };
    let good = dir.path().join("good.json");
    std::fs::write(&good, bundle.to_string()).unwrap();
    let (code, report) = run(good.to_str().unwrap());
    assert_eq!(code, 0, "{report:#}");
    assert!(has(&report, "tlog-verified", "pass"), "{report:#}");
    assert!(report["notes"]["trusted_root"].is_string(), "{report:#}");
    let hash = &mut bundle["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"][0];
    let mut h = hash.as_str().unwrap().to_owned();
    h.replace_range(0..1, if h.starts_with('A') { "B" } else { "A" });
    *hash = Value::String(h);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, bundle.to_string()).unwrap();
    let (code, report) = run(bad.to_str().unwrap());
    assert_eq!(code, 1, "{report:#}");
    assert!(
        has(&report, "tlog-inclusion-proof-invalid", "fail"),
        "{report:#}"
    );
}

/// npm attestation documents and PEP 740 attestations go through the same keyless verifier.
#[test]
fn npm_and_pep740_documents_verify_keyless() {
    let dir = tempfile::tempdir().unwrap();
    let bundle: Value = serde_json::from_slice(
        &std::fs::read(testdata("corpus/keyless-v0.3-dsse.sigstore")).unwrap(),
    )
    .unwrap();
    let npm = serde_json::json!({"attestations": [{
        "predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1",
        "bundle": bundle,
    }]});
    let doc = dir.path().join("sigstore-1.0.0.attestations.json");
    std::fs::write(&doc, npm.to_string()).unwrap();
    let tgz = testdata("sigstore/sigstore-1.0.0.tgz");
    let npm_args = |identity: &'static str| {
        vec![
            tgz.to_str().unwrap().to_owned(),
            "--bundle".into(),
            doc.to_str().unwrap().to_owned(),
            "--certificate-identity".into(),
            identity.into(),
            "--certificate-oidc-issuer".into(),
            "https://github.com/login/oauth".into(),
        ]
    };
    for (identity, want) in [("brian@dehamer.com", 0), ("someone@else.example", 1)] {
        let a = npm_args(identity);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        let (code, report) = verify(dir.path(), &refs);
        assert_eq!(code, want, "{identity}: {report:#}");
    }

    let wheel = testdata("sigstore/rfc8785-0.1.2-py3-none-any.whl");
    let attestation = testdata("corpus/rfc8785-0.1.2-py3-none-any.whl.attestation");
    let pep740 = |staging: bool| {
        let mut a = vec![
            wheel.to_str().unwrap(),
            "--bundle",
            attestation.to_str().unwrap(),
            "--certificate-identity",
            "william@yossarian.net",
            "--certificate-oidc-issuer",
            "https://github.com/login/oauth",
        ];
        if staging {
            a.push("--staging");
        }
        verify(dir.path(), &a)
    };
    let (code, report) = pep740(true);
    assert_eq!(code, 0, "{report:#}");
    assert!(
        report["notes"]["trusted_root"]
            .as_str()
            .unwrap()
            .contains("staging"),
        "{report:#}"
    );
    // Signed on staging: the production root trusts neither its log nor its CA.
    let (code, report) = pep740(false);
    assert_eq!(code, 1);
    assert!(has(&report, "tlog-set-invalid", "fail"), "{report:#}");
}

/// A regexp that matches only part of the identity (as cosign users write them, expecting a
/// search) still fails, and the message says how to write the search that was meant; a regexp
/// that matches nothing at all gets no such hint.
#[test]
fn a_partial_identity_regexp_fails_with_the_search_it_meant() {
    let a = testdata("corpus/a.txt");
    let bundle = testdata("sigstore/happy-path-v0.3.sigstore.json");
    let run = |identity: &str| {
        verify(
            Path::new("."),
            &[
                a.to_str().unwrap(),
                "--bundle",
                bundle.to_str().unwrap(),
                "--certificate-identity-regexp",
                identity,
                "--certificate-oidc-issuer",
                ISSUER,
            ],
        )
    };
    let (exit, report) = run("sigstore-conformance");
    assert_eq!(exit, 1, "{report:#}");
    let text = report.to_string();
    assert!(
        text.contains("write --certificate-identity-regexp '.*sigstore-conformance.*'"),
        "{report:#}"
    );
    let (exit, report) = run("another-org");
    assert_eq!(exit, 1, "{report:#}");
    assert!(
        !report.to_string().contains("matches only part"),
        "{report:#}"
    );
    // The search it suggests does accept the signer.
    assert_eq!(run(".*sigstore-conformance.*").0, 0);
}

/// sigstore-go's thresholds: a bundle without a log entry verifies only under a policy that
/// accepts signed timestamps instead (`WithSignedTimestamps(1)` without
/// `WithTransparencyLog`), never by default. The bundle is the Rekor v2 conformance bundle,
/// which carries a real RFC 3161 timestamp, with its log entry taken out.
#[test]
fn signed_timestamps_without_a_log_entry_only_under_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    let original: Value = serde_json::from_slice(
        &std::fs::read(testdata("sigstore/rekor2-happy-path.sigstore.json")).unwrap(),
    )
    .unwrap();
    let write = |name: &str, edit: &dyn Fn(&mut Value)| {
        let mut b = original.clone();
        edit(&mut b);
        std::fs::write(dir.path().join(name), b.to_string()).unwrap();
    };
    write("logged.json", &|_| {});
    write("no-log.json", &|b| {
        b["verificationMaterial"]["tlogEntries"] = Value::Array(Vec::new());
    });
    write("nothing.json", &|b| {
        b["verificationMaterial"]["tlogEntries"] = Value::Array(Vec::new());
        b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"] =
            Value::Array(Vec::new());
    });
    write("no-log-bad-sig.json", &|b| {
        b["verificationMaterial"]["tlogEntries"] = Value::Array(Vec::new());
        let sig = b["messageSignature"]["signature"]
            .as_str()
            .unwrap()
            .to_owned();
        let flipped = if sig.starts_with('M') { "N" } else { "M" };
        b["messageSignature"]["signature"] = Value::String(format!("{flipped}{}", &sig[1..]));
    });
    let policy = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), format!("[signatures]\n{text}\n")).unwrap();
    };
    policy(
        "one.toml",
        "transparency-log-threshold = 0\nsigned-timestamp-threshold = 1",
    );
    policy(
        "two.toml",
        "transparency-log-threshold = 0\nsigned-timestamp-threshold = 2",
    );
    policy("logged-and-stamped.toml", "signed-timestamp-threshold = 1");
    policy("logged-and-two.toml", "signed-timestamp-threshold = 2");
    policy("nothing.toml", "transparency-log-threshold = 0");
    let artifact = testdata("corpus/a.txt");
    let root = testdata("sigstore/rekor2-trusted_root.json");
    let run = |bundle: &str, policy: Option<&str>| {
        let mut args = vec![
            artifact.to_str().unwrap(),
            "--bundle",
            bundle,
            "--trusted-root",
            root.to_str().unwrap(),
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            ISSUER,
        ];
        if let Some(p) = policy {
            args.extend(["--policy", p]);
        }
        verify(dir.path(), &args)
    };

    let (code, report) = run("no-log.json", None);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        has(&report, "tlog-not-performed", "not-performed"),
        "{report:#}"
    );
    let (code, report) = run("no-log.json", Some("one.toml"));
    assert_eq!(code, 0, "{report:#}");
    assert!(has(&report, "tlog-absence-accepted", "pass"), "{report:#}");
    assert!(has(&report, "timestamp-verified", "pass"), "{report:#}");
    assert!(
        report["notes"]["timestamps_without_log"].is_string(),
        "{report:#}"
    );
    for (bundle, policy, code_wanted) in [
        ("no-log.json", "two.toml", "timestamp-threshold-not-met"),
        ("nothing.json", "one.toml", "timestamp-threshold-not-met"),
        (
            "logged.json",
            "logged-and-two.toml",
            "timestamp-threshold-not-met",
        ),
    ] {
        let (code, report) = run(bundle, Some(policy));
        assert_eq!(code, 1, "{bundle} {policy}: {report:#}");
        assert!(
            has(&report, code_wanted, "fail"),
            "{bundle} {policy}: {report:#}"
        );
    }
    let (code, report) = run("no-log-bad-sig.json", Some("one.toml"));
    assert_eq!(code, 1, "{report:#}");
    assert!(!has(&report, "tlog-absence-accepted", "pass"), "{report:#}");
    // A logged bundle still has its entry proven under a timestamp threshold.
    let (code, report) = run("logged.json", Some("logged-and-stamped.toml"));
    assert_eq!(code, 0, "{report:#}");
    assert!(has(&report, "tlog-verified", "pass"), "{report:#}");
    // No log entry and no timestamp threshold leaves no time source: not a policy at all.
    let out = Command::from_std(crate::support::custody())
        .current_dir(dir.path())
        .args(["policy", "check", "nothing.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("signed-timestamp-threshold"), "{err}");
}

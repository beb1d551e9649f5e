//! slsa-github-generator provenance as slsa-verifier judges it: real provenance from
//! slsa-verifier's test data (`testdata/slsa-verifier/`, the whole of it gated by
//! `scripts/slsa-corpus`), and provenance signed here by the in-process Sigstore as the
//! generator's workflows, each bent one way.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::virtual_sigstore::{Tamper, VirtualSigstore};
use super::{has, verify};

const WORKFLOWS: &str =
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/";
const EXAMPLE: &str = "github.com/slsa-framework/example-package";
const TRW: &str =
    "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml";

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/slsa-verifier/files")
        .join(rel)
}

/// `custody verify` of a real workflow_dispatch build of `dir` (e.g. `gha_maven/v2.1.0`).
fn real(dir: &str, provenance_suffix: &str, flags: &[&str]) -> (i32, Value) {
    let artifact = corpus(&format!("{dir}/binary-linux-amd64-workflow_dispatch"));
    let bundle = corpus(&format!(
        "{dir}/binary-linux-amd64-workflow_dispatch{provenance_suffix}"
    ));
    let mut args = vec![
        artifact.to_str().unwrap().to_owned(),
        "--bundle".to_owned(),
        bundle.to_str().unwrap().to_owned(),
    ];
    args.extend(flags.iter().map(|f| (*f).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    verify(Path::new(env!("CARGO_MANIFEST_DIR")), &args)
}

fn builder(name: &str) -> String {
    format!("{WORKFLOWS}{name}")
}

#[test]
fn delegated_maven_builds_verify_by_default_and_by_builder_id() {
    let maven = builder("builder_maven_slsa3.yml");
    let gradle = builder("builder_gradle_slsa3.yml");
    let run = |flags: &[&str]| real("gha_maven/v2.1.0", ".build.slsa", flags);

    // Only the source repository: slsa-verifier's default builders, said in the report.
    let (code, report) = run(&["--source-uri", EXAMPLE]);
    assert_eq!(code, 0, "{report:#}");
    assert!(has(&report, "builder-id-accepted", "pass"), "{report:#}");
    assert!(
        report["notes"]["default_builders"]
            .as_str()
            .unwrap()
            .contains("slsa-github-generator"),
        "{report:#}"
    );
    let accepted = report["artifacts"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "builder-id-accepted")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        accepted.contains("builder_maven_slsa3.yml@refs/tags/v2.1.0")
            && accepted.contains("delegated by")
            && accepted.contains("trusted by default"),
        "{accepted}"
    );

    // --builder-id names the builder the delegator ran (the TRW), never the delegator.
    for id in [
        maven.clone(),
        format!("{maven}@v2.1.0"),
        format!("{maven}@refs/tags/v2.1.0"),
    ] {
        let (code, report) = run(&["--source-uri", EXAMPLE, "--builder-id", &id]);
        assert_eq!(code, 0, "{id}: {report:#}");
        assert!(report["notes"]["default_builders"].is_null(), "{report:#}");
    }
    for id in [
        gradle.clone(),
        format!("{maven}@v2.0.0"),
        builder("delegator_lowperms-generic_slsa3.yml"),
    ] {
        let (code, report) = run(&["--source-uri", EXAMPLE, "--builder-id", &id]);
        assert_eq!(code, 1, "{id}: {report:#}");
        assert!(
            has(&report, "builder-id-not-accepted", "fail"),
            "{id}: {report:#}"
        );
    }

    // Another repository: under default trust the certificate's repository is pinned too.
    let (code, report) = run(&["--source-uri", "github.com/slsa-framework/example-packagE"]);
    assert_eq!(code, 1, "{report:#}");
    assert!(has(&report, "identity-mismatch", "fail"), "{report:#}");
    let (code, report) = run(&[
        "--source-uri",
        "github.com/slsa-framework/example-packagE",
        "--builder-id",
        &maven,
    ]);
    assert_eq!(code, 1, "{report:#}");
    assert!(has(&report, "source-uri-mismatch", "fail"), "{report:#}");
}

#[test]
fn a_third_party_delegated_builder_needs_builder_id() {
    let run = |flags: &[&str]| real("gha_delegator/v2.1.0", ".build.slsa", flags);
    let (code, report) = run(&["--source-uri", EXAMPLE]);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        has(&report, "builder-id-not-accepted", "fail"),
        "{report:#}"
    );
    assert!(
        report
            .to_string()
            .contains("trust it by naming it with --builder-id"),
        "{report:#}"
    );
    let (code, report) = run(&["--source-uri", EXAMPLE, "--builder-id", TRW]);
    assert_eq!(code, 0, "{report:#}");
    let (code, _) = run(&[
        "--source-uri",
        EXAMPLE,
        "--builder-id",
        &format!("{TRW}@v2.0.0"),
    ]);
    assert_eq!(code, 1);
}

#[test]
fn a_delegator_on_a_branch_is_no_release() {
    let run = |flags: &[&str]| real("gha_delegator/v1.9.0", ".build.slsa", flags);
    // Pinned by --builder-id: the delegator must be at a release tag.
    let (code, report) = run(&["--source-uri", EXAMPLE, "--builder-id", TRW]);
    assert_eq!(code, 1, "{report:#}");
    assert!(has(&report, "identity-mismatch", "fail"), "{report:#}");
    // A policy that lets the delegator sign at any ref still meets the provenance rule.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("any-ref.toml");
    std::fs::write(
        &policy,
        format!(
            "builder-ids = [\"{TRW}\"]\n[[signatures.identities]]\ncertificate-identity-regexp = '{}@.*'\noidc-issuer = \"https://token.actions.githubusercontent.com\"\n",
            regex_escape(&builder("delegator_generic_slsa3.yml"))
        ),
    )
    .unwrap();
    let (code, report) = run(&[
        "--source-uri",
        EXAMPLE,
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{report:#}");
    assert!(has(&report, "identity-matched", "pass"), "{report:#}");
    assert!(has(&report, "builder-not-released", "fail"), "{report:#}");
}

#[test]
fn builders_sign_their_own_provenance_by_default() {
    // The Go builder's v2.1.0 provenance (a v0.3 bundle); its 2 MB binary is named by digest.
    let bundle = corpus("gha_go/v2.1.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl");
    let digest = real_digest("gha_go/v2.1.0").unwrap();
    let run = |flags: &[&str]| {
        let mut args = vec![digest.as_str(), "--bundle", bundle.to_str().unwrap()];
        args.extend_from_slice(flags);
        verify(Path::new(env!("CARGO_MANIFEST_DIR")), &args)
    };
    let (code, report) = run(&["--source-uri", EXAMPLE]);
    assert_eq!(code, 0, "{report:#}");
    assert!(has(&report, "builder-id-accepted", "pass"), "{report:#}");
    let (code, report) = run(&["--source-uri", "github.com/slsa-framework/other"]);
    assert_eq!(code, 1, "{report:#}");
    // Without --source-uri there is no default: an identity is required, as ever.
    let (code, report) = run(&[]);
    assert_eq!(code, 1, "{report:#}");
    assert!(has(&report, "identity-not-specified", "fail"), "{report:#}");
}

/// The sha256 of a version directory's workflow_dispatch artifact, from the corpus cases.
fn real_digest(dir: &str) -> Option<String> {
    let cases: Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/slsa-verifier/cases.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let want = format!("files/{dir}/binary-linux-amd64-workflow_dispatch.intoto.jsonl");
    cases.as_array()?.iter().find_map(|c| {
        (c["files"]["bundle"] == want.as_str())
            .then(|| format!("sha256:{}", c["artifact"]["sha256"].as_str().unwrap()))
    })
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == ':' || c == '_' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// Provenance v1 of `artifact.txt` built from github.com/org/app.
fn statement(artifact: &[u8], builder_id: &str, build_type: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest: String = Sha256::digest(artifact)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "artifact.txt", "digest": {"sha256": digest}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": build_type,
                "externalParameters": {
                    "workflow": {"ref": "refs/tags/v1.0.0", "repository": "https://github.com/org/app", "path": ".github/workflows/release.yml"}
                },
                "resolvedDependencies": [{
                    "uri": "git+https://github.com/org/app@refs/tags/v1.0.0",
                    "digest": {"gitCommit": "0123456789abcdef0123456789abcdef01234567"}
                }]
            },
            "runDetails": {"builder": {"id": builder_id}, "metadata": {}}
        }
    })
    .to_string()
}

const DELEGATED: &str =
    "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0";
const GENERIC: &str = "https://github.com/slsa-framework/slsa-github-generator/generic@v1";

#[test]
fn signer_and_builder_must_agree() {
    let v = VirtualSigstore::new();
    let dir = tempfile::tempdir().unwrap();
    let artifact = b"release\n";
    std::fs::write(dir.path().join("artifact.txt"), artifact).unwrap();
    std::fs::write(dir.path().join("trusted_root.json"), v.trusted_root()).unwrap();
    // The virtual log cannot log DSSE entries: these envelopes are unlogged, and accepted so.
    std::fs::write(
        dir.path().join("unlogged.toml"),
        "[signatures]\ndangerous-accept-unlogged = true\n",
    )
    .unwrap();
    let generic = builder("generator_generic_slsa3.yml");
    let go = builder("builder_go_slsa3.yml");
    let delegator = builder("delegator_generic_slsa3.yml");
    let maven = builder("builder_maven_slsa3.yml");
    let third = "https://github.com/org/trw/.github/workflows/b.yml";
    let at = |w: &str, r: &str| format!("{w}@{r}");
    let tag = "refs/tags/v1.0.0";
    // (signer, builder.id, build type, extra flags, exit code, the check that decides)
    type Case<'a> = (String, String, &'a str, Vec<&'a str>, i32, &'a str);
    let cases: Vec<Case> = vec![
        (
            at(&generic, tag),
            at(&generic, tag),
            GENERIC,
            vec![],
            0,
            "builder-id-accepted",
        ),
        (
            at(&generic, tag),
            at(&go, tag),
            GENERIC,
            vec![],
            1,
            "builder-mismatch",
        ),
        (
            at(&generic, tag),
            at(&generic, "refs/tags/v1.0.1"),
            GENERIC,
            vec![],
            1,
            "builder-mismatch",
        ),
        (
            at(&delegator, tag),
            at(&maven, tag),
            DELEGATED,
            vec![],
            0,
            "builder-id-accepted",
        ),
        (
            at(&delegator, tag),
            at(&maven, "refs/heads/main"),
            DELEGATED,
            vec![],
            1,
            "builder-not-released",
        ),
        (
            at(&delegator, tag),
            at(&maven, "refs/tags/v1.0.0-rc.1"),
            DELEGATED,
            vec![],
            1,
            "builder-not-released",
        ),
        (
            at(&delegator, tag),
            at(&maven, tag),
            GENERIC,
            vec![],
            1,
            "builder-mismatch",
        ),
        (
            at(&delegator, tag),
            at(third, tag),
            DELEGATED,
            vec![],
            1,
            "builder-id-not-accepted",
        ),
        (
            at(&delegator, tag),
            at(third, tag),
            DELEGATED,
            vec!["--builder-id", third],
            0,
            "builder-id-accepted",
        ),
        (
            at(&delegator, tag),
            at(&maven, tag),
            DELEGATED,
            vec!["--builder-id", third],
            1,
            "builder-id-not-accepted",
        ),
        // Signers pinned by default or by --builder-id are at release tags.
        (
            at(&delegator, "refs/heads/main"),
            at(&maven, tag),
            DELEGATED,
            vec![],
            1,
            "identity-mismatch",
        ),
        (
            at(&generic, "refs/heads/main"),
            at(&generic, "refs/heads/main"),
            GENERIC,
            vec!["--builder-id", &generic],
            1,
            "identity-mismatch",
        ),
        // A fork's copy of the generator is not trusted by default.
        (
            at(
                "https://github.com/fork/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml",
                tag,
            ),
            at(
                "https://github.com/fork/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml",
                tag,
            ),
            GENERIC,
            vec![],
            1,
            "identity-mismatch",
        ),
    ];
    for (i, (signer, builder_id, build_type, flags, want, decides)) in cases.iter().enumerate() {
        let name = format!("p{i}.intoto.jsonl");
        std::fs::write(
            dir.path().join(&name),
            v.mint_unlogged_statement(
                &statement(artifact, builder_id, build_type),
                signer,
                Tamper::None,
            ) + "\n",
        )
        .unwrap();
        let mut args = vec![
            "artifact.txt",
            "--bundle",
            &name,
            "--trusted-root",
            "trusted_root.json",
            "--policy",
            "unlogged.toml",
            "--source-uri",
            "github.com/org/app",
        ];
        args.extend(flags.iter().copied());
        let (code, report) = verify(dir.path(), &args);
        let outcome = if *want == 0 { "pass" } else { "fail" };
        assert_eq!(code, *want, "{signer} / {builder_id}: {report:#}");
        assert!(
            has(&report, decides, outcome),
            "{signer} / {builder_id}: {report:#}"
        );
    }
}

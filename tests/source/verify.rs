//! `custody verify --source`: the signed provenance's commit, repository and ref against a real
//! checkout, with the checkout and review checks in the same report. The scenarios written with
//! `per_format!` run against a SHA-1 and a SHA-256 checkout.

use serde_json::{Value, json};

use super::git::{Format, Repo, World, codes, messages, per_format};
use super::vsupport::{Alg, SLSA_V1, TestKey, envelope, sha256, statement};

/// SLSA v1 provenance naming `repo` at `git_ref` and `commit`.
fn provenance(repo: &str, git_ref: &str, commit: &str) -> Value {
    json!({
        "buildDefinition": {
            "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
            "externalParameters": {
                "workflow": {"ref": git_ref, "repository": format!("https://{repo}"), "path": ".github/workflows/release.yml"},
            },
            "resolvedDependencies": [{"uri": format!("git+https://{repo}@{git_ref}"), "digest": {"gitCommit": commit}}],
        },
        "runDetails": {"builder": {"id": "https://example.com/builder@v1"}, "metadata": {}},
    })
}

/// A world with a checkout `r` (remote origin `remote`, tag v1.0.0 at HEAD), an artifact, a key,
/// and a signed provenance naming `repo`, `git_ref` and `commit` (HEAD when `None`).
pub(super) struct Setup {
    pub w: World,
    pub r: Repo,
    key: TestKey,
}

impl Setup {
    fn new(remote: Option<&str>) -> Setup {
        Setup::init(remote, Format::Sha1)
    }

    /// The same world, with a checkout of `format`.
    pub(super) fn init(remote: Option<&str>, format: Format) -> Setup {
        let w = World::new();
        let r = w.repo_in("r", format);
        r.commit(
            &w.person("Alice"),
            "one",
            &[("src/lib.rs", "pub fn f() {}\n")],
        );
        r.git(&["tag", "v1.0.0"]);
        if let Some(url) = remote {
            r.git(&["remote", "add", "origin", url]);
        }
        std::fs::write(w.path("app.tgz"), b"the artifact").unwrap();
        let key = TestKey::new(Alg::P256);
        std::fs::write(w.path("release.pub"), key.pem()).unwrap();
        Setup { w, r, key }
    }

    pub(super) fn attest(&self, repo: &str, git_ref: &str, commit: &str) {
        let s = statement(
            &[("app.tgz", &sha256(b"the artifact"))],
            SLSA_V1,
            provenance(repo, git_ref, commit),
        );
        std::fs::write(
            self.w.path("app.intoto.jsonl"),
            serde_json::to_vec(&envelope(&s, &[&self.key])).unwrap(),
        )
        .unwrap();
    }

    pub(super) fn verify(&self, extra: &[&str]) -> (i32, Value) {
        let mut args = vec![
            "verify",
            "app.tgz",
            "--bundle",
            "app.intoto.jsonl",
            "--key",
            "release.pub",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = self.w.custody(&args);
        let report = crate::support::report(out.as_bytes())
            .unwrap_or_else(|e| panic!("exit {code}, not JSON ({e}):\n{out}\n{err}"));
        (code, report)
    }
}

per_format! {
    fn the_provenance_binds_to_the_checkout(format) {
        let s = Setup::init(Some("git@GitHub.com:org/repo.git"), format);
        let head = s.r.head();
        assert!(format.is_id(&head), "{head}");
        s.attest("github.com/org/repo", "refs/tags/v1.0.0", &head);
        let (code, report) = s.verify(&["--source", "r"]);
        assert_eq!(code, 0, "{report:#}");
        let pass = codes(&report, "pass");
        for want in [
            "checkout-clean",
            "source-commit-matched",
            "source-repo-matched",
            "source-ref-matched",
        ] {
            assert!(pass.contains(&want.to_owned()), "{want}: {pass:?}");
        }
        assert!(messages(&report, "source-repo-matched").contains("remote origin"));
        assert_eq!(report["artifacts"][0]["source"]["commit"], head.as_str());
        assert_eq!(
            report["artifacts"][0]["source"]["object_format"],
            format.name()
        );
        // The same report in SARIF names the source rules.
        let (code, out, _) = s.w.custody(&[
            "verify",
            "app.tgz",
            "--bundle",
            "app.intoto.jsonl",
            "--key",
            "release.pub",
            "--source",
            "r",
            "--format",
            "sarif",
        ]);
        assert_eq!(code, 0);
        assert!(out.contains("\"version\": \"2.1.0\""), "{out}");

        // Another id of the same format, one the checkout does not hold: a mismatch naming both.
        let other = "f".repeat(format.hex_len());
        s.attest("github.com/org/repo", "refs/tags/v1.0.0", &other);
        let (code, report) = s.verify(&["--source", "r"]);
        assert_eq!(code, 1, "{report:#}");
        assert!(codes(&report, "fail").contains(&"source-commit-mismatch".to_owned()));
        let m = messages(&report, "source-commit-mismatch");
        assert!(m.contains(&other) && m.contains(&head), "{m}");
    }
}

#[test]
fn a_moved_tag_fails_the_ref() {
    let s = Setup::new(Some("https://github.com/org/repo"));
    let release = s.r.head();
    s.attest("github.com/org/repo", "refs/tags/v1.0.0", &release);
    s.r.commit(&s.w.person("Mallory"), "two", &[("src/lib.rs", "evil\n")]);
    s.r.git(&["tag", "-f", "v1.0.0"]);
    s.r.git(&["checkout", "-q", &release]);
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report, "fail"), ["source-ref-mismatch"]);
    assert!(messages(&report, "source-ref-mismatch").contains("refs/tags/v1.0.0"));
}

#[test]
fn another_commit_fails_the_binding() {
    let s = Setup::new(Some("https://github.com/org/repo"));
    let release = s.r.head();
    s.attest("github.com/org/repo", "refs/heads/main", &release);
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 0, "{report:#}");
    // The branch moved on: the release commit is still on it, but HEAD is not the release.
    let next = s.r.commit(&s.w.person("Alice"), "two", &[("b", "2")]);
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report, "fail"), ["source-commit-mismatch"]);
    let m = messages(&report, "source-commit-mismatch");
    assert!(m.contains(&release) && m.contains(&next), "{m}");
    // Naming the release revision binds again; the working tree is then not compared.
    let (code, report) = s.verify(&["--source", "r", "--source-rev", &release]);
    assert_eq!(code, 0, "{report:#}");
    assert!(!codes(&report, "pass").contains(&"checkout-clean".to_owned()));
}

#[test]
fn another_repository_fails_the_binding() {
    let s = Setup::new(Some("https://github.com/someone/fork.git"));
    s.attest("github.com/org/repo", "refs/tags/v1.0.0", &s.r.head());
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report, "fail"), ["source-repo-mismatch"]);
    assert!(messages(&report, "source-repo-mismatch").contains("github.com/someone/fork"));
    // The policy's repository is what counts when it names one.
    s.w.write("p.toml", "[source]\nuri = \"github.com/org/repo\"\n");
    let (code, report) = s.verify(&["--source", "r", "--policy", "p.toml"]);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn without_a_remote_or_policy_repository_the_repository_is_not_judged() {
    let s = Setup::new(None);
    s.attest("github.com/org/repo", "refs/tags/v1.0.0", &s.r.head());
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report, "not-performed"), ["source-repo-mismatch"]);
}

#[test]
fn a_dirty_checkout_fails_every_artifact() {
    let s = Setup::new(Some("https://github.com/org/repo"));
    s.attest("github.com/org/repo", "refs/tags/v1.0.0", &s.r.head());
    s.r.write("src/lib.rs", "pub fn f() { backdoor() }\n");
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report, "fail"), ["checkout-dirty"]);
}

#[test]
fn review_rules_without_a_checkout_are_not_performed() {
    let s = Setup::new(Some("https://github.com/org/repo"));
    s.attest("github.com/org/repo", "refs/tags/v1.0.0", &s.r.head());
    s.w.write("p.toml", "[review]\nprotected-branches = [\"main\"]\n");
    let (code, report) = s.verify(&["--policy", "p.toml"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report, "not-performed"), ["review-missing"]);
    let (code, report) = s.verify(&["--policy", "p.toml", "--source", "r"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(codes(&report, "pass").contains(&"on-protected-branch".to_owned()));
}

#[test]
fn provenance_without_a_source_cannot_bind() {
    let s = Setup::new(Some("https://github.com/org/repo"));
    let st = statement(
        &[("app.tgz", &sha256(b"the artifact"))],
        "https://example.com/not-provenance/v1",
        json!({}),
    );
    std::fs::write(
        s.w.path("app.intoto.jsonl"),
        serde_json::to_vec(&envelope(&st, &[&s.key])).unwrap(),
    )
    .unwrap();
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report, "fail"), ["source-commit-mismatch"]);
}

#[test]
fn source_codes_are_explained() {
    let w = World::new();
    for code in [
        "commit-unsigned",
        "signer-not-allowed",
        "signature-invalid",
        "signature-unsupported",
        "not-on-protected-branch",
        "review-missing",
        "source-commit-mismatch",
        "source-repo-mismatch",
        "source-ref-mismatch",
        "checkout-dirty",
        "checkout-submodule",
    ] {
        let (status, out, err) = w.custody(&["explain", code]);
        assert_eq!(status, 0, "{code}: {err}");
        assert!(out.len() > 100, "{code}: {out}");
    }
}

/// Sign provenance about `artifact` (its bytes) naming the HEAD of a checkout of `format`, and
/// write a policy with the `[reproduce]` section `reproduce`.
fn reproduce_setup(artifact: &[u8], reproduce: &str, format: Format) -> Setup {
    let s = Setup::init(Some("https://github.com/org/repo"), format);
    std::fs::write(s.w.path("app.tgz"), artifact).unwrap();
    let st = statement(
        &[("app.tgz", &sha256(artifact))],
        SLSA_V1,
        provenance("github.com/org/repo", "refs/tags/v1.0.0", &s.r.head()),
    );
    std::fs::write(
        s.w.path("app.intoto.jsonl"),
        serde_json::to_vec(&envelope(&st, &[&s.key])).unwrap(),
    )
    .unwrap();
    std::fs::write(
        s.w.path("policy.toml"),
        format!("[reproduce]\n{reproduce}\n"),
    )
    .unwrap();
    s
}

per_format! {
    fn reproduce_contents_compares_the_archive_with_the_reviewed_commit(format) {
        let w = World::new();
        let r = w.repo_in("scratch", format);
        r.commit(
            &w.person("Alice"),
            "one",
            &[("src/lib.rs", "pub fn f() {}\n")],
        );
        let out = w.path("release.tar.gz");
        r.git(&[
            "archive",
            "--format=tar.gz",
            "--prefix=repo-1.0/",
            "-o",
            out.to_str().unwrap(),
            "HEAD",
        ]);
        let archive = std::fs::read(&out).unwrap();
        let s = reproduce_setup(&archive, "mode = \"contents\"", format);
        // Same tree in the checkout `r` (same file, same content) as in the archive.
        let (code, report) = s.verify(&["--source", "r", "--policy", "policy.toml"]);
        assert_eq!(code, 0, "{report:#}");
        assert!(codes(&report, "pass").contains(&"contents-matches-source".to_owned()));
        assert_eq!(report["artifacts"][0]["contents"]["counts"]["identical"], 1);
        // The human report walks the chain, one line per link.
        let (code, out, _) = s.w.custody(&[
            "verify", "app.tgz", "--bundle", "app.intoto.jsonl", "--key", "release.pub",
            "--source", "r", "--policy", "policy.toml",
        ]);
        assert_eq!(code, 0, "{out}");
        for line in [
            "  signature:        pass",
            "  provenance:       pass",
            "  source binding:   pass",
            "  checkout:         pass",
            "  review:           not checked (no [review] rules in the policy)",
            "  contents/rebuild: pass",
        ] {
            assert!(out.contains(line), "{line:?} in\n{out}");
        }

        // Without --source the step cannot run: not performed, which fails.
        let (code, report) = s.verify(&["--policy", "policy.toml"]);
        assert_eq!(code, 1);
        assert!(codes(&report, "not-performed").contains(&"contents-matches-source".to_owned()));
    }

    fn reproduce_contents_fails_on_a_file_the_commit_does_not_hold(format) {
        let w = World::new();
        let r = w.repo_in("scratch", format);
        r.commit(
            &w.person("Alice"),
            "one",
            &[
                ("src/lib.rs", "pub fn f() {}\n"),
                ("m4/build-to-host.m4", "evil\n"),
            ],
        );
        let out = w.path("release.tar.gz");
        r.git(&[
            "archive",
            "--format=tar.gz",
            "--prefix=repo-1.0/",
            "-o",
            out.to_str().unwrap(),
            "HEAD",
        ]);
        let archive = std::fs::read(&out).unwrap();
        let s = reproduce_setup(&archive, "mode = \"contents\"", format);
        let (code, report) = s.verify(&["--source", "r", "--policy", "policy.toml"]);
        assert_eq!(code, 1, "{report:#}");
        assert!(codes(&report, "fail").contains(&"contents-unexplained".to_owned()));
        assert!(messages(&report, "contents-unexplained").contains("m4/build-to-host.m4"));
        let (_, out, _) = s.w.custody(&[
            "verify", "app.tgz", "--bundle", "app.intoto.jsonl", "--key", "release.pub",
            "--source", "r", "--policy", "policy.toml",
        ]);
        assert!(out.contains("  checkout:         pass"), "{out}");
        assert!(out.contains("  contents/rebuild: fail"), "{out}");
    }

    fn reproduce_rebuild_rebuilds_the_reviewed_commit(format) {
        let s = reproduce_setup(
            b"pub fn f() {}\n",
            "mode = \"rebuild\"\ncommand = \"cp src/lib.rs app.tgz\"",
            format,
        );
        let (code, report) = s.verify(&["--source", "r", "--policy", "policy.toml"]);
        assert_eq!(code, 0, "{report:#}");
        assert!(codes(&report, "pass").contains(&"rebuild-reproduced".to_owned()));
        assert_eq!(report["artifacts"][0]["rebuild"]["comparison"], "identical");
        assert_eq!(
            report["artifacts"][0]["rebuild"]["commit"],
            s.r.head().as_str()
        );
    }

    fn reproduce_rebuild_fails_when_the_build_makes_other_bytes(format) {
        let s = reproduce_setup(
            b"pub fn f() {}\n",
            "mode = \"rebuild\"\ncommand = \"printf 'other bytes' > app.tgz\"",
            format,
        );
        let (code, report) = s.verify(&["--source", "r", "--policy", "policy.toml"]);
        assert_eq!(code, 1, "{report:#}");
        assert!(codes(&report, "fail").contains(&"rebuild-reproduced".to_owned()));
        assert_eq!(report["artifacts"][0]["rebuild"]["comparison"], "different");
    }
}

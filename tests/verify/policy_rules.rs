//! Each policy rule, from the policy file and from the equivalent flags, passing and failing,
//! for SLSA provenance v1 and v0.2.

use serde_json::{Value, json};

use super::support::*;

/// A scene with one artifact, one trusted key, and an envelope of `predicate` about it.
struct Fixture {
    s: Scene,
    art: String,
    key: String,
    bundle: String,
}

impl Fixture {
    fn new(predicate_type: &str, predicate: Value) -> Fixture {
        let s = Scene::new();
        let (art, digest) = s.artifact("app.tgz", b"app");
        let k = TestKey::new(Alg::P256);
        let key = s.key("k.pub", &k);
        let st = statement(&[("app.tgz", &digest)], predicate_type, predicate);
        let bundle = s.write_json("app.intoto.jsonl", &envelope(&st, &[&k]));
        Fixture {
            s,
            art,
            key,
            bundle,
        }
    }

    fn v1() -> Fixture {
        Self::new(
            SLSA_V1,
            provenance_v1(
                "github.com/org/app",
                "refs/tags/v1.2.3",
                "2030-01-01T00:00:00Z",
                json!({"release": "true"}),
            ),
        )
    }

    fn v02() -> Fixture {
        Self::new(
            SLSA_V02,
            provenance_v02(
                "github.com/org/app",
                "refs/tags/v1.2.3",
                "2030-01-01T00:00:00Z",
            ),
        )
    }

    /// Verify with extra flags; return the exit code and the failing codes.
    fn flags(&self, extra: &[&str]) -> (i32, Vec<String>) {
        let mut args = vec![
            self.art.as_str(),
            "--bundle",
            &self.bundle,
            "--key",
            &self.key,
        ];
        args.extend_from_slice(extra);
        let (code, report) = self.s.verify_json(&args);
        (code, problems(&report))
    }

    /// Verify with a policy file of `text`.
    fn policy(&self, text: &str) -> (i32, Vec<String>) {
        let p = self.s.write("policy.toml", text);
        self.flags(&["--policy", &p])
    }
}

fn pass() -> (i32, Vec<String>) {
    (0, vec![])
}

fn fail(code: &str) -> (i32, Vec<String>) {
    (1, vec![code.to_owned()])
}

#[test]
fn predicate_types() {
    let f = Fixture::v1();
    assert_eq!(
        f.policy(r#"predicate-types = ["https://slsa.dev/provenance/v1"]"#),
        pass()
    );
    assert_eq!(
        f.policy(r#"predicate-types = ["https://slsa.dev/provenance/v0.2"]"#),
        fail("predicate-type-not-accepted")
    );
}

#[test]
fn builder_ids_with_and_without_ref() {
    for f in [Fixture::v1(), Fixture::v02()] {
        assert_eq!(f.flags(&["--builder-id", GENERATOR]), pass());
        assert_eq!(
            f.flags(&["--builder-id", "https://example.com/other-builder"]),
            fail("builder-id-not-accepted")
        );
        assert_eq!(
            f.policy(&format!("builder-ids = [\"{GENERATOR}@refs/tags/v0.0.1\"]")),
            fail("builder-id-not-accepted")
        );
    }
    let f = Fixture::v1();
    assert_eq!(
        f.policy(&format!("builder-ids = [\"{GENERATOR}@refs/tags/v2.0.0\"]")),
        pass()
    );
}

#[test]
fn build_types() {
    let f = Fixture::v1();
    assert_eq!(
        f.policy(&format!("build-types = [\"{GH_BUILD_TYPE}\"]")),
        pass()
    );
    assert_eq!(
        f.policy("build-types = [\"https://example.com/other\"]"),
        fail("build-type-not-accepted")
    );
}

#[test]
fn source_repository() {
    for f in [Fixture::v1(), Fixture::v02()] {
        assert_eq!(f.flags(&["--source-uri", "github.com/org/app"]), pass());
        assert_eq!(
            f.flags(&["--source-uri", "https://github.com/org/app.git"]),
            pass()
        );
        assert_eq!(
            f.flags(&["--source-uri", "github.com/evil/app"]),
            fail("source-uri-mismatch")
        );
        assert_eq!(
            f.policy("[source]\nuri = \"github.com/org/other\"\n"),
            fail("source-uri-mismatch")
        );
    }
}

#[test]
fn source_refs() {
    for f in [Fixture::v1(), Fixture::v02()] {
        assert_eq!(f.flags(&["--source-tag", "v1.2.3"]), pass());
        assert_eq!(
            f.flags(&["--source-tag", "v1.2.4"]),
            fail("source-ref-mismatch")
        );
        assert_eq!(f.flags(&["--source-versioned-tag", "v1"]), pass());
        assert_eq!(f.flags(&["--source-versioned-tag", "v1.2"]), pass());
        assert_eq!(
            f.flags(&["--source-versioned-tag", "v1.3"]),
            fail("source-ref-mismatch")
        );
        assert_eq!(
            f.flags(&["--source-branch", "main"]),
            fail("source-ref-mismatch")
        );
        assert_eq!(f.policy("[source]\nref = \"refs/tags/v1.*\"\n"), pass());
        assert_eq!(
            f.policy("[source]\nref = \"refs/heads/*\"\n"),
            fail("source-ref-mismatch")
        );
    }
}

#[test]
fn source_commit() {
    for f in [Fixture::v1(), Fixture::v02()] {
        assert_eq!(
            f.policy(&format!(
                "[source]\ncommit = \"{}\"\n",
                COMMIT.to_uppercase()
            )),
            pass()
        );
        assert_eq!(
            f.policy(&format!("[source]\ncommit = \"{}\"\n", "f".repeat(40))),
            fail("source-commit-mismatch")
        );
    }
}

#[test]
fn workflow_inputs() {
    for f in [Fixture::v1(), Fixture::v02()] {
        assert_eq!(f.flags(&["--build-workflow-input", "release=true"]), pass());
        assert_eq!(
            f.flags(&["--build-workflow-input", "release=false"]),
            fail("workflow-input-mismatch")
        );
        assert_eq!(
            f.flags(&["--build-workflow-input", "missing=1"]),
            fail("workflow-input-mismatch")
        );
    }
}

#[test]
fn unknown_external_parameters_fail_unless_allowed_or_expected() {
    let strict = "[slsa]\nreject-unknown-external-parameters = true\n";
    for f in [Fixture::v1(), Fixture::v02()] {
        assert_eq!(f.policy(strict), fail("unknown-external-parameter"));
        assert_eq!(
            f.policy(&format!(
                "{strict}allowed-external-parameters = [\"inputs.release\"]\n"
            )),
            pass()
        );
        assert_eq!(
            f.policy(&format!(
                "{strict}workflow-inputs = {{ release = \"true\" }}\n"
            )),
            pass()
        );
        // Off by default: reported, not judged.
        assert_eq!(f.policy("[slsa]\n"), pass());
    }
    let f = Fixture::new(
        SLSA_V1,
        json!({
            "buildDefinition": {"buildType": "https://example.com/custom", "externalParameters": {"script": "curl | sh"}},
            "runDetails": {"builder": {"id": "https://example.com/b"}, "metadata": {"finishedOn": "2030-01-01T00:00:00Z"}}
        }),
    );
    assert_eq!(f.policy(strict), fail("unknown-external-parameter"));
    assert_eq!(
        f.policy(&format!(
            "{strict}allowed-external-parameters = [\"script\"]\n"
        )),
        pass()
    );
}

#[test]
fn max_age() {
    // Built "in 2030": always recent. Built in 2001: always too old. No time: unknown.
    let f = Fixture::v1();
    assert_eq!(f.policy("max-age = \"1d\""), pass());
    let old = Fixture::new(
        SLSA_V1,
        provenance_v1(
            "github.com/org/app",
            "refs/tags/v1",
            "2001-01-01T00:00:00Z",
            json!({}),
        ),
    );
    assert_eq!(old.policy("max-age = \"30d\""), fail("attestation-too-old"));
    let mut p = provenance_v02("github.com/org/app", "refs/tags/v1", "x");
    p["metadata"] = json!({});
    let none = Fixture::new(SLSA_V02, p);
    assert_eq!(
        none.policy("max-age = \"30d\""),
        fail("attestation-age-unknown")
    );
    let bad = Fixture::new(
        SLSA_V02,
        provenance_v02("github.com/org/app", "refs/tags/v1", "last tuesday"),
    );
    assert_eq!(
        bad.policy("max-age = \"30d\""),
        fail("attestation-age-unknown")
    );
}

#[test]
fn provenance_rules_need_provenance() {
    let f = Fixture::new(
        "https://spdx.dev/Document",
        json!({"spdxVersion": "SPDX-2.3"}),
    );
    assert_eq!(
        f.flags(&["--source-uri", "github.com/org/app"]),
        fail("provenance-missing")
    );
    // Facts nobody asked about are not judged.
    assert_eq!(f.flags(&[]), pass());
    let broken = Fixture::new(SLSA_V1, json!({"buildDefinition": {"buildType": "x"}}));
    let (code, p) = broken.flags(&["--builder-id", GENERATOR]);
    assert_eq!(code, 1);
    assert_eq!(p, ["malformed-provenance", "provenance-missing"]);
}

#[test]
fn verified_facts_are_reported_without_a_policy() {
    let f = Fixture::v02();
    let (code, report) =
        f.s.verify_json(&[&f.art, "--bundle", &f.bundle, "--key", &f.key]);
    assert_eq!(code, 0);
    let v = &report["artifacts"][0]["verified"][0];
    assert_eq!(v["predicate_type"], SLSA_V02);
    assert_eq!(v["builder_id"], format!("{GENERATOR}@refs/tags/v1.9.0"));
    assert_eq!(
        v["source"],
        json!({"repository": "github.com/org/app", "ref": "refs/tags/v1.2.3", "commit": COMMIT})
    );
    assert_eq!(v["signers"][0]["key"], "k.pub");
    assert!(v["signers"][0].get("identity").is_none(), "{v:#}");
}

#[test]
fn a_reproduce_section_is_not_performed_by_verify() {
    let f = Fixture::v1();
    assert_eq!(
        f.policy("[reproduce]\nmode = \"rebuild\"\ncommand = \"make dist\"\n"),
        (1, vec!["rebuild-reproduced".to_owned()])
    );
    assert_eq!(
        f.policy("[reproduce]\nmode = \"contents\"\n"),
        (1, vec!["contents-matches-source".to_owned()])
    );
}

//! Snapshots of the reports and of policy diagnostics: the exact text users and CI see.
//! Key ids are random per run and replaced by `[keyid]`; everything else is deterministic.

use serde_json::{Value, json};

use super::support::*;

/// A run with one passing artifact, one without a verified subject, and one tampered
/// attestation about the second.
fn mixed_run(s: &Scene, format: &str) -> (i32, String) {
    let (good, dg) = s.artifact("dist/app.tgz", b"app");
    let (bad, db) = s.artifact("dist/lib.tgz", b"lib");
    let key = TestKey::new(Alg::P256);
    let k = s.key("release.pub", &key);
    let prov = provenance_v1(
        "github.com/org/app",
        "refs/tags/v1.2.3",
        "2030-01-01T00:00:00Z",
        json!({}),
    );
    let ok = s.write_json(
        "app.intoto.json",
        &envelope(
            &statement(&[("app.tgz", &dg)], SLSA_V1, prov.clone()),
            &[&key],
        ),
    );
    let mut tampered = envelope(&statement(&[("lib.tgz", &db)], SLSA_V1, prov), &[&key]);
    tampered["payloadType"] = json!("application/vnd.in-toto+json;evil");
    let t = s.write_json("lib.intoto.json", &tampered);
    let out = s
        .custody()
        .args(["verify", &good, &bad, "--bundle", &ok, &t, "--key", &k])
        .args([
            "--source-uri",
            "github.com/org/app",
            "--source-versioned-tag",
            "v1",
            "--format",
            format,
        ])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn redact_keyids(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "keyid" {
                    *x = json!("[keyid]");
                } else {
                    redact_keyids(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_keyids),
        _ => {}
    }
}

#[test]
fn json_report() {
    let s = Scene::new();
    let (code, out) = mixed_run(&s, "json");
    assert_eq!(code, 1);
    let mut v: Value = crate::support::report(out.as_bytes()).unwrap();
    redact_keyids(&mut v);
    // The run's time and custody's version are facts of the run, checked here, not snapshotted.
    assert_eq!(v["custody_version"], env!("CARGO_PKG_VERSION"));
    assert!(v["time"].as_str().unwrap().ends_with('Z'), "{v:#}");
    v["time"] = Value::from("[time]");
    v["custody_version"] = Value::from("[version]");
    // Each input's digest is that of the file given (the bundles are signed afresh each run).
    for input in v["inputs"].as_array_mut().unwrap() {
        let bytes = std::fs::read(s.path(input["path"].as_str().unwrap())).unwrap();
        let want = crate::support::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        assert_eq!(input["sha256"], want.as_str());
        input["sha256"] = Value::from("[sha256]");
    }
    insta::assert_snapshot!("json_report", serde_json::to_string_pretty(&v).unwrap());

    // The schema is not a formality: a verdict without checks, an unknown field, or a check
    // code that is not kebab-case does not validate.
    let mut empty = v.clone();
    empty["artifacts"][0]["checks"] = serde_json::json!([]);
    assert!(crate::support::validate(&empty).is_err());
    let mut unknown = v.clone();
    unknown["artifacts"][0]["extra"] = serde_json::json!(1);
    assert!(crate::support::validate(&unknown).is_err());
    let mut code = v.clone();
    code["artifacts"][0]["checks"][0]["code"] = serde_json::json!("Not Kebab");
    assert!(crate::support::validate(&code).is_err());
}

#[test]
fn sarif_report() {
    let s = Scene::new();
    let (code, out) = mixed_run(&s, "sarif");
    assert_eq!(code, 1);
    insta::assert_snapshot!("sarif_report", out);
}

#[test]
fn human_report() {
    let s = Scene::new();
    let (code, out) = mixed_run(&s, "human");
    assert_eq!(code, 1);
    insta::assert_snapshot!("human_report", out);
}

#[test]
fn policy_diagnostics() {
    let s = Scene::new();
    s.write(
        "policy.toml",
        r#"# a policy with mistakes
predicate-types = ["https://slsa.dev/provenance/v1", ""]
builder-ids = ["https://example.com/builder with spaces"]
max-age = "90 days"

[signatures]
threshold = 0
keys = [{ path = "nowhere.pub" }]

[[signatures.identities]]
certificate-identity = "https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main"

[source]
uri = "github.com/org/repo"
tag = "v1.2.3"
branch = "main"
commit = "abc"
"#,
    );
    let (code, _, err) = s.run(&["policy", "check", "policy.toml"]);
    assert_eq!(code, 2, "an invalid policy is exit 2");
    insta::assert_snapshot!("policy_diagnostics", err);

    s.write("unknown.toml", "[source]\nurl = \"github.com/org/repo\"\n");
    let (code, _, err) = s.run(&["policy", "check", "unknown.toml"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("policy_unknown_key", err);
}

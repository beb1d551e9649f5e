//! Google Cloud Build provenance for a container image, judged as slsa-verifier's GCB verifier
//! judges it (verifiers/internal/gcb). The input is what `gcloud artifacts docker images describe
//! IMAGE --show-provenance --format json` prints: signed DSSE envelopes, each beside an unsigned
//! copy of its statement and unsigned metadata, all of which must agree with what was signed.
//!
//! Signatures: the key is chosen by the signature's keyid. Cloud Build's regional
//! `builtByGCB` keys sign the payload itself (ECDSA P-256 over its SHA-256), not DSSE's PAE; the
//! global `provenanceSigner` and `google-hosted-worker` keys sign the PAE. One verifying
//! signature in one envelope suffices; that envelope is the one judged. Keys come in as files
//! named as slsa-verifier names them (`us-west2.key`, `global-pae-provenanceSigner_1.key`).

use std::path::Path;

use serde_json::Value;

use crate::check::Check;
use crate::key::PublicKey;
use crate::policy::RefRule;
use crate::policy::rules::BuilderId;

/// The builder every Cloud Build provenance names (with `@v0.2` or `@v0.3` for SLSA v0.1).
pub const BUILDER: &str = "https://cloudbuild.googleapis.com/GoogleHostedWorker";
const V01_PREDICATE: &str = "https://slsa.dev/provenance/v0.1";
const BUILD_TYPE_ARGUMENTS: &str = "type.googleapis.com/google.devtools.cloudbuild.v1.Build";
const PAE_KEYS: [(&str, &str); 2] = [
    (
        "projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/provenanceSigner/cryptoKeyVersions/1",
        "global-pae-provenanceSigner_1",
    ),
    (
        "projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/google-hosted-worker/cryptoKeyVersions/1",
        "global-pae-google-hosted-worker_1",
    ),
];

crate::codes! {
    /// What the Cloud Build rules report.
    pub enum Code {
        MutableImage = "mutable-image" {
            summary: "the image is named by a tag, not a digest",
            description: "A tag can be moved to another image at any time; name the image IMAGE@sha256:DIGEST.",
        },
        GcbSignatureVerified = "gcb-signature-verified" {
            summary: "a Cloud Build signing key signed the provenance",
            description: "One signature of one provenance envelope verifies with the key its keyid names (a regional \
            builtByGCB key over the payload, or a global key over the DSSE PAE).",
        },
        GcbNoValidSignature = "gcb-no-valid-signature" {
            summary: "no provenance envelope has a signature that verifies with a given Cloud Build key",
            description: "Each signature's keyid names its key: projects/verified-builder/locations/REGION/keyRings/\
            attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1 needs REGION.key, the global provenanceSigner and \
            google-hosted-worker keys global-pae-provenanceSigner_1.key and global-pae-google-hosted-worker_1.key, \
            passed with --key. Signatures with other keyids are not tried.",
        },
        GcbBuilderAccepted = "gcb-builder-accepted" {
            summary: "the provenance names Cloud Build's builder, as --builder-id asks",
            description: "builder.id is GoogleHostedWorker@v0.2 or @v0.3 (SLSA v0.1 provenance), matches --builder-id \
            (without @, any version), and the recipe is Cloud Build's.",
        },
        GcbBuilderMismatch = "gcb-builder-mismatch" {
            summary: "the provenance names another builder or recipe",
            description: "builder.id must be https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.2 or @v0.3 and \
            match --builder-id; with @v0.2 the recipe type equals the builder id, with @v0.3 it is CloudBuildYaml@ or \
            CloudBuildSteps@, and the recipe arguments are a Cloud Build Build.",
        },
        GcbSubjectMatched = "gcb-subject-matched" {
            summary: "the provenance and its metadata name the image's digest",
            description: "A subject's sha256, the occurrence's resourceUri (…@sha256:DIGEST) and the image summary's \
            digest and fully qualified digest are all the image's.",
        },
        GcbSubjectMismatch = "gcb-subject-mismatch" {
            summary: "the provenance or its metadata is about another image",
            description: "The image digest must be a subject of the signed provenance, end the occurrence's resourceUri, \
            and be the image summary's digest; the occurrence's kind must be BUILD.",
        },
        GcbTextMatched = "gcb-text-matched" {
            summary: "the readable copy of the provenance is what was signed",
            description: "gcloud prints an unsigned copy of the statement (build.intotoStatement) beside the signed \
            one; it must be the same statement, so that what a reader sees is what was verified.",
        },
        GcbTextMismatch = "gcb-text-mismatch" {
            summary: "the readable copy of the provenance differs from what was signed",
            description: "build.intotoStatement (the unsigned copy) is not the signed statement: someone edited what \
            readers see.",
        },
        GcbSourceMatched = "gcb-source-matched" {
            summary: "the image was built from the expected source",
            description: "The provenance's first material is --source-uri: for @v0.2 SOURCE/commit/SHA or SOURCE#…, for \
            @v0.3 SOURCE itself or SOURCE#… (a Cloud Storage source's generation); the tag, when asked for, is the \
            build's TAG_NAME substitution.",
        },
        GcbSourceMismatch = "gcb-source-mismatch" {
            summary: "the image was built from another source, tag or branch",
            description: "The provenance's source is not --source-uri, its TAG_NAME is not --source-tag or semver-compatible \
            with --source-versioned-tag, or --source-branch was asked for, which Cloud Build provenance does not record.",
        },
    }
}

/// What the image must be (slsa-verifier's `verify-image` flags for Cloud Build).
pub struct Expect<'a> {
    /// Lowercase hex.
    pub digest: &'a str,
    pub builder_id: Option<&'a BuilderId>,
    pub source_uri: Option<&'a str>,
    pub tag: Option<&'a RefRule>,
    pub branch: Option<&'a str>,
}

/// A Cloud Build key, named by its file's stem (`us-west2`, `global-pae-provenanceSigner_1`).
pub struct NamedKey {
    pub name: String,
    pub key: PublicKey,
}

impl NamedKey {
    pub fn from_file(path: &Path) -> Result<NamedKey, String> {
        let key = PublicKey::from_file(path).map_err(|e| e.to_string())?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(NamedKey { name, key })
    }
}

/// Judge one `gcloud ... --show-provenance --format json` document `doc` (from `origin`).
pub fn evaluate(origin: &str, doc: &Value, keys: &[NamedKey], want: &Expect<'_>) -> Vec<Check> {
    let entries = doc
        .pointer("/provenance_summary/provenance")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let Some((entry, statement, key)) = entries
        .iter()
        .find_map(|e| verified(e, keys).map(|(s, k)| (e, s, k)))
    else {
        return vec![Check::fail(
            Code::GcbNoValidSignature,
            format!(
                "{origin}: none of its {} provenance envelope(s) has a signature that verifies with the {} Cloud \
                 Build key(s) given",
                entries.len(),
                keys.len()
            ),
        )];
    };
    let mut checks = vec![Check::pass(
        Code::GcbSignatureVerified,
        format!("{origin}: signed by Cloud Build key {key}"),
    )];
    let predicate = statement
        .get("slsaProvenance")
        .or_else(|| statement.get("predicate"))
        .unwrap_or(&Value::Null);
    if statement["predicateType"] != V01_PREDICATE {
        checks.push(Check::fail(
            Code::GcbBuilderMismatch,
            format!(
                "{origin}: predicate type {} is not SLSA v0.1, the one Cloud Build provenance custody reads",
                statement["predicateType"]
            ),
        ));
        return checks;
    }
    checks.push(builder(origin, predicate, want.builder_id));
    checks.push(subject(origin, doc, entry, &statement, want.digest));
    checks.push(source(origin, predicate, want));
    checks.push(text(origin, entry, &statement, predicate));
    checks
}

/// The statement of `entry`'s envelope and the key that verified it, if one does.
fn verified(entry: &Value, keys: &[NamedKey]) -> Option<(Value, String)> {
    use base64::Engine;
    let env = &entry["envelope"];
    let payload_type = env["payloadType"].as_str()?;
    let payload = decode(env["payload"].as_str()?)?;
    let pae = crate::attest::dsse::pae(payload_type, &payload);
    for sig in env["signatures"].as_array()? {
        let keyid = sig["keyid"].as_str().unwrap_or_default();
        let (name, message) = if let Some((_, name)) = PAE_KEYS.iter().find(|(id, _)| *id == keyid)
        {
            ((*name).to_owned(), pae.as_slice())
        } else if let Some(region) = keyid
            .strip_prefix("projects/verified-builder/locations/")
            .and_then(|r| {
                r.strip_suffix("/keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1")
            })
        {
            (region.to_owned(), payload.as_slice())
        } else {
            continue;
        };
        let Some(key) = keys.iter().find(|k| k.name == name) else {
            continue;
        };
        let Some(sig) = sig["sig"].as_str().and_then(decode) else {
            continue;
        };
        if key.key.verify(message, &sig).is_some() {
            let statement: Value = serde_json::from_slice(&payload).ok()?;
            return Some((statement, name));
        }
    }
    // Standard base64 first, then URL-safe, as slsa-verifier decodes signatures.
    fn decode(s: &str) -> Option<Vec<u8>> {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(s))
            .ok()
    }
    None
}

fn builder(origin: &str, predicate: &Value, want: Option<&BuilderId>) -> Check {
    let id = predicate
        .pointer("/builder/id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let recipe = predicate["recipe"]["type"].as_str().unwrap_or_default();
    let arguments = predicate
        .pointer("/recipe/arguments/@type")
        .and_then(Value::as_str);
    let version = id.strip_prefix(BUILDER).and_then(|v| v.strip_prefix('@'));
    let problem = match version {
        None | Some("v0.1" | "v0.4") => {
            Some(format!("builder {id:?} is not Cloud Build's v0.2 or v0.3"))
        }
        Some("v0.2") if recipe != id => {
            Some(format!("recipe type {recipe:?} is not the builder {id}"))
        }
        Some("v0.3")
            if !recipe.starts_with("https://cloudbuild.googleapis.com/CloudBuildYaml@")
                && !recipe.starts_with("https://cloudbuild.googleapis.com/CloudBuildSteps@") =>
        {
            Some(format!(
                "recipe type {recipe:?} is not CloudBuildYaml@ or CloudBuildSteps@"
            ))
        }
        Some("v0.2" | "v0.3") if arguments != Some(BUILD_TYPE_ARGUMENTS) => Some(format!(
            "recipe arguments are {arguments:?}, not a Cloud Build Build"
        )),
        Some("v0.2" | "v0.3") => None,
        Some(_) => Some(format!("builder {id:?} is not Cloud Build's v0.2 or v0.3")),
    };
    let problem = problem.or_else(|| match want {
        Some(b) if !b.matches(id) => Some(format!("builder {id} does not match --builder-id {}", b.as_str())),
        None => Some("no --builder-id: name the builder, e.g. https://cloudbuild.googleapis.com/GoogleHostedWorker".into()),
        _ => None,
    });
    match problem {
        None => Check::pass(Code::GcbBuilderAccepted, format!("{origin}: builder {id}")),
        Some(p) => Check::fail(Code::GcbBuilderMismatch, format!("{origin}: {p}")),
    }
}

fn subject(origin: &str, doc: &Value, entry: &Value, statement: &Value, digest: &str) -> Check {
    let mut problems = Vec::new();
    let named = statement["subject"].as_array().is_some_and(|s| {
        s.iter()
            .any(|s| s.pointer("/digest/sha256").and_then(Value::as_str) == Some(digest))
    });
    if !named {
        problems.push("no subject of the signed provenance has the image's sha256".to_owned());
    }
    if entry["kind"] != "BUILD" {
        problems.push(format!(
            "the occurrence's kind is {}, not BUILD",
            entry["kind"]
        ));
    }
    let with_digest = format!("sha256:{digest}");
    if !entry["resourceUri"]
        .as_str()
        .is_some_and(|u| u.ends_with(&format!("@{with_digest}")))
    {
        problems.push(format!(
            "the occurrence's resourceUri {} is not @{with_digest}",
            entry["resourceUri"]
        ));
    }
    let summary = &doc["image_summary"];
    if summary["digest"].as_str() != Some(with_digest.as_str())
        || !summary["fully_qualified_digest"]
            .as_str()
            .is_some_and(|d| d.ends_with(&with_digest))
    {
        problems.push(format!(
            "the image summary names {} / {}",
            summary["digest"], summary["fully_qualified_digest"]
        ));
    }
    if problems.is_empty() {
        Check::pass(
            Code::GcbSubjectMatched,
            format!("{origin}: image sha256:{digest}"),
        )
    } else {
        Check::fail(
            Code::GcbSubjectMismatch,
            format!("{origin}: {}", problems.join("; ")),
        )
    }
}

fn source(origin: &str, predicate: &Value, want: &Expect<'_>) -> Check {
    let version = predicate
        .pointer("/builder/id")
        .and_then(Value::as_str)
        .and_then(|id| id.rsplit_once('@'))
        .map(|(_, v)| v)
        .unwrap_or_default();
    let mut problems = Vec::new();
    let uri = predicate
        .pointer("/materials/0/uri")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let uri = uri.strip_prefix("git+").unwrap_or(uri);
    match want.source_uri {
        None => problems
            .push("no --source-uri: name the repository the image must come from".to_owned()),
        Some(expected) => {
            let expected = if uri.starts_with("https://") && !expected.starts_with("https://") {
                format!("https://{expected}")
            } else {
                expected.to_owned()
            };
            let ok = match version {
                "v0.2" => {
                    uri.starts_with(&format!("{expected}/commit/"))
                        || uri.starts_with(&format!("{expected}#"))
                }
                _ => uri == expected || uri.starts_with(&format!("{expected}#")),
            };
            if !ok {
                problems.push(format!("built from {uri}, expected {expected}"));
            }
        }
    }
    if let Some(branch) = want.branch {
        problems.push(format!(
            "--source-branch {branch}: Cloud Build provenance does not record the branch"
        ));
    }
    if let Some(rule) = want.tag {
        let tag = predicate
            .pointer("/recipe/arguments/substitutions/TAG_NAME")
            .and_then(Value::as_str);
        match tag {
            Some(t) if rule.matches(&format!("refs/tags/{t}")) => {}
            Some(t) => problems.push(format!("built from tag {t}, expected {}", rule.describe())),
            None => problems.push(format!(
                "the build has no TAG_NAME substitution; expected {}",
                rule.describe()
            )),
        }
    }
    if problems.is_empty() {
        Check::pass(Code::GcbSourceMatched, format!("{origin}: source {uri}"))
    } else {
        Check::fail(
            Code::GcbSourceMismatch,
            format!("{origin}: {}", problems.join("; ")),
        )
    }
}

fn text(origin: &str, entry: &Value, statement: &Value, predicate: &Value) -> Check {
    let copy = &entry["build"]["intotoStatement"];
    let copy_predicate = copy.get("slsaProvenance").or_else(|| copy.get("predicate"));
    let same = ["_type", "predicateType", "subject"]
        .iter()
        .all(|k| copy.get(*k) == statement.get(*k))
        && copy_predicate == Some(predicate);
    if same {
        Check::pass(
            Code::GcbTextMatched,
            format!("{origin}: build.intotoStatement is the signed statement"),
        )
    } else {
        Check::fail(
            Code::GcbTextMismatch,
            format!("{origin}: build.intotoStatement (unsigned) differs from the signed statement"),
        )
    }
}

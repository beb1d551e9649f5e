//! SLSA provenance predicates, v0.2 and v1, as typed data, and the facts custody reads from
//! them: builder id, build type, source repository / ref / commit, build time, external
//! parameters.
//!
//! Where the source lives follows slsa.dev "Verifying artifacts": v0.2 names it in
//! `invocation.configSource` (falling back to the first material); v1 in `externalParameters`
//! (the GitHub build types' `workflow`, or a generic `source`), with the commit taken from the
//! matching `resolvedDependencies` entry.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::statement::DigestSet;
use super::{Malformed, codes};

/// Predicate type of SLSA provenance v0.2.
pub const PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
/// Predicate type of SLSA provenance v1.
pub const PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

/// A SLSA provenance predicate.
#[derive(Clone, Debug, PartialEq)]
pub enum Provenance {
    V02(ProvenanceV02),
    V1(ProvenanceV1),
}

/// SLSA provenance v0.2.
#[derive(Clone, Debug, PartialEq)]
pub struct ProvenanceV02 {
    pub builder_id: String,
    pub build_type: String,
    pub config_source: Option<ResourceRef>,
    /// `invocation.parameters`.
    pub parameters: serde_json::Value,
    /// `invocation.environment`.
    pub environment: serde_json::Value,
    pub materials: Vec<ResourceRef>,
    pub build_started_on: Option<String>,
    pub build_finished_on: Option<String>,
}

/// SLSA provenance v1.
#[derive(Clone, Debug, PartialEq)]
pub struct ProvenanceV1 {
    pub builder_id: String,
    pub build_type: String,
    pub external_parameters: serde_json::Map<String, serde_json::Value>,
    /// `buildDefinition.internalParameters`.
    pub internal_parameters: serde_json::Value,
    pub resolved_dependencies: Vec<ResourceRef>,
    pub started_on: Option<String>,
    pub finished_on: Option<String>,
}

/// A material, config source or resolved dependency: a URI and its digests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceRef {
    pub uri: String,
    pub digest: DigestSet,
}

/// Where the provenance says the build's source came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Source {
    /// Repository, normalised (no `git+`, no scheme, no `.git`): `github.com/org/repo`.
    pub repository: Option<String>,
    /// Full git ref, e.g. `refs/tags/v1.2.3`.
    pub git_ref: Option<String>,
    /// Commit id (hex), from a `gitCommit` or `sha1` digest.
    pub commit: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawV02 {
    builder: RawBuilder,
    build_type: String,
    invocation: RawInvocation,
    materials: Vec<RawResource>,
    metadata: RawMetadataV02,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawBuilder {
    id: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawInvocation {
    config_source: Option<RawResource>,
    parameters: serde_json::Value,
    environment: serde_json::Value,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawMetadataV02 {
    build_started_on: Option<String>,
    build_finished_on: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawResource {
    uri: String,
    digest: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawV1 {
    build_definition: RawBuildDefinition,
    run_details: RawRunDetails,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBuildDefinition {
    build_type: String,
    #[serde(default)]
    external_parameters: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    internal_parameters: serde_json::Value,
    #[serde(default)]
    resolved_dependencies: Vec<RawResource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRunDetails {
    builder: RawBuilder,
    #[serde(default)]
    metadata: RawMetadataV1,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawMetadataV1 {
    started_on: Option<String>,
    finished_on: Option<String>,
}

fn resource(raw: RawResource) -> ResourceRef {
    ResourceRef {
        uri: raw.uri,
        digest: DigestSet(
            raw.digest
                .into_iter()
                .map(|(k, v)| (k, v.to_ascii_lowercase()))
                .collect(),
        ),
    }
}

fn malformed(e: serde_json::Error, version: &str) -> Malformed {
    Malformed::new(
        codes::Code::MalformedProvenance,
        format!("SLSA provenance {version}: {e}"),
    )
}

impl Provenance {
    /// Read the predicate of a statement whose predicate type is SLSA provenance; `None` for
    /// any other predicate type.
    pub fn from_predicate(
        predicate_type: &str,
        predicate: &serde_json::Value,
    ) -> Option<Result<Provenance, Malformed>> {
        match predicate_type {
            PROVENANCE_V02 => Some(Self::v02(predicate)),
            PROVENANCE_V1 => Some(Self::v1(predicate)),
            _ => None,
        }
    }

    fn v02(predicate: &serde_json::Value) -> Result<Provenance, Malformed> {
        let raw: RawV02 =
            serde_json::from_value(predicate.clone()).map_err(|e| malformed(e, "v0.2"))?;
        if raw.builder.id.is_empty() {
            return Err(Malformed::new(
                codes::Code::MalformedProvenance,
                "SLSA provenance v0.2 has no builder.id",
            ));
        }
        Ok(Provenance::V02(ProvenanceV02 {
            builder_id: raw.builder.id,
            build_type: raw.build_type,
            config_source: raw.invocation.config_source.map(resource),
            parameters: raw.invocation.parameters,
            environment: raw.invocation.environment,
            materials: raw.materials.into_iter().map(resource).collect(),
            build_started_on: raw.metadata.build_started_on,
            build_finished_on: raw.metadata.build_finished_on,
        }))
    }

    fn v1(predicate: &serde_json::Value) -> Result<Provenance, Malformed> {
        let raw: RawV1 =
            serde_json::from_value(predicate.clone()).map_err(|e| malformed(e, "v1"))?;
        if raw.run_details.builder.id.is_empty() {
            return Err(Malformed::new(
                codes::Code::MalformedProvenance,
                "SLSA provenance v1 has no runDetails.builder.id",
            ));
        }
        Ok(Provenance::V1(ProvenanceV1 {
            builder_id: raw.run_details.builder.id,
            build_type: raw.build_definition.build_type,
            external_parameters: raw.build_definition.external_parameters,
            internal_parameters: raw.build_definition.internal_parameters,
            resolved_dependencies: raw
                .build_definition
                .resolved_dependencies
                .into_iter()
                .map(resource)
                .collect(),
            started_on: raw.run_details.metadata.started_on,
            finished_on: raw.run_details.metadata.finished_on,
        }))
    }

    pub fn builder_id(&self) -> &str {
        match self {
            Provenance::V02(p) => &p.builder_id,
            Provenance::V1(p) => &p.builder_id,
        }
    }

    pub fn build_type(&self) -> &str {
        match self {
            Provenance::V02(p) => &p.build_type,
            Provenance::V1(p) => &p.build_type,
        }
    }

    /// When the build finished, else when it started (RFC 3339 text as written).
    pub fn build_time(&self) -> Option<&str> {
        match self {
            Provenance::V02(p) => p
                .build_finished_on
                .as_deref()
                .or(p.build_started_on.as_deref()),
            Provenance::V1(p) => p.finished_on.as_deref().or(p.started_on.as_deref()),
        }
    }

    /// The source repository, ref and commit, as far as the provenance says.
    pub fn source(&self) -> Source {
        match self {
            Provenance::V02(p) => {
                let from = p.config_source.as_ref().or(p.materials.first());
                from.map(source_of_resource).unwrap_or_default()
            }
            Provenance::V1(p) => source_v1(p),
        }
    }

    /// The branch the build ran for, as slsa-verifier reads it from slsa-github-generator's
    /// GitHub environment (v0.2 `invocation.environment`, v1 `internalParameters`): the ref
    /// itself for a branch build; for a tag, the branch it was pushed to (the push event's
    /// `base_ref`) or a release's target branch, else none (`Some("")`). `None` when the
    /// provenance records no GitHub ref type, and the source ref is all there is.
    pub fn github_branch(&self) -> Option<String> {
        let (env, key): (&serde_json::Value, fn(&str) -> String) = match self {
            Provenance::V02(p) => (&p.environment, |k| k.to_owned()),
            Provenance::V1(p) => (&p.internal_parameters, |k| k.to_ascii_uppercase()),
        };
        let text = |k: &str| env.get(key(k)).and_then(|v| v.as_str());
        match text("github_ref_type")? {
            "branch" => Some(text("github_ref").unwrap_or_default().to_owned()),
            "tag" => {
                if let Some(base) = text("github_base_ref").filter(|b| !b.is_empty()) {
                    return Some(base.to_owned());
                }
                let payload = env.get(key("github_event_payload"));
                Some(match text("github_event_name") {
                    Some("push") => payload
                        .and_then(|p| p.get("base_ref"))
                        .and_then(|b| b.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    Some("release") => payload
                        .and_then(|p| p.pointer("/release/target_commitish"))
                        .and_then(|b| b.as_str())
                        .map(|b| format!("refs/heads/{b}"))
                        .unwrap_or_default(),
                    _ => String::new(),
                })
            }
            _ => None,
        }
    }

    /// Workflow inputs, where slsa-verifier reads them: v1 `externalParameters.inputs`, v0.2
    /// `invocation.environment.github_event_payload.inputs` (or `invocation.parameters.inputs`).
    pub fn workflow_inputs(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        match self {
            Provenance::V1(p) => p.external_parameters.get("inputs")?.as_object(),
            Provenance::V02(p) => p
                .environment
                .pointer("/github_event_payload/inputs")
                .or_else(|| p.parameters.pointer("/inputs"))
                .and_then(|v| v.as_object()),
        }
    }
}

fn source_of_resource(r: &ResourceRef) -> Source {
    let (repository, git_ref) = split_git_uri(&r.uri);
    Source {
        repository: Some(repository),
        git_ref,
        commit: commit_of(&r.digest),
    }
}

fn commit_of(d: &DigestSet) -> Option<String> {
    d.get("gitCommit").or(d.get("sha1")).map(str::to_owned)
}

fn source_v1(p: &ProvenanceV1) -> Source {
    let ext = &p.external_parameters;
    let mut source = if let Some(w) = ext.get("workflow").and_then(|w| w.as_object()) {
        Source {
            repository: w
                .get("repository")
                .and_then(|v| v.as_str())
                .map(normalize_repository),
            git_ref: w.get("ref").and_then(|v| v.as_str()).map(str::to_owned),
            commit: None,
        }
    } else if let Some(s) = ext.get("source") {
        match s {
            serde_json::Value::String(uri) => {
                let (repository, git_ref) = split_git_uri(uri);
                Source {
                    repository: Some(repository),
                    git_ref,
                    commit: None,
                }
            }
            serde_json::Value::Object(o) => {
                let uri = o.get("uri").and_then(|v| v.as_str()).unwrap_or_default();
                let (repository, git_ref) = split_git_uri(uri);
                let digest = o
                    .get("digest")
                    .and_then(|d| d.as_object())
                    .map(|d| {
                        d.iter()
                            .filter_map(|(k, v)| {
                                Some((k.clone(), v.as_str()?.to_ascii_lowercase()))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Source {
                    repository: Some(repository),
                    git_ref,
                    commit: commit_of(&DigestSet(digest)),
                }
            }
            _ => Source::default(),
        }
    } else {
        return p
            .resolved_dependencies
            .first()
            .filter(|d| d.uri.starts_with("git+"))
            .map(source_of_resource)
            .unwrap_or_default();
    };
    if source.commit.is_none()
        && let Some(repo) = &source.repository
    {
        // The commit is the digest of the resolved dependency that is this repository.
        source.commit = p
            .resolved_dependencies
            .iter()
            .find(|d| split_git_uri(&d.uri).0 == *repo)
            .and_then(|d| commit_of(&d.digest));
    }
    source
}

/// `git+https://github.com/org/repo@refs/tags/v1` → (`github.com/org/repo`, `refs/tags/v1`).
pub fn split_git_uri(uri: &str) -> (String, Option<String>) {
    let bare = strip_scheme(uri);
    // An `@` before the first `/` is user info (`git@host`), not a ref.
    let path_start = bare.find('/').unwrap_or(bare.len());
    match bare[path_start..].rfind('@') {
        Some(at) => {
            let at = path_start + at;
            (
                normalize_repository(&bare[..at]),
                Some(bare[at + 1..].to_owned()),
            )
        }
        None => (normalize_repository(bare), None),
    }
}

/// Normalise a repository URI the way slsa-verifier's `--source-uri` expects it:
/// no `git+`, no scheme, no user info, no trailing `.git` or `/`.
pub fn normalize_repository(uri: &str) -> String {
    let bare = strip_scheme(uri);
    let bare = match bare.find('/') {
        Some(slash) => match bare[..slash].rfind('@') {
            Some(at) => &bare[at + 1..],
            None => bare,
        },
        None => bare,
    };
    let bare = bare.trim_end_matches('/');
    bare.strip_suffix(".git").unwrap_or(bare).to_owned()
}

fn strip_scheme(uri: &str) -> &str {
    let uri = uri.strip_prefix("git+").unwrap_or(uri);
    match uri.find("://") {
        Some(i) => &uri[i + 3..],
        None => uri,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_and_normalises_git_uris() {
        assert_eq!(
            split_git_uri("git+https://github.com/org/repo@refs/tags/v1.2.3"),
            (
                "github.com/org/repo".into(),
                Some("refs/tags/v1.2.3".into())
            )
        );
        assert_eq!(
            split_git_uri("git+ssh://git@github.com/org/repo.git"),
            ("github.com/org/repo".into(), None)
        );
        assert_eq!(
            normalize_repository("https://github.com/org/repo/"),
            "github.com/org/repo"
        );
        assert_eq!(
            normalize_repository("github.com/org/repo"),
            "github.com/org/repo"
        );
    }

    #[test]
    fn v02_source_from_config_source() {
        let p = Provenance::from_predicate(
            PROVENANCE_V02,
            &json!({
                "builder": {"id": "https://b"},
                "buildType": "https://t",
                "invocation": {"configSource": {
                    "uri": "git+https://github.com/o/r@refs/heads/main",
                    "digest": {"sha1": "ABCDEF"}, "entryPoint": ".github/workflows/x.yml"}},
                "metadata": {"buildFinishedOn": "2024-01-01T00:00:00Z"}
            }),
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.builder_id(), "https://b");
        assert_eq!(p.build_time(), Some("2024-01-01T00:00:00Z"));
        let s = p.source();
        assert_eq!(s.repository.as_deref(), Some("github.com/o/r"));
        assert_eq!(s.git_ref.as_deref(), Some("refs/heads/main"));
        assert_eq!(s.commit.as_deref(), Some("abcdef"));
    }

    #[test]
    fn v1_source_from_workflow_and_resolved_dependencies() {
        let p = Provenance::from_predicate(
            PROVENANCE_V1,
            &json!({
                "buildDefinition": {
                    "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                    "externalParameters": {"workflow": {
                        "ref": "refs/tags/v1.0.0", "repository": "https://github.com/o/r",
                        "path": ".github/workflows/release.yml"}},
                    "resolvedDependencies": [{"uri": "git+https://github.com/o/r@refs/tags/v1.0.0",
                                              "digest": {"gitCommit": "0123"}}]
                },
                "runDetails": {"builder": {"id": "https://github.com/actions/runner"}}
            }),
        )
        .unwrap()
        .unwrap();
        let s = p.source();
        assert_eq!(s.repository.as_deref(), Some("github.com/o/r"));
        assert_eq!(s.git_ref.as_deref(), Some("refs/tags/v1.0.0"));
        assert_eq!(s.commit.as_deref(), Some("0123"));
    }

    #[test]
    fn missing_builder_is_malformed_and_other_predicates_are_not_provenance() {
        let e = Provenance::from_predicate(PROVENANCE_V1, &json!({"buildDefinition": {}}))
            .unwrap()
            .unwrap_err();
        assert_eq!(e.code, codes::Code::MalformedProvenance);
        assert!(Provenance::from_predicate("https://spdx.dev/Document", &json!({})).is_none());
    }
}

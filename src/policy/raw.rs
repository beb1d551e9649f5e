//! The policy file exactly as written: spanned, unvalidated, unknown keys refused.
//!
//! Every field keeps its span so that validation (`super::Policy::parse`) can point at the line
//! that is wrong. Field names are the file's keys, documented in `policies/README.md`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPolicy {
    pub predicate_types: Option<Vec<Spanned<String>>>,
    pub builder_ids: Option<Vec<Spanned<String>>>,
    pub build_types: Option<Vec<Spanned<String>>>,
    pub max_age: Option<Spanned<String>>,
    pub require_source_uri: Option<Spanned<bool>>,
    pub signatures: Option<RawSignatures>,
    pub source: Option<RawSource>,
    pub slsa: Option<RawSlsa>,
    pub review: Option<RawReview>,
    pub reproduce: Option<RawReproduce>,
    pub range: Option<RawRange>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRange {
    pub allow_binaries: Option<Vec<Spanned<String>>>,
    pub vendored: Option<Vec<Spanned<String>>>,
    pub vendor_lock: Option<Spanned<String>>,
    pub submodule_urls: Option<Vec<Spanned<String>>>,
    pub registries: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSignatures {
    pub threshold: Option<Spanned<i64>>,
    pub keys: Option<Vec<Spanned<RawKey>>>,
    pub identities: Option<Vec<Spanned<RawIdentity>>>,
    pub dangerous_accept_unlogged: Option<Spanned<bool>>,
    pub transparency_log_threshold: Option<Spanned<i64>>,
    pub signed_timestamp_threshold: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawKey {
    pub path: Option<Spanned<String>>,
    pub pem: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawIdentity {
    pub certificate_identity: Option<Spanned<String>>,
    pub certificate_identity_regexp: Option<Spanned<String>>,
    pub oidc_issuer: Option<Spanned<String>>,
    pub oidc_issuer_regexp: Option<Spanned<String>>,
    pub dangerous_any_identity: Option<Spanned<bool>>,
    // Fulcio certificate extensions, exact values (`crate::sigstore::Extension`).
    pub build_signer_uri: Option<Spanned<String>>,
    pub build_signer_digest: Option<Spanned<String>>,
    pub runner_environment: Option<Spanned<String>>,
    pub source_repository_uri: Option<Spanned<String>>,
    pub source_repository_digest: Option<Spanned<String>>,
    pub source_repository_ref: Option<Spanned<String>>,
    pub source_repository_identifier: Option<Spanned<String>>,
    pub source_repository_owner_uri: Option<Spanned<String>>,
    pub source_repository_owner_identifier: Option<Spanned<String>>,
    pub build_config_uri: Option<Spanned<String>>,
    pub build_config_digest: Option<Spanned<String>>,
    pub build_trigger: Option<Spanned<String>>,
}

impl RawIdentity {
    /// The extension values given, by the policy key each was written under.
    pub fn extensions(&self) -> Vec<(&'static str, &Spanned<String>)> {
        [
            ("build-signer-uri", &self.build_signer_uri),
            ("build-signer-digest", &self.build_signer_digest),
            ("runner-environment", &self.runner_environment),
            ("source-repository-uri", &self.source_repository_uri),
            ("source-repository-digest", &self.source_repository_digest),
            ("source-repository-ref", &self.source_repository_ref),
            (
                "source-repository-identifier",
                &self.source_repository_identifier,
            ),
            (
                "source-repository-owner-uri",
                &self.source_repository_owner_uri,
            ),
            (
                "source-repository-owner-identifier",
                &self.source_repository_owner_identifier,
            ),
            ("build-config-uri", &self.build_config_uri),
            ("build-config-digest", &self.build_config_digest),
            ("build-trigger", &self.build_trigger),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_ref()?)))
        .collect()
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSource {
    pub uri: Option<Spanned<String>>,
    #[serde(rename = "ref")]
    pub git_ref: Option<Spanned<String>>,
    pub tag: Option<Spanned<String>>,
    pub versioned_tag: Option<Spanned<String>>,
    pub branch: Option<Spanned<String>>,
    pub commit: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSlsa {
    pub reject_unknown_external_parameters: Option<Spanned<bool>>,
    pub allowed_external_parameters: Option<Vec<Spanned<String>>>,
    pub workflow_inputs: Option<BTreeMap<String, Spanned<String>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawReview {
    pub protected_branches: Option<Vec<Spanned<String>>>,
    pub allowed_signers: Option<Spanned<String>>,
    pub openpgp_keys: Option<Vec<Spanned<String>>>,
    pub require_signed: Option<Spanned<String>>,
    pub base: Option<Spanned<String>>,
    pub two_party: Option<Spanned<bool>>,
    pub min_signers: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawReproduce {
    pub mode: Option<Spanned<String>>,
    pub command: Option<Spanned<RawCommand>>,
    pub outputs: Option<Vec<Spanned<String>>>,
    pub env: Option<BTreeMap<String, Spanned<String>>>,
    pub timeout: Option<Spanned<String>>,
    pub accept: Option<Spanned<String>>,
    pub build_path: Option<Spanned<String>>,
    pub allow_extra: Option<Vec<Spanned<String>>>,
    pub ecosystem: Option<Spanned<String>>,
    pub accept_ancestor: Option<Spanned<bool>>,
    pub accept_unverified: Option<Vec<Spanned<String>>>,
}

/// A build command: one line for `sh -c`, or the argument vector itself.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum RawCommand {
    Line(String),
    Argv(Vec<String>),
}

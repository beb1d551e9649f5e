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
    pub signatures: Option<RawSignatures>,
    pub source: Option<RawSource>,
    pub slsa: Option<RawSlsa>,
    pub reproduce: Option<RawReproduce>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSignatures {
    pub threshold: Option<Spanned<i64>>,
    pub keys: Option<Vec<Spanned<RawKey>>>,
    pub identities: Option<Vec<Spanned<RawIdentity>>>,
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
pub struct RawReproduce {
    pub mode: Option<Spanned<String>>,
    pub command: Option<Spanned<RawCommand>>,
    pub outputs: Option<Vec<Spanned<String>>>,
    pub env: Option<BTreeMap<String, Spanned<String>>>,
    pub timeout: Option<Spanned<String>>,
    pub accept: Option<Spanned<String>>,
    pub build_path: Option<Spanned<String>>,
    pub allow_extra: Option<Vec<Spanned<String>>>,
}

/// A build command: one line for `sh -c`, or the argument vector itself.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum RawCommand {
    Line(String),
    Argv(Vec<String>),
}

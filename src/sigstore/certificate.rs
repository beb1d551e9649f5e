//! What a Fulcio signing certificate says about its signer, in custody's own terms: the SAN
//! identity, the OIDC issuer and the CI extensions (OIDs 1.3.6.1.4.1.57264.1.*).
//!
//! These are claims; they mean something only once the certificate chained to a trusted Fulcio
//! CA, which is why only the keyless verifier builds them from a verified bundle.

use std::collections::BTreeMap;

use serde::Serialize;

/// A Fulcio certificate extension a policy may pin (exact match).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Extension {
    BuildSignerUri,
    BuildSignerDigest,
    RunnerEnvironment,
    SourceRepositoryUri,
    SourceRepositoryDigest,
    SourceRepositoryRef,
    SourceRepositoryIdentifier,
    SourceRepositoryOwnerUri,
    SourceRepositoryOwnerIdentifier,
    BuildConfigUri,
    BuildConfigDigest,
    BuildTrigger,
}

impl Extension {
    pub const ALL: [Extension; 12] = [
        Extension::BuildSignerUri,
        Extension::BuildSignerDigest,
        Extension::RunnerEnvironment,
        Extension::SourceRepositoryUri,
        Extension::SourceRepositoryDigest,
        Extension::SourceRepositoryRef,
        Extension::SourceRepositoryIdentifier,
        Extension::SourceRepositoryOwnerUri,
        Extension::SourceRepositoryOwnerIdentifier,
        Extension::BuildConfigUri,
        Extension::BuildConfigDigest,
        Extension::BuildTrigger,
    ];

    /// The policy file key, as Fulcio's documentation names the extension.
    pub fn key(self) -> &'static str {
        match self {
            Extension::BuildSignerUri => "build-signer-uri",
            Extension::BuildSignerDigest => "build-signer-digest",
            Extension::RunnerEnvironment => "runner-environment",
            Extension::SourceRepositoryUri => "source-repository-uri",
            Extension::SourceRepositoryDigest => "source-repository-digest",
            Extension::SourceRepositoryRef => "source-repository-ref",
            Extension::SourceRepositoryIdentifier => "source-repository-identifier",
            Extension::SourceRepositoryOwnerUri => "source-repository-owner-uri",
            Extension::SourceRepositoryOwnerIdentifier => "source-repository-owner-identifier",
            Extension::BuildConfigUri => "build-config-uri",
            Extension::BuildConfigDigest => "build-config-digest",
            Extension::BuildTrigger => "build-trigger",
        }
    }

    /// The extension's OID.
    pub fn oid(self) -> &'static str {
        match self {
            Extension::BuildSignerUri => "1.3.6.1.4.1.57264.1.9",
            Extension::BuildSignerDigest => "1.3.6.1.4.1.57264.1.10",
            Extension::RunnerEnvironment => "1.3.6.1.4.1.57264.1.11",
            Extension::SourceRepositoryUri => "1.3.6.1.4.1.57264.1.12",
            Extension::SourceRepositoryDigest => "1.3.6.1.4.1.57264.1.13",
            Extension::SourceRepositoryRef => "1.3.6.1.4.1.57264.1.14",
            Extension::SourceRepositoryIdentifier => "1.3.6.1.4.1.57264.1.15",
            Extension::SourceRepositoryOwnerUri => "1.3.6.1.4.1.57264.1.16",
            Extension::SourceRepositoryOwnerIdentifier => "1.3.6.1.4.1.57264.1.17",
            Extension::BuildConfigUri => "1.3.6.1.4.1.57264.1.18",
            Extension::BuildConfigDigest => "1.3.6.1.4.1.57264.1.19",
            Extension::BuildTrigger => "1.3.6.1.4.1.57264.1.20",
        }
    }

    pub fn from_key(key: &str) -> Option<Extension> {
        Extension::ALL.into_iter().find(|e| e.key() == key)
    }
}

/// The signer facts of one signing certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateFacts {
    /// The SAN (URI or email).
    pub identity: Option<String>,
    /// The OIDC issuer (extension 1.3.6.1.4.1.57264.1.8, or the deprecated .1.1).
    pub issuer: Option<String>,
    pub extensions: BTreeMap<Extension, String>,
    /// Validity window, seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
}

impl CertificateFacts {
    pub fn extension(&self, e: Extension) -> Option<&str> {
        self.extensions.get(&e).map(String::as_str)
    }

    pub(super) fn from_info(info: &sigstore_crypto::CertificateInfo) -> CertificateFacts {
        let c = &info.ci_claims;
        let pairs = [
            (Extension::BuildSignerUri, &c.build_signer_uri),
            (Extension::BuildSignerDigest, &c.build_signer_digest),
            (Extension::RunnerEnvironment, &c.runner_environment),
            (Extension::SourceRepositoryUri, &c.source_repository_uri),
            (
                Extension::SourceRepositoryDigest,
                &c.source_repository_digest,
            ),
            (Extension::SourceRepositoryRef, &c.source_repository_ref),
            (
                Extension::SourceRepositoryIdentifier,
                &c.source_repository_identifier,
            ),
            (
                Extension::SourceRepositoryOwnerUri,
                &c.source_repository_owner_uri,
            ),
            (
                Extension::SourceRepositoryOwnerIdentifier,
                &c.source_repository_owner_identifier,
            ),
            (Extension::BuildConfigUri, &c.build_config_uri),
            (Extension::BuildConfigDigest, &c.build_config_digest),
            (Extension::BuildTrigger, &c.build_trigger),
        ];
        CertificateFacts {
            identity: info.identity.as_ref().map(|s| s.as_str().to_owned()),
            issuer: info.issuer.clone(),
            extensions: pairs
                .into_iter()
                .filter_map(|(e, v)| Some((e, v.clone()?)))
                .collect(),
            not_before: info.not_before.as_second(),
            not_after: info.not_after.as_second(),
        }
    }

    /// The facts as the report's JSON shows them.
    pub fn to_json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Out<'a> {
            identity: Option<&'a str>,
            issuer: Option<&'a str>,
            extensions: BTreeMap<&'static str, &'a str>,
        }
        serde_json::to_value(Out {
            identity: self.identity.as_deref(),
            issuer: self.issuer.as_deref(),
            extensions: self
                .extensions
                .iter()
                .map(|(k, v)| (k.key(), v.as_str()))
                .collect(),
        })
        .unwrap_or_default()
    }
}

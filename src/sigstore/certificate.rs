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

/// The kind of Subject Alternative Name the identity came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SanKind {
    #[default]
    Uri,
    Email,
    /// Fulcio's username identity (otherName 1.3.6.1.4.1.57264.1.7, `user!issuer-host`), which
    /// private Sigstore deployments issue.
    Username,
}

/// The otherName type of Fulcio's username identities.
const FULCIO_USERNAME: &str = "1.3.6.1.4.1.57264.1.7";

/// The signer facts of one signing certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateFacts {
    /// The SAN: a URI, an email address, or a Fulcio username.
    pub identity: Option<String>,
    pub identity_kind: SanKind,
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

    /// The facts of a certificate `info` was parsed from (`der`). The library reads email and
    /// URI SANs; a Fulcio username (an otherName) is read here when neither is present.
    pub(super) fn from_certificate(
        info: &sigstore_crypto::CertificateInfo,
        der: &[u8],
    ) -> CertificateFacts {
        let mut facts = CertificateFacts::from_info(info);
        if facts.identity.is_none()
            && let Some(user) = username(der)
        {
            facts.identity = Some(user);
            facts.identity_kind = SanKind::Username;
        }
        facts
    }

    fn from_info(info: &sigstore_crypto::CertificateInfo) -> CertificateFacts {
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
            identity_kind: match &info.identity {
                Some(sigstore_crypto::SubjectAltName::Email(_)) => SanKind::Email,
                _ => SanKind::Uri,
            },
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

/// The first Fulcio username otherName of `der`'s Subject Alternative Names: a UTF8String
/// under OID 1.3.6.1.4.1.57264.1.7, as Fulcio writes it. `None` for anything else.
fn username(der: &[u8]) -> Option<String> {
    use x509_cert::der::{Decode, asn1::Utf8StringRef};
    use x509_cert::ext::pkix::SubjectAltName;
    use x509_cert::ext::pkix::name::GeneralName;
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let (_, san): (bool, SubjectAltName) = cert.tbs_certificate.get().ok()??;
    san.0.iter().find_map(|name| match name {
        GeneralName::OtherName(o) if o.type_id.to_string() == FULCIO_USERNAME => o
            .value
            .decode_as::<Utf8StringRef<'_>>()
            .ok()
            .map(|s| s.as_str().to_owned()),
        _ => None,
    })
}

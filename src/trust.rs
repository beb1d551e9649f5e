//! Trust configuration, built from the validated policy and the command line: the keys that may
//! sign attestations, the keyless trusted root and the identities it must vouch for, and who
//! may sign commits. Policy validation reads no file; this is where the key files and signer
//! files a policy names are read, and their errors point at the policy's line.
//!
//! Everything here is what custody *trusts*; what an artifact must *satisfy* stays in the
//! policy (sigstore-go keeps the same two objects apart).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::Check;
use crate::generator::{self, GITHUB_ACTIONS_ISSUER};
use crate::limits::MAX_KEYS;
use crate::policy::{Diagnostic, Identity, KeySpec, Located, Policy, PolicyError};
use crate::signature::codes::Code as SignatureCode;
use crate::signature::{KeyError, KeylessTrust, Keyring, PublicKey};
use crate::sigstore::{Extension, TrustedRoot, WholeMatch};
use crate::source::signers::Signers;
use crate::verdict::{Notes, TrustedKey};

/// Why the trust configuration could not be built (custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// A key or signer file the policy names cannot be used.
    #[error("invalid policy {}:\n{source}", path.display())]
    Policy {
        path: PathBuf,
        #[source]
        source: PolicyError,
    },
    /// A flag names something that cannot be used.
    #[error("{0}")]
    Flag(String),
}

/// Keys given on the command line, beside the policy's.
#[derive(Clone, Debug, Default)]
pub struct KeyFlags {
    pub keys: Vec<PathBuf>,
    pub threshold: Option<usize>,
}

/// The keys for key-signed evidence, and the checks decided about them before any evidence is
/// read (a `--key` file that was read but cannot be used fails every artifact, like a wrong
/// key).
pub fn keyring(
    policy: &Policy,
    flags: &KeyFlags,
    notes: &mut Notes,
) -> Result<(Keyring, Vec<Check>), TrustError> {
    let mut keys = Vec::new();
    let mut diagnostics = Vec::new();
    for k in &policy.keys {
        let loaded = match &k.value {
            KeySpec::File(path) => PublicKey::from_file(path),
            KeySpec::Pem { pem, name } => PublicKey::from_pem(pem, name.clone()),
        };
        match loaded {
            Ok(key) => keys.push(key),
            Err(e @ (KeyError::Io { .. } | KeyError::NotAKeyFile { .. })) => {
                diagnostics.push(diagnostic(policy, k, format!("cannot use {e}")))
            }
            Err(e) => diagnostics.push(diagnostic(policy, k, format!("cannot use key: {e}"))),
        }
    }
    policy_errors(policy, diagnostics)?;
    let mut preflight = Vec::new();
    for path in &flags.keys {
        match PublicKey::from_file(path) {
            Ok(k) => keys.push(k),
            // A key that cannot be read at all stops custody; one that was read but cannot be
            // used is a failing check, like a wrong key.
            Err(e @ (KeyError::Io { .. } | KeyError::NotAKeyFile { .. })) => {
                return Err(TrustError::Flag(format!("--key: {e}")));
            }
            Err(e) => preflight.push(Check::fail(
                SignatureCode::KeyUnusable,
                format!("--key {}: {e}", path.display()),
            )),
        }
    }
    // One key given twice (the same file twice, or two encodings of it) is one signer.
    let mut distinct: Vec<PublicKey> = Vec::with_capacity(keys.len());
    let mut repeated = Vec::new();
    for k in keys {
        match distinct.iter().find(|d| d.keyid() == k.keyid()) {
            Some(d) => repeated.push(format!("{} is {}", k.name(), d.name())),
            None => distinct.push(k),
        }
    }
    let keys = distinct;
    if keys.len() > MAX_KEYS {
        return Err(TrustError::Flag(format!(
            "more than {MAX_KEYS} trusted keys"
        )));
    }
    let threshold = flags.threshold.or(policy.threshold).unwrap_or(1);
    if !keys.is_empty() && threshold > keys.len() {
        let same = if repeated.is_empty() {
            String::new()
        } else {
            format!(" ({}: the same key)", repeated.join(", "))
        };
        return Err(TrustError::Flag(format!(
            "--threshold {threshold} is more than the {} distinct trusted keys given{same}",
            keys.len()
        )));
    }
    notes.trusted_keys = keys
        .iter()
        .map(|k| TrustedKey {
            key: k.name().to_owned(),
            keyid: k.keyid().to_owned(),
            kind: k.kind().as_str(),
        })
        .collect();
    if !keys.is_empty() {
        notes.threshold = Some(threshold);
    }
    Ok((Keyring::new(keys, threshold), preflight))
}

/// Who may sign commits: the policy's allowed_signers file and OpenPGP keys.
pub fn signers(policy: &Policy) -> Result<Signers, TrustError> {
    let mut signers = Signers::default();
    let mut diagnostics = Vec::new();
    if let Some(file) = &policy.review.allowed_signers
        && let Err(e) = signers.add_allowed_signers(&file.value)
    {
        diagnostics.push(diagnostic(
            policy,
            file,
            format!("cannot use allowed signers: {e}"),
        ));
    }
    for key in &policy.review.openpgp_keys {
        if let Err(e) = signers.add_openpgp_key(&key.value) {
            diagnostics.push(diagnostic(
                policy,
                key,
                format!("cannot use OpenPGP key: {e}"),
            ));
        }
    }
    policy_errors(policy, diagnostics)?;
    Ok(signers)
}

/// The npm registry's attestation key: the `npm:attestations` entry, keyId
/// `SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA`, valid from 2022-12-01, of the Sigstore
/// TUF target `registry.npmjs.org/keys.json` that npm and slsa-verifier read. Built in so that
/// `verify-npm-package` runs offline; `--key` replaces it.
pub const NPM_REGISTRY_KEY: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==
-----END PUBLIC KEY-----
";

/// Where keyless evidence is checked against, and who must have signed it.
#[derive(Clone, Debug, Default)]
pub struct KeylessFlags {
    pub trusted_root: Option<PathBuf>,
    pub staging: bool,
    pub certificate_identity: Option<String>,
    pub certificate_identity_regexp: Option<String>,
    pub certificate_oidc_issuer: Option<String>,
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// Whether `--builder-id` was given (it then pins the signer, see [`keyless`]).
    pub builder_id_given: bool,
    /// The evidence is about container images (`verify-image`): slsa-verifier then trusts the
    /// container generator by default, and no delegator.
    pub images: bool,
    /// Trusted keys were given (`--key` or the policy's keys): the evidence expected is
    /// key-signed, and no keyless signer is trusted by default.
    pub keys_given: bool,
}

/// The trusted root and accepted identities for keyless evidence. The identity flags replace
/// the policy's identities; without them, `--builder-id` pins the signer to the builder.
pub fn keyless(
    policy: &mut Policy,
    flags: &KeylessFlags,
    notes: &mut Notes,
) -> Result<KeylessTrust, TrustError> {
    let root = match (&flags.trusted_root, flags.staging) {
        (Some(path), _) => TrustedRoot::from_file(path),
        (None, true) => TrustedRoot::staging(),
        (None, false) => TrustedRoot::production(),
    }
    .map_err(|e| TrustError::Flag(format!("--trusted-root: {e}")))?;

    let any_flag = flags.certificate_identity.is_some()
        || flags.certificate_identity_regexp.is_some()
        || flags.certificate_oidc_issuer.is_some()
        || flags.certificate_oidc_issuer_regexp.is_some();
    let identities = if any_flag {
        vec![
            Identity::new(
                flags.certificate_identity.as_deref(),
                flags.certificate_identity_regexp.as_deref(),
                flags.certificate_oidc_issuer.as_deref(),
                flags.certificate_oidc_issuer_regexp.as_deref(),
                false,
            )
            .map_err(|e| {
                TrustError::Flag(format!(
                    "--certificate-identity / --certificate-oidc-issuer: {e}"
                ))
            })?,
        ]
    } else if flags.builder_id_given {
        builder_identities(&policy.builder_ids, !flags.images)?
    } else {
        let mut identities = std::mem::take(&mut policy.identities);
        if identities.is_empty() {
            // `builder-ids` without an identities list pins the signer as `--builder-id` does:
            // the certificate identity must be one of those builders' workflows.
            identities = builder_identities(&policy.builder_ids, !flags.images)?;
        }
        if let Some(uri) = policy.source.uri.as_ref().filter(|_| {
            identities.is_empty()
                && policy.builder_ids.is_empty()
                && !flags.keys_given
                && policy.keys.is_empty()
        }) {
            // slsa-verifier's default trust: with only the source repository pinned, the
            // signer is one of slsa-github-generator's builders, and it must have run for
            // that repository.
            identities = default_identities(flags.images).map_err(TrustError::Flag)?;
            for id in &mut identities {
                id.extensions
                    .push((Extension::SourceRepositoryUri, format!("https://{uri}")));
            }
            notes.default_builders = Some(generator::default_trust(flags.images));
        }
        if policy.require_source_uri {
            let Some(uri) = &policy.source.uri else {
                let file = policy
                    .file
                    .as_ref()
                    .map_or("the policy".to_owned(), |f| f.display().to_string());
                return Err(TrustError::Flag(format!(
                    "{file} accepts keyless signatures from any repository's workflow, and any \
                     GitHub or GitLab user can make a valid attestation for a repository of \
                     their own: pin the repository that must have built the artifact with \
                     --source-uri HOST/ORG/REPO (or [source] uri in a copy of the policy)"
                )));
            };
            // The pin binds the signer too: the certificate's source repository, which Fulcio
            // takes from the CI's token, must be the pinned one.
            for id in &mut identities {
                if !id
                    .extensions
                    .iter()
                    .any(|(e, _)| *e == Extension::SourceRepositoryUri)
                {
                    id.extensions
                        .push((Extension::SourceRepositoryUri, format!("https://{uri}")));
                }
            }
        }
        identities
    };
    notes.keyless_identities = identities.iter().map(ToString::to_string).collect();
    if identities.iter().any(|i| i.dangerous_any_identity) {
        notes.dangerous_any_identity = Some(
            "DANGEROUS: the policy accepts keyless signatures from ANY identity of its issuer"
                .into(),
        );
    }
    if policy.dangerous_accept_unlogged {
        notes.dangerous_accept_unlogged = Some(
            "DANGEROUS: the policy accepts keyless evidence without a transparency log entry"
                .into(),
        );
    }
    if policy.time_sources.log_entries == 0 {
        notes.timestamps_without_log = Some(format!(
            "the policy accepts keyless bundles without a transparency log entry when {} RFC 3161 \
             timestamp(s) vouch for their signing time",
            policy.time_sources.signed_timestamps
        ));
    }
    Ok(KeylessTrust {
        root: Arc::new(root),
        identities,
        dangerous_accept_unlogged: policy.dangerous_accept_unlogged,
        time_sources: policy.time_sources,
    })
}

/// The signers that `--builder-id` (or `builder-ids` without an identities list) pins, as
/// slsa-verifier pins them: each github.com builder's workflow at a release tag (or at the ref
/// given), and slsa-github-generator's delegators at a release tag, whose delegated builds name
/// their builder in the provenance (checked there, see `checks::provenance`). Builders outside
/// github.com have no known OIDC issuer: they pin no signer, and keyless evidence then fails for
/// want of an identity (identity-not-specified).
fn builder_identities(
    builders: &[crate::policy::BuilderId],
    delegators: bool,
) -> Result<Vec<Identity>, TrustError> {
    let mut identities = builders
        .iter()
        .filter_map(|b| builder_identity(b).transpose())
        .collect::<Result<Vec<_>, _>>()
        .map_err(TrustError::Flag)?;
    if delegators && !identities.is_empty() {
        identities.extend(delegator_identities().map_err(TrustError::Flag)?);
    }
    Ok(identities)
}

/// `--builder-id` as a signer: the certificate identity is the builder's workflow at the given
/// ref (`@vX.Y.Z` meaning `@refs/tags/vX.Y.Z`), or at any release tag without `@`. Only
/// github.com builders, whose issuer is known.
fn builder_identity(builder: &crate::policy::BuilderId) -> Result<Option<Identity>, String> {
    let name = builder.name();
    if !name.starts_with("https://github.com/") {
        return Ok(None);
    }
    let pattern = match builder.as_str().split_once('@') {
        None => generator::at_release_tag(name),
        Some((_, r)) if r.starts_with("refs/") => regex::escape(builder.as_str()),
        Some((_, tag)) => regex::escape(&format!("{name}@refs/tags/{tag}")),
    };
    release_workflow(&pattern).map(Some)
}

/// slsa-github-generator's delegators, at release tags.
fn delegator_identities() -> Result<Vec<Identity>, String> {
    generator::DELEGATORS
        .iter()
        .map(|d| release_workflow(&generator::at_release_tag(d)))
        .collect()
}

/// slsa-verifier's default signers when only the source repository is pinned: the generator's
/// builders and delegators at release tags, or for images its container generator.
fn default_identities(images: bool) -> Result<Vec<Identity>, String> {
    if images {
        return Ok(vec![release_workflow(&generator::at_release_tag(
            generator::CONTAINER_GENERATOR,
        ))?]);
    }
    let mut identities = generator::DEFAULT_BUILDERS
        .iter()
        .map(|b| release_workflow(&generator::at_release_tag(b)))
        .collect::<Result<Vec<_>, _>>()?;
    identities.extend(delegator_identities()?);
    Ok(identities)
}

/// A GitHub Actions workflow identity matching the whole-value `pattern`.
fn release_workflow(pattern: &str) -> Result<Identity, String> {
    Ok(Identity {
        certificate_identity: None,
        certificate_identity_regexp: Some(WholeMatch::new(pattern).map_err(|e| e.to_string())?),
        oidc_issuer: Some(GITHUB_ACTIONS_ISSUER.to_owned()),
        oidc_issuer_regexp: None,
        dangerous_any_identity: false,
        extensions: Vec::new(),
    })
}

fn diagnostic<T>(policy: &Policy, at: &Located<T>, message: String) -> Diagnostic {
    let file = policy.file.as_deref().unwrap_or(Path::new("policy"));
    Diagnostic::new(file, &policy.text, at.span.clone(), message)
}

fn policy_errors(policy: &Policy, diagnostics: Vec<Diagnostic>) -> Result<(), TrustError> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    Err(TrustError::Policy {
        path: policy.file.clone().unwrap_or_default(),
        source: PolicyError::Invalid(diagnostics),
    })
}

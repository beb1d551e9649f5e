//! `custody verify ARTIFACT... --bundle FILE...`: flags in, a [`Request`] to the library, a
//! report out.
//!
//! Flags are shorthand for the policy: `--builder-id`, `--source-*` and `--build-workflow-input`
//! replace the matching policy entries, `--key` adds to its keys, `--threshold` overrides it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::ArgGroup;

use super::fatal;
use super::output::{Format, emit};
use crate::artifact::ArtifactSpec;
use crate::limits::{MAX_KEYS, MAX_TRUSTED_ROOT_FILE};
use crate::policy::{BuilderId, Identity, Policy, RefRule, rules};
use crate::signature::{Keyring, PublicKey};
use crate::verify::{self, Request};

#[derive(clap::Args, Debug)]
#[command(group(ArgGroup::new("source-ref").args(["source_tag", "source_versioned_tag", "source_branch"])))]
pub struct VerifyArgs {
    /// Artifacts to verify: file paths, or sha256:HEX to verify by digest alone.
    #[arg(required = true, value_name = "ARTIFACT")]
    pub artifacts: Vec<String>,
    /// Attestation files: DSSE envelopes, .intoto.jsonl, Sigstore bundles (also JSON Lines),
    /// PEP 740, PyPI provenance or npm attestation documents. Repeatable.
    #[arg(long = "bundle", value_name = "FILE", required = true, num_args = 1..)]
    pub bundles: Vec<PathBuf>,
    /// A trusted public key (PEM SubjectPublicKeyInfo: ECDSA P-256/P-384, Ed25519, RSA). Repeatable.
    #[arg(long = "key", value_name = "PUBLIC_KEY_FILE")]
    pub keys: Vec<PathBuf>,
    /// How many distinct trusted keys must sign each envelope.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub threshold: Option<u32>,
    /// A policy file (TOML); presets live in policies/.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Shorthand for --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Expected source repository, e.g. github.com/org/repo (slsa-verifier --source-uri).
    #[arg(long, value_name = "URI")]
    pub source_uri: Option<String>,
    /// Expected tag the artifact was built from.
    #[arg(long, value_name = "TAG")]
    pub source_tag: Option<String>,
    /// Expected semver tag: vX, vX.Y or vX.Y.Z; later components may differ.
    #[arg(long, value_name = "vX[.Y[.Z]]")]
    pub source_versioned_tag: Option<String>,
    /// Expected branch the artifact was built from.
    #[arg(long, value_name = "BRANCH")]
    pub source_branch: Option<String>,
    /// Trusted builder id; without @ref, any ref of that builder. Repeatable.
    #[arg(long, value_name = "ID")]
    pub builder_id: Vec<String>,
    /// A workflow input the build must have had. Repeatable.
    #[arg(long, value_name = "KEY=VALUE", num_args = 1..)]
    pub build_workflow_input: Vec<String>,

    /// Sigstore trusted_root.json for keyless verification (validated; keyless evidence is
    /// reported as not performed in this build).
    #[arg(long, value_name = "FILE", conflicts_with = "staging")]
    pub trusted_root: Option<PathBuf>,
    /// Use the Sigstore staging instance's trusted root (keyless).
    #[arg(long)]
    pub staging: bool,
    /// Keyless: the certificate identity (SAN) that must have signed.
    #[arg(long, value_name = "ID", conflicts_with_all = ["certificate_identity_regexp", "keys"])]
    pub certificate_identity: Option<String>,
    /// Keyless: a regular expression the certificate identity must match.
    #[arg(long, value_name = "RE", conflicts_with = "keys")]
    pub certificate_identity_regexp: Option<String>,
    /// Keyless: the OIDC issuer of the certificate.
    #[arg(long, value_name = "URL", conflicts_with_all = ["certificate_oidc_issuer_regexp", "keys"])]
    pub certificate_oidc_issuer: Option<String>,
    /// Keyless: a regular expression the OIDC issuer must match.
    #[arg(long, value_name = "RE", conflicts_with = "keys")]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// A checkout of the reviewed source (source binding; not available in this build, exits 2).
    #[arg(long, value_name = "DIR")]
    pub source: Option<PathBuf>,
    /// The revision of --source that was reviewed (default HEAD).
    #[arg(long, value_name = "REV", requires = "source")]
    pub source_rev: Option<String>,
}

pub fn run(args: VerifyArgs) -> u8 {
    match prepare(args) {
        Ok((request, format, output)) => match verify::run(request) {
            Ok(report) => emit(&report, format, output.as_deref(), ""),
            Err(e) => fatal(e),
        },
        Err(e) => fatal(e),
    }
}

/// Validate flags, load keys and policy: everything that can stop custody from running.
fn prepare(args: VerifyArgs) -> Result<(Request, Format, Option<PathBuf>), String> {
    if args.source.is_some() {
        return Err(
            "--source: source binding (checking a local checkout) is not available in this build"
                .into(),
        );
    }
    let artifacts = args
        .artifacts
        .iter()
        .map(|a| ArtifactSpec::parse(a).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut policy = match &args.policy {
        Some(path) => {
            Policy::load(path).map_err(|e| format!("invalid policy {}:\n{e}", path.display()))?
        }
        None => Policy::default(),
    };
    let mut notes = BTreeMap::new();
    if let Some(path) = &policy.file {
        notes.insert("policy".to_owned(), path.display().to_string().into());
    }
    apply_flags(&args, &mut policy)?;
    if let Some(keyless) = keyless_flags(&args)? {
        notes.insert("keyless".to_owned(), keyless.into());
    }

    let mut keys = std::mem::take(&mut policy.keys);
    for path in &args.keys {
        keys.push(
            PublicKey::from_file(path).map_err(|e| format!("--key {}: {e}", path.display()))?,
        );
    }
    if keys.len() > MAX_KEYS {
        return Err(format!("more than {MAX_KEYS} trusted keys"));
    }
    let threshold = args
        .threshold
        .map(|t| t as usize)
        .or(policy.threshold)
        .unwrap_or(1);
    let trusted: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| serde_json::json!({ "key": k.name(), "keyid": k.keyid(), "type": k.kind().as_str() }))
        .collect();
    if !trusted.is_empty() {
        notes.insert("trusted_keys".to_owned(), trusted.into());
        notes.insert("threshold".to_owned(), threshold.into());
    }
    if !keys.is_empty() && threshold > keys.len() {
        return Err(format!(
            "--threshold {threshold} is more than the {} trusted keys given",
            keys.len()
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let request = Request {
        artifacts,
        attestations: args.bundles,
        keyring: Keyring::new(keys, threshold),
        policy,
        now,
        notes,
    };
    let format = if args.json { Format::Json } else { args.format };
    Ok((request, format, args.output))
}

/// The slsa-verifier-style flags, validated by the same rules as the policy file.
fn apply_flags(args: &VerifyArgs, policy: &mut Policy) -> Result<(), String> {
    fn flag<T>(name: &str, r: Result<T, String>) -> Result<T, String> {
        r.map_err(|e| format!("--{name}: {e}"))
    }
    if let Some(uri) = &args.source_uri {
        policy.source.uri = Some(flag("source-uri", rules::repository(uri))?);
    }
    if let Some(t) = &args.source_tag {
        policy.source.git_ref = Some(flag("source-tag", RefRule::tag(t))?);
    }
    if let Some(t) = &args.source_versioned_tag {
        policy.source.git_ref = Some(flag("source-versioned-tag", RefRule::versioned_tag(t))?);
    }
    if let Some(b) = &args.source_branch {
        policy.source.git_ref = Some(flag("source-branch", RefRule::branch(b))?);
    }
    if !args.builder_id.is_empty() {
        policy.builder_ids = args
            .builder_id
            .iter()
            .map(|b| flag("builder-id", BuilderId::parse(b)))
            .collect::<Result<_, _>>()?;
    }
    if !args.build_workflow_input.is_empty() {
        policy.slsa.workflow_inputs = args
            .build_workflow_input
            .iter()
            .map(|i| flag("build-workflow-input", rules::workflow_input(i)))
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

/// Validate the keyless flags. Keyless verification is not in this build: keyless evidence is
/// reported as not performed whatever these say, so they are checked and noted, never trusted.
fn keyless_flags(args: &VerifyArgs) -> Result<Option<String>, String> {
    let any_identity = args.certificate_identity.is_some()
        || args.certificate_identity_regexp.is_some()
        || args.certificate_oidc_issuer.is_some()
        || args.certificate_oidc_issuer_regexp.is_some();
    if any_identity {
        Identity::new(
            args.certificate_identity.as_deref(),
            args.certificate_identity_regexp.as_deref(),
            args.certificate_oidc_issuer.as_deref(),
            args.certificate_oidc_issuer_regexp.as_deref(),
            false,
        )
        .map_err(|e| format!("--certificate-identity / --certificate-oidc-issuer: {e}"))?;
    }
    if let Some(root) = &args.trusted_root {
        let meta = std::fs::metadata(root)
            .map_err(|e| format!("--trusted-root {}: {e}", root.display()))?;
        if !meta.is_file() || meta.len() > MAX_TRUSTED_ROOT_FILE {
            return Err(format!(
                "--trusted-root {}: not a regular file of at most {MAX_TRUSTED_ROOT_FILE} bytes",
                root.display()
            ));
        }
        let text =
            std::fs::read(root).map_err(|e| format!("--trusted-root {}: {e}", root.display()))?;
        let value: serde_json::Value = serde_json::from_slice(&text)
            .map_err(|e| format!("--trusted-root {}: not JSON: {e}", root.display()))?;
        if !value
            .get("mediaType")
            .is_some_and(|m| m.as_str().is_some_and(|m| m.contains("trustedroot")))
        {
            return Err(format!(
                "--trusted-root {}: not a Sigstore trusted root (no trustedroot mediaType)",
                root.display()
            ));
        }
    }
    Ok((any_identity || args.trusted_root.is_some() || args.staging).then(|| {
        "keyless flags given; keyless verification is not available in this build, keyless evidence is reported as not performed".to_owned()
    }))
}

//! `custody verify ARTIFACT... --bundle FILE...`: flags in, a [`Request`] to the library, a
//! report out.
//!
//! Flags are shorthand for the policy: `--builder-id`, `--source-*` and `--build-workflow-input`
//! replace the matching policy entries, `--key` adds to its keys, `--threshold` overrides it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::ArgGroup;

use super::fatal;
use super::output::{Format, ReportArgs, emit};
use crate::artifact::ArtifactSpec;
use crate::check::Check;
use crate::limits::MAX_KEYS;
use crate::policy::{BuilderId, Identity, Policy, RefRule, rules};
use crate::signature::codes::KEY_UNUSABLE;
use crate::signature::{KeyError, KeylessTrust, Keyring, PublicKey};
use crate::sigstore::{TrustedRoot, WholeMatch};
use crate::source::Checkout;
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
    #[command(flatten)]
    pub report: ReportArgs,

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
    /// Trusted builder id; without @ref, any ref of that builder. With keyless evidence and no
    /// --certificate-identity, a github.com builder also pins the signer. Repeatable.
    #[arg(long, value_name = "ID")]
    pub builder_id: Vec<String>,
    /// A workflow input the build must have had. Repeatable.
    #[arg(long, value_name = "KEY=VALUE", num_args = 1..)]
    pub build_workflow_input: Vec<String>,

    /// Sigstore trusted_root.json for keyless verification (default: the built-in public-good
    /// production root).
    #[arg(long, value_name = "FILE", conflicts_with = "staging")]
    pub trusted_root: Option<PathBuf>,
    /// Use the built-in Sigstore public-good staging root (keyless).
    #[arg(long)]
    pub staging: bool,
    /// Keyless: the certificate identity (SAN) that must have signed. Keyless evidence needs an
    /// identity (this, -regexp, --builder-id or the policy); there is no "any signer" default.
    #[arg(long, value_name = "ID", conflicts_with_all = ["certificate_identity_regexp", "keys"])]
    pub certificate_identity: Option<String>,
    /// Keyless: a regular expression the whole certificate identity must match.
    #[arg(long, value_name = "RE", conflicts_with = "keys")]
    pub certificate_identity_regexp: Option<String>,
    /// Keyless: the OIDC issuer of the certificate.
    #[arg(long, value_name = "URL", conflicts_with_all = ["certificate_oidc_issuer_regexp", "keys"])]
    pub certificate_oidc_issuer: Option<String>,
    /// Keyless: a regular expression the whole OIDC issuer must match.
    #[arg(long, value_name = "RE", conflicts_with = "keys")]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// A checkout of the reviewed source: the provenance must name its commit and repository,
    /// its working tree must be that commit (for HEAD; every byte is read, with no stat cache:
    /// a verifier re-reads), and the policy's [review] rules apply.
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
    let keyless = keyless_trust(&args, &mut policy, &mut notes)?;

    let mut keys = std::mem::take(&mut policy.keys);
    let mut preflight = Vec::new();
    for path in &args.keys {
        match PublicKey::from_file(path) {
            Ok(k) => keys.push(k),
            // A key that cannot be read at all stops custody; one that was read but cannot be
            // used is a failing check, like a wrong key.
            Err(e @ (KeyError::Io { .. } | KeyError::NotAKeyFile { .. })) => {
                return Err(format!("--key {}: {e}", path.display()));
            }
            Err(e) => preflight.push(Check::fail(
                KEY_UNUSABLE,
                format!("--key {}: {e}", path.display()),
            )),
        }
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
    let source = match &args.source {
        Some(dir) => Some(
            Checkout::open(dir, args.source_rev.as_deref())
                .map_err(|e| format!("--source: {e}"))?,
        ),
        None => None,
    };
    let request = Request {
        source,
        artifacts,
        attestations: args.bundles,
        keyring: Keyring::new(keys, threshold),
        keyless,
        policy,
        preflight,
        now,
        notes,
    };
    Ok((request, args.report.format(), args.report.output))
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

/// The issuer of GitHub Actions' OIDC tokens, which signs every github.com builder.
const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The trusted root and accepted identities for keyless evidence. The identity flags replace
/// the policy's identities; without them, `--builder-id` pins the signer to the builder.
fn keyless_trust(
    args: &VerifyArgs,
    policy: &mut Policy,
    notes: &mut BTreeMap<String, serde_json::Value>,
) -> Result<KeylessTrust, String> {
    let root = match (&args.trusted_root, args.staging) {
        (Some(path), _) => TrustedRoot::from_file(path),
        (None, true) => TrustedRoot::staging(),
        (None, false) => TrustedRoot::production(),
    }
    .map_err(|e| format!("--trusted-root: {e}"))?;

    let any_flag = args.certificate_identity.is_some()
        || args.certificate_identity_regexp.is_some()
        || args.certificate_oidc_issuer.is_some()
        || args.certificate_oidc_issuer_regexp.is_some();
    let identities = if any_flag {
        vec![
            Identity::new(
                args.certificate_identity.as_deref(),
                args.certificate_identity_regexp.as_deref(),
                args.certificate_oidc_issuer.as_deref(),
                args.certificate_oidc_issuer_regexp.as_deref(),
                false,
            )
            .map_err(|e| format!("--certificate-identity / --certificate-oidc-issuer: {e}"))?,
        ]
    } else if !args.builder_id.is_empty() {
        // Builders outside github.com have no known OIDC issuer: they pin no signer, and
        // keyless evidence then fails for want of an identity (identity-not-specified).
        policy
            .builder_ids
            .iter()
            .filter_map(|b| builder_identity(b.as_str()).transpose())
            .collect::<Result<_, _>>()?
    } else {
        std::mem::take(&mut policy.identities)
    };
    if !identities.is_empty() {
        let shown: Vec<String> = identities.iter().map(ToString::to_string).collect();
        notes.insert("keyless_identities".to_owned(), shown.into());
    }
    if identities.iter().any(|i| i.dangerous_any_identity) {
        notes.insert(
            "dangerous_any_identity".to_owned(),
            "DANGEROUS: the policy accepts keyless signatures from ANY identity of its issuer"
                .into(),
        );
    }
    if policy.dangerous_accept_unlogged {
        notes.insert(
            "dangerous_accept_unlogged".to_owned(),
            "DANGEROUS: the policy accepts keyless evidence without a transparency log entry"
                .into(),
        );
    }
    Ok(KeylessTrust {
        root: std::sync::Arc::new(root),
        identities,
        dangerous_accept_unlogged: policy.dangerous_accept_unlogged,
    })
}

/// `--builder-id` as a signer: the certificate identity is the builder's workflow, at the given
/// ref, or at any ref without `@`. Only github.com builders, whose issuer is known.
fn builder_identity(builder: &str) -> Result<Option<Identity>, String> {
    if !builder.starts_with("https://github.com/") {
        return Ok(None);
    }
    let mut id = Identity::new(
        Some(builder),
        None,
        Some(GITHUB_ACTIONS_ISSUER),
        None,
        false,
    )?;
    if !builder.contains('@') {
        id.certificate_identity = None;
        id.certificate_identity_regexp = Some(
            WholeMatch::new(&format!("{}@.+", regex::escape(builder)))
                .map_err(|e| e.to_string())?,
        );
    }
    Ok(Some(id))
}

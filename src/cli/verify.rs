//! `custody verify ARTIFACT... --bundle FILE...`: flags in, a [`Request`] to the library, a
//! report out.
//!
//! Flags are shorthand for the policy: `--builder-id`, `--source-*` and `--build-workflow-input`
//! replace the matching policy entries, `--key` adds to its keys, `--threshold` overrides it.

use std::path::PathBuf;

use clap::ArgGroup;

use super::fatal;
use super::output::{Format, ReportArgs, emit};
use crate::artifact::ArtifactSpec;
use crate::policy::{BuilderId, Policy, RefRule, rules};
use crate::source::Checkout;
use crate::trust;
use crate::verdict::Notes;
use crate::verify::{self, Request};

const AFTER_HELP: &str = "\
Checks, for every artifact: each bundle or attestation file's signatures (a --key, or a keyless
certificate checked against the Sigstore trusted root and the identity you name), that a verified
statement names the artifact's digest, then the policy's rules and the slsa-verifier-style flags
(builder, source repository and ref, age, workflow inputs). With --source DIR, the checkout must be
the commit the provenance names, with a clean working tree and the policy's [review] rules; a
policy's [reproduce] section compares or rebuilds the artifact from that commit. Everything is
verified offline.

Examples:
  custody verify app.tgz --bundle app.tgz.sigstore.json --key release.pub
  custody verify app.tgz --bundle app.intoto.jsonl --source-uri github.com/org/app \\
      --source-tag v1.2.0 --policy policies/slsa-github-generator.toml
  custody verify pkg-1.0.tar.gz --bundle pkg-1.0.tar.gz.sigstore.json \\
      --certificate-identity-regexp 'https://github\\.com/org/pkg/\\.github/workflows/.*' \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com
  custody verify dist/*.whl --bundle provenance.intoto.jsonl --policy release.toml --source . --json
  custody verify sha256:HEX --bundle bundle.json --key release.pub    by digest alone

Exit codes: 0 every check passed for every artifact, 1 a check failed, 2 custody could not run
(bad flags, an invalid policy or trusted root, an input that cannot be read at all).
Run `custody explain CODE` for what a check code in the report means.";

#[derive(clap::Args, Debug)]
#[command(
    group(ArgGroup::new("source-ref").args(["source_tag", "source_versioned_tag", "source_branch"])),
    after_help = AFTER_HELP
)]
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
        Some(path) => super::load_policy(path)?,
        None => Policy::default(),
    };
    let mut notes = Notes {
        policy: policy.file.as_ref().map(|p| p.display().to_string()),
        ..Notes::default()
    };
    apply_flags(&args, &mut policy)?;
    let keyless = trust::keyless(
        &mut policy,
        &trust::KeylessFlags {
            trusted_root: args.trusted_root.clone(),
            staging: args.staging,
            certificate_identity: args.certificate_identity.clone(),
            certificate_identity_regexp: args.certificate_identity_regexp.clone(),
            certificate_oidc_issuer: args.certificate_oidc_issuer.clone(),
            certificate_oidc_issuer_regexp: args.certificate_oidc_issuer_regexp.clone(),
            builder_id_given: !args.builder_id.is_empty(),
            // Attestations read from an OCI image layout are about images.
            images: args
                .bundles
                .iter()
                .any(|b| crate::attest::oci::is_layout(b)),
            keys_given: !args.keys.is_empty(),
        },
        &mut notes,
    )
    .map_err(|e| e.to_string())?;
    let (keyring, preflight) = trust::keyring(
        &policy,
        &trust::KeyFlags {
            keys: args.keys.clone(),
            threshold: args.threshold.map(|t| t as usize),
        },
        &mut notes,
    )
    .map_err(|e| e.to_string())?;
    let signers = trust::signers(&policy).map_err(|e| e.to_string())?;
    let now = super::unix_now();
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
        keyring,
        keyless,
        signers,
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

//! `custody verify-npm-package`: slsa-verifier's `verify-npm-package`, with its flags. An npm
//! package has two attestations in one document (`npm view PKG --json` → dist.attestations.url):
//! the registry's publish attestation, signed with the npm registry's key (built in), and the
//! build's SLSA provenance, signed keyless by the publishing workflow. Both must verify and
//! agree (`crate::checks::npm`).

use std::path::PathBuf;

use super::fatal;
use super::output::{ReportArgs, emit};
use crate::artifact::ArtifactSpec;
use crate::check::Check;
use crate::checks::{npm, provenance};
use crate::policy::{BuilderId, KeySpec, Located, NpmRule, NpmRunner, Policy, rules};
use crate::sigstore::{Extension, Identity, WholeMatch};
use crate::trust;
use crate::verdict::Notes;
use crate::verify::{self, Request};

const AFTER_HELP: &str = "\
--builder-id names who built the package: for `npm publish --provenance` in your own workflow,
the runner (https://github.com/actions/runner/github-hosted, .../self-hosted, or
https://github.com/actions/runner, which SLSA v1 provenance never names); for
slsa-github-generator's Node.js builder, its workflow
(https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_nodejs_slsa3.yml).
The provenance's signer must be a workflow of --source-uri; provenance a workflow wrote itself
must name the source its signing certificate names. The publish attestation is checked with the
npm registry's attestation key, built in (--key replaces it).

Examples:
  custody verify-npm-package sigstore-2.3.1.tgz --attestations-path sigstore-2.3.1.attestations.json \\
      --source-uri github.com/sigstore/sigstore-js \\
      --builder-id https://github.com/actions/runner/github-hosted \\
      --package-name sigstore --package-version 2.3.1

Exit codes: 0 both attestations verified and agree, 1 a check failed, 2 custody could not run
(bad flags, an input that cannot be read).";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct VerifyNpmPackageArgs {
    /// The package tarball (.tgz), or sha256:HEX (then its sha512 is unknown and the
    /// attestations cannot be matched to it).
    #[arg(value_name = "TARBALL")]
    pub tarball: String,
    /// The npm attestations document ({"attestations": [...]}).
    #[arg(long, value_name = "FILE")]
    pub attestations_path: PathBuf,
    /// The repository the package was built from, e.g. github.com/org/repo.
    #[arg(long, value_name = "URI")]
    pub source_uri: String,
    /// The builder: a runner for npm CLI provenance, or a reusable workflow (see below).
    #[arg(long, value_name = "ID")]
    pub builder_id: Option<String>,
    /// The package name both attestations must name (with its @scope/).
    #[arg(long, value_name = "NAME")]
    pub package_name: Option<String>,
    /// The package version both attestations must name.
    #[arg(long, value_name = "VERSION")]
    pub package_version: Option<String>,
    /// The npm registry's attestation key (PEM), instead of the built-in one.
    #[arg(long, value_name = "PUBLIC_KEY_FILE")]
    pub key: Option<PathBuf>,
    /// Sigstore trusted_root.json for the provenance (default: the public-good production root).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: VerifyNpmPackageArgs) -> u8 {
    match prepare(args) {
        Ok((request, report)) => match verify::run(request) {
            Ok(run) => emit(&run, report.format(), report.output.as_deref(), ""),
            Err(e) => fatal(e),
        },
        Err(e) => fatal(e),
    }
}

fn prepare(args: VerifyNpmPackageArgs) -> Result<(Request, ReportArgs), String> {
    let artifact = ArtifactSpec::parse(&args.tarball).map_err(|e| e.to_string())?;
    let repository =
        rules::repository(&args.source_uri).map_err(|e| format!("--source-uri: {e}"))?;
    let mut policy = Policy::default();
    policy.source.uri = Some(repository.clone());
    let runner = args.builder_id.as_deref().and_then(NpmRunner::parse);
    policy.npm = Some(NpmRule {
        package_name: args.package_name.clone(),
        package_version: args.package_version.clone(),
        runner,
    });
    // The provenance's signer: any workflow of the repository for npm CLI provenance (its
    // runner judged by the npm checks), or the builder for a reusable workflow. Without a
    // builder id, or with one that is neither, no signer is trusted: the provenance fails
    // (identity-not-specified), as slsa-verifier refuses it.
    let mut identities = Vec::new();
    match (args.builder_id.as_deref(), runner) {
        (Some(_), Some(_)) => {
            let workflows = format!("https://{}/.+", regex::escape(&repository));
            identities.push(Identity {
                certificate_identity: None,
                certificate_identity_regexp: Some(
                    WholeMatch::new(&workflows).map_err(|e| e.to_string())?,
                ),
                oidc_issuer: Some(crate::generator::GITHUB_ACTIONS_ISSUER.to_owned()),
                oidc_issuer_regexp: None,
                dangerous_any_identity: false,
                extensions: vec![(
                    Extension::SourceRepositoryUri,
                    format!("https://{repository}"),
                )],
            });
        }
        (Some(b), None) if b.starts_with("https://github.com/") => {
            policy.builder_ids =
                vec![BuilderId::parse(b).map_err(|e| format!("--builder-id: {e}"))?];
        }
        _ => {}
    }
    policy.identities = identities;
    // Checks decided by the flags alone, failing the package whatever its attestations say.
    let mut refused = Vec::new();
    match args.builder_id.as_deref() {
        None => refused.push(Check::fail(
            provenance::Code::BuilderIdNotAccepted,
            "verify-npm-package needs --builder-id: the runner (npm publish --provenance) or the \
             reusable workflow that built the package",
        )),
        Some(b) if runner.is_none() && b.starts_with("https://github.com/actions/runner") => {
            refused.push(Check::fail(
                npm::Code::NpmRunnerMismatch,
                format!(
                    "--builder-id {b} is no runner: use https://github.com/actions/runner/github-hosted, \
                     .../self-hosted or https://github.com/actions/runner"
                ),
            ))
        }
        _ => {}
    }
    if args.key.is_none() {
        policy.keys.push(Located {
            value: KeySpec::Pem {
                pem: trust::NPM_REGISTRY_KEY.to_owned(),
                name: "npm registry attestation key (built in)".to_owned(),
            },
            span: 0..0,
        });
    }
    let mut notes = Notes::default();
    let builder_id_given = !policy.builder_ids.is_empty();
    let keyless = trust::keyless(
        &mut policy,
        &trust::KeylessFlags {
            trusted_root: args.trusted_root.clone(),
            staging: false,
            builder_id_given,
            ..trust::KeylessFlags::default()
        },
        &mut notes,
    )
    .map_err(|e| e.to_string())?;
    let (keyring, preflight) = trust::keyring(
        &policy,
        &trust::KeyFlags {
            keys: args.key.iter().cloned().collect(),
            threshold: None,
        },
        &mut notes,
    )
    .map_err(|e| e.to_string())?;
    let now = super::unix_now();
    let request = Request {
        source: None,
        artifacts: vec![artifact],
        attestations: vec![args.attestations_path],
        keyring,
        keyless,
        signers: trust::signers(&policy).map_err(|e| e.to_string())?,
        policy,
        preflight: preflight.into_iter().chain(refused).collect(),
        now,
        notes,
    };
    Ok((request, args.report))
}

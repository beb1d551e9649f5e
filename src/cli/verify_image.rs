//! `custody verify-image`: slsa-verifier's `verify-image`, with its flags. The image is named by
//! digest and never fetched. Its provenance is either Google Cloud Build's, as `gcloud artifacts
//! docker images describe IMAGE --show-provenance --format json` prints it (`--provenance-path`,
//! judged by `crate::checks::gcb`), or the cosign attestations of a local OCI image layout
//! (`LAYOUT@sha256:DIGEST`, from GitHub's container generator), verified as `custody verify`
//! verifies any bundle, with slsa-verifier's trust for images.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::fatal;
use super::output::{ReportArgs, emit};
use crate::check::Check;
use crate::checks::gcb::{self, Expect, NamedKey};
use crate::policy::{BuilderId, RefRule};
use crate::verdict::{ArtifactVerdict, RunVerdict, Sections};

const AFTER_HELP: &str = "\
With --provenance-path, reads Google Cloud Build provenance (SLSA v0.1, builders
GoogleHostedWorker@v0.2 and @v0.3). The signing keys are Cloud Build's public keys, passed with
--key and named as slsa-verifier names them: REGION.key for a region's builtByGCB key,
global-pae-provenanceSigner_1.key and global-pae-google-hosted-worker_1.key for the global ones;
a signature is tried only with the key its keyid names.

Without it, IMAGE is a local OCI image layout with the image's cosign attestations (`cosign save
IMAGE --dir DIR`, then DIR@sha256:DIGEST): keyless provenance from slsa-github-generator's
container generator, which is trusted by default when only --source-uri is given.

Examples:
  custody verify-image ./app-layout@sha256:HEX --source-uri github.com/org/app --source-tag v1.2.0
  custody verify-image us-west2-docker.pkg.dev/p/repo/app@sha256:HEX \\
      --provenance-path app.gcloud.json --key keys/us-west2.key --key keys/global.key \\
      --builder-id https://cloudbuild.googleapis.com/GoogleHostedWorker \\
      --source-uri github.com/org/app --source-versioned-tag v1

Exit codes: 0 the provenance verified and says what was asked, 1 a check failed, 2 custody could
not run (bad flags, a key or provenance file that cannot be read).";

#[derive(clap::Args, Debug)]
#[command(
    group(clap::ArgGroup::new("source-ref").args(["source_tag", "source_versioned_tag", "source_branch"])),
    after_help = AFTER_HELP
)]
pub struct VerifyImageArgs {
    /// The image, by digest: NAME@sha256:HEX.
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// gcloud's Cloud Build provenance JSON for the image.
    #[arg(long, value_name = "FILE")]
    pub provenance_path: Option<PathBuf>,
    /// A Cloud Build public key (PEM), named by region. Repeatable.
    #[arg(long, value_name = "PUBLIC_KEY_FILE")]
    pub key: Vec<PathBuf>,
    /// The builder: https://cloudbuild.googleapis.com/GoogleHostedWorker[@v0.2|@v0.3].
    #[arg(long, value_name = "ID")]
    pub builder_id: Option<String>,
    /// The repository the image was built from, e.g. github.com/org/repo.
    #[arg(long, value_name = "URI")]
    pub source_uri: Option<String>,
    /// The tag the image was built from (the build's TAG_NAME).
    #[arg(long, value_name = "TAG")]
    pub source_tag: Option<String>,
    /// A semver tag, vX[.Y[.Z]], the build's TAG_NAME must be compatible with.
    #[arg(long, value_name = "vX[.Y[.Z]]")]
    pub source_versioned_tag: Option<String>,
    /// Not recorded by Cloud Build provenance: always fails, as in slsa-verifier.
    #[arg(long, value_name = "BRANCH")]
    pub source_branch: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: VerifyImageArgs) -> u8 {
    let verdict = if args.provenance_path.is_none() {
        layout_request(&args)
            .and_then(|request| crate::verify::run(request).map_err(|e| e.to_string()))
    } else {
        judge(&args)
    };
    match verdict {
        Ok(run) => emit(
            &run,
            args.report.format(),
            args.report.output.as_deref(),
            "",
        ),
        Err(e) => fatal(e),
    }
}

fn judge(args: &VerifyImageArgs) -> Result<RunVerdict, String> {
    let builder = args
        .builder_id
        .as_deref()
        .map(|b| BuilderId::parse(b).map_err(|e| format!("--builder-id: {e}")))
        .transpose()?;
    let tag = match (&args.source_tag, &args.source_versioned_tag) {
        (Some(t), _) => Some(RefRule::tag(t).map_err(|e| format!("--source-tag: {e}"))?),
        (_, Some(v)) => {
            Some(RefRule::versioned_tag(v).map_err(|e| format!("--source-versioned-tag: {e}"))?)
        }
        _ => None,
    };
    let keys = args
        .key
        .iter()
        .map(|k| NamedKey::from_file(k).map_err(|e| format!("--key {}: {e}", k.display())))
        .collect::<Result<Vec<_>, _>>()?;
    let provenance = args
        .provenance_path
        .as_deref()
        .unwrap_or(std::path::Path::new(""));
    let origin = provenance.display().to_string();
    let text = crate::attest::read_bounded(provenance).map_err(|e| format!("provenance {e}"))?;
    let digest = args
        .image
        .rsplit_once("@sha256:")
        .map(|(_, d)| d.to_ascii_lowercase())
        .filter(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()));
    let mut checks = Vec::new();
    match (&digest, &builder) {
        (None, _) => checks.push(Check::fail(
            gcb::Code::MutableImage,
            format!("{}: name the image by digest, NAME@sha256:HEX", args.image),
        )),
        (Some(_), Some(b)) if b.name() != gcb::BUILDER => checks.push(Check::fail(
            gcb::Code::GcbBuilderMismatch,
            format!(
                "--builder-id {}: verify-image reads Google Cloud Build provenance ({}) only",
                b.as_str(),
                gcb::BUILDER
            ),
        )),
        (Some(d), _) => match crate::attest::json::parse(&text) {
            Ok(doc) => checks.extend(gcb::evaluate(
                &origin,
                &doc,
                &keys,
                &Expect {
                    digest: d,
                    builder_id: builder.as_ref(),
                    source_uri: args.source_uri.as_deref(),
                    tag: tag.as_ref(),
                    branch: args.source_branch.as_deref(),
                },
            )),
            Err(m) => checks.push(Check::fail(m.code, format!("{origin}: {}", m.message))),
        },
    }
    let digests: BTreeMap<String, String> = digest
        .iter()
        .map(|d| ("sha256".to_owned(), d.clone()))
        .collect();
    Ok(RunVerdict::new(
        "verify-image",
        vec![ArtifactVerdict::new(
            args.image.clone(),
            digests,
            checks,
            Sections::default(),
        )],
    ))
}

/// `custody verify LAYOUT --bundle LAYOUT` for an image in a local OCI layout, with
/// slsa-verifier's trust for images.
fn layout_request(args: &VerifyImageArgs) -> Result<crate::verify::Request, String> {
    use crate::policy::{Policy, rules};
    let Some((layout, digest)) = args.image.rsplit_once("@sha256:") else {
        return Err(format!(
            "{}: name the image by digest, LAYOUT@sha256:HEX (a tag can be moved)",
            args.image
        ));
    };
    let layout = PathBuf::from(layout);
    if !crate::attest::oci::is_layout(&layout) {
        return Err(format!(
            "{}: not a local OCI image layout; custody reads an image's attestations from one \
             (cosign save IMAGE --dir DIR, then DIR@sha256:DIGEST), or Cloud Build provenance \
             with --provenance-path",
            layout.display()
        ));
    }
    let artifact = crate::artifact::ArtifactSpec::parse(&format!("sha256:{digest}"))
        .map_err(|e| e.to_string())?;
    let mut policy = Policy::default();
    if let Some(uri) = &args.source_uri {
        policy.source.uri = Some(rules::repository(uri).map_err(|e| format!("--source-uri: {e}"))?);
    }
    policy.source.git_ref = match (
        &args.source_tag,
        &args.source_versioned_tag,
        &args.source_branch,
    ) {
        (Some(t), _, _) => Some(RefRule::tag(t).map_err(|e| format!("--source-tag: {e}"))?),
        (_, Some(v), _) => {
            Some(RefRule::versioned_tag(v).map_err(|e| format!("--source-versioned-tag: {e}"))?)
        }
        (_, _, Some(b)) => Some(RefRule::branch(b).map_err(|e| format!("--source-branch: {e}"))?),
        _ => None,
    };
    if let Some(b) = &args.builder_id {
        policy.builder_ids = vec![BuilderId::parse(b).map_err(|e| format!("--builder-id: {e}"))?];
    }
    let mut notes = crate::verdict::Notes::default();
    let keyless = crate::trust::keyless(
        &mut policy,
        &crate::trust::KeylessFlags {
            builder_id_given: args.builder_id.is_some(),
            images: true,
            keys_given: !args.key.is_empty(),
            ..crate::trust::KeylessFlags::default()
        },
        &mut notes,
    )
    .map_err(|e| e.to_string())?;
    let (keyring, preflight) = crate::trust::keyring(
        &policy,
        &crate::trust::KeyFlags {
            keys: args.key.clone(),
            threshold: None,
        },
        &mut notes,
    )
    .map_err(|e| e.to_string())?;
    let now = super::unix_now();
    Ok(crate::verify::Request {
        source: None,
        artifacts: vec![artifact],
        attestations: vec![layout],
        keyring,
        keyless,
        signers: crate::trust::signers(&policy).map_err(|e| e.to_string())?,
        policy,
        preflight,
        now,
        notes,
    })
}

//! `custody verify-vsa`: slsa-verifier's `verify-vsa`, with its flags, so that a command that
//! checks a SLSA Verification Summary Attestation keeps working when custody runs it.

use std::path::PathBuf;
use std::sync::Arc;

use super::fatal;
use super::output::{ReportArgs, emit};
use crate::checks::vsa::Expect;
use crate::key::PublicKey;
use crate::sigstore::TrustedRoot;
use crate::verify::vsa::{VsaRequest, run as run_vsa};

const AFTER_HELP: &str = "\
A VSA is another verifier's signed word that a resource passed its policy. custody checks it as
slsa-verifier does: the envelope's signature by --public-key-path (a signature whose keyid is set
and differs from --public-key-id, or without that flag from the key's OpenSSH SHA256 fingerprint,
is not tried), then that the VSA names every --subject-digest, comes from --verifier-id, is about
--resource-uri, says PASSED, and has every --verified-level (SLSA_TRACK_LEVEL_N: that track at N
or above; any other level verbatim). Every rule is reported, not only the first that fails.

Examples:
  custody verify-vsa --attestation-path image.vsa.jsonl --public-key-path vsa.pem \\
      --public-key-id keystore://76574:prod:vsa_signing_public_key \\
      --subject-digest gce_image_id:8970095005306000053 \\
      --verifier-id https://bcid.corp.google.com/verifier/bcid_package_enforcer/v0.1 \\
      --resource-uri gce_image://gke-node-images:gke-12615 --verified-level SLSA_BUILD_LEVEL_2

Exit codes: 0 the VSA verified and says what was asked, 1 a check failed, 2 custody could not
run (bad flags, a key or attestation that cannot be read).";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct VerifyVsaArgs {
    /// A digest the VSA must name, TYPE:VALUE (sha256:HEX, gce_image_id:N, ...). Repeatable;
    /// at least one is needed for the VSA to pass.
    #[arg(long, value_name = "TYPE:VALUE")]
    pub subject_digest: Vec<String>,
    /// The VSA: a DSSE envelope, .intoto.jsonl or Sigstore bundle.
    #[arg(long, value_name = "FILE")]
    pub attestation_path: PathBuf,
    /// The verifier the VSA must come from (predicate.verifier.id).
    #[arg(long, value_name = "URI")]
    pub verifier_id: Option<String>,
    /// The resource the VSA must be about (predicate.resourceUri).
    #[arg(long, value_name = "URI")]
    pub resource_uri: Option<String>,
    /// A level the VSA must have verified, e.g. SLSA_BUILD_LEVEL_2 (or higher) or BCID_L1.
    /// Repeatable.
    #[arg(long, value_name = "LEVEL")]
    pub verified_level: Vec<String>,
    /// The verifier's public key (PEM SubjectPublicKeyInfo).
    #[arg(long, value_name = "FILE")]
    pub public_key_path: PathBuf,
    /// The key id the verifier signs with (default: the key's OpenSSH SHA256 fingerprint).
    #[arg(long, value_name = "ID")]
    pub public_key_id: Option<String>,
    /// Print the verified VSA statement(s) as JSON to standard error as well.
    #[arg(long)]
    pub print_attestation: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: VerifyVsaArgs) -> u8 {
    let key = match PublicKey::from_file(&args.public_key_path) {
        Ok(k) => k,
        Err(e) => {
            return fatal(format!(
                "--public-key-path {}: {e}",
                args.public_key_path.display()
            ));
        }
    };
    let root = match TrustedRoot::production() {
        Ok(r) => Arc::new(r),
        Err(e) => return fatal(format!("the built-in trusted root: {e}")),
    };
    let request = VsaRequest {
        attestation: args.attestation_path,
        key,
        key_id: args.public_key_id.filter(|k| !k.is_empty()),
        expect: Expect {
            subject_digests: args.subject_digest,
            verifier_id: args.verifier_id,
            resource_uri: args.resource_uri,
            verified_levels: args.verified_level,
        },
        root,
    };
    match run_vsa(request) {
        Ok(report) => {
            if args.print_attestation {
                for v in report
                    .artifacts
                    .iter()
                    .flat_map(|a| a.sections.verified.iter().flatten())
                {
                    eprintln!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
                }
            }
            emit(
                &report,
                args.report.format(),
                args.report.output.as_deref(),
                "",
            )
        }
        Err(e) => fatal(e),
    }
}

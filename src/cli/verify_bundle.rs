//! `custody verify-bundle`: the sigstore-conformance CLI protocol's verify command, so the
//! conformance harness can drive custody. Its flags map one to one onto `custody verify`:
//!
//! ```text
//! verify-bundle [--staging] --bundle FILE --certificate-identity ID --certificate-oidc-issuer URL
//!               [--trusted-root FILE] FILE_OR_DIGEST
//! verify-bundle [--staging] --bundle FILE --key KEY [--trusted-root FILE] FILE_OR_DIGEST
//! ```
//!
//! FILE_OR_DIGEST is a digest when it is `sha256:` and 64 hex digits and not a path on disk,
//! else a file path, as the protocol says.

use std::path::PathBuf;

use super::output::{Format, ReportArgs};
use super::verify::VerifyArgs;

#[derive(clap::Args, Debug)]
pub struct VerifyBundleArgs {
    /// Use the Sigstore staging instance's built-in trusted root.
    #[arg(long, conflicts_with = "trusted_root")]
    pub staging: bool,
    /// The Sigstore bundle to verify.
    #[arg(long, value_name = "FILE")]
    pub bundle: PathBuf,
    /// The identity (SAN) the signing certificate must have (required without --key).
    #[arg(
        long,
        value_name = "IDENTITY",
        conflicts_with = "key",
        required_unless_present = "key"
    )]
    pub certificate_identity: Option<String>,
    /// The OIDC issuer the signing certificate must have (required without --key).
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "key",
        required_unless_present = "key"
    )]
    pub certificate_oidc_issuer: Option<String>,
    /// A PEM public key, for bundles signed with a key.
    #[arg(long, value_name = "PATH_TO_KEY")]
    pub key: Option<PathBuf>,
    /// A custom trusted_root.json.
    #[arg(long, value_name = "TRUSTROOT")]
    pub trusted_root: Option<PathBuf>,
    /// The artifact, or its digest as sha256:HEX.
    #[arg(value_name = "FILE_OR_DIGEST")]
    pub file_or_digest: String,
}

pub fn run(args: VerifyBundleArgs) -> u8 {
    super::verify::run(to_verify_args(args))
}

/// The equivalent `custody verify` invocation.
pub fn to_verify_args(args: VerifyBundleArgs) -> VerifyArgs {
    let artifact = if is_digest(&args.file_or_digest) {
        args.file_or_digest
    } else {
        // A path: made explicit so that a file named like a digest is still read as a file.
        let p = PathBuf::from(&args.file_or_digest);
        if p.is_relative() && args.file_or_digest.starts_with("sha256:") {
            format!("./{}", args.file_or_digest)
        } else {
            args.file_or_digest
        }
    };
    VerifyArgs {
        artifacts: vec![artifact],
        bundles: vec![args.bundle],
        keys: args.key.into_iter().collect(),
        threshold: None,
        policy: None,
        report: ReportArgs {
            format: Format::Human,
            json: false,
            output: None,
        },
        source_uri: None,
        source_tag: None,
        source_versioned_tag: None,
        source_branch: None,
        builder_id: Vec::new(),
        build_workflow_input: Vec::new(),
        trusted_root: args.trusted_root,
        staging: args.staging,
        certificate_identity: args.certificate_identity,
        certificate_identity_regexp: None,
        certificate_oidc_issuer: args.certificate_oidc_issuer,
        certificate_oidc_issuer_regexp: None,
        source: None,
        source_rev: None,
    }
}

/// `sha256:` and 64 hex digits, and not an existing path.
fn is_digest(text: &str) -> bool {
    text.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        && !std::path::Path::new(text).exists()
}

//! Policy: what a verified artifact must also satisfy, from a TOML file (`--policy FILE`) or
//! the equivalent flags.
//!
//! Like cargo-deny's config: the file is parsed into spanned raw types (`raw`), then validated
//! into the types below; unknown keys and bad values are [`Diagnostic`]s naming file, line and
//! column. Evaluation against *verified* evidence lives in `evaluate`.

mod diagnostic;
mod range;
mod raw;
mod reproduce;
pub mod rules;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use diagnostic::Diagnostic;
pub use range::{DEFAULT_REGISTRIES, RangeRule};
use raw::RawPolicy;
pub use reproduce::{Accept, Reproduce, ReproduceMode};
pub use rules::{BuilderId, Identity, RefRule};
use toml::Spanned;

use crate::limits::MAX_POLICY_FILE;
use crate::sigstore::Extension;

/// Why a policy could not be used (custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The file could not be read.
    #[error("policy {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A FIFO, directory or device, or larger than [`MAX_POLICY_FILE`].
    #[error("policy {path}: not a regular file of at most {MAX_POLICY_FILE} bytes")]
    NotAPolicyFile { path: PathBuf },
    /// The file parsed but is not a valid policy: every problem found, in file order.
    #[error("{}", Diagnostics(.0))]
    Invalid(Vec<Diagnostic>),
}

struct Diagnostics<'a>(&'a [Diagnostic]);

impl fmt::Display for Diagnostics<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// A value of the policy and where in the file it was written, so that whoever uses it later
/// (the trust loader reading a key file) can point at the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// A trusted key as the policy names it: a file (relative to the policy's directory, already
/// joined) or inline PEM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySpec {
    File(PathBuf),
    Pem { pem: String, name: String },
}

/// A validated policy. `Default` is the empty policy: judge nothing beyond signatures and
/// subjects. Validation reads no file: keys and signers are named here and loaded by
/// `crate::trust`.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// The file it came from, if any.
    pub file: Option<PathBuf>,
    /// The file's text, for diagnostics about the values it names.
    pub text: String,
    pub keys: Vec<Located<KeySpec>>,
    pub threshold: Option<usize>,
    pub identities: Vec<Identity>,
    /// Accept keyless evidence without a transparency log entry (`[signatures]
    /// dangerous-accept-unlogged`).
    pub dangerous_accept_unlogged: bool,
    /// How many log entries and RFC 3161 timestamps a keyless bundle needs.
    pub time_sources: TimeSources,
    /// An npm package's attestations (`custody verify-npm-package`).
    pub npm: Option<NpmRule>,
    /// Accepted predicate types; empty accepts any.
    pub predicate_types: Vec<String>,
    /// Accepted builder ids; empty accepts any.
    pub builder_ids: Vec<BuilderId>,
    /// Accepted SLSA build types; empty accepts any.
    pub build_types: Vec<String>,
    /// Oldest accepted build, in seconds before now.
    pub max_age: Option<u64>,
    /// The policy's keyless identities accept any repository's workflow: it refuses to run
    /// unless the source repository is pinned (`--source-uri` or `[source] uri`), and the pin
    /// then binds the signing certificate too (`require-source-uri`).
    pub require_source_uri: bool,
    pub source: SourceRule,
    pub slsa: SlsaRule,
    pub review: ReviewRule,
    /// `[reproduce]`: rebuild the artifact, or compare its contents with the source.
    pub reproduce: Option<Reproduce>,
    /// `[range]`: what commits entering a branch may bring (`custody check-range`).
    pub range: RangeRule,
}

/// The source the provenance must name.
#[derive(Clone, Debug, Default)]
pub struct SourceRule {
    /// Normalised repository, `github.com/org/repo`.
    pub uri: Option<String>,
    pub git_ref: Option<RefRule>,
    pub commit: Option<String>,
}

impl SourceRule {
    pub fn is_empty(&self) -> bool {
        self.uri.is_none() && self.git_ref.is_none() && self.commit.is_none()
    }
}

/// Review evidence the reviewed commit must carry (`[review]`), judged from a checkout.
#[derive(Clone, Debug)]
pub struct ReviewRule {
    /// Full refs (`refs/heads/main`) the commit must be reachable from; empty: not judged.
    pub protected_branches: Vec<String>,
    /// Who may sign commits: an SSH allowed_signers file and armored OpenPGP keys (paths
    /// joined to the policy's directory).
    pub allowed_signers: Option<Located<PathBuf>>,
    pub openpgp_keys: Vec<Located<PathBuf>>,
    /// Which commits must carry an allowed signature.
    pub require_signed: SignedCommits,
    /// The trusted base commit (full hex id): history up to it is not judged.
    pub base: Option<String>,
    /// Every change since the base must come through a second person.
    pub two_party: bool,
    /// Distinct allowed signers that make a change two-party on their own.
    pub min_signers: usize,
}

impl Default for ReviewRule {
    fn default() -> Self {
        ReviewRule {
            protected_branches: Vec::new(),
            allowed_signers: None,
            openpgp_keys: Vec::new(),
            require_signed: SignedCommits::None,
            base: None,
            two_party: false,
            min_signers: 2,
        }
    }
}

impl ReviewRule {
    /// Whether the policy asks for any review evidence.
    pub fn is_empty(&self) -> bool {
        self.protected_branches.is_empty()
            && self.require_signed == SignedCommits::None
            && !self.two_party
    }
}

/// Which commits `[review] require-signed` covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedCommits {
    /// None must be signed.
    None,
    /// The release commit.
    Release,
    /// Every commit reachable from the release commit and not from the base.
    SinceBase,
}

/// The thresholds of sigstore-go's verifier options (`WithTransparencyLog(n)`,
/// `WithSignedTimestamps(n)`), from `[signatures] transparency-log-threshold` and
/// `signed-timestamp-threshold`. By default a bundle needs its log entry; a policy may accept
/// a bundle without one only when signed timestamps vouch for its time instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeSources {
    /// 1 (a verified log entry) or 0 (none needed).
    pub log_entries: usize,
    /// Verified RFC 3161 timestamps required, each from a different timestamp authority.
    pub signed_timestamps: usize,
}

impl Default for TimeSources {
    fn default() -> Self {
        TimeSources {
            log_entries: 1,
            signed_timestamps: 0,
        }
    }
}

/// What an npm package's attestations must say (slsa-verifier's `verify-npm-package` flags).
#[derive(Clone, Debug, Default)]
pub struct NpmRule {
    pub package_name: Option<String>,
    pub package_version: Option<String>,
    /// The runner `--builder-id` names, for provenance the npm CLI wrote; `None` when the
    /// builder is a reusable workflow (slsa-github-generator's Node.js builder).
    pub runner: Option<NpmRunner>,
}

/// The GitHub Actions runners `--builder-id` may name for npm CLI provenance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NpmRunner {
    /// `https://github.com/actions/runner`
    Any,
    /// `https://github.com/actions/runner/github-hosted`
    GithubHosted,
    /// `https://github.com/actions/runner/self-hosted`
    SelfHosted,
}

impl NpmRunner {
    pub fn parse(builder_id: &str) -> Option<NpmRunner> {
        match builder_id {
            "https://github.com/actions/runner" => Some(NpmRunner::Any),
            "https://github.com/actions/runner/github-hosted" => Some(NpmRunner::GithubHosted),
            "https://github.com/actions/runner/self-hosted" => Some(NpmRunner::SelfHosted),
            _ => None,
        }
    }

    pub fn builder_id(self) -> &'static str {
        match self {
            NpmRunner::Any => "https://github.com/actions/runner",
            NpmRunner::GithubHosted => "https://github.com/actions/runner/github-hosted",
            NpmRunner::SelfHosted => "https://github.com/actions/runner/self-hosted",
        }
    }
}

/// The most signed timestamps a policy may require (sigstore-go accepts at most 32 in a bundle).
pub const MAX_SIGNED_TIMESTAMPS: usize = 32;

/// SLSA-specific rules.
#[derive(Clone, Debug, Default)]
pub struct SlsaRule {
    /// Fail provenance whose external parameters custody does not recognise and the policy does
    /// not allow (slsa.dev "Verifying artifacts": "Any unrecognized externalParameters SHOULD cause
    /// verification to fail").
    pub reject_unknown_external_parameters: bool,
    /// External parameters accepted without checking: `name`, or `inputs.NAME` for one input.
    pub allowed_external_parameters: Vec<String>,
    /// Workflow inputs that must have these values (`--build-workflow-input`).
    pub workflow_inputs: BTreeMap<String, String>,
}

impl Policy {
    /// Whether any rule needs SLSA provenance to judge.
    pub fn needs_provenance(&self) -> bool {
        !self.builder_ids.is_empty()
            || !self.build_types.is_empty()
            || !self.source.is_empty()
            || self.max_age.is_some()
            || self.slsa.reject_unknown_external_parameters
            || !self.slsa.workflow_inputs.is_empty()
    }

    /// Read and validate a policy file. Key paths in it are relative to the file's directory.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = Policy::read(path)?;
        Policy::parse(path, &text)
    }

    /// Read a policy file's text: a regular file of at most [`MAX_POLICY_FILE`] bytes.
    pub fn read(path: &Path) -> Result<String, PolicyError> {
        let io = |source| PolicyError::Io {
            path: path.to_owned(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if !meta.is_file() || meta.len() > MAX_POLICY_FILE {
            return Err(PolicyError::NotAPolicyFile {
                path: path.to_owned(),
            });
        }
        std::fs::read_to_string(path).map_err(io)
    }

    /// Validate policy text; `path` names it in diagnostics and anchors relative key paths.
    pub fn parse(path: &Path, text: &str) -> Result<Policy, PolicyError> {
        let (policy, diagnostics) = Policy::validate(path, text);
        if diagnostics.is_empty() {
            Ok(policy)
        } else {
            Err(PolicyError::Invalid(diagnostics))
        }
    }

    /// Validate policy text as far as it goes: the policy made of every valid value, and every
    /// problem found, in file order (`policy check` adds the trust loader's to them).
    pub fn validate(path: &Path, text: &str) -> (Policy, Vec<Diagnostic>) {
        let raw: RawPolicy = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let d = Diagnostic::new(path, text, span, e.message().trim_end());
                return (Policy::default(), vec![d]);
            }
        };
        let mut v = Validator {
            path,
            text,
            diagnostics: Vec::new(),
        };
        let mut policy = v.policy(raw);
        policy.file = Some(path.to_owned());
        policy.text = text.to_owned();
        v.diagnostics.sort_by_key(|d| (d.line, d.column));
        (policy, v.diagnostics)
    }
}

/// Turns raw values into policy types, collecting every problem rather than stopping at one.
struct Validator<'a> {
    path: &'a Path,
    text: &'a str,
    diagnostics: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(self.path, self.text, span, message));
    }

    /// Apply a rule parser to a spanned string, recording its error at the value's span.
    fn value<T>(
        &mut self,
        s: &Spanned<String>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        match parse(s.get_ref()) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(s.span(), e);
                None
            }
        }
    }

    fn non_empty_strings(&mut self, list: Option<Vec<Spanned<String>>>, what: &str) -> Vec<String> {
        let mut out = Vec::new();
        for s in list.unwrap_or_default() {
            if s.get_ref().trim().is_empty() {
                self.error(s.span(), format!("{what} must not be empty"));
            } else {
                out.push(s.into_inner());
            }
        }
        out
    }

    fn policy(&mut self, raw: RawPolicy) -> Policy {
        let mut p = Policy {
            predicate_types: self.non_empty_strings(raw.predicate_types, "a predicate type"),
            build_types: self.non_empty_strings(raw.build_types, "a build type"),
            ..Policy::default()
        };
        for b in raw.builder_ids.unwrap_or_default() {
            p.builder_ids.extend(self.value(&b, BuilderId::parse));
        }
        if let Some(age) = raw.max_age {
            p.max_age = self.value(&age, rules::duration);
        }
        p.require_source_uri = raw.require_source_uri.is_some_and(|b| b.into_inner());
        fn s(o: &Option<Spanned<String>>) -> Option<&str> {
            o.as_ref().map(|s| s.get_ref().as_str())
        }
        if let Some(sig) = raw.signatures {
            if let Some(t) = sig.threshold {
                match usize::try_from(*t.get_ref()) {
                    Ok(n) if n >= 1 => p.threshold = Some(n),
                    _ => self.error(t.span(), "threshold must be a whole number of at least 1"),
                }
            }
            for k in sig.keys.unwrap_or_default() {
                let span = k.span();
                if let Some(key) = self.key(k.into_inner(), span) {
                    p.keys.push(key);
                }
            }
            p.dangerous_accept_unlogged = sig
                .dangerous_accept_unlogged
                .is_some_and(|b| b.into_inner());
            if let Some(t) = &sig.signed_timestamp_threshold {
                match usize::try_from(*t.get_ref()) {
                    Ok(n) if n <= MAX_SIGNED_TIMESTAMPS => p.time_sources.signed_timestamps = n,
                    _ => self.error(
                        t.span(),
                        format!(
                            "signed-timestamp-threshold must be a whole number from 0 to {MAX_SIGNED_TIMESTAMPS}"
                        ),
                    ),
                }
            }
            if let Some(t) = &sig.transparency_log_threshold {
                match *t.get_ref() {
                    1 => {}
                    0 if p.time_sources.signed_timestamps >= 1 => p.time_sources.log_entries = 0,
                    0 => self.error(
                        t.span(),
                        "transparency-log-threshold = 0 needs signed-timestamp-threshold of at \
                         least 1: without a log entry only a signed timestamp can say when the \
                         certificate was used",
                    ),
                    _ => self.error(
                        t.span(),
                        "transparency-log-threshold must be 1 (a bundle's log entry) or 0",
                    ),
                }
            }
            for id in sig.identities.unwrap_or_default() {
                let span = id.span();
                let id = id.into_inner();
                match Identity::new(
                    s(&id.certificate_identity),
                    s(&id.certificate_identity_regexp),
                    s(&id.oidc_issuer),
                    s(&id.oidc_issuer_regexp),
                    id.dangerous_any_identity
                        .as_ref()
                        .is_some_and(|d| *d.get_ref()),
                ) {
                    Ok(mut i) => {
                        for (key, value) in id.extensions() {
                            if value.get_ref().is_empty() {
                                self.error(value.span(), format!("{key} must not be empty"));
                            } else if let Some(e) = Extension::from_key(key) {
                                i.extensions.push((e, value.get_ref().clone()));
                            }
                        }
                        p.identities.push(i);
                    }
                    Err(e) => self.error(span, e),
                }
            }
        }
        if let Some(src) = raw.source {
            p.source.uri = src
                .uri
                .as_ref()
                .and_then(|u| self.value(u, rules::repository));
            p.source.commit = src
                .commit
                .as_ref()
                .and_then(|c| self.value(c, rules::commit));
            let refs = [
                (
                    src.git_ref,
                    RefRule::pattern as fn(&str) -> Result<RefRule, String>,
                ),
                (src.tag, RefRule::tag),
                (src.versioned_tag, RefRule::versioned_tag),
                (src.branch, RefRule::branch),
            ];
            for (value, parse) in refs.into_iter().filter_map(|(v, f)| Some((v?, f))) {
                if p.source.git_ref.is_some() {
                    self.error(
                        value.span(),
                        "use only one of ref, tag, versioned-tag and branch",
                    );
                } else {
                    p.source.git_ref = self.value(&value, parse);
                }
            }
        }
        if let Some(slsa) = raw.slsa {
            p.slsa.reject_unknown_external_parameters = slsa
                .reject_unknown_external_parameters
                .is_some_and(|b| b.into_inner());
            p.slsa.allowed_external_parameters = self.non_empty_strings(
                slsa.allowed_external_parameters,
                "an external parameter name",
            );
            p.slsa.workflow_inputs = slsa
                .workflow_inputs
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect();
        }
        if let Some(review) = raw.review {
            p.review = self.review(review);
        }
        if let Some(r) = raw.reproduce {
            p.reproduce = self.reproduce(r);
        }
        if let Some(r) = raw.range {
            p.range = self.range(r);
        }
        p
    }

    fn review(&mut self, raw: raw::RawReview) -> ReviewRule {
        let mut rule = ReviewRule::default();
        for b in raw.protected_branches.unwrap_or_default() {
            let name = b.get_ref().trim();
            if name.is_empty() || name.contains(char::is_whitespace) || name.contains("..") {
                self.error(
                    b.span(),
                    "a protected branch is a branch name or a full ref",
                );
            } else if name.starts_with("refs/") {
                rule.protected_branches.push(name.to_owned());
            } else {
                rule.protected_branches.push(format!("refs/heads/{name}"));
            }
        }
        let base_dir = self.path.parent().unwrap_or(Path::new("")).to_owned();
        rule.allowed_signers = raw.allowed_signers.as_ref().map(|file| Located {
            value: base_dir.join(file.get_ref()),
            span: file.span(),
        });
        for key in raw.openpgp_keys.unwrap_or_default() {
            rule.openpgp_keys.push(Located {
                value: base_dir.join(key.get_ref()),
                span: key.span(),
            });
        }
        let has_signers = rule.allowed_signers.is_some() || !rule.openpgp_keys.is_empty();
        rule.require_signed = match &raw.require_signed {
            Some(r) => match r.get_ref().as_str() {
                "none" => SignedCommits::None,
                "release" => SignedCommits::Release,
                "all" => SignedCommits::SinceBase,
                other => {
                    self.error(
                        r.span(),
                        format!(
                            "require-signed is \"release\", \"all\" or \"none\", not {other:?}"
                        ),
                    );
                    SignedCommits::None
                }
            },
            None if has_signers => SignedCommits::Release,
            None => SignedCommits::None,
        };
        if let Some(base) = &raw.base {
            rule.base = self.value(base, rules::commit);
        }
        rule.two_party = raw.two_party.as_ref().is_some_and(|b| *b.get_ref());
        if let Some(n) = &raw.min_signers {
            match usize::try_from(*n.get_ref()) {
                Ok(n) if n >= 1 => rule.min_signers = n,
                _ => self.error(n.span(), "min-signers must be a whole number of at least 1"),
            }
        }
        let needs_signers = rule.require_signed != SignedCommits::None || rule.two_party;
        if needs_signers && !has_signers {
            let span = raw
                .require_signed
                .as_ref()
                .map(|r| r.span())
                .or(raw.two_party.as_ref().map(|t| t.span()))
                .unwrap_or(0..0);
            self.error(
                span,
                "signed commits and two-party review need allowed-signers or openpgp-keys",
            );
        }
        if raw.base.is_none() {
            if rule.require_signed == SignedCommits::SinceBase {
                let span = raw.require_signed.as_ref().map_or(0..0, |r| r.span());
                self.error(
                    span,
                    "require-signed = \"all\" needs a trusted base commit (base)",
                );
            }
            if rule.two_party {
                let span = raw.two_party.as_ref().map_or(0..0, |t| t.span());
                self.error(span, "two-party review needs a trusted base commit (base)");
            }
        }
        rule
    }

    /// A key, located at its path or PEM value.
    fn key(&mut self, k: raw::RawKey, span: Range<usize>) -> Option<Located<KeySpec>> {
        match (k.path, k.pem) {
            (Some(path), None) => {
                let base = self.path.parent().unwrap_or(Path::new(""));
                Some(Located {
                    value: KeySpec::File(base.join(path.get_ref())),
                    span: path.span(),
                })
            }
            (None, Some(pem)) => Some(Located {
                value: KeySpec::Pem {
                    name: format!("{}:key@{}", self.path.display(), pem.span().start),
                    pem: pem.get_ref().clone(),
                },
                span: pem.span(),
            }),
            _ => {
                self.error(span, "a key needs exactly one of path or pem");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> String {
        match Policy::parse(Path::new("p.toml"), text) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("expected an invalid policy:\n{text}"),
        }
    }

    #[test]
    fn range_rules_validate_with_their_defaults() {
        let p = Policy::parse(Path::new("p.toml"), "").unwrap();
        assert!(p.range.registries.iter().any(|r| r.contains("crates.io")));
        assert!(p.range.allow_binaries.is_empty() && p.range.submodule_urls.is_empty());
        let p = Policy::parse(
            Path::new("p.toml"),
            "[range]\nallow-binaries = [\"docs/**/*.png\"]\nvendored = [\"vendor/z/\"]\nvendor-lock = \"V.lock\"\nregistries = [\"https://my.registry/\"]\n",
        )
        .unwrap();
        assert_eq!(p.range.vendored, ["vendor/z"]);
        assert_eq!(p.range.registries, ["https://my.registry/"]);
        let e = errors("[range]\nallow-binaries = [\"a/[\"]\nvendored = [\"../x\"]\n");
        assert!(e.contains("not a valid glob"), "{e}");
        assert!(e.contains("relative path in the repository"), "{e}");
        let e = errors("[range]\nvendored = [\"vendor/z\"]\n");
        assert!(
            e.contains("need vendor-lock") && e.contains("p.toml:2"),
            "{e}"
        );
        assert!(errors("[range]\nunknown = 1\n").contains("unknown"));
    }

    #[test]
    fn a_full_policy_validates() {
        let p = Policy::parse(
            Path::new("p.toml"),
            r#"
predicate-types = ["https://slsa.dev/provenance/v1"]
builder-ids = ["https://github.com/actions/runner"]
max-age = "30d"
[signatures]
threshold = 1
[[signatures.identities]]
certificate-identity-regexp = "^https://github.com/org/"
oidc-issuer = "https://token.actions.githubusercontent.com"
[source]
uri = "github.com/org/repo"
versioned-tag = "v1"
[slsa]
reject-unknown-external-parameters = true
allowed-external-parameters = ["inputs.debug"]
workflow-inputs = { release = "true" }
"#,
        )
        .unwrap();
        assert_eq!(p.max_age, Some(30 * 86_400));
        assert_eq!(p.source.uri.as_deref(), Some("github.com/org/repo"));
        assert!(p.needs_provenance());
        assert_eq!(p.slsa.workflow_inputs["release"], "true");
    }

    #[test]
    fn unknown_keys_name_line_and_column() {
        let e = errors("max-age = \"1d\"\nbuilder-idz = [\"x\"]\n");
        assert!(e.contains("p.toml:2:1"), "{e}");
        assert!(e.contains("builder-idz"), "{e}");
    }

    #[test]
    fn every_bad_value_is_reported() {
        let e = errors(
            "max-age = \"soon\"\n[source]\ntag = \"v1\"\nbranch = \"main\"\ncommit = \"xyz\"\n",
        );
        assert!(e.contains("p.toml:1:11"), "{e}");
        assert!(e.contains("only one of ref"), "{e}");
        assert!(e.contains("p.toml:5:10"), "{e}");
    }

    #[test]
    fn keys_need_one_source_and_thresholds_be_positive() {
        let e = errors("[signatures]\nthreshold = 0\nkeys = [{ path = \"missing.pub\" }, {}]\n");
        assert!(e.contains("at least 1"), "{e}");
        assert!(e.contains("exactly one of path or pem"), "{e}");
        // Validation reads no file: a missing key file is the trust loader's to report.
        assert_eq!(e.matches("error:").count(), 2, "{e}");
    }
}

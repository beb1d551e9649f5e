//! `[range]`: what the commits entering a branch may bring (`custody check-range`, the hooks).
//!
//! Binary files (object code, executables, archives, compressed data, minified code) are refused
//! outside `allow-binaries` even without a `[range]` section: a test fixture that is really an
//! ELF is how the xz-utils payload arrived. Vendored folders must hash to what the vendor lock
//! records, submodules must come from allowed URLs, and lock files must name allowed registries
//! with a checksum for every package.

use globset::Glob;

use super::Validator;
use super::raw::RawRange;

/// The registries lock files may name when the policy lists none: the public ones.
pub const DEFAULT_REGISTRIES: &[&str] = &[
    "https://github.com/rust-lang/crates.io-index",
    "https://index.crates.io/",
    "https://registry.npmjs.org/",
    "https://registry.yarnpkg.com/",
    "https://pypi.org/simple",
    "https://files.pythonhosted.org/",
];

/// The `[range]` rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeRule {
    /// Globs (repository paths) where binary files may enter.
    pub allow_binaries: Vec<String>,
    /// Vendored folders (repository paths) whose content the vendor lock pins.
    pub vendored: Vec<String>,
    /// The vendor lock: a file of the repository, one `FOLDER DIGEST` line per vendored folder,
    /// the digest `git-tree:HEX` (the folder's git tree id) or `h1:BASE64` (Go's dirhash).
    pub vendor_lock: Option<String>,
    /// Globs a submodule's URL must match; empty: no submodule may enter.
    pub submodule_urls: Vec<String>,
    /// URL prefixes lock files may fetch from.
    pub registries: Vec<String>,
}

impl Default for RangeRule {
    fn default() -> Self {
        RangeRule {
            allow_binaries: Vec::new(),
            vendored: Vec::new(),
            vendor_lock: None,
            submodule_urls: Vec::new(),
            registries: DEFAULT_REGISTRIES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

impl Validator<'_> {
    pub(super) fn range(&mut self, raw: RawRange) -> RangeRule {
        let mut r = RangeRule::default();
        let globs = |list: Option<Vec<toml::Spanned<String>>>, this: &mut Self| {
            let mut out = Vec::new();
            for g in list.unwrap_or_default() {
                match Glob::new(g.get_ref()) {
                    Ok(_) if !g.get_ref().trim().is_empty() => out.push(g.into_inner()),
                    Ok(_) => this.error(g.span(), "a glob must not be empty"),
                    Err(e) => this.error(g.span(), format!("not a valid glob: {e}")),
                }
            }
            out
        };
        r.allow_binaries = globs(raw.allow_binaries, self);
        r.submodule_urls = globs(raw.submodule_urls, self);
        let first_vendored = raw
            .vendored
            .as_ref()
            .and_then(|v| v.first())
            .map(|v| v.span());
        for v in raw.vendored.unwrap_or_default() {
            let path = v.get_ref().trim().trim_end_matches('/');
            if path.is_empty() || path.starts_with('/') || path.split('/').any(|c| c == "..") {
                self.error(
                    v.span(),
                    "a vendored folder is a relative path in the repository",
                );
            } else {
                r.vendored.push(path.to_owned());
            }
        }
        if let Some(lock) = raw.vendor_lock {
            r.vendor_lock = Some(lock.into_inner());
        } else if let (false, Some(span)) = (r.vendored.is_empty(), first_vendored) {
            self.error(
                span,
                "vendored folders need vendor-lock, the file that pins each folder's digest",
            );
        }
        if let Some(list) = raw.registries {
            r.registries = self.non_empty_strings(Some(list), "a registry URL");
        }
        r
    }
}

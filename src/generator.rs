//! slsa-github-generator (github.com/slsa-framework/slsa-github-generator), whose reusable
//! workflows sign most SLSA provenance made on GitHub, and the rules slsa-verifier's
//! `verify-artifact` applies to them, so that custody reaches the verdicts its users rely on:
//!
//! - A builder signs its own provenance: the certificate identity is the builder's workflow at a
//!   release tag (`refs/tags/vX.Y.Z`), and the provenance's `builder.id` is exactly that identity.
//! - A delegated build ("bring your own builder": the Maven and Gradle builders, third-party
//!   builders) is signed by one of the generator's delegator workflows at a release tag, while
//!   `builder.id` names the tool's own reusable workflow (the TRW) at its release tag. The build
//!   type is the delegator's, and `--builder-id` is matched against the TRW, never the signer.
//! - Without `--builder-id` (slsa-verifier's default trust), only the generator's own builders
//!   and delegators sign, and a delegated TRW must be one of the generator's workflows too.

use crate::policy::rules::semver_number;

/// Where the generator's reusable workflows live.
pub const WORKFLOWS: &str =
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/";

/// The builders slsa-verifier trusts without `--builder-id` (`verify-artifact`).
pub const DEFAULT_BUILDERS: [&str; 3] = [
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml",
];

/// The builder slsa-verifier trusts without `--builder-id` for container images (`verify-image`).
pub const CONTAINER_GENERATOR: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml";

/// The delegator workflows that sign delegated builds' provenance.
pub const DELEGATORS: [&str; 2] = [
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_lowperms-generic_slsa3.yml",
];

/// The build type of every delegated build's provenance.
pub const DELEGATOR_BUILD_TYPE: &str =
    "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0";

/// The issuer of GitHub Actions' OIDC tokens, which signs every generator workflow.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// JReleaser's builder is released at `vX.Y.Z-java` tags, the one exception slsa-verifier makes
/// to release tags for a delegated builder.
const JRELEASER: &str = "https://github.com/jreleaser/release-action";

/// What a keyless signer is to the generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer<'a> {
    /// One of the generator's builders, signing its own provenance (`identity` is `NAME@REF`).
    Builder { identity: &'a str },
    /// A delegator, signing for the builder that `builder.id` names.
    Delegator { identity: &'a str },
}

impl<'a> Signer<'a> {
    /// The generator's role of a certificate identity from GitHub Actions; `None` for any other
    /// workflow or issuer.
    pub fn of(identity: &'a str, issuer: &str) -> Option<Signer<'a>> {
        if issuer != GITHUB_ACTIONS_ISSUER {
            return None;
        }
        let (name, _) = identity.split_once('@')?;
        if DELEGATORS.contains(&name) {
            Some(Signer::Delegator { identity })
        } else if name.starts_with(WORKFLOWS) {
            Some(Signer::Builder { identity })
        } else {
            None
        }
    }

    pub fn identity(&self) -> &'a str {
        match self {
            Signer::Builder { identity } | Signer::Delegator { identity } => identity,
        }
    }

    /// The ref the workflow ran at.
    pub fn git_ref(&self) -> &'a str {
        self.identity().split_once('@').map_or("", |(_, r)| r)
    }
}

/// `refs/tags/vX.Y.Z` with three numbers and nothing after them: the only refs slsa-verifier
/// accepts for a builder, so that a branch's moving head never counts as a release.
pub fn is_release_ref(git_ref: &str) -> bool {
    git_ref
        .strip_prefix("refs/tags/")
        .is_some_and(|tag| release_version(tag, None))
}

/// Whether a delegated build's `builder.id` (`TRW@REF`) names its builder at a release tag
/// (`refs/tags/vX.Y.Z`; JReleaser's `refs/tags/vX.Y.Z-java`).
pub fn is_released_builder(builder_id: &str) -> bool {
    let mut parts = builder_id.split('@');
    let (Some(name), Some(git_ref), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Some(tag) = git_ref.strip_prefix("refs/tags/") else {
        return false;
    };
    if name.starts_with(JRELEASER) {
        release_version(tag, Some("-java"))
    } else {
        release_version(tag, None)
    }
}

/// `vX.Y.Z` (semver numbers, no leading zeros), followed by exactly `suffix` when one is given.
fn release_version(tag: &str, suffix: Option<&str>) -> bool {
    let Some(rest) = tag.strip_prefix('v') else {
        return false;
    };
    let core = match suffix {
        Some(s) => match rest.strip_suffix(s) {
            Some(core) => core,
            None => return false,
        },
        None => rest,
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| semver_number(p).is_some())
}

/// A regular expression (for a whole-value match) of `workflow` at any release tag.
pub fn at_release_tag(workflow: &str) -> String {
    format!(
        "{}@refs/tags/v(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)",
        regex::escape(workflow)
    )
}

/// How the report names the signers trusted by default.
pub fn default_trust(images: bool) -> String {
    if images {
        return "slsa-github-generator's container generator at release tags (slsa-verifier's \
                default for images when only the source repository is pinned)"
            .to_owned();
    }
    "slsa-github-generator's generic, Go and container-based builders at release tags, and \
     builds its delegators made with one of its own workflows (slsa-verifier's default when only \
     the source repository is pinned)"
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signers() {
        let go = format!("{}@refs/tags/v2.1.0", DEFAULT_BUILDERS[1]);
        assert_eq!(
            Signer::of(&go, GITHUB_ACTIONS_ISSUER),
            Some(Signer::Builder { identity: &go })
        );
        assert_eq!(Signer::of(&go, "https://gitlab.com"), None);
        let d = format!("{}@refs/heads/main", DELEGATORS[0]);
        let s = Signer::of(&d, GITHUB_ACTIONS_ISSUER).unwrap();
        assert_eq!(s, Signer::Delegator { identity: &d });
        assert_eq!(s.git_ref(), "refs/heads/main");
        // A fork's copy of the generator is not the generator.
        let fork = "https://github.com/asraa/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@refs/tags/v1.4.0";
        assert_eq!(Signer::of(fork, GITHUB_ACTIONS_ISSUER), None);
        // No ref: not a workflow identity Fulcio issues.
        assert_eq!(Signer::of(DELEGATORS[0], GITHUB_ACTIONS_ISSUER), None);
    }

    #[test]
    fn release_refs() {
        for good in [
            "refs/tags/v1.2.3",
            "refs/tags/v0.0.0",
            "refs/tags/v10.20.30",
        ] {
            assert!(is_release_ref(good), "{good}");
        }
        for bad in [
            "refs/heads/main",
            "refs/tags/v1.2",
            "refs/tags/v1.2.3-rc.1",
            "refs/tags/v1.2.3+meta",
            "refs/tags/v01.2.3",
            "refs/tags/1.2.3",
            "v1.2.3",
            "refs/tags/v1.2.3.4",
        ] {
            assert!(!is_release_ref(bad), "{bad}");
        }
    }

    #[test]
    fn released_builders() {
        let trw = "https://github.com/org/trw/.github/workflows/b.yml";
        assert!(is_released_builder(&format!("{trw}@refs/tags/v1.0.0")));
        assert!(!is_released_builder(&format!("{trw}@refs/heads/main")));
        assert!(!is_released_builder(&format!("{trw}@v1.0.0")));
        assert!(!is_released_builder(trw));
        assert!(!is_released_builder(&format!("{trw}@refs/tags/v1.0.0@x")));
        assert!(!is_released_builder(&format!(
            "{trw}@refs/tags/v1.0.0-java"
        )));
        let jr = "https://github.com/jreleaser/release-action/.github/workflows/builder_slsa3.yml";
        assert!(is_released_builder(&format!("{jr}@refs/tags/v1.0.0-java")));
        assert!(!is_released_builder(&format!("{jr}@refs/tags/v1.0.0")));
        assert!(!is_released_builder(&format!("{jr}@refs/tags/v1.0.0-go")));
    }

    #[test]
    fn release_tag_pattern() {
        let re = regex::Regex::new(&format!("^{}$", at_release_tag(DELEGATORS[0]))).unwrap();
        assert!(re.is_match(&format!("{}@refs/tags/v2.1.0", DELEGATORS[0])));
        assert!(!re.is_match(&format!("{}@refs/heads/main", DELEGATORS[0])));
        assert!(!re.is_match(&format!("{}@refs/tags/v2.1.0-rc.1", DELEGATORS[0])));
        assert!(!re.is_match(&format!("{}xyml@refs/tags/v2.1.0", DELEGATORS[0])));
    }
}

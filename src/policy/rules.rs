//! The value types of a policy, each parsed from text once — from the TOML file or from the
//! equivalent command-line flag — so both are validated by the same code.

use globset::{Glob, GlobMatcher};

use crate::attest::slsa::normalize_repository;

/// An accepted builder id, with slsa-verifier's `--builder-id` meaning: with `@ref` the ref must
/// match (`@vX.Y.Z` also matches `@refs/tags/vX.Y.Z`); without, any ref of that builder matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuilderId(String);

impl BuilderId {
    pub fn parse(text: &str) -> Result<BuilderId, String> {
        if text.is_empty() || text.chars().any(char::is_whitespace) {
            return Err("a builder id must be a non-empty URI without spaces".into());
        }
        Ok(BuilderId(text.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The builder's name: the id without `@ref`.
    pub fn name(&self) -> &str {
        self.0
            .split_once('@')
            .map_or(self.0.as_str(), |(name, _)| name)
    }

    /// slsa-verifier's loose match (`MatchesLoose` with refs allowed).
    pub fn matches(&self, actual: &str) -> bool {
        let (name, got) = actual
            .split_once('@')
            .map_or((actual, None), |(n, r)| (n, Some(r)));
        if name != self.name() {
            return false;
        }
        match self.0.split_once('@') {
            None => true,
            Some((_, want)) => {
                got == Some(want) || got.and_then(|g| g.strip_prefix("refs/tags/")) == Some(want)
            }
        }
    }
}

/// Which git ref the source must have been built from.
#[derive(Clone, Debug)]
pub enum RefRule {
    /// A glob over the full ref: `refs/tags/v*`, `refs/heads/main`.
    Pattern { text: String, matcher: GlobMatcher },
    /// `--source-tag`: exactly `refs/tags/TAG`.
    Tag(String),
    /// `--source-versioned-tag vX[.Y[.Z]]`: a semver tag whose leading components are these.
    VersionedTag { text: String, parts: Vec<u64> },
    /// `--source-branch`: exactly `refs/heads/BRANCH`.
    Branch(String),
}

impl RefRule {
    pub fn pattern(text: &str) -> Result<RefRule, String> {
        if !text.starts_with("refs/") {
            return Err(format!(
                "a ref pattern must start with refs/ (e.g. refs/tags/v*), not {text:?}"
            ));
        }
        let glob = Glob::new(text).map_err(|e| format!("invalid ref pattern: {e}"))?;
        Ok(RefRule::Pattern {
            text: text.to_owned(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn tag(text: &str) -> Result<RefRule, String> {
        non_empty_ref_name(text, "tag").map(RefRule::Tag)
    }

    pub fn branch(text: &str) -> Result<RefRule, String> {
        non_empty_ref_name(text, "branch").map(RefRule::Branch)
    }

    pub fn versioned_tag(text: &str) -> Result<RefRule, String> {
        let err = || format!("a versioned tag is vX, vX.Y or vX.Y.Z with numbers, not {text:?}");
        let rest = text.strip_prefix('v').ok_or_else(err)?;
        let parts = rest
            .split('.')
            .map(semver_number)
            .collect::<Option<Vec<u64>>>()
            .ok_or_else(err)?;
        if parts.is_empty() || parts.len() > 3 {
            return Err(err());
        }
        Ok(RefRule::VersionedTag {
            text: text.to_owned(),
            parts,
        })
    }

    /// What the rule expects, for messages.
    pub fn describe(&self) -> String {
        match self {
            RefRule::Pattern { text, .. } => format!("a ref matching {text}"),
            RefRule::Tag(t) => format!("refs/tags/{t}"),
            RefRule::VersionedTag { text, .. } => format!("a tag semver-compatible with {text}"),
            RefRule::Branch(b) => format!("refs/heads/{b}"),
        }
    }

    pub fn matches(&self, git_ref: &str) -> bool {
        match self {
            RefRule::Pattern { matcher, .. } => matcher.is_match(git_ref),
            RefRule::Tag(t) => git_ref.strip_prefix("refs/tags/") == Some(t.as_str()),
            RefRule::Branch(b) => git_ref.strip_prefix("refs/heads/") == Some(b.as_str()),
            RefRule::VersionedTag { parts, .. } => git_ref
                .strip_prefix("refs/tags/")
                .and_then(semver_core)
                .is_some_and(|(v, pre)| {
                    // A prerelease belongs to the patch, as in slsa-verifier: v1.2.3 does not
                    // match v1.2.3-rc.1, while v1.2 does.
                    v.iter().zip(parts).all(|(a, b)| a == b) && !(pre && parts.len() == 3)
                }),
        }
    }
}

/// A tag's semver core, canonical as Go's semver reads it (`v14` is v14.0.0, `v14.2` is
/// v14.2.0; only full versions take a prerelease or build), and whether it has a prerelease:
/// `v1.2.3-rc.1+b` → ([1, 2, 3], true); anything else → None.
fn semver_core(tag: &str) -> Option<([u64; 3], bool)> {
    let rest = tag.strip_prefix('v')?;
    let (rest, build) = match rest.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (rest, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let ids_ok = |s: &str| {
        s.split('.')
            .all(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    };
    if pre.is_some_and(|p| !ids_ok(p)) || build.is_some_and(|b| !ids_ok(b)) {
        return None;
    }
    let numbers = core
        .split('.')
        .map(semver_number)
        .collect::<Option<Vec<u64>>>()?;
    let full = numbers.len() == 3;
    if numbers.is_empty() || numbers.len() > 3 || (!full && (pre.is_some() || build.is_some())) {
        return None;
    }
    let mut v = [0; 3];
    v[..numbers.len()].copy_from_slice(&numbers);
    Some((v, pre.is_some()))
}

/// A semver numeric identifier: digits without a leading zero (semver.org, rule 2), so that
/// `v01.2.3` is no version at all, as slsa-verifier's semver parser says.
pub(crate) fn semver_number(p: &str) -> Option<u64> {
    let digits = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = p.len() > 1 && p.starts_with('0');
    (digits && !leading_zero).then(|| p.parse().ok()).flatten()
}

fn non_empty_ref_name(text: &str, what: &str) -> Result<String, String> {
    if text.is_empty() || text.starts_with("refs/") || text.chars().any(char::is_whitespace) {
        return Err(format!(
            "a {what} is a bare name like v1.2.3 or main, without refs/ or spaces"
        ));
    }
    Ok(text.to_owned())
}

/// A source repository, normalised as slsa-verifier's `--source-uri` (`github.com/org/repo`).
pub fn repository(text: &str) -> Result<String, String> {
    let n = normalize_repository(text);
    let mut parts = n.split('/');
    match (parts.next(), parts.next()) {
        (Some(host), Some(path))
            if !host.is_empty() && !path.is_empty() && !n.contains(char::is_whitespace) =>
        {
            Ok(n)
        }
        _ => Err(format!(
            "a source repository is host/path, e.g. github.com/org/repo, not {text:?}"
        )),
    }
}

/// A full commit id: 40 (SHA-1) or 64 (SHA-256) hex digits, lowercased.
pub fn commit(text: &str) -> Result<String, String> {
    if matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(format!("a commit is 40 or 64 hex digits, not {text:?}"))
    }
}

/// `30d`, `12h`, `90m`, `3600s`, `2w` → seconds.
pub fn duration(text: &str) -> Result<u64, String> {
    let err =
        || format!("a duration is a number and a unit (s, m, h, d, w), e.g. 30d, not {text:?}");
    let unit_at = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
    let (n, unit) = text.split_at(unit_at);
    let n: u64 = n.parse().map_err(|_| err())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(err()),
    };
    match n.checked_mul(scale) {
        Some(s) if s > 0 => Ok(s),
        _ => Err(err()),
    }
}

/// `KEY=VALUE` of `--build-workflow-input`.
pub fn workflow_input(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("a workflow input is KEY=VALUE, not {text:?}")),
    }
}

pub use crate::sigstore::Identity;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_ids_with_and_without_ref() {
        let any = BuilderId::parse("https://github.com/x/y/.github/workflows/b.yml").unwrap();
        assert!(any.matches("https://github.com/x/y/.github/workflows/b.yml@refs/tags/v1.9.0"));
        assert!(any.matches("https://github.com/x/y/.github/workflows/b.yml"));
        assert!(!any.matches("https://github.com/x/y/.github/workflows/c.yml@refs/tags/v1"));
        let pinned = BuilderId::parse("https://b@refs/tags/v1").unwrap();
        assert!(pinned.matches("https://b@refs/tags/v1"));
        assert!(!pinned.matches("https://b@refs/tags/v2"));
        // `@vX` is the tag `refs/tags/vX`, but `@refs/tags/vX` is not a bare `@vX`.
        let short = BuilderId::parse("https://b@v1.2.3").unwrap();
        assert!(short.matches("https://b@refs/tags/v1.2.3"));
        assert!(short.matches("https://b@v1.2.3"));
        assert!(!short.matches("https://b@refs/heads/v1.2.3"));
        assert!(!short.matches("https://bb@refs/tags/v1.2.3"));
        assert!(!pinned.matches("https://b@v1"));
        assert!(BuilderId::parse("").is_err());
    }

    #[test]
    fn ref_rules() {
        let p = RefRule::pattern("refs/tags/v*").unwrap();
        assert!(p.matches("refs/tags/v1.2.3") && !p.matches("refs/heads/main"));
        assert!(RefRule::pattern("tags/v*").is_err());
        assert!(RefRule::tag("v1").unwrap().matches("refs/tags/v1"));
        assert!(!RefRule::tag("v1").unwrap().matches("refs/heads/v1"));
        assert!(RefRule::branch("main").unwrap().matches("refs/heads/main"));
        assert!(RefRule::tag("refs/tags/v1").is_err());
        let v = RefRule::versioned_tag("v1.2").unwrap();
        assert!(v.matches("refs/tags/v1.2.7") && v.matches("refs/tags/v1.2.0-rc.1"));
        assert!(!v.matches("refs/tags/v1.3.0") && !v.matches("refs/heads/v1.2.0"));
        // Short tags read as Go's semver reads them: v1.2 is v1.2.0, v14 is v14.0.0.
        assert!(v.matches("refs/tags/v1.2") && !v.matches("refs/tags/v1"));
        let v14 = RefRule::versioned_tag("v14.0").unwrap();
        assert!(v14.matches("refs/tags/v14") && !v14.matches("refs/tags/v14.2"));
        assert!(!v14.matches("refs/tags/v14-rc.1") && !v14.matches("refs/tags/v14.0+b"));
        // A prerelease is part of the patch: v1.2.3 is not v1.2.3-rc.1; build metadata is not.
        let patch = RefRule::versioned_tag("v1.2.3").unwrap();
        assert!(!patch.matches("refs/tags/v1.2.3-rc.1") && patch.matches("refs/tags/v1.2.3+b.1"));
        assert!(!patch.matches("refs/tags/v1.2.3-") && !patch.matches("refs/tags/v1.2.3-rc..1"));
        for bad in ["1.2", "v", "v1.x", "v1.2.3.4", "v1..2", "v01", "v1.02"] {
            assert!(RefRule::versioned_tag(bad).is_err(), "{bad}");
        }
        // Leading zeros are not semver: v01.2.3 and v1.02.0 are no versions of v1.
        let v1 = RefRule::versioned_tag("v1").unwrap();
        assert!(v1.matches("refs/tags/v1.0.0") && v1.matches("refs/tags/v1.10.0"));
        assert!(!v1.matches("refs/tags/v01.2.3") && !v1.matches("refs/tags/v1.02.0"));
        assert!(
            RefRule::versioned_tag("v0.2")
                .unwrap()
                .matches("refs/tags/v0.2.1")
        );
    }

    #[test]
    fn scalar_values() {
        assert_eq!(duration("30d"), Ok(30 * 86_400));
        assert_eq!(duration("2w"), Ok(1_209_600));
        for bad in [
            "",
            "30",
            "d",
            "0d",
            "30 d",
            "30y",
            "-1d",
            "99999999999999999999d",
        ] {
            assert!(duration(bad).is_err(), "{bad}");
        }
        assert_eq!(
            repository("https://github.com/o/r.git"),
            Ok("github.com/o/r".into())
        );
        assert!(repository("github.com").is_err());
        assert!(commit(&"A".repeat(40)).is_ok() && commit("abc").is_err());
        assert_eq!(workflow_input("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert!(workflow_input("=x").is_err() && workflow_input("x").is_err());
    }
}

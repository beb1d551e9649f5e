//! The registry of every check code custody reports, for `custody explain` and SARIF rules.
//!
//! Each module that produces checks owns its codes and their descriptions; this only gathers
//! them. A module adding codes adds its list here. The packaging rules named beside explained
//! files are here too, so `custody explain cargo-normalised-manifest` says what the rule checks.

use crate::check::CodeInfo;

/// Every code's list, by the module that owns it: the producers that report verification steps
/// and malformed input, then every check module.
fn lists() -> impl Iterator<Item = &'static [CodeInfo]> {
    [
        crate::attest::codes::Code::INFO,
        crate::signature::codes::Code::INFO,
        crate::sigstore::codes::Code::INFO,
        crate::contents::Rule::INFO,
    ]
    .into_iter()
    .chain(crate::checks::CODES.iter().copied())
    .chain([crate::verdict::Code::INFO])
}

/// Every registered code, sorted by name.
pub fn all() -> Vec<&'static CodeInfo> {
    let mut v: Vec<&'static CodeInfo> = lists().flat_map(|l| l.iter()).collect();
    v.sort_by_key(|c| c.code);
    v
}

/// The registry entry of `code`.
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    lists().flat_map(|l| l.iter()).find(|c| c.code == code)
}

/// The links of the chain of custody a check belongs to, in the order the chain runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Link {
    /// The attestation's signature and that it names the artifact.
    Signature,
    /// The provenance's builder, source, age and parameters.
    Provenance,
    /// The checkout is the commit and repository the provenance names.
    SourceBinding,
    /// The working tree is exactly the reviewed commit.
    Checkout,
    /// The commit's review: protected branches, signed commits, two-party review.
    Review,
    /// The artifact compared with, or rebuilt from, the commit.
    Reproduction,
}

impl Link {
    pub const ALL: [Link; 6] = [
        Link::Signature,
        Link::Provenance,
        Link::SourceBinding,
        Link::Checkout,
        Link::Review,
        Link::Reproduction,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Link::Signature => "signature",
            Link::Provenance => "provenance",
            Link::SourceBinding => "source binding",
            Link::Checkout => "checkout",
            Link::Review => "review",
            Link::Reproduction => "contents/rebuild",
        }
    }

    /// The code lists whose checks make up this link.
    fn lists(self) -> &'static [&'static [CodeInfo]] {
        use crate::checks::{
            binding, checkout, contents, gcb, npm, provenance, range, rebuild, review, signature,
            subject, vsa,
        };
        match self {
            Link::Signature => &[
                crate::attest::codes::Code::INFO,
                crate::signature::codes::Code::INFO,
                crate::sigstore::codes::Code::INFO,
                signature::Code::INFO,
                subject::Code::INFO,
            ],
            // A VSA stands in for the provenance another verifier judged.
            Link::Provenance => &[
                provenance::Code::INFO,
                vsa::Code::INFO,
                npm::Code::INFO,
                gcb::Code::INFO,
            ],
            Link::SourceBinding => &[binding::Code::INFO],
            Link::Checkout => &[checkout::Code::INFO],
            // What enters a branch is judged as part of its review.
            Link::Review => &[review::Code::INFO, range::Code::INFO],
            Link::Reproduction => &[contents::Code::INFO, rebuild::Code::INFO],
        }
    }
}

/// The link of the chain a check code belongs to (`None` for a code of no link, such as the
/// verdict layer's own).
pub fn link(code: &str) -> Option<Link> {
    Link::ALL.into_iter().find(|l| {
        l.lists()
            .iter()
            .any(|list| list.iter().any(|c| c.code == code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_code_belongs_to_one_link_of_the_chain() {
        for list in crate::checks::CODES {
            for c in *list {
                assert!(link(c.code).is_some(), "{} is in no link", c.code);
            }
        }
        assert_eq!(link("checkout-dirty"), Some(Link::Checkout));
        assert_eq!(link("tlog-set-invalid"), Some(Link::Signature));
        assert_eq!(link("contents-unexplained"), Some(Link::Reproduction));
        assert_eq!(link("nothing-checked"), None);
        assert_eq!(link("no-such-code"), None);
    }

    #[test]
    fn codes_are_unique_kebab_case_and_described() {
        let all = all();
        for w in all.windows(2) {
            assert_ne!(w[0].code, w[1].code, "duplicate code");
        }
        for c in all {
            assert!(
                c.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} is not kebab-case",
                c.code
            );
            assert!(
                !c.summary.is_empty() && c.description.len() > c.summary.len() / 2,
                "{}",
                c.code
            );
        }
    }
}

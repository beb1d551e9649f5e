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

#[cfg(test)]
mod tests {
    use super::*;

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

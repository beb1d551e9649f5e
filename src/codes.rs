//! The registry of every check code custody reports, for `custody explain` and SARIF rules.
//!
//! Each module that produces checks owns its codes and their descriptions; this only gathers
//! them. A module adding codes adds its list here.

use crate::check::Code;

/// Every code's list, by the module that owns it.
const LISTS: &[&[Code]] = &[
    crate::attest::codes::CODES,
    crate::signature::codes::CODES,
    crate::sigstore::codes::CODES,
    crate::verify::binding::CODES,
    crate::policy::codes::CODES,
    crate::contents::codes::CODES,
    crate::source::codes::CODES,
    crate::rebuild::codes::CODES,
];

/// Every registered code, sorted by name.
pub fn all() -> Vec<&'static Code> {
    let mut v: Vec<&'static Code> = LISTS.iter().flat_map(|l| l.iter()).collect();
    v.sort_by_key(|c| c.code);
    v
}

/// The registry entry of `code`.
pub fn lookup(code: &str) -> Option<&'static Code> {
    LISTS.iter().flat_map(|l| l.iter()).find(|c| c.code == code)
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

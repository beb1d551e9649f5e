//! Who may have signed keyless evidence: the certificate identity (SAN) and OIDC issuer, exact or
//! by regular expression, and the Fulcio certificate extensions (OIDs 1.3.6.1.4.1.57264.1.*).
//!
//! Regular expressions match the *whole* value (they are compiled as `^(?:RE)$`): a pattern that
//! would match only a prefix of an identity does not accept it. There is no "any signer"
//! default; `dangerous_any_identity` is the one, loudly named, way to skip the identity.

use std::fmt;

use regex::Regex;

use super::certificate::{CertificateFacts, Extension, SanKind};

/// A regular expression that must match a whole value.
#[derive(Clone, Debug)]
pub struct WholeMatch {
    text: String,
    regex: Regex,
}

impl WholeMatch {
    pub fn new(text: &str) -> Result<WholeMatch, regex::Error> {
        Ok(WholeMatch {
            text: text.to_owned(),
            regex: Regex::new(&format!("^(?:{text})$"))?,
        })
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
    pub fn is_match(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }

    /// When the expression matches only part of `value` (cosign and slsa-verifier search, custody
    /// matches the whole value), how to write the search that was probably meant.
    pub fn search_hint(&self, value: &str, flag: &str) -> Option<String> {
        let found = Regex::new(&self.text).ok()?.is_match(value);
        (found && !self.is_match(value)).then(|| {
            format!(
                "; /{0}/ matches only part of it, and custody matches the whole value (safer than \
                 a search, which accepts any value containing it): if a search was meant, write \
                 {flag} '.*{0}.*', or better, anchor the parts that must be fixed",
                self.text
            )
        })
    }
}

/// One accepted keyless signer.
#[derive(Clone, Debug)]
pub struct Identity {
    pub certificate_identity: Option<String>,
    pub certificate_identity_regexp: Option<WholeMatch>,
    pub oidc_issuer: Option<String>,
    pub oidc_issuer_regexp: Option<WholeMatch>,
    /// Any identity at all: only with this name, because it trusts anyone with a certificate
    /// from the issuer.
    pub dangerous_any_identity: bool,
    /// Certificate extensions that must have exactly these values.
    pub extensions: Vec<(Extension, String)>,
}

impl Identity {
    /// Exactly one of identity / identity-regexp (unless `dangerous_any_identity`), exactly one
    /// of issuer / issuer-regexp, and the regular expressions must compile.
    pub fn new(
        identity: Option<&str>,
        identity_regexp: Option<&str>,
        issuer: Option<&str>,
        issuer_regexp: Option<&str>,
        dangerous_any_identity: bool,
    ) -> Result<Identity, String> {
        let re = |r: Option<&str>, what: &str| {
            r.map(|r| {
                WholeMatch::new(r)
                    .map_err(|e| format!("{what} is not a valid regular expression: {e}"))
            })
            .transpose()
        };
        match (
            identity.is_some() || identity_regexp.is_some(),
            dangerous_any_identity,
        ) {
            (false, false) => {
                return Err(
                    "an identity needs certificate-identity or certificate-identity-regexp \
                            (or dangerous-any-identity = true)"
                        .into(),
                );
            }
            (true, true) => {
                return Err("dangerous-any-identity cannot be combined with an identity".into());
            }
            _ => {}
        }
        if identity.is_some() && identity_regexp.is_some() {
            return Err("use certificate-identity or certificate-identity-regexp, not both".into());
        }
        match (issuer, issuer_regexp) {
            (None, None) => {
                return Err("an identity needs oidc-issuer or oidc-issuer-regexp".into());
            }
            (Some(_), Some(_)) => {
                return Err("use oidc-issuer or oidc-issuer-regexp, not both".into());
            }
            _ => {}
        }
        Ok(Identity {
            certificate_identity: identity.map(str::to_owned),
            certificate_identity_regexp: re(identity_regexp, "certificate-identity-regexp")?,
            oidc_issuer: issuer.map(str::to_owned),
            oidc_issuer_regexp: re(issuer_regexp, "oidc-issuer-regexp")?,
            dangerous_any_identity,
            extensions: Vec::new(),
        })
    }

    /// Why `cert` is not this signer, or `Ok` if it is.
    ///
    /// An exact identity in email form (`user@host`, no scheme) names an email SAN only: the
    /// same text in a username (otherName) or URI SAN is another kind of name, which an
    /// issuer may hand out under other rules.
    pub fn check(&self, cert: &CertificateFacts) -> Result<(), String> {
        let san = cert.identity.as_deref();
        if !self.dangerous_any_identity {
            let ok = match (
                &self.certificate_identity,
                &self.certificate_identity_regexp,
            ) {
                (Some(want), _) => san == Some(want.as_str()) && kind_agrees(want, cert),
                (None, Some(re)) => san.is_some_and(|s| re.is_match(s)),
                (None, None) => false,
            };
            if !ok {
                let hint = match (&self.certificate_identity_regexp, san) {
                    (Some(re), Some(san)) => re.search_hint(san, "--certificate-identity-regexp"),
                    _ => None,
                };
                return Err(format!(
                    "certificate identity {}{} is not {}{}",
                    quoted(san),
                    match cert.identity_kind {
                        SanKind::Username => " (a Fulcio username, otherName SAN)",
                        SanKind::Email if email_form(san.unwrap_or_default()) => "",
                        SanKind::Email => " (an email SAN)",
                        SanKind::Uri => "",
                    },
                    self.describe_identity(),
                    hint.unwrap_or_default()
                ));
            }
        }
        let issuer = cert.issuer.as_deref();
        let ok = match (&self.oidc_issuer, &self.oidc_issuer_regexp) {
            (Some(want), _) => issuer == Some(want.as_str()),
            (None, Some(re)) => issuer.is_some_and(|s| re.is_match(s)),
            (None, None) => false,
        };
        if !ok {
            let hint = match (&self.oidc_issuer_regexp, issuer) {
                (Some(re), Some(issuer)) => {
                    re.search_hint(issuer, "--certificate-oidc-issuer-regexp")
                }
                _ => None,
            };
            return Err(format!(
                "OIDC issuer {} is not {}{}",
                quoted(issuer),
                self.describe_issuer(),
                hint.unwrap_or_default()
            ));
        }
        for (ext, want) in &self.extensions {
            let have = cert.extension(*ext);
            if have != Some(want.as_str()) {
                return Err(format!(
                    "certificate extension {} ({}) is {}, not {want:?}",
                    ext.key(),
                    ext.oid(),
                    quoted(have)
                ));
            }
        }
        Ok(())
    }

    fn describe_identity(&self) -> String {
        match (
            &self.certificate_identity,
            &self.certificate_identity_regexp,
        ) {
            _ if self.dangerous_any_identity => "any identity (dangerous-any-identity)".into(),
            (Some(i), _) => format!("{i:?}"),
            (None, Some(re)) => format!("a whole match of /{}/", re.as_str()),
            (None, None) => "unspecified".into(),
        }
    }

    fn describe_issuer(&self) -> String {
        match (&self.oidc_issuer, &self.oidc_issuer_regexp) {
            (Some(i), _) => format!("{i:?}"),
            (None, Some(re)) => format!("a whole match of /{}/", re.as_str()),
            (None, None) => "unspecified".into(),
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "identity {} from issuer {}",
            self.describe_identity(),
            self.describe_issuer()
        )?;
        for (ext, v) in &self.extensions {
            write!(f, ", {} = {v:?}", ext.key())?;
        }
        Ok(())
    }
}

/// `user@host` without a URI scheme: how an email identity is written.
fn email_form(identity: &str) -> bool {
    identity.contains('@') && !identity.contains("://")
}

fn kind_agrees(want: &str, cert: &CertificateFacts) -> bool {
    !email_form(want) || cert.identity_kind == SanKind::Email
}

fn quoted(v: Option<&str>) -> String {
    v.map_or_else(|| "(absent)".to_owned(), |v| format!("{v:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(san: &str, issuer: &str) -> CertificateFacts {
        CertificateFacts {
            identity: Some(san.into()),
            identity_kind: if email_form(san) {
                SanKind::Email
            } else {
                SanKind::Uri
            },
            issuer: Some(issuer.into()),
            ..CertificateFacts::default()
        }
    }

    #[test]
    fn an_email_identity_names_an_email_san_only() {
        let issuer = "https://oidc.example";
        let email =
            Identity::new(Some("alice@example.com"), None, Some(issuer), None, false).unwrap();
        assert!(email.check(&cert("alice@example.com", issuer)).is_ok());
        let mut username = cert("alice@example.com", issuer);
        username.identity_kind = SanKind::Username;
        let err = email.check(&username).unwrap_err();
        assert!(err.contains("Fulcio username"), "{err}");
        let mut uri = cert("alice@example.com", issuer);
        uri.identity_kind = SanKind::Uri;
        assert!(email.check(&uri).is_err());
        // A username identity is named by its own text.
        let mut user = cert("alice!oidc.example", issuer);
        user.identity_kind = SanKind::Username;
        let by_name =
            Identity::new(Some("alice!oidc.example"), None, Some(issuer), None, false).unwrap();
        assert!(by_name.check(&user).is_ok());
        assert!(email.check(&user).is_err());
    }

    #[test]
    fn identities_need_one_identity_and_one_issuer() {
        assert!(Identity::new(Some("a"), None, Some("https://i"), None, false).is_ok());
        assert!(Identity::new(None, None, Some("https://i"), None, true).is_ok());
        assert!(Identity::new(None, None, Some("https://i"), None, false).is_err());
        assert!(Identity::new(Some("a"), Some("b"), Some("https://i"), None, false).is_err());
        assert!(Identity::new(Some("a"), None, None, None, false).is_err());
        assert!(Identity::new(None, Some("("), Some("https://i"), None, false).is_err());
        assert!(Identity::new(Some("a"), None, Some("i"), Some("j"), false).is_err());
    }

    #[test]
    fn regexes_match_the_whole_value_never_a_prefix() {
        let id = Identity::new(
            None,
            Some("https://github.com/org/repo/.*"),
            None,
            Some("https://token\\.actions\\.githubusercontent\\.com"),
            false,
        )
        .unwrap();
        let issuer = "https://token.actions.githubusercontent.com";
        assert!(
            id.check(&cert(
                "https://github.com/org/repo/.github/workflows/r.yml",
                issuer
            ))
            .is_ok()
        );
        // The issuer regex would match a prefix of this issuer; whole-match refuses it.
        let e = id
            .check(&cert(
                "https://github.com/org/repo/x",
                "https://token.actions.githubusercontent.com.evil.example",
            ))
            .unwrap_err();
        assert!(e.contains("OIDC issuer"), "{e}");
        // And an identity regex that matches only a prefix does not accept.
        let prefix = Identity::new(
            None,
            Some("https://github.com/org"),
            Some(issuer),
            None,
            false,
        )
        .unwrap();
        assert!(
            prefix
                .check(&cert("https://github.com/org-evil/x", issuer))
                .is_err()
        );
    }

    #[test]
    fn exact_identity_and_extensions() {
        let mut id = Identity::new(Some("a@b.c"), None, Some("https://i"), None, false).unwrap();
        assert!(id.check(&cert("a@b.c", "https://i")).is_ok());
        assert!(id.check(&cert("a@b.cd", "https://i")).is_err());
        assert!(id.check(&cert("a@b.c", "https://j")).is_err());
        id.extensions
            .push((Extension::SourceRepositoryRef, "refs/heads/main".into()));
        let e = id.check(&cert("a@b.c", "https://i")).unwrap_err();
        assert!(
            e.contains("source-repository-ref") && e.contains("absent"),
            "{e}"
        );
        let mut c = cert("a@b.c", "https://i");
        c.extensions
            .insert(Extension::SourceRepositoryRef, "refs/heads/main".into());
        assert!(id.check(&c).is_ok());
    }

    #[test]
    fn dangerous_any_identity_still_checks_the_issuer() {
        let id = Identity::new(None, None, Some("https://i"), None, true).unwrap();
        assert!(id.check(&cert("anyone", "https://i")).is_ok());
        assert!(id.check(&cert("anyone", "https://j")).is_err());
    }

    #[test]
    fn extension_keys_round_trip() {
        for e in Extension::ALL {
            assert_eq!(Extension::from_key(e.key()), Some(e));
            assert!(e.oid().starts_with("1.3.6.1.4.1.57264.1."));
        }
    }
}

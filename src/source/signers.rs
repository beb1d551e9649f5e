//! Who may sign commits, and checking one commit's signature against them.
//!
//! SSH signers come from an `allowed_signers` file in git's own format (ssh-keygen(1), "ALLOWED
//! SIGNERS"): `principals [options] keytype base64 [comment]`, with the options `namespaces=`,
//! `valid-after=`, `valid-before=` and `cert-authority`. A signature is checked the way
//! `git verify-commit` asks ssh-keygen to: SSHSIG in namespace `git`, at the committer's time.
//! OpenPGP signers are armored public keys; a signature may come from the primary key or from a
//! subkey whose binding verifies, and counts only if that key was valid at the signature's own
//! date (`super::openpgp`).

use std::path::Path;

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::packet::SignatureType;
use pgp::types::KeyDetails;
use ssh_key::{Algorithm, HashAlg, SshSig};

use super::openpgp::{RefusalKind, Validity, certified};
use crate::hash::hex_upper;
use crate::limits::{MAX_ALLOWED_SIGNERS_FILE, MAX_COMMIT_SIGNATURE, MAX_KEY_FILE};

/// The SSH namespace git signs commits in.
const GIT_NAMESPACE: &str = "git";

/// Why a signers file could not be used (a policy error: custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignersError {
    /// The file could not be read, or is not a regular file of a sane size.
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    /// A line of an allowed_signers file is malformed.
    #[error("{path}:{line}: {message}")]
    Line {
        path: String,
        line: usize,
        message: String,
    },
    /// An OpenPGP key file holds no usable public key.
    #[error("{path}: not an armored OpenPGP public key: {message}")]
    OpenPgp { path: String, message: String },
}

/// One line of an allowed_signers file.
#[derive(Clone, Debug)]
struct AllowedSigner {
    principals: Vec<String>,
    namespaces: Option<Vec<String>>,
    valid_after: Option<i64>,
    valid_before: Option<i64>,
    key: ssh_key::PublicKey,
    line: usize,
}

/// A trusted OpenPGP public key and the e-mail addresses of its user ids.
#[derive(Clone, Debug)]
struct OpenPgpKey {
    name: String,
    key: SignedPublicKey,
    validity: Validity,
    emails: Vec<String>,
}

/// Every signer the policy trusts for commits.
#[derive(Clone, Debug, Default)]
pub struct Signers {
    ssh: Vec<AllowedSigner>,
    /// cert-authority lines: SSH certificates are not checked, so they can only be reported.
    cert_authorities: usize,
    openpgp: Vec<OpenPgpKey>,
}

/// What one commit's signature proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureOutcome {
    /// The commit carries no signature.
    Unsigned,
    /// Valid, by an allowed signer. `identities` are the signer's principals or e-mail
    /// addresses in lower case, to compare with authors.
    Allowed {
        signer: String,
        identities: Vec<String>,
    },
    /// The signature does not verify, or cannot be parsed.
    Invalid(String),
    /// The signature may verify, but its key is not allowed (for this namespace or time).
    NotAllowed(String),
    /// A kind of signature custody does not check.
    Unsupported(String),
    /// The signature verifies with a trusted key that could not make it at its date (expired,
    /// revoked, not a signing key): `code` says which.
    Refused { kind: RefusalKind, why: String },
}

impl Signers {
    /// Whether any OpenPGP key is trusted.
    pub fn has_openpgp_keys(&self) -> bool {
        !self.openpgp.is_empty()
    }

    /// Add the SSH signers of an allowed_signers file.
    pub fn add_allowed_signers(&mut self, path: &Path) -> Result<(), SignersError> {
        let text = read_small(path, MAX_ALLOWED_SIGNERS_FILE)?;
        self.add_allowed_signers_text(&text, &path.display().to_string())
    }

    /// Add the SSH signers of allowed_signers text; `name` names it in errors.
    pub fn add_allowed_signers_text(&mut self, text: &str, name: &str) -> Result<(), SignersError> {
        for (i, line) in text.lines().enumerate() {
            let err = |message: String| SignersError::Line {
                path: name.to_owned(),
                line: i + 1,
                message,
            };
            match parse_allowed_signer(line, i + 1).map_err(err)? {
                Some(Line::Signer(s)) => self.ssh.push(*s),
                Some(Line::CertAuthority) => self.cert_authorities += 1,
                None => {}
            }
        }
        Ok(())
    }

    /// Add an armored OpenPGP public key (or several, in one armored block).
    pub fn add_openpgp_key(&mut self, path: &Path) -> Result<(), SignersError> {
        let text = read_small(path, MAX_KEY_FILE)?;
        let name = path.display().to_string();
        let err = |message: String| SignersError::OpenPgp {
            path: name.clone(),
            message,
        };
        let (keys, _) = SignedPublicKey::from_string_many(&text).map_err(|e| err(e.to_string()))?;
        let mut added = 0;
        for key in keys {
            let key = key.map_err(|e| err(e.to_string()))?;
            // Revocations and expiry are judged per signature, at its date; self-signatures
            // that do not verify are ignored rather than trusted.
            let validity = Validity::of(&key).map_err(err)?;
            let emails = key
                .details
                .users
                .iter()
                .filter(|u| certified(&key.primary_key, u))
                .filter_map(|u| u.id.as_str().map(email_of))
                .collect();
            self.openpgp.push(OpenPgpKey {
                name: format!(
                    "{name} ({})",
                    hex_upper(key.primary_key.fingerprint().as_bytes())
                ),
                key,
                validity,
                emails,
            });
            added += 1;
        }
        if added == 0 {
            return Err(err("no key found".into()));
        }
        Ok(())
    }

    /// Check one commit's signature over `data`, made at `time` (the committer's time, seconds
    /// since the Unix epoch), against the allowed signers.
    pub fn check(&self, signature: Option<&[u8]>, data: &[u8], time: i64) -> SignatureOutcome {
        let Some(signature) = signature else {
            return SignatureOutcome::Unsigned;
        };
        if signature.len() > MAX_COMMIT_SIGNATURE {
            return SignatureOutcome::Invalid(format!(
                "the signature is larger than {MAX_COMMIT_SIGNATURE} bytes"
            ));
        }
        let Ok(text) = std::str::from_utf8(signature) else {
            return SignatureOutcome::Invalid("the signature is not text".into());
        };
        let text = text.trim_start();
        if text.starts_with("-----BEGIN SSH SIGNATURE-----") {
            self.check_ssh(text, data, time)
        } else if text.starts_with("-----BEGIN PGP SIGNATURE-----") {
            self.check_openpgp(text, data, now())
        } else if text.starts_with("-----BEGIN SIGNED MESSAGE-----") {
            SignatureOutcome::Unsupported("an X.509 (gpgsm) signature".into())
        } else {
            SignatureOutcome::Invalid("the signature is of no known kind".into())
        }
    }

    fn check_ssh(&self, text: &str, data: &[u8], time: i64) -> SignatureOutcome {
        let sig = match SshSig::from_pem(text) {
            Ok(sig) => sig,
            Err(e) => return SignatureOutcome::Invalid(format!("unreadable SSH signature: {e}")),
        };
        if sig.namespace() != GIT_NAMESPACE {
            return SignatureOutcome::Invalid(format!(
                "SSH signature in namespace {:?}, not git",
                sig.namespace()
            ));
        }
        let key = ssh_key::PublicKey::from(sig.public_key().clone());
        let fingerprint = key.fingerprint(HashAlg::Sha256);
        if matches!(
            key.algorithm(),
            Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256
        ) {
            return SignatureOutcome::Unsupported(format!("a FIDO (sk-) SSH key {fingerprint}"));
        }
        if let Err(e) = key.verify(GIT_NAMESPACE, data, &sig) {
            return SignatureOutcome::Invalid(format!(
                "SSH signature by {fingerprint} does not verify: {e}"
            ));
        }
        let lines: Vec<&AllowedSigner> = self
            .ssh
            .iter()
            .filter(|s| s.key.key_data() == key.key_data())
            .collect();
        let usable: Vec<&AllowedSigner> = lines
            .iter()
            .copied()
            .filter(|s| s.allows(GIT_NAMESPACE, time))
            .collect();
        if usable.is_empty() {
            if let Some(s) = lines.first() {
                return SignatureOutcome::NotAllowed(format!(
                    "SSH key {fingerprint} (allowed_signers line {}, {}) is not allowed for namespace git at the commit's time",
                    s.line,
                    s.principals.join(",")
                ));
            }
            if self.cert_authorities > 0 {
                return SignatureOutcome::Unsupported(format!(
                    "SSH key {fingerprint} is not listed, and the allowed_signers cert-authority lines are not checked"
                ));
            }
            return SignatureOutcome::NotAllowed(format!(
                "SSH key {fingerprint} is not in allowed_signers"
            ));
        }
        let mut identities: Vec<String> = usable
            .iter()
            .flat_map(|s| s.principals.iter().map(|p| p.to_lowercase()))
            .collect();
        identities.sort();
        identities.dedup();
        SignatureOutcome::Allowed {
            signer: format!("{} (SSH {fingerprint})", identities.join(",")),
            identities,
        }
    }

    fn check_openpgp(&self, text: &str, data: &[u8], now: i64) -> SignatureOutcome {
        let sig = match DetachedSignature::from_string(text) {
            Ok((sig, _)) => sig,
            Err(e) => {
                return SignatureOutcome::Invalid(format!("unreadable OpenPGP signature: {e}"));
            }
        };
        // Only a signature of a document can sign a commit, as git verifies it ("Invalid
        // signature class" otherwise): binary (0x00) or canonical text (0x01). A standalone,
        // timestamp, certification or revocation signature by a trusted key vouches for
        // nothing here, whatever data it happens to verify over.
        let class = sig.signature.typ();
        if !matches!(class, Some(SignatureType::Binary | SignatureType::Text)) {
            return SignatureOutcome::Invalid(format!(
                "an OpenPGP signature of class {}, not a document signature (binary or text): \
                 git verify-commit rejects it too",
                class.map_or_else(
                    || "unknown".to_owned(),
                    |t| format!("{t:?} (0x{:02x})", u8::from(t))
                )
            ));
        }
        let issuers: Vec<String> = sig
            .signature
            .issuer_fingerprint()
            .iter()
            .map(|f| hex_upper(f.as_bytes()))
            .chain(
                sig.signature
                    .issuer_key_id()
                    .iter()
                    .map(|k| hex_upper(k.as_ref())),
            )
            .collect();
        let Some(made) = sig.signature.created() else {
            return SignatureOutcome::Invalid("the OpenPGP signature has no creation time".into());
        };
        let expires_in = sig
            .signature
            .signature_expiration_time()
            .map(|d| d.as_secs());
        let mut issued_by_trusted = false;
        let mut refused = None;
        for k in &self.openpgp {
            let names: Vec<String> = std::iter::once(k.key.primary_key.fingerprint())
                .chain(k.key.public_subkeys.iter().map(|s| s.key.fingerprint()))
                .map(|f| hex_upper(f.as_bytes()))
                .collect();
            if issuers
                .iter()
                .any(|i| names.iter().any(|n| n.ends_with(i.as_str())))
            {
                issued_by_trusted = true;
            }
            // Which of the key's keys made the signature: the primary (None) or a subkey.
            let by = if sig.verify(&k.key.primary_key, data).is_ok() {
                Some(None)
            } else {
                k.key
                    .public_subkeys
                    .iter()
                    .position(|s| sig.verify(&s.key, data).is_ok())
                    .map(Some)
            };
            let Some(by) = by else { continue };
            match k
                .validity
                .check(by, i64::from(made.as_secs()), expires_in, now)
            {
                Ok(()) => {
                    return SignatureOutcome::Allowed {
                        signer: format!("{} (OpenPGP {})", k.emails.join(","), k.name),
                        identities: k.emails.clone(),
                    };
                }
                Err(r) => refused = refused.or(Some(r)),
            }
        }
        if let Some(r) = refused {
            return SignatureOutcome::Refused {
                kind: r.kind,
                why: r.why,
            };
        }
        let by = if issuers.is_empty() {
            "an unnamed key".to_owned()
        } else {
            issuers.join("/")
        };
        if issued_by_trusted {
            SignatureOutcome::Invalid(format!("OpenPGP signature by {by} does not verify"))
        } else {
            SignatureOutcome::NotAllowed(format!(
                "OpenPGP signature by {by}, which is none of the trusted keys"
            ))
        }
    }
}

/// Seconds since the Unix epoch on this machine's clock, for dates that lie in the future.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl AllowedSigner {
    fn allows(&self, namespace: &str, time: i64) -> bool {
        let namespace_ok = self
            .namespaces
            .as_ref()
            .is_none_or(|list| pattern_list_matches(list, namespace));
        namespace_ok
            && self.valid_after.is_none_or(|t| time >= t)
            && self.valid_before.is_none_or(|t| time < t)
    }
}

#[derive(Debug)]
enum Line {
    Signer(Box<AllowedSigner>),
    CertAuthority,
}

/// Parse one allowed_signers line; `None` for blank lines and comments.
fn parse_allowed_signer(line: &str, number: usize) -> Result<Option<Line>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let mut fields = Fields(line);
    let principals = fields.next().ok_or("no principals")?;
    let principals: Vec<String> = unquote(principals)
        .split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if principals.is_empty() {
        return Err("no principals".into());
    }
    let mut next = fields.next().ok_or("no key")?;
    let (mut namespaces, mut valid_after, mut valid_before) = (None, None, None);
    let mut cert_authority = false;
    if !is_key_type(next) {
        for option in split_options(next) {
            let (name, value) = match option.split_once('=') {
                Some((n, v)) => (n.to_ascii_lowercase(), Some(unquote(v))),
                None => (option.to_ascii_lowercase(), None),
            };
            match (name.as_str(), value) {
                ("cert-authority", None) => cert_authority = true,
                ("namespaces", Some(v)) => {
                    namespaces = Some(v.split(',').map(str::to_owned).collect())
                }
                ("valid-after", Some(v)) => valid_after = Some(parse_time(v)?),
                ("valid-before", Some(v)) => valid_before = Some(parse_time(v)?),
                _ => return Err(format!("unknown option {option:?}")),
            }
        }
        next = fields.next().ok_or("no key")?;
    }
    let blob = fields.next().ok_or("no key after the key type")?;
    let key = ssh_key::PublicKey::from_openssh(&format!("{next} {blob}"))
        .map_err(|e| format!("unreadable {next} key: {e}"))?;
    if cert_authority {
        return Ok(Some(Line::CertAuthority));
    }
    Ok(Some(Line::Signer(Box::new(AllowedSigner {
        principals,
        namespaces,
        valid_after,
        valid_before,
        key,
        line: number,
    }))))
}

fn is_key_type(s: &str) -> bool {
    s.starts_with("ssh-") || s.starts_with("ecdsa-") || s.starts_with("sk-")
}

/// Space-separated fields where a double-quoted part may hold spaces.
struct Fields<'a>(&'a str);

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let s = self.0.trim_start();
        if s.is_empty() {
            return None;
        }
        let mut quoted = false;
        let end = s
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                !quoted && c.is_ascii_whitespace()
            })
            .map_or(s.len(), |(i, _)| i);
        self.0 = &s[end..];
        Some(&s[..end])
    }
}

/// Split `a,b="x,y",c` at the commas outside quotes.
fn split_options(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// ssh's pattern-list: comma-separated globs (`*`, `?`), a leading `!` negates and wins.
fn pattern_list_matches(list: &[String], name: &str) -> bool {
    let mut matched = false;
    for p in list {
        match p.strip_prefix('!') {
            Some(neg) if glob(neg.as_bytes(), name.as_bytes()) => return false,
            Some(_) => {}
            None => matched |= glob(p.as_bytes(), name.as_bytes()),
        }
    }
    matched
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&p[1..], s) || (!s.is_empty() && glob(p, &s[1..])),
        (Some(b'?'), Some(_)) => glob(&p[1..], &s[1..]),
        (Some(a), Some(b)) if a == b => glob(&p[1..], &s[1..]),
        _ => false,
    }
}

/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optionally ending in `Z`. ssh-keygen reads a
/// time without `Z` in the local time zone; custody reads it as UTC so that a verdict never
/// depends on the machine's zone (write the `Z` to mean the same thing to both).
fn parse_time(s: &str) -> Result<i64, String> {
    let bad = || format!("invalid time {s:?} (expected YYYYMMDD[HHMM[SS]][Z])");
    let digits = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).map_or(0, |d| d.parse::<i64>().unwrap_or(0));
    let (y, mo, d) = (n(0..4), n(4..6), n(6..8));
    let (h, mi, sec) = (n(8..10), n(10..12), n(12..14));
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return Err(bad());
    }
    Ok(crate::attest::timestamp::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec)
}

/// The address in `Name <addr>`, lower case; the whole user id when it has none.
fn email_of(user_id: &str) -> String {
    match (user_id.rfind('<'), user_id.rfind('>')) {
        (Some(a), Some(b)) if a < b => user_id[a + 1..b].to_lowercase(),
        _ => user_id.trim().to_lowercase(),
    }
}

fn read_small(path: &Path, max: u64) -> Result<String, SignersError> {
    crate::limits::read_small(path, max).map_err(|message| SignersError::Read {
        path: path.display().to_string(),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    #[test]
    fn parses_options_and_quoted_principals() {
        let line = format!(
            "\"alice@example.com,bob@example.com\" namespaces=\"git,file\",valid-after=\"20240101\",valid-before=\"20250101Z\" {KEY} comment"
        );
        let Some(Line::Signer(s)) = parse_allowed_signer(&line, 3).unwrap() else {
            panic!("a signer line");
        };
        assert_eq!(s.principals, ["alice@example.com", "bob@example.com"]);
        assert_eq!(s.valid_after, Some(1_704_067_200));
        assert_eq!(s.valid_before, Some(1_735_689_600));
        assert!(s.allows("git", 1_720_000_000));
        assert!(!s.allows("git", 1_735_689_600));
        assert!(!s.allows("git", 1_704_067_199));
        assert!(!s.allows("ssh", 1_720_000_000));
    }

    #[test]
    fn comments_cert_authorities_and_errors() {
        assert!(parse_allowed_signer("  # note", 1).unwrap().is_none());
        assert!(matches!(
            parse_allowed_signer(&format!("*@example.com cert-authority {KEY}"), 1).unwrap(),
            Some(Line::CertAuthority)
        ));
        assert!(
            parse_allowed_signer(&format!("a@b frobnicate {KEY}"), 1)
                .unwrap_err()
                .contains("unknown option")
        );
        assert!(parse_allowed_signer("a@b ssh-ed25519 !!!", 1).is_err());
        assert!(
            parse_allowed_signer(&format!("a@b valid-before=\"2024\" {KEY}"), 1)
                .unwrap_err()
                .contains("invalid time")
        );
    }

    #[test]
    fn pattern_lists_follow_ssh() {
        let list = ["g*".to_owned(), "!gpg".to_owned()];
        assert!(pattern_list_matches(&list, "git"));
        assert!(!pattern_list_matches(&list, "gpg"));
        assert!(!pattern_list_matches(&list, "file"));
    }

    /// A standalone (0x02) or timestamp (0x40) signature by a trusted key does not sign a
    /// commit; binary and text signatures over the same payload do.
    #[test]
    fn only_document_signatures_sign_a_commit() {
        use pgp::composed::{KeyType, SecretKeyParamsBuilder};
        use pgp::crypto::hash::HashAlgorithm;
        use pgp::packet::{SignatureConfig, Subpacket, SubpacketData};
        use pgp::types::{KeyDetails as _, Password, Timestamp};

        let mut rng = rand::thread_rng();
        let secret = SecretKeyParamsBuilder::default()
            .key_type(KeyType::Ed25519Legacy)
            .can_certify(true)
            .can_sign(true)
            .primary_user_id("Alice <alice@example.com>".into())
            .build()
            .unwrap()
            .generate(&mut rng)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("alice.asc");
        let armored = secret
            .to_public_key()
            .to_armored_string(Default::default())
            .unwrap();
        std::fs::write(&key_file, armored).unwrap();
        let mut signers = Signers::default();
        signers.add_openpgp_key(&key_file).unwrap();
        let payload = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nmessage\n";
        let sign = |class: SignatureType| {
            let mut config = SignatureConfig::v4(
                SignatureType::Binary,
                secret.algorithm(),
                HashAlgorithm::Sha256,
            );
            config.hashed_subpackets = vec![
                Subpacket::regular(SubpacketData::SignatureCreationTime(Timestamp::now())).unwrap(),
                Subpacket::regular(SubpacketData::IssuerFingerprint(secret.fingerprint())).unwrap(),
            ];
            let sig = config
                .sign(&secret.primary_key, &Password::empty(), &payload[..])
                .unwrap();
            let mut bytes = pgp::ser::Serialize::to_bytes(&DetachedSignature::new(sig)).unwrap();
            // A new-format signature packet (tag 2) with a one-byte length: version 4, then the
            // signature class, which the pgp crate will not sign other than as a document.
            assert_eq!((bytes[0], bytes[2]), (0xc2, 4));
            bytes[3] = u8::from(class);
            DetachedSignature::from_bytes(&bytes[..])
                .unwrap()
                .to_armored_string(Default::default())
                .unwrap()
        };
        for (class, signs) in [
            (SignatureType::Binary, true),
            (SignatureType::Standalone, false),
            (SignatureType::Timestamp, false),
            (SignatureType::CertGeneric, false),
        ] {
            let text = sign(class);
            let outcome = signers.check(Some(text.as_bytes()), payload, 1);
            match (signs, &outcome) {
                (true, SignatureOutcome::Allowed { .. }) => {}
                (false, SignatureOutcome::Invalid(why)) => {
                    assert!(why.contains("not a document signature"), "{class:?}: {why}")
                }
                _ => panic!("{class:?}: {outcome:?}"),
            }
        }
    }

    #[test]
    fn unsigned_and_unknown_signatures() {
        let s = Signers::default();
        assert_eq!(s.check(None, b"x", 0), SignatureOutcome::Unsigned);
        assert!(matches!(
            s.check(Some(b"hello"), b"x", 0),
            SignatureOutcome::Invalid(_)
        ));
        assert!(matches!(
            s.check(Some(b"-----BEGIN SIGNED MESSAGE-----\n"), b"x", 0),
            SignatureOutcome::Unsupported(_)
        ));
        assert_eq!(email_of("Alice <Alice@Example.com>"), "alice@example.com");
    }
}

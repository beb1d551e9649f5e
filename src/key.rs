//! Trusted public keys: PEM SubjectPublicKeyInfo in, ready-to-use verification keys out.
//!
//! Crypto is aws-lc-rs: the keyless verifier builds on sigstore-verify, whose
//! only backend is aws-lc-rs, so one crypto stack serves both.

use std::fmt;

use crate::hash::hex;

use aws_lc_rs::digest;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use base64::Engine;
use sha2::{Digest as _, Sha256};

/// Why a public key file could not be used (custody exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key file could not be read.
    #[error("key {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The key file is a FIFO, directory or device, or larger than any public key.
    #[error("key {path}: not a regular file of at most {max} bytes", max = crate::limits::MAX_KEY_FILE)]
    NotAKeyFile { path: std::path::PathBuf },
    /// No `-----BEGIN PUBLIC KEY-----` block.
    #[error("no PEM \"PUBLIC KEY\" block (SubjectPublicKeyInfo) found")]
    NoPem,
    /// The PEM block's body is not base64.
    #[error("the PEM block is not valid base64")]
    BadBase64,
    /// The DER is not a SubjectPublicKeyInfo of a supported algorithm.
    #[error("not a supported public key (ECDSA P-256 or P-384, Ed25519, RSA 2048-8192 bits)")]
    Unsupported,
}

/// The kind of a trusted key, which fixes the algorithms tried with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    Rsa,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::EcdsaP256 => "ecdsa-p256",
            KeyKind::EcdsaP384 => "ecdsa-p384",
            KeyKind::Ed25519 => "ed25519",
            KeyKind::Rsa => "rsa",
        }
    }
}

/// One algorithm a key is tried with, and its name in reports.
struct Variant {
    name: &'static str,
    key: ParsedPublicKey,
    /// The digest this variant signs, for signatures over a precomputed digest; `None` where the
    /// algorithm cannot verify a bare digest (Ed25519 signs whole messages).
    digest: Option<&'static digest::Algorithm>,
}

/// A public key the user trusts.
pub struct PublicKey {
    name: String,
    keyid: String,
    kind: KeyKind,
    variants: Vec<Variant>,
    spki: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("name", &self.name)
            .field("keyid", &self.keyid)
            .field("kind", &self.kind)
            .finish()
    }
}

type Candidate = (
    &'static str,
    &'static dyn VerificationAlgorithm,
    Option<&'static digest::Algorithm>,
);

const P256: &[Candidate] = &[
    (
        "ecdsa-p256-sha256",
        &signature::ECDSA_P256_SHA256_ASN1,
        Some(&digest::SHA256),
    ),
    (
        "ecdsa-p256-sha256-fixed",
        &signature::ECDSA_P256_SHA256_FIXED,
        Some(&digest::SHA256),
    ),
];
const P384: &[Candidate] = &[
    (
        "ecdsa-p384-sha384",
        &signature::ECDSA_P384_SHA384_ASN1,
        Some(&digest::SHA384),
    ),
    (
        "ecdsa-p384-sha384-fixed",
        &signature::ECDSA_P384_SHA384_FIXED,
        Some(&digest::SHA384),
    ),
];
const ED25519: &[Candidate] = &[("ed25519", &signature::ED25519, None)];
const RSA: &[Candidate] = &[
    (
        "rsa-pkcs1v15-sha256",
        &signature::RSA_PKCS1_2048_8192_SHA256,
        Some(&digest::SHA256),
    ),
    (
        "rsa-pss-sha256",
        &signature::RSA_PSS_2048_8192_SHA256,
        Some(&digest::SHA256),
    ),
    (
        "rsa-pkcs1v15-sha384",
        &signature::RSA_PKCS1_2048_8192_SHA384,
        Some(&digest::SHA384),
    ),
    (
        "rsa-pss-sha384",
        &signature::RSA_PSS_2048_8192_SHA384,
        Some(&digest::SHA384),
    ),
    (
        "rsa-pkcs1v15-sha512",
        &signature::RSA_PKCS1_2048_8192_SHA512,
        Some(&digest::SHA512),
    ),
    (
        "rsa-pss-sha512",
        &signature::RSA_PSS_2048_8192_SHA512,
        Some(&digest::SHA512),
    ),
];

impl PublicKey {
    /// Read a PEM `PUBLIC KEY` (SubjectPublicKeyInfo). `name` says where it came from.
    pub fn from_pem(text: &str, name: impl Into<String>) -> Result<PublicKey, KeyError> {
        let der = pem_body(text)?;
        Self::from_spki_der(&der, name)
    }

    /// Read a PEM public key file; the key is named by its path.
    pub fn from_file(path: &std::path::Path) -> Result<PublicKey, KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_owned(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if !meta.is_file() || meta.len() > crate::limits::MAX_KEY_FILE {
            return Err(KeyError::NotAKeyFile {
                path: path.to_owned(),
            });
        }
        // Read as bytes: a file that is not text is readable but holds no key, which is a
        // failing check like any other unusable key, not a failure to run.
        let bytes = std::fs::read(path).map_err(io)?;
        Self::from_pem(&String::from_utf8_lossy(&bytes), path.display().to_string())
    }

    /// Use a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8], name: impl Into<String>) -> Result<PublicKey, KeyError> {
        // The key's own algorithm decides which parse succeeds: aws-lc checks the SPKI's
        // algorithm identifier and curve against each verification algorithm.
        let (kind, candidates) = [
            (KeyKind::EcdsaP256, P256),
            (KeyKind::EcdsaP384, P384),
            (KeyKind::Ed25519, ED25519),
            (KeyKind::Rsa, RSA),
        ]
        .into_iter()
        .find(|(_, c)| ParsedPublicKey::new(c[0].1, der).is_ok())
        .ok_or(KeyError::Unsupported)?;
        let variants: Vec<Variant> = candidates
            .iter()
            .map(|&(name, alg, digest)| {
                let key = ParsedPublicKey::new(alg, der).map_err(|_| KeyError::Unsupported)?;
                Ok(Variant { name, key, digest })
            })
            .collect::<Result<_, KeyError>>()?;
        // One key, one identity: the SPKI as aws-lc writes it back (an EC point uncompressed),
        // so that a key given twice in two encodings is still one key (`--threshold`).
        let canonical = variants[0]
            .key
            .as_der()
            .map(|d| d.as_ref().to_vec())
            .unwrap_or_else(|_| der.to_vec());
        Ok(PublicKey {
            name: name.into(),
            keyid: hex(&Sha256::digest(&canonical)),
            kind,
            variants,
            spki: canonical,
        })
    }

    /// The DER SubjectPublicKeyInfo, in its canonical encoding.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// Where the key came from (a file path, or the policy entry).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// SHA-256 of the canonical DER SubjectPublicKeyInfo, lowercase hex.
    pub fn keyid(&self) -> &str {
        &self.keyid
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// OpenSSH's fingerprint of the key, as `ssh-keygen -l` prints it: `SHA256:` and the
    /// unpadded base64 of the SHA-256 of its SSH wire encoding. slsa-verifier names a VSA key
    /// by it when no key id is given.
    pub fn ssh_fingerprint(&self) -> Option<String> {
        use x509_cert::der::Decode;
        let spki = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(&self.spki).ok()?;
        let key = spki.subject_public_key.as_bytes()?;
        let mut wire = Vec::new();
        let mut put = |b: &[u8]| {
            wire.extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_be_bytes());
            wire.extend_from_slice(b);
        };
        match self.kind {
            KeyKind::EcdsaP256 => {
                put(b"ecdsa-sha2-nistp256");
                put(b"nistp256");
                put(key);
            }
            KeyKind::EcdsaP384 => {
                put(b"ecdsa-sha2-nistp384");
                put(b"nistp384");
                put(key);
            }
            KeyKind::Ed25519 => {
                put(b"ssh-ed25519");
                put(key);
            }
            KeyKind::Rsa => {
                // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }; a DER
                // INTEGER's content is exactly an SSH mpint.
                let (0x30, body, _) = der_tlv(key)? else {
                    return None;
                };
                let (0x02, n, rest) = der_tlv(body)? else {
                    return None;
                };
                let (0x02, e, _) = der_tlv(rest)? else {
                    return None;
                };
                put(b"ssh-rsa");
                put(e);
                put(n);
            }
        }
        Some(format!(
            "SHA256:{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(&wire))
        ))
    }

    /// Whether a signature `hint` (DSSE keyid, bundle publicKey.hint) plausibly names this key.
    /// Only an ordering hint: every key is still tried.
    pub fn matches_hint(&self, hint: &str) -> bool {
        let b64 = base64::engine::general_purpose::STANDARD.decode(hint).ok();
        hint.eq_ignore_ascii_case(&self.keyid) || b64.is_some_and(|b| hex(&b) == self.keyid)
    }

    /// Verify `signature` over `message`; returns the algorithm that verified.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Option<&'static str> {
        self.variants
            .iter()
            .find(|v| v.key.verify_sig(message, signature).is_ok())
            .map(|v| v.name)
    }

    /// Verify `signature` over a message known only by its digest; `None` when no variant of
    /// this key verifies (or can verify) a bare digest of this algorithm.
    pub fn verify_digest(
        &self,
        algorithm: &'static digest::Algorithm,
        digest_bytes: &[u8],
        signature: &[u8],
    ) -> Option<&'static str> {
        let d = digest::Digest::import_less_safe(digest_bytes, algorithm).ok()?;
        self.variants
            .iter()
            .filter(|v| v.digest == Some(algorithm))
            .find(|v| v.key.verify_digest_sig(&d, signature).is_ok())
            .map(|v| v.name)
    }

    /// Whether this key can check a signature over a bare digest at all.
    pub fn signs_digests(&self) -> bool {
        self.kind != KeyKind::Ed25519
    }
}

/// The DER inside the first `PUBLIC KEY` PEM block of `text`.
fn pem_body(text: &str) -> Result<Vec<u8>, KeyError> {
    const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
    const END: &str = "-----END PUBLIC KEY-----";
    let start = text.find(BEGIN).ok_or(KeyError::NoPem)? + BEGIN.len();
    let len = text[start..].find(END).ok_or(KeyError::NoPem)?;
    let body: String = text[start..start + len]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| KeyError::BadBase64)
}

/// One DER tag-length-value: (tag, content, what follows). Definite lengths up to 4 bytes.
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The managed-key fixture of sigstore-conformance (an ECDSA P-256 key).
    const CONFORMANCE_KEY: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAExRRST79+PsrRBnGAI4cMu6Omz2Jh
fwlMW+gIutNKVRaMyS4rQKvgngc5p8UbLj55pVHhIoAxi/SRgURZI0J3Xw==
-----END PUBLIC KEY-----
";

    #[test]
    fn reads_a_p256_spki_and_its_keyid() {
        let k = PublicKey::from_pem(CONFORMANCE_KEY, "key.pub").unwrap();
        assert_eq!(k.kind(), KeyKind::EcdsaP256);
        assert_eq!(k.keyid().len(), 64);
        assert!(k.matches_hint(&k.keyid().to_uppercase()));
    }

    /// Fingerprints as `ssh-keygen -l` printed them for these keys (the P-256 key is the VSA
    /// signing key of slsa-verifier's test data; the RSA key was made by ssh-keygen).
    #[test]
    fn ssh_fingerprints_are_openssh_s() {
        let p256 = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeGa6ZCZn0q6WpaUwJrSk+PPYEsca
3Xkk3UrxvbQtoZzTmq0zIYq+4QQl0YBedSyy+XcwAMaUWTouTrB05WhYtg==
-----END PUBLIC KEY-----
";
        let rsa = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAty8joUAYY2HLSsqB1Myr
ozBaf5r7av1SkQqJOgSNLxQZhJKjjTk5WDXY6Dzt6BmOWZ5+cUre0KpmlfhuasOE
+qOP0zb128FxwQBM5hLjW6k0PHjC3io72Jptc+HXYvGFY3FClfPiGcDAGj8qIs2d
ktkXnZ8oDo+xZC6ahD0gcgx8MIud6Rm+PICvY5IeT6wP7WnoIk9WWLf3Ykf70m8Z
FudcXKpoaq4Yd73grPaVKx9lRCsL1AfHEfDNDeEJr/3yqEJlOqmummM9VExWGNV3
uKXi/UvfJ/4YVnimmTiM+uEeekwOxfPyt5bImT2IM7Y1plJkaixKWV6FeOuYctjg
QwIDAQAB
-----END PUBLIC KEY-----
";
        let fp = |pem: &str| {
            PublicKey::from_pem(pem, "k")
                .unwrap()
                .ssh_fingerprint()
                .unwrap()
        };
        assert_eq!(
            fp(p256),
            "SHA256:Zphi7kubaI7RnOrkqPgkRdVhF5a2JOFB4gor/Zajiiw"
        );
        assert_eq!(
            fp(rsa),
            "SHA256:lMgDxSyS3NgMk+I/O4KRRB1sP29AH5q0mg+Q3LawWjo"
        );
    }

    /// A P-256 key written with its point compressed is the same key as written uncompressed.
    #[test]
    fn a_key_in_two_encodings_has_one_identity() {
        use aws_lc_rs::rand::SystemRandom;
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &SystemRandom::new())
                .unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref().to_vec(); // 0x04 || x || y
        assert_eq!((point.len(), point[0]), (65, 4));
        let header: &[u8] = &[
            0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
            0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
        ];
        let spki = |p: &[u8]| {
            let mut bits = vec![0x03, (p.len() + 1) as u8, 0x00];
            bits.extend_from_slice(p);
            let mut body = header.to_vec();
            body.extend_from_slice(&bits);
            let mut der = vec![0x30, body.len() as u8];
            der.extend_from_slice(&body);
            der
        };
        let mut compressed = vec![0x02 | (point[64] & 1)];
        compressed.extend_from_slice(&point[1..33]);
        let a = PublicKey::from_spki_der(&spki(&point), "uncompressed").unwrap();
        let b = PublicKey::from_spki_der(&spki(&compressed), "compressed").unwrap();
        assert_eq!(a.keyid(), b.keyid());
        assert_eq!(a.spki_der(), b.spki_der());
    }

    #[test]
    fn refuses_what_is_not_an_spki_public_key() {
        assert!(matches!(
            PublicKey::from_pem("hello", "x"),
            Err(KeyError::NoPem)
        ));
        let bad = "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n";
        assert!(matches!(
            PublicKey::from_pem(bad, "x"),
            Err(KeyError::BadBase64)
        ));
        let junk = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        assert!(matches!(
            PublicKey::from_pem(junk, "x"),
            Err(KeyError::Unsupported)
        ));
    }
}

//! A Sigstore instance in a box, like sigstore-go's VirtualSigstore: a Fulcio-like CA issuing
//! short-lived code-signing certificates with an embedded SCT from a CT log, and a Rekor-like
//! transparency log (RFC 6962 Merkle tree, signed checkpoints, signed entry timestamps). It
//! mints keyless bundles (v0.3, message signature over a hashedrekord 0.0.1 entry) and the
//! matching `trusted_root.json`, with knobs to tamper with each part.

#![allow(dead_code)]

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SanType, SerialNumber,
};
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, Encode};

pub const ISSUER: &str = "https://token.actions.githubusercontent.com";
pub const IDENTITY: &str =
    "https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.0.0";
/// The repository every minted certificate says its workflow ran for.
pub const SOURCE_REPOSITORY: &str = "https://github.com/org/app";
/// When the fixtures' certificates start being valid (2024-01-01T00:00:00Z).
pub const T0: i64 = 1_704_067_200;
const ORIGIN: &str = "rekor.virtual.test - 42";

/// One way to spoil a minted bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    None,
    /// Flip a bit in one hash of the inclusion proof.
    InclusionProofHash,
    /// Replace the inclusion proof's root hash (the checkpoint still names the real one).
    RootHash,
    /// Flip a bit in the checkpoint's signature.
    CheckpointSignature,
    /// Flip a bit in the signed entry timestamp.
    SignedEntryTimestamp,
    /// A correctly signed integrated time an hour after the certificate expired.
    IntegratedTimeOutsideValidity,
    /// The certificate is issued by a CA the trusted root does not list.
    UntrustedCa,
    /// The certificate carries no SCT.
    MissingSct,
    /// The signature does not cover the artifact.
    Signature,
}

fn ecdsa() -> EcdsaKeyPair {
    EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap()
}

fn spki(k: &EcdsaKeyPair) -> Vec<u8> {
    k.public_key().as_der().unwrap().as_ref().to_vec()
}

fn sign(k: &EcdsaKeyPair, msg: &[u8]) -> Vec<u8> {
    k.sign(&SystemRandom::new(), msg).unwrap().as_ref().to_vec()
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn at(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

/// A certificate authority: its key and self-signed certificate.
struct Ca {
    key: rcgen::KeyPair,
    params: CertificateParams,
    der: Vec<u8>,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = rcgen::KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = at(T0 - 365 * 86_400);
        params.not_after = at(T0 + 10 * 365 * 86_400);
        let der = params.self_signed(&key).unwrap().der().to_vec();
        Ca { key, params, der }
    }
}

/// The virtual instance: CA, CT log and transparency log keys.
pub struct VirtualSigstore {
    ca: Ca,
    rogue_ca: Ca,
    ct: EcdsaKeyPair,
    rekor: EcdsaKeyPair,
}

/// A minted bundle and what it signs.
pub struct Minted {
    pub bundle: String,
    pub artifact: Vec<u8>,
}

impl Default for VirtualSigstore {
    fn default() -> Self {
        VirtualSigstore::new()
    }
}

impl VirtualSigstore {
    pub fn new() -> VirtualSigstore {
        VirtualSigstore {
            ca: Ca::new("virtual fulcio"),
            rogue_ca: Ca::new("rogue fulcio"),
            ct: ecdsa(),
            rekor: ecdsa(),
        }
    }

    /// The `trusted_root.json` that trusts this instance.
    pub fn trusted_root(&self) -> String {
        let log = |k: &EcdsaKeyPair, url: &str| {
            let der = spki(k);
            serde_json::json!({
                "baseUrl": url,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": B64.encode(&der),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": {"start": "2020-01-01T00:00:00Z"}
                },
                "logId": {"keyId": B64.encode(sha256(&[&der]))}
            })
        };
        serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(&self.rekor, "https://rekor.virtual.test")],
            "certificateAuthorities": [{
                "subject": {"organization": "virtual", "commonName": "virtual fulcio"},
                "uri": "https://fulcio.virtual.test",
                "certChain": {"certificates": [{"rawBytes": B64.encode(&self.ca.der)}]},
                "validFor": {"start": "2020-01-01T00:00:00Z"}
            }],
            "ctlogs": [log(&self.ct, "https://ctfe.virtual.test")],
            "timestampAuthorities": []
        })
        .to_string()
    }

    /// A leaf certificate for `identity` from `issuer`, valid for ten minutes from T0.
    fn leaf(&self, key: &rcgen::KeyPair, identity: &str, issuer: &str, tamper: Tamper) -> Vec<u8> {
        let ca = if tamper == Tamper::UntrustedCa {
            &self.rogue_ca
        } else {
            &self.ca
        };
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        // A URI for workloads, an email for people, and Fulcio's username otherName
        // (`user!host`) for private deployments' username identities.
        params.subject_alt_names = vec![if identity.contains("://") {
            SanType::URI(identity.try_into().unwrap())
        } else if identity.contains('!') {
            SanType::OtherName((vec![1, 3, 6, 1, 4, 1, 57264, 1, 7], identity.into()))
        } else {
            SanType::Rfc822Name(identity.try_into().unwrap())
        }];
        params.serial_number = Some(SerialNumber::from(vec![0x11, 0x22, 0x33]));
        params.not_before = at(T0);
        params.not_after = at(T0 + 600);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        // Fulcio's OIDC issuer (v2) extension: a DER UTF8String.
        let mut issuer_der = vec![0x0c, issuer.len() as u8];
        issuer_der.extend_from_slice(issuer.as_bytes());
        params.custom_extensions = vec![
            CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 57264, 1, 8], issuer_der),
            CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 57264, 1, 14],
                der_utf8("refs/tags/v1.0.0"),
            ),
            // Source Repository URI: the repository whose workflow ran.
            CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 57264, 1, 12],
                der_utf8(SOURCE_REPOSITORY),
            ),
        ];
        let ca_issuer = Issuer::from_params(&ca.params, &ca.key);
        let precert = params.signed_by(key, &ca_issuer).unwrap().der().to_vec();
        if tamper == Tamper::MissingSct {
            return precert;
        }
        // RFC 6962 embedded SCT: signs the TBSCertificate without the SCT extension, which is
        // exactly the certificate minted above.
        let tbs = x509_cert::Certificate::from_der(&precert)
            .unwrap()
            .tbs_certificate
            .to_der()
            .unwrap();
        let timestamp_ms = (T0 as u64) * 1000;
        let mut signed = vec![0u8, 0u8];
        signed.extend_from_slice(&timestamp_ms.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes()); // precert_entry
        signed.extend_from_slice(&sha256(&[&rcgen::PublicKeyData::subject_public_key_info(
            &ca.key,
        )]));
        signed.extend_from_slice(&(tbs.len() as u32).to_be_bytes()[1..]);
        signed.extend_from_slice(&tbs);
        signed.extend_from_slice(&0u16.to_be_bytes()); // no extensions
        let sig = sign(&self.ct, &signed);
        let mut sct = vec![0u8];
        sct.extend_from_slice(&sha256(&[&spki(&self.ct)]));
        sct.extend_from_slice(&timestamp_ms.to_be_bytes());
        sct.extend_from_slice(&0u16.to_be_bytes());
        sct.extend_from_slice(&[4, 3]); // sha256, ecdsa
        sct.extend_from_slice(&(sig.len() as u16).to_be_bytes());
        sct.extend_from_slice(&sig);
        let mut list = ((sct.len() + 2) as u16).to_be_bytes().to_vec();
        list.extend_from_slice(&(sct.len() as u16).to_be_bytes());
        list.extend_from_slice(&sct);
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2],
                der_octets(&list),
            ));
        params.signed_by(key, &ca_issuer).unwrap().der().to_vec()
    }

    /// A v0.3 bundle signing `artifact` as `identity` from `issuer`, spoiled by `tamper`.
    pub fn mint(&self, artifact: &[u8], identity: &str, issuer: &str, tamper: Tamper) -> Minted {
        let key = rcgen::KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = self.leaf(&key, identity, issuer, tamper);
        let signer =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &key.serialize_der())
                .unwrap();
        let digest = sha256(&[artifact]);
        let signed: &[u8] = if tamper == Tamper::Signature {
            b"something else"
        } else {
            artifact
        };
        let signature = sign(&signer, signed);

        // hashedrekord 0.0.1, canonical JSON (keys sorted, no spaces).
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            B64.encode(&cert)
        );
        let body = format!(
            r#"{{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{{"data":{{"hash":{{"algorithm":"sha256","value":"{}"}}}},"signature":{{"content":"{}","publicKey":{{"content":"{}"}}}}}}}}"#,
            hex(&digest),
            B64.encode(&signature),
            B64.encode(pem.as_bytes())
        );

        // A five-leaf log with the entry at index 3.
        let index = 3usize;
        let mut leaves: Vec<[u8; 32]> = (0..5u8)
            .map(|i| sha256(&[&[0u8], b"other entry ", &[i]]))
            .collect();
        leaves[index] = sha256(&[&[0u8], body.as_bytes()]);
        let root = merkle_root(&leaves);
        let mut proof = inclusion_path(index, &leaves);
        let mut proof_root = root;
        match tamper {
            Tamper::InclusionProofHash => proof[0][5] ^= 1,
            Tamper::RootHash => proof_root[0] ^= 1,
            _ => {}
        }

        let note = format!("{ORIGIN}\n{}\n{}\n", leaves.len(), B64.encode(root));
        let mut note_sig = sha256(&[&spki(&self.rekor)])[..4].to_vec();
        note_sig.extend_from_slice(&sign(&self.rekor, note.as_bytes()));
        if tamper == Tamper::CheckpointSignature {
            let last = note_sig.len() - 3;
            note_sig[last] ^= 1;
        }
        let checkpoint = format!(
            "{note}\n\u{2014} rekor.virtual.test {}\n",
            B64.encode(&note_sig)
        );

        let log_id = sha256(&[&spki(&self.rekor)]);
        let integrated = if tamper == Tamper::IntegratedTimeOutsideValidity {
            T0 + 3600
        } else {
            T0 + 60
        };
        let body_b64 = B64.encode(body.as_bytes());
        let set_payload = format!(
            r#"{{"body":"{body_b64}","integratedTime":{integrated},"logID":"{}","logIndex":{index}}}"#,
            hex(&log_id)
        );
        let mut set = sign(&self.rekor, set_payload.as_bytes());
        if tamper == Tamper::SignedEntryTimestamp {
            let last = set.len() - 3;
            set[last] ^= 1;
        }

        let bundle = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "certificate": {"rawBytes": B64.encode(&cert)},
                "tlogEntries": [{
                    "logIndex": index.to_string(),
                    "logId": {"keyId": B64.encode(log_id)},
                    "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
                    "integratedTime": integrated.to_string(),
                    "inclusionPromise": {"signedEntryTimestamp": B64.encode(&set)},
                    "inclusionProof": {
                        "logIndex": index.to_string(),
                        "rootHash": B64.encode(proof_root),
                        "treeSize": leaves.len().to_string(),
                        "hashes": proof.iter().map(|h| B64.encode(h)).collect::<Vec<_>>(),
                        "checkpoint": {"envelope": checkpoint}
                    },
                    "canonicalizedBody": body_b64
                }]
            },
            "messageSignature": {
                "messageDigest": {"algorithm": "SHA2_256", "digest": B64.encode(digest)},
                "signature": B64.encode(&signature)
            }
        });
        Minted {
            bundle: serde_json::to_string_pretty(&bundle).unwrap(),
            artifact: artifact.to_vec(),
        }
    }
}

impl VirtualSigstore {
    /// A bare DSSE envelope (one JSON line of an `.intoto.jsonl`) of an in-toto statement naming
    /// `artifact`, signed with a fresh certificate carried in the signature's `cert`, and no
    /// transparency log entry: the form slsa-github-generator up to v1.10 wrote.
    pub fn mint_unlogged_envelope(
        &self,
        artifact: &[u8],
        identity: &str,
        tamper: Tamper,
    ) -> String {
        let statement = serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "artifact.txt", "digest": {"sha256": hex(&sha256(&[artifact]))}}],
            "predicateType": "https://example.com/predicate/v1",
            "predicate": {}
        })
        .to_string();
        self.mint_unlogged_statement(&statement, identity, tamper)
    }

    /// A bare DSSE envelope of `statement` (in-toto JSON), signed as `identity` from GitHub
    /// Actions, with no transparency log entry.
    pub fn mint_unlogged_statement(
        &self,
        statement: &str,
        identity: &str,
        tamper: Tamper,
    ) -> String {
        let key = rcgen::KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = self.leaf(&key, identity, ISSUER, tamper);
        let signer =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &key.serialize_der())
                .unwrap();
        let payload_type = "application/vnd.in-toto+json";
        let pae = format!(
            "DSSEv1 {} {payload_type} {} {statement}",
            payload_type.len(),
            statement.len()
        );
        let mut sig = sign(&signer, pae.as_bytes());
        if tamper == Tamper::Signature {
            sig[10] ^= 1;
        }
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            B64.encode(&cert)
        );
        serde_json::json!({
            "payloadType": payload_type,
            "payload": B64.encode(statement.as_bytes()),
            "signatures": [{"keyid": "", "sig": B64.encode(&sig), "cert": pem}]
        })
        .to_string()
    }
}

fn der_len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        vec![n as u8]
    } else if n < 0x100 {
        vec![0x81, n as u8]
    } else {
        vec![0x82, (n >> 8) as u8, n as u8]
    }
}

fn der_octets(b: &[u8]) -> Vec<u8> {
    let mut v = vec![0x04];
    v.extend(der_len(b.len()));
    v.extend_from_slice(b);
    v
}

fn der_utf8(s: &str) -> Vec<u8> {
    let mut v = vec![0x0c];
    v.extend(der_len(s.len()));
    v.extend_from_slice(s.as_bytes());
    v
}

/// RFC 6962 Merkle tree hash of leaf hashes.
fn merkle_root(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let k = split(leaves.len());
    sha256(&[
        &[1u8],
        &merkle_root(&leaves[..k]),
        &merkle_root(&leaves[k..]),
    ])
}

/// RFC 6962 audit path for leaf `m`, bottom up.
fn inclusion_path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
    if leaves.len() == 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    if m < k {
        let mut p = inclusion_path(m, &leaves[..k]);
        p.push(merkle_root(&leaves[k..]));
        p
    } else {
        let mut p = inclusion_path(m - k, &leaves[k..]);
        p.push(merkle_root(&leaves[..k]));
        p
    }
}

/// The largest power of two smaller than `n`.
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

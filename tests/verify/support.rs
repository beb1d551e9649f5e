//! Test fixtures minted inside the tests: key pairs (ECDSA P-256/P-384, Ed25519, RSA), DSSE
//! envelopes, in-toto statements, SLSA provenance and key-based Sigstore bundles, written into
//! a fresh temporary directory per test, plus a runner for the real binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};

pub const IN_TOTO: &str = "application/vnd.in-toto+json";
pub const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
pub const SLSA_V02: &str = "https://slsa.dev/provenance/v0.2";
pub const GH_BUILD_TYPE: &str =
    "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1";
pub const GENERATOR: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml";
pub const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// Signature algorithms the fixtures can sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    P256,
    P256Fixed,
    P384,
    P384Fixed,
    Ed25519,
    RsaPkcs1,
    RsaPss,
}

enum Pair {
    Ecdsa(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
    Rsa(RsaKeyPair, &'static dyn signature::RsaEncoding),
}

/// A freshly generated key pair.
pub struct TestKey {
    pair: Pair,
    spki_der: Vec<u8>,
}

impl TestKey {
    pub fn new(alg: Alg) -> TestKey {
        let ecdsa = |a: &'static signature::EcdsaSigningAlgorithm| {
            let kp = EcdsaKeyPair::generate(a).unwrap();
            let der = kp.public_key().as_der().unwrap().as_ref().to_vec();
            TestKey {
                pair: Pair::Ecdsa(kp),
                spki_der: der,
            }
        };
        match alg {
            Alg::P256 => ecdsa(&signature::ECDSA_P256_SHA256_ASN1_SIGNING),
            Alg::P256Fixed => ecdsa(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
            Alg::P384 => ecdsa(&signature::ECDSA_P384_SHA384_ASN1_SIGNING),
            Alg::P384Fixed => ecdsa(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
            Alg::Ed25519 => {
                let kp = Ed25519KeyPair::generate().unwrap();
                let der = kp.public_key().as_der().unwrap().as_ref().to_vec();
                TestKey {
                    pair: Pair::Ed(kp),
                    spki_der: der,
                }
            }
            Alg::RsaPkcs1 | Alg::RsaPss => {
                let kp = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
                let der = kp.public_key().as_der().unwrap().as_ref().to_vec();
                let enc: &'static dyn signature::RsaEncoding = if alg == Alg::RsaPss {
                    &signature::RSA_PSS_SHA256
                } else {
                    &signature::RSA_PKCS1_SHA256
                };
                TestKey {
                    pair: Pair::Rsa(kp, enc),
                    spki_der: der,
                }
            }
        }
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.pair {
            Pair::Ecdsa(kp) => kp.sign(&rng, message).unwrap().as_ref().to_vec(),
            Pair::Ed(kp) => kp.sign(message).as_ref().to_vec(),
            Pair::Rsa(kp, enc) => {
                let mut sig = vec![0; kp.public_modulus_len()];
                kp.sign(*enc, &rng, message, &mut sig).unwrap();
                sig
            }
        }
    }

    pub fn pem(&self) -> String {
        let b64 = STANDARD.encode(&self.spki_der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    /// The same P-256 key as PEM, its point written compressed (`02|03 || x`): another file,
    /// the same key.
    pub fn pem_compressed(&self) -> String {
        let point = &self.spki_der[self.spki_der.len() - 65..];
        assert_eq!(point[0], 4, "an uncompressed P-256 point");
        let mut compressed = vec![0x02 | (point[64] & 1)];
        compressed.extend_from_slice(&point[1..33]);
        let header = &self.spki_der[2..2 + 21]; // SEQUENCE { ecPublicKey, prime256v1 }
        let mut body = header.to_vec();
        body.extend_from_slice(&[0x03, 34, 0x00]);
        body.extend_from_slice(&compressed);
        let mut der = vec![0x30, body.len() as u8];
        der.extend_from_slice(&body);
        let b64 = STANDARD.encode(&der);
        format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n")
    }

    /// SHA-256 of the SPKI, hex: what custody reports as the keyid.
    pub fn keyid(&self) -> String {
        format!("{:x}", Sha256::digest(&self.spki_der))
    }
}

/// A temporary directory holding one test's files; the binary runs inside it so that every
/// path in a report is relative and stable.
pub struct Scene {
    pub dir: tempfile::TempDir,
}

impl Scene {
    pub fn new() -> Scene {
        Scene {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        name.to_owned()
    }

    pub fn write_json(&self, name: &str, value: &Value) -> String {
        self.write(name, serde_json::to_vec(value).unwrap())
    }

    /// Write an artifact and return its name and sha256.
    pub fn artifact(&self, name: &str, contents: &[u8]) -> (String, String) {
        self.write(name, contents);
        (name.to_owned(), sha256(contents))
    }

    pub fn key(&self, name: &str, key: &TestKey) -> String {
        self.write(name, key.pem())
    }

    pub fn custody(&self) -> Command {
        let mut c = Command::from_std(crate::support::custody());
        c.current_dir(self.dir.path());
        c
    }

    /// Run `custody ARGS --format json` and return (exit code, report).
    pub fn verify_json(&self, args: &[&str]) -> (i32, Value) {
        let out = self
            .custody()
            .arg("verify")
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let code = out.status.code().unwrap();
        let report = crate::support::report(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "exit {code}, not a JSON report ({e}):\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, report)
    }

    /// Run `custody ARGS` and return (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.custody().args(args).output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

pub fn sha512(bytes: &[u8]) -> String {
    format!("{:x}", Sha512::digest(bytes))
}

/// An in-toto Statement v1 about `subjects` (name, sha256).
pub fn statement(subjects: &[(&str, &str)], predicate_type: &str, predicate: Value) -> Value {
    let subject: Vec<Value> = subjects
        .iter()
        .map(|(n, d)| json!({"name": n, "digest": {"sha256": d}}))
        .collect();
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": predicate_type,
        "predicate": predicate,
    })
}

/// The DSSE pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    v.extend_from_slice(payload);
    v
}

/// A DSSE envelope over `payload`, signed by each key.
pub fn envelope_raw(payload_type: &str, payload: &[u8], keys: &[&TestKey]) -> Value {
    let m = pae(payload_type, payload);
    let sigs: Vec<Value> = keys
        .iter()
        .map(|k| json!({"keyid": k.keyid(), "sig": STANDARD.encode(k.sign(&m))}))
        .collect();
    json!({"payloadType": payload_type, "payload": STANDARD.encode(payload), "signatures": sigs})
}

/// A DSSE envelope carrying `statement`.
pub fn envelope(statement: &Value, keys: &[&TestKey]) -> Value {
    envelope_raw(IN_TOTO, &serde_json::to_vec(statement).unwrap(), keys)
}

/// A Sigstore bundle with public-key verification material around a DSSE envelope.
pub fn key_bundle(media_type: &str, envelope: Value) -> Value {
    json!({
        "mediaType": media_type,
        "verificationMaterial": {"publicKey": {"hint": "not-a-real-hint"}, "tlogEntries": []},
        "dsseEnvelope": envelope,
    })
}

/// A message-signature bundle signing `artifact` with an ECDSA/RSA key.
pub fn message_bundle(artifact: &[u8], key: &TestKey) -> Value {
    json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": key.keyid()}},
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": STANDARD.encode(Sha256::digest(artifact))},
            "signature": STANDARD.encode(key.sign(artifact)),
        }
    })
}

/// SLSA provenance v1 from the GitHub workflow build type.
pub fn provenance_v1(repo: &str, git_ref: &str, finished: &str, inputs: Value) -> Value {
    json!({
        "buildDefinition": {
            "buildType": GH_BUILD_TYPE,
            "externalParameters": {
                "workflow": {"ref": git_ref, "repository": format!("https://{repo}"), "path": ".github/workflows/release.yml"},
                "inputs": inputs,
            },
            "internalParameters": {"github": {"event_name": "push"}},
            "resolvedDependencies": [{"uri": format!("git+https://{repo}@{git_ref}"), "digest": {"gitCommit": COMMIT}}],
        },
        "runDetails": {
            "builder": {"id": format!("{GENERATOR}@refs/tags/v2.0.0")},
            "metadata": {"invocationId": "1", "startedOn": finished, "finishedOn": finished},
        }
    })
}

/// SLSA provenance v0.2 from the generic generator.
pub fn provenance_v02(repo: &str, git_ref: &str, finished: &str) -> Value {
    json!({
        "builder": {"id": format!("{GENERATOR}@refs/tags/v1.9.0")},
        "buildType": "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
        "invocation": {
            "configSource": {"uri": format!("git+https://{repo}@{git_ref}"), "digest": {"sha1": COMMIT}, "entryPoint": ".github/workflows/release.yml"},
            "parameters": {},
            "environment": {"github_event_payload": {"inputs": {"release": "true"}}},
        },
        "metadata": {"buildStartedOn": finished, "buildFinishedOn": finished},
        "materials": [{"uri": format!("git+https://{repo}@{git_ref}"), "digest": {"sha1": COMMIT}}],
    })
}

/// The codes of an artifact's checks with the given outcome.
pub fn codes(report: &Value, artifact: usize, outcome: &str) -> Vec<String> {
    report["artifacts"][artifact]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == outcome)
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

/// Every failing or not-performed code of the whole report.
pub fn problems(report: &Value) -> Vec<String> {
    let mut v = Vec::new();
    for (i, _) in report["artifacts"].as_array().unwrap().iter().enumerate() {
        v.extend(codes(report, i, "fail"));
        v.extend(codes(report, i, "not-performed"));
    }
    v
}

/// A file of the vendored Sigstore corpus (`testdata/sigstore-corpus/`).
pub fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/sigstore-corpus")
        .join(rel)
}

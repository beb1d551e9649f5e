//! Sigstore bundles (protobuf-specs `Bundle` in its JSON form), v0.1, v0.2 and v0.3.
//!
//! The whole bundle is read as data, keyless material included (certificate or chain,
//! transparency log entries, RFC 3161 timestamps), so that the keyless verifier can use it
//! later; which parts are *verified* is decided in `signature`.

use serde::Deserialize;

use super::dsse::{Envelope, decode_base64};
use super::{Content, HashAlgorithm, Malformed, Material, MessageSignature, codes};

/// Which bundle format version a media type names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BundleVersion {
    V01,
    V02,
    V03,
}

impl BundleVersion {
    /// Both spellings of v0.3 are accepted: `application/vnd.dev.sigstore.bundle.v0.3+json` and
    /// `application/vnd.dev.sigstore.bundle+json;version=0.3`.
    pub fn from_media_type(media_type: &str) -> Option<BundleVersion> {
        match media_type {
            "application/vnd.dev.sigstore.bundle+json;version=0.1" => Some(BundleVersion::V01),
            "application/vnd.dev.sigstore.bundle+json;version=0.2" => Some(BundleVersion::V02),
            "application/vnd.dev.sigstore.bundle+json;version=0.3"
            | "application/vnd.dev.sigstore.bundle.v0.3+json" => Some(BundleVersion::V03),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BundleVersion::V01 => "v0.1",
            BundleVersion::V02 => "v0.2",
            BundleVersion::V03 => "v0.3",
        }
    }
}

/// A parsed, unverified Sigstore bundle.
#[derive(Clone, Debug)]
pub struct Bundle {
    pub version: BundleVersion,
    pub material: Material,
    pub content: Content,
    pub tlog_entries: Vec<TlogEntry>,
    /// DER-encoded RFC 3161 signed timestamps.
    pub rfc3161_timestamps: Vec<Vec<u8>>,
    /// The bundle's JSON text, as read.
    pub json: String,
}

/// A transparency log entry, as data. Nothing in it is trusted before the keyless verifier
/// checks it against a trusted root.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TlogEntry {
    #[serde(default)]
    pub log_index: String,
    #[serde(default)]
    pub log_id: Option<LogId>,
    #[serde(default)]
    pub kind_version: Option<KindVersion>,
    #[serde(default)]
    pub integrated_time: Option<String>,
    #[serde(default)]
    pub inclusion_promise: Option<InclusionPromise>,
    #[serde(default)]
    pub inclusion_proof: Option<InclusionProof>,
    #[serde(default)]
    pub canonicalized_body: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogId {
    pub key_id: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct KindVersion {
    pub kind: String,
    pub version: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InclusionPromise {
    pub signed_entry_timestamp: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InclusionProof {
    #[serde(default)]
    pub log_index: String,
    #[serde(default)]
    pub root_hash: String,
    #[serde(default)]
    pub tree_size: String,
    #[serde(default)]
    pub hashes: Vec<String>,
    #[serde(default)]
    pub checkpoint: Option<Checkpoint>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Checkpoint {
    pub envelope: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBundle {
    media_type: String,
    verification_material: RawMaterial,
    #[serde(default)]
    dsse_envelope: Option<serde_json::Value>,
    #[serde(default)]
    message_signature: Option<RawMessageSignature>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMaterial {
    #[serde(default)]
    public_key: Option<RawPublicKey>,
    #[serde(default)]
    x509_certificate_chain: Option<RawChain>,
    #[serde(default)]
    certificate: Option<RawCertificate>,
    #[serde(default)]
    tlog_entries: Vec<TlogEntry>,
    #[serde(default)]
    timestamp_verification_data: Option<RawTimestamps>,
}

#[derive(Deserialize)]
struct RawPublicKey {
    #[serde(default)]
    hint: Option<String>,
}

#[derive(Deserialize)]
struct RawChain {
    #[serde(default)]
    certificates: Vec<RawCertificate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCertificate {
    raw_bytes: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTimestamps {
    #[serde(default)]
    rfc3161_timestamps: Vec<RawSignedTimestamp>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSignedTimestamp {
    signed_timestamp: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMessageSignature {
    #[serde(default)]
    message_digest: Option<RawMessageDigest>,
    signature: String,
}

#[derive(Deserialize)]
struct RawMessageDigest {
    algorithm: String,
    digest: String,
}

fn bad(message: impl Into<String>) -> Malformed {
    Malformed::new(codes::Code::MalformedBundle, message)
}

impl Bundle {
    /// Parse a bundle from JSON.
    pub fn from_json(value: &serde_json::Value) -> Result<Bundle, Malformed> {
        let media_type = value
            .get("mediaType")
            .and_then(|m| m.as_str())
            .unwrap_or_default();
        let Some(version) = BundleVersion::from_media_type(media_type) else {
            return Err(Malformed::new(
                codes::Code::UnsupportedBundleVersion,
                format!("unsupported Sigstore bundle media type {media_type:?}"),
            ));
        };
        let raw: RawBundle = serde_json::from_value(value.clone())
            .map_err(|e| bad(format!("Sigstore bundle: {e}")))?;
        debug_assert_eq!(raw.media_type, media_type);
        let m = raw.verification_material;
        let material = match (m.public_key, m.x509_certificate_chain, m.certificate) {
            (Some(k), None, None) => Material::PublicKey {
                hint: k.hint.filter(|h| !h.is_empty()),
            },
            (None, Some(chain), None) => {
                if chain.certificates.is_empty() {
                    return Err(bad("x509CertificateChain has no certificates"));
                }
                let certs = chain
                    .certificates
                    .iter()
                    .map(|c| decode_base64(&c.raw_bytes, "certificate"))
                    .collect::<Result<_, _>>()?;
                Material::CertificateChain(certs)
            }
            (None, None, Some(c)) => {
                Material::Certificate(decode_base64(&c.raw_bytes, "certificate")?)
            }
            (None, None, None) => {
                return Err(bad(
                    "verificationMaterial has no publicKey, certificate or x509CertificateChain",
                ));
            }
            _ => {
                return Err(bad(
                    "verificationMaterial has more than one kind of key material",
                ));
            }
        };
        let content = match (raw.dsse_envelope, raw.message_signature) {
            (Some(env), None) => Content::Envelope(Envelope::from_json(&env)?),
            (None, Some(ms)) => {
                let digest = match ms.message_digest {
                    Some(d) => {
                        let algorithm = match d.algorithm.as_str() {
                            "SHA2_256" => HashAlgorithm::Sha256,
                            "SHA2_384" => HashAlgorithm::Sha384,
                            "SHA2_512" => HashAlgorithm::Sha512,
                            other => {
                                return Err(bad(format!(
                                    "unsupported messageDigest algorithm {other:?}"
                                )));
                            }
                        };
                        let bytes = decode_base64(&d.digest, "messageDigest")?;
                        if bytes.len() != algorithm.digest_len() {
                            return Err(bad(
                                "messageDigest has the wrong length for its algorithm",
                            ));
                        }
                        Some((algorithm, bytes))
                    }
                    None => None,
                };
                Content::MessageSignature(MessageSignature {
                    digest,
                    signature: decode_base64(&ms.signature, "messageSignature.signature")?,
                })
            }
            (None, None) => {
                return Err(bad("bundle has neither dsseEnvelope nor messageSignature"));
            }
            (Some(_), Some(_)) => {
                return Err(bad("bundle has both dsseEnvelope and messageSignature"));
            }
        };
        let rfc3161_timestamps = m
            .timestamp_verification_data
            .map(|t| t.rfc3161_timestamps)
            .unwrap_or_default()
            .iter()
            .map(|t| decode_base64(&t.signed_timestamp, "signedTimestamp"))
            .collect::<Result<_, _>>()?;
        Ok(Bundle {
            version,
            material,
            content,
            tlog_entries: m.tlog_entries,
            rfc3161_timestamps,
            json: value.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_v03_spellings_are_v03() {
        assert_eq!(
            BundleVersion::from_media_type("application/vnd.dev.sigstore.bundle.v0.3+json"),
            Some(BundleVersion::V03)
        );
        assert_eq!(
            BundleVersion::from_media_type("application/vnd.dev.sigstore.bundle+json;version=0.3"),
            Some(BundleVersion::V03)
        );
        assert_eq!(
            BundleVersion::from_media_type("application/vnd.dev.sigstore.bundle+json;version=99.9"),
            None
        );
    }

    #[test]
    fn parses_a_key_based_message_signature_bundle() {
        let b = Bundle::from_json(&json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"publicKey": {"hint": "abc"}},
            "messageSignature": {
                "messageDigest": {"algorithm": "SHA2_256", "digest": "oM/HEnHW4njlfNMy/5V8P3BD/do1TEy7GQow1W76Ab8="},
                "signature": "AAAA"}
        }))
        .unwrap();
        assert_eq!(b.version, BundleVersion::V03);
        assert!(matches!(b.material, Material::PublicKey { hint: Some(ref h) } if h == "abc"));
        assert!(
            matches!(b.content, Content::MessageSignature(ref m) if m.digest.as_ref().unwrap().1.len() == 32)
        );
    }

    #[test]
    fn malformed_bundles_say_why() {
        let cases = [
            (
                json!({"mediaType": "this is completely wrong"}),
                codes::Code::UnsupportedBundleVersion,
            ),
            (
                json!({"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.2"}),
                codes::Code::MalformedBundle,
            ),
            (
                json!({"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
                       "verificationMaterial": {"x509CertificateChain": {"certificates": []}},
                       "messageSignature": {"signature": "AA=="}}),
                codes::Code::MalformedBundle,
            ),
            (
                json!({"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.3",
                       "verificationMaterial": {"publicKey": {}}}),
                codes::Code::MalformedBundle,
            ),
        ];
        for (doc, code) in cases {
            assert_eq!(Bundle::from_json(&doc).unwrap_err().code, code, "{doc}");
        }
    }
}

//! DSSE envelopes (Dead Simple Signing Envelope, secure-systems-lab/dsse v1.0) and the
//! pre-authentication encoding (PAE) that their signatures cover.
//!
//! Parsing only: an [`Envelope`] is untrusted bytes until `signature` says otherwise.

use base64::Engine;
use serde::Deserialize;

use super::{Malformed, codes};
use crate::limits::{MAX_PAYLOAD, MAX_SIGNATURES};

/// The payload type of an in-toto statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A parsed, unverified DSSE envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub payload_type: String,
    /// The decoded payload: the exact bytes the signatures cover (through PAE).
    pub payload: Vec<u8>,
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// A hint naming the key; never a trust decision.
    pub keyid: Option<String>,
    pub sig: Vec<u8>,
    /// A DER signing certificate carried next to the signature (slsa-github-generator up to
    /// v1.10 wrote Fulcio certificates here, as PEM); unverified.
    pub cert: Option<Vec<u8>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEnvelope {
    payload: String,
    payload_type: String,
    #[serde(default)]
    signatures: Vec<RawSignature>,
}

#[derive(Deserialize)]
struct RawSignature {
    #[serde(default)]
    keyid: Option<String>,
    sig: String,
    #[serde(default)]
    cert: Option<String>,
}

impl Envelope {
    /// Parse an envelope from its JSON form (`payload`, `payloadType`, `signatures`).
    pub fn from_json(value: &serde_json::Value) -> Result<Envelope, Malformed> {
        let raw: RawEnvelope = serde_json::from_value(value.clone()).map_err(|e| {
            Malformed::new(
                codes::Code::MalformedEnvelope,
                format!("DSSE envelope: {e}"),
            )
        })?;
        let payload = decode_base64(&raw.payload, "payload")?;
        if payload.len() > MAX_PAYLOAD {
            return Err(Malformed::new(
                codes::Code::InputLimitExceeded,
                format!(
                    "DSSE payload of {} bytes exceeds {MAX_PAYLOAD}",
                    payload.len()
                ),
            ));
        }
        if raw.signatures.is_empty() {
            return Err(Malformed::new(
                codes::Code::MalformedEnvelope,
                "DSSE envelope has no signatures",
            ));
        }
        if raw.signatures.len() > MAX_SIGNATURES {
            return Err(Malformed::new(
                codes::Code::InputLimitExceeded,
                format!("DSSE envelope has more than {MAX_SIGNATURES} signatures"),
            ));
        }
        let signatures = raw
            .signatures
            .into_iter()
            .map(|s| {
                Ok(EnvelopeSignature {
                    keyid: s.keyid.filter(|k| !k.is_empty()),
                    sig: decode_base64(&s.sig, "signature")?,
                    cert: match s.cert.as_deref().map(str::trim) {
                        None | Some("") => None,
                        Some(pem) => Some(certificate_pem(pem)?),
                    },
                })
            })
            .collect::<Result<_, Malformed>>()?;
        Ok(Envelope {
            payload_type: raw.payload_type,
            payload,
            signatures,
        })
    }

    /// The bytes every signature of this envelope signs.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }
}

/// The DER of one PEM `CERTIFICATE` block.
fn certificate_pem(pem: &str) -> Result<Vec<u8>, Malformed> {
    let body = pem
        .strip_prefix("-----BEGIN CERTIFICATE-----")
        .and_then(|b| b.trim_end().strip_suffix("-----END CERTIFICATE-----"))
        .ok_or_else(|| {
            Malformed::new(
                codes::Code::MalformedEnvelope,
                "a DSSE signature's cert is not one PEM CERTIFICATE block",
            )
        })?;
    let joined: String = body.split_whitespace().collect();
    decode_base64(&joined, "signature cert")
}

/// DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Decode standard base64, accepting the URL-safe alphabet too: the DSSE spec allows either and
/// real producers emit both.
pub fn decode_base64(text: &str, what: &str) -> Result<Vec<u8>, Malformed> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STANDARD_ANY_PAD: GeneralPurpose =
        GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
    const URL_ANY_PAD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
    STANDARD_ANY_PAD
        .decode(text.trim())
        .or_else(|_| URL_ANY_PAD.decode(text.trim()))
        .map_err(|e| {
            Malformed::new(
                codes::Code::MalformedBase64,
                format!("{what} is not base64: {e}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn parses_both_base64_alphabets() {
        let e = Envelope::from_json(&json!({
            "payload": "aGk-", "payloadType": "t",
            "signatures": [{"keyid": "", "sig": "AAE="}]
        }))
        .unwrap();
        assert_eq!(e.payload, b"hi>");
        assert_eq!(e.signatures[0].keyid, None);
        assert_eq!(e.signatures[0].sig, vec![0, 1]);
    }

    #[test]
    fn rejects_envelopes_without_signatures_or_with_bad_base64() {
        let none = json!({"payload": "", "payloadType": "t", "signatures": []});
        assert_eq!(
            Envelope::from_json(&none).unwrap_err().code,
            codes::Code::MalformedEnvelope
        );
        let bad = json!({"payload": "!!", "payloadType": "t", "signatures": [{"sig": "AA=="}]});
        assert_eq!(
            Envelope::from_json(&bad).unwrap_err().code,
            codes::Code::MalformedBase64
        );
        let missing = json!({"payloadType": "t"});
        assert_eq!(
            Envelope::from_json(&missing).unwrap_err().code,
            codes::Code::MalformedEnvelope
        );
    }
}

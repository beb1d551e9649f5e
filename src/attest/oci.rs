//! Cosign attestations in an OCI image layout (`cosign save`, `cosign download attestation`
//! into a layout, or a registry's copy): the index lists manifests of kind
//! `dev.cosignproject.cosign/atts`; each layer of one is a DSSE envelope, with its Fulcio
//! certificate, chain and Rekor entry (`dev.sigstore.cosign/bundle`: the signed entry timestamp
//! and the entry) in the layer's annotations. Each becomes the Sigstore bundle v0.1 that says the
//! same, so it is verified as any bundle is. Blobs are content-addressed: a blob whose bytes do
//! not hash to its name is refused.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::bundle::Bundle;
use super::{Evidence, Format, LoadError, Loaded, Malformed, Origin, codes, json, read_bounded};

const ATTS: &str = "dev.cosignproject.cosign/atts";
const DSSE_LAYER: &str = "application/vnd.dsse.envelope.v1+json";

/// Whether `dir` is an OCI image layout.
pub fn is_layout(dir: &Path) -> bool {
    dir.join("oci-layout").is_file() && dir.join("index.json").is_file()
}

/// Every cosign attestation of the layout at `dir`; with them the SHA-256 of its index.
pub fn load_layout(dir: &Path) -> Result<(Vec<Loaded>, String), LoadError> {
    let index_path = dir.join("index.json");
    let index_bytes = read_bounded(&index_path)?;
    let sha256 = crate::hash::hex(&<sha2::Sha256 as sha2::Digest>::digest(&index_bytes));
    let origin = Origin::file(&index_path);
    let mut out = Vec::new();
    let index = match json::parse(&index_bytes) {
        Ok(v) => v,
        Err(m) => return Ok((vec![Loaded::Malformed(origin, m)], sha256)),
    };
    let manifests = index["manifests"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for m in manifests
        .iter()
        .filter(|m| m["annotations"]["kind"] == ATTS)
    {
        let Some(digest) = m["digest"].as_str() else {
            continue;
        };
        let manifest = match blob(dir, digest) {
            Ok(Ok(v)) => v,
            Ok(Err((origin, m))) => {
                out.push(Loaded::Malformed(origin, m));
                continue;
            }
            Err(e) => return Err(e),
        };
        let layers = manifest["layers"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        for layer in layers.iter().filter(|l| l["mediaType"] == DSSE_LAYER) {
            let Some(digest) = layer["digest"].as_str() else {
                continue;
            };
            let envelope = match blob(dir, digest) {
                Ok(Ok(v)) => v,
                Ok(Err((origin, m))) => {
                    out.push(Loaded::Malformed(origin, m));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let origin = Origin::file(&blob_path(dir, digest));
            out.push(match as_bundle(&envelope, &layer["annotations"]) {
                Ok(bundle) => match Bundle::from_json(&bundle) {
                    Ok(b) => Loaded::Evidence(Box::new(Evidence::from_bundle(
                        b,
                        origin,
                        Format::CosignAttestation,
                    ))),
                    Err(m) => Loaded::Malformed(origin, m),
                },
                Err(m) => Loaded::Malformed(origin, m),
            });
        }
    }
    if out.is_empty() {
        out.push(Loaded::Malformed(
            origin,
            Malformed::new(
                codes::Code::UnknownAttestationFormat,
                "the OCI layout holds no cosign attestation (no manifest of kind dev.cosignproject.cosign/atts)",
            ),
        ));
    }
    Ok((out, sha256))
}

fn blob_path(dir: &Path, digest: &str) -> std::path::PathBuf {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    dir.join("blobs").join("sha256").join(hex)
}

/// A blob that was read but cannot be used: where, and why.
type Refused = (Origin, Malformed);

/// A JSON blob, read only when its name is a sha256 digest and its bytes hash to it.
fn blob(dir: &Path, digest: &str) -> Result<Result<Value, Refused>, LoadError> {
    let path = blob_path(dir, digest);
    let origin = Origin::file(&path);
    let hex = match digest.strip_prefix("sha256:") {
        Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => h,
        _ => {
            return Ok(Err((
                origin,
                Malformed::new(
                    codes::Code::UnknownAttestationFormat,
                    format!("blob digest {digest:?} is not sha256:HEX"),
                ),
            )));
        }
    };
    let bytes = read_bounded(&path)?;
    let got = crate::hash::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    if !got.eq_ignore_ascii_case(hex) {
        return Ok(Err((
            origin,
            Malformed::new(
                codes::Code::UnknownAttestationFormat,
                format!("blob content hashes to sha256:{got}, not its name {digest}"),
            ),
        )));
    }
    Ok(json::parse(&bytes).map_err(|m| (origin, m)))
}

/// The Sigstore bundle v0.1 a cosign attestation layer stands for.
fn as_bundle(envelope: &Value, annotations: &Value) -> Result<Value, Malformed> {
    let bad = |m: &str| {
        Malformed::new(
            codes::Code::UnknownAttestationFormat,
            format!("cosign attestation: {m}"),
        )
    };
    let text = |k: &str| {
        annotations[k]
            .as_str()
            .ok_or_else(|| bad(&format!("no {k} annotation")))
    };
    let mut certificates = pem_certificates(text("dev.sigstore.cosign/certificate")?);
    if let Ok(chain) = text("dev.sigstore.cosign/chain") {
        certificates.extend(pem_certificates(chain));
    }
    if certificates.is_empty() {
        return Err(bad("the certificate annotation holds no certificate"));
    }
    let rekor: Value = serde_json::from_str(text("dev.sigstore.cosign/bundle")?)
        .map_err(|e| bad(&format!("dev.sigstore.cosign/bundle: {e}")))?;
    let payload = &rekor["Payload"];
    let body = payload["body"]
        .as_str()
        .ok_or_else(|| bad("the Rekor entry has no body"))?;
    let entry: Value = STANDARD
        .decode(body)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| bad("the Rekor entry's body is not base64 JSON"))?;
    let log_id = payload["logID"]
        .as_str()
        .and_then(crate::hash::unhex)
        .ok_or_else(|| bad("the Rekor entry's logID is not hex"))?;
    Ok(json!({
        "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "verificationMaterial": {
            "x509CertificateChain": {
                "certificates": certificates
                    .iter()
                    .map(|c| json!({"rawBytes": STANDARD.encode(c)}))
                    .collect::<Vec<_>>(),
            },
            "tlogEntries": [{
                "logIndex": payload["logIndex"].as_i64().unwrap_or_default().to_string(),
                "logId": {"keyId": STANDARD.encode(log_id)},
                "kindVersion": {"kind": entry["kind"], "version": entry["apiVersion"]},
                "integratedTime": payload["integratedTime"].as_i64().unwrap_or_default().to_string(),
                "inclusionPromise": {"signedEntryTimestamp": rekor["SignedEntryTimestamp"]},
                "canonicalizedBody": body,
            }],
        },
        "dsseEnvelope": envelope,
    }))
}

/// The DER certificates of a PEM text.
fn pem_certificates(pem: &str) -> Vec<Vec<u8>> {
    pem.split("-----BEGIN CERTIFICATE-----")
        .skip(1)
        .filter_map(|block| {
            let body = block.split("-----END CERTIFICATE-----").next()?;
            let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            STANDARD.decode(b64).ok()
        })
        .collect()
}

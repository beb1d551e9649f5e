//! Attestation documents of package ecosystems, unpacked into the evidence they carry:
//! PEP 740 attestation objects, PyPI provenance documents (`attestation_bundles`), and npm
//! attestation documents (`{"attestations": [{"predicateType", "bundle"}]}`).

use serde::Deserialize;

use super::bundle::{Bundle, TlogEntry};
use super::dsse::{Envelope, EnvelopeSignature, IN_TOTO_PAYLOAD_TYPE, decode_base64};
use super::{Content, Evidence, Format, Loaded, Malformed, Material, Origin, codes};
use crate::limits::{MAX_ENTRIES_PER_FILE, MAX_PAYLOAD};

#[derive(Deserialize)]
struct RawPep740 {
    version: u32,
    verification_material: RawPep740Material,
    envelope: RawPep740Envelope,
}

#[derive(Deserialize)]
struct RawPep740Material {
    certificate: String,
    #[serde(default)]
    transparency_entries: Vec<TlogEntry>,
}

#[derive(Deserialize)]
struct RawPep740Envelope {
    statement: String,
    signature: String,
}

/// A PEP 740 attestation object: always keyless (a certificate), its envelope always carries
/// an in-toto statement with one signature.
pub fn pep740(value: &serde_json::Value, origin: Origin, format: Format) -> Loaded {
    let parse = || -> Result<Evidence, Malformed> {
        let bad = |m: String| Malformed::new(codes::Code::MalformedPep740, m);
        let raw: RawPep740 = serde_json::from_value(value.clone())
            .map_err(|e| bad(format!("PEP 740 attestation: {e}")))?;
        if raw.version != 1 {
            return Err(bad(format!(
                "unsupported PEP 740 attestation version {}",
                raw.version
            )));
        }
        let payload = decode_base64(&raw.envelope.statement, "envelope.statement")?;
        if payload.len() > MAX_PAYLOAD {
            return Err(Malformed::new(
                codes::Code::InputLimitExceeded,
                "PEP 740 statement is too large",
            ));
        }
        Ok(Evidence {
            origin: origin.clone(),
            format: format.clone(),
            content: Content::Envelope(Envelope {
                payload_type: IN_TOTO_PAYLOAD_TYPE.to_owned(),
                payload,
                signatures: vec![EnvelopeSignature {
                    keyid: None,
                    sig: decode_base64(&raw.envelope.signature, "envelope.signature")?,
                    cert: None,
                }],
            }),
            material: Material::Certificate(decode_base64(
                &raw.verification_material.certificate,
                "certificate",
            )?),
            tlog_entries: raw.verification_material.transparency_entries,
            rfc3161_timestamps: Vec::new(),
            bundle_json: Some(pep740_as_bundle(value)),
        })
    };
    match parse() {
        Ok(e) => Loaded::Evidence(Box::new(e)),
        Err(m) => Loaded::Malformed(origin, m),
    }
}

/// The Sigstore bundle v0.3 a PEP 740 attestation stands for (as pypi-attestations converts
/// it): the certificate, the transparency entries unchanged, and a DSSE envelope of the
/// statement with its one signature.
fn pep740_as_bundle(value: &serde_json::Value) -> String {
    let material = &value["verification_material"];
    let envelope = &value["envelope"];
    serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": material["certificate"]},
            "tlogEntries": material["transparency_entries"],
        },
        "dsseEnvelope": {
            "payload": envelope["statement"],
            "payloadType": IN_TOTO_PAYLOAD_TYPE,
            "signatures": [{"sig": envelope["signature"]}],
        },
    })
    .to_string()
}

/// A PyPI provenance document: `{"version": 1, "attestation_bundles": [{"publisher", "attestations"}]}`.
pub fn pypi_provenance(value: &serde_json::Value, origin: &Origin, out: &mut Vec<Loaded>) {
    let bad = |m: &str| {
        Malformed::new(
            codes::Code::MalformedPep740,
            format!("PyPI provenance: {m}"),
        )
    };
    if value.get("version").and_then(|v| v.as_u64()) != Some(1) {
        out.push(Loaded::Malformed(origin.clone(), bad("version must be 1")));
        return;
    }
    let Some(bundles) = value.get("attestation_bundles").and_then(|b| b.as_array()) else {
        out.push(Loaded::Malformed(
            origin.clone(),
            bad("attestation_bundles must be a list"),
        ));
        return;
    };
    let mut index = 0;
    for b in bundles {
        let publisher = b
            .get("publisher")
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        let Some(attestations) = b.get("attestations").and_then(|a| a.as_array()) else {
            out.push(Loaded::Malformed(
                origin.clone(),
                bad("an attestation bundle has no attestations list"),
            ));
            continue;
        };
        for a in attestations {
            index += 1;
            if index > MAX_ENTRIES_PER_FILE {
                out.push(Loaded::Malformed(origin.clone(), too_many()));
                return;
            }
            let format = Format::PypiProvenance {
                publisher: publisher.clone(),
            };
            out.push(pep740(a, origin.entry(index), format));
        }
    }
}

/// An npm attestation document, as the registry serves it for a package version.
pub fn npm(value: &serde_json::Value, origin: &Origin, out: &mut Vec<Loaded>) {
    let bad = |m: String| Malformed::new(codes::Code::MalformedNpmAttestation, m);
    let Some(list) = value.get("attestations").and_then(|a| a.as_array()) else {
        out.push(Loaded::Malformed(
            origin.clone(),
            bad("npm attestations must be a list".into()),
        ));
        return;
    };
    if list.is_empty() {
        out.push(Loaded::Malformed(
            origin.clone(),
            bad("npm attestation document is empty".into()),
        ));
    }
    for (i, entry) in list.iter().enumerate() {
        let entry_origin = origin.entry(i + 1);
        if i >= MAX_ENTRIES_PER_FILE {
            out.push(Loaded::Malformed(entry_origin, too_many()));
            return;
        }
        let predicate_type = entry.get("predicateType").and_then(|p| p.as_str());
        let bundle = entry.get("bundle");
        let (Some(predicate_type), Some(bundle)) = (predicate_type, bundle) else {
            out.push(Loaded::Malformed(
                entry_origin,
                bad("entry needs predicateType and bundle".into()),
            ));
            continue;
        };
        let format = Format::Npm {
            predicate_type: predicate_type.to_owned(),
        };
        out.push(match Bundle::from_json(bundle) {
            Ok(b) => Loaded::Evidence(Box::new(Evidence::from_bundle(b, entry_origin, format))),
            Err(m) => Loaded::Malformed(entry_origin, m),
        });
    }
}

fn too_many() -> Malformed {
    Malformed::new(
        codes::Code::InputLimitExceeded,
        format!("more than {MAX_ENTRIES_PER_FILE} entries in one file"),
    )
}

//! From a file's bytes to evidence: one JSON document or JSON Lines, each document recognised
//! by its shape (bundle, envelope, PEP 740, PyPI provenance, npm document).

use std::io::Read;
use std::path::Path;

use super::bundle::Bundle;
use super::dsse::Envelope;
use super::{
    Content, Evidence, Format, LoadError, Loaded, Malformed, Material, Origin, codes, ecosystem,
    json,
};
use crate::limits::{MAX_ATTESTATION_FILE, MAX_ENTRIES_PER_FILE};

/// Read one attestation file, or the cosign attestations of an OCI image layout directory.
/// Refuses FIFOs and other non-files before opening them, so a FIFO cannot make custody block.
/// With the documents comes the SHA-256 (hex) of the bytes read, for the report's inputs.
pub fn load(path: &Path) -> Result<(Vec<Loaded>, String), LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() && super::oci::is_layout(path) {
        return super::oci::load_layout(path);
    }
    if !meta.is_file() {
        return Err(LoadError::NotAFile {
            path: path.to_owned(),
        });
    }
    let origin = Origin::file(path);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_ATTESTATION_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let sha256 = crate::hash::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    if bytes.len() as u64 > MAX_ATTESTATION_FILE {
        let m = Malformed::new(
            codes::Code::InputLimitExceeded,
            format!("attestation file is larger than {MAX_ATTESTATION_FILE} bytes"),
        );
        return Ok((vec![Loaded::Malformed(origin, m)], sha256));
    }
    Ok((parse_file(&bytes, &origin), sha256))
}

/// A regular file of at most [`MAX_ATTESTATION_FILE`] bytes, whole; a larger one, a FIFO or a
/// directory is an error naming the file (for inputs read outside [`load`]: OCI layout blobs,
/// Cloud Build provenance).
pub fn read_bounded(path: &Path) -> Result<Vec<u8>, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(LoadError::NotAFile {
            path: path.to_owned(),
        });
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_ATTESTATION_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_ATTESTATION_FILE {
        return Err(io(std::io::Error::other(format!(
            "larger than {MAX_ATTESTATION_FILE} bytes"
        ))));
    }
    Ok(bytes)
}

/// Split a file into documents (one JSON document, or JSON Lines) and read each.
pub fn parse_file(bytes: &[u8], origin: &Origin) -> Vec<Loaded> {
    let mut out = Vec::new();
    let whole = json::parse(bytes);
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, l)| l.iter().any(|b| !b.is_ascii_whitespace()))
        .map(|(i, l)| (i + 1, l))
        .collect();
    // JSON Lines only when the first line is a document on its own: a truncated pretty-printed
    // document is one malformed file, not one error per line.
    let json_lines = || lines.len() > 1 && json::parse(lines[0].1).is_ok();
    match whole {
        Ok(value) => read_document(&value, origin, &mut out),
        Err(e) if e.code != codes::Code::MalformedJson || !json_lines() => {
            out.push(Loaded::Malformed(origin.clone(), e));
        }
        Err(_) => {
            for (n, (line_no, line)) in lines.into_iter().enumerate() {
                let line_origin = Origin {
                    line: Some(line_no),
                    ..origin.clone()
                };
                if n >= MAX_ENTRIES_PER_FILE {
                    let m = Malformed::new(
                        codes::Code::InputLimitExceeded,
                        format!("more than {MAX_ENTRIES_PER_FILE} lines"),
                    );
                    out.push(Loaded::Malformed(line_origin, m));
                    break;
                }
                match json::parse(line) {
                    Ok(value) => read_document(&value, &line_origin, &mut out),
                    Err(m) => out.push(Loaded::Malformed(line_origin, m)),
                }
            }
        }
    }
    if out.is_empty() {
        let m = Malformed::new(
            codes::Code::UnknownAttestationFormat,
            "the file holds no attestations",
        );
        out.push(Loaded::Malformed(origin.clone(), m));
    }
    out
}

/// Recognise a document by its shape and read it.
fn read_document(value: &serde_json::Value, origin: &Origin, out: &mut Vec<Loaded>) {
    let has = |k: &str| value.get(k).is_some();
    if !value.is_object() {
        let m = Malformed::new(
            codes::Code::UnknownAttestationFormat,
            "the document is not a JSON object",
        );
        out.push(Loaded::Malformed(origin.clone(), m));
    } else if has("mediaType") {
        out.push(match Bundle::from_json(value) {
            Ok(b) => {
                let format = Format::SigstoreBundle(b.version);
                Loaded::Evidence(Box::new(Evidence::from_bundle(b, origin.clone(), format)))
            }
            Err(m) => Loaded::Malformed(origin.clone(), m),
        });
    } else if has("payloadType") || has("payload") {
        out.push(match Envelope::from_json(value) {
            Ok(e) => Loaded::Evidence(Box::new(Evidence {
                origin: origin.clone(),
                format: Format::DsseEnvelope,
                // A certificate next to a signature makes the envelope keyless (Fulcio).
                material: match e.signatures.iter().find_map(|s| s.cert.clone()) {
                    Some(cert) => Material::Certificate(cert),
                    None => Material::None,
                },
                content: Content::Envelope(e),
                tlog_entries: Vec::new(),
                rfc3161_timestamps: Vec::new(),
                bundle_json: None,
            })),
            Err(m) => Loaded::Malformed(origin.clone(), m),
        });
    } else if has("attestation_bundles") {
        ecosystem::pypi_provenance(value, origin, out);
    } else if has("envelope") && has("verification_material") {
        out.push(ecosystem::pep740(
            value,
            origin.clone(),
            Format::Pep740Attestation,
        ));
    } else if has("attestations") {
        ecosystem::npm(value, origin, out);
    } else if has("_type") {
        let m = Malformed::new(
            codes::Code::UnsignedStatement,
            "a bare in-toto statement carries no signature",
        );
        out.push(Loaded::Malformed(origin.clone(), m));
    } else {
        let m = Malformed::new(
            codes::Code::UnknownAttestationFormat,
            "not a DSSE envelope, Sigstore bundle, PEP 740, PyPI or npm attestation document",
        );
        out.push(Loaded::Malformed(origin.clone(), m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::file(Path::new("x"))
    }

    fn codes_of(loaded: &[Loaded]) -> Vec<&'static str> {
        loaded
            .iter()
            .map(|l| match l {
                Loaded::Evidence(_) => "evidence",
                Loaded::Malformed(_, m) => m.code.name(),
            })
            .collect()
    }

    #[test]
    fn json_lines_give_one_entry_per_line_with_line_numbers() {
        let env = r#"{"payloadType":"t","payload":"","signatures":[{"sig":"AA=="}]}"#;
        let text = format!("{env}\n\n{env}\n{{broken\n");
        let loaded = parse_file(text.as_bytes(), &origin());
        assert_eq!(
            codes_of(&loaded),
            ["evidence", "evidence", codes::Code::MalformedJson.name()]
        );
        match &loaded[2] {
            Loaded::Malformed(o, _) => assert_eq!(o.to_string(), "x:4"),
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_truncated_pretty_printed_document_is_one_error() {
        let text = "{\n  \"mediaType\": \"x\",\n  \"verificationMaterial\": {\n";
        let loaded = parse_file(text.as_bytes(), &origin());
        assert_eq!(codes_of(&loaded), [codes::Code::MalformedJson]);
    }

    #[test]
    fn unknown_shapes_and_bare_statements_are_named() {
        let cases = [
            ("{}", codes::Code::UnknownAttestationFormat),
            ("[1]", codes::Code::UnknownAttestationFormat),
            ("", codes::Code::MalformedJson),
            (
                r#"{"_type":"https://in-toto.io/Statement/v1"}"#,
                codes::Code::UnsignedStatement,
            ),
            (
                r#"{"attestations":[{"predicateType":"p"}]}"#,
                codes::Code::MalformedNpmAttestation,
            ),
            (
                r#"{"version":2,"attestation_bundles":[]}"#,
                codes::Code::MalformedPep740,
            ),
            (
                r#"{"version":1,"envelope":{},"verification_material":{}}"#,
                codes::Code::MalformedPep740,
            ),
        ];
        for (text, code) in cases {
            assert_eq!(
                codes_of(&parse_file(text.as_bytes(), &origin())),
                [code],
                "{text}"
            );
        }
    }

    /// Hostile bytes never panic: every truncation of real bundles and documents, and random
    /// byte changes, come back as evidence or as a malformed entry.
    #[test]
    fn truncated_and_mutated_inputs_never_panic() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus");
        let files = [
            "managed-key.sigstore.json",
            "keyless-v0.1-dsse.sigstore",
            "rfc8785-0.1.2-py3-none-any.whl.attestation",
            "pypi_attestations-0.0.19.tar.gz.provenance",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for f in files {
            let bytes = std::fs::read(dir.join(f)).unwrap();
            for cut in (0..bytes.len()).step_by(7) {
                assert!(!parse_file(&bytes[..cut], &origin()).is_empty());
            }
            for _ in 0..300 {
                let mut m = bytes.clone();
                for _ in 0..4 {
                    let i = (next() as usize) % m.len();
                    m[i] = (next() & 0xff) as u8;
                }
                assert!(!parse_file(&m, &origin()).is_empty());
            }
        }
    }
}

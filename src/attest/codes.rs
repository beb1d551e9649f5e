//! Codes for attestation input that custody could read but not understand.

crate::codes! {
    /// What reading attestation files reports.
    pub enum Code {
        MalformedJson = "malformed-json" {
            summary: "an attestation file is not valid JSON or JSON Lines",
            description: "The file given with --bundle could be read but is not one JSON document, nor a JSON Lines file \
            with one document per line. Check that the file is complete (not truncated by a download) and that it is \
            the attestation, not an HTML error page.",
        },
        MalformedBase64 = "malformed-base64" {
            summary: "a base64 field of an attestation does not decode",
            description: "DSSE payloads and signatures, certificates and digests in bundles are base64. One of them is \
            not valid base64 (standard or URL-safe alphabet), so the attestation was damaged or hand-edited.",
        },
        MalformedEnvelope = "malformed-envelope" {
            summary: "a DSSE envelope lacks payload, payloadType or signatures",
            description: "A DSSE envelope needs `payload` (base64), `payloadType` and at least one signature with a \
            `sig`. custody cannot check an envelope that lacks one of them.",
        },
        MalformedBundle = "malformed-bundle" {
            summary: "a Sigstore bundle is missing required parts or mixes incompatible ones",
            description: "A Sigstore bundle needs verificationMaterial with exactly one of publicKey, certificate or \
            x509CertificateChain, and exactly one of dsseEnvelope or messageSignature. The named part is missing, \
            duplicated or has the wrong type.",
        },
        UnsupportedBundleVersion = "unsupported-bundle-version" {
            summary: "a Sigstore bundle's mediaType is not v0.1, v0.2 or v0.3",
            description: "custody reads Sigstore bundles whose mediaType is \
            application/vnd.dev.sigstore.bundle+json;version=0.1, 0.2 or 0.3, or \
            application/vnd.dev.sigstore.bundle.v0.3+json. Any other media type is refused rather than guessed at.",
        },
        MalformedPep740 = "malformed-pep740" {
            summary: "a PEP 740 attestation or PyPI provenance document is malformed",
            description: "PEP 740 attestations need version 1, verification_material.certificate and an envelope with \
            statement and signature; PyPI provenance documents need version 1 and attestation_bundles, each with \
            a publisher and a list of attestations.",
        },
        MalformedNpmAttestation = "malformed-npm-attestation" {
            summary: "an npm attestation document is malformed",
            description: "npm serves {\"attestations\": [{\"predicateType\": ..., \"bundle\": ...}]}; an entry lacks its \
            predicateType or bundle, or the list is missing or empty.",
        },
        UnknownAttestationFormat = "unknown-attestation-format" {
            summary: "a JSON document is none of the attestation formats custody reads",
            description: "custody reads DSSE envelopes, Sigstore bundles (also as JSON Lines), PEP 740 attestations, \
            PyPI provenance and npm attestation documents. This document has none of their shapes.",
        },
        UnsignedStatement = "unsigned-statement" {
            summary: "an in-toto statement was given without any signature",
            description: "The file is a bare in-toto statement. Unsigned statements prove nothing; pass the DSSE \
            envelope or Sigstore bundle that carries it instead.",
        },
        MalformedStatement = "malformed-statement" {
            summary: "a signed payload is not a valid in-toto statement",
            description: "The signature covered a payload that is not an in-toto Statement v0.1 or v1 with at least one \
            subject, valid sha256/sha512 digests and a predicateType, so it cannot vouch for any artifact.",
        },
        MalformedProvenance = "malformed-provenance" {
            summary: "a SLSA provenance predicate does not have the shape its version requires",
            description: "The statement claims SLSA provenance v0.2 or v1 but its predicate lacks required fields \
            (builder id, build definition) or has fields of the wrong type.",
        },
        InputLimitExceeded = "input-limit-exceeded" {
            summary: "an attestation is larger or deeper than custody accepts",
            description: "Attestation files, payloads, JSON nesting, signatures and subjects are bounded (see \
            src/limits.rs) so that hostile input cannot exhaust memory. The input exceeds one of these bounds.",
        },
    }
}

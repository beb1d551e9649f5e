//! Codes for signature checking.

crate::codes! {
    /// What the signature verifiers report.
    pub enum Code {
        NoTrustedKey = "no-trusted-key" {
            summary: "the attestation is signed with a key, but no key was given",
            description: "Bare DSSE envelopes and Sigstore bundles whose verification material is a public key can \
            only be checked against keys you trust. Pass one with --key FILE (PEM SubjectPublicKeyInfo) or list it \
            under [signatures] keys in the policy.",
        },
        KeyIdMismatch = "key-id-mismatch" {
            summary: "every signature of the envelope names another key id than the trusted key's",
            description: "custody verify-vsa follows DSSE as slsa-verifier does: a signature whose keyid is set and \
            differs from the trusted key's id (--public-key-id, else the key's OpenSSH SHA256 fingerprint) is not \
            tried. Pass the key id the verifier signed with.",
        },
        ThresholdNotMet = "threshold-not-met" {
            summary: "fewer distinct trusted keys signed than the threshold requires",
            description: "--threshold N (or signatures.threshold in the policy) requires N distinct trusted keys to \
            have signed the same envelope. Several signatures by one key count once.",
        },
        UnsupportedPayloadType = "unsupported-payload-type" {
            summary: "a verified envelope does not carry an in-toto statement",
            description: "The envelope's signature verified, but its payloadType is not application/vnd.in-toto+json, \
            so custody cannot read subjects from it and does not guess.",
        },
        UnsupportedKeyMaterial = "unsupported-key-material" {
            summary: "no verifier handles the evidence's key material",
            description: "The evidence carries key material custody has no verifier for, so its signature was NOT \
            checked and the artifact does not pass on its strength.",
        },
        KeyUnusable = "key-unusable" {
            summary: "a key given with --key could be read but not used",
            description: "The file given with --key is not a PEM SubjectPublicKeyInfo of a supported algorithm \
            (ECDSA P-256/P-384, Ed25519, RSA 2048-8192), so no signature can be checked with it. custody treats \
            this as a failing check, as it would a wrong key.",
        },
        MessageSignatureNotCheckable = "message-signature-not-checkable" {
            summary: "a message-signature bundle cannot be checked with the keys given",
            description: "A message-signature bundle signs the artifact's digest. Ed25519 keys sign whole messages, not \
            digests, and a bundle without messageDigest names no digest, so custody cannot check the signature from \
            the bundle alone. Use an ECDSA or RSA key, or a DSSE attestation.",
        },
    }
}

//! Codes for signature checking.

use crate::check::Code;

pub const SIGNATURE_VERIFIED: &str = "signature-verified";
pub const SIGNATURE_INVALID: &str = "signature-invalid";
pub const NO_TRUSTED_KEY: &str = "no-trusted-key";
pub const THRESHOLD_NOT_MET: &str = "threshold-not-met";
pub const UNSUPPORTED_PAYLOAD_TYPE: &str = "unsupported-payload-type";
pub const UNSUPPORTED_KEY_MATERIAL: &str = "unsupported-key-material";
pub const KEY_UNUSABLE: &str = "key-unusable";
pub const MESSAGE_SIGNATURE_NOT_CHECKABLE: &str = "message-signature-not-checkable";

/// Registry entries for every code above.
pub const CODES: &[Code] = &[
    Code {
        code: SIGNATURE_VERIFIED,
        summary: "a signature verified with a trusted key",
        description: "The DSSE envelope's pre-authentication encoding (or, for a message-signature bundle, the \
            artifact digest) carries a valid signature by a key given with --key or listed in the policy. Passing \
            this check alone says nothing about which artifact the statement names; see subject-matched.",
    },
    Code {
        code: SIGNATURE_INVALID,
        summary: "a signature does not verify: an attestation's with any trusted key, or a commit's",
        description: "None of the attestation's signatures verifies with any trusted key. Either the payload or its \
            payloadType was changed after signing, or it was signed by a key you did not pass. The signature's keyid \
            is only a hint and never makes a key trusted; pass the right key with --key or in the policy. For a \
            commit (custody source, verify --source): the commit's signature does not match its bytes (the commit \
            was changed after signing, or the signature is corrupt), uses an SSH namespace other than git, or cannot \
            be parsed; treat the commit as tampered with.",
    },
    Code {
        code: NO_TRUSTED_KEY,
        summary: "the attestation is signed with a key, but no key was given",
        description: "Bare DSSE envelopes and Sigstore bundles whose verification material is a public key can \
            only be checked against keys you trust. Pass one with --key FILE (PEM SubjectPublicKeyInfo) or list it \
            under [signatures] keys in the policy.",
    },
    Code {
        code: THRESHOLD_NOT_MET,
        summary: "fewer distinct trusted keys signed than the threshold requires",
        description: "--threshold N (or signatures.threshold in the policy) requires N distinct trusted keys to \
            have signed the same envelope. Several signatures by one key count once.",
    },
    Code {
        code: UNSUPPORTED_PAYLOAD_TYPE,
        summary: "a verified envelope does not carry an in-toto statement",
        description: "The envelope's signature verified, but its payloadType is not application/vnd.in-toto+json, \
            so custody cannot read subjects from it and does not guess.",
    },
    Code {
        code: UNSUPPORTED_KEY_MATERIAL,
        summary: "no verifier handles the evidence's key material",
        description: "The evidence carries key material custody has no verifier for, so its signature was NOT \
            checked and the artifact does not pass on its strength.",
    },
    Code {
        code: KEY_UNUSABLE,
        summary: "a key given with --key could be read but not used",
        description: "The file given with --key is not a PEM SubjectPublicKeyInfo of a supported algorithm \
            (ECDSA P-256/P-384, Ed25519, RSA 2048-8192), so no signature can be checked with it. custody treats \
            this as a failing check, as it would a wrong key.",
    },
    Code {
        code: MESSAGE_SIGNATURE_NOT_CHECKABLE,
        summary: "a message-signature bundle cannot be checked with the keys given",
        description: "A message-signature bundle signs the artifact's digest. Ed25519 keys sign whole messages, not \
            digests, and a bundle without messageDigest names no digest, so custody cannot check the signature from \
            the bundle alone. Use an ECDSA or RSA key, or a DSSE attestation.",
    },
];

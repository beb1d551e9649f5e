//! Codes for keyless (Sigstore certificate) verification, one per step of the client
//! specification, with what each means and how to fix a failure.

crate::codes! {
    /// What verifying Sigstore bundles reports.
    pub enum Code {
        CertificateChainVerified = "certificate-chain-verified" {
            summary: "the signing certificate chains to a trusted Fulcio CA and was valid when signed",
            description: "The bundle's leaf certificate chains to a certificate authority of the trusted root (built-in \
            production or staging, or --trusted-root), carries the code-signing usage, and was within its validity \
            window at every verified signing time (RFC 3161 timestamps, Rekor integrated times with a signed entry \
            timestamp). The report's notes name the trusted root used.",
        },
        CertificateChainInvalid = "certificate-chain-invalid" {
            summary: "the signing certificate does not chain to a trusted Fulcio CA",
            description: "The certificate is malformed, is not issued by a certificate authority of the trusted root, \
            lacks the code-signing usage, or the chain in the bundle includes a root. A bundle from another Sigstore \
            instance (e.g. staging verified against production) fails here: pick the right root with --staging or \
            --trusted-root.",
        },
        CertificateNotValidAtSigningTime = "certificate-not-valid-at-signing-time" {
            summary: "the signing certificate was not valid at a verified signing time",
            description: "Fulcio certificates live for ten minutes. A verified signing time (a timestamp authority's \
            RFC 3161 token, or the transparency log's integrated time) falls outside the certificate's notBefore \
            and notAfter, so the signature cannot be shown to have been made while the certificate was valid.",
        },
        SctVerified = "sct-verified" {
            summary: "the certificate's signed certificate timestamp verifies",
            description: "The certificate embeds an SCT from a certificate transparency log of the trusted root, proving \
            its issuance was logged publicly.",
        },
        SctInvalid = "sct-invalid" {
            summary: "the certificate's signed certificate timestamp is missing or invalid",
            description: "Fulcio certificates embed an SCT from a CT log of the trusted root. It is missing, names a log \
            the root does not trust, or its signature does not verify, so the certificate's issuance was not shown \
            to be public.",
        },
        TlogVerified = "tlog-verified" {
            summary: "the transparency log entry is proven included and consistent with the bundle",
            description: "Each Rekor entry (v1: hashedrekord 0.0.1, intoto 0.0.2, dsse 0.0.1; v2: hashedrekord 0.0.2, \
            dsse 0.0.2) has a valid Merkle inclusion proof to a checkpoint signed by a log of the trusted root, its \
            signed entry timestamp (when present) verifies, and its body describes this bundle's signature, key and \
            content.",
        },
        TlogNotPerformed = "tlog-not-performed" {
            summary: "the evidence has no transparency log entry to check",
            description: "Bare DSSE envelopes signed with a Fulcio certificate (slsa-github-generator up to v1.10 wrote \
            .intoto.jsonl files like this) carry no Rekor entry, so custody cannot prove the signature was logged \
            publicly nor when it was made offline; the certificate chain is checked at the certificate's own \
            notBefore. This fails unless the policy sets [signatures] dangerous-accept-unlogged = true.",
        },
        TlogAbsenceAccepted = "tlog-absence-accepted" {
            summary: "the policy accepts keyless evidence without a transparency log entry",
            description: "The transparency log check was NOT performed (the evidence has no Rekor entry), and the \
            policy accepts that in one of two ways. [signatures] transparency-log-threshold = 0 with \
            signed-timestamp-threshold = N (sigstore-go's WithSignedTimestamps(N) without WithTransparencyLog): a \
            Sigstore bundle whose N RFC 3161 timestamps from the trusted root's timestamp authorities verify, the \
            certificate checked at those times. Or [signatures] dangerous-accept-unlogged = true: a bare DSSE envelope \
            with no time source at all, its certificate checked at its own notBefore, which the signer chose.",
        },
        TlogUnknownLog = "tlog-unknown-log" {
            summary: "the transparency log entry names a log the trusted root does not list",
            description: "The entry's log id is not a Rekor log of the trusted root (or the log's key was not valid at \
            that time). Use the trusted root of the instance that logged the entry.",
        },
        TlogInclusionProofInvalid = "tlog-inclusion-proof-invalid" {
            summary: "the Merkle inclusion proof does not prove the entry is in the log",
            description: "Hashing the entry up the proof's audit path does not reach the stated root hash, or the proof \
            is missing where required (bundles v0.2 and later). The entry or the proof was altered.",
        },
        TlogCheckpointInvalid = "tlog-checkpoint-invalid" {
            summary: "the checkpoint (signed tree head) is missing, malformed or not signed by the log",
            description: "The inclusion proof's checkpoint must name the log's origin, tree size and root hash equal \
            to the proof's, and carry a signature by a log key of the trusted root.",
        },
        TlogSetInvalid = "tlog-set-invalid" {
            summary: "the signed entry timestamp (inclusion promise) does not verify",
            description: "The Rekor v1 signed entry timestamp signs the entry body, integrated time, log index and log \
            id; it does not verify with the log's key, so the integrated time cannot be trusted.",
        },
        TlogIntegratedTimeInvalid = "tlog-integrated-time-invalid" {
            summary: "the log's integrated time is in the future or outside the certificate's validity",
            description: "The entry was integrated into the log at a time when the signing certificate was not valid, \
            or at a time later than now.",
        },
        TlogEntryMismatch = "tlog-entry-mismatch" {
            summary: "the transparency log entry does not describe this bundle",
            description: "The entry body's signature, certificate, artifact digest or envelope hash differ from the \
            bundle's (CVE-2022-36056 and its variants): the entry was taken from another signing event.",
        },
        TimestampThresholdNotMet = "timestamp-threshold-not-met" {
            summary: "the bundle has fewer RFC 3161 timestamps than the policy requires",
            description: "[signatures] signed-timestamp-threshold = N requires N verified RFC 3161 timestamps, each \
            from a timestamp authority of the trusted root (sigstore-go's WithSignedTimestamps(N)).",
        },
        TimestampVerified = "timestamp-verified" {
            summary: "RFC 3161 timestamps verify against the trusted timestamp authorities",
            description: "Each signed timestamp covers the bundle's signature and is signed by a timestamp authority of \
            the trusted root within its validity period.",
        },
        TimestampInvalid = "timestamp-invalid" {
            summary: "an RFC 3161 timestamp does not verify",
            description: "A signed timestamp does not cover this signature, is not signed by a timestamp authority of \
            the trusted root, or its time is outside that authority's validity. Duplicate or too many timestamps \
            are also refused.",
        },
        NoVerifiedTime = "no-verified-time" {
            summary: "the bundle has no verifiable signing time",
            description: "Keyless verification needs a trusted time at which the short-lived certificate was valid: an \
            RFC 3161 timestamp or a Rekor v1 entry with a signed entry timestamp. The bundle has neither (Rekor v2 \
            entries carry no time and need a timestamp).",
        },
        IdentityMatched = "identity-matched" {
            summary: "the certificate's signer matches an accepted identity",
            description: "The certificate's SAN and OIDC issuer (and any pinned Fulcio extensions) match \
            --certificate-identity(-regexp) and --certificate-oidc-issuer(-regexp), --builder-id, or one of the \
            policy's [[signatures.identities]]. Regular expressions match the whole value.",
        },
        IdentityMismatch = "identity-mismatch" {
            summary: "the certificate was issued to a signer you did not accept",
            description: "The evidence verifies cryptographically but its certificate's SAN, OIDC issuer or a pinned \
            Fulcio extension differs from every accepted identity. Regular expressions match the whole value: \
            `https://github.com/org/` does not accept `https://github.com/org/repo/...`; write \
            `https://github.com/org/.*`.",
        },
        IdentityNotSpecified = "identity-not-specified" {
            summary: "keyless evidence, but no signer identity was given",
            description: "Anyone can get a Fulcio certificate, so a keyless signature means nothing until you say whose \
            it must be. Pass --certificate-identity (or -regexp) and --certificate-oidc-issuer (or -regexp), \
            --builder-id, or list [[signatures.identities]] in the policy. Only `dangerous-any-identity = true` in \
            a policy skips the identity, and every report then says so.",
        },
        KeylessBundleInvalid = "keyless-bundle-invalid" {
            summary: "the keyless bundle is structurally invalid for verification",
            description: "The bundle parsed, but lacks what verification needs (for example a transparency log entry, \
            or an inclusion proof in a v0.2+ bundle) or uses content custody cannot verify.",
        },
        TrustedRootUnusable = "trusted-root-unusable" {
            summary: "the trusted root could not be used for this evidence",
            description: "The trusted root parsed, but its material could not be used to verify this evidence.",
        },
        SignatureInvalid = "signature-invalid" {
            summary: "a signature does not verify: an attestation's with any trusted key, or a commit's",
            description: "None of the attestation's signatures verifies with any trusted key. Either the payload or its \
            payloadType was changed after signing, or it was signed by a key you did not pass. The signature's keyid \
            is only a hint and never makes a key trusted; pass the right key with --key or in the policy. For a \
            commit (custody source, verify --source): the commit's signature does not match its bytes (the commit \
            was changed after signing, or the signature is corrupt), uses an SSH namespace other than git, or cannot \
            be parsed; treat the commit as tampered with.",
        },
    }
}

//! Codes for the source checks: the checkout against the provenance, the working tree against
//! the commit, and the review evidence (protected branches, commit signatures, two-party review).
//!
//! The provenance's commit and ref are judged with the policy's own `source-commit-*` and
//! `source-ref-*` codes (`crate::policy::codes`): the question is the same whether the expected
//! value comes from the policy or from the checkout. A commit signature that does not verify is
//! `signature-invalid`, the code of every signature that does not verify
//! (`crate::signature::codes`).

use crate::check::Code;

pub const SOURCE_REPO_MATCHED: &str = "source-repo-matched";
pub const SOURCE_REPO_MISMATCH: &str = "source-repo-mismatch";
pub const CHECKOUT_CLEAN: &str = "checkout-clean";
pub const CHECKOUT_DIRTY: &str = "checkout-dirty";
pub const CHECKOUT_SUBMODULE: &str = "checkout-submodule";
pub const ON_PROTECTED_BRANCH: &str = "on-protected-branch";
pub const NOT_ON_PROTECTED_BRANCH: &str = "not-on-protected-branch";
pub const COMMIT_SIGNED: &str = "commit-signed";
pub const COMMIT_UNSIGNED: &str = "commit-unsigned";
pub const SIGNER_NOT_ALLOWED: &str = "signer-not-allowed";
pub const SIGNATURE_UNSUPPORTED: &str = "signature-unsupported";
pub const SIGNER_KEY_EXPIRED: &str = "signer-key-expired";
pub const SIGNER_KEY_REVOKED: &str = "signer-key-revoked";
pub const SIGNER_KEY_NOT_SIGNING: &str = "signer-key-not-signing";
pub const SIGNATURE_EXPIRED: &str = "signature-expired";
pub const SIGNATURE_TIME_INVALID: &str = "signature-time-invalid";
pub const REVIEW_SATISFIED: &str = "review-satisfied";
pub const REVIEW_MISSING: &str = "review-missing";

/// Registry entries for every code above.
pub const CODES: &[Code] = &[
    Code {
        code: SOURCE_REPO_MATCHED,
        summary: "the provenance's source repository is the expected one",
        description: "With --source, the repository the provenance names equals the policy's [source] uri or, \
            without one, a remote of the checkout, after normalising both (no scheme, git+, user info, .git or \
            trailing slash; host in lower case; scp-style git@host:path read as host/path).",
    },
    Code {
        code: SOURCE_REPO_MISMATCH,
        summary: "the provenance names another repository than the checkout's, or none",
        description: "The artifact claims to come from a repository other than the one reviewed. Compare the \
            provenance's repository (shown in the report) with the policy's [source] uri or the checkout's remotes \
            (git remote -v). A fork with the same history is still another repository: point [source] uri at the \
            repository that is really trusted. When neither a policy uri nor a remote exists there is nothing to \
            compare with, and the check is not performed (which fails).",
    },
    Code {
        code: CHECKOUT_CLEAN,
        summary: "the working tree is exactly the reviewed commit's tree",
        description: "custody read every byte of every file that is in the commit or in the working tree and not \
            ignored, computed the git tree id with its own hashing in the repository's object format, and it \
            equals the commit's tree id. The index and stat data are not trusted, except with `custody source \
            --stat-cache FILE` (for hooks), where a file whose lstat data is unchanged since an earlier run read it \
            keeps the blob id that run computed; the message and the worktree facts then count the files trusted \
            without being read.",
    },
    Code {
        code: CHECKOUT_DIRTY,
        summary: "the working tree differs from the reviewed commit",
        description: "Files were modified, deleted or added (untracked and not ignored) since the commit was \
            checked out; each is listed. The bytes are compared, not stat data, so an edit that keeps size and \
            modification time is caught even when git status misses it. Checkout filters (core.autocrlf, eol or \
            filter attributes such as Git LFS) change the bytes written to disk and show up here too. Fix: commit, \
            stash or remove the changes (git stash -u), or check a fresh clone.",
    },
    Code {
        code: CHECKOUT_SUBMODULE,
        summary: "the commit has submodules, whose contents custody does not check",
        description: "A submodule's files belong to another repository; the commit records only the submodule's \
            commit id. custody does not descend into submodules, so this check is reported as not performed, \
            which fails. Verify each submodule with its own custody source run.",
    },
    Code {
        code: ON_PROTECTED_BRANCH,
        summary: "the reviewed commit is reachable from a protected branch",
        description: "The commit is the tip or an ancestor of one of the branches the policy's [review] \
            protected-branches names, as the checkout knows them.",
    },
    Code {
        code: NOT_ON_PROTECTED_BRANCH,
        summary: "the reviewed commit is on no protected branch",
        description: "A commit that never reached a protected branch did not go through its review rules. The \
            branches are read from the checkout: fetch them first (git fetch origin main), and name remote-tracking \
            branches by their full ref (refs/remotes/origin/main) when the local branch is not kept up to date.",
    },
    Code {
        code: COMMIT_SIGNED,
        summary: "a commit carries a valid signature by an allowed signer",
        description: "SSH signatures (SSHSIG, namespace git) are checked against the policy's allowed-signers file \
            at the committer's time, as git verify-commit does; OpenPGP signatures against the policy's armored \
            public keys, by a key that was valid (not expired, not revoked, with the signing flag) at the \
            signature's date. The signature is the one git verifies: the gpgsig header in a SHA-1 \
            repository, gpgsig-sha256 in a SHA-256 one.",
    },
    Code {
        code: COMMIT_UNSIGNED,
        summary: "a commit the policy requires to be signed has no signature",
        description: "The policy's [review] require-signed says which commits must be signed: the release commit, \
            or every commit since the trusted base. Sign with git commit -S (gpg.format=ssh or openpgp) and \
            re-push, or move the base past commits that predate signing.",
    },
    Code {
        code: SIGNER_NOT_ALLOWED,
        summary: "a commit is signed, but not by an allowed signer",
        description: "The signing key is not in the allowed-signers file (or not for namespace git, or outside its \
            valid-after / valid-before window at the commit's time), or is none of the trusted OpenPGP keys. Add \
            the key to the policy's signers if it should be trusted.",
    },
    Code {
        code: SIGNATURE_UNSUPPORTED,
        summary: "a commit's signature is of a kind custody cannot check",
        description: "X.509 (gpgsm) signatures, SSH certificates (cert-authority lines) and FIDO (sk-) keys are not \
            checked by custody; the check is reported as not performed, which fails.",
    },
    Code {
        code: SIGNER_KEY_EXPIRED,
        summary: "a commit's OpenPGP signature was made after its key expired",
        description: "The signature verifies with a trusted OpenPGP key, but it is dated at or after the key's \
            expiration: the key expiration time of the newest self-signature that verifies and was made by the \
            signature's date (for a subkey, of its binding signature; an expired primary key takes its subkeys \
            with it). Signatures made before the expiration still count, as with git verify-commit. If the key \
            holder extended the expiry, export the key again (gpg --armor --export) so the policy's file carries \
            the new self-signature; an extension made after the signature does not revive it.",
    },
    Code {
        code: SIGNER_KEY_REVOKED,
        summary: "a commit's OpenPGP signature is by a revoked key",
        description: "The policy's key file carries a key revocation signature on the primary key, or a subkey \
            revocation on the signing subkey, that verifies. A revocation with reason \"key superseded\" or \"key \
            retired\" invalidates the signatures dated at or after it; one with no reason, \"key compromised\" or \
            an unknown reason invalidates every signature, since a thief can backdate. Re-sign the commits with a \
            valid key, or move the trusted base past them.",
    },
    Code {
        code: SIGNER_KEY_NOT_SIGNING,
        summary: "a commit's OpenPGP signature is by a key not certified for signing",
        description: "The self-signature in force at the signature's date does not give the key the signing \
            key flag, or, for a subkey, lacks the embedded primary-key binding (back) signature that proves the \
            subkey's holder agreed to the binding. gpg refuses such signatures too. Sign with a signing (sub)key.",
    },
    Code {
        code: SIGNATURE_EXPIRED,
        summary: "a commit's OpenPGP signature has passed its own expiration time",
        description: "The signature carries a signature expiration time (gpg --ask-sig-expire, \
            --default-sig-expire), and that time has passed now. Re-sign the commit if it must still count.",
    },
    Code {
        code: SIGNATURE_TIME_INVALID,
        summary: "a commit's OpenPGP signature is dated when its key could not have made it",
        description: "The signature is dated before its key (or subkey) was created or first bound by a \
            self-signature, or more than five minutes in the future of this machine's clock. A signing \
            machine's wrong clock or a forged date: check both clocks and re-sign.",
    },
    Code {
        code: REVIEW_SATISFIED,
        summary: "every change since the base reached the release commit through a second person",
        description: "Each commit on the first-parent chain from the release commit back to the trusted base is a \
            merge or commit signed by an allowed signer who is not an author of the changes it brings, or the \
            change carries signatures of at least min-signers distinct allowed signers.",
    },
    Code {
        code: REVIEW_MISSING,
        summary: "a change reached the release commit without a second person",
        description: "Under [review] two-party, every change since the trusted base must come through a merge (or \
            signed commit) whose allowed signer is not the author of the changes it brings, or carry signatures of \
            at least min-signers distinct allowed signers. Each violating commit is listed: a self-merged branch, a \
            direct push, an unsigned merge. Also reported when the base is not an ancestor of the release commit.",
    },
];

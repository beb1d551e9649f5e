//! Codes for policy rules applied to verified evidence.

use crate::check::Code;

pub const PREDICATE_TYPE_ACCEPTED: &str = "predicate-type-accepted";
pub const PREDICATE_TYPE_NOT_ACCEPTED: &str = "predicate-type-not-accepted";
pub const PROVENANCE_MISSING: &str = "provenance-missing";
pub const BUILDER_ID_ACCEPTED: &str = "builder-id-accepted";
pub const BUILDER_ID_NOT_ACCEPTED: &str = "builder-id-not-accepted";
pub const BUILD_TYPE_ACCEPTED: &str = "build-type-accepted";
pub const BUILD_TYPE_NOT_ACCEPTED: &str = "build-type-not-accepted";
pub const SOURCE_URI_MATCHED: &str = "source-uri-matched";
pub const SOURCE_URI_MISMATCH: &str = "source-uri-mismatch";
pub const SOURCE_REF_MATCHED: &str = "source-ref-matched";
pub const SOURCE_REF_MISMATCH: &str = "source-ref-mismatch";
pub const SOURCE_COMMIT_MATCHED: &str = "source-commit-matched";
pub const SOURCE_COMMIT_MISMATCH: &str = "source-commit-mismatch";
pub const WORKFLOW_INPUT_MATCHED: &str = "workflow-input-matched";
pub const WORKFLOW_INPUT_MISMATCH: &str = "workflow-input-mismatch";
pub const EXTERNAL_PARAMETERS_RECOGNISED: &str = "external-parameters-recognised";
pub const UNKNOWN_EXTERNAL_PARAMETER: &str = "unknown-external-parameter";
pub const ATTESTATION_AGE_OK: &str = "attestation-age-ok";
pub const ATTESTATION_TOO_OLD: &str = "attestation-too-old";
pub const ATTESTATION_AGE_UNKNOWN: &str = "attestation-age-unknown";

/// Registry entries for every code above.
pub const CODES: &[Code] = &[
    Code {
        code: PREDICATE_TYPE_ACCEPTED,
        summary: "a verified statement has a predicate type the policy accepts",
        description: "The policy's predicate-types lists this statement's predicateType.",
    },
    Code {
        code: PREDICATE_TYPE_NOT_ACCEPTED,
        summary: "no verified statement about the artifact has an accepted predicate type",
        description: "The policy's predicate-types lists the kinds of statement it accepts (for example \
            https://slsa.dev/provenance/v1). Statements about the artifact were verified, but none is of an accepted \
            type; statements of other types are ignored, never counted.",
    },
    Code {
        code: PROVENANCE_MISSING,
        summary: "the policy judges provenance, but no verified SLSA provenance names the artifact",
        description: "Builder, build type, source, age and SLSA parameter rules are read from SLSA provenance v0.2 \
            or v1. The artifact is named only by other kinds of verified statement (or by a message signature), so \
            those rules cannot hold. Pass the provenance attestation with --bundle.",
    },
    Code {
        code: BUILDER_ID_ACCEPTED,
        summary: "the provenance's builder id is accepted",
        description: "The builder id matches --builder-id or the policy's builder-ids (without @ref, any ref of \
            that builder matches).",
    },
    Code {
        code: BUILDER_ID_NOT_ACCEPTED,
        summary: "the provenance was produced by a builder the policy does not trust",
        description: "slsa.dev: the builder id is what you trust to have produced honest provenance. This one is not \
            among --builder-id / builder-ids. With @ref an id must match exactly; without, any ref matches.",
    },
    Code {
        code: BUILD_TYPE_ACCEPTED,
        summary: "the provenance's build type is accepted",
        description: "The buildType is listed in the policy's build-types.",
    },
    Code {
        code: BUILD_TYPE_NOT_ACCEPTED,
        summary: "the provenance's build type is not one the policy accepts",
        description: "The buildType decides how the rest of the provenance (external parameters) must be read; a \
            build type the policy does not list cannot be interpreted safely.",
    },
    Code {
        code: SOURCE_URI_MATCHED,
        summary: "the provenance names the expected source repository",
        description: "The repository in the provenance (v0.2 invocation.configSource or first material; v1 \
            externalParameters.workflow.repository or source) equals --source-uri / source.uri.",
    },
    Code {
        code: SOURCE_URI_MISMATCH,
        summary: "the artifact was built from a different repository, or the provenance names none",
        description: "Repositories are compared after removing git+, the scheme and a trailing .git, as \
            slsa-verifier does: --source-uri github.com/org/repo.",
    },
    Code {
        code: SOURCE_REF_MATCHED,
        summary: "the provenance's git ref is the expected one",
        description: "The ref matches --source-tag, --source-versioned-tag, --source-branch or the policy's \
            source ref pattern.",
    },
    Code {
        code: SOURCE_REF_MISMATCH,
        summary: "the artifact was built from another ref, or the provenance names none",
        description: "A tag must be refs/tags/TAG, a branch refs/heads/BRANCH, a versioned tag a semver tag whose \
            leading components equal the given vX[.Y[.Z]], and a ref pattern a glob over the full ref.",
    },
    Code {
        code: SOURCE_COMMIT_MATCHED,
        summary: "the provenance names the expected commit",
        description: "The source's gitCommit/sha1 digest equals source.commit.",
    },
    Code {
        code: SOURCE_COMMIT_MISMATCH,
        summary: "the artifact was built from another commit, or the provenance names none",
        description: "The commit comes from the digest of the config source (v0.2) or of the resolved dependency \
            that is the source repository (v1). A SHA-256 repository's commits have 64 hex digits and a SHA-1 \
            repository's 40: an id of the other length never names the checkout's commit, and the message says so.",
    },
    Code {
        code: WORKFLOW_INPUT_MATCHED,
        summary: "a workflow input has the expected value",
        description: "--build-workflow-input KEY=VALUE (or slsa.workflow-inputs) matches the provenance.",
    },
    Code {
        code: WORKFLOW_INPUT_MISMATCH,
        summary: "a workflow input is missing or has another value",
        description: "Inputs are read from v1 externalParameters.inputs or v0.2 \
            invocation.environment.github_event_payload.inputs, as slsa-verifier reads them.",
    },
    Code {
        code: EXTERNAL_PARAMETERS_RECOGNISED,
        summary: "every external parameter is recognised or allowed",
        description: "With slsa.reject-unknown-external-parameters, each external parameter is one custody checks \
            (workflow, source, expected inputs) or one the policy allows.",
    },
    Code {
        code: UNKNOWN_EXTERNAL_PARAMETER,
        summary: "the provenance has external parameters the policy neither checks nor allows",
        description: "slsa.dev \"Verifying artifacts\": external parameters are the inputs an attacker could \
            control, and any unrecognised one should fail verification because it could have changed the build. Allow it \
            with slsa.allowed-external-parameters (`name`, or `inputs.NAME`) or expect its value.",
    },
    Code {
        code: ATTESTATION_AGE_OK,
        summary: "the build is recent enough",
        description: "The provenance's build time (finished, else started) is within the policy's max-age.",
    },
    Code {
        code: ATTESTATION_TOO_OLD,
        summary: "the build is older than the policy's max-age",
        description: "The signed build time is further in the past than max-age allows; rebuild or relax max-age.",
    },
    Code {
        code: ATTESTATION_AGE_UNKNOWN,
        summary: "max-age is set, but the provenance states no valid build time",
        description: "Age is read from the signed provenance (v1 runDetails.metadata finishedOn/startedOn, v0.2 \
            metadata buildFinishedOn/buildStartedOn), never from unverified log entries. Without a valid RFC 3339 \
            time the age cannot be established, which fails rather than passes.",
    },
];

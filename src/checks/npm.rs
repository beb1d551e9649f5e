//! An npm package's two attestations, judged together as slsa-verifier's
//! `verify-npm-package` judges them: the registry's publish attestation and the build's SLSA
//! provenance must both be verified, both name the tarball (sha512), and agree with each other
//! and with `--package-name` / `--package-version` on the package. Provenance that the npm CLI
//! wrote in the user's own workflow is only as good as the certificate behind it, so its source
//! claims must match the signing certificate; the runner it names must be the one asked for.

use super::{Context, Sink};
use crate::attest::slsa::Provenance;
use crate::attest::statement::Statement;
use crate::check::Check;
use crate::policy::{NpmRule, NpmRunner};
use crate::signature::Verified;

/// The npm registry's publish attestation predicate types start with this.
pub const PUBLISH: &str = "https://github.com/npm/attestation/tree/main/specs/publish/";

const RUNNER: &str = "https://github.com/actions/runner";
const GITHUB_HOSTED: &str = "https://github.com/actions/runner/github-hosted";

crate::codes! {
    /// What the npm package rules report.
    pub enum Code {
        NpmAttestationsAgree = "npm-attestations-agree" {
            summary: "the publish attestation and the provenance name the same package and tarball",
            description: "Both of the package's attestations are verified, both name the tarball's sha512, and the \
            provenance's subject pkg:npm/NAME@VERSION is the package the registry's publish attestation names \
            (and --package-name / --package-version, when given).",
        },
        NpmAttestationMissing = "npm-attestation-missing" {
            summary: "the package lacks a verified publish attestation or provenance",
            description: "slsa-verifier's verify-npm-package needs both: the registry's publish attestation (signed \
            with the npm registry's key) and the build's SLSA provenance (keyless). A package with one of them \
            cannot be judged.",
        },
        NpmPackageMismatch = "npm-package-mismatch" {
            summary: "the attestations name another package or version, or disagree with each other",
            description: "The provenance must have exactly one subject, pkg:npm/NAME@VERSION (the name URL-encoded, its \
            scope kept), naming the tarball's sha512; the publish attestation's predicate name and version must be \
            the same; --package-name and --package-version, when given, must equal them.",
        },
        NpmRunnerMatched = "npm-runner-matched" {
            summary: "the npm CLI's provenance names the runner --builder-id asks for",
            description: "The provenance's builder id and the certificate's runner environment are the runner \
            --builder-id names (github-hosted or self-hosted).",
        },
        NpmRunnerMismatch = "npm-runner-mismatch" {
            summary: "the npm CLI's provenance names another runner than --builder-id",
            description: "For provenance the npm CLI wrote (npm publish --provenance), --builder-id names the runner: \
            https://github.com/actions/runner/github-hosted (the certificate's runner environment must be \
            github-hosted), .../runner/self-hosted (self-hosted), or https://github.com/actions/runner, which SLSA \
            v1 provenance never names (it says github-hosted), as in slsa-verifier.",
        },
        ProvenanceMatchesCertificate = "provenance-matches-certificate" {
            summary: "the source a workflow's provenance claims is its signing certificate's",
            description: "The provenance's source repository, ref and commit equal the Fulcio certificate's \
            source-repository-uri, -ref and -digest.",
        },
        ProvenanceContradictsCertificate = "provenance-contradicts-certificate" {
            summary: "provenance a workflow wrote names another source than its signing certificate",
            description: "The npm CLI writes its provenance inside the publishing workflow, which could write anything; \
            only the Fulcio certificate's claims come from GitHub. The provenance's source repository, ref and \
            commit must equal the certificate's source-repository-uri, -ref and -digest.",
        },
    }
}

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    let (Some(rule), Some(a)) = (&ctx.policy.npm, ctx.artifact) else {
        return;
    };
    let verified: Vec<&Verified> = a
        .matched
        .iter()
        .filter_map(|(i, _)| ctx.evidence.verified(*i))
        .collect();
    let publish: Vec<(&Verified, &Statement)> = verified
        .iter()
        .filter_map(|v| Some((*v, v.statement()?)))
        .filter(|(_, s)| s.predicate_type.starts_with(PUBLISH))
        .collect();
    let provenance: Vec<(&Verified, &Statement, Provenance)> = verified
        .iter()
        .filter_map(|v| {
            let s = v.statement()?;
            let p = Provenance::from_predicate(&s.predicate_type, &s.predicate)?.ok()?;
            Some((*v, s, p))
        })
        .collect();
    let (Some((pv, publish)), Some((v, prov, p))) = (publish.first(), provenance.first()) else {
        sink.push(Check::fail(
            Code::NpmAttestationMissing,
            format!(
                "{} needs a verified publish attestation and verified provenance; found {} and {}",
                a.name,
                if publish.is_empty() {
                    "no publish attestation"
                } else {
                    "a publish attestation"
                },
                if provenance.is_empty() {
                    "no provenance"
                } else {
                    "provenance"
                },
            ),
        ));
        return;
    };
    sink.push(package(
        rule,
        a.digest.sha512.as_deref(),
        (pv, publish),
        (v, prov),
    ));
    let signer = v.signers().iter().find_map(|s| s.certificate.as_ref());
    let by_generator = v.signers().iter().any(|s| {
        matches!((&s.identity, &s.issuer), (Some(Some(i)), Some(Some(iss)))
            if crate::generator::Signer::of(i, iss).is_some())
    });
    if by_generator {
        // slsa-github-generator's Node.js builder: its own rules (`provenance`) apply.
        return;
    }
    if let Some(runner) = rule.runner {
        sink.push(runner_check(runner, &v.origin().to_string(), p, signer));
    }
    if let Some(cert) = signer {
        sink.push(against_certificate(&v.origin().to_string(), p, cert));
    }
}

/// `pkg:npm/%40scope%2Fname@1.0.0` → (`@scope/name`, `1.0.0`).
fn purl(name: &str) -> Option<(String, String)> {
    let rest = name.strip_prefix("pkg:npm/")?;
    let (encoded, version) = rest.rsplit_once('@')?;
    let decoded = percent_decode(encoded)?;
    (!decoded.is_empty() && !version.is_empty()).then(|| (decoded, version.to_owned()))
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn package(
    rule: &NpmRule,
    sha512: Option<&str>,
    (pv, publish): (&Verified, &Statement),
    (v, prov): (&Verified, &Statement),
) -> Check {
    let mut problems = Vec::new();
    let from_purl = match prov.subjects.as_slice() {
        [one] => match purl(&one.name) {
            Some(p) => Some(p),
            None => {
                problems.push(format!(
                    "{}: the provenance's subject {:?} is not pkg:npm/NAME@VERSION",
                    v.origin(),
                    one.name
                ));
                None
            }
        },
        many => {
            problems.push(format!(
                "{}: the provenance has {} subjects, not one package",
                v.origin(),
                many.len()
            ));
            None
        }
    };
    let text = |key: &str| publish.predicate.get(key).and_then(|x| x.as_str());
    let (pub_name, pub_version) = (text("name"), text("version"));
    for (what, from_prov, from_pub, flag) in [
        (
            "name",
            from_purl.as_ref().map(|(n, _)| n.as_str()),
            pub_name,
            rule.package_name.as_deref(),
        ),
        (
            "version",
            from_purl.as_ref().map(|(_, v)| v.as_str()),
            pub_version,
            rule.package_version.as_deref(),
        ),
    ] {
        if from_pub.is_none() {
            problems.push(format!(
                "{}: the publish attestation names no package {what}",
                pv.origin()
            ));
        }
        if let (Some(a), Some(b)) = (from_prov, from_pub)
            && a != b
        {
            problems.push(format!(
                "the provenance names package {what} {a:?}, the publish attestation {b:?}"
            ));
        }
        if let Some(want) = flag {
            for (got, by) in [(from_prov, "provenance"), (from_pub, "publish attestation")] {
                if let Some(got) = got
                    && got != want
                {
                    problems.push(format!(
                        "the {by} names package {what} {got:?}, expected {want:?}"
                    ));
                }
            }
        }
    }
    match sha512 {
        Some(d) => {
            for (s, by) in [(publish, "publish attestation"), (prov, "provenance")] {
                if !s.subjects.iter().any(|x| x.digest.sha512() == Some(d)) {
                    problems.push(format!("the {by} does not name the tarball's sha512"));
                }
            }
        }
        None => problems.push("the tarball's sha512 is unknown (a digest was given)".to_owned()),
    }
    if problems.is_empty() {
        let (n, ver) = from_purl.unwrap_or_default();
        Check::pass(
            Code::NpmAttestationsAgree,
            format!("package {n}@{ver}: the publish attestation and the provenance agree"),
        )
    } else {
        Check::fail(Code::NpmPackageMismatch, problems.join("; "))
    }
}

fn runner_check(
    runner: NpmRunner,
    at: &str,
    p: &Provenance,
    cert: Option<&serde_json::Value>,
) -> Check {
    let id = p.builder_id();
    let v1 = matches!(p, Provenance::V1(_));
    let env = cert.and_then(|c| c["extensions"]["runner-environment"].as_str());
    let (builder_ok, env_ok) = match runner {
        // SLSA v1 npm provenance names the hosted runner only (slsa-verifier's v1 parser).
        NpmRunner::Any => (!v1 && (id == RUNNER || id == GITHUB_HOSTED), true),
        NpmRunner::GithubHosted => (
            id == GITHUB_HOSTED || (!v1 && id == RUNNER),
            env == Some("github-hosted"),
        ),
        NpmRunner::SelfHosted => (
            id == format!("{RUNNER}/self-hosted") || id == RUNNER,
            env == Some("self-hosted"),
        ),
    };
    if builder_ok && env_ok {
        Check::pass(
            Code::NpmRunnerMatched,
            format!("{at}: builder {id} on a {} runner", env.unwrap_or("GitHub")),
        )
    } else {
        Check::fail(
            Code::NpmRunnerMismatch,
            format!(
                "{at}: the provenance names builder {id} (SLSA {}), the certificate runner environment {}; \
                 --builder-id asked for {}",
                if v1 { "v1" } else { "v0.2" },
                env.unwrap_or("(none)"),
                runner.builder_id()
            ),
        )
    }
}

fn against_certificate(at: &str, p: &Provenance, cert: &serde_json::Value) -> Check {
    let ext = |k: &str| cert["extensions"][k].as_str();
    let source = p.source();
    let mut problems = Vec::new();
    let cert_repo = ext("source-repository-uri").map(crate::source::binding::canonical_repository);
    match (&source.repository, &cert_repo) {
        (Some(a), Some(b)) if a == b => {}
        (a, b) => problems.push(format!(
            "repository {} in the provenance, {} in the certificate",
            a.as_deref().unwrap_or("(none)"),
            b.as_deref().unwrap_or("(none)")
        )),
    }
    if let (Some(a), Some(b)) = (&source.git_ref, ext("source-repository-ref"))
        && a != b
    {
        problems.push(format!("ref {a} in the provenance, {b} in the certificate"));
    }
    if let (Some(a), Some(b)) = (&source.commit, ext("source-repository-digest"))
        && !a.eq_ignore_ascii_case(b)
    {
        problems.push(format!(
            "commit {a} in the provenance, {b} in the certificate"
        ));
    }
    if problems.is_empty() {
        Check::pass(
            Code::ProvenanceMatchesCertificate,
            format!("{at}: the provenance's source is the signing certificate's"),
        )
    } else {
        Check::fail(
            Code::ProvenanceContradictsCertificate,
            format!("{at}: {}", problems.join("; ")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_urls() {
        assert_eq!(
            purl("pkg:npm/%40trishankatdatadog/supreme-goggles@1.0.5"),
            Some(("@trishankatdatadog/supreme-goggles".into(), "1.0.5".into()))
        );
        assert_eq!(
            purl("pkg:npm/%40scope%2Fname@1.0.0-rc.1"),
            Some(("@scope/name".into(), "1.0.0-rc.1".into()))
        );
        assert_eq!(
            purl("pkg:npm/sigstore@2.3.1"),
            Some(("sigstore".into(), "2.3.1".into()))
        );
        assert_eq!(purl("pkg:pypi/sigstore@2.3.1"), None);
        assert_eq!(purl("pkg:npm/sigstore"), None);
        assert_eq!(purl("pkg:npm/%4@1"), None);
    }
}

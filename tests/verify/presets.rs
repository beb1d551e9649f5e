//! The presets in `policies/`, on real attestations from the shared corpus. A preset whose
//! keyless identities accept any repository's workflow refuses to run until the repository is
//! pinned, and the pin then binds the signing certificate: any GitHub user can make a valid
//! attestation for a repository of their own.

use std::path::Path;

use super::support::corpus;

fn verify(args: &[&str]) -> (i32, String, String) {
    let out = crate::support::custody()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("verify")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn catch_all_presets_refuse_to_run_without_a_pinned_repository() {
    let artifact = corpus("pypi-attestations/assets/pypi_attestations-0.0.19.tar.gz");
    let publish =
        corpus("pypi-attestations/assets/pypi_attestations-0.0.19.tar.gz.publish.attestation");
    let (artifact, publish) = (artifact.to_str().unwrap(), publish.to_str().unwrap());
    for preset in [
        "policies/pypi-trusted-publishing.toml",
        "policies/npm-provenance.toml",
        "policies/github-artifact-attestations.toml",
    ] {
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(preset).is_file());
        let (code, out, err) = verify(&[artifact, "--bundle", publish, "--policy", preset]);
        assert_eq!(code, 2, "{preset}: {out}{err}");
        assert!(err.contains("any GitHub or GitLab user"), "{preset}: {err}");
        assert!(err.contains("--source-uri"), "{preset}: {err}");
    }
    let preset = "policies/pypi-trusted-publishing.toml";
    // The repository that published it: a PyPI publish attestation has no SLSA source, so
    // the pin is met by the signing certificate's source repository.
    let (code, out, err) = verify(&[
        artifact,
        "--bundle",
        publish,
        "--policy",
        preset,
        "--source-uri",
        "github.com/trailofbits/pypi-attestations",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // Another repository's valid attestation does not pass.
    let (code, out, _) = verify(&[
        artifact,
        "--bundle",
        publish,
        "--policy",
        preset,
        "--source-uri",
        "github.com/someone-else/pypi-attestations",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("fail [identity-mismatch]"), "{out}");
    assert!(out.contains("source-repository-uri"), "{out}");
}

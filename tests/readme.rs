//! The README's set-up commands print what the README says they print.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn custody() -> Command {
    Command::from_std(crate::support::custody())
}

#[test]
fn the_readme_shows_the_digests_of_the_shipped_sample_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let out = custody()
        .arg("hash")
        .arg(root.join("testdata/tree"))
        .args(["--digest", "all"])
        .output()
        .unwrap();
    assert!(out.status.success());
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        assert!(
            readme.contains(&format!("    {line}\n")),
            "README lacks {line:?}"
        );
    }
}

#[test]
fn the_readme_verify_example_prints_what_the_readme_shows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let out = custody()
        .current_dir(root)
        .args([
            "verify",
            "testdata/corpus/a.txt",
            "--bundle",
            "testdata/corpus/managed-key.sigstore.json",
            "--key",
            "testdata/corpus/managed-key.pub",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        assert!(
            readme.contains(&format!("    {line}\n")),
            "README lacks {line:?}"
        );
    }
}

//! Archives that must fail, each with its own check code: the xz-utils pattern, modified files,
//! object files under harmless names, path traversal, absolute paths, escaping links, bombs.

use super::fixture::{Repo, SOURCES, compare, contents, file, outcomes, run, tar_dir};

/// A minimal 64-bit ELF header: what `cc -c` writes first.
const ELF_OBJECT: &[u8] = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x01\0\x3e\0\x01\0\0\0";

fn fails_with(report: &serde_json::Value, code: &str) {
    assert_eq!(report["verdict"], "fail");
    assert!(
        outcomes(report, code).iter().any(|o| o == "fail"),
        "no failing {code}: {:#}",
        report["artifacts"][0]["checks"]
    );
}

#[test]
fn extra_m4_in_a_release_tarball_fails_like_xz_utils() {
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    std::fs::create_dir_all(tree.join("m4")).unwrap();
    std::fs::write(
        tree.join("m4/build-to-host.m4"),
        "# build-to-host.m4 serial 30\ndnl gl_BUILD_TO_HOST\n",
    )
    .unwrap();
    let archive = repo.out("demo-1.0.tar.xz");
    tar_dir(&tree, &archive, Some(&["xz", "-T1"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1);
    fails_with(&report, "contents-unexplained");
    fails_with(&report, "contents-matches-source");
    let m4 = file(&report, "demo-1.0/m4/build-to-host.m4");
    assert_eq!(m4["class"], "unexplained");
    assert_eq!(m4["source_path"], "m4/build-to-host.m4");
    assert_eq!(
        contents(&report)["counts"]["identical"],
        SOURCES.len() as u64
    );

    // Permitting it by policy is the only way through, and it is then reported as allowed.
    let (code, report) = compare(&archive, &repo.path(), &["--allow-extra", "m4/*.m4"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        file(&report, "demo-1.0/m4/build-to-host.m4")["class"],
        "allowed-extra"
    );
}

#[test]
fn a_modified_file_fails_with_a_diff() {
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    std::fs::write(
        tree.join("configure.ac"),
        "AC_INIT([demo], [1.0])\neval $(cat tests/data/sample.txt)\nAC_OUTPUT\n",
    )
    .unwrap();
    let archive = repo.out("demo-1.0.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1);
    fails_with(&report, "contents-modified");
    let f = file(&report, "demo-1.0/configure.ac");
    assert_eq!(f["class"], "modified");
    assert_eq!(
        f["source_blob"],
        repo.git(&["rev-parse", "HEAD:configure.ac"]).trim()
    );
    let diff = f["difference"]["diff"].as_str().unwrap();
    assert!(
        diff.contains("+eval $(cat tests/data/sample.txt)"),
        "{diff}"
    );
}

#[test]
fn a_modified_binary_reports_sizes_and_first_difference() {
    let repo = Repo::new(&[("data/blob.bin", "\0\x01\x02\x03\x04")]);
    let tree = repo.unpacked();
    std::fs::write(tree.join("data/blob.bin"), b"\0\x01\x02\xff\x04\x05").unwrap();
    let archive = repo.out("demo-1.0.tar");
    tar_dir(&tree, &archive, None);
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1);
    let d = &file(&report, "demo-1.0/data/blob.bin")["difference"];
    assert_eq!(d["kind"], "binary");
    assert_eq!(
        (d["archive_size"].as_u64(), d["source_size"].as_u64()),
        (Some(6), Some(5))
    );
    assert_eq!(d["first_difference"], 3);
}

#[test]
fn an_object_file_with_a_harmless_name_fails_and_is_named_even_when_allowed() {
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    std::fs::write(
        tree.join("tests/data/good-large_compressed.lzma"),
        ELF_OBJECT,
    )
    .unwrap();
    let archive = repo.out("demo-1.0.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1);
    fails_with(&report, "contents-unexplained");
    let f = file(&report, "demo-1.0/tests/data/good-large_compressed.lzma");
    assert_eq!(f["kind"], "ELF object or executable");

    let (code, report) = compare(&archive, &repo.path(), &["--allow-extra", "tests/data/*"]);
    assert_eq!(code, 0, "{report:#}");
    let f = file(&report, "demo-1.0/tests/data/good-large_compressed.lzma");
    assert_eq!(
        (&f["class"], &f["kind"]),
        (&"allowed-extra".into(), &"ELF object or executable".into())
    );
    assert_eq!(outcomes(&report, "contents-build-output"), ["pass"]);
}

/// One raw tar entry: name, type, link target, content.
type RawEntry<'a> = (&'a [u8], tar::EntryType, &'a [u8], &'a [u8]);

/// A plain tar of raw headers, so that names no honest tool writes can be stored.
fn raw_tar(entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, link, data) in entries {
        let mut h = tar::Header::new_ustar();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// Compare a raw tar holding the repository's README plus `hostile`; it must fail `code`.
fn hostile_fails(hostile: RawEntry<'_>, code: &str) -> serde_json::Value {
    let repo = Repo::new(SOURCES);
    let readme = (
        &b"demo-1.0/README.md"[..],
        tar::EntryType::Regular,
        &b""[..],
        &b"# demo\n"[..],
    );
    let archive = repo.out("hostile.tar");
    std::fs::write(&archive, raw_tar(&[readme, hostile])).unwrap();
    let (code_, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code_, 1, "{report:#}");
    fails_with(&report, code);
    report
}

#[test]
fn path_traversal_fails() {
    let r = hostile_fails(
        (
            b"demo-1.0/../../etc/cron.d/x",
            tar::EntryType::Regular,
            b"",
            b"* * * * * root sh\n",
        ),
        "archive-path-traversal",
    );
    assert_eq!(outcomes(&r, "archive-absolute-path"), ["pass"]);
}

#[test]
fn absolute_path_fails() {
    let r = hostile_fails(
        (
            b"/etc/cron.d/x",
            tar::EntryType::Regular,
            b"",
            b"* * * * * root sh\n",
        ),
        "archive-absolute-path",
    );
    assert_eq!(outcomes(&r, "archive-path-traversal"), ["pass"]);
    // A directory entry is refused as surely as a file.
    hostile_fails(
        (b"/etc/cron.d/", tar::EntryType::Directory, b"", b""),
        "archive-absolute-path",
    );
}

#[test]
fn escaping_symlink_fails() {
    hostile_fails(
        (
            b"demo-1.0/config",
            tar::EntryType::Symlink,
            b"../../../home/user/.ssh",
            b"",
        ),
        "archive-link-escape",
    );
    hostile_fails(
        (
            b"demo-1.0/passwd",
            tar::EntryType::Link,
            b"/etc/passwd",
            b"",
        ),
        "archive-link-escape",
    );
}

#[test]
fn a_path_stored_twice_fails() {
    hostile_fails(
        (
            b"demo-1.0/README.md",
            tar::EntryType::Regular,
            b"",
            b"# demo\n",
        ),
        "archive-duplicate-entry",
    );
}

#[test]
fn a_device_node_fails() {
    hostile_fails(
        (b"demo-1.0/dev/sda", tar::EntryType::Block, b"", b""),
        "archive-special-entry",
    );
}

fn zeros(repo: &Repo) -> std::path::PathBuf {
    let tree = repo.out("bomb/demo-1.0");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("zeros"), vec![0u8; 64 << 20]).unwrap();
    tree
}

#[test]
fn gzip_bomb_fails_and_stops_reading() {
    let repo = Repo::new(SOURCES);
    let tree = zeros(&repo);
    let archive = repo.out("bomb.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip", "-9"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1);
    fails_with(&report, "archive-bomb");
    assert_eq!(
        outcomes(&report, "contents-matches-source"),
        ["not-performed"]
    );
    assert_eq!(contents(&report)["complete"], false);
    // Nothing is passed on the strength of a partial read.
    assert_eq!(
        outcomes(&report, "archive-path-traversal"),
        ["not-performed"]
    );
    assert_eq!(outcomes(&report, "contents-unexplained"), ["not-performed"]);
}

#[test]
fn zip_bomb_fails() {
    let repo = Repo::new(SOURCES);
    let tree = zeros(&repo);
    let archive = repo.out("bomb.zip");
    run(crate::support::cmd("zip")
        .arg("-q9r")
        .arg(&archive)
        .arg("demo-1.0")
        .current_dir(tree.parent().unwrap()));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1);
    fails_with(&report, "archive-bomb");
}

#[test]
fn a_file_that_is_no_archive_fails() {
    let repo = Repo::new(SOURCES);
    let archive = repo.out("demo-1.0.tar.gz");
    std::fs::write(&archive, "<html>404 Not Found</html>\n").unwrap();
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1);
    fails_with(&report, "archive-unreadable");
    assert_eq!(contents(&report)["format"], serde_json::Value::Null);
    // One clear failure: no not-performed line per check, no list of missing files.
    let checks = report["artifacts"][0]["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 1, "{report:#}");
    let output = crate::support::custody()
        .arg("compare")
        .arg(&archive)
        .arg("--source")
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.contains("not an archive custody reads"), "{out}");
    assert!(
        !out.contains("not performed") && !out.contains("not in the archive"),
        "{out}"
    );
}

#[test]
fn no_packaging_rule_explains_an_object_file() {
    // An sdist's egg-info holds any bytes setuptools writes; an ELF object there is not one.
    let repo = Repo::new(&[
        ("setup.py", "from setuptools import setup\nsetup()\n"),
        ("demo/__init__.py", "\n"),
    ]);
    let tree = repo.unpacked();
    std::fs::write(tree.join("PKG-INFO"), "Metadata-Version: 2.1\nName: demo\n").unwrap();
    std::fs::create_dir_all(tree.join("demo.egg-info")).unwrap();
    std::fs::write(tree.join("demo.egg-info/top_level.txt"), ELF_OBJECT).unwrap();
    std::fs::write(tree.join("demo.egg-info/SOURCES.txt"), "setup.py\n").unwrap();
    let archive = repo.out("demo-1.0.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(contents(&report)["ecosystem"], "python-sdist");
    assert_eq!(
        file(&report, "demo-1.0/demo.egg-info/SOURCES.txt")["rule"],
        "python-egg-info"
    );
    let f = file(&report, "demo-1.0/demo.egg-info/top_level.txt");
    assert_eq!(
        (&f["class"], &f["kind"]),
        (&"unexplained".into(), &"ELF object or executable".into())
    );
}

#[test]
fn a_path_that_is_not_utf8_fails() {
    hostile_fails(
        (
            b"demo-1.0/caf\xe9.c",
            tar::EntryType::Regular,
            b"",
            b"int x;\n",
        ),
        "archive-path-invalid",
    );
}

#[test]
fn an_entry_written_through_the_archives_own_symlink_fails() {
    // The link itself stays inside; the entry after it is written wherever the link points.
    let repo = Repo::new(SOURCES);
    let archive = repo.out("through-link.tar");
    std::fs::write(
        &archive,
        raw_tar(&[
            (
                b"demo-1.0/README.md",
                tar::EntryType::Regular,
                b"",
                b"# demo\n",
            ),
            (b"demo-1.0/src", tar::EntryType::Symlink, b"tests", b""),
            (
                b"demo-1.0/src/main.c",
                tar::EntryType::Regular,
                b"",
                b"int main;\n",
            ),
        ]),
    )
    .unwrap();
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    fails_with(&report, "archive-link-escape");
    assert_eq!(
        file(&report, "demo-1.0/src/main.c")["problem"],
        "archive-link-escape"
    );
}

#[test]
fn a_readme_is_explained_only_as_a_copy_of_a_readme() {
    let repo = Repo::new(&[
        ("README.md", "# demo\n"),
        ("docs/LICENSE", "MIT\n"),
        ("src/main.c", "int main(void) { return 0; }\n"),
    ]);
    let tree = repo.unpacked();
    std::fs::write(tree.join("LICENSE"), "MIT\n").unwrap(); // copied, like cargo's license-file
    std::fs::write(tree.join("README"), "int main(void) { return 0; }\n").unwrap();
    let archive = repo.out("demo-1.0.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let licence = file(&report, "demo-1.0/LICENSE");
    assert_eq!(licence["rule"], "copied-readme-or-licence");
    assert_eq!(licence["detail"], "from docs/LICENSE");
    assert_eq!(file(&report, "demo-1.0/README")["class"], "unexplained");
}

#[test]
fn escaping_symlink_in_a_zip_fails() {
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    std::os::unix::fs::symlink("../../../etc/passwd", tree.join("passwd")).unwrap();
    let archive = repo.out("demo-1.0.zip");
    run(crate::support::cmd("zip")
        .arg("-qry") // -y stores the symlink itself
        .arg(&archive)
        .arg("demo-1.0")
        .current_dir(tree.parent().unwrap()));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    fails_with(&report, "archive-link-escape");
    assert_eq!(
        file(&report, "demo-1.0/passwd")["problem"],
        "archive-link-escape"
    );
}

/// git records the executable bit; a release that makes a reviewed script executable (or drops
/// the bit) does not hold the reviewed file, even with the same bytes.
#[test]
fn a_file_made_executable_in_the_archive_is_modified() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    let path = tree.join("configure.ac");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let archive = repo.out("demo-1.0.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip", "-n"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1);
    fails_with(&report, "contents-modified");
    let f = file(&report, "demo-1.0/configure.ac");
    assert_eq!(f["class"], "modified");
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .contains("executable in the archive, not in the commit"),
        "{f:#}"
    );

    // The same tree with the reviewed mode passes.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    tar_dir(&tree, &archive, Some(&["gzip", "-n"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
}

/// The ecosystem comes from outside the archive: a plain C tarball that carries a `PKG-INFO`
/// does not gain the sdist rules, so neither it nor an `egg-info` blob is explained.
#[test]
fn a_plain_tarball_with_sdist_metadata_gains_no_sdist_rules() {
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    std::fs::write(
        tree.join("PKG-INFO"),
        "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
    )
    .unwrap();
    std::fs::create_dir_all(tree.join("demo.egg-info")).unwrap();
    std::fs::write(tree.join("demo.egg-info/SOURCES.txt"), ELF_OBJECT).unwrap();
    let archive = repo.out("demo-1.0.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip", "-n"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(contents(&report)["ecosystem"], "plain");
    assert_eq!(contents(&report)["ecosystem_from"], "inferred");
    assert_eq!(file(&report, "demo-1.0/PKG-INFO")["class"], "unexplained");
    assert_eq!(
        file(&report, "demo-1.0/demo.egg-info/SOURCES.txt")["class"],
        "unexplained"
    );
    // Only a flag (or the policy) can say otherwise, and the report says it was given.
    let (_, report) = compare(&archive, &repo.path(), &["--ecosystem", "python-sdist"]);
    assert_eq!(contents(&report)["ecosystem"], "python-sdist");
    assert_eq!(contents(&report)["ecosystem_from"], "given");
}

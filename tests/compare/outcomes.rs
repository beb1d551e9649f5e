//! Exit codes and output forms: 2 when custody cannot run, SARIF with one result per failed
//! check, the human summary, `--output`, `--source-rev`.

use super::fixture::{Repo, SOURCES, compare, contents, file, run, tar_dir};

fn custody() -> assert_cmd::Command {
    assert_cmd::Command::from_std(crate::support::custody())
}

#[test]
fn cannot_run_exits_2() {
    let repo = Repo::new(SOURCES);
    let archive = repo.git_archive("tar.gz");
    let fifo = repo.out("fifo");
    run(crate::support::cmd("mkfifo").arg(&fifo));
    let not_git = tempfile::tempdir().unwrap();
    let cases: Vec<(Vec<std::ffi::OsString>, &str)> = vec![
        (
            vec![
                repo.out("missing.tgz").into(),
                "--source".into(),
                repo.path().into(),
            ],
            "missing",
        ),
        (
            vec![fifo.into(), "--source".into(), repo.path().into()],
            "not a regular file",
        ),
        (
            vec![
                archive.clone().into(),
                "--source".into(),
                not_git.path().into(),
            ],
            "not a git checkout",
        ),
        (
            vec![
                archive.clone().into(),
                "--source".into(),
                repo.path().into(),
                "--source-rev".into(),
                "no-such-tag".into(),
            ],
            "no-such-tag",
        ),
        (
            vec![
                archive.into(),
                "--source".into(),
                repo.path().into(),
                "--allow-extra".into(),
                "a[".into(),
            ],
            "allow-extra",
        ),
    ];
    for (args, says) in cases {
        let out = custody().arg("compare").args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        let says = if says == "missing" {
            "No such file"
        } else {
            says
        };
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[test]
fn compares_with_the_commit_not_the_working_tree() {
    let repo = Repo::new(SOURCES);
    let archive = repo.git_archive("tar.gz");
    let first = repo.git(&["rev-parse", "HEAD"]);
    repo.write("src/main.c", b"int main(void) { return 1; }\n");
    repo.commit("second");
    // Uncommitted edits in the checkout change nothing.
    repo.write("README.md", b"edited, not committed\n");
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        super::fixture::file(&report, "demo-1.0/src/main.c")["class"],
        "modified"
    );
    assert_eq!(
        super::fixture::file(&report, "demo-1.0/README.md")["class"],
        "identical"
    );
    let (code, report) = compare(&archive, &repo.path(), &["--source-rev", first.trim()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(contents(&report)["commit"], first.trim());
}

#[test]
fn sarif_has_one_result_per_failed_check() {
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    std::fs::write(tree.join("extra-1.txt"), "x").unwrap();
    std::fs::write(tree.join("extra-2.txt"), "y").unwrap();
    let archive = repo.out("demo-1.0.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip"]));
    let out = custody()
        .arg("compare")
        .arg(&archive)
        .arg("--source")
        .arg(repo.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let unexplained = results
        .iter()
        .filter(|r| r["ruleId"] == "contents-unexplained")
        .count();
    assert_eq!(unexplained, 2, "{sarif:#}");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "contents-matches-source")
    );
    assert!(results.iter().all(|r| r["level"] == "error"));
}

#[test]
fn human_summary_counts_classes_and_lists_what_is_not_identical() {
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    std::fs::write(tree.join("configure"), "#!/bin/sh\n").unwrap();
    let archive = repo.out("demo-1.0.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip"]));
    let report = repo.out("report.txt");
    custody()
        .arg("compare")
        .arg(&archive)
        .arg("--source")
        .arg(repo.path())
        .arg("--output")
        .arg(&report)
        .assert()
        .code(1)
        .stdout("");
    let text = std::fs::read_to_string(report).unwrap();
    assert!(text.contains("identical 5"), "{text}");
    assert!(text.contains("unexplained 1"), "{text}");
    assert!(
        text.contains("unexplained          demo-1.0/configure"),
        "{text}"
    );
    assert!(!text.contains("demo-1.0/src/main.c"), "{text}");
    assert!(text.contains("verdict: fail"), "{text}");
}

#[test]
fn a_sha256_repository_is_compared_by_its_sha256_blob_ids() {
    let repo = Repo::new_sha256(SOURCES);
    let first = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    assert_eq!(first.len(), 64, "{first}");
    let archive = repo.git_archive("tar.gz");
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(contents(&report)["commit"], first.as_str());
    assert_eq!(
        super::fixture::file(&report, "demo-1.0/src/main.c")["class"],
        "identical"
    );

    // A later commit changes one file: the archive's copy is modified, described by its diff.
    repo.write("src/main.c", b"int main(void) { return 1; }\n");
    repo.commit("second");
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let main = super::fixture::file(&report, "demo-1.0/src/main.c");
    assert_eq!(main["class"], "modified", "{report:#}");
    assert!(main.to_string().contains("return 1"), "{main:#}");
    assert_eq!(
        super::fixture::file(&report, "demo-1.0/README.md")["class"],
        "identical"
    );
    let (code, report) = compare(&archive, &repo.path(), &["--source-rev", &first]);
    assert_eq!(code, 0, "{report:#}");
}

/// An unexplained file shows the start of its text, or for binary content its size and first
/// bytes, in the report and the human summary; a file the commit has shows no preview.
#[test]
fn unexplained_files_show_their_start() {
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    let script: String = (1..=8).map(|i| format!("echo line {i}\n")).collect();
    std::fs::write(tree.join("payload.sh"), format!("#!/bin/sh\n{script}")).unwrap();
    std::fs::write(
        tree.join("blob.dat"),
        [0x00u8, 0x01, 0xfe, 0xff, 0x10, 0x20],
    )
    .unwrap();
    let archive = repo.out("demo-1.0.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let text = file(&report, "demo-1.0/payload.sh")["preview"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        text, "#!/bin/sh\necho line 1\necho line 2\necho line 3\necho line 4\n...",
        "{report:#}"
    );
    let binary = file(&report, "demo-1.0/blob.dat")["preview"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(binary, "binary, 6 bytes, starting 00 01 fe ff 10 20");
    assert!(file(&report, "demo-1.0/README.md").get("preview").is_none());
    let messages: String = report["artifacts"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"] == "contents-unexplained")
        .map(|c| c["message"].as_str().unwrap().to_owned() + "\n")
        .collect();
    assert!(
        messages.contains(
            "payload.sh: not in the commit and no packaging rule explains it; it starts: #!/bin/sh"
        ),
        "{messages}"
    );
    let out = custody()
        .arg("compare")
        .arg(&archive)
        .arg("--source")
        .arg(repo.path())
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("      | echo line 4\n      | ...\n"),
        "{human}"
    );
    assert!(
        human.contains("binary, 6 bytes, starting 00 01 fe ff 10 20"),
        "{human}"
    );
}

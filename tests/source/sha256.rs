//! SHA-256 repositories (`git init --object-format=sha256`): the working tree against the
//! commit's SHA-256 tree id, 64-hex commit ids in provenance and policy, and review evidence
//! (SSH-signed commits, protected branches, two-party review) read from SHA-256 objects. Every
//! passing case has a failing twin.

use std::os::unix::fs::PermissionsExt;

use super::git::{Person, Repo, World, codes, messages};
use super::verify::{Setup, reproduce_setup_in};

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn world_with_repo() -> (World, Repo) {
    let w = World::new();
    let r = w.repo_sha256("r");
    r.commit(
        &w.person("Alice"),
        "init",
        &[
            ("README", "hello\n"),
            ("run.sh", "#!/bin/sh\necho hi\n"),
            ("src/main.c", "int main(void) { return 0; }\n"),
            ("src/deep/er/file.txt", "deep\n"),
            (".gitignore", "target/\n"),
        ],
    );
    std::fs::set_permissions(r.dir.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("src/main.c", r.dir.join("link")).unwrap();
    r.commit(&w.person("Alice"), "exec and link", &[]);
    (w, r)
}

fn policy(w: &World, body: &str) -> String {
    w.write("policy.toml", body);
    "policy.toml".to_owned()
}

fn fail_codes(report: &serde_json::Value) -> Vec<String> {
    let mut v = codes(report, "fail");
    v.extend(codes(report, "not-performed"));
    v
}

#[test]
fn a_clean_sha256_checkout_passes_with_its_sha256_tree_id() {
    let (w, r) = world_with_repo();
    r.write("target/ignored", "x");
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(codes(&report, "pass"), ["checkout-clean"]);
    let tree = r.git(&["rev-parse", "HEAD^{tree}"]);
    let tree = tree.trim();
    assert!(is_sha256_hex(tree), "{tree}");
    let facts = &report["artifacts"][0]["source"];
    assert_eq!(facts["object_format"], "sha256");
    assert_eq!(facts["worktree"]["worktree_tree"], tree);
    assert_eq!(facts["worktree"]["commit_tree"], tree);
    assert!(is_sha256_hex(&r.head()));
    assert_eq!(facts["commit"], r.head());
    assert_eq!(report["artifacts"][0]["digest"]["gitCommit"], r.head());
    assert!(messages(&report, "checkout-clean").contains(tree));
}

#[test]
fn a_dirty_sha256_checkout_lists_modified_deleted_and_untracked_files() {
    let (w, r) = world_with_repo();
    r.write("README", "changed\n");
    std::fs::remove_file(r.dir.join("src/deep/er/file.txt")).unwrap();
    r.write("new.txt", "new\n");
    std::fs::set_permissions(r.dir.join("run.sh"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(codes(&report, "fail"), ["checkout-dirty"]);
    let wt = &report["artifacts"][0]["source"]["worktree"];
    assert_eq!(wt["modified"], serde_json::json!(["README", "run.sh"]));
    assert_eq!(wt["deleted"], serde_json::json!(["src/deep/er/file.txt"]));
    assert_eq!(wt["untracked"], serde_json::json!(["new.txt"]));
    assert!(is_sha256_hex(wt["worktree_tree"].as_str().unwrap()));
    assert_ne!(wt["worktree_tree"], wt["commit_tree"]);
    let m = messages(&report, "checkout-dirty");
    assert!(m.contains("modified: README, run.sh"), "{m}");
    assert!(m.contains("deleted: src/deep/er/file.txt"), "{m}");
    assert!(m.contains("untracked: new.txt"), "{m}");
}

#[test]
fn another_sha256_revision_resolves_by_name_and_by_id() {
    let (w, r) = world_with_repo();
    let first = r.git(&["rev-parse", "HEAD~1"]).trim().to_owned();
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

#[test]
fn the_policy_commit_must_be_the_sha256_commit() {
    let (w, r) = world_with_repo();
    let p = policy(&w, &format!("[source]\ncommit = \"{}\"\n", r.head()));
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    assert!(codes(&report, "pass").contains(&"source-commit-matched".to_owned()));

    // A SHA-1 id can never name a commit of a SHA-256 repository, even its own prefix.
    let p = policy(&w, &format!("[source]\ncommit = \"{}\"\n", &r.head()[..40]));
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(fail_codes(&report), ["source-commit-mismatch"]);
    let m = messages(&report, "source-commit-mismatch");
    assert!(
        m.contains("40 hex digits is a SHA-1 commit id, and the checkout is a SHA-256 repository"),
        "{m}"
    );
}

#[test]
fn the_provenance_binds_to_the_sha256_commit() {
    let s = Setup::init(Some("https://github.com/org/repo"), true);
    let head = s.r.head();
    assert!(is_sha256_hex(&head));
    s.attest("github.com/org/repo", "refs/tags/v1.0.0", &head);
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 0, "{report:#}");
    let pass = codes(&report, "pass");
    for want in [
        "checkout-clean",
        "source-commit-matched",
        "source-repo-matched",
        "source-ref-matched",
    ] {
        assert!(pass.contains(&want.to_owned()), "{want}: {pass:?}");
    }
    assert_eq!(report["artifacts"][0]["source"]["commit"], head.as_str());
    assert_eq!(report["artifacts"][0]["source"]["object_format"], "sha256");

    // Another SHA-256 commit: a mismatch naming both.
    let other = "f".repeat(64);
    s.attest("github.com/org/repo", "refs/tags/v1.0.0", &other);
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 1, "{report:#}");
    assert!(codes(&report, "fail").contains(&"source-commit-mismatch".to_owned()));
    let m = messages(&report, "source-commit-mismatch");
    assert!(m.contains(&other) && m.contains(&head), "{m}");

    // A SHA-1 id, even the commit's own first 40 digits: a mismatch that says why.
    s.attest("github.com/org/repo", "refs/tags/v1.0.0", &head[..40]);
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 1, "{report:#}");
    let m = messages(&report, "source-commit-mismatch");
    assert!(
        m.contains("40 hex digits is a SHA-1 commit id, and the checkout is a SHA-256 repository"),
        "{m}"
    );
}

#[test]
fn a_sha256_id_against_a_sha1_checkout_is_a_mismatch() {
    let s = Setup::init(Some("https://github.com/org/repo"), false);
    s.attest("github.com/org/repo", "refs/tags/v1.0.0", &"a".repeat(64));
    let (code, report) = s.verify(&["--source", "r"]);
    assert_eq!(code, 1, "{report:#}");
    let m = messages(&report, "source-commit-mismatch");
    assert!(
        m.contains("64 hex digits is a SHA-256 commit id, and the checkout is a SHA-1 repository"),
        "{m}"
    );
}

#[test]
fn an_ssh_signed_sha256_commit_passes_and_a_tampered_one_fails() {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    let mallory = w.ssh_person("Mallory", "ed25519");
    w.write("allowed_signers", &(w.allowed_line(&alice, "") + "\n"));
    let p = policy(&w, "[review]\nallowed-signers = \"allowed_signers\"\n");
    let r = w.repo_sha256("r");
    r.commit(&alice, "release 1.0", &[("a", "1")]);
    // git signs SHA-256 commits in the gpgsig-sha256 header.
    let object = r.git(&["cat-file", "commit", "HEAD"]);
    assert!(
        object.contains("\ngpgsig-sha256 -----BEGIN SSH SIGNATURE-----"),
        "{object}"
    );
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    assert!(messages(&report, "commit-signed").contains("alice@example.com (SSH SHA256:"));

    let forged = r.tamper(|c| c.replace("release 1.0", "release 1.0 (with a backdoor)"));
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(fail_codes(&report), ["signature-invalid"]);
    assert_eq!(report["artifacts"][0]["digest"]["gitCommit"], forged);

    // A commit may carry the other object format's signature too (the SHA-1 to SHA-256
    // transition): git leaves that header out of what it verifies, and so does custody.
    r.tamper(|c| {
        c.replace(
            "\ngpgsig-sha256 ",
            "\ngpgsig -----BEGIN SSH SIGNATURE-----\n AAAA\n -----END SSH SIGNATURE-----\ngpgsig-sha256 ",
        )
        .replace("release 1.0 (with a backdoor)", "release 1.0")
    });
    let signers = format!(
        "gpg.ssh.allowedSignersFile={}",
        w.path("allowed_signers").display()
    );
    r.git(&["-c", &signers, "verify-commit", "HEAD"]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    assert!(codes(&report, "pass").contains(&"commit-signed".to_owned()));

    // A SHA-1 style `gpgsig` header is not a SHA-256 repository's signature, for git or custody.
    r.tamper(|c| c.replace("gpgsig-sha256 ", "gpgsig "));
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(fail_codes(&report), ["commit-unsigned"]);

    // Signed, but by someone not allowed.
    r.commit(&mallory, "two", &[("a", "2")]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(fail_codes(&report), ["signer-not-allowed"]);
}

#[test]
fn every_sha256_commit_since_the_base_must_be_signed() {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    w.write("allowed_signers", &(w.allowed_line(&alice, "") + "\n"));
    let r = w.repo_sha256("r");
    let base = r.commit(&w.person("Old"), "before signing", &[("a", "0")]);
    assert!(is_sha256_hex(&base));
    r.commit(&alice, "signed", &[("a", "1")]);
    r.commit(&alice, "signed again", &[("a", "2")]);
    let body = |base: &str| {
        format!(
            "[review]\nallowed-signers = \"allowed_signers\"\nrequire-signed = \"all\"\nbase = \"{base}\"\n"
        )
    };
    let p = policy(&w, &body(&base));
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    assert!(messages(&report, "commit-signed").contains("all 2 commits since base"));

    let sneaky = r.commit(&w.person("Alice"), "unsigned", &[("a", "3")]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(fail_codes(&report), ["commit-unsigned"]);
    assert!(messages(&report, "commit-unsigned").contains(&sneaky));

    // The base given as a SHA-1 length id (the base's own first 40 digits) is not found.
    let p = policy(&w, &body(&base[..40]));
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(fail_codes(&report), ["review-missing"]);
    let m = messages(&report, "review-missing");
    assert!(m.contains("is not in the checkout"), "{m}");
    assert!(m.contains("SHA-1 commit id"), "{m}");
}

#[test]
fn sha256_protected_branch_reachability() {
    let w = World::new();
    let alice = w.person("Alice");
    let p = policy(&w, "[review]\nprotected-branches = [\"main\"]\n");
    let r = w.repo_sha256("r");
    r.commit(&alice, "one", &[("a", "1")]);
    r.git(&["checkout", "-q", "-b", "feature"]);
    let feature = r.commit(&alice, "feature", &[("b", "1")]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(fail_codes(&report), ["not-on-protected-branch"]);
    assert!(messages(&report, "not-on-protected-branch").contains(&feature));

    r.git(&["checkout", "-q", "main"]);
    r.commit_staged(
        &alice,
        &["merge", "-q", "--no-ff", "-m", "merge", "feature"],
    );
    // Packed objects and refs are read as well as loose ones.
    r.git(&["gc", "-q"]);
    r.git(&["checkout", "-q", "feature"]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        codes(&report, "pass"),
        ["checkout-clean", "on-protected-branch"]
    );
}

#[test]
fn sha256_two_party_review() {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    let bob = w.ssh_person("Bob", "ed25519");
    w.write(
        "allowed_signers",
        &format!(
            "{}\n{}\n",
            w.allowed_line(&alice, ""),
            w.allowed_line(&bob, "")
        ),
    );
    let r = w.repo_sha256("r");
    let base = r.commit(&bob, "base", &[("a", "0")]);
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.commit(&alice, "topic 1", &[("b", "1")]);
    r.commit(&alice, "topic 2", &[("b", "2")]);
    r.git(&["checkout", "-q", "main"]);
    let p = policy(
        &w,
        &format!(
            "[review]\nallowed-signers = \"allowed_signers\"\nrequire-signed = \"none\"\ntwo-party = true\nbase = \"{base}\"\n"
        ),
    );
    let merge = |who: &Person| {
        r.git(&["reset", "-q", "--hard", &base]);
        r.commit_staged(
            who,
            &["merge", "-q", "--no-ff", "-m", "merge topic", "topic"],
        )
    };
    merge(&bob);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    assert!(messages(&report, "review-satisfied").contains("all 1 changes"));

    let self_merge = merge(&alice);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(fail_codes(&report), ["review-missing"]);
    let m = messages(&report, "review-missing");
    assert!(
        m.contains(&format!(
            "merge {self_merge} is signed by alice@example.com"
        )),
        "{m}"
    );
}

#[test]
fn reproduce_contents_and_rebuild_read_the_sha256_commit() {
    let w = World::new();
    let r = w.repo_sha256("scratch");
    r.commit(
        &w.person("Alice"),
        "one",
        &[("src/lib.rs", "pub fn f() {}\n")],
    );
    let archive = |r: &Repo| {
        let out = w.path("release.tar.gz");
        r.git(&[
            "archive",
            "--format=tar.gz",
            "--prefix=repo-1.0/",
            "-o",
            out.to_str().unwrap(),
            "HEAD",
        ]);
        std::fs::read(&out).unwrap()
    };
    // The checkout `r` holds the same file as the archive.
    let s = reproduce_setup_in(&archive(&r), "mode = \"contents\"", true);
    let (code, report) = s.verify(&["--source", "r", "--policy", "policy.toml"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(codes(&report, "pass").contains(&"contents-matches-source".to_owned()));
    assert_eq!(report["artifacts"][0]["contents"]["counts"]["identical"], 1);

    // An archive holding a file the commit lacks.
    r.commit(
        &w.person("Alice"),
        "two",
        &[("m4/build-to-host.m4", "evil\n")],
    );
    let s = reproduce_setup_in(&archive(&r), "mode = \"contents\"", true);
    let (code, report) = s.verify(&["--source", "r", "--policy", "policy.toml"]);
    assert_eq!(code, 1, "{report:#}");
    assert!(messages(&report, "contents-unexplained").contains("m4/build-to-host.m4"));

    // Rebuilt from the SHA-256 commit's objects, and a build that makes other bytes.
    let s = reproduce_setup_in(
        b"pub fn f() {}\n",
        "mode = \"rebuild\"\ncommand = \"cp src/lib.rs app.tgz\"",
        true,
    );
    let (code, report) = s.verify(&["--source", "r", "--policy", "policy.toml"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["artifacts"][0]["rebuild"]["commit"],
        s.r.head().as_str()
    );
    let s = reproduce_setup_in(
        b"pub fn f() {}\n",
        "mode = \"rebuild\"\ncommand = \"printf 'other bytes' > app.tgz\"",
        true,
    );
    let (code, report) = s.verify(&["--source", "r", "--policy", "policy.toml"]);
    assert_eq!(code, 1, "{report:#}");
    assert!(codes(&report, "fail").contains(&"rebuild-reproduced".to_owned()));
}

#[test]
fn a_sha1_commit_carrying_a_sha256_signature_too_verifies_as_git_does() {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    w.write("allowed_signers", &(w.allowed_line(&alice, "") + "\n"));
    let p = policy(&w, "[review]\nallowed-signers = \"allowed_signers\"\n");
    let r = w.repo("r");
    r.commit(&alice, "release 1.0", &[("a", "1")]);
    // The other format's header is left out of the signed data, by git and by custody.
    r.tamper(|c| {
        c.replace(
            "\ngpgsig ",
            "\ngpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n AAAA\n -----END SSH SIGNATURE-----\ngpgsig ",
        )
    });
    let signers = format!(
        "gpg.ssh.allowedSignersFile={}",
        w.path("allowed_signers").display()
    );
    r.git(&["-c", &signers, "verify-commit", "HEAD"]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    // Only a SHA-256 signature: unsigned in a SHA-1 repository.
    r.tamper(|c| c.replace("\ngpgsig ", "\nx-gpgsig "));
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(fail_codes(&report), ["commit-unsigned"]);
}

#[test]
fn an_unknown_object_format_is_refused_clearly() {
    let w = World::new();
    let r = w.repo("r");
    r.git(&["config", "core.repositoryformatversion", "1"]);
    r.git(&["config", "extensions.objectformat", "sha512"]);
    let (code, _, err) = w.custody(&["source", "r"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("object format is sha512; custody reads SHA-1 and SHA-256 repositories only"),
        "{err}"
    );
}

#[test]
fn a_sha256_checkout_keeps_a_stat_cache_of_its_own_format() {
    let (w, r) = world_with_repo();
    std::fs::create_dir_all(w.path("cache")).unwrap();
    let cache = w.path("cache/r.stat");
    let arg = cache.to_str().unwrap().to_owned();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (code, report) = w.source_json(&["r", "--stat-cache", &arg]);
    assert_eq!(code, 0, "{report:#}");
    let used = &report["artifacts"][0]["source"]["worktree"]["stat_cache"];
    assert_eq!(
        (used["trusted"].as_u64(), used["read"].as_u64()),
        (Some(0), Some(6))
    );
    // magic, version, then the object format: 2 for SHA-256.
    let bytes = std::fs::read(&cache).unwrap();
    assert_eq!(&bytes[..8], b"CUSTSTAT");
    assert_eq!(bytes[12], 2);
    let (code, report) = w.source_json(&["r", "--stat-cache", &arg]);
    assert_eq!(code, 0, "{report:#}");
    let used = &report["artifacts"][0]["source"]["worktree"]["stat_cache"];
    assert_eq!(
        (used["trusted"].as_u64(), used["read"].as_u64()),
        (Some(5), Some(1))
    );
    let tree = r.git(&["rev-parse", "HEAD^{tree}"]);
    assert_eq!(
        report["artifacts"][0]["source"]["worktree"]["worktree_tree"],
        tree.trim()
    );
    // An edit is still found with the cache.
    r.write("src/main.c", "int main(void) { return 1; }\n");
    let (code, report) = w.source_json(&["r", "--stat-cache", &arg]);
    assert_eq!(code, 1);
    assert_eq!(
        report["artifacts"][0]["source"]["worktree"]["modified"],
        serde_json::json!(["src/main.c"])
    );

    // A SHA-1 repository's cache for the same directory is not used for a SHA-256 one.
    let w = World::new();
    let sha1 = w.repo("r");
    sha1.commit(&w.person("Alice"), "init", &[("README", "hello\n")]);
    let cache = w.path("r.stat");
    let arg = cache.to_str().unwrap().to_owned();
    let (code, _) = w.source_json(&["r", "--stat-cache", &arg]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read(&cache).unwrap()[12], 1);
    std::fs::remove_dir_all(&sha1.dir).unwrap();
    let r = w.repo_sha256("r");
    r.commit(&w.person("Alice"), "init", &[("README", "hello\n")]);
    let (code, report) = w.source_json(&["r", "--stat-cache", &arg]);
    assert_eq!(code, 0, "{report:#}");
    let used = &report["artifacts"][0]["source"]["worktree"]["stat_cache"];
    let ignored = used["ignored"].as_str().unwrap();
    assert!(
        ignored.contains("SHA-1 object ids; this repository uses SHA-256"),
        "{ignored}"
    );
    assert_eq!(
        std::fs::read(&cache).unwrap()[12],
        2,
        "rewritten for SHA-256"
    );
}

//! The hooks end to end, with real git: a bare repository with custody's `pre-receive` hook and
//! a clone that pushes; `pre-push` and `pre-commit` in a clone. Each refused push leaves the
//! remote's refs as they were; each good one lands.

use std::path::{Path, PathBuf};

use super::git::{Person, Repo, World};

/// A server (bare repository with the pre-receive hook), a clone with one signed commit pushed,
/// and the people who may sign.
struct Server {
    w: World,
    srv: PathBuf,
    work: Repo,
    alice: Person,
    bob: Person,
}

fn git_in(w: &World, dir: &Path, args: &[&str]) -> (bool, String) {
    let out = crate::support::git_cmd(dir)
        .env("HOME", w.home())
        .env("GIT_CONFIG_GLOBAL", w.home().join(".gitconfig"))
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text.into_owned())
}

impl Server {
    fn new(policy_extra: &str) -> Server {
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
        let work = w.repo("work");
        work.commit(
            &alice,
            "init",
            &[
                ("README", "hello\n"),
                ("vendor/zlib/z.c", "int z;\n"),
                ("tests/t.sh", "true\n"),
            ],
        );
        let tree = work.git(&["rev-parse", "HEAD:vendor/zlib"]);
        work.commit(
            &alice,
            "pin vendor",
            &[(
                "vendor.lock",
                &format!("vendor/zlib git-tree:{}\n", tree.trim()),
            )],
        );
        let srv = w.path("srv.git");
        assert!(
            git_in(
                &w,
                w.path("").as_path(),
                &["init", "-q", "--bare", "-b", "main", srv.to_str().unwrap()]
            )
            .0
        );
        work.git(&["remote", "add", "origin", srv.to_str().unwrap()]);
        work.git(&["push", "-q", "origin", "main"]);
        // check-range judges from where each range starts; `base` is for `custody source`.
        let base = work.head();
        w.write(
            "policy.toml",
            &format!(
                "[review]\nprotected-branches = [\"main\"]\nallowed-signers = \"allowed_signers\"\nrequire-signed = \"all\"\nbase = \"{base}\"\n{policy_extra}\n[range]\nvendored = [\"vendor/zlib\"]\nvendor-lock = \"vendor.lock\"\nsubmodule-urls = [\"https://github.com/org/*\"]\n"
            ),
        );
        let policy = w.path("policy.toml");
        let (code, out, err) = w.custody(&[
            "hook",
            "install",
            "--pre-receive",
            "--policy",
            policy.to_str().unwrap(),
            "--repo",
            srv.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{out}{err}");
        Server {
            w,
            srv,
            work,
            alice,
            bob,
        }
    }

    fn remote_main(&self) -> String {
        git_in(&self.w, &self.srv, &["rev-parse", "main"])
            .1
            .trim()
            .to_owned()
    }

    /// Push `refspec`: whether it landed, and what git printed (the hook's report included).
    fn push(&self, args: &[&str]) -> (bool, String) {
        let mut all = vec!["push", "origin"];
        all.extend_from_slice(args);
        git_in(&self.w, &self.work.dir, &all)
    }

    /// A push that must be refused with `code`, leaving the remote's main where it was; the
    /// clone goes back to the remote's main.
    fn refused(&self, args: &[&str], code: &str) {
        let before = self.remote_main();
        let (ok, out) = self.push(args);
        assert!(!ok, "the push landed:\n{out}");
        assert!(out.contains(&format!("[{code}]")), "no {code}:\n{out}");
        assert_eq!(self.remote_main(), before, "a refused push moved main");
        self.work.git(&["reset", "-q", "--hard", &before]);
    }

    fn lands(&self, args: &[&str]) {
        let (ok, out) = self.push(args);
        assert!(ok, "the push was refused:\n{out}");
    }
}

#[test]
fn pre_receive_lands_good_pushes_and_refuses_each_kind_of_bad_one() {
    let s = Server::new("");
    let (alice, work) = (&s.alice, &s.work);

    // A signed commit lands.
    work.commit(alice, "docs", &[("README", "hello, world\n")]);
    s.lands(&["main"]);
    assert_eq!(s.remote_main(), work.head());

    // An unsigned commit does not.
    work.commit(&s.w.person("Mallory"), "unsigned", &[("README", "x\n")]);
    s.refused(&["main"], "commit-unsigned");

    // An ELF object as a test fixture, however it is named.
    std::fs::write(
        work.dir.join("tests/good-1.lzma"),
        b"\x7fELF\x02\x01\x01\0payload",
    )
    .unwrap();
    work.commit(alice, "add test file", &[]);
    s.refused(&["main"], "range-binary");

    // Vendored code edited without updating the lock.
    work.commit(alice, "patch zlib", &[("vendor/zlib/z.c", "int z = 1;\n")]);
    s.refused(&["main"], "range-vendored");
    // With the lock updated in the same change, it lands: as a git tree id, and as the dirhash
    // `custody hash` prints for the folder.
    work.commit(alice, "patch zlib", &[("vendor/zlib/z.c", "int z = 1;\n")]);
    let tree = work.git(&["rev-parse", "HEAD:vendor/zlib"]);
    work.commit(
        alice,
        "pin",
        &[(
            "vendor.lock",
            &format!("vendor/zlib git-tree:{}\n", tree.trim()),
        )],
    );
    s.lands(&["main"]);
    // Several files, whose names and digests sort differently, and a symlink.
    work.commit(
        alice,
        "patch zlib again",
        &[
            ("vendor/zlib/z.c", "int z = 2;\n"),
            ("vendor/zlib/a.h", "#define A 1\n"),
            ("vendor/zlib/m/inflate.c", "int inflate;\n"),
            ("vendor/zlib/b.c", "int b;\n"),
        ],
    );
    std::os::unix::fs::symlink("a.h", work.dir.join("vendor/zlib/zlib.h")).unwrap();
    work.commit(alice, "link", &[]);
    let (code, out, _) = s.w.custody(&[
        "hash",
        &format!("{}/vendor/zlib", work.path()),
        "--digest",
        "dirhash",
    ]);
    assert_eq!(code, 0, "{out}");
    let h1 = out
        .split_whitespace()
        .find(|w| w.starts_with("h1:"))
        .unwrap()
        .to_owned();
    work.commit(
        alice,
        "pin by dirhash",
        &[("vendor.lock", &format!("vendor/zlib {h1}\n"))],
    );
    s.lands(&["main"]);
    // A dirhash that is not the folder's is refused.
    work.commit(
        alice,
        "patch zlib once more",
        &[("vendor/zlib/z.c", "int z = 3;\n")],
    );
    s.refused(&["main"], "range-vendored");

    // A submodule from a URL the policy does not allow.
    let head = work.head();
    work.write(
        ".gitmodules",
        "[submodule \"lib\"]\n\tpath = lib\n\turl = https://evil.example/lib.git\n",
    );
    work.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},lib"),
    ]);
    work.git(&["add", ".gitmodules"]);
    work.commit_staged(alice, &["-m", "add lib"]);
    s.refused(&["main"], "range-submodule");

    // A lock file fetching from an unknown registry.
    work.commit(
        alice,
        "deps",
        &[(
            "Cargo.lock",
            "version = 4\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nsource = \"registry+https://evil.example/index\"\nchecksum = \"00\"\n",
        )],
    );
    s.refused(&["main"], "range-lockfile");

    // Rewriting or deleting the protected branch.
    work.git(&["reset", "-q", "--hard", "HEAD~1"]);
    work.commit(alice, "rewritten", &[("README", "other\n")]);
    s.refused(&["+main"], "range-ref-refused");
    s.refused(&[":main"], "range-ref-refused");

    // A new branch is judged from where it forks off main: its own signed commit lands.
    work.git(&["checkout", "-q", "-b", "topic"]);
    work.commit(alice, "topic work", &[("notes.txt", "n\n")]);
    s.lands(&["topic"]);
    // And an unsigned one on it does not.
    work.commit(&s.w.person("Mallory"), "sneaky", &[("notes.txt", "m\n")]);
    let topic = git_in(&s.w, &s.srv, &["rev-parse", "topic"]).1;
    let (ok, out) = s.push(&["topic"]);
    assert!(!ok && out.contains("[commit-unsigned]"), "{out}");
    assert_eq!(git_in(&s.w, &s.srv, &["rev-parse", "topic"]).1, topic);
}

#[test]
fn pre_receive_refuses_a_self_approved_merge_under_two_party_review() {
    let s = Server::new("two-party = true\n");
    let (alice, bob, work) = (&s.alice, &s.bob, &s.work);
    work.git(&["checkout", "-q", "-b", "feature"]);
    work.commit(alice, "feature", &[("f.txt", "f\n")]);
    work.git(&["checkout", "-q", "main"]);
    // Alice merges her own change: refused.
    work.commit_staged(
        alice,
        &["merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
    );
    s.refused(&["main"], "review-missing");
    // Bob merges it: lands.
    work.commit_staged(
        bob,
        &["merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
    );
    s.lands(&["main"]);
}

#[test]
fn pre_push_and_pre_commit_in_a_clone() {
    let s = Server::new("");
    let (alice, work, w) = (&s.alice, &s.work, &s.w);
    let policy = w.path("policy.toml");
    let (code, out, err) = w.custody(&[
        "hook",
        "install",
        "--pre-commit",
        "--pre-push",
        "--policy",
        policy.to_str().unwrap(),
        "--repo",
        work.path(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // Installing again is idempotent.
    let (code, out, _) = w.custody(&[
        "hook",
        "install",
        "--pre-commit",
        "--pre-push",
        "--policy",
        policy.to_str().unwrap(),
        "--repo",
        work.path(),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("updated") && !out.contains("kept as"), "{out}");

    // pre-commit: what is staged is judged; a staged ELF is refused, the commit not made.
    std::fs::write(work.dir.join("tests/data.txt"), b"\x7fELF\x02\x01\x01\0x").unwrap();
    work.git(&["add", "tests/data.txt"]);
    let before = work.head();
    let commit = [
        "-c",
        "user.name=A",
        "-c",
        "user.email=a@example.com",
        "commit",
        "-m",
        "x",
    ];
    let (ok, out) = git_in(w, &work.dir, &commit);
    assert!(!ok, "{out}");
    assert!(
        out.contains("[range-binary]") && out.contains("the staged change"),
        "{out}"
    );
    assert!(out.contains("--no-verify"), "{out}");
    assert_eq!(work.head(), before);
    work.git(&["rm", "-q", "--cached", "tests/data.txt"]);
    std::fs::remove_file(work.dir.join("tests/data.txt")).unwrap();
    // A readable change is committed.
    work.write("README", "staged\n");
    work.git(&["add", "README"]);
    work.commit_staged(alice, &["-m", "readme"]);
    assert_ne!(work.head(), before);

    // pre-push: a binary committed past the hook (--no-verify) never leaves the clone.
    std::fs::write(work.dir.join("tests/blob"), b"\x7fELF\x02\x01\x01\0x").unwrap();
    work.git(&["add", "tests/blob"]);
    work.commit_staged(alice, &["--no-verify", "-m", "blob"]);
    let remote = s.remote_main();
    let (ok, out) = s.push(&["main"]);
    assert!(!ok, "{out}");
    assert!(out.contains("[range-binary]"), "{out}");
    assert_eq!(s.remote_main(), remote);
}

#[test]
fn a_foreign_hook_is_chained_and_restored_and_a_missing_custody_fails_the_hook() {
    let w = World::new();
    let r = w.repo("r");
    r.commit(&w.person("A"), "init", &[("a", "a\n")]);
    let hooks = r.dir.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let foreign = "#!/bin/sh\necho foreign ran >&2\nexit 0\n";
    std::fs::write(hooks.join("pre-commit"), foreign).unwrap();
    std::fs::set_permissions(
        hooks.join("pre-commit"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let (code, out, err) = w.custody(&["hook", "install", "--pre-commit", "--repo", r.path()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("kept as"), "{out}");
    r.write("b", "b\n");
    r.git(&["add", "b"]);
    let (ok, out) = git_in(
        &w,
        &r.dir,
        &[
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@example.com",
            "commit",
            "-m",
            "b",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("foreign ran"),
        "the chained hook did not run: {out}"
    );
    // Uninstall puts the foreign hook back, byte for byte.
    let (code, _, _) = w.custody(&["hook", "uninstall", "--pre-commit", "--repo", r.path()]);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        foreign
    );
    assert!(!hooks.join("pre-commit.custody-chained").exists());

    // A hook whose custody binary is gone fails, and says how to bypass it.
    let (code, _, _) = w.custody(&["hook", "install", "--pre-commit", "--repo", r.path()]);
    assert_eq!(code, 0);
    let hook = hooks.join("pre-commit");
    let text = std::fs::read_to_string(&hook).unwrap();
    let moved = text.replace("custody='", "custody='/nonexistent");
    std::fs::write(&hook, moved).unwrap();
    r.write("c", "c\n");
    r.git(&["add", "c"]);
    let (ok, out) = git_in(
        &w,
        &r.dir,
        &[
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@example.com",
            "commit",
            "-m",
            "c",
        ],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("custody is not at") && out.contains("--no-verify"),
        "{out}"
    );

    // core.hooksPath is where git looks, so that is where the hook goes.
    r.git(&["config", "core.hooksPath", "githooks"]);
    let (code, out, _) = w.custody(&["hook", "install", "--pre-commit", "--repo", r.path()]);
    assert_eq!(code, 0);
    assert!(r.dir.join("githooks/pre-commit").is_file(), "{out}");
    // A push hook without a policy, or a server hook in a clone, is refused at install.
    let (code, _, err) = w.custody(&["hook", "install", "--pre-push", "--repo", r.path()]);
    assert_eq!(code, 2);
    assert!(err.contains("--policy"), "{err}");
}

#[test]
fn pre_merge_commit_judges_the_commits_a_merge_brings_and_a_missing_policy_fails_the_hook() {
    let s = Server::new("");
    let (alice, work, w) = (&s.alice, &s.work, &s.w);
    let policy = w.path("policy.toml");
    let (code, out, err) = w.custody(&[
        "hook",
        "install",
        "--pre-merge-commit",
        "--pre-push",
        "--policy",
        policy.to_str().unwrap(),
        "--repo",
        work.path(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // A topic branch with an unsigned commit: merging it is refused before the merge commit.
    work.git(&["checkout", "-q", "-b", "topic"]);
    work.commit(&w.person("Mallory"), "unsigned", &[("t.txt", "t\n")]);
    work.git(&["checkout", "-q", "main"]);
    work.commit(alice, "main moves", &[("README", "moved\n")]);
    let before = work.head();
    let merge = [
        "-c",
        "user.name=A",
        "-c",
        "user.email=a@example.com",
        "merge",
        "--no-ff",
        "-m",
        "m",
        "topic",
    ];
    let (ok, out) = git_in(w, &work.dir, &merge);
    assert!(!ok, "{out}");
    assert!(out.contains("[commit-unsigned]"), "{out}");
    assert_eq!(work.head(), before);
    work.git(&["merge", "--abort"]);
    // A topic of signed commits merges.
    work.git(&["checkout", "-q", "-b", "good"]);
    work.commit(alice, "signed", &[("g.txt", "g\n")]);
    work.git(&["checkout", "-q", "main"]);
    work.commit_staged(
        alice,
        &["merge", "-q", "--no-ff", "-m", "merge good", "good"],
    );
    assert_ne!(work.head(), before);

    // The policy gone: the push hook fails rather than pass unjudged.
    std::fs::rename(&policy, w.path("policy.moved")).unwrap();
    let remote = s.remote_main();
    let (ok, out) = s.push(&["main"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("cannot be read") && out.contains("--no-verify"),
        "{out}"
    );
    assert_eq!(s.remote_main(), remote);
}

/// An annotated tag names a tag object, not a commit: pushing one is judged by the commit it
/// points at, and lands when that commit is fine.
#[test]
fn an_annotated_tag_is_judged_by_its_commit() {
    let s = Server::new("");
    s.work.commit(&s.alice, "release", &[("README", "1.0\n")]);
    s.lands(&["main"]);
    s.work.git(&[
        "-c",
        "user.name=A",
        "-c",
        "user.email=a@example.com",
        "tag",
        "-a",
        "-m",
        "v1.0",
        "v1.0",
    ]);
    s.lands(&["v1.0"]);
    assert!(git_in(&s.w, &s.srv, &["rev-parse", "v1.0"]).0);
}

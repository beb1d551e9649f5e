//! `custody hash` against the real tools: git (both object formats), `nix-hash`, and Go's
//! dirhash summary rebuilt with `find | sort | sha256sum`. Trees are random but seeded, so a
//! failure names a seed that reproduces it.

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command as Process;
use std::time::Duration;

use crate::support::{self, TreeSpec, random_tree, run};
use assert_cmd::Command;
use base64::Engine;
use sha2::{Digest, Sha256};

fn custody() -> Command {
    Command::from_std(crate::support::custody())
}

/// `custody hash --json` on `dir`, parsed.
fn hash_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = custody()
        .arg("hash")
        .arg(dir)
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "custody hash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What `git add -A && git write-tree` prints for `tree`, in a repository of `format`, kept
/// outside the tree so the tree itself is untouched.
fn git_write_tree(tree: &Path, format: &str) -> String {
    let git_dir = tempfile::tempdir().unwrap();
    let gd = git_dir.path().join("repo.git");
    run(Process::new("git")
        .args(["init", "-q", "--bare", &format!("--object-format={format}")])
        .arg(&gd));
    let git = |args: &[&str]| {
        let mut cmd = Process::new("git");
        cmd.arg("--git-dir")
            .arg(&gd)
            .arg("--work-tree")
            .arg(tree)
            .args(args);
        run(&mut cmd)
    };
    git(&["add", "-A"]);
    git(&["write-tree"]).trim().to_string()
}

fn nix_hash(tree: &Path) -> String {
    let out = run(Process::new("nix-hash")
        .args(["--type", "sha256", "--base32"])
        .arg(tree));
    format!("sha256:{}", out.trim())
}

/// Go's Hash1 as its doc comment defines it: `find . -type f | sort | xargs sha256sum`, then
/// the SHA-256 of that summary in base64.
fn dirhash_reference(tree: &Path) -> String {
    let script = "find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 -r sha256sum --";
    let summary = support::run_bytes(Process::new("sh").arg("-c").arg(script).current_dir(tree));
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&summary))
    )
}

#[test]
fn git_tree_ids_equal_git_write_tree_in_both_object_formats() {
    for seed in [1u64, 2, 3, 4, 5] {
        let dir = tempfile::tempdir().unwrap();
        random_tree(dir.path(), seed, &TreeSpec::default());
        let got = hash_json(dir.path(), &["--digest", "git-sha1,git-sha256"]);
        assert_eq!(
            got["digests"]["git-sha1"],
            git_write_tree(dir.path(), "sha1"),
            "seed {seed}"
        );
        assert_eq!(
            got["digests"]["git-sha256"],
            git_write_tree(dir.path(), "sha256"),
            "seed {seed}"
        );
    }
}

#[test]
fn nar_hash_equals_nix_hash() {
    for seed in [11u64, 12, 13] {
        let dir = tempfile::tempdir().unwrap();
        random_tree(dir.path(), seed, &TreeSpec::default());
        let got = hash_json(dir.path(), &["--digest", "nar"]);
        assert_eq!(got["digests"]["nar"], nix_hash(dir.path()), "seed {seed}");
        let sri = got["sri"]["nar"].as_str().unwrap();
        assert!(sri.starts_with("sha256-") && sri.len() == 7 + 44, "{sri}");
    }
}

#[test]
fn dirhash_equals_the_summary_go_describes() {
    // No symlinks here: `find -type f` skips them and Go follows them; custody hashes a link
    // as its target text (see the next test).
    let spec = TreeSpec {
        symlinks: false,
        ..TreeSpec::default()
    };
    for seed in [21u64, 22, 23] {
        let dir = tempfile::tempdir().unwrap();
        random_tree(dir.path(), seed, &spec);
        let got = hash_json(dir.path(), &[]);
        assert_eq!(
            got["digests"]["dirhash"],
            dirhash_reference(dir.path()),
            "seed {seed}"
        );
        assert!(
            got["digests"].get("git-sha1").is_none(),
            "only the default format is computed"
        );
    }
}

#[test]
fn dirhash_prefix_names_files_as_go_module_zips_do() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("abc"), "data for abc").unwrap();
    fs::write(dir.path().join("xyz"), "data for xyz").unwrap();
    let summary = format!(
        "{}  example.com/m@v1.0.0/abc\n{}  example.com/m@v1.0.0/xyz\n",
        support::hex(&Sha256::digest(b"data for abc")),
        support::hex(&Sha256::digest(b"data for xyz"))
    );
    let want = format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(summary))
    );
    let got = hash_json(dir.path(), &["--dirhash-prefix", "example.com/m@v1.0.0/"]);
    assert_eq!(got["digests"]["dirhash"], want);
    assert_ne!(hash_json(dir.path(), &[])["digests"]["dirhash"], want);
}

#[test]
fn symlinks_are_hashed_as_their_target_and_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("big"), vec![7u8; 1000]).unwrap();
    std::os::unix::fs::symlink("big", dir.path().join("link")).unwrap();
    std::os::unix::fs::symlink("loop", dir.path().join("loop")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("out")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("self")).unwrap();
    let got = hash_json(dir.path(), &["--digest", "all"]);
    assert_eq!(got["files"], 5);
    assert_eq!(got["symlinks"], 4);
    assert_eq!(got["bytes"], 1000, "only the regular file's bytes count");
    assert_eq!(
        got["digests"]["git-sha1"],
        git_write_tree(dir.path(), "sha1")
    );
    assert_eq!(got["digests"]["nar"], nix_hash(dir.path()));
}

#[test]
fn output_is_byte_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    random_tree(
        dir.path(),
        31,
        &TreeSpec {
            files: 400,
            ..TreeSpec::default()
        },
    );
    let out = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3", "8"] {
        let manifest = out.path().join(format!("m{threads}"));
        let jsonl = out.path().join(format!("j{threads}"));
        let o = custody()
            .arg("hash")
            .arg(dir.path())
            .args([
                "--digest",
                "all",
                "--json",
                "--threads",
                threads,
                "--manifest",
            ])
            .arg(&manifest)
            .arg("--manifest-json")
            .arg(&jsonl)
            .output()
            .unwrap();
        assert!(o.status.success());
        outputs.push((
            o.stdout,
            fs::read(&manifest).unwrap(),
            fs::read(&jsonl).unwrap(),
        ));
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn sha256sum_checks_the_manifest_and_catches_a_change() {
    let dir = tempfile::tempdir().unwrap();
    random_tree(dir.path(), 41, &TreeSpec::default());
    let manifest = tempfile::NamedTempFile::new().unwrap();
    custody()
        .arg("hash")
        .arg(dir.path())
        .arg("--manifest")
        .arg(manifest.path())
        .assert()
        .success();
    let check = |dir: &Path| {
        Process::new("sha256sum")
            .args(["-c", "--quiet"])
            .arg(manifest.path())
            .current_dir(dir)
            .output()
            .unwrap()
    };
    assert!(
        check(dir.path()).status.success(),
        "{}",
        String::from_utf8_lossy(&check(dir.path()).stdout)
    );
    let first = String::from_utf8_lossy(&fs::read(manifest.path()).unwrap())
        .lines()
        .next()
        .unwrap()
        .to_string();
    let name = first.split_once("  ").unwrap().1.to_string();
    fs::write(dir.path().join(&name), b"changed").unwrap();
    assert!(
        !check(dir.path()).status.success(),
        "a changed file must fail sha256sum -c"
    );
}

#[test]
fn json_manifest_lists_every_file_with_kind_mode_size_and_digest() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("run.sh"), b"#!/bin/sh\n").unwrap();
    fs::set_permissions(
        dir.path().join("run.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    fs::write(
        dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xffname")),
        b"x",
    )
    .unwrap();
    std::os::unix::fs::symlink("run.sh", dir.path().join("link")).unwrap();
    let jsonl = tempfile::NamedTempFile::new().unwrap();
    custody()
        .arg("hash")
        .arg(dir.path())
        .arg("--manifest-json")
        .arg(jsonl.path())
        .assert()
        .success();
    let lines: Vec<serde_json::Value> = fs::read_to_string(jsonl.path())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["path"], "bad\\xffname");
    assert_eq!(lines[0]["path_hex"], "626164ff6e616d65");
    assert_eq!(lines[1]["kind"], "symlink");
    assert_eq!(lines[1]["target"], "run.sh");
    assert_eq!(lines[2]["mode"], "100755");
    assert_eq!(lines[2]["size"], 10);
    assert_eq!(
        lines[2]["sha256"],
        support::hex(&Sha256::digest(b"#!/bin/sh\n"))
    );
}

/// A seeded random tree of `files` files in `repo`, committed with `git init` given `init`.
fn committed_random_tree(repo: &Path, seed: u64, files: usize, init: &[&str]) {
    random_tree(
        repo,
        seed,
        &TreeSpec {
            files,
            ..TreeSpec::default()
        },
    );
    support::git(repo, &[&["init", "-q"], init].concat());
    support::git(repo, &["add", "-A"]);
    support::git(
        repo,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "-m",
            "c",
        ],
    );
}

#[test]
fn tracked_equals_heads_tree_in_a_clean_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    committed_random_tree(repo, 51, 60, &[]);
    fs::write(repo.join(".gitignore"), "build/\n").unwrap();
    fs::create_dir(repo.join("build")).unwrap();
    fs::write(repo.join("build/out.o"), b"\x7fELF").unwrap();
    fs::write(repo.join("untracked.txt"), b"not in git").unwrap();
    let head_tree = support::git(repo, &["rev-parse", "HEAD^{tree}"])
        .trim()
        .to_string();
    let tracked = hash_json(repo, &["--tracked", "--digest", "git-sha1"]);
    assert_eq!(tracked["digests"]["git-sha1"], head_tree);
    let everything = hash_json(repo, &["--digest", "git-sha1"]);
    assert_ne!(
        everything["digests"]["git-sha1"], head_tree,
        "untracked files count without --tracked"
    );
}

#[test]
fn tracked_reads_the_index_of_a_sha256_repository() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    committed_random_tree(repo, 52, 40, &["--object-format=sha256"]);
    fs::write(repo.join("untracked.txt"), b"not in git").unwrap();
    let head_tree = support::git(repo, &["rev-parse", "HEAD^{tree}"])
        .trim()
        .to_string();
    assert_eq!(head_tree.len(), 64);
    let tracked = hash_json(repo, &["--tracked", "--digest", "git-sha256"]);
    assert_eq!(tracked["digests"]["git-sha256"], head_tree);
    let everything = hash_json(repo, &["--digest", "git-sha256"]);
    assert_ne!(everything["digests"]["git-sha256"], head_tree);
}

#[test]
fn tracked_outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    custody()
        .arg("hash")
        .arg(dir.path())
        .arg("--tracked")
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--tracked needs a git work tree"));
}

#[test]
fn exclude_leaves_out_names_at_any_depth_and_whole_paths() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("a/target")).unwrap();
    fs::write(dir.path().join("a/target/x"), b"1").unwrap();
    fs::write(dir.path().join("a/keep.o"), b"2").unwrap();
    fs::write(dir.path().join("a/keep.c"), b"3").unwrap();
    fs::write(dir.path().join("top.o"), b"4").unwrap();
    let got = hash_json(dir.path(), &["--exclude", "target", "--exclude", "a/*.o"]);
    assert_eq!(got["files"], 2, "{got}");
    let plain = tempfile::tempdir().unwrap();
    fs::create_dir_all(plain.path().join("a")).unwrap();
    fs::write(plain.path().join("a/keep.c"), b"3").unwrap();
    fs::write(plain.path().join("top.o"), b"4").unwrap();
    assert_eq!(got["digests"], hash_json(plain.path(), &[])["digests"]);
}

#[test]
fn special_files_are_named_and_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok"), b"x").unwrap();
    run(Process::new("mkfifo").arg(dir.path().join("pipe")));
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("sock")).unwrap();
    // A FIFO opened for reading would block forever: a hang here fails the timeout.
    let out = custody()
        .arg("hash")
        .arg(dir.path())
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pipe (FIFO)") && err.contains("sock (socket)"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no partial result");
    custody()
        .arg("hash")
        .arg(dir.path())
        .args(["--exclude", "pipe", "--exclude", "sock"])
        .timeout(Duration::from_secs(20))
        .assert()
        .success();
}

#[test]
fn device_nodes_are_named_and_never_opened() {
    if !support::is_root() {
        eprintln!(
            "device_nodes_are_named_and_never_opened: NOT RUN, creating a device node needs root"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    run(Process::new("mknod")
        .arg(dir.path().join("zero"))
        .args(["c", "1", "5"]));
    let out = custody()
        .arg("hash")
        .arg(dir.path())
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("zero (character device)"));
}

#[test]
fn unreadable_files_and_directories_are_errors_that_name_them() {
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    fs::create_dir(dir.path().join("closed")).unwrap();
    fs::write(dir.path().join("closed/f"), b"x").unwrap();
    fs::write(dir.path().join("secret"), b"x").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir.path().join("secret"), fs::Permissions::from_mode(0o000)).unwrap();
    let d = dir.path().as_os_str();
    let out = support::custody_unprivileged(&[
        "hash".as_ref(),
        d,
        "--exclude".as_ref(),
        "closed".as_ref(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("secret: cannot read"));
    assert!(out.stdout.is_empty());

    fs::set_permissions(dir.path().join("secret"), fs::Permissions::from_mode(0o644)).unwrap();
    fs::set_permissions(dir.path().join("closed"), fs::Permissions::from_mode(0o000)).unwrap();
    let out = support::custody_unprivileged(&["hash".as_ref(), d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("closed: cannot read"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::set_permissions(dir.path().join("closed"), fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        support::custody_unprivileged(&["hash".as_ref(), d])
            .status
            .success()
    );
}

#[test]
fn a_file_that_changes_while_hashed_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("growing");
    fs::write(&big, vec![1u8; 64 << 20]).unwrap();
    let mut child = crate::support::custody()
        .arg("hash")
        .arg(dir.path())
        .args(["--digest", "git-sha1,git-sha256,dirhash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Keep rewriting the file's first byte until custody is done with it.
    let mut file = fs::OpenOptions::new().write(true).open(&big).unwrap();
    loop {
        use std::io::{Seek, Write};
        file.seek(std::io::SeekFrom::Start(0)).unwrap();
        file.write_all(b"2").unwrap();
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("growing: changed while being hashed"), "{err}");
    assert!(out.stdout.is_empty(), "no partial result");
}

#[test]
fn a_name_with_a_newline_has_no_dirhash_but_has_a_git_tree_id() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("two\nlines"), b"x").unwrap();
    custody()
        .arg("hash")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "two\\x0alines: dirhash does not support file names containing a newline",
        ));
    let got = hash_json(dir.path(), &["--digest", "git-sha1"]);
    assert_eq!(
        got["digests"]["git-sha1"],
        git_write_tree(dir.path(), "sha1")
    );
}

#[test]
fn bad_flags_and_missing_paths_exit_2() {
    custody()
        .args(["hash", "--digest", "md5", "."])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown digest format"));
    custody()
        .args(["hash", "/nonexistent/custody-test"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("/nonexistent/custody-test"));
    let file = tempfile::NamedTempFile::new().unwrap();
    custody()
        .arg("hash")
        .arg(file.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a directory"));
    custody()
        .args(["hash", "--threads", "0", "."])
        .assert()
        .code(2);
}

/// The SHAttered PDFs collide only when hashed bare: git's `blob <size>\0` header shifts the
/// near-collision blocks off the block boundary, so git (with collision detection) accepts them
/// as blobs and so does custody, with the same tree id as `git write-tree`.
#[test]
fn a_tree_holding_the_shattered_pdfs_has_the_tree_id_git_gives_it() {
    let collisions = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sha1-collisions");
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        collisions.join("shattered-1.pdf"),
        dir.path().join("shattered-1.pdf"),
    )
    .unwrap();
    fs::write(dir.path().join("a.txt"), b"hi\n").unwrap();
    let got = hash_json(dir.path(), &["--digest", "git-sha1"]);
    // The id custody printed for this tree before it had its own SHA-1DC, and git's.
    assert_eq!(
        got["digests"]["git-sha1"],
        "6c926e3e09ba0d7a13da0cb1007b30d88da0643d"
    );
    assert_eq!(
        got["digests"]["git-sha1"],
        git_write_tree(dir.path(), "sha1")
    );

    // Both halves of the pair side by side are two different blobs, as in git.
    fs::copy(
        collisions.join("shattered-2.pdf"),
        dir.path().join("shattered-2.pdf"),
    )
    .unwrap();
    let both = hash_json(dir.path(), &["--digest", "git-sha1"]);
    assert_ne!(both["digests"]["git-sha1"], got["digests"]["git-sha1"]);
    assert_eq!(
        both["digests"]["git-sha1"],
        git_write_tree(dir.path(), "sha1")
    );
}

/// During a merge conflict the index holds conflict stages, not one tree: `git write-tree`
/// refuses, and so does `hash --tracked` (it left the conflicted files out before).
#[test]
fn tracked_refuses_an_index_with_a_merge_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let git = |args: &[&str]| {
        run(support::git_cmd(repo)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
            .args(args))
    };
    git(&["init", "-q", "-b", "main"]);
    fs::write(repo.join("a.txt"), "base\n").unwrap();
    fs::write(repo.join("b.txt"), "b\n").unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    git(&["checkout", "-q", "-b", "other"]);
    fs::write(repo.join("a.txt"), "other\n").unwrap();
    git(&["commit", "-q", "-am", "other"]);
    git(&["checkout", "-q", "main"]);
    fs::write(repo.join("a.txt"), "main\n").unwrap();
    git(&["commit", "-q", "-am", "main"]);
    let merge = support::git_cmd(repo)
        .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
        .args(["merge", "-q", "other"])
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge must conflict");
    let out = custody()
        .arg("hash")
        .arg(repo)
        .arg("--tracked")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("unmerged (conflicted) paths") && err.contains("a.txt"),
        "{err}"
    );
    // git agrees that there is no tree to write.
    assert!(
        !support::git_cmd(repo)
            .arg("write-tree")
            .output()
            .unwrap()
            .status
            .success()
    );
    // Resolved, it hashes.
    fs::write(repo.join("a.txt"), "resolved\n").unwrap();
    git(&["add", "a.txt"]);
    custody()
        .arg("hash")
        .arg(repo)
        .arg("--tracked")
        .assert()
        .success();
}

//! `custody source --stat-cache`: files unchanged since an earlier run read them are trusted, and
//! counted as trusted; every change the stat data shows (ctime after `touch -r`, a new inode, a
//! mode, a deletion) is read; an unusable cache means a full read with a note; a cache inside the
//! checkout is refused. The scenario written with `per_format!` runs in a SHA-1 and in a
//! SHA-256 repository.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::git::{
    Format, Repo, World, codes, edit_keeping_size_and_mtime, messages, per_format, touch,
};
use crate::support::run;

/// Files written less than 2 s before custody reads them are not recorded: wait that long.
fn settle() {
    std::thread::sleep(Duration::from_millis(2100));
}

fn world_with_repo(format: Format) -> (World, Repo) {
    let w = World::new();
    let r = w.repo_in("r", format);
    r.commit(
        &w.person("Alice"),
        "init",
        &[
            ("README", "hello\n"),
            ("src/main.c", "int main(void) { return 0; }\n"),
            ("src/deep/er/file.txt", "deep\n"),
            (".gitignore", "target/\n"),
        ],
    );
    std::os::unix::fs::symlink("README", r.dir.join("link")).unwrap();
    r.commit(&w.person("Alice"), "link", &[]);
    (w, r)
}

/// The cache where the README suggests: `~/.cache/custody/`, made first (custody refuses a cache
/// whose directory does not exist rather than creating directories).
fn cache_path(w: &World) -> PathBuf {
    let dir = w.path("home/.cache/custody");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("r.stat")
}

/// `custody source DIR --stat-cache CACHE --json`: exit code, report.
fn source(w: &World, dir: &str, cache: &Path) -> (i32, Value) {
    w.source_json(&[dir, "--stat-cache", cache.to_str().unwrap()])
}

fn used(report: &Value) -> &Value {
    &report["artifacts"][0]["source"]["worktree"]["stat_cache"]
}

fn worktree(report: &Value) -> &Value {
    &report["artifacts"][0]["source"]["worktree"]
}

/// (trusted, read) as the facts count them.
fn counts(report: &Value) -> (u64, u64) {
    let u = used(report);
    (u["trusted"].as_u64().unwrap(), u["read"].as_u64().unwrap())
}

per_format! {
    fn a_first_run_reads_everything_and_a_second_trusts_every_unchanged_file(format) {
        let (w, r) = world_with_repo(format);
        let cache = cache_path(&w);
        settle();
        let (code, report) = source(&w, "r", &cache);
        assert_eq!(code, 0, "{report:#}");
        // A cold cache: every file and the symlink read; the four files recorded.
        assert_eq!(counts(&report), (0, 5), "{report:#}");
        assert_eq!(used(&report)["recorded"], 4);
        assert_eq!(used(&report)["path"], cache.to_str().unwrap());
        assert!(used(&report).get("ignored").is_none(), "{report:#}");
        assert!(cache.is_file());
        // Its magic and version, then the object format of the ids it holds: 1 SHA-1, 2 SHA-256.
        let bytes = std::fs::read(&cache).unwrap();
        assert_eq!(&bytes[..8], b"CUSTSTAT");
        assert_eq!(bytes[12], format.stat_cache_byte());
        assert_eq!(
            std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
            0o600
        );

        let written = std::fs::metadata(&cache).unwrap();
        let (code, report) = source(&w, "r", &cache);
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(codes(&report, "pass"), ["checkout-clean"]);
        // Symlinks are always read (readlink costs what the lstat would).
        assert_eq!(counts(&report), (4, 1), "{report:#}");
        // Nothing the cache says changed, so its file was left as it was.
        let kept = std::fs::metadata(&cache).unwrap();
        assert_eq!(
            (kept.ino(), kept.modified().unwrap()),
            (written.ino(), written.modified().unwrap())
        );
        assert_eq!(used(&report)["bytes_read"], 0, "file content only");
        let tree = r.git(&["rev-parse", "HEAD^{tree}"]);
        assert_eq!(worktree(&report)["worktree_tree"], tree.trim());
        let m = messages(&report, "checkout-clean");
        assert!(
            m.contains("1 file read in full") && m.contains("4 files trusted without being read"),
            "{m}"
        );
        assert!(!m.contains("read in full)"), "{m}");
        assert_eq!(
            report["notes"]["stat_cache"],
            format!(
                "4 files trusted from {} without being read, 1 file read",
                cache.display()
            )
        );
        // The human report says so too, though it shows no passing check.
        let (code, out, _) = w.custody(&["source", "r", "--stat-cache", cache.to_str().unwrap()]);
        assert_eq!(code, 0);
        assert!(
            out.contains("stat cache: 4 files trusted from") && out.contains("1 file read"),
            "{out}"
        );
        // Without the flag every byte is read, as always, and the cache is not mentioned.
        let (code, report) = w.source_json(&["r"]);
        assert_eq!(code, 0);
        assert!(used(&report).is_null());
        assert!(
            report
                .get("notes")
                .is_none_or(|n| n.get("stat_cache").is_none())
        );
        assert!(messages(&report, "checkout-clean").contains("read in full"));
        // An edit is still found with the cache.
        r.write("src/main.c", "int main(void) { return 1; }\n");
        let (code, report) = source(&w, "r", &cache);
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(worktree(&report)["modified"], json!(["src/main.c"]));
    }
}

#[test]
fn a_file_changed_within_the_racy_window_is_read_until_it_is_old_enough() {
    let (w, r) = world_with_repo(Format::Sha1);
    let cache = cache_path(&w);
    settle();
    source(&w, "r", &cache);
    // The same content written again: new mtime and ctime, same blob.
    r.write("README", "hello\n");
    let written = Instant::now();
    let (code, report) = source(&w, "r", &cache);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(counts(&report), (3, 2), "README and the symlink read");
    if written.elapsed() < Duration::from_millis(1900) {
        // Read within 2 s of its change: not recorded, so read again on the next run.
        assert_eq!(used(&report)["recorded"], 3, "{report:#}");
        let (code, report) = source(&w, "r", &cache);
        assert_eq!(code, 0);
        assert_eq!(counts(&report), (3, 2), "{report:#}");
    }
    // Once it is old enough it is recorded, and then trusted.
    settle();
    let (_, report) = source(&w, "r", &cache);
    assert_eq!(used(&report)["recorded"], 4, "{report:#}");
    let (code, report) = source(&w, "r", &cache);
    assert_eq!(code, 0);
    assert_eq!(counts(&report), (4, 1), "{report:#}");
}

/// The edit git status misses with core.trustctime=false (tests/source/checkout.rs): size and
/// mtime restored with `touch -r`. The ctime still moved, so the file is read, and caught.
#[test]
fn an_edit_restoring_size_and_mtime_is_caught_through_its_ctime() {
    let w = World::new();
    let r = w.repo("r");
    r.write("config.txt", "allow = false\n");
    r.write("other.txt", "other\n");
    touch(&r.dir.join("config.txt"), "-d", "2020-01-01 00:00:00");
    r.git(&["add", "-A"]);
    r.commit_staged(&w.person("Alice"), &["-m", "init"]);
    let cache = cache_path(&w);
    settle();
    let (code, report) = source(&w, "r", &cache);
    assert_eq!(code, 0, "{report:#}");
    let (code, report) = source(&w, "r", &cache);
    assert_eq!(code, 0);
    assert_eq!(
        counts(&report),
        (2, 0),
        "config.txt was trusted: {report:#}"
    );

    edit_keeping_size_and_mtime(&r.dir.join("config.txt"), "allow = true!\n");
    let (code, report) = source(&w, "r", &cache);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(codes(&report, "fail"), ["checkout-dirty"]);
    assert_eq!(worktree(&report)["modified"], json!(["config.txt"]));
    assert_eq!(counts(&report), (1, 1), "config.txt read: {report:#}");
    let m = messages(&report, "checkout-dirty");
    assert!(m.contains("1 file trusted without being read"), "{m}");
}

#[test]
fn deleted_replaced_and_chmod_ed_files_are_not_trusted() {
    let w = World::new();
    let r = w.repo("r");
    r.commit(
        &w.person("Alice"),
        "init",
        &[
            ("a.txt", "aaaa\n"),
            ("b.txt", "bbbb\n"),
            ("c.txt", "cccc\n"),
            ("keep.txt", "keep\n"),
        ],
    );
    let cache = cache_path(&w);
    settle();
    source(&w, "r", &cache);
    let (code, report) = source(&w, "r", &cache);
    assert_eq!(code, 0);
    assert_eq!(counts(&report), (4, 0), "{report:#}");

    std::fs::remove_file(r.dir.join("a.txt")).unwrap();
    // A new inode with the same size and mtime and other content, renamed into place.
    std::fs::write(w.path("b.new"), "BBBB\n").unwrap();
    touch(
        &w.path("b.new"),
        "-r",
        r.dir.join("b.txt").to_str().unwrap(),
    );
    std::fs::rename(w.path("b.new"), r.dir.join("b.txt")).unwrap();
    std::fs::set_permissions(r.dir.join("c.txt"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = std::fs::metadata(&cache).unwrap().ino();
    let (code, report) = source(&w, "r", &cache);
    assert_eq!(code, 1, "{report:#}");
    // The cache no longer holds a.txt: it was written again (a new file renamed into place).
    assert_ne!(std::fs::metadata(&cache).unwrap().ino(), before);
    assert_eq!(worktree(&report)["deleted"], json!(["a.txt"]));
    assert_eq!(worktree(&report)["modified"], json!(["b.txt", "c.txt"]));
    assert_eq!(counts(&report), (1, 2), "{report:#}");
}

#[test]
fn corrupt_truncated_foreign_and_unreadable_caches_are_ignored_with_a_note() {
    let (w, r) = world_with_repo(Format::Sha1);
    let cache = cache_path(&w);
    settle();
    source(&w, "r", &cache);
    let good = std::fs::read(&cache).unwrap();
    let mut corrupt = good.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0x01;
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("corrupt", corrupt, "checksum"),
        ("truncated", good[..good.len() - 7].to_vec(), "checksum"),
        ("empty", Vec::new(), "not a custody stat cache"),
        (
            "git's index",
            b"DIRC\0\0\0\x02 and so on".to_vec(),
            "not a custody",
        ),
    ];
    for (what, bytes, why) in cases {
        std::fs::write(&cache, &bytes).unwrap();
        let (code, report) = source(&w, "r", &cache);
        assert_eq!(code, 0, "{what}: {report:#}");
        assert_eq!(counts(&report), (0, 5), "{what}: every file read");
        let ignored = used(&report)["ignored"].as_str().unwrap_or_default();
        assert!(ignored.contains(why), "{what}: {ignored}");
        let note = report["notes"]["stat_cache"].as_str().unwrap();
        assert!(note.contains("the cache was ignored"), "{note}");
        // The run wrote a good cache in its place.
        let (_, report) = source(&w, "r", &cache);
        assert_eq!(counts(&report), (4, 1), "{what}: rewritten");
    }

    // With a cache ignored, an edit is still found: the verdict comes from the bytes.
    std::fs::write(&cache, &good[..10]).unwrap();
    r.write("src/main.c", "int main(void) { return 1; }\n");
    let (code, report) = source(&w, "r", &cache);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(worktree(&report)["modified"], json!(["src/main.c"]));
    assert!(used(&report)["ignored"].is_string());
    r.write("src/main.c", "int main(void) { return 0; }\n");

    // A cache of another working tree (a clone) is not used for this one.
    std::fs::write(&cache, &good).unwrap();
    let clone = w.path("clone");
    r.git(&["clone", "-q", r.path(), clone.to_str().unwrap()]);
    let (code, report) = source(&w, "clone", &cache);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(counts(&report), (0, 5));
    let ignored = used(&report)["ignored"].as_str().unwrap();
    assert!(ignored.contains("another working tree"), "{ignored}");
    assert!(ignored.contains("/r"), "{ignored}");

    // A directory where the cache should be: refused before anything is read.
    let (code, _, err) = w.custody(&[
        "source",
        "r",
        "--stat-cache",
        w.path("home").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
}

#[test]
fn a_cache_that_cannot_be_written_is_a_warning_not_a_failure() {
    let (w, _r) = world_with_repo(Format::Sha1);
    // A directory nobody can create files in, not even root: /proc.
    let cache = std::path::PathBuf::from("/proc/custody-test.stat");
    let (code, report) = source(&w, "r", &cache);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(codes(&report, "pass"), ["checkout-clean"]);
    assert!(used(&report)["write_error"].is_string(), "{report:#}");
    let (code, out, _) = w.custody(&["source", "r", "--stat-cache", cache.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        out.contains("warning: the cache could not be written"),
        "{out}"
    );
}

#[test]
fn a_cache_inside_the_checkout_is_refused() {
    let (w, r) = world_with_repo(Format::Sha1);
    std::os::unix::fs::symlink(&r.dir, w.path("alias")).unwrap();
    std::fs::create_dir_all(w.path("out")).unwrap();
    std::os::unix::fs::symlink(r.dir.join("README"), w.path("out/to-readme")).unwrap();
    for inside in [
        "r/custody.stat",
        "r/new/dir/custody.stat",
        "out/../r/custody.stat",
        "out/missing/../../r/x.stat",
        "alias/custody.stat",
        "out/to-readme",
    ] {
        let (code, out, err) = w.custody(&["source", "r", "--stat-cache", inside]);
        assert_eq!(code, 2, "{inside}: {out}{err}");
        assert!(err.contains("inside the working tree"), "{inside}: {err}");
        assert!(err.contains("~/.cache/custody/"), "{err}");
    }
    assert!(!r.dir.join("custody.stat").exists());
    assert!(!r.dir.join("new").exists());
    assert_eq!(
        std::fs::read_to_string(r.dir.join("README")).unwrap(),
        "hello\n"
    );
    // Beside the checkout is fine, and so is the repository's .git directory: nothing in it is
    // committed.
    let (code, _, err) = w.custody(&["source", "r", "--stat-cache", "r.stat"]);
    assert_eq!(code, 0, "{err}");
    assert!(w.path("r.stat").is_file());
    let (code, _, err) = w.custody(&["source", "r", "--stat-cache", "r/.git/custody.stat"]);
    assert_eq!(code, 0, "{err}");
    assert!(r.dir.join(".git/custody.stat").is_file());
}

/// A cache that is a FIFO is refused before anything opens it (opening would block forever).
#[test]
fn a_fifo_as_the_cache_is_refused_without_blocking() {
    let (w, _r) = world_with_repo(Format::Sha1);
    run(crate::support::cmd("mkfifo").arg(w.path("cache.fifo")));
    let (code, _, err) = w.custody(&["source", "r", "--stat-cache", "cache.fifo"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
}

/// A cache in a directory that does not exist is refused, naming the directory: custody does
/// not create directories the user did not ask for.
#[test]
fn a_cache_in_a_missing_directory_is_refused() {
    let (w, _r) = world_with_repo(Format::Sha1);
    let (code, _, err) = w.custody(&["source", "r", "--stat-cache", "/nonexistent-dir/x.stat"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot write a cache there: the directory /nonexistent-dir does not exist"),
        "{err}"
    );
    assert!(!Path::new("/nonexistent-dir").exists());
}

#[test]
fn a_verifier_has_no_stat_cache() {
    let (w, _r) = world_with_repo(Format::Sha1);
    let (code, out, _) = w.custody(&["verify", "--help"]);
    assert_eq!(code, 0);
    assert!(!out.contains("--stat-cache"), "{out}");
    assert!(out.contains("no stat cache"), "{out}");
    let (code, out, _) = w.custody(&["source", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--stat-cache"), "{out}");
    assert!(out.contains("trusted like git's index"), "{out}");
    assert!(out.contains("ctime"), "{out}");
}

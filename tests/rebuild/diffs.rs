//! `custody diff PUBLISHED REBUILT`: the structural comparison alone, on archives made here by
//! the real tools, each kind of difference classified.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fixture::run;

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// A tree `name/` holding `files`, every mtime set to `mtime`.
    fn tree(&self, name: &str, files: &[(&str, &[u8])], mtime: &str) -> PathBuf {
        let root = self.path(name);
        for (p, data) in files {
            let f = root.join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(&f, data).unwrap();
        }
        run(crate::support::cmd("chmod")
            .args(["-R", "u=rwX,go=rX"])
            .arg(&root));
        run(crate::support::cmd("find")
            .arg(&root)
            .args(["-exec", "touch", "-h", "-d", mtime, "{}", "+"]));
        root
    }

    /// `zip` of `tree`'s contents (without extra fields) with extra flags, into `out`.
    fn zip(&self, out: &str, tree: &Path, flags: &[&str]) -> PathBuf {
        let target = self.path(out);
        run(crate::support::cmd("zip")
            .args(["-q", "-r", "-X"])
            .args(flags)
            .arg(&target)
            .arg(".")
            .current_dir(tree));
        target
    }

    /// `tar` of `tree`'s contents with extra flags, piped through `gzip` with `level`.
    fn tgz(&self, out: &str, tree: &Path, tar_flags: &[&str], level: &str) -> PathBuf {
        let target = self.path(out);
        let tar = format!(
            "tar --owner=0 --group=0 --numeric-owner {} -cf - -C '{}' . | gzip -n {level} > '{}'",
            tar_flags.join(" "),
            tree.display(),
            target.display()
        );
        run(crate::support::cmd("sh").args(["-c", &tar]));
        target
    }
}

fn diff(a: &Path, b: &Path, extra: &[&str]) -> (i32, Value) {
    let out = crate::support::custody()
        .arg("diff")
        .arg(a)
        .arg(b)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let json: Value = crate::support::report(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

fn differences(r: &Value) -> Vec<Value> {
    r["artifacts"][0]["rebuild"]["diff"]["differences"]
        .as_array()
        .unwrap()
        .clone()
}

const FILES: &[(&str, &[u8])] = &[
    ("a.txt", b"alpha\n"),
    ("b/c.txt", b"gamma\n"),
    ("z.bin", &[0, 1, 2, 3]),
];

#[test]
fn only_the_compression_level_differs() {
    let d = Dir::new();
    let t = d.tree("t", FILES, "2024-01-01 00:00:00");
    let fast = d.tgz("fast.tgz", &t, &["--sort=name"], "-1");
    let best = d.tgz("best.tgz", &t, &["--sort=name"], "-9");
    let (code, r) = diff(&fast, &best, &[]);
    assert_eq!(code, 1, "{r:#}");
    let diffs = differences(&r);
    assert_eq!(diffs.len(), 1, "{diffs:#?}");
    assert_eq!(diffs[0]["change"], "archive");
    assert_eq!(diffs[0]["class"], "metadata");
    assert!(
        diffs[0]["fields"]
            .to_string()
            .contains("gzip compression level: fastest -> best"),
        "{diffs:#?}"
    );
    let (code, r) = diff(&fast, &best, &["--accept", "content"]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["artifacts"][0]["rebuild"]["comparison"], "contents");
    // Levels 2 to 8 leave the same gzip header: only the unpacked streams tell.
    let three = d.tgz("three.tgz", &t, &["--sort=name"], "-3");
    let seven = d.tgz("seven.tgz", &t, &["--sort=name"], "-7");
    let (code, r) = diff(&three, &seven, &["--accept", "content"]);
    assert_eq!(code, 0, "{r:#}");
    assert!(
        differences(&r)[0]["fields"]
            .to_string()
            .contains("compressed stream"),
        "{r:#}"
    );
}

#[test]
fn another_tar_header_format_is_framing() {
    let d = Dir::new();
    let t = d.tree("t", FILES, "2024-01-01 00:00:00");
    let gnu = d.tgz("gnu.tgz", &t, &["--sort=name", "--format=gnu"], "-6");
    let ustar = d.tgz("ustar.tgz", &t, &["--sort=name", "--format=ustar"], "-6");
    let (code, r) = diff(&gnu, &ustar, &[]);
    assert_eq!(code, 1, "{r:#}");
    let diffs = differences(&r);
    assert_eq!(diffs.len(), 1, "{diffs:#?}");
    assert_eq!(diffs[0]["class"], "metadata");
    assert!(
        diffs[0]["fields"].to_string().contains("archive framing"),
        "{diffs:#?}"
    );
}

#[test]
fn member_order_and_mode_are_metadata_setuid_is_content() {
    let d = Dir::new();
    let t = d.tree("t", FILES, "2024-01-01 00:00:00");
    let sorted = d.tgz("sorted.tgz", &t, &["--sort=name"], "-6");
    let reversed = d.path("reversed.tgz");
    let script = format!(
        "cd '{}' && tar --owner=0 --group=0 --numeric-owner --no-recursion -cf - ./z.bin ./b/c.txt ./b ./a.txt . | gzip -n > '{}'",
        t.display(),
        reversed.display()
    );
    run(crate::support::cmd("sh").args(["-c", &script]));
    let (code, r) = diff(&sorted, &reversed, &["--accept", "content"]);
    assert_eq!(code, 0, "{r:#}");
    assert!(
        differences(&r)[0]["fields"]
            .to_string()
            .contains("member order"),
        "{r:#}"
    );

    run(crate::support::cmd("chmod")
        .arg("0755")
        .arg(t.join("a.txt")));
    let exec = d.tgz("exec.tgz", &t, &["--sort=name"], "-6");
    let (code, r) = diff(&sorted, &exec, &["--accept", "content"]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(differences(&r)[0]["fields"][0], "mode: 0644 -> 0755");

    run(crate::support::cmd("chmod")
        .arg("4755")
        .arg(t.join("a.txt")));
    let setuid = d.tgz("setuid.tgz", &t, &["--sort=name"], "-6");
    let (code, r) = diff(&sorted, &setuid, &["--accept", "content"]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(differences(&r)[0]["class"], "content");
}

#[test]
fn a_changed_binary_member_names_its_differing_bytes() {
    let d = Dir::new();
    let a = d.tree("a", FILES, "2024-01-01 00:00:00");
    let mut files = FILES.to_vec();
    files[2] = ("z.bin", &[0, 9, 2, 3, 4]);
    let b = d.tree("b", &files, "2024-01-01 00:00:00");
    let (code, r) = diff(
        &d.tgz("a.tgz", &a, &["--sort=name"], "-6"),
        &d.tgz("b.tgz", &b, &["--sort=name"], "-6"),
        &["--accept", "content"],
    );
    assert_eq!(code, 1, "{r:#}");
    let diffs = differences(&r);
    assert_eq!(diffs.len(), 1, "{diffs:#?}");
    assert_eq!(diffs[0]["path"], "./z.bin");
    let detail = &diffs[0]["detail"];
    assert_eq!(detail["kind"], "binary");
    assert_eq!(detail["ranges"], serde_json::json!([[1, 2], [4, 5]]));
}

#[test]
fn zip_members_added_and_retimed() {
    let d = Dir::new();
    let a = d.tree("a", FILES, "2024-01-01 00:00:00");
    let b = d.tree("b", FILES, "2025-06-01 12:00:00");
    let (za, zb) = (d.zip("a.zip", &a, &[]), d.zip("b.zip", &b, &[]));
    let (code, r) = diff(&za, &zb, &["--accept", "content"]);
    assert_eq!(code, 0, "{r:#}");
    assert!(differences(&r).iter().all(|x| x["class"] == "metadata"));
    std::fs::write(b.join("extra.txt"), "new\n").unwrap();
    let zc = d.zip("c.zip", &b, &[]);
    let (code, r) = diff(&za, &zc, &["--accept", "content"]);
    assert_eq!(code, 1, "{r:#}");
    assert!(
        differences(&r)
            .iter()
            .any(|x| x["path"] == "extra.txt" && x["change"] == "added" && x["class"] == "content")
    );
}

#[test]
fn files_that_are_no_archive_are_compared_as_bytes() {
    let d = Dir::new();
    let (a, b, c) = (d.path("a.bin"), d.path("b.bin"), d.path("c.bin"));
    std::fs::write(&a, b"\x7fELF\0\0\0\0same\0\0\0\0").unwrap();
    std::fs::write(&b, b"\x7fELF\0\0\0\0same\0\0\0\0").unwrap();
    std::fs::write(&c, b"\x7fELF\0\0\0\0diff\0\0\0\0").unwrap();
    assert_eq!(diff(&a, &b, &[]).0, 0);
    let (code, r) = diff(&a, &c, &["--accept", "content"]);
    assert_eq!(code, 1);
    let diffs = differences(&r);
    assert_eq!(diffs[0]["class"], "content");
    assert_eq!(diffs[0]["detail"]["ranges"], serde_json::json!([[8, 12]]));
}

#[test]
fn a_truncated_archive_is_an_incomplete_comparison_that_fails() {
    let d = Dir::new();
    let t = d.tree("t", FILES, "2024-01-01 00:00:00");
    let whole = d.tgz("whole.tgz", &t, &["--sort=name"], "-6");
    let bytes = std::fs::read(&whole).unwrap();
    let cut = d.path("cut.tgz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, r) = diff(&whole, &cut, &["--accept", "content"]);
    assert_eq!(code, 1, "{r:#}");
    let incomplete = &r["artifacts"][0]["rebuild"]["diff"]["incomplete"];
    assert!(
        incomplete[0]
            .as_str()
            .unwrap()
            .starts_with("rebuilt artifact:"),
        "{r:#}"
    );
    let message = r["artifacts"][0]["checks"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("could not be compared in full"),
        "{message}"
    );
}

#[test]
fn another_zip_compression_method_is_metadata() {
    let d = Dir::new();
    // Compressible enough that zip -9 deflates it rather than storing it.
    let text = "all work and no play\n".repeat(500);
    let t = d.tree("t", &[("big.txt", text.as_bytes())], "2024-01-01 00:00:00");
    let (stored, deflated) = (
        d.zip("stored.zip", &t, &["-0"]),
        d.zip("deflated.zip", &t, &["-9"]),
    );
    let (code, r) = diff(&stored, &deflated, &["--accept", "content"]);
    assert_eq!(code, 0, "{r:#}");
    let fields = differences(&r)
        .iter()
        .map(|x| x["fields"].to_string())
        .collect::<String>();
    assert!(
        fields.contains("compression method: Stored -> Deflated"),
        "{fields}"
    );
}

/// `zstd -T0` and `pzstd` write several frames; a member in the second frame must be compared
/// too, not dropped with the rest of the stream after the first frame.
#[test]
fn a_change_in_a_later_zstd_frame_is_found() {
    let d = Dir::new();
    let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let frames = |name: &str, last: &[u8]| {
        let tree = d.tree(
            name,
            &[("a.bin", &big), ("z.txt", last)],
            "2024-01-01 00:00:00",
        );
        let tar = d.path(&format!("{name}.tar"));
        run(crate::support::cmd("tar")
            .args(["--owner=0", "--group=0", "--numeric-owner", "--sort=name"])
            .arg("-cf")
            .arg(&tar)
            .arg("-C")
            .arg(&tree)
            .arg("."));
        let bytes = std::fs::read(&tar).unwrap();
        // The first frame ends inside a.bin; z.txt lies wholly in the second.
        let (one, two) = bytes.split_at(bytes.len() / 2);
        let mut joined = Vec::new();
        for part in [one, two] {
            let part_path = d.path("part");
            std::fs::write(&part_path, part).unwrap();
            let out = crate::support::cmd("zstd")
                .args(["-q", "-c"])
                .arg(&part_path)
                .output()
                .expect("`zstd` is required by this test");
            assert!(out.status.success());
            joined.extend_from_slice(&out.stdout);
        }
        let target = d.path(&format!("{name}.tar.zst"));
        std::fs::write(&target, joined).unwrap();
        target
    };
    let a = frames("a", b"same\n");
    let same = frames("same", b"same\n");
    let b = frames("b", b"different\n");
    let (code, r) = diff(&a, &same, &["--accept", "content"]);
    assert_eq!(code, 0, "{r:#}");
    let (code, r) = diff(&a, &b, &["--accept", "content"]);
    assert_eq!(code, 1, "{r:#}");
    let diffs = differences(&r);
    assert!(diffs.iter().any(|d| d["path"] == "./z.txt"), "{diffs:#?}");
}

/// A directory entry only one archive records holds nothing: metadata. A file only one holds
/// is content.
#[test]
fn a_directory_entry_on_one_side_is_metadata() {
    let d = Dir::new();
    let a = d.tree("a", FILES, "2024-01-01 00:00:00");
    let with_dirs = d.tgz("with.tgz", &a, &[], "-6");
    let no_dirs = d.path("without.tgz");
    let cmd = format!(
        "cd '{}' && find . -type f | sort | tar --owner=0 --group=0 --numeric-owner --no-recursion -cf - -T - | gzip -n -6 > '{}'",
        a.display(),
        no_dirs.display()
    );
    run(crate::support::cmd("sh").args(["-c", &cmd]));
    let (code, r) = diff(&with_dirs, &no_dirs, &["--accept", "content"]);
    assert_eq!(code, 0, "{r:#}");
    let dirs: Vec<Value> = differences(&r)
        .into_iter()
        .filter(|x| x["change"] == "removed")
        .collect();
    assert!(!dirs.is_empty(), "{r:#}");
    assert!(dirs.iter().all(|x| x["class"] == "metadata"), "{dirs:#?}");
}

/// Two releases whose top folders differ only by version (`demo-1.0/`, `demo-1.1/`) are
/// compared member by member below them, and the report says so.
#[test]
fn top_folders_differing_by_version_are_paired() {
    let d = Dir::new();
    let old = d.tree("old/demo-1.0", FILES, "2024-01-01 00:00:00");
    let changed: Vec<(&str, &[u8])> = FILES
        .iter()
        .map(|(p, c)| {
            if *p == "a.txt" {
                (*p, &b"alpha, changed\n"[..])
            } else {
                (*p, *c)
            }
        })
        .collect();
    let new = d.tree("new/demo-1.1", &changed, "2024-01-01 00:00:00");
    let (ta, tb) = (
        d.tgz("demo-1.0.tgz", old.parent().unwrap(), &[], "-6"),
        d.tgz("demo-1.1.tgz", new.parent().unwrap(), &[], "-6"),
    );
    let (code, r) = diff(&ta, &tb, &[]);
    assert_eq!(code, 1, "{r:#}");
    let diff_section = &r["artifacts"][0]["rebuild"]["diff"];
    assert_eq!(diff_section["paired_below"][0], "./demo-1.0/", "{r:#}");
    let found = differences(&r);
    let content: Vec<&Value> = found.iter().filter(|x| x["class"] == "content").collect();
    assert_eq!(content.len(), 1, "{found:#?}");
    assert_eq!(content[0]["path"], "./demo-1.0/a.txt");
    assert!(
        content[0]["detail"]["diff"]
            .as_str()
            .unwrap()
            .contains("+alpha, changed")
    );
}

/// A wheel inside a tarball: compared member by member, so a wheel that differs only in its
/// timestamps is a metadata difference, and one with a changed module names that module.
#[test]
fn an_archive_inside_an_archive_is_compared_member_by_member() {
    let d = Dir::new();
    let outer = |name: &str, whl: &Path| {
        let dir = d.path(name);
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::copy(whl, dir.join("dist/demo-1.0-py3-none-any.whl")).unwrap();
        std::fs::write(dir.join("README"), "demo\n").unwrap();
        run(crate::support::cmd("find").arg(&dir).args([
            "-exec",
            "touch",
            "-h",
            "-d",
            "2024-01-01 00:00:00",
            "{}",
            "+",
        ]));
        d.tgz(&format!("{name}.tgz"), &dir, &[], "-6")
    };
    let a = d.tree("wa", FILES, "2024-01-01 00:00:00");
    let b = d.tree("wb", FILES, "2025-06-01 12:00:00");
    let (ta, tb) = (
        outer("oa", &d.zip("a.whl", &a, &[])),
        outer("ob", &d.zip("b.whl", &b, &[])),
    );
    let (code, r) = diff(&ta, &tb, &["--accept", "content"]);
    assert_eq!(code, 0, "{r:#}");
    let found = differences(&r);
    let whl = found
        .iter()
        .find(|x| x["path"] == "./dist/demo-1.0-py3-none-any.whl")
        .expect("the wheel differs");
    assert_eq!(whl["class"], "metadata", "{whl:#}");
    assert!(
        found
            .iter()
            .any(|x| x["path"] == "./dist/demo-1.0-py3-none-any.whl!/a.txt"),
        "{found:#?}"
    );

    std::fs::write(b.join("a.txt"), "alpha, patched\n").unwrap();
    let tc = outer("oc", &d.zip("c.whl", &b, &[]));
    let (code, r) = diff(&ta, &tc, &["--accept", "content"]);
    assert_eq!(code, 1, "{r:#}");
    let found = differences(&r);
    let inner = found
        .iter()
        .find(|x| x["path"] == "./dist/demo-1.0-py3-none-any.whl!/a.txt" && x["class"] == "content")
        .expect("the patched module is named");
    assert!(
        inner["detail"]["diff"]
            .as_str()
            .unwrap()
            .contains("+alpha, patched")
    );
}

/// `git archive` writes the commit id into a global pax header: it is no member, and two
/// archives of the same tree from different commits differ only in that comment, named as such.
/// Owner names an archive leaves empty read as such, not as `/`.
#[test]
fn a_pax_global_comment_is_archive_metadata_and_empty_owner_names_are_named() {
    let d = Dir::new();
    let repo = d.path("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        run(crate::support::git_cmd(&repo)
            .args(["-c", "user.name=A", "-c", "user.email=a@example.com"])
            .args(args))
    };
    git(&["init", "-q"]);
    std::fs::write(repo.join("a.txt"), "a\n").unwrap();
    git(&["add", "a.txt"]);
    git(&["commit", "-q", "-m", "one"]);
    let first = git(&["rev-parse", "HEAD"]).trim().to_owned();
    git(&["commit", "-q", "--allow-empty", "-m", "two"]);
    let second = git(&["rev-parse", "HEAD"]).trim().to_owned();
    let archive = |rev: &str, out: &str| {
        let target = d.path(out);
        git(&[
            "archive",
            "--format=tar",
            "--prefix=p-1/",
            "--mtime=@0",
            "-o",
            target.to_str().unwrap(),
            rev,
        ]);
        target
    };
    let (one, two) = (archive(&first, "one.tar"), archive(&second, "two.tar"));
    let (code, r) = diff(&one, &two, &[]);
    assert_eq!(code, 1, "{r:#}");
    let diffs = differences(&r);
    assert_eq!(diffs.len(), 1, "{diffs:#?}");
    assert_eq!(diffs[0]["change"], "archive");
    let fields = diffs[0]["fields"].to_string();
    assert!(
        fields.contains(&format!("pax global header comment: {first} -> {second}")),
        "{fields}"
    );
    assert!(!r.to_string().contains("pax_global_header"), "{r:#}");
    let (code, r) = diff(&one, &two, &["--accept", "content"]);
    assert_eq!(code, 0, "{r:#}");

    // The same member, with owner names and without.
    let nameless = d.path("nameless.tar");
    run(crate::support::cmd("python3").arg("-c").arg(format!(
        "import tarfile,io\n\
         t=tarfile.open('{}','w',format=tarfile.PAX_FORMAT)\n\
         for n,data in (('p-1/',None),('p-1/a.txt',b'a\\n')):\n\
         \x20   i=tarfile.TarInfo(n); i.uname=''; i.gname=''; i.mtime=0\n\
         \x20   if data is None: i.type=tarfile.DIRTYPE; i.mode=0o775\n\
         \x20   else: i.size=len(data); i.mode=0o664\n\
         \x20   t.addfile(i, io.BytesIO(data) if data else None)\n\
         t.close()\n",
        nameless.display()
    )));
    let (code, r) = diff(&one, &nameless, &[]);
    assert_eq!(code, 1, "{r:#}");
    let text = r.to_string();
    assert!(
        text.contains("owner: root/root -> (no name)/(no name)"),
        "{r:#}"
    );
    assert!(!text.contains("-> /"), "{r:#}");
}

//! Each packaging ecosystem passes when its archive is clean: `git archive`, tar with every
//! compressor, zip, `cargo package`, a setuptools sdist, `npm pack`, and a wheel.

use std::process::Command;

use super::fixture::{Repo, SOURCES, assert_clean, compare, contents, file, run, tar_dir};

#[test]
fn git_archive_tar_gz_and_zip_pass() {
    let repo = Repo::new(SOURCES);
    for format in ["tar", "tar.gz", "zip"] {
        let archive = repo.git_archive(format);
        let (code, report) = compare(&archive, &repo.path(), &[]);
        assert_clean(code, &report);
        let c = contents(&report);
        assert_eq!(c["format"], format);
        assert_eq!(c["counts"]["identical"], SOURCES.len() as u64);
        assert_eq!(c["archive_prefix"], "demo-1.0/");
        assert_eq!(c["commit_from"], "source-rev");
        // git archive's global pax header (the commit id) describes the archive: no member.
        assert!(
            !report.to_string().contains("pax_global_header"),
            "{report:#}"
        );
        let readme = file(&report, "demo-1.0/README.md");
        assert_eq!(readme["source_path"], "README.md");
        assert_eq!(readme["class"], "identical");
        assert_eq!(
            readme["git_blob"],
            repo.git(&["rev-parse", "HEAD:README.md"]).trim()
        );
    }
}

#[test]
fn every_tar_compressor_passes() {
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    let cases: [(&str, &[&str]); 4] = [
        ("tar.gz", &["gzip"]),
        ("tar.xz", &["xz", "-T1"]),
        ("tar.bz2", &["bzip2"]),
        ("tar.zst", &["zstd", "-q"]),
    ];
    for (format, compressor) in cases {
        let archive = repo.out(&format!("demo-1.0.{format}"));
        tar_dir(&tree, &archive, Some(compressor));
        let (code, report) = compare(&archive, &repo.path(), &[]);
        assert_clean(code, &report);
        assert_eq!(contents(&report)["format"], format);
    }
}

#[test]
fn zip_made_by_info_zip_passes() {
    let repo = Repo::new(SOURCES);
    let tree = repo.unpacked();
    let archive = repo.out("demo-1.0.zip");
    run(crate::support::cmd("zip")
        .arg("-qr")
        .arg(&archive)
        .arg("demo-1.0")
        .current_dir(tree.parent().unwrap()));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_clean(code, &report);
    assert_eq!(contents(&report)["format"], "zip");
}

#[test]
fn files_git_stores_as_symlinks_resolve_through_the_commit() {
    // The archive was made with `tar -h`, which stores the file a symlink points to.
    let repo = Repo::new(SOURCES);
    repo.symlink("include", "src/lib");
    repo.symlink("docs/README.md", "../README.md");
    repo.commit("links");
    let tree = repo.out("demo-1.0");
    std::fs::create_dir_all(&tree).unwrap();
    run(crate::support::cmd("tar")
        .args(["-chf", "-", "--exclude=.git", "."])
        .current_dir(repo.path())
        .stdout(std::fs::File::create(repo.out("x.tar")).unwrap()));
    run(crate::support::cmd("tar")
        .arg("-xf")
        .arg(repo.out("x.tar"))
        .arg("-C")
        .arg(&tree));
    let archive = repo.out("demo-1.0.tar.gz");
    tar_dir(&tree, &archive, Some(&["gzip"]));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_clean(code, &report);
    let via = file(&report, "demo-1.0/include/util.c");
    assert_eq!(via["class"], "identical");
    assert!(
        via["detail"].as_str().unwrap().contains("src/lib/util.c"),
        "{via}"
    );
    assert_eq!(
        file(&report, "demo-1.0/docs/README.md")["class"],
        "identical"
    );

    // `git archive` stores the links as links: identical to git's links.
    for format in ["tar.gz", "zip"] {
        let (code, report) = compare(&repo.git_archive(format), &repo.path(), &[]);
        assert_clean(code, &report);
        assert_eq!(
            file(&report, "demo-1.0/include")["class"],
            "identical",
            "{format}"
        );
    }
}

/// A workspace whose crate lives in `crates/demo` and takes its readme from the root.
fn crate_repo() -> Repo {
    Repo::new(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/demo\"]\nresolver = \"2\"\n",
        ),
        (".gitignore", "/target\n"),
        ("README.md", "# demo workspace\n"),
        (
            "crates/demo/Cargo.toml",
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             description = \"demo\"\nlicense = \"MIT\"\nreadme = \"../../README.md\"\n\n\
             [dependencies]\n",
        ),
        (
            "crates/demo/src/lib.rs",
            "pub fn answer() -> u32 {\n    42\n}\n",
        ),
    ])
}

/// `python3 setup.py sdist` in the repository, into `out/dist/`.
fn setuptools_sdist(repo: &Repo) {
    run(crate::support::cmd("python3")
        .args(["setup.py", "-q", "sdist", "--dist-dir"])
        .arg(repo.out("dist"))
        .current_dir(repo.path()));
}

/// `npm pack` in the repository, into `out/`, with a cache of its own.
fn npm_pack(repo: &Repo) {
    run(crate::support::cmd("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(repo.out(""))
        .env("npm_config_cache", repo.out("npm-cache"))
        .env("npm_config_update_notifier", "false")
        .current_dir(repo.path()));
}

fn cargo_package(repo: &Repo, extra: &[&str]) -> std::path::PathBuf {
    let target = repo.out("target");
    run(Command::new(env!("CARGO"))
        .args(["package", "-q", "--no-verify", "--offline", "-p", "demo"])
        .args(extra)
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(repo.path()));
    target.join("package/demo-0.1.0.crate")
}

#[test]
fn cargo_package_passes_with_its_rules_named() {
    let repo = crate_repo();
    let archive = cargo_package(&repo, &[]);
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_clean(code, &report);
    let c = contents(&report);
    assert_eq!(c["ecosystem"], "crate");
    assert_eq!(c["commit_from"], "cargo-vcs-info");
    assert_eq!(c["commit"], repo.git(&["rev-parse", "HEAD"]).trim());
    assert_eq!(c["dirty"], false);
    assert_eq!(c["source_prefix"], "crates/demo/");
    for (path, rule) in [
        ("demo-0.1.0/.cargo_vcs_info.json", "cargo-vcs-info"),
        ("demo-0.1.0/Cargo.toml", "cargo-normalised-manifest"),
        ("demo-0.1.0/Cargo.toml.orig", "cargo-original-manifest"),
        ("demo-0.1.0/Cargo.lock", "cargo-lockfile"),
        ("demo-0.1.0/README.md", "cargo-copied-file"),
    ] {
        let f = file(&report, path);
        assert_eq!(f["class"], "generated-explained", "{f}");
        assert_eq!(f["rule"], rule, "{f}");
    }
    assert_eq!(file(&report, "demo-0.1.0/src/lib.rs")["class"], "identical");
}

#[test]
fn a_crate_packaged_dirty_is_reported_and_its_change_fails() {
    let repo = crate_repo();
    repo.write(
        "crates/demo/src/lib.rs",
        b"pub fn answer() -> u32 {\n    41\n}\n",
    );
    let archive = cargo_package(&repo, &["--allow-dirty"]);
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(contents(&report)["dirty"], true);
    let lib = file(&report, "demo-0.1.0/src/lib.rs");
    assert_eq!(lib["class"], "modified");
    let diff = lib["difference"]["diff"].as_str().unwrap();
    assert!(diff.contains("-    42\n+    41"), "{diff}");
}

#[test]
fn setuptools_sdist_passes() {
    let repo = Repo::new(&[
        ("setup.py", "from setuptools import setup\nsetup()\n"),
        (
            "setup.cfg",
            "[metadata]\nname = demo\nversion = 1.0\n# kept in git only\n\n[options]\npackages = find:\n",
        ),
        ("README.md", "# demo\n"),
        ("demo/__init__.py", "ANSWER = 42\n"),
        (".gitignore", "*.egg-info/\ndist/\n"),
    ]);
    setuptools_sdist(&repo);
    let archive = repo.out("dist/demo-1.0.tar.gz");
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_clean(code, &report);
    assert_eq!(contents(&report)["ecosystem"], "python-sdist");
    let cfg = file(&report, "demo-1.0/setup.cfg");
    assert_eq!(cfg["rule"], "setuptools-egg-info-section", "{cfg}");
    assert_eq!(
        file(&report, "demo-1.0/PKG-INFO")["rule"],
        "python-core-metadata"
    );
    assert_eq!(
        file(&report, "demo-1.0/demo.egg-info/SOURCES.txt")["rule"],
        "python-egg-info"
    );
}

#[test]
fn setuptools_sdist_without_setup_cfg_in_git_passes() {
    let repo = Repo::new(&[
        (
            "setup.py",
            "from setuptools import setup\nsetup(name=\"demo\", version=\"1.0\", packages=[\"demo\"])\n",
        ),
        ("README.md", "# demo\n"),
        ("demo/__init__.py", "ANSWER = 42\n"),
    ]);
    setuptools_sdist(&repo);
    let (code, report) = compare(&repo.out("dist/demo-1.0.tar.gz"), &repo.path(), &[]);
    assert_clean(code, &report);
    let cfg = file(&report, "demo-1.0/setup.cfg");
    assert_eq!(cfg["rule"], "setuptools-egg-info-section", "{cfg}");
}

#[test]
fn npm_pack_passes() {
    let repo = Repo::new(&[
        (
            "package.json",
            "{\n  \"name\": \"demo-pkg\",\n  \"version\": \"1.0.0\",\n  \"main\": \"index.js\",\n  \"license\": \"MIT\"\n}\n",
        ),
        ("index.js", "module.exports = 42;\n"),
        ("README.md", "# demo\n"),
    ]);
    npm_pack(&repo);
    let archive = repo.out("demo-pkg-1.0.0.tgz");
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_clean(code, &report);
    let c = contents(&report);
    assert_eq!(c["ecosystem"], "npm");
    assert_eq!(c["archive_prefix"], "package/");
}

#[test]
fn wheel_with_src_layout_passes() {
    // No wheel builder is installed here, so the wheel is assembled as the format specifies:
    // the package at the top, metadata in `NAME-VERSION.dist-info/`.
    let repo = Repo::new(&[
        (
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"1.0\"\n",
        ),
        ("LICENSE", "MIT\n"),
        ("src/demo/__init__.py", "ANSWER = 42\n"),
        ("src/demo/core.py", "def f():\n    return 1\n"),
    ]);
    let stage = repo.out("wheel");
    let write = |path: &str, text: &str| {
        let p = stage.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("demo/__init__.py", "ANSWER = 42\n");
    write("demo/core.py", "def f():\n    return 1\n");
    write(
        "demo-1.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
    );
    write(
        "demo-1.0.dist-info/WHEEL",
        "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    );
    write("demo-1.0.dist-info/licenses/LICENSE", "MIT\n");
    // RECORD: every other file with its digest and size, itself without.
    let mut record = String::new();
    for f in [
        "demo/__init__.py",
        "demo/core.py",
        "demo-1.0.dist-info/METADATA",
        "demo-1.0.dist-info/WHEEL",
        "demo-1.0.dist-info/licenses/LICENSE",
    ] {
        use base64::Engine;
        use sha2::Digest;
        let bytes = std::fs::read(stage.join(f)).unwrap();
        let digest =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&bytes));
        record.push_str(&format!("{f},sha256={digest},{}\n", bytes.len()));
    }
    record.push_str("demo-1.0.dist-info/RECORD,,\n");
    write("demo-1.0.dist-info/RECORD", &record);
    let archive = repo.out("demo-1.0-py3-none-any.whl");
    run(crate::support::cmd("zip")
        .arg("-qr")
        .arg(&archive)
        .args(["demo", "demo-1.0.dist-info"])
        .current_dir(&stage));
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_clean(code, &report);
    let c = contents(&report);
    assert_eq!(c["ecosystem"], "python-wheel");
    assert_eq!(c["source_prefix"], "src/");
    assert_eq!(
        file(&report, "demo-1.0.dist-info/licenses/LICENSE")["rule"],
        "copied-readme-or-licence"
    );
    assert_eq!(
        file(&report, "demo-1.0.dist-info/RECORD")["rule"],
        "wheel-record"
    );
}

#[test]
fn a_crate_naming_an_unreviewed_commit_fails() {
    let repo = crate_repo();
    let reviewed = repo.git(&["rev-parse", "HEAD"]);
    repo.write(
        "crates/demo/src/lib.rs",
        b"pub fn answer() -> u32 {\n    7\n}\n",
    );
    repo.commit("not reviewed yet");
    let archive = cargo_package(&repo, &[]);
    let (code, report) = compare(&archive, &repo.path(), &["--source-rev", reviewed.trim()]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        super::fixture::outcomes(&report, "contents-commit-not-reviewed"),
        ["fail"]
    );
    let c = contents(&report);
    assert_eq!(c["commit"], reviewed.trim());
    assert_eq!(file(&report, "demo-0.1.0/src/lib.rs")["class"], "modified");
}

#[test]
fn npm_git_head_names_the_commit_and_the_published_manifest_is_explained() {
    // `npm publish` adds `gitHead`; `npm pack` here does not, so the published form is made by
    // adding it to the packed manifest, as the registry would serve it.
    let repo = Repo::new(&[
        (
            "packages/demo/package.json",
            "{\n  \"name\": \"demo-pkg\",\n  \"version\": \"1.0.0\",\n  \"repository\": {\"type\": \"git\", \"url\": \"https://example.org/r.git\", \"directory\": \"packages/demo\"}\n}\n",
        ),
        ("packages/demo/index.js", "module.exports = 42;\n"),
    ]);
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.write(
        "packages/demo/index.js",
        b"module.exports = 43; // after release\n",
    );
    repo.commit("later work");
    let tree = repo.out("npm/package");
    std::fs::create_dir_all(&tree).unwrap();
    let manifest = format!(
        "{{\"name\":\"demo-pkg\",\"version\":\"1.0.0\",\"gitHead\":\"{head}\",\"repository\":{{\"type\":\"git\",\"url\":\"https://example.org/r.git\",\"directory\":\"packages/demo\"}}}}"
    );
    std::fs::write(tree.join("package.json"), manifest).unwrap();
    std::fs::write(tree.join("index.js"), "module.exports = 42;\n").unwrap();
    let archive = repo.out("demo-pkg-1.0.0.tgz");
    tar_dir(&tree, &archive, Some(&["gzip"]));
    // The package names the commit before HEAD: an ancestor of the reviewed commit, which is
    // not what was reviewed for this release.
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        super::fixture::outcomes(&report, "contents-commit-not-reviewed"),
        ["fail"]
    );
    // Said to be intended, it is compared with that ancestor, and matches it.
    let (code, report) = compare(&archive, &repo.path(), &["--accept-ancestor"]);
    assert_clean(code, &report);
    let c = contents(&report);
    assert_eq!(c["commit_from"], "npm-git-head");
    assert_eq!(c["commit"], head);
    assert_eq!(c["source_prefix"], "packages/demo/");
    assert_eq!(
        file(&report, "package/package.json")["rule"],
        "npm-published-manifest"
    );
}

#[test]
fn streams_of_several_members_or_frames_pass() {
    // pigz, pixz, pbzip2 and pzstd write concatenated streams; each must be read to its end.
    let repo = Repo::new(SOURCES);
    let tar = std::fs::read(repo.git_archive("tar")).unwrap();
    let (first, second) = tar.split_at(tar.len() / 2 + 100);
    for (format, program) in [
        ("tar.gz", "gzip"),
        ("tar.xz", "xz"),
        ("tar.bz2", "bzip2"),
        ("tar.zst", "zstd"),
    ] {
        let mut joined = Vec::new();
        for half in [first, second] {
            let mut child = Command::new(program)
                .args(["-c", "-q"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("`{program}` is required by this test: {e}"));
            let mut stdin = child.stdin.take().unwrap();
            let data = half.to_vec();
            let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &data));
            let out = child.wait_with_output().unwrap();
            writer.join().unwrap().unwrap();
            assert!(out.status.success(), "{program} failed");
            joined.extend_from_slice(&out.stdout);
        }
        let archive = repo.out(&format!("joined.{format}"));
        std::fs::write(&archive, joined).unwrap();
        let (code, report) = compare(&archive, &repo.path(), &[]);
        assert_clean(code, &report);
        assert_eq!(
            contents(&report)["counts"]["identical"],
            SOURCES.len() as u64,
            "{format}"
        );
    }
}

/// A crate that inherits its version, edition, licence and lints from the workspace: cargo's
/// normalised manifest holds the inherited values, and custody resolves them the same way.
#[test]
fn a_crate_inheriting_from_its_workspace_passes_and_a_changed_edition_fails() {
    let repo = Repo::new(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/demo\"]\nresolver = \"2\"\n\n\
             [workspace.package]\nversion = \"0.3.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n\
             [workspace.lints.rust]\nunsafe_code = \"forbid\"\n",
        ),
        (".gitignore", "/target\n"),
        (
            "crates/demo/Cargo.toml",
            "[package]\nname = \"demo\"\nversion.workspace = true\nedition.workspace = true\n\
             license.workspace = true\ndescription = \"demo\"\n\n[lints]\nworkspace = true\n",
        ),
        (
            "crates/demo/src/lib.rs",
            "pub fn answer() -> u32 {\n    42\n}\n",
        ),
        ("crates/demo/src/main.rs", "fn main() {}\n"),
    ]);
    let target = repo.out("target");
    run(Command::new(env!("CARGO"))
        .args(["package", "-q", "--no-verify", "--offline", "-p", "demo"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(repo.path()));
    let archive = target.join("package/demo-0.3.0.crate");
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_clean(code, &report);
    let manifest = file(&report, "demo-0.3.0/Cargo.toml");
    assert_eq!(manifest["rule"], "cargo-normalised-manifest");
    assert!(
        manifest["detail"].as_str().unwrap().contains("Cargo.toml"),
        "{manifest}"
    );

    let text =
        String::from_utf8(super::realworld::member(&archive, "demo-0.3.0/Cargo.toml")).unwrap();
    let tampered = repo.out("edition.crate");
    let changed = text.replacen("edition = \"2021\"", "edition = \"2018\"", 1);
    super::realworld::tamper(
        &archive,
        &tampered,
        &[("demo-0.3.0/Cargo.toml", Some(changed.as_bytes()))],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let f = file(&report, "demo-0.3.0/Cargo.toml");
    assert!(f["findings"].to_string().contains("package.edition"), "{f}");
    // A new binary target.
    let bin = format!("{text}\n[[bin]]\nname = \"evil\"\npath = \"src/lib.rs\"\n");
    super::realworld::tamper(
        &archive,
        &tampered,
        &[("demo-0.3.0/Cargo.toml", Some(bin.as_bytes()))],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let f = file(&report, "demo-0.3.0/Cargo.toml");
    assert!(
        f["findings"].to_string().contains("bin target `evil`"),
        "{f}"
    );
}

/// A crate from before `path_in_vcs` names no folder: custody finds the folder where its files
/// are, and trusts it only when that folder's Cargo.toml is the crate's Cargo.toml.orig.
#[test]
fn a_crate_without_path_in_vcs_is_mapped_to_the_folder_its_files_match() {
    let repo = crate_repo();
    let archive = cargo_package(&repo, &[]);
    let old = repo.out("demo-0.1.0.crate");
    let commit = repo.git(&["rev-parse", "HEAD"]);
    let info = format!(
        "{{\n  \"git\": {{\n    \"sha1\": \"{}\"\n  }}\n}}\n",
        commit.trim()
    );
    super::realworld::tamper(
        &archive,
        &old,
        &[("demo-0.1.0/.cargo_vcs_info.json", Some(info.as_bytes()))],
    );
    let (code, report) = compare(&old, &repo.path(), &[]);
    assert_clean(code, &report);
    let c = contents(&report);
    assert_eq!(c["source_prefix"], "crates/demo/");
    assert_eq!(c["source_from"], "inferred");
    assert_eq!(c["folder_manifest_matches"], true);
    assert_eq!(
        super::fixture::outcomes(&report, "contents-package-folder"),
        ["pass"]
    );

    // The folder's manifest moves on in a later commit: the files still match, the manifest
    // does not, and which folder the crate came from is inconclusive.
    repo.write(
        "crates/demo/Cargo.toml",
        b"[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
          description = \"demo, renamed\"\nlicense = \"MIT\"\nreadme = \"../../README.md\"\n\n\
          [dependencies]\n",
    );
    repo.commit("describe");
    let unnamed = repo.out("unnamed-0.1.0.crate");
    super::realworld::tamper(
        &archive,
        &unnamed,
        &[("demo-0.1.0/.cargo_vcs_info.json", Some(b"{}\n"))],
    );
    let (code, report) = compare(&unnamed, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(contents(&report)["folder_manifest_matches"], false);
    assert_eq!(
        super::fixture::outcomes(&report, "contents-package-folder"),
        ["fail"]
    );
}

/// An npm package shipping JavaScript compiled from the commit's TypeScript into `dist/`: no
/// rule can tie it to the commit, so the folder fails once, as build output, with a count.
#[test]
fn compiled_output_in_a_folder_the_commit_lacks_fails_as_one_group() {
    let repo = Repo::new(&[
        (
            "package.json",
            "{\n  \"name\": \"demo-ts\",\n  \"version\": \"1.0.0\",\n  \"main\": \"dist/index.js\",\n  \"files\": [\"dist\", \"src\"],\n  \"license\": \"MIT\"\n}\n",
        ),
        ("src/index.ts", "export const answer: number = 42;\n"),
        (".gitignore", "dist/\n"),
    ]);
    // What `tsc` writes, outside git.
    repo.write("dist/index.js", b"exports.answer = 42;\n");
    repo.write("dist/index.d.ts", b"export declare const answer: number;\n");
    repo.write("dist/index.js.map", b"{\"version\":3}\n");
    npm_pack(&repo);
    let archive = repo.out("demo-ts-1.0.0.tgz");
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    for f in ["index.js", "index.d.ts", "index.js.map"] {
        let file = file(&report, &format!("package/dist/{f}"));
        assert_eq!(file["class"], "build-output", "{file}");
        assert_eq!(file["build_folder"], "dist/");
    }
    let failures = super::realworld::failures(&report);
    let grouped: Vec<&String> = failures
        .iter()
        .filter(|m| m.starts_with("dist/: 3 files of compiled output"))
        .collect();
    assert_eq!(grouped.len(), 1, "{failures:#?}");
    assert!(grouped[0].contains("rebuild"), "{}", grouped[0]);
    assert_eq!(
        super::fixture::outcomes(&report, "contents-unexplained"),
        ["pass"]
    );
    assert_eq!(file(&report, "package/src/index.ts")["class"], "identical");
}

/// A Go module zip laid out as the module proxy serves it (`MODULE@VERSION/` prefix), for a
/// module in a subfolder tagged `sub/vX.Y.Z`: mapped by its go.mod, compared with its tag's
/// commit, its `h1:` checked against go.sum; an extra file fails.
#[test]
fn a_go_module_zip_is_compared_with_its_tag_and_go_sum() {
    let repo = Repo::new(&[
        ("LICENSE", "MIT\n"),
        ("README.md", "# tools\n"),
        ("lib/go.mod", "module example.com/tools/lib\n\ngo 1.22\n"),
        (
            "lib/lib.go",
            "package lib\n\nfunc Answer() int { return 42 }\n",
        ),
        ("lib/inner/inner.go", "package inner\n"),
    ]);
    repo.git(&["tag", "lib/v1.2.3"]);
    // The zip: the module's files, and the repository's LICENSE (the module has none).
    let stage = repo.out("stage");
    let top = stage.join("example.com/tools/lib@v1.2.3");
    for (path, content) in [
        ("go.mod", "module example.com/tools/lib\n\ngo 1.22\n"),
        ("lib.go", "package lib\n\nfunc Answer() int { return 42 }\n"),
        ("inner/inner.go", "package inner\n"),
        ("LICENSE", "MIT\n"),
    ] {
        let p = top.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    let zip = |out: &std::path::Path| {
        let _ = std::fs::remove_file(out);
        run(crate::support::cmd("zip")
            .args(["-qrD"])
            .arg(out)
            .arg("example.com")
            .current_dir(&stage));
    };
    let archive = repo.out("v1.2.3.zip");
    zip(&archive);
    // go.sum's h1:, computed here as Go's dirhash defines it.
    let h1 = run(crate::support::cmd("python3").arg("-c").arg(
        "import base64, hashlib, os, sys\n\
         root = sys.argv[1]\n\
         names = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)\n\
         s = ''.join(hashlib.sha256(open(os.path.join(root, n), 'rb').read()).hexdigest() + '  ' + n + '\\n' for n in names)\n\
         print('h1:' + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode())\n",
    ).arg(&stage));
    let go_sum = repo.out("go.sum");
    std::fs::write(
        &go_sum,
        format!(
            "example.com/tools/lib v1.2.3 {}\nexample.com/tools/lib v1.2.3/go.mod h1:x=\n",
            h1.trim()
        ),
    )
    .unwrap();
    let sum_arg = go_sum.to_str().unwrap();
    let (code, report) = compare(&archive, &repo.path(), &["--go-sum", sum_arg]);
    assert_clean(code, &report);
    let c = contents(&report);
    assert_eq!(c["ecosystem"], "go-module");
    assert_eq!(c["source_prefix"], "lib/");
    assert_eq!(c["source_from"], "go-mod");
    assert_eq!(c["commit_from"], "go-module-tag");
    assert_eq!(c["go_sum"]["computed"], h1.trim());
    assert_eq!(
        super::fixture::outcomes(&report, "contents-go-sum"),
        ["pass"]
    );
    assert_eq!(
        file(&report, "example.com/tools/lib@v1.2.3/LICENSE")["rule"],
        "copied-readme-or-licence"
    );

    // Without go.sum the hash is reported and the check is not performed.
    let (_, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(
        super::fixture::outcomes(&report, "contents-go-sum"),
        ["not-performed"]
    );

    // An extra file fails, and the zip no longer hashes to what go.sum records.
    std::fs::write(top.join("evil.go"), "package lib\n\nfunc init() {}\n").unwrap();
    zip(&archive);
    let (code, report) = compare(&archive, &repo.path(), &["--go-sum", sum_arg]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        file(&report, "example.com/tools/lib@v1.2.3/evil.go")["class"],
        "unexplained"
    );
    assert_eq!(
        super::fixture::outcomes(&report, "contents-go-sum"),
        ["fail"]
    );
}

/// A version only running setup.py yields, and no version tag: PKG-INFO's version is
/// unverified, which fails until the policy accepts it by name.
#[test]
fn a_computed_version_is_unverified_until_the_policy_accepts_it() {
    let repo = Repo::new(&[
        (
            "setup.py",
            "from setuptools import setup\nsetup(name=\"demo\", version=open(\"VERSION\").read().strip(), packages=[\"demo\"])\n",
        ),
        ("VERSION", "1.4\n"),
        ("demo/__init__.py", "ANSWER = 42\n"),
        ("MANIFEST.in", "include VERSION\n"),
    ]);
    setuptools_sdist(&repo);
    let archive = repo.out("dist/demo-1.4.tar.gz");
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let pkg_info = file(&report, "demo-1.4/PKG-INFO");
    assert_eq!(pkg_info["class"], "generated-unverified", "{pkg_info}");
    assert_eq!(pkg_info["unverified"][0], "version");
    assert_eq!(
        super::fixture::outcomes(&report, "contents-metadata-unverified")
            .iter()
            .filter(|o| *o == "fail")
            .count(),
        2,
        "PKG-INFO and the egg-info's copy"
    );
    let (code, report) = compare(&archive, &repo.path(), &["--accept-unverified", "version"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        super::fixture::outcomes(&report, "contents-metadata-unverified"),
        ["pass"]
    );
    // A version tag on the commit verifies it.
    repo.git(&["tag", "v1.4"]);
    let (code, report) = compare(&archive, &repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        file(&report, "demo-1.4/PKG-INFO")["class"],
        "generated-explained"
    );
}

/// A placeholder version in a file of the commit, replaced at build time (as
/// poetry-dynamic-versioning does): explained when only that assignment changed, to the
/// package's version.
#[test]
fn a_version_written_over_a_placeholder_is_explained() {
    let repo = Repo::new(&[
        (
            "setup.py",
            "from setuptools import setup\nsetup(name=\"demo\", version=\"1.4\", packages=[\"demo\"])\n",
        ),
        (
            "demo/__init__.py",
            "\"\"\"Demo.\"\"\"\n__version__ = \"0.0.0\"\nANSWER = 42\n",
        ),
    ]);
    setuptools_sdist(&repo);
    let built = repo.out("dist/demo-1.4.tar.gz");
    let with = |content: &str| {
        let out = repo.out(&format!("v{}.tar.gz", content.len()));
        super::realworld::tamper(
            &built,
            &out,
            &[("demo-1.4/demo/__init__.py", Some(content.as_bytes()))],
        );
        compare(&out, &repo.path(), &[])
    };
    let (code, report) = with("\"\"\"Demo.\"\"\"\n__version__ = \"1.4\"\nANSWER = 42\n");
    assert_eq!(code, 0, "{report:#}");
    let init = file(&report, "demo-1.4/demo/__init__.py");
    assert_eq!(init["rule"], "python-version-file", "{init}");
    let (code, report) = with("\"\"\"Demo.\"\"\"\n__version__ = \"9.9\"\nANSWER = 42\n");
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        file(&report, "demo-1.4/demo/__init__.py")["class"],
        "modified"
    );
    let (code, report) = with("\"\"\"Demo.\"\"\"\n__version__ = \"1.4\"\nANSWER = 43\n");
    assert_eq!(code, 1, "{report:#}");
    let f = file(&report, "demo-1.4/demo/__init__.py");
    assert_eq!(f["class"], "modified");
    assert!(f["rule"].is_null(), "{f}");
}

/// A monorepo package packed by pnpm: its `workspace:^` range becomes the version of the
/// workspace package the commit holds, and `publishConfig.main` replaces `main`. Any other
/// version, or a field publishConfig does not declare, is a modification.
#[test]
fn pnpm_workspace_ranges_and_publish_config_are_resolved_from_the_commit() {
    let app = |deps: &str, main: &str| {
        format!(
            "{{\n  \"name\": \"@demo/app\",\n  \"version\": \"1.0.0\",\n  \"main\": \"{main}\",\n  \
             \"repository\": {{\"type\": \"git\", \"url\": \"x\", \"directory\": \"packages/app\"}},\n  \
             \"dependencies\": {{\"@demo/core\": \"{deps}\"}},\n  \
             \"publishConfig\": {{\"main\": \"index.js\"}}\n}}\n"
        )
    };
    let repo = Repo::new(&[
        ("package.json", "{\"private\": true}\n"),
        (
            "packages/core/package.json",
            "{\"name\": \"@demo/core\", \"version\": \"1.2.0\"}\n",
        ),
        (
            "packages/app/package.json",
            &app("workspace:^", "src/index.ts"),
        ),
        ("packages/app/index.js", "module.exports = 1;\n"),
    ]);
    let packed = |name: &str, manifest: &str| {
        let dir = repo.out(&format!("{name}/package"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("package.json"), manifest).unwrap();
        std::fs::write(dir.join("index.js"), "module.exports = 1;\n").unwrap();
        let out = repo.out(&format!("{name}.tgz"));
        tar_dir(&dir, &out, Some(&["gzip", "-n"]));
        out
    };
    let honest = packed("honest", &app("^1.2.0", "index.js"));
    let (code, report) = compare(&honest, &repo.path(), &[]);
    assert_clean(code, &report);
    assert_eq!(
        file(&report, "package/package.json")["rule"],
        "npm-published-manifest"
    );
    assert_eq!(contents(&report)["source_prefix"], "packages/app/");
    for (name, manifest, needle) in [
        (
            "other-version",
            app("^9.9.9", "index.js"),
            "dependencies.@demo/core",
        ),
        ("other-main", app("^1.2.0", "evil.js"), "`main`"),
    ] {
        let (code, report) = compare(&packed(name, &manifest), &repo.path(), &[]);
        assert_eq!(code, 1, "{report:#}");
        let f = file(&report, "package/package.json");
        assert!(f["findings"].to_string().contains(needle), "{f}");
    }
}

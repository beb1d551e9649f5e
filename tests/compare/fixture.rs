//! Git repositories in temporary directories, external tools that must exist, and the custody
//! binary's JSON report.

pub use crate::support::run;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

/// A git repository with one commit, in its own temporary directory (`repo/`), with room beside
/// it (`out/`) for archives.
pub struct Repo {
    dir: TempDir,
}

impl Repo {
    /// A repository holding `files` (path, content), committed.
    pub fn new(files: &[(&str, &str)]) -> Repo {
        Repo::init(files, &[])
    }

    /// The same in a SHA-256 repository (`git init --object-format=sha256`).
    pub fn new_sha256(files: &[(&str, &str)]) -> Repo {
        Repo::init(files, &["--object-format=sha256"])
    }

    fn init(files: &[(&str, &str)], init_args: &[&str]) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("repo")).unwrap();
        std::fs::create_dir_all(dir.path().join("out")).unwrap();
        let repo = Repo { dir };
        let mut init = vec!["init", "-q", "-b", "main"];
        init.extend_from_slice(init_args);
        repo.git(&init);
        for (path, content) in files {
            repo.write(path, content.as_bytes());
        }
        repo.commit("initial");
        repo
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// A path beside the repository, for archives and scratch trees.
    pub fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join("out").join(name)
    }

    pub fn write(&self, path: &str, content: &[u8]) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    pub fn symlink(&self, path: &str, target: &str) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, p).unwrap();
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&[
            "-c",
            "user.name=Rel Eng",
            "-c",
            "user.email=releng@example.org",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            message,
        ]);
    }

    pub fn git(&self, args: &[&str]) -> String {
        crate::support::git(&self.path(), args)
    }

    /// `git archive` of HEAD with a `demo-1.0/` prefix, in `format` (tar, tar.gz, zip).
    pub fn git_archive(&self, format: &str) -> PathBuf {
        let out = self.out(&format!("demo-1.0.{format}"));
        self.git(&[
            "archive",
            &format!("--format={format}"),
            "--prefix=demo-1.0/",
            "-o",
            out.to_str().unwrap(),
            "HEAD",
        ]);
        out
    }

    /// The commit as a plain directory tree `out/tree/demo-1.0/`, to add to and re-archive.
    pub fn unpacked(&self) -> PathBuf {
        let tar = self.git_archive("tar");
        let tree = self.out("tree");
        std::fs::create_dir_all(&tree).unwrap();
        run(crate::support::cmd("tar")
            .arg("-xf")
            .arg(&tar)
            .arg("-C")
            .arg(&tree));
        tree.join("demo-1.0")
    }
}

/// Pack directory `dir` (its last component becomes the archive's top directory) with tar,
/// then `compressor` (`None`, or e.g. `["xz", "-T1"]`), into `out`.
pub fn tar_dir(dir: &Path, out: &Path, compressor: Option<&[&str]>) {
    let parent = dir.parent().unwrap();
    let name = dir.file_name().unwrap();
    let tar = out.with_extension("tmp.tar");
    run(crate::support::cmd("tar")
        .arg("-cf")
        .arg(&tar)
        .arg("-C")
        .arg(parent)
        .arg(name));
    match compressor {
        None => std::fs::rename(&tar, out).unwrap(),
        Some([program, args @ ..]) => {
            let input = std::fs::File::open(&tar).unwrap();
            let output = std::fs::File::create(out).unwrap();
            let status = Command::new(program)
                .args(args)
                .arg("-c")
                .stdin(input)
                .stdout(output)
                .status()
                .unwrap_or_else(|e| panic!("`{program}` is required by this test: {e}"));
            assert!(status.success(), "{program} failed");
        }
        Some([]) => unreachable!(),
    }
}

/// Run `custody compare ARTIFACT --source REPO ARGS... --format json`: exit code and report.
pub fn compare(artifact: &Path, source: &Path, args: &[&str]) -> (i32, Value) {
    let out = assert_cmd::Command::from_std(crate::support::custody())
        .arg("compare")
        .arg(artifact)
        .arg("--source")
        .arg(source)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let report: Value = crate::support::report(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "exit {code}, not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, report)
}

/// The report's `contents` section for its one artifact.
pub fn contents(report: &Value) -> &Value {
    &report["artifacts"][0]["contents"]
}

/// The archive file reported at `archive_path`.
pub fn file<'a>(report: &'a Value, archive_path: &str) -> &'a Value {
    contents(report)["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["archive_path"] == archive_path)
        .unwrap_or_else(|| panic!("{archive_path} not in {:#}", contents(report)["files"]))
}

/// Outcomes of the checks with `code`.
pub fn outcomes(report: &Value, code: &str) -> Vec<String> {
    report["artifacts"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"] == code)
        .map(|c| c["outcome"].as_str().unwrap().to_owned())
        .collect()
}

/// Assert the report passed with every file identical or explained.
pub fn assert_clean(code: i32, report: &Value) {
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "pass");
    let counts = &contents(report)["counts"];
    assert_eq!(counts["modified"], 0, "{counts}");
    assert_eq!(counts["unexplained"], 0, "{counts}");
    assert!(counts["identical"].as_u64().unwrap() > 0, "{counts}");
}

/// A small source tree: text, an executable script, a nested directory.
pub const SOURCES: &[(&str, &str)] = &[
    ("README.md", "# demo\n"),
    ("configure.ac", "AC_INIT([demo], [1.0])\nAC_OUTPUT\n"),
    ("src/main.c", "int main(void) { return 0; }\n"),
    ("src/lib/util.c", "int util(void) { return 1; }\n"),
    ("tests/data/sample.txt", "sample\n"),
];

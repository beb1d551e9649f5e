//! A project in a git repository whose build script is its only file that matters, and the
//! custody binary's JSON report for a rebuild of it.

pub use crate::support::run;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

/// A build that packs `out/` into `dist/app.tar.gz` reproducibly when SOURCE_DATE_EPOCH is set:
/// sorted names, fixed owner, mtimes from `$MTIME` (default SOURCE_DATE_EPOCH).
pub const PACK: &str = r#"
mkdir -p dist
tar --sort=name --owner=0 --group=0 --numeric-owner --format=gnu \
    --mtime="@${MTIME:-$SOURCE_DATE_EPOCH}" -cf - -C out . | gzip -n > dist/app.tar.gz
"#;

/// A repository (`repo/`) with one commit holding `build.sh` (the body given, then [`PACK`])
/// and `hello.c`; `out/` beside it for published artifacts and work directories.
pub struct Project {
    dir: TempDir,
}

impl Project {
    pub fn new(build_body: &str) -> Project {
        Project::init(build_body, &[])
    }

    /// The same project in a SHA-256 repository (`git init --object-format=sha256`).
    pub fn new_sha256(build_body: &str) -> Project {
        Project::init(build_body, &["--object-format=sha256"])
    }

    fn init(build_body: &str, init_args: &[&str]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        for d in ["repo", "out", "work"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        let p = Project { dir };
        let mut init = vec!["init", "-q", "-b", "main"];
        init.extend_from_slice(init_args);
        p.git(&init);
        p.write_build(build_body);
        std::fs::write(p.repo().join("hello.c"), "int main(void) { return 0; }\n").unwrap();
        p.commit("initial");
        p
    }

    pub fn write_build(&self, body: &str) {
        let script = format!("#!/bin/sh\nset -e\nmkdir -p out\ncp hello.c out/\n{body}\n{PACK}");
        let path = self.repo().join("build.sh");
        std::fs::write(&path, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    pub fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    pub fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join("out").join(name)
    }

    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&[
            "-c",
            "user.name=Rel Eng",
            "-c",
            "user.email=releng@example.org",
            "commit",
            "-q",
            "-m",
            message,
        ]);
    }

    pub fn git(&self, args: &[&str]) -> String {
        let mut cmd = crate::support::git_cmd(&self.repo());
        cmd.args(args)
            .env("GIT_COMMITTER_DATE", "@1700000000 +0000")
            .env("GIT_AUTHOR_DATE", "@1700000000 +0000");
        run(&mut cmd)
    }

    /// Build the committed tree as a publisher would, in a copy of it, with `env`, and return
    /// the published `app.tar.gz`.
    pub fn publish(&self, env: &[(&str, &str)]) -> PathBuf {
        let copy = self.dir.path().join("publisher");
        let _ = std::fs::remove_dir_all(&copy);
        let mut clone = crate::support::cmd("git");
        clone.args(["clone", "-q"]).arg(self.repo()).arg(&copy);
        run(&mut clone);
        let mut build = crate::support::cmd("./build.sh");
        build.current_dir(&copy).env_remove("SOURCE_DATE_EPOCH");
        for (k, v) in env {
            build.env(k, v);
        }
        run(&mut build);
        let published = self.out("app.tar.gz");
        std::fs::copy(copy.join("dist/app.tar.gz"), &published).unwrap();
        published
    }

    /// `custody rebuild ARTIFACT --source repo --work-dir work --format json EXTRA... -- ./build.sh`.
    pub fn rebuild(&self, artifact: &Path, extra: &[&str]) -> (i32, Value) {
        self.rebuild_with(artifact, extra, &["./build.sh"], &[])
    }

    pub fn rebuild_with(
        &self,
        artifact: &Path,
        extra: &[&str],
        command: &[&str],
        env: &[(&str, &str)],
    ) -> (i32, Value) {
        let mut cmd = crate::support::custody();
        cmd.arg("rebuild")
            .arg(artifact)
            .arg("--source")
            .arg(self.repo());
        if !extra.contains(&"--work-dir") {
            cmd.arg("--work-dir").arg(self.work());
        }
        cmd.args(["--format", "json"]).args(extra);
        if !command.is_empty() {
            cmd.arg("--").args(command);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let json = crate::support::report(stdout.as_bytes()).unwrap_or_else(|e| {
            panic!(
                "custody printed no JSON report ({e}); exit {code}\nstdout:\n{stdout}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, json)
    }
}

/// The outcome of the check `code` of the first artifact.
pub fn outcome(report: &Value, code: &str) -> String {
    check(report, code)["outcome"].as_str().unwrap().to_owned()
}

pub fn check<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["artifacts"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no {code} check in {report:#}"))
}

pub fn section(report: &Value) -> &Value {
    &report["artifacts"][0]["rebuild"]
}

/// Whether bubblewrap can confine a process on this machine, as custody itself will try.
pub fn isolation_available() -> bool {
    crate::support::cmd("bwrap")
        .args(["--unshare-all", "--ro-bind", "/", "/", "--", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

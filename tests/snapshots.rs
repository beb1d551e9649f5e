//! Snapshots of what users and programs read: every command's `--help`, `explain --list`, and a
//! report of every kind (human, JSON, SARIF) of every command that reports. Temporary paths,
//! object ids, key ids and timings differ per run and are replaced by placeholders; everything
//! else is the exact text. `cargo insta review` shows a changed one.

use std::path::Path;

use crate::support::{cmd, custody, git, run};

/// Placeholders for what differs per run.
fn settings(dirs: &[&Path]) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    for d in dirs {
        let real = d.canonicalize().unwrap_or(d.to_path_buf());
        for p in [d.to_path_buf(), real] {
            s.add_filter(&regex::escape(&p.display().to_string()), "[dir]");
        }
    }
    s.add_filter(r"custody-rebuild-[0-9]+-[0-9]+", "custody-rebuild-[id]");
    s.add_filter(r"\b[0-9a-f]{64}\b", "[hex64]");
    s.add_filter(r"\b[0-9a-f]{40}\b", "[hex40]");
    s.add_filter(r"SHA256:[A-Za-z0-9+/]{43}", "SHA256:[fingerprint]");
    s.add_filter(r#""build_seconds": [0-9.e-]+"#, r#""build_seconds": [s]"#);
    s.add_filter(r"succeeded in [0-9.]+ s", "succeeded in [s] s");
    s.add_filter(r#""version": "[0-9.]+""#, r#""version": "[version]""#);
    s.add_filter(
        r#""custody_version": "[^"]+""#,
        r#""custody_version": "[version]""#,
    );
    s.add_filter(r#""time": "[0-9T:Z-]+""#, r#""time": "[time]""#);
    s.add_filter(r#""PATH": "[^"]*""#, r#""PATH": "[PATH]""#);
    s
}

fn output(args: &[&str], dir: &Path) -> (i32, String) {
    let out = custody().current_dir(dir).args(args).output().unwrap();
    let mut text = String::from_utf8(out.stdout).unwrap();
    text.push_str(&String::from_utf8(out.stderr).unwrap());
    (out.status.code().unwrap(), text)
}

#[test]
fn help_of_every_command() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for command in [
        &[][..],
        &["hash"],
        &["verify"],
        &["verify-bundle"],
        &["source"],
        &["policy"],
        &["policy", "check"],
        &["explain"],
        &["compare"],
        &["rebuild"],
        &["diff"],
        &["completions"],
        &["manpage"],
        &["check-range"],
        &["hook"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let (code, text) = output(&args, here);
        assert_eq!(code, 0, "{args:?}: {text}");
        // Every command teaches: examples and its exit codes. (verify-bundle speaks the
        // conformance protocol and points at verify; policy check inherits policy's text.)
        if !matches!(command, ["verify-bundle"] | ["policy", "check"]) {
            assert!(
                text.contains("Examples:") || text.contains("Example:"),
                "{args:?}: {text}"
            );
            assert!(text.contains("Exit codes:"), "{args:?}: {text}");
        }
        let name = if command.is_empty() {
            "help".to_owned()
        } else {
            format!("help_{}", command.join("_"))
        };
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn explain_lists_every_code() {
    let (code, text) = output(&["explain", "--list"], Path::new("."));
    assert_eq!(code, 0);
    insta::assert_snapshot!("explain_list", text);
    // Every listed code explains itself.
    for line in text.lines() {
        let code = line.split_whitespace().next().unwrap();
        let (status, explained) = output(&["explain", code], Path::new("."));
        assert_eq!(status, 0, "{code}");
        assert!(explained.starts_with(&format!("{code}: ")), "{explained}");
    }
}

/// A repository with two committed files and a tag, in a fresh directory.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(repo.join("README.md"), "demo\n").unwrap();
    std::fs::write(repo.join("src/main.c"), "int main(void) { return 0; }\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    run(crate::support::git_cmd(&repo)
        .args(["-c", "user.name=R", "-c", "user.email=r@example.org"])
        .args(["commit", "-q", "-m", "initial"])
        .env("GIT_AUTHOR_DATE", "@1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "@1700000000 +0000"));
    dir
}

#[test]
fn source_reports() {
    let dir = repository();
    std::fs::write(dir.path().join("repo/untracked.txt"), "new\n").unwrap();
    let s = settings(&[dir.path()]);
    for format in ["human", "json", "sarif"] {
        let (code, text) = output(&["source", "repo", "--format", format], dir.path());
        assert_eq!(code, 1, "{text}");
        s.bind(|| insta::assert_snapshot!(format!("source_{format}"), text));
    }
}

#[test]
fn compare_reports() {
    let dir = repository();
    let tree = dir.path().join("demo-1.0");
    run(crate::support::git_cmd(&dir.path().join("repo"))
        .args(["archive", "--format=tar", "--prefix=demo-1.0/", "-o"])
        .arg(dir.path().join("plain.tar"))
        .arg("HEAD"));
    run(cmd("tar")
        .arg("-xf")
        .arg("plain.tar")
        .current_dir(dir.path()));
    std::fs::create_dir_all(tree.join("m4")).unwrap();
    std::fs::write(tree.join("m4/build-to-host.m4"), "dnl gl_BUILD_TO_HOST\n").unwrap();
    std::fs::write(tree.join("src/main.c"), "int main(void) { return 1; }\n").unwrap();
    run(cmd("tar")
        .args(["--sort=name", "--owner=0", "--group=0", "--numeric-owner"])
        .args(["--mtime=@1700000000", "-cf", "demo-1.0.tar", "demo-1.0"])
        .current_dir(dir.path()));
    let s = settings(&[dir.path()]);
    for format in ["human", "json", "sarif"] {
        let args = [
            "compare",
            "demo-1.0.tar",
            "--source",
            "repo",
            "--format",
            format,
        ];
        let (code, text) = output(&args, dir.path());
        assert_eq!(code, 1, "{text}");
        s.bind(|| insta::assert_snapshot!(format!("compare_{format}"), text));
    }
}

#[test]
fn diff_reports() {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [("a", "one\n"), ("b", "two\n")] {
        let tree = dir.path().join(name).join("pkg");
        std::fs::create_dir_all(&tree).unwrap();
        std::fs::write(tree.join("file.txt"), body).unwrap();
        std::fs::write(tree.join("same.txt"), "same\n").unwrap();
        run(cmd("tar")
            .args(["--sort=name", "--owner=0", "--group=0", "--numeric-owner"])
            .args(["--mtime=@1700000000", "-cf"])
            .arg(format!("{name}.tar"))
            .args(["-C", name, "pkg"])
            .current_dir(dir.path()));
    }
    let s = settings(&[dir.path()]);
    for format in ["human", "json", "sarif"] {
        let (code, text) = output(&["diff", "a.tar", "b.tar", "--format", format], dir.path());
        assert_eq!(code, 1, "{text}");
        s.bind(|| insta::assert_snapshot!(format!("diff_{format}"), text));
    }
}

#[test]
fn rebuild_reports() {
    let dir = repository();
    let repo = dir.path().join("repo");
    std::fs::write(
        repo.join("build.sh"),
        "#!/bin/sh\nset -e\nmkdir -p dist\nprintf 'built\\n' > dist/app.txt\n",
    )
    .unwrap();
    run(cmd("chmod").arg("+x").arg(repo.join("build.sh")));
    git(&repo, &["add", "-A"]);
    run(crate::support::git_cmd(&repo)
        .args(["-c", "user.name=R", "-c", "user.email=r@example.org"])
        .args(["commit", "-q", "-m", "build"])
        .env("GIT_AUTHOR_DATE", "@1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "@1700000000 +0000"));
    std::fs::write(dir.path().join("app.txt"), "published\n").unwrap();
    std::fs::create_dir_all(dir.path().join("work")).unwrap();
    let s = settings(&[dir.path()]);
    for format in ["human", "json"] {
        let args = [
            "rebuild",
            "app.txt",
            "--source",
            "repo",
            "--work-dir",
            "work",
            "--format",
            format,
            "--",
            "./build.sh",
        ];
        let (code, text) = output(&args, dir.path());
        assert_eq!(code, 1, "{text}");
        s.bind(|| insta::assert_snapshot!(format!("rebuild_{format}"), text));
    }
}

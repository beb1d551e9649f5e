//! Real repositories for the source tests, built with the `git` CLI: people who commit, SSH
//! keys made by `ssh-keygen`, OpenPGP keys made by `gpg` in a private GNUPGHOME, and a runner for
//! `custody source`.
//!
//! The tools must be installed: a missing `git`, `ssh-keygen` or `gpg` fails the test loudly
//! instead of skipping it (install `git openssh-client gnupg`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Run a tool, panicking with its output when it is missing or fails.
pub fn tool(dir: &Path, home: &Path, program: &str, args: &[&str], stdin: Option<&[u8]>) -> String {
    tool_env(dir, home, program, args, stdin, &[])
}

/// `tool` with extra environment variables.
pub fn tool_env(
    dir: &Path,
    home: &Path,
    program: &str,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, &str)],
) -> String {
    use std::io::Write;
    let mut cmd = crate::support::cmd(program);
    cmd.envs(env.iter().copied());
    cmd.args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GNUPGHOME", home.join("gnupg"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("{program} is required by the source tests and could not be run ({e}); install git, openssh-client and gnupg")
    });
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository's object format (`git init --object-format`): a scenario written once runs
/// once per format through [`per_format!`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Sha1,
    Sha256,
}

impl Format {
    /// The other object format.
    pub fn other(self) -> Format {
        match self {
            Format::Sha1 => Format::Sha256,
            Format::Sha256 => Format::Sha1,
        }
    }

    /// How reports name the format (`object_format`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Sha1 => "sha1",
            Format::Sha256 => "sha256",
        }
    }

    /// Hex digits in a full object id: 40 or 64.
    pub fn hex_len(self) -> usize {
        match self {
            Format::Sha1 => 40,
            Format::Sha256 => 64,
        }
    }

    /// Whether `id` is a full object id of this format.
    pub fn is_id(self, id: &str) -> bool {
        id.len() == self.hex_len() && id.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// The commit header git signs in: `gpgsig`, or `gpgsig-sha256` in a SHA-256 repository.
    pub fn signature_header(self) -> &'static str {
        match self {
            Format::Sha1 => "gpgsig",
            Format::Sha256 => "gpgsig-sha256",
        }
    }

    /// The byte a stat cache records its object format in (offset 12): 1 or 2.
    pub fn stat_cache_byte(self) -> u8 {
        match self {
            Format::Sha1 => 1,
            Format::Sha256 => 2,
        }
    }
}

/// One scenario, run once per object format: `per_format! { fn name(format) { ... } }` makes a
/// module `name` holding the tests `sha1` and `sha256`, each running the body with `format` bound
/// to its [`Format`]. (`macro_rules!` cannot join identifiers into `name_sha1` without another
/// crate; `name::sha1` is the same test under a path.)
macro_rules! per_format {
    ($($(#[$meta:meta])* fn $name:ident($format:ident) $body:block)+) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn scenario($format: $crate::source::git::Format) $body

            #[test]
            fn sha1() {
                scenario($crate::source::git::Format::Sha1);
            }

            #[test]
            fn sha256() {
                scenario($crate::source::git::Format::Sha256);
            }
        }
    )+};
}
pub(crate) use per_format;

/// How a person signs commits.
#[derive(Clone, Debug)]
pub enum Signing {
    None,
    /// The private key file made by ssh-keygen.
    Ssh(PathBuf),
    /// The e-mail of a key in the scene's GNUPGHOME.
    Gpg(String),
}

/// Someone who commits.
#[derive(Clone, Debug)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub signing: Signing,
}

/// A temporary world: a HOME with its own git config and GNUPGHOME, keys, and repositories.
pub struct World {
    pub dir: tempfile::TempDir,
}

impl Drop for World {
    fn drop(&mut self) {
        // gpg starts an agent per GNUPGHOME; stop it with the world it belongs to.
        if self.home().join("gnupg").exists() {
            let _ = crate::support::cmd("gpgconf")
                .args(["--kill", "gpg-agent"])
                .env("GNUPGHOME", self.home().join("gnupg"))
                .status();
        }
    }
}

impl World {
    pub fn new() -> World {
        let w = World {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(w.home()).unwrap();
        w
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// A person who does not sign.
    pub fn person(&self, name: &str) -> Person {
        Person {
            name: name.to_owned(),
            email: format!("{}@example.com", name.to_lowercase()),
            signing: Signing::None,
        }
    }

    /// A person with a new SSH key of `key_type` (`ed25519`, `rsa`, `ecdsa`).
    pub fn ssh_person(&self, name: &str, key_type: &str) -> Person {
        let key = self.path(&format!("{}-{key_type}", name.to_lowercase()));
        tool(
            self.dir.path(),
            &self.home(),
            "ssh-keygen",
            &[
                "-q",
                "-t",
                key_type,
                "-N",
                "",
                "-C",
                name,
                "-f",
                key.to_str().unwrap(),
            ],
            None,
        );
        Person {
            signing: Signing::Ssh(key),
            ..self.person(name)
        }
    }

    /// A person with a new unprotected OpenPGP key (`algo`: `ed25519` or `rsa3072`), generated
    /// by gpg in batch mode.
    pub fn gpg_person(&self, name: &str, algo: &str) -> Person {
        self.gpg_person_dated(name, algo, None, "0")
    }

    /// A person whose key gpg made on `created` (`YYYY-MM-DD`, noon UTC; none: now),
    /// expiring on `expires` (`YYYY-MM-DD`, or `0` for never).
    pub fn gpg_person_dated(
        &self,
        name: &str,
        algo: &str,
        created: Option<&str>,
        expires: &str,
    ) -> Person {
        let gnupg = self.home().join("gnupg");
        if !gnupg.exists() {
            std::fs::create_dir_all(&gnupg).unwrap();
            std::fs::set_permissions(&gnupg, std::os::unix::fs::PermissionsExt::from_mode(0o700))
                .unwrap();
        }
        let p = self.person(name);
        let key_type = match algo {
            "ed25519" => "Key-Type: eddsa\nKey-Curve: ed25519\n",
            _ => "Key-Type: rsa\nKey-Length: 3072\n",
        };
        let params = format!(
            "%no-protection\n{key_type}Key-Usage: sign\nName-Real: {}\nName-Email: {}\nExpire-Date: {expires}\n%commit\n",
            p.name, p.email
        );
        let mut args = vec!["--batch", "--quiet"];
        let fake = created.map(gpg_time);
        if let Some(t) = &fake {
            args.extend(["--faked-system-time", t]);
        }
        args.push("--gen-key");
        tool(
            self.dir.path(),
            &self.home(),
            "gpg",
            &args,
            Some(params.as_bytes()),
        );
        Person {
            signing: Signing::Gpg(p.email.clone()),
            ..p
        }
    }

    /// The armored public key of a gpg person, written to `file`.
    pub fn export_gpg(&self, person: &Person, file: &str) -> PathBuf {
        let armored = tool(
            self.dir.path(),
            &self.home(),
            "gpg",
            &["--batch", "--armor", "--export", &person.email],
            None,
        );
        self.write(file, &armored)
    }

    /// Run gpg on the world's keyring with its clock set to `when` (`YYYY-MM-DD`, noon UTC),
    /// answering its prompts from `answers` (one a line) when given.
    pub fn gpg_at(&self, when: &str, args: &[&str], answers: Option<&str>) -> String {
        let time = gpg_time(when);
        let mut all = vec!["--faked-system-time", &time, "--pinentry-mode", "loopback"];
        all.extend(["--passphrase", "", "--yes"]);
        if answers.is_some() {
            all.extend(["--no-tty", "--command-fd", "0"]);
        } else {
            all.push("--batch");
        }
        all.extend_from_slice(args);
        tool(
            self.dir.path(),
            &self.home(),
            "gpg",
            &all,
            answers.map(str::as_bytes),
        )
    }

    /// The fingerprints of a gpg person's key: the primary key's first, then its subkeys'.
    pub fn gpg_fingerprints(&self, person: &Person) -> Vec<String> {
        let listing = tool(
            self.dir.path(),
            &self.home(),
            "gpg",
            &["--batch", "--with-colons", "--list-keys", &person.email],
            None,
        );
        listing
            .lines()
            .filter_map(|l| l.strip_prefix("fpr:::::::::"))
            .map(|l| l.trim_end_matches(':').to_owned())
            .collect()
    }

    /// An allowed_signers line for an SSH person, with `options` (may be empty).
    pub fn allowed_line(&self, person: &Person, options: &str) -> String {
        let Signing::Ssh(key) = &person.signing else {
            panic!("{} has no SSH key", person.name)
        };
        let public = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
        if options.is_empty() {
            format!("{} {}", person.email, public.trim())
        } else {
            format!("{} {options} {}", person.email, public.trim())
        }
    }

    /// A new repository of `format` with branch `main`: [`World::repo`] or
    /// [`World::repo_sha256`].
    pub fn repo_in(&self, name: &str, format: Format) -> Repo {
        match format {
            Format::Sha1 => self.repo(name),
            Format::Sha256 => self.repo_sha256(name),
        }
    }

    /// A new repository with branch `main`.
    pub fn repo(&self, name: &str) -> Repo {
        self.repo_init(name, &[])
    }

    /// A new SHA-256 repository (`git init --object-format=sha256`) with branch `main`.
    pub fn repo_sha256(&self, name: &str) -> Repo {
        self.repo_init(name, &["--object-format=sha256"])
    }

    fn repo_init(&self, name: &str, extra: &[&str]) -> Repo {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        let r = Repo {
            dir,
            home: self.home(),
        };
        let mut args = vec!["init", "-q", "-b", "main"];
        args.extend_from_slice(extra);
        r.git(&args);
        r
    }

    /// Run `custody ARGS` in the world's directory: (exit code, stdout, stderr).
    pub fn custody(&self, args: &[&str]) -> (i32, String, String) {
        let out = assert_cmd::Command::from_std(crate::support::custody())
            .current_dir(self.dir.path())
            .env("HOME", self.home())
            .env("GIT_CONFIG_GLOBAL", self.home().join(".gitconfig"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `custody source ARGS --json`: (exit code, report).
    pub fn source_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["source"];
        all.extend_from_slice(args);
        all.push("--json");
        let (code, out, err) = self.custody(&all);
        let report = crate::support::report(out.as_bytes())
            .unwrap_or_else(|e| panic!("exit {code}, not a JSON report ({e}):\n{out}\n{err}"));
        (code, report)
    }
}

/// A repository inside a world.
pub struct Repo {
    pub dir: PathBuf,
    home: PathBuf,
}

impl Repo {
    pub fn git(&self, args: &[&str]) -> String {
        tool(&self.dir, &self.home, "git", args, None)
    }

    pub fn git_stdin(&self, args: &[&str], stdin: &[u8]) -> String {
        tool(&self.dir, &self.home, "git", args, Some(stdin))
    }

    pub fn write(&self, name: &str, contents: &str) {
        let p = self.dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, contents).unwrap();
    }

    /// Write `files`, stage everything, and commit as `who` (signed the way `who` signs).
    pub fn commit(&self, who: &Person, message: &str, files: &[(&str, &str)]) -> String {
        for (name, contents) in files {
            self.write(name, contents);
        }
        self.git(&["add", "-A"]);
        self.commit_staged(who, &["-m", message])
    }

    /// Write `files` and commit as `who` on `when` (`YYYY-MM-DD`, noon UTC): the commit's dates
    /// and the OpenPGP signature's, through a gpg.program that fakes gpg's clock.
    pub fn commit_at(&self, who: &Person, when: &str, files: &[(&str, &str)]) -> String {
        for (name, contents) in files {
            self.write(name, contents);
        }
        self.git(&["add", "-A"]);
        let wrapper = self.home.join("gpg-at");
        if !wrapper.exists() {
            std::fs::write(
                &wrapper,
                "#!/bin/sh\nexec gpg --faked-system-time \"$GPG_FAKED_TIME\" \"$@\"\n",
            )
            .unwrap();
            std::fs::set_permissions(
                &wrapper,
                std::os::unix::fs::PermissionsExt::from_mode(0o755),
            )
            .unwrap();
        }
        let mut full = vec![
            "-c".to_owned(),
            format!("gpg.program={}", wrapper.display()),
        ];
        full.extend(identity(who));
        full.extend(["commit", "-q", "-m", when].map(str::to_owned));
        full.extend(signing_flag(who));
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let (date, fake) = (format!("{when}T12:00:00Z"), gpg_time(when));
        let env = [
            ("GIT_AUTHOR_DATE", date.as_str()),
            ("GIT_COMMITTER_DATE", date.as_str()),
            ("GPG_FAKED_TIME", fake.as_str()),
        ];
        tool_env(&self.dir, &self.home, "git", &refs, None, &env);
        self.head()
    }

    /// `git commit` (or `git merge` when `args` starts with "merge") as `who`.
    pub fn commit_staged(&self, who: &Person, args: &[&str]) -> String {
        let mut full: Vec<String> = identity(who);
        if args.first() == Some(&"merge") {
            full.push("merge".into());
            full.extend(signing_flag(who));
            full.extend(args[1..].iter().map(|s| s.to_string()));
        } else {
            full.push("commit".into());
            full.push("-q".into());
            full.extend(signing_flag(who));
            full.extend(args.iter().map(|s| s.to_string()));
        }
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        self.git(&refs);
        self.head()
    }

    /// Rewrite HEAD's commit object with `edit` applied to its text, keeping the signature
    /// header, store it with `git hash-object -w`, and point the branch at it. Returns its id.
    pub fn tamper(&self, edit: impl Fn(&str) -> String) -> String {
        let original = self.git(&["cat-file", "commit", "HEAD"]);
        let changed = edit(&original);
        assert_ne!(original, changed);
        let id = self
            .git_stdin(
                &["hash-object", "-t", "commit", "-w", "--stdin"],
                changed.as_bytes(),
            )
            .trim()
            .to_owned();
        self.git(&["update-ref", "refs/heads/main", &id]);
        self.git(&["reset", "-q", "--hard"]);
        id
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    pub fn path(&self) -> &str {
        self.dir.to_str().unwrap()
    }
}

/// `YYYY-MM-DD` as gpg's frozen faked system time, at noon UTC.
fn gpg_time(date: &str) -> String {
    format!("{}T120000!", date.replace('-', ""))
}

fn identity(who: &Person) -> Vec<String> {
    let mut v = vec![
        "-c".to_owned(),
        format!("user.name={}", who.name),
        "-c".to_owned(),
        format!("user.email={}", who.email),
    ];
    match &who.signing {
        Signing::None => {}
        Signing::Ssh(key) => v.extend([
            "-c".to_owned(),
            "gpg.format=ssh".to_owned(),
            "-c".to_owned(),
            format!("user.signingkey={}", key.display()),
        ]),
        Signing::Gpg(email) => v.extend([
            "-c".to_owned(),
            "gpg.format=openpgp".to_owned(),
            "-c".to_owned(),
            format!("user.signingkey={email}"),
        ]),
    }
    v
}

fn signing_flag(who: &Person) -> Vec<String> {
    match who.signing {
        Signing::None => vec!["--no-gpg-sign".to_owned()],
        _ => vec!["-S".to_owned()],
    }
}

/// The codes of the report's checks with `outcome`.
pub fn codes(report: &Value, outcome: &str) -> Vec<String> {
    report["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["checks"].as_array().unwrap().iter())
        .filter(|c| c["outcome"] == outcome)
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

/// Every check message with `code`, joined by newlines.
pub fn messages(report: &Value, code: &str) -> String {
    report["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["checks"].as_array().unwrap().iter())
        .filter(|c| c["code"] == code)
        .map(|c| c["message"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `touch FLAG VALUE PATH`, e.g. `-d 2020-01-01` or `-r REFERENCE`.
pub fn touch(path: &Path, flag: &str, value: &str) {
    let status = crate::support::cmd("touch")
        .args([flag, value])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Rewrite `file` with `contents` (the same length as before) and give it back its old mtime
/// with `touch -r`, as an edit meant to slip past stat data would; asserts that the size and the
/// mtime are unchanged.
pub fn edit_keeping_size_and_mtime(file: &Path, contents: &str) {
    let reference = file.with_file_name(".mtime-reference");
    let before = std::fs::metadata(file).unwrap();
    std::fs::write(&reference, b"").unwrap();
    touch(&reference, "-r", file.to_str().unwrap());
    std::fs::write(file, contents).unwrap();
    touch(file, "-r", reference.to_str().unwrap());
    std::fs::remove_file(&reference).unwrap();
    let after = std::fs::metadata(file).unwrap();
    assert_eq!(before.len(), after.len(), "same size");
    assert_eq!(
        before.modified().unwrap(),
        after.modified().unwrap(),
        "same mtime"
    );
}

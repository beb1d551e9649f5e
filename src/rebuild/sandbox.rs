//! Running the build confined, with bubblewrap (`bwrap`), the sandbox Flatpak and many build
//! tools use, rather than namespaces assembled by hand.
//!
//! What the build sees, and nothing else:
//! - the system's programs and libraries read-only (`/usr`, and `/bin`, `/sbin`, `/lib*` as the
//!   host has them: symlinks into `/usr`, or directories), `/etc` read-only;
//! - the toolchain read-only: every `PATH` directory outside `/usr`, and the toolchain homes
//!   named in its environment (`RUSTUP_HOME`, `CARGO_HOME`);
//! - its scratch directory (and a fixed build path) read-write;
//! - a fresh `/dev` (with a private `/dev/shm`), a private `/tmp`, and a `/proc` of its own pid
//!   namespace, so it sees none of the host's processes;
//! - every namespace unshared (`--unshare-all`): no network but its own loopback, and no
//!   UNIX socket of the host's, since no directory where a host process listens is mounted;
//! - no capabilities (`--cap-drop ALL`), a new session (no terminal to inject input into), and
//!   death with custody (`--die-with-parent`).
//!
//! Whether confinement held is reported, never assumed: the build's first line on a channel it
//! cannot reach (standard error, before it is redirected to the log) says it started inside the
//! sandbox; where bwrap is missing or cannot run, the build runs unconfined and both isolation
//! checks are reported as not performed, which fails the verdict.
//!
//! `CUSTODY_BWRAP` names the bwrap program (default `bwrap` on `PATH`); set it to a missing
//! path to run without isolation, which the report then says.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How to start the build: inside bwrap, or, where it cannot run, directly.
pub struct Launcher {
    bwrap: Option<PathBuf>,
    why_not: String,
}

/// Runs inside the sandbox: say so on stderr, send stderr to the log, become the build.
const WRAPPER: &str = r#"echo "confined" >&2; exec 2>&1; exec "$@""#;
/// The same outside any sandbox.
const UNCONFINED: &str = r#"echo "not confined: bubblewrap did not run" >&2; exec 2>&1; exec "$@""#;

/// Top-level directories a system keeps its programs and libraries in besides `/usr`.
const SYSTEM_DIRS: &[&str] = &["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

impl Launcher {
    /// Find out whether bwrap can run a confined process here.
    pub fn detect() -> Launcher {
        let program = std::env::var_os("CUSTODY_BWRAP")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("bwrap"));
        let mut probe = Command::new(&program);
        probe.args(system_args()).args(["--", "true"]);
        let out = probe
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        match out {
            Ok(o) if o.status.success() => Launcher {
                bwrap: Some(program),
                why_not: String::new(),
            },
            Ok(o) => Launcher {
                bwrap: None,
                why_not: format!(
                    "`{}` cannot confine a process here: {}",
                    program.display(),
                    String::from_utf8_lossy(&o.stderr).trim()
                ),
            },
            Err(e) => Launcher {
                bwrap: None,
                why_not: format!(
                    "cannot run `{}` ({e}); install bubblewrap (Debian package bubblewrap)",
                    program.display()
                ),
            },
        }
    }

    /// Whether the build will have no network of the host's.
    pub fn network(&self) -> Result<(), String> {
        match self.bwrap {
            Some(_) => Ok(()),
            None => Err(self.why_not.clone()),
        }
    }

    /// The command that runs `argv` in `dir`, confined: `writable` directories read-write,
    /// `toolchain` directories read-only, nothing else of the host's.
    pub fn command(
        &self,
        writable: &[&Path],
        toolchain: &[PathBuf],
        dir: &Path,
        argv: &[String],
    ) -> Command {
        let mut cmd = match &self.bwrap {
            Some(program) => {
                let mut c = Command::new(program);
                c.args(system_args());
                for t in toolchain {
                    c.arg("--ro-bind-try").arg(t).arg(t);
                }
                for w in writable {
                    c.arg("--bind").arg(w).arg(w);
                }
                c.arg("--chdir").arg(dir).args(["--", "sh", "-c", WRAPPER]);
                c
            }
            None => {
                let mut c = Command::new("sh");
                c.args(["-c", UNCONFINED]).current_dir(dir);
                c
            }
        };
        cmd.arg("custody-build").args(argv);
        cmd
    }
}

/// bwrap's arguments for everything but the toolchain and the writable directories.
fn system_args() -> Vec<String> {
    let mut args: Vec<String> = [
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--ro-bind",
        "/usr",
        "/usr",
        "--ro-bind",
        "/etc",
        "/etc",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/dev/shm",
        "--tmpfs",
        "/tmp",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for dir in SYSTEM_DIRS {
        match std::fs::read_link(dir) {
            Ok(target) => {
                args.push("--symlink".into());
                args.push(target.display().to_string());
                args.push((*dir).to_owned());
            }
            Err(_) if Path::new(dir).is_dir() => {
                args.extend(["--ro-bind".into(), (*dir).into(), (*dir).into()]);
            }
            Err(_) => {}
        }
    }
    args
}

/// The directories a build's tools live in outside the system directories: each `PATH` entry
/// not under them, and the toolchain homes the environment names. Mounted read-only.
pub fn toolchain_dirs(env: &std::collections::BTreeMap<String, String>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let system = |p: &Path| {
        p.starts_with("/usr") || SYSTEM_DIRS.iter().any(|d| p.starts_with(d)) || p == Path::new("/")
    };
    if let Some(path) = env.get("PATH") {
        for d in std::env::split_paths(path) {
            if d.is_absolute() && !system(&d) && d.is_dir() {
                dirs.push(d);
            }
        }
    }
    for key in ["RUSTUP_HOME", "CARGO_HOME"] {
        if let Some(d) = env.get(key).map(PathBuf::from)
            && d.is_absolute()
            && d.is_dir()
        {
            dirs.push(d);
        }
    }
    dirs.sort();
    dirs.dedup();
    dirs
}

/// Parse the wrapper's one line about confinement.
pub fn confinement(line: &str) -> Result<(), String> {
    match line.trim() {
        "confined" => Ok(()),
        "" => Err("the build's wrapper said nothing about confinement".into()),
        other => Err(other.to_owned()),
    }
}

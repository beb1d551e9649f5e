//! Running the build isolated where the machine allows it: a new network namespace (no
//! network, loopback down) and a new mount namespace in which every mount except the scratch
//! directory is remounted read-only, so the build can neither reach the network nor write
//! outside its scratch directory.
//!
//! Isolation uses util-linux `unshare` (as root, or with `--map-root-user` in a user
//! namespace), and util-linux `setpriv` to start the build with no capabilities, so that root
//! inside the namespaces cannot remount a read-only mount or join another network namespace. What could not be set up is reported, never assumed: the wrapper prints on a
//! channel the build cannot reach (standard error, before it is redirected to the log) whether
//! confinement held.
//!
//! `CUSTODY_UNSHARE` names the `unshare` program (default `unshare` on `PATH`); set it to a
//! missing path to run without isolation, which the report then says.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How to start the build: `unshare` with these flags, or nothing.
pub struct Launcher {
    unshare: Option<(PathBuf, Vec<&'static str>)>,
    why_not: String,
}

/// The script that runs inside the namespaces: confine, report on stderr, hand stderr to the
/// log, then become the build. Arguments: `confine` or `open`, the writable directories, `--`, the build's
/// directory, then the command.
const WRAPPER: &str = r#"
umask 022
set -f
mode=$1; shift
nl='
'
writable=""
while [ "$1" != "--" ]; do writable="$writable$1$nl"; shift; done
shift
dir=$1; shift
if [ "$mode" = confine ]; then
  failed=""
  IFS=$nl
  for w in $writable; do mount --bind "$w" "$w" 2>/dev/null || failed="$failed bind:$w"; done
  while IFS=' ' read -r _ _ _ _ mnt _; do
    mnt=$(printf '%b' "$mnt")
    skip=""
    for w in $writable; do case "$mnt" in "$w"|"$w"/*) skip=1;; esac; done
    case "$mnt" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) skip=1;; esac
    [ -n "$skip" ] && continue
    mount -o remount,bind,ro "$mnt" 2>/dev/null || failed="$failed $mnt"
  done < /proc/self/mountinfo
  unset IFS
  # Loopback, for builds that run local servers in their tests; still no way out.
  ip link set lo up 2>/dev/null || true
  # Root in the namespace could remount read-write, or join the host's network namespace:
  # the build runs with no capabilities at all, and cannot regain them through setuid.
  command -v setpriv >/dev/null 2>&1 || failed="$failed (no setpriv to drop capabilities)"
  if [ -z "$failed" ]; then echo "confined" >&2; else echo "not confined:$failed" >&2; fi
else
  echo "not confined: no mount namespace" >&2
fi
set +f
exec 2>&1
cd "$dir" || exit 127
if [ "$mode" = confine ] && command -v setpriv >/dev/null 2>&1; then
  exec setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- "$@"
fi
exec "$@"
"#;

impl Launcher {
    /// Find out whether `unshare` can give this process new network and mount namespaces.
    pub fn detect() -> Launcher {
        let program = std::env::var_os("CUSTODY_UNSHARE")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("unshare"));
        let root = is_root();
        // A pid namespace whose first process is killed with unshare: when the build ends or
        // is killed, everything it started dies too, even what left its process group.
        let mut flags = vec![
            "--net",
            "--mount",
            "--propagation",
            "private",
            "--pid",
            "--fork",
            "--kill-child",
        ];
        if !root {
            flags.push("--map-root-user");
        }
        let probe = Command::new(&program)
            .args(&flags)
            .arg("true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        match probe {
            Ok(o) if o.status.success() => Launcher {
                unshare: Some((program, flags)),
                why_not: String::new(),
            },
            Ok(o) => Launcher {
                unshare: None,
                why_not: format!(
                    "`{} {}` failed: {}",
                    program.display(),
                    flags.join(" "),
                    String::from_utf8_lossy(&o.stderr).trim()
                ),
            },
            Err(e) => Launcher {
                unshare: None,
                why_not: format!("cannot run `{}`: {e}", program.display()),
            },
        }
    }

    /// Whether the build will get its own network namespace.
    pub fn network(&self) -> Result<(), String> {
        match self.unshare {
            Some(_) => Ok(()),
            None => Err(self.why_not.clone()),
        }
    }

    /// The command that runs `argv` in `dir`, confined to `writable` where possible.
    pub fn command(&self, writable: &[&Path], dir: &Path, argv: &[String]) -> Command {
        let mut cmd = match &self.unshare {
            Some((program, flags)) => {
                let mut c = Command::new(program);
                c.args(flags).arg("sh");
                c
            }
            None => Command::new("sh"),
        };
        let mode = if self.unshare.is_some() {
            "confine"
        } else {
            "open"
        };
        cmd.arg("-c").arg(WRAPPER).arg("custody-build").arg(mode);
        cmd.args(writable).arg("--").arg(dir).args(argv);
        cmd
    }
}

/// Parse the wrapper's one line about confinement.
pub fn confinement(line: &str) -> Result<(), String> {
    match line.trim() {
        "confined" => Ok(()),
        "" => Err("the build's wrapper said nothing about confinement".into()),
        other => Err(other.to_owned()),
    }
}

fn is_root() -> bool {
    // The effective uid, as the process's own status file states it; no unsafe call needed.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

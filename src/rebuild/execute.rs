//! Running the build command: a normalised environment, a process group killed whole at the
//! timeout (and after the build, so nothing it started outlives it), output to a log file.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::sandbox::{Launcher, confinement};

/// How often a running build is polled for its end.
const POLL: Duration = Duration::from_millis(20);

/// How the build ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Ended {
    Exited {
        code: i32,
    },
    Signalled {
        signal: i32,
    },
    TimedOut {
        after_seconds: u64,
    },
    /// The command could not be started at all.
    NotStarted {
        reason: String,
    },
}

/// What running the build produced.
pub struct Run {
    pub ended: Ended,
    pub seconds: f64,
    /// Whether every mount but the writable ones was read-only for the build.
    pub filesystem: Result<(), String>,
}

/// What the build is run with.
pub struct Invocation<'a> {
    pub argv: &'a [String],
    /// The checkout, where the command starts.
    pub dir: &'a Path,
    /// Directories the build may write.
    pub writable: &'a [&'a Path],
    /// Directories of the toolchain, which the build may read.
    pub toolchain: &'a [std::path::PathBuf],
    pub env: &'a BTreeMap<String, String>,
    pub timeout: Duration,
    pub log: &'a Path,
}

/// Run the build to its end or its timeout.
pub fn run(launcher: &Launcher, inv: &Invocation<'_>) -> std::io::Result<Run> {
    let log = File::create(inv.log)?;
    let mut cmd: Command = launcher.command(inv.writable, inv.toolchain, inv.dir, inv.argv);
    cmd.env_clear()
        .envs(inv.env)
        .current_dir(inv.dir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(Stdio::piped())
        .process_group(0);
    let start = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Ok(Run {
                ended: Ended::NotStarted {
                    reason: e.to_string(),
                },
                seconds: 0.0,
                filesystem: Err("the build did not start".into()),
            });
        }
    };
    let pgid = child.id();
    // The wrapper's verdict on confinement comes on this pipe, which it closes before the
    // build starts; read on a thread so a silent wrapper cannot stall the timeout.
    let mut wrapper = child.stderr.take().expect("stderr is piped");
    let said = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = (&mut wrapper).take(64 << 10).read_to_string(&mut s);
        s
    });
    let ended = loop {
        if let Some(status) = child.try_wait()? {
            break match (status.code(), status.signal()) {
                (Some(code), _) => Ended::Exited { code },
                (None, Some(signal)) => Ended::Signalled { signal },
                (None, None) => Ended::Exited { code: -1 },
            };
        }
        if start.elapsed() >= inv.timeout {
            if !kill_group(pgid) {
                // Without kill(1), at least the build's own process goes.
                let _ = child.kill();
            }
            let _ = child.wait();
            break Ended::TimedOut {
                after_seconds: inv.timeout.as_secs(),
            };
        }
        std::thread::sleep(POLL);
    };
    // Whatever the build left running in its group goes with it (the group may be empty).
    let _ = kill_group(pgid);
    let seconds = start.elapsed().as_secs_f64();
    let said = said.join().unwrap_or_default();
    let first = said.lines().next().unwrap_or("");
    Ok(Run {
        ended,
        seconds,
        filesystem: confinement(first),
    })
}

/// SIGKILL the whole process group through kill(1): std offers no safe killpg, and the crate
/// forbids unsafe code.
fn kill_group(pgid: u32) -> bool {
    Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

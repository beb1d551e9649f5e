//! Shared by the integration tests: seeded random trees and running real tools.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A small, seeded xorshift generator: trees must be reproducible from their seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// What a random tree holds.
pub struct TreeSpec {
    pub files: usize,
    pub symlinks: bool,
    pub max_size: u64,
}

impl Default for TreeSpec {
    fn default() -> Self {
        TreeSpec {
            files: 150,
            symlinks: true,
            max_size: 20_000,
        }
    }
}

/// Names that exercise ordering and encoding: spaces, Unicode, punctuation, non-UTF-8 bytes.
fn odd_name(rng: &mut Rng, n: usize) -> OsString {
    let name: Vec<u8> = match rng.below(8) {
        0 => format!("with space {n}").into_bytes(),
        1 => format!("ünïcödé-{n}.txt").into_bytes(),
        2 => format!("-dash{n}").into_bytes(),
        3 => format!("#hash*star?{n}").into_bytes(),
        4 => [b"latin1-\xe9\xff-".as_slice(), n.to_string().as_bytes()].concat(),
        5 => format!("tab\tname{n}").into_bytes(),
        6 => format!(".hidden{n}").into_bytes(),
        _ => format!("file{n}.rs").into_bytes(),
    };
    OsString::from_vec(name)
}

/// Build a random tree under `root`: nested directories, empty files and directories,
/// executables, symlinks (dangling, looping, pointing out of the tree), odd names, and the
/// names whose git order differs from plain byte order (`a` directory beside `a.b`, `a-b`).
pub fn random_tree(root: &Path, seed: u64, spec: &TreeSpec) {
    let mut rng = Rng::new(seed);
    let mut dirs: Vec<PathBuf> = vec![root.to_path_buf()];
    fs::create_dir_all(root.join("a/inner")).unwrap();
    fs::write(root.join("a/inner/x"), b"in a").unwrap();
    for name in ["a.b", "a-b", "a0", "b"] {
        fs::write(root.join(name), name).unwrap();
    }
    fs::create_dir_all(root.join("empty/nested-empty")).unwrap();
    dirs.push(root.join("a"));
    let mut files: Vec<PathBuf> = Vec::new();
    for n in 0..spec.files {
        if rng.chance(15) && dirs.len() < 40 {
            let parent = dirs[rng.below(dirs.len() as u64) as usize].clone();
            if parent.strip_prefix(root).unwrap().components().count() < 5 {
                let d = parent.join(format!("dir{n}"));
                fs::create_dir_all(&d).unwrap();
                dirs.push(d);
            }
        }
        let parent = &dirs[rng.below(dirs.len() as u64) as usize];
        let path = parent.join(odd_name(&mut rng, n));
        if spec.symlinks && rng.chance(8) {
            let target: OsString = match rng.below(5) {
                0 => "../../../../etc/passwd".into(),
                1 => "/nonexistent/dangling".into(),
                2 => path.file_name().unwrap().to_os_string(), // a link to itself: a loop
                3 => ".".into(),
                _ => files
                    .last()
                    .map(|f| f.strip_prefix(root).unwrap().as_os_str().to_os_string())
                    .unwrap_or_else(|| "b".into()),
            };
            std::os::unix::fs::symlink(&target, &path).unwrap();
            continue;
        }
        let size = if rng.chance(10) {
            0
        } else {
            rng.below(spec.max_size)
        };
        let content: Vec<u8> = (0..size).map(|_| rng.next() as u8).collect();
        fs::write(&path, content).unwrap();
        if rng.chance(20) {
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
        files.push(path);
    }
}

/// A command whose environment is scrubbed of what changes how git, the packaging tools or
/// custody behave: every `GIT_*` variable, `SOURCE_DATE_EPOCH`, `TZ`, the locale and colour
/// settings. git reads no system or global configuration; the locale is `C.UTF-8`, the time
/// zone UTC and colour off. Tests add what they need on top.
pub fn cmd(program: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(program);
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("GIT_")
            || k.starts_with("LC_")
            || k.starts_with("CUSTODY_")
            || [
                "SOURCE_DATE_EPOCH",
                "LANG",
                "LANGUAGE",
                "TZ",
                "NO_COLOR",
                "CLICOLOR_FORCE",
            ]
            .contains(&k.as_ref())
        {
            c.env_remove(&key);
        }
    }
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("LC_ALL", "C.UTF-8")
        .env("TZ", "UTC")
        .env("NO_COLOR", "1");
    c
}

/// The custody binary under test, through [`cmd`]. Its temporary directory is
/// [`scratch_tmpdir`], so what a rebuild keeps for the user to inspect (log, rebuilt artifact)
/// stays out of the system's temporary directory.
pub fn custody() -> Command {
    let mut c = cmd(assert_cmd::cargo::cargo_bin("custody"));
    c.env("TMPDIR", scratch_tmpdir());
    c
}

/// Where the custody runs of the tests keep their work directories: under cargo's temporary
/// directory for integration tests (`target/tmp`), which `scripts/test` empties after a run.
pub fn scratch_tmpdir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("custody-test-scratch");
        std::fs::create_dir_all(&dir).expect("the tests' scratch directory can be made");
        dir
    })
}

/// `git` run in `dir`, through [`cmd`].
pub fn git_cmd(dir: &Path) -> Command {
    let mut c = cmd("git");
    c.current_dir(dir);
    c
}

/// Run a tool that must succeed; its stdout as text. A missing tool fails the test, naming it.
pub fn run(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&run_bytes(cmd)).into_owned()
}

/// Run a tool that must succeed; its stdout exactly.
pub fn run_bytes(cmd: &mut Command) -> Vec<u8> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{program}` is required by this test and is not installed (scripts/test installs it)"
        ),
        Err(e) => panic!("{program}: {e}"),
    };
    assert!(
        out.status.success(),
        "{program} {:?} failed: {}\n{}",
        cmd.get_args().collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Run git in `dir` and return its output; it must succeed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    run(git_cmd(dir).args(args))
}

/// Parse a `custody/report/v1` JSON report and validate it against the committed schema
/// (`src/report/schema.json`); a report that does not validate fails the test that made it.
pub fn report(text: &[u8]) -> Result<serde_json::Value, String> {
    let value: serde_json::Value = serde_json::from_slice(text).map_err(|e| e.to_string())?;
    if let Err(e) = validate(&value) {
        panic!(
            "the report does not validate against src/report/schema.json: {e}\n{}",
            serde_json::to_string_pretty(&value).unwrap()
        );
    }
    Ok(value)
}

/// Validate a report against `src/report/schema.json`.
pub fn validate(value: &serde_json::Value) -> Result<(), String> {
    use std::sync::OnceLock;
    static SCHEMA: OnceLock<(boon::Schemas, boon::SchemaIndex)> = OnceLock::new();
    let (schemas, index) = SCHEMA.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report/schema.json");
        let schema: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler
            .add_resource("schema.json", schema)
            .expect("the report schema is JSON");
        let index = compiler
            .compile("schema.json", &mut schemas)
            .expect("the report schema compiles");
        (schemas, index)
    });
    schemas
        .validate(value, *index)
        .map_err(|e| format!("{e:#}"))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn is_root() -> bool {
    run(Command::new("id").arg("-u")).trim() == "0"
}

/// Run custody with `args` as an unprivileged user, so that file permissions apply even when
/// the tests run as root (root reads every file whatever its mode).
pub fn custody_unprivileged(args: &[&OsStr]) -> Output {
    let bin = assert_cmd::cargo::cargo_bin("custody");
    if !is_root() {
        return Command::new(bin).args(args).output().expect("custody runs");
    }
    // The unprivileged user may not be able to reach the build directory: run a copy.
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let copy = dir.path().join("custody");
    fs::copy(&bin, &copy).unwrap();
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&copy)
        .args(args)
        .output()
        .expect("custody runs")
}

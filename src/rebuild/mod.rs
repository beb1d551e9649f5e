//! Rebuild and compare: build the reviewed commit again in a clean scratch directory and
//! compare what comes out with the published artifact.
//!
//! When the bytes agree, the artifact is proven to come from that source whatever its builder
//! did. When they do not, [`diff`] says where (which member, which bytes) and whether it
//! matters: a tar header's mtime is `metadata`, a changed function is `content`.
//!
//! Steps, each a check in the report: export the commit's tree ([`scratch`]); run the build
//! with a normalised environment, a timeout and, where the machine allows, no network and no
//! writes outside the scratch directory ([`sandbox`], [`execute`]); find the rebuilt artifact;
//! compare by digest, then structurally.

mod comparison;
pub mod diff;
mod execute;
mod members;
mod pairing;
mod sandbox;
mod scratch;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Serialize;

pub use comparison::{Comparison, compare as compare_files, file_sha256};
pub use diff::{ArchiveDiff, Change, Class, Detail, MemberDifference};
pub use execute::Ended;
pub use members::Container;

/// Why a rebuild could not run at all (exit 2). A build that fails, times out or produces
/// other bytes is not one of these: it is a failing check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RebuildError {
    /// The published artifact is missing, unreadable or not a regular file.
    #[error("artifact {path}: {reason}")]
    Artifact { path: String, reason: String },
    /// `--source` is no git repository, or `--source-rev` names no commit.
    #[error("{0}")]
    Source(String),
    /// No build command was given, or an `env` name is not a variable name.
    #[error("{0}")]
    Invalid(String),
    /// An `outputs` pattern is not a valid glob.
    #[error("outputs pattern `{glob}`: {source}")]
    BadGlob {
        glob: String,
        source: globset::Error,
    },
    /// The scratch directory could not be made or filled.
    #[error("scratch directory: {0}")]
    Scratch(std::io::Error),
}

/// Default time a build may run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3600);

/// Everything one rebuild needs.
#[derive(Clone, Debug)]
pub struct Request {
    /// The published artifact.
    pub artifact: PathBuf,
    /// The git checkout and the reviewed revision in it.
    pub source: PathBuf,
    pub rev: String,
    /// The build command, run from the checkout's top directory.
    pub command: Vec<String>,
    /// Where the build writes the artifact, relative to the checkout.
    pub built: Option<PathBuf>,
    /// Globs (relative to the checkout) of what the build produces; narrow the search.
    pub outputs: Vec<String>,
    /// Variables added to the normalised environment (they override it).
    pub env: BTreeMap<String, String>,
    pub timeout: Duration,
    /// A fixed path to check the commit out at (builds that embed their own path).
    pub build_path: Option<PathBuf>,
    /// Where the work directory is made (the system temporary directory by default).
    pub work_base: PathBuf,
    /// Keep the checkout after the build (the log and rebuilt artifact are always kept).
    pub keep_scratch: bool,
}

/// What the rebuild found: the report's `rebuild` section, and the facts
/// `crate::checks::rebuild` judges.
#[derive(Clone, Debug, Serialize)]
pub struct RebuildFacts {
    /// The commit rebuilt.
    pub commit: String,
    /// Its committer time, the build's `SOURCE_DATE_EPOCH`.
    #[serde(skip)]
    pub commit_time: i64,
    pub command: Vec<String>,
    /// The environment the build ran with (PATH included).
    pub environment: BTreeMap<String, String>,
    pub checkout: String,
    pub work_dir: String,
    /// The build's standard output and error; kept.
    pub log: String,
    pub build: Ended,
    pub build_seconds: f64,
    pub network_isolated: bool,
    pub filesystem_confined: bool,
    /// Why the build was not cut off from the network, when it was not.
    #[serde(skip)]
    pub network_problem: Option<String>,
    /// Why the build could write outside its scratch directory, when it could.
    #[serde(skip)]
    pub filesystem_problem: Option<String>,
    /// Where the build wrote the artifact (relative to the checkout), or why it was not found;
    /// `None` when the build did not succeed.
    #[serde(skip)]
    pub output: Option<Result<String, String>>,
    /// The rebuilt artifact's kept copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<ArchiveDiff>,
    /// SHA-256 of the published artifact.
    #[serde(skip)]
    pub sha256: String,
}

impl RebuildFacts {
    /// Whether the build exited 0.
    pub fn built(&self) -> bool {
        matches!(self.build, Ended::Exited { code: 0 })
    }

    /// Whether the rebuilt artifact has the published one's bytes.
    pub fn identical(&self) -> bool {
        self.rebuilt_sha256.as_deref() == Some(self.sha256.as_str())
    }
}

/// Rebuild the reviewed commit and compare the result with the artifact.
pub fn rebuild(req: &Request) -> Result<RebuildFacts, RebuildError> {
    let artifact_err = |reason: String| RebuildError::Artifact {
        path: req.artifact.display().to_string(),
        reason,
    };
    let meta = std::fs::metadata(&req.artifact).map_err(|e| artifact_err(e.to_string()))?;
    if !meta.is_file() {
        return Err(artifact_err("not a regular file".into()));
    }
    let name = req
        .artifact
        .file_name()
        .ok_or_else(|| artifact_err("has no file name".into()))?
        .to_owned();
    if req.command.is_empty() {
        return Err(RebuildError::Invalid(
            "no build command: give one after `--`, or `command` in the policy's [reproduce]"
                .into(),
        ));
    }
    if let Some(built) = &req.built
        && !is_relative_inside(built)
    {
        return Err(RebuildError::Invalid(format!(
            "--built {}: must be a relative path inside the checkout",
            built.display()
        )));
    }
    for key in req.env.keys() {
        if key.is_empty() || key.contains('=') || key.contains('\0') {
            return Err(RebuildError::Invalid(format!(
                "env: `{key}` is not a variable name"
            )));
        }
    }
    let outputs = glob_set(&req.outputs)?;
    let sha256 = comparison::file_sha256(&req.artifact).map_err(|e| artifact_err(e.to_string()))?;
    let source = |e: crate::git::GitError| RebuildError::Source(e.to_string());
    let repo = crate::git::Repo::open(&req.source).map_err(source)?;
    let commit = repo
        .resolve(&req.rev)
        .and_then(|id| repo.commit(id))
        .map_err(source)?;
    let tree = repo.tree(commit.id).map_err(source)?;

    let work = scratch::work_dir(&req.work_base).map_err(RebuildError::Scratch)?;
    let scratch_dir = work.join("scratch");
    let checkout = match &req.build_path {
        Some(p) => p.clone(),
        None => scratch_dir.join("src"),
    };
    if let Err(e) = tree.export(&checkout) {
        // Nothing ran yet: leave nothing behind.
        let _ = std::fs::remove_dir_all(&work);
        return Err(RebuildError::Scratch(e));
    }
    let log = work.join("build.log");

    let mut env = BTreeMap::new();
    if let Some(path) = std::env::var_os("PATH") {
        env.insert("PATH".to_owned(), path.to_string_lossy().into_owned());
    }
    env.insert("HOME".into(), path_str(&scratch_dir.join("home")));
    env.insert("TMPDIR".into(), path_str(&scratch_dir.join("tmp")));
    env.insert("SOURCE_DATE_EPOCH".into(), commit.time.to_string());
    env.insert("TZ".into(), "UTC".into());
    env.insert("LC_ALL".into(), "C.UTF-8".into());
    env.insert("LANG".into(), "C.UTF-8".into());
    env.extend(req.env.clone());

    let launcher = sandbox::Launcher::detect();
    let toolchain = sandbox::toolchain_dirs(&env);
    let mut writable: Vec<&Path> = vec![&scratch_dir];
    if req.build_path.is_some() {
        writable.push(&checkout);
    }
    let run = execute::run(
        &launcher,
        &execute::Invocation {
            argv: &req.command,
            dir: &checkout,
            writable: &writable,
            toolchain: &toolchain,
            env: &env,
            timeout: req.timeout,
            log: &log,
        },
    )
    .map_err(RebuildError::Scratch)?;

    let network = launcher.network();
    let mut facts = RebuildFacts {
        commit: commit.id.to_string(),
        commit_time: commit.time,
        command: req.command.clone(),
        environment: env,
        checkout: checkout.display().to_string(),
        work_dir: work.display().to_string(),
        log: log.display().to_string(),
        build: run.ended.clone(),
        build_seconds: run.seconds,
        network_isolated: network.is_ok(),
        filesystem_confined: run.filesystem.is_ok(),
        network_problem: network.err(),
        filesystem_problem: run.filesystem.clone().err(),
        output: None,
        rebuilt: None,
        rebuilt_sha256: None,
        diff: None,
        sha256,
    };
    if facts.built() {
        match find_output(&checkout, req.built.as_deref(), &outputs, &name) {
            Err(why) => facts.output = Some(Err(why)),
            Ok(found) => {
                let kept = work.join("rebuilt").join(&name);
                std::fs::copy(&found, &kept).map_err(RebuildError::Scratch)?;
                let rel = found.strip_prefix(&checkout).unwrap_or(&found);
                facts.output = Some(Ok(rel.display().to_string()));
                facts.rebuilt = Some(kept.display().to_string());
                let c = comparison::compare(&req.artifact, &facts.sha256, &kept)
                    .map_err(RebuildError::Scratch)?;
                facts.rebuilt_sha256 = Some(c.rebuilt_sha256);
                facts.diff = c.diff;
            }
        }
    }
    if !req.keep_scratch {
        // The log and the rebuilt copy stay; the checkout, home and tmp go.
        let _ = std::fs::remove_dir_all(&scratch_dir);
        if req.build_path.is_some() {
            let _ = std::fs::remove_dir_all(&checkout);
        }
    }
    Ok(facts)
}

/// The rebuilt artifact: `built`, or the one file named like the artifact among the outputs.
fn find_output(
    checkout: &Path,
    built: Option<&Path>,
    outputs: &Option<GlobSet>,
    name: &std::ffi::OsStr,
) -> Result<PathBuf, String> {
    if let Some(b) = built {
        let p = checkout.join(b);
        // The build may have made a directory on the way a symlink out of the checkout.
        let inside = match (p.canonicalize(), checkout.canonicalize()) {
            (Ok(real), Ok(top)) => real.starts_with(top),
            _ => true,
        };
        return match std::fs::symlink_metadata(&p) {
            Ok(_) if !inside => Err(format!(
                "--built {}: leads outside the checkout through a symlink",
                b.display()
            )),
            Ok(m) if m.is_file() => Ok(p),
            Ok(_) => Err(format!("--built {}: not a regular file", b.display())),
            Err(_) => Err(format!("the build wrote no {}", b.display())),
        };
    }
    let mut matched = Vec::new();
    for entry in walkdir::WalkDir::new(checkout)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let rel = entry.path().strip_prefix(checkout).unwrap_or(entry.path());
        if outputs.as_ref().is_none_or(|set| set.is_match(rel)) {
            matched.push(rel.to_owned());
        }
    }
    let named: Vec<&PathBuf> = matched
        .iter()
        .filter(|p| p.file_name() == Some(name))
        .collect();
    let list = |v: &[&PathBuf]| {
        v.iter()
            .take(10)
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (named.as_slice(), outputs.is_some()) {
        ([one], _) => Ok(checkout.join(one)),
        ([], true) if matched.len() == 1 => Ok(checkout.join(&matched[0])),
        ([], _) => Err(format!(
            "the build wrote no file named {}{}",
            name.to_string_lossy(),
            if outputs.is_some() {
                " among its outputs"
            } else {
                ""
            }
        )),
        (several, _) => Err(format!(
            "the build wrote {} files named {} ({}); name one with --built PATH or outputs",
            several.len(),
            name.to_string_lossy(),
            list(several)
        )),
    }
}

fn glob_set(globs: &[String]) -> Result<Option<GlobSet>, RebuildError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|source| RebuildError::BadGlob {
            glob: g.clone(),
            source,
        })?);
    }
    b.build().map(Some).map_err(|source| RebuildError::BadGlob {
        glob: globs.join(", "),
        source,
    })
}

fn is_relative_inside(p: &Path) -> bool {
    p.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && p.components().next().is_some()
}

fn path_str(p: &Path) -> String {
    p.display().to_string()
}

//! `custody rebuild ARTIFACT --source DIR [-- BUILD COMMAND...]`: rebuild the reviewed commit
//! in a clean scratch directory and compare the result with the artifact.
//!
//! Flags override the policy's `[reproduce]` section, which supplies the command, outputs,
//! environment, timeout, fixed build path and what differences are accepted.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::fatal;
use super::output::{ReportArgs, emit};
use crate::artifact::Artifact;
use crate::evidence::{ArtifactEvidence, Evidence, Reproduced};
use crate::policy::{Accept, Policy, Reproduce, ReproduceMode, rules};
use crate::rebuild::{self, Detail, RebuildFacts, Request};
use crate::report::html;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  custody rebuild dist/app-1.0.tar.gz --source . -- make dist\n  custody rebuild app.tgz --source . --source-rev v1.0 --built dist/app.tgz -- ./build.sh\n  custody rebuild app.tgz --source . --policy release.toml --html diff.html\n\nExit codes: 0 reproduced, 1 a check failed (not reproduced, build failed, no isolation), 2 custody could not run."
)]
pub struct RebuildArgs {
    /// The published artifact: an archive (compared member by member) or any file.
    pub artifact: PathBuf,
    /// The git checkout holding the reviewed source.
    #[arg(long, value_name = "DIR")]
    pub source: PathBuf,
    /// The reviewed commit (commit id, tag, branch); its tree is exported from git's objects.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub source_rev: String,
    /// Where the build writes the artifact, relative to the checkout. Default: the one file
    /// the build leaves with the artifact's file name.
    #[arg(long, value_name = "PATH")]
    pub built: Option<PathBuf>,
    /// A policy whose [reproduce] section gives the command and settings.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Add a variable to the build's environment; repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Kill the build (its whole process group) after this long: 90s, 20m, 1h. Default 1h.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Check the commit out at this absolute path (it must be new or empty), for builds that
    /// embed their own path.
    #[arg(long, value_name = "DIR")]
    pub build_path: Option<PathBuf>,
    /// Which differences pass: `identical` bytes only, or `content` (metadata differences
    /// accepted).
    #[arg(long, value_name = "WHAT", value_parser = ["identical", "content"])]
    pub accept: Option<String>,
    /// Make the work directory (log, rebuilt artifact, scratch) under DIR instead of the
    /// system's temporary directory.
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Keep the scratch checkout after the build.
    #[arg(long)]
    pub keep_scratch: bool,
    /// Also run diffoscope on the two artifacts when they differ, for a full report.
    #[arg(long)]
    pub diffoscope: bool,
    /// Write a self-contained HTML page of the differences to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// The build command, run from the top of the checkout (after `--`).
    #[arg(last = true, value_name = "BUILD COMMAND")]
    pub command: Vec<String>,
}

pub fn run(args: RebuildArgs) -> u8 {
    let (request, accept) = match prepare(&args) {
        Ok(r) => r,
        Err(e) => return fatal(e),
    };
    if args.diffoscope && which("diffoscope").is_none() {
        return fatal("--diffoscope: diffoscope is not installed (not found on PATH)");
    }
    let found = match rebuild::rebuild(&request) {
        Ok(r) => r,
        Err(e) => return fatal(e),
    };
    let name = args.artifact.display().to_string();
    let summary = summary(&found);
    let differs = found.rebuilt.is_some() && !found.identical();
    let rebuilt = found.rebuilt.clone();
    let work_dir = found.work_dir.clone();
    let policy = Policy {
        reproduce: Some(Reproduce {
            accept,
            ..Reproduce::contents(Vec::new())
        }),
        ..Policy::default()
    };
    let evidence = Evidence {
        artifacts: vec![ArtifactEvidence {
            name: name.clone(),
            digest: Artifact {
                name: name.clone(),
                sha256: found.sha256.clone(),
                sha512: None,
            },
            matched: Vec::new(),
            reproduced: Some(Reproduced::Rebuild(Box::new(found))),
        }],
        ..Evidence::default()
    };
    let mut report = crate::checks::assemble("rebuild", &policy, &evidence, 0, &name);
    if args.diffoscope
        && differs
        && let Some(rebuilt) = &rebuilt
    {
        report.notes.diffoscope = Some(run_diffoscope(
            &args.artifact,
            Path::new(rebuilt),
            &work_dir,
        ));
    }
    if let Some(path) = &args.html
        && let Some(page) = html::Page::of(&report.artifacts[0])
    {
        if let Err(e) = std::fs::write(path, html::render(&page)) {
            return fatal(format!("--html {}: {e}", path.display()));
        }
        report.notes.html = Some(path.display().to_string());
    }
    emit(
        &report,
        args.report.format(),
        args.report.output.as_deref(),
        &summary,
    )
}

/// Flags over the policy's `[reproduce]`, validated into a request.
fn prepare(args: &RebuildArgs) -> Result<(Request, Accept), String> {
    let reproduce = match &args.policy {
        Some(path) => {
            let p = super::load_policy(path)?;
            match p.reproduce {
                Some(r) if r.mode == ReproduceMode::Rebuild => Some(r),
                Some(_) => {
                    return Err(format!(
                        "{}: [reproduce] mode is \"contents\"; use custody compare",
                        path.display()
                    ));
                }
                None => None,
            }
        }
        None => None,
    };
    let mut env = reproduce
        .as_ref()
        .map(|r| r.env.clone())
        .unwrap_or_default();
    for kv in &args.env {
        let (k, v) =
            rules::workflow_input(kv).map_err(|_| format!("--env: KEY=VALUE, not {kv:?}"))?;
        env.insert(k, v);
    }
    let timeout = match &args.timeout {
        Some(t) => Some(rules::duration(t).map_err(|e| format!("--timeout: {e}"))?),
        None => reproduce.as_ref().and_then(|r| r.timeout),
    }
    .map(Duration::from_secs)
    .unwrap_or(rebuild::DEFAULT_TIMEOUT);
    let command = if args.command.is_empty() {
        reproduce
            .as_ref()
            .map(|r| r.command.clone())
            .unwrap_or_default()
    } else {
        args.command.clone()
    };
    let accept = match &args.accept {
        Some(a) => Accept::parse(a)?,
        None => reproduce.as_ref().map(|r| r.accept).unwrap_or_default(),
    };
    let build_path = match &args.build_path {
        Some(p) if !p.is_absolute() => {
            return Err(format!("--build-path {}: must be absolute", p.display()));
        }
        Some(p) => Some(p.clone()),
        None => reproduce.as_ref().and_then(|r| r.build_path.clone()),
    };
    let request = Request {
        artifact: args.artifact.clone(),
        source: args.source.clone(),
        rev: args.source_rev.clone(),
        command,
        built: args.built.clone(),
        outputs: reproduce
            .as_ref()
            .map(|r| r.outputs.clone())
            .unwrap_or_default(),
        env,
        timeout,
        build_path,
        work_base: args.work_dir.clone().unwrap_or_else(std::env::temp_dir),
        keep_scratch: args.keep_scratch,
    };
    Ok((request, accept))
}

/// Run diffoscope, its text report into the work directory; what happened, for the notes.
fn run_diffoscope(artifact: &Path, rebuilt: &Path, work: &str) -> String {
    let out = Path::new(work).join("diffoscope.txt");
    let status = Command::new("diffoscope")
        .arg("--text")
        .arg(&out)
        .arg(artifact)
        .arg(rebuilt)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match status {
        // diffoscope exits 1 when it found differences, which is what is expected here.
        Ok(s) if matches!(s.code(), Some(0 | 1)) => format!("diffoscope report: {}", out.display()),
        Ok(s) => format!("diffoscope failed ({s})"),
        Err(e) => format!("diffoscope could not run: {e}"),
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// The human summary: what was rebuilt, how, and every difference with its class.
fn summary(r: &RebuildFacts) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "rebuilt commit {} with `{}` (SOURCE_DATE_EPOCH={})",
        r.commit,
        r.command.join(" "),
        r.environment
            .get("SOURCE_DATE_EPOCH")
            .map(String::as_str)
            .unwrap_or("?")
    );
    let _ = writeln!(
        out,
        "  work directory: {} (kept until you remove it)",
        r.work_dir
    );
    let _ = writeln!(out, "  log: {}", r.log);
    if let Some(rebuilt) = &r.rebuilt {
        let _ = writeln!(out, "  rebuilt artifact kept at {rebuilt}");
    }
    let comparison = match (&r.rebuilt_sha256, &r.diff) {
        (None, _) => "none",
        (Some(_), None) => "identical",
        (Some(_), Some(_)) => "different",
    };
    let _ = writeln!(out, "  comparison: {comparison}");
    if let Some(d) = &r.diff {
        describe_diff(&mut out, d);
    }
    out
}

/// Every difference of a structural diff, one line each with its class, then its detail.
pub(super) fn describe_diff(out: &mut String, d: &rebuild::ArchiveDiff) {
    let _ = writeln!(
        out,
        "  {} ({} members) vs rebuilt {}: {} identical, {} content and {} metadata difference(s)",
        d.artifact_container.name(),
        d.members,
        d.rebuilt_container.name(),
        d.identical,
        d.count(rebuild::Class::Content),
        d.count(rebuild::Class::Metadata)
    );
    for x in &d.differences {
        let path = if x.path.is_empty() {
            "(archive)"
        } else {
            x.path.as_str()
        };
        let class = match x.class {
            rebuild::Class::Content => "content",
            rebuild::Class::Metadata => "metadata",
        };
        let _ = writeln!(out, "  {class:<9} {path}: {}", x.fields.join("; "));
        match &x.detail {
            Some(Detail::Text {
                diff, truncated, ..
            }) => {
                for l in diff.lines() {
                    let _ = writeln!(out, "      {l}");
                }
                if *truncated {
                    let _ = writeln!(out, "      ...");
                }
            }
            Some(Detail::Binary {
                artifact_size,
                rebuilt_size,
                ranges,
            }) => {
                let list: Vec<String> = ranges.iter().map(|(a, b)| format!("{a}..{b}")).collect();
                let _ = writeln!(
                    out,
                    "      {artifact_size} bytes published, {rebuilt_size} rebuilt; differing bytes {}",
                    list.join(", ")
                );
            }
            None => {}
        }
    }
}

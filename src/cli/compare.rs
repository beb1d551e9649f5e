//! `custody compare ARTIFACT --source DIR`: does a release archive hold the reviewed commit's
//! files and nothing unexplained?

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::output::{Format, emit};
use crate::contents::{self, ContentsPolicy, ContentsReport, Difference, FileClass, SourceTree};
use crate::report::{ArtifactReport, Report};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  custody compare dist/xz-5.6.1.tar.gz --source .\n  custody compare target/package/demo-0.1.0.crate --source . --format json\n  custody compare dist/pkg.tgz --source . --allow-extra 'configure' --allow-extra 'm4/libtool.m4'\n\nExit codes: 0 every file identical or explained, 1 a check failed, 2 custody could not run."
)]
pub struct CompareArgs {
    /// The release archive: tar, tar.gz/.tgz, tar.xz, tar.bz2, tar.zst, zip, .crate, sdist,
    /// wheel or npm .tgz (recognised by content, not name).
    pub artifact: PathBuf,
    /// The git checkout holding the reviewed source.
    #[arg(long, value_name = "DIR")]
    pub source: PathBuf,
    /// The reviewed commit (commit id, tag, branch); compared from git's objects, not the
    /// working tree.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub source_rev: String,
    /// Permit extra files (absent from the commit) matching GLOB; repeatable. Build outputs
    /// among them are still named.
    #[arg(long = "allow-extra", value_name = "GLOB")]
    pub allow_extra: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: CompareArgs) -> u8 {
    let name = args.artifact.display().to_string();
    if name.starts_with("sha256:") && !args.artifact.exists() {
        return super::fatal("compare needs the archive itself, not only its digest");
    }
    let policy = match ContentsPolicy::new(&args.allow_extra) {
        Ok(p) => p,
        Err(e) => return super::fatal(e),
    };
    let source = match SourceTree::open(&args.source, &args.source_rev) {
        Ok(s) => s,
        Err(e) => return super::fatal(e),
    };
    let found = match contents::compare(&args.artifact, &source, &policy) {
        Ok(r) => r,
        Err(e) => return super::fatal(e),
    };
    let digest = BTreeMap::from([("sha256".to_owned(), found.sha256.clone())]);
    let mut artifact = ArtifactReport::new(name, digest, found.checks.clone());
    let section = serde_json::to_value(&found).expect("a contents report always serialises");
    artifact.details.insert("contents".into(), section);
    let report = Report::new("compare", vec![artifact]);
    emit(
        &report,
        args.format,
        args.output.as_deref(),
        &summary(&found),
    )
}

/// The human summary: what was compared with what, counts per class, then every file that is
/// not identical, with its rule, kind or difference.
fn summary(r: &ContentsReport) -> String {
    let mut out = String::new();
    let format = r.format.map(|f| f.name()).unwrap_or("unknown format");
    let _ = writeln!(
        out,
        "{format} ({}) compared with commit {} (from {}){}",
        r.ecosystem.name(),
        r.commit,
        r.commit_from,
        if r.dirty == Some(true) {
            ", packaged dirty"
        } else {
            ""
        }
    );
    if !r.archive_prefix.is_empty() || !r.source_prefix.is_empty() {
        let _ = writeln!(
            out,
            "  archive {}* = repository {}*",
            r.archive_prefix, r.source_prefix
        );
    }
    let counts: Vec<String> = r.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(out, "  {}", counts.join(", "));
    for f in r.files.iter().filter(|f| f.class != FileClass::Identical) {
        let mut line = format!("  {:<20} {}", f.class.name(), f.archive_path);
        if let Some(rule) = f.rule {
            let _ = write!(line, " [{rule}]");
        }
        if let Some(kind) = f.kind {
            let _ = write!(line, " ({kind})");
        }
        if let Some(d) = &f.detail {
            let _ = write!(line, ": {d}");
        }
        let _ = writeln!(out, "{line}");
        match &f.difference {
            Some(Difference::Text { diff, truncated }) => {
                for l in diff.lines() {
                    let _ = writeln!(out, "      {l}");
                }
                if *truncated {
                    let _ = writeln!(out, "      ...");
                }
            }
            Some(Difference::Binary {
                archive_size,
                source_size,
                first_difference,
            }) => {
                let _ = writeln!(
                    out,
                    "      {archive_size} bytes in the archive, {source_size} in git; first \
                     difference at byte {first_difference}"
                );
            }
            None => {}
        }
    }
    if !r.missing.is_empty() {
        let shown: Vec<&str> = r.missing.iter().take(10).map(String::as_str).collect();
        let more = r.missing.len() - shown.len();
        let _ = writeln!(
            out,
            "  in the commit, not in the archive (information): {}{}",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    out
}

//! `custody compare ARTIFACT --source DIR`: does a release archive hold the reviewed commit's
//! files and nothing unexplained?

use crate::limits::MAX_GO_SUM;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::output::{ReportArgs, emit};
use crate::artifact::Artifact;
use crate::contents::{self, AllowExtra, ContentsFacts, Difference, Ecosystem, FileClass};
use crate::evidence::{ArtifactEvidence, Evidence, Reproduced};
use crate::policy::{Policy, Reproduce};
use crate::source::Checkout;

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
    /// The artifact's packaging: crate, npm, python-sdist, python-wheel, go-module or plain.
    /// Default: from its file name (.crate, .whl) and, for .tar.gz, .tgz and .zip, from what
    /// the reviewed commit declares (pyproject.toml or setup.py, package.json, go.mod); never
    /// from the archive's own files alone, which whoever made it wrote.
    #[arg(long, value_name = "KIND")]
    pub ecosystem: Option<String>,
    /// An artifact that names an ancestor of the reviewed commit as its source (a crate's
    /// .cargo_vcs_info.json, npm's gitHead) is compared with that ancestor; without this it
    /// fails (contents-commit-not-reviewed).
    #[arg(long)]
    pub accept_ancestor: bool,
    /// Accept a metadata field that packaging rules cannot derive from the commit without
    /// running the build (version, dependencies, entry-points, name, requires-python,
    /// checksums); repeatable. Without it such a field fails contents-metadata-unverified;
    /// rebuilding is how to check it.
    #[arg(long = "accept-unverified", value_name = "FIELD")]
    pub accept_unverified: Vec<String>,
    /// A go.sum file: a Go module zip's h1: hash must be the one it records for the module
    /// and version (contents-go-sum).
    #[arg(long = "go-sum", value_name = "FILE")]
    pub go_sum: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: CompareArgs) -> u8 {
    let name = args.artifact.display().to_string();
    if name.starts_with("sha256:") && !args.artifact.exists() {
        return super::fatal("compare needs the archive itself, not only its digest");
    }
    let allow_extra = match AllowExtra::new(&args.allow_extra) {
        Ok(p) => p,
        Err(e) => return super::fatal(e),
    };
    let ecosystem = match args.ecosystem.as_deref().map(Ecosystem::parse).transpose() {
        Ok(e) => e,
        Err(e) => return super::fatal(format!("--ecosystem: {e}")),
    };
    let mut accept_unverified = Vec::new();
    for f in &args.accept_unverified {
        match contents::Field::parse(f) {
            Ok(f) => accept_unverified.push(f),
            Err(e) => return super::fatal(format!("--accept-unverified: {e}")),
        }
    }
    let go_sum = match &args.go_sum {
        None => None,
        Some(path) => match crate::limits::read_small(path, MAX_GO_SUM) {
            Ok(text) => Some(text),
            Err(e) => return super::fatal(format!("--go-sum {}: {e}", path.display())),
        },
    };
    let options = contents::Options {
        allow_extra,
        ecosystem,
        accept_ancestor: args.accept_ancestor,
        accept_unverified,
        go_sum,
    };
    let checkout = match Checkout::open(&args.source, Some(&args.source_rev)) {
        Ok(s) => s,
        Err(e) => return super::fatal(e),
    };
    let found =
        match contents::compare(&args.artifact, checkout.repo(), checkout.commit(), &options) {
            Ok(r) => r,
            Err(e) => return super::fatal(e),
        };
    let summary = summary(&found);
    let policy = Policy {
        reproduce: Some(Reproduce {
            ecosystem: args.ecosystem.clone(),
            accept_ancestor: args.accept_ancestor,
            accept_unverified: args.accept_unverified.clone(),
            ..Reproduce::contents(args.allow_extra.clone())
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
            reproduced: Some(Reproduced::Contents(Box::new(found))),
        }],
        ..Evidence::default()
    };
    let report = crate::checks::assemble("compare", &policy, &evidence, 0, &name);
    emit(
        &report,
        args.report.format(),
        args.report.output.as_deref(),
        &summary,
    )
}

fn summary(r: &ContentsFacts) -> String {
    let mut out = String::new();
    if r.unreadable() {
        // Nothing was read, so there are no counts to give and no file is missing: the one
        // failing check says why.
        return out;
    }
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
        let from = match r.source_from {
            contents::FolderFrom::PathInVcs => " (path_in_vcs)",
            contents::FolderFrom::RepositoryDirectory => " (repository.directory)",
            contents::FolderFrom::Inferred => " (inferred from matching files)",
            contents::FolderFrom::GoMod => " (its go.mod declares the module)",
            contents::FolderFrom::Root => "",
        };
        let _ = writeln!(
            out,
            "  archive {}* = repository {}*{from}",
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
        if let Some(preview) = &f.preview {
            for l in preview.lines() {
                let _ = writeln!(out, "      | {l}");
            }
        }
        // The first finding is the detail already shown.
        for finding in f.findings.iter().skip(1) {
            let _ = writeln!(out, "      {finding}");
        }
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

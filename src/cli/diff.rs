//! `custody diff PUBLISHED REBUILT`: the comparison step of `rebuild` alone, for an artifact
//! rebuilt elsewhere: same bytes, or where the archives differ and whether it matters.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::fatal;
use super::output::{ReportArgs, emit};
use super::rebuild::describe_diff;
use crate::checks::rebuild::{comparison, reproduced};
use crate::policy::Accept;
use crate::rebuild;
use crate::report::html;
use crate::verdict::{ArtifactVerdict, RebuildSection, RunVerdict, Sections};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  custody diff dist/app-1.0.tar.gz rebuilt/app-1.0.tar.gz\n  custody diff app.whl app-rebuilt.whl --accept content --html diff.html\n\nExit codes: 0 the same (bytes, or contents with --accept content), 1 they differ, 2 custody could not run."
)]
pub struct DiffArgs {
    /// The published artifact.
    pub published: PathBuf,
    /// The artifact rebuilt from the reviewed source.
    pub rebuilt: PathBuf,
    /// Which differences pass: `identical` bytes only, or `content` (metadata differences
    /// accepted).
    #[arg(long, value_name = "WHAT", value_parser = ["identical", "content"], default_value = "identical")]
    pub accept: String,
    /// Write a self-contained HTML page of the differences to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: DiffArgs) -> u8 {
    let accept = match Accept::parse(&args.accept) {
        Ok(a) => a,
        Err(e) => return fatal(e),
    };
    for (role, p) in [
        ("published artifact", &args.published),
        ("rebuilt artifact", &args.rebuilt),
    ] {
        match std::fs::metadata(p) {
            Ok(m) if m.is_file() => {}
            Ok(_) => return fatal(format!("{role} {}: not a regular file", p.display())),
            Err(e) => return fatal(format!("{role} {}: {e}", p.display())),
        }
    }
    let sha256 = match rebuild::file_sha256(&args.published) {
        Ok(d) => d,
        Err(e) => {
            return fatal(format!(
                "published artifact {}: {e}",
                args.published.display()
            ));
        }
    };
    let c = match rebuild::compare_files(&args.published, &sha256, &args.rebuilt) {
        Ok(c) => c,
        Err(e) => return fatal(e),
    };
    let name = args.published.display().to_string();
    let digest = BTreeMap::from([("sha256".to_owned(), sha256.clone())]);
    let word = comparison(Some(&c.rebuilt_sha256), c.diff.as_ref(), accept);
    let check = reproduced(Some(&c.rebuilt_sha256), c.diff.as_ref(), accept);
    let sections = Sections {
        rebuild: Some(RebuildSection {
            build: None,
            rebuilt: Some(args.rebuilt.display().to_string()),
            rebuilt_sha256: Some(c.rebuilt_sha256.clone()),
            diff: c.diff.clone(),
            comparison: word,
            accept,
        }),
        ..Sections::default()
    };
    let artifact = ArtifactVerdict::new(&name, digest, vec![check], sections);
    let mut report = RunVerdict::new("diff", vec![artifact]);
    if let Some(path) = &args.html
        && let Some(page) = html::Page::of(&report.artifacts[0])
    {
        if let Err(e) = std::fs::write(path, html::render(&page)) {
            return fatal(format!("--html {}: {e}", path.display()));
        }
        report.notes.html = Some(path.display().to_string());
    }
    let mut summary = String::new();
    let _ = writeln!(
        summary,
        "{} vs {}: {}",
        args.published.display(),
        args.rebuilt.display(),
        word
    );
    if let Some(d) = &c.diff {
        describe_diff(&mut summary, d);
    }
    emit(
        &report,
        args.report.format(),
        args.report.output.as_deref(),
        &summary,
    )
}

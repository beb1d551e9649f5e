//! Turning what the passes found into checks: one per problem (so SARIF has one result per
//! failure), at most [`MAX_CHECKS_PER_CODE`] of a code, and a passing check for every code that
//! found nothing, so a report shows what was looked at, not only what went wrong.

use super::classify::{FileClass, FileReport};
use crate::archive::{ReadOutcome, Stop};
use crate::check::Check;
use crate::limits::MAX_CHECKS_PER_CODE;

/// Entry-level codes, with the message a passing check of each carries.
const ENTRY_CODES: &[(&str, &str)] = &[
    ("archive-absolute-path", "no entry has an absolute path"),
    ("archive-path-traversal", "no entry path contains `..`"),
    ("archive-link-escape", "no link points outside the archive"),
    ("archive-duplicate-entry", "no path is stored twice"),
    (
        "archive-special-entry",
        "no device, FIFO or dangling hard link",
    ),
    ("archive-path-invalid", "every path is UTF-8"),
];

/// Checks on how the archive read, and on every entry the first pass refused.
pub(crate) fn archive_checks(
    outcome: &ReadOutcome,
    entries: usize,
    files: &[FileReport],
) -> Vec<Check> {
    let mut checks = Vec::new();
    let format = outcome.format.map(|f| f.name()).unwrap_or("unknown");
    let clean =
        |code, message: &str| clean_or_partial(code, message, outcome.stop.is_none(), entries);
    let (mut bomb, mut limit, mut ambiguous) = (None, None, None);
    match &outcome.stop {
        None => checks.push(Check::pass(
            "archive-unreadable",
            format!("{format} archive read to its end: {entries} entries"),
        )),
        Some(Stop::Unsupported(why)) | Some(Stop::Malformed(why)) => checks.push(Check::fail(
            "archive-unreadable",
            format!("{format} archive: {why} (after {entries} entries)"),
        )),
        Some(Stop::Bomb(why)) => bomb = Some(why.clone()),
        Some(Stop::OverLimit(why)) => limit = Some(why.clone()),
        Some(Stop::Ambiguous(why)) => ambiguous = Some(why.clone()),
    }
    checks.push(match ambiguous {
        Some(why) => Check::fail("archive-ambiguous", why),
        None => clean(
            "archive-ambiguous",
            "tar, bsdtar, Python and unzip read every entry the same way",
        ),
    });
    checks.push(match bomb {
        Some(why) => Check::fail("archive-bomb", why),
        None => clean(
            "archive-bomb",
            "unpacked within the size and compression-ratio limits",
        ),
    });
    let over: Vec<&FileReport> = problems(files, "archive-limit").collect();
    match limit {
        Some(why) => checks.push(Check::fail("archive-limit", why)),
        None if over.is_empty() => checks.push(clean(
            "archive-limit",
            "entry count and path lengths within limits",
        )),
        None => {}
    }
    push_capped(
        &mut checks,
        "archive-limit",
        over.iter().map(|f| message(f)),
    );
    for (code, fine) in ENTRY_CODES {
        let failures: Vec<String> = problems(files, code).map(message).collect();
        if failures.is_empty() {
            checks.push(clean(code, fine));
        }
        push_capped(&mut checks, code, failures.into_iter());
    }
    checks
}

/// Checks on the files: modified ones, unexplained ones, allowed extras that are build outputs,
/// and the overall verdict on contents.
pub(crate) fn contents_checks(files: &[FileReport], complete: bool, commit: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    let modified: Vec<String> = files
        .iter()
        .filter(|f| f.class == FileClass::Modified)
        .map(|f| {
            let source = f.source_path.as_deref().unwrap_or("?");
            format!("{}: differs from {source} in the commit", f.archive_path)
        })
        .collect();
    let clean = |code, message: &str| clean_or_partial(code, message, complete, files.len());
    if modified.is_empty() {
        checks.push(clean(
            "contents-modified",
            "no file differs from the commit",
        ));
    }
    push_capped(&mut checks, "contents-modified", modified.into_iter());
    let unexplained: Vec<String> = files
        .iter()
        .filter(|f| f.class == FileClass::Unexplained)
        .filter(|f| f.problem.is_none() || f.problem == Some("contents-unexplained"))
        .map(|f| match (f.kind, &f.detail) {
            (_, Some(d)) if f.problem.is_some() => d.clone(),
            (Some(kind), _) => format!("{}: {kind}, not in the commit", f.archive_path),
            (None, _) => format!(
                "{}: not in the commit and no packaging rule explains it",
                f.archive_path
            ),
        })
        .collect();
    if unexplained.is_empty() {
        checks.push(clean(
            "contents-unexplained",
            "every file is in the commit or explained",
        ));
    }
    push_capped(&mut checks, "contents-unexplained", unexplained.into_iter());
    let outputs: Vec<String> = files
        .iter()
        .filter(|f| f.class == FileClass::AllowedExtra)
        .filter_map(|f| Some(format!("{} ({})", f.archive_path, f.kind?)))
        .collect();
    if !outputs.is_empty() {
        // Permitted by policy, so not a failure; but a build output in a source release is
        // always worth a human look, so it is named in the report.
        checks.push(Check::pass(
            "contents-build-output",
            format!(
                "allowed by policy, but build outputs: {}",
                outputs.join(", ")
            ),
        ));
    }
    let bad = files
        .iter()
        .filter(|f| matches!(f.class, FileClass::Modified | FileClass::Unexplained))
        .count();
    checks.push(if !complete {
        Check::not_performed(
            "contents-matches-source",
            "the archive was not read to its end, so not every file was compared",
        )
    } else if bad == 0 {
        Check::pass(
            "contents-matches-source",
            format!(
                "all {} files are identical to commit {commit} or explained",
                files.len()
            ),
        )
    } else {
        Check::fail(
            "contents-matches-source",
            format!("{bad} of {} files are modified or unexplained", files.len()),
        )
    });
    checks
}

/// A check that found nothing wrong: passed when the whole archive was read, otherwise not
/// performed, since what was not read was not checked.
fn clean_or_partial(code: &'static str, message: &str, complete: bool, read: usize) -> Check {
    if complete {
        Check::pass(code, message)
    } else {
        Check::not_performed(
            code,
            format!("{message} among the {read} read, but the archive was not read to its end"),
        )
    }
}

fn problems<'a>(files: &'a [FileReport], code: &'a str) -> impl Iterator<Item = &'a FileReport> {
    files.iter().filter(move |f| f.problem == Some(code))
}

fn message(f: &FileReport) -> String {
    f.detail.clone().unwrap_or_else(|| f.archive_path.clone())
}

/// One failing check per message, at most [`MAX_CHECKS_PER_CODE`], then one that counts the rest.
fn push_capped(
    checks: &mut Vec<Check>,
    code: &'static str,
    messages: impl Iterator<Item = String>,
) {
    let mut extra = 0usize;
    for (i, m) in messages.enumerate() {
        if i < MAX_CHECKS_PER_CODE {
            checks.push(Check::fail(code, m));
        } else {
            extra += 1;
        }
    }
    if extra > 0 {
        checks.push(Check::fail(code, format!("and {extra} more")));
    }
}

//! Contents versus source, judged: every file of the archive identical to the reviewed commit,
//! explained by a packaging rule, or allowed by the policy; nothing unexplained, nothing
//! modified, and an archive every extractor reads the same way. One check per problem (so SARIF
//! has one result per failure), at most [`MAX_CHECKS_PER_CODE`] of a code, and a passing check
//! for every code that found nothing, so a report shows what was looked at, not only what went
//! wrong.

use super::{Context, Sink};
use crate::check::Check;
use crate::contents::{
    ContentsFacts, FileClass, FileReport, FolderFrom, ProblemKind, Relation, Stop,
};
use crate::evidence::Reproduced;
use crate::limits::MAX_CHECKS_PER_CODE;
use crate::policy::ReproduceMode;

crate::codes! {
    /// What comparing an archive with the reviewed commit reports.
    pub enum Code {
        ArchiveUnreadable = "archive-unreadable" {
            summary: "The artifact is not an archive custody reads, or it is corrupt",
            description: "custody reads tar (plain, gzip, xz, bzip2, zstd) and zip archives, \
            recognised by their magic bytes, and the packages built on them (.crate, sdist, \
            wheel, npm .tgz). A file that is none of these, or whose stream is truncated or \
            corrupt, cannot be compared, so the comparison fails. Rebuild the archive, or check \
            that the right file was given.",
        },
        ArchiveAmbiguous = "archive-ambiguous" {
            summary: "Extractors could read the archive two ways",
            description: "The tools that unpack a release (GNU tar, bsdtar, Python's tarfile, pip, \
            unzip, streaming zip readers) do not always agree on what an archive holds: a pax \
            path beside a GNU long name, two path records, a prefix field under a non-ustar \
            magic, a link that declares content, data after the end-of-archive marker, a zip \
            entry named differently in its local header and the central directory, bytes \
            between zip entries, a file that is both a tar and a zip, or a name that promises \
            another format than the bytes. custody compares what it reads, so where readers \
            disagree it cannot vouch for what any of them unpacks, and refuses the archive. \
            Legitimate packaging tools never write these; rebuild the archive with one.",
        },
        ArchiveBomb = "archive-bomb" {
            summary: "The archive unpacks past the size or compression-ratio limit",
            description: "Unpacked bytes are counted as they stream out of the decompressor; reading \
            stops once they pass 8 GiB, or (past 16 MiB) more than 200 times the bytes read \
            from disk. Real source releases compress 3-10x; a higher ratio is a zip or gzip \
            bomb. Nothing after the limit is compared.",
        },
        ArchiveLimit = "archive-limit" {
            summary: "Too many entries, or an entry path too long or too deep",
            description: "An archive may hold at most 1,000,000 entries; an entry path at most 4096 \
            bytes and 256 components. Past these, the archive is treated as hostile.",
        },
        ArchiveAbsolutePath = "archive-absolute-path" {
            summary: "An entry has an absolute path",
            description: "An entry named /etc/... (or C:\\... in a zip) would be written outside \
            the extraction directory by a naive extractor. No release needs one.",
        },
        ArchivePathTraversal = "archive-path-traversal" {
            summary: "An entry path contains `..`",
            description: "A `..` component lets an entry climb out of the extraction directory \
            (\"zip slip\"). No release needs one.",
        },
        ArchiveLinkEscape = "archive-link-escape" {
            summary: "A symlink or hard link points outside the archive",
            description: "A symlink whose target, resolved from its own directory, leaves the \
            archive root; an absolute or `..` hard link; or an entry written through a symlink \
            the archive itself created. Extractors that follow them write or read outside the \
            extraction directory.",
        },
        ArchiveDuplicateEntry = "archive-duplicate-entry" {
            summary: "A path is stored twice",
            description: "Tar keeps both copies and extraction keeps the last, so a reviewer who \
            reads the first sees other content than the user who extracts. Each copy is \
            classified; the duplication itself fails.",
        },
        ArchiveSpecialEntry = "archive-special-entry" {
            summary: "A device node, FIFO, socket, or hard link to no earlier file",
            description: "Source releases hold files, directories and symlinks. Special files have \
            no place in them, and a hard link to an entry that does not precede it is corrupt \
            or hostile.",
        },
        ArchivePathInvalid = "archive-path-invalid" {
            summary: "An entry path is not UTF-8 or holds a NUL byte",
            description: "Such a path matches no repository path and is treated differently by \
            different extractors.",
        },
        ContentsCommit = "contents-commit" {
            summary: "Which commit the archive was compared with",
            description: "The archive is compared with the commit --source-rev names (default \
            HEAD), unless it names its own: a crate's .cargo_vcs_info.json (git.sha1) or npm's \
            gitHead. A named commit must be the reviewed commit or one of its ancestors; \
            otherwise this fails and the reviewed commit is used, so differences show what \
            was not reviewed. A crate packaged from a dirty working tree is noted here.",
        },
        ContentsCommitNotReviewed = "contents-commit-not-reviewed" {
            summary: "the artifact names another commit than the reviewed one",
            description: "A crate's .cargo_vcs_info.json and an npm package's gitHead name the \
                commit the artifact was packaged from. When that is not the reviewed commit, the \
                artifact was built from source nobody reviewed as this release: an ancestor \
                (v1.0's vulnerable file shipped as v2.0), an unrelated commit, or one the \
                repository does not have. custody compares the files with the reviewed commit \
                and fails. When shipping an older commit's package is intended, say so with \
                --accept-ancestor (or accept-ancestor = true under [reproduce]): the files are \
                then compared with that ancestor.",
        },
        ContentsPackageFolder = "contents-package-folder" {
            summary: "Which folder of the repository the package was compared with",
            description: "A package built from a folder of a repository (a workspace member, a \
            monorepo package) is compared with that folder: the one the artifact names (a \
            crate's path_in_vcs, npm's repository.directory), else the one where its files are \
            found in the commit, which the report marks as inferred. A crate from before \
            path_in_vcs existed names no folder; an inferred folder is trusted only when its \
            Cargo.toml is byte for byte the crate's Cargo.toml.orig, and otherwise this fails as \
            inconclusive: custody cannot tell which folder the crate came from.",
        },
        ContentsGoSum = "contents-go-sum" {
            summary: "A Go module zip's h1: hash, against the one go.sum records",
            description: "The Go command checks every module it downloads against go.sum (and \
            the checksum database) by the h1: hash of the zip's files. custody computes the same \
            hash; given --go-sum FILE, the line for the module and version must record it, so \
            the zip compared is the one Go builds with. Without a go.sum the hash is reported \
            and the check is not performed.",
        },
        ContentsModified = "contents-modified" {
            summary: "A file differs from the commit's file at the same path",
            description: "The report shows a short unified diff for text, and sizes and the first \
            differing byte for binary files. Unless a packaging rule explains the difference, \
            the archive does not hold the reviewed source.",
        },
        ContentsUnexplained = "contents-unexplained" {
            summary: "A file is in the archive but not in the commit, and nothing explains it",
            description: "The xz-utils backdoor hid in such a file (m4/build-to-host.m4). Files \
            written by known packaging tools are explained by named rules; others may be \
            permitted with --allow-extra GLOB. Build outputs (ELF, Mach-O, PE, static \
            libraries, assembly) are recognised by their bytes, whatever their names. A file \
            whose SHA-1 shows a collision attack also fails here.",
        },
        ContentsMetadataUnverified = "contents-metadata-unverified" {
            summary: "Generated metadata holds a field custody cannot derive from the commit",
            description: "Packaging rules derive what a tool writes (PKG-INFO's version and \
            requirements, entry points, a lock file's checksums) from the commit's declarations. \
            Where only running the build could say (a version computed by setup.py, \
            dependencies a build hook adds), the field is not verified, and a release could \
            carry anything there. This fails unless the policy accepts the field by name: \
            accept-unverified = [\"version\"] under [reproduce], or --accept-unverified version. \
            Rebuilding (mode = \"rebuild\") is how to check such a field.",
        },
        ContentsBuildOutput = "contents-build-output" {
            summary: "Compiled output the commit does not hold, grouped by folder",
            description: "Packages often ship what a build made from the commit: JavaScript \
            compiled from TypeScript into dist/, type declarations, source maps, bundles, Python \
            bytecode. No packaging rule can tie such a file to the reviewed source, so a folder \
            of it that the commit lacks fails, once per folder, with the count of files. \
            Rebuilding is how to check it: [reproduce] mode = \"rebuild\" builds the commit \
            and compares the outputs. Object files, libraries and executables found among \
            allowed extras (allow-extra) are named here too, in a passing check, so a person \
            looks at them.",
        },
        ContentsMatchesSource = "contents-matches-source" {
            summary: "Every archive file is identical to the commit or explained",
            description: "The overall contents verdict. Not performed when the archive could not \
            be read to its end.",
        },
    }
}

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    match ctx.artifact.and_then(|a| a.reproduced.as_ref()) {
        Some(Reproduced::Contents(facts)) => sink.extend(judge(facts)),
        Some(Reproduced::NotPerformed {
            mode: ReproduceMode::Contents,
            reason,
        }) => sink.push(Check::not_performed(
            Code::ContentsMatchesSource,
            reason.clone(),
        )),
        _ => {}
    }
}

/// Every check of one comparison.
pub fn judge(facts: &ContentsFacts) -> Vec<Check> {
    let mut checks = archive_checks(
        facts.stop.as_ref(),
        facts.format,
        facts.entries,
        &facts.files,
    );
    if facts.unreadable() {
        // One clear failure: every other check would only repeat that nothing was read.
        checks.retain(|c| c.is(Code::ArchiveUnreadable));
        return checks;
    }
    checks.push(commit_check(facts));
    checks.push(folder_check(facts));
    if let Some(sum) = &facts.go_sum {
        checks.push(match (&sum.recorded, facts.go_sum_given) {
            (Some(r), _) if *r == sum.computed => Check::pass(
                Code::ContentsGoSum,
                format!("the zip's {} is the one go.sum records", sum.computed),
            ),
            (Some(r), _) => Check::fail(
                Code::ContentsGoSum,
                format!(
                    "go.sum records {r}, the zip's files hash to {}",
                    sum.computed
                ),
            ),
            (None, true) => Check::fail(
                Code::ContentsGoSum,
                format!(
                    "go.sum has no line for this module and version; the zip hashes to {}",
                    sum.computed
                ),
            ),
            (None, false) => Check::not_performed(
                Code::ContentsGoSum,
                format!(
                    "no go.sum given (--go-sum); the zip hashes to {}",
                    sum.computed
                ),
            ),
        });
    }
    checks.extend(contents_checks(facts));
    checks
}

/// The commit compared with: the reviewed one, or, when the policy accepts ancestors, an
/// ancestor the artifact names. An artifact naming any other commit was built from something
/// that was not reviewed as this release (v1.0's vulnerable file in a "v2.0" crate).
fn commit_check(f: &ContentsFacts) -> Check {
    let mut c = match &f.named_commit {
        None => Check::pass(
            Code::ContentsCommit,
            format!("compared with commit {}", f.reviewed_commit),
        ),
        Some((n, Relation::Reviewed)) => Check::pass(
            Code::ContentsCommit,
            format!(
                "the artifact names commit {} ({}), the reviewed commit",
                n.id, n.from
            ),
        ),
        Some((n, Relation::Ancestor)) if f.accept_ancestor => Check::pass(
            Code::ContentsCommit,
            format!(
                "the artifact names commit {} ({}), an ancestor of the reviewed commit {}; \
                 compared with it, as accept-ancestor allows",
                n.id, n.from, f.reviewed_commit
            ),
        ),
        Some((n, relation)) => {
            let why = match relation {
                Relation::Ancestor => {
                    "an ancestor of the reviewed commit, built from older source than was \
                     reviewed for this release (accept-ancestor compares with it instead)"
                }
                Relation::Missing => "which the repository does not have",
                _ => "which is not the reviewed commit nor one of its ancestors",
            };
            Check::fail(
                Code::ContentsCommitNotReviewed,
                format!(
                    "the artifact names commit {} ({}), {why}; its files were compared with the \
                     reviewed commit {}",
                    n.id, n.from, f.reviewed_commit
                ),
            )
        }
    };
    if f.dirty == Some(true) {
        c.message
            .push_str("; the crate was packaged from a dirty working tree");
    }
    c
}

/// The folder compared with, and for a crate whose folder was inferred, whether its manifest
/// ties it to the crate.
fn folder_check(f: &ContentsFacts) -> Check {
    let folder = if f.source_prefix.is_empty() {
        "the repository root".to_owned()
    } else {
        format!("folder {}", f.source_prefix)
    };
    match (f.source_from, f.folder_manifest_matches) {
        (FolderFrom::PathInVcs, _) => Check::pass(
            Code::ContentsPackageFolder,
            format!("{folder}, named by the crate's path_in_vcs"),
        ),
        (FolderFrom::RepositoryDirectory, _) => Check::pass(
            Code::ContentsPackageFolder,
            format!("{folder}, named by package.json's repository.directory"),
        ),
        (FolderFrom::Root, None) => Check::pass(Code::ContentsPackageFolder, folder),
        (FolderFrom::GoMod, _) => Check::pass(
            Code::ContentsPackageFolder,
            format!("{folder}, whose go.mod declares the module"),
        ),
        (FolderFrom::Root, Some(true)) => Check::pass(
            Code::ContentsPackageFolder,
            format!("{folder}: its Cargo.toml is the crate's Cargo.toml.orig"),
        ),
        (_, Some(false)) => Check::fail(
            Code::ContentsPackageFolder,
            format!(
                "inconclusive: the crate names no folder, and no folder's Cargo.toml is its \
                 Cargo.toml.orig ({folder} matched its files best), so which folder it came from \
                 is unknown"
            ),
        ),
        (FolderFrom::Inferred, Some(true)) => Check::pass(
            Code::ContentsPackageFolder,
            format!(
                "{folder}, inferred: its Cargo.toml is the crate's Cargo.toml.orig (the crate \
                 names no path_in_vcs)"
            ),
        ),
        (FolderFrom::Inferred, None) => Check::pass(
            Code::ContentsPackageFolder,
            format!("{folder}, inferred from where the archive's files are in the commit"),
        ),
    }
}

/// Entry-level codes, the problem each stands for, and the message a passing check carries.
const ENTRY_CODES: &[(Code, ProblemKind, &str)] = &[
    (
        Code::ArchiveAbsolutePath,
        ProblemKind::AbsolutePath,
        "no entry has an absolute path",
    ),
    (
        Code::ArchivePathTraversal,
        ProblemKind::PathTraversal,
        "no entry path contains `..`",
    ),
    (
        Code::ArchiveLinkEscape,
        ProblemKind::LinkEscape,
        "no link points outside the archive",
    ),
    (
        Code::ArchiveDuplicateEntry,
        ProblemKind::DuplicateEntry,
        "no path is stored twice",
    ),
    (
        Code::ArchiveSpecialEntry,
        ProblemKind::SpecialEntry,
        "no device, FIFO or dangling hard link",
    ),
    (
        Code::ArchivePathInvalid,
        ProblemKind::PathInvalid,
        "every path is UTF-8",
    ),
];

/// Checks on how the archive read, and on every entry the first pass refused.
fn archive_checks(
    stop: Option<&Stop>,
    format: Option<crate::archive::Format>,
    entries: usize,
    files: &[FileReport],
) -> Vec<Check> {
    let mut checks = Vec::new();
    let format = format.map(|f| f.name()).unwrap_or("unknown");
    let clean = |code, message: &str| clean_or_partial(code, message, stop.is_none(), entries);
    let (mut bomb, mut limit, mut ambiguous) = (None, None, None);
    match stop {
        None => checks.push(Check::pass(
            Code::ArchiveUnreadable,
            format!("{format} archive read to its end: {entries} entries"),
        )),
        Some(Stop::Unsupported(why)) | Some(Stop::Malformed(why)) => checks.push(Check::fail(
            Code::ArchiveUnreadable,
            match (format, entries) {
                ("unknown", 0) => format!("not an archive custody reads: {why}"),
                (_, 0) => format!("{format} archive: {why}, before its first entry"),
                _ => format!("{format} archive: {why} (after {entries} entries)"),
            },
        )),
        Some(Stop::Bomb(why)) => bomb = Some(why.clone()),
        Some(Stop::OverLimit(why)) => limit = Some(why.clone()),
        Some(Stop::Ambiguous(why)) => ambiguous = Some(why.clone()),
    }
    checks.push(match ambiguous {
        Some(why) => Check::fail(Code::ArchiveAmbiguous, why),
        None => clean(
            Code::ArchiveAmbiguous,
            "tar, bsdtar, Python and unzip read every entry the same way",
        ),
    });
    checks.push(match bomb {
        Some(why) => Check::fail(Code::ArchiveBomb, why),
        None => clean(
            Code::ArchiveBomb,
            "unpacked within the size and compression-ratio limits",
        ),
    });
    let over: Vec<&FileReport> = problems(files, ProblemKind::Limit).collect();
    match limit {
        Some(why) => checks.push(Check::fail(Code::ArchiveLimit, why)),
        None if over.is_empty() => checks.push(clean(
            Code::ArchiveLimit,
            "entry count and path lengths within limits",
        )),
        None => {}
    }
    push_capped(
        &mut checks,
        Code::ArchiveLimit,
        over.iter().map(|f| (f.archive_path.clone(), message(f))),
    );
    for (code, kind, fine) in ENTRY_CODES {
        let failures: Vec<(String, String)> = problems(files, *kind)
            .map(|f| (f.archive_path.clone(), message(f)))
            .collect();
        if failures.is_empty() {
            checks.push(clean(*code, fine));
        }
        push_capped(&mut checks, *code, failures.into_iter());
    }
    checks
}

/// Checks on the files: modified ones, unexplained ones, allowed extras that are build outputs,
/// and the overall verdict on contents.
fn contents_checks(facts: &ContentsFacts) -> Vec<Check> {
    let (files, complete, commit) = (&facts.files[..], facts.complete, &facts.commit);
    let mut checks = Vec::new();
    let modified: Vec<(String, String)> = files
        .iter()
        .filter(|f| f.class == FileClass::Modified)
        .map(|f| {
            let m = match (f.rule, &f.detail) {
                (Some(rule), Some(d)) => format!("{}: {d} [{rule}]", f.archive_path),
                _ => {
                    let source = f.source_path.as_deref().unwrap_or("?");
                    format!("{}: differs from {source} in the commit", f.archive_path)
                }
            };
            (f.archive_path.clone(), m)
        })
        .collect();
    let clean = |code, message: &str| clean_or_partial(code, message, complete, files.len());
    if modified.is_empty() {
        checks.push(clean(
            Code::ContentsModified,
            "no file differs from the commit",
        ));
    }
    push_capped(&mut checks, Code::ContentsModified, modified.into_iter());
    let unexplained: Vec<(String, String)> = files
        .iter()
        .filter(|f| f.class == FileClass::Unexplained)
        .filter(|f| f.problem.is_none() || f.problem == Some(ProblemKind::Sha1Collision))
        .map(|f| {
            let m = match (f.kind, &f.detail) {
                (_, Some(d)) if f.problem.is_some() => d.clone(),
                (_, Some(d)) if f.rule.is_some() => {
                    format!("{}: {d} [{}]", f.archive_path, f.rule.unwrap_or_default())
                }
                (Some(kind), _) => format!("{}: {kind}, not in the commit", f.archive_path),
                (None, _) => format!(
                    "{}: not in the commit and no packaging rule explains it{}",
                    f.archive_path,
                    f.preview
                        .as_deref()
                        .map(|p| match p.lines().next() {
                            Some(first) if p.starts_with("binary") => format!("; {first}"),
                            Some(first) => format!("; it starts: {first}"),
                            None => "; it is empty".to_owned(),
                        })
                        .unwrap_or_default()
                ),
            };
            (f.archive_path.clone(), m)
        })
        .collect();
    if unexplained.is_empty() {
        checks.push(clean(
            Code::ContentsUnexplained,
            "every file is in the commit or explained",
        ));
    }
    push_capped(
        &mut checks,
        Code::ContentsUnexplained,
        unexplained.into_iter(),
    );
    let unverified_bad = unverified_checks(facts, &mut checks);
    build_output_checks(files, &mut checks);
    let outputs: Vec<String> = files
        .iter()
        .filter(|f| f.class == FileClass::AllowedExtra)
        .filter_map(|f| Some(format!("{} ({})", f.archive_path, f.kind?)))
        .collect();
    if !outputs.is_empty() {
        // Permitted by policy, so not a failure; but a build output in a source release is
        // always worth a human look, so it is named in the report.
        checks.push(Check::pass(
            Code::ContentsBuildOutput,
            format!(
                "allowed by policy, but build outputs: {}",
                outputs.join(", ")
            ),
        ));
    }
    let bad = files
        .iter()
        .filter(|f| {
            matches!(
                f.class,
                FileClass::Modified | FileClass::Unexplained | FileClass::BuildOutput
            )
        })
        .count()
        + unverified_bad;
    checks.push(if !complete {
        Check::not_performed(
            Code::ContentsMatchesSource,
            "the archive was not read to its end, so not every file was compared",
        )
    } else if bad == 0 {
        Check::pass(
            Code::ContentsMatchesSource,
            format!(
                "all {} files are identical to commit {commit} or explained",
                files.len()
            ),
        )
    } else {
        Check::fail(
            Code::ContentsMatchesSource,
            format!(
                "{bad} of {} files are modified, unexplained, unverified or build output",
                files.len()
            ),
        )
    });
    checks
}

/// Fields no rule could derive: failures unless the policy accepts every one of them. Returns
/// how many files failed.
fn unverified_checks(facts: &ContentsFacts, checks: &mut Vec<Check>) -> usize {
    let files = &facts.files;
    let clean = |code, message: &str| clean_or_partial(code, message, facts.complete, files.len());
    let mut unverified_bad = 0usize;
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for f in files.iter().filter(|f| f.class == FileClass::Unverified) {
        let open: std::collections::BTreeSet<&str> = f
            .unverified
            .iter()
            .filter(|u| !facts.accept_unverified.contains(u))
            .map(|u| u.name())
            .collect();
        if open.is_empty() {
            accepted.push(f.archive_path.clone());
        } else {
            unverified_bad += 1;
            let why: Vec<&str> = f
                .findings
                .iter()
                .filter(|l| l.contains(" not verified: "))
                .map(String::as_str)
                .collect();
            refused.push((
                f.archive_path.clone(),
                format!(
                    "{}: {} [{}]; accept with accept-unverified = [{}] or rebuild to check",
                    f.archive_path,
                    why.join("; "),
                    f.rule.unwrap_or_default(),
                    open.iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    if refused.is_empty() {
        checks.push(if accepted.is_empty() {
            clean(
                Code::ContentsMetadataUnverified,
                "every generated metadata field was derived from the commit",
            )
        } else {
            Check::pass(
                Code::ContentsMetadataUnverified,
                format!("accepted unverified by policy: {}", accepted.join(", ")),
            )
        });
    }
    push_capped(
        checks,
        Code::ContentsMetadataUnverified,
        refused.into_iter(),
    );
    unverified_bad
}

/// Compiled output, one failing check per folder.
fn build_output_checks(files: &[FileReport], checks: &mut Vec<Check>) {
    let mut folders: std::collections::BTreeMap<&str, Vec<&FileReport>> = Default::default();
    for f in files.iter().filter(|f| f.class == FileClass::BuildOutput) {
        folders
            .entry(f.build_folder.as_deref().unwrap_or(""))
            .or_default()
            .push(f);
    }
    let built = folders.into_iter().map(|(folder, group)| {
        let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
        for f in &group {
            let name = f.archive_path.rsplit('/').next().unwrap_or(&f.archive_path);
            let ext = name.find('.').map(|i| &name[i..]).unwrap_or("");
            *kinds.entry(ext).or_default() += 1;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let m = format!(
            "{folder}: {} files of compiled output ({}) that the commit does not have; \
             rebuilding is how to check them ([reproduce] mode = \"rebuild\")",
            group.len(),
            kinds.join(", ")
        );
        (folder.to_owned(), m)
    });
    push_capped(checks, Code::ContentsBuildOutput, built);
}

/// A check that found nothing wrong: passed when the whole archive was read, otherwise not
/// performed, since what was not read was not checked.
fn clean_or_partial(code: Code, message: &str, complete: bool, read: usize) -> Check {
    if complete {
        Check::pass(code, message)
    } else {
        Check::not_performed(
            code,
            format!("{message} among the {read} read, but the archive was not read to its end"),
        )
    }
}

fn problems(files: &[FileReport], kind: ProblemKind) -> impl Iterator<Item = &FileReport> {
    files.iter().filter(move |f| f.problem == Some(kind))
}

fn message(f: &FileReport) -> String {
    f.detail.clone().unwrap_or_else(|| f.archive_path.clone())
}

/// One failing check per message, at most [`MAX_CHECKS_PER_CODE`], then one that counts the rest.
/// One failing check per (member, message), at most [`MAX_CHECKS_PER_CODE`], then a count.
fn push_capped(
    checks: &mut Vec<Check>,
    code: Code,
    messages: impl Iterator<Item = (String, String)>,
) {
    let mut extra = 0usize;
    for (i, (member, m)) in messages.enumerate() {
        if i < MAX_CHECKS_PER_CODE {
            checks.push(Check::fail(code, m).about(member));
        } else {
            extra += 1;
        }
    }
    if extra > 0 {
        checks.push(Check::fail(code, format!("and {extra} more")));
    }
}

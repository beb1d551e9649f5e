//! Classifying every archive file against the commit: identical, modified, explained by a
//! packaging rule, allowed by the policy, or unexplained; then a second, targeted pass over the
//! archive that describes how each modified file differs.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::path::Path;

use serde::Serialize;

use super::AllowExtra;
use super::difference::{Comparer, Difference};
use super::layout::{Ecosystem, Mapping};
use super::rules::{Field, Rules};
use super::scan::{Entry, EntryKind, ProblemKind, hex};
use crate::archive::{self, Finished};
use crate::git::{BlobId, Lookup, TreeListing};
use crate::kind::build_output_kind;
use crate::limits::MAX_DIFFS;

/// What one archive file is, compared with the commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileClass {
    /// Byte for byte the commit's file at the mapped path.
    Identical,
    /// The commit has the file, with other content.
    Modified,
    /// Written by a packaging tool; the rule is named.
    GeneratedExplained,
    /// Written by a packaging tool, holding fields its rule cannot derive from the commit
    /// without running the build.
    #[serde(rename = "generated-unverified")]
    Unverified,
    /// Not in the commit, and permitted by the policy's `allow-extra`.
    AllowedExtra,
    /// Not in the commit, and nothing explains it.
    Unexplained,
    /// Not in the commit: compiled output (JavaScript, type declarations, source maps, Python
    /// bytecode) in a folder the commit does not have, grouped by that folder. Only a rebuild
    /// can say whether the commit yields it.
    BuildOutput,
}

impl FileClass {
    /// The class as reports spell it.
    pub fn name(self) -> &'static str {
        match self {
            FileClass::Identical => "identical",
            FileClass::Modified => "modified",
            FileClass::GeneratedExplained => "generated-explained",
            FileClass::Unverified => "generated-unverified",
            FileClass::AllowedExtra => "allowed-extra",
            FileClass::Unexplained => "unexplained",
            FileClass::BuildOutput => "build-output",
        }
    }
}

/// One archive file and what custody concluded about it.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    /// The path as the archive stores it.
    pub archive_path: String,
    /// The repository path it maps to; `None` when the archive path was refused.
    pub source_path: Option<String>,
    pub class: FileClass,
    /// The packaging rule that spoke for the file: it explained it, found fields it cannot
    /// verify, or found what the commit does not yield.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// What the rule found, one line each: modifications by meaning ("dependency `x` added"),
    /// fields not verified, notes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    /// The metadata fields the rule could not derive from the commit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unverified: Vec<Field>,
    /// The build-output kind (ELF, Mach-O, PE, static library, assembly) of a file that is not
    /// identical to the commit's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// Why, in a few words: the check an entry failed, the commit file a rule used, the
    /// symlink an identical file was reached through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For build output: the folder, absent from the commit, that holds it (`dist/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_folder: Option<String>,
    /// The check code a refused entry failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<ProblemKind>,
    pub size: u64,
    pub sha256: String,
    /// Git blob id of the archive's content.
    pub git_blob: String,
    /// Git blob id of the commit's file, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_blob: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<Difference>,
    /// For an unexplained file: the start of its text, or what kind of binary it is, so a
    /// reviewer sees what was added without unpacking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
    /// Archive entry whose bytes this file has (for the second pass).
    #[serde(skip)]
    pub(crate) content_from: usize,
}

/// What classifying needs beside the archive's entries.
pub(crate) struct Context<'a> {
    pub ecosystem: Ecosystem,
    pub mapping: &'a Mapping,
    pub commit: &'a TreeListing<'a>,
    pub allow_extra: &'a AllowExtra,
    /// Tags on the compared commit (a version from setuptools-scm is its tag).
    pub tags: &'a [String],
    /// The artifact's file name (a wheel's tags are in it).
    pub file_name: &'a str,
    /// A Go module zip's module path.
    pub go_module: Option<&'a str>,
}

/// Classify every file of the archive; directories are not files and are left out.
pub(crate) fn classify(entries: &[Entry], cx: &Context<'_>) -> Vec<FileReport> {
    let (mapping, commit, allow_extra) = (cx.mapping, cx.commit, cx.allow_extra);
    let rel_of = |path: &str| -> String {
        path.strip_prefix(mapping.archive_prefix.as_str())
            .unwrap_or(path)
            .to_owned()
    };
    let mut by_rel = HashMap::new();
    for e in entries {
        if let Some(p) = e.path.as_deref()
            && let Some(rel) = p.strip_prefix(mapping.archive_prefix.as_str())
        {
            by_rel.insert(rel, e);
        }
    }
    let mut rules = Rules::new(
        cx.ecosystem,
        commit,
        &mapping.source_prefix,
        by_rel,
        cx.tags,
        cx.file_name,
    );
    rules.go_module = cx.go_module;
    let mut files = Vec::new();
    for e in entries {
        // Directories are not files; one with a refused path still shows, to fail its check.
        if e.kind == EntryKind::Directory && e.problem.is_none() {
            continue;
        }
        let rel = e.path.as_deref().map(rel_of);
        let mut file = FileReport {
            archive_path: e.shown.clone(),
            source_path: rel
                .as_ref()
                .map(|r| format!("{}{r}", mapping.source_prefix)),
            class: FileClass::Unexplained,
            rule: None,
            findings: Vec::new(),
            unverified: Vec::new(),
            kind: None,
            detail: None,
            build_folder: None,
            problem: None,
            size: e.size,
            sha256: hex(&e.sha256),
            git_blob: e.blob.to_string(),
            source_blob: None,
            difference: None,
            preview: None,
            content_from: e.content_from,
        };
        if let Some(p) = &e.problem {
            file.problem = Some(p.kind);
            file.detail = Some(p.message.clone());
            files.push(file);
            continue;
        }
        let (Some(rel), Some(source_path)) = (rel, file.source_path.clone()) else {
            files.push(file);
            continue;
        };
        let in_git = match &e.kind {
            // A symlink is identical when git stores the same link (same target, same blob).
            EntryKind::Symlink(_) => commit.entry(&source_path).map(|f| (source_path.clone(), f)),
            _ => match commit.resolve(&source_path) {
                Lookup::File { path, file } => Some((path, file)),
                _ => None,
            },
        };
        if let Some((path, f)) = &in_git {
            file.source_blob = Some(f.id.to_string());
            if f.id == e.blob && f.is_symlink() == matches!(e.kind, EntryKind::Symlink(_)) {
                // git records the executable bit, so it is content: a file the archive makes
                // executable (or not) is not the reviewed file, unless a packaging tool sets
                // the bit on its own.
                if let Some(exec) = e.executable
                    && e.kind == EntryKind::File
                    && exec != f.is_executable()
                {
                    if let Some(rule) = rules.sets_executable(&rel) {
                        file.class = FileClass::GeneratedExplained;
                        file.rule = Some(rule.name());
                        file.detail = Some("made executable as a package bin".into());
                    } else {
                        file.class = FileClass::Modified;
                        file.detail = Some(if exec {
                            format!("executable in the archive, not in the commit ({path})")
                        } else {
                            format!("executable in the commit ({path}), not in the archive")
                        });
                    }
                    files.push(file);
                    continue;
                }
                file.class = FileClass::Identical;
                if *path != source_path {
                    file.detail = Some(format!("through git's symlink, to {path}"));
                }
                files.push(file);
                continue;
            }
        }
        // A build output is never explained by a packaging rule: rules write text metadata.
        file.kind = build_output_kind(&e.head, &rel);
        let explained = match file.kind {
            None => rules.explain(&rel, e),
            Some(_) => None,
        };
        if let Some(j) = explained {
            file.rule = Some(j.rule.name());
            file.findings = j.findings();
            file.unverified = j.unverified.iter().map(|u| u.field).collect();
            if let Some(first) = j.differs.first() {
                // A rule that applies and finds what the commit does not yield: modified when
                // git has the file, unexplained when only the tool could have written it.
                file.class = if in_git.is_some() {
                    FileClass::Modified
                } else {
                    FileClass::Unexplained
                };
                let more = j.differs.len() - 1;
                file.detail = Some(if more > 0 {
                    format!("{first} (and {more} more)")
                } else {
                    first.clone()
                });
            } else if let Some(u) = j.unverified.first() {
                file.class = FileClass::Unverified;
                file.detail = Some(format!("{} not verified: {}", u.field.name(), u.why));
            } else {
                file.class = FileClass::GeneratedExplained;
                if !j.sources.is_empty() {
                    file.detail = Some(format!("from {}", j.sources.join(", ")));
                }
            }
        } else if let Some((path, _)) = in_git {
            file.class = FileClass::Modified;
            if let EntryKind::Symlink(target) = &e.kind {
                file.detail = Some(format!(
                    "symlink to `{}` in the archive",
                    String::from_utf8_lossy(target)
                ));
            } else if path != source_path {
                file.detail = Some(format!("compared through git's symlink, with {path}"));
            }
        } else {
            let allowed = allow_extra.matches(&rel) || allow_extra.matches(&e.shown);
            file.class = if allowed {
                FileClass::AllowedExtra
            } else if let Some(folder) = compiled_output(&rel, &mapping.source_prefix, commit) {
                file.detail = Some(format!(
                    "compiled output in {folder}, which the commit lacks"
                ));
                file.build_folder = Some(folder);
                FileClass::BuildOutput
            } else {
                FileClass::Unexplained
            };
        }
        files.push(file);
    }
    files
}

/// Extensions of what compilers, bundlers and type checkers write.
const COMPILED: &[&str] = &[
    ".js", ".mjs", ".cjs", ".jsx", ".d.ts", ".d.mts", ".d.cts", ".map", ".css", ".pyc", ".pyo",
];

/// The folder holding `rel` that the commit's package folder does not have (the shallowest),
/// when `rel` is compiled output: a build made it, so no rule can tie it to the commit.
fn compiled_output(rel: &str, source_prefix: &str, commit: &TreeListing<'_>) -> Option<String> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if !COMPILED.iter().any(|ext| name.ends_with(ext)) {
        return None;
    }
    let mut folder = String::new();
    let dirs = rel.split('/').collect::<Vec<_>>();
    for part in &dirs[..dirs.len() - 1] {
        folder.push_str(part);
        let in_commit = format!("{source_prefix}{folder}");
        if !commit.is_dir(in_commit.as_bytes()) {
            return Some(format!("{folder}/"));
        }
        folder.push('/');
    }
    None
}

/// Paths of the package's part of the commit (under the source prefix) that no archive file
/// maps to: for information, since packaging selects files on purpose.
pub(crate) fn missing(
    files: &[FileReport],
    mapping: &Mapping,
    commit: &TreeListing<'_>,
) -> Vec<String> {
    let present: HashSet<&str> = files
        .iter()
        .filter_map(|f| f.source_path.as_deref())
        .collect();
    commit
        .paths_under(&mapping.source_prefix)
        .into_iter()
        .filter(|p| !present.contains(p.as_str()))
        .collect()
}

/// Read the archive again and describe how each modified regular file differs from git's.
/// At most [`MAX_DIFFS`] files are described.
pub(crate) fn describe_differences(
    archive_path: &Path,
    files: &mut [FileReport],
    entries: &[Entry],
    commit: &TreeListing<'_>,
) -> io::Result<()> {
    let mut wanted: HashMap<usize, Vec<(usize, Vec<u8>)>> = HashMap::new();
    // A file a rule judged is described by its findings, in meaning, not as a text diff.
    let modified = files.iter().enumerate().filter(|(_, f)| {
        f.class == FileClass::Modified
            && f.rule.is_none()
            && f.source_blob.as_deref() != Some(f.git_blob.as_str())
            && entries[f.content_from].kind == EntryKind::File
    });
    for (i, f) in modified.take(MAX_DIFFS) {
        let format = entries[f.content_from].blob.format();
        let Some(oid) = f
            .source_blob
            .as_deref()
            .and_then(|o| BlobId::parse(o, format))
        else {
            continue;
        };
        let Ok(source) = commit.blob(oid) else {
            continue;
        };
        wanted.entry(f.content_from).or_default().push((i, source));
    }
    // Unexplained regular files get a preview of their start.
    let mut previews: HashMap<usize, Vec<usize>> = HashMap::new();
    let unexplained = files.iter().enumerate().filter(|(_, f)| {
        f.class == FileClass::Unexplained
            && f.problem.is_none()
            && entries[f.content_from].kind == EntryKind::File
    });
    for (i, f) in unexplained.take(MAX_DIFFS) {
        previews.entry(f.content_from).or_default().push(i);
    }
    let Some(last) = wanted.keys().chain(previews.keys()).copied().max() else {
        return Ok(());
    };
    let mut shown: Vec<(usize, String)> = Vec::new();
    let mut index = 0usize;
    let mut found: Vec<(usize, Difference)> = Vec::new();
    archive::read(
        archive_path,
        archive::Options::default(),
        &mut |_raw, content: &mut dyn Read| {
            let here = index;
            index += 1;
            let to_preview = previews.get(&here);
            let to_compare = wanted.get(&here);
            if to_preview.is_none() && to_compare.is_none() {
                return if here >= last {
                    Err(io::Error::other(Finished))
                } else {
                    Ok(())
                };
            }
            // One pass over the entry feeds both: the preview keeps its first bytes, the
            // comparers see all of it.
            let mut comparers: Vec<Comparer<'_>> = to_compare
                .map(|t| t.iter().map(|(_, s)| Comparer::new(s)).collect())
                .unwrap_or_default();
            let mut head: Vec<u8> = Vec::new();
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = content.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                if to_preview.is_some() && head.len() < PREVIEW_BYTES {
                    let room = PREVIEW_BYTES - head.len();
                    head.extend_from_slice(&buf[..n.min(room)]);
                    if comparers.is_empty() && head.len() == PREVIEW_BYTES {
                        break;
                    }
                }
                comparers.iter_mut().for_each(|c| c.feed(&buf[..n]));
            }
            if let Some(targets) = to_preview {
                let f = &files[targets[0]];
                let text = preview(&head, f.size, f.kind);
                shown.extend(targets.iter().map(|i| (*i, text.clone())));
            }
            for ((i, _), c) in to_compare.into_iter().flatten().zip(comparers) {
                let f = &files[*i];
                let name = f.source_path.as_deref().unwrap_or(&f.archive_path);
                found.push((*i, c.finish(name, name)));
            }
            if here >= last {
                return Err(io::Error::other(Finished));
            }
            Ok(())
        },
    )?;
    for (i, d) in found {
        files[i].difference = Some(d);
    }
    for (i, p) in shown {
        files[i].preview = Some(p);
    }
    Ok(())
}

/// Bytes read for a preview.
const PREVIEW_BYTES: usize = 1024;
/// Lines and characters per line a preview shows.
const PREVIEW_LINES: usize = 5;
const PREVIEW_LINE_CHARS: usize = 120;

/// The start of a file as a reviewer wants to see it: up to five lines of text (control
/// characters escaped, long lines cut), or, for binary content, its kind, size and first bytes.
fn preview(head: &[u8], size: u64, kind: Option<&str>) -> String {
    let text = match std::str::from_utf8(head) {
        Ok(t) => Some(t),
        // Cut inside a character at the end of the read: still text.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok(),
        Err(_) => None,
    };
    match text {
        Some(t) if !t.contains('\0') => {
            let mut lines: Vec<String> = t
                .lines()
                .take(PREVIEW_LINES)
                .map(|l| {
                    let escaped: String = l.chars().flat_map(char::escape_debug).collect();
                    let mut cut: String = escaped.chars().take(PREVIEW_LINE_CHARS).collect();
                    if cut.len() < escaped.len() {
                        cut.push_str("...");
                    }
                    cut
                })
                .collect();
            if t.lines().nth(PREVIEW_LINES).is_some() || (head.len() as u64) < size {
                lines.push("...".to_owned());
            }
            lines.join("\n")
        }
        _ => {
            let first: Vec<String> = head.iter().take(16).map(|b| format!("{b:02x}")).collect();
            format!(
                "binary{}, {size} bytes, starting {}",
                kind.map(|k| format!(" ({k})")).unwrap_or_default(),
                first.join(" ")
            )
        }
    }
}

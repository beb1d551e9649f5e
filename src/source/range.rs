//! What a range of commits brings into a branch: the commits, and in them the files a reviewer
//! cannot read (binaries), the submodules they point at, the packages their lock files fetch,
//! and the digests of the vendored folders they touch. Facts only: `crate::checks::range`
//! judges them against the policy's `[range]` rules.
//!
//! Each commit is read on its own (what it changes against its parent; for a merge, what differs
//! from every parent), so a payload added in one commit and deleted in the next is still seen:
//! it is in the history that enters.

use std::collections::{BTreeMap, HashSet};

use sha2::{Digest, Sha256};

use super::SourceError;
use crate::git::{BlobId, ChangedFile, CommitId, Repo, TreeId};
use crate::kind::{SNIFF_LEN, entering_kind};

/// Largest lock file or `.gitmodules` read; a larger one is reported, not parsed.
const MAX_LOCK_FILE: u64 = 64 << 20;
/// Largest blob read to sniff (libgit2 reads a blob whole); a larger one is reported as binary
/// data without being read.
const MAX_SNIFF_BLOB: u64 = 256 << 20;

/// Where a change comes from: a commit, or the index (the commit about to be made).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Commit(CommitId),
    Staged,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Commit(c) => write!(f, "commit {c}"),
            Origin::Staged => f.write_str("the staged change"),
        }
    }
}

/// One change to judge: where it comes from, the files it changes, and the tree it leaves
/// (for `.gitmodules`).
pub struct Change {
    pub origin: Origin,
    pub files: Vec<ChangedFile>,
    pub tree: TreeId,
}

/// The changes of `commits`, each read on its own.
pub fn commit_changes(repo: &Repo, commits: &[CommitId]) -> Result<Vec<Change>, SourceError> {
    commits
        .iter()
        .map(|&c| {
            Ok(Change {
                origin: Origin::Commit(c),
                files: repo.changed_files(c)?,
                tree: repo.commit(c)?.tree,
            })
        })
        .collect()
}

/// A file entering the branch that is not readable source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinaryFile {
    pub origin: Origin,
    pub path: String,
    pub kind: &'static str,
    pub size: u64,
}

/// A submodule a commit adds or moves, and where `.gitmodules` at that commit says it comes
/// from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submodule {
    pub origin: Origin,
    pub path: String,
    /// `None` when `.gitmodules` has no entry for the path.
    pub url: Option<String>,
}

/// One package a lock file fetches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locked {
    pub origin: Origin,
    /// The lock file's path.
    pub file: String,
    pub package: String,
    /// Where it is fetched from: a registry or URL (`None` for a package from the workspace).
    pub source: Option<String>,
    /// Whether the lock file records a checksum (or integrity hash) for it.
    pub checksum: bool,
}

/// A vendored folder, the digest the vendor lock records and the digest it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vendored {
    pub folder: String,
    /// Whether the range changes the folder or the vendor lock.
    pub touched: bool,
    /// What the lock records (`git-tree:HEX` or `h1:BASE64`), if anything.
    pub recorded: Option<String>,
    /// The folder's digest at the range's tip, in the recorded form (`None`: no such folder).
    pub actual: Option<String>,
}

/// Everything the range rules are judged on.
#[derive(Clone, Debug, Default)]
pub struct RangeFacts {
    /// The commits entering, newest first (topological).
    pub commits: Vec<CommitId>,
    /// Files added or changed, over all commits.
    pub files: usize,
    pub binaries: Vec<BinaryFile>,
    pub submodules: Vec<Submodule>,
    pub locked: Vec<Locked>,
    /// Lock files that could not be read: (where, file, why).
    pub unreadable_locks: Vec<(Origin, String, String)>,
    pub vendored: Vec<Vendored>,
}

/// What to look for besides binaries and lock files.
pub struct RangeQuery<'a> {
    /// Vendored folders (repository paths).
    pub vendored: &'a [String],
    /// The vendor lock's path in the repository.
    pub vendor_lock: Option<&'a str>,
}

/// Gather the facts of `changes` (each commit entering, as `Repo::range` lists them, or the
/// staged change), whose newest state is the tree `tip`.
pub fn gather(
    repo: &Repo,
    commits: Vec<CommitId>,
    changes: Vec<Change>,
    tip: Option<TreeId>,
    query: &RangeQuery<'_>,
) -> Result<RangeFacts, SourceError> {
    let mut facts = RangeFacts::default();
    let mut sniffed: HashSet<BlobId> = HashSet::new();
    let mut parsed: HashSet<BlobId> = HashSet::new();
    let mut touched: HashSet<String> = HashSet::new();
    for change in changes {
        let (commit, changed) = (change.origin, change.files);
        let mut gitmodules_changed = false;
        let mut gitlinks = Vec::new();
        for f in changed {
            let path = String::from_utf8_lossy(&f.path).into_owned();
            for v in query.vendored {
                if path.starts_with(&format!("{v}/")) || Some(path.as_str()) == query.vendor_lock {
                    touched.insert(v.clone());
                }
            }
            if path == ".gitmodules" {
                gitmodules_changed = true;
            }
            let Some((blob, mode)) = f.blob else {
                continue;
            };
            facts.files += 1;
            if mode == 0o160000 {
                gitlinks.push(path);
                continue;
            }
            if mode == 0o120000 {
                continue;
            }
            // Each blob is read once, for its lock file entries and its kind.
            let lock = lock_kind(&path).filter(|_| parsed.insert(blob));
            let sniff = sniffed.insert(blob);
            if lock.is_none() && !sniff {
                continue;
            }
            let size = repo.blob_size(blob).map_err(SourceError::from)?;
            let bytes = if size <= MAX_SNIFF_BLOB {
                Some(repo.blob(blob).map_err(SourceError::from)?)
            } else {
                None
            };
            if let Some(kind) = lock {
                match parse_lock(kind, bytes.as_deref().filter(|_| size <= MAX_LOCK_FILE)) {
                    Ok(entries) => facts.locked.extend(entries.into_iter().map(
                        |(package, source, checksum)| Locked {
                            origin: commit,
                            file: path.clone(),
                            package,
                            source,
                            checksum,
                        },
                    )),
                    Err(why) => facts.unreadable_locks.push((commit, path.clone(), why)),
                }
            }
            if !sniff {
                continue;
            }
            let kind = match &bytes {
                Some(b) => entering_kind(&b[..b.len().min(SNIFF_LEN)], &path, size),
                None => Some("binary data"),
            };
            if let Some(kind) = kind {
                facts.binaries.push(BinaryFile {
                    origin: commit,
                    path,
                    kind,
                    size,
                });
            }
        }
        if gitmodules_changed || !gitlinks.is_empty() {
            let urls = repo
                .file_in_tree(change.tree, ".gitmodules", MAX_LOCK_FILE)
                .map(|b| gitmodules(&String::from_utf8_lossy(&b)))
                .unwrap_or_default();
            let mut paths: Vec<String> = gitlinks;
            if gitmodules_changed {
                paths.extend(urls.keys().cloned());
            }
            paths.sort();
            paths.dedup();
            for path in paths {
                facts.submodules.push(Submodule {
                    origin: commit,
                    url: urls.get(&path).cloned(),
                    path,
                });
            }
        }
    }
    if let Some(tip) = tip {
        let lock = query
            .vendor_lock
            .and_then(|l| repo.file_in_tree(tip, l, MAX_LOCK_FILE))
            .map(|b| vendor_lock(&String::from_utf8_lossy(&b)))
            .unwrap_or_default();
        for folder in query.vendored {
            let recorded = lock.get(folder).cloned();
            let is_touched = touched.contains(folder);
            let actual = if is_touched {
                folder_digest(repo, tip, folder, recorded.as_deref())?
            } else {
                None
            };
            facts.vendored.push(Vendored {
                folder: folder.clone(),
                touched: is_touched,
                recorded,
                actual,
            });
        }
    }
    facts.commits = commits;
    Ok(facts)
}

/// The lock files custody reads, by name.
fn lock_kind(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "Cargo.lock" => Some("cargo"),
        "package-lock.json" | "npm-shrinkwrap.json" => Some("npm"),
        _ if name.starts_with("requirements") && name.ends_with(".txt") => Some("pip"),
        _ => None,
    }
}

/// The packages a lock file fetches: (package, source, has a checksum).
/// `bytes` is `None` for a lock file larger than [`MAX_LOCK_FILE`].
fn parse_lock(
    kind: &str,
    bytes: Option<&[u8]>,
) -> Result<Vec<(String, Option<String>, bool)>, String> {
    let bytes = bytes.ok_or_else(|| format!("larger than {MAX_LOCK_FILE} bytes"))?;
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned())?;
    match kind {
        "cargo" => cargo_lock(text),
        "npm" => npm_lock(text),
        "pip" => Ok(requirements(text)),
        _ => Ok(Vec::new()),
    }
}

fn cargo_lock(text: &str) -> Result<Vec<(String, Option<String>, bool)>, String> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| e.message().to_owned())?;
    let packages = doc
        .get("package")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    Ok(packages
        .iter()
        .filter_map(|p| p.as_table())
        .map(|p| {
            let name = p.get("name").and_then(|v| v.as_str()).unwrap_or("?");
            let version = p.get("version").and_then(|v| v.as_str()).unwrap_or("?");
            let source = p.get("source").and_then(|v| v.as_str()).map(str::to_owned);
            (
                format!("{name} {version}"),
                source,
                p.contains_key("checksum"),
            )
        })
        .collect())
}

fn npm_lock(text: &str) -> Result<Vec<(String, Option<String>, bool)>, String> {
    let doc = crate::contents::json::strict(text.as_bytes())?;
    let mut out = Vec::new();
    // lockfileVersion 2 and 3: "packages", keyed by install path ("" is the project itself).
    if let Some(packages) = doc.get("packages").and_then(|p| p.as_object()) {
        for (key, p) in packages {
            if key.is_empty() || p.get("link").and_then(|l| l.as_bool()) == Some(true) {
                continue;
            }
            let resolved = p
                .get("resolved")
                .and_then(|r| r.as_str())
                .map(str::to_owned);
            // A package from a folder of the workspace has no resolved URL and no integrity.
            if resolved.is_none() && p.get("integrity").is_none() && !key.contains("node_modules/")
            {
                continue;
            }
            out.push((key.clone(), resolved, p.get("integrity").is_some()));
        }
        return Ok(out);
    }
    // lockfileVersion 1: nested "dependencies".
    fn walk(
        deps: &serde_json::Map<String, serde_json::Value>,
        out: &mut Vec<(String, Option<String>, bool)>,
        depth: usize,
    ) {
        if depth > 64 {
            return;
        }
        for (name, d) in deps {
            let resolved = d
                .get("resolved")
                .and_then(|r| r.as_str())
                .map(str::to_owned);
            out.push((name.clone(), resolved, d.get("integrity").is_some()));
            if let Some(more) = d.get("dependencies").and_then(|m| m.as_object()) {
                walk(more, out, depth + 1);
            }
        }
    }
    if let Some(deps) = doc.get("dependencies").and_then(|d| d.as_object()) {
        walk(deps, &mut out, 0);
    }
    Ok(out)
}

/// A pip requirements file: each requirement with the index it comes from (the last
/// `--index-url`, or PyPI) and whether it carries `--hash`. A requirement that is a URL or path
/// is its own source.
fn requirements(text: &str) -> Vec<(String, Option<String>, bool)> {
    let joined = text.replace("\\\n", " ");
    let mut index = Some("https://pypi.org/simple".to_owned());
    let mut out = Vec::new();
    for line in joined.lines() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        if let Some(url) = first
            .strip_prefix("--index-url=")
            .or_else(|| first.strip_prefix("-i="))
        {
            index = Some(url.to_owned());
            continue;
        }
        if first == "--index-url" || first == "-i" {
            index = words.next().map(str::to_owned);
            continue;
        }
        if first == "--extra-index-url" || first.starts_with("--extra-index-url=") {
            let url = first
                .strip_prefix("--extra-index-url=")
                .map(str::to_owned)
                .or_else(|| words.next().map(str::to_owned));
            out.push(("--extra-index-url".to_owned(), url, false));
            continue;
        }
        if first.starts_with('-') {
            continue;
        }
        let hashed = line.contains("--hash=") || line.contains("--hash ");
        let source = if first.contains("://") || first.contains(" @ ") || line.contains(" @ ") {
            Some(
                line.split(" @ ")
                    .nth(1)
                    .unwrap_or(first)
                    .split_whitespace()
                    .next()
                    .unwrap_or(first)
                    .to_owned(),
            )
        } else {
            index.clone()
        };
        out.push((first.to_owned(), source, hashed));
    }
    out
}

/// `.gitmodules` (git's config syntax): submodule path -> url.
fn gitmodules(text: &str) -> BTreeMap<String, String> {
    let mut sections: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            current = rest.strip_prefix("submodule").map(|r| {
                r.trim()
                    .trim_end_matches(']')
                    .trim()
                    .trim_matches('"')
                    .to_owned()
            });
            continue;
        }
        let (Some(name), Some((key, value))) = (&current, line.split_once('=')) else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_owned();
        let entry = sections.entry(name.clone()).or_default();
        match key.trim().to_ascii_lowercase().as_str() {
            "path" => entry.0 = Some(value),
            "url" => entry.1 = Some(value),
            _ => {}
        }
    }
    sections
        .into_values()
        .filter_map(|(path, url)| Some((path?, url?)))
        .collect()
}

/// The vendor lock: `FOLDER DIGEST` per line; `#` starts a comment.
fn vendor_lock(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some((
                words.next()?.trim_end_matches('/').to_owned(),
                words.next()?.to_owned(),
            ))
        })
        .collect()
}

/// The folder's digest in the form the lock records: its git tree id (`git-tree:HEX`), or Go's
/// dirhash of its files named relative to it (`h1:BASE64`, what `custody hash FOLDER --digest
/// dirhash` prints).
fn folder_digest(
    repo: &Repo,
    tip: TreeId,
    folder: &str,
    recorded: Option<&str>,
) -> Result<Option<String>, SourceError> {
    let Some(tree) = repo.folder_in_tree(tip, folder) else {
        return Ok(None);
    };
    if recorded.is_some_and(|r| r.starts_with("h1:")) {
        // As `custody hash` computes it: sorted by name bytes, a symlink hashed as its target
        // text (which is what git stores as its blob).
        let mut files: Vec<(Vec<u8>, [u8; 32])> = Vec::new();
        for (path, blob) in repo.files_in_folder(tree)? {
            files.push((path, Sha256::digest(repo.blob(blob)?).into()));
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        return Ok(Some(crate::hash::hash1_of(
            files.iter().map(|(name, sha)| (name.as_slice(), sha)),
        )));
    }
    Ok(Some(format!("git-tree:{}", tree.hex())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitmodules_maps_paths_to_urls() {
        let m = gitmodules(
            "[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = https://github.com/org/lib.git\n# c\n[submodule \"x\"]\n\turl = git@evil:x\n\tpath = x\n",
        );
        assert_eq!(
            m.get("vendor/lib").unwrap(),
            "https://github.com/org/lib.git"
        );
        assert_eq!(m.get("x").unwrap(), "git@evil:x");
    }

    #[test]
    fn requirements_name_their_index_and_hashes() {
        let r = requirements(
            "# deps\nrequests==2.32.3 \\\n    --hash=sha256:abc\n--index-url https://mirror.example/simple\nsix==1.16.0\nfoo @ https://evil.example/foo.whl\n",
        );
        assert_eq!(
            r[0],
            (
                "requests==2.32.3".into(),
                Some("https://pypi.org/simple".into()),
                true
            )
        );
        assert_eq!(
            r[1],
            (
                "six==1.16.0".into(),
                Some("https://mirror.example/simple".into()),
                false
            )
        );
        assert_eq!(r[2].1.as_deref(), Some("https://evil.example/foo.whl"));
    }

    #[test]
    fn cargo_and_npm_locks_list_sources_and_checksums() {
        let c = cargo_lock(
            "version = 4\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"ab\"\n",
        )
        .unwrap();
        assert_eq!(c[0], ("a 1.0.0".into(), None, false));
        assert!(c[1].2);
        let n = npm_lock(
            r#"{"lockfileVersion":3,"packages":{"":{"name":"x"},"node_modules/is-number":{"resolved":"https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz","integrity":"sha512-x"}}}"#,
        )
        .unwrap();
        assert_eq!(n.len(), 1);
        assert!(n[0].2);
        assert!(
            npm_lock(r#"{"packages":{},"packages":{}}"#).is_err(),
            "duplicate keys are refused"
        );
    }
}

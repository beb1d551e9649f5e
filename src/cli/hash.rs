//! `custody hash PATH`: tree digests in standard formats, and per-file manifests.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;

use crate::hash::{self, Format, HashOptions, TreeDigest, hex, manifest, nix_base32};
use crate::walk::{self, RelPath, WalkOptions};

const AFTER_HELP: &str = "\
Formats (--digest, comma-separated, or all):
  dirhash     Go's dirhash h1: (go.sum, in-toto dirHash)               [default]
  git-sha1    git tree id, SHA-1 repository (git add -A && git write-tree)
  git-sha256  git tree id, SHA-256 repository (git init --object-format=sha256)
  nar         Nix NAR hash, sha256:<nix base32> (nix-hash --type sha256 --base32)
Each format is one more pass of hashing over every byte, so ask only for what you need.

What counts: every file, executable bit and symlink under PATH except .git entries. Symlinks
are recorded as their target, never followed. FIFOs, sockets and devices are refused by
name (leave them out with --exclude). An --exclude pattern without '/' matches a name at any
depth ('*.o', 'target'); one with '/' matches the path from PATH ('docs/*.pdf').

Examples:
  custody hash .                                  h1: of the tree
  custody hash . --digest all --json              every format, as JSON
  custody hash . --tracked --digest git-sha1      equals `git rev-parse HEAD^{tree}` when clean
  custody hash mod --dirhash-prefix example.com/m@v1.2.3   the go.sum h1: of a module
  custody hash dist --manifest SHA256SUMS         then: (cd dist && sha256sum -c ../SHA256SUMS)

Exit codes: 0 hashed, 2 could not hash (unreadable entry, special file, file changed while
being read); nothing is printed as a result unless the whole tree was hashed.";

#[derive(clap::Args, Debug)]
#[command(about = "Hash a source tree or build output in standard digest formats", after_help = AFTER_HELP)]
pub struct HashArgs {
    /// The directory to hash.
    pub path: PathBuf,
    /// Digest formats: dirhash, git-sha1, git-sha256, nar, comma-separated, or all.
    #[arg(long, value_name = "LIST", default_value = "dirhash")]
    pub digest: String,
    /// Name prefix for dirhash, as Go's HashDir takes it (`module@version`).
    #[arg(long, value_name = "PREFIX", default_value = "")]
    pub dirhash_prefix: String,
    /// Print one JSON document (schema custody/hash/v1) instead of one line per digest.
    #[arg(long)]
    pub json: bool,
    /// Hashing threads (default: one per core; a cold disk cache may like 16). The output
    /// never depends on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Only the files git tracks (PATH must be inside a git work tree).
    #[arg(long)]
    pub tracked: bool,
    /// Leave out paths matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Write every regular file's SHA-256 in `sha256sum` format to FILE.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Write every file and symlink as JSON Lines (path, kind, mode, size, sha256) to FILE.
    #[arg(long, value_name = "FILE")]
    pub manifest_json: Option<PathBuf>,
}

pub fn run(args: HashArgs) -> u8 {
    match hash_command(&args) {
        Ok(out) => super::output::print_or(&out, super::EXIT_PASS),
        Err(message) => super::fatal(message),
    }
}

fn hash_command(args: &HashArgs) -> Result<String, String> {
    let formats = hash::parse_formats(&args.digest)?;
    let only = if args.tracked {
        Some(tracked_files(&args.path, &args.exclude)?)
    } else {
        None
    };
    let walk_options = WalkOptions {
        only,
        exclude: args.exclude.clone(),
    };
    let options = HashOptions {
        formats: formats.clone(),
        dirhash_prefix: args.dirhash_prefix.clone(),
        per_file_sha256: args.manifest.is_some() || args.manifest_json.is_some(),
        threads: args.threads.map(usize::from),
    };
    let (_, digest) =
        hash::walk_and_hash(&args.path, &walk_options, &options).map_err(|e| e.to_string())?;
    if let Some(path) = &args.manifest {
        write_atomically(path, |w| manifest::write_sha256sum(&digest.records, w))?;
    }
    if let Some(path) = &args.manifest_json {
        write_atomically(path, |w| manifest::write_json_lines(&digest.records, w))?;
    }
    Ok(if args.json {
        render_json(args, &digest)
    } else {
        render_lines(&digest)
    })
}

/// The printed form of each computed digest, in the fixed order of [`Format::ALL`].
fn printed(digest: &TreeDigest) -> Vec<(Format, String)> {
    let mut out = Vec::new();
    for format in Format::ALL {
        let value = match format {
            Format::GitSha1 => digest.git_sha1.map(|d| hex(&d)),
            Format::GitSha256 => digest.git_sha256.map(|d| hex(&d)),
            Format::Dirhash => digest.dirhash.clone(),
            Format::Nar => digest.nar.map(|d| format!("sha256:{}", nix_base32(&d))),
        };
        if let Some(value) = value {
            out.push((format, value));
        }
    }
    out
}

fn render_lines(digest: &TreeDigest) -> String {
    printed(digest)
        .into_iter()
        .map(|(f, v)| format!("{:<10} {v}\n", f.name()))
        .collect()
}

/// The `custody/hash/v1` document; fields serialise in this order.
#[derive(serde::Serialize)]
struct HashDocument<'a> {
    schema: &'static str,
    path: String,
    digests: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sri: Option<BTreeMap<&'static str, String>>,
    #[serde(skip_serializing_if = "str::is_empty")]
    dirhash_prefix: &'a str,
    files: usize,
    symlinks: usize,
    bytes: u64,
}

fn render_json(args: &HashArgs, digest: &TreeDigest) -> String {
    let doc = HashDocument {
        schema: "custody/hash/v1",
        path: args.path.to_string_lossy().into_owned(),
        digests: printed(digest)
            .into_iter()
            .map(|(f, v)| (f.name(), v))
            .collect(),
        sri: digest.nar.map(|nar| {
            let sri = format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(nar)
            );
            BTreeMap::from([("nar", sri)])
        }),
        dirhash_prefix: &args.dirhash_prefix,
        files: digest.records.len(),
        symlinks: digest.symlinks(),
        bytes: digest.bytes,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("a hash document serialises");
    s.push('\n');
    s
}

/// The files git's index tracks under `path`, relative to `path`. A submodule that is not
/// excluded is refused: its content is another repository's, and a tree id would need the
/// submodule's commit id in place of its files.
fn tracked_files(path: &Path, exclude: &[String]) -> Result<HashSet<RelPath>, String> {
    use std::os::unix::ffi::OsStrExt;
    let repo = crate::git::Repo::open(path)
        .map_err(|e| format!("{}: --tracked needs a git work tree: {e}", path.display()))?;
    let workdir = repo.workdir().ok_or_else(|| {
        format!(
            "{}: --tracked needs a work tree, not a bare repository",
            path.display()
        )
    })?;
    let abs = path
        .canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let prefix = abs
        .strip_prefix(workdir)
        .unwrap_or(Path::new(""))
        .as_os_str()
        .as_bytes()
        .to_vec();
    let index = repo
        .index()
        .map_err(|e| format!("{}: cannot read the git index: {e}", path.display()))?;
    let under = |p: &[u8]| -> Option<Vec<u8>> {
        if prefix.is_empty() {
            Some(p.to_vec())
        } else {
            p.strip_prefix(prefix.as_slice())
                .and_then(|p| p.strip_prefix(b"/"))
                .map(<[u8]>::to_vec)
        }
    };
    // A merge in progress leaves conflicted paths without a stage-0 entry; the tracked set is
    // then not one tree, and `git write-tree` refuses too.
    let conflicted: Vec<String> = index
        .unmerged
        .iter()
        .filter_map(|p| under(p))
        .map(|p| String::from_utf8_lossy(&p).into_owned())
        .collect();
    if !conflicted.is_empty() {
        return Err(format!(
            "{}: the index has unmerged (conflicted) paths, so the tracked files are no one tree \
             (git write-tree refuses too): {}; resolve the merge first",
            path.display(),
            conflicted.join(", ")
        ));
    }
    let excludes = walk::Excludes::new(exclude).map_err(|e| e.to_string())?;
    let mut files = HashSet::new();
    for (entry_path, mode, _) in &index.entries {
        let Some(rel) = under(entry_path) else {
            continue;
        };
        if *mode == 0o160000 {
            if !excluded(&excludes, &rel) {
                return Err(format!(
                    "{}: is a submodule; custody hash does not descend into submodules (hash it on its own, or leave it out with --exclude)",
                    RelPath::new(rel.clone()).under(path).display()
                ));
            }
            continue;
        }
        files.insert(RelPath::new(rel));
    }
    Ok(files)
}

/// Whether `rel` or a directory above it is excluded.
fn excluded(excludes: &walk::Excludes, rel: &[u8]) -> bool {
    rel.iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'/')
        .map(|(i, _)| &rel[..i])
        .chain(std::iter::once(rel))
        .any(|p| excludes.matches(p))
}

/// Write a manifest to `path` atomically, naming it in the error.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    hash::write_atomically(path, 0o666, write)
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

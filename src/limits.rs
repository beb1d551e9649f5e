//! Every bound custody puts on untrusted input, named in one place.
//!
//! Limits are generous for real projects and small enough that hostile input cannot make custody
//! hang or exhaust memory. Each is documented where a user may meet it.

/// Deepest directory nesting a tree walk descends into.
pub const MAX_TREE_DEPTH: usize = 256;
/// Most entries (files, directories, symlinks) a tree walk accepts.
pub const MAX_TREE_ENTRIES: usize = 10_000_000;
/// Longest symlink target recorded (Linux PATH_MAX).
pub const MAX_SYMLINK_TARGET: usize = 4096;
/// Largest stat cache file (`custody source --stat-cache`) loaded; a larger one is ignored. Ten
/// million entries with 100-byte paths fit.
pub const MAX_STAT_CACHE_FILE: u64 = 2 << 30;
/// Longest path (the working tree's, or an entry's) a stat cache may record (Linux PATH_MAX).
pub const MAX_STAT_CACHE_PATH: usize = 4096;
/// Buffer one hashing thread reads through; page-aligned, reused for every file.
pub const READ_BUFFER: usize = 1 << 20;

/// Largest attestation file (bundle, envelope, `.intoto.jsonl`, PEP 740 or npm document) read.
/// Real bundles are a few KiB to a few hundred KiB; provenance with many materials stays far below.
pub const MAX_ATTESTATION_FILE: u64 = 32 << 20;
/// Deepest JSON nesting accepted in an attestation. serde_json refuses anything deeper than 128
/// on its own; this lower bound is what custody documents and tests.
pub const MAX_JSON_DEPTH: usize = 64;
/// Most envelopes or bundles one file may hold (lines of a JSON Lines file, entries of an npm or
/// PyPI document).
pub const MAX_ENTRIES_PER_FILE: usize = 100_000;
/// Largest decoded DSSE payload (the in-toto statement).
pub const MAX_PAYLOAD: usize = 16 << 20;
/// Most signatures one DSSE envelope may carry.
pub const MAX_SIGNATURES: usize = 64;
/// Most subjects one statement may name.
pub const MAX_SUBJECTS: usize = 1_000_000;
/// Largest policy file read.
pub const MAX_POLICY_FILE: u64 = 1 << 20;
/// Largest PEM public key file read.
pub const MAX_KEY_FILE: u64 = 64 << 10;
/// Most trusted keys one verification accepts (flags and policy together).
pub const MAX_KEYS: usize = 256;
/// Largest trusted root file read (keyless verification).
pub const MAX_TRUSTED_ROOT_FILE: u64 = 8 << 20;
/// Most entries (files, directories, links) a release archive may hold.
pub const MAX_ARCHIVE_ENTRIES: u64 = 1_000_000;
/// Most bytes an archive may unpack to, all entries and container framing together.
pub const MAX_ARCHIVE_UNPACKED: u64 = 8 << 30;
/// Highest ratio of unpacked bytes to compressed bytes read. Source compresses 3–10×; gzip tops
/// out near 1,000× on zeros, so a ratio this high means a bomb, not a release.
pub const MAX_COMPRESSION_RATIO: u64 = 200;
/// Unpacked bytes below which the ratio is not judged: small archives cannot hurt, and a tiny
/// archive of empty files legitimately compresses far beyond the ratio.
pub const COMPRESSION_RATIO_FLOOR: u64 = 16 << 20;
/// Most bytes of tar headers (GNU long names, pax records) before one entry.
pub const MAX_TAR_HEADER_BYTES: u64 = 1 << 20;
/// Longest entry path accepted in an archive, in bytes.
pub const MAX_ARCHIVE_PATH: usize = 4096;
/// Deepest entry path accepted in an archive, in components.
pub const MAX_ARCHIVE_DEPTH: usize = MAX_TREE_DEPTH;
/// Most symlinks followed while resolving one path through a commit's tree (Linux's own bound).
pub const MAX_SYMLINK_HOPS: usize = 40;
/// Largest file (archive entry or git blob) whose text is diffed; larger ones are compared as
/// bytes (sizes and first differing offset).
pub const MAX_DIFF_INPUT: usize = 1 << 20;
/// Longest unified diff kept per modified file, in lines.
pub const MAX_DIFF_LINES: usize = 60;
/// Most modified files whose differences are described; the rest are listed without detail.
pub const MAX_DIFFS: usize = 200;
/// Largest packaging metadata file (`package.json`, `.cargo_vcs_info.json`, `setup.cfg`) read.
pub const MAX_METADATA_FILE: usize = 1 << 20;
/// Most bytes of metadata files held for the packaging rules, all files together: a package's
/// metadata is a few hundred KiB, and an archive of a million `package.json` files must not
/// hold them all. Files past the budget are not explained by content, so they fail.
pub const MAX_METADATA_TOTAL: usize = 64 << 20;
/// Largest Python source file held as a candidate version file (`_version.py`, `__init__.py`).
pub const MAX_VERSION_FILE: usize = 256 << 10;
/// Largest go.sum read (`compare --go-sum`): large modules' go.sum files run to a few MB.
pub const MAX_GO_SUM: u64 = 16 << 20;
/// Most failing checks of one code in a report; further failures are counted in one more.
pub const MAX_CHECKS_PER_CODE: usize = 100;

/// Largest SSH allowed_signers file read.
pub const MAX_ALLOWED_SIGNERS_FILE: u64 = 1 << 20;
/// Largest commit signature checked; real ones are under 2 KiB (RSA-4096 OpenPGP with subpackets).
pub const MAX_COMMIT_SIGNATURE: usize = 64 << 10;
/// Most bytes of ref updates a hook reads from standard input (git writes one line per ref).
pub const MAX_HOOK_INPUT: u64 = 16 << 20;
/// Most commits the review rules walk between the trusted base and the release commit.
pub const MAX_REVIEW_COMMITS: usize = 1_000_000;

/// The text of a small input file: a regular file (checked before opening, so a FIFO never
/// blocks) of at most `max` bytes. The error says why, without the path.
pub fn read_small(path: &std::path::Path, max: u64) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() || meta.len() > max {
        return Err(format!("not a regular file of at most {max} bytes"));
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

//! Where a rebuilt artifact differs from the published one, member by member, and whether each
//! difference is `metadata` (mtime, owner, permissions, member order, compression) or
//! `content` (bytes a user would run or read).
//!
//! Both archives are listed on two threads, so the comparison costs one read of the larger;
//! only changed members are read a second time, to describe how they differ.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::members::{self, Container, Listing, Member, MemberKind};
use super::pairing::Pairing;
use crate::limits::{MAX_DIFF_INPUT, MAX_DIFF_LINES, MAX_DIFFS};

/// Most differing byte ranges listed for one binary member.
const MAX_DIFFERING_RANGES: usize = 8;

/// Whether a difference changes what the artifact holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// mtime, uid/gid, owner names, permissions, member order, compression: nothing a user
    /// runs or reads changes.
    Metadata,
    /// Content: bytes, a member added or removed, a link target, a member's type, or setuid.
    Content,
}

/// What happened to one member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Only in the rebuilt artifact.
    Added,
    /// Only in the published artifact.
    Removed,
    Changed,
    /// Not one member: the archive as a whole (member order, compression).
    Archive,
}

/// How the bytes of a changed member differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Detail {
    /// Unified diff from the published member (`---`) to the rebuilt one (`+++`).
    Text {
        diff: String,
        truncated: bool,
        /// Both sides in full (each at most [`MAX_DIFF_INPUT`]), for the side-by-side page.
        #[serde(skip)]
        sides: (String, String),
    },
    /// Sizes and the first differing byte ranges `[start, end)`.
    Binary {
        artifact_size: u64,
        rebuilt_size: u64,
        ranges: Vec<(u64, u64)>,
    },
}

/// One difference.
#[derive(Clone, Debug, Serialize)]
pub struct MemberDifference {
    /// The member's path; empty for the archive as a whole or a file that is no archive.
    pub path: String,
    pub change: Change,
    pub class: Class,
    /// Each differing field, as `field: published -> rebuilt`.
    pub fields: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Detail>,
}

/// The structural comparison of two artifacts.
#[derive(Clone, Debug, Serialize)]
pub struct ArchiveDiff {
    pub artifact_container: Container,
    pub rebuilt_container: Container,
    /// Members of the published artifact.
    pub members: usize,
    /// Members equal in content and metadata.
    pub identical: usize,
    pub differences: Vec<MemberDifference>,
    /// Differences whose bytes were not described past [`MAX_DIFFS`].
    pub undescribed: usize,
    /// Why either archive could not be read to its end; such a comparison is incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<String>,
    /// The top folders (published, rebuilt) when they differ only by version (`xz-5.6.0/`,
    /// `xz-5.6.1/`): members were paired below them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paired_below: Option<[String; 2]>,
}

impl ArchiveDiff {
    /// Every difference is metadata, and both archives were read in full.
    pub fn metadata_only(&self) -> bool {
        self.incomplete.is_empty() && self.differences.iter().all(|d| d.class == Class::Metadata)
    }

    pub fn count(&self, class: Class) -> usize {
        self.differences.iter().filter(|d| d.class == class).count()
    }
}

/// How deep archives in archives are compared (a wheel in a tarball is one level).
const MAX_NESTING: usize = 2;
/// Largest nested archive compared member by member; larger ones are compared as bytes. With
/// [`MAX_NESTED_PER_ARCHIVE`], bounds the scratch space one level uses (2 GiB for both sides).
const MAX_NESTED_ARCHIVE: u64 = 64 << 20;
/// Most nested archives compared member by member in one archive.
const MAX_NESTED_PER_ARCHIVE: usize = 16;
/// Names of members that are archives custody reads.
const NESTED_SUFFIXES: &[&str] = &[
    ".whl", ".zip", ".jar", ".crate", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar.zst",
];

/// Compare the published `artifact` with the `rebuilt` one, whose digests already differ.
pub fn compare(artifact: &Path, rebuilt: &Path) -> std::io::Result<ArchiveDiff> {
    compare_nested(artifact, rebuilt, 0)
}

fn compare_nested(artifact: &Path, rebuilt: &Path, depth: usize) -> std::io::Result<ArchiveDiff> {
    let pairing = Pairing::default();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| members::list(artifact, &|m, data| pairing.offer(0, m, data)));
        let b = members::list(rebuilt, &|m, data| pairing.offer(1, m, data));
        (a.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), b)
    });
    let (a, mut b) = (a?, b?);
    let mut caught = pairing.into_found();
    // Top folders that differ only by version are one folder, renamed: pair what is below.
    let paired_below = version_tops(&a, &b);
    if let Some([ta, tb]) = &paired_below {
        for m in &mut b.members {
            if let Some(rest) = m.path.strip_prefix(tb.as_str()) {
                m.path = format!("{ta}{rest}");
            }
        }
        let renamed = std::mem::take(&mut caught[1])
            .into_iter()
            .map(|(p, d)| match p.strip_prefix(tb.as_str()) {
                Some(rest) => (format!("{ta}{rest}"), d),
                None => (p, d),
            })
            .collect();
        caught[1] = renamed;
    }
    let mut incomplete = Vec::new();
    for (which, l) in [("published", &a), ("rebuilt", &b)] {
        if let Some(why) = &l.stopped {
            incomplete.push(format!("{which} artifact: {why}"));
        }
    }
    let mut diff = structural(&a, &b);
    diff.incomplete = incomplete;
    if let Some([ta, tb]) = &paired_below {
        diff.differences.insert(
            0,
            MemberDifference {
                path: String::new(),
                change: Change::Archive,
                class: Class::Metadata,
                fields: vec![format!(
                    "top folder: {ta} -> {tb} (members paired below it)"
                )],
                detail: None,
            },
        );
    }
    diff.paired_below = paired_below.clone();
    if diff.differences.is_empty() && a.container != Container::Bytes {
        // Same members, same metadata, same order, and still other bytes: the tar framing
        // (pax records, padding) or the compressor's choices. Only then are the unpacked
        // streams worth a pass of their own.
        let (sa, sb) = std::thread::scope(|s| {
            let sa = s.spawn(|| members::stream_sha256(artifact, a.container));
            let sb = members::stream_sha256(rebuilt, b.container);
            (
                sa.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                sb,
            )
        });
        let (sa, sb) = (sa?, sb?);
        let what = if sa.is_some() && sa == sb {
            "compressed stream (same unpacked archive, other compression level or compressor)"
        } else {
            "archive framing (tar header format, pax records, zip extra fields, padding)"
        };
        diff.differences.push(MemberDifference {
            path: String::new(),
            change: Change::Archive,
            class: Class::Metadata,
            fields: vec![what.to_owned()],
            detail: None,
        });
    }
    describe(artifact, rebuilt, &a, &b, caught, &mut diff)?;
    if depth < MAX_NESTING {
        nested(
            artifact,
            rebuilt,
            &diff.paired_below.clone(),
            depth,
            &mut diff,
        )?;
    }
    Ok(diff)
}

/// Compare changed members that are archives themselves (a wheel in a tarball) member by
/// member: their differences join the outer list under `OUTER!/INNER`, and the outer member's
/// class becomes the worst of them, so a nested wheel that differs only in timestamps is
/// metadata.
fn nested(
    artifact: &Path,
    rebuilt: &Path,
    paired: &Option<[String; 2]>,
    depth: usize,
    diff: &mut ArchiveDiff,
) -> std::io::Result<()> {
    let archives: Vec<String> = diff
        .differences
        .iter()
        .filter(|d| {
            d.change == Change::Changed && d.fields.iter().any(|f| f.starts_with("content:"))
        })
        .filter(|d| {
            NESTED_SUFFIXES
                .iter()
                .any(|s| d.path.to_ascii_lowercase().ends_with(s))
        })
        .take(MAX_NESTED_PER_ARCHIVE)
        .map(|d| d.path.clone())
        .collect();
    if archives.is_empty() {
        return Ok(());
    }
    let stored: Vec<String> = archives
        .iter()
        .map(|p| match (paired, p) {
            (Some([ta, tb]), p) if p.starts_with(ta.as_str()) => format!("{tb}{}", &p[ta.len()..]),
            _ => p.clone(),
        })
        .collect();
    let scratch = Scratch::new()?;
    let (da, db) = (scratch.0.join("published"), scratch.0.join("rebuilt"));
    std::fs::create_dir(&da)?;
    std::fs::create_dir(&db)?;
    let ea = members::extract(artifact, &archives, MAX_NESTED_ARCHIVE, &da)?;
    let eb = members::extract(rebuilt, &stored, MAX_NESTED_ARCHIVE, &db)?;
    let mut inner_all = Vec::new();
    for (outer, stored_name) in archives.iter().zip(&stored) {
        let (Some(pa), Some(pb)) = (ea.get(outer), eb.get(stored_name)) else {
            continue;
        };
        let inner = compare_nested(pa, pb, depth + 1)?;
        if inner.artifact_container == Container::Bytes {
            continue;
        }
        let worst = inner
            .differences
            .iter()
            .map(|d| d.class)
            .max()
            .unwrap_or(Class::Metadata);
        let complete = inner.incomplete.is_empty();
        if let Some(d) = diff.differences.iter_mut().find(|d| d.path == *outer) {
            d.class = if complete { worst } else { Class::Content };
            d.fields.push(format!(
                "nested {} archive: {} of its members differ ({} in content){}",
                inner.artifact_container.name(),
                inner
                    .differences
                    .iter()
                    .filter(|x| x.change != Change::Archive)
                    .count(),
                inner.count(Class::Content),
                if complete {
                    ""
                } else {
                    "; not read to its end"
                }
            ));
            d.detail = None;
        }
        for mut d in inner.differences {
            d.path = format!("{outer}!/{}", d.path);
            inner_all.push(d);
        }
    }
    diff.differences.extend(inner_all);
    Ok(())
}

/// A private scratch directory, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> std::io::Result<Scratch> {
        super::scratch::private_dir(&std::env::temp_dir(), "custody-diff").map(Scratch)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The single top folders of both archives, when every member of each is below one and their
/// names differ only by a version (`demo-1.0/`, `demo-1.1/`).
fn version_tops(a: &Listing, b: &Listing) -> Option<[String; 2]> {
    /// The top folder as stored (`demo-1.0/`, or `./demo-1.0/` in a tar made with `-C . `).
    fn top(l: &Listing) -> Option<String> {
        let dot = |p: &str| p.starts_with("./");
        let first_path = l
            .members
            .iter()
            .map(|m| m.path.as_str())
            .find(|p| *p != "./" && *p != ".")?;
        let lead = if dot(first_path) { "./" } else { "" };
        let name = first_path[lead.len()..].split('/').next()?;
        let prefix = format!("{lead}{name}/");
        l.members
            .iter()
            .all(|m| {
                let p = m.path.as_str();
                p.starts_with(&prefix) || p == &prefix[..prefix.len() - 1] || p == "./" || p == "."
            })
            .then_some(prefix)
    }
    /// The name without its version: cut at the first `-` or `_` followed by a digit or `v`
    /// and a digit.
    fn base(name: &str) -> &str {
        let b = name.as_bytes();
        for i in 0..b.len() {
            if matches!(b[i], b'-' | b'_') {
                let rest = &b[i + 1..];
                let versioned = rest.first().is_some_and(u8::is_ascii_digit)
                    || (rest.first() == Some(&b'v') && rest.get(1).is_some_and(u8::is_ascii_digit));
                if versioned {
                    return &name[..i];
                }
            }
        }
        name
    }
    let (ta, tb) = (top(a)?, top(b)?);
    let name = |t: &'_ str| t.trim_start_matches("./").trim_end_matches('/').to_owned();
    let (na, nb) = (name(&ta), name(&tb));
    let (na, nb) = (na.as_str(), nb.as_str());
    let same_package = ta != tb && base(na) == base(nb) && base(na) != na && base(nb) != nb;
    same_package.then_some([ta, tb])
}

fn structural(a: &Listing, b: &Listing) -> ArchiveDiff {
    let by_path: HashMap<&str, &Member> = b.members.iter().map(|m| (m.path.as_str(), m)).collect();
    let in_a: HashSet<&str> = a.members.iter().map(|m| m.path.as_str()).collect();
    let mut differences = Vec::new();
    let mut identical = 0;
    for m in &a.members {
        match by_path.get(m.path.as_str()) {
            None => differences.push(one_side(m, Change::Removed, "published")),
            Some(r) => {
                let (class, fields) = member_fields(m, r);
                if fields.is_empty() {
                    identical += 1;
                } else {
                    differences.push(MemberDifference {
                        path: m.path.clone(),
                        change: Change::Changed,
                        class,
                        fields,
                        detail: None,
                    });
                }
            }
        }
    }
    for m in b.members.iter().filter(|m| !in_a.contains(m.path.as_str())) {
        differences.push(one_side(m, Change::Added, "rebuilt"));
    }
    let mut archive_fields = Vec::new();
    let common_a: Vec<&str> = a
        .members
        .iter()
        .map(|m| m.path.as_str())
        .filter(|p| by_path.contains_key(p))
        .collect();
    let common_b: Vec<&str> = b
        .members
        .iter()
        .map(|m| m.path.as_str())
        .filter(|p| in_a.contains(p))
        .collect();
    if common_a != common_b {
        archive_fields.push("member order".to_owned());
    }
    if a.container != b.container {
        archive_fields.push(format!(
            "container: {} -> {}",
            a.container.name(),
            b.container.name()
        ));
    } else if let (Some(ga), Some(gb)) = (a.gzip_header, b.gzip_header) {
        if ga.0 != gb.0 {
            archive_fields.push(format!("gzip header mtime: {} -> {}", ga.0, gb.0));
        }
        if ga.1 != gb.1 {
            archive_fields.push(format!(
                "gzip compression level: {} -> {}",
                gzip_level(ga.1),
                gzip_level(gb.1)
            ));
        }
        if ga.2 != gb.2 {
            archive_fields.push(format!("gzip operating system: {} -> {}", ga.2, gb.2));
        }
    }
    if a.comments != b.comments {
        let show = |c: &[String]| match c {
            [] => "(none)".to_owned(),
            c => c.join(", "),
        };
        archive_fields.push(format!(
            "pax global header comment: {} -> {} (git archive writes the commit id there)",
            show(&a.comments),
            show(&b.comments)
        ));
    }
    if !archive_fields.is_empty() {
        differences.insert(
            0,
            MemberDifference {
                path: String::new(),
                change: Change::Archive,
                class: Class::Metadata,
                fields: archive_fields,
                detail: None,
            },
        );
    }
    ArchiveDiff {
        artifact_container: a.container,
        rebuilt_container: b.container,
        members: a.members.len(),
        identical,
        differences,
        undescribed: 0,
        incomplete: Vec::new(),
        paired_below: None,
    }
}

/// A member only one artifact has: content, except a directory entry, which holds nothing
/// (archivers differ on whether they record directories at all).
fn one_side(m: &Member, change: Change, side: &str) -> MemberDifference {
    let (class, what) = match m.kind {
        MemberKind::Directory => (
            Class::Metadata,
            format!("directory entry, only in the {side} artifact"),
        ),
        _ => (
            Class::Content,
            format!("{} bytes, only in the {side} artifact", m.size),
        ),
    };
    MemberDifference {
        path: m.path.clone(),
        change,
        class,
        fields: vec![what],
        detail: None,
    }
}

/// The fields in which one member differs, and the worst class among them.
fn member_fields(a: &Member, b: &Member) -> (Class, Vec<String>) {
    let mut fields = Vec::new();
    let mut class = Class::Metadata;
    let mut content = |fields: &mut Vec<String>, f: String| {
        class = Class::Content;
        fields.push(f);
    };
    if a.kind != b.kind {
        content(&mut fields, format!("type: {:?} -> {:?}", a.kind, b.kind));
    }
    if a.sha256 != b.sha256 {
        content(
            &mut fields,
            format!("content: {} bytes -> {} bytes", a.size, b.size),
        );
    }
    // setuid, setgid and sticky change what running the file does; the rest of the mode is
    // the ordinary permission noise of a build.
    const SPECIAL: u32 = 0o7000;
    if a.mode & SPECIAL != b.mode & SPECIAL {
        content(
            &mut fields,
            format!("mode: {:04o} -> {:04o}", a.mode, b.mode),
        );
    } else if a.mode != b.mode {
        fields.push(format!("mode: {:04o} -> {:04o}", a.mode, b.mode));
    }
    if a.mtime != b.mtime {
        fields.push(format!("mtime: {} -> {}", a.mtime, b.mtime));
    }
    if a.uid != b.uid || a.gid != b.gid {
        fields.push(format!(
            "uid/gid: {}/{} -> {}/{}",
            a.uid, a.gid, b.uid, b.gid
        ));
    }
    if a.method != b.method {
        fields.push(format!("compression method: {} -> {}", a.method, b.method));
    }
    if a.user != b.user || a.group != b.group {
        // An archive may record no owner names at all (numeric ids only).
        let name = |n: &str| {
            if n.is_empty() {
                "(no name)".to_owned()
            } else {
                n.to_owned()
            }
        };
        fields.push(format!(
            "owner: {}/{} -> {}/{}",
            name(&a.user),
            name(&a.group),
            name(&b.user),
            name(&b.group)
        ));
    }
    (class, fields)
}

fn gzip_level(xfl: u8) -> &'static str {
    match xfl {
        2 => "best",
        4 => "fastest",
        _ => "default",
    }
}

/// Describe each content difference from the bytes `caught` while listing, reading again
/// only the changed members that were not caught.
fn describe(
    artifact: &Path,
    rebuilt: &Path,
    a: &Listing,
    b: &Listing,
    caught: [HashMap<String, Vec<u8>>; 2],
    diff: &mut ArchiveDiff,
) -> std::io::Result<()> {
    let files: BTreeMap<&str, (u64, u64)> = {
        let sizes: HashMap<&str, u64> = b
            .members
            .iter()
            .map(|m| (m.path.as_str(), m.size))
            .collect();
        a.members
            .iter()
            .filter_map(|m| Some((m.path.as_str(), (m.size, *sizes.get(m.path.as_str())?))))
            .collect()
    };
    let wanted: HashSet<String> = diff
        .differences
        .iter()
        .filter(|d| {
            d.change == Change::Changed && d.fields.iter().any(|f| f.starts_with("content:"))
        })
        .take(MAX_DIFFS)
        .map(|d| d.path.clone())
        .collect();
    diff.undescribed = diff
        .differences
        .iter()
        .filter(|d| d.fields.iter().any(|f| f.starts_with("content:")))
        .count()
        - wanted.len();
    let [caught_a, caught_b] = caught;
    let missing = |have: &HashMap<String, Vec<u8>>| -> HashSet<String> {
        wanted
            .iter()
            .filter(|p| !have.contains_key(*p))
            .cloned()
            .collect()
    };
    let (wanted_a, mut wanted_b) = (missing(&caught_a), missing(&caught_b));
    // The rebuilt archive's members are named as stored, before pairing renamed them.
    let stored = |p: &str, from: &str, to: &str| match p.strip_prefix(from) {
        Some(rest) => format!("{to}{rest}"),
        None => p.to_owned(),
    };
    if let Some([ta, tb]) = &diff.paired_below {
        wanted_b = wanted_b.iter().map(|p| stored(p, ta, tb)).collect();
    }
    let (ca, cb) = std::thread::scope(|s| {
        let ca = s.spawn(|| members::contents(artifact, a.container, &wanted_a));
        let cb = members::contents(rebuilt, b.container, &wanted_b);
        (
            ca.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            cb,
        )
    });
    let (mut ca, mut cb) = (ca?, cb?);
    if let Some([ta, tb]) = &diff.paired_below {
        cb = cb
            .into_iter()
            .map(|(p, d)| (stored(&p, tb, ta), d))
            .collect();
    }
    ca.extend(caught_a);
    cb.extend(caught_b);
    for d in diff.differences.iter_mut() {
        let (Some(x), Some(y)) = (ca.get(&d.path), cb.get(&d.path)) else {
            continue;
        };
        let sizes = files.get(d.path.as_str()).copied().unwrap_or((0, 0));
        d.detail = Some(detail(x, y, sizes));
    }
    Ok(())
}

/// A text diff when both sides are short UTF-8 text, else sizes and differing byte ranges.
pub(crate) fn detail(a: &[u8], b: &[u8], sizes: (u64, u64)) -> Detail {
    let whole = sizes.0 as usize == a.len() && sizes.1 as usize == b.len();
    fn text(d: &[u8], whole: bool) -> Option<&str> {
        (whole && d.len() <= MAX_DIFF_INPUT && !d.contains(&0))
            .then(|| std::str::from_utf8(d).ok())
            .flatten()
    }
    if let (Some(x), Some(y)) = (text(a, whole), text(b, whole)) {
        let diff = similar::TextDiff::configure()
            .timeout(Duration::from_millis(500))
            .diff_lines(x, y);
        let unified = diff
            .unified_diff()
            .context_radius(2)
            .header("published", "rebuilt")
            .to_string();
        let lines: Vec<&str> = unified.lines().collect();
        let truncated = lines.len() > MAX_DIFF_LINES;
        let mut shown = lines[..lines.len().min(MAX_DIFF_LINES)].join("\n");
        shown.push('\n');
        return Detail::Text {
            diff: shown,
            truncated,
            sides: (x.to_owned(), y.to_owned()),
        };
    }
    Detail::Binary {
        artifact_size: sizes.0,
        rebuilt_size: sizes.1,
        ranges: differing_ranges(a, b),
    }
}

/// The first [`MAX_DIFFERING_RANGES`] ranges of differing bytes, end exclusive; a length
/// difference is a last range from the shorter length to the longer.
fn differing_ranges(a: &[u8], b: &[u8]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let common = a.len().min(b.len());
    let mut i = 0;
    while i < common && out.len() < MAX_DIFFERING_RANGES {
        if a[i] != b[i] {
            let start = i;
            while i < common && a[i] != b[i] {
                i += 1;
            }
            out.push((start as u64, i as u64));
        } else {
            i += 1;
        }
    }
    if a.len() != b.len() && out.len() < MAX_DIFFERING_RANGES {
        out.push((common as u64, a.len().max(b.len()) as u64));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_changes_and_length() {
        assert_eq!(differing_ranges(b"abcdef", b"abXdeY"), [(2, 3), (5, 6)]);
        assert_eq!(differing_ranges(b"abc", b"abcde"), [(3, 5)]);
        assert!(differing_ranges(b"same", b"same").is_empty());
    }

    fn member(path: &str, sha: &str, mode: u32, mtime: i64) -> Member {
        Member {
            path: path.into(),
            kind: MemberKind::File,
            size: 1,
            mode,
            uid: 0,
            gid: 0,
            user: String::new(),
            group: String::new(),
            method: String::new(),
            mtime,
            sha256: sha.into(),
        }
    }

    #[test]
    fn mtime_and_mode_are_metadata_setuid_and_bytes_are_content() {
        let (c, f) = member_fields(&member("a", "x", 0o644, 1), &member("a", "x", 0o755, 2));
        assert_eq!((c, f.len()), (Class::Metadata, 2));
        let (c, _) = member_fields(&member("a", "x", 0o755, 1), &member("a", "x", 0o4755, 1));
        assert_eq!(c, Class::Content);
        let (c, _) = member_fields(&member("a", "x", 0o644, 1), &member("a", "y", 0o644, 1));
        assert_eq!(c, Class::Content);
    }
}

//! Tar streams (plain, or out of a decompressor), parsed header by header.
//!
//! custody parses tar itself so that it reads every member as the tools that will extract it
//! do. Where GNU tar, bsdtar (libarchive) and Python's tarfile agree, custody reads the same:
//! a pax `path`/`linkpath` replaces the header's name, a `ustar\0` magic prepends the prefix
//! field whatever the version, a typeflag-`\0` entry named `dir/` is a directory, a pax `size`
//! replaces the header's. Where they disagree, the archive is refused as ambiguous
//! ([`Stop::Ambiguous`]), naming the entry:
//! - a pax `path` and a GNU long name that differ (tarfile lets whichever came last win);
//! - one pax header naming a keyword twice with different values, two pax headers before one
//!   member, or a global pax header setting anything but `comment`;
//! - a non-empty prefix field under a magic other than `ustar\0` (tarfile prepends it, GNU tar
//!   and bsdtar do not);
//! - a link, directory or device that declares content (tarfile reads that content as the next
//!   header, the others skip it);
//! - data after the end-of-archive marker (`tar --ignore-zeros` extracts it, the rest stop);
//! - a hard link whose mode differs from its target's (GNU tar keeps the target's mode for the
//!   one inode, tarfile applies the link's to both).
//!
//! Sparse, multi-volume and volume-label members are refused as unsupported: no source
//! release needs them, and their content is not the bytes stored.

use std::io::{self, Read};
use std::rc::Rc;

use sha2::Sha256;

use super::budget::{UnpackBudget, Unpacked};
use super::detect::is_tar_header;
use super::{Entry, Exact, Hashing, Kind, Owner, ReadOutcome, Stop, Visitor, read_up_to};
use crate::limits::{MAX_ARCHIVE_ENTRIES, MAX_TAR_HEADER_BYTES};

const BLOCK: usize = 512;

/// Read a tar stream; `Ok(Some)` when reading stopped on a failing condition.
pub(super) fn read_tar<R: Read>(
    stream: R,
    budget: &Rc<UnpackBudget>,
    hash: bool,
    outcome: &mut ReadOutcome,
    visit: &mut Visitor<'_>,
) -> io::Result<Option<Stop>> {
    let mut stream = Hashing {
        inner: Unpacked {
            inner: stream,
            budget: budget.clone(),
        },
        hash: hash.then(<Sha256 as sha2::Digest>::new),
    };
    let stop = read_members(&mut stream, outcome, visit)?;
    if stop.is_none()
        && let Some(h) = stream.hash.take()
    {
        outcome.stream_sha256 = Some(crate::hash::hex(&sha2::Digest::finalize(h)));
    }
    Ok(stop)
}

/// Headers that describe the next member: pax records and GNU long names.
#[derive(Default)]
struct Pending {
    pax: Option<Pax>,
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    /// Bytes of such headers' content since the last member.
    bytes: u64,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.pax.is_none() && self.long_name.is_none() && self.long_link.is_none()
    }
}

/// The keywords custody reads from a local pax header.
#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<u64>,
    uid: Option<u64>,
    gid: Option<u64>,
    uname: Option<Vec<u8>>,
    gname: Option<Vec<u8>>,
    mtime: Option<i64>,
}

fn read_members(
    stream: &mut impl Read,
    outcome: &mut ReadOutcome,
    visit: &mut Visitor<'_>,
) -> io::Result<Option<Stop>> {
    let mut block = [0u8; BLOCK];
    let mut pending = Pending::default();
    let mut headers = 0u64;
    // Regular files by normalised path, with their permission bits, for hard links to them.
    let mut modes: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    loop {
        let got = read_up_to(stream, &mut block)?;
        if got == 0 {
            if headers == 0 {
                return Ok(Some(Stop::Unsupported(
                    "an empty file is no tar archive".into(),
                )));
            }
            if !pending.is_empty() {
                return Ok(Some(malformed(
                    outcome,
                    "the archive ends after a header that describes a next entry",
                )));
            }
            // No end-of-archive marker: every reader stops here too.
            return Ok(None);
        }
        if got < BLOCK {
            return Ok(Some(malformed(
                outcome,
                "the stream ends inside a 512-byte block: truncated",
            )));
        }
        if block.iter().all(|&b| b == 0) {
            if !pending.is_empty() {
                return Ok(Some(malformed(
                    outcome,
                    "the end-of-archive marker follows a header that describes a next entry",
                )));
            }
            return trailing(stream, outcome);
        }
        if !is_tar_header(&block) {
            if headers == 0 {
                return Ok(Some(Stop::Unsupported(
                    "not a tar, zip, or compressed tar archive".into(),
                )));
            }
            return Ok(Some(malformed(
                outcome,
                "a header's checksum does not match",
            )));
        }
        headers += 1;
        let h = Header(&block);
        let Some(declared) = numeric(h.field(124, 12)) else {
            return Ok(Some(malformed(outcome, "a header's size is not a number")));
        };
        let typeflag = block[156];
        match typeflag {
            b'x' | b'X' | b'g' | b'L' | b'K' => {
                if pending.bytes + declared > MAX_TAR_HEADER_BYTES {
                    return Ok(Some(Stop::OverLimit(format!(
                        "more than {MAX_TAR_HEADER_BYTES} bytes of headers (long names, pax \
                         records) before one entry; reading stopped there"
                    ))));
                }
                pending.bytes += declared;
                let mut data = vec![0u8; declared as usize];
                if read_up_to(stream, &mut data)? < data.len() {
                    return Ok(Some(malformed(outcome, "a header's content is truncated")));
                }
                skip(stream, padding(declared))?;
                let next = outcome.entries + 1;
                let problem = match typeflag {
                    b'x' | b'X' if pending.pax.is_some() => Some(Stop::Ambiguous(format!(
                        "entry {next}: two pax extended headers before one member; tools \
                         disagree on which applies"
                    ))),
                    b'x' | b'X' => match local_pax(&data) {
                        Ok(pax) => {
                            pending.pax = Some(pax);
                            None
                        }
                        Err(stop) => Some(stop),
                    },
                    b'g' if !pending.is_empty() => Some(Stop::Ambiguous(format!(
                        "entry {next}: a global pax header between a member's own headers"
                    ))),
                    b'g' => match global_pax(&data) {
                        Ok(comments) => {
                            if outcome.comments.len() < 16 {
                                outcome.comments.extend(comments);
                            }
                            None
                        }
                        Err(stop) => Some(stop),
                    },
                    b'L' | b'K' => {
                        let slot = if typeflag == b'L' {
                            &mut pending.long_name
                        } else {
                            &mut pending.long_link
                        };
                        if slot.is_some() {
                            Some(Stop::Ambiguous(format!(
                                "entry {next}: two GNU long {} headers before one member",
                                if typeflag == b'L' { "name" } else { "link" }
                            )))
                        } else {
                            *slot = Some(nts(&data).to_vec());
                            None
                        }
                    }
                    _ => unreachable!("matched above"),
                };
                if let Some(stop) = problem {
                    return Ok(Some(stop));
                }
            }
            b'S' => return Ok(Some(unsupported(&h, &pending, "a GNU sparse member"))),
            b'M' => {
                return Ok(Some(unsupported(
                    &h,
                    &pending,
                    "a multi-volume continuation",
                )));
            }
            b'V' => return Ok(Some(unsupported(&h, &pending, "a volume label"))),
            b'N' => {
                return Ok(Some(unsupported(
                    &h,
                    &pending,
                    "an old GNU long-names record",
                )));
            }
            b'D' => {
                return Ok(Some(unsupported(
                    &h,
                    &pending,
                    "a GNU incremental dump directory",
                )));
            }
            _ => {
                outcome.entries += 1;
                if outcome.entries > MAX_ARCHIVE_ENTRIES {
                    return Ok(Some(Stop::OverLimit(format!(
                        "more than {MAX_ARCHIVE_ENTRIES} entries; reading stopped there"
                    ))));
                }
                let pending = std::mem::take(&mut pending);
                let entry = match member(&h, declared, pending) {
                    Ok(entry) => entry,
                    Err(stop) => return Ok(Some(stop)),
                };
                let normal = |p: &[u8]| super::path::normalise(p, false).ok();
                match &entry.kind {
                    Kind::File => {
                        if let (Some(p), Some(mode)) = (normal(&entry.path), entry.mode) {
                            modes.insert(p, mode);
                        }
                    }
                    Kind::Hardlink(target) => {
                        let theirs = normal(target).and_then(|t| modes.get(&t).copied());
                        if let (Some(theirs), Some(ours)) = (theirs, entry.mode)
                            && theirs != ours
                        {
                            return Ok(Some(Stop::Ambiguous(format!(
                                "hard link `{}` declares mode {ours:04o}, its target `{}` \
                                 {theirs:04o}: GNU tar keeps the target's for the one file, \
                                 Python's tarfile applies the link's",
                                entry.shown(),
                                String::from_utf8_lossy(target)
                            ))));
                        }
                    }
                    _ => {}
                }
                let size = entry.size;
                let mut content = Exact {
                    inner: &mut *stream,
                    left: size,
                };
                visit(entry, &mut content)?;
                // Whatever the visitor left unread is content, drained here.
                io::copy(&mut content, &mut io::sink())?;
                skip(stream, padding(size))?;
            }
        }
    }
}

/// After the end-of-archive marker only zeros may follow (GNU tar's blocking pads with them).
/// Anything else is hidden from most extractors and unpacked by `tar --ignore-zeros`.
fn trailing(stream: &mut impl Read, outcome: &ReadOutcome) -> io::Result<Option<Stop>> {
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if buf[..n].iter().any(|&b| b != 0) {
            return Ok(Some(Stop::Ambiguous(format!(
                "data follows the end-of-archive marker after entry {}: `tar --ignore-zeros` \
                 extracts it, other tools stop before it",
                outcome.entries
            ))));
        }
    }
}

/// One member's entry, from its header and the headers before it.
fn member(h: &Header<'_>, declared: u64, pending: Pending) -> Result<Entry, Stop> {
    let pax = pending.pax.unwrap_or_default();
    let at = |what: &str| format!("`{}`: {what}", String::from_utf8_lossy(h.name()));
    let path = resolve(
        pax.path,
        pending.long_name,
        h.path().map_err(|why| Stop::Ambiguous(at(&why)))?,
        "path",
    )
    .map_err(|why| Stop::Ambiguous(at(&why)))?;
    let shown = String::from_utf8_lossy(&path).into_owned();
    let here = |what: String| format!("`{shown}`: {what}");
    let link = resolve(
        pax.linkpath,
        pending.long_link,
        nts(h.field(157, 100)).to_vec(),
        "link",
    )
    .map_err(|why| Stop::Ambiguous(here(why)))?;
    let size = pax.size.unwrap_or(declared);
    let typeflag = h.0[156];
    let kind = match typeflag {
        b'0' | b'7' if path.ends_with(b"/") => {
            return Err(Stop::Ambiguous(here(
                "a regular file whose name ends in `/`: tools make a directory or fail".into(),
            )));
        }
        // Old (v7) archives mark directories only by the trailing slash.
        0 if path.ends_with(b"/") => Kind::Directory,
        0 | b'0' | b'7' => Kind::File,
        b'1' => Kind::Hardlink(link),
        b'2' => Kind::Symlink(link),
        b'3' | b'4' => Kind::Special("device node"),
        b'5' => Kind::Directory,
        b'6' => Kind::Special("FIFO"),
        _ => Kind::Special("unknown tar entry type"),
    };
    let regular =
        matches!(kind, Kind::File) || matches!(kind, Kind::Special("unknown tar entry type"));
    if !regular && size > 0 {
        return Err(Stop::Ambiguous(here(format!(
            "a {} that declares {size} bytes of content: Python's tarfile reads them as the \
             next header, GNU tar and bsdtar skip them",
            match kind {
                Kind::Directory => "directory",
                Kind::Symlink(_) => "symlink",
                Kind::Hardlink(_) => "hard link",
                _ => "device or FIFO",
            }
        ))));
    }
    let field = |o, n| {
        numeric(h.field(o, n))
            .ok_or_else(|| Stop::Malformed(here("a numeric field is not a number".into())))
    };
    let mode = field(100, 8)? as u32 & 0o7777;
    let owner = Owner {
        uid: pax.uid.map_or_else(|| field(108, 8), Ok)?,
        gid: pax.gid.map_or_else(|| field(116, 8), Ok)?,
        user: text(pax.uname.as_deref().unwrap_or(nts(h.field(265, 32)))),
        group: text(pax.gname.as_deref().unwrap_or(nts(h.field(297, 32)))),
    };
    let mtime = match pax.mtime {
        Some(t) => t,
        None => i64::try_from(field(136, 12)?).unwrap_or(i64::MAX),
    };
    Ok(Entry {
        path,
        kind,
        size,
        mode: Some(mode),
        owner,
        mtime,
        method: None,
        backslash_separates: false,
    })
}

/// The one name a member has: from the pax record, the GNU long header or the header itself.
/// A pax record and a long header that disagree are ambiguous.
fn resolve(
    pax: Option<Vec<u8>>,
    gnu: Option<Vec<u8>>,
    header: Vec<u8>,
    what: &str,
) -> Result<Vec<u8>, String> {
    match (pax, gnu) {
        (Some(p), Some(g)) if p != g => Err(format!(
            "a pax {what} `{}` and a GNU long {what} `{}` disagree; tools pick different ones",
            String::from_utf8_lossy(&p),
            String::from_utf8_lossy(&g)
        )),
        (Some(p), _) => Ok(p),
        (None, Some(g)) => Ok(g),
        (None, None) => Ok(header),
    }
}

/// Reading a stopped archive's failure, with how far it got.
fn malformed(outcome: &ReadOutcome, why: &str) -> Stop {
    Stop::Malformed(format!("{why} (after {} entries)", outcome.entries))
}

fn unsupported(h: &Header<'_>, pending: &Pending, what: &str) -> Stop {
    let name = pending
        .long_name
        .clone()
        .unwrap_or_else(|| h.name().to_vec());
    Stop::Unsupported(format!(
        "`{}` is {what}, which no source release needs and custody does not read",
        String::from_utf8_lossy(&name)
    ))
}

/// A local pax header's records, each keyword at most once (or repeated with the same value).
fn local_pax(data: &[u8]) -> Result<Pax, Stop> {
    let mut pax = Pax::default();
    let mut seen: Vec<Record> = Vec::new();
    for (key, value) in records(data)? {
        if let Some((_, earlier)) = seen.iter().find(|(k, _)| *k == key) {
            if *earlier != value {
                return Err(Stop::Ambiguous(format!(
                    "a pax header sets `{}` twice, to different values; tools disagree on \
                     which counts",
                    String::from_utf8_lossy(&key)
                )));
            }
            continue;
        }
        let number = |v: &[u8]| -> Result<u64, Stop> {
            std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| {
                    Stop::Malformed(format!(
                        "pax record `{}` is not a number",
                        String::from_utf8_lossy(&key)
                    ))
                })
        };
        match key.as_slice() {
            b"path" | b"linkpath" if value.is_empty() => {
                return Err(Stop::Ambiguous(format!(
                    "a pax header sets an empty `{}`",
                    String::from_utf8_lossy(&key)
                )));
            }
            b"path" => pax.path = Some(value.clone()),
            b"linkpath" => pax.linkpath = Some(value.clone()),
            b"size" => pax.size = Some(number(&value)?),
            b"uid" => pax.uid = Some(number(&value)?),
            b"gid" => pax.gid = Some(number(&value)?),
            b"uname" => pax.uname = Some(value.clone()),
            b"gname" => pax.gname = Some(value.clone()),
            b"mtime" => {
                let whole = value.split(|&b| b == b'.').next().unwrap_or_default();
                let t = std::str::from_utf8(whole).ok().and_then(|s| s.parse().ok());
                pax.mtime =
                    Some(t.ok_or_else(|| Stop::Malformed("pax mtime is not a time".into()))?);
            }
            k if k.starts_with(b"GNU.sparse.") => {
                return Err(Stop::Unsupported(
                    "a pax header describes a sparse member, which no source release needs and \
                     custody does not read"
                        .into(),
                ));
            }
            _ => {}
        }
        seen.push((key, value));
    }
    Ok(pax)
}

/// A global pax header may only carry a comment (`git archive` writes the commit id there); any
/// other keyword would change every following member for some tools and not for others.
/// The comments it carries are returned.
fn global_pax(data: &[u8]) -> Result<Vec<String>, Stop> {
    let mut comments = Vec::new();
    for (key, value) in records(data)? {
        if key == b"comment" {
            comments.push(String::from_utf8_lossy(&value).into_owned());
        } else {
            return Err(Stop::Ambiguous(format!(
                "a global pax header sets `{}` for every following member; tools disagree on \
                 whether it applies",
                String::from_utf8_lossy(&key)
            )));
        }
    }
    Ok(comments)
}

/// One pax record: keyword and value.
type Record = (Vec<u8>, Vec<u8>);

/// The `LENGTH KEYWORD=VALUE\n` records of a pax header. After the last record only NUL bytes
/// may follow: tarfile stops at the first NUL, other readers go on.
fn records(data: &[u8]) -> Result<Vec<Record>, Stop> {
    let bad = |why: &str| Stop::Malformed(format!("pax header: {why}"));
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() && rest[0] != 0 {
        let space = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| bad("a record has no length"))?;
        let len: usize = std::str::from_utf8(&rest[..space])
            .ok()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("a record's length is not a number"))?;
        if len <= space + 1 || len > rest.len() || rest[len - 1] != b'\n' {
            return Err(bad("a record's length does not match its end"));
        }
        let record = &rest[space + 1..len - 1];
        let eq = record
            .iter()
            .position(|&b| b == b'=')
            .filter(|&i| i > 0)
            .ok_or_else(|| bad("a record has no keyword"))?;
        out.push((record[..eq].to_vec(), record[eq + 1..].to_vec()));
        rest = &rest[len..];
    }
    if rest.iter().any(|&b| b != 0) {
        return Err(Stop::Ambiguous(
            "a pax header holds records after a NUL byte: tarfile ignores them, other tools read \
             them"
                .into(),
        ));
    }
    Ok(out)
}

/// A 512-byte header block.
struct Header<'a>(&'a [u8; BLOCK]);

impl Header<'_> {
    fn field(&self, offset: usize, len: usize) -> &[u8] {
        &self.0[offset..offset + len]
    }

    fn name(&self) -> &[u8] {
        nts(self.field(0, 100))
    }

    /// The header's own path: the name, after the prefix field where tools prepend it.
    fn path(&self) -> Result<Vec<u8>, String> {
        let name = self.name();
        let prefix = nts(self.field(345, 155));
        let ustar = self.field(257, 6) == b"ustar\0";
        if prefix.is_empty() {
            return Ok(name.to_vec());
        }
        if !ustar {
            return Err(
                "a prefix field under a magic other than `ustar`: tarfile prepends it, GNU tar \
                 and bsdtar do not"
                    .into(),
            );
        }
        // star's headers end the prefix at byte 131 and keep times after it; GNU tar reads them
        // so only when byte 131 is NUL, where tarfile's NUL-terminated read stops too.
        let mut path = prefix.to_vec();
        path.push(b'/');
        path.extend_from_slice(name);
        Ok(path)
    }
}

/// The bytes of a field up to its first NUL.
fn nts(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An octal field: digits between optional spaces and NULs; empty is zero.
pub(super) fn octal(field: &[u8]) -> Option<u64> {
    let trimmed: &[u8] = {
        let start = field.iter().position(|&b| b != b' ' && b != 0)?;
        let end = field.iter().rposition(|&b| b != b' ' && b != 0)? + 1;
        &field[start..end]
    };
    if !trimmed.iter().all(|b| (b'0'..=b'7').contains(b)) || trimmed.len() > 21 {
        return None;
    }
    trimmed.iter().try_fold(0u64, |n, &b| {
        n.checked_mul(8)?.checked_add(u64::from(b - b'0'))
    })
}

/// A numeric field: octal, or GNU's base-256 (high bit of the first byte set). Negative
/// base-256 values are refused. An all-blank field is zero.
fn numeric(field: &[u8]) -> Option<u64> {
    match field.first() {
        Some(&first) if first & 0x80 != 0 => {
            if first & 0x40 != 0 {
                return None;
            }
            let mut n = u64::from(first & 0x3f);
            for &b in &field[1..] {
                n = n.checked_mul(256)?.checked_add(u64::from(b))?;
            }
            Some(n)
        }
        _ if field.iter().all(|&b| b == b' ' || b == 0) => Some(0),
        _ => octal(field),
    }
}

fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

fn skip(stream: &mut impl Read, n: u64) -> io::Result<()> {
    let copied = io::copy(&mut stream.take(n), &mut io::sink())?;
    if copied < n {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the stream ends inside an entry's padding",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_octal_and_base_256() {
        assert_eq!(octal(b"0000644\0"), Some(0o644));
        assert_eq!(octal(b"  644 \0"), Some(0o644));
        assert_eq!(octal(b"0009\0"), None);
        assert_eq!(numeric(b"\0\0\0\0"), Some(0));
        assert_eq!(numeric(&[0x80, 0, 0, 1, 0]), Some(256));
        assert_eq!(numeric(&[0xff, 0xff]), None);
    }

    #[test]
    fn pax_records_parse_strictly() {
        let r = records(b"18 path=a/b/c.txt\n8 uid=7\n").unwrap();
        assert_eq!(r[0], (b"path".to_vec(), b"a/b/c.txt".to_vec()));
        assert_eq!(r[1], (b"uid".to_vec(), b"7".to_vec()));
        assert!(records(b"18 path=a/b/c.txt\n\0\0").is_ok());
        assert!(matches!(
            records(b"19 path=a/b/c.txt\n"),
            Err(Stop::Malformed(_))
        ));
        assert!(matches!(
            records(b"8 uid=7\n\08 uid=8\n"),
            Err(Stop::Ambiguous(_))
        ));
        assert!(matches!(
            local_pax(b"8 uid=7\n8 uid=8\n"),
            Err(Stop::Ambiguous(_))
        ));
        assert!(local_pax(b"8 uid=7\n8 uid=7\n").is_ok());
    }
}

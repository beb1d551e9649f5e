//! Listing an archive's members with everything that can differ between two builds of it: the
//! content digest, and the metadata a rebuild may legitimately change (mtime, owner, mode,
//! order), plus what the compression layer itself records (gzip's header time and level).
//!
//! This reads the same containers as `contents::archive` but keeps the header fields that
//! module deliberately drops; it is bounded by the same limits of `crate::limits`, counted here
//! on the unpacked stream.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::pairing::Pairing;
use crate::hash::hex;

use crate::limits::{
    COMPRESSION_RATIO_FLOOR, MAX_ARCHIVE_ENTRIES, MAX_ARCHIVE_UNPACKED, MAX_COMPRESSION_RATIO,
    MAX_DIFF_INPUT,
};

/// How a file is packed, recognised by its magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Container {
    Tar,
    TarGz,
    TarXz,
    TarBz2,
    TarZst,
    Zip,
    /// Not an archive custody reads: compared as one blob of bytes.
    Bytes,
}

impl Container {
    pub fn name(self) -> &'static str {
        match self {
            Container::Tar => "tar",
            Container::TarGz => "tar.gz",
            Container::TarXz => "tar.xz",
            Container::TarBz2 => "tar.bz2",
            Container::TarZst => "tar.zst",
            Container::Zip => "zip",
            Container::Bytes => "bytes",
        }
    }

    fn of(magic: &[u8]) -> Container {
        if magic.starts_with(b"PK\x03\x04") || magic.starts_with(b"PK\x05\x06") {
            Container::Zip
        } else if magic.starts_with(&[0x1f, 0x8b]) {
            Container::TarGz
        } else if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Container::TarXz
        } else if magic.starts_with(b"BZh") {
            Container::TarBz2
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Container::TarZst
        } else if magic.len() >= 262 && &magic[257..262] == b"ustar" {
            Container::Tar
        } else {
            Container::Bytes
        }
    }
}

/// What an entry is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "target", rename_all = "kebab-case")]
pub enum MemberKind {
    File,
    Directory,
    Symlink(String),
    Hardlink(String),
    Other(String),
}

/// One member: its identity and every field a rebuild is compared on.
#[derive(Clone, Debug, Serialize)]
pub struct Member {
    pub path: String,
    pub kind: MemberKind,
    pub size: u64,
    /// Permission bits, including setuid, setgid and sticky.
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub user: String,
    pub group: String,
    /// A zip member's compression method (`Deflated`, `Stored`); empty in tar.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub method: String,
    /// Seconds since the epoch (zip: its DOS time read as UTC).
    pub mtime: i64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
}

/// An archive as two builds are compared on it.
#[derive(Clone, Debug)]
pub struct Listing {
    pub container: Container,
    pub members: Vec<Member>,
    /// gzip header fields: (mtime, extra flags naming the level, operating system).
    pub gzip_header: Option<(u32, u8, u8)>,
    /// Why reading stopped early: a corrupt archive or one past a limit.
    pub stopped: Option<String>,
}

/// List every member of the archive (or treat the file as plain bytes), offering each to
/// `pairing` as side `side`.
pub fn list(path: &Path, pairing: &Pairing, side: usize) -> io::Result<Listing> {
    let (container, magic) = sniff(path)?;
    let mut listing = Listing {
        container,
        members: Vec::new(),
        gzip_header: None,
        stopped: None,
    };
    if container == Container::TarGz && magic.len() >= 10 {
        let mtime = u32::from_le_bytes([magic[4], magic[5], magic[6], magic[7]]);
        listing.gzip_header = Some((mtime, magic[8], magic[9]));
    }
    let mut visit = |m: Member, data: &[u8]| {
        pairing.offer(side, &m, data);
        listing.members.push(m);
        Ok(())
    };
    let result = walk(path, container, Pass::List, &mut visit);
    match result {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(e),
        Err(e) => listing.stopped = Some(e.to_string()),
    }
    Ok(listing)
}

/// The content of the members named in `wanted` (at most [`MAX_DIFF_INPUT`] bytes each; larger
/// ones are cut there). For a plain file, the empty name stands for the whole file.
pub fn contents(
    path: &Path,
    container: Container,
    wanted: &HashSet<String>,
) -> io::Result<HashMap<String, Vec<u8>>> {
    let mut out = HashMap::new();
    if wanted.is_empty() {
        return Ok(out);
    }
    let mut visit = |m: Member, data: &[u8]| {
        if wanted.contains(&m.path) {
            out.insert(m.path, data.to_vec());
            if out.len() == wanted.len() {
                // Everything wanted is here: stop reading.
                return Err(io::Error::other("done"));
            }
        }
        Ok(())
    };
    // A stop part-way is already reported by `list`; what was read until then is still useful.
    let _ = walk(path, container, Pass::Contents(wanted), &mut visit);
    Ok(out)
}

/// SHA-256 of the unpacked tar stream (`None` for zip and plain files): equal streams in
/// unequal files mean only the compression differs. A pass of its own, needed only when
/// every member already agrees.
pub fn stream_sha256(path: &Path, container: Container) -> io::Result<Option<String>> {
    walk(path, container, Pass::Stream, &mut |_, _| Ok(()))
}

/// What one read of an archive is for; each does only the hashing it needs.
#[derive(Clone, Copy)]
enum Pass<'a> {
    /// Every member's metadata and content digest.
    List,
    /// The digest of the whole unpacked stream.
    Stream,
    /// The bytes of these members.
    Contents(&'a HashSet<String>),
}

fn sniff(path: &Path) -> io::Result<(Container, Vec<u8>)> {
    let mut f = File::open(path)?;
    let mut magic = vec![0u8; 512];
    let mut got = 0;
    while got < magic.len() {
        match f.read(&mut magic[got..])? {
            0 => break,
            n => got += n,
        }
    }
    magic.truncate(got);
    Ok((Container::of(&magic), magic))
}

type Visit<'a> = dyn FnMut(Member, &[u8]) -> io::Result<()> + 'a;

/// Read every member, hashing its content; members in `keep` are also handed over whole (up to
/// [`MAX_DIFF_INPUT`]). Returns the unpacked stream's digest for tar containers.
fn walk(
    path: &Path,
    container: Container,
    pass: Pass<'_>,
    visit: &mut Visit<'_>,
) -> io::Result<Option<String>> {
    // Which members' bytes are handed to the visitor: those asked for, or, while listing, any
    // small enough to be diffed (for `Pairing`).
    let keeps = |path: &str, size: u64| match pass {
        Pass::Contents(k) => k.contains(path),
        Pass::List => size <= MAX_DIFF_INPUT as u64,
        Pass::Stream => false,
    };
    let hash_members = matches!(pass, Pass::List);
    let file = File::open(path)?;
    let disk_len = file.metadata()?.len();
    let disk = BufReader::with_capacity(1 << 16, file);
    let stream: Box<dyn Read> = match container {
        Container::Bytes => {
            let mut data = Vec::new();
            let mut r = disk;
            let mut h = Sha256::new();
            let mut buf = vec![0u8; 1 << 16];
            let mut size = 0u64;
            loop {
                let n = r.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
                if keeps("", disk_len) && data.len() < MAX_DIFF_INPUT {
                    let room = MAX_DIFF_INPUT - data.len();
                    data.extend_from_slice(&buf[..n.min(room)]);
                }
                size += n as u64;
            }
            visit(
                Member {
                    path: String::new(),
                    kind: MemberKind::File,
                    size,
                    mode: 0,
                    uid: 0,
                    gid: 0,
                    user: String::new(),
                    group: String::new(),
                    method: String::new(),
                    mtime: 0,
                    sha256: hex(&h.finalize()),
                },
                &data,
            )?;
            return Ok(None);
        }
        Container::Zip if matches!(pass, Pass::Stream) => return Ok(None),
        Container::Zip => return walk_zip(path, &keeps, hash_members, visit).map(|()| None),
        Container::Tar => Box::new(disk),
        Container::TarGz => Box::new(flate2::bufread::MultiGzDecoder::new(disk)),
        Container::TarXz => Box::new(lzma_rust2::XzReader::new(disk, true)),
        Container::TarBz2 => Box::new(bzip2::bufread::MultiBzDecoder::new(disk)),
        Container::TarZst => Box::new(crate::contents::ZstdFrames::new(disk)),
    };
    let mut stream = Bounded {
        inner: stream,
        read: 0,
        disk_len,
        hash: matches!(pass, Pass::Stream).then(Sha256::new),
    };
    {
        let mut archive = tar::Archive::new(&mut stream);
        let mut count = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        for entry in archive.entries()? {
            let mut entry = entry?;
            count += 1;
            if count > MAX_ARCHIVE_ENTRIES {
                return Err(io::Error::other(format!(
                    "more than {MAX_ARCHIVE_ENTRIES} entries"
                )));
            }
            let h = entry.header();
            let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let link = || {
                entry
                    .link_name_bytes()
                    .map(|l| String::from_utf8_lossy(&l).into_owned())
                    .unwrap_or_default()
            };
            let kind = match h.entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => MemberKind::File,
                tar::EntryType::Directory => MemberKind::Directory,
                tar::EntryType::Symlink => MemberKind::Symlink(link()),
                tar::EntryType::Link => MemberKind::Hardlink(link()),
                other => MemberKind::Other(format!("{other:?}")),
            };
            let mode = h.mode().unwrap_or(0) & 0o7777;
            let uid = h.uid().unwrap_or(0);
            let gid = h.gid().unwrap_or(0);
            let user = h
                .username_bytes()
                .map(|u| String::from_utf8_lossy(u).into_owned())
                .unwrap_or_default();
            let group = h
                .groupname_bytes()
                .map(|g| String::from_utf8_lossy(g).into_owned())
                .unwrap_or_default();
            let mtime = h.mtime().unwrap_or(0) as i64;
            let keep_this = keeps(&path, entry.size());
            let (size, digest, data) =
                read_member(&mut entry, &mut buf, hash_members, keep_this, &mut |_| {
                    Ok(())
                })?;
            let member = Member {
                path,
                kind,
                size,
                mode,
                uid,
                gid,
                user,
                group,
                method: String::new(),
                mtime,
                sha256: hex(&digest.finalize()),
            };
            visit(member, &data)?;
        }
    }
    // Drain what follows the end-of-archive blocks, so the stream digest covers every byte.
    io::copy(&mut stream, &mut io::sink())?;
    Ok(stream.hash.take().map(|h| hex(&h.finalize())))
}

fn walk_zip(
    path: &Path,
    keeps: &dyn Fn(&str, u64) -> bool,
    hash_members: bool,
    visit: &mut Visit<'_>,
) -> io::Result<()> {
    let file = File::open(path)?;
    let disk_len = file.metadata()?.len();
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(io::Error::other)?;
    if zip.len() as u64 > MAX_ARCHIVE_ENTRIES {
        return Err(io::Error::other(format!(
            "more than {MAX_ARCHIVE_ENTRIES} entries"
        )));
    }
    let mut unpacked = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(io::Error::other)?;
        let path = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let kind = if entry.is_dir() {
            MemberKind::Directory
        } else if entry.is_symlink() {
            MemberKind::Symlink(String::new())
        } else {
            MemberKind::File
        };
        let mode = entry.unix_mode().unwrap_or(0) & 0o7777;
        let mtime = entry
            .last_modified()
            .map(|t| {
                dos_time_seconds(
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second(),
                )
            })
            .unwrap_or(0);
        let method = format!("{:?}", entry.compression());
        // A zip symlink's target is its content.
        let keep_this = keeps(&path, entry.size()) || matches!(kind, MemberKind::Symlink(_));
        let (size, digest, data) =
            read_member(&mut entry, &mut buf, hash_members, keep_this, &mut |n| {
                unpacked += n as u64;
                check_budget(unpacked, disk_len)
            })?;
        let kind = match kind {
            MemberKind::Symlink(_) => {
                MemberKind::Symlink(String::from_utf8_lossy(&data).into_owned())
            }
            k => k,
        };
        let member = Member {
            path,
            kind,
            size,
            mode,
            uid: 0,
            gid: 0,
            user: String::new(),
            group: String::new(),
            method,
            mtime,
            sha256: hex(&digest.finalize()),
        };
        visit(member, &data)?;
    }
    Ok(())
}

/// Seconds since the epoch of a DOS date and time, read as UTC.
fn dos_time_seconds(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> i64 {
    let days = crate::attest::timestamp::days_from_civil(
        i64::from(year),
        i64::from(month),
        i64::from(day),
    );
    days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
}

/// Read one member whole: its size, its SHA-256 (fed only when `hash`), and its first
/// [`MAX_DIFF_INPUT`] bytes when `keep`. `each` sees every chunk's length first and may stop
/// the read (the zip reader counts them against its unpacked budget).
fn read_member(
    entry: &mut impl Read,
    buf: &mut [u8],
    hash: bool,
    keep: bool,
    each: &mut dyn FnMut(usize) -> io::Result<()>,
) -> io::Result<(u64, Sha256, Vec<u8>)> {
    let mut digest = Sha256::new();
    let mut data = Vec::new();
    let mut size = 0u64;
    loop {
        let n = entry.read(buf)?;
        if n == 0 {
            break;
        }
        each(n)?;
        if hash {
            digest.update(&buf[..n]);
        }
        if keep && data.len() < MAX_DIFF_INPUT {
            let room = MAX_DIFF_INPUT - data.len();
            data.extend_from_slice(&buf[..n.min(room)]);
        }
        size += n as u64;
    }
    Ok((size, digest, data))
}

fn check_budget(unpacked: u64, disk_len: u64) -> io::Result<()> {
    if unpacked > MAX_ARCHIVE_UNPACKED {
        return Err(io::Error::other(format!(
            "unpacks past {MAX_ARCHIVE_UNPACKED} bytes"
        )));
    }
    if unpacked > COMPRESSION_RATIO_FLOOR && unpacked / disk_len.max(1) > MAX_COMPRESSION_RATIO {
        return Err(io::Error::other(format!(
            "unpacks to more than {MAX_COMPRESSION_RATIO} times its size"
        )));
    }
    Ok(())
}

/// The unpacked tar stream: counted against the limits and hashed as it goes.
struct Bounded {
    inner: Box<dyn Read>,
    read: u64,
    disk_len: u64,
    hash: Option<Sha256>,
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        check_budget(self.read, self.disk_len)?;
        if let Some(h) = &mut self.hash {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_time_reads_as_utc() {
        assert_eq!(dos_time_seconds(1980, 1, 1, 0, 0, 0), 315_532_800);
        assert_eq!(dos_time_seconds(2024, 2, 29, 12, 0, 0), 1_709_208_000);
    }

    #[test]
    fn lists_tar_members_with_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o755);
        h.set_mtime(42);
        h.set_uid(7);
        h.set_cksum();
        b.append_data(&mut h, "p/run.sh", &b"hi\n"[..]).unwrap();
        let p = dir.path().join("a.tar");
        std::fs::write(&p, b.into_inner().unwrap()).unwrap();
        let l = list(&p, &Pairing::default(), 0).unwrap();
        assert_eq!(l.container, Container::Tar);
        assert!(l.stopped.is_none());
        let m = &l.members[0];
        assert_eq!(
            (m.path.as_str(), m.mode, m.mtime, m.uid),
            ("p/run.sh", 0o755, 42, 7)
        );
        assert_eq!(m.size, 3);
        let got = contents(&p, l.container, &HashSet::from(["p/run.sh".to_owned()])).unwrap();
        assert_eq!(got["p/run.sh"], b"hi\n");
    }
}

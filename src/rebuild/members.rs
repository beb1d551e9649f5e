//! Listing an archive's members with everything that can differ between two builds of it: the
//! content digest, and the metadata a rebuild may legitimately change (mtime, owner, mode,
//! order), plus what the compression layer itself records (gzip's header time and level).
//!
//! The archive is read by `crate::archive`, the one reader `compare` uses too, with its limits
//! and its refusal of archives that extractors could read two ways; a file that is no archive
//! is compared as one blob of bytes.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::archive::{self, Finished, Format, Kind, Stop};
use crate::hash::hex;
use crate::limits::MAX_DIFF_INPUT;

/// How a file is packed.
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
}

impl From<Format> for Container {
    fn from(f: Format) -> Container {
        match f {
            Format::Tar => Container::Tar,
            Format::TarGz => Container::TarGz,
            Format::TarXz => Container::TarXz,
            Format::TarBz2 => Container::TarBz2,
            Format::TarZst => Container::TarZst,
            Format::Zip => Container::Zip,
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
    /// A tar's global pax comments (`git archive` writes the commit id there).
    pub comments: Vec<String>,
    /// Why reading stopped early: a corrupt or ambiguous archive, or one past a limit.
    pub stopped: Option<String>,
}

/// The container of the file at `path`, and why it cannot be read as that container, if it
/// cannot (an ambiguous file is compared as bytes, and its listing says why it stopped).
fn container(path: &Path) -> io::Result<(Container, Option<String>)> {
    Ok(match archive::detect(path)? {
        Ok(format) => (format.into(), None),
        Err(Stop::Unsupported(_)) => (Container::Bytes, None),
        Err(stop) => (Container::Bytes, Some(stop.reason().to_owned())),
    })
}

/// List every member of the archive (or treat the file as plain bytes), handing each with its
/// bytes (when at most [`MAX_DIFF_INPUT`]) to `offer` as it is read.
pub fn list(path: &Path, offer: &(dyn Fn(&Member, &[u8]) + Sync)) -> io::Result<Listing> {
    let (container, stopped) = container(path)?;
    let mut listing = Listing {
        container,
        members: Vec::new(),
        gzip_header: None,
        comments: Vec::new(),
        stopped,
    };
    if container == Container::Bytes {
        let (member, data) = whole_file(path, true)?;
        offer(&member, &data);
        listing.members.push(member);
        return Ok(listing);
    }
    let mut buf = vec![0u8; 1 << 16];
    let outcome = archive::read(path, archive::Options::default(), &mut |e, content| {
        let keep = e.size <= MAX_DIFF_INPUT as u64;
        let (size, digest, data) = read_member(content, &mut buf, keep)?;
        let member = member(e, size, digest);
        offer(&member, &data);
        listing.members.push(member);
        Ok(())
    })?;
    listing.gzip_header = outcome.gzip.map(|g| (g.mtime, g.extra_flags, g.os));
    listing.comments = outcome.comments;
    if let Some(stop) = outcome.stop {
        listing.stopped = Some(stop.reason().to_owned());
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
    if container == Container::Bytes {
        let (_, data) = whole_file(path, true)?;
        out.insert(String::new(), data);
        return Ok(out);
    }
    let mut buf = vec![0u8; 1 << 16];
    // A stop part-way is already reported by `list`; what was read until then is still useful.
    archive::read(path, archive::Options::default(), &mut |e, content| {
        let name = e.shown();
        if wanted.contains(&name) {
            let (_, _, data) = read_member(content, &mut buf, true)?;
            out.insert(name, data);
            if out.len() == wanted.len() {
                return Err(io::Error::other(Finished));
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// Write the members named in `wanted` (each at most `max` bytes; larger ones are skipped)
/// into files in `dir`, named by their position in `wanted`: for comparing archives nested in
/// archives, which the reader reads from files.
pub fn extract(
    path: &Path,
    wanted: &[String],
    max: u64,
    dir: &Path,
) -> io::Result<HashMap<String, std::path::PathBuf>> {
    let mut out = HashMap::new();
    if wanted.is_empty() {
        return Ok(out);
    }
    archive::read(path, archive::Options::default(), &mut |e, content| {
        let name = e.shown();
        if let Some(i) = wanted.iter().position(|w| *w == name)
            && e.size <= max
            && matches!(e.kind, Kind::File)
        {
            let target = dir.join(i.to_string());
            let mut file = File::create(&target)?;
            io::copy(&mut content.take(max + 1), &mut file)?;
            out.insert(name, target);
            if out.len() == wanted.len() {
                return Err(io::Error::other(Finished));
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// SHA-256 of the unpacked tar stream (`None` for zip and plain files): equal streams in
/// unequal files mean only the compression differs. A pass of its own, needed only when
/// every member already agrees.
pub fn stream_sha256(path: &Path, container: Container) -> io::Result<Option<String>> {
    if matches!(container, Container::Bytes | Container::Zip) {
        return Ok(None);
    }
    let options = archive::Options {
        stream_sha256: true,
    };
    Ok(archive::read(path, options, &mut |_, _| Ok(()))?.stream_sha256)
}

fn member(e: archive::Entry, size: u64, digest: Sha256) -> Member {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let path = e.shown();
    Member {
        kind: match e.kind {
            Kind::File => MemberKind::File,
            Kind::Directory => MemberKind::Directory,
            Kind::Symlink(t) => MemberKind::Symlink(text(&t)),
            Kind::Hardlink(t) => MemberKind::Hardlink(text(&t)),
            Kind::Special(what) => MemberKind::Other(what.to_owned()),
        },
        path,
        size,
        mode: e.mode.unwrap_or(0),
        uid: e.owner.uid,
        gid: e.owner.gid,
        user: e.owner.user,
        group: e.owner.group,
        method: e.method.unwrap_or_default(),
        mtime: e.mtime,
        sha256: hex(&digest.finalize()),
    }
}

/// A file that is no archive, as one member with an empty name, and its first
/// [`MAX_DIFF_INPUT`] bytes when `keep`.
fn whole_file(path: &Path, keep: bool) -> io::Result<(Member, Vec<u8>)> {
    let mut buf = vec![0u8; 1 << 16];
    let (size, digest, data) = read_member(&mut File::open(path)?, &mut buf, keep)?;
    let member = Member {
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
        sha256: hex(&digest.finalize()),
    };
    Ok((member, data))
}

/// Read one member whole: its size, its SHA-256, and its first [`MAX_DIFF_INPUT`] bytes when
/// `keep`.
fn read_member(
    entry: &mut dyn Read,
    buf: &mut [u8],
    keep: bool,
) -> io::Result<(u64, Sha256, Vec<u8>)> {
    let mut digest = Sha256::new();
    let mut data = Vec::new();
    let mut size = 0u64;
    loop {
        let n = match entry.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        digest.update(&buf[..n]);
        if keep && data.len() < MAX_DIFF_INPUT {
            let room = MAX_DIFF_INPUT - data.len();
            data.extend_from_slice(&buf[..n.min(room)]);
        }
        size += n as u64;
    }
    Ok((size, digest, data))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let l = list(&p, &|_, _| {}).unwrap();
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

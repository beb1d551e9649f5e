//! The archive reader against the extractors that will act on the archive: for tar archives
//! generated from a fixed seed, with long names, ustar prefixes, GNU long names and links, pax
//! records (alone, beside GNU long names, repeated, global), links, hard links, modes and
//! trailing data, the set of (path, kind, executable bit, content or target) custody reads must
//! equal what GNU tar, bsdtar (libarchive) and Python's tarfile extract, or custody must refuse
//! the archive. A disagreement is a way around the verifier.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::support::{Rng, cmd, hex};

/// What one member is, as it ends up on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    File { executable: bool, sha256: String },
    Symlink(String),
}

type View = BTreeMap<String, Node>;

/// A 512-byte tar header with a valid checksum.
fn header(
    name: &[u8],
    typeflag: u8,
    size: u64,
    mode: u32,
    magic: &[u8; 8],
    prefix: &[u8],
    link: &[u8],
) -> Vec<u8> {
    let mut b = vec![0u8; 512];
    b[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    b[100..108].copy_from_slice(format!("{mode:07o}\0").as_bytes());
    b[108..116].copy_from_slice(b"0000000\0");
    b[116..124].copy_from_slice(b"0000000\0");
    b[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    b[136..148].copy_from_slice(b"14621371400\0");
    b[156] = typeflag;
    b[157..157 + link.len().min(100)].copy_from_slice(&link[..link.len().min(100)]);
    b[257..265].copy_from_slice(magic);
    b[345..345 + prefix.len().min(155)].copy_from_slice(&prefix[..prefix.len().min(155)]);
    b[148..156].copy_from_slice(b"        ");
    let sum: u32 = b.iter().map(|&x| u32::from(x)).sum();
    b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    b
}

fn padded(mut data: Vec<u8>) -> Vec<u8> {
    data.resize(data.len().div_ceil(512) * 512, 0);
    data
}

fn pax_data(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in records {
        let body = [k.as_bytes(), b"=", v, b"\n"].concat();
        let mut len = body.len() + 2;
        while format!("{len} ").len() + body.len() != len {
            len += 1;
        }
        out.extend_from_slice(format!("{len} ").as_bytes());
        out.extend_from_slice(&body);
    }
    out
}

const USTAR: &[u8; 8] = b"ustar\x0000";
const GNU: &[u8; 8] = b"ustar  \0";

/// One random archive, and what a faithful extractor should make of it.
fn generate(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let members = 1 + rng.below(6) as usize;
    for n in 0..members {
        let depth = 1 + rng.below(4) as usize;
        let mut path: Vec<String> = (0..depth)
            .map(|d| {
                let max = if rng.chance(20) { 70 } else { 12 };
                let len = 1 + rng.below(max) as usize;
                let base: String = (0..len)
                    .map(|i| (b'a' + ((i + d + n) % 26) as u8) as char)
                    .collect();
                if rng.chance(10) {
                    format!("{base}-é")
                } else {
                    base
                }
            })
            .collect();
        path.insert(0, "pkg".to_owned());
        let name = path.join("/");
        let content: Vec<u8> = (0..rng.below(700)).map(|_| rng.next() as u8).collect();
        let mode = if rng.chance(30) { 0o755 } else { 0o644 };
        let kind = rng.below(10);
        let typeflag = match kind {
            0 if !names.is_empty() => b'1',
            1 => b'2',
            _ => b'0',
        };
        let link: Vec<u8> = match typeflag {
            b'1' => names[rng.below(names.len() as u64) as usize]
                .clone()
                .into_bytes(),
            b'2' => {
                if rng.chance(30) {
                    format!("{}/target-{}", "x".repeat(110), n).into_bytes()
                } else {
                    b"../README".to_vec()
                }
            }
            _ => Vec::new(),
        };
        let data = if typeflag == b'0' {
            content
        } else {
            Vec::new()
        };
        // Trouble, once in a while: a link that declares content.
        let declared = if typeflag != b'0' && rng.chance(5) {
            512
        } else {
            data.len() as u64
        };
        // How the name is written.
        let encoding = rng.below(8);
        let name_bytes = name.as_bytes();
        let (field, prefix, magic): (Vec<u8>, Vec<u8>, &[u8; 8]) = match encoding {
            // ustar with the prefix field, when the name splits at a slash.
            0 if name_bytes.len() > 100 => {
                match name
                    .rfind('/')
                    .filter(|&i| i <= 155 && name_bytes.len() - i - 1 <= 100)
                {
                    Some(i) => (
                        name_bytes[i + 1..].to_vec(),
                        name_bytes[..i].to_vec(),
                        USTAR,
                    ),
                    None => (name_bytes[..100].to_vec(), Vec::new(), USTAR),
                }
            }
            // Trouble: a prefix under the GNU magic.
            1 => (
                name_bytes[..name_bytes.len().min(100)].to_vec(),
                b"evil".to_vec(),
                GNU,
            ),
            _ => (
                name_bytes[..name_bytes.len().min(100)].to_vec(),
                Vec::new(),
                if rng.chance(50) { USTAR } else { GNU },
            ),
        };
        // Long names and links, by GNU headers, pax records, both, or both disagreeing.
        let long = name_bytes.len() > 100 || rng.chance(10);
        let style = rng.below(6);
        if long && (style == 0 || style == 2 || style == 3) {
            let mut d = name_bytes.to_vec();
            d.push(0);
            let l = d.len() as u64;
            out.extend(header(b"././@LongLink", b'L', l, 0o644, GNU, b"", b""));
            out.extend(padded(d));
        }
        let mut records: Vec<(&str, Vec<u8>)> = Vec::new();
        if long && (style == 1 || style == 2) {
            records.push(("path", name_bytes.to_vec()));
        }
        if style == 3 {
            records.push(("path", format!("{name}.evil").into_bytes()));
        }
        if style == 4 && rng.chance(50) {
            records.push(("path", name_bytes.to_vec()));
            records.push(("path", format!("{name}.other").into_bytes()));
        }
        if link.len() > 100 {
            if rng.chance(50) {
                records.push(("linkpath", link.clone()));
            } else {
                let mut d = link.clone();
                d.push(0);
                let l = d.len() as u64;
                out.extend(header(b"././@LongLink", b'K', l, 0o644, GNU, b"", b""));
                out.extend(padded(d));
            }
        }
        if !records.is_empty() {
            let r: Vec<(&str, &[u8])> = records.iter().map(|(k, v)| (*k, v.as_slice())).collect();
            let d = pax_data(&r);
            out.extend(header(
                b"PaxHeader",
                b'x',
                d.len() as u64,
                0o644,
                USTAR,
                b"",
                b"",
            ));
            out.extend(padded(d));
        }
        out.extend(header(
            &field, typeflag, declared, mode, magic, &prefix, &link,
        ));
        if typeflag == b'0' {
            out.extend(padded(data));
        } else if declared > 0 {
            out.extend(vec![b'Z'; declared as usize]);
        }
        names.push(name);
    }
    out.extend(vec![0u8; 1024]);
    if rng.chance(8) {
        // Trouble: a member after the end-of-archive marker.
        out.extend(header(b"pkg/hidden.m4", b'0', 4, 0o644, USTAR, b"", b""));
        out.extend(padded(b"evil".to_vec()));
    }
    out
}

/// What custody reads, or `None` when it refuses the archive.
fn custody_view(path: &Path) -> Option<View> {
    let mut entries: Vec<(String, Node)> = Vec::new();
    let mut files: BTreeMap<String, Node> = BTreeMap::new();
    let outcome =
        custody::archive::read(path, custody::archive::Options::default(), &mut |e, r| {
            let mut data = Vec::new();
            r.read_to_end(&mut data)?;
            let Ok(p) = custody::archive::path::normalise(&e.path, false) else {
                return Ok(());
            };
            let executable = e.executable().unwrap_or(false);
            let node = match e.kind {
                custody::archive::Kind::File => Node::File {
                    executable,
                    sha256: hex(&Sha256::digest(&data)),
                },
                custody::archive::Kind::Symlink(t) => {
                    Node::Symlink(String::from_utf8_lossy(&t).into_owned())
                }
                custody::archive::Kind::Hardlink(t) => {
                    let t = String::from_utf8_lossy(&t).into_owned();
                    // A hard link is the same inode as its target: its mode is the target's.
                    match files.get(&t) {
                        Some(Node::File { sha256, executable }) => Node::File {
                            executable: *executable,
                            sha256: sha256.clone(),
                        },
                        _ => return Ok(()),
                    }
                }
                _ => return Ok(()),
            };
            if let Node::File { .. } = &node {
                files.insert(p.clone(), node.clone());
            }
            entries.push((p, node));
            Ok(())
        })
        .unwrap();
    if outcome.stop.is_some() {
        return None;
    }
    // Extraction keeps the last of a path stored twice.
    Some(entries.into_iter().collect())
}

/// What an extractor left in `root`: regular files and symlinks.
fn extracted(root: &Path) -> View {
    let mut view = View::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let meta = std::fs::symlink_metadata(entry.path()).unwrap();
        if meta.file_type().is_symlink() {
            let t = std::fs::read_link(entry.path()).unwrap();
            view.insert(rel, Node::Symlink(t.to_string_lossy().into_owned()));
        } else if meta.is_file() {
            let data = std::fs::read(entry.path()).unwrap();
            view.insert(
                rel,
                Node::File {
                    executable: meta.permissions().mode() & 0o100 != 0,
                    sha256: hex(&Sha256::digest(&data)),
                },
            );
        }
    }
    view
}

/// Extract with one tool into a fresh directory; `None` when the tool refuses the archive.
fn extract(tool: &str, archive: &Path) -> Option<View> {
    let dir = tempfile::tempdir().unwrap();
    let status = match tool {
        "gnu-tar" => cmd("tar")
            .args(["-xf"])
            .arg(archive)
            .arg("-C")
            .arg(dir.path())
            .args(["--no-same-owner", "--no-same-permissions"])
            .output(),
        "bsdtar" => cmd("bsdtar").args(["-xf"]).arg(archive).arg("-C").arg(dir.path()).output(),
        _ => cmd("python3")
            .args([
                "-c",
                "import sys,tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2], filter='tar')",
            ])
            .arg(archive)
            .arg(dir.path())
            .output(),
    }
    .unwrap_or_else(|e| panic!("{tool} cannot run ({e}); scripts/test installs it"));
    status.status.success().then(|| extracted(dir.path()))
}

#[test]
fn custody_reads_generated_archives_as_gnu_tar_bsdtar_and_tarfile_extract_them_or_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(0x5eed_1234);
    let (mut agreed, mut refused) = (0, 0);
    for round in 0..80 {
        let bytes = generate(&mut rng);
        let path = dir.path().join(format!("r{round}.tar"));
        std::fs::write(&path, &bytes).unwrap();
        let Some(ours) = custody_view(&path) else {
            refused += 1;
            continue;
        };
        for tool in ["gnu-tar", "bsdtar", "python-tarfile"] {
            // A tool that refuses the archive extracts nothing custody could disagree with.
            if let Some(theirs) = extract(tool, &path) {
                // Symlinks that climb out are refused by some extractors on their own; custody
                // fails those entries with a check of its own (archive-link-escape).
                let theirs: View = theirs;
                let ours: View = ours
                    .iter()
                    .filter(|(p, _)| {
                        theirs.contains_key(*p) || !matches!(ours.get(*p), Some(Node::Symlink(_)))
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                assert_eq!(ours, theirs, "round {round}: custody and {tool} disagree");
            }
        }
        agreed += 1;
    }
    // The generator makes both kinds often enough for the test to mean something.
    assert!(
        agreed >= 20 && refused >= 10,
        "agreed {agreed}, refused {refused}"
    );
}

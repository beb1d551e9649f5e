//! The archive reader on archives crafted byte by byte: each way tools could read a tar or zip
//! differently is refused, and the plain cases read as every extractor reads them.

use std::io::Write;

use super::*;
use crate::limits::{COMPRESSION_RATIO_FLOOR, MAX_TAR_HEADER_BYTES};

/// A raw tar header block, checksummed.
struct Block([u8; 512]);

impl Block {
    fn new(name: &[u8], typeflag: u8, size: u64) -> Block {
        let mut b = [0u8; 512];
        b[..name.len()].copy_from_slice(name);
        b[100..108].copy_from_slice(b"0000644\0");
        b[108..116].copy_from_slice(b"0000000\0");
        b[116..124].copy_from_slice(b"0000000\0");
        b[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
        b[136..148].copy_from_slice(b"00000000000\0");
        b[156] = typeflag;
        b[257..263].copy_from_slice(b"ustar\0");
        b[263..265].copy_from_slice(b"00");
        Block(b)
    }
    fn set(mut self, offset: usize, bytes: &[u8]) -> Block {
        self.0[offset..offset + bytes.len()].copy_from_slice(bytes);
        self
    }
    fn bytes(mut self) -> Vec<u8> {
        self.0[148..156].copy_from_slice(b"        ");
        let sum: u32 = self.0.iter().map(|&b| u32::from(b)).sum();
        self.0[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        self.0.to_vec()
    }
}

/// A member's header and its content, padded.
fn member(header: Block, content: &[u8]) -> Vec<u8> {
    let mut out = header.bytes();
    out.extend_from_slice(content);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

fn pax(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut data = Vec::new();
    for (k, v) in records {
        let body = [k.as_bytes(), b"=", v, b"\n"].concat();
        let mut len = body.len() + 2;
        while format!("{len} ").len() + body.len() != len {
            len += 1;
        }
        data.extend_from_slice(format!("{len} ").as_bytes());
        data.extend_from_slice(&body);
    }
    member(Block::new(b"PaxHeader", b'x', data.len() as u64), &data)
}

fn gnu_long(typeflag: u8, name: &[u8]) -> Vec<u8> {
    let mut data = name.to_vec();
    data.push(0);
    member(
        Block::new(b"././@LongLink", typeflag, data.len() as u64),
        &data,
    )
}

fn archive(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out: Vec<u8> = parts.concat();
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// Read `bytes` as a file named `name`: the outcome and (path, content) per entry.
fn read_as(name: &str, bytes: &[u8]) -> (ReadOutcome, Vec<(String, Vec<u8>)>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut seen = Vec::new();
    let outcome = read(&path, Options::default(), &mut |e, r| {
        let mut data = Vec::new();
        r.read_to_end(&mut data)?;
        seen.push((e.shown(), data));
        Ok(())
    })
    .unwrap();
    (outcome, seen)
}

fn ambiguous(outcome: &ReadOutcome, words: &str) {
    match &outcome.stop {
        Some(Stop::Ambiguous(why)) => assert!(why.contains(words), "{why}"),
        other => panic!("expected an ambiguity about {words:?}, got {other:?}"),
    }
}

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let parts: Vec<Vec<u8>> = files
        .iter()
        .map(|(n, d)| member(Block::new(n.as_bytes(), b'0', d.len() as u64), d))
        .collect();
    archive(&parts)
}

#[test]
fn reads_plain_and_gzipped_tar() {
    let tar = tar_of(&[("p/a.txt", b"hello\n")]);
    let (o, seen) = read_as("x.tar", &tar);
    assert_eq!((o.format, o.stop), (Some(Format::Tar), None));
    assert_eq!(seen, [("p/a.txt".to_string(), b"hello\n".to_vec())]);

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    let (o, seen) = read_as("x.tar.gz", &gz.finish().unwrap());
    assert_eq!((o.format, o.stop), (Some(Format::TarGz), None));
    assert!(o.gzip.is_some());
    assert_eq!(seen.len(), 1);
}

#[test]
fn a_name_that_promises_another_format_is_ambiguous() {
    let tar = tar_of(&[("p/a.txt", b"hello\n")]);
    let (o, seen) = read_as("x.zip", &tar);
    ambiguous(&o, "the name says zip");
    assert!(seen.is_empty());
    // A name that promises nothing: the bytes decide.
    let (o, _) = read_as("x.bin", &tar);
    assert_eq!((o.format, o.stop), (Some(Format::Tar), None));
}

#[test]
fn refuses_what_is_not_an_archive() {
    let (o, seen) = read_as("notes.tar.gz", b"just text, not an archive");
    assert!(matches!(o.stop, Some(Stop::Unsupported(_))), "{:?}", o.stop);
    assert!(seen.is_empty());
}

#[test]
fn stops_a_gzip_bomb_at_the_ratio_limit() {
    let zeros = vec![0u8; (COMPRESSION_RATIO_FLOOR as usize) * 2];
    let tar = tar_of(&[("p/zeros", &zeros)]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&tar).unwrap();
    let (o, _) = read_as("bomb.tgz", &gz.finish().unwrap());
    assert!(matches!(o.stop, Some(Stop::Bomb(_))), "{:?}", o.stop);
}

#[test]
fn a_huge_gnu_long_name_stops_at_the_header_limit() {
    let name = vec![b'a'; (MAX_TAR_HEADER_BYTES as usize) * 2];
    let (o, seen) = read_as("longname.tar", &archive(&[gnu_long(b'L', &name)]));
    assert!(matches!(o.stop, Some(Stop::OverLimit(_))), "{:?}", o.stop);
    assert!(seen.is_empty());
}

#[test]
fn truncated_stream_is_malformed() {
    let tar = tar_of(&[("p/a.txt", &[7u8; 4000])]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    let mut bytes = gz.finish().unwrap();
    bytes.truncate(bytes.len() / 2);
    let (o, _) = read_as("cut.tgz", &bytes);
    assert!(matches!(o.stop, Some(Stop::Malformed(_))), "{:?}", o.stop);
}

#[test]
fn long_names_and_pax_paths_read_as_extractors_read_them() {
    let long = format!("p/{}/m4/build-to-host.m4", "d".repeat(120));
    let tar = archive(&[
        gnu_long(b'L', long.as_bytes()),
        member(Block::new(b"p/truncated", b'0', 2), b"m4"),
        pax(&[("path", b"p/from-pax.txt")]),
        member(Block::new(b"p/header-name", b'0', 1), b"x"),
        pax(&[("path", b"p/same.txt")]),
        gnu_long(b'L', b"p/same.txt"),
        member(Block::new(b"p/other", b'0', 1), b"y"),
    ]);
    let (o, seen) = read_as("x.tar", &tar);
    assert_eq!(o.stop, None);
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, [long.as_str(), "p/from-pax.txt", "p/same.txt"]);
}

#[test]
fn a_pax_path_beside_a_different_gnu_long_name_is_ambiguous() {
    for order in [0, 1] {
        let mut parts = vec![
            pax(&[("path", b"p/m4/build-to-host.m4")]),
            gnu_long(b'L', b"p/README"),
        ];
        if order == 1 {
            parts.reverse();
        }
        parts.push(member(Block::new(b"p/README", b'0', 4), b"evil"));
        let (o, seen) = read_as("x.tar", &archive(&parts));
        ambiguous(&o, "disagree");
        assert!(seen.is_empty());
    }
}

#[test]
fn a_pax_linkpath_beside_a_different_gnu_long_link_is_ambiguous() {
    let tar = archive(&[
        pax(&[("linkpath", b"../../etc/passwd")]),
        gnu_long(b'K', b"README"),
        member(Block::new(b"p/link", b'2', 0), b""),
    ]);
    ambiguous(&read_as("x.tar", &tar).0, "link");
}

#[test]
fn two_different_pax_path_records_are_ambiguous() {
    let tar = archive(&[
        pax(&[("path", b"p/README"), ("path", b"p/m4/evil.m4")]),
        member(Block::new(b"p/README", b'0', 4), b"evil"),
    ]);
    ambiguous(&read_as("x.tar", &tar).0, "twice");
    // The same value twice is one name.
    let tar = archive(&[
        pax(&[("path", b"p/README"), ("path", b"p/README")]),
        member(Block::new(b"p/README", b'0', 2), b"ok"),
    ]);
    assert_eq!(read_as("x.tar", &tar).0.stop, None);
}

#[test]
fn a_sparse_member_is_refused() {
    let tar = archive(&[
        pax(&[
            ("GNU.sparse.name", b"p/m4/evil.m4"),
            ("GNU.sparse.major", b"1"),
        ]),
        member(Block::new(b"p/GNUSparseFile.0/evil.m4", b'0', 4), b"evil"),
    ]);
    let (o, seen) = read_as("x.tar", &tar);
    assert!(matches!(o.stop, Some(Stop::Unsupported(_))), "{:?}", o.stop);
    assert!(seen.is_empty());
}

#[test]
fn the_prefix_field_is_prepended_under_ustar_whatever_the_version() {
    let tar = archive(&[member(
        Block::new(b"build-to-host.m4", b'0', 1)
            .set(263, b"  ")
            .set(345, b"p/m4"),
        b"x",
    )]);
    let (o, seen) = read_as("x.tar", &tar);
    assert_eq!(o.stop, None);
    assert_eq!(seen[0].0, "p/m4/build-to-host.m4");
}

#[test]
fn a_prefix_field_under_another_magic_is_ambiguous() {
    let tar = archive(&[member(
        Block::new(b"build-to-host.m4", b'0', 1)
            .set(257, b"ustar  \0")
            .set(345, b"p/m4"),
        b"x",
    )]);
    ambiguous(&read_as("x.tar", &tar).0, "prefix field");
}

#[test]
fn a_link_that_declares_content_is_ambiguous() {
    let tar = archive(&[member(
        Block::new(b"p/link", b'2', 512).set(157, b"README"),
        &[b'x'; 512],
    )]);
    ambiguous(&read_as("x.tar", &tar).0, "next header");
}

#[test]
fn data_after_the_end_marker_is_ambiguous() {
    let mut tar = tar_of(&[("p/a.txt", b"hello\n")]);
    tar.extend_from_slice(&member(Block::new(b"p/m4/evil.m4", b'0', 4), b"evil"));
    ambiguous(&read_as("x.tar", &tar).0, "end-of-archive");
    // Zero padding after it is what GNU tar's blocking writes.
    let mut padded = tar_of(&[("p/a.txt", b"hello\n")]);
    padded.resize(10240, 0);
    assert_eq!(read_as("x.tar", &padded).0.stop, None);
}

#[test]
fn a_global_pax_header_may_only_comment() {
    let global = |k: &str| {
        let body = format!("{k}=x\n");
        let data = format!("{} {body}", body.len() + 3);
        member(
            Block::new(b"pax_global_header", b'g', data.len() as u64),
            data.as_bytes(),
        )
    };
    let ok = archive(&[global("comment"), member(Block::new(b"p/a", b'0', 1), b"a")]);
    let (o, seen) = read_as("x.tar", &ok);
    assert_eq!((o.stop, seen.len()), (None, 1));
    let bad = archive(&[global("path"), member(Block::new(b"p/a", b'0', 1), b"a")]);
    ambiguous(&read_as("x.tar", &bad).0, "global pax header");
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = ::zip::write::SimpleFileOptions::default()
        .compression_method(::zip::CompressionMethod::Stored);
    for (name, data) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn reads_zip_and_its_modes() {
    let (o, seen) = read_as("x.whl", &zip_of(&[("p/a.txt", b"hello\n"), ("p/b", b"")]));
    assert_eq!((o.format, o.stop), (Some(Format::Zip), None));
    assert_eq!(seen[0], ("p/a.txt".to_string(), b"hello\n".to_vec()));
}

#[test]
fn a_zip_whose_local_name_differs_from_its_central_name_is_ambiguous() {
    let mut zip = zip_of(&[("p/README.md", b"hello\n")]);
    // The local header's name follows its 30 fixed bytes; same length, other name.
    zip[30..41].copy_from_slice(b"p/evil.m4xx");
    ambiguous(&read_as("x.zip", &zip).0, "local header");
}

#[test]
fn bytes_between_zip_entries_are_ambiguous() {
    let zip = zip_of(&[("p/a.txt", b"hello\n"), ("p/b.txt", b"world\n")]);
    // Insert a hidden local entry after the first one and shift the offsets that follow.
    let hidden = zip_of(&[("p/m4/evil.m4", b"evil")]);
    let cd = ::zip::ZipArchive::new(std::io::Cursor::new(&zip))
        .unwrap()
        .central_directory_start() as usize;
    let second = zip
        .windows(4)
        .enumerate()
        .skip(4)
        .find(|(_, w)| *w == b"PK\x03\x04")
        .map(|(i, _)| i)
        .unwrap();
    let local_len = hidden.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    let extra = local_len as u32;
    let mut out = zip[..second].to_vec();
    out.extend_from_slice(&hidden[..local_len]);
    out.extend_from_slice(&zip[second..cd]);
    let mut central = zip[cd..].to_vec();
    // Second central record: its local header offset (at 42) moves by the inserted bytes.
    let second_cd = central
        .windows(4)
        .enumerate()
        .skip(4)
        .find(|(_, w)| *w == b"PK\x01\x02")
        .map(|(i, _)| i)
        .unwrap();
    let off = u32::from_le_bytes(central[second_cd + 42..second_cd + 46].try_into().unwrap());
    central[second_cd + 42..second_cd + 46].copy_from_slice(&(off + extra).to_le_bytes());
    // End record: the directory's offset moves too.
    let eocd = central.len() - 22;
    let dir = u32::from_le_bytes(central[eocd + 16..eocd + 20].try_into().unwrap());
    central[eocd + 16..eocd + 20].copy_from_slice(&(dir + extra).to_le_bytes());
    out.extend_from_slice(&central);
    ambiguous(&read_as("x.zip", &out).0, "belong to no entry");
}

#[test]
fn a_file_that_is_both_tar_and_zip_is_ambiguous() {
    // A tar whose first member is named like a zip's local header, with a zip appended.
    let zip = zip_of(&[("p/README.md", b"reviewed\n")]);
    let mut tar = tar_of(&[("PK\x03\x04-not-really", b"x"), ("p/m4/evil.m4", b"evil")]);
    let start = tar.len();
    tar.extend_from_slice(&zip);
    // Make the appended zip's offsets absolute in the combined file.
    let cd = tar.len() - 22;
    let dir = u32::from_le_bytes(tar[cd + 16..cd + 20].try_into().unwrap());
    tar[cd + 16..cd + 20].copy_from_slice(&(dir + start as u32).to_le_bytes());
    let (o, seen) = read_as("release.tar", &tar);
    assert!(
        matches!(o.stop, Some(Stop::Ambiguous(_))),
        "{:?} {:?}",
        o.stop,
        seen
    );
}

/// Found by fuzzing: a zip whose central directory declares more bytes than the entry holds.
/// The visitor must get an error, never a short read it could take for the whole file.
#[test]
fn an_entry_that_holds_less_than_it_declares_is_an_error_not_a_short_read() {
    let mut zip = zip_of(&[("pkg/a.txt", b"hello\n")]);
    let cd = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    // Uncompressed size, at 24 in the central record.
    zip[cd + 24..cd + 28].copy_from_slice(&2_097_158u32.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zip");
    std::fs::write(&path, &zip).unwrap();
    let mut short = None;
    let outcome = read(&path, Options::default(), &mut |e, r| {
        let mut data = Vec::new();
        let got = r.read_to_end(&mut data);
        if got.is_ok() && data.len() as u64 != e.size {
            short = Some(data.len());
        }
        got.map(|_| ())
    })
    .unwrap();
    assert_eq!(short, None, "a short read reached the visitor");
    assert!(
        matches!(outcome.stop, Some(Stop::Malformed(_))),
        "{:?}",
        outcome.stop
    );
}

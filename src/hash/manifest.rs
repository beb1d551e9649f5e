//! Per-file manifests: `sha256sum` format (so `sha256sum -c` checks it) and JSON Lines.

use std::io::{self, Write};

use serde_json::json;

use super::{FileKind, FileRecord, hex};
use crate::walk::escape_bytes;

/// Write regular files in GNU `sha256sum` text format, names relative to the tree root.
///
/// Names holding a backslash, newline or carriage return are escaped the way GNU coreutils
/// escapes them (a leading `\` on the line); other bytes, UTF-8 or not, are written as they
/// are, which is what `sha256sum -c` reads back. Symlinks are left out: `sha256sum` would
/// follow them, and custody records a symlink by its target (see the JSON manifest).
pub fn write_sha256sum(records: &[FileRecord], out: &mut dyn Write) -> io::Result<()> {
    for r in records {
        let FileKind::Regular { .. } = r.kind else {
            continue;
        };
        let sha = r.sha256.expect("manifest records carry their SHA-256");
        let name = r.path.as_bytes();
        let needs_escape = name.iter().any(|&b| matches!(b, b'\\' | b'\n' | b'\r'));
        if needs_escape {
            out.write_all(b"\\")?;
        }
        out.write_all(hex(&sha).as_bytes())?;
        out.write_all(b"  ")?;
        if needs_escape {
            for &b in name {
                match b {
                    b'\\' => out.write_all(b"\\\\")?,
                    b'\n' => out.write_all(b"\\n")?,
                    b'\r' => out.write_all(b"\\r")?,
                    b => out.write_all(&[b])?,
                }
            }
        } else {
            out.write_all(name)?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Write one JSON object per file or symlink: path, kind, mode, size, sha256, and the git ids
/// when they were computed. A name that is not UTF-8 is shown escaped in `path`, with its
/// exact bytes in `path_hex`.
pub fn write_json_lines(records: &[FileRecord], out: &mut dyn Write) -> io::Result<()> {
    for r in records {
        let mut obj = json!({
            "path": escape_bytes(r.path.as_bytes()),
            "kind": match r.kind { FileKind::Regular { .. } => "file", FileKind::Symlink { .. } => "symlink" },
            "mode": r.git_mode(),
            "size": r.size,
        });
        let map = obj.as_object_mut().expect("an object");
        if r.path.to_str().is_none() {
            map.insert("path_hex".into(), hex(r.path.as_bytes()).into());
        }
        if let FileKind::Symlink { target } = &r.kind {
            map.insert("target".into(), escape_bytes(target).into());
        }
        if let Some(sha) = &r.sha256 {
            map.insert("sha256".into(), hex(sha).into());
        }
        if let Some(id) = &r.git_sha1 {
            map.insert("git-sha1".into(), hex(id).into());
        }
        if let Some(id) = &r.git_sha256 {
            map.insert("git-sha256".into(), hex(id).into());
        }
        serde_json::to_writer(&mut *out, &obj)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

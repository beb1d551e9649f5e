//! The Nix archive (NAR) hash: SHA-256 over the NAR serialisation of the tree, as
//! `nix-hash --type sha256` computes it, and Nix's own base-32 encoding of digests.
//!
//! NAR writes every string as a little-endian u64 length, the bytes, and zero padding to a
//! multiple of 8. A directory lists its entries sorted by name bytes; empty directories are
//! kept (unlike git). A regular file records only the owner's execute bit.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::HashError;
use super::file::{ContentSink, Dir, FileInfo, ReadError, read_file_at, read_symlink_at};
use crate::walk::{EntryKind, RelPath, Tree};

enum Node {
    File,
    Symlink,
    Dir(BTreeMap<Vec<u8>, Node>),
}

/// The NAR hash of the walked tree, reading every file in NAR order.
pub fn nar_hash(tree: &Tree) -> Result<[u8; 32], HashError> {
    let mut root = BTreeMap::new();
    for e in &tree.entries {
        let mut dir = &mut root;
        let mut parts = e.path.as_bytes().split(|&b| b == b'/').peekable();
        while let Some(name) = parts.next() {
            if parts.peek().is_none() {
                let node = match e.kind {
                    EntryKind::File => Node::File,
                    EntryKind::Symlink => Node::Symlink,
                    EntryKind::Dir => Node::Dir(BTreeMap::new()),
                };
                // Entries are sorted, so a directory arrives before anything inside it.
                dir.entry(name.to_vec()).or_insert(node);
            } else {
                let node = dir
                    .entry(name.to_vec())
                    .or_insert_with(|| Node::Dir(BTreeMap::new()));
                dir = match node {
                    Node::Dir(children) => children,
                    _ => unreachable!("a path is never both file and directory"),
                };
            }
        }
    }
    let top = Dir::open(&tree.root).map_err(|e| HashError::Read {
        path: tree.root.clone(),
        rel: RelPath::new(Vec::new()),
        source: ReadError::Io(e),
    })?;
    let mut w = NarWriter {
        hasher: Sha256::new(),
        tree,
        top,
    };
    w.str(b"nix-archive-1");
    let mut path = Vec::new();
    w.dir(&mut path, &root)?;
    Ok(w.hasher.finalize().into())
}

struct NarWriter<'a> {
    hasher: Sha256,
    tree: &'a Tree,
    /// The tree's root, beneath which every directory is opened (never through a symlink).
    top: Dir,
}

impl NarWriter<'_> {
    fn len(&mut self, n: u64) {
        self.hasher.update(n.to_le_bytes());
    }

    fn pad(&mut self, n: u64) {
        let rem = (n % 8) as usize;
        if rem != 0 {
            self.hasher.update(&[0u8; 8][..8 - rem]);
        }
    }

    fn str(&mut self, s: &[u8]) {
        self.len(s.len() as u64);
        self.hasher.update(s);
        self.pad(s.len() as u64);
    }

    fn dir(
        &mut self,
        path: &mut Vec<u8>,
        children: &BTreeMap<Vec<u8>, Node>,
    ) -> Result<(), HashError> {
        // This directory is opened once; its files and symlinks are read by name from it.
        let here = self
            .top
            .open_beneath(if path.is_empty() {
                b"."
            } else {
                path.as_slice()
            })
            .map_err(|e| self.read_error(path, ReadError::Io(e)))?;
        self.str(b"(");
        self.str(b"type");
        self.str(b"directory");
        for (name, node) in children {
            self.str(b"entry");
            self.str(b"(");
            self.str(b"name");
            self.str(name);
            self.str(b"node");
            let len = path.len();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(name);
            self.node(&here, name, path, node)?;
            path.truncate(len);
            self.str(b")");
        }
        self.str(b")");
        Ok(())
    }

    fn read_error(&self, path: &[u8], source: ReadError) -> HashError {
        let rel = RelPath::new(path.to_vec());
        HashError::Read {
            path: rel.under(&self.tree.root),
            rel,
            source,
        }
    }

    /// Write the entry `name` of the open directory `here`, at relative path `path`.
    fn node(
        &mut self,
        here: &Dir,
        name: &[u8],
        path: &mut Vec<u8>,
        node: &Node,
    ) -> Result<(), HashError> {
        match node {
            Node::Dir(children) => self.dir(path, children),
            Node::Symlink => {
                let target = read_symlink_at(here, name).map_err(|e| self.read_error(path, e))?;
                self.str(b"(");
                self.str(b"type");
                self.str(b"symlink");
                self.str(b"target");
                self.str(&target);
                self.str(b")");
                Ok(())
            }
            Node::File => {
                self.str(b"(");
                self.str(b"type");
                self.str(b"regular");
                let info = read_file_at(here, name, self).map_err(|e| self.read_error(path, e))?;
                self.pad(info.size);
                self.str(b")");
                Ok(())
            }
        }
    }
}

/// A regular file's header goes out once its mode and size are known, then its content.
impl ContentSink for NarWriter<'_> {
    fn start(&mut self, info: FileInfo) {
        if info.executable {
            self.str(b"executable");
            self.str(b"");
        }
        self.str(b"contents");
        self.len(info.size);
    }
    fn chunk(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
    }
}

/// Nix's base-32 encoding of a digest (`nix-hash --base32`): alphabet without e, o, u, t,
/// and the bits taken from the last byte first.
pub fn nix_base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdfghijklmnpqrsvwxyz";
    let len = (bytes.len() * 8).div_ceil(5);
    let mut out = String::with_capacity(len);
    for n in (0..len).rev() {
        let b = n * 5;
        let (i, j) = (b / 8, b % 8);
        let low = bytes[i] >> j;
        let high = if i + 1 < bytes.len() {
            bytes[i + 1].checked_shl((8 - j) as u32).unwrap_or(0)
        } else {
            0
        };
        out.push(ALPHABET[usize::from((low | high) & 0x1f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nix_base32_known_value() {
        // `nix-hash --type sha256 --to-base32` of the SHA-256 of the empty string.
        let empty = Sha256::digest(b"");
        assert_eq!(
            nix_base32(&empty),
            "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73"
        );
    }
}

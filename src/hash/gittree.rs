//! Git tree ids, exactly as `git add -A && git write-tree` computes them.
//!
//! A tree object is `tree <len>\0` followed by entries `<mode> <name>\0<raw id>`, sorted by
//! name with directories compared as if their name ended in `/`. Directories with no file
//! beneath them do not exist in git and are left out.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::FileRecord;
use super::sha1dc::Sha1Dc;

/// One line of a tree object: sort key (name, plus `/` for a directory), mode, name, id.
type TreeEntry<'a> = (Vec<u8>, &'static str, &'a [u8], Vec<u8>);

enum Node<'a> {
    Blob { mode: &'static str, id: &'a [u8] },
    Dir(BTreeMap<&'a [u8], Node<'a>>),
}

/// The SHA-1 tree id. Tree objects are built by custody itself, but they go through the same
/// collision-detecting SHA-1 as blobs so that every SHA-1 custody reports is one git accepts.
pub fn tree_id_sha1(records: &[FileRecord]) -> [u8; 20] {
    let ids: Vec<&[u8]> = records
        .iter()
        .map(|r| r.git_sha1.as_ref().expect("git-sha1 computed").as_slice())
        .collect();
    let root = build(records, &ids);
    let id = write_root(&root, &|data| Sha1Dc::digest(data).hash.to_vec());
    id.try_into().expect("SHA-1 is 20 bytes")
}

/// The SHA-256 tree id (`git init --object-format=sha256`).
pub fn tree_id_sha256(records: &[FileRecord]) -> [u8; 32] {
    let ids: Vec<&[u8]> = records
        .iter()
        .map(|r| {
            r.git_sha256
                .as_ref()
                .expect("git-sha256 computed")
                .as_slice()
        })
        .collect();
    let root = build(records, &ids);
    let id = write_root(&root, &|data| Sha256::digest(data).to_vec());
    id.try_into().expect("SHA-256 is 32 bytes")
}

fn build<'a>(records: &'a [FileRecord], ids: &[&'a [u8]]) -> BTreeMap<&'a [u8], Node<'a>> {
    let mut root = BTreeMap::new();
    for (r, id) in records.iter().zip(ids) {
        let mut dir = &mut root;
        let mut parts = r.path.as_bytes().split(|&b| b == b'/').peekable();
        while let Some(name) = parts.next() {
            if parts.peek().is_none() {
                dir.insert(
                    name,
                    Node::Blob {
                        mode: r.git_mode(),
                        id,
                    },
                );
            } else {
                let node = dir
                    .entry(name)
                    .or_insert_with(|| Node::Dir(BTreeMap::new()));
                dir = match node {
                    Node::Dir(children) => children,
                    // The walk lists each path once, so a name is never both a file and a
                    // directory.
                    Node::Blob { .. } => unreachable!("a path is never both file and directory"),
                };
            }
        }
    }
    root
}

/// Serialise and hash one tree, children first; returns the tree's id, or `None` for a
/// directory without files (which git does not store). The root is always written.
fn write_tree(dir: &BTreeMap<&[u8], Node<'_>>, hash: &dyn Fn(&[u8]) -> Vec<u8>) -> Option<Vec<u8>> {
    let mut entries: Vec<TreeEntry<'_>> = Vec::with_capacity(dir.len());
    for (name, node) in dir {
        match node {
            Node::Blob { mode, id } => entries.push((name.to_vec(), mode, name, id.to_vec())),
            Node::Dir(children) => {
                // A directory with no file beneath it does not exist in git.
                if let Some(id) = write_tree(children, hash) {
                    let mut key = name.to_vec();
                    key.push(b'/');
                    entries.push((key, "40000", name, id));
                }
            }
        }
    }
    if entries.is_empty() {
        return None;
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut body = Vec::new();
    for (_, mode, name, id) in &entries {
        body.extend_from_slice(mode.as_bytes());
        body.push(b' ');
        body.extend_from_slice(name);
        body.push(0);
        body.extend_from_slice(id);
    }
    let mut object = format!("tree {}\0", body.len()).into_bytes();
    object.extend_from_slice(&body);
    Some(hash(&object))
}

/// The root tree's id; an empty root is git's empty tree.
fn write_root(root: &BTreeMap<&[u8], Node<'_>>, hash: &dyn Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    write_tree(root, hash).unwrap_or_else(|| hash(b"tree 0\0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_tree_has_gits_well_known_ids() {
        assert_eq!(
            super::super::hex(&tree_id_sha1(&[])),
            "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        );
        assert_eq!(
            super::super::hex(&tree_id_sha256(&[])),
            "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321"
        );
    }
}

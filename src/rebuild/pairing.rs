//! Catching changed members' bytes while both archives are listed, so that describing a
//! difference rarely needs a second read.
//!
//! Each listing thread offers every file member it finishes: its digest and, when small enough
//! to be diffed, its bytes. The first side to reach a path leaves them waiting; the second
//! compares digests and, when they differ, keeps both sides' bytes. Builds write members in
//! much the same order, so little waits at once; what waits is bounded by
//! [`MAX_WAITING_BYTES`], past which bytes are dropped and read again later if needed.

use std::collections::HashMap;
use std::sync::Mutex;

use super::members::{Member, MemberKind};
use crate::limits::MAX_DIFF_INPUT;

/// Most member bytes held while waiting for the other side.
pub const MAX_WAITING_BYTES: usize = 256 << 20;

/// Shared by the two listing threads; side 0 is the published artifact, side 1 the rebuilt.
#[derive(Default)]
pub struct Pairing {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Members seen by one side only so far: side, digest, bytes if kept.
    waiting: HashMap<String, (usize, String, Option<Vec<u8>>)>,
    waiting_bytes: usize,
    /// Bytes of members whose digests differ, per side.
    found: [HashMap<String, Vec<u8>>; 2],
}

impl Pairing {
    /// Side `side` finished `m`, whose content is `data` (complete when the member is at most
    /// [`MAX_DIFF_INPUT`] bytes).
    pub fn offer(&self, side: usize, m: &Member, data: &[u8]) {
        if m.kind != MemberKind::File {
            return;
        }
        let complete = m.size as usize <= MAX_DIFF_INPUT && data.len() as u64 == m.size;
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match st.waiting.remove(&m.path) {
            Some((other, sha, bytes)) if other != side => {
                st.waiting_bytes -= bytes.as_ref().map_or(0, Vec::len);
                if sha != m.sha256 {
                    if let Some(b) = bytes {
                        st.found[other].insert(m.path.clone(), b);
                    }
                    if complete {
                        st.found[side].insert(m.path.clone(), data.to_vec());
                    }
                }
            }
            // A path stored twice on one side: the first copy keeps waiting.
            Some(entry) => {
                st.waiting.insert(m.path.clone(), entry);
            }
            None => {
                let keep = complete && st.waiting_bytes + data.len() <= MAX_WAITING_BYTES;
                if keep {
                    st.waiting_bytes += data.len();
                }
                let bytes = keep.then(|| data.to_vec());
                st.waiting
                    .insert(m.path.clone(), (side, m.sha256.clone(), bytes));
            }
        }
    }

    /// The bytes caught per side.
    pub fn into_found(self) -> [HashMap<String, Vec<u8>>; 2] {
        self.state
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, sha: &str, data: &[u8]) -> Member {
        Member {
            path: path.into(),
            kind: MemberKind::File,
            size: data.len() as u64,
            mode: 0o644,
            uid: 0,
            gid: 0,
            user: String::new(),
            group: String::new(),
            method: String::new(),
            mtime: 0,
            sha256: sha.into(),
        }
    }

    #[test]
    fn keeps_both_sides_of_a_changed_member_only() {
        let p = Pairing::default();
        p.offer(0, &file("same", "x", b"1"), b"1");
        p.offer(1, &file("changed", "b", b"new"), b"new");
        p.offer(1, &file("same", "x", b"1"), b"1");
        p.offer(0, &file("changed", "a", b"old"), b"old");
        p.offer(0, &file("only-here", "c", b"c"), b"c");
        assert_eq!(p.state.lock().unwrap().waiting_bytes, 1);
        let [a, b] = p.into_found();
        assert_eq!(a.len(), 1);
        assert_eq!(a["changed"], b"old");
        assert_eq!(b["changed"], b"new");
    }
}

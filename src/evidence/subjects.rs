//! Artifact binding: which verified evidence names which artifact, by digest.
//!
//! Subjects are matched by sha256; a subject that carries only sha512 is matched by sha512.
//! Many artifacts may share one statement and one artifact may be named by many.

use std::collections::HashMap;

use crate::artifact::Artifact;
use crate::attest::statement::DigestSet;
use crate::signature::Verified;

/// The key a subject is indexed under: its sha256, else its sha512.
pub fn subject_key(d: &DigestSet) -> Option<(&'static str, &str)> {
    d.sha256()
        .map(|h| ("sha256", h))
        .or_else(|| d.sha512().map(|h| ("sha512", h)))
}

/// Digest → the indexes of the verified evidence naming it (and the subject's name).
pub struct SubjectIndex<'a> {
    map: HashMap<(&'static str, String), Vec<(usize, &'a str)>>,
}

impl<'a> SubjectIndex<'a> {
    pub fn new(verified: &[&'a Verified]) -> SubjectIndex<'a> {
        let mut map: HashMap<(&'static str, String), Vec<(usize, &'a str)>> = HashMap::new();
        for (i, v) in verified.iter().enumerate() {
            for (name, digest) in v.subjects() {
                if let Some((alg, hex)) = subject_key(&digest) {
                    let entry = map.entry((alg, hex.to_owned())).or_default();
                    if entry.last().map(|(j, _)| *j) != Some(i) {
                        entry.push((i, name));
                    }
                }
            }
        }
        SubjectIndex { map }
    }

    /// Indexes of the evidence naming `artifact`, in evidence order, each once, with the
    /// subject name that matched.
    pub fn lookup(&self, artifact: &Artifact) -> Vec<(usize, &'a str)> {
        let mut out: Vec<(usize, &'a str)> = Vec::new();
        let keys = [
            Some(("sha256", artifact.sha256.as_str())),
            artifact.sha512.as_deref().map(|h| ("sha512", h)),
        ];
        for (alg, hex) in keys.into_iter().flatten() {
            if let Some(hits) = self.map.get(&(alg, hex.to_owned())) {
                out.extend(hits.iter().copied());
            }
        }
        out.sort_by_key(|(i, _)| *i);
        out.dedup_by_key(|(i, _)| *i);
        out
    }
}

/// Whether any subject can only be matched by sha512 (so files need a SHA-512 pass too).
pub fn wants_sha512(verified: &[&Verified]) -> bool {
    verified
        .iter()
        .flat_map(|v| v.subjects())
        .any(|(_, d)| d.sha256().is_none() && d.sha512().is_some())
}

/// Whether unverified claimed digests name this artifact (used to attribute failures).
pub fn claims(claimed: &[DigestSet], artifact: &Artifact) -> bool {
    claimed.iter().any(|d| match subject_key(d) {
        Some(("sha256", h)) => h == artifact.sha256,
        Some((_, h)) => artifact.sha512.as_deref() == Some(h),
        None => false,
    })
}

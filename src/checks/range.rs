//! What commits entering a branch may bring (`custody check-range`, the hooks): judged from the
//! range's facts (`crate::source::range`) against the policy's `[range]` rules, and the ref
//! updates of a push against its protected branches.

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::{Context, Sink};
use crate::check::Check;
use crate::evidence::{RefUpdate, UpdateKind};
use crate::source::range::RangeFacts;

crate::codes! {
    /// What the range check reports.
    pub enum Code {
        RangeCommits = "range-commits" {
            summary: "the commits entering the branch, and the files they change",
            description: "custody check-range judges exactly the commits that enter: those reachable from \
                the new tip and not from the old one (for a new branch, not from the protected branch \
                it forks from). Each commit is read on its own, so content added and removed again \
                within the range is still judged.",
        },
        RangeBinary = "range-binary" {
            summary: "a commit brings a binary file outside the paths the policy allows",
            description: "A file a reviewer cannot read entered: object code or an executable, an \
                archive or compressed data, minified code, or other binary data. The kind is read from \
                the content, never from the name: the xz-utils payload arrived as test files named \
                bad-3-corrupt_lzma2.xz. This rule holds with any policy, even one without [range]. \
                Fix: remove the file, or list the paths where such files belong in the policy's \
                [range] allow-binaries (globs, e.g. \"docs/**/*.png\").",
        },
        RangeSubmodule = "range-submodule" {
            summary: "a submodule enters from a URL the policy does not allow",
            description: "A commit adds or moves a submodule (a gitlink), or changes .gitmodules, and the \
                submodule's URL there matches none of the policy's [range] submodule-urls globs (or \
                .gitmodules has no URL for it). Without submodule-urls no submodule may enter. Fix: \
                point the submodule at an allowed repository, or allow its URL in the policy.",
        },
        RangeLockfile = "range-lockfile" {
            summary: "a lock file fetches from a registry the policy does not allow, or without a checksum",
            description: "Every package a Cargo.lock, package-lock.json (npm-shrinkwrap.json) or \
                requirements*.txt that enters must come from one of the policy's [range] registries \
                (URL prefixes; by default crates.io, npmjs.org and PyPI) and carry a checksum \
                (Cargo's checksum, npm's integrity, pip's --hash). A lock file that cannot be read \
                fails too. Fix: fetch from an allowed registry, or allow it in the policy.",
        },
        RangeVendored = "range-vendored" {
            summary: "a vendored folder does not hash to the digest its vendor lock records",
            description: "The policy's [range] vendored folders are pinned by vendor-lock, a file of \
                the repository with one `FOLDER DIGEST` line per folder: `git-tree:HEX` (the folder's \
                git tree id) or `h1:BASE64` (what `custody hash FOLDER --digest dirhash` prints). When \
                the range changes a vendored folder or the lock, the folder at the new tip must hash \
                to what the lock records there: an edit to vendored code without updating the lock \
                fails. Fix: update the lock in the same change, so the review sees both.",
        },
        RangeRefRefused = "range-ref-refused" {
            summary: "a push deletes or rewrites a protected branch",
            description: "With --pre-receive or --pre-push, a ref update that deletes a branch the \
                policy's [review] protected-branches names, or moves it to a commit that does not \
                descend from its old tip (a force push), is refused: it would rewrite what was \
                reviewed.",
        },
    }
}

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    if ctx.artifact.is_some() {
        return;
    }
    let Some(range) = &ctx.evidence.range else {
        return;
    };
    if let Some(update) = &range.update {
        sink.push(ref_update(update));
    }
    let facts = &range.facts;
    let rule = &ctx.policy.range;
    let n = facts.files;
    sink.push(Check::pass(
        Code::RangeCommits,
        if facts.commits.is_empty() {
            format!(
                "the staged change adds or changes {n} file{}",
                if n == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{} commit{} enter{}, changing {} file{}",
                facts.commits.len(),
                if facts.commits.len() == 1 { "" } else { "s" },
                if facts.commits.len() == 1 { "s" } else { "" },
                facts.files,
                if facts.files == 1 { "" } else { "s" }
            )
        },
    ));
    binaries(facts, &globs(&rule.allow_binaries), sink);
    submodules(
        facts,
        &globs(&rule.submodule_urls),
        !rule.submodule_urls.is_empty(),
        sink,
    );
    lockfiles(facts, &rule.registries, sink);
    vendored(facts, sink);
}

fn globs(list: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    // Validated with the policy; a glob that does not build is left out and allows nothing.
    for g in list {
        if let Ok(g) = Glob::new(g) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

fn ref_update(u: &RefUpdate) -> Check {
    let name = &u.name;
    match (u.kind, u.protected) {
        (UpdateKind::Delete, true) => Check::fail(
            Code::RangeRefRefused,
            format!("{name} is protected and the push deletes it"),
        ),
        (UpdateKind::Force, true) => Check::fail(
            Code::RangeRefRefused,
            format!(
                "{name} is protected and the push rewrites it: {} does not descend from its tip {}",
                u.new.as_deref().unwrap_or("?"),
                u.old.as_deref().unwrap_or("?")
            ),
        ),
        (kind, _) => Check::pass(
            Code::RangeRefRefused,
            format!(
                "{name}: {}{}",
                match kind {
                    UpdateKind::Create => "a new ref",
                    UpdateKind::Delete => "deleted (not protected)",
                    UpdateKind::FastForward => "moves forward",
                    UpdateKind::Force => "rewritten (not protected)",
                },
                if u.protected { ", protected" } else { "" }
            ),
        ),
    }
}

fn binaries(facts: &RangeFacts, allowed: &GlobSet, sink: &mut Sink) {
    let (ok, bad): (Vec<_>, Vec<_>) = facts
        .binaries
        .iter()
        .partition(|b| allowed.is_match(&b.path));
    if bad.is_empty() {
        sink.push(Check::pass(
            Code::RangeBinary,
            if ok.is_empty() {
                "no binary file enters".to_owned()
            } else {
                format!(
                    "{} binary file(s) enter where the policy allows them",
                    ok.len()
                )
            },
        ));
    }
    for b in bad {
        sink.push(
            Check::fail(
                Code::RangeBinary,
                format!(
                    "{} ({}, {} bytes) enters in {}, outside the paths allow-binaries lists",
                    b.path, b.kind, b.size, b.origin
                ),
            )
            .about(b.path.clone()),
        );
    }
}

fn submodules(facts: &RangeFacts, allowed: &GlobSet, any_allowed: bool, sink: &mut Sink) {
    let mut bad = Vec::new();
    for s in &facts.submodules {
        let why = match &s.url {
            None => Some(".gitmodules has no URL for it".to_owned()),
            Some(url) if !any_allowed => Some(format!(
                "from {url}, and the policy allows no submodule (submodule-urls)"
            )),
            Some(url) if !allowed.is_match(url) => {
                Some(format!("from {url}, which no submodule-urls glob matches"))
            }
            Some(_) => None,
        };
        if let Some(why) = why {
            bad.push(
                Check::fail(
                    Code::RangeSubmodule,
                    format!("submodule {} in {}: {why}", s.path, s.origin),
                )
                .about(s.path.clone()),
            );
        }
    }
    if bad.is_empty() {
        sink.push(Check::pass(
            Code::RangeSubmodule,
            match facts.submodules.len() {
                0 => "no submodule enters".to_owned(),
                n => format!("{n} submodule change(s), each from an allowed URL"),
            },
        ));
    }
    sink.extend(bad);
}

/// Whether `source` (a lock file's source: a URL, or Cargo's `registry+URL`, `sparse+URL`,
/// `git+URL`) starts with one of the allowed registry prefixes.
fn allowed_source(source: &str, registries: &[String]) -> bool {
    let url = ["registry+", "sparse+", "git+"]
        .iter()
        .find_map(|p| source.strip_prefix(p))
        .unwrap_or(source);
    registries.iter().any(|r| {
        let r = r.trim_end_matches('/');
        url == r
            || url.starts_with(&format!("{r}/"))
            || url.starts_with(&format!("{r}?"))
            || url.starts_with(&format!("{r}#"))
    })
}

fn lockfiles(facts: &RangeFacts, registries: &[String], sink: &mut Sink) {
    let mut bad = Vec::new();
    for (commit, file, why) in &facts.unreadable_locks {
        bad.push(
            Check::fail(
                Code::RangeLockfile,
                format!("{file} in {commit} cannot be read: {why}"),
            )
            .about(file.clone()),
        );
    }
    for l in &facts.locked {
        let Some(source) = &l.source else {
            continue;
        };
        let why = if !allowed_source(source, registries) {
            Some(format!(
                "fetched from {source}, which is not an allowed registry"
            ))
        } else if !l.checksum {
            Some(format!("from {source} without a checksum"))
        } else {
            None
        };
        if let Some(why) = why {
            bad.push(
                Check::fail(
                    Code::RangeLockfile,
                    format!("{}: {} {why} ({})", l.file, l.package, l.origin),
                )
                .about(l.file.clone()),
            );
        }
    }
    if bad.is_empty() {
        let files: std::collections::BTreeSet<&str> =
            facts.locked.iter().map(|l| l.file.as_str()).collect();
        sink.push(Check::pass(
            Code::RangeLockfile,
            if files.is_empty() {
                "no lock file changes".to_owned()
            } else {
                format!(
                    "{} package(s) in {} lock file change(s), each from an allowed registry with a checksum",
                    facts.locked.len(),
                    files.len()
                )
            },
        ));
    }
    sink.extend(bad);
}

fn vendored(facts: &RangeFacts, sink: &mut Sink) {
    for v in &facts.vendored {
        let folder = &v.folder;
        sink.push(match (v.touched, &v.recorded, &v.actual) {
            (false, _, _) => Check::pass(
                Code::RangeVendored,
                format!("{folder}: neither the folder nor the vendor lock changes"),
            ),
            (true, None, _) => Check::fail(
                Code::RangeVendored,
                format!("{folder} changes, and the vendor lock records no digest for it"),
            )
            .about(folder.clone()),
            (true, Some(r), None) => Check::fail(
                Code::RangeVendored,
                format!(
                    "the vendor lock records {r} for {folder}, which is no folder at the new tip"
                ),
            )
            .about(folder.clone()),
            (true, Some(r), Some(a)) if r == a => Check::pass(
                Code::RangeVendored,
                format!("{folder} hashes to {a}, as the vendor lock records"),
            ),
            (true, Some(r), Some(a)) => Check::fail(
                Code::RangeVendored,
                format!("{folder} hashes to {a}, but the vendor lock records {r}"),
            )
            .about(folder.clone()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_match_by_prefix_and_cargo_forms() {
        let r = vec![
            "https://github.com/rust-lang/crates.io-index".to_owned(),
            "https://registry.npmjs.org/".to_owned(),
        ];
        assert!(allowed_source(
            "registry+https://github.com/rust-lang/crates.io-index",
            &r
        ));
        assert!(allowed_source(
            "https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz",
            &r
        ));
        assert!(!allowed_source(
            "https://registry.npmjs.org.evil.example/x.tgz",
            &r
        ));
        assert!(!allowed_source(
            "git+https://github.com/rust-lang/crates.io-index-fork",
            &r
        ));
        assert!(!allowed_source("registry+https://my.registry/index", &r));
    }
}

//! Is the working tree exactly the reviewed commit? Judged from the checkout's facts
//! (`crate::source::CheckoutDiff`), when the reviewed revision is HEAD.

use super::{Context, Sink};
use crate::check::Check;
use crate::source::{CheckoutDiff, StatCacheUse};

crate::codes! {
    /// What the checkout check reports.
    pub enum Code {
        CheckoutRedirected = "checkout-redirected" {
            summary: "git would read another working tree or repository than the directory's own",
            description: "core.worktree (in any configuration file), core.bare, or a GIT_DIR, \
                GIT_WORK_TREE, GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES, \
                GIT_COMMON_DIR, GIT_NAMESPACE, GIT_REPLACE_REF_BASE or GIT_GRAFT_FILE variable \
                makes git act on other files than the checkout directory holds: a pristine copy \
                could be hashed while the directory the build reads is backdoored. custody always \
                judges the directory itself and fails when git would not. Remove the setting or \
                unset the variable.",
        },
        HistoryRewritten = "history-rewritten" {
            summary: "the repository rewrites its history locally (grafts or replace refs)",
            description: "A .git/info/grafts file (which libgit2 honours) or refs under \
                refs/replace/ (which git honours) give commits other parents or contents than \
                their objects say, locally, where nobody reviewed them: an unsigned parent can be \
                hidden from require-signed, a base can be made an ancestor. custody refuses to \
                judge such a repository. Delete the grafts file and the replace refs (git \
                replace -d), or judge a fresh clone.",
        },
        SourceRevision = "source-revision" {
            summary: "the reviewed revision names a commit of the checkout",
            description: "With --rev REV (or --source-rev) other than HEAD, the revision was \
                reviewed as history: custody resolves it to a commit of the checkout and judges \
                that commit (its provenance, its review), but does not compare the working \
                tree with it, since the files on disk are HEAD's, not REV's.",
        },
        CheckoutClean = "checkout-clean" {
            summary: "the working tree is exactly the reviewed commit's tree",
            description: "custody read every byte of every file that is in the commit or in the working tree and not \
            ignored, computed the git tree id with its own hashing in the repository's object format, and it \
            equals the commit's tree id. The index and stat data are not trusted, except with `custody source \
            --stat-cache FILE` (for hooks), where a file whose lstat data is unchanged since an earlier run read it \
            keeps the blob id that run computed; the message and the worktree facts then count the files trusted \
            without being read.",
        },
        CheckoutDirty = "checkout-dirty" {
            summary: "the working tree differs from the reviewed commit",
            description: "Files were modified, deleted or added (untracked and not ignored) since the commit was \
            checked out; each is listed. The bytes are compared, not stat data, so an edit that keeps size and \
            modification time is caught even when git status misses it. Checkout filters (core.autocrlf, eol or \
            filter attributes such as Git LFS) change the bytes written to disk and show up here too. Changes staged \
            in the index are named as staged. Fix: commit, stash or remove the changes (git stash -u), or check a \
            fresh clone. In a hook that runs before git commits (pre-commit, pre-merge-commit), `custody source \
            --staged` judges the working tree against the index, the commit about to be made.",
        },
        CheckoutSubmodule = "checkout-submodule" {
            summary: "the commit has submodules, whose contents custody does not check",
            description: "A submodule's files belong to another repository; the commit records only the submodule's \
            commit id. custody does not descend into submodules, so this check is reported as not performed, \
            which fails. Verify each submodule with its own custody source run.",
        },
    }
}

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    if ctx.artifact.is_some() {
        return;
    }
    let Some(source) = &ctx.evidence.source else {
        return;
    };
    let facts = &source.checkout;
    if !facts.redirections.is_empty() {
        sink.push(Check::fail(
            Code::CheckoutRedirected,
            format!(
                "git would read another working tree or repository than {} ({}); custody \
                 judges the directory itself, so what it judges is not what git acts on",
                facts.repository.as_deref().unwrap_or(&facts.path),
                facts.redirections.join("; ")
            ),
        ));
    }
    if !facts.history_rewrites.is_empty() {
        sink.push(Check::fail(
            Code::HistoryRewritten,
            format!(
                "the repository rewrites its history locally ({}): git and libgit2 read such \
                 histories differently, so review and ancestry cannot be judged; remove them \
                 (or judge a fresh clone)",
                facts.history_rewrites.join(", ")
            ),
        ));
    }
    match &source.worktree {
        Some(diff) => sink.extend(worktree_checks(diff)),
        None => sink.push(Check::pass(
            Code::SourceRevision,
            format!(
                "{} is commit {} of the checkout; its working tree is not compared, since the \
                 reviewed revision is not HEAD",
                source.checkout.rev, source.commit
            ),
        )),
    }
}

fn worktree_checks(diff: &CheckoutDiff) -> Vec<Check> {
    let mut checks = Vec::new();
    let (reference, tree_of) = if diff.against_index {
        (
            "the index's (the commit about to be made)",
            "the index's tree",
        )
    } else {
        ("the commit's", "the commit's tree")
    };
    if diff.is_clean() {
        checks.push(Check::pass(
            Code::CheckoutClean,
            match &diff.stat_cache {
                None => format!(
                    "the working tree's {} files ({} bytes, read in full) hash to tree {}, {reference}",
                    diff.files, diff.bytes, diff.worktree_tree
                ),
                Some(used) => format!(
                    "the working tree's {} files hash to tree {}, {reference}; {}",
                    diff.files,
                    diff.worktree_tree,
                    cache_words(used)
                ),
            },
        ));
    } else {
        let mut parts = Vec::new();
        for (what, list) in [
            ("modified", &diff.modified),
            ("deleted", &diff.deleted),
            ("untracked", &diff.untracked),
            ("staged in the index, not committed", &diff.staged),
        ] {
            if !list.is_empty() {
                parts.push(format!("{what}: {}", list_paths(list)));
            }
        }
        if parts.is_empty() {
            parts.push("no file differs, yet the tree ids differ".into());
        }
        if let Some(used) = &diff.stat_cache {
            parts.push(cache_words(used));
        }
        checks.push(Check::fail(
            Code::CheckoutDirty,
            format!(
                "the working tree (tree {}) is not {tree_of} {}; {}",
                diff.worktree_tree,
                diff.commit_tree,
                parts.join("; ")
            ),
        ));
    }
    if !diff.submodules.is_empty() {
        checks.push(Check::not_performed(
            Code::CheckoutSubmodule,
            format!(
                "submodules are not checked: {}",
                list_paths(&diff.submodules)
            ),
        ));
    }
    checks
}

/// How many files a stat cache let through unread, said in every message that states a result.
fn cache_words(used: &StatCacheUse) -> String {
    format!(
        "{} read in full ({} bytes), {} trusted without being read from the stat cache {} \
         (lstat data unchanged since an earlier run read them)",
        files(used.read),
        used.bytes_read,
        files(used.trusted),
        used.path.display()
    )
}

fn files(n: usize) -> String {
    format!("{n} file{}", if n == 1 { "" } else { "s" })
}

/// One line on what the stat cache did, for the report's notes (shown by every format).
pub fn stat_cache_note(used: &StatCacheUse) -> String {
    let mut s = format!(
        "{} trusted from {} without being read, {} read",
        files(used.trusted),
        used.path.display(),
        files(used.read)
    );
    if let Some(why) = &used.ignored {
        s.push_str(&format!(
            "; the cache was ignored ({why}), every file was read"
        ));
    }
    if let Some(e) = &used.write_error {
        s.push_str(&format!("; warning: the cache could not be written ({e})"));
    }
    s
}

/// Up to 20 paths, then a count: the full lists are in the report's details.
pub(super) fn list_paths(list: &[crate::walk::RelPath]) -> String {
    let mut s: Vec<String> = list.iter().take(20).map(|p| p.to_string()).collect();
    if list.len() > 20 {
        s.push(format!("and {} more", list.len() - 20));
    }
    s.join(", ")
}

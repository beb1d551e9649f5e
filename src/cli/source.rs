//! `custody source DIR`: the source checks alone — the working tree against the reviewed commit
//! and the policy's `[source]` and `[review]` rules — as the same report `verify` writes.

use std::path::PathBuf;

use super::fatal;
use super::output::{ReportArgs, emit};
use crate::evidence::{Evidence, source};
use crate::policy::Policy;
use crate::source::Checkout;
use crate::trust;
use crate::verdict::RunVerdict;

const AFTER_HELP: &str = "\
Checks, in order: the policy's [source] commit and uri against the checkout (commit, remotes);
when REV is HEAD, the working tree against the commit's tree (every byte read and hashed in git's
format; the index and stat data are not trusted); then the policy's [review] rules: protected
branches, commit signatures (SSH allowed_signers, OpenPGP keys) and two-party review.

Files staged in the index but not committed are named as staged. With --staged (for pre-commit and
pre-merge-commit hooks, which run before git writes the commit), the working tree is judged
against the index instead: the tree the commit will hold.

With --stat-cache FILE (for hooks), a file whose lstat data (device, inode, size,
mtime, ctime, mode) is unchanged since an earlier run read it is not read again: the blob id that
run computed is used. The cache is trusted like git's index: whoever can write FILE can hide edits,
so keep it where only you write (e.g. ~/.cache/custody/NAME.stat); a FILE inside the checkout is
refused. An edit that restores size and mtime (touch -r) is still caught, because it changes the
ctime, which an unprivileged user cannot set back; a file changed less than 2 s before it was read
is not recorded and is read again next time. The report counts the files trusted and read.
`custody verify --source` has no stat cache: a verifier reads every byte.

Examples:
  custody source .                                   is the checkout exactly HEAD?
  custody source . --policy release.toml --json      plus the review rules, as JSON
  custody source . --rev v1.2.0 --policy release.toml
  custody source . --stat-cache ~/.cache/custody/project.stat   a pre-push hook
  custody source . --staged --stat-cache ~/.cache/custody/project.stat
                                                     a pre-commit or pre-merge-commit hook

Exit codes: 0 every check passed, 1 a check failed, 2 custody could not run.";

#[derive(clap::Args, Debug)]
#[command(about = "Check a checkout: clean working tree, review evidence", after_help = AFTER_HELP)]
pub struct SourceArgs {
    /// The checkout (the root of a git work tree).
    pub dir: PathBuf,
    /// The reviewed revision (default HEAD); the working tree is checked only for HEAD.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// A policy file (TOML) with [source] and [review] rules.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Trust FILE, a stat cache this command wrote earlier, for files whose lstat data is
    /// unchanged since it read them (they are not read again), and update FILE when anything
    /// changed. For hooks: it is trusted like git's index, so keep it where only you write; never
    /// inside the checkout. A missing, corrupt or foreign FILE means every file is read.
    #[arg(long, value_name = "FILE")]
    pub stat_cache: Option<PathBuf>,
    /// Judge the working tree against the index (the commit about to be made on top of HEAD)
    /// instead of HEAD: for hooks that run before git commits (pre-commit, pre-merge-commit).
    /// Every file is still read; unmerged paths fail.
    #[arg(long, conflicts_with = "rev")]
    pub staged: bool,
    /// Hashing threads (default: one per core). The report never depends on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

pub fn run(args: SourceArgs) -> u8 {
    match report(&args) {
        Ok(report) => emit(
            &report,
            args.report.format(),
            args.report.output.as_deref(),
            "",
        ),
        Err(e) => fatal(e),
    }
}

fn report(args: &SourceArgs) -> Result<RunVerdict, String> {
    let policy = match &args.policy {
        Some(path) => super::load_policy(path)?,
        None => Policy::default(),
    };
    let signers = trust::signers(&policy).map_err(|e| e.to_string())?;
    let mut checkout = Checkout::open(&args.dir, args.rev.as_deref()).map_err(|e| e.to_string())?;
    if args.staged {
        checkout = checkout.against_index().map_err(|e| e.to_string())?;
    }
    let stat_cache = match &args.stat_cache {
        Some(path) => Some(checkout.stat_cache_path(path).map_err(|e| e.to_string())?),
        None => None,
    };
    let source = source::gather(
        &checkout,
        source::Gather {
            policy: &policy,
            signers: &signers,
            threads: args.threads.map(usize::from),
            stat_cache: stat_cache.as_deref(),
            refs: Vec::new(),
            judge_policy_source: true,
        },
    )
    .map_err(|e| e.to_string())?;
    let cache_note = source
        .worktree
        .as_ref()
        .and_then(|w| w.stat_cache.as_ref())
        .map(crate::checks::checkout::stat_cache_note);
    let evidence = Evidence {
        source: Some(source),
        ..Evidence::default()
    };
    let name = args.dir.display().to_string();
    let mut report = crate::checks::assemble("source", &policy, &evidence, 0, &name);
    report.notes.stat_cache = cache_note;
    report.notes.policy = policy.file.as_ref().map(|p| p.display().to_string());
    Ok(report)
}

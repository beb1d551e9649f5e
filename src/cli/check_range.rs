//! `custody check-range OLD..NEW`: judge exactly the commits entering a branch: their signatures
//! and review (`[review]`), and what they bring (`[range]`: binaries, submodules, lock files,
//! vendored folders). The hooks call it: with `--pre-push REMOTE` and `--pre-receive` it reads
//! the ref updates from standard input as git hands them over.

use std::io::Read;
use std::path::PathBuf;

use super::fatal;
use super::output::{ReportArgs, emit};
use crate::evidence::{Evidence, RangeEvidence, RefUpdate, UpdateKind, source};
use crate::git::{CommitId, Repo};
use crate::policy::{Policy, SignedCommits};
use crate::source::Checkout;
use crate::source::range::{self, RangeQuery};
use crate::trust;
use crate::verdict::RunVerdict;

const AFTER_HELP: &str = "\
Judges the commits reachable from NEW and not from OLD, each on its own: every commit signed by
an allowed signer and two-party review where the policy's [review] asks for them (any signing
rule means every entering commit; the range's start takes the place of the policy's base, and
protected-branches name what a push may not delete or rewrite), and what the commits bring, by
the policy's [range] rules: no binary file (object code, executables, archives, compressed data,
minified code; named by content) outside allow-binaries, even with no policy at all; vendored
folders hashing to their vendor lock; submodules from allowed URLs; lock files naming allowed
registries with checksums. Only git's objects are read: never the working tree, never the
network.

With --pre-receive (a server-side hook in a bare repository) or --pre-push REMOTE (a client
hook), the ref updates are read from standard input as git gives them: each is judged on its
own; a new branch from where it forks off the first protected branch (or from everything the
repository already has); a protected branch that is deleted or force-pushed is refused.

Examples:
  custody check-range origin/main..HEAD --policy release.toml     in CI, before merging
  custody check-range v1.4.0..v1.5.0 --json
  custody hook install --pre-receive --policy /srv/policy.toml    the hook runs:
    custody check-range --pre-receive --policy /srv/policy.toml

Exit codes: 0 every update passed, 1 a check failed (the hook refuses the push), 2 custody could
not run (bad flags, an invalid policy, an unknown revision).";

#[derive(clap::Args, Debug)]
#[command(about = "Judge the commits entering a branch: signatures, review, what they bring", after_help = AFTER_HELP)]
pub struct CheckRangeArgs {
    /// The range, OLD..NEW (any revisions git understands).
    #[arg(value_name = "OLD..NEW", required_unless_present_any = ["pre_receive", "pre_push", "staged"])]
    pub range: Option<String>,
    /// Read `OLD NEW REF` lines from standard input (git's pre-receive hook protocol).
    #[arg(long, conflicts_with_all = ["range", "pre_push"])]
    pub pre_receive: bool,
    /// Read `LOCAL_REF LOCAL_SHA REMOTE_REF REMOTE_SHA` lines from standard input (git's
    /// pre-push protocol); REMOTE is the remote pushed to, whose branches a new branch is
    /// judged against.
    #[arg(long, value_name = "REMOTE", conflicts_with = "range")]
    pub pre_push: Option<String>,
    /// Judge the staged change instead (the index against HEAD: what `git commit` is about to
    /// record), for the pre-commit hook; only the staged files are read.
    #[arg(long, conflicts_with_all = ["range", "pre_receive", "pre_push"])]
    pub staged: bool,
    /// The repository (default: the current directory; a bare repository is fine).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
    /// A policy file (TOML) with [review] and [range] rules.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: CheckRangeArgs) -> u8 {
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

/// One ref update to judge: its name, and the commits that enter with it.
struct Update {
    name: String,
    ref_update: Option<RefUpdate>,
    /// The new tip (`None` for a deletion).
    new: Option<CommitId>,
    /// What the new tip is judged from: the old tip, or where a new branch forks.
    base: Option<CommitId>,
    /// Other commits whose history does not enter (a new branch: every existing ref).
    hide: Vec<CommitId>,
}

fn report(args: &CheckRangeArgs) -> Result<RunVerdict, String> {
    let policy = match &args.policy {
        Some(path) => super::load_policy(path)?,
        None => Policy::default(),
    };
    let repo = Repo::open(&args.repo).map_err(|e| e.to_string())?;
    if args.staged {
        return staged(&repo, &policy);
    }
    let signers = trust::signers(&policy).map_err(|e| e.to_string())?;
    let updates = if args.pre_receive {
        let lines = stdin_lines()?;
        lines
            .iter()
            .map(|l| receive_update(&repo, &policy, l))
            .collect::<Result<Vec<_>, _>>()?
    } else if let Some(remote) = &args.pre_push {
        let lines = stdin_lines()?;
        lines
            .iter()
            .filter_map(|l| push_update(&repo, &policy, remote, l).transpose())
            .collect::<Result<Vec<_>, _>>()?
    } else {
        let range = args.range.as_deref().unwrap_or_default();
        let (old, new) = range
            .split_once("..")
            .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.starts_with('.'))
            .ok_or_else(|| format!("{range:?}: a range is OLD..NEW"))?;
        let old = repo.resolve(old).map_err(|e| e.to_string())?;
        let new = repo.resolve(new).map_err(|e| e.to_string())?;
        // As git reads OLD..NEW: what NEW reaches and OLD does not. When OLD is no ancestor of
        // NEW (a topic branch against main), those commits start where the two meet.
        let base = if repo.is_ancestor(old, new) {
            Some(old)
        } else {
            repo.merge_base(old, new)
        };
        vec![Update {
            name: range.to_owned(),
            ref_update: None,
            new: Some(new),
            base,
            hide: vec![old],
        }]
    };
    if updates.is_empty() {
        return Err("no ref update on standard input: nothing to judge".into());
    }
    // One report entry per ref update; the run's verdict follows from them as any run's does.
    let mut artifacts = Vec::new();
    let mut inputs = Vec::new();
    for u in updates {
        let one = judge(args, &repo, &policy, &signers, u)?;
        artifacts.extend(one.artifacts);
        inputs = one.inputs;
    }
    let mut run = RunVerdict::new("check-range", artifacts);
    run.inputs = inputs;
    run.notes.policy = policy.file.as_ref().map(|p| p.display().to_string());
    Ok(run)
}

/// The staged change: what the index adds, changes or removes against HEAD, judged by the
/// `[range]` rules. Signatures and review belong to commits, which do not exist yet.
fn staged(repo: &Repo, policy: &Policy) -> Result<RunVerdict, String> {
    let head = repo.resolve("HEAD").map_err(|e| e.to_string())?;
    let (files, tree) = repo.staged_changes(head).map_err(|e| e.to_string())?;
    let facts = range::gather(
        repo,
        Vec::new(),
        vec![range::Change {
            origin: range::Origin::Staged,
            files,
            tree,
        }],
        Some(tree),
        &query(policy),
    )
    .map_err(|e| e.to_string())?;
    let evidence = Evidence {
        range: Some(RangeEvidence {
            facts,
            update: None,
        }),
        ..Evidence::default()
    };
    let mut judged: Policy = policy.clone();
    judged.review = Default::default();
    let mut run =
        crate::checks::assemble("check-range", &judged, &evidence, 0, "the staged change");
    run.notes.policy = policy.file.as_ref().map(|p| p.display().to_string());
    Ok(run)
}

fn judge(
    args: &CheckRangeArgs,
    repo: &Repo,
    policy: &Policy,
    signers: &crate::source::signers::Signers,
    u: Update,
) -> Result<RunVerdict, String> {
    let Some(new) = u.new else {
        // A deletion brings nothing; only the ref rule speaks.
        let evidence = Evidence {
            range: Some(RangeEvidence {
                facts: range::RangeFacts::default(),
                update: u.ref_update,
            }),
            ..Evidence::default()
        };
        return Ok(crate::checks::assemble(
            "check-range",
            policy,
            &evidence,
            0,
            &u.name,
        ));
    };
    let mut hide: Vec<CommitId> = u.base.into_iter().collect();
    hide.extend(u.hide);
    let commits = repo.range(&[new], &hide).map_err(|e| e.to_string())?;
    let changes = range::commit_changes(repo, &commits).map_err(|e| e.to_string())?;
    let tip = repo.commit(new).map_err(|e| e.to_string())?.tree;
    let facts = range::gather(repo, commits, changes, Some(tip), &query(policy))
        .map_err(|e| e.to_string())?;
    // The review rules, over exactly the entering commits: the base is where they start, and a
    // signing rule means every one of them. Reachability from a protected branch is what a push
    // is about to change, so it is not judged here.
    let mut judged: Policy = policy.clone();
    let review = &mut judged.review;
    review.protected_branches.clear();
    review.base = u.base.map(|b| b.hex());
    if review.require_signed != SignedCommits::None {
        review.require_signed = SignedCommits::SinceBase;
    }
    let checkout = Checkout::open(&args.repo, Some(&new.hex())).map_err(|e| e.to_string())?;
    let mut source = source::gather(
        &checkout,
        source::Gather {
            policy: &judged,
            signers,
            threads: None,
            stat_cache: None,
            refs: Vec::new(),
            judge_policy_source: false,
        },
    )
    .map_err(|e| e.to_string())?;
    // git sets GIT_DIR and the quarantine's object directories for a hook; custody read this
    // repository and that quarantine on purpose, so they redirect nothing here.
    source.checkout.redirections.clear();
    let evidence = Evidence {
        source: Some(source),
        range: Some(RangeEvidence {
            facts,
            update: u.ref_update,
        }),
        ..Evidence::default()
    };
    let mut run = crate::checks::assemble("check-range", &judged, &evidence, 0, &u.name);
    // The checkout is read at the new tip as history, never as a working tree: the note that
    // says so (source-revision) tells a range nothing.
    for a in &mut run.artifacts {
        a.checks
            .retain(|c| !c.is(crate::checks::checkout::Code::SourceRevision));
    }
    Ok(run)
}

/// What the range facts look for, from the policy's `[range]` rules.
fn query(policy: &Policy) -> RangeQuery<'_> {
    RangeQuery {
        vendored: &policy.range.vendored,
        vendor_lock: policy.range.vendor_lock.as_deref(),
    }
}

fn stdin_lines() -> Result<Vec<String>, String> {
    let mut text = String::new();
    std::io::stdin()
        .take(crate::limits::MAX_HOOK_INPUT)
        .read_to_string(&mut text)
        .map_err(|e| format!("standard input: {e}"))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect())
}

fn is_zero(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b == b'0')
}

fn protected(policy: &Policy, name: &str) -> bool {
    policy.review.protected_branches.iter().any(|b| b == name)
}

/// Where a new branch is judged from: where it forks off the first protected branch the
/// repository has, else nothing (every commit the repository already has is hidden).
fn fork_point(repo: &Repo, policy: &Policy, new: CommitId) -> Option<CommitId> {
    policy
        .review
        .protected_branches
        .iter()
        .find_map(|b| repo.reference(b))
        .and_then(|tip| repo.merge_base(tip, new))
}

/// `OLD NEW REF`, as git's pre-receive hook reads it.
fn receive_update(repo: &Repo, policy: &Policy, line: &str) -> Result<Update, String> {
    let parts: Vec<&str> = line.split_whitespace().collect();
    let [old, new, name] = parts[..] else {
        return Err(format!("standard input: {line:?} is not `OLD NEW REF`"));
    };
    update(repo, policy, name, old, new, &[])
}

/// `LOCAL_REF LOCAL_SHA REMOTE_REF REMOTE_SHA`, as git's pre-push hook reads it.
fn push_update(
    repo: &Repo,
    policy: &Policy,
    remote: &str,
    line: &str,
) -> Result<Option<Update>, String> {
    let parts: Vec<&str> = line.split_whitespace().collect();
    let [_local_ref, local, remote_ref, remote_sha] = parts[..] else {
        return Err(format!(
            "standard input: {line:?} is not `LOCAL_REF LOCAL_SHA REMOTE_REF REMOTE_SHA`"
        ));
    };
    // The remote's branches as this clone last saw them: what the remote already has.
    let prefix = format!("refs/remotes/{remote}/");
    let known: Vec<CommitId> = repo.references_under(&prefix).into_iter().collect();
    // The remote's tip may be a commit this clone never fetched: then judge from what it has.
    let old = if is_zero(remote_sha) || repo.resolve(remote_sha).is_ok() {
        remote_sha
    } else {
        "0"
    };
    update(repo, policy, remote_ref, old, local, &known).map(Some)
}

fn update(
    repo: &Repo,
    policy: &Policy,
    name: &str,
    old: &str,
    new: &str,
    known: &[CommitId],
) -> Result<Update, String> {
    // An annotated tag's id names a tag object: the commit it points at is what enters.
    let find = |id: &str| {
        repo.find_commit(id)
            .or_else(|| repo.resolve(id).ok())
            .ok_or_else(|| format!("{name}: no commit {id} in {}", repo.dir().display()))
    };
    let is_protected = protected(policy, name);
    let hex = |s: &str| (!is_zero(s)).then(|| s.to_owned());
    if is_zero(new) {
        return Ok(Update {
            name: name.to_owned(),
            ref_update: Some(RefUpdate {
                name: name.to_owned(),
                old: hex(old),
                new: None,
                kind: UpdateKind::Delete,
                protected: is_protected,
            }),
            new: None,
            base: None,
            hide: Vec::new(),
        });
    }
    let new_id = find(new)?;
    let (kind, base, hide) = if is_zero(old) {
        let base = fork_point(repo, policy, new_id);
        let hide = if base.is_some() {
            Vec::new()
        } else if known.is_empty() {
            repo.references_under("refs/heads/")
        } else {
            known.to_vec()
        };
        (UpdateKind::Create, base, hide)
    } else {
        let old_id = find(old)?;
        let kind = if repo.is_ancestor(old_id, new_id) {
            UpdateKind::FastForward
        } else {
            UpdateKind::Force
        };
        (kind, Some(old_id), Vec::new())
    };
    Ok(Update {
        name: format!(
            "{name} ({}..{})",
            &old[..old.len().min(12)],
            &new[..new.len().min(12)]
        ),
        ref_update: Some(RefUpdate {
            name: name.to_owned(),
            old: hex(old),
            new: hex(new),
            kind,
            protected: is_protected,
        }),
        new: Some(new_id),
        base,
        hide,
    })
}

//! Rebuild and compare, judged: the build ran confined and succeeded, wrote the artifact, and
//! the rebuilt artifact has the published one's bytes (or, with `accept = "content"`, the same
//! member contents with only metadata differences).

use super::{Context, Sink};
use crate::check::Check;
use crate::evidence::Reproduced;
use crate::policy::{Accept, ReproduceMode};
use crate::rebuild::{ArchiveDiff, Class, Ended, RebuildFacts};

crate::codes! {
    /// What rebuilding an artifact reports.
    pub enum Code {
        RebuildSource = "rebuild-source" {
            summary: "Which commit was rebuilt, and from where",
            description: "The reviewed commit (--source-rev, default HEAD) is exported from git's \
            objects into a fresh scratch directory, never from the working tree, so \
            uncommitted edits can neither enter the build nor hide from it. The build gets \
            SOURCE_DATE_EPOCH set to the commit's committer time.",
        },
        RebuildNetworkIsolated = "rebuild-network-isolated" {
            summary: "The build ran without network",
            description: "The build runs under bubblewrap with every namespace unshared: a \
                network namespace with only its own loopback, and no directory where a host \
                process listens on a UNIX socket (no /run, /var or /tmp of the host's), so a \
                build can neither download nor talk to a host daemon. Where bwrap is missing or \
                cannot run here, this is not performed and the verdict cannot pass: a build that \
                downloads can reproduce something other than the reviewed source. Install \
                bubblewrap (Debian package bubblewrap).",
        },
        RebuildFilesystemConfined = "rebuild-filesystem-confined" {
            summary: "The build could write only its scratch directory",
            description: "Under bubblewrap the build sees /usr, /etc and its toolchain \
                read-only, its scratch directory (and a fixed build path) read-write, a private \
                /tmp and /dev/shm, a fresh /dev, and a /proc of its own pid namespace (none of \
                the host's processes); it runs with no capabilities, so it can change none of the \
                user's files, plant nothing for the next build, and see no other process's \
                command line. The build's first line on a channel it cannot reach says it \
                started inside the sandbox; where bwrap did not run, this is not performed.",
        },
        RebuildBuild = "rebuild-build" {
            summary: "The build command succeeded",
            description: "The build's exit status, or that it was killed at its timeout (the \
            whole process group is killed). Its standard output and error are in the log file \
            the message names, which is kept.",
        },
        RebuildOutput = "rebuild-output" {
            summary: "The rebuilt artifact was found",
            description: "The rebuilt artifact is --built PATH (relative to the checkout), or the \
            one file the build left with the artifact's file name (among the policy's \
            outputs when given; a single output of another name is also taken). None, or \
            several, fails: name it with --built or outputs.",
        },
        RebuildReproduced = "rebuild-reproduced" {
            summary: "The rebuilt artifact equals the published one",
            description: "Passes when both have the same SHA-256. Otherwise the archives are \
            compared member by member; each difference is metadata (mtime, uid/gid, owner, \
            permissions, member order, compression) or content (bytes, members added or \
            removed, link targets, setuid/setgid). With accept = \"content\" a rebuild whose \
            differences are all metadata passes, and the report says that contents, not \
            bytes, were compared. Content differences always fail: the published artifact \
            holds something the reviewed source does not build.",
        },
    }
}

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    match ctx.artifact.and_then(|a| a.reproduced.as_ref()) {
        Some(Reproduced::Rebuild(facts)) => sink.extend(judge(facts, accept(ctx.policy))),
        Some(Reproduced::NotPerformed {
            mode: ReproduceMode::Rebuild,
            reason,
        }) => sink.push(Check::not_performed(
            Code::RebuildReproduced,
            reason.clone(),
        )),
        _ => {}
    }
}

/// What the policy's `[reproduce]` accepts (bit-for-bit without one).
pub fn accept(policy: &crate::policy::Policy) -> Accept {
    policy
        .reproduce
        .as_ref()
        .map(|r| r.accept)
        .unwrap_or_default()
}

/// How the artifacts compared, as reports say it: `identical` (same bytes), `contents` (same
/// member contents, metadata differences accepted), `different`, or `none` (nothing to
/// compare).
pub fn comparison(
    rebuilt_sha256: Option<&str>,
    diff: Option<&ArchiveDiff>,
    accept: Accept,
) -> &'static str {
    match (rebuilt_sha256, diff) {
        (None, _) => "none",
        (Some(_), None) => "identical",
        (_, Some(d)) if d.metadata_only() && accept == Accept::Content => "contents",
        _ => "different",
    }
}

/// Every check of one rebuild.
pub fn judge(f: &RebuildFacts, accept: Accept) -> Vec<Check> {
    let mut checks = vec![Check::pass(
        Code::RebuildSource,
        format!(
            "commit {} exported from git's objects to {} (SOURCE_DATE_EPOCH={})",
            f.commit, f.checkout, f.commit_time
        ),
    )];
    checks.push(match &f.network_problem {
        None => Check::pass(
            Code::RebuildNetworkIsolated,
            "the build ran in its own network namespace, without network",
        ),
        Some(why) => Check::not_performed(
            Code::RebuildNetworkIsolated,
            format!("the build could not be cut off from the network: {why}"),
        ),
    });
    checks.push(match &f.filesystem_problem {
        None => Check::pass(
            Code::RebuildFilesystemConfined,
            "every mount but the scratch directory was read-only for the build",
        ),
        Some(why) => Check::not_performed(
            Code::RebuildFilesystemConfined,
            format!("the build could write outside its scratch directory: {why}"),
        ),
    });
    let log = &f.log;
    checks.push(match &f.build {
        Ended::Exited { code: 0 } => Check::pass(
            Code::RebuildBuild,
            format!(
                "the build succeeded in {:.1} s; log: {log}",
                f.build_seconds
            ),
        ),
        Ended::Exited { code } => Check::fail(
            Code::RebuildBuild,
            format!("the build failed with exit status {code}; log: {log}"),
        ),
        Ended::Signalled { signal } => Check::fail(
            Code::RebuildBuild,
            format!("the build was killed by signal {signal}; log: {log}"),
        ),
        Ended::TimedOut { after_seconds } => Check::fail(
            Code::RebuildBuild,
            format!("the build did not finish within {after_seconds} s and was killed; log: {log}"),
        ),
        Ended::NotStarted { reason } => Check::fail(
            Code::RebuildBuild,
            format!("the build could not start: {reason}"),
        ),
    });
    match &f.output {
        None => checks.push(Check::not_performed(
            Code::RebuildReproduced,
            "nothing to compare: the build did not succeed",
        )),
        Some(Err(why)) => {
            checks.push(Check::fail(Code::RebuildOutput, why.clone()));
            checks.push(Check::not_performed(
                Code::RebuildReproduced,
                "nothing to compare: no rebuilt artifact",
            ));
        }
        Some(Ok(rel)) => {
            checks.push(Check::pass(
                Code::RebuildOutput,
                format!("the build wrote {rel}"),
            ));
            checks.push(reproduced(
                f.rebuilt_sha256.as_deref(),
                f.diff.as_ref(),
                accept,
            ));
        }
    }
    checks
}

/// The verdict on two artifacts: the rebuilt one's digest, and the structural diff when the
/// bytes differ.
pub fn reproduced(
    rebuilt_sha256: Option<&str>,
    diff: Option<&ArchiveDiff>,
    accept: Accept,
) -> Check {
    let Some(d) = diff else {
        return Check::pass(
            Code::RebuildReproduced,
            format!(
                "bit-for-bit identical: sha256 {}",
                rebuilt_sha256.unwrap_or_default()
            ),
        );
    };
    let content = d.count(Class::Content);
    let metadata = d.count(Class::Metadata);
    if !d.incomplete.is_empty() {
        Check::fail(
            Code::RebuildReproduced,
            format!(
                "the artifacts differ and could not be compared in full: {}",
                d.incomplete.join("; ")
            ),
        )
    } else if content > 0 {
        let paths: Vec<&str> = d
            .differences
            .iter()
            .filter(|x| x.class == Class::Content)
            .take(5)
            .map(|x| {
                if x.path.is_empty() {
                    "the whole file"
                } else {
                    x.path.as_str()
                }
            })
            .collect();
        Check::fail(
            Code::RebuildReproduced,
            format!(
                "not reproduced: {content} content difference(s) ({}{}) and {metadata} metadata",
                paths.join(", "),
                if content > paths.len() { ", ..." } else { "" }
            ),
        )
    } else if accept == Accept::Content {
        Check::pass(
            Code::RebuildReproduced,
            format!(
                "contents reproduced: every member identical; {metadata} metadata \
                 difference(s) accepted (accept = \"content\"); the bytes differ"
            ),
        )
    } else {
        Check::fail(
            Code::RebuildReproduced,
            format!(
                "not bit-for-bit: every member's content is identical, but {metadata} \
                 metadata difference(s); accept = \"content\" would accept them"
            ),
        )
    }
}

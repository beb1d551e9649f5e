//! `custody policy check FILE`: validate a policy file and say what it requires.
//!
//! Exit 0 when valid; 2 when it is not a valid policy (each problem printed with file, line,
//! column and an excerpt) or cannot be read at all, as for every command given an invalid policy.

use std::path::PathBuf;

use super::{EXIT_ERROR, EXIT_PASS, fatal};
use crate::policy::{Policy, PolicyError, SignedCommits};
use crate::trust::{self, TrustError};

const AFTER_HELP: &str = "\
Examples:
  custody policy check release.toml        every problem at once, with line and column
  custody policy check policies/npm-provenance.toml

Exit codes: 0 a valid policy, 2 an invalid policy or one that cannot be read (as for every
command given --policy).";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum PolicyCommand {
    /// Validate a policy file: unknown keys and bad values are errors with line and column.
    Check {
        /// The policy file (TOML).
        file: PathBuf,
    },
}

pub fn run(args: PolicyArgs) -> u8 {
    let PolicyCommand::Check { file } = args.command;
    let text = match Policy::read(&file) {
        Ok(t) => t,
        Err(e) => return fatal(e),
    };
    let (policy, mut diagnostics) = Policy::validate(&file, &text);
    // The keys and signer files it names must be usable too: every problem at once.
    let mut notes = crate::verdict::Notes::default();
    for loaded in [
        trust::keyring(&policy, &trust::KeyFlags::default(), &mut notes).err(),
        trust::signers(&policy).err(),
    ]
    .into_iter()
    .flatten()
    {
        match loaded {
            TrustError::Policy {
                source: PolicyError::Invalid(more),
                ..
            } => diagnostics.extend(more),
            other => return fatal(other),
        }
    }
    if diagnostics.is_empty() {
        let line = format!("{}: valid policy ({})\n", file.display(), summary(&policy));
        return super::output::print_or(&line, EXIT_PASS);
    }
    diagnostics.sort_by_key(|d| (d.line, d.column));
    eprintln!("{}", PolicyError::Invalid(diagnostics));
    eprintln!("{}: invalid policy", file.display());
    EXIT_ERROR
}

fn summary(p: &Policy) -> String {
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let mut parts = vec![
        count(p.keys.len(), "key"),
        format!(
            "{} {}",
            p.identities.len(),
            if p.identities.len() == 1 {
                "identity"
            } else {
                "identities"
            }
        ),
        count(p.predicate_types.len(), "predicate type"),
        count(p.builder_ids.len(), "builder id"),
    ];
    if !p.source.is_empty() {
        parts.push("source rules".to_owned());
    }
    if let Some(age) = p.max_age {
        parts.push(if age % 86_400 == 0 {
            format!("max-age {}d", age / 86_400)
        } else {
            format!("max-age {age}s")
        });
    }
    if p.slsa.reject_unknown_external_parameters {
        parts.push("unknown external parameters fail".to_owned());
    }
    if !p.review.is_empty() {
        let r = &p.review;
        let mut review = Vec::new();
        if !r.protected_branches.is_empty() {
            review.push(format!(
                "protected branches {}",
                r.protected_branches.join(", ")
            ));
        }
        match r.require_signed {
            SignedCommits::Release => review.push("release commit signed".to_owned()),
            SignedCommits::SinceBase => review.push("every commit since base signed".to_owned()),
            SignedCommits::None => {}
        }
        if r.two_party {
            review.push(format!("two-party (or {} signers)", r.min_signers));
        }
        parts.push(format!("review: {}", review.join("; ")));
    }
    if let Some(r) = &p.reproduce {
        parts.push(match r.mode {
            crate::policy::ReproduceMode::Rebuild => {
                format!("reproduce by rebuilding with `{}`", r.command.join(" "))
            }
            crate::policy::ReproduceMode::Contents => "reproduce by comparing contents".to_owned(),
        });
    }
    parts.join(", ")
}

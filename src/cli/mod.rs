//! The command line: flags, subcommands, and the mapping from outcomes to exit codes.
//!
//! Exit codes, for every command: 0 every check passed, 1 at least one check failed,
//! 2 custody could not run.
//!
//! This is the one module that prints (the crate denies printing elsewhere).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod check_range;
mod compare;
mod diff;
mod explain;
mod hash;
mod hook;
mod output;
mod policy;
mod rebuild;
mod source;
mod verify;
mod verify_bundle;
mod verify_image;
mod verify_npm_package;
mod verify_vsa;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: every check passed.
pub const EXIT_PASS: u8 = 0;
/// Exit code: at least one check failed.
pub const EXIT_FAIL: u8 = 1;
/// Exit code: custody could not run (bad flags, unreadable input, invalid policy).
pub const EXIT_ERROR: u8 = 2;

const TOP_AFTER_HELP: &str = "\
Examples:
  custody verify app.tgz --bundle app.intoto.jsonl --key release.pub
      is app.tgz a subject of provenance signed by release.pub?
  custody verify app.whl --bundle app.sigstore.json \\
      --certificate-identity-regexp 'https://github\\.com/org/app/.*' \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com
      keyless: signed by the org/app GitHub workflows, checked offline
  custody verify app.tgz --bundle app.sigstore.json --policy policies/default.toml
      the same, with a policy's rules on builder, source and age
  custody source . --policy release.toml
      is the checkout exactly its commit, signed and reviewed as the policy asks?
  custody hash . --digest all --json
      git tree ids, Go dirhash and Nix NAR hash of this directory
  custody policy check policies/default.toml
      validate a policy file; errors name file:line:column
  custody rebuild dist/app.tar.gz --source . -- make dist
      rebuild the reviewed commit offline and compare, member by member
  custody explain no-matching-subject
      what a check code means and how to fix a failure

Exit codes: 0 every check passed, 1 a check failed, 2 custody could not run.";

#[derive(Parser, Debug)]
#[command(
    name = "custody",
    version,
    about = "Prove, or refuse to prove, that a release artifact came from reviewed source",
    long_about = None,
    after_help = TOP_AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Hash a source tree or build output in standard digest formats.
    Hash(hash::HashArgs),
    /// Verify artifacts against signed attestations, a policy and expected provenance.
    Verify(Box<verify::VerifyArgs>),
    /// Verify one Sigstore bundle (the sigstore-conformance CLI protocol; see `verify`).
    VerifyBundle(verify_bundle::VerifyBundleArgs),
    /// Verify a container image's Google Cloud Build provenance (slsa-verifier's verify-image
    /// and flags).
    VerifyImage(Box<verify_image::VerifyImageArgs>),
    /// Verify an npm package's publish attestation and provenance together (slsa-verifier's
    /// verify-npm-package and flags).
    VerifyNpmPackage(Box<verify_npm_package::VerifyNpmPackageArgs>),
    /// Verify a SLSA Verification Summary Attestation (slsa-verifier's verify-vsa and flags).
    VerifyVsa(verify_vsa::VerifyVsaArgs),
    /// Check a checkout: the working tree is the reviewed commit, and the commit passed review.
    Source(source::SourceArgs),
    /// Work with policy files.
    Policy(policy::PolicyArgs),
    /// Describe a check code: what it means and how to fix a failure.
    Explain(explain::ExplainArgs),
    /// Compare a release archive with the reviewed commit, file by file.
    Compare(compare::CompareArgs),
    /// Rebuild the reviewed commit in a clean scratch directory and compare with the artifact.
    Rebuild(Box<rebuild::RebuildArgs>),
    /// Compare a published artifact with one rebuilt elsewhere, member by member.
    Diff(diff::DiffArgs),
    /// Judge the commits entering a branch: signatures, review, and what they bring.
    CheckRange(check_range::CheckRangeArgs),
    /// Install or remove git hooks that run custody (pre-commit, pre-merge-commit, pre-push,
    /// pre-receive).
    Hook(hook::HookArgs),
    /// Print a shell completion script (bash, zsh, fish) for custody's commands and flags.
    #[command(
        after_help = "Examples:\n  custody completions bash > ~/.local/share/bash-completion/completions/custody\n  custody completions zsh > ~/.zfunc/_custody        (with fpath+=~/.zfunc in ~/.zshrc)\n  custody completions fish > ~/.config/fish/completions/custody.fish\n\nExit codes: 0 printed, 2 an unknown shell."
    )]
    Completions {
        /// The shell: bash, zsh or fish.
        #[arg(value_parser = ["bash", "zsh", "fish"])]
        shell: String,
    },
    /// Print custody's man page (roff), made from the same definitions as --help.
    #[command(
        after_help = "Examples:\n  custody manpage > custody.1 && man ./custody.1\n  custody manpage --out-dir ~/.local/share/man/man1      every page: man custody-verify\n\nExit codes: 0 written, 2 DIR is not a directory or cannot be written."
    )]
    Manpage {
        /// Write one page per command (custody.1, custody-verify.1, ...) into DIR.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<std::path::PathBuf>,
    },
}

/// Parse the process's arguments, run the command, and return its exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_PASS
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Hash(args) => hash::run(args),
        Command::Verify(args) => verify::run(*args),
        Command::VerifyBundle(args) => verify_bundle::run(args),
        Command::VerifyVsa(args) => verify_vsa::run(args),
        Command::VerifyImage(args) => verify_image::run(*args),
        Command::VerifyNpmPackage(args) => verify_npm_package::run(*args),
        Command::Source(args) => source::run(args),
        Command::Policy(args) => policy::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Rebuild(args) => rebuild::run(*args),
        Command::Diff(args) => diff::run(args),
        Command::CheckRange(args) => check_range::run(args),
        Command::Hook(args) => hook::run(args),
        Command::Completions { shell } => completions(&shell),
        Command::Manpage { out_dir } => manpage(out_dir.as_deref()),
    };
    ExitCode::from(code)
}

/// `custody completions SHELL`: the completion script on standard output.
fn completions(shell: &str) -> u8 {
    use clap::CommandFactory;
    let shell = match shell {
        "bash" => clap_complete::Shell::Bash,
        "zsh" => clap_complete::Shell::Zsh,
        "fish" => clap_complete::Shell::Fish,
        other => return fatal(format!("no completions for the shell {other:?}")),
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "custody", &mut script);
    output::print_or(&String::from_utf8_lossy(&script), EXIT_PASS)
}

/// `custody manpage`: custody(1) on standard output, or with `--out-dir DIR` one page per
/// command (custody.1, custody-verify.1, ...) written into DIR, as `man custody-verify` finds them.
fn manpage(out_dir: Option<&std::path::Path>) -> u8 {
    use clap::CommandFactory;
    let command = Cli::command();
    if let Some(dir) = out_dir {
        if !dir.is_dir() {
            return fatal(format!("--out-dir {}: not a directory", dir.display()));
        }
        return match clap_mangen::generate_to(command, dir) {
            Ok(()) => EXIT_PASS,
            Err(e) => fatal(format!("--out-dir {}: {e}", dir.display())),
        };
    }
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(command).render(&mut page) {
        return fatal(format!("cannot render the man page: {e}"));
    }
    output::print_or(&String::from_utf8_lossy(&page), EXIT_PASS)
}

/// Print an error that stopped custody from running, and return exit code 2.
/// Seconds since the Unix epoch, for a verification's age rules.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub(crate) fn fatal(err: impl std::fmt::Display) -> u8 {
    eprintln!("custody: error: {err}");
    EXIT_ERROR
}

/// The policy at `path`, or the message custody stops with: "invalid policy" with every
/// diagnostic when it was read, the role and the reason when it could not be read.
pub(crate) fn load_policy(path: &std::path::Path) -> Result<crate::policy::Policy, String> {
    crate::policy::Policy::load(path).map_err(|e| match e {
        crate::policy::PolicyError::Invalid(_) => {
            format!("invalid policy {}:\n{e}", path.display())
        }
        other => other.to_string(),
    })
}

//! The command line: flags, subcommands, and the mapping from outcomes to exit codes.
//!
//! Exit codes, for every command: 0 every check passed, 1 at least one check failed,
//! 2 custody could not run.

mod compare;
mod hash;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: every check passed.
pub const EXIT_PASS: u8 = 0;
/// Exit code: at least one check failed.
pub const EXIT_FAIL: u8 = 1;
/// Exit code: custody could not run (bad flags, unreadable input, invalid policy).
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "custody",
    version,
    about = "Prove, or refuse to prove, that a release artifact came from reviewed source",
    long_about = None,
    after_help = "Examples:\n  custody hash .                       Go dirhash (h1:) of the tree\n  custody hash . --digest all --json   git tree ids, dirhash and NAR hash as JSON\n\nExit codes: 0 every check passed, 1 a check failed, 2 custody could not run."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Hash(hash::HashArgs),
    /// Compare a release archive with the reviewed commit, file by file.
    Compare(compare::CompareArgs),
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
        Command::Compare(args) => compare::run(args),
    };
    ExitCode::from(code)
}

/// Print an error that stopped custody from running, and return exit code 2.
pub(crate) fn fatal(err: impl std::fmt::Display) -> u8 {
    eprintln!("custody: error: {err}");
    EXIT_ERROR
}

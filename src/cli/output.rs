//! Writing a report where the user asked for it, in the format asked for; shared by every
//! command that produces a [`RunVerdict`].

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{EXIT_FAIL, EXIT_PASS, fatal};
use crate::report::{RunVerdict, Verdict, render_human, render_json, render_sarif};

/// Report formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

/// The flags every reporting command shares.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Shorthand for --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl ReportArgs {
    /// The format asked for, `--json` included.
    pub fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }
}

/// Write the report to `output` (or standard output) and return the exit code its verdict
/// gives. `human_preamble` goes before the human report only (a command's own summary).
pub fn emit(
    report: &RunVerdict,
    format: Format,
    output: Option<&Path>,
    human_preamble: &str,
) -> u8 {
    let text = match format {
        Format::Human => {
            // Colour only for a person at a terminal, and never when NO_COLOR is set.
            let color = output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            format!("{human_preamble}{}", render_human(report, color))
        }
        Format::Json => render_json(report),
        Format::Sarif => render_sarif(report),
    };
    let code = match report.verdict {
        Verdict::Pass => EXIT_PASS,
        Verdict::Fail => EXIT_FAIL,
    };
    match output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                return fatal(format!("--output {}: {e}", path.display()));
            }
            code
        }
        None => print_or(&text, code),
    }
}

/// Write `text` to standard output and return `code`. A reader that stopped reading
/// (`custody diff a b | head`) is not an error: the rest is dropped and `code` still says the
/// verdict. Any other failure to write is (exit 2).
pub fn print_or(text: &str, code: u8) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => fatal(format!("writing to standard output: {e}")),
    }
}

//! Writing a report where the user asked for it, in the format asked for; shared by every
//! command that produces a [`Report`].

use std::io::IsTerminal;
use std::path::Path;

use super::{EXIT_FAIL, EXIT_PASS, fatal};
use crate::report::{Report, Verdict, render_human, render_json, render_sarif};

/// Report formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

/// Write the report to `output` (or standard output) and return the exit code its verdict
/// gives. `human_preamble` goes before the human report only (a command's own summary).
pub fn emit(report: &Report, format: Format, output: Option<&Path>, human_preamble: &str) -> u8 {
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
    match output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                return fatal(format!("--output {}: {e}", path.display()));
            }
        }
        None => print!("{text}"),
    }
    match report.verdict {
        Verdict::Pass => EXIT_PASS,
        Verdict::Fail => EXIT_FAIL,
    }
}

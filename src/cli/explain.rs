//! `custody explain CODE`: what a check code means and how to act on it.

use std::fmt::Write as _;

use super::output::print_or;
use super::{EXIT_PASS, fatal};
use crate::codes;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  custody explain contents-unexplained\n  custody explain --list\n\nExit codes: 0 the code was described, 2 no such code (or no code given)."
)]
pub struct ExplainArgs {
    /// A check code from a report, e.g. no-matching-subject.
    #[arg(required_unless_present = "list")]
    pub code: Option<String>,
    /// List every code with its one-line summary.
    #[arg(long, conflicts_with = "code")]
    pub list: bool,
}

pub fn run(args: ExplainArgs) -> u8 {
    if args.list {
        let all = codes::all();
        let width = all.iter().map(|c| c.code.len()).max().unwrap_or(0);
        let mut text = String::new();
        for c in all {
            let _ = writeln!(text, "{:width$}  {}", c.code, c.summary);
        }
        return print_or(&text, EXIT_PASS);
    }
    let code = args.code.unwrap_or_default();
    match codes::lookup(&code) {
        Some(c) => print_or(
            &format!("{}: {}\n\n{}\n", c.code, c.summary, wrap(c.description, 90)),
            EXIT_PASS,
        ),
        None => fatal(format!(
            "unknown code {code:?}; `custody explain --list` lists every code"
        )),
    }
}

/// Wrap at spaces to `width` columns.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}

//! Policy errors that point at the exact place in the TOML file, with an excerpt:
//!
//! ```text
//! error: unknown key `builder-idz`
//!   --> policy.toml:3:1
//!    |
//!  3 | builder-idz = ["https://example.com/builder"]
//!    | ^^^^^^^^^^^
//! ```

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One error in a policy file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    /// The line the error is on.
    pub excerpt: String,
    /// How many characters of the excerpt to underline (at least 1).
    pub width: usize,
}

impl Diagnostic {
    /// Place `message` at byte range `span` of `text` (the file's contents).
    pub fn new(
        file: &Path,
        text: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let excerpt = text[line_start..line_end].trim_end_matches('\r').to_owned();
        let column = text[line_start..start].chars().count() + 1;
        // Underline the span, but never past the end of its first line.
        let width = text[start..end.min(line_end).max(start)]
            .chars()
            .count()
            .max(1);
        Diagnostic {
            file: file.to_owned(),
            line: text[..start].matches('\n').count() + 1,
            column,
            message: message.into(),
            excerpt,
            width,
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        writeln!(f, "error: {}", self.message)?;
        writeln!(
            f,
            "{pad}--> {}:{}:{}",
            self.file.display(),
            self.line,
            self.column
        )?;
        writeln!(f, "{pad} |")?;
        writeln!(f, "{num} | {}", self.excerpt)?;
        let lead: String = self
            .excerpt
            .chars()
            .take(self.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{pad} | {lead}{}", "^".repeat(self.width))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_line_and_column() {
        let text = "a = 1\nbuilder-idz = [\"x\"]\n";
        let start = text.find("builder").unwrap();
        let d = Diagnostic::new(
            Path::new("p.toml"),
            text,
            start..start + 11,
            "unknown key `builder-idz`",
        );
        assert_eq!((d.line, d.column, d.width), (2, 1, 11));
        assert_eq!(
            d.to_string(),
            "error: unknown key `builder-idz`\n --> p.toml:2:1\n  |\n2 | builder-idz = [\"x\"]\n  | ^^^^^^^^^^^"
        );
    }

    #[test]
    fn spans_at_end_of_file_and_inside_multibyte_text_do_not_panic() {
        let text = "k = \"é\"";
        let d = Diagnostic::new(Path::new("p"), text, 6..100, "m");
        assert_eq!(d.line, 1);
        let d = Diagnostic::new(Path::new("p"), "", 0..0, "m");
        assert_eq!((d.line, d.column, d.width), (1, 1, 1));
    }
}

//! INI files read exactly as Python's `configparser` reads them with the settings setuptools
//! and `importlib.metadata` use (strict, comments `#` and `;` on whole lines only, empty lines
//! kept inside values), so that custody and the tool that acts on the file see the same
//! sections and values. Where `configparser` raises, this returns the error: a file Python
//! rejects is never explained.
//!
//! The details that decide what a file means, from CPython's `RawConfigParser._read`: lines
//! split at `\n`, `\r\n` and `\r` only; a line indented deeper than the line that opened the
//! current option continues its value, whatever it looks like (a `[section]` line included);
//! a section header is `[` up to the *last* `]`, taken verbatim (`[ egg_info]` is not
//! `[egg_info]`); an option name runs to the first delimiter; `[DEFAULT]` may repeat, other
//! sections and options may not.

/// One section: its exact name and its options in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Section {
    pub name: String,
    pub options: Vec<(String, String)>,
}

/// A parsed file: the `[DEFAULT]` options, then every other section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Ini {
    pub defaults: Vec<(String, String)>,
    pub sections: Vec<Section>,
}

impl Ini {
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }
}

#[cfg(test)]
impl Section {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Options in file order, each value as its lines until the end of the file.
type Options = Vec<(String, Vec<String>)>;

/// Python's `str.isspace`, which `str.strip` and the regular expression `\s` follow.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Parse `text` with option names taken verbatim (`optionxform = str`) and `delimiters` (`=`
/// and `:` for setup.cfg, `=` alone for entry points).
pub(crate) fn parse(text: &str, delimiters: &[char]) -> Result<Ini, String> {
    const DEFAULT: &str = "DEFAULT";
    let mut ini = Ini::default();
    // Values as lists of lines until the end, as configparser keeps them.
    let mut defaults: Vec<(String, Vec<String>)> = Vec::new();
    let mut sections: Vec<(String, Options)> = Vec::new();
    // Where options go: None before any header, Some(None) for DEFAULT, Some(Some(i)) a section.
    let mut current: Option<Option<usize>> = None;
    let mut section_name = String::new();
    let mut option: Option<usize> = None;
    let mut indent_level = 0usize;
    let mut seen: std::collections::HashSet<(String, String)> = Default::default();
    let mut errors: Vec<String> = Vec::new();

    for (n, line) in physical_lines(text).enumerate() {
        let lineno = n + 1;
        let stripped = line.trim_matches(py_space);
        let comment = stripped.starts_with('#') || stripped.starts_with(';');
        let value = if comment { "" } else { stripped };
        if value.is_empty() {
            // An empty line belongs to the value being read, unless it was a comment.
            if !comment && let (Some(cur), Some(opt)) = (current, option) {
                let target = match cur {
                    None => &mut defaults,
                    Some(i) => &mut sections[i].1,
                };
                target[opt].1.push(String::new());
            }
            continue;
        }
        let cur_indent = line.chars().take_while(|c| py_space(*c)).count();
        if let (Some(cur), Some(opt)) = (current, option)
            && cur_indent > indent_level
        {
            let target = match cur {
                None => &mut defaults,
                Some(i) => &mut sections[i].1,
            };
            target[opt].1.push(value.to_owned());
            continue;
        }
        indent_level = cur_indent;
        if let Some(header) = section_header(value) {
            section_name = header.to_owned();
            if header == DEFAULT {
                current = Some(None);
            } else {
                if sections.iter().any(|(s, _)| s == header) {
                    return Err(format!("line {lineno}: section [{header}] appears twice"));
                }
                sections.push((header.to_owned(), Vec::new()));
                current = Some(Some(sections.len() - 1));
            }
            option = None;
            continue;
        }
        let Some(cur) = current else {
            return Err(format!("line {lineno}: an option before any [section]"));
        };
        let Some(at) = value.find(|c| delimiters.contains(&c)) else {
            errors.push(format!(
                "line {lineno}: `{value}` is neither a section nor an option"
            ));
            continue;
        };
        let name = value[..at].trim_end_matches(py_space).to_owned();
        let rest = value[at + 1..].trim_matches(py_space).to_owned();
        if name.is_empty() {
            errors.push(format!("line {lineno}: an option with no name"));
        }
        if !seen.insert((section_name.clone(), name.clone())) {
            return Err(format!(
                "line {lineno}: option `{name}` appears twice in [{section_name}]"
            ));
        }
        let target = match cur {
            None => &mut defaults,
            Some(i) => &mut sections[i].1,
        };
        // A name seen before (only possible in a repeated [DEFAULT]) is replaced in place.
        match target.iter().position(|(k, _)| *k == name) {
            Some(i) => {
                target[i].1 = vec![rest];
                option = Some(i);
            }
            None => {
                target.push((name, vec![rest]));
                option = Some(target.len() - 1);
            }
        }
    }
    if let Some(e) = errors.into_iter().next() {
        return Err(e);
    }
    let join = |lines: Vec<String>| lines.join("\n").trim_end_matches(py_space).to_owned();
    ini.defaults = defaults.into_iter().map(|(k, v)| (k, join(v))).collect();
    ini.sections = sections
        .into_iter()
        .map(|(name, options)| Section {
            name,
            options: options.into_iter().map(|(k, v)| (k, join(v))).collect(),
        })
        .collect();
    Ok(ini)
}

/// Lines as Python's text mode yields them: split at `\n`, `\r\n` and `\r`.
pub(crate) fn physical_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        let mut next = end;
        if rest[end..].starts_with("\r\n") {
            next += 2;
        } else if end < rest.len() {
            next += 1;
        }
        rest = &rest[next..];
        Some(line)
    })
}

/// `configparser`'s `\[(?P<header>.+)\]` matched at the start: from `[` to the last `]`.
fn section_header(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('[')?;
    let end = inner.rfind(']')?;
    (end > 0).then(|| &inner[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values_sections_and_continuations_as_python() {
        let ini = parse(
            "[metadata]\nname = demo  # kept\n# comment\nversion: 1.0\n\n[options]\ninstall_requires =\n    a\n\n    b\n; c\n",
            &['=', ':'],
        )
        .expect("parse");
        let m = ini.section("metadata").expect("metadata");
        assert_eq!(m.get("name"), Some("demo  # kept"));
        assert_eq!(m.get("version"), Some("1.0"));
        let o = ini.section("options").expect("options");
        assert_eq!(o.get("install_requires"), Some("\na\n\nb"));
    }

    #[test]
    fn an_indented_header_continues_the_value_before_it() {
        // The trick of a hostile sdist: the entry points section a naive reader sees is part
        // of the value of `tag_build` to Python.
        let ini = parse(
            "[ egg_info]\ntag_build =\n  [options.entry_points]\n  console_scripts = x = evil:main\n",
            &['=', ':'],
        )
        .expect("parse");
        assert_eq!(ini.sections.len(), 1);
        assert_eq!(ini.sections[0].name, " egg_info");
        assert!(ini.section("egg_info").is_none());
        assert!(ini.section("options.entry_points").is_none());
        assert_eq!(
            ini.sections[0].get("tag_build"),
            Some("\n[options.entry_points]\nconsole_scripts = x = evil:main")
        );
    }

    #[test]
    fn refuses_what_python_refuses() {
        assert!(parse("[a]\nx = 1\n[a]\n", &['=']).is_err());
        assert!(parse("[a]\nx = 1\nx = 2\n", &['=']).is_err());
        assert!(parse("x = 1\n[a]\n", &['=']).is_err());
        assert!(parse("[a]\nnot an option\n", &['=']).is_err());
        assert!(parse("[a]\n= 1\n", &['=']).is_err());
        // DEFAULT may repeat.
        assert!(parse("[DEFAULT]\nx = 1\n[DEFAULT]\ny = 2\n", &['=']).is_ok());
    }

    #[test]
    fn headers_run_to_the_last_bracket_and_lines_end_at_cr() {
        let ini = parse("[a]b]\rk = v\r\n", &['=']).expect("parse");
        assert_eq!(ini.sections[0].name, "a]b");
        assert_eq!(ini.sections[0].get("k"), Some("v"));
    }
}

//! Python source read without running it: a tokenizer that follows Python's lexical rules
//! (strings with their prefixes and escapes, comments, implicit and explicit line joining,
//! indentation), and a reader of literal values as `ast.literal_eval` accepts them.
//!
//! It serves two rules: the literal keyword arguments of the one `setup()` call in a `setup.py`,
//! and the statements of a generated version file. Anything it cannot read exactly as Python
//! would (an f-string, a `\N{...}` escape, inconsistent tabs) makes it give up, so a caller
//! says "not derived" rather than guessing.

use std::collections::BTreeMap;

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Name(String),
    Number(String),
    /// A string literal, decoded; `None` for one that is not a plain `str` (bytes, f-string).
    Str(Option<String>),
    Op(String),
    /// The end of a logical line.
    Newline,
}

/// A logical line: its indentation (in columns, tabs to the next multiple of 8) and tokens.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Line {
    pub indent: usize,
    pub toks: Vec<Tok>,
}

impl Line {
    /// The tokens without the closing newline.
    pub fn tokens(&self) -> Vec<&Tok> {
        self.toks.iter().filter(|t| **t != Tok::Newline).collect()
    }

    /// Names and operators as text (other tokens as empty strings), to match statement shapes.
    pub fn words(&self) -> Vec<&str> {
        self.tokens()
            .into_iter()
            .map(|t| match t {
                Tok::Name(w) | Tok::Op(w) => w.as_str(),
                _ => "",
            })
            .collect()
    }

    /// "statement N runs code: `...`", for the `n`th (from 0) logical line.
    pub fn runs_code(&self, n: usize) -> String {
        format!(
            "statement {} runs code: `{}`",
            n + 1,
            self.words().join(" ").trim()
        )
    }
}

/// Python source as logical lines; `Err` when it cannot be tokenized as Python would.
pub(crate) fn lines(source: &str) -> Result<Vec<Line>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut depth = 0usize;
    let mut current: Option<Line> = None;
    while i < chars.len() {
        let c = chars[i];
        if current.is_none() {
            // Start of a physical line outside brackets: measure indentation.
            let mut col = 0;
            let mut j = i;
            while j < chars.len() && matches!(chars[j], ' ' | '\t' | '\x0c') {
                col = match chars[j] {
                    '\t' => (col / 8 + 1) * 8,
                    '\x0c' => 0,
                    _ => col + 1,
                };
                j += 1;
            }
            // Blank and comment-only lines do not start a logical line.
            let mut k = j;
            if k < chars.len() && chars[k] == '#' {
                while k < chars.len() && chars[k] != '\n' && chars[k] != '\r' {
                    k += 1;
                }
            }
            if k >= chars.len() {
                break;
            }
            if chars[k] == '\n' || chars[k] == '\r' {
                i = k + 1;
                continue;
            }
            if chars[k] == '\\' {
                return Err("a line starts with a continuation".into());
            }
            current = Some(Line {
                indent: col,
                toks: Vec::new(),
            });
            i = j;
            continue;
        }
        let line = current.as_mut().expect("set above");
        match c {
            ' ' | '\t' | '\x0c' => i += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
                    i += 1;
                }
            }
            '\\' => {
                // Explicit line joining.
                match chars.get(i + 1) {
                    Some('\n') => i += 2,
                    Some('\r') if chars.get(i + 2) == Some(&'\n') => i += 3,
                    Some('\r') => i += 2,
                    _ => return Err("a backslash outside a string".into()),
                }
            }
            '\n' | '\r' => {
                i += 1;
                if c == '\r' && chars.get(i) == Some(&'\n') {
                    i += 1;
                }
                if depth == 0 {
                    let mut done = current.take().expect("set above");
                    done.toks.push(Tok::Newline);
                    out.push(done);
                }
            }
            '"' | '\'' => {
                let (tok, next) = string(&chars, i, "")?;
                line.toks.push(tok);
                i = next;
            }
            c if c.is_ascii_digit()
                || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric()
                        || chars[i] == '.'
                        || chars[i] == '_'
                        || ((chars[i] == '+' || chars[i] == '-')
                            && matches!(chars[i - 1], 'e' | 'E')
                            && !chars[start..i].iter().any(|c| matches!(c, 'x' | 'X'))))
                {
                    i += 1;
                }
                line.toks
                    .push(Tok::Number(chars[start..i].iter().collect()));
            }
            c if c == '_' || c.is_alphabetic() => {
                let start = i;
                while i < chars.len() && (chars[i] == '_' || chars[i].is_alphanumeric()) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let is_prefix = word.len() <= 2
                    && word
                        .chars()
                        .all(|c| matches!(c.to_ascii_lowercase(), 'r' | 'u' | 'b' | 'f' | 't'));
                if is_prefix && matches!(chars.get(i), Some('"' | '\'')) {
                    let (tok, next) = string(&chars, i, &word.to_ascii_lowercase())?;
                    line.toks.push(tok);
                    i = next;
                } else {
                    line.toks.push(Tok::Name(word));
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                line.toks.push(Tok::Op(c.to_string()));
                i += 1;
            }
            ')' | ']' | '}' => {
                depth = depth.checked_sub(1).ok_or("unbalanced brackets")?;
                line.toks.push(Tok::Op(c.to_string()));
                i += 1;
            }
            _ => {
                // Operators: the longest of the three-, two- and one-character ones.
                const OPS3: &[&str] = &["**=", "//=", ">>=", "<<=", "...", "!="];
                const OPS2: &[&str] = &[
                    "**", "//", ">>", "<<", "<=", ">=", "==", "!=", "->", ":=", "+=", "-=", "*=",
                    "/=", "%=", "&=", "|=", "^=", "@=",
                ];
                let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
                let op = OPS3
                    .iter()
                    .chain(OPS2)
                    .find(|op| rest.starts_with(**op))
                    .map(|op| (*op).to_owned())
                    .unwrap_or_else(|| c.to_string());
                if !"+-*/%@&|^~<>=.,:;!".contains(c) {
                    return Err(format!("unexpected character {c:?}"));
                }
                i += op.chars().count();
                line.toks.push(Tok::Op(op));
            }
        }
    }
    if depth != 0 {
        return Err("unbalanced brackets".into());
    }
    if let Some(mut last) = current.take() {
        last.toks.push(Tok::Newline);
        out.push(last);
    }
    Ok(out)
}

/// A string literal starting at `start` (its quote), with `prefix` before it.
fn string(chars: &[char], start: usize, prefix: &str) -> Result<(Tok, usize), String> {
    let quote = chars[start];
    let triple = chars.get(start + 1) == Some(&quote) && chars.get(start + 2) == Some(&quote);
    let raw = prefix.contains('r');
    if prefix.contains('f') || prefix.contains('t') {
        // f-strings nest expressions (and, since Python 3.12, quotes): not read.
        return Err("an f-string".into());
    }
    let plain = !prefix.contains('b');
    let mut i = start + if triple { 3 } else { 1 };
    let mut value = String::new();
    let mut decodable = plain;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("an unterminated string".into());
        };
        if c == quote {
            if !triple {
                i += 1;
                break;
            }
            if chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote) {
                i += 3;
                break;
            }
        }
        if !triple && (c == '\n' || c == '\r') {
            return Err("a newline in a one-line string".into());
        }
        if c == '\\' {
            let Some(&n) = chars.get(i + 1) else {
                return Err("an unterminated string".into());
            };
            if raw {
                // A raw string keeps the backslash; it still escapes a quote or a newline.
                value.push('\\');
                value.push(n);
                i += 2;
                continue;
            }
            i += 2;
            match n {
                '\n' => {}
                '\r' => {
                    if chars.get(i) == Some(&'\n') {
                        i += 1;
                    }
                }
                '\\' | '\'' | '"' => value.push(n),
                'a' => value.push('\x07'),
                'b' => value.push('\x08'),
                'f' => value.push('\x0c'),
                'n' => value.push('\n'),
                'r' => value.push('\r'),
                't' => value.push('\t'),
                'v' => value.push('\x0b'),
                '0'..='7' => {
                    let mut n_val = n.to_digit(8).unwrap_or(0);
                    let mut taken = 1;
                    while taken < 3 && chars.get(i).is_some_and(|c| c.is_digit(8)) {
                        n_val = n_val * 8 + chars[i].to_digit(8).unwrap_or(0);
                        i += 1;
                        taken += 1;
                    }
                    value.push(char::from_u32(n_val).ok_or("a bad octal escape")?);
                }
                'x' | 'u' | 'U' if plain || n == 'x' => {
                    let len = match n {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex: String = chars
                        .get(i..i + len)
                        .ok_or("a short escape")?
                        .iter()
                        .collect();
                    let code = u32::from_str_radix(&hex, 16).map_err(|_| "a bad hex escape")?;
                    value.push(char::from_u32(code).ok_or("a bad escape")?);
                    i += len;
                }
                'N' if plain => {
                    // \N{NAME} needs Unicode's name table; such a string is not read.
                    decodable = false;
                    while i < chars.len() && chars[i] != '}' {
                        i += 1;
                    }
                    i += 1;
                }
                other => {
                    value.push('\\');
                    value.push(other);
                }
            }
            continue;
        }
        value.push(c);
        i += 1;
    }
    Ok((Tok::Str(decodable.then_some(value)), i))
}

/// A literal value, as `ast.literal_eval` reads it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Str(String),
    Num(String),
    Bool(bool),
    None,
    List(Vec<Lit>),
    Dict(Vec<(Lit, Lit)>),
}

impl Lit {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Lit::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A keyword argument's value: a literal, or an expression only running the code could
/// evaluate.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Arg {
    Literal(Lit),
    Computed,
}

/// The keyword arguments of the one `setup(...)` call of a `setup.py`: `Err` when there is not
/// exactly one, or it takes `**kwargs` or positional arguments (then any field may come from
/// code).
pub(crate) fn setup_call(source: &str) -> Result<BTreeMap<String, Arg>, String> {
    let lines = lines(source)?;
    let toks: Vec<&Tok> = lines.iter().flat_map(|l| l.toks.iter()).collect();
    let mut calls = Vec::new();
    for i in 0..toks.len() {
        let is_setup = matches!(toks[i], Tok::Name(n) if n == "setup")
            && toks.get(i + 1) == Some(&&Tok::Op("(".into()));
        if !is_setup {
            continue;
        }
        let before = i.checked_sub(1).map(|j| toks[j]);
        match before {
            Some(Tok::Name(n)) if n == "def" => continue,
            Some(Tok::Op(o)) if o == "." => {
                let owner = i.checked_sub(2).map(|j| toks[j]);
                if !matches!(owner, Some(Tok::Name(n)) if n == "setuptools" || n == "core") {
                    continue;
                }
            }
            _ => {}
        }
        calls.push(i + 2);
    }
    let [start] = calls[..] else {
        return Err(format!("{} setup() calls", calls.len()));
    };
    let mut args = BTreeMap::new();
    let mut i = start;
    loop {
        match toks.get(i) {
            Some(Tok::Op(o)) if o == ")" => break,
            Some(Tok::Newline) | None => return Err("an unterminated setup() call".into()),
            Some(Tok::Op(o)) if o == "**" || o == "*" => {
                return Err("setup() takes unpacked arguments".into());
            }
            Some(Tok::Name(name)) if toks.get(i + 1) == Some(&&Tok::Op("=".into())) => {
                let name = name.clone();
                i += 2;
                let (value, next) = match literal(&toks, i) {
                    Some((lit, next)) if ends_arg(toks.get(next)) => (Arg::Literal(lit), next),
                    _ => (Arg::Computed, skip_expr(&toks, i)),
                };
                if args.insert(name.clone(), value).is_some() {
                    return Err(format!("setup() gets {name} twice"));
                }
                i = next;
                if toks.get(i) == Some(&&Tok::Op(",".into())) {
                    i += 1;
                }
            }
            Some(_) => return Err("setup() takes a positional argument".into()),
        }
    }
    Ok(args)
}

fn ends_arg(tok: Option<&&Tok>) -> bool {
    matches!(tok, Some(Tok::Op(o)) if o == "," || o == ")")
}

/// Past the expression starting at `i`, to the `,` or `)` that ends it at its own depth.
fn skip_expr(toks: &[&Tok], mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some(t) = toks.get(i) {
        match t {
            Tok::Op(o) if matches!(o.as_str(), "(" | "[" | "{") => depth += 1,
            Tok::Op(o) if matches!(o.as_str(), ")" | "]" | "}") => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
            }
            Tok::Op(o) if o == "," && depth == 0 => return i,
            Tok::Newline => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The literal starting at token `i`, and the position after it.
pub(crate) fn literal(toks: &[&Tok], i: usize) -> Option<(Lit, usize)> {
    literal_in(toks, i, &BTreeMap::new())
}

/// The literal starting at token `i`, where a name stands for its value in `env` (the
/// module-level literals assigned before it).
pub(crate) fn literal_in(
    toks: &[&Tok],
    i: usize,
    env: &BTreeMap<String, Lit>,
) -> Option<(Lit, usize)> {
    let literal = |toks: &[&Tok], i: usize| literal_in(toks, i, env);
    match toks.get(i)? {
        Tok::Str(_) => {
            // Adjacent string literals are one string.
            let mut s = String::new();
            let mut j = i;
            while let Some(Tok::Str(part)) = toks.get(j) {
                s.push_str(part.as_deref()?);
                j += 1;
            }
            Some((Lit::Str(s), j))
        }
        Tok::Number(n) => Some((Lit::Num(n.clone()), i + 1)),
        Tok::Op(o) if o == "-" => match toks.get(i + 1)? {
            Tok::Number(n) => Some((Lit::Num(format!("-{n}")), i + 2)),
            _ => None,
        },
        Tok::Name(n) => match n.as_str() {
            "True" => Some((Lit::Bool(true), i + 1)),
            "False" => Some((Lit::Bool(false), i + 1)),
            "None" => Some((Lit::None, i + 1)),
            _ => env.get(n).map(|v| (v.clone(), i + 1)),
        },
        Tok::Op(o) if o == "[" || o == "(" => {
            let close = if o == "[" { "]" } else { ")" };
            let mut items = Vec::new();
            let mut j = i + 1;
            loop {
                if matches!(toks.get(j)?, Tok::Op(c) if c == close) {
                    return Some((Lit::List(items), j + 1));
                }
                let (item, next) = literal(toks, j)?;
                items.push(item);
                j = next;
                match toks.get(j)? {
                    Tok::Op(c) if c == "," => j += 1,
                    Tok::Op(c) if c == close => {}
                    _ => return None,
                }
            }
        }
        Tok::Op(o) if o == "{" => {
            let mut items = Vec::new();
            let mut j = i + 1;
            loop {
                if matches!(toks.get(j)?, Tok::Op(c) if c == "}") {
                    return Some((Lit::Dict(items), j + 1));
                }
                let (key, next) = literal(toks, j)?;
                if !matches!(toks.get(next)?, Tok::Op(c) if c == ":") {
                    return None; // a set display
                }
                let (value, next) = literal(toks, next + 1)?;
                items.push((key, value));
                j = next;
                match toks.get(j)? {
                    Tok::Op(c) if c == "," => j += 1,
                    Tok::Op(c) if c == "}" => {}
                    _ => return None,
                }
            }
        }
        _ => None,
    }
}

/// The module-level `NAME = "literal"` assignment of `name` in Python source (`__version__`),
/// when there is exactly one and nothing else assigns it.
pub(crate) fn assigned_string(source: &str, name: &str) -> Option<String> {
    let lines = lines(source).ok()?;
    let mut found = None;
    for line in lines.iter().filter(|l| l.indent == 0) {
        let toks: Vec<&Tok> = line.toks.iter().collect();
        let targets_name = toks.iter().enumerate().any(|(i, t)| {
            matches!(t, Tok::Name(n) if n == name)
                && (i == 0 || toks[i - 1] == &Tok::Op("=".into()))
        });
        if !targets_name {
            continue;
        }
        // NAME (= NAME)* = "literal" NEWLINE
        let mut i = 0;
        while matches!(toks.get(i), Some(Tok::Name(_)))
            && toks.get(i + 1) == Some(&&Tok::Op("=".into()))
        {
            i += 2;
        }
        match literal(&toks, i) {
            Some((Lit::Str(s), next))
                if toks.get(next) == Some(&&Tok::Newline) && found.is_none() =>
            {
                found = Some(s)
            }
            _ => return None,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strings_as_python_does() {
        let l = lines("x = 'a' \"b\" r'\\n' '\\x41\\101\\u00e9'\n").expect("lines");
        let strs: Vec<&Tok> = l[0]
            .toks
            .iter()
            .filter(|t| matches!(t, Tok::Str(_)))
            .collect();
        assert_eq!(strs[0], &Tok::Str(Some("a".into())));
        assert_eq!(strs[2], &Tok::Str(Some("\\n".into())));
        assert_eq!(strs[3], &Tok::Str(Some("AAé".into())));
        assert!(lines("x = f'{y}'\n").is_err());
        let triple = lines("s = '''a\n# not a comment\nb'''\ny = 1\n").expect("triple");
        assert_eq!(triple.len(), 2);
        assert_eq!(
            triple[0].toks[2],
            Tok::Str(Some("a\n# not a comment\nb".into()))
        );
    }

    #[test]
    fn joins_lines_inside_brackets_and_after_backslashes() {
        let l = lines("a = [1,\n  2]  # c\nb = 1 + \\\n 2\n  \n# only\n").expect("lines");
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].toks.len(), 6);
    }

    #[test]
    fn finds_the_literal_arguments_of_setup() {
        let src = r#"
from setuptools import setup
import os
# setup(name="comment")
def helper():
    return "x"

setup(
    name="demo",
    version="1.0" ".1",
    install_requires=["a>=1", 'b; python_version<"3.8"'],
    extras_require={"test": ["pytest"]},
    entry_points={"console_scripts": ["demo = demo.cli:main"]},
    long_description=open("README").read(),
)
"#;
        let args = setup_call(src).expect("call");
        assert_eq!(args["name"], Arg::Literal(Lit::Str("demo".into())));
        assert_eq!(args["version"], Arg::Literal(Lit::Str("1.0.1".into())));
        assert_eq!(args["long_description"], Arg::Computed);
        assert!(matches!(&args["extras_require"], Arg::Literal(Lit::Dict(d)) if d.len() == 1));
        assert!(setup_call("setup(**kw)\n").is_err());
        assert!(setup_call("setup(name='a')\nsetup(name='b')\n").is_err());
        assert!(setup_call("setup(name='a', name='b')\n").is_err());
        assert!(setup_call("print('no call')\n").is_err());
    }

    #[test]
    fn finds_a_single_version_assignment() {
        assert_eq!(
            assigned_string("\"\"\"Doc.\"\"\"\n__version__ = '2.0'\n", "__version__").as_deref(),
            Some("2.0")
        );
        assert_eq!(
            assigned_string("__version__ = version = '2.0'\n", "__version__").as_deref(),
            Some("2.0")
        );
        assert_eq!(
            assigned_string("__version__ = get()\n", "__version__"),
            None
        );
        assert_eq!(
            assigned_string("__version__ = '1'\n__version__ = '2'\n", "__version__"),
            None
        );
    }
}

//! Python's core metadata (`PKG-INFO`, `METADATA`) read as the `email` parser pip and
//! `importlib.metadata` use reads it, and the values compared by meaning: names as PEP 503
//! normalises them, versions as PEP 440 does, requirements as PEP 508 ones (spacing, quotes,
//! specifier order and the extra's marker told apart from the rest).

use std::collections::BTreeSet;

/// The header fields of a core metadata file, in order (a field may repeat).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CoreMetadata {
    pub fields: Vec<(String, String)>,
}

impl CoreMetadata {
    /// Every value of `name` (case-insensitive, as the `email` module looks them up).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Parse the header block as `email.parser` (compat32) does: it ends at the first blank line,
/// or at the first line that is neither `Name:` nor a continuation (which then starts the
/// body); continuation lines belong to the field before.
pub(crate) fn parse(text: &str) -> CoreMetadata {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in super::configparser::physical_lines(text) {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            // A continuation before any field is a defect the parser skips, not the end.
            if let Some(last) = fields.last_mut() {
                last.1.push('\n');
                last.1.push_str(line);
            }
            continue;
        }
        let header = line.find(':').filter(|&i| {
            line[..i]
                .bytes()
                .all(|b| (33..=126).contains(&b) && b != b':')
        });
        match header {
            Some(i) => fields.push((
                line[..i].to_owned(),
                line[i + 1..].trim_start_matches([' ', '\t']).to_owned(),
            )),
            None => break,
        }
    }
    CoreMetadata { fields }
}

/// A project or extra name as PEP 503 and PEP 685 normalise it.
pub(crate) fn normalise_name(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// A version in PEP 440's canonical form for comparison (trailing zeros of the release
/// dropped, spellings of pre-, post- and dev-releases unified); the text as given, trimmed and
/// lowercased, when it is not a PEP 440 version.
pub(crate) fn normalise_version(v: &str) -> String {
    parse_version(v).unwrap_or_else(|| v.trim().to_ascii_lowercase())
}

fn parse_version(v: &str) -> Option<String> {
    let s = v.trim().to_ascii_lowercase();
    let s = s.strip_prefix('v').unwrap_or(&s);
    let (public, local) = match s.split_once('+') {
        Some((p, l)) => (p, Some(l)),
        None => (s, None),
    };
    let b = public.as_bytes();
    let mut i = 0;
    let num = |i: &mut usize| -> Option<u64> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        public.get(start..*i)?.parse().ok()
    };
    let mut epoch = 0;
    let mut release = vec![num(&mut i)?];
    if i < b.len() && b[i] == b'!' {
        epoch = release[0];
        i += 1;
        release = vec![num(&mut i)?];
    }
    while i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i += 1;
        release.push(num(&mut i)?);
    }
    while release.len() > 1 && release.last() == Some(&0) {
        release.pop();
    }
    let rest = &public[i..];
    let sep = |r: &str| r.trim_start_matches(['-', '_', '.']).to_owned();
    let mut out = String::new();
    if epoch != 0 {
        out.push_str(&format!("{epoch}!"));
    }
    out.push_str(
        &release
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    );
    let mut r = rest.to_owned();
    // Pre-release.
    let pre_words = [
        ("alpha", "a"),
        ("beta", "b"),
        ("preview", "rc"),
        ("pre", "rc"),
        ("rc", "rc"),
        ("c", "rc"),
        ("a", "a"),
        ("b", "b"),
    ];
    let trimmed = sep(&r);
    if let Some((word, canon)) = pre_words.iter().find(|(w, _)| trimmed.starts_with(w)) {
        let (n, after) = numbered(&sep(&trimmed[word.len()..]))?;
        out.push_str(&format!("{canon}{n}"));
        r = after;
    }
    // Post-release: `-N`, or post/rev/r.
    if let Some(n) = r
        .strip_prefix('-')
        .filter(|n| n.starts_with(|c: char| c.is_ascii_digit()))
    {
        let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
        out.push_str(&format!(".post{}", digits.parse::<u64>().ok()?));
        r = n[digits.len()..].to_owned();
    } else {
        let trimmed = sep(&r);
        if let Some(word) = ["post", "rev", "r"]
            .iter()
            .find(|w| trimmed.starts_with(**w))
        {
            let (n, rest) = numbered(&sep(&trimmed[word.len()..]))?;
            out.push_str(&format!(".post{n}"));
            r = rest;
        }
    }
    let trimmed = sep(&r);
    if let Some(after) = trimmed.strip_prefix("dev") {
        let (n, rest) = numbered(&sep(after))?;
        out.push_str(&format!(".dev{n}"));
        r = rest;
    } else if !r.is_empty() && !trimmed.is_empty() {
        return None;
    }
    if !sep(&r).is_empty() {
        return None;
    }
    if let Some(local) = local {
        let parts: Vec<&str> = local.split(['-', '_', '.']).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return None;
        }
        out.push('+');
        out.push_str(&parts.join("."));
    }
    Some(out)
}

/// The number that starts `s` (0 when there is none, as PEP 440 implies) and what follows it.
fn numbered(s: &str) -> Option<(u64, String)> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let n = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some((n, s[digits.len()..].to_owned()))
}

/// A PEP 508 requirement in comparable form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Req {
    pub name: String,
    pub extras: BTreeSet<String>,
    /// Version specifiers sorted, without spaces; or `@URL`.
    pub spec: String,
    /// The marker without the `extra == "..."` clause, spaces removed, quotes unified.
    pub marker: String,
    /// The extra this requirement belongs to.
    pub extra: Option<String>,
}

impl std::fmt::Display for Req {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name)?;
        if !self.extras.is_empty() {
            let extras: Vec<&str> = self.extras.iter().map(String::as_str).collect();
            write!(f, "[{}]", extras.join(","))?;
        }
        write!(f, "{}", self.spec)?;
        if !self.marker.is_empty() {
            write!(f, "; {}", self.marker)?;
        }
        if let Some(e) = &self.extra {
            write!(f, " (extra {e})")?;
        }
        Ok(())
    }
}

/// Parse a requirement; the extra comes from its marker, or from `extra` (a declaration's
/// `optional-dependencies` key).
pub(crate) fn parse_req(text: &str, extra: Option<&str>) -> Option<Req> {
    let text = text.trim();
    let (body, marker) = match split_marker(text) {
        Some((b, m)) => (b, Some(m)),
        None => (text, None),
    };
    let body = body.trim();
    let end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(body.len());
    let name = normalise_name(&body[..end]);
    if name.is_empty() {
        return None;
    }
    let mut rest = body[end..].trim_start();
    let mut extras = BTreeSet::new();
    if let Some(after) = rest.strip_prefix('[') {
        let close = after.find(']')?;
        for e in after[..close]
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            extras.insert(normalise_name(e));
        }
        rest = after[close + 1..].trim_start();
    }
    let spec = if let Some(url) = rest.strip_prefix('@') {
        format!("@{}", url.trim())
    } else {
        let inner = rest.trim();
        let inner = inner
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or(inner);
        normalise_specifiers(inner)
    };
    let mut marker = marker.map(normalise_marker).unwrap_or_default();
    let mut found_extra = extra.map(normalise_name);
    if let Some((m, e)) = take_extra(&marker) {
        marker = m;
        found_extra = Some(e);
    }
    Some(Req {
        name,
        extras,
        spec,
        marker,
        extra: found_extra,
    })
}

/// Split at the `;` that starts the marker (outside a URL, where `;` may not appear before a
/// space).
fn split_marker(text: &str) -> Option<(&str, &str)> {
    if text.contains('@') {
        // PEP 508: a URL requirement's marker follows " ;".
        let i = text.find(" ;").or_else(|| text.find("\t;"))?;
        return Some((&text[..i], &text[i + 2..]));
    }
    let i = text.find(';')?;
    Some((&text[..i], &text[i + 1..]))
}

/// A marker with spaces outside strings removed and every string in double quotes.
fn normalise_marker(marker: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in marker.trim().chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push('"');
            }
            Some(_) => out.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                out.push('"');
            }
            None if c.is_whitespace() => {}
            None => out.push(c),
        }
    }
    out
}

/// Split `extra=="name"` off a normalised marker: the marker alone, or the marker before
/// `and` (its parentheses removed).
fn take_extra(marker: &str) -> Option<(String, String)> {
    let start = marker.rfind("extra==\"")?;
    let name_part = &marker[start + 8..];
    let name = name_part.strip_suffix('"')?;
    if name.contains('"') {
        return None;
    }
    let before = &marker[..start];
    let rest = if before.is_empty() {
        String::new()
    } else {
        let b = before.strip_suffix("and")?;
        let unwrapped = b
            .strip_prefix('(')
            .and_then(|x| x.strip_suffix(')'))
            .filter(|x| balanced(x))
            .unwrap_or(b);
        unwrapped.to_owned()
    };
    Some((rest, normalise_name(name)))
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// Specifiers without spaces, sorted (`>=3.8, <4` → `<4,>=3.8`).
pub(crate) fn normalise_specifiers(spec: &str) -> String {
    let mut parts: Vec<String> = spec
        .split(',')
        .map(|p| p.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|p| !p.is_empty())
        .collect();
    parts.sort();
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_as_the_email_parser() {
        let m = parse(
            "Metadata-Version: 2.1\nName: demo\nRequires-Dist: a>=1\nSummary: x\n  continued\n\nRequires-Dist: evil\n",
        );
        assert_eq!(m.all("requires-dist"), ["a>=1"]);
        assert_eq!(m.all("Summary"), ["x\n  continued"]);
        // A line that is no header ends the headers: what follows is body to pip.
        let m = parse("Name: demo\nRequires-Dist evil\nRequires-Dist: hidden\n");
        assert_eq!(m.all("Requires-Dist"), Vec::<&str>::new());
        // A leading continuation line is skipped, and the fields after it still count.
        let m = parse(" junk\nRequires-Dist: evil\n");
        assert_eq!(m.all("Requires-Dist"), ["evil"]);
        // Lines end at CRLF as at LF.
        let m = parse("Name: demo\r\nVersion: 1\r\n\r\nbody\r\n");
        assert_eq!(m.all("Version"), ["1"]);
    }

    #[test]
    fn normalises_versions_as_pep_440() {
        for (a, b) in [
            ("1.0.0", "1"),
            ("1.0-rc1", "1rc1"),
            ("1.0.alpha.2", "1.0a2"),
            ("v2.1", "2.1"),
            ("1.0-1", "1.0.post1"),
            ("1.0.dev0", "1.0dev"),
            ("0.1.dev3+g1234abc", "0.1.dev3+g1234abc"),
        ] {
            assert_eq!(normalise_version(a), normalise_version(b), "{a} {b}");
        }
        assert_ne!(normalise_version("1.0.1"), normalise_version("1.0"));
        assert_ne!(normalise_version("1.0a1"), normalise_version("1.0"));
    }

    #[test]
    fn compares_requirements_by_meaning() {
        let a = parse_req("Requests >= 2.0, <3 ; python_version < '3.8'", None).expect("a");
        let b = parse_req("requests<3,>=2.0; python_version<\"3.8\"", None).expect("b");
        assert_eq!(a, b);
        let with_extra = parse_req(
            "pytest>=7; (python_version<\"3.8\" or os_name == 'nt') and extra == 'Test_X'",
            None,
        )
        .expect("extra");
        let declared = parse_req(
            "pytest >= 7 ; python_version<'3.8' or os_name=='nt'",
            Some("test-x"),
        )
        .expect("declared");
        assert_eq!(with_extra, declared);
        let old = parse_req("six (>=1.0)", None).expect("old");
        assert_eq!(old, parse_req("six>=1.0", None).expect("new"));
        assert_ne!(
            parse_req("evil", None),
            parse_req("evil ; extra == \"x\"", None)
        );
    }

    #[test]
    fn normalises_names() {
        assert_eq!(normalise_name("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(normalise_name("typing_extensions"), "typing-extensions");
    }
}

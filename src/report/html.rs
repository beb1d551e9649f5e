//! The rebuild's differences as one self-contained HTML page: a tree of the archive's
//! differing members, each with its fields and, for text, the two versions side by side.
//!
//! Everything shown comes from the artifacts, which are untrusted, so every string is escaped;
//! the page loads nothing (no scripts, fonts, images or style sheets from elsewhere), and a
//! Content-Security-Policy says so to the browser.

use std::collections::BTreeMap;
use std::fmt::Write;

use similar::{ChangeTag, TextDiff};

use super::{ArtifactVerdict, Verdict};
use crate::verdict::{Accept, ArchiveDiff, Change, Class, Detail, MemberDifference};

/// Most lines shown per side of one side-by-side diff.
const MAX_SIDE_LINES: usize = 400;

const STYLE: &str = "
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{padding:18px 28px;background:#1d2330;color:#fff}
header h1{margin:0 0 6px;font-size:20px}
header p{margin:2px 0;color:#c9d1e0;font-size:13px}
.verdict{display:inline-block;padding:2px 10px;border-radius:10px;font-weight:600;margin-right:8px}
.pass{background:#1f8a4c;color:#fff}.fail{background:#c0392b;color:#fff}
main{display:flex;gap:20px;padding:20px 28px}
nav{flex:0 0 300px;background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:12px;
 align-self:flex-start;max-height:90vh;overflow:auto}
nav ul{list-style:none;padding-left:14px;margin:0}nav>ul{padding-left:0}
nav a{text-decoration:none;color:#1d2330;word-break:break-all}
section{flex:1;min-width:0}
article{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin-bottom:16px}
article h2{font-size:15px;margin:0;padding:10px 14px;border-bottom:1px solid #dde1e8;
 font-family:ui-monospace,monospace;word-break:break-all}
.tag{font:600 11px system-ui;padding:1px 7px;border-radius:8px;margin-right:6px;
 text-transform:uppercase;vertical-align:middle}
.content{background:#fde2e0;color:#9b2116}.metadata{background:#e4ecfb;color:#244a8f}
ul.fields{margin:8px 0;padding:0 14px 0 32px;font-family:ui-monospace,monospace;font-size:12.5px}
table.sbs{width:100%;border-collapse:collapse;table-layout:fixed;font:12px/1.4 ui-monospace,monospace}
table.sbs th{background:#eef0f4;text-align:left;padding:4px 8px;font:600 12px system-ui}
table.sbs td{padding:0 8px;white-space:pre-wrap;word-break:break-all;vertical-align:top}
col.n{width:48px}
td.n{color:#8a93a5;text-align:right;user-select:none}
td.del{background:#fdecea}td.ins{background:#e6f6ea}
p.note{margin:8px 14px;color:#566074}
";

/// What one page shows.
pub struct Page<'a> {
    pub artifact: &'a str,
    pub pass: bool,
    /// The commit rebuilt; `None` when two given files were compared.
    pub commit: Option<&'a str>,
    pub comparison: &'a str,
    pub accept: Accept,
    pub sha256: &'a str,
    pub rebuilt_sha256: Option<&'a str>,
    pub log: Option<&'a str>,
    pub diff: Option<&'a ArchiveDiff>,
}

impl<'a> Page<'a> {
    /// The page of an artifact's rebuild section; `None` when it has none.
    pub fn of(a: &'a ArtifactVerdict) -> Option<Page<'a>> {
        let r = a.sections.rebuild.as_ref()?;
        let build = r.build.as_ref();
        Some(Page {
            artifact: &a.name,
            pass: a.verdict == Verdict::Pass,
            commit: build.map(|b| b.commit.as_str()),
            comparison: r.comparison,
            accept: r.accept,
            sha256: a.digest.get("sha256").map_or("", String::as_str),
            rebuilt_sha256: build
                .and_then(|b| b.rebuilt_sha256.as_deref())
                .or(r.rebuilt_sha256.as_deref()),
            log: build.map(|b| b.log.as_str()),
            diff: build.and_then(|b| b.diff.as_ref()).or(r.diff.as_ref()),
        })
    }
}

/// The page, as one HTML document.
pub fn render(r: &Page<'_>) -> String {
    let artifact = r.artifact;
    let verdict_pass = r.pass;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>custody rebuild: {}</title><style>{STYLE}</style></head><body>",
        esc(artifact)
    );
    let (class, word) = if verdict_pass {
        ("pass", "reproduced")
    } else {
        ("fail", "not reproduced")
    };
    let _ = write!(
        out,
        "<header><h1><span class=\"verdict {class}\">{word}</span>{}</h1>\
         <p>{}comparison: {} · accept: {}</p>\
         <p>{}</p><p>published sha256 {} · rebuilt sha256 {}</p>{}</header>",
        esc(artifact),
        r.commit
            .map(|c| format!("commit {} · ", esc(c)))
            .unwrap_or_default(),
        esc(r.comparison),
        if r.accept == Accept::Content {
            "content"
        } else {
            "identical"
        },
        match &r.diff {
            Some(d) => format!(
                "{} members: {} identical, {} content and {} metadata difference(s)",
                d.members,
                d.identical,
                d.count(Class::Content),
                d.count(Class::Metadata)
            ),
            None => String::new(),
        },
        esc(r.sha256),
        esc(r.rebuilt_sha256.unwrap_or("(none)")),
        r.log
            .map(|l| format!("<p>build log: {}</p>", esc(l)))
            .unwrap_or_default(),
    );
    let differences: &[MemberDifference] = r.diff.map(|d| d.differences.as_slice()).unwrap_or(&[]);
    out.push_str("<main><nav><strong>Differences</strong>");
    tree(&mut out, differences);
    out.push_str("</nav><section>");
    if differences.is_empty() {
        let _ = write!(
            out,
            "<article><p class=\"note\">{}</p></article>",
            match r.comparison {
                "identical" => "The rebuilt artifact is bit-for-bit identical.",
                _ => "Nothing was compared: see the report's checks.",
            }
        );
    }
    for (i, d) in differences.iter().enumerate() {
        article(&mut out, i, d);
    }
    if let Some(d) = r.diff
        && d.undescribed > 0
    {
        let _ = write!(
            out,
            "<p class=\"note\">{} more changed members are listed without their bytes.</p>",
            d.undescribed
        );
    }
    out.push_str("</section></main></body></html>\n");
    out
}

/// A nested list of the differing members, by directory.
fn tree(out: &mut String, differences: &[MemberDifference]) {
    #[derive(Default)]
    struct Dir<'a> {
        dirs: BTreeMap<&'a str, Dir<'a>>,
        files: Vec<(usize, &'a str, Class)>,
    }
    let mut root = Dir::default();
    for (i, d) in differences.iter().enumerate() {
        let path = if d.path.is_empty() {
            "(archive)"
        } else {
            d.path.as_str()
        };
        let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let leaf = parts.pop().unwrap_or(path);
        let mut dir = &mut root;
        for p in parts {
            dir = dir.dirs.entry(p).or_default();
        }
        dir.files.push((i, leaf, d.class));
    }
    fn emit(out: &mut String, dir: &Dir<'_>) {
        out.push_str("<ul>");
        for (name, sub) in &dir.dirs {
            let _ = write!(out, "<li>{}/", esc(name));
            emit(out, sub);
            out.push_str("</li>");
        }
        for (i, name, class) in &dir.files {
            let _ = write!(
                out,
                "<li><span class=\"tag {0}\">{0}</span><a href=\"#d{i}\">{1}</a></li>",
                class_name(*class),
                esc(name)
            );
        }
        out.push_str("</ul>");
    }
    emit(out, &root);
}

fn article(out: &mut String, i: usize, d: &MemberDifference) {
    let change = match d.change {
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Changed => "changed",
        Change::Archive => "archive",
    };
    let title = if d.path.is_empty() {
        "(the archive as a whole)"
    } else {
        d.path.as_str()
    };
    let _ = write!(
        out,
        "<article id=\"d{i}\"><h2><span class=\"tag {0}\">{0}</span>{1} <small>({change})</small></h2><ul class=\"fields\">",
        class_name(d.class),
        esc(title)
    );
    for f in &d.fields {
        let _ = write!(out, "<li>{}</li>", esc(f));
    }
    out.push_str("</ul>");
    match &d.detail {
        Some(Detail::Text {
            sides, truncated, ..
        }) => side_by_side(out, &sides.0, &sides.1, *truncated),
        Some(Detail::Binary {
            artifact_size,
            rebuilt_size,
            ranges,
        }) => {
            let list: Vec<String> = ranges.iter().map(|(a, b)| format!("{a}..{b}")).collect();
            let _ = write!(
                out,
                "<p class=\"note\">binary: {artifact_size} bytes published, {rebuilt_size} rebuilt; differing byte ranges: {}</p>",
                esc(&list.join(", "))
            );
        }
        None => {}
    }
    out.push_str("</article>");
}

/// Two columns, published left and rebuilt right; changed lines tinted.
fn side_by_side(out: &mut String, a: &str, b: &str, _truncated: bool) {
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_millis(500))
        .diff_lines(a, b);
    out.push_str(
        "<table class=\"sbs\"><colgroup><col class=\"n\"><col><col class=\"n\"><col></colgroup><tr><th colspan=\"2\">published</th><th colspan=\"2\">rebuilt</th></tr>",
    );
    let mut rows = 0;
    for group in diff.grouped_ops(3) {
        if rows > 0 {
            out.push_str("<tr><td class=\"n\">⋯</td><td></td><td class=\"n\">⋯</td><td></td></tr>");
        }
        for op in group {
            let mut dels = Vec::new();
            let mut inss = Vec::new();
            let flush = |out: &mut String,
                         dels: &mut Vec<(usize, String)>,
                         inss: &mut Vec<(usize, String)>| {
                for k in 0..dels.len().max(inss.len()) {
                    let l = dels.get(k);
                    let r = inss.get(k);
                    let _ = write!(
                        out,
                        "<tr><td class=\"n\">{}</td><td class=\"{}\">{}</td><td class=\"n\">{}</td><td class=\"{}\">{}</td></tr>",
                        l.map(|x| x.0.to_string()).unwrap_or_default(),
                        if l.is_some() { "del" } else { "" },
                        l.map(|x| esc(&x.1)).unwrap_or_default(),
                        r.map(|x| x.0.to_string()).unwrap_or_default(),
                        if r.is_some() { "ins" } else { "" },
                        r.map(|x| esc(&x.1)).unwrap_or_default(),
                    );
                }
                dels.clear();
                inss.clear();
            };
            for change in diff.iter_changes(&op) {
                rows += 1;
                if rows > MAX_SIDE_LINES {
                    break;
                }
                let text = change.value().trim_end_matches('\n').to_owned();
                match change.tag() {
                    ChangeTag::Delete => dels.push((change.old_index().unwrap_or(0) + 1, text)),
                    ChangeTag::Insert => inss.push((change.new_index().unwrap_or(0) + 1, text)),
                    ChangeTag::Equal => {
                        flush(out, &mut dels, &mut inss);
                        let _ = write!(
                            out,
                            "<tr><td class=\"n\">{}</td><td>{t}</td><td class=\"n\">{}</td><td>{t}</td></tr>",
                            change.old_index().unwrap_or(0) + 1,
                            change.new_index().unwrap_or(0) + 1,
                            t = esc(&text)
                        );
                    }
                }
            }
            flush(out, &mut dels, &mut inss);
        }
    }
    out.push_str("</table>");
    if rows > MAX_SIDE_LINES {
        out.push_str("<p class=\"note\">longer differences are cut here; see the report.</p>");
    }
}

fn class_name(c: Class) -> &'static str {
    match c {
        Class::Metadata => "metadata",
        Class::Content => "content",
    }
}

/// Escape text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            esc("<script>a&'\"</script>\u{1b}"),
            "&lt;script&gt;a&amp;&#39;&quot;&lt;/script&gt;\u{fffd}"
        );
    }
}

//! A wheel's own bookkeeping: `RECORD` (every file with its digest and size, which installers
//! trust) and `WHEEL` (format version and tags, which must be the file name's).

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;

use super::metadata;
use crate::contents::rules::{Field, Judgement, Rule, Rules, text};
use crate::contents::scan::{Entry, EntryKind};

/// `RECORD`: each file of the wheel listed once with its SHA-256 and size.
pub(super) fn record(r: &Rules<'_>, rel: &str, entry: &Entry) -> Judgement {
    let mut j = Judgement::new(Rule::WheelRecord);
    let Some(t) = entry.kept.as_deref().and_then(text) else {
        j.differ("not readable as text within the metadata limit");
        return j;
    };
    let rows = match csv_rows(t) {
        Ok(rows) => rows,
        Err(e) => {
            j.differ(e);
            return j;
        }
    };
    let dist_info = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let unsigned: BTreeSet<String> = ["RECORD", "RECORD.jws", "RECORD.p7s"]
        .iter()
        .map(|f| format!("{dist_info}/{f}"))
        .collect();
    let mut listed: BTreeMap<String, (String, String)> = BTreeMap::new();
    for row in rows {
        let [path, hash, size] = &row[..] else {
            j.differ(format!("a row has {} fields, not 3", row.len()));
            continue;
        };
        if path.starts_with('/') || path.split('/').any(|p| p == "..") {
            j.differ(format!("lists {path}, outside the wheel"));
            continue;
        }
        if listed
            .insert(path.clone(), (hash.clone(), size.clone()))
            .is_some()
        {
            j.differ(format!("lists {path} twice"));
        }
    }
    for (path, e) in &r.by_rel {
        if !matches!(e.kind, EntryKind::File | EntryKind::Symlink(_)) {
            continue;
        }
        let Some((hash, size)) = listed.remove(*path) else {
            j.differ(format!("does not list {path}"));
            continue;
        };
        if unsigned.contains(*path) {
            continue; // RECORD cannot hold its own digest
        }
        match hash.split_once('=') {
            Some(("sha256", digest)) => {
                let want = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(e.sha256);
                if digest != want {
                    j.differ(format!(
                        "{path}: sha256 {digest} listed, the file's is {want}"
                    ));
                }
            }
            Some((algo @ ("sha384" | "sha512"), _)) => j.unverified(
                Field::Checksums,
                format!("{path} is listed with {algo}; custody computes SHA-256"),
            ),
            _ => j.differ(format!(
                "{path}: `{hash}` is not a digest installers accept"
            )),
        }
        if size.parse::<u64>().ok() != Some(e.size) {
            j.differ(format!(
                "{path}: size {size} listed, the file has {}",
                e.size
            ));
        }
    }
    for path in listed.keys() {
        j.differ(format!("lists {path}, which the wheel does not hold"));
    }
    j
}

/// Rows of Python's `csv` module in its default dialect: `,` between fields, `"` around a
/// field that needs it, `""` for a quote inside one.
fn csv_rows(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut started = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                started = true;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                started = true;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                if started || !field.is_empty() {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                started = false;
            }
            _ => {
                field.push(c);
                started = true;
            }
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    if started || !field.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

/// RECORD's CSV reader, for fuzzing.
pub(super) fn csv_rows_for_fuzz(text: &str) -> Result<Vec<Vec<String>>, String> {
    csv_rows(text)
}

/// `WHEEL`: the keys the wheel format defines, and the file name's tags.
pub(super) fn wheel_file(r: &Rules<'_>, entry: &Entry) -> Judgement {
    let mut j = Judgement::new(Rule::WheelMetadata);
    let Some(t) = entry.kept.as_deref().and_then(text) else {
        j.differ("not readable as text within the metadata limit");
        return j;
    };
    let meta = metadata::parse(t);
    let mut tags = BTreeSet::new();
    for (k, v) in &meta.fields {
        match k.as_str() {
            "Wheel-Version" => {
                if !v.starts_with("1.") {
                    j.differ(format!("Wheel-Version {v} is not one installers read"));
                }
            }
            "Generator" => {}
            "Root-Is-Purelib" => {
                if !matches!(v.as_str(), "true" | "false") {
                    j.differ(format!("Root-Is-Purelib is {v}"));
                }
            }
            "Tag" => {
                tags.insert(v.trim().to_owned());
            }
            "Build" => {
                if file_name_tags(r.file_name).map(|(b, _)| b) != Some(Some(v.trim().to_owned())) {
                    j.differ(format!("Build {v} is not the file name's build tag"));
                }
            }
            other => j.differ(format!("{other} is not a WHEEL key")),
        }
    }
    for key in ["Wheel-Version", "Root-Is-Purelib"] {
        if meta.all(key).len() != 1 {
            j.differ(format!(
                "{key} appears {} times, not once",
                meta.all(key).len()
            ));
        }
    }
    match file_name_tags(r.file_name) {
        Some((_, want)) if want == tags => {
            j.source(format!("the file name {}", r.file_name));
        }
        Some((_, want)) => j.differ(format!(
            "tags {} here, {} in the file name",
            tags.iter().cloned().collect::<Vec<_>>().join(" "),
            want.iter().cloned().collect::<Vec<_>>().join(" ")
        )),
        None => j.differ(format!("{} is not a wheel file name", r.file_name)),
    }
    j
}

/// The build tag and the expanded tags of a wheel file name
/// (`name-1.0-py2.py3-none-any.whl` → py2-none-any, py3-none-any).
fn file_name_tags(name: &str) -> Option<(Option<String>, BTreeSet<String>)> {
    let stem = name.strip_suffix(".whl")?;
    let parts: Vec<&str> = stem.split('-').collect();
    let (build, py, abi, plat) = match parts[..] {
        [_, _, py, abi, plat] => (None, py, abi, plat),
        [_, _, build, py, abi, plat] => (Some(build.to_owned()), py, abi, plat),
        _ => return None,
    };
    let mut tags = BTreeSet::new();
    for p in py.split('.') {
        for a in abi.split('.') {
            for pl in plat.split('.') {
                tags.insert(format!("{p}-{a}-{pl}"));
            }
        }
    }
    Some((build, tags))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_csv_as_python() {
        let rows =
            csv_rows("a.py,sha256=x,1\r\n\"b,c.py\",sha256=y,2\n\"q\"\"uote\",,\n").expect("csv");
        assert_eq!(rows[1][0], "b,c.py");
        assert_eq!(rows[2], ["q\"uote", "", ""]);
        assert!(csv_rows("\"open,1\n").is_err());
    }

    #[test]
    fn expands_compressed_tag_sets() {
        let (build, tags) = file_name_tags("demo-1.0-py2.py3-none-any.whl").expect("tags");
        assert_eq!(build, None);
        assert_eq!(tags.len(), 2);
        assert!(tags.contains("py3-none-any"));
        let (build, _) = file_name_tags("demo-1.0-1-py3-none-any.whl").expect("build");
        assert_eq!(build.as_deref(), Some("1"));
        assert!(file_name_tags("demo.whl").is_none());
    }
}

//! SARIF 2.1.0: one result per failed or not-performed check; the rule id is the check's code
//! and each rule carries the code's registry description.

use std::collections::{BTreeSet, HashMap};

use serde_json::json;

use super::RunVerdict;
use crate::check::Outcome;

/// The report as a SARIF 2.1.0 log, ending in a newline.
///
/// A result about a file inside an artifact (an archive member) points at that member, listed in
/// the run's `artifacts` as a nested artifact whose `parentIndex` is the archive, as SARIF
/// describes files within archives (§3.24.3).
pub fn render_sarif(report: &RunVerdict) -> String {
    let mut rules = BTreeSet::new();
    let mut results = Vec::new();
    let mut artifacts: Vec<serde_json::Value> = Vec::new();
    let mut index: HashMap<(Option<usize>, String), usize> = HashMap::new();
    let mut artifact_index = |parent: Option<usize>, uri: &str| -> usize {
        let next = index.len();
        *index.entry((parent, uri.to_owned())).or_insert_with(|| {
            let mut entry = json!({ "location": { "uri": uri } });
            if let Some(p) = parent {
                entry["parentIndex"] = p.into();
            }
            artifacts.push(entry);
            next
        })
    };
    for (artifact, check) in report.problems() {
        rules.insert(check.code);
        let level = match check.outcome {
            Outcome::Fail => "error",
            _ => "warning",
        };
        let outer = artifact_index(None, &artifact.name);
        let (uri, at) = match &check.member {
            Some(member) => (member.as_str(), artifact_index(Some(outer), member)),
            None => (artifact.name.as_str(), outer),
        };
        results.push(json!({
            "ruleId": check.code,
            "level": level,
            "message": { "text": check.message },
            "locations": [{
                "physicalLocation": { "artifactLocation": { "uri": uri, "index": at } }
            }],
        }));
    }
    let rules: Vec<_> = rules
        .into_iter()
        .map(|code| match crate::codes::lookup(code) {
            Some(c) => json!({
                "id": code,
                "shortDescription": { "text": c.summary },
                "fullDescription": { "text": c.description },
                "help": { "text": format!("custody explain {code}") },
            }),
            None => json!({ "id": code }),
        })
        .collect();
    // Which trusted root was used and any dangerous setting travel with every run.
    let properties: serde_json::Map<String, serde_json::Value> = report
        .notes
        .headline()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into()))
        .collect();
    let mut log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "custody",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "artifacts": artifacts,
            "results": results,
        }],
    });
    if !properties.is_empty() {
        log["runs"][0]["properties"] = properties.into();
    }
    let mut s = serde_json::to_string_pretty(&log).expect("a SARIF log always serialises");
    s.push('\n');
    s
}

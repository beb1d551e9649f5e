//! The JSON report (`custody/report/v1`).

use super::Report;

/// The report as one pretty-printed JSON document, ending in a newline.
pub fn render_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serialises");
    s.push('\n');
    s
}

//! The JSON report (`custody/report/v1`): the run's verdict with its schema name first.

use serde::Serialize;

use super::{REPORT_SCHEMA, RunVerdict};

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    #[serde(flatten)]
    run: &'a RunVerdict,
}

/// The report as one pretty-printed JSON document, ending in a newline.
pub fn render_json(run: &RunVerdict) -> String {
    let doc = Document {
        schema: REPORT_SCHEMA,
        run,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("a report always serialises");
    s.push('\n');
    s
}

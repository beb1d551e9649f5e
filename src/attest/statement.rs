//! in-toto Statements, v0.1 and v1: the subjects a signature vouches for and the predicate it
//! says about them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Malformed, codes};
use crate::limits::MAX_SUBJECTS;

/// `_type` of an in-toto Statement v0.1.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// Which version of the in-toto Statement layer a statement uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatementVersion {
    V01,
    V1,
}

/// A parsed in-toto statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub version: StatementVersion,
    pub subjects: Vec<Subject>,
    pub predicate_type: String,
    /// The predicate, kept as JSON: its shape depends on `predicate_type` (see `slsa`).
    pub predicate: serde_json::Value,
}

/// One subject: a name and a set of digests, keyed by algorithm (`sha256`, `sha512`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub name: String,
    pub digest: DigestSet,
}

/// Digests by algorithm name; hex values are lowercased when parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DigestSet(pub BTreeMap<String, String>);

impl DigestSet {
    pub fn sha256(&self) -> Option<&str> {
        self.0.get("sha256").map(String::as_str)
    }
    pub fn sha512(&self) -> Option<&str> {
        self.0.get("sha512").map(String::as_str)
    }
    pub fn get(&self, algorithm: &str) -> Option<&str> {
        self.0.get(algorithm).map(String::as_str)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStatement {
    #[serde(rename = "_type")]
    kind: String,
    #[serde(default)]
    subject: Vec<RawSubject>,
    predicate_type: String,
    #[serde(default)]
    predicate: serde_json::Value,
}

#[derive(Deserialize)]
struct RawSubject {
    #[serde(default)]
    name: String,
    #[serde(default)]
    digest: BTreeMap<String, String>,
}

impl Statement {
    /// Parse a statement from a (verified or not) DSSE payload.
    pub fn from_slice(payload: &[u8]) -> Result<Statement, Malformed> {
        let value: serde_json::Value = super::json::parse(payload)
            .map_err(|m| Malformed::new(codes::Code::MalformedStatement, m.message))?;
        let raw: RawStatement = serde_json::from_value(value).map_err(|e| {
            Malformed::new(
                codes::Code::MalformedStatement,
                format!("in-toto statement: {e}"),
            )
        })?;
        let version = match raw.kind.as_str() {
            STATEMENT_V01 => StatementVersion::V01,
            STATEMENT_V1 => StatementVersion::V1,
            other => {
                return Err(Malformed::new(
                    codes::Code::MalformedStatement,
                    format!("unknown in-toto statement type {other:?}"),
                ));
            }
        };
        if raw.subject.is_empty() {
            return Err(Malformed::new(
                codes::Code::MalformedStatement,
                "statement has no subjects",
            ));
        }
        if raw.subject.len() > MAX_SUBJECTS {
            return Err(Malformed::new(
                codes::Code::InputLimitExceeded,
                format!("statement names more than {MAX_SUBJECTS} subjects"),
            ));
        }
        if raw.predicate_type.is_empty() {
            return Err(Malformed::new(
                codes::Code::MalformedStatement,
                "statement has an empty predicateType",
            ));
        }
        let subjects = raw
            .subject
            .into_iter()
            .map(|s| {
                Ok(Subject {
                    digest: digest_set(s.digest, &s.name)?,
                    name: s.name,
                })
            })
            .collect::<Result<_, Malformed>>()?;
        Ok(Statement {
            version,
            subjects,
            predicate_type: raw.predicate_type,
            predicate: raw.predicate,
        })
    }
}

/// Validate a subject's digests: at least one, and the algorithms custody matches on
/// (`sha256`, `sha512`) must be hex of the right length.
fn digest_set(raw: BTreeMap<String, String>, name: &str) -> Result<DigestSet, Malformed> {
    if raw.is_empty() {
        return Err(Malformed::new(
            codes::Code::MalformedStatement,
            format!("subject {name:?} has no digest"),
        ));
    }
    let mut out = BTreeMap::new();
    for (alg, value) in raw {
        let want = match alg.as_str() {
            "sha256" => Some(64),
            "sha512" => Some(128),
            _ => None,
        };
        if let Some(len) = want
            && (value.len() != len || !value.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(Malformed::new(
                codes::Code::MalformedStatement,
                format!("subject {name:?} has an invalid {alg} digest {value:?}"),
            ));
        }
        out.insert(alg, value.to_ascii_lowercase());
    }
    Ok(DigestSet(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";

    #[test]
    fn parses_v01_and_v1() {
        for (t, v) in [
            (STATEMENT_V01, StatementVersion::V01),
            (STATEMENT_V1, StatementVersion::V1),
        ] {
            let doc = format!(
                r#"{{"_type":"{t}","subject":[{{"name":"a","digest":{{"sha256":"{}"}}}}],"predicateType":"p","predicate":{{}}}}"#,
                SHA.to_uppercase()
            );
            let s = Statement::from_slice(doc.as_bytes()).unwrap();
            assert_eq!(s.version, v);
            assert_eq!(s.subjects[0].digest.sha256(), Some(SHA));
        }
    }

    #[test]
    fn rejects_unknown_types_missing_subjects_and_bad_digests() {
        let cases = [
            r#"{"_type":"https://example.com/x","subject":[{"digest":{"sha256":"00"}}],"predicateType":"p"}"#,
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}"#,
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"zz"}}],"predicateType":"p"}"#,
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{}}],"predicateType":"p"}"#,
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a"}]}"#,
            r#"not json"#,
        ];
        for c in cases {
            let e = Statement::from_slice(c.as_bytes()).unwrap_err();
            assert_eq!(e.code, codes::Code::MalformedStatement, "{c}");
        }
    }
}

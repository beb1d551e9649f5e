//! Bounded JSON reading for untrusted attestation bytes.
//!
//! serde_json already stops at 128 levels of nesting; custody checks its own, lower bound first
//! with a linear scan so that the limit is one named constant and the message says which.

use super::{Malformed, codes};
use crate::limits::MAX_JSON_DEPTH;

/// Parse one JSON document, refusing nesting deeper than [`MAX_JSON_DEPTH`].
pub fn parse(bytes: &[u8]) -> Result<serde_json::Value, Malformed> {
    check_depth(bytes)?;
    serde_json::from_slice(bytes)
        .map_err(|e| Malformed::new(codes::Code::MalformedJson, format!("invalid JSON: {e}")))
}

/// Scan for brackets outside strings; malformed JSON is left for serde_json to report.
fn check_depth(bytes: &[u8]) -> Result<(), Malformed> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(Malformed::new(
                        codes::Code::InputLimitExceeded,
                        format!("JSON nested deeper than {MAX_JSON_DEPTH} levels"),
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_deep_nesting_but_not_brackets_in_strings() {
        let deep = "[".repeat(MAX_JSON_DEPTH + 1) + &"]".repeat(MAX_JSON_DEPTH + 1);
        assert_eq!(
            parse(deep.as_bytes()).unwrap_err().code,
            codes::Code::InputLimitExceeded
        );
        let ok = "[".repeat(MAX_JSON_DEPTH) + &"]".repeat(MAX_JSON_DEPTH);
        assert!(parse(ok.as_bytes()).is_ok());
        let quoted = format!("{{\"a\":\"{}\\\"\"}}", "[".repeat(500));
        assert!(parse(quoted.as_bytes()).is_ok());
    }

    #[test]
    fn malformed_json_is_a_malformed_json_code() {
        assert_eq!(
            parse(b"{\"a\":").unwrap_err().code,
            codes::Code::MalformedJson
        );
    }
}

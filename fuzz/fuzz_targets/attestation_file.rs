//! Any bytes as an attestation file (bundle, envelope, JSON Lines, PEP 740, npm): parsing must
//! return evidence or malformed entries, never panic or hang.
#![no_main]

use custody::attest::{Origin, parse_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let origin = Origin { file: "fuzz".into(), line: None, entry: None };
    let _ = parse_file(data, &origin);
});

//! Any text as a policy file: validation must return a policy or diagnostics, never panic
//! (diagnostics slice the text at spans, which is where a bug would show).
#![no_main]

use custody::policy::Policy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Policy::parse(std::path::Path::new("fuzz.toml"), text).map_err(|e| e.to_string());
    }
});

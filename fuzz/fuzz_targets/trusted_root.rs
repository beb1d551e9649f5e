//! Any bytes as a `trusted_root.json`: parsing and validating must give a root or an error,
//! never panic.
#![no_main]

use custody::sigstore::TrustedRoot;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = TrustedRoot::from_bytes(data, "fuzz").map(|r| r.name().len());
});

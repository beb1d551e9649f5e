//! Any text as a PEM public key: reading it must succeed or fail cleanly.
#![no_main]

use custody::signature::PublicKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = PublicKey::from_pem(text, "fuzz");
    }
    let _ = PublicKey::from_spki_der(data, "fuzz");
});

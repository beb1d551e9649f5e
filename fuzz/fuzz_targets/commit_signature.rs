//! Any bytes as a commit signature, and any text as an allowed_signers file: checking or
//! reading them must succeed or fail cleanly.
#![no_main]

use custody::source::signers::Signers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let signers = Signers::default();
    let _ = signers.check(Some(data), b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n", 0);
    if let Ok(text) = std::str::from_utf8(data) {
        let mut s = Signers::default();
        let _ = s.add_allowed_signers_text(text, "fuzz");
    }
});

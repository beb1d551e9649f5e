//! Any text as an allowed_signers file or an armored OpenPGP key file: reading them must
//! succeed or fail with an error naming the file, never panic; and comments and blank lines
//! change nothing (an allowed_signers file read with them added trusts the same signers).
#![no_main]

use custody::source::signers::Signers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut plain = Signers::default();
    let read = plain.add_allowed_signers_text(text, "fuzz");
    let mut commented = Signers::default();
    let with = format!("# a comment\n\n{text}\n# the end\n");
    let read_with = commented.add_allowed_signers_text(&with, "fuzz");
    assert_eq!(read.is_ok(), read_with.is_ok());
    // The same signers, whatever line each was read from.
    assert_eq!(without_lines(&format!("{plain:?}")), without_lines(&format!("{commented:?}")));
    let dir = std::env::temp_dir().join(format!("custody-fuzz-pgp-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let key = dir.join("key.asc");
    if std::fs::write(&key, data).is_ok() {
        let mut s = Signers::default();
        if let Err(e) = s.add_openpgp_key(&key) {
            assert!(e.to_string().contains("key.asc"), "{e}");
        }
    }
});

/// A Debug string with the numbers after `line: ` dropped.
fn without_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("line: ") {
        out.push_str(&rest[..i + 6]);
        rest = rest[i + 6..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

//! Any bytes as the packaging metadata the contents rules read (setup.cfg, setup.py, version
//! files, PKG-INFO, requirements, entry_points.txt, RECORD, JSON, Cargo.toml, Cargo.lock):
//! every reader returns, never panics or hangs, and a normalised version normalises to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    custody::contents::fuzz_packaging_parsers(data);
});

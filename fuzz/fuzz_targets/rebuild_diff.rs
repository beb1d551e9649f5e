//! Any bytes as a published and a rebuilt artifact (tar, gzip, xz, bzip2, zstd, zip or plain):
//! the structural comparison must return a verdict, never panic or hang.
#![no_main]

use custody::rebuild::{compare_files, file_sha256};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte splits the input into the two artifacts.
    let Some((&cut, rest)) = data.split_first() else { return };
    let cut = (cut as usize * rest.len()) / 255;
    let (a, b) = rest.split_at(cut.min(rest.len()));
    let dir = std::env::temp_dir().join(format!("custody-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let (pa, pb) = (dir.join("published"), dir.join("rebuilt"));
    if std::fs::write(&pa, a).is_err() || std::fs::write(&pb, b).is_err() {
        return;
    }
    let Ok(sha) = file_sha256(&pa) else { return };
    let _ = compare_files(&pa, &sha, &pb);
});

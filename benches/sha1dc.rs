//! Throughput of custody's SHA-1DC against sha1-checked (the same detection, in software) and
//! plain SHA-1 (no detection, SHA-NI where the CPU has it). Run with
//! `cargo bench --bench sha1dc`; it prints GB/s and asserts nothing about time.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::exit,
    clippy::unwrap_used
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use custody::hash::sha1dc::Sha1Dc;
use sha1::Digest as _;

const CHUNK: usize = 1 << 20;

fn random(n: usize, mut s: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(n + 8);
    while v.len() < n {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v.extend_from_slice(&s.to_le_bytes());
    }
    v.truncate(n);
    v
}

/// Print the best of three runs of `f` as GB/s over `bytes`, unless the command line names
/// another hasher.
fn report(name: &str, bytes: usize, mut f: impl FnMut() -> [u8; 20]) {
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if only.is_some_and(|o| o != name) {
        return;
    }
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        black_box(f());
        best = best.min(t.elapsed());
    }
    println!(
        "  {name:<8} {:.2} GB/s",
        bytes as f64 / best.as_secs_f64() / 1e9
    );
}

fn main() {
    // `cargo bench --bench sha1dc -- dc` (or `checked`, `plain`) runs only that hasher:
    // dc is custody's Sha1Dc, checked is sha1-checked, plain is the sha1 crate.
    let data = random(256 << 20, 0x5eed);

    println!("256 MiB in 1 MiB updates:");
    report("dc", data.len(), || {
        let mut h = Sha1Dc::new();
        data.chunks(CHUNK).for_each(|c| h.update(c));
        h.finalize().hash
    });
    report("checked", data.len(), || {
        let mut h = sha1_checked::Sha1::new();
        data.chunks(CHUNK).for_each(|c| h.update(c));
        h.try_finalize().hash().as_slice().try_into().unwrap()
    });
    report("plain", data.len(), || {
        let mut h = sha1::Sha1::new();
        data.chunks(CHUNK).for_each(|c| h.update(c));
        h.finalize().into()
    });

    // Git blobs of 200 B to 16 KiB, as in a source checkout: header, then the content.
    let mut files = Vec::new();
    let (mut at, mut s) = (0usize, 0x5eedu64);
    while at + 16384 < data.len() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let n = 200 + (s % (16384 - 200)) as usize;
        files.push(&data[at..at + n]);
        at += n;
    }
    let total: usize = files.iter().map(|f| f.len()).sum();
    println!(
        "{} git blobs of 200 B to 16 KiB ({} MiB):",
        files.len(),
        total >> 20
    );
    let header = |f: &[u8]| format!("blob {}\0", f.len());
    report("dc", total, || {
        let mut x = [0u8; 20];
        for f in &files {
            let mut h = Sha1Dc::new();
            h.update(header(f).as_bytes());
            h.update(f);
            x[0] ^= h.finalize().hash[0];
        }
        x
    });
    report("checked", total, || {
        let mut x = [0u8; 20];
        for f in &files {
            let mut h = sha1_checked::Sha1::new();
            h.update(header(f).as_bytes());
            h.update(f);
            x[0] ^= h.try_finalize().hash()[0];
        }
        x
    });
    report("plain", total, || {
        let mut x = [0u8; 20];
        for f in &files {
            let mut h = sha1::Sha1::new();
            h.update(header(f).as_bytes());
            h.update(f);
            x[0] ^= h.finalize()[0];
        }
        x
    });
}

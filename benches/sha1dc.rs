//! Throughput of custody's SHA-1DC against sha1-checked (the same detection, in software) and
//! plain SHA-1 (no detection, SHA-NI where the CPU has it). Run with
//! `cargo bench --bench sha1dc`; it prints GB/s and asserts nothing about time.

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

/// The best of three runs of `f`, as GB/s over `bytes`.
fn rate(bytes: usize, mut f: impl FnMut() -> [u8; 20]) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        black_box(f());
        best = best.min(t.elapsed());
    }
    bytes as f64 / best.as_secs_f64() / 1e9
}

fn main() {
    // `cargo bench --bench sha1dc -- dc` (or `checked`, `plain`) runs only that hasher.
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let run = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let data = random(256 << 20, 0x5eed);

    println!("256 MiB in 1 MiB updates:");
    let dc = run("dc")
        .then(|| {
            rate(data.len(), || {
                let mut h = Sha1Dc::new();
                data.chunks(CHUNK).for_each(|c| h.update(c));
                h.finalize().hash
            })
        })
        .unwrap_or(0.0);
    let checked = run("checked")
        .then(|| {
            rate(data.len(), || {
                let mut h = sha1_checked::Sha1::new();
                data.chunks(CHUNK).for_each(|c| h.update(c));
                h.try_finalize().hash().as_slice().try_into().unwrap()
            })
        })
        .unwrap_or(0.0);
    let plain = run("plain")
        .then(|| {
            rate(data.len(), || {
                let mut h = sha1::Sha1::new();
                data.chunks(CHUNK).for_each(|c| h.update(c));
                h.finalize().into()
            })
        })
        .unwrap_or(0.0);
    println!("  custody Sha1Dc  {dc:.2} GB/s");
    println!("  sha1-checked    {checked:.2} GB/s");
    println!("  sha1 (plain)    {plain:.2} GB/s");

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
    let blob = |header: &mut dyn FnMut(&[u8]), f: &[u8]| {
        header(format!("blob {}\0", f.len()).as_bytes());
        header(f);
    };
    let dc = run("dc")
        .then(|| {
            rate(total, || {
                let mut x = [0u8; 20];
                for f in &files {
                    let mut h = Sha1Dc::new();
                    blob(&mut |b| h.update(b), f);
                    x[0] ^= h.finalize().hash[0];
                }
                x
            })
        })
        .unwrap_or(0.0);
    let checked = run("checked")
        .then(|| {
            rate(total, || {
                let mut x = [0u8; 20];
                for f in &files {
                    let mut h = sha1_checked::Sha1::new();
                    blob(&mut |b| h.update(b), f);
                    x[0] ^= h.try_finalize().hash()[0];
                }
                x
            })
        })
        .unwrap_or(0.0);
    let plain = run("plain")
        .then(|| {
            rate(total, || {
                let mut x = [0u8; 20];
                for f in &files {
                    let mut h = sha1::Sha1::new();
                    blob(&mut |b| h.update(b), f);
                    x[0] ^= h.finalize()[0];
                }
                x
            })
        })
        .unwrap_or(0.0);
    println!("  custody Sha1Dc  {dc:.2} GB/s");
    println!("  sha1-checked    {checked:.2} GB/s");
    println!("  sha1 (plain)    {plain:.2} GB/s");
}

//! The least work any tool that reads every byte of a tree must do: list the tree, then open,
//! read to the end and close each regular file on every core, hashing nothing. It is the floor
//! under `custody source` and `custody hash` on a tree of many small files, where system calls
//! rather than hashing set the pace; `scripts/bench-source` runs it beside them.
//!
//! usage: cargo bench --bench read-floor -- DIR [THREADS]
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::exit,
    clippy::unwrap_used
)]

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let Some(root) = args.next() else {
        eprintln!("usage: read-floor DIR [THREADS]");
        std::process::exit(2);
    };
    let threads = args.next().map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |t| t.parse().expect("THREADS is a number"),
    );
    let start = Instant::now();
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    let next = AtomicUsize::new(0);
    let bytes: u64 = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut buf = vec![0u8; 1 << 20];
                    let mut total = 0u64;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(i) else {
                            break total;
                        };
                        let mut f = std::fs::File::open(path).expect("open");
                        loop {
                            match f.read(&mut buf).expect("read") {
                                0 => break,
                                n => total += n as u64,
                            }
                        }
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("worker")).sum()
    });
    println!(
        "{} files, {:.1} MB read in {:.1} ms on {threads} threads",
        files.len(),
        bytes as f64 / 1e6,
        start.elapsed().as_secs_f64() * 1e3
    );
}

//! `custody compare` end to end: archives built here, by the real packaging tools, from real git
//! repositories, compared by the real binary.
//!
//! Tools these tests run (each test fails, naming the tool, when one is missing; none is
//! skipped): git, tar, gzip, xz, bzip2, zstd, zip, cargo, python3 with setuptools, npm.

mod ecosystems;
mod fixture;
mod hostile;
mod outcomes;
mod realworld;

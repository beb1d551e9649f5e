//! custody's integration tests, in one binary: each module drives the real `custody` binary
//! against inputs made by real tools (git, tar, zip, cargo, npm, setuptools, ssh-keygen, gpg),
//! in a fresh temporary directory per test. `support` holds the one harness they share.
// A test's helpers unwrap and print like its test functions: a panic is a failing test.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

mod archive;
mod compare;
mod corpus;
mod docs;
mod hash;
mod keyless;
mod output;
mod readme;
mod rebuild;
mod snapshots;
mod source;
mod support;
mod verify;

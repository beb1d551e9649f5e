//! Integration tests of `custody verify`, `policy check` and `explain`: the real binary, run in
//! a fresh temporary directory per test, against fixtures signed inside the tests.

mod commands;
mod formats;
mod gcb;
mod npm;
mod policy_rules;
mod presets;
mod signatures;
mod snapshots;
pub mod support;
mod vsa;

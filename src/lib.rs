//! custody proves, or refuses to prove, that a release artifact came from reviewed source.
//!
//! Layers, in the direction data flows: inputs (`walk`, `hash`) → evidence → policy →
//! verdicts (`check`) → reports. Only `cli` prints.
#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod contents;
pub mod hash;
pub mod limits;
pub mod report;
pub mod walk;

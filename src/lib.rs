//! custody proves, or refuses to prove, that a release artifact came from reviewed source.
//!
//! Layers, in the direction data flows: inputs (`walk`, `hash`, `artifact`, `attest` parsing,
//! `signature` checking, `contents`, `rebuild`) → evidence → `policy` → verdicts (`check`,
//! `verify`) → `report`.
//! Only `cli` prints.
#![forbid(unsafe_code)]

pub mod archive;
pub mod artifact;
pub mod attest;
pub mod check;
pub mod cli;
pub mod codes;
pub mod contents;
pub mod hash;
pub mod limits;
pub mod policy;
pub mod rebuild;
pub mod report;
pub mod signature;
pub mod sigstore;
pub mod source;
pub mod verify;
pub mod walk;

//! custody proves, or refuses to prove, that a release artifact came from reviewed source.
//!
//! Layers, in the direction data flows:
//! - inputs: `walk`, `hash`, `archive`, `git`, `artifact`, `attest` (parsing), `sigstore` and
//!   `signature` (checking), `source`, `contents`, `rebuild` — each returns facts;
//! - `evidence`: what one run gathered (`verify` gathers it for `custody verify`);
//! - `policy` (validated, pure) and `trust` (the keys and signers it names, loaded);
//! - `checks`: the one place policy meets evidence, one module per check;
//! - `verdict`: typed verdicts and report sections;
//! - `report`: rendering. Only `cli` and `report` turn results into text; only `cli` prints.
#![forbid(unsafe_code)]

pub mod archive;
pub mod artifact;
pub mod attest;
#[macro_use]
pub mod check;
pub mod checks;
pub mod cli;
pub mod codes;
pub mod contents;
pub mod evidence;
pub mod generator;
pub mod git;
pub mod hash;
pub mod key;
pub mod kind;
pub mod limits;
pub mod policy;
pub mod rebuild;
pub mod report;
pub mod signature;
pub mod sigstore;
pub mod source;
pub mod trust;
pub mod verdict;
pub mod verify;
pub mod walk;

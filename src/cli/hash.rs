//! `custody hash PATH`: tree digests in standard formats.

use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct HashArgs {
    /// The tree (directory) to hash.
    pub path: PathBuf,
}

pub fn run(args: HashArgs) -> u8 {
    super::fatal(format!(
        "{}: hashing is not available in this build",
        args.path.display()
    ))
}

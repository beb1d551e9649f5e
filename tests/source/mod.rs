//! Integration tests of `custody source` and `custody verify --source`: the real binary against
//! real repositories built inside each test with git, ssh-keygen and gpg.

mod bypass;
mod checkout;
mod git;
mod hooks;
mod openpgp;
mod review;
mod sha256;
mod stat_cache;
mod verify;
use crate::verify::support as vsupport;

//! `custody rebuild` end to end: small projects committed to real git repositories, published
//! artifacts built here, rebuilt by the real binary.
//!
//! Tools these tests run (a missing one fails the test that needs it, naming it): git, sh,
//! bash, tar, gzip, zip, diffoscope. Isolation (network and filesystem) is asserted where `unshare`
//! works on the machine and asserted to be reported as not performed where it does not.

mod builds;
mod diffs;
mod fixture;
mod isolation;
mod reports;

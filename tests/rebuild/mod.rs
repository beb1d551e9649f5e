//! `custody rebuild` end to end: small projects committed to real git repositories, published
//! artifacts built here, rebuilt by the real binary.
//!
//! Tools these tests run (a missing one fails the test that needs it, naming it): git, sh,
//! bash, tar, gzip, zip, diffoscope. Isolation is asserted by trying each escape under bubblewrap, which
//! scripts/test installs; without it the report must say isolation was not performed.

mod builds;
mod diffs;
mod fixture;
mod isolation;
mod reports;

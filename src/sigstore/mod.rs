//! Keyless Sigstore: trusted roots, verification of bundles against them, and the signer
//! identity policy.
//!
//! What is trusted ([`TrustedRoot`]) is kept apart from who must have signed ([`Identity`]),
//! as in sigstore-go's `pkg/verify`. The cryptography is the sigstore org's `sigstore-verify`
//! crate family, pinned to exact versions; its types stay inside this module. Nothing here
//! touches the network: the built-in roots are embedded at build time.

mod bundle;
pub mod certificate;
pub mod codes;
pub mod identity;
mod trust;
mod unlogged;

pub use bundle::{BundleOutcome, verify_bundle, verify_key_bundle};
pub use certificate::{CertificateFacts, Extension};
pub use identity::{Identity, WholeMatch};
pub use trust::{TrustRootError, TrustedRoot};
pub use unlogged::verify_unlogged;

//! Tree digests.

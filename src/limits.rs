//! Every bound custody puts on untrusted input, named in one place.
//!
//! Limits are generous for real projects and small enough that hostile input cannot make custody
//! hang or exhaust memory. Each is documented where a user may meet it.

/// Deepest directory nesting a tree walk descends into.
pub const MAX_TREE_DEPTH: usize = 256;
/// Most entries (files, directories, symlinks) a tree walk accepts.
pub const MAX_TREE_ENTRIES: usize = 10_000_000;
/// Longest symlink target recorded (Linux PATH_MAX).
pub const MAX_SYMLINK_TARGET: usize = 4096;
/// Buffer one hashing thread reads through; page-aligned, reused for every file.
pub const READ_BUFFER: usize = 1 << 20;

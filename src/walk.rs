//! The tree walk.

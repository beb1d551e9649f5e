//! Checks decided before any evidence was read (a `--key` that was read but cannot be used):
//! they hold for every artifact. Their codes are the signature layer's
//! (`crate::signature::codes`).

use super::{Context, Sink};

pub fn check(ctx: &Context<'_>, sink: &mut Sink) {
    if ctx.artifact.is_none() {
        sink.extend(ctx.evidence.preflight.iter().cloned());
    }
}

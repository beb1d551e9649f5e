//! The scratch directory a rebuild runs in: the reviewed commit's tree exported from git's
//! objects (never the user's working tree, so uncommitted edits cannot leak into the build),
//! a scratch `HOME` and `TMPDIR`, and beside them, outside what the build may write, its log.
//!
//! Layout of the work directory:
//!
//! ```text
//! custody-rebuild-PID-NANOS/
//!   build.log       the build's standard output and error
//!   rebuilt/NAME    the rebuilt artifact, kept for inspection
//!   scratch/        all the build may write: src/ (the checkout), home/, tmp/
//! ```

use std::fs;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// A fresh work directory under `base`, readable by its owner only until the build runs.
pub fn work_dir(base: &Path) -> io::Result<PathBuf> {
    // Absolute, so that the build (which runs elsewhere) and the sandbox's mounts see it.
    let base = std::fs::canonicalize(base)
        .map_err(|e| io::Error::new(e.kind(), format!("work directory {}: {e}", base.display())))?;
    let dir = private_dir(&base, "custody-rebuild")?;
    for sub in ["scratch", "scratch/home", "scratch/tmp", "rebuilt"] {
        fs::create_dir(dir.join(sub))?;
    }
    Ok(dir)
}

/// A new directory `NAME-PID-NANOS` under `base`, readable by its owner only.
pub fn private_dir(base: &Path, name: &str) -> io::Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = base.join(format!("{name}-{}-{nanos}", std::process::id()));
    fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

//! Standard output closed early (`custody ... | head`): every command stops writing quietly,
//! with the exit code of its verdict, and never panics.

use std::process::Stdio;

use crate::support::custody;

/// Run custody with `args`, its standard output a pipe whose reading end is closed before
/// custody writes: exit code and standard error.
fn with_closed_stdout(args: &[&str]) -> (i32, String) {
    let mut child = custody()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let tree = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/tree");
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/default.toml");
    let crate_file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/realworld/itoa/itoa-1.0.18.crate"
    );
    for (args, want) in [
        (vec!["explain", "--list"], 0),
        (vec!["explain", "archive-bomb"], 0),
        (vec!["hash", tree], 0),
        (vec!["policy", "check", policy], 0),
        (vec!["diff", crate_file, crate_file], 0),
    ] {
        let (code, stderr) = with_closed_stdout(&args);
        assert_eq!(code, want, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

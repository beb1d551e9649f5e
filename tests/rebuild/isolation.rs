//! The build runs confined (bubblewrap): every claim the report makes is tried as an escape.
//! It cannot write outside its scratch directory, leave files in the host's /dev/shm, reach the
//! network or a host daemon's UNIX socket, or see the host's processes. Where bwrap cannot run,
//! the report says so and the verdict fails; the tests assert isolation wherever bwrap runs
//! (scripts/test installs it).

use std::net::TcpListener;
use std::os::unix::net::UnixListener;

use super::fixture::{Project, check, isolation_available, outcome, section};

const EPOCH: &str = "1700000000";

/// Rebuild with `script` run before `./build.sh`; the report and the build's log.
fn rebuild_running(p: &Project, script: &str) -> (i32, serde_json::Value, String) {
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let script = format!("{script}; ./build.sh");
    let (code, r) = p.rebuild_with(&published, &[], &["bash", "-c", &script], &[]);
    let log = std::fs::read_to_string(section(&r)["log"].as_str().unwrap()).unwrap();
    (code, r, log)
}

#[test]
fn bubblewrap_is_here() {
    assert!(
        isolation_available(),
        "bwrap cannot confine a process here; scripts/test installs bubblewrap"
    );
}

#[test]
fn a_build_cannot_write_outside_its_scratch_directory() {
    let p = Project::new("");
    let target = p.out("planted");
    let script = format!(
        "mount -o remount,rw / 2>/dev/null; echo planted > '{}' && echo wrote-outside || echo write-refused; \
         echo x > /etc/custody-planted 2>/dev/null && echo wrote-etc; echo ok > \"$HOME/h\"",
        target.display()
    );
    let (code, r, log) = rebuild_running(&p, &script);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(outcome(&r, "rebuild-filesystem-confined"), "pass");
    assert!(!target.exists(), "the build wrote {}", target.display());
    assert!(!std::path::Path::new("/etc/custody-planted").exists());
    assert!(
        log.contains("write-refused") && !log.contains("wrote-etc"),
        "{log}"
    );
}

#[test]
fn a_build_leaves_nothing_in_the_hosts_dev_shm_or_tmp() {
    let p = Project::new("");
    let name = format!("custody-escape-{}", std::process::id());
    let script = format!("echo x > /dev/shm/{name} && echo shm-written; echo x > /tmp/{name}");
    let (code, r, log) = rebuild_running(&p, &script);
    assert_eq!(code, 0, "{r:#}");
    // The write succeeds inside, in a private /dev/shm that goes with the build.
    assert!(log.contains("shm-written"), "{log}");
    assert!(!std::path::Path::new(&format!("/dev/shm/{name}")).exists());
    assert!(!std::path::Path::new(&format!("/tmp/{name}")).exists());
}

#[test]
fn a_build_cannot_reach_the_network() {
    let p = Project::new("");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = format!(
        "if (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; then echo net-reached; else echo net-refused; fi; \
         nsenter -t 1 -n bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}' 2>/dev/null && echo nsenter-reached"
    );
    let (code, r, log) = rebuild_running(&p, &script);
    let reached = listener.accept().is_ok();
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(outcome(&r, "rebuild-network-isolated"), "pass");
    assert!(!reached, "the build connected to the test's listener");
    assert!(
        log.contains("net-refused") && !log.contains("nsenter-reached"),
        "{log}"
    );
}

#[test]
fn a_build_cannot_talk_to_a_host_daemon_over_a_unix_socket() {
    let p = Project::new("");
    // A daemon's socket where daemons keep them: a directory of the host's the build must not
    // see (the test's temporary directory stands for /run).
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("daemon.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    listener.set_nonblocking(true).unwrap();
    let script = format!(
        "python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(\"unix-reached\")' '{}' 2>/dev/null || echo unix-refused",
        socket.display()
    );
    let (code, r, log) = rebuild_running(&p, &script);
    assert_eq!(code, 0, "{r:#}");
    assert!(
        listener.accept().is_err(),
        "the build reached the host's socket"
    );
    assert!(
        log.contains("unix-refused") && !log.contains("unix-reached"),
        "{log}"
    );
}

#[test]
fn a_build_sees_none_of_the_hosts_processes() {
    let p = Project::new("");
    // This test's own process, with a marker on its command line the build could read.
    let me = std::process::id();
    let script = format!(
        "test -e /proc/{me} && echo host-pid-visible; ps -e 2>/dev/null | wc -l > /dev/null; \
         ls /proc | grep -c '^[0-9]' | sed 's/^/pids:/'"
    );
    let (code, r, log) = rebuild_running(&p, &script);
    assert_eq!(code, 0, "{r:#}");
    assert!(!log.contains("host-pid-visible"), "{log}");
    let pids: usize = log
        .lines()
        .find_map(|l| l.strip_prefix("pids:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(usize::MAX);
    assert!(pids < 10, "the build saw {pids} processes:\n{log}");
}

#[test]
fn confinement_holds_for_a_work_directory_with_spaces_in_its_name() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let work = p.out("a work dir");
    std::fs::create_dir_all(&work).unwrap();
    let (code, r) = p.rebuild_with(
        &published,
        &["--work-dir", work.to_str().unwrap()],
        &["./build.sh"],
        &[],
    );
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(outcome(&r, "rebuild-filesystem-confined"), "pass");
}

#[test]
fn without_isolation_an_identical_rebuild_still_fails_and_says_why() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let target = p.out("planted");
    let script = format!("echo planted > '{}'; ./build.sh", target.display());
    let (code, r) = p.rebuild_with(
        &published,
        &[],
        &["sh", "-c", &script],
        &[("CUSTODY_BWRAP", "/nonexistent/bwrap")],
    );
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(outcome(&r, "rebuild-reproduced"), "pass");
    assert_eq!(outcome(&r, "rebuild-network-isolated"), "not-performed");
    assert_eq!(outcome(&r, "rebuild-filesystem-confined"), "not-performed");
    assert!(
        check(&r, "rebuild-network-isolated")["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/bwrap")
    );
    assert_eq!(section(&r)["network_isolated"], false);
    // Unconfined, the write went through: exactly why the verdict cannot pass.
    assert!(target.exists());
}

//! The build runs without network and cannot write outside its scratch directory where the
//! machine allows namespaces; where it does not, the report says so and the verdict fails.

use std::net::TcpListener;

use super::fixture::{Project, check, isolation_available, outcome, section};

const EPOCH: &str = "1700000000";

#[test]
fn a_build_cannot_write_outside_its_scratch_directory() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let target = p.out("planted");
    let script = format!(
        "mount -o remount,rw / 2>/dev/null; mount -o remount,bind,rw \"$(stat -c %m '{dir}')\" 2>/dev/null; \
         echo planted > '{}' && echo wrote-outside || echo write-refused; echo ok > \"$HOME/h\"; ./build.sh",
        target.display(),
        dir = target.parent().unwrap().display()
    );
    let (code, r) = p.rebuild_with(&published, &[], &["sh", "-c", &script], &[]);
    let log = std::fs::read_to_string(section(&r)["log"].as_str().unwrap()).unwrap();
    if isolation_available() {
        assert_eq!(code, 0, "{r:#}");
        assert_eq!(outcome(&r, "rebuild-filesystem-confined"), "pass");
        assert!(!target.exists(), "the build wrote {}", target.display());
        assert!(log.contains("write-refused"), "{log}");
    } else {
        // Nothing stopped the write, and the report must not pretend otherwise.
        assert_eq!(code, 1, "{r:#}");
        assert_eq!(outcome(&r, "rebuild-filesystem-confined"), "not-performed");
    }
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
    if isolation_available() {
        assert_eq!(code, 0, "{r:#}");
        assert_eq!(outcome(&r, "rebuild-filesystem-confined"), "pass");
    } else {
        assert_eq!(outcome(&r, "rebuild-filesystem-confined"), "not-performed");
    }
}

#[test]
fn a_build_cannot_reach_the_network() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = format!(
        "if (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; then echo net-reached; else echo net-refused; fi; \
         nsenter -t 1 -n bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}' 2>/dev/null && echo nsenter-reached; ./build.sh"
    );
    let (code, r) = p.rebuild_with(&published, &[], &["bash", "-c", &script], &[]);
    let log = std::fs::read_to_string(section(&r)["log"].as_str().unwrap()).unwrap();
    let reached = listener.accept().is_ok();
    if isolation_available() {
        assert_eq!(code, 0, "{r:#}");
        assert_eq!(outcome(&r, "rebuild-network-isolated"), "pass");
        assert!(!reached, "the build connected to the test's listener");
        assert!(
            log.contains("net-refused") && !log.contains("nsenter-reached"),
            "{log}"
        );
    } else {
        assert_eq!(code, 1, "{r:#}");
        assert_eq!(outcome(&r, "rebuild-network-isolated"), "not-performed");
    }
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
        &[("CUSTODY_UNSHARE", "/nonexistent/unshare")],
    );
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(outcome(&r, "rebuild-reproduced"), "pass");
    assert_eq!(outcome(&r, "rebuild-network-isolated"), "not-performed");
    assert_eq!(outcome(&r, "rebuild-filesystem-confined"), "not-performed");
    assert!(
        check(&r, "rebuild-network-isolated")["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/unshare")
    );
    assert_eq!(section(&r)["network_isolated"], false);
    // Unconfined, the write went through: exactly why the verdict cannot pass.
    assert!(target.exists());
}

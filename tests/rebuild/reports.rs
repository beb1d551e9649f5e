//! The report's other forms: the HTML page, diffoscope's report, human text, and how bad input
//! stops custody (exit 2).

use std::process::Command;

use super::fixture::{Project, section};

const EPOCH: &str = "1700000000";

fn custody() -> Command {
    crate::support::custody()
}

#[test]
fn the_html_page_is_self_contained_and_escapes_member_names() {
    let p = Project::new(
        r#"echo "<script>alert(1)</script> $(head -c 8 /dev/urandom | od -An -tx1)" > 'out/<b>x<i>.txt'"#,
    );
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let html = p.out("diff.html");
    let (code, r) = p.rebuild(&published, &["--html", html.to_str().unwrap()]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(r["notes"]["html"], html.to_str().unwrap());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(
        page.contains("&lt;b&gt;x&lt;i&gt;.txt"),
        "member name not escaped"
    );
    assert!(
        page.contains("&lt;script&gt;alert(1)"),
        "content not escaped"
    );
    assert!(!page.contains("<script"), "a script element in the page");
    assert!(!page.contains("<b>"), "markup from the archive in the page");
    for external in ["src=", "http://", "https://", "@import", "url("] {
        assert!(!page.contains(external), "external resource: {external}");
    }
    assert!(page.contains("class=\"sbs\""), "no side-by-side diff");
}

#[test]
fn the_html_page_of_a_reproduced_artifact_says_so() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let html = p.out("same.html");
    let (code, _) = p.rebuild(&published, &["--html", html.to_str().unwrap()]);
    assert_eq!(code, 0);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("bit-for-bit identical"));
    assert!(page.contains(">reproduced<"));
}

#[test]
fn diffoscope_writes_its_full_report_beside_the_log() {
    let p = Project::new("head -c 16 /dev/urandom | od -An -tx1 > out/random.txt");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let (code, r) = p.rebuild(&published, &["--diffoscope"]);
    assert_eq!(code, 1, "{r:#}");
    let note = r["notes"]["diffoscope"].as_str().unwrap();
    let path = note
        .strip_prefix("diffoscope report: ")
        .unwrap_or_else(|| panic!("{note}"));
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("random.txt"), "{text}");
    assert!(
        section(&r)["work_dir"]
            .as_str()
            .is_some_and(|w| path.starts_with(w))
    );
}

#[test]
fn the_human_report_lists_differences_with_their_class() {
    let p = Project::new("head -c 16 /dev/urandom | od -An -tx1 > out/random.txt");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH), ("MTIME", "5")]);
    let out = custody()
        .arg("rebuild")
        .arg(&published)
        .arg("--source")
        .arg(p.repo())
        .arg("--work-dir")
        .arg(p.work())
        .args(["--", "./build.sh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("content   ./random.txt"), "{text}");
    assert!(
        text.contains("metadata  ./hello.c: mtime: 5 -> 1700000000"),
        "{text}"
    );
    assert!(text.contains("[rebuild-reproduced]"), "{text}");
}

#[test]
fn bad_input_stops_custody_with_exit_2() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![], "no build command"),
        (
            vec![
                "--source-rev".into(),
                "no-such-rev".into(),
                "--".into(),
                "true".into(),
            ],
            "no-such-rev",
        ),
        (
            vec!["--built".into(), "../x".into(), "--".into(), "true".into()],
            "relative path inside",
        ),
        (
            vec![
                "--timeout".into(),
                "soon".into(),
                "--".into(),
                "true".into(),
            ],
            "--timeout",
        ),
        (
            vec![
                "--work-dir".into(),
                "/nonexistent-custody-dir/work".into(),
                "--".into(),
                "true".into(),
            ],
            "work directory /nonexistent-custody-dir/work: No such file",
        ),
    ];
    for (args, needle) in cases {
        let out = custody()
            .arg("rebuild")
            .arg(&published)
            .arg("--source")
            .arg(p.repo())
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let policy = p.out("bad.toml");
    std::fs::write(
        &policy,
        "[reproduce]\nmode = \"rebuild\"\ntimeout = \"soon\"\n",
    )
    .unwrap();
    let out = custody()
        .arg("rebuild")
        .arg(&published)
        .arg("--source")
        .arg(p.repo())
        .arg("--policy")
        .arg(&policy)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.toml:3:11") && err.contains("needs a command"),
        "{err}"
    );
    let out = custody()
        .arg("rebuild")
        .arg(p.out("missing.tar.gz"))
        .arg("--source")
        .arg(p.repo())
        .args(["--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Without --work-dir the work directory is made in $TMPDIR (here the tests' own scratch
/// directory), kept with the log and the rebuilt artifact, and the scratch checkout is gone.
#[test]
fn the_work_directory_follows_tmpdir_and_keeps_only_the_log_and_the_rebuilt_artifact() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let tmp = tempfile::tempdir().unwrap();
    let out = custody()
        .env("TMPDIR", tmp.path())
        .arg("rebuild")
        .arg(&published)
        .arg("--source")
        .arg(p.repo())
        .args(["--format", "json", "--", "./build.sh"])
        .output()
        .unwrap();
    let report = crate::support::report(&out.stdout).unwrap();
    let work = report["artifacts"][0]["rebuild"]["work_dir"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        std::path::Path::new(&work).starts_with(tmp.path()),
        "{work}"
    );
    let mut kept: Vec<String> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(kept, ["build.log", "rebuilt"], "{work}");
}

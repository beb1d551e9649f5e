//! What only the object format decides: a commit id of the other format (40 hex digits against
//! a SHA-256 repository, 64 against a SHA-1 one) in policy and provenance, a commit carrying the
//! other format's signature header too, a stat cache of the other format, and an object format
//! custody does not read. Every passing case has a failing twin. The scenarios common to both
//! formats (checkout, review, provenance, reproduce, stat cache) run once per format where they
//! are written, through `per_format!`.

use super::checkout::world_with_repo;
use super::git::{Format, World, codes, messages, per_format};
use super::verify::Setup;

fn policy(w: &World, body: &str) -> String {
    w.write("policy.toml", body);
    "policy.toml".to_owned()
}

fn fail_codes(report: &serde_json::Value) -> Vec<String> {
    let mut v = codes(report, "fail");
    v.extend(codes(report, "not-performed"));
    v
}

#[test]
fn the_policy_commit_must_be_the_sha256_commit() {
    let (w, r) = world_with_repo(Format::Sha256);
    let p = policy(&w, &format!("[source]\ncommit = \"{}\"\n", r.head()));
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    assert!(codes(&report, "pass").contains(&"source-commit-matched".to_owned()));

    // A SHA-1 id can never name a commit of a SHA-256 repository, even its own prefix.
    let p = policy(&w, &format!("[source]\ncommit = \"{}\"\n", &r.head()[..40]));
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(fail_codes(&report), ["source-commit-mismatch"]);
    let m = messages(&report, "source-commit-mismatch");
    assert!(
        m.contains("40 hex digits is a SHA-1 commit id, and the checkout is a SHA-256 repository"),
        "{m}"
    );
}

per_format! {
    /// The provenance names a commit id of the other object format: a mismatch that says why.
    fn a_provenance_commit_id_of_the_other_format_is_a_mismatch(format) {
        let s = Setup::init(Some("https://github.com/org/repo"), format);
        let head = s.r.head();
        assert!(format.is_id(&head), "{head}");
        let (id, why) = match format {
            Format::Sha1 => (
                "a".repeat(64),
                "64 hex digits is a SHA-256 commit id, and the checkout is a SHA-1 repository",
            ),
            // Even the commit's own first 40 digits.
            Format::Sha256 => (
                head[..40].to_owned(),
                "40 hex digits is a SHA-1 commit id, and the checkout is a SHA-256 repository",
            ),
        };
        s.attest("github.com/org/repo", "refs/tags/v1.0.0", &id);
        let (code, report) = s.verify(&["--source", "r"]);
        assert_eq!(code, 1, "{report:#}");
        assert!(codes(&report, "fail").contains(&"source-commit-mismatch".to_owned()));
        let m = messages(&report, "source-commit-mismatch");
        assert!(m.contains(why), "{m}");
    }

    /// A commit may carry the other object format's signature too (the SHA-1 to SHA-256
    /// transition): git leaves that header out of what it verifies, and so does custody. Only the
    /// format's own header (`gpgsig`, `gpgsig-sha256`) signs a commit.
    fn a_commit_carrying_the_other_formats_signature_too_verifies_as_git_does(format) {
        let w = World::new();
        let alice = w.ssh_person("Alice", "ed25519");
        w.write("allowed_signers", &(w.allowed_line(&alice, "") + "\n"));
        let p = policy(&w, "[review]\nallowed-signers = \"allowed_signers\"\n");
        let r = w.repo_in("r", format);
        r.commit(&alice, "release 1.0", &[("a", "1")]);
        let own = format.signature_header();
        let other = format.other().signature_header();
        r.tamper(|c| {
            c.replace(
                &format!("\n{own} "),
                &format!(
                    "\n{other} -----BEGIN SSH SIGNATURE-----\n AAAA\n -----END SSH SIGNATURE-----\n{own} "
                ),
            )
        });
        let signers = format!(
            "gpg.ssh.allowedSignersFile={}",
            w.path("allowed_signers").display()
        );
        r.git(&["-c", &signers, "verify-commit", "HEAD"]);
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 0, "{report:#}");
        assert!(codes(&report, "pass").contains(&"commit-signed".to_owned()));

        // Only the other format's signature: unsigned.
        r.tamper(|c| c.replace(&format!("\n{own} "), &format!("\nx-{own} ")));
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(fail_codes(&report), ["commit-unsigned"]);

        // The signature itself in the other format's header (a SHA-1 style `gpgsig` in a SHA-256
        // repository, or the reverse) is not this repository's signature.
        r.tamper(|c| c.replace(&format!("\nx-{own} "), &format!("\n{other} ")));
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(fail_codes(&report), ["commit-unsigned"]);
    }
}

#[test]
fn an_unknown_object_format_is_refused_clearly() {
    let w = World::new();
    let r = w.repo("r");
    r.git(&["config", "core.repositoryformatversion", "1"]);
    r.git(&["config", "extensions.objectformat", "sha512"]);
    let (code, _, err) = w.custody(&["source", "r"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("object format is sha512; custody reads SHA-1 and SHA-256 repositories only"),
        "{err}"
    );
}

#[test]
fn a_sha1_stat_cache_is_not_used_for_a_sha256_checkout() {
    // A SHA-1 repository's cache for the same directory is not used for a SHA-256 one.
    let w = World::new();
    let sha1 = w.repo("r");
    sha1.commit(&w.person("Alice"), "init", &[("README", "hello\n")]);
    let cache = w.path("r.stat");
    let arg = cache.to_str().unwrap().to_owned();
    let (code, _) = w.source_json(&["r", "--stat-cache", &arg]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read(&cache).unwrap()[12], 1);
    std::fs::remove_dir_all(&sha1.dir).unwrap();
    let r = w.repo_sha256("r");
    r.commit(&w.person("Alice"), "init", &[("README", "hello\n")]);
    let (code, report) = w.source_json(&["r", "--stat-cache", &arg]);
    assert_eq!(code, 0, "{report:#}");
    let used = &report["artifacts"][0]["source"]["worktree"]["stat_cache"];
    let ignored = used["ignored"].as_str().unwrap();
    assert!(
        ignored.contains("SHA-1 object ids; this repository uses SHA-256"),
        "{ignored}"
    );
    assert_eq!(
        std::fs::read(&cache).unwrap()[12],
        2,
        "rewritten for SHA-256"
    );
}

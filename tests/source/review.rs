//! `custody source --policy` with `[review]`: protected branches, SSH and OpenPGP commit
//! signatures, tampered commits, and two-party review. Every passing case has a failing twin.
//! The scenarios written with `per_format!` run in a SHA-1 and in a SHA-256 repository.

use super::git::{Format, Person, Repo, World, codes, messages, per_format};

/// A policy file in the world, next to the allowed_signers file it names.
fn policy(w: &World, body: &str) -> String {
    w.write("policy.toml", body);
    "policy.toml".to_owned()
}

fn allowed(w: &World, lines: &[String]) {
    w.write("allowed_signers", &(lines.join("\n") + "\n"));
}

fn fail_codes(report: &serde_json::Value) -> Vec<String> {
    let mut v = codes(report, "fail");
    v.extend(codes(report, "not-performed"));
    v
}

per_format! {
    fn ssh_signed_release_commit_passes_and_an_unlisted_signer_fails(format) {
        let w = World::new();
        let alice = w.ssh_person("Alice", "ed25519");
        let mallory = w.ssh_person("Mallory", "ed25519");
        allowed(&w, &[w.allowed_line(&alice, "namespaces=\"git\"")]);
        let p = policy(&w, "[review]\nallowed-signers = \"allowed_signers\"\n");
        let r = w.repo_in("r", format);
        r.commit(&alice, "one", &[("a", "1")]);
        // git signs in the format's header: gpgsig, or gpgsig-sha256 in a SHA-256 repository.
        let object = r.git(&["cat-file", "commit", "HEAD"]);
        let header = format!(
            "\n{} -----BEGIN SSH SIGNATURE-----",
            format.signature_header()
        );
        assert!(object.contains(&header), "{object}");
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 0, "{report:#}");
        assert!(messages(&report, "commit-signed").contains("alice@example.com (SSH SHA256:"));

        r.commit(&mallory, "two", &[("a", "2")]);
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 1);
        assert_eq!(fail_codes(&report), ["signer-not-allowed"]);
        assert!(messages(&report, "signer-not-allowed").contains("is not in allowed_signers"));
    }
}

#[test]
fn rsa_and_ecdsa_ssh_keys_verify() {
    let w = World::new();
    let rsa = w.ssh_person("Rita", "rsa");
    let ec = w.ssh_person("Eve", "ecdsa");
    allowed(&w, &[w.allowed_line(&rsa, ""), w.allowed_line(&ec, "")]);
    let p = policy(
        &w,
        "[review]\nallowed-signers = \"allowed_signers\"\nrequire-signed = \"all\"\nbase = \"BASE\"\n",
    );
    let r = w.repo("r");
    let base = r.commit(&w.person("Old"), "base", &[("a", "0")]);
    r.commit(&rsa, "rsa", &[("a", "1")]);
    r.commit(&ec, "ecdsa", &[("a", "2")]);
    let text = std::fs::read_to_string(w.path(&p))
        .unwrap()
        .replace("BASE", &base);
    w.write(&p, &text);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    assert!(messages(&report, "commit-signed").contains("all 2 commits since base"));
}

#[test]
fn unsigned_release_commit_fails() {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    allowed(&w, &[w.allowed_line(&alice, "")]);
    let p = policy(&w, "[review]\nallowed-signers = \"allowed_signers\"\n");
    let r = w.repo("r");
    r.commit(&w.person("Alice"), "unsigned", &[("a", "1")]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(fail_codes(&report), ["commit-unsigned"]);
}

#[test]
fn valid_before_and_namespaces_limit_a_signer() {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    let r = w.repo("r");
    r.commit(&alice, "one", &[("a", "1")]);
    let p = policy(&w, "[review]\nallowed-signers = \"allowed_signers\"\n");

    // Inside its window: allowed.
    allowed(
        &w,
        &[w.allowed_line(
            &alice,
            "valid-after=\"20200101\",valid-before=\"29991231Z\"",
        )],
    );
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");

    // Expired before the commit was made.
    allowed(&w, &[w.allowed_line(&alice, "valid-before=\"20200101\"")]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(fail_codes(&report), ["signer-not-allowed"]);
    assert!(messages(&report, "signer-not-allowed").contains("at the commit's time"));

    // Allowed for file signatures only.
    allowed(&w, &[w.allowed_line(&alice, "namespaces=\"file\"")]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(fail_codes(&report), ["signer-not-allowed"]);
}

#[test]
fn cert_authority_lines_are_reported_unsupported() {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    allowed(&w, &[w.allowed_line(&alice, "cert-authority")]);
    let p = policy(&w, "[review]\nallowed-signers = \"allowed_signers\"\n");
    let r = w.repo("r");
    r.commit(&alice, "one", &[("a", "1")]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report, "not-performed"), ["signature-unsupported"]);
}

#[test]
fn openpgp_signed_commits_verify_against_armored_keys() {
    let w = World::new();
    let carol = w.gpg_person("Carol", "ed25519");
    let dave = w.gpg_person("Dave", "rsa3072");
    let oscar = w.gpg_person("Oscar", "ed25519");
    w.export_gpg(&carol, "carol.asc");
    w.export_gpg(&dave, "dave.asc");
    let p = policy(
        &w,
        "[review]\nopenpgp-keys = [\"carol.asc\", \"dave.asc\"]\nrequire-signed = \"release\"\n",
    );
    let r = w.repo("r");
    r.commit(&carol, "one", &[("a", "1")]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    assert!(messages(&report, "commit-signed").contains("carol@example.com (OpenPGP"));

    r.commit(&dave, "two", &[("a", "2")]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");

    r.commit(&oscar, "three", &[("a", "3")]);
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(fail_codes(&report), ["signer-not-allowed"]);
}

per_format! {
    fn a_tampered_commit_fails_its_signature_ssh_and_openpgp(format) {
        let w = World::new();
        let alice = w.ssh_person("Alice", "ed25519");
        let carol = w.gpg_person("Carol", "ed25519");
        allowed(&w, &[w.allowed_line(&alice, "")]);
        w.export_gpg(&carol, "carol.asc");
        let p = policy(
            &w,
            "[review]\nallowed-signers = \"allowed_signers\"\nopenpgp-keys = [\"carol.asc\"]\n",
        );
        for who in [&alice, &carol] {
            let r = w.repo_in(&format!("r-{}", who.name), format);
            r.commit(who, "release 1.0", &[("a", "1")]);
            let dir = format!("r-{}", who.name);
            let (code, report) = w.source_json(&[&dir, "--policy", &p]);
            assert_eq!(code, 0, "{report:#}");
            let forged = r.tamper(|c| c.replace("release 1.0", "release 1.0 (with a backdoor)"));
            let (code, report) = w.source_json(&[&dir, "--policy", &p]);
            assert_eq!(code, 1, "{report:#}");
            assert_eq!(fail_codes(&report), ["signature-invalid"], "{}", who.name);
            assert_eq!(report["artifacts"][0]["digest"]["gitCommit"], forged);
        }
    }

    fn protected_branch_reachability(format) {
        let w = World::new();
        let alice = w.person("Alice");
        let p = policy(
            &w,
            "[review]\nprotected-branches = [\"main\", \"refs/heads/release\"]\n",
        );
        let r = w.repo_in("r", format);
        r.commit(&alice, "one", &[("a", "1")]);
        r.git(&["checkout", "-q", "-b", "feature"]);
        let feature = r.commit(&alice, "feature", &[("b", "1")]);
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 1);
        assert_eq!(fail_codes(&report), ["not-on-protected-branch"]);
        let m = messages(&report, "not-on-protected-branch");
        assert!(
            m.contains(&feature) && m.contains("refs/heads/release"),
            "{m}"
        );
        assert!(m.contains("not in the checkout: refs/heads/release"), "{m}");

        r.git(&["checkout", "-q", "main"]);
        r.commit_staged(
            &alice,
            &["merge", "-q", "--no-ff", "-m", "merge", "feature"],
        );
        r.git(&["checkout", "-q", "feature"]);
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(
            codes(&report, "pass"),
            ["checkout-clean", "on-protected-branch"]
        );
        // Packed objects and refs are read as well as loose ones.
        r.git(&["gc", "-q"]);
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(
            codes(&report, "pass"),
            ["checkout-clean", "on-protected-branch"]
        );
    }

    fn every_unsigned_commit_since_the_base_is_listed(format) {
        let w = World::new();
        let alice = w.ssh_person("Alice", "ed25519");
        allowed(&w, &[w.allowed_line(&alice, "")]);
        let r = w.repo_in("r", format);
        let base = r.commit(&w.person("Old"), "before signing", &[("a", "0")]);
        assert!(format.is_id(&base), "{base}");
        r.commit(&alice, "signed", &[("a", "1")]);
        r.commit(&alice, "signed again", &[("a", "2")]);
        let body = |base: &str| {
            format!(
                "[review]\nallowed-signers = \"allowed_signers\"\nrequire-signed = \"all\"\nbase = \"{base}\"\n"
            )
        };
        let p = policy(&w, &body(&base));
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 0, "{report:#}");
        assert!(messages(&report, "commit-signed").contains("all 2 commits since base"));

        // An unsigned commit at the tip, then under a signed one: listed either way.
        let sneaky = r.commit(&w.person("Alice"), "unsigned", &[("a", "3")]);
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 1);
        assert_eq!(fail_codes(&report), ["commit-unsigned"]);
        assert!(messages(&report, "commit-unsigned").contains(&sneaky));
        r.commit(&alice, "signed once more", &[("a", "4")]);
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 1);
        assert_eq!(fail_codes(&report), ["commit-unsigned"]);
        assert!(messages(&report, "commit-unsigned").contains(&sneaky));

        // Release-only signing is satisfied by the signed tip.
        let p2 = policy(
            &w,
            "[review]\nallowed-signers = \"allowed_signers\"\nrequire-signed = \"release\"\n",
        );
        let (code, report) = w.source_json(&["r", "--policy", &p2]);
        assert_eq!(code, 0, "{report:#}");

        if format == Format::Sha256 {
            // The base given as a SHA-1 length id (the base's own first 40 digits) is not found.
            let p = policy(&w, &body(&base[..40]));
            let (code, report) = w.source_json(&["r", "--policy", &p]);
            assert_eq!(code, 1);
            assert_eq!(fail_codes(&report), ["review-missing"]);
            let m = messages(&report, "review-missing");
            assert!(m.contains("is not in the checkout"), "{m}");
            assert!(m.contains("SHA-1 commit id"), "{m}");
        }
    }
}

/// Alice writes a branch; whoever merges it into main must be someone else.
fn two_party_world(format: Format) -> (World, Person, Person, Repo, String) {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    let bob = w.ssh_person("Bob", "ed25519");
    allowed(&w, &[w.allowed_line(&alice, ""), w.allowed_line(&bob, "")]);
    let r = w.repo_in("r", format);
    let base = r.commit(&bob, "base", &[("a", "0")]);
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.commit(&alice, "topic 1", &[("b", "1")]);
    r.commit(&alice, "topic 2", &[("b", "2")]);
    r.git(&["checkout", "-q", "main"]);
    (w, alice, bob, r, base)
}

fn two_party_policy(w: &World, base: &str, extra: &str) -> String {
    policy(
        w,
        &format!(
            "[review]\nallowed-signers = \"allowed_signers\"\nrequire-signed = \"none\"\ntwo-party = true\nbase = \"{base}\"\n{extra}"
        ),
    )
}

per_format! {
    fn a_merge_signed_by_someone_else_satisfies_two_party_review(format) {
        let (w, _alice, bob, r, base) = two_party_world(format);
        r.commit_staged(
            &bob,
            &["merge", "-q", "--no-ff", "-m", "merge topic", "topic"],
        );
        let p = two_party_policy(&w, &base, "");
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 0, "{report:#}");
        assert!(messages(&report, "review-satisfied").contains("all 1 changes"));
    }

    fn a_self_merged_change_violates_two_party_review(format) {
        let (w, alice, bob, r, base) = two_party_world(format);
        let merge = r.commit_staged(
            &alice,
            &["merge", "-q", "--no-ff", "-m", "self-merge", "topic"],
        );
        // A direct, unsigned push on top.
        let direct = r.commit(&w.person("Alice"), "direct push", &[("c", "1")]);
        // A plain commit that says Alice wrote it, signed by Bob: the author field is Bob's
        // word, so the change is Bob's alone, not a second person's.
        let applied = r.commit(
            &Person {
                email: "alice@example.com".into(),
                ..bob.clone()
            },
            "applied by bob",
            &[("d", "1")],
        );
        let p = two_party_policy(&w, &base, "");
        let (code, report) = w.source_json(&["r", "--policy", &p]);
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(
            fail_codes(&report),
            ["review-missing", "review-missing", "review-missing"]
        );
        let m = messages(&report, "review-missing");
        assert!(
            m.contains(&format!("merge {merge} is signed by alice@example.com")),
            "{m}"
        );
        assert!(m.contains(&format!("commit {direct} is not signed")), "{m}");
        assert!(
            m.contains(&format!("commit {applied} is signed by bob@example.com")),
            "{m}"
        );
        assert!(
            m.contains("who is its author as far as anything proves"),
            "{m}"
        );
    }
}

#[test]
fn enough_distinct_signers_on_a_change_satisfy_two_party_review() {
    let (w, alice, bob, r, base) = two_party_world(Format::Sha1);
    // Bob adds a signed commit to Alice's topic, then Alice merges: two signers on the change.
    r.git(&["checkout", "-q", "topic"]);
    r.commit(&bob, "review fixup", &[("b", "3")]);
    r.git(&["checkout", "-q", "main"]);
    r.commit_staged(&alice, &["merge", "-q", "--no-ff", "-m", "merge", "topic"]);
    let p = two_party_policy(&w, &base, "");
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 0, "{report:#}");
    // Three distinct signers are more than this change has.
    let p = two_party_policy(&w, &base, "min-signers = 3\n");
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(fail_codes(&report), ["review-missing"]);
}

#[test]
fn a_base_that_is_not_an_ancestor_fails_review() {
    let (w, _alice, bob, r, _base) = two_party_world(Format::Sha1);
    let elsewhere = r.git(&["rev-parse", "topic"]).trim().to_owned();
    r.commit(&bob, "main moves on", &[("z", "1")]);
    let p = two_party_policy(&w, &elsewhere, "");
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    assert_eq!(fail_codes(&report), ["review-missing"]);
    assert!(messages(&report, "review-missing").contains("is not an ancestor"));
}

#[test]
fn review_policy_errors_name_the_line() {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    allowed(&w, &[w.allowed_line(&alice, ""), "bad line".into()]);
    let _ = w.repo("r");
    for (body, want) in [
        (
            "[review]\nallowed-signers = \"allowed_signers\"\n",
            "allowed_signers:2",
        ),
        (
            "[review]\nopenpgp-keys = [\"missing.asc\"]\n",
            "policy.toml:2:17",
        ),
        ("[review]\ntwo-party = true\n", "need allowed-signers"),
        (
            "[review]\nopenpgp-keys = []\nrequire-signed = \"all\"\n",
            "policy.toml:3:18",
        ),
        ("[review]\nrequire-signed = \"some\"\n", "not \"some\""),
        ("[review]\nbase = \"HEAD\"\n", "policy.toml:2:8"),
        ("[review]\nmin-signers = 0\n", "at least 1"),
        ("[review]\nprotected-branch = [\"main\"]\n", "unknown field"),
    ] {
        let p = policy(&w, body);
        let (code, _, err) = w.custody(&["source", "r", "--policy", &p]);
        assert_eq!(code, 2, "{body}");
        assert!(err.contains(want), "{body}: {err}");
    }
}

#[test]
fn policy_check_summarises_the_review_rules() {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    allowed(&w, &[w.allowed_line(&alice, "")]);
    let p = policy(
        &w,
        "[review]\nprotected-branches = [\"main\"]\nallowed-signers = \"allowed_signers\"\nrequire-signed = \"all\"\nbase = \"0123456789abcdef0123456789abcdef01234567\"\ntwo-party = true\n",
    );
    let (code, out, err) = w.custody(&["policy", "check", &p]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("review: protected branches refs/heads/main; every commit since base signed; two-party (or 2 signers)"),
        "{out}"
    );
}

/// A review rule over many commits: the human report shows a few per code, then how many more,
/// and the counts per code; the JSON report lists every one.
#[test]
fn many_unsigned_commits_are_grouped_in_the_human_report_and_listed_in_json() {
    let w = World::new();
    let alice = w.ssh_person("Alice", "ed25519");
    allowed(&w, &[w.allowed_line(&alice, "")]);
    let r = w.repo_in("r", Format::Sha1);
    let base = r.commit(&w.person("Old"), "base", &[("a", "0")]);
    // 40 unsigned commits, made in one fast-import stream.
    let mut stream = String::new();
    for i in 1..=40 {
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter Bob <bob@example.com> {} +0000\ndata 2\nc{}\n{}M 100644 inline a\ndata {}\n{}\n",
            1_700_000_000 + i,
            i % 10,
            if i == 1 { format!("from {base}\n") } else { String::new() },
            i.to_string().len(),
            i
        ));
    }
    r.git_stdin(&["fast-import", "--quiet"], stream.as_bytes());
    r.git(&["reset", "-q", "--hard", "main"]);
    let p = policy(
        &w,
        &format!(
            "[review]\nallowed-signers = \"allowed_signers\"\nrequire-signed = \"all\"\nbase = \"{base}\"\n"
        ),
    );
    let (code, report) = w.source_json(&["r", "--policy", &p]);
    assert_eq!(code, 1);
    let unsigned = report["artifacts"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"] == "commit-unsigned")
        .count();
    assert_eq!(unsigned, 40, "{report:#}");
    let (code, out, _) = w.custody(&["source", "r", "--policy", &p]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("[commit-unsigned]"))
        .collect();
    assert_eq!(lines.len(), 6, "{out}");
    assert!(lines[5].contains("and 35 more like these"), "{out}");
    assert!(
        out.contains("problems by code: commit-unsigned 40"),
        "{out}"
    );
    assert!(out.lines().count() < 15, "{out}");
}

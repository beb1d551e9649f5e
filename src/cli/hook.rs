//! `custody hook install|uninstall`: small git hooks that call custody, so that nothing
//! unreviewed or unexplained gets committed, pushed or received.
//!
//! A hook custody writes carries a marker line. An existing hook that is not custody's is kept:
//! it is renamed `NAME.custody-chained` and custody's hook runs it first (with the same
//! arguments and standard input), and `uninstall` puts it back. `core.hooksPath` is honoured.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::{EXIT_PASS, fatal};
use crate::git::Repo;

/// The line that marks a hook as custody's.
const MARKER: &str = "# custody hook: written by `custody hook install`";

const AFTER_HELP: &str = "\
Hooks and what they run (POLICY is --policy, made absolute):
  pre-commit        custody check-range --staged [--policy POLICY]
                    (what the commit is about to record: only the staged files are read)
  pre-merge-commit  custody check-range --staged, then for each commit merged
                    custody check-range HEAD..COMMIT [--policy POLICY]
  pre-push          custody check-range --pre-push REMOTE --policy POLICY  (ref updates on stdin)
  pre-receive       custody check-range --pre-receive --policy POLICY      (bare repository)
For the stricter check that the whole working tree is what is committed, add to the pre-commit
hook `custody source . --staged --stat-cache ~/.cache/custody/NAME.stat`. A hook fails when custody
cannot run (binary or policy missing, repository unreadable) and says how to bypass it
deliberately (git commit --no-verify, git push --no-verify). An existing hook is kept and runs
first; uninstall restores it.

Examples:
  custody hook install --pre-commit --pre-push --policy policies/default.toml
  custody hook install --pre-receive --policy /srv/git/policy.toml --repo /srv/git/app.git
  custody hook uninstall --pre-push

Exit codes: 0 done, 2 custody could not write or remove a hook.";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct HookArgs {
    #[command(subcommand)]
    pub command: HookCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum HookCommand {
    /// Write the hooks asked for (idempotent; an existing foreign hook is chained, never lost).
    Install {
        #[command(flatten)]
        kinds: Kinds,
        /// The policy the hooks judge by (made absolute); needed for --pre-push, --pre-receive.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// The repository (default: the current directory).
        #[arg(long, value_name = "DIR", default_value = ".")]
        repo: PathBuf,
    },
    /// Remove custody's hooks, restoring any hook they chained.
    Uninstall {
        #[command(flatten)]
        kinds: Kinds,
        #[arg(long, value_name = "DIR", default_value = ".")]
        repo: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
#[group(required = true, multiple = true)]
pub struct Kinds {
    #[arg(long)]
    pub pre_commit: bool,
    #[arg(long)]
    pub pre_merge_commit: bool,
    #[arg(long)]
    pub pre_push: bool,
    #[arg(long)]
    pub pre_receive: bool,
}

impl Kinds {
    fn names(&self) -> Vec<&'static str> {
        [
            (self.pre_commit, "pre-commit"),
            (self.pre_merge_commit, "pre-merge-commit"),
            (self.pre_push, "pre-push"),
            (self.pre_receive, "pre-receive"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

pub fn run(args: HookArgs) -> u8 {
    let result = match args.command {
        HookCommand::Install {
            kinds,
            policy,
            repo,
        } => install(&kinds.names(), policy.as_deref(), &repo),
        HookCommand::Uninstall { kinds, repo } => uninstall(&kinds.names(), &repo),
    };
    match result {
        Ok(lines) => super::output::print_or(&lines, EXIT_PASS),
        Err(e) => fatal(e),
    }
}

/// Where git runs hooks from: `core.hooksPath` (relative to the work tree, as git reads it), or
/// the repository's `hooks` directory.
fn hooks_dir(repo: &Repo) -> PathBuf {
    let raw = repo.raw();
    if let Ok(config) = raw.config()
        && let Ok(path) = config.get_path("core.hooksPath")
    {
        if path.is_absolute() {
            return path;
        }
        let base = repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| raw.path().to_path_buf());
        return base.join(path);
    }
    raw.path().join("hooks")
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn script(kind: &str, custody: &Path, policy: Option<&Path>) -> String {
    let policy_arg = policy
        .map(|p| format!(" --policy {}", quote(p)))
        .unwrap_or_default();
    // Every custody run ends the hook with a failure when it refuses.
    let refused = " || fail \"refused (see above)\"";
    let run = match kind {
        "pre-commit" => format!("\"$custody\" check-range --staged{policy_arg}{refused}"),
        // git names the commits being merged in GITHEAD_<id> variables (MERGE_HEAD is written
        // only when a merge stops); each is judged from HEAD.
        "pre-merge-commit" => format!(
            "\"$custody\" check-range --staged{policy_arg}{refused}\n\
             for head in $(env | sed -n 's/^GITHEAD_\\([0-9a-f]*\\)=.*/\\1/p'); do\n    \
             \"$custody\" check-range \"HEAD..$head\"{policy_arg}{refused}\n\
             done"
        ),
        "pre-push" => format!(
            "printf '%s' \"$input\" | \"$custody\" check-range --pre-push \"$1\"{policy_arg}{refused}"
        ),
        _ => format!(
            "printf '%s' \"$input\" | \"$custody\" check-range --pre-receive{policy_arg}{refused}"
        ),
    };
    let bypass = match kind {
        "pre-commit" | "pre-merge-commit" => "git commit --no-verify (or git merge --no-verify)",
        "pre-push" => "git push --no-verify",
        _ => "nothing on the client: an administrator removes the hook",
    };
    let reads_stdin = matches!(kind, "pre-push" | "pre-receive");
    let mut s = format!(
        "#!/bin/sh\n{MARKER}\n# `custody hook uninstall --{kind}` removes it and restores a hook it chained.\n\
         custody={}\n",
        quote(custody)
    );
    if reads_stdin {
        s.push_str("input=$(cat; echo x)\ninput=${input%x}\n");
    }
    s.push_str(&format!(
        "fail() {{\n    echo \"custody $0: $1\" >&2\n    echo \"custody: to bypass this check deliberately: {bypass}\" >&2\n    exit 1\n}}\n\
         [ -x \"$custody\" ] || fail \"custody is not at $custody (reinstall the hook: custody hook install --{kind})\"\n"
    ));
    if let Some(p) = policy {
        s.push_str(&format!(
            "[ -r {} ] || fail \"the policy {} cannot be read\"\n",
            quote(p),
            p.display()
        ));
    }
    let chained = if reads_stdin {
        "printf '%s' \"$input\" | \"$0.custody-chained\" \"$@\""
    } else {
        "\"$0.custody-chained\" \"$@\""
    };
    s.push_str(&format!(
        "if [ -x \"$0.custody-chained\" ]; then\n    {chained} || exit $?\nfi\n{run}\n"
    ));
    s
}

fn install(kinds: &[&str], policy: Option<&Path>, repo_dir: &Path) -> Result<String, String> {
    let repo = Repo::open(repo_dir).map_err(|e| e.to_string())?;
    let policy = match policy {
        Some(p) => {
            Some(std::fs::canonicalize(p).map_err(|e| format!("policy {}: {e}", p.display()))?)
        }
        None => None,
    };
    // A policy that does not load now would make every hook fail later: say so now.
    if let Some(p) = &policy {
        super::load_policy(p)?;
    }
    for kind in kinds {
        if matches!(*kind, "pre-push" | "pre-receive") && policy.is_none() {
            return Err(format!(
                "--{kind}: give --policy FILE, the rules pushes are judged by"
            ));
        }
        if *kind == "pre-receive" && !repo.raw().is_bare() {
            return Err(
                "--pre-receive is a server-side hook: install it in a bare repository".into(),
            );
        }
    }
    let custody = std::env::current_exe().map_err(|e| format!("where custody is: {e}"))?;
    let dir = hooks_dir(&repo);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = String::new();
    for kind in kinds {
        let path = dir.join(kind);
        let chained = dir.join(format!("{kind}.custody-chained"));
        let existing = std::fs::read_to_string(&path).ok();
        let ours = existing.as_deref().is_some_and(|t| t.contains(MARKER));
        if path.exists() && !ours {
            if chained.exists() {
                return Err(format!(
                    "{}: a foreign hook is there and {} already exists; move one of them first",
                    path.display(),
                    chained.display()
                ));
            }
            std::fs::rename(&path, &chained).map_err(|e| format!("{}: {e}", path.display()))?;
            out.push_str(&format!(
                "{}: kept as {}, run first\n",
                path.display(),
                chained.display()
            ));
        }
        write_hook(&path, &script(kind, &custody, policy.as_deref()))?;
        out.push_str(&format!(
            "{}: {}\n",
            path.display(),
            if ours { "updated" } else { "installed" }
        ));
    }
    Ok(out)
}

/// Write the hook beside its place and rename it there, executable: never half a hook.
fn write_hook(path: &Path, text: &str) -> Result<(), String> {
    let tmp = path.with_extension("custody-tmp");
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut f = std::fs::File::create(&tmp).map_err(err)?;
    f.write_all(text.as_bytes()).map_err(err)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o755))
        .map_err(err)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(err)
}

fn uninstall(kinds: &[&str], repo_dir: &Path) -> Result<String, String> {
    let repo = Repo::open(repo_dir).map_err(|e| e.to_string())?;
    let dir = hooks_dir(&repo);
    let mut out = String::new();
    for kind in kinds {
        let path = dir.join(kind);
        let chained = dir.join(format!("{kind}.custody-chained"));
        let ours = std::fs::read_to_string(&path).is_ok_and(|t| t.contains(MARKER));
        if !ours {
            out.push_str(&format!(
                "{}: not custody's hook, left alone\n",
                path.display()
            ));
            continue;
        }
        std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if chained.exists() {
            std::fs::rename(&chained, &path).map_err(|e| format!("{}: {e}", chained.display()))?;
            out.push_str(&format!(
                "{}: removed; the hook it chained is back\n",
                path.display()
            ));
        } else {
            out.push_str(&format!("{}: removed\n", path.display()));
        }
    }
    Ok(out)
}

//! The policy's `[reproduce]` step inside `verify`: with `--source`, each artifact file is
//! compared with the reviewed commit (`mode = "contents"`, as `custody compare`) or rebuilt
//! from it (`mode = "rebuild"`, as `custody rebuild`). The commit is the checkout's reviewed
//! one, which the provenance's source commit must equal (`source-commit-mismatch` otherwise).
//!
//! Whatever stops the step from running is a not-performed check, which fails the artifact:
//! an artifact that was not reproduced is never reported as reproduced.

use std::path::Path;
use std::time::Duration;

use crate::artifact::ArtifactSpec;
use crate::check::Check;
use crate::contents::{self, ContentsPolicy, SourceTree};
use crate::policy::{Reproduce, ReproduceMode};
use crate::rebuild;
use crate::source::Checkout;

/// The check code each mode's verdict is reported under when the step cannot run.
fn code(mode: ReproduceMode) -> &'static str {
    match mode {
        ReproduceMode::Rebuild => "rebuild-reproduced",
        ReproduceMode::Contents => "contents-matches-source",
    }
}

/// What reproducing one artifact found: its checks, and the report section (`contents` or
/// `rebuild`) with the details.
pub(super) struct Reproduced {
    pub checks: Vec<Check>,
    pub section: Option<(&'static str, serde_json::Value)>,
}

impl Reproduced {
    fn not_performed(mode: ReproduceMode, message: String) -> Reproduced {
        Reproduced {
            checks: vec![Check::not_performed(code(mode), message)],
            section: None,
        }
    }
}

/// Reproduce the artifact named by `spec` from the checkout, as `rule` asks.
pub(super) fn reproduce(
    rule: &Reproduce,
    checkout: Option<&Checkout>,
    spec: &ArtifactSpec,
) -> Reproduced {
    let Some(checkout) = checkout else {
        let command = match rule.mode {
            ReproduceMode::Rebuild => "custody rebuild ARTIFACT --source DIR --policy FILE",
            ReproduceMode::Contents => "custody compare ARTIFACT --source DIR",
        };
        return Reproduced::not_performed(
            rule.mode,
            format!(
                "the policy's [reproduce] needs the reviewed source: give --source DIR (or run `{command}`)"
            ),
        );
    };
    let ArtifactSpec::File(path) = spec else {
        return Reproduced::not_performed(
            rule.mode,
            "the artifact is given by digest alone; [reproduce] needs its bytes".to_owned(),
        );
    };
    match rule.mode {
        ReproduceMode::Contents => contents_of(rule, checkout, path),
        ReproduceMode::Rebuild => rebuilt(rule, checkout, path),
    }
}

fn contents_of(rule: &Reproduce, checkout: &Checkout, archive: &Path) -> Reproduced {
    let run = || -> Result<Reproduced, String> {
        let policy = ContentsPolicy::new(&rule.allow_extra).map_err(|e| e.to_string())?;
        let source =
            SourceTree::open(checkout.dir(), &checkout.commit()).map_err(|e| e.to_string())?;
        let found = contents::compare(archive, &source, &policy).map_err(|e| e.to_string())?;
        let section = serde_json::to_value(&found).expect("a contents report always serialises");
        Ok(Reproduced {
            checks: found.checks,
            section: Some(("contents", section)),
        })
    };
    run().unwrap_or_else(|e| {
        Reproduced::not_performed(rule.mode, format!("contents not compared: {e}"))
    })
}

fn rebuilt(rule: &Reproduce, checkout: &Checkout, artifact: &Path) -> Reproduced {
    let request = rebuild::Request {
        artifact: artifact.to_path_buf(),
        source: checkout.dir().to_path_buf(),
        rev: checkout.commit(),
        command: rule.command.clone(),
        built: None,
        outputs: rule.outputs.clone(),
        env: rule.env.clone(),
        timeout: rule
            .timeout
            .map(Duration::from_secs)
            .unwrap_or(rebuild::DEFAULT_TIMEOUT),
        build_path: rule.build_path.clone(),
        accept: rule.accept,
        work_base: std::env::temp_dir(),
        keep_scratch: false,
    };
    match rebuild::rebuild(&request) {
        Ok(found) => {
            let section = serde_json::to_value(&found).expect("a rebuild report always serialises");
            Reproduced {
                checks: found.checks,
                section: Some(("rebuild", section)),
            }
        }
        Err(e) => Reproduced::not_performed(rule.mode, format!("not rebuilt: {e}")),
    }
}

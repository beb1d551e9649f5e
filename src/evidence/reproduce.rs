//! The policy's `[reproduce]` step inside `verify`: with `--source`, each artifact file is
//! compared with the reviewed commit (`mode = "contents"`, as `custody compare`) or rebuilt
//! from it (`mode = "rebuild"`, as `custody rebuild`). The commit is the checkout's reviewed
//! one, which the provenance's source commit must equal (`source-commit-mismatch` otherwise).
//!
//! Whatever stops the step from running is a not-performed check, which fails the artifact:
//! an artifact that was not reproduced is never reported as reproduced.

use std::path::Path;
use std::time::Duration;

use super::Reproduced;
use crate::artifact::ArtifactSpec;
use crate::contents::{self, AllowExtra};
use crate::policy::{Reproduce, ReproduceMode};
use crate::rebuild;
use crate::source::Checkout;

fn not_performed(mode: ReproduceMode, reason: String) -> Reproduced {
    Reproduced::NotPerformed { mode, reason }
}

/// Reproduce the artifact named by `spec` from the checkout, as `rule` asks.
pub fn reproduce(rule: &Reproduce, checkout: Option<&Checkout>, spec: &ArtifactSpec) -> Reproduced {
    let Some(checkout) = checkout else {
        let command = match rule.mode {
            ReproduceMode::Rebuild => "custody rebuild ARTIFACT --source DIR --policy FILE",
            ReproduceMode::Contents => "custody compare ARTIFACT --source DIR",
        };
        return not_performed(
            rule.mode,
            format!(
                "the policy's [reproduce] needs the reviewed source: give --source DIR (or run `{command}`)"
            ),
        );
    };
    let ArtifactSpec::File(path) = spec else {
        return not_performed(
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
        let options = contents::Options {
            allow_extra: AllowExtra::new(&rule.allow_extra).map_err(|e| e.to_string())?,
            ecosystem: match &rule.ecosystem {
                Some(e) => Some(contents::Ecosystem::parse(e)?),
                None => None,
            },
            accept_ancestor: rule.accept_ancestor,
            accept_unverified: rule
                .accept_unverified
                .iter()
                .map(|f| contents::Field::parse(f))
                .collect::<Result<_, _>>()?,
            go_sum: None,
        };
        let found = contents::compare(archive, checkout.repo(), checkout.commit(), &options)
            .map_err(|e| e.to_string())?;
        Ok(Reproduced::Contents(Box::new(found)))
    };
    run().unwrap_or_else(|e| not_performed(rule.mode, format!("contents not compared: {e}")))
}

fn rebuilt(rule: &Reproduce, checkout: &Checkout, artifact: &Path) -> Reproduced {
    let request = rebuild::Request {
        artifact: artifact.to_path_buf(),
        source: checkout.dir().to_path_buf(),
        rev: checkout.commit().hex(),
        command: rule.command.clone(),
        built: None,
        outputs: rule.outputs.clone(),
        env: rule.env.clone(),
        timeout: rule
            .timeout
            .map(Duration::from_secs)
            .unwrap_or(rebuild::DEFAULT_TIMEOUT),
        build_path: rule.build_path.clone(),
        work_base: std::env::temp_dir(),
        keep_scratch: false,
    };
    match rebuild::rebuild(&request) {
        Ok(found) => Reproduced::Rebuild(Box::new(found)),
        Err(e) => not_performed(rule.mode, format!("not rebuilt: {e}")),
    }
}

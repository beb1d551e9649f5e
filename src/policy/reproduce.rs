//! `[reproduce]`: whether and how the artifact must be reproduced from the reviewed source,
//! by rebuilding it (`mode = "rebuild"`) or by comparing its files with the commit
//! (`mode = "contents"`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use globset::Glob;

use super::raw::{RawCommand, RawReproduce};
use super::{Validator, rules};

/// Which differences a rebuild may show and still pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Accept {
    /// Only a bit-for-bit identical artifact passes.
    #[default]
    Identical,
    /// Metadata differences (mtime, owner, permissions, order, compression) are accepted;
    /// every member's content must be identical.
    Content,
}

impl Accept {
    pub fn parse(text: &str) -> Result<Accept, String> {
        match text {
            "identical" => Ok(Accept::Identical),
            "content" => Ok(Accept::Content),
            other => Err(format!(
                "accept must be \"identical\" or \"content\", not \"{other}\""
            )),
        }
    }
}

/// How the artifact is reproduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReproduceMode {
    /// Rebuild from the reviewed commit and compare with the artifact.
    Rebuild,
    /// Compare the archive's files with the reviewed commit (`custody compare`).
    Contents,
}

/// A validated `[reproduce]` section.
#[derive(Clone, Debug)]
pub struct Reproduce {
    pub mode: ReproduceMode,
    /// The build command's argument vector (a one-line command runs as `sh -c LINE`).
    pub command: Vec<String>,
    /// Globs, relative to the checkout, of what the build produces.
    pub outputs: Vec<String>,
    pub env: BTreeMap<String, String>,
    /// Seconds the build may run.
    pub timeout: Option<u64>,
    pub accept: Accept,
    /// An absolute path to check the commit out at.
    pub build_path: Option<PathBuf>,
    /// `mode = "contents"`: extra files permitted, as `--allow-extra`.
    pub allow_extra: Vec<String>,
    /// `mode = "contents"`: the packaging ecosystem (`crate`, `npm`, `python-sdist`,
    /// `python-wheel`, `go-module`, `plain`), as `--ecosystem`; inferred when absent.
    pub ecosystem: Option<String>,
    /// `mode = "contents"`: an artifact naming an ancestor of the reviewed commit is compared
    /// with that ancestor instead of failing, as `--accept-ancestor`.
    pub accept_ancestor: bool,
    /// `mode = "contents"`: metadata fields a packaging rule cannot derive from the commit
    /// (`version`, `dependencies`, ...) that are accepted unverified, as
    /// `--accept-unverified`.
    pub accept_unverified: Vec<String>,
}

impl Reproduce {
    /// Comparing contents, with these extra files allowed (`custody compare --allow-extra`).
    pub fn contents(allow_extra: Vec<String>) -> Reproduce {
        Reproduce {
            allow_extra,
            ..Reproduce::new(ReproduceMode::Contents)
        }
    }

    /// A section of `mode` with nothing else set.
    fn new(mode: ReproduceMode) -> Reproduce {
        Reproduce {
            mode,
            command: Vec::new(),
            outputs: Vec::new(),
            env: BTreeMap::new(),
            timeout: None,
            accept: Accept::default(),
            build_path: None,
            allow_extra: Vec::new(),
            ecosystem: None,
            accept_ancestor: false,
            accept_unverified: Vec::new(),
        }
    }
}

impl Validator<'_> {
    pub(super) fn reproduce(&mut self, raw: RawReproduce) -> Option<Reproduce> {
        let mode = match &raw.mode {
            None => {
                self.error(0..0, "[reproduce] needs mode = \"rebuild\" or \"contents\"");
                return None;
            }
            Some(m) => match m.get_ref().as_str() {
                "rebuild" => ReproduceMode::Rebuild,
                "contents" => ReproduceMode::Contents,
                other => {
                    self.error(
                        m.span(),
                        format!("mode must be \"rebuild\" or \"contents\", not \"{other}\""),
                    );
                    return None;
                }
            },
        };
        let mut r = Reproduce::new(mode);
        let rebuild_only = |v: &mut Self, span, key: &str| {
            if mode != ReproduceMode::Rebuild {
                v.error(span, format!("{key} applies only to mode = \"rebuild\""));
            }
        };
        match raw.command {
            Some(c) => {
                rebuild_only(self, c.span(), "command");
                let span = c.span();
                r.command = match c.into_inner() {
                    RawCommand::Line(line) => vec!["sh".into(), "-c".into(), line],
                    RawCommand::Argv(argv) => argv,
                };
                if r.command.is_empty() || r.command[r.command.len() - 1].trim().is_empty() {
                    self.error(span, "command must not be empty");
                }
            }
            None if mode == ReproduceMode::Rebuild => self.error(
                raw.mode.as_ref().map(|m| m.span()).unwrap_or(0..0),
                "mode = \"rebuild\" needs a command",
            ),
            None => {}
        }
        for o in raw.outputs.unwrap_or_default() {
            rebuild_only(self, o.span(), "outputs");
            match Glob::new(o.get_ref()) {
                Ok(_) => r.outputs.push(o.into_inner()),
                Err(e) => self.error(o.span(), format!("not a valid glob: {e}")),
            }
        }
        for (k, v) in raw.env.unwrap_or_default() {
            rebuild_only(self, v.span(), "env");
            if k.is_empty() || k.contains('=') || k.contains('\0') {
                self.error(
                    v.span(),
                    format!("`{k}` is not an environment variable name"),
                );
            } else {
                r.env.insert(k, v.into_inner());
            }
        }
        if let Some(t) = raw.timeout {
            rebuild_only(self, t.span(), "timeout");
            r.timeout = self.value(&t, rules::duration);
        }
        if let Some(a) = raw.accept {
            rebuild_only(self, a.span(), "accept");
            r.accept = self.value(&a, Accept::parse).unwrap_or_default();
        }
        if let Some(b) = raw.build_path {
            rebuild_only(self, b.span(), "build-path");
            let p = PathBuf::from(b.get_ref());
            if p.is_absolute() {
                r.build_path = Some(p);
            } else {
                self.error(b.span(), "build-path must be an absolute path");
            }
        }
        for g in raw.allow_extra.unwrap_or_default() {
            if mode != ReproduceMode::Contents {
                self.error(g.span(), "allow-extra applies only to mode = \"contents\"");
            }
            match Glob::new(g.get_ref()) {
                Ok(_) => r.allow_extra.push(g.into_inner()),
                Err(e) => self.error(g.span(), format!("not a valid glob: {e}")),
            }
        }
        if let Some(e) = raw.ecosystem {
            if mode != ReproduceMode::Contents {
                self.error(e.span(), "ecosystem applies only to mode = \"contents\"");
            }
            r.ecosystem = self.value(&e, |t| {
                crate::contents::Ecosystem::parse(t).map(|_| t.to_owned())
            });
        }
        if let Some(a) = raw.accept_ancestor {
            if mode != ReproduceMode::Contents {
                self.error(
                    a.span(),
                    "accept-ancestor applies only to mode = \"contents\"",
                );
            }
            r.accept_ancestor = *a.get_ref();
        }
        for f in raw.accept_unverified.unwrap_or_default() {
            if mode != ReproduceMode::Contents {
                self.error(
                    f.span(),
                    "accept-unverified applies only to mode = \"contents\"",
                );
            }
            if let Some(name) = self.value(&f, |t| {
                crate::contents::Field::parse(t).map(|_| t.to_owned())
            }) {
                r.accept_unverified.push(name);
            }
        }
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::policy::Policy;

    #[test]
    fn a_rebuild_section_validates() {
        let p = Policy::parse(
            Path::new("p.toml"),
            "[reproduce]\nmode = \"rebuild\"\ncommand = \"make dist\"\noutputs = [\"dist/*.tar.gz\"]\n\
             env = { CFLAGS = \"-O2\" }\ntimeout = \"20m\"\naccept = \"content\"\n",
        )
        .unwrap();
        let r = p.reproduce.unwrap();
        assert_eq!(r.command, ["sh", "-c", "make dist"]);
        assert_eq!((r.timeout, r.accept), (Some(1200), Accept::Content));
        assert_eq!(r.env["CFLAGS"], "-O2");
    }

    #[test]
    fn contents_may_accept_unverified_fields_by_name() {
        let p = Policy::parse(
            Path::new("p.toml"),
            "[reproduce]\nmode = \"contents\"\naccept-unverified = [\"version\", \"dependencies\"]\n",
        )
        .unwrap();
        let r = p.reproduce.unwrap();
        assert_eq!(r.accept_unverified, ["version", "dependencies"]);
        let e = Policy::parse(
            Path::new("p.toml"),
            "[reproduce]\nmode = \"contents\"\naccept-unverified = [\"Version\"]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("p.toml:3") && e.contains("Version"), "{e}");
    }

    #[test]
    fn every_bad_value_names_its_line() {
        let e = Policy::parse(
            Path::new("p.toml"),
            "[reproduce]\nmode = \"rebuild\"\ncommand = []\ntimeout = \"soon\"\naccept = \"bytes\"\n\
             outputs = [\"[\"]\nbuild-path = \"rel\"\nallow-extra = [\"x\"]\n",
        )
        .unwrap_err()
        .to_string();
        for needle in [
            "p.toml:3:11",
            "p.toml:4:11",
            "p.toml:5:10",
            "p.toml:6:12",
            "p.toml:7:14",
            "p.toml:8:16",
        ] {
            assert!(e.contains(needle), "{needle} missing in:\n{e}");
        }
        let e = Policy::parse(Path::new("p.toml"), "[reproduce]\nmode = \"rebuild\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("needs a command") && e.contains("p.toml:2:8"),
            "{e}"
        );
        let e = Policy::parse(
            Path::new("p.toml"),
            "[reproduce]\nmode = \"fast\"\nfoo = 1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("foo"), "{e}");
    }
}

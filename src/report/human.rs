//! The human report: one line per artifact, what was verified about it, then one line per
//! failed or not-performed check with its code. Colour only when asked (a terminal without
//! `NO_COLOR`); the words carry the meaning on their own.

use std::fmt::Write;

use super::{ArtifactVerdict, RunVerdict, Verdict};
use crate::check::Outcome;

const RED: &str = "\x1b[1;31m";
const GREEN: &str = "\x1b[1;32m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

struct Paint(bool);

impl Paint {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }
}

/// The report as text for a person; `color` adds ANSI colours.
pub fn render_human(report: &RunVerdict, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    for a in &report.artifacts {
        let word = match a.verdict {
            Verdict::Pass => p.paint(GREEN, "PASS"),
            Verdict::Fail => p.paint(RED, "FAIL"),
        };
        let _ = writeln!(out, "{word} {}", a.name);
        if let Some(top) = a
            .sections
            .source
            .as_ref()
            .and_then(|s| s.checkout.repository.as_deref())
        {
            let _ = writeln!(
                out,
                "  {} {top} (encloses {}; the whole checkout is judged)",
                p.paint(DIM, "repository:"),
                a.sections
                    .source
                    .as_ref()
                    .map_or(a.name.as_str(), |s| s.checkout.path.as_str())
            );
        }
        verified_lines(a, &p, &mut out);
        if report.command == "verify" {
            chain_lines(a, &p, &mut out);
        }
        problem_lines(a, &p, &mut out);
    }
    for (key, text) in report.notes.headline() {
        if key == "trusted_root" {
            let _ = writeln!(out, "trusted root: {text}");
        } else if key == "stat_cache" {
            let _ = writeln!(out, "stat cache: {text}");
        } else if key == "default_builders" {
            let _ = writeln!(out, "keyless signers trusted by default: {text}");
        } else {
            let _ = writeln!(out, "{} {text}", p.paint(YELLOW, "warning:"));
        }
    }
    let failed = report
        .artifacts
        .iter()
        .filter(|a| a.verdict == Verdict::Fail)
        .count();
    let word = match report.verdict {
        Verdict::Pass => p.paint(GREEN, "pass"),
        Verdict::Fail => p.paint(RED, "fail"),
    };
    let _ = writeln!(
        out,
        "verdict: {word} ({failed} of {} artifact{} failed)",
        report.artifacts.len(),
        if report.artifacts.len() == 1 { "" } else { "s" }
    );
    if failed > 0 {
        let _ = writeln!(
            out,
            "{}",
            p.paint(
                DIM,
                "run `custody explain CODE` for what a code means and how to fix it"
            )
        );
    }
    out
}

/// One line per link of the chain of custody, with its outcome: failed if any of its checks
/// failed, not performed if one was not and none failed, passed if every check passed, and
/// not checked (with what would check it) when nothing looked at it.
fn chain_lines(a: &crate::verdict::ArtifactVerdict, p: &Paint, out: &mut String) {
    use crate::codes::Link;
    // Each check's link, looked up once (a review can list thousands of checks).
    let links: Vec<(Option<Link>, &crate::check::Check)> = a
        .checks
        .iter()
        .map(|c| (crate::codes::link(c.code), c))
        .collect();
    for link in Link::ALL {
        let checks: Vec<&crate::check::Check> = links
            .iter()
            .filter(|(l, _)| *l == Some(link))
            .map(|(_, c)| *c)
            .collect();
        let count = |o: Outcome| checks.iter().filter(|c| c.outcome == o).count();
        let (fail, not_performed, pass) = (
            count(Outcome::Fail),
            count(Outcome::NotPerformed),
            count(Outcome::Pass),
        );
        let word = if fail > 0 {
            p.paint(RED, "fail")
        } else if not_performed > 0 {
            p.paint(YELLOW, "not performed")
        } else if pass > 0 {
            p.paint(GREEN, "pass")
        } else {
            p.paint(DIM, "not checked")
        };
        let unverified = a.checks.iter().any(|c| {
            c.is(crate::checks::subject::Code::NoMatchingSubject) && c.outcome == Outcome::Fail
        });
        let how = if checks.is_empty() {
            match link {
                Link::Provenance if unverified => " (no verified statement names the artifact)",

                Link::Signature => "",
                Link::Provenance => " (no provenance rule: --source-uri, --builder-id or a policy)",
                Link::SourceBinding | Link::Checkout => " (no --source)",
                Link::Review if a.sections.source.is_none() => " (no --source)",
                Link::Review => " (no [review] rules in the policy)",
                Link::Reproduction => " (no [reproduce] in the policy)",
            }
            .to_owned()
        } else {
            let n = checks.len();
            format!(" ({n} check{})", if n == 1 { "" } else { "s" })
        };
        let _ = writeln!(out, "  {:<18}{word}{how}", format!("{}:", link.name()));
    }
}

/// Problems shown per code before the rest are counted: a policy over ten thousand commits must
/// not print ten thousand lines. JSON and SARIF list every one.
const SHOWN_PER_CODE: usize = 5;

/// One line per failed or not-performed check, at most [`SHOWN_PER_CODE`] per code, then how
/// many more; and, when any code was cut short, the counts per code.
fn problem_lines(a: &crate::verdict::ArtifactVerdict, p: &Paint, out: &mut String) {
    let mut per_code: Vec<(&str, usize)> = Vec::new();
    for c in a.checks.iter().filter(|c| c.outcome != Outcome::Pass) {
        match per_code.iter_mut().find(|(code, _)| *code == c.code) {
            Some((_, n)) => *n += 1,
            None => per_code.push((c.code, 1)),
        }
    }
    let mut shown: Vec<(&str, usize)> = Vec::new();
    for c in &a.checks {
        let mark = match c.outcome {
            Outcome::Pass => continue,
            Outcome::Fail => p.paint(RED, "fail"),
            _ => p.paint(YELLOW, "not performed"),
        };
        let seen = match shown.iter_mut().find(|(code, _)| *code == c.code) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                shown.push((c.code, 1));
                1
            }
        };
        let total = per_code
            .iter()
            .find(|(code, _)| *code == c.code)
            .map_or(0, |(_, n)| *n);
        if seen <= SHOWN_PER_CODE {
            let _ = writeln!(out, "  {mark} [{}] {}", c.code, c.message);
        }
        if seen == SHOWN_PER_CODE + 1 {
            let _ = writeln!(
                out,
                "  {mark} [{}] ... and {} more like these (every one is in --format json)",
                c.code,
                total - SHOWN_PER_CODE
            );
        }
    }
    if per_code.iter().any(|(_, n)| *n > SHOWN_PER_CODE) {
        let counts: Vec<String> = per_code
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect();
        let _ = writeln!(out, "  problems by code: {}", counts.join(", "));
    }
}

/// One line per verified attestation: predicate type, builder, source, signer.
fn verified_lines(a: &ArtifactVerdict, p: &Paint, out: &mut String) {
    let Some(list) = &a.sections.verified else {
        return;
    };
    for v in list {
        let mut parts = Vec::new();
        if let Some(t) = &v.predicate_type {
            parts.push(t.clone());
        }
        if let Some(b) = &v.builder_id {
            parts.push(format!("builder {b}"));
        }
        if let Some(src) = &v.source
            && let Some(repo) = &src.repository
        {
            let mut text = format!("source {repo}");
            if let Some(r) = &src.git_ref {
                let _ = write!(text, "@{r}");
            }
            if let Some(c) = &src.commit {
                let _ = write!(text, " ({})", &c[..c.len().min(12)]);
            }
            parts.push(text);
        }
        let names: Vec<&str> = v.signers.iter().map(|s| s.name()).collect();
        if !names.is_empty() {
            parts.push(format!("signed by {}", names.join(", ")));
        }
        let _ = writeln!(out, "  {} {}", p.paint(DIM, "verified:"), parts.join("; "));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::check::Check;
    use crate::checks::subject::Code as Subject;
    use crate::sigstore::codes::Code as Sigstore;
    use crate::verdict::Sections;

    fn report() -> RunVerdict {
        let ok = ArtifactVerdict::new(
            "a",
            BTreeMap::new(),
            vec![Check::pass(Subject::SubjectMatched, "fine")],
            Sections::default(),
        );
        let bad = ArtifactVerdict::new(
            "b",
            BTreeMap::new(),
            vec![
                Check::fail(Subject::NoMatchingSubject, "nothing names b"),
                Check::not_performed(Sigstore::TlogNotPerformed, "not checked"),
            ],
            Sections::default(),
        );
        RunVerdict::new("verify", vec![ok, bad])
    }

    #[test]
    fn plain_text_has_one_line_per_problem_with_its_code() {
        let mut run = report();
        run.command = "compare";
        let text = render_human(&run, false);
        assert_eq!(
            text,
            "PASS a\nFAIL b\n  fail [no-matching-subject] nothing names b\n  \
             not performed [tlog-not-performed] not checked\n\
             verdict: fail (1 of 2 artifacts failed)\n\
             run `custody explain CODE` for what a code means and how to fix it\n"
        );
    }

    #[test]
    fn verify_walks_the_chain_one_line_per_link() {
        let text = render_human(&report(), false);
        let b = &text[text.find("FAIL b").unwrap()..];
        assert!(
            b.starts_with(
                "FAIL b\n  signature:        fail (2 checks)\n  provenance:       not checked"
            ),
            "{text}"
        );
        assert!(
            text.contains("PASS a\n  signature:        pass (1 check)\n"),
            "{text}"
        );
        assert_eq!(
            text.matches("contents/rebuild: not checked").count(),
            2,
            "{text}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let text = render_human(&report(), true);
        assert!(text.contains("\x1b[1;32mPASS\x1b[0m a"));
        assert!(text.contains("\x1b[1;31mfail\x1b[0m [no-matching-subject]"));
        assert!(!render_human(&report(), false).contains('\x1b'));
    }
}

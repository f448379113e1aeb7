//! `shellcheck`: every `run` script checked by the `shellcheck` program, when it is available.

use super::Rule;
use super::env_vars::job_shell;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::config::model::StepOwner;
use crate::config::orb_source::Part;
use crate::config::settings::Settings;
use crate::lang::shellcheck::{self, Checker, Script};
use std::collections::HashSet;

pub static SHELLCHECK: Rule = Rule {
    id: "shellcheck",
    severity: Severity::Warning,
    summary: "a `run` script has a problem that shellcheck finds (needs the shellcheck program)",
    explanation: include_str!("docs/shellcheck.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

/// The scripts of every `run` step of the config, each once, with the shell that runs it.
pub fn scripts<'a>(cx: &Context<'a>) -> Vec<Script<'a>> {
    let mut seen: HashSet<Span> = HashSet::new();
    let mut out = Vec::new();
    for scope in cx.scopes() {
        for (owner, st) in scope.config.all_steps() {
            let Some(node) = st.run_command() else {
                continue;
            };
            let Some(text) = node.as_str() else { continue };
            if text.trim().is_empty() || !seen.insert(node.span) {
                continue;
            }
            let step_shell = st
                .args
                .and_then(|a| a.get("shell"))
                .and_then(|s| s.as_str());
            let shell = step_shell.or(match owner {
                StepOwner::Job(job) => job_shell(&scope, job),
                _ => None,
            });
            // A script with its own interpreter line for something else is not shell.
            if let Some(first) = text.lines().next()
                && first.starts_with("#!")
                && shellcheck::dialect(Some(first.trim_start_matches("#!").trim())).is_none()
            {
                continue;
            }
            if crate::lang::shell::looks_like_powershell(text) {
                continue;
            }
            if let Some(dialect) = shellcheck::dialect(shell) {
                out.push(Script {
                    node,
                    dialect,
                    errexit: shellcheck::errexit(shell),
                });
            }
        }
    }
    out
}

/// The checker for a file: the run's (when it runs the same program and cache), else one of
/// the file's own, in `local`.
pub fn checker<'c>(
    settings: &Settings,
    shared: Option<&'c Checker>,
    local: &'c mut Option<Checker>,
) -> Option<&'c Checker> {
    let bin = settings.shellcheck.as_deref()?;
    let cache = settings.shellcheck_cache.as_deref();
    match shared {
        Some(c) if c.bin() == bin && c.cache_dir() == cache => Some(c),
        _ => Some(local.insert(Checker::new(bin, cache))),
    }
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut local = None;
    let Some(checker) = checker(cx.settings, cx.shellcheck, &mut local) else {
        return;
    };
    let scripts = scripts(cx);
    for f in shellcheck::check_scripts(checker, cx.source, &scripts) {
        let c = &f.comment;
        out.push(
            SHELLCHECK
                .at(f.span, format!("SC{}: {}", c.code, c.message))
                .label(format!("shellcheck {}", c.level))
                .severity(c.severity())
                .help(format!(
                    "see https://www.shellcheck.net/wiki/SC{} (or add `# shellcheck disable=SC{}` on the line before, in the script)",
                    c.code, c.code
                )),
        );
    }
}

/// The dialect of a script an orb source folder includes: from its `#!` line, else `bash` for a
/// `.sh` or `.bash` file; `None` when it is not a shell script.
pub fn included_dialect(part: &Part) -> Option<&'static str> {
    let first = part.text.lines().next().unwrap_or("");
    match first.strip_prefix("#!") {
        Some(interp) => shellcheck::dialect(Some(interp.trim())),
        None if part.rel.ends_with(".sh") || part.rel.ends_with(".bash") => Some("bash"),
        None => None,
    }
}

/// Run shellcheck on the scripts an orb source folder includes (`<<include(scripts/x.sh)>>`),
/// all at once: each finding in its script file.
pub fn check_scripts(checker: &Checker, included: &[&Part]) -> Vec<Diagnostic> {
    let texts: Vec<Option<(String, &'static str)>> = included
        .iter()
        .map(|part| included_dialect(part).map(|d| (shellcheck::with_placeholders(&part.text), d)))
        .collect();
    let asked: Vec<(&str, &'static str)> = texts
        .iter()
        .flatten()
        .map(|(t, d)| (t.as_str(), *d))
        .collect();
    checker.prepare(&asked);
    let found: Vec<Vec<Diagnostic>> = included
        .iter()
        .zip(&texts)
        .map(|(part, text)| {
            let Some((_, dialect)) = text else {
                return Vec::new();
            };
            shellcheck::check_text(checker, &part.text, dialect)
                .into_iter()
                .map(|(a, b, c)| {
                    SHELLCHECK
                        .at(part.span(a, b), format!("SC{}: {}", c.code, c.message))
                        .label(format!("shellcheck {}", c.level))
                        .severity(c.severity())
                        .help(format!(
                            "see https://www.shellcheck.net/wiki/SC{} (or add `# shellcheck disable=SC{}` on the line before)",
                            c.code, c.code
                        ))
                })
                .collect()
        })
        .collect();
    found.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::env_vars::tests::run_rule;

    #[test]
    fn scripts_and_their_shells() {
        let src = "version: 2.1\njobs:\n  a:\n    docker: [{image: cimg/base:2024.01}]\n    shell: /bin/sh\n    steps:\n      - run: echo a\n      - run:\n          shell: python3\n          command: print(1)\n      - run: |\n          #!/usr/bin/env python3\n          print(2)\n      - run:\n          shell: bash\n          command: echo b\n";
        let got: Vec<(String, &str)> =
            crate::analysis::context::with_context(src, "t.yml", &Settings::default(), |cx| {
                scripts(cx)
                    .iter()
                    .map(|s| (s.node.as_str().unwrap_or("").to_string(), s.dialect))
                    .collect()
            });
        assert_eq!(
            got,
            vec![("echo a".to_string(), "sh"), ("echo b".to_string(), "bash")]
        );
    }

    /// The scripts of the real configs of the corpus (`../shared/corpus/real`): checked many
    /// per process, shellcheck says about each exactly what it says about it alone on standard
    /// input (a sample of a few hundred distinct scripts, to keep the test short).
    #[test]
    fn batched_answers_are_those_of_one_process_per_script_on_the_corpus() {
        let Some(bin) = crate::lang::shellcheck::batch::tests::shellcheck_or_skip() else {
            return;
        };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("../shared/corpus/real is missing, and CI=true requires every test to run");
            }
            eprintln!("skipped: ../shared/corpus/real is missing");
            return;
        };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        let mut all: Vec<(String, &'static str)> = Vec::new();
        for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "yml")) {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            crate::analysis::context::with_context(&text, "c.yml", &Settings::default(), |cx| {
                for s in scripts(cx) {
                    if let Some(t) = s.node.as_str() {
                        all.push((shellcheck::with_placeholders(t), s.dialect));
                    }
                }
            });
        }
        all.sort();
        all.dedup();
        assert!(all.len() > 1000, "{} scripts", all.len());
        let sample: Vec<(&str, &'static str)> = all
            .iter()
            .step_by(all.len() / 300)
            .map(|(t, d)| (t.as_str(), *d))
            .collect();
        let checker = Checker::new(&bin, None);
        checker.prepare(&sample);
        for &(script, dialect) in &sample {
            let alone = shellcheck::run(&bin, script, dialect).expect("shellcheck runs");
            let batched = checker.answer(script, dialect).expect("an answer");
            assert_eq!(batched.to_vec(), alone, "{script:?}");
        }
    }

    #[test]
    fn off_without_a_binary() {
        let src = "version: 2.1\njobs:\n  a:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run: cd /tmp; echo $1\n";
        assert!(run_rule(&SHELLCHECK, src, &Settings::default()).is_empty());
    }

    #[test]
    fn with_shellcheck_installed() {
        let Some(bin) = shellcheck::find_on_path() else {
            eprintln!("shellcheck not installed: skipped");
            return;
        };
        let settings = Settings {
            shellcheck: Some(bin),
            ..Settings::default()
        };
        let src = "version: 2.1\njobs:\n  a:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run:\n          command: |\n            cd /tmp\n            echo $1 $NOT_SET\n";
        let found = run_rule(&SHELLCHECK, src, &settings);
        let got: Vec<(&str, Severity, &str)> = found
            .iter()
            .map(|d| {
                (
                    d.message.split(':').next().unwrap_or(""),
                    d.severity,
                    d.primary.span.slice(src),
                )
            })
            .collect();
        // CircleCI's default shell (`/bin/bash -eo pipefail`) stops at a failing `cd`: no
        // SC2164; a `shell:` without `-e` gets it.
        assert_eq!(
            got,
            vec![
                ("SC2086", Severity::Info, "$1"),
                ("SC2086", Severity::Info, "$NOT_SET"),
            ]
        );
        let plain = src.replace("          command: |", "          shell: /bin/bash\n          command: |");
        let codes: Vec<String> = run_rule(&SHELLCHECK, &plain, &settings)
            .iter()
            .map(|d| d.message.split(':').next().unwrap_or("").to_string())
            .collect();
        assert_eq!(codes, ["SC2164", "SC2086", "SC2086"]);
        // The doc's examples: the bad one fires, the good one does not.
        let doc = SHELLCHECK.explanation;
        let block = |h: &str| {
            let rest = &doc[doc.find(h).expect("heading")..];
            let start = rest.find("```yaml\n").expect("block") + 8;
            let end = rest[start..].find("```").expect("end");
            rest[start..start + end].to_string()
        };
        assert!(!run_rule(&SHELLCHECK, &block("## Bad"), &settings).is_empty());
        assert!(run_rule(&SHELLCHECK, &block("## Good"), &settings).is_empty());
    }
}

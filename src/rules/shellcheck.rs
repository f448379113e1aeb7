//! `shellcheck`: every `run` script checked by the `shellcheck` program, when it is available.

use super::Rule;
use super::env_vars::job_shell;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::config::model::StepOwner;
use crate::config::orb_source::Part;
use crate::lang::shellcheck::{self, Script};
use std::collections::HashSet;
use std::path::Path;

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

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(bin) = cx.settings.shellcheck.as_deref() else {
        return;
    };
    let scripts = scripts(cx);
    for f in shellcheck::check_scripts(bin, cx.source, &scripts) {
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

/// Run shellcheck on the scripts an orb source folder includes (`<<include(scripts/x.sh)>>`),
/// in parallel: each finding in its script file.
pub fn check_scripts(bin: &Path, included: &[&Part]) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let found: Vec<Vec<Diagnostic>> = included
        .par_iter()
        .map(|part| {
            let first = part.text.lines().next().unwrap_or("");
            let dialect = match first.strip_prefix("#!") {
                Some(interp) => match crate::lang::shellcheck::dialect(Some(interp.trim())) {
                    Some(d) => d,
                    None => return Vec::new(), // not a shell script
                },
                None if part.rel.ends_with(".sh") || part.rel.ends_with(".bash") => "bash",
                None => return Vec::new(),
            };
            crate::lang::shellcheck::check_text(bin, &part.text, dialect)
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
    use crate::config::settings::Settings;
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

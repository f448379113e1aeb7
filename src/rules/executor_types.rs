//! `executor-conflict`: a job (or executor) that names more than one executor type.
//!
//! CircleCI's configuration reference marks `docker`, `machine`, `macos`, `windows` and
//! `executor` as exclusive: "Specify one executor type per job. If you set more than one,
//! CircleCI returns an error." (the footnote of the job and executor tables). A job with
//! `executor: name` and its own `docker:` is the common case, often left by a refactoring that
//! moved the image into an executor.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::yaml::Node;
use std::collections::HashSet;

pub static EXECUTOR_CONFLICT: Rule = Rule {
    id: "executor-conflict",
    severity: Severity::Error,
    summary: "a job or executor sets more than one executor type (`docker`, `machine`, `macos`, `windows`, `executor`)",
    explanation: include_str!("docs/executor-conflict.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

/// The keys of which a job or an executor may set one.
const EXECUTOR_KEYS: &[&str] = &["docker", "machine", "macos", "windows", "executor"];

/// The executor-type keys a job or executor body sets (a key whose value is null sets nothing).
fn executor_keys(body: &Node) -> Vec<&Node> {
    body.as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|(k, v)| k.scalar_text().is_some_and(|t| EXECUTOR_KEYS.contains(&t)) && !v.is_null())
        .map(|(k, _)| k)
        .collect()
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for scope in cx.scopes() {
        let cfg = scope.config;
        let bodies = cfg
            .jobs
            .iter()
            .map(|j| (format!("job `{}`{}", j.name.text, scope.suffix()), j.node))
            .chain(cfg.executors.iter().map(|e| {
                (format!("executor `{}`{}", e.name.text, scope.suffix()), e.node)
            }));
        for (what, body) in bodies {
            let keys = executor_keys(body);
            let [first, rest @ ..] = keys.as_slice() else {
                continue;
            };
            for again in rest {
                let span = again.use_span();
                if !seen.insert(span) {
                    continue;
                }
                let (a, b) = (
                    first.scalar_text().unwrap_or(""),
                    again.scalar_text().unwrap_or(""),
                );
                let mut d = EXECUTOR_CONFLICT
                    .at(
                        span,
                        format!("{what} sets both `{a}` and `{b}`: CircleCI takes one executor type per job and rejects the config"),
                    )
                    .label(format!("a second executor type: `{b}`"))
                    .with_label(first.use_span(), format!("`{a}` here"))
                    .help(if a == "executor" || b == "executor" {
                        let other = if a == "executor" { b } else { a };
                        format!("keep one: remove `{other}` and let the executor say where the job runs, or remove `executor` and keep `{other}`")
                    } else {
                        format!("keep one of `{a}` and `{b}`")
                    });
                if let Some(alias) = again.alias {
                    d = d.with_label(alias, "merged in here");
                }
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EXECUTOR_CONFLICT;
    use crate::config::settings::Settings;
    use crate::rules::env_vars::tests::run_rule;

    fn found(job: &str) -> Vec<String> {
        let src = format!(
            "version: 2.1\nexecutors:\n  e:\n    docker: [{{image: cimg/base:2024.01}}]\njobs:\n  a:\n{job}    steps: [checkout]\nworkflows:\n  w:\n    jobs: [a]\n"
        );
        run_rule(&EXECUTOR_CONFLICT, &src, &Settings::default())
            .iter()
            .map(|d| d.primary.span.slice(&src).to_string())
            .collect()
    }

    #[test]
    fn one_executor_type_per_job() {
        assert_eq!(found("    executor: e\n    docker: [{image: alpine:3.19}]\n"), ["docker"]);
        assert_eq!(
            found("    docker: [{image: alpine:3.19}]\n    machine: {image: ubuntu-2204:2024.01.1}\n"),
            ["machine"]
        );
        assert!(found("    executor: e\n").is_empty());
        assert!(found("    executor: e\n    docker:\n    resource_class: large\n").is_empty());
        assert!(found("    machine: true\n").is_empty());
    }
}

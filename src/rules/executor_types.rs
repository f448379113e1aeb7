//! `executor-conflict`: a job (or executor) that names more than one executor type.
//!
//! CircleCI's configuration reference marks `docker`, `machine`, `macos` and `windows` as
//! exclusive: "Specify one executor type per job. If you set more than one, CircleCI returns an
//! error." (the footnote of the job and executor tables). `executor:` beside one of them is
//! different: CircleCI's reusable-config guide says the job's own keys override the executor's,
//! "if your job declares a `docker` stanza, it will be used, in its entirety, instead of the one
//! in your executor" (hathach/tinyusb has run a setup job with `executor: continuation/default`
//! and its own `docker:` since 2024). So a job's `docker:` under an executor that is also a
//! docker executor is an override (an info: the executor's image is never used), and only a
//! job whose own type differs from its executor's, which leaves the job with two types, is an
//! error. An executor from an orb or a parameter is not looked into.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::model::Config;
use crate::yaml::Node;
use std::collections::HashSet;

pub static EXECUTOR_CONFLICT: Rule = Rule {
    id: "executor-conflict",
    severity: Severity::Error,
    summary: "a job or executor sets more than one executor type (`docker`, `machine`, `macos`, `windows`), directly or with its executor",
    explanation: include_str!("docs/executor-conflict.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

/// The executor types, of which a job or an executor may have one.
const TYPE_KEYS: &[&str] = &["docker", "machine", "macos", "windows"];

/// The executor-type keys a job or executor body sets (a key whose value is null sets nothing).
fn type_keys(body: &Node) -> Vec<&Node> {
    body.as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|(k, v)| k.scalar_text().is_some_and(|t| TYPE_KEYS.contains(&t)) && !v.is_null())
        .map(|(k, _)| k)
        .collect()
}

/// The types a local executor has (following `name: other` chains a few steps), or `None`
/// when it is not one of the config's own.
fn local_types<'a>(cfg: &'a Config<'a>, name: &str) -> Option<Vec<&'a str>> {
    let mut name = name;
    for _ in 0..8 {
        let e = cfg.executor(name)?;
        match e.refers_to {
            Some(other) => name = other.text,
            None => {
                return Some(
                    type_keys(e.node)
                        .iter()
                        .filter_map(|k| k.scalar_text())
                        .collect(),
                );
            }
        }
    }
    None
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for scope in cx.scopes() {
        let cfg = scope.config;
        let bodies = cfg
            .jobs
            .iter()
            .map(|j| {
                let what = format!("job `{}`{}", j.name.text, scope.suffix());
                (what, j.node, j.executor.as_ref())
            })
            .chain(cfg.executors.iter().map(|e| {
                (format!("executor `{}`{}", e.name.text, scope.suffix()), e.node, None)
            }));
        for (what, body, executor) in bodies {
            let keys = type_keys(body);
            // Two types written in the same body.
            if let [first, rest @ ..] = keys.as_slice() {
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
                        .help(format!("keep one of `{a}` and `{b}`"));
                    if let Some(alias) = again.alias {
                        d = d.with_label(alias, "merged in here");
                    }
                    out.push(d);
                }
            }
            // A job's own type beside its executor's.
            if keys.len() != 1 {
                continue;
            }
            let Some((exec_key, exec_name)) = executor.and_then(|e| Some((e.key, e.name?.text)))
            else {
                continue;
            };
            let Some(types) = local_types(cfg, exec_name) else {
                continue;
            };
            let own = keys[0];
            let own_type = own.scalar_text().unwrap_or("");
            let span = own.use_span();
            if types.is_empty() || !seen.insert(span) {
                continue;
            }
            if types.contains(&own_type) {
                out.push(
                    EXECUTOR_CONFLICT
                        .at(
                            span,
                            format!("{what} has its own `{own_type}`, which replaces the whole `{own_type}` of executor `{exec_name}`: the executor's images are never used"),
                        )
                        .severity(Severity::Info)
                        .label("replaces the executor's")
                        .with_label(exec_key.use_span(), format!("executor `{exec_name}`"))
                        .help(format!("if the job is meant to run in the executor, remove this `{own_type}`; if not, and nothing else of the executor is needed, remove `executor`")),
                );
            } else {
                let theirs = types.join("` and `");
                out.push(
                    EXECUTOR_CONFLICT
                        .at(
                            span,
                            format!("{what} sets `{own_type}`, and its executor `{exec_name}` sets `{theirs}`: the job would have two executor types, which CircleCI rejects"),
                        )
                        .label(format!("a second executor type: `{own_type}`"))
                        .with_label(exec_key.use_span(), format!("executor `{exec_name}` (`{theirs}`)"))
                        .help(format!("keep one: remove `{own_type}` and let the executor say where the job runs, or remove `executor` and keep `{own_type}`")),
                );
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

    fn severities(job: &str) -> Vec<String> {
        let src = format!(
            "version: 2.1\nexecutors:\n  e:\n    docker: [{{image: cimg/base:2024.01}}]\njobs:\n  a:\n{job}    steps: [checkout]\nworkflows:\n  w:\n    jobs: [a]\n"
        );
        run_rule(&EXECUTOR_CONFLICT, &src, &Settings::default())
            .iter()
            .map(|d| d.severity.to_string())
            .collect()
    }

    #[test]
    fn one_executor_type_per_job() {
        // The job's own `docker` replaces the docker executor's (an info); a `machine` beside a
        // docker executor leaves the job with two types (an error).
        assert_eq!(found("    executor: e\n    docker: [{image: alpine:3.19}]\n"), ["docker"]);
        assert_eq!(
            severities("    executor: e\n    docker: [{image: alpine:3.19}]\n"),
            ["info"]
        );
        assert_eq!(
            severities("    executor: e\n    machine: {image: ubuntu-2204:2024.01.1}\n"),
            ["error"]
        );
        // An orb's executor or one chosen by a parameter is not looked into.
        assert!(found("    executor: orb/default\n    docker: [{image: alpine:3.19}]\n").is_empty());
        assert_eq!(
            found("    docker: [{image: alpine:3.19}]\n    machine: {image: ubuntu-2204:2024.01.1}\n"),
            ["machine"]
        );
        assert!(found("    executor: e\n").is_empty());
        assert!(found("    executor: e\n    docker:\n    resource_class: large\n").is_empty());
        assert!(found("    machine: true\n").is_empty());
    }
}

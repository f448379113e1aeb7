//! `missing-executor`: a job that says nowhere where it runs.

use super::Rule;
use crate::config::schema::SchemaProblem;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};

pub static MISSING_EXECUTOR: Rule = Rule {
    id: "missing-executor",
    severity: Severity::Error,
    summary: "a job has none of `docker`, `machine`, `macos` or `executor`, so it runs nowhere",
    explanation: include_str!("docs/missing-executor.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        for job in scope.config.jobs.iter().filter(|j| j.lacks_executor()) {
            // A job setting written directly under `jobs:` (`parameters:` one level too high)
            // is read as a job; the schema check says so at its name, once for the mistake.
            if cx.schema().iter().any(|f| {
                f.kind == SchemaProblem::InvalidValue && f.primary.span == job.name.span
            }) {
                continue;
            }
            out.push(
                MISSING_EXECUTOR
                    .at(
                        job.name.span,
                        format!(
                            "job `{}` has no executor: none of `docker`, `machine`, `macos` or `executor`{}",
                            job.name,
                            scope.suffix()
                        ),
                    )
                    .label("runs nowhere")
                    .help("say where the job runs: `docker: [{image: cimg/base:2024.02}]`, `machine: {image: ubuntu-2204:current}`, `macos: {xcode: ...}`, or `executor: NAME`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MISSING_EXECUTOR;
    use crate::config::settings::Settings;
    use crate::rules::env_vars::tests::run_rule;

    #[test]
    fn a_setting_written_under_jobs_is_reported_once_by_the_schema() {
        // `parameters:` one level too high: the schema check reports it as misplaced, and it
        // is not also a job without an executor. A job that really has none still is.
        let src = "version: 2.1\njobs:\n  parameters:\n    org: {type: string, default: o}\n  build:\n    steps: [checkout]\nworkflows:\n  w:\n    jobs: [build]\n";
        let found = run_rule(&MISSING_EXECUTOR, src, &Settings::default());
        let names: Vec<&str> = found.iter().map(|d| d.primary.span.slice(src)).collect();
        assert_eq!(names, ["build"], "{found:?}");
    }
}

//! `missing-executor`: a job that says nowhere where it runs.

use super::Rule;
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

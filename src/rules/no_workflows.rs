//! `no-workflows`: a config defines jobs, but nothing runs them.
//!
//! Without `workflows:`, CircleCI runs the job named `build` (the graph module models it as an
//! implicit workflow); when there is no such job, the pipeline fails with "Cannot find a job
//! named `build` to run in the `jobs:` section".

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::model::Version;

pub static NO_WORKFLOWS: Rule = Rule {
    id: "no-workflows",
    severity: Severity::Error,
    summary: "the config defines jobs but no workflow runs them, and there is no `build` job to run without one",
    explanation: include_str!("docs/no-workflows.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    if cx.is_orb_source() {
        return; // an orb has no workflows: what it defines, configs run
    }
    let cfg = cx.config;
    if cfg.jobs.is_empty() || !matches!(cfg.version(), Some(Version::V2 | Version::V21)) {
        return;
    }
    if !cx.graphs.workflows.is_empty() {
        return;
    }
    let (span, what) = match (cfg.workflows_key, cfg.jobs_key) {
        (Some(w), _) => (w.span, "`workflows:` defines no workflow"),
        (None, Some(j)) => (j.span, "the config has no `workflows:`"),
        (None, None) => return,
    };
    let first = cfg.jobs[0].name;
    out.push(
        NO_WORKFLOWS
            .at(
                span,
                format!(
                    "{what}, and there is no job named `build` that CircleCI would run without one, so none of the {} job(s) ever runs",
                    cfg.jobs.len()
                ),
            )
            .label("nothing runs these jobs")
            .help(format!(
                "add a workflow that lists the jobs to run, for example `workflows:` / `main:` / `jobs:` / `- {first}`"
            )),
    );
}

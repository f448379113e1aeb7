//! `context-overexposed`: a job holding a context's secrets, or running on a self-hosted
//! runner, runs for every branch anyone pushes.
//!
//! A context's variables reach every job that names it. When such a job has no branch filter
//! and no approval hold before it, anyone who can push a branch runs it with those secrets (and
//! can change what it runs on that branch). CircleCI's restricted contexts and project
//! restrictions limit who may use a context; cilint cannot see those settings, so contexts
//! named like production or release credentials are a warning and others an info. A
//! self-hosted runner (`resource_class: namespace/name`) that runs every branch's jobs runs
//! their code on the organisation's own machines: a warning.

use super::Rule;
use super::exposure::Reach;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Confidence, Diagnostic, Severity};
use crate::base::span::Span;
use crate::yaml::Node;
use std::collections::HashSet;

pub static CONTEXT_OVEREXPOSED: Rule = Rule {
    id: "context-overexposed",
    severity: Severity::Warning,
    summary: "a job with a context (or on a self-hosted runner) runs for every branch, with no filter or approval before it",
    explanation: include_str!("docs/context-overexposed.md"),
    // CWE-668: exposure of resource to wrong sphere.
    category: super::Category::Security { cwe: 668, score: 50 },
    check: Some(check),
};

/// Whether a context's name says it holds production or release credentials.
fn sensitive(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["prod", "deploy", "release", "publish", "live", "admin", "signing"]
        .iter()
        .any(|w| n.contains(w))
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let reach = Reach::of(cx);
    // Context name -> the `context:` entries of the jobs that expose it, in order.
    let mut by_context: Vec<(&str, Vec<(Span, String)>)> = Vec::new();
    let mut seen = HashSet::new();
    for (w, wg) in cx.graphs.workflows.iter().enumerate() {
        for (v, node) in wg.nodes() {
            if node.is_approval() || !reach.any_branch(w, v) {
                continue;
            }
            for c in node.context {
                if c.text.contains("<<") || !seen.insert(c.span) {
                    continue;
                }
                match by_context.iter_mut().find(|(name, _)| *name == c.text) {
                    Some((_, jobs)) => jobs.push((c.span, node.name.clone())),
                    None => by_context.push((c.text, vec![(c.span, node.name.clone())])),
                }
            }
            let Some(job) = node.definition else { continue };
            let class = job.node.get("resource_class").or_else(|| {
                job.executor
                    .as_ref()
                    .and_then(|e| e.name)
                    .and_then(|n| cx.config.executor(n.text))
                    .and_then(|e| e.node.get("resource_class"))
            });
            let Some(class) = class.filter(|c| is_runner(c)) else {
                continue;
            };
            if !seen.insert(class.use_span()) {
                continue;
            }
            out.push(
                CONTEXT_OVEREXPOSED
                    .at(
                        class.use_span(),
                        format!(
                            "`{}` runs on the self-hosted runner `{}` for every branch: code from any branch anyone pushes runs on the organisation's own machine",
                            node.name,
                            class.as_str().unwrap_or("")
                        ),
                    )
                    .confidence(Confidence::Medium)
                    .label("self-hosted runner on every branch")
                    .help("filter the job to the branches that need the runner, or put an approval hold before it"),
            );
        }
    }
    for (name, jobs) in by_context {
        let (severity, confidence) = if sensitive(name) {
            (Severity::Warning, Confidence::Medium)
        } else {
            (Severity::Info, Confidence::Low)
        };
        let (first_span, first_job) = &jobs[0];
        let others: Vec<String> = jobs[1..].iter().map(|(_, j)| format!("`{j}`")).collect();
        let who = if others.is_empty() {
            format!("`{first_job}` runs")
        } else {
            format!("`{first_job}` and {} more job{} run", others.len(), if others.len() == 1 { "" } else { "s" })
        };
        let mut d = CONTEXT_OVEREXPOSED
            .at(
                *first_span,
                format!(
                    "{who} with context `{name}` on any branch, with no branch filter that keeps it to some and no approval before {}: anyone who can push a branch gets the context's secrets",
                    if others.is_empty() { "it" } else { "them" }
                ),
            )
            .severity(severity)
            .confidence(confidence)
            .label("secrets on any branch");
        for (span, job) in jobs[1..].iter().take(4) {
            d = d.with_label(*span, format!("also `{job}`"));
        }
        out.push(d.help("run the jobs only where they are needed (`filters: branches: only: main`), put an approval hold before them, or restrict the context to a security group in CircleCI's organisation settings"));
    }
}

/// A self-hosted runner's resource class: `namespace/name` (not a `<< >>` template).
fn is_runner(node: &Node) -> bool {
    node.as_str()
        .is_some_and(|s| s.contains('/') && !s.contains("<<") && !s.contains(' '))
}

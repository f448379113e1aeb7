//! Version rules: what a version 2 config may not use, `workflows: version:`, empty configs.

use super::Rule;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{StepKind, Version};
use crate::span::Span;
use crate::yaml::Node;

pub static NEEDS_V21: Rule = Rule {
    id: "needs-version-2.1",
    severity: Severity::Error,
    summary: "a version 2 config uses a feature that only exists in version 2.1",
    explanation: include_str!("docs/needs-version-2.1.md"),
    check: Some(check_v21_features),
};

pub static WORKFLOWS_VERSION: Rule = Rule {
    id: "workflows-version",
    severity: Severity::Error,
    summary: "`workflows: version:` is not `2`, or a version 2 config's workflows lack it",
    explanation: include_str!("docs/workflows-version.md"),
    check: Some(check_workflows_version),
};

pub static OBSOLETE_WORKFLOWS_VERSION: Rule = Rule {
    id: "obsolete-workflows-version",
    severity: Severity::Info,
    summary: "`workflows: version:` is no longer needed in a version 2.1 config",
    explanation: include_str!("docs/obsolete-workflows-version.md"),
    check: Some(check_obsolete_workflows_version),
};

pub static EMPTY_CONFIG: Rule = Rule {
    id: "empty-config",
    severity: Severity::Error,
    summary: "the config defines no jobs and no workflows, so nothing can run",
    explanation: include_str!("docs/empty-config.md"),
    check: Some(check_empty),
};

fn check_v21_features(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    let Some((Version::V2, version_node)) = cfg.version else {
        return;
    };
    let mut report = |span: Span, what: String| {
        out.push(
            NEEDS_V21
                .at(span, format!("{what} needs `version: 2.1`, but this config is version {}", version_node.scalar_text().unwrap_or("2")))
                .label("only available in version 2.1")
                .with_label(version_node.span, "the config's version")
                .help("change the top-level `version: 2` to `version: 2.1` (and drop `workflows: version: 2`, which 2.1 no longer needs)"),
        );
    };
    for (key, what) in [
        (cfg.orbs_key, "`orbs`"),
        (cfg.commands_key, "`commands`"),
        (cfg.executors_key, "`executors`"),
        (cfg.parameters_key, "pipeline `parameters`"),
    ] {
        if let Some(k) = key {
            report(k.span, what.to_string());
        }
    }
    for job in &cfg.jobs {
        if let Some((k, _)) = job.node.entry("parameters") {
            report(k.span, format!("`parameters` in job `{}`", job.name));
        }
        if let Some(exec) = &job.executor {
            report(exec.key.span, format!("`executor` in job `{}`", job.name));
        }
        for step in &job.steps {
            step.walk(&mut |s| {
                if let (StepKind::Conditional { .. }, Some(name)) = (&s.kind, s.name) {
                    report(
                        name.span,
                        format!("the `{}` step in job `{}`", name.text, job.name),
                    );
                }
            });
        }
    }
    for wf in &cfg.workflows {
        for (k, _) in wf.when.iter().chain(wf.unless.iter()) {
            report(
                k.span,
                format!(
                    "`{}` in workflow `{}`",
                    k.scalar_text().unwrap_or("when"),
                    wf.name
                ),
            );
        }
        for inv in &wf.jobs {
            if let Some((k, _)) = inv.body.and_then(|b| b.entry("matrix")) {
                report(
                    k.span,
                    format!("`matrix` on `{}` in workflow `{}`", inv.job, wf.name),
                );
            }
        }
    }
}

fn version_text(node: &Node) -> &str {
    node.scalar_text().unwrap_or("")
}

fn check_workflows_version(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    match cfg.workflows_version {
        Some((_, value)) if !matches!(version_text(value), "2" | "2.0") => {
            out.push(
                WORKFLOWS_VERSION
                    .at(value.span, format!("`workflows: version: {}` is not valid: only `2` is allowed there", version_text(value)))
                    .label("must be `2`")
                    .help(if cfg.is_v21() {
                        "remove the `version` key under `workflows:` (a 2.1 config does not need it); the top-level `version: 2.1` stays"
                    } else {
                        "write `version: 2` under `workflows:`; the top-level `version:` is the one that may be 2.1"
                    }),
            );
        }
        None if cfg.version() == Some(Version::V2) && !cfg.workflows.is_empty() => {
            let span = cfg.workflows_key.map_or(Span::default(), |k| k.span);
            out.push(
                WORKFLOWS_VERSION
                    .at(span, "the workflows of a version 2 config need `version: 2` under `workflows:`")
                    .label("no `version: 2` here")
                    .help("add `version: 2` as the first key under `workflows:`, or switch the config to `version: 2.1`"),
            );
        }
        _ => {}
    }
}

fn check_obsolete_workflows_version(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    if cfg.version() != Some(Version::V21) {
        return;
    }
    if let Some((key, value)) = cfg.workflows_version
        && matches!(version_text(value), "2" | "2.0")
    {
        out.push(
            OBSOLETE_WORKFLOWS_VERSION
                .at(key.span.cover(value.span), "`workflows: version: 2` is no longer needed in a version 2.1 config")
                .label("can be removed")
                .help("remove this line; version 2.1 configs take the version from the top-level `version: 2.1`"),
        );
    }
}

fn check_empty(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    if cfg
        .root
        .is_some_and(|r| r.as_map().is_none() && !r.is_null())
    {
        return; // not a mapping at all: the schema says what it should be
    }
    let has_jobs = cfg.jobs_key.is_some() || cfg.workflows_key.is_some();
    if has_jobs
        || cx
            .doc
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    {
        return;
    }
    let span = cfg.root.map_or(Span::empty(0), |r| {
        Span::new(r.span.start as usize, r.span.start as usize)
    });
    out.push(
        EMPTY_CONFIG
            .at(span, if cfg.root.is_none_or(|r| r.is_null()) { "the config is empty: it defines no jobs and no workflows".to_string() } else { "the config defines no jobs and no workflows, so nothing can run".to_string() })
            .label("nothing to run")
            .help("a config needs `version: 2.1`, at least one job under `jobs:` with its executor and `steps:`, and a workflow under `workflows:` that runs it"),
    );
}

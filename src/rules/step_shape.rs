//! `step-shape`: a step written as a map must have exactly one key, the step's name.
//!
//! The commonest real mistake is arguments written at the indentation of the step name instead
//! of under it: the step becomes one map with several keys, and the step name's value is null.
//! The finding names the step, labels the stray keys, and shows the corrected lines (built from
//! the source by indenting the stray keys under the step name).
//!
//! It walks the tree (no model needed): the steps of jobs and commands (also inside inline orbs),
//! the `pre-steps`/`post-steps` of workflow job entries, and the steps of step-level
//! `when`/`unless` blocks.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::model::shape::{is_misshapen, misindented};
use crate::yaml::Node;

pub static STEP_SHAPE: Rule = Rule {
    id: "step-shape",
    severity: Severity::Error,
    summary: "a step written as a map must have exactly one key: the step's name",
    explanation: include_str!("docs/step-shape.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = cx.doc.root.as_ref() else {
        return;
    };
    // A step list shared through an anchor is reached once per use: report it once.
    let mut seen = std::collections::HashSet::new();
    let mut report = |step: &Node, place: &str| {
        if seen.insert(step.span)
            && let Some(f) = misindented(step, "arguments", place, Some(cx.source), ())
        {
            let d = f.into_diagnostic(STEP_SHAPE.id, STEP_SHAPE.severity);
            out.push(if place.contains("pre-step ") || place.contains("post-step ") {
                in_workflow_entry(d)
            } else {
                d
            });
        }
    };
    walk_config(root, &mut report);
}

/// A misshapen step in a workflow entry's `pre-steps`/`post-steps`: CircleCI's stricter step
/// validation (2020) is of the steps of jobs, and a config with such a post-step has compiled
/// for years (artsy/reaction, `- codecov/upload:` with `file:` beside it, since 2019-12), so a
/// warning: the config runs, but the stray keys are not the step's arguments.
fn in_workflow_entry(d: Diagnostic) -> Diagnostic {
    let help = d.help.clone().unwrap_or_default();
    d.severity(Severity::Warning).help(format!(
        "CircleCI accepts this shape in a workflow's pre-steps and post-steps, but the keys beside the step's name are not passed to it; {help}"
    ))
}

/// Call `f` with every misshapen step of the config (at any depth) and its place in words.
fn walk_config(root: &Node, f: &mut dyn FnMut(&Node, &str)) {
    for (owner, body) in named(root, "jobs", "job") {
        walk_steps(body.get("steps"), "step", &owner, f);
    }
    for (owner, body) in named(root, "commands", "command") {
        walk_steps(body.get("steps"), "step", &owner, f);
    }
    if let Some(orbs) = root.get("orbs").and_then(Node::as_map) {
        for (alias, orb) in orbs {
            let alias = alias.scalar_text().unwrap_or("?");
            if orb.as_map().is_none() {
                continue;
            }
            for (coll, what) in [("jobs", "job"), ("commands", "command")] {
                for (owner, body) in named(orb, coll, what) {
                    let owner = format!("{owner} of orb `{alias}`");
                    walk_steps(body.get("steps"), "step", &owner, f);
                }
            }
        }
    }
    if let Some(workflows) = root.get("workflows").and_then(Node::as_map) {
        for (name, wf) in workflows {
            let wf_name = name.scalar_text().unwrap_or("?");
            let Some(entries) = wf.get("jobs").and_then(Node::as_seq) else {
                continue;
            };
            for entry in entries {
                let Some(map) = entry.as_map() else {
                    continue;
                };
                for (job, settings) in map {
                    let owner = format!(
                        "job `{}` in workflow `{wf_name}`",
                        job.scalar_text().unwrap_or("?")
                    );
                    walk_steps(settings.get("pre-steps"), "pre-step", &owner, f);
                    walk_steps(settings.get("post-steps"), "post-step", &owner, f);
                }
            }
        }
    }
}

/// The items of the mapping `root.key`, each with "<what> `<name>`".
fn named<'n>(root: &'n Node, key: &str, what: &str) -> Vec<(String, &'n Node)> {
    root.get(key)
        .and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (format!("{what} `{}`", k.scalar_text().unwrap_or("?")), v))
                .collect()
        })
        .unwrap_or_default()
}

fn walk_steps(list: Option<&Node>, what: &str, owner: &str, f: &mut dyn FnMut(&Node, &str)) {
    let Some(steps) = list.and_then(Node::as_seq) else {
        return;
    };
    for (i, step) in steps.iter().enumerate() {
        let place = || format!("{what} {} of {owner}", i + 1);
        // Only a misshapen step can be reported (its place is written only then).
        if is_misshapen(step) {
            f(step, &place());
        }
        // Steps nested in a well-formed `when`/`unless` step.
        if let Some([(k, v)]) = step.as_map()
            && matches!(k.scalar_text(), Some("when" | "unless"))
        {
            let inner = format!(
                "the `{}` block of {}",
                k.scalar_text().unwrap_or(""),
                place()
            );
            walk_steps(v.get("steps"), "step", &inner, f);
        }
    }
}

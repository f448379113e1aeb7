//! `unused-job`, `unused-command`, `unused-executor`: definitions nothing uses.
//!
//! Uses are counted generously (a warning that is wrong costs trust): a job is used when a
//! workflow runs it or names it anywhere in a workflow job entry (`override-with`, arguments
//! passed to orb jobs); a command when any step list anywhere in the file calls it (jobs,
//! commands, inline orbs, pre/post-steps, `steps` parameters' defaults and arguments); an
//! executor when any value anywhere outside `executors:` names it (`executor:` of jobs,
//! `executor` parameters' defaults, arguments). A config that runs a job through a `<< ... >>`
//! name gets no `unused-job` finding.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::model::Name;
use crate::yaml::{Anchor, Node, Value};
use std::collections::HashSet;

pub static UNUSED_JOB: Rule = Rule {
    id: "unused-job",
    severity: Severity::Warning,
    summary: "a job is defined but no workflow runs it",
    explanation: include_str!("docs/unused-job.md"),
    category: super::Category::Correctness,
    check: Some(check_jobs),
};

pub static UNUSED_COMMAND: Rule = Rule {
    id: "unused-command",
    severity: Severity::Warning,
    summary: "a command is defined but no step calls it",
    explanation: include_str!("docs/unused-command.md"),
    category: super::Category::Correctness,
    check: Some(check_commands),
};

pub static UNUSED_EXECUTOR: Rule = Rule {
    id: "unused-executor",
    severity: Severity::Warning,
    summary: "an executor is defined but no job uses it",
    explanation: include_str!("docs/unused-executor.md"),
    category: super::Category::Correctness,
    check: Some(check_executors),
};

/// How one rule reports the definitions nothing uses.
struct Unused {
    rule: &'static Rule,
    /// The kind of definition (`job`).
    what: &'static str,
    /// Who would use it (`no workflow runs it`).
    nobody: &'static str,
    label: &'static str,
    help: fn(&str) -> String,
}

impl Unused {
    /// A finding at each of `names` that is not `used`.
    fn report<'a>(
        &self,
        names: impl Iterator<Item = &'a Name<'a>>,
        used: impl Fn(&str) -> bool,
        out: &mut Vec<Diagnostic>,
    ) {
        for name in names.filter(|n| !used(n.text)) {
            out.push(
                self.rule
                    .at(
                        name.span,
                        format!("{} `{name}` is defined but {}", self.what, self.nobody),
                    )
                    .label(self.label)
                    .help((self.help)(name.text)),
            );
        }
    }
}

/// The definitions whose whole body carries a YAML anchor (`coverage: &TEST_BASE`) that an alias
/// uses elsewhere in the file (`<<: *TEST_BASE`): kept as the base other definitions are built
/// from, so not dead even when nothing runs or calls them by name.
fn anchor_bases<'a>(
    anchors: &[Anchor],
    defs: impl Iterator<Item = (&'a Name<'a>, &'a Node)>,
) -> HashSet<&'a str> {
    defs.filter(|(name, node)| {
        // The `&TEST_BASE` written between the name and its body.
        node.alias.is_none()
            && anchors.iter().any(|a| {
                !a.uses.is_empty() && a.span.start >= name.span.end && a.span.end <= node.span.start
            })
    })
    .map(|(name, _)| name.text)
    .collect()
}

/// Every string scalar (values, not mapping keys) under `node`, skipping the subtrees `skip`.
fn string_values<'a>(node: &'a Node, skip: &[*const Node], out: &mut HashSet<&'a str>) {
    if skip.contains(&(node as *const Node)) {
        return;
    }
    match &node.value {
        Value::Scalar(_) => {
            if let Some(t) = node.scalar_text() {
                out.insert(t);
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| string_values(i, skip, out)),
        Value::Map(entries) => entries
            .iter()
            .for_each(|(_, v)| string_values(v, skip, out)),
    }
}

/// Every name a step list item anywhere under `node` could be calling: string items and the
/// single key of one-key mappings of every sequence. Each is handed to `f` until it returns
/// false (then false is returned).
fn step_names_until<'a>(
    node: &'a Node,
    skip: &[*const Node],
    f: &mut dyn FnMut(&'a str) -> bool,
) -> bool {
    if skip.contains(&(node as *const Node)) {
        return true;
    }
    match &node.value {
        Value::Scalar(_) => true,
        Value::Seq(items) => {
            for i in items {
                if let Some(t) = i.as_str() {
                    if !f(t) {
                        return false;
                    }
                } else if let Some([(k, _), ..]) = i.as_map()
                    // A step's name is its one key; with more keys (arguments not indented
                    // under the name, which `step-shape` reports), still the first.
                    && let Some(t) = k.scalar_text()
                    && !f(t)
                {
                    return false;
                }
                if !step_names_until(i, skip, f) {
                    return false;
                }
            }
            true
        }
        Value::Map(entries) => entries.iter().all(|(_, v)| step_names_until(v, skip, f)),
    }
}

/// The text of every string scalar (values, not mapping keys) under `node`, skipping the
/// subtrees `skip`, handed to `f` until it returns false (then false is returned).
fn string_values_until<'a>(
    node: &'a Node,
    skip: &[*const Node],
    f: &mut dyn FnMut(&'a str) -> bool,
) -> bool {
    if skip.contains(&(node as *const Node)) {
        return true;
    }
    match &node.value {
        Value::Scalar(_) => node.scalar_text().is_none_or(&mut *f),
        Value::Seq(items) => items.iter().all(|i| string_values_until(i, skip, f)),
        Value::Map(entries) => entries.iter().all(|(_, v)| string_values_until(v, skip, f)),
    }
}

/// Count `text` as a use: of the name it is, or, for a name built from a parameter
/// (`install-deps-<< parameters.os >>`), of every name it may become.
fn use_name(unused: &mut HashSet<&str>, text: &str) {
    if crate::lang::mustache::whole_reference(text).is_some() {
        // `<< parameters.x >>` alone: its values are written where it is passed or declared.
        return;
    }
    if text.contains("<<") {
        unused.retain(|n| !crate::lang::mustache::template_may_be(text, n));
    } else {
        unused.remove(text);
    }
}

fn check_jobs(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    if cx.is_orb_source() {
        return; // an orb exports its jobs
    }
    if cfg.jobs.is_empty() || cx.graphs.workflows.is_empty() {
        return; // `no-workflows` / `empty-config` say what matters then
    }
    let mut used: HashSet<&str> = HashSet::new();
    for wf in &cfg.workflows {
        for inv in &wf.jobs {
            if inv.job.text.contains("<<") {
                return;
            }
            used.insert(inv.job.text);
            if let Some(body) = inv.body {
                let mut values = HashSet::new();
                let skip: Vec<*const Node> = ["requires", "name", "context", "filters"]
                    .iter()
                    .filter_map(|k| body.get(k))
                    .map(|n| n as *const Node)
                    .collect();
                string_values(body, &skip, &mut values);
                used.extend(values);
            }
        }
    }
    for group in &cfg.job_groups {
        for inv in &group.jobs {
            used.insert(inv.job.text);
        }
    }
    for wg in &cx.graphs.workflows {
        if wg.workflow.is_none() {
            used.insert(wg.name); // the `build` job of a 2.0 config without workflows
        }
    }
    let unused = Unused {
        rule: &UNUSED_JOB,
        what: "job",
        nobody: "no workflow runs it",
        label: "never run",
        help: |name| format!("add `- {name}` to the `jobs:` of a workflow, or delete the job"),
    };
    let bases = anchor_bases(&cx.doc.anchors, cfg.jobs.iter().map(|j| (&j.name, j.node)));
    unused.report(
        cfg.jobs.iter().map(|j| &j.name),
        |n| used.contains(n) || bases.contains(n),
        out,
    );
}

fn check_commands(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    if cx.is_orb_source() {
        return; // an orb exports its commands
    }
    let Some(root) = cfg.root else { return };
    if cfg.commands.is_empty() {
        return;
    }
    // Calls anywhere but in the workflows' job lists (which name jobs).
    let mut skip: Vec<*const Node> = Vec::new();
    for wf in &cfg.workflows {
        if let Some(jobs) = wf.node.get("jobs") {
            skip.push(jobs as *const Node);
        }
    }
    // The names not called yet; the walks stop once every command is called.
    let mut not_called: HashSet<&str> = cfg.commands.iter().map(|c| c.name.text).collect();
    let all_called = std::cell::Cell::new(false);
    let mut call = |t: &str| {
        use_name(&mut not_called, t);
        all_called.set(not_called.is_empty());
        !all_called.get()
    };
    if step_names_until(root, &skip, &mut call) {
        'workflows: for wf in &cfg.workflows {
            for inv in &wf.jobs {
                for s in inv.pre_steps.iter().chain(&inv.post_steps) {
                    s.walk(&mut |st| {
                        if let Some(n) = st.name {
                            call(n.text);
                        }
                    });
                }
                if let Some(body) = inv.body {
                    step_names_until(body, &[], &mut call);
                }
                if all_called.get() {
                    break 'workflows;
                }
            }
        }
    }
    let unused = Unused {
        rule: &UNUSED_COMMAND,
        what: "command",
        nobody: "no step calls it",
        label: "never called",
        help: |name| format!("call it as a step (`- {name}`) in a job or command, or delete it"),
    };
    let bases = anchor_bases(&cx.doc.anchors, cfg.commands.iter().map(|c| (&c.name, c.node)));
    unused.report(
        cfg.commands.iter().map(|c| &c.name),
        |n| !not_called.contains(n) || bases.contains(n),
        out,
    );
}

fn check_executors(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    if cx.is_orb_source() {
        return; // an orb exports its executors
    }
    let Some(root) = cfg.root else { return };
    if cfg.executors.is_empty() {
        return;
    }
    let skip: Vec<*const Node> = root
        .get("executors")
        .map(|n| n as *const Node)
        .into_iter()
        .collect();
    // The names not used yet; the walk stops once every executor is used.
    let mut not_used: HashSet<&str> = cfg.executors.iter().map(|e| e.name.text).collect();
    string_values_until(root, &skip, &mut |t| {
        use_name(&mut not_used, t);
        !not_used.is_empty()
    });
    let unused = Unused {
        rule: &UNUSED_EXECUTOR,
        what: "executor",
        nobody: "no job uses it",
        label: "never used",
        help: |name| format!("use it in a job (`executor: {name}`), or delete it"),
    };
    let bases = anchor_bases(&cx.doc.anchors, cfg.executors.iter().map(|e| (&e.name, e.node)));
    unused.report(
        cfg.executors.iter().map(|e| &e.name),
        |n| !not_used.contains(n) || bases.contains(n),
        out,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::settings::Settings;
    use crate::rules::env_vars::tests::run_rule;

    #[test]
    fn anchor_bases_are_not_unused() {
        let src = "version: 2.1\njobs:\n  base: &BASE\n    docker: [{image: cimg/base:2024.01}]\n    steps: [checkout]\n  test:\n    <<: *BASE\n  dead: &DEAD\n    docker: [{image: cimg/base:2024.01}]\n    steps: [checkout]\n  also-dead:\n    docker: [{image: cimg/base:2024.01}]\n    steps: [checkout]\nworkflows:\n  main:\n    jobs: [test]\n";
        let found = run_rule(&UNUSED_JOB, src, &Settings::default());
        let names: Vec<&str> = found.iter().map(|d| d.primary.span.slice(src)).collect();
        assert_eq!(names, ["dead", "also-dead"], "{found:?}");
    }

    #[test]
    fn a_call_with_its_arguments_not_indented_is_still_a_call() {
        // `step-shape` reports the step; the command it names is not also unused.
        let src = "version: 2.1\ncommands:\n  install:\n    parameters:\n      lockfile: {type: string}\n    steps:\n      - run: test -f << parameters.lockfile >>\n  spare:\n    steps: [checkout]\njobs:\n  test:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - install:\n        lockfile: package-lock.json\nworkflows:\n  main:\n    jobs: [test]\n";
        let found = run_rule(&UNUSED_COMMAND, src, &Settings::default());
        let names: Vec<&str> = found.iter().map(|d| d.primary.span.slice(src)).collect();
        assert_eq!(names, ["spare"], "{found:?}");
    }
}

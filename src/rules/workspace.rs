//! `workspace-without-persist`: a job attaches the workspace, but no job it waits for (directly
//! or not) persists anything to it.
//!
//! Steps are followed into local commands (recursively). What cilint cannot see is assumed to
//! persist: a job of an orb, a call to an orb command, a step passed as a `<< ... >>`
//! parameter. A job whose `requires` could not all be resolved is not judged.

use super::Rule;
use crate::analysis::context::Context;
use crate::analysis::graph::{JobKind, JobNode, Resolution};
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::base::text::join_and;
use crate::config::model::{Config, Step, orb_ref};
use petgraph::graph::NodeIndex;
use std::collections::{HashMap, HashSet, VecDeque};

pub static WORKSPACE_WITHOUT_PERSIST: Rule = Rule {
    id: "workspace-without-persist",
    severity: Severity::Info,
    summary: "a job attaches the workspace, but no job it requires persists to it",
    explanation: include_str!("docs/workspace-without-persist.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

/// What a list of steps does with the workspace.
#[derive(Clone, Copy, Debug, Default)]
struct Effect {
    /// Where it attaches (the step, or the call leading to it).
    attach: Option<Span>,
    /// It persists, or may (something cilint cannot see).
    may_persist: bool,
}

struct Analyzer<'c, 'a> {
    config: &'c Config<'a>,
    commands: HashMap<&'a str, Effect>,
    visiting: HashSet<&'a str>,
}

impl<'c, 'a> Analyzer<'c, 'a> {
    fn steps(&mut self, steps: &'c [Step<'a>]) -> Effect {
        let mut eff = Effect::default();
        for s in steps {
            s.walk(&mut |st| {
                let Some(name) = st.name else { return };
                match name.text {
                    "persist_to_workspace" => eff.may_persist = true,
                    "attach_workspace" => {
                        eff.attach.get_or_insert(name.span);
                    }
                    t if t.contains("<<") || orb_ref(t).is_some() => eff.may_persist = true,
                    _ => {}
                }
            });
            // Local commands (outside the closure: it needs `self`).
            let mut calls = Vec::new();
            s.walk(&mut |st| {
                if let Some(name) = st.name
                    && !st.is_builtin()
                {
                    calls.push(name);
                }
            });
            for name in calls {
                let e = self.command(name.text);
                eff.may_persist |= e.may_persist;
                if e.attach.is_some() && eff.attach.is_none() {
                    eff.attach = Some(name.span);
                }
            }
        }
        eff
    }

    fn command(&mut self, name: &str) -> Effect {
        if let Some(e) = self.commands.get(name) {
            return *e;
        }
        let Some(cmd) = self.config.command(name) else {
            return Effect::default();
        };
        if !self.visiting.insert(cmd.name.text) {
            return Effect::default();
        }
        let e = self.steps(&cmd.steps);
        self.visiting.remove(cmd.name.text);
        self.commands.insert(cmd.name.text, e);
        e
    }

    fn node(&mut self, node: &JobNode<'a>) -> Effect {
        let mut eff = match node.kind {
            JobKind::Local => node
                .definition
                .map(|j| self.steps(&j.steps))
                .unwrap_or_default(),
            JobKind::Approval => Effect::default(),
            JobKind::Orb | JobKind::Unresolved | JobKind::Unknown => Effect {
                attach: None,
                may_persist: true,
            },
        };
        if let Some(inv) = node.invocation {
            for list in [&inv.pre_steps, &inv.post_steps] {
                let e = self.steps(list);
                eff.may_persist |= e.may_persist;
                if eff.attach.is_none() {
                    eff.attach = e.attach;
                }
            }
        }
        eff
    }
}

/// One job run that attaches an empty workspace.
struct Place<'w> {
    name: String,
    job: &'w str,
    workflow: &'w str,
    /// The invocation.
    span: Span,
    /// It requires some job (none of which persists).
    requires_any: bool,
    /// Some job of the workflow persists (just not upstream of this one).
    workflow_persists: bool,
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut an = Analyzer {
        config: cx.config,
        commands: HashMap::new(),
        visiting: HashSet::new(),
    };
    // Each attaching step once, with every run that reaches it, in the order they are found.
    let mut places: Vec<(Span, Vec<Place>)> = Vec::new();
    let mut at: HashMap<Span, usize> = HashMap::new();
    for wg in &cx.graphs.workflows {
        if wg.has_templated_requires() {
            continue;
        }
        let effects: Vec<Effect> = wg.nodes().map(|(_, n)| an.node(n)).collect();
        if !effects.iter().any(|e| e.attach.is_some()) {
            continue;
        }
        // Jobs downstream of a job that may persist.
        let mut fed = vec![false; effects.len()];
        let mut queue: VecDeque<NodeIndex> = VecDeque::new();
        for (i, _) in wg.nodes() {
            if effects[i.index()].may_persist {
                for (t, _, _) in wg.dependents(i) {
                    if !fed[t.index()] {
                        fed[t.index()] = true;
                        queue.push_back(t);
                    }
                }
            }
        }
        while let Some(n) = queue.pop_front() {
            for (t, _, _) in wg.dependents(n) {
                if !fed[t.index()] {
                    fed[t.index()] = true;
                    queue.push_back(t);
                }
            }
        }
        let unsure: HashSet<NodeIndex> = wg
            .requires
            .iter()
            .filter(|r| !matches!(r.resolution, Resolution::Jobs(_)))
            .map(|r| r.from)
            .collect();
        for (i, node) in wg.nodes() {
            let Some(attach) = effects[i.index()].attach else {
                continue;
            };
            if fed[i.index()] || unsure.contains(&i) {
                continue;
            }
            let k = *at.entry(attach).or_insert_with(|| {
                places.push((attach, Vec::new()));
                places.len() - 1
            });
            // Matrix instances share their invocation: one is enough.
            if places[k].1.iter().any(|p| p.span == node.span) {
                continue;
            }
            places[k].1.push(Place {
                name: node.name.clone(),
                job: node.job.text,
                workflow: wg.name,
                span: node.span,
                requires_any: wg.requirements(i).next().is_some(),
                workflow_persists: effects.iter().any(|e| e.may_persist),
            });
        }
    }
    for (attach, runs) in places {
        out.push(diagnostic(attach, &runs));
    }
}

fn diagnostic(attach: Span, runs: &[Place]) -> Diagnostic {
    let mut alone: Vec<String> = Vec::new();
    for p in runs.iter().filter(|p| !p.requires_any) {
        let w = format!("`{}`", p.workflow);
        if !alone.contains(&w) {
            alone.push(w);
        }
    }
    let why = if alone.is_empty() {
        "no job it requires, directly or not, runs `persist_to_workspace`".to_string()
    } else if runs.iter().any(|p| p.requires_any) {
        format!(
            "no job it requires, directly or not, runs `persist_to_workspace` (in {} it requires no job at all)",
            join_and(&alone)
        )
    } else {
        "it requires no job, so there is nothing to attach".to_string()
    };
    let message = match runs {
        [p] => format!(
            "`{}` attaches the workspace in workflow `{}`, but {why}",
            p.name, p.workflow
        ),
        [first, ..] if runs.iter().all(|p| p.name == first.name) => {
            let mut workflows: Vec<String> = Vec::new();
            for p in runs {
                let w = format!("`{}`", p.workflow);
                if !workflows.contains(&w) {
                    workflows.push(w);
                }
            }
            let where_ = match workflows.as_slice() {
                [one] => format!("{} times in workflow {one}", runs.len()),
                _ => format!("in {} workflows: {}", workflows.len(), join_and(&workflows)),
            };
            format!(
                "`{}` attaches the workspace {where_}, but {why}",
                first.name
            )
        }
        _ => {
            let each: Vec<String> = runs
                .iter()
                .map(|p| format!("as `{}` in workflow `{}`", p.name, p.workflow))
                .collect();
            format!(
                "job `{}` attaches the workspace {} times: {}, but {why}",
                runs[0].job,
                runs.len(),
                join_and(&each)
            )
        }
    };
    // An attach with nothing upstream attaches nothing and the step succeeds. When no job of
    // the workflow persists anything it is a leftover; when one does, a `requires` may be
    // missing, but on real configs these were deliberate (an attach kept for reruns, a job
    // that persists what it attached, a first run that starts empty): an info either way,
    // with the wording saying which.
    let leftover = runs.iter().all(|p| !p.workflow_persists);
    let mut d = WORKSPACE_WITHOUT_PERSIST
        .at(attach, message)
        .label("attaches an empty workspace");
    for p in runs {
        if p.span == attach {
            continue;
        }
        let label = if runs.len() == 1 {
            "run here".to_string()
        } else if runs.iter().all(|q| q.name == p.name) {
            format!("run here in workflow `{}`", p.workflow)
        } else {
            format!("run here as `{}` in workflow `{}`", p.name, p.workflow)
        };
        d = d.with_label(p.span, label);
    }
    d.help(if leftover {
        "no job of the workflow persists anything: drop the `attach_workspace` step unless it is kept on purpose"
    } else {
        "another job of the workflow persists to the workspace: if this job needs its files, make it require that job (a workspace only carries files from jobs upstream in the same workflow); otherwise drop the `attach_workspace` step"
    })
}

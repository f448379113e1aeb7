//! The plan: which workflows and jobs run, and why the others do not.

use super::input::*;
use crate::analysis::graph::{Graphs, JobKind, RequireRef, Resolution, WorkflowGraph};
use crate::base::span::Span;
use crate::base::text::{join_and, join_or};
use crate::config::model::Config;
use crate::lang::filters::{Filters, GitRef, RefFilter};
use crate::lang::logic::{Site, Tri, eval_expression_tri, evaluate};
use crate::lang::mustache::{Env, PipelineValue};
use petgraph::graph::NodeIndex;
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

/// What happens to a workflow or a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Runs,
    /// An approval hold that runs: it waits for a person.
    Waits,
    Skipped,
    /// Cannot be decided (a value that is not known, a regex that cannot be evaluated, a
    /// `requires` that names nothing, a cycle).
    Unknown,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Runs => "runs",
            State::Waits => "waits",
            State::Skipped => "skipped",
            State::Unknown => "unknown",
        }
    }
}

/// A place in the config that a plan's reason is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spot {
    /// `filter`, `when`, `unless`, `triggers`, `requires`.
    pub role: &'static str,
    pub span: Span,
}

/// One job of a workflow in the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct JobPlan {
    /// The job's name in the workflow (after `name:` and matrix expansion).
    pub name: String,
    /// The job it runs, as written.
    pub job: String,
    pub approval: bool,
    /// For a matrix instance: its parameter values.
    pub matrix: Vec<(String, String)>,
    pub state: State,
    /// Why, in words: for `skipped` and `unknown` the reason; for `runs` what is worth knowing
    /// (requirements that do not run and are ignored); `None` when nothing needs saying.
    pub reason: Option<String>,
    /// The approval holds it waits for (directly or through what it requires).
    pub after_approval: Vec<String>,
    /// Non-default statuses it waits for: "only if `test` ends `failed`".
    pub notes: Vec<String>,
    /// The key of its workflow entry.
    pub span: Span,
    pub spans: Vec<Spot>,
}

impl JobPlan {
    /// What a human reads after the job's name: "runs after approval of `hold`", "waits for
    /// approval", "skipped: ...".
    pub fn describe(&self) -> String {
        let mut s = match self.state {
            State::Runs => "runs".to_string(),
            State::Waits => "waits for approval".to_string(),
            State::Skipped => format!("skipped: {}", self.reason.as_deref().unwrap_or("")),
            State::Unknown => format!("unknown: {}", self.reason.as_deref().unwrap_or("")),
        };
        if matches!(self.state, State::Runs | State::Waits) {
            if !self.after_approval.is_empty() {
                if self.state == State::Waits {
                    s.push(',');
                }
                s.push_str(&format!(
                    " after approval of {}",
                    join_and(&ticks(&self.after_approval))
                ));
            }
            let mut extra: Vec<String> = self.notes.clone();
            if let Some(r) = &self.reason {
                extra.push(r.clone());
            }
            if !extra.is_empty() {
                s.push_str(&format!(" ({})", extra.join("; ")));
            }
        }
        s
    }

    /// Runs or waits for approval.
    pub fn will_run(&self) -> bool {
        matches!(self.state, State::Runs | State::Waits)
    }
}

/// One workflow in the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkflowPlan {
    pub name: String,
    /// `runs`, `skipped` or `unknown`.
    pub state: State,
    /// Why: the `when`/`unless` that decided, with the values it saw; the schedule; "none of its
    /// jobs runs". `None` for a workflow that runs unconditionally.
    pub reason: Option<String>,
    pub span: Span,
    pub spans: Vec<Spot>,
    /// False when the workflow was excluded before its jobs were looked at (its `when`, its
    /// schedule): its jobs are then all skipped with the workflow's reason.
    pub jobs_evaluated: bool,
    pub jobs: Vec<JobPlan>,
}

/// A pipeline's plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub input: PlanInput,
    /// Every declared pipeline parameter, its value (`None`: unknown) and where it came from.
    pub parameters: Vec<(String, Option<PipelineValue>, ParamSource)>,
    pub workflows: Vec<WorkflowPlan>,
}

/// Counts over a plan's jobs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub workflows: usize,
    pub workflows_run: usize,
    pub jobs: usize,
    pub runs: usize,
    pub waits: usize,
    pub skipped: usize,
    pub unknown: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            workflows: self.workflows.len(),
            workflows_run: self
                .workflows
                .iter()
                .filter(|w| w.state == State::Runs)
                .count(),
            ..Summary::default()
        };
        for j in self.workflows.iter().flat_map(|w| &w.jobs) {
            s.jobs += 1;
            match j.state {
                State::Runs => s.runs += 1,
                State::Waits => s.waits += 1,
                State::Skipped => s.skipped += 1,
                State::Unknown => s.unknown += 1,
            }
        }
        s
    }

    pub fn workflow(&self, name: &str) -> Option<&WorkflowPlan> {
        self.workflows.iter().find(|w| w.name == name)
    }
}

/// Plan a pipeline: which workflows and jobs run for `input`, and why the others do not.
pub fn plan(config: &Config<'_>, graphs: &Graphs<'_>, input: &PlanInput) -> Plan {
    let (env, parameters) = environment(config, input);
    let workflows = graphs
        .workflows
        .iter()
        .map(|wg| plan_workflow(wg, input, &env))
        .collect();
    Plan {
        input: input.clone(),
        parameters,
        workflows,
    }
}

fn plan_workflow(wg: &WorkflowGraph<'_>, input: &PlanInput, env: &Env) -> WorkflowPlan {
    let mut spots = Vec::new();
    let mut state = State::Runs;
    let mut reason: Option<String> = None;
    if wg.workflow.is_none() {
        reason = Some(format!(
            "a config without workflows runs its job `{}`",
            wg.name
        ));
    }
    if let Some(wf) = wg.workflow {
        if let Some(first) = wf.triggers.first() {
            let cron = first
                .cron
                .and_then(|c| c.scalar_text())
                .map(|c| format!(", cron `{c}`"))
                .unwrap_or_default();
            spots.push(Spot {
                role: "triggers",
                span: first.node.use_span(),
            });
            return excluded(
                wg,
                State::Skipped,
                format!(
                    "it runs only on its own schedule (`triggers: schedule`{cron}), not in {}",
                    input.trigger.pipeline_words()
                ),
                spots,
            );
        }
        let mut parts: Vec<String> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for (key, negate) in [(wf.when, false), (wf.unless, true)] {
            let Some((_, v)) = key else { continue };
            let word = if negate { "unless" } else { "when" };
            let ev = evaluate(v, env, Site::Workflow);
            spots.push(Spot {
                role: word,
                span: ev.decided_by,
            });
            let text = format!("`{word}`: {}", ev.explain());
            match (ev.result, negate) {
                (Tri::Yes, false) | (Tri::No, true) => parts.push(text),
                (Tri::No, false) | (Tri::Yes, true) => {
                    return excluded(wg, State::Skipped, text, spots);
                }
                (Tri::Unknown(_), _) => unknown.push(text),
            }
        }
        if !unknown.is_empty() {
            state = State::Unknown;
            reason = Some(unknown.join("; "));
        } else if !parts.is_empty() {
            reason = Some(parts.join("; "));
        }
    }
    let jobs = plan_jobs(wg, input, env);
    if !jobs.is_empty() && jobs.iter().all(|j| j.state == State::Skipped) {
        state = State::Skipped;
        reason = Some(format!(
            "none of its jobs runs for {}, so CircleCI does not create it",
            input.ref_words()
        ));
    } else if state == State::Runs
        && !jobs.iter().any(JobPlan::will_run)
        && jobs.iter().any(|j| j.state == State::Unknown)
    {
        state = State::Unknown;
        reason = Some("no job of it surely runs, and some are unknown".to_string());
    }
    WorkflowPlan {
        name: wg.name.to_string(),
        state,
        reason,
        span: wg.name_span,
        spans: spots,
        jobs_evaluated: true,
        jobs,
    }
}

/// A workflow excluded as a whole: every job skipped with the workflow's reason.
fn excluded(
    wg: &WorkflowGraph<'_>,
    state: State,
    reason: String,
    spots: Vec<Spot>,
) -> WorkflowPlan {
    let jobs = wg
        .nodes()
        .map(|(_, n)| JobPlan {
            name: n.name.clone(),
            job: n.job.text.to_string(),
            approval: n.is_approval(),
            matrix: matrix_of(n),
            state,
            reason: Some(format!("the workflow `{}` does not run", wg.name)),
            after_approval: Vec::new(),
            notes: Vec::new(),
            span: n.span,
            spans: Vec::new(),
        })
        .collect();
    WorkflowPlan {
        name: wg.name.to_string(),
        state,
        reason: Some(reason),
        span: wg.name_span,
        spans: spots,
        jobs_evaluated: false,
        jobs,
    }
}

fn matrix_of(n: &crate::analysis::graph::JobNode<'_>) -> Vec<(String, String)> {
    n.matrix_values
        .iter()
        .map(|(k, v)| {
            (
                k.text.to_string(),
                v.scalar_text()
                    .map_or_else(|| crate::lang::logic::render(v), str::to_string),
            )
        })
        .collect()
}

/// Why a job does not run (or may not), as computed for one job.
#[derive(Clone, Debug)]
enum Status {
    /// Runs; the approval holds it comes after (and itself, for a hold), for its dependents.
    Run { holds: BTreeSet<NodeIndex> },
    /// Does not run; `root` is the job whose own filter (or own missing requirements) is the
    /// cause, `why` that cause in words.
    Skip {
        root: Option<NodeIndex>,
        why: String,
    },
    /// Cannot be decided: the job whose own evaluation is unknown, and why.
    Unknown { root: NodeIndex, why: String },
}

/// The job's own filters for the ref: yes, no (why, span), unknown (why, span).
fn own_filter(
    name: &str,
    filters: Option<&Filters>,
    input: &PlanInput,
    env: &Env,
) -> (Tri, String, Option<Span>) {
    let Some(f) = filters else {
        return match &input.git_ref {
            GitRef::Branch(_) => (Tri::Yes, String::new(), None),
            GitRef::Tag(_) => (
                Tri::No,
                format!("tag push and `{name}` has no tags filter"),
                None,
            ),
        };
    };
    if let Some(e) = &f.expression {
        let expr = match &e.expr {
            Ok(x) => x,
            Err(m) => {
                return (
                    Tri::Unknown(m.clone()),
                    format!("the filter expression of `{name}` does not parse: {m}"),
                    Some(e.span),
                );
            }
        };
        let (t, seen) = eval_expression_tri(expr, env);
        let vals: Vec<String> = seen
            .iter()
            .map(|(k, v)| format!("{k} is {}", v.describe()))
            .collect();
        let seen = if vals.is_empty() {
            String::new()
        } else {
            format!(" ({})", vals.join(", "))
        };
        let text = match &t {
            Tri::Yes => String::new(),
            Tri::No => format!(
                "the filter of `{name}`, `{}`, is false{seen}",
                e.text.trim()
            ),
            Tri::Unknown(r) => format!(
                "the filter of `{name}`, `{}`, cannot be decided: {r}",
                e.text.trim()
            ),
        };
        return (t, text, Some(e.span));
    }
    let (what, value, rf, default) = match &input.git_ref {
        GitRef::Branch(b) => ("branches", b, &f.branches, true),
        GitRef::Tag(t) => ("tags", t, &f.tags, false),
    };
    let Some(rf) = rf else {
        return if default {
            (Tri::Yes, String::new(), None)
        } else {
            (
                Tri::No,
                format!("tag push and `{name}` has no tags filter"),
                Some(f.span),
            )
        };
    };
    let kind = if default { "branch" } else { "tag" };
    let t = admits(rf, value, default);
    let text = match &t {
        Tri::Yes => String::new(),
        Tri::No => format!(
            "{kind} `{value}` does not pass the {what} filter of `{name}` ({})",
            describe_ref_filter(rf)
        ),
        Tri::Unknown(r) => format!(
            "cannot tell whether {kind} `{value}` passes the {what} filter of `{name}` ({}): {r}",
            describe_ref_filter(rf)
        ),
    };
    (t, text, Some(rf.span))
}

/// `only`/`ignore` of one filter, through `Filters::runs_for` (which owns the rules).
fn admits(rf: &RefFilter, value: &str, branch: bool) -> Tri {
    let f = if branch {
        Filters {
            branches: Some(rf.clone()),
            ..Filters::default()
        }
    } else {
        Filters {
            tags: Some(rf.clone()),
            ..Filters::default()
        }
    };
    let r = if branch {
        GitRef::Branch(value.to_string())
    } else {
        GitRef::Tag(value.to_string())
    };
    f.runs_for(&r)
}

/// "only `main`, `/release-.*/`; ignore `wip`", or "no `only` or `ignore`".
fn describe_ref_filter(rf: &RefFilter) -> String {
    let list = |items: &[crate::lang::filters::PatternItem]| {
        items
            .iter()
            .map(|p| format!("`{}`", p.pattern.written()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if let Some(o) = &rf.only {
        parts.push(format!("only {}", list(o)));
    }
    if let Some(i) = &rf.ignore {
        parts.push(format!("ignore {}", list(i)));
    }
    if parts.is_empty() {
        "no `only` or `ignore`".to_string()
    } else {
        parts.join("; ")
    }
}

/// Kahn's order over the graph; nodes in or behind a cycle are left out.
fn topological(wg: &WorkflowGraph<'_>) -> Vec<NodeIndex> {
    let n = wg.graph.node_count();
    let mut indegree = vec![0usize; n];
    for e in wg.graph.edge_indices() {
        if let Some((_, t)) = wg.graph.edge_endpoints(e) {
            indegree[t.index()] += 1;
        }
    }
    let mut queue: std::collections::VecDeque<NodeIndex> = wg
        .graph
        .node_indices()
        .filter(|i| indegree[i.index()] == 0)
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(v) = queue.pop_front() {
        order.push(v);
        for (t, _, _) in wg.dependents(v) {
            indegree[t.index()] -= 1;
            if indegree[t.index()] == 0 {
                queue.push_back(t);
            }
        }
    }
    order
}

fn plan_jobs(wg: &WorkflowGraph<'_>, input: &PlanInput, env: &Env) -> Vec<JobPlan> {
    let n = wg.graph.node_count();
    let filters = wg.filters();
    let mut status: Vec<Option<Status>> = vec![None; n];
    let mut spots: Vec<Vec<Spot>> = vec![Vec::new(); n];
    let mut reasons: Vec<Option<String>> = vec![None; n];
    let mut notes: Vec<Vec<String>> = vec![Vec::new(); n];
    // Each job's first `requires` entry that resolves to no job (one pass over the entries,
    // not one per job).
    let mut unresolved: Vec<Option<&RequireRef<'_>>> = vec![None; n];
    for r in &wg.requires {
        if !matches!(r.resolution, Resolution::Jobs(_))
            && let Some(slot) = unresolved.get_mut(r.from.index())
            && slot.is_none()
        {
            *slot = Some(r);
        }
    }

    for v in topological(wg) {
        let node = wg.node(v);
        let (own, own_why, own_span) =
            own_filter(&node.name, filters[v.index()].as_ref(), input, env);
        if let (Some(s), false) = (own_span, own == Tri::Yes) {
            spots[v.index()].push(Spot {
                role: "filter",
                span: s,
            });
        }
        let st = if own == Tri::No {
            Status::Skip {
                root: Some(v),
                why: own_why.clone(),
            }
        } else if let Some(r) = unresolved[v.index()] {
            spots[v.index()].push(Spot {
                role: "requires",
                span: r.require.name.span,
            });
            let why = match &r.resolution {
                Resolution::Ambiguous(_) => format!(
                    "its `requires` entry `{}` names several jobs of the workflow (CircleCI rejects the config)",
                    r.name
                ),
                Resolution::Templated => format!(
                    "its `requires` entry `{}` holds a template cilint cannot substitute",
                    r.name
                ),
                _ => format!(
                    "its `requires` entry `{}` names no job of the workflow (CircleCI rejects the config)",
                    r.name
                ),
            };
            Status::Unknown { root: v, why }
        } else {
            let reqs: Vec<_> = wg.requirements(v).collect();
            let mut running: BTreeSet<NodeIndex> = BTreeSet::new();
            let mut any_run = false;
            let mut unknown: Option<(NodeIndex, String)> = None;
            let mut skipped: Vec<NodeIndex> = Vec::new();
            for (p, _, e) in &reqs {
                match status[p.index()].as_ref() {
                    Some(Status::Run { holds }) => {
                        any_run = true;
                        running.extend(holds.iter().copied());
                        if !e.is_success_only() {
                            let req = &wg.node(*p).name;
                            let note = if e.statuses.contains(&"terminal") {
                                format!("once `{req}` ends, whatever its status")
                            } else {
                                format!(
                                    "only if `{req}` ends {}",
                                    join_or(
                                        &e.statuses
                                            .iter()
                                            .map(|s| format!("`{s}`"))
                                            .collect::<Vec<_>>()
                                    )
                                )
                            };
                            if !notes[v.index()].contains(&note) {
                                notes[v.index()].push(note);
                            }
                        }
                    }
                    Some(Status::Skip { .. }) => skipped.push(*p),
                    Some(Status::Unknown { root, why }) => {
                        unknown.get_or_insert((*root, why.clone()));
                    }
                    None => {}
                }
            }
            if reqs.is_empty() || any_run {
                match own {
                    Tri::Unknown(_) => Status::Unknown {
                        root: v,
                        why: own_why.clone(),
                    },
                    _ => {
                        skipped.sort();
                        skipped.dedup();
                        if !skipped.is_empty() {
                            let names: Vec<String> = skipped
                                .iter()
                                .map(|p| format!("`{}`", wg.node(*p).name))
                                .collect();
                            reasons[v.index()] = Some(if names.len() == 1 {
                                format!("{} does not run and is ignored", names[0])
                            } else {
                                format!("{} do not run and are ignored", join_and(&names))
                            });
                        }
                        if node.is_approval() {
                            running.insert(v);
                        }
                        Status::Run { holds: running }
                    }
                }
            } else if let Some((root, why)) = unknown {
                Status::Unknown {
                    root,
                    why: if root == v {
                        why
                    } else {
                        format!("it depends on `{}`: {why}", wg.node(root).name)
                    },
                }
            } else {
                // Every requirement is skipped.
                skipped.sort();
                skipped.dedup();
                for (p, _, e) in &reqs {
                    if skipped.contains(p) {
                        spots[v.index()].push(Spot {
                            role: "requires",
                            span: e.span,
                        });
                    }
                }
                let roots: BTreeSet<Option<NodeIndex>> = skipped
                    .iter()
                    .map(|p| match &status[p.index()] {
                        Some(Status::Skip { root, .. }) => *root,
                        _ => None,
                    })
                    .collect();
                let me = &node.name;
                match (roots.iter().next(), roots.len()) {
                    (Some(Some(root)), 1) => {
                        let root_why = match &status[root.index()] {
                            Some(Status::Skip { why, .. }) => why.clone(),
                            _ => String::new(),
                        };
                        let direct = skipped.contains(root);
                        let why = if direct {
                            format!("{root_why}, so `{me}`, which requires it, never runs")
                        } else {
                            let via: Vec<String> = skipped
                                .iter()
                                .map(|p| format!("`{}`", wg.node(*p).name))
                                .collect();
                            format!(
                                "{root_why}, so `{me}`, which requires it through {}, never runs",
                                join_and(&via)
                            )
                        };
                        Status::Skip {
                            root: Some(*root),
                            why,
                        }
                    }
                    _ => {
                        let names: Vec<String> = skipped
                            .iter()
                            .map(|p| format!("`{}`", wg.node(*p).name))
                            .collect();
                        Status::Skip {
                            root: None,
                            why: format!(
                                "none of the jobs `{me}` requires runs ({}), so `{me}` does not run either",
                                join_and(&names)
                            ),
                        }
                    }
                }
            }
        };
        status[v.index()] = Some(st);
    }

    wg.nodes()
        .map(|(v, node)| {
            let (state, reason, after) = match &status[v.index()] {
                None => (
                    State::Unknown,
                    Some(
                        "it is in or behind a `requires` cycle (CircleCI rejects the config)"
                            .to_string(),
                    ),
                    Vec::new(),
                ),
                Some(Status::Run { holds }) => {
                    let after: Vec<String> = holds
                        .iter()
                        .filter(|h| **h != v)
                        .map(|h| wg.node(*h).name.clone())
                        .collect();
                    let state = if node.is_approval() {
                        State::Waits
                    } else {
                        State::Runs
                    };
                    (state, reasons[v.index()].clone(), after)
                }
                Some(Status::Skip { why, .. }) => (State::Skipped, Some(why.clone()), Vec::new()),
                Some(Status::Unknown { why, .. }) => {
                    (State::Unknown, Some(why.clone()), Vec::new())
                }
            };
            let mut notes = notes[v.index()].clone();
            if node.kind == JobKind::Unknown && state != State::Skipped {
                notes.push(format!(
                    "`{}` is no job of this config, so CircleCI rejects the config",
                    node.job.text
                ));
            }
            JobPlan {
                name: node.name.clone(),
                job: node.job.text.to_string(),
                approval: node.is_approval(),
                matrix: matrix_of(node),
                state,
                reason,
                after_approval: after,
                notes: if matches!(state, State::Runs | State::Waits) {
                    notes
                } else {
                    Vec::new()
                },
                span: node.span,
                spans: spots[v.index()].clone(),
            }
        })
        .collect()
}

fn ticks(names: &[String]) -> Vec<String> {
    names.iter().map(|n| format!("`{n}`")).collect()
}

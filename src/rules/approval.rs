//! Approval holds (`type: approval`): `approval-unreachable`, `approval-gates-nothing`,
//! `approval-name-clash`, `approval-unrestricted`.

use super::Rule;
use super::cycles::cyclic_nodes;
use crate::analysis::context::Context;
use crate::analysis::graph::{JobKind, Resolution, WorkflowGraph};
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use petgraph::graph::NodeIndex;
use std::collections::{HashSet, VecDeque};

pub static APPROVAL_UNREACHABLE: Rule = Rule {
    id: "approval-unreachable",
    severity: Severity::Error,
    summary: "an approval hold can never be reached: a job upstream of it does not exist, is in a cycle, or never runs where the hold runs",
    explanation: include_str!("docs/approval-unreachable.md"),
    category: super::Category::Correctness,
    check: Some(check_unreachable),
};

pub static APPROVAL_GATES_NOTHING: Rule = Rule {
    id: "approval-gates-nothing",
    severity: Severity::Warning,
    summary: "no job requires an approval hold, so approving it does nothing",
    explanation: include_str!("docs/approval-gates-nothing.md"),
    category: super::Category::Correctness,
    check: Some(check_gates_nothing),
};

pub static APPROVAL_NAME_CLASH: Rule = Rule {
    id: "approval-name-clash",
    severity: Severity::Warning,
    summary: "an approval hold has the name of a job in `jobs:`",
    explanation: include_str!("docs/approval-name-clash.md"),
    category: super::Category::Correctness,
    check: Some(check_name_clash),
};

pub static APPROVAL_UNRESTRICTED: Rule = Rule {
    id: "approval-unrestricted",
    severity: Severity::Info,
    summary: "a job gated by an approval hold uses no context, so anyone with write access can approve it",
    explanation: include_str!("docs/approval-unrestricted.md"),
    category: super::Category::Correctness,
    check: Some(check_unrestricted),
};

/// Why a job can never start.
#[derive(Clone, Debug)]
pub enum Blocker {
    /// It requires a name that is no job of the workflow (or names several).
    MissingRequire { span: Span, name: String },
    /// It runs a job that is defined nowhere.
    UnknownJob,
    /// It is in a requires cycle.
    Cycle,
    /// Its filters exclude every branch its requirements run on.
    NeverRuns { span: Span, why: String },
}

/// For every job that can never start, the job upstream of it (or itself) that is the cause,
/// with the reason. Linear: one breadth-first pass from the causes.
pub fn blocked(
    wg: &WorkflowGraph<'_>,
    never_runs: &[(NodeIndex, Span, String)],
) -> Vec<Option<(NodeIndex, Blocker)>> {
    let mut out: Vec<Option<(NodeIndex, Blocker)>> = vec![None; wg.graph.node_count()];
    let mut queue = VecDeque::new();
    let mut cause = |n: NodeIndex, b: Blocker, out: &mut Vec<Option<(NodeIndex, Blocker)>>| {
        if out[n.index()].is_none() {
            out[n.index()] = Some((n, b));
            queue.push_back(n);
        }
    };
    for r in &wg.requires {
        if matches!(r.resolution, Resolution::Unknown | Resolution::Ambiguous(_)) {
            cause(
                r.from,
                Blocker::MissingRequire {
                    span: r.require.name.span,
                    name: r.name.clone(),
                },
                &mut out,
            );
        }
    }
    for (i, node) in wg.nodes() {
        if node.kind == JobKind::Unknown {
            cause(i, Blocker::UnknownJob, &mut out);
        }
    }
    let mut cyclic: Vec<NodeIndex> = cyclic_nodes(wg).into_iter().collect();
    cyclic.sort();
    for n in cyclic {
        cause(n, Blocker::Cycle, &mut out);
    }
    for (n, span, why) in never_runs {
        cause(
            *n,
            Blocker::NeverRuns {
                span: *span,
                why: why.clone(),
            },
            &mut out,
        );
    }
    while let Some(n) = queue.pop_front() {
        let origin = out[n.index()].clone().expect("queued nodes are blocked");
        let mut next: Vec<NodeIndex> = wg.dependents(n).map(|(t, _, _)| t).collect();
        next.sort();
        next.dedup();
        for t in next {
            if out[t.index()].is_none() {
                out[t.index()] = Some(origin.clone());
                queue.push_back(t);
            }
        }
    }
    out
}

fn check_unreachable(cx: &Context, out: &mut Vec<Diagnostic>) {
    for wg in &cx.graphs.workflows {
        if !wg.nodes().any(|(_, n)| n.is_approval()) {
            continue;
        }
        let never = super::filter_rules::never_runs(wg);
        let blocked = blocked(wg, &never);
        let mut seen: HashSet<u32> = HashSet::new();
        for (i, node) in wg.nodes() {
            if !node.is_approval() {
                continue;
            }
            let Some((origin, blocker)) = &blocked[i.index()] else {
                continue;
            };
            if !seen.insert(node.span.start) {
                continue;
            }
            let o = wg.node(*origin);
            let (why, span, label, help) = match blocker {
                Blocker::MissingRequire { span, name } => (
                    if *origin == i {
                        format!("it requires `{name}`, which is not one job of workflow `{}`", wg.name)
                    } else {
                        format!("`{}` upstream of it requires `{name}`, which is not one job of workflow `{}`", o.name, wg.name)
                    },
                    *span,
                    "not one job of this workflow".to_string(),
                    "fix the `requires` entry (see `unknown-requires` / `ambiguous-requires`)".to_string(),
                ),
                Blocker::UnknownJob => (
                    format!("`{}` upstream of it runs job `{}`, which is defined nowhere", o.name, o.job.text),
                    o.span,
                    "defined nowhere".to_string(),
                    format!("define job `{}` (see `unknown-job`)", o.job.text),
                ),
                Blocker::Cycle => (
                    if *origin == i {
                        "it is in a requires cycle".to_string()
                    } else {
                        format!("`{}` upstream of it is in a requires cycle", o.name)
                    },
                    o.span,
                    "in a requires cycle".to_string(),
                    "break the cycle (see `requires-cycle`)".to_string(),
                ),
                Blocker::NeverRuns { span, why } => (
                    if *origin == i {
                        format!("its filters exclude every branch its requirements run on ({why})")
                    } else {
                        format!("`{}` upstream of it never runs ({why})", o.name)
                    },
                    *span,
                    "never runs".to_string(),
                    "make the filters of the jobs on the way to the hold agree (see `filters-never-run`)".to_string(),
                ),
            };
            let mut d = APPROVAL_UNREACHABLE
                .at(
                    node.span,
                    format!(
                        "approval hold `{}` in workflow `{}` can never be reached: {why}",
                        node.name, wg.name
                    ),
                )
                .label("this hold never waits for approval");
            if span != node.span {
                d = d.with_label(span, label);
            }
            out.push(d.help(help));
        }
    }
}

fn check_gates_nothing(cx: &Context, out: &mut Vec<Diagnostic>) {
    for wg in &cx.graphs.workflows {
        if wg.has_templated_requires() {
            continue;
        }
        let mut named: HashSet<NodeIndex> = HashSet::new();
        for r in &wg.requires {
            if let Resolution::Ambiguous(v) = &r.resolution {
                named.extend(v.iter().copied());
            }
        }
        // Invocations with a hold that gates something (a matrix of holds is one finding,
        // when none of its holds gates anything).
        let gating: HashSet<usize> = wg
            .nodes()
            .filter(|(i, n)| {
                n.is_approval() && (named.contains(i) || wg.dependents(*i).next().is_some())
            })
            .map(|(_, n)| n.index)
            .collect();
        let mut seen: HashSet<usize> = HashSet::new();
        for (_, node) in wg.nodes() {
            if !node.is_approval() || gating.contains(&node.index) || !seen.insert(node.index) {
                continue;
            }
            out.push(
                APPROVAL_GATES_NOTHING
                    .at(
                        node.span,
                        format!(
                            "no job of workflow `{}` requires approval hold `{}`, so approving it does nothing",
                            wg.name, node.name
                        ),
                    )
                    .label("nothing waits for this hold")
                    .help(format!(
                        "add `{}` to the `requires` of the jobs it should gate, or remove the hold",
                        node.name
                    )),
            );
        }
    }
}

fn check_name_clash(cx: &Context, out: &mut Vec<Diagnostic>) {
    for wg in &cx.graphs.workflows {
        let Some(wf) = wg.workflow else { continue };
        for inv in &wf.jobs {
            if !inv.is_approval() {
                continue;
            }
            for name in [Some(inv.job), inv.name].into_iter().flatten() {
                let Some(job) = cx.config.job(name.text) else {
                    continue;
                };
                if job.is_approval() {
                    continue;
                }
                out.push(
                    APPROVAL_NAME_CLASH
                        .at(
                            name.span,
                            format!(
                                "approval hold `{}` in workflow `{}` has the name of job `{}` of `jobs:`",
                                name.text, wg.name, job.name
                            ),
                        )
                        .label("an approval hold named like a job")
                        .with_label(job.name.span, "the job of that name")
                        .help(format!(
                            "give the hold a name of its own, such as `hold-{}`: CircleCI's workflow docs say an approval job's name should not be a job of the config (such a hold has been seen to pass at once without waiting)",
                            name.text
                        )),
                );
                break;
            }
        }
    }
}

fn check_unrestricted(cx: &Context, out: &mut Vec<Diagnostic>) {
    for wg in &cx.graphs.workflows {
        let mut seen: HashSet<(usize, u32)> = HashSet::new();
        for (i, hold) in wg.nodes() {
            if !hold.is_approval() {
                continue;
            }
            let mut deps: Vec<(NodeIndex, Span)> =
                wg.dependents(i).map(|(t, _, e)| (t, e.span)).collect();
            deps.sort_by_key(|(t, _)| *t);
            for (t, req_span) in deps {
                let job = wg.node(t);
                if !job.context.is_empty() || job.is_approval() {
                    continue;
                }
                if !seen.insert((job.index, req_span.start)) {
                    continue;
                }
                let shown = job
                    .matrix_group
                    .filter(|_| job.name_override.is_none())
                    .unwrap_or(job.name.as_str());
                out.push(
                    APPROVAL_UNRESTRICTED
                        .at(
                            job.span,
                            format!(
                                "`{shown}` runs after approval hold `{}` but uses no `context`, so anyone with write access to the repository can approve it",
                                hold.name
                            ),
                        )
                        .label("no `context:` on this job")
                        .with_label(req_span, "gated by this hold")
                        .help(format!(
                            "give `{shown}` a `context:` whose security group (or project restriction) includes only the people allowed to approve: a restricted context limits who can approve `{}`",
                            hold.name
                        )),
                );
            }
        }
    }
}

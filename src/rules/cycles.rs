//! `requires-cycle`: jobs that require each other, directly or through others, so none of them
//! can start.

use super::Rule;
use crate::analysis::context::Context;
use crate::analysis::graph::WorkflowGraph;
use crate::base::diagnostic::{Diagnostic, Severity};
use petgraph::graph::{EdgeIndex, NodeIndex};
use std::collections::{HashSet, VecDeque};

pub static REQUIRES_CYCLE: Rule = Rule {
    id: "requires-cycle",
    severity: Severity::Error,
    summary: "jobs of a workflow require each other in a cycle, so none of them can ever start",
    explanation: include_str!("docs/requires-cycle.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

/// One cycle: the edges in the order the jobs would run, the last one closing it.
pub struct Cycle {
    pub nodes: Vec<NodeIndex>,
    pub edges: Vec<EdgeIndex>,
}

/// One cycle per strongly connected component that has one (a component of several jobs, or a
/// job that requires itself), starting at the component's job written first.
pub fn cycles(wg: &WorkflowGraph<'_>) -> Vec<Cycle> {
    let mut out = Vec::new();
    for scc in petgraph::algo::tarjan_scc(&wg.graph) {
        if scc.len() == 1 {
            let n = scc[0];
            if let Some((_, e, _)) = wg.dependents(n).find(|(t, _, _)| *t == n) {
                out.push(Cycle {
                    nodes: vec![n, n],
                    edges: vec![e],
                });
            }
            continue;
        }
        let members: HashSet<NodeIndex> = scc.iter().copied().collect();
        let start = *scc.iter().min().expect("non-empty component");
        // Shortest way round: breadth-first from `start` inside the component back to it.
        let mut prev: std::collections::HashMap<NodeIndex, (NodeIndex, EdgeIndex)> =
            std::collections::HashMap::new();
        let mut queue = VecDeque::from([start]);
        let mut closing: Option<(NodeIndex, EdgeIndex)> = None;
        'bfs: while let Some(n) = queue.pop_front() {
            let mut next: Vec<(NodeIndex, EdgeIndex)> = wg
                .dependents(n)
                .filter(|(t, _, _)| members.contains(t))
                .map(|(t, e, _)| (t, e))
                .collect();
            next.sort();
            for (t, e) in next {
                if t == start {
                    closing = Some((n, e));
                    break 'bfs;
                }
                if t != start && !prev.contains_key(&t) {
                    prev.insert(t, (n, e));
                    queue.push_back(t);
                }
            }
        }
        let Some((last, closing_edge)) = closing else {
            continue;
        };
        let mut nodes = vec![start];
        let mut edges = vec![closing_edge];
        let mut cur = last;
        while cur != start {
            nodes.push(cur);
            let (p, e) = prev[&cur];
            edges.push(e);
            cur = p;
        }
        nodes.push(start);
        nodes.reverse();
        edges.reverse();
        out.push(Cycle { nodes, edges });
    }
    out.sort_by_key(|c| c.nodes[0]);
    out
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for wg in &cx.graphs.workflows {
        let mut seen: HashSet<u32> = HashSet::new();
        for cycle in cycles(wg) {
            let path: Vec<&str> = cycle
                .nodes
                .iter()
                .map(|n| wg.node(*n).name.as_str())
                .collect();
            let closing = *cycle.edges.last().expect("a cycle has an edge");
            let closing_span = wg.edge(closing).span;
            if !seen.insert(closing_span.start) {
                continue;
            }
            let first = wg.node(cycle.nodes[0]);
            let last = wg.node(cycle.nodes[cycle.nodes.len() - 2]);
            let mut d = REQUIRES_CYCLE
                .at(
                    closing_span,
                    format!(
                        "workflow `{}` has a requires cycle: {}",
                        wg.name,
                        path.iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(" -> ")
                    ),
                )
                .label(format!(
                    "`{}` requires `{}`, which closes the cycle",
                    first.name, last.name
                ));
            for (k, e) in cycle.edges.iter().enumerate().take(cycle.edges.len() - 1) {
                let from = wg.node(cycle.nodes[k]);
                let to = wg.node(cycle.nodes[k + 1]);
                d = d.with_label(
                    wg.edge(*e).span,
                    format!("`{}` requires `{}`", to.name, from.name),
                );
            }
            d = d.help(format!(
                "no job of the cycle can ever start; remove one of these `requires` entries (most likely `{}` in the `requires` of `{}`)",
                last.name, first.name
            ));
            out.push(d);
        }
    }
}

/// Every job that is in a cycle.
pub fn cyclic_nodes(wg: &WorkflowGraph<'_>) -> HashSet<NodeIndex> {
    let mut out = HashSet::new();
    for scc in petgraph::algo::tarjan_scc(&wg.graph) {
        if scc.len() > 1 {
            out.extend(scc);
        } else if wg.dependents(scc[0]).any(|(t, _, _)| t == scc[0]) {
            out.insert(scc[0]);
        }
    }
    out
}

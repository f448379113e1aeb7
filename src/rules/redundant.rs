//! `redundant-requires`: a `requires` entry that the others already imply (transitive
//! reduction).
//!
//! An entry `v requires u` is redundant when `v` also requires some `w` that itself waits,
//! directly or not, for `u`. Only plain success requirements count (a `failed` or `terminal`
//! requirement is not implied by a success chain, nor implies one), and only chains whose jobs
//! run wherever `v` runs: a job between `u` and `v` must have no filters or the same filters
//! as `v` (if it were filtered out, CircleCI would ignore the requirement on it, and `v` would
//! no longer wait for `u`).
//!
//! Cost: ancestor sets as bitsets, computed once in topological order: O(E * N / 64) time and
//! N * N / 8 bytes. Workflows with more than `MAX_JOBS` jobs are skipped (20,000 jobs take
//! 50 MB); a workflow with a cycle is skipped (`requires-cycle` reports it).

use super::Rule;
use crate::analysis::context::Context;
use crate::analysis::graph::{WorkflowGraph, fingerprint};
use crate::base::diagnostic::{Diagnostic, Fix, Severity};
use crate::yaml::Node;
use petgraph::graph::NodeIndex;
use std::collections::{HashMap, HashSet};

pub static REDUNDANT_REQUIRES: Rule = Rule {
    id: "redundant-requires",
    severity: Severity::Info,
    summary: "a `requires` entry is implied by the job's other requirements",
    explanation: include_str!("docs/redundant-requires.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

/// Workflows with more jobs than this are not analysed.
pub const MAX_JOBS: usize = 20_000;

/// Filter classes: 0 for no filters, then one number per distinct filters value.
fn filter_classes(wg: &WorkflowGraph<'_>) -> Vec<u32> {
    let mut ids: HashMap<String, u32> = HashMap::new();
    wg.nodes()
        .map(|(_, n)| match n.filters {
            None => 0,
            Some(f) if f.is_null() => 0,
            Some(f) => {
                let mut s = String::new();
                fingerprint(f, &mut s);
                let next = ids.len() as u32 + 1;
                *ids.entry(s).or_insert(next)
            }
        })
        .collect()
}

/// A redundant edge: `job` requires `required` (entry at `span`), which `via`, another
/// requirement of `job`, already waits for.
#[derive(Clone, Copy, Debug)]
pub struct Redundant {
    pub job: NodeIndex,
    pub required: NodeIndex,
    pub via: NodeIndex,
    pub span: crate::base::span::Span,
}

/// The redundant edges of one workflow.
pub fn redundant_edges(wg: &WorkflowGraph<'_>) -> Vec<Redundant> {
    let n = wg.graph.node_count();
    if n == 0 || n > MAX_JOBS || wg.truncated {
        return Vec::new();
    }
    let Ok(order) = petgraph::algo::toposort(&wg.graph, None) else {
        return Vec::new();
    };
    let class = filter_classes(wg);
    let words = n.div_ceil(64);
    let mut anc = vec![0u64; n * words];
    // Success-only predecessors of each node.
    let preds = |v: NodeIndex| {
        wg.requirements(v)
            .filter(|(_, _, e)| e.is_success_only())
            .map(|(p, _, _)| p)
    };
    for &v in &order {
        let vi = v.index();
        let mut row = vec![0u64; words];
        for p in preds(v) {
            let pi = p.index();
            row[pi / 64] |= 1 << (pi % 64);
            if class[pi] == 0 || class[pi] == class[vi] {
                let src = &anc[pi * words..(pi + 1) * words];
                for (r, s) in row.iter_mut().zip(src) {
                    *r |= *s;
                }
            }
        }
        anc[vi * words..(vi + 1) * words].copy_from_slice(&row);
    }
    let mut out = Vec::new();
    let mut union = vec![0u64; words];
    for v in wg.graph.node_indices() {
        let vi = v.index();
        let ps: Vec<NodeIndex> = preds(v).collect();
        if ps.len() < 2 {
            continue;
        }
        union.iter_mut().for_each(|w| *w = 0);
        for &w in &ps {
            let wi = w.index();
            if class[wi] == 0 || class[wi] == class[vi] {
                let src = &anc[wi * words..(wi + 1) * words];
                for (r, s) in union.iter_mut().zip(src) {
                    *r |= *s;
                }
            }
        }
        for (u, _, e) in wg.requirements(v) {
            let ui = u.index();
            if !e.is_success_only() || union[ui / 64] & (1 << (ui % 64)) == 0 {
                continue;
            }
            let via = ps.iter().copied().find(|&w| {
                let wi = w.index();
                (class[wi] == 0 || class[wi] == class[vi])
                    && anc[wi * words + ui / 64] & (1 << (ui % 64)) != 0
            });
            if let Some(via) = via {
                out.push(Redundant {
                    job: v,
                    required: u,
                    via,
                    span: e.span,
                });
            }
        }
    }
    out
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for wg in &cx.graphs.workflows {
        let redundant = redundant_edges(wg);
        if redundant.is_empty() {
            continue;
        }
        // A `requires` entry is reported when every edge it makes (for a matrix: from every
        // instance, to every instance) is redundant.
        let mut total: HashMap<u32, usize> = HashMap::new();
        for (i, _) in wg.nodes() {
            for (_, _, e) in wg.requirements(i) {
                *total.entry(e.span.start).or_default() += 1;
            }
        }
        let mut hits: HashMap<u32, usize> = HashMap::new();
        for r in &redundant {
            *hits.entry(r.span.start).or_default() += 1;
        }
        let mut seen: HashSet<u32> = HashSet::new();
        for r in redundant {
            let (v, u, span) = (r.job, r.required, r.span);
            if hits[&span.start] != total[&span.start] || !seen.insert(span.start) {
                continue;
            }
            let job = wg.node(v);
            let req = wg.node(u);
            // The name as the entry writes it (a matrix alias names several jobs).
            let entry = wg
                .requirements(v)
                .find(|(p, _, e)| *p == u && e.span == span)
                .map(|(_, _, e)| e.require.name.text)
                .filter(|t| !t.contains("<<"))
                .unwrap_or(req.name.as_str());
            let mut d = REDUNDANT_REQUIRES
                .at(
                    span,
                    format!(
                        "`{}` requires `{entry}`, which it already waits for through its other requirements",
                        job.name
                    ),
                )
                .label("implied by the other `requires` entries");
            let wn = wg.node(r.via);
            d = d.with_label(
                wn.span,
                format!("`{}` already waits for `{}`", wn.name, req.name),
            );
            let fix = cx
                .doc
                .root
                .as_ref()
                .and_then(|root| list_holding(root, span, 0))
                .and_then(|(seq, i)| crate::yaml::edit::delete_item(cx.source, seq, i))
                .map(|e| Fix::safe(format!("remove `{entry}` from `requires`"), vec![e]));
            out.push(
                d.help(format!(
                    "remove `{entry}` from the `requires` of `{}`: it runs after `{}`, which runs after `{}`",
                    job.name, wn.name, req.name
                ))
                .fix_opt(fix),
            );
        }
    }
}

/// The list under `node` one of whose scalar items is written at `span`, and the item's index.
fn list_holding(node: &Node, span: crate::base::span::Span, depth: usize) -> Option<(&Node, usize)> {
    if depth > 64 || node.alias.is_some() || !node.span.contains(span) {
        return None;
    }
    if let Some(items) = node.as_seq() {
        if let Some(i) = items.iter().position(|n| n.span == span && n.as_scalar().is_some()) {
            return Some((node, i));
        }
        return items.iter().find_map(|n| list_holding(n, span, depth + 1));
    }
    node.as_map()?
        .iter()
        .find_map(|(_, v)| list_holding(v, span, depth + 1))
}

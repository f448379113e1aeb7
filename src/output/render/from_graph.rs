//! From the workflow graphs to diagrams: what `cilint graph` draws for each workflow.

use super::{Diagram, Edge, Node};
use crate::analysis::graph::{Graphs, WorkflowGraph};
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use petgraph::algo::tarjan_scc;

/// One diagram per workflow, in the config's order. `findings` are the file's diagnostics:
/// an invocation that an error points into is outlined in red.
pub fn diagrams(graphs: &Graphs<'_>, findings: &[Diagnostic]) -> Vec<Diagram> {
    graphs
        .workflows
        .iter()
        .map(|wg| diagram(wg, findings))
        .collect()
}

/// The diagram of one workflow.
pub fn diagram(wg: &WorkflowGraph<'_>, findings: &[Diagnostic]) -> Diagram {
    let mut d = Diagram::new(wg.name);
    if let Some(wf) = wg.workflow {
        for trigger in &wf.triggers {
            if let Some(cron) = trigger.cron.and_then(|c| c.scalar_text()) {
                d.trigger(format!("schedule: {cron}"));
            }
        }
        if let Some((_, when)) = wf.when {
            d.trigger(format!("when: {}", crate::lang::logic::render(when)));
        }
        if let Some((_, unless)) = wf.unless {
            d.trigger(format!("unless: {}", crate::lang::logic::render(unless)));
        }
    }

    let errors: Vec<Span> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.primary.span)
        .collect();
    let filters = wg.filters();
    let mut index = vec![usize::MAX; wg.graph.node_count()];
    for (i, job) in wg.nodes() {
        let mut node = if job.is_approval() {
            Node::approval(&job.name, &job.name)
        } else {
            Node::job(&job.name, &job.name)
        };
        if let Some(runs) = job.runs_label() {
            node = node.sublabel(runs);
        }
        if let Some(short) = filters
            .get(i.index())
            .and_then(|f| f.as_ref())
            .map(|f| f.short_form())
            .filter(|s| !s.is_empty())
        {
            node = node.sublabel(short);
        }
        if !job.context.is_empty() {
            let names: Vec<&str> = job.context.iter().map(|c| c.text).collect();
            node = node.sublabel(format!("context: {}", names.join(", ")));
        }
        let area = job
            .invocation
            .map_or(job.span, |inv| inv.node.span.cover(job.span));
        node.has_error = errors
            .iter()
            .any(|e| e.start >= area.start && e.start < area.end.max(area.start + 1));
        index[i.index()] = d.add_node(node);
    }

    // Edges inside a strongly connected component (or a self-loop) belong to a cycle.
    let mut component = vec![usize::MAX; wg.graph.node_count()];
    for (c, scc) in tarjan_scc(&wg.graph).into_iter().enumerate() {
        if scc.len() > 1 {
            for n in scc {
                component[n.index()] = c;
            }
        }
    }
    for e in wg.graph.edge_indices() {
        let Some((from, to)) = wg.graph.edge_endpoints(e) else {
            continue;
        };
        let mut edge = Edge::new(index[from.index()], index[to.index()]);
        if let Some(label) = wg.edge(e).status_label() {
            edge = edge.status(label);
        }
        edge.in_cycle = from == to
            || (component[from.index()] != usize::MAX
                && component[from.index()] == component[to.index()]);
        d.add_edge(edge);
    }
    d
}

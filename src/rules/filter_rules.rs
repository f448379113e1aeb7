//! `tag-filter-upstream` and `filters-never-run`: jobs that their filters, together with the
//! filters of the jobs they require, keep from ever running.
//!
//! CircleCI's rules, as modelled here (`filters.rs` evaluates the filters themselves):
//! - a job runs for a tag push only if it has a `tags` filter that admits the tag;
//! - a requirement on a job that does not run because of its filters is ignored, but a job
//!   whose requirements are all filtered out does not run either.
//!
//! So a job never runs for tags when it has no `tags` filter, or when every job it requires
//! never runs for tags; and a job never runs on any branch when, for each job it requires, the
//! two jobs' branch filters provably share no branch. Nothing is claimed when a filter is an
//! expression, a pattern cannot be evaluated, or a `requires` entry was not resolved.

use super::Rule;
use crate::analysis::context::Context;
use crate::analysis::graph::{Resolution, WorkflowGraph};
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::base::text::join_and;
use crate::lang::filters::{Filters, branches_never_overlap};
use petgraph::graph::NodeIndex;
use std::collections::{HashSet, VecDeque};

pub static TAG_FILTER_UPSTREAM: Rule = Rule {
    id: "tag-filter-upstream",
    severity: Severity::Error,
    summary: "a job with a `tags` filter requires a job without one, so it never runs for a tag push",
    explanation: include_str!("docs/tag-filter-upstream.md"),
    category: super::Category::Correctness,
    check: Some(check_tags),
};

pub static FILTERS_NEVER_RUN: Rule = Rule {
    id: "filters-never-run",
    severity: Severity::Error,
    summary: "a job's branch filters exclude every branch on which the jobs it requires run",
    explanation: include_str!("docs/filters-never-run.md"),
    category: super::Category::Correctness,
    check: Some(check_never),
};

pub static FILTER_NOT_REGEX: Rule = Rule {
    id: "filter-not-regex",
    severity: Severity::Warning,
    summary: "a `branches`/`tags` filter entry written like a regex but without the slashes, so it is an exact name no git ref can have",
    explanation: include_str!("docs/filter-not-regex.md"),
    category: super::Category::Correctness,
    check: Some(check_not_regex),
};

/// Characters git does not allow in a branch or tag name (`git check-ref-format`): a literal
/// filter entry holding one never matches.
const NOT_IN_REF_NAMES: &[char] = &['[', '\\', '*', '?', '^', '~', ':', ' '];

/// The regex a literal filter entry was probably meant to be: its text between slashes, with a
/// slash that ends it and one other misplaced slash (`v/[0-9]+/`) taken out.
fn meant_regex(text: &str) -> String {
    let mut inner = text.trim_start_matches('/').to_string();
    if inner.ends_with('/') {
        inner.pop();
        if !text.starts_with('/') && inner.matches('/').count() == 1 {
            inner = inner.replacen('/', "", 1);
        }
    }
    format!("/{inner}/")
}

fn check_not_regex(cx: &Context, out: &mut Vec<Diagnostic>) {
    use crate::lang::filters::Pattern;
    // (kind, text, the first character git refuses) -> every entry written so, in order.
    type Entry<'k> = (&'k str, String, char);
    let mut found: Vec<(Entry, Vec<Span>)> = Vec::new();
    let mut seen = HashSet::new();
    for wg in &cx.graphs.workflows {
        for (_, node) in wg.nodes() {
            let Some(node_filters) = node.filters.filter(|f| !f.is_null()) else {
                continue;
            };
            let f = Filters::from_node(node_filters).0;
            for (kind, rf) in [("branch", &f.branches), ("tag", &f.tags)] {
                let Some(rf) = rf else { continue };
                for item in rf.only.iter().chain(&rf.ignore).flatten() {
                    let Pattern::Literal(text) = &item.pattern else {
                        continue;
                    };
                    let Some(bad) = text.chars().find(|c| NOT_IN_REF_NAMES.contains(c)) else {
                        continue;
                    };
                    if text.contains("<<") || !seen.insert(item.span) {
                        continue;
                    }
                    let key = (kind, text.clone(), bad);
                    match found.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, spans)) => spans.push(item.span),
                        None => found.push((key, vec![item.span])),
                    }
                }
            }
        }
    }
    for ((kind, text, bad), spans) in found {
        let regex = meant_regex(&text);
        let mut d = FILTER_NOT_REGEX
            .at(
                spans[0],
                format!(
                    "`{text}` is compared as an exact {kind} name, and no git {kind} can be named so (it holds `{bad}`): this entry never matches"
                ),
            )
            .label("an exact name, not a regex");
        for span in spans[1..].iter().take(4) {
            d = d.with_label(*span, "the same entry");
        }
        out.push(d.help(format!(
            "a regex goes between slashes: `{regex}` (a whole-name match)"
        )));
    }
}

/// Jobs whose requirements are not all known (an unresolved or templated `requires` entry):
/// nothing is claimed about them.
fn unsure(wg: &WorkflowGraph<'_>) -> HashSet<NodeIndex> {
    wg.requires
        .iter()
        .filter(|r| wg.truncated || !matches!(r.resolution, Resolution::Jobs(_)))
        .map(|r| r.from)
        .collect()
}

/// Whether a job provably never runs for a tag push, for every job (in topological order;
/// jobs in a cycle are left `false`).
fn never_for_tags(wg: &WorkflowGraph<'_>, filters: &[Option<Filters>]) -> Vec<bool> {
    let n = wg.graph.node_count();
    let mut never = vec![false; n];
    let Ok(order) = petgraph::algo::toposort(&wg.graph, None) else {
        return never;
    };
    let unsure = unsure(wg);
    for v in order {
        let own = match &filters[v.index()] {
            None => true,
            Some(f) => !f.may_run_for_tags(),
        };
        let mut reqs = wg.requirements(v).peekable();
        let upstream = reqs.peek().is_some()
            && !unsure.contains(&v)
            && wg.requirements(v).all(|(p, _, _)| never[p.index()]);
        never[v.index()] = own || upstream;
    }
    never
}

fn check_tags(cx: &Context, out: &mut Vec<Diagnostic>) {
    for wg in &cx.graphs.workflows {
        if !wg.nodes().any(|(_, n)| n.filters.is_some()) {
            continue;
        }
        let filters = wg.filters();
        let tagged = |i: NodeIndex| {
            filters[i.index()]
                .as_ref()
                .is_some_and(|f| f.expression.is_none() && f.may_run_for_tags())
        };
        if !wg.nodes().any(|(i, _)| tagged(i)) {
            continue;
        }
        let never = never_for_tags(wg, filters);
        let unsure = unsure(wg);
        let mut seen: HashSet<(usize, u32)> = HashSet::new();
        for (v, node) in wg.nodes() {
            if !tagged(v) || unsure.contains(&v) {
                continue;
            }
            let reqs: Vec<(NodeIndex, Span)> =
                wg.requirements(v).map(|(p, _, e)| (p, e.span)).collect();
            if reqs.is_empty() || !reqs.iter().all(|(p, _)| never[p.index()]) {
                continue;
            }
            // Blame the requirements that lack the filter themselves; when they all have one,
            // the finding is further up.
            let mut culprits: Vec<(NodeIndex, Span)> =
                reqs.into_iter().filter(|(p, _)| !tagged(*p)).collect();
            culprits.sort_by_key(|(_, s)| s.start);
            culprits.dedup_by_key(|(p, _)| *p);
            let Some(&(first, span)) = culprits.first() else {
                continue;
            };
            if !seen.insert((node.index, span.start)) {
                continue;
            }
            let req = wg.node(first);
            let tags_span = filters[v.index()]
                .as_ref()
                .and_then(|f| f.tags.as_ref().map(|t| t.span))
                .unwrap_or(node.span);
            // Jobs further up without the filter, which need it too.
            let more = untagged_upstream(wg, first, &tagged, 5);
            let mut d = TAG_FILTER_UPSTREAM
                .at(
                    span,
                    format!(
                        "`{}` has a `tags` filter but requires `{}`, which has none, so `{}` never runs for a tag push",
                        node.name, req.name, node.name
                    ),
                )
                .label(format!("`{}` never runs for tags", req.name))
                .with_label(tags_span, format!("`{}` is meant to run for tags", node.name))
                .with_label(req.span, format!("`{}` has no `tags` filter", req.name));
            for (p, s) in culprits.iter().skip(1).take(4) {
                d = d.with_label(
                    *s,
                    format!("`{}` has no `tags` filter either", wg.node(*p).name),
                );
            }
            let mut names: Vec<String> = culprits
                .iter()
                .map(|(p, _)| format!("`{}`", wg.node(*p).name))
                .collect();
            names.extend(more.iter().map(|p| format!("`{}`", wg.node(*p).name)));
            names.dedup();
            d = d.help(format!(
                "CircleCI runs a job for a tag only if it has a `tags` filter, and runs a job only after what it requires ran: add the same `tags` filter (for example `tags: only: /^v.*/`) to {}",
                join_and(&names)
            ));
            out.push(d);
        }
    }
}

/// Up to `limit` jobs upstream of `from` that have no `tags` filter (breadth first).
fn untagged_upstream(
    wg: &WorkflowGraph<'_>,
    from: NodeIndex,
    tagged: &dyn Fn(NodeIndex) -> bool,
    limit: usize,
) -> Vec<NodeIndex> {
    let mut out = Vec::new();
    let mut seen = HashSet::from([from]);
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        for (p, _, _) in wg.requirements(n) {
            if seen.insert(p) {
                if !tagged(p) {
                    out.push(p);
                    if out.len() >= limit {
                        return out;
                    }
                }
                queue.push_back(p);
            }
        }
    }
    out
}

/// Jobs whose branch filters provably exclude every branch their requirements run on, with the
/// span of the excluding filter and the reason in words.
pub fn never_runs(wg: &WorkflowGraph<'_>) -> Vec<(NodeIndex, Span, String)> {
    let mut out = Vec::new();
    if !wg.nodes().any(|(_, n)| n.filters.is_some()) {
        return out;
    }
    let filters = wg.filters();
    let unsure = unsure(wg);
    let none = Filters::default();
    for (v, node) in wg.nodes() {
        let Some(fv) = &filters[v.index()] else {
            continue; // a job without filters runs wherever any requirement runs
        };
        // A job that may run for tags is not judged on branches alone.
        if fv.may_run_for_tags() || unsure.contains(&v) {
            continue;
        }
        let reqs: Vec<NodeIndex> = {
            let mut r: Vec<NodeIndex> = wg.requirements(v).map(|(p, _, _)| p).collect();
            r.sort();
            r.dedup();
            r
        };
        if reqs.is_empty() {
            continue;
        }
        let mut reasons = Vec::new();
        for p in &reqs {
            let fp = filters[p.index()].as_ref().unwrap_or(&none);
            match branches_never_overlap(&node.name, fv, &wg.node(*p).name, fp) {
                Some(nr) => reasons.push(nr),
                None => break,
            }
        }
        if reasons.len() != reqs.len() {
            continue;
        }
        let span = fv
            .branches
            .as_ref()
            .map(|b| b.span)
            .unwrap_or(reasons[0].span);
        let why: Vec<String> = reasons.iter().map(|r| r.reason.clone()).collect();
        out.push((v, span, why.join("; ")));
    }
    out
}

fn check_never(cx: &Context, out: &mut Vec<Diagnostic>) {
    for wg in &cx.graphs.workflows {
        let mut seen: HashSet<u32> = HashSet::new();
        for (v, span, why) in never_runs(wg) {
            let node = wg.node(v);
            if !seen.insert(span.start) {
                continue;
            }
            let mut d = FILTERS_NEVER_RUN
                .at(
                    span,
                    format!(
                        "`{}` in workflow `{}` can never run: {why}",
                        node.name, wg.name
                    ),
                )
                .label("excludes every branch its requirements run on");
            let mut reqs: Vec<(NodeIndex, Span)> =
                wg.requirements(v).map(|(p, _, e)| (p, e.span)).collect();
            reqs.sort_by_key(|(_, s)| s.start);
            reqs.dedup_by_key(|(_, s)| s.start);
            for (p, s) in reqs.iter().take(5) {
                d = d.with_label(*s, format!("`{}` runs elsewhere", wg.node(*p).name));
            }
            out.push(d.help(format!(
                "make the branch filters of `{}` and of the jobs it requires share the branches it should run on (a requirement that is filtered out is ignored, but when all are, the job does not run)",
                node.name
            )));
        }
    }
}

#[cfg(test)]
mod not_regex_tests {
    use super::meant_regex;

    #[test]
    fn the_regex_meant() {
        assert_eq!(meant_regex("v/[0-9]+\\.[0-9]+/"), "/v[0-9]+\\.[0-9]+/");
        assert_eq!(meant_regex("release.*"), "/release.*/");
        assert_eq!(meant_regex("/^v.*"), "/^v.*/");
        assert_eq!(meant_regex("feature/[a-z]+/"), "/feature[a-z]+/");
    }
}

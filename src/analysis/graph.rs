//! Workflow graphs: one petgraph `DiGraph` per workflow.
//!
//! A node is one job of the workflow as CircleCI names it (an invocation after its `name:`
//! override, or one instance of a matrix); an edge goes from a required job to the job that
//! requires it (the direction jobs run in, and the direction diagrams draw), one edge per
//! `requires` entry and per instance it resolves to, carrying the statuses it waits for.
//! Every node and edge keeps the span it was written at.
//!
//! How a `requires` name is resolved (see `/work/shared/CIRCLECI-FACTS.md` and the
//! configuration reference):
//! 1. matrix parameters are substituted into it for each instance of a matrix invocation
//!    (`requires: [build-<< matrix.os >>]`);
//! 2. a name that one invocation's jobs carry (a `name:` override, the job name, a matrix
//!    instance name) means those jobs; a name carried by jobs of several invocations is
//!    ambiguous (CircleCI numbers such jobs `x-1`, `x-2`, and rejects a `requires` on `x`);
//! 3. a numbered name `x-2` means the second job named `x`;
//! 4. a matrix alias (default: the job name) means every instance of the matrices that have it;
//! 5. a name that still holds a `<< ... >>` template is left unresolved without a finding.
//!
//! This is the semantics of `Workflow::resolve_requires` (model), plus numbered duplicates and
//! ambiguity, computed with hash maps: building is linear in instances plus `requires` entries
//! (a linear scan per entry would be quadratic on 10,000-job workflows); nothing here compares
//! pairs of jobs.

use crate::base::span::Span;
use crate::config::model::{
    Config, Invocation, Job, MATRIX_LIMIT, Name, OrbSource, Require, Version, Workflow,
    matrix_instance_name, orb_ref, substitute_matrix,
};
use crate::lang::filters::Filters;
use crate::yaml::{Node, Value};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::HashMap;
use std::sync::OnceLock;

/// What an invocation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// A job of the config's `jobs:`.
    Local,
    /// A job of an orb whose source is known (an inline orb), and that the orb defines.
    Orb,
    /// A job cilint cannot look into: a job of an orb whose source is not known (a registry or
    /// URL orb that is not cached, an undeclared orb), or a name written with `<< ... >>`.
    Unresolved,
    /// A `type: approval` hold (or a job defined with `type: approval`).
    Approval,
    /// A name that is no job of the config and no job of its orb.
    Unknown,
}

/// At most this many edges are made per workflow (matrices requiring matrices multiply):
/// beyond, the workflow is marked `truncated` and rules that need every edge say nothing.
pub const MAX_EDGES: usize = 2_000_000;

/// One job of a workflow.
#[derive(Clone, Debug)]
pub struct JobNode<'a> {
    /// The name CircleCI gives the job (duplicates numbered `x-1`, `x-2`).
    pub name: String,
    /// The name before numbering: the `name:` override, the job name, or the matrix instance
    /// name.
    pub base_name: String,
    /// The job it runs, as written (the key of the workflow job entry).
    pub job: Name<'a>,
    /// The `name:` override, as written.
    pub name_override: Option<Name<'a>>,
    pub kind: JobKind,
    /// The invocation (`None` only for the implicit `build` job of a 2.0 config without
    /// workflows).
    pub invocation: Option<&'a Invocation<'a>>,
    /// Index of the invocation in the workflow's `jobs:` list.
    pub index: usize,
    /// The local job definition, when it runs one.
    pub definition: Option<&'a Job<'a>>,
    /// The span naming the job: the key of its workflow entry.
    pub span: Span,
    pub filters: Option<&'a Node>,
    pub context: &'a [Name<'a>],
    /// For a matrix instance: the parameter values of this combination.
    pub matrix_values: Vec<(Name<'a>, &'a Node)>,
    /// The matrix alias (or job name) when the node is a matrix instance.
    pub matrix_group: Option<&'a str>,
}

impl JobNode<'_> {
    pub fn is_approval(&self) -> bool {
        self.kind == JobKind::Approval
    }

    /// The job it runs when that differs from its name (an orb job, a renamed job, a matrix
    /// instance): what a diagram shows under the name.
    pub fn runs_label(&self) -> Option<&str> {
        (self.job.text != self.name && !self.is_approval()).then_some(self.job.text)
    }
}

/// One `requires` edge: from the required job to the job that requires it.
#[derive(Clone, Debug)]
pub struct RequireEdge<'a> {
    pub require: &'a Require<'a>,
    /// The span of the name in the `requires` entry.
    pub span: Span,
    /// The statuses it waits for, `["success"]` when none are written.
    pub statuses: Vec<&'a str>,
}

impl RequireEdge<'_> {
    /// Waits for success only (the default).
    pub fn is_success_only(&self) -> bool {
        self.statuses.iter().all(|s| *s == "success")
    }

    /// The statuses as a diagram labels a non-default edge (`failed`, `failed, canceled`).
    pub fn status_label(&self) -> Option<String> {
        (!self.is_success_only()).then(|| self.statuses.join(", "))
    }
}

/// What a `requires` entry names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// These jobs (an edge to each was added).
    Jobs(Vec<NodeIndex>),
    /// Jobs of several invocations carry the name.
    Ambiguous(Vec<NodeIndex>),
    /// No job of the workflow has the name.
    Unknown,
    /// The name holds a `<< ... >>` template that cilint cannot substitute.
    Templated,
}

/// One `requires` entry of one job (for a matrix, once per instance), and what it resolves to.
#[derive(Clone, Debug)]
pub struct RequireRef<'a> {
    /// The requiring job.
    pub from: NodeIndex,
    pub require: &'a Require<'a>,
    /// The name after matrix substitution.
    pub name: String,
    pub resolution: Resolution,
}

/// One workflow's graph.
#[derive(Clone, Debug)]
pub struct WorkflowGraph<'a> {
    /// The workflow's name (`build` for the implicit workflow of a 2.0 config).
    pub name: &'a str,
    /// The workflow's key (the `build` job's key for the implicit workflow).
    pub name_span: Span,
    /// `None` for the implicit workflow of a 2.0 config without workflows.
    pub workflow: Option<&'a Workflow<'a>>,
    pub graph: DiGraph<JobNode<'a>, RequireEdge<'a>>,
    /// Every `requires` entry, as resolved.
    pub requires: Vec<RequireRef<'a>>,
    /// Jobs by name before numbering.
    by_base: HashMap<String, Vec<NodeIndex>>,
    /// Jobs by final name (numbered names included).
    by_name: HashMap<String, NodeIndex>,
    /// Matrix instances by alias (default: job name).
    by_group: HashMap<&'a str, Vec<NodeIndex>>,
    /// True when edges were left out because the workflow would have more than `MAX_EDGES`.
    pub truncated: bool,
    /// Every job's parsed `filters` (computed on first use).
    filters: OnceLock<Vec<Option<Filters>>>,
}

impl<'a> WorkflowGraph<'a> {
    pub fn node(&self, i: NodeIndex) -> &JobNode<'a> {
        &self.graph[i]
    }

    pub fn nodes(&self) -> impl Iterator<Item = (NodeIndex, &JobNode<'a>)> {
        self.graph.node_indices().map(move |i| (i, &self.graph[i]))
    }

    pub fn edge(&self, e: EdgeIndex) -> &RequireEdge<'a> {
        &self.graph[e]
    }

    /// The jobs a final name (or name before numbering, or matrix alias) names.
    pub fn lookup(&self, name: &str) -> Vec<NodeIndex> {
        if let Some(v) = self.by_base.get(name) {
            return v.clone();
        }
        if let Some(i) = self.by_name.get(name) {
            return vec![*i];
        }
        self.by_group.get(name).cloned().unwrap_or_default()
    }

    /// Every name a `requires` entry may use in this workflow (for "did you mean").
    pub fn known_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.by_base.keys().map(String::as_str).collect();
        v.extend(self.by_group.keys().copied());
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Every job's `filters`, parsed (`None` for a job without), indexed by node. Filters
    /// written alike are parsed (and their regexes compiled) once.
    pub fn filters(&self) -> &[Option<Filters>] {
        self.filters.get_or_init(|| {
            let mut cache: HashMap<String, Filters> = HashMap::new();
            self.graph
                .node_weights()
                .map(|n| {
                    let f = n.filters.filter(|f| !f.is_null())?;
                    let mut key = String::new();
                    fingerprint(f, &mut key);
                    Some(
                        cache
                            .entry(key)
                            .or_insert_with(|| Filters::from_node(f).0)
                            .clone(),
                    )
                })
                .collect()
        })
    }

    /// True when the workflow has a `requires` entry cilint could not resolve because of a
    /// template: rules that need every edge say nothing then.
    pub fn has_templated_requires(&self) -> bool {
        self.truncated
            || self
                .requires
                .iter()
                .any(|r| r.resolution == Resolution::Templated)
    }

    /// Incoming edges (the jobs `n` requires).
    pub fn requirements(
        &self,
        n: NodeIndex,
    ) -> impl Iterator<Item = (NodeIndex, EdgeIndex, &RequireEdge<'a>)> {
        self.graph
            .edges_directed(n, petgraph::Direction::Incoming)
            .map(|e| (e.source(), e.id(), e.weight()))
    }

    /// Outgoing edges (the jobs that require `n`).
    pub fn dependents(
        &self,
        n: NodeIndex,
    ) -> impl Iterator<Item = (NodeIndex, EdgeIndex, &RequireEdge<'a>)> {
        self.graph
            .edges_directed(n, petgraph::Direction::Outgoing)
            .map(|e| (e.target(), e.id(), e.weight()))
    }
}

/// The graphs of every workflow of a config.
#[derive(Clone, Debug, Default)]
pub struct Graphs<'a> {
    pub workflows: Vec<WorkflowGraph<'a>>,
}

impl<'a> Graphs<'a> {
    /// Build every workflow's graph (and, for a config without workflows, the implicit
    /// workflow that runs the job named `build`: CircleCI runs that job when no workflow is
    /// defined, and fails with "Cannot find a job named `build`" when there is none).
    pub fn build(config: &'a Config<'a>) -> Graphs<'a> {
        let mut workflows: Vec<WorkflowGraph<'a>> = config
            .workflows
            .iter()
            .map(|wf| build_workflow(config, wf))
            .collect();
        if config.workflows.is_empty()
            && matches!(config.version(), Some(Version::V2 | Version::V21))
            && let Some(job) = config.job("build")
        {
            workflows.push(implicit_build(job));
        }
        Graphs { workflows }
    }

    pub fn get(&self, name: &str) -> Option<&WorkflowGraph<'a>> {
        self.workflows.iter().find(|w| w.name == name)
    }
}

fn implicit_build<'a>(job: &'a Job<'a>) -> WorkflowGraph<'a> {
    let mut graph = DiGraph::new();
    let n = graph.add_node(JobNode {
        name: job.name.text.to_string(),
        base_name: job.name.text.to_string(),
        job: job.name,
        name_override: None,
        kind: JobKind::Local,
        invocation: None,
        index: 0,
        definition: Some(job),
        span: job.name.span,
        filters: None,
        context: &[],
        matrix_values: Vec::new(),
        matrix_group: None,
    });
    WorkflowGraph {
        name: job.name.text,
        name_span: job.name.span,
        workflow: None,
        graph,
        requires: Vec::new(),
        by_base: HashMap::from([(job.name.text.to_string(), vec![n])]),
        by_name: HashMap::from([(job.name.text.to_string(), n)]),
        by_group: HashMap::new(),
        truncated: false,
        filters: OnceLock::new(),
    }
}

/// What the job an invocation names is.
fn job_kind<'a>(config: &'a Config<'a>, inv: &Invocation<'a>) -> (JobKind, Option<&'a Job<'a>>) {
    let name = inv.job.text;
    if inv.is_approval() {
        return (JobKind::Approval, None);
    }
    if let Some(job) = config.job(name) {
        if job.is_approval() {
            return (JobKind::Approval, Some(job));
        }
        return (JobKind::Local, Some(job));
    }
    // A job group runs its own jobs (checked where the group is defined); the group as a whole
    // is not one job cilint can look into.
    if name.contains("<<") || config.job_group(name).is_some() {
        return (JobKind::Unresolved, None);
    }
    // `override-with: orb/job` replaces the job when the orb has it; the local job is only a
    // fallback, so its absence is not provable.
    if inv.override_with.is_some() {
        return (JobKind::Unresolved, None);
    }
    match orb_ref(name) {
        Some(r) => match config.orb(r.orb).map(|o| &o.source) {
            // `name: {}`: a placeholder that orb development pipelines fill with the orb under
            // test (orb-tools packs it in), not a definition.
            Some(OrbSource::Inline(orb))
                if orb
                    .root
                    .is_none_or(|n| n.as_map().is_some_and(<[_]>::is_empty)) =>
            {
                (JobKind::Unresolved, None)
            }
            Some(OrbSource::Inline(orb)) => {
                if orb.job(r.member).is_some() {
                    (JobKind::Orb, None)
                } else {
                    (JobKind::Unknown, None)
                }
            }
            // Registry, URL and unreadable orbs, and undeclared ones (`undeclared-orb`).
            _ => (JobKind::Unresolved, None),
        },
        None => (JobKind::Unknown, None),
    }
}

fn build_workflow<'a>(config: &'a Config<'a>, wf: &'a Workflow<'a>) -> WorkflowGraph<'a> {
    let mut graph: DiGraph<JobNode<'a>, RequireEdge<'a>> =
        DiGraph::with_capacity(wf.jobs.len(), wf.jobs.len());
    let mut by_base: HashMap<String, Vec<NodeIndex>> = HashMap::with_capacity(wf.jobs.len());
    let mut by_group: HashMap<&'a str, Vec<NodeIndex>> = HashMap::new();
    // Nodes of each invocation: a range of node indices (nodes are added in order).
    let mut spans_of: Vec<std::ops::Range<usize>> = Vec::with_capacity(wf.jobs.len());

    for (index, inv) in wf.jobs.iter().enumerate() {
        let (kind, definition) = job_kind(config, inv);
        let start = graph.node_count();
        let mut add = |graph: &mut DiGraph<JobNode<'a>, RequireEdge<'a>>,
                       name: String,
                       matrix_values: Vec<(Name<'a>, &'a Node)>,
                       group: Option<&'a str>| {
            let n = graph.add_node(JobNode {
                name: name.clone(),
                base_name: name.clone(),
                job: inv.job,
                name_override: inv.name,
                kind,
                invocation: Some(inv),
                index,
                definition,
                span: inv.job.span,
                filters: inv.filters,
                context: &inv.context,
                matrix_values,
                matrix_group: group,
            });
            by_base.entry(name).or_default().push(n);
            if let Some(g) = group {
                by_group.entry(g).or_default().push(n);
            }
        };
        match &inv.matrix {
            None => add(&mut graph, inv.display_name().to_string(), Vec::new(), None),
            Some(m) => {
                let group = inv.group_name();
                let combos = m.combinations(MATRIX_LIMIT);
                if combos.is_empty() {
                    // A matrix cilint cannot expand (no readable parameters): one job that the
                    // alias names, so that nothing requiring it is reported.
                    add(&mut graph, group.to_string(), Vec::new(), Some(group));
                } else {
                    for combo in combos {
                        let name = matrix_instance_name(inv, &combo);
                        add(&mut graph, name, combo, Some(group));
                    }
                }
            }
        }
        spans_of.push(start..graph.node_count());
    }

    // Numbered names for jobs that share a name.
    let mut by_name: HashMap<String, NodeIndex> = HashMap::with_capacity(graph.node_count());
    for (name, nodes) in &by_base {
        if let [one] = nodes.as_slice() {
            by_name.insert(name.clone(), *one);
        }
    }
    let mut dups: Vec<(&String, &Vec<NodeIndex>)> =
        by_base.iter().filter(|(_, v)| v.len() > 1).collect();
    dups.sort_by_key(|(_, v)| v[0]);
    for (name, nodes) in dups {
        let mut sorted = nodes.clone();
        sorted.sort();
        for (k, n) in sorted.into_iter().enumerate() {
            let numbered = format!("{name}-{}", k + 1);
            if by_base.contains_key(&numbered) || by_name.contains_key(&numbered) {
                continue;
            }
            graph[n].name = numbered.clone();
            by_name.insert(numbered, n);
        }
    }

    let mut g = WorkflowGraph {
        name: wf.name.text,
        name_span: wf.name.span,
        workflow: Some(wf),
        graph,
        requires: Vec::new(),
        by_base,
        by_name,
        by_group,
        truncated: false,
        filters: OnceLock::new(),
    };

    // Edges.
    let mut resolved: Vec<RequireRef<'a>> = Vec::new();
    for (index, inv) in wf.jobs.iter().enumerate() {
        if inv.requires.is_empty() {
            continue;
        }
        for ni in spans_of[index].clone() {
            let from = NodeIndex::new(ni);
            for req in &inv.requires {
                let name = if req.name.text.contains("<<") {
                    substitute_matrix(req.name.text, &g.graph[from].matrix_values)
                } else {
                    req.name.text.to_string()
                };
                let resolution = resolve(&g, &name);
                if let Resolution::Jobs(targets) = &resolution {
                    if g.graph.edge_count() + targets.len() > MAX_EDGES {
                        g.truncated = true;
                        continue;
                    }
                    for &t in targets {
                        g.graph.add_edge(
                            t,
                            from,
                            RequireEdge {
                                require: req,
                                span: req.name.span,
                                statuses: if req.statuses.is_empty() {
                                    vec!["success"]
                                } else {
                                    req.statuses.iter().map(|s| s.text).collect()
                                },
                            },
                        );
                    }
                }
                resolved.push(RequireRef {
                    from,
                    require: req,
                    name,
                    resolution,
                });
            }
        }
    }
    g.requires = resolved;
    g
}

fn resolve(g: &WorkflowGraph<'_>, name: &str) -> Resolution {
    if let Some(nodes) = g.by_base.get(name) {
        let first = g.graph[nodes[0]].index;
        if nodes.iter().all(|n| g.graph[*n].index == first) {
            return Resolution::Jobs(nodes.clone());
        }
        return Resolution::Ambiguous(nodes.clone());
    }
    if let Some(n) = g.by_name.get(name) {
        return Resolution::Jobs(vec![*n]);
    }
    if let Some(nodes) = g.by_group.get(name) {
        return Resolution::Jobs(nodes.clone());
    }
    if name.contains("<<") {
        return Resolution::Templated;
    }
    // Say less rather than wrong: a name that a job's templated name (`deploy-<< pipeline.
    // parameters.env >>`) may become after substitution, or a matrix instance name with its
    // values in another order, is not reported.
    if let Some(n) = matrix_instance_in_any_order(g, name) {
        return Resolution::Jobs(vec![n]);
    }
    if g.graph
        .node_weights()
        .any(|n| n.name.contains("<<") && template_matches(&n.name, name))
    {
        return Resolution::Templated;
    }
    Resolution::Unknown
}

/// A matrix instance (of a matrix without a `name:` template) whose job name and values,
/// joined with `-` in some order, spell `name`. Only tried for names nothing else matched.
fn matrix_instance_in_any_order(g: &WorkflowGraph<'_>, name: &str) -> Option<NodeIndex> {
    for nodes in g.by_group.values() {
        let Some(rest) = name
            .strip_prefix(g.graph[nodes[0]].job.text)
            .and_then(|r| r.strip_prefix('-'))
        else {
            continue;
        };
        for &n in nodes {
            let node = &g.graph[n];
            if node.name_override.is_some() || node.matrix_values.len() > 4 {
                continue;
            }
            let mut values: Vec<&str> = node
                .matrix_values
                .iter()
                .map(|(_, v)| v.scalar_text().unwrap_or(""))
                .collect();
            if permutations_join(&mut values, 0, rest) {
                return Some(n);
            }
        }
    }
    None
}

/// Whether some order of `values[k..]` (after `values[..k]`), joined with `-`, equals `target`.
fn permutations_join(values: &mut Vec<&str>, k: usize, target: &str) -> bool {
    if k == values.len() {
        return values.join("-") == target;
    }
    for i in k..values.len() {
        values.swap(k, i);
        if permutations_join(values, k + 1, target) {
            return true;
        }
        values.swap(k, i);
    }
    false
}

/// Whether `name` may be what `template` becomes once its `<< ... >>` parts are substituted
/// (each part standing for any text).
fn template_matches(template: &str, name: &str) -> bool {
    let mut literals: Vec<&str> = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("<<") {
        literals.push(&rest[..start]);
        rest = match rest[start..].find(">>") {
            Some(end) => &rest[start + end + 2..],
            None => "",
        };
    }
    literals.push(rest);
    let (first, last) = (literals[0], literals[literals.len() - 1]);
    if literals.len() == 1 {
        return template == name;
    }
    let Some(mut middle) = name.strip_prefix(first) else {
        return false;
    };
    if middle.len() < last.len() || !middle.ends_with(last) {
        return false;
    }
    middle = &middle[..middle.len() - last.len()];
    for lit in &literals[1..literals.len() - 1] {
        match middle.find(lit) {
            Some(i) => middle = &middle[i + lit.len()..],
            None => return false,
        }
    }
    true
}

/// A canonical text of a YAML value, spans ignored (mapping entries sorted): two values with
/// the same fingerprint are written alike.
pub fn fingerprint(node: &Node, out: &mut String) {
    match &node.value {
        Value::Scalar(s) => {
            out.push('"');
            out.push_str(&s.text.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
        }
        Value::Seq(items) => {
            out.push('[');
            for i in items {
                fingerprint(i, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let mut parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    let mut s = String::new();
                    fingerprint(k, &mut s);
                    s.push(':');
                    fingerprint(v, &mut s);
                    s
                })
                .collect();
            parts.sort();
            out.push('{');
            out.push_str(&parts.join(","));
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_graphs(name: &str, f: impl FnOnce(&Graphs<'_>)) {
        let path = format!("{}/tests/fixtures/graph/{name}", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(path).expect("fixture");
        let doc = crate::yaml::parse(&source);
        let config = Config::from_root(doc.root.as_ref().expect("root"));
        f(&Graphs::build(&config));
    }

    #[test]
    fn matrix_aliases_and_instances_in_requires() {
        fixture_graphs("matrix-alias-requires.yml", |graphs| {
            let wg = &graphs.workflows[0];
            let names: Vec<&str> = wg.nodes().map(|(_, n)| n.name.as_str()).collect();
            assert_eq!(
                names,
                [
                    "build-linux",
                    "build-macos",
                    "package-linux",
                    "package-macos",
                    "publish",
                    "notify"
                ]
            );
            let reqs_of = |name: &str| {
                let n = wg.lookup(name)[0];
                let mut r: Vec<&str> = wg
                    .requirements(n)
                    .map(|(p, _, _)| wg.node(p).name.as_str())
                    .collect();
                r.sort();
                r
            };
            // The alias means both builds; an instance name means one instance.
            assert_eq!(
                reqs_of("publish"),
                ["build-linux", "build-macos", "package-linux"]
            );
            // Without an alias, the job name means every instance.
            assert_eq!(reqs_of("notify"), ["package-linux", "package-macos"]);
            // Each package instance requires its own build (<< matrix.os >> substituted).
            let pl = wg.lookup("package-linux")[0];
            let r: Vec<&str> = wg
                .requirements(pl)
                .map(|(p, _, _)| wg.node(p).name.as_str())
                .collect();
            assert_eq!(r, ["build-linux"]);
        });
    }

    #[test]
    fn a_version_2_config_without_workflows_runs_build() {
        fixture_graphs("v2-implicit-build.yml", |graphs| {
            assert_eq!(graphs.workflows.len(), 1);
            assert!(graphs.workflows[0].workflow.is_none());
            let (_, n) = graphs.workflows[0].nodes().next().expect("build");
            assert_eq!((n.name.as_str(), n.kind), ("build", JobKind::Local));
        });
    }
}

//! The processed config as a whole: `version: 2`, the `jobs` every workflow runs, and the
//! workflows with their job entries reduced to what schedules them.
//!
//! - A workflow whose `when` is false or whose `unless` is true is left out (a condition that
//!   cannot be decided offline keeps the workflow, with its condition [U]; a decided one is
//!   left out of the output [U]); `triggers` and other keys stay as written.
//! - Each job entry (after `name:` and matrix expansion: the names `Workflow::instances`
//!   gives) runs one job. Within a workflow, names written more than once are numbered `x-1`,
//!   `x-2` in order, as CircleCI renames them (the exact form of the numbering is [U]).
//! - An entry is written as its name alone, or as `name: {requires, filters, context, type}`
//!   (the compiler writes `filters` before `context` whatever the source says; the place of
//!   `requires` and `type` is [U]), then any other key it has. `requires` names a matrix by
//!   its alias (by default the job's name): it becomes every instance of the matrix.
//! - `workflows` ends with `version: 2` unless the source gives it a `version`.
//! - The `jobs` map: the jobs in the order the entries run them (a name run twice is written
//!   once, with what the later entry gives); with more than 8 jobs, in the order of a Clojure
//!   persistent hash map (the compiler's data structure): by the hash of each name
//!   ([`clojure_hash`]), five bits at a time from the lowest.

use super::params::Frame;
use super::{Expander, map};
use crate::base::span::Span;
use crate::config::model::{Instance, Invocation, Workflow};
use crate::lang::logic::{Site, Tri, evaluate};
use crate::lang::mustache::PipelineValue;
use crate::yaml::{Data, Node};

/// The whole processed config.
pub fn config(x: &mut Expander<'_, '_>) -> Data {
    let root = x.root;
    let mut jobs = Jobs::default();
    let mut workflows: Vec<(Data, Data)> = Vec::new();
    let mut has_version = false;
    let Some(wf_key) = root.workflows_key else {
        // No workflows: CircleCI runs the job `build` [U].
        if root.job("build").is_some() {
            let inv = build_invocation();
            let frame = workflow_frame(x, "the default workflow", Span::default());
            if let Some(job) = x.job(&inv, &[], &frame) {
                jobs.set("build", job);
            }
        }
        return map(vec![
            ("version", Data::Int(2)),
            ("jobs", Data::Map(order_jobs(jobs.list))),
        ]);
    };
    let source_workflows = root
        .root
        .and_then(|r| r.get(wf_key.scalar_text().unwrap_or("workflows")))
        .and_then(Node::as_map)
        .unwrap_or(&[]);
    for (k, _) in source_workflows {
        let name = k.scalar_text().unwrap_or_default();
        if name == "version" {
            has_version = true;
            workflows.push((Data::str("version"), Data::Int(2)));
            continue;
        }
        let Some(wf) = root.workflows.iter().find(|w| w.name.text == name) else {
            continue;
        };
        if let Some(out) = workflow(x, wf, &mut jobs) {
            workflows.push((Data::from_node(k), out));
        }
        if x.stopped() {
            break;
        }
    }
    if !has_version {
        workflows.push((Data::str("version"), Data::Int(2)));
    }
    map(vec![
        ("version", Data::Int(2)),
        ("jobs", Data::Map(order_jobs(jobs.list))),
        ("workflows", Data::Map(workflows)),
    ])
}

/// The jobs of the processed config, in the order first run, and where each name is.
#[derive(Default)]
struct Jobs {
    list: Vec<(String, Data)>,
    index: std::collections::HashMap<String, usize>,
}

impl Jobs {
    /// A name run again keeps its place and takes the later job.
    fn set(&mut self, name: &str, job: Data) {
        match self.index.get(name) {
            Some(&i) => self.list[i].1 = job,
            None => {
                self.index.insert(name.to_string(), self.list.len());
                self.list.push((name.to_string(), job));
            }
        }
    }
}

/// The entry of the default workflow of a config without workflows.
fn build_invocation() -> Invocation<'static> {
    static BUILD: Node = Node {
        span: Span { start: 0, end: 0 },
        alias: None,
        value: crate::yaml::Value::Seq(Vec::new()),
    };
    Invocation::bare(
        &BUILD,
        crate::config::model::Name {
            text: "build",
            span: Span::default(),
        },
    )
}

/// What a workflow's entries are expanded with: the pipeline values (and a matrix instance's
/// values, added per entry).
fn workflow_frame<'m>(x: &Expander<'_, 'm>, what: &str, site: Span) -> Frame<'m> {
    let scope = x.root_scope();
    Frame {
        scope,
        params: Vec::new(),
        env: x.base_env(scope),
        site,
        what: what.to_string(),
    }
}

fn workflow<'m>(x: &mut Expander<'_, 'm>, wf: &'m Workflow<'m>, jobs: &mut Jobs) -> Option<Data> {
    let what = format!("workflow `{}`", wf.name);
    let frame = workflow_frame(x, &what, wf.name.span);
    let mut undecided = Vec::new();
    for (cond, when) in [(wf.when, true), (wf.unless, false)] {
        let Some((key, value)) = cond else { continue };
        match evaluate(value, &frame.env, Site::Workflow).result {
            Tri::Yes if !when => return None,
            Tri::No if when => return None,
            Tri::Unknown(_) => undecided.push(key),
            _ => {}
        }
    }
    let instances = wf.instances();
    let names = numbered(&instances);
    let targets = Targets::of(wf, &instances);
    let mut entries = Vec::with_capacity(instances.len());
    for (i, inst) in instances.iter().enumerate() {
        let inv = &wf.jobs[inst.invocation];
        let mut entry_frame = frame.clone();
        let mut matrix = Vec::new();
        for (n, v) in &inst.matrix_values {
            let value = x.subst(v, &frame);
            if let Some(text) = value.scalar_text(super::float_text) {
                entry_frame
                    .env
                    .set(format!("matrix.{}", n.text), PipelineValue::Str(text));
            }
            matrix.push((n.text.to_string(), value, v.span));
        }
        entry_frame.site = inv.job.span;
        if !inv.is_approval()
            && let Some(job) = x.job(inv, &matrix, &entry_frame)
        {
            jobs.set(&names[i], job);
        }
        if x.stopped() {
            return None;
        }
        entries.push(entry(x, wf, &instances, &names, &targets, i, &entry_frame));
    }
    let mut out: Vec<(Data, Data)> = Vec::new();
    for (k, v) in wf.node.as_map().unwrap_or(&[]) {
        let key = k.scalar_text().unwrap_or_default();
        let value = match key {
            "jobs" => Data::Seq(std::mem::take(&mut entries)),
            "when" | "unless" if !undecided.iter().any(|u| std::ptr::eq(*u, k)) => continue,
            _ => x.subst(v, &frame),
        };
        out.push((Data::from_node(k), value));
    }
    Some(Data::Map(out))
}

/// Each instance's final name: names given more than once in the workflow numbered `x-1`,
/// `x-2`... in order.
fn numbered(instances: &[Instance<'_>]) -> Vec<String> {
    let mut out = Vec::with_capacity(instances.len());
    let mut totals: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for inst in instances {
        *totals.entry(&inst.name).or_insert(0) += 1;
    }
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for inst in instances {
        if totals[inst.name.as_str()] > 1 {
            let n = seen.entry(&inst.name).or_insert(0);
            *n += 1;
            out.push(format!("{}-{n}", inst.name));
        } else {
            out.push(inst.name.clone());
        }
    }
    out
}

/// The workflow's entry for instance `i`.
fn entry<'m>(
    x: &mut Expander<'_, 'm>,
    wf: &'m Workflow<'m>,
    instances: &[Instance<'m>],
    names: &[String],
    targets: &Targets,
    i: usize,
    frame: &Frame<'m>,
) -> Data {
    let inst = &instances[i];
    let inv = &wf.jobs[inst.invocation];
    let Some(body) = inv.body else {
        return Data::Str(names[i].clone());
    };
    let mut keys: Vec<(Data, Data)> = Vec::new();
    if let Some(reqs) = body.get("requires") {
        let value = requires(x, instances, names, targets, inst, reqs, frame);
        keys.push((Data::str("requires"), value));
    }
    for key in ["filters", "context", "type"] {
        if let Some(v) = body.get(key) {
            keys.push((Data::str(key), x.subst(v, frame)));
        }
    }
    // What else the entry says that is not the job's arguments (`serial-group`...).
    for (k, v) in body.as_map().unwrap_or(&[]) {
        let key = k.scalar_text().unwrap_or_default();
        let consumed = matches!(
            key,
            "requires"
                | "filters"
                | "context"
                | "type"
                | "name"
                | "matrix"
                | "pre-steps"
                | "post-steps"
        ) || inv.args.iter().any(|a| a.name.text == key);
        if !consumed {
            keys.push((Data::from_node(k), x.subst(v, frame)));
        }
    }
    if keys.is_empty() {
        Data::Str(names[i].clone())
    } else {
        Data::Map(vec![(Data::Str(names[i].clone()), Data::Map(keys))])
    }
}

/// An entry's `requires`: each name as the workflow resolves it (a matrix's alias becomes its
/// instances; `<< matrix.x >>` takes the instance's values); a name that means nothing stays
/// as written.
fn requires<'m>(
    x: &mut Expander<'_, 'm>,
    instances: &[Instance<'m>],
    names: &[String],
    targets: &Targets,
    inst: &Instance<'m>,
    reqs: &'m Node,
    frame: &Frame<'m>,
) -> Data {
    let items: Vec<&Node> = match reqs.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![reqs],
    };
    let mut out = Vec::new();
    for item in items {
        let (name_node, statuses) = match item.as_map() {
            Some([(k, v)]) => (k, Some(x.subst(v, frame))),
            _ => (item, None),
        };
        let Some(written) = name_node.scalar_text() else {
            out.push(x.subst(item, frame));
            continue;
        };
        let targets = targets.of_name(written, inst);
        let resolved: Vec<String> = if targets.is_empty() {
            vec![match x.subst(name_node, frame) {
                Data::Str(s) => s,
                other => other.flow(super::float_text),
            }]
        } else if targets.iter().all(|&t| instances[t].name == written) {
            // The name itself (numbered when written twice: left as written, ambiguous).
            if targets.len() == 1 {
                vec![names[targets[0]].clone()]
            } else {
                vec![written.to_string()]
            }
        } else {
            targets.iter().map(|&t| names[t].clone()).collect()
        };
        for name in resolved {
            out.push(match &statuses {
                Some(s) => Data::Map(vec![(Data::Str(name), s.clone())]),
                None => Data::Str(name),
            });
        }
    }
    Data::Seq(out)
}

/// The instances a `requires` name means, as `Workflow::resolve_requires` resolves it: an
/// instance's final name, or a matrix's alias (every instance of it); found through an index
/// (a workflow of N entries resolves its names in O(N)).
struct Targets {
    by_name: std::collections::HashMap<String, Vec<usize>>,
}

impl Targets {
    fn of(wf: &Workflow<'_>, instances: &[Instance<'_>]) -> Targets {
        let mut by_name: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, inst) in instances.iter().enumerate() {
            by_name.entry(inst.name.clone()).or_default().push(i);
            if let Some(inv) = wf.jobs.get(inst.invocation)
                && inv.matrix.is_some()
                && inv.group_name() != inst.name
            {
                by_name
                    .entry(inv.group_name().to_string())
                    .or_default()
                    .push(i);
            }
        }
        for v in by_name.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        Targets { by_name }
    }

    /// The instances `name` (written in `from`'s entry) means.
    fn of_name(&self, name: &str, from: &Instance<'_>) -> Vec<usize> {
        let name = if name.contains("<<") {
            crate::config::model::substitute_matrix(name, &from.matrix_values)
        } else {
            name.to_string()
        };
        self.by_name.get(&name).cloned().unwrap_or_default()
    }
}

/// The `jobs` map in the compiler's order: as run up to 8 jobs, else Clojure's hash order.
fn order_jobs(jobs: Vec<(String, Data)>) -> Vec<(Data, Data)> {
    let mut jobs = jobs;
    if jobs.len() > 8 {
        // A stable sort: names with the same hash keep their order (a collision node).
        jobs.sort_by_key(|(name, _)| hash_path(clojure_hash(name)));
    }
    jobs.into_iter().map(|(k, v)| (Data::Str(k), v)).collect()
}

/// The 5-bit groups of a hash, lowest first: a key's path through a Clojure hash map's trie.
fn hash_path(h: u32) -> [u32; 7] {
    let mut out = [0; 7];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = (h >> (5 * i)) & 31;
    }
    out
}

/// Clojure's `hasheq` of a string: Murmur3's `hashInt` of Java's `String.hashCode` (over UTF-16
/// code units).
pub fn clojure_hash(s: &str) -> u32 {
    let mut h: u32 = 0;
    for unit in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(u32::from(unit));
    }
    if h == 0 {
        return 0;
    }
    let mut k = h.wrapping_mul(0xcc9e_2d51);
    k = k.rotate_left(15);
    k = k.wrapping_mul(0x1b87_3593);
    let mut h1 = k.rotate_left(13);
    h1 = h1.wrapping_mul(5).wrapping_add(0xe654_6b64);
    h1 ^= 4;
    h1 ^= h1 >> 16;
    h1 = h1.wrapping_mul(0x85eb_ca6b);
    h1 ^= h1 >> 13;
    h1 = h1.wrapping_mul(0xc2b2_ae35);
    h1 ^= h1 >> 16;
    h1
}

//! `cilint expand --diff OLD NEW`: what changes in the processed config between two versions
//! of a config, for reviewing a change: jobs added and removed, and for each job and workflow
//! that stays, every value that differs, at its path (`steps[3] (run "Install golang").command`,
//! `environment.GOTEST_MOD`).
//!
//! Lists of steps are aligned (a longest common subsequence on what each step is: its name,
//! and a `run`'s `name` or first command line), so inserting a step shows as one step added,
//! not as every later step changed. `environment` lists compare by variable, a workflow's job
//! entries by job name.

use crate::yaml::Data;

/// One difference.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    /// Where: `steps[2] (run "Install golang").command`, `environment.GOPATH`.
    pub path: String,
    /// The value before (`None`: added).
    pub old: Option<Data>,
    /// The value after (`None`: removed).
    pub new: Option<Data>,
}

/// What happened to a job or a workflow.
#[derive(Clone, Debug, PartialEq)]
pub enum Delta {
    Added(Data),
    Removed(Data),
    Changed(Vec<Edit>),
}

/// Every difference between two processed configs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    /// By job name: the new config's order, then the removed jobs.
    pub jobs: Vec<(String, Delta)>,
    pub workflows: Vec<(String, Delta)>,
    /// Top-level keys other than `jobs` and `workflows` that differ.
    pub other: Vec<Edit>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty() && self.workflows.is_empty() && self.other.is_empty()
    }
}

/// Compare two processed configs.
pub fn compare(old: &Data, new: &Data) -> Changes {
    let mut changes = Changes {
        jobs: members(old.get("jobs"), new.get("jobs"), false),
        ..Changes::default()
    };
    let workflows = |d: &Data| {
        d.get("workflows").map(|w| {
            Data::Map(
                w.as_map()
                    .unwrap_or(&[])
                    .iter()
                    .filter(|(k, _)| k.as_str() != Some("version"))
                    .cloned()
                    .collect(),
            )
        })
    };
    changes.workflows = members(workflows(old).as_ref(), workflows(new).as_ref(), true);
    for key in keys_of(old, new) {
        if key == "jobs" || key == "workflows" {
            continue;
        }
        diff(old.get(&key), new.get(&key), &key, &mut changes.other);
    }
    changes
}

/// The keys of two mappings: the new one's order, then the old one's that are gone.
fn keys_of(old: &Data, new: &Data) -> Vec<String> {
    let text = |k: &Data| k.scalar_text(super::float_text).unwrap_or_default();
    let mut keys: Vec<String> = new
        .as_map()
        .unwrap_or(&[])
        .iter()
        .map(|(k, _)| text(k))
        .collect();
    for (k, _) in old.as_map().unwrap_or(&[]) {
        let k = text(k);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys
}

/// The jobs (or workflows) of both configs, each added, removed or changed.
fn members(old: Option<&Data>, new: Option<&Data>, workflows: bool) -> Vec<(String, Delta)> {
    let empty = Data::Map(Vec::new());
    let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    let mut out = Vec::new();
    for name in keys_of(old, new) {
        match (old.get(&name), new.get(&name)) {
            (None, Some(n)) => out.push((name, Delta::Added(n.clone()))),
            (Some(o), None) => out.push((name, Delta::Removed(o.clone()))),
            (Some(o), Some(n)) if o != n => {
                let mut edits = Vec::new();
                if workflows {
                    workflow_diff(o, n, &mut edits);
                } else {
                    diff(Some(o), Some(n), "", &mut edits);
                }
                out.push((name, Delta::Changed(edits)));
            }
            _ => {}
        }
    }
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The differences between two values at `path`.
fn diff(old: Option<&Data>, new: Option<&Data>, path: &str, out: &mut Vec<Edit>) {
    let (o, n) = match (old, new) {
        (Some(o), Some(n)) if o == n => return,
        (Some(o), Some(n)) => (o, n),
        _ => {
            out.push(Edit {
                path: path.to_string(),
                old: old.cloned(),
                new: new.cloned(),
            });
            return;
        }
    };
    let last = path.rsplit('.').next().unwrap_or(path);
    match (o, n) {
        (Data::Map(_), Data::Map(_)) => {
            for key in keys_of(o, n) {
                diff(o.get(&key), n.get(&key), &join(path, &key), out);
            }
        }
        (Data::Seq(a), Data::Seq(b)) if last == "environment" => {
            let (a, b) = (env_map(a), env_map(b));
            diff(Some(&a), Some(&b), path, out);
        }
        (Data::Seq(a), Data::Seq(b)) if last == "steps" => steps_diff(a, b, path, out),
        (Data::Seq(a), Data::Seq(b))
            if a.len() == b.len() && a.iter().any(|i| i.as_map().is_some()) =>
        {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(Some(x), Some(y), &format!("{path}[{i}]"), out);
            }
        }
        _ => out.push(Edit {
            path: path.to_string(),
            old: Some(o.clone()),
            new: Some(n.clone()),
        }),
    }
}

/// An `environment` list (one-variable mappings) as a mapping.
fn env_map(items: &[Data]) -> Data {
    Data::Map(
        items
            .iter()
            .flat_map(|i| match i {
                Data::Map(m) => m.clone(),
                other => vec![(other.clone(), Data::Null)],
            })
            .collect(),
    )
}

/// What a step is, to align two lists of steps: its name, and for `run` its `name` or its
/// command's first line.
fn step_id(step: &Data) -> String {
    match step {
        Data::Str(s) => s.clone(),
        Data::Map(m) if m.len() == 1 => {
            let (k, v) = &m[0];
            let name = k.scalar_text(super::float_text).unwrap_or_default();
            let detail = v
                .get("name")
                .or_else(|| v.get("command"))
                .and_then(Data::as_str)
                .and_then(|t| t.lines().next())
                .map(|t| format!(" \"{t}\""))
                .unwrap_or_default();
            format!("{name}{detail}")
        }
        other => other.flow(super::float_text),
    }
}

/// Two lists of steps, aligned on what each step is.
fn steps_diff(a: &[Data], b: &[Data], path: &str, out: &mut Vec<Edit>) {
    let ids_a: Vec<String> = a.iter().map(step_id).collect();
    let ids_b: Vec<String> = b.iter().map(step_id).collect();
    for op in align(&ids_a, &ids_b) {
        match op {
            Op::Same(i, j) => {
                let at = format!("{path}[{j}] ({})", ids_b[j]);
                // A step is a one-key mapping: compare what is under the key.
                match (&a[i], &b[j]) {
                    (Data::Map(x), Data::Map(y))
                        if x.len() == 1 && y.len() == 1 && x[0].0 == y[0].0 =>
                    {
                        diff(Some(&x[0].1), Some(&y[0].1), &at, out)
                    }
                    (x, y) => diff(Some(x), Some(y), &at, out),
                }
            }
            Op::Removed(i) => out.push(Edit {
                path: format!("{path}[{i}] ({})", ids_a[i]),
                old: Some(a[i].clone()),
                new: None,
            }),
            Op::Added(j) => out.push(Edit {
                path: format!("{path}[{j}] ({})", ids_b[j]),
                old: None,
                new: Some(b[j].clone()),
            }),
        }
    }
}

/// A workflow: its job entries by name, its other keys as values.
fn workflow_diff(o: &Data, n: &Data, out: &mut Vec<Edit>) {
    let entries = |w: &Data| {
        Data::Map(
            w.get("jobs")
                .and_then(Data::as_seq)
                .unwrap_or(&[])
                .iter()
                .map(|e| match e {
                    Data::Map(m) if m.len() == 1 => m[0].clone(),
                    // A bare name: nothing but the job.
                    other => (other.clone(), Data::Null),
                })
                .collect(),
        )
    };
    diff(Some(&entries(o)), Some(&entries(n)), "jobs", out);
    let rest = |w: &Data| {
        Data::Map(
            w.as_map()
                .unwrap_or(&[])
                .iter()
                .filter(|(k, _)| k.as_str() != Some("jobs"))
                .cloned()
                .collect(),
        )
    };
    diff(Some(&rest(o)), Some(&rest(n)), "", out);
}

/// One step of an alignment: indexes into the old and new lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Same(usize, usize),
    Removed(usize),
    Added(usize),
}

/// The alignment of two lists that keeps the most items in place (a longest common
/// subsequence; beyond a few million comparisons, everything removed then added).
pub fn align<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    // Common ends first: the usual change touches the middle.
    let mut start = 0;
    while start < n && start < m && a[start] == b[start] {
        start += 1;
    }
    let mut end = 0;
    while end < n - start && end < m - start && a[n - 1 - end] == b[m - 1 - end] {
        end += 1;
    }
    let (a_mid, b_mid) = (&a[start..n - end], &b[start..m - end]);
    let mut ops: Vec<Op> = (0..start).map(|i| Op::Same(i, i)).collect();
    let (p, q) = (a_mid.len(), b_mid.len());
    if p.saturating_mul(q) > 4_000_000 {
        ops.extend((0..p).map(|i| Op::Removed(start + i)));
        ops.extend((0..q).map(|j| Op::Added(start + j)));
    } else {
        // lengths[i][j]: the longest common subsequence of a_mid[i..] and b_mid[j..].
        let mut lengths = vec![vec![0u32; q + 1]; p + 1];
        for i in (0..p).rev() {
            for j in (0..q).rev() {
                lengths[i][j] = if a_mid[i] == b_mid[j] {
                    lengths[i + 1][j + 1] + 1
                } else {
                    lengths[i + 1][j].max(lengths[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < p || j < q {
            if i < p && j < q && a_mid[i] == b_mid[j] {
                ops.push(Op::Same(start + i, start + j));
                i += 1;
                j += 1;
            } else if i < p && (j == q || lengths[i + 1][j] >= lengths[i][j + 1]) {
                ops.push(Op::Removed(start + i));
                i += 1;
            } else {
                ops.push(Op::Added(start + j));
                j += 1;
            }
        }
    }
    ops.extend((0..end).map(|k| Op::Same(n - end + k, m - end + k)));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(src: &str) -> Data {
        Data::from_node(crate::yaml::parse(src).root.as_ref().expect("a root"))
    }

    #[test]
    fn alignment_keeps_what_stays() {
        let a = ["a", "b", "c", "d"];
        let b = ["a", "x", "c", "d", "e"];
        assert_eq!(
            align(&a, &b),
            vec![
                Op::Same(0, 0),
                Op::Removed(1),
                Op::Added(1),
                Op::Same(2, 2),
                Op::Same(3, 3),
                Op::Added(4)
            ]
        );
    }

    #[test]
    fn jobs_steps_environment_and_workflows() {
        let old = data(
            "version: 2\njobs:\n  a:\n    docker: [{image: x}]\n    steps:\n    - checkout\n    - run: {name: Build, command: make}\n    environment:\n    - A: 1\n    - B: ''\n  gone:\n    docker: [{image: x}]\nworkflows:\n  w:\n    jobs:\n    - a\n    - gone\n  version: 2\n",
        );
        let new = data(
            "version: 2\njobs:\n  a:\n    docker: [{image: y}]\n    steps:\n    - checkout\n    - run: {command: make lint}\n    - run: {name: Build, command: make all}\n    environment:\n    - A: 1\n    - B: api\n  new:\n    docker: [{image: x}]\nworkflows:\n  w:\n    jobs:\n    - a\n    - new: {requires: [a]}\n  version: 2\n",
        );
        let c = compare(&old, &new);
        let paths: Vec<(&str, Vec<&str>)> = c
            .jobs
            .iter()
            .map(|(n, d)| {
                let edits = match d {
                    Delta::Changed(e) => e.iter().map(|e| e.path.as_str()).collect(),
                    Delta::Added(_) => vec!["(added)"],
                    Delta::Removed(_) => vec!["(removed)"],
                };
                (n.as_str(), edits)
            })
            .collect();
        assert_eq!(
            paths,
            vec![
                (
                    "a",
                    vec![
                        "docker[0].image",
                        "steps[1] (run \"make lint\")",
                        "steps[2] (run \"Build\").command",
                        "environment.B"
                    ]
                ),
                ("new", vec!["(added)"]),
                ("gone", vec!["(removed)"]),
            ]
        );
        let Delta::Changed(w) = &c.workflows[0].1 else {
            panic!("workflow changed")
        };
        let w: Vec<&str> = w.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(w, vec!["jobs.new", "jobs.gone"]);
        assert!(compare(&old, &old).is_empty());
    }
}

//! Workflows, their job invocations, and the expansion of invocations into the names CircleCI
//! gives them (`name:` overrides and matrix instances).

use super::{Arg, Name, Step, context_names, entries, one_or_many};
use crate::yaml::Node;

/// One `requires` entry: a name, with the statuses it waits for.
#[derive(Clone, Debug)]
pub struct Require<'a> {
    pub name: Name<'a>,
    /// The list item (or mapping entry) the requirement is written as.
    pub node: &'a Node,
    /// Statuses as written; empty means `success`.
    pub statuses: Vec<Name<'a>>,
}

impl Require<'_> {
    /// The statuses, `["success"]` when none are written.
    pub fn status_texts(&self) -> Vec<&str> {
        if self.statuses.is_empty() {
            vec!["success"]
        } else {
            self.statuses.iter().map(|s| s.text).collect()
        }
    }
}

/// `matrix:` of an invocation.
#[derive(Clone, Debug)]
pub struct Matrix<'a> {
    pub node: &'a Node,
    /// Each parameter with its values node (a list, unless the config is wrong).
    pub parameters: Vec<(Name<'a>, &'a Node)>,
    /// `exclude:` combinations (mappings from parameter name to value).
    pub exclude: Vec<&'a Node>,
    pub alias: Option<Name<'a>>,
}

/// One entry of a workflow's `jobs:` list.
#[derive(Clone, Debug)]
pub struct Invocation<'a> {
    /// The list item.
    pub node: &'a Node,
    /// The job (or orb job) it runs, as written.
    pub job: Name<'a>,
    /// The mapping under the job name, if any.
    pub body: Option<&'a Node>,
    /// `name:` override.
    pub name: Option<Name<'a>>,
    pub requires: Vec<Require<'a>>,
    pub requires_key: Option<&'a Node>,
    pub filters: Option<&'a Node>,
    pub context: Vec<Name<'a>>,
    /// `type: approval` (the value node).
    pub approval: Option<&'a Node>,
    pub matrix: Option<Matrix<'a>>,
    pub args: Vec<Arg<'a>>,
    pub pre_steps: Vec<Step<'a>>,
    pub post_steps: Vec<Step<'a>>,
    pub serial_group: Option<&'a Node>,
    pub override_with: Option<&'a Node>,
    /// The entry is a mapping with several keys (e.g. `filters:` beside the job name instead of
    /// under it); only its first key is read.
    pub malformed: bool,
}

impl<'a> Invocation<'a> {
    /// The entry `node` running `job` as it is, with nothing else said: no body, requirements,
    /// filters, arguments or steps around it.
    pub fn bare(node: &'a Node, job: Name<'a>) -> Invocation<'a> {
        Invocation {
            node,
            job,
            body: None,
            name: None,
            requires: Vec::new(),
            requires_key: None,
            filters: None,
            context: Vec::new(),
            approval: None,
            matrix: None,
            args: Vec::new(),
            pre_steps: Vec::new(),
            post_steps: Vec::new(),
            serial_group: None,
            override_with: None,
            malformed: false,
        }
    }

    fn build(item: &'a Node) -> Option<Invocation<'a>> {
        let (key, body, malformed) = if item.as_str().is_some() || item.scalar_text().is_some() {
            (item, None, false)
        } else {
            let map = item.as_map()?;
            let (k, v) = map.first()?;
            (k, v.as_map().map(|_| v), map.len() > 1)
        };
        let mut inv = Invocation {
            body,
            malformed,
            ..Invocation::bare(item, Name::of(key)?)
        };
        for (k, v) in body.map(entries).into_iter().flatten() {
            let Some(kname) = Name::of(k) else { continue };
            match kname.text {
                "name" => inv.name = Name::of(v),
                "requires" => {
                    inv.requires_key = Some(k);
                    inv.requires = requires_list(v);
                }
                "filters" => inv.filters = Some(v),
                "context" => inv.context = context_names(v),
                "type" => {
                    if v.as_str() == Some("approval") {
                        inv.approval = Some(v);
                    }
                }
                "matrix" => inv.matrix = Some(Matrix::build(v)),
                "pre-steps" => inv.pre_steps = Step::list(v),
                "post-steps" => inv.post_steps = Step::list(v),
                "serial-group" => inv.serial_group = Some(v),
                "override-with" => inv.override_with = Some(v),
                _ => inv.args.push(Arg {
                    key: k,
                    name: kname,
                    value: v,
                }),
            }
        }
        Some(inv)
    }

    pub fn is_approval(&self) -> bool {
        self.approval.is_some()
    }

    /// The name the invocation is known by before matrix expansion: `name:` or the job's name.
    pub fn display_name(&self) -> &'a str {
        self.name.map_or(self.job.text, |n| n.text)
    }

    /// The name `requires` uses for the whole invocation: for a matrix, its alias (default: the
    /// job name); otherwise the `name:` override or the job name.
    pub fn group_name(&self) -> &'a str {
        match &self.matrix {
            Some(m) => m.alias.map_or(self.job.text, |a| a.text),
            None => self.display_name(),
        }
    }
}

fn requires_list(node: &Node) -> Vec<Require<'_>> {
    let mut out = Vec::new();
    for item in one_or_many(node) {
        if let Some(name) = Name::of(item) {
            out.push(Require {
                name,
                node: item,
                statuses: Vec::new(),
            });
        } else {
            for (k, v) in entries(item) {
                if let Some(name) = Name::of(k) {
                    let statuses = one_or_many(v).into_iter().filter_map(Name::of).collect();
                    out.push(Require {
                        name,
                        node: item,
                        statuses,
                    });
                }
            }
        }
    }
    out
}

impl<'a> Matrix<'a> {
    fn build(node: &'a Node) -> Matrix<'a> {
        Matrix {
            node,
            parameters: node
                .get("parameters")
                .map(|p| {
                    entries(p)
                        .filter_map(|(k, v)| Some((Name::of(k)?, v)))
                        .collect()
                })
                .unwrap_or_default(),
            exclude: node
                .get("exclude")
                .and_then(|e| e.as_seq())
                .map(|s| s.iter().collect())
                .unwrap_or_default(),
            alias: node.get("alias").and_then(Name::of),
        }
    }

    /// Every combination of values, minus the excluded ones. Each combination lists the
    /// parameters in the order they are written, with the value node of each. Bounded: at most
    /// `limit` combinations are produced (the rest are dropped).
    pub fn combinations(&self, limit: usize) -> Vec<Vec<(Name<'a>, &'a Node)>> {
        let dims: Vec<(Name<'a>, Vec<&'a Node>)> = self
            .parameters
            .iter()
            .map(|(n, v)| {
                (
                    *n,
                    v.as_seq()
                        .map(|s| s.iter().collect())
                        .unwrap_or_else(|| vec![*v]),
                )
            })
            .collect();
        if dims.is_empty() || dims.iter().any(|(_, vals)| vals.is_empty()) {
            return Vec::new();
        }
        let mut out: Vec<Vec<(Name<'a>, &'a Node)>> = vec![Vec::new()];
        for (name, values) in &dims {
            let mut next = Vec::with_capacity(out.len().saturating_mul(values.len()).min(limit));
            'outer: for combo in &out {
                for v in values {
                    if next.len() >= limit {
                        break 'outer;
                    }
                    let mut c = combo.clone();
                    c.push((*name, *v));
                    next.push(c);
                }
            }
            out = next;
        }
        out.retain(|combo| !self.exclude.iter().any(|ex| excludes(ex, combo)));
        out
    }
}

/// True when the `exclude` entry names exactly this combination's values.
fn excludes(ex: &Node, combo: &[(Name<'_>, &Node)]) -> bool {
    let Some(map) = ex.as_map() else { return false };
    !map.is_empty()
        && map.iter().all(|(k, v)| {
            combo.iter().any(|(n, val)| {
                Some(n.text) == k.scalar_text()
                    && val.scalar_text().is_some()
                    && val.scalar_text() == v.scalar_text()
            })
        })
}

/// One job of a workflow as CircleCI names it: an invocation, or one instance of a matrix.
#[derive(Clone, Debug)]
pub struct Instance<'a> {
    /// The final name (`requires` may name it).
    pub name: String,
    /// Index into `Workflow::jobs`.
    pub invocation: usize,
    /// For a matrix instance, the parameter values of this combination.
    pub matrix_values: Vec<(Name<'a>, &'a Node)>,
}

/// At most this many instances are made from one matrix (a guard against a config that would
/// expand into millions of jobs).
pub const MATRIX_LIMIT: usize = 10_000;

#[derive(Clone, Debug)]
pub struct Trigger<'a> {
    pub node: &'a Node,
    /// `schedule: cron:`.
    pub cron: Option<&'a Node>,
    pub filters: Option<&'a Node>,
}

#[derive(Clone, Debug)]
pub struct Workflow<'a> {
    pub name: Name<'a>,
    pub node: &'a Node,
    pub jobs: Vec<Invocation<'a>>,
    pub jobs_key: Option<&'a Node>,
    pub triggers: Vec<Trigger<'a>>,
    /// `when:` (key, value).
    pub when: Option<(&'a Node, &'a Node)>,
    /// `unless:` (key, value).
    pub unless: Option<(&'a Node, &'a Node)>,
}

/// A job group (top-level `job-groups:`, 2026): a named list of workflow job entries that a
/// workflow invokes like one job.
#[derive(Clone, Debug)]
pub struct JobGroup<'a> {
    pub name: Name<'a>,
    pub node: &'a Node,
    pub jobs: Vec<Invocation<'a>>,
}

impl<'a> JobGroup<'a> {
    pub(super) fn build(key: &'a Node, value: &'a Node) -> Option<JobGroup<'a>> {
        Some(JobGroup {
            name: Name::of(key)?,
            node: value,
            jobs: value
                .get("jobs")
                .and_then(|v| v.as_seq())
                .unwrap_or(&[])
                .iter()
                .filter_map(Invocation::build)
                .collect(),
        })
    }
}

impl<'a> Workflow<'a> {
    pub(super) fn build(key: &'a Node, value: &'a Node) -> Option<Workflow<'a>> {
        let name = Name::of(key)?;
        let jobs_entry = value.entry("jobs");
        let triggers = value
            .get("triggers")
            .and_then(|t| t.as_seq())
            .unwrap_or(&[])
            .iter()
            .map(|t| {
                let schedule = t.get("schedule");
                Trigger {
                    node: t,
                    cron: schedule.and_then(|s| s.get("cron")),
                    filters: schedule.and_then(|s| s.get("filters")),
                }
            })
            .collect();
        Some(Workflow {
            name,
            node: value,
            jobs: jobs_entry
                .and_then(|(_, v)| v.as_seq())
                .unwrap_or(&[])
                .iter()
                .filter_map(Invocation::build)
                .collect(),
            jobs_key: jobs_entry.map(|(k, _)| k),
            triggers,
            when: value.entry("when"),
            unless: value.entry("unless"),
        })
    }

    /// The jobs of the workflow as CircleCI names them: `name:` overrides applied, matrices
    /// expanded (instances named from the job name or the `name:` template, then the values
    /// joined with `-`, the parameters taken in alphabetical order).
    pub fn instances(&self) -> Vec<Instance<'a>> {
        let mut out = Vec::with_capacity(self.jobs.len());
        for (i, inv) in self.jobs.iter().enumerate() {
            match &inv.matrix {
                None => out.push(Instance {
                    name: inv.display_name().to_string(),
                    invocation: i,
                    matrix_values: Vec::new(),
                }),
                Some(m) => {
                    for combo in m.combinations(MATRIX_LIMIT) {
                        out.push(Instance {
                            name: matrix_instance_name(inv, &combo),
                            invocation: i,
                            matrix_values: combo,
                        });
                    }
                }
            }
        }
        out
    }
}

/// The name CircleCI gives one matrix instance.
pub fn matrix_instance_name(inv: &Invocation<'_>, combo: &[(Name<'_>, &Node)]) -> String {
    match inv.name {
        Some(template) => substitute_matrix(template.text, combo),
        None => {
            let mut sorted: Vec<&(Name<'_>, &Node)> = combo.iter().collect();
            sorted.sort_by(|a, b| a.0.text.cmp(b.0.text));
            let mut name = inv.job.text.to_string();
            for (_, value) in sorted {
                name.push('-');
                name.push_str(value.scalar_text().unwrap_or(""));
            }
            name
        }
    }
}

impl<'a> Workflow<'a> {
    /// The instances (indices into `instances`, which is `self.instances()`) that a `requires`
    /// name means, as CircleCI resolves it:
    /// - the final name of an instance (a `name:` override, or an expanded matrix instance name
    ///   such as `build-macos-0.1`);
    /// - the alias of a matrix (`alias:`, by default the job's name): every instance of it.
    ///
    /// `from` is the instance whose `requires` is read: a name written with `<< matrix.x >>`
    /// is substituted with that instance's values first. An empty result means the name is not
    /// part of the workflow.
    pub fn resolve_requires(
        &self,
        instances: &[Instance<'a>],
        name: &str,
        from: Option<&Instance<'a>>,
    ) -> Vec<usize> {
        let name = match from {
            Some(inst) if name.contains("<<") => substitute_matrix(name, &inst.matrix_values),
            _ => name.to_string(),
        };
        instances
            .iter()
            .enumerate()
            .filter(|(_, inst)| {
                inst.name == name
                    || self.jobs.get(inst.invocation).is_some_and(|inv| {
                        inv.matrix.is_some() && inv.group_name() == name.as_str()
                    })
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Every `requires` entry of every instance, resolved: (index of the requiring instance,
    /// the entry, the indices of the instances it means; empty when it means none).
    pub fn resolved_requires(
        &self,
        instances: &[Instance<'a>],
    ) -> Vec<(usize, &Require<'a>, Vec<usize>)> {
        let mut out = Vec::new();
        for (i, inst) in instances.iter().enumerate() {
            let Some(inv) = self.jobs.get(inst.invocation) else {
                continue;
            };
            for req in &inv.requires {
                let targets = self.resolve_requires(instances, req.name.text, Some(inst));
                out.push((i, req, targets));
            }
        }
        out
    }
}

/// Replace `<< matrix.x >>` (with or without inner spaces) by the instance's value of `x`.
pub fn substitute_matrix(text: &str, values: &[(Name<'_>, &Node)]) -> String {
    let mut out = text.to_string();
    for (param, value) in values {
        let v = value.scalar_text().unwrap_or("");
        for pattern in [
            format!("<< matrix.{} >>", param.text),
            format!("<<matrix.{}>>", param.text),
            format!("<< matrix.{}>>", param.text),
            format!("<<matrix.{} >>", param.text),
        ] {
            out = out.replace(&pattern, v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::test_nodes::{map, s, seq};

    /// build (matrix version x platform), test (matrix with alias and a name template, one
    /// exclude), deploy requiring an instance, an alias and a whole matrix by its job name.
    fn workflow_node() -> Node {
        map(vec![(
            "jobs",
            seq(vec![
                map(vec![(
                    "build",
                    map(vec![(
                        "matrix",
                        map(vec![(
                            "parameters",
                            map(vec![
                                ("version", seq(vec![s("0.1"), s("0.2")])),
                                ("platform", seq(vec![s("macos"), s("linux")])),
                            ]),
                        )]),
                    )]),
                )]),
                map(vec![(
                    "test",
                    map(vec![
                        ("name", s("test-on-<< matrix.os >>")),
                        (
                            "matrix",
                            map(vec![
                                ("alias", s("all-tests")),
                                (
                                    "parameters",
                                    map(vec![("os", seq(vec![s("a"), s("b"), s("c")]))]),
                                ),
                                ("exclude", seq(vec![map(vec![("os", s("c"))])])),
                            ]),
                        ),
                        ("requires", seq(vec![s("build-linux-<< matrix.os >>")])),
                    ]),
                )]),
                map(vec![(
                    "deploy",
                    map(vec![(
                        "requires",
                        seq(vec![
                            s("build-macos-0.1"),
                            s("all-tests"),
                            s("build"),
                            s("test"),
                            s("nope"),
                        ]),
                    )]),
                )]),
            ]),
        )])
    }

    #[test]
    fn matrix_instances_are_named_like_circleci() {
        let node = workflow_node();
        let key = s("main");
        let wf = Workflow::build(&key, &node).expect("workflow");
        let names: Vec<String> = wf.instances().into_iter().map(|i| i.name).collect();
        assert_eq!(
            names,
            vec![
                // The configuration reference: `version` then `platform` declared gives
                // `build-macos-0.1` (values in the alphabetical order of the parameter names).
                "build-macos-0.1",
                "build-linux-0.1",
                "build-macos-0.2",
                "build-linux-0.2",
                "test-on-a",
                "test-on-b",
                "deploy",
            ]
        );
    }

    #[test]
    fn requires_resolve_to_instances_aliases_and_templates() {
        let node = workflow_node();
        let key = s("main");
        let wf = Workflow::build(&key, &node).expect("workflow");
        let inst = wf.instances();
        let names =
            |ids: &[usize]| -> Vec<&str> { ids.iter().map(|&i| inst[i].name.as_str()).collect() };
        let deploy = inst.last();
        assert_eq!(
            names(&wf.resolve_requires(&inst, "build-macos-0.1", deploy)),
            vec!["build-macos-0.1"]
        );
        assert_eq!(
            names(&wf.resolve_requires(&inst, "all-tests", deploy)),
            vec!["test-on-a", "test-on-b"]
        );
        // The alias replaces the job name for the matrix `test`.
        assert!(wf.resolve_requires(&inst, "test", deploy).is_empty());
        assert_eq!(wf.resolve_requires(&inst, "build", deploy).len(), 4);
        assert!(wf.resolve_requires(&inst, "nope", deploy).is_empty());
        // `<< matrix.os >>` in a requires name takes the requiring instance's value.
        let all = wf.resolved_requires(&inst);
        let from_test: Vec<(&str, &str, Vec<&str>)> = all
            .iter()
            .filter(|(i, _, _)| inst[*i].name.starts_with("test"))
            .map(|(i, r, t)| (inst[*i].name.as_str(), r.name.text, names(t)))
            .collect();
        assert_eq!(
            from_test,
            vec![
                ("test-on-a", "build-linux-<< matrix.os >>", vec![]),
                ("test-on-b", "build-linux-<< matrix.os >>", vec![]),
            ]
        );
        let got = wf.resolve_requires(&inst, "build-linux-<< matrix.version >>", Some(&inst[0]));
        assert_eq!(names(&got), vec!["build-linux-0.1"]);
    }
}

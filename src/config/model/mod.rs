//! The typed model of a CircleCI config, built leniently from the resolved YAML tree.
//!
//! Nothing here fails: a malformed piece is skipped or kept as far as it can be read (the schema
//! check reports its shape), so a broken job never hides findings elsewhere. Every item borrows
//! the tree and keeps the spans of its name and body.

mod job;
pub mod shape;
mod workflow;

pub use job::*;
pub use workflow::*;

use crate::base::span::Span;
use crate::yaml::Node;

/// A name as written in the config (a mapping key or a string scalar), with its span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name<'a> {
    pub text: &'a str,
    pub span: Span,
}

impl<'a> Name<'a> {
    /// The name a scalar node spells (any scalar: a job may be called `123`).
    pub fn of(node: &'a Node) -> Option<Name<'a>> {
        Some(Name {
            text: node.scalar_text()?,
            span: node.span,
        })
    }
}

impl std::fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text)
    }
}

/// The config's `version:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `2` or `2.0`.
    V2,
    /// `2.1`.
    V21,
    /// Anything else (the schema reports it).
    Other,
}

/// A reference to a member of an orb: `alias/member`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrbRef<'a> {
    pub orb: &'a str,
    pub member: &'a str,
}

/// Split `node/test` into the orb alias and the member name. Names without a slash are local.
pub fn orb_ref(name: &str) -> Option<OrbRef<'_>> {
    let (orb, member) = name.split_once('/')?;
    (!orb.is_empty() && !member.is_empty()).then_some(OrbRef { orb, member })
}

/// What an entry under `orbs:` is.
#[derive(Clone, Debug)]
pub enum OrbSource<'a> {
    /// `namespace/name@version` (`version` may be empty when no `@` is written).
    Registry {
        namespace: &'a str,
        name: &'a str,
        version: &'a str,
        /// Span of the reference string.
        span: Span,
    },
    /// A whole orb definition written inline.
    Inline(Box<Config<'a>>),
    /// An orb loaded from a URL.
    Url(&'a str),
    /// A value cilint cannot read as an orb (the schema reports it).
    Invalid,
}

#[derive(Clone, Debug)]
pub struct OrbDecl<'a> {
    /// The alias the config uses (`node` in `node: circleci/node@5`).
    pub alias: Name<'a>,
    pub node: &'a Node,
    pub source: OrbSource<'a>,
}

impl OrbDecl<'_> {
    /// `circleci/node@5.1.1` as written, for registry orbs.
    pub fn reference(&self) -> Option<&str> {
        match self.source {
            OrbSource::Registry { .. } => self.node.as_str(),
            _ => None,
        }
    }
}

/// A CircleCI config (or an inline orb, which has the same parts).
#[derive(Clone, Debug, Default)]
pub struct Config<'a> {
    pub root: Option<&'a Node>,
    pub version: Option<(Version, &'a Node)>,
    /// `setup: true`.
    pub setup: bool,
    pub orbs: Vec<OrbDecl<'a>>,
    pub orbs_key: Option<&'a Node>,
    pub executors: Vec<Executor<'a>>,
    pub executors_key: Option<&'a Node>,
    pub commands: Vec<Command<'a>>,
    pub commands_key: Option<&'a Node>,
    pub jobs: Vec<Job<'a>>,
    pub jobs_key: Option<&'a Node>,
    /// Pipeline parameters (top-level `parameters:`); for an inline orb, none.
    pub parameters: Vec<ParamDecl<'a>>,
    pub parameters_key: Option<&'a Node>,
    pub workflows: Vec<Workflow<'a>>,
    pub workflows_key: Option<&'a Node>,
    /// `job-groups:` (2026): named sets of job entries a workflow invokes like one job.
    pub job_groups: Vec<JobGroup<'a>>,
    /// `workflows: version: 2` (key and value).
    pub workflows_version: Option<(&'a Node, &'a Node)>,
    /// Name lookups of `jobs` and `commands`, built on first use (see [`NameIndex`]).
    pub job_index: NameIndex,
    pub command_index: NameIndex,
}

/// A config and every inline orb inside it: each is a scope of its own, where names refer to
/// that scope's own jobs, commands, executors and orbs.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'m, 'a> {
    pub config: &'m Config<'a>,
    /// The inline orb this scope is, `None` for the file itself.
    pub orb: Option<&'m OrbDecl<'a>>,
}

impl Scope<'_, '_> {
    /// " in inline orb `x`" or "".
    pub fn suffix(&self) -> String {
        self.orb
            .map(|o| format!(" in inline orb `{}`", o.alias))
            .unwrap_or_default()
    }
}

/// A name -> position map of a list, built on first lookup, so that resolving every
/// invocation of a workflow of N jobs is O(N) instead of O(N^2). The first entry of a name wins
/// (as a linear search would). When the list's length changed since the map was built, or the
/// list is short, lookups fall back to a linear search.
#[derive(Clone, Debug, Default)]
pub struct NameIndex(std::sync::OnceLock<(usize, std::collections::HashMap<String, usize>)>);

impl NameIndex {
    /// Lists shorter than this are searched linearly.
    const MIN_LEN: usize = 32;

    fn find<'l, T>(&self, items: &'l [T], name: &str, key: impl Fn(&T) -> &str) -> Option<&'l T> {
        if items.len() < Self::MIN_LEN {
            return items.iter().find(|i| key(i) == name);
        }
        let (len, map) = self.0.get_or_init(|| {
            let mut map = std::collections::HashMap::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                map.entry(key(item).to_string()).or_insert(i);
            }
            (items.len(), map)
        });
        if *len != items.len() {
            return items.iter().find(|i| key(i) == name);
        }
        map.get(name)
            .and_then(|&i| items.get(i))
            .filter(|i| key(i) == name)
    }
}

impl<'a> Config<'a> {
    /// Build the model from the root of the resolved tree.
    pub fn from_root(root: &'a Node) -> Config<'a> {
        let mut cfg = Config {
            root: Some(root),
            ..Config::default()
        };
        let Some(map) = root.as_map() else { return cfg };
        for (key, value) in map {
            match key.scalar_text() {
                Some("version") => {
                    let v = match value.scalar_text() {
                        Some("2") | Some("2.0") => Version::V2,
                        Some("2.1") => Version::V21,
                        _ => Version::Other,
                    };
                    cfg.version = Some((v, value));
                }
                Some("setup") => cfg.setup = value.as_bool() == Some(true),
                Some("orbs") => {
                    cfg.orbs_key = Some(key);
                    cfg.orbs = entries(value)
                        .filter_map(|(k, v)| OrbDecl::build(k, v))
                        .collect();
                }
                Some("executors") => {
                    cfg.executors_key = Some(key);
                    cfg.executors = entries(value)
                        .filter_map(|(k, v)| Executor::build(k, v))
                        .collect();
                }
                Some("commands") => {
                    cfg.commands_key = Some(key);
                    cfg.commands = entries(value)
                        .filter_map(|(k, v)| Command::build(k, v))
                        .collect();
                }
                Some("jobs") => {
                    cfg.jobs_key = Some(key);
                    cfg.jobs = entries(value)
                        .filter_map(|(k, v)| Job::build(k, v))
                        .collect();
                }
                Some("parameters") => {
                    cfg.parameters_key = Some(key);
                    cfg.parameters = ParamDecl::list(value);
                }
                Some("job-groups") => {
                    cfg.job_groups = entries(value)
                        .filter_map(|(k, v)| JobGroup::build(k, v))
                        .collect();
                }
                Some("workflows") => {
                    cfg.workflows_key = Some(key);
                    for (k, v) in entries(value) {
                        if k.scalar_text() == Some("version") {
                            cfg.workflows_version = Some((k, v));
                        } else if let Some(wf) = Workflow::build(k, v) {
                            cfg.workflows.push(wf);
                        }
                    }
                }
                _ => {}
            }
        }
        cfg
    }

    /// The config, then every inline orb (depth first, at most 16 levels deep).
    pub fn scopes(&self) -> Vec<Scope<'_, 'a>> {
        fn add<'m, 'a>(
            cfg: &'m Config<'a>,
            orb: Option<&'m OrbDecl<'a>>,
            depth: usize,
            out: &mut Vec<Scope<'m, 'a>>,
        ) {
            out.push(Scope { config: cfg, orb });
            if depth > 16 {
                return;
            }
            for decl in &cfg.orbs {
                if let OrbSource::Inline(inner) = &decl.source {
                    add(inner, Some(decl), depth + 1, out);
                }
            }
        }
        let mut out = Vec::new();
        add(self, None, 0, &mut out);
        out
    }

    pub fn version(&self) -> Option<Version> {
        self.version.map(|(v, _)| v)
    }

    /// True for configs that may use 2.1 features (2.1, or no readable version: say less).
    pub fn is_v21(&self) -> bool {
        !matches!(self.version(), Some(Version::V2))
    }

    pub fn job(&self, name: &str) -> Option<&Job<'a>> {
        self.job_index.find(&self.jobs, name, |j| j.name.text)
    }

    pub fn command(&self, name: &str) -> Option<&Command<'a>> {
        self.command_index
            .find(&self.commands, name, |c| c.name.text)
    }

    pub fn executor(&self, name: &str) -> Option<&Executor<'a>> {
        self.executors.iter().find(|e| e.name.text == name)
    }

    pub fn orb(&self, alias: &str) -> Option<&OrbDecl<'a>> {
        self.orbs.iter().find(|o| o.alias.text == alias)
    }

    pub fn job_group(&self, name: &str) -> Option<&JobGroup<'a>> {
        self.job_groups.iter().find(|g| g.name.text == name)
    }

    pub fn workflow(&self, name: &str) -> Option<&Workflow<'a>> {
        self.workflows.iter().find(|w| w.name.text == name)
    }

    pub fn pipeline_parameter(&self, name: &str) -> Option<&ParamDecl<'a>> {
        self.parameters.iter().find(|p| p.name.text == name)
    }

    /// Every step of every job and command (with pre/post-steps of invocations and the steps
    /// nested in `when`/`unless` steps), with where it stands.
    pub fn all_steps(&self) -> Vec<(StepOwner<'_, 'a>, &Step<'a>)> {
        let mut out = Vec::new();
        for job in &self.jobs {
            for s in &job.steps {
                s.walk(&mut |st| out.push((StepOwner::Job(job), st)));
            }
        }
        for cmd in &self.commands {
            for s in &cmd.steps {
                s.walk(&mut |st| out.push((StepOwner::Command(cmd), st)));
            }
        }
        for wf in &self.workflows {
            for inv in &wf.jobs {
                for s in inv.pre_steps.iter().chain(&inv.post_steps) {
                    s.walk(&mut |st| out.push((StepOwner::Invocation(wf, inv), st)));
                }
            }
        }
        out
    }
}

/// Where a step stands.
#[derive(Clone, Copy, Debug)]
pub enum StepOwner<'m, 'a> {
    Job(&'m Job<'a>),
    Command(&'m Command<'a>),
    Invocation(&'m Workflow<'a>, &'m Invocation<'a>),
}

impl<'m, 'a> StepOwner<'m, 'a> {
    /// "job `build`", "command `setup`", "the pre-steps or post-steps of `deploy` in workflow `main`".
    pub fn describe(&self) -> String {
        match self {
            StepOwner::Job(j) => format!("job `{}`", j.name),
            StepOwner::Command(c) => format!("command `{}`", c.name),
            StepOwner::Invocation(w, i) => {
                format!(
                    "the pre-steps or post-steps of `{}` in workflow `{}`",
                    i.display_name(),
                    w.name
                )
            }
        }
    }

    /// Parameters visible to the step (`<< parameters.x >>`).
    pub fn parameters(&self) -> &'m [ParamDecl<'a>] {
        match self {
            StepOwner::Job(j) => &j.parameters,
            StepOwner::Command(c) => &c.parameters,
            StepOwner::Invocation(..) => &[],
        }
    }
}

/// The (key, value) pairs of a mapping node (none for anything else).
pub(crate) fn entries(node: &Node) -> impl Iterator<Item = (&Node, &Node)> {
    node.as_map().unwrap_or(&[]).iter().map(|(k, v)| (k, v))
}

/// A list node's items, or a single node as a one-item list (CircleCI accepts both in places
/// such as `context`, `only`, `ignore`).
pub(crate) fn one_or_many(node: &Node) -> Vec<&Node> {
    match node.as_seq() {
        Some(items) => items.iter().collect(),
        None if node.is_null() => Vec::new(),
        None => vec![node],
    }
}

impl<'a> OrbDecl<'a> {
    fn build(key: &'a Node, value: &'a Node) -> Option<OrbDecl<'a>> {
        let alias = Name::of(key)?;
        let source = if let Some(text) = value.as_str() {
            if text.starts_with("https://")
                || text.starts_with("http://")
                || text.starts_with("file://")
            {
                OrbSource::Url(text)
            } else if let Some((ns, rest)) = text.split_once('/') {
                let (name, version) = rest.split_once('@').unwrap_or((rest, ""));
                OrbSource::Registry {
                    namespace: ns,
                    name,
                    version,
                    span: value.span,
                }
            } else {
                OrbSource::Invalid
            }
        } else if value.as_map().is_some() {
            OrbSource::Inline(Box::new(Config::from_root(value)))
        } else {
            OrbSource::Invalid
        };
        Some(OrbDecl {
            alias,
            node: value,
            source,
        })
    }
}

#[cfg(test)]
mod tests;

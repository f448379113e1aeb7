//! `cilint expand`: the config CircleCI's compiler makes of a config, as `circleci config
//! process` prints it, worked out offline. A version 2 config: every job a workflow runs,
//! with its executor, commands, parameters and pipeline values expanded; every workflow with
//! its job entries reduced to the names and what schedules them. What each step does:
//!
//! - **Pipeline values** ([`pipeline_env`]): the pipeline parameters (declared defaults, or
//!   `--param`, typed as `plan` types them), the branch or tag, the trigger, and the values
//!   CircleCI's CLI makes up for `config process` (`pipeline.id`, `pipeline.number`). Any other
//!   built-in value (`pipeline.git.revision`...) is not known offline: a `<< >>` that reads one
//!   is left as written, and a condition that needs one cannot be decided (the expansion stops
//!   and says so rather than guess).
//! - **Jobs** (`job.rs`): one per workflow job entry (its `name:`, or each instance of its
//!   matrix), named as the workflow names it; a job defined but run by no workflow is not
//!   written [U: every job of the evidence is run; the jobs map is built from the entries]. Its parameters are bound (the entry's arguments and matrix values, else the
//!   defaults; a missing argument, an argument that is not a parameter, a value of the wrong
//!   type stop the expansion), substituted into the whole job, its executor inlined, its
//!   commands replaced by their steps (`steps.rs`).
//! - **Workflows** (`workflows.rs`): a workflow whose `when` is false (or `unless` true) is left
//!   out; each job entry keeps `requires` (a matrix's alias replaced by its instances),
//!   `filters`, `context` and `type`.
//! - **Order**: keys come in the order of the source (a packed config is sorted by `cilint
//!   pack`, as by `circleci config pack`), except what the compiler builds itself: the job
//!   (executor keys first), a workflow job entry (`requires`, `filters`, `context`, `type`) and
//!   the `jobs` map, in the order of Clojure's hash maps once it holds more than 8 jobs.
//!
//! What CircleCI would reject while compiling stops the expansion: an unknown job, command or
//! executor, an orb not in the orb cache, a missing or ill-typed argument, an undeclared
//! parameter, a job without an executor. Each is an [`ExpandFinding`], reported by the rule
//! that reports the same in `cilint check` (`rules::expand`), with the span in the source.
//!
//! Points the evidence does not settle (marked `[U]` where they are decided): the order of a
//! workflow job entry's keys other than `filters` before `context`; a job's own `environment`
//! when it has no executor (kept as written, a mapping); the place of a variable that both the
//! executor and the job set (the job's value, at the executor's place); `description` of a job
//! or executor (dropped, as the compiler's output has no such key); a config without workflows
//! (only job `build` is written, the job CircleCI runs then); a workflow whose `when` cannot be
//! decided (kept, with its `when`); a workflow condition that was decided (its key left out);
//! the order of a matrix's instances and of the values in their names (the model's, which
//! `plan` and `graph` use: the values in the alphabetical order of the parameters, the first
//! parameter of the `matrix:` varying slowest); `<< >>` in a mapping key (substituted, like a
//! value); `setup:` (left out, as every other top-level key); the trailer later servers write
//! after the YAML (`# Original config.yml file:`, not written: the evidence has none).

pub mod diff;
mod job;
mod params;
mod steps;
mod workflows;

use crate::analysis::plan::{PlanInput, environment};
use crate::base::diagnostic::Finding;
use crate::base::span::Span;
use crate::config::model::{Config, OrbSource, orb_ref};
use crate::config::orbs::{Member, MemberKind, Orbs, is_placeholder, member, registry_ref};
use crate::lang::mustache::{Env, PipelineValue};
use crate::yaml::Data;

/// What expansion finds that CircleCI would reject, by the rule that reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExpandProblem {
    UnknownJob,
    UnknownCommand,
    UnknownExecutor,
    UndeclaredOrb,
    UnknownOrbMember,
    /// A registry orb whose source is not in the orb cache (or a URL orb): what it defines is
    /// not known, so the expansion cannot go on.
    OrbUnresolved,
    MissingArgument,
    UnknownArgument,
    ArgumentType,
    UndefinedParameter,
    UnknownPipelineValue,
    MissingExecutor,
    /// A step of a shape that names nothing, or a `when` step without its parts.
    StepShape,
}

/// One finding of the expansion.
pub type ExpandFinding = Finding<ExpandProblem>;

/// Why an expansion stopped.
#[derive(Clone, Debug)]
pub enum Stop {
    /// What CircleCI would reject (the first ones found).
    Rejected(Vec<ExpandFinding>),
    /// What cilint cannot decide offline: where, and why.
    Undecidable { span: Span, reason: String },
}

/// The value of `pipeline.id` that CircleCI's CLI sends with `config process`.
const PIPELINE_ID: &str = "00000000-0000-0000-0000-000000000001";

/// The pipeline values of an expansion (see the module's documentation), and the declared
/// pipeline parameters that have no value (no default, and not given).
pub fn pipeline_env(config: &Config<'_>, input: &PlanInput) -> (Env, Vec<String>) {
    let (mut env, params) = environment(config, input);
    env.set("pipeline.id", PipelineValue::Str(PIPELINE_ID.into()));
    env.set("pipeline.number", PipelineValue::Int(1));
    let unset = params
        .into_iter()
        .filter(|(_, v, _)| v.is_none())
        .map(|(n, _, _)| n)
        .collect();
    (env, unset)
}

/// Expand `config` (whose spans index `source`) with the registry orbs of `orbs`, for the
/// pipeline `input` describes.
pub fn expand(
    source: &str,
    config: &Config<'_>,
    orbs: &Orbs,
    input: &PlanInput,
) -> Result<Data, Stop> {
    let (pipeline, unset) = pipeline_env(config, input);
    let mut orb_env = Env::new();
    for (k, v) in pipeline.iter() {
        if !k.starts_with("pipeline.parameters.") {
            orb_env.set(k, v.clone());
        }
    }
    let given = input.params.iter().map(|(k, _)| k.clone()).collect();
    let mut x = Expander {
        source,
        root: config,
        orbs,
        pipeline,
        orb_env,
        unset,
        given,
        findings: Vec::new(),
        undecidable: None,
        depth: 0,
    };
    let data = workflows::config(&mut x);
    if let Some((span, reason)) = x.undecidable {
        return Err(Stop::Undecidable { span, reason });
    }
    if !x.findings.is_empty() {
        let mut seen = std::collections::HashSet::new();
        x.findings
            .retain(|f| seen.insert((f.kind, f.primary.span, f.message.clone())));
        return Err(Stop::Rejected(x.findings));
    }
    Ok(data)
}

/// Where names are looked up: the config, or an orb in it.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'m> {
    pub config: &'m Config<'m>,
    /// The orb's alias, for an orb's scope.
    pub orb: Option<&'m str>,
    /// Its nodes are in another text (a cached orb's source): findings about them point at the
    /// call in the config instead.
    pub foreign: bool,
}

/// Why a name found nothing.
#[derive(Clone, Debug)]
pub enum Miss {
    /// A local name that is not defined.
    NotFound,
    /// `orb/x` with no orb `orb` declared.
    UndeclaredOrb(String),
    /// `orb/x` where the orb has no such member.
    MissingMember(String),
    /// `orb/x` where the orb's source is not at hand: the orb, why, and how to get it.
    Unresolved(String, String, String),
}

/// Commands calling commands (and executors naming executors) deeper than this stop the
/// expansion: a command that calls itself would never end.
const MAX_DEPTH: usize = 64;

pub struct Expander<'e, 'm> {
    /// The text the config's spans index.
    pub source: &'e str,
    pub root: &'m Config<'m>,
    pub orbs: &'e Orbs,
    /// Pipeline values and parameters.
    pub pipeline: Env,
    /// The pipeline values an orb sees (no pipeline parameters).
    pub orb_env: Env,
    /// Declared pipeline parameters without a value.
    pub unset: Vec<String>,
    /// Pipeline parameters given a value (`--param`), not taken from their default.
    pub given: Vec<String>,
    pub findings: Vec<ExpandFinding>,
    pub undecidable: Option<(Span, String)>,
    pub depth: usize,
}

impl<'m> Expander<'_, 'm> {
    pub fn root_scope(&self) -> Scope<'m> {
        Scope {
            config: self.root,
            orb: None,
            foreign: false,
        }
    }

    /// The pipeline values a scope sees.
    pub fn base_env(&self, scope: Scope<'m>) -> Env {
        if scope.orb.is_some() {
            self.orb_env.clone()
        } else {
            self.pipeline.clone()
        }
    }

    /// A pipeline parameter's declared default, as written (with its type: a float stays a
    /// float), when no value was given for it.
    pub fn pipeline_default(&self, name: &str) -> Option<Data> {
        if self.given.iter().any(|g| g == name) {
            return None;
        }
        let default = self.root.pipeline_parameter(name)?.default?;
        default.as_scalar().map(|_| Data::from_node(default))
    }

    pub fn stuck(&mut self, span: Span, reason: impl Into<String>) {
        if self.undecidable.is_none() {
            self.undecidable = Some((span, reason.into()));
        }
    }

    pub fn stopped(&self) -> bool {
        self.undecidable.is_some()
    }

    /// The scope of the orb `alias` declared in `scope`.
    fn orb_scope(&self, scope: Scope<'m>, alias: &str) -> Result<Scope<'m>, Miss> {
        let Some(decl) = scope.config.orb(alias) else {
            return Err(Miss::UndeclaredOrb(alias.to_string()));
        };
        match &decl.source {
            OrbSource::Inline(cfg) if is_placeholder(cfg) => Err(Miss::Unresolved(
                alias.to_string(),
                "it is an empty inline orb, a placeholder that a tool fills in before CircleCI reads the config".to_string(),
                "expand the config the tool makes, with the orb written in".to_string(),
            )),
            OrbSource::Inline(cfg) => Ok(Scope {
                config: cfg,
                orb: Some(decl.alias.text),
                foreign: scope.foreign,
            }),
            OrbSource::Registry { .. } => {
                let versions = if scope.orb.is_none() {
                    self.root
                } else {
                    scope.config
                };
                let r = registry_ref(decl, versions).ok_or(Miss::NotFound)?;
                match self.orbs.find(&r) {
                    Some(orb) => Ok(Scope {
                        config: &orb.config,
                        orb: Some(decl.alias.text),
                        foreign: true,
                    }),
                    None => {
                        let reference = r.reference();
                        Err(Miss::Unresolved(
                            alias.to_string(),
                            format!("its source, `{reference}`, is not in the orb cache"),
                            format!(
                                "run `cilint orbs fetch` (it downloads the orbs a config declares into the cache), or pass `--orb-cache DIR` holding `{}/{}@{}.yml`",
                                r.namespace, r.name, r.version
                            ),
                        ))
                    }
                }
            }
            OrbSource::Url(url) => Err(Miss::Unresolved(
                alias.to_string(),
                format!("it is loaded from `{url}`, which cilint never fetches"),
                "declare the orb inline, or from the registry with its source in the orb cache".to_string(),
            )),
            OrbSource::Invalid => Err(Miss::UndeclaredOrb(alias.to_string())),
        }
    }

    /// The member `name` (local, or `orb/member`) of kind `kind` seen from `scope`, and the
    /// scope its own names are looked up in.
    pub fn lookup(
        &self,
        scope: Scope<'m>,
        kind: MemberKind,
        name: &str,
    ) -> Result<(Member<'m, 'm>, Scope<'m>), Miss> {
        if let Some(m) = member(scope.config, kind, name) {
            return Ok((m, scope));
        }
        let Some(r) = orb_ref(name) else {
            return Err(Miss::NotFound);
        };
        let orb = self.orb_scope(scope, r.orb)?;
        match member(orb.config, kind, r.member) {
            Some(m) => Ok((m, orb)),
            None => Err(Miss::MissingMember(r.orb.to_string())),
        }
    }

    /// Report that `name`, used as a `kind` at `at`, found nothing.
    pub fn missed(&mut self, miss: Miss, kind: MemberKind, name: &str, at: Span, what: &str) {
        let (problem, message, help) = match miss {
            Miss::NotFound => {
                let (problem, defined) = match kind {
                    MemberKind::Job => (ExpandProblem::UnknownJob, "`jobs:`"),
                    MemberKind::Command => (ExpandProblem::UnknownCommand, "`commands:`"),
                    MemberKind::Executor => (ExpandProblem::UnknownExecutor, "`executors:`"),
                };
                let built_in = if kind == MemberKind::Command {
                    " and is not a built-in step"
                } else {
                    ""
                };
                (
                    problem,
                    format!(
                        "{what} uses {} `{name}`, which is defined nowhere{built_in}",
                        kind.as_str()
                    ),
                    format!("define `{name}` under {defined}, or fix the name"),
                )
            }
            Miss::UndeclaredOrb(orb) => (
                ExpandProblem::UndeclaredOrb,
                format!("{what} uses `{name}`, but no orb `{orb}` is declared under `orbs:`"),
                format!("declare the orb under `orbs:` (`{orb}: namespace/name@version`)"),
            ),
            Miss::MissingMember(orb) => (
                ExpandProblem::UnknownOrbMember,
                format!(
                    "{what} uses {} `{name}`, which orb `{orb}` does not define",
                    kind.as_str()
                ),
                format!("check the {} of orb `{orb}`", kind.plural()),
            ),
            Miss::Unresolved(orb, why, help) => (
                ExpandProblem::OrbUnresolved,
                format!("{what} uses `{name}` from orb `{orb}`, which cannot be expanded: {why}"),
                help,
            ),
        };
        self.find(
            Finding::new(problem, at, message)
                .label(format!("this {}", kind.as_str()))
                .help(help),
        );
    }

    pub fn find(&mut self, f: ExpandFinding) {
        self.findings.push(f);
    }
}

/// The text a float has inside a longer string (as the compiler, on the JVM, writes it).
pub fn float_text(f: f64) -> String {
    crate::yaml::data::java_float(f)
}

/// A pipeline value as data.
pub fn data_of(v: &PipelineValue) -> Data {
    match v {
        PipelineValue::Null => Data::Null,
        PipelineValue::Bool(b) => Data::Bool(*b),
        PipelineValue::Int(i) => Data::Int(*i),
        PipelineValue::Str(s) => Data::Str(s.clone()),
    }
}

/// A mapping of string keys.
pub fn map(entries: Vec<(&str, Data)>) -> Data {
    Data::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Data::str(k), v))
            .collect(),
    )
}

#[cfg(test)]
mod tests;

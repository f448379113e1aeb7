//! `cilint plan`: which workflows and jobs a pipeline would run for a branch or tag push, a set
//! of pipeline parameters and a trigger, and why the others would not.
//!
//! This reads the workflow graphs (`graph.rs`), the job filters (`filters.rs`) and the logic
//! statements (`logic.rs`), and applies CircleCI's rules as its configuration reference and
//! `/work/shared/CIRCLECI-FACTS.md` state them:
//!
//! - Pipeline values: `pipeline.git.branch` and `pipeline.git.tag` from the ref (the other one
//!   is empty), `pipeline.trigger_source` from the trigger, `pipeline.schedule.name` from
//!   `--schedule-name` (empty unless the trigger is a scheduled pipeline),
//!   `pipeline.parameters.*` from the declared defaults overridden by what is given. Any other
//!   value is unknown, and a condition that reads it is "unknown", never guessed.
//! - Workflows: a workflow with legacy `triggers: schedule` runs only on its own cron schedule,
//!   never in a pipeline triggered by a push, the API or a scheduled pipeline. Otherwise its
//!   `when` must be true and its `unless` false (a scheduled pipeline runs every workflow that a
//!   `when` does not exclude).
//! - Jobs: a job runs for a branch unless its `branches` filter excludes the branch; for a tag
//!   only when its `tags` filter admits the tag (no `tags` filter: never for tags). An
//!   expression filter is evaluated. A requirement that does not run is ignored, but a job all
//!   of whose requirements do not run does not run either (which is why a job that requires,
//!   directly or not, a job without a `tags` filter never runs for a tag push).
//! - An approval hold that runs waits for a person; what requires it (directly or not) runs
//!   after approval. Non-default statuses (`failed`, `terminal`...) are noted.
//! - A workflow none of whose jobs would run is not created.
//!
//! [`plan`] computes; [`render_human`] and [`to_json`] turn a [`Plan`] into text (the JSON is
//! documented in the README). Nothing here prints.

use crate::diagnostic::closest;
use crate::filters::{Filters, GitRef, RefFilter};
use crate::graph::{Graphs, JobKind, Resolution, WorkflowGraph};
use crate::logic::{Site, Tri, eval_expression_tri, evaluate};
use crate::model::{Config, ParamType};
use crate::mustache::{Env, PipelineValue};
use crate::render::Diagram;
use crate::span::{LineIndex, Span};
use crate::yaml::{Node, ScalarKind};
use petgraph::graph::NodeIndex;
use std::collections::BTreeSet;
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------

/// What started the pipeline (`pipeline.trigger_source`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Trigger {
    /// A push (or pull request) webhook from the VCS.
    #[default]
    Webhook,
    /// The API (or "Trigger pipeline" in the web app).
    Api,
    /// A scheduled pipeline (schedule trigger).
    ScheduledPipeline,
}

impl Trigger {
    /// The value of `pipeline.trigger_source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Webhook => "webhook",
            Trigger::Api => "api",
            Trigger::ScheduledPipeline => "scheduled_pipeline",
        }
    }

    fn pipeline_words(self) -> &'static str {
        match self {
            Trigger::Webhook => "a pipeline triggered by a push",
            Trigger::Api => "a pipeline triggered through the API",
            Trigger::ScheduledPipeline => "a scheduled pipeline",
        }
    }
}

/// What to plan for.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanInput {
    pub git_ref: GitRef,
    pub trigger: Trigger,
    /// `pipeline.schedule.name` for a scheduled pipeline (unknown when not given).
    pub schedule_name: Option<String>,
    /// Pipeline parameters given (see [`parse_param`]); they override the declared defaults.
    pub params: Vec<(String, PipelineValue)>,
}

impl PlanInput {
    pub fn branch(name: impl Into<String>) -> PlanInput {
        PlanInput {
            git_ref: GitRef::Branch(name.into()),
            trigger: Trigger::Webhook,
            schedule_name: None,
            params: Vec::new(),
        }
    }

    pub fn tag(name: impl Into<String>) -> PlanInput {
        PlanInput {
            git_ref: GitRef::Tag(name.into()),
            ..PlanInput::branch("")
        }
    }

    /// "branch `main`" or "tag `v1.0.0`".
    pub fn ref_words(&self) -> String {
        match &self.git_ref {
            GitRef::Branch(b) => format!("branch `{b}`"),
            GitRef::Tag(t) => format!("tag `{t}`"),
        }
    }
}

/// Read one `--param KEY=VALUE` against the config's declared pipeline parameters: booleans
/// take `true`/`false`, integers a whole number, enums one of their values, strings anything.
/// `Err` is the usage error, listing the declared parameters.
pub fn parse_param(config: &Config<'_>, arg: &str) -> Result<(String, PipelineValue), String> {
    let Some((key, value)) = arg.split_once('=') else {
        return Err(format!(
            "`--param` takes KEY=VALUE, not `{arg}`; {}",
            declared_list(config)
        ));
    };
    let key = key.trim();
    let key = key.strip_prefix("pipeline.parameters.").unwrap_or(key);
    let Some(decl) = config.pipeline_parameter(key) else {
        let near = closest(key, config.parameters.iter().map(|p| p.name.text));
        let hint = match near.first() {
            Some(n) => format!(" (did you mean `{n}`?)"),
            None => String::new(),
        };
        return Err(format!(
            "unknown pipeline parameter `{key}`{hint}; {}",
            declared_list(config)
        ));
    };
    let bad = |what: &str| {
        Err(format!(
            "pipeline parameter `{key}` is {what}, not `{value}`; {}",
            declared_list(config)
        ))
    };
    let v = match decl.ty {
        Some(ParamType::Boolean) => match value {
            "true" => PipelineValue::Bool(true),
            "false" => PipelineValue::Bool(false),
            _ => return bad("a boolean (`true` or `false`)"),
        },
        Some(ParamType::Integer) => match value.trim().parse::<i64>() {
            Ok(i) => PipelineValue::Int(i),
            Err(_) => return bad("an integer"),
        },
        Some(ParamType::Enum) => {
            if decl
                .enum_values
                .iter()
                .any(|e| e.scalar_text() == Some(value))
            {
                PipelineValue::Str(value.to_string())
            } else {
                let values: Vec<String> = decl
                    .enum_values
                    .iter()
                    .filter_map(|e| e.scalar_text())
                    .map(|e| format!("`{e}`"))
                    .collect();
                return bad(&format!("one of {}", values.join(", ")));
            }
        }
        Some(ParamType::Steps | ParamType::Executor) => {
            return Err(format!(
                "pipeline parameter `{key}` has type `{}`, which `--param` cannot set",
                decl.ty.map_or("", ParamType::as_str)
            ));
        }
        _ => PipelineValue::Str(value.to_string()),
    };
    Ok((key.to_string(), v))
}

/// "the config declares: `a` (boolean), `b` (enum: `x`, `y`)".
fn declared_list(config: &Config<'_>) -> String {
    if config.parameters.is_empty() {
        return "the config declares no pipeline parameters".to_string();
    }
    let items: Vec<String> = config
        .parameters
        .iter()
        .map(|p| {
            let ty = p.ty.map_or("untyped", ParamType::as_str);
            if p.ty == Some(ParamType::Enum) {
                let values: Vec<String> = p
                    .enum_values
                    .iter()
                    .filter_map(|e| e.scalar_text())
                    .map(|e| format!("`{e}`"))
                    .collect();
                format!("`{}` (enum: {})", p.name.text, values.join(", "))
            } else {
                format!("`{}` ({ty})", p.name.text)
            }
        })
        .collect();
    format!("the config declares: {}", items.join(", "))
}

/// A YAML value as a pipeline value (a declared default).
fn node_value(node: &Node) -> Option<PipelineValue> {
    let s = node.as_scalar()?;
    Some(match s.kind {
        ScalarKind::Null => PipelineValue::Null,
        ScalarKind::Bool(b) => PipelineValue::Bool(b),
        ScalarKind::Int(i) => PipelineValue::Int(i),
        ScalarKind::Float(_) | ScalarKind::Str => PipelineValue::Str(s.text.to_string()),
    })
}

/// Where a pipeline parameter's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamSource {
    /// `--param`.
    Given,
    /// The declared `default`.
    Default,
    /// Neither: the value is unknown.
    None,
}

impl ParamSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamSource::Given => "given",
            ParamSource::Default => "default",
            ParamSource::None => "none",
        }
    }
}

/// The pipeline values a plan evaluates with, and the parameters with where they came from.
pub fn environment(
    config: &Config<'_>,
    input: &PlanInput,
) -> (Env, Vec<(String, Option<PipelineValue>, ParamSource)>) {
    let mut env = Env::new();
    let (branch, tag) = match &input.git_ref {
        GitRef::Branch(b) => (b.clone(), String::new()),
        GitRef::Tag(t) => (String::new(), t.clone()),
    };
    env.set("pipeline.git.branch", PipelineValue::Str(branch));
    env.set("pipeline.git.tag", PipelineValue::Str(tag));
    env.set(
        "pipeline.trigger_source",
        PipelineValue::Str(input.trigger.as_str().to_string()),
    );
    match (input.trigger, &input.schedule_name) {
        (_, Some(name)) => {
            env.set("pipeline.schedule.name", PipelineValue::Str(name.clone()));
        }
        (Trigger::ScheduledPipeline, None) => {}
        (_, None) => {
            env.set("pipeline.schedule.name", PipelineValue::Str(String::new()));
            env.set("pipeline.schedule.id", PipelineValue::Str(String::new()));
        }
    }
    let mut params = Vec::new();
    for p in &config.parameters {
        let given = input
            .params
            .iter()
            .rev()
            .find(|(k, _)| k == p.name.text)
            .map(|(_, v)| v.clone());
        let (value, source) = match given {
            Some(v) => (Some(v), ParamSource::Given),
            None => match p.default.and_then(node_value) {
                Some(v) => (Some(v), ParamSource::Default),
                None => (None, ParamSource::None),
            },
        };
        if let Some(v) = &value {
            env.set(format!("pipeline.parameters.{}", p.name.text), v.clone());
        }
        params.push((p.name.text.to_string(), value, source));
    }
    (env, params)
}

/// The current branch of the git repository that holds `dir` (read from `.git/HEAD`, following
/// a `.git` file of a worktree). `None` outside a repository or on a detached HEAD.
pub fn current_branch(dir: &Path) -> Option<String> {
    for d in dir.ancestors() {
        let git = d.join(".git");
        let head = if git.is_dir() {
            git.join("HEAD")
        } else if git.is_file() {
            let text = std::fs::read_to_string(&git).ok()?;
            let target = text.trim().strip_prefix("gitdir:")?.trim();
            let target = Path::new(target);
            let target = if target.is_absolute() {
                target.to_path_buf()
            } else {
                d.join(target)
            };
            target.join("HEAD")
        } else {
            continue;
        };
        let text = std::fs::read_to_string(head).ok()?;
        return text
            .trim()
            .strip_prefix("ref: refs/heads/")
            .map(str::to_string);
    }
    None
}

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

/// What happens to a workflow or a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Runs,
    /// An approval hold that runs: it waits for a person.
    Waits,
    Skipped,
    /// Cannot be decided (a value that is not known, a regex that cannot be evaluated, a
    /// `requires` that names nothing, a cycle).
    Unknown,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Runs => "runs",
            State::Waits => "waits",
            State::Skipped => "skipped",
            State::Unknown => "unknown",
        }
    }
}

/// A place in the config that a plan's reason is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spot {
    /// `filter`, `when`, `unless`, `triggers`, `requires`.
    pub role: &'static str,
    pub span: Span,
}

/// One job of a workflow in the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct JobPlan {
    /// The job's name in the workflow (after `name:` and matrix expansion).
    pub name: String,
    /// The job it runs, as written.
    pub job: String,
    pub approval: bool,
    /// For a matrix instance: its parameter values.
    pub matrix: Vec<(String, String)>,
    pub state: State,
    /// Why, in words: for `skipped` and `unknown` the reason; for `runs` what is worth knowing
    /// (requirements that do not run and are ignored); `None` when nothing needs saying.
    pub reason: Option<String>,
    /// The approval holds it waits for (directly or through what it requires).
    pub after_approval: Vec<String>,
    /// Non-default statuses it waits for: "only if `test` ends `failed`".
    pub notes: Vec<String>,
    /// The key of its workflow entry.
    pub span: Span,
    pub spans: Vec<Spot>,
}

impl JobPlan {
    /// What a human reads after the job's name: "runs after approval of `hold`", "waits for
    /// approval", "skipped: ...".
    pub fn describe(&self) -> String {
        let mut s = match self.state {
            State::Runs => "runs".to_string(),
            State::Waits => "waits for approval".to_string(),
            State::Skipped => format!("skipped: {}", self.reason.as_deref().unwrap_or("")),
            State::Unknown => format!("unknown: {}", self.reason.as_deref().unwrap_or("")),
        };
        if matches!(self.state, State::Runs | State::Waits) {
            if !self.after_approval.is_empty() {
                if self.state == State::Waits {
                    s.push(',');
                }
                s.push_str(&format!(
                    " after approval of {}",
                    join_and(&ticks(&self.after_approval))
                ));
            }
            let mut extra: Vec<String> = self.notes.clone();
            if let Some(r) = &self.reason {
                extra.push(r.clone());
            }
            if !extra.is_empty() {
                s.push_str(&format!(" ({})", extra.join("; ")));
            }
        }
        s
    }

    /// Runs or waits for approval.
    pub fn will_run(&self) -> bool {
        matches!(self.state, State::Runs | State::Waits)
    }
}

/// One workflow in the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkflowPlan {
    pub name: String,
    /// `runs`, `skipped` or `unknown`.
    pub state: State,
    /// Why: the `when`/`unless` that decided, with the values it saw; the schedule; "none of its
    /// jobs runs". `None` for a workflow that runs unconditionally.
    pub reason: Option<String>,
    pub span: Span,
    pub spans: Vec<Spot>,
    /// False when the workflow was excluded before its jobs were looked at (its `when`, its
    /// schedule): its jobs are then all skipped with the workflow's reason.
    pub jobs_evaluated: bool,
    pub jobs: Vec<JobPlan>,
}

/// A pipeline's plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub input: PlanInput,
    /// Every declared pipeline parameter, its value (`None`: unknown) and where it came from.
    pub parameters: Vec<(String, Option<PipelineValue>, ParamSource)>,
    pub workflows: Vec<WorkflowPlan>,
}

/// Counts over a plan's jobs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub workflows: usize,
    pub workflows_run: usize,
    pub jobs: usize,
    pub runs: usize,
    pub waits: usize,
    pub skipped: usize,
    pub unknown: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            workflows: self.workflows.len(),
            workflows_run: self
                .workflows
                .iter()
                .filter(|w| w.state == State::Runs)
                .count(),
            ..Summary::default()
        };
        for j in self.workflows.iter().flat_map(|w| &w.jobs) {
            s.jobs += 1;
            match j.state {
                State::Runs => s.runs += 1,
                State::Waits => s.waits += 1,
                State::Skipped => s.skipped += 1,
                State::Unknown => s.unknown += 1,
            }
        }
        s
    }

    pub fn workflow(&self, name: &str) -> Option<&WorkflowPlan> {
        self.workflows.iter().find(|w| w.name == name)
    }
}

/// Plan a pipeline: which workflows and jobs run for `input`, and why the others do not.
pub fn plan(config: &Config<'_>, graphs: &Graphs<'_>, input: &PlanInput) -> Plan {
    let (env, parameters) = environment(config, input);
    let workflows = graphs
        .workflows
        .iter()
        .map(|wg| plan_workflow(wg, input, &env))
        .collect();
    Plan {
        input: input.clone(),
        parameters,
        workflows,
    }
}

fn plan_workflow(wg: &WorkflowGraph<'_>, input: &PlanInput, env: &Env) -> WorkflowPlan {
    let mut spots = Vec::new();
    let mut state = State::Runs;
    let mut reason: Option<String> = None;
    if wg.workflow.is_none() {
        reason = Some(format!(
            "a config without workflows runs its job `{}`",
            wg.name
        ));
    }
    if let Some(wf) = wg.workflow {
        if let Some(first) = wf.triggers.first() {
            let cron = first
                .cron
                .and_then(|c| c.scalar_text())
                .map(|c| format!(", cron `{c}`"))
                .unwrap_or_default();
            spots.push(Spot {
                role: "triggers",
                span: first.node.use_span(),
            });
            return excluded(
                wg,
                State::Skipped,
                format!(
                    "it runs only on its own schedule (`triggers: schedule`{cron}), not in {}",
                    input.trigger.pipeline_words()
                ),
                spots,
            );
        }
        let mut parts: Vec<String> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for (key, negate) in [(wf.when, false), (wf.unless, true)] {
            let Some((_, v)) = key else { continue };
            let word = if negate { "unless" } else { "when" };
            let ev = evaluate(v, env, Site::Workflow);
            spots.push(Spot {
                role: word,
                span: ev.decided_by,
            });
            let text = format!("`{word}`: {}", ev.explain());
            match (ev.result, negate) {
                (Tri::Yes, false) | (Tri::No, true) => parts.push(text),
                (Tri::No, false) | (Tri::Yes, true) => {
                    return excluded(wg, State::Skipped, text, spots);
                }
                (Tri::Unknown(_), _) => unknown.push(text),
            }
        }
        if !unknown.is_empty() {
            state = State::Unknown;
            reason = Some(unknown.join("; "));
        } else if !parts.is_empty() {
            reason = Some(parts.join("; "));
        }
    }
    let jobs = plan_jobs(wg, input, env);
    if !jobs.is_empty() && jobs.iter().all(|j| j.state == State::Skipped) {
        state = State::Skipped;
        reason = Some(format!(
            "none of its jobs runs for {}, so CircleCI does not create it",
            input.ref_words()
        ));
    } else if state == State::Runs
        && !jobs.iter().any(JobPlan::will_run)
        && jobs.iter().any(|j| j.state == State::Unknown)
    {
        state = State::Unknown;
        reason = Some("no job of it surely runs, and some are unknown".to_string());
    }
    WorkflowPlan {
        name: wg.name.to_string(),
        state,
        reason,
        span: wg.name_span,
        spans: spots,
        jobs_evaluated: true,
        jobs,
    }
}

/// A workflow excluded as a whole: every job skipped with the workflow's reason.
fn excluded(
    wg: &WorkflowGraph<'_>,
    state: State,
    reason: String,
    spots: Vec<Spot>,
) -> WorkflowPlan {
    let jobs = wg
        .nodes()
        .map(|(_, n)| JobPlan {
            name: n.name.clone(),
            job: n.job.text.to_string(),
            approval: n.is_approval(),
            matrix: matrix_of(n),
            state,
            reason: Some(format!("the workflow `{}` does not run", wg.name)),
            after_approval: Vec::new(),
            notes: Vec::new(),
            span: n.span,
            spans: Vec::new(),
        })
        .collect();
    WorkflowPlan {
        name: wg.name.to_string(),
        state,
        reason: Some(reason),
        span: wg.name_span,
        spans: spots,
        jobs_evaluated: false,
        jobs,
    }
}

fn matrix_of(n: &crate::graph::JobNode<'_>) -> Vec<(String, String)> {
    n.matrix_values
        .iter()
        .map(|(k, v)| {
            (
                k.text.to_string(),
                v.scalar_text()
                    .map_or_else(|| crate::logic::render(v), str::to_string),
            )
        })
        .collect()
}

/// Why a job does not run (or may not), as computed for one job.
#[derive(Clone, Debug)]
enum Status {
    /// Runs; the approval holds it comes after (and itself, for a hold), for its dependents.
    Run { holds: BTreeSet<NodeIndex> },
    /// Does not run; `root` is the job whose own filter (or own missing requirements) is the
    /// cause, `why` that cause in words.
    Skip {
        root: Option<NodeIndex>,
        why: String,
    },
    /// Cannot be decided: the job whose own evaluation is unknown, and why.
    Unknown { root: NodeIndex, why: String },
}

/// The job's own filters for the ref: yes, no (why, span), unknown (why, span).
fn own_filter(
    name: &str,
    filters: Option<&Filters>,
    input: &PlanInput,
    env: &Env,
) -> (Tri, String, Option<Span>) {
    let Some(f) = filters else {
        return match &input.git_ref {
            GitRef::Branch(_) => (Tri::Yes, String::new(), None),
            GitRef::Tag(_) => (
                Tri::No,
                format!("tag push and `{name}` has no tags filter"),
                None,
            ),
        };
    };
    if let Some(e) = &f.expression {
        let expr = match &e.expr {
            Ok(x) => x,
            Err(m) => {
                return (
                    Tri::Unknown(m.clone()),
                    format!("the filter expression of `{name}` does not parse: {m}"),
                    Some(e.span),
                );
            }
        };
        let (t, seen) = eval_expression_tri(expr, env);
        let vals: Vec<String> = seen
            .iter()
            .map(|(k, v)| format!("{k} is {}", v.describe()))
            .collect();
        let seen = if vals.is_empty() {
            String::new()
        } else {
            format!(" ({})", vals.join(", "))
        };
        let text = match &t {
            Tri::Yes => String::new(),
            Tri::No => format!(
                "the filter of `{name}`, `{}`, is false{seen}",
                e.text.trim()
            ),
            Tri::Unknown(r) => format!(
                "the filter of `{name}`, `{}`, cannot be decided: {r}",
                e.text.trim()
            ),
        };
        return (t, text, Some(e.span));
    }
    let (what, value, rf, default) = match &input.git_ref {
        GitRef::Branch(b) => ("branches", b, &f.branches, true),
        GitRef::Tag(t) => ("tags", t, &f.tags, false),
    };
    let Some(rf) = rf else {
        return if default {
            (Tri::Yes, String::new(), None)
        } else {
            (
                Tri::No,
                format!("tag push and `{name}` has no tags filter"),
                Some(f.span),
            )
        };
    };
    let kind = if default { "branch" } else { "tag" };
    let t = admits(rf, value, default);
    let text = match &t {
        Tri::Yes => String::new(),
        Tri::No => format!(
            "{kind} `{value}` does not pass the {what} filter of `{name}` ({})",
            describe_ref_filter(rf)
        ),
        Tri::Unknown(r) => format!(
            "cannot tell whether {kind} `{value}` passes the {what} filter of `{name}` ({}): {r}",
            describe_ref_filter(rf)
        ),
    };
    (t, text, Some(rf.span))
}

/// `only`/`ignore` of one filter, through `Filters::runs_for` (which owns the rules).
fn admits(rf: &RefFilter, value: &str, branch: bool) -> Tri {
    let f = if branch {
        Filters {
            branches: Some(rf.clone()),
            ..Filters::default()
        }
    } else {
        Filters {
            tags: Some(rf.clone()),
            ..Filters::default()
        }
    };
    let r = if branch {
        GitRef::Branch(value.to_string())
    } else {
        GitRef::Tag(value.to_string())
    };
    f.runs_for(&r)
}

/// "only `main`, `/release-.*/`; ignore `wip`", or "no `only` or `ignore`".
fn describe_ref_filter(rf: &RefFilter) -> String {
    let list = |items: &[crate::filters::PatternItem]| {
        items
            .iter()
            .map(|p| format!("`{}`", p.pattern.written()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if let Some(o) = &rf.only {
        parts.push(format!("only {}", list(o)));
    }
    if let Some(i) = &rf.ignore {
        parts.push(format!("ignore {}", list(i)));
    }
    if parts.is_empty() {
        "no `only` or `ignore`".to_string()
    } else {
        parts.join("; ")
    }
}

/// Kahn's order over the graph; nodes in or behind a cycle are left out.
fn topological(wg: &WorkflowGraph<'_>) -> Vec<NodeIndex> {
    let n = wg.graph.node_count();
    let mut indegree = vec![0usize; n];
    for e in wg.graph.edge_indices() {
        if let Some((_, t)) = wg.graph.edge_endpoints(e) {
            indegree[t.index()] += 1;
        }
    }
    let mut queue: std::collections::VecDeque<NodeIndex> = wg
        .graph
        .node_indices()
        .filter(|i| indegree[i.index()] == 0)
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(v) = queue.pop_front() {
        order.push(v);
        for (t, _, _) in wg.dependents(v) {
            indegree[t.index()] -= 1;
            if indegree[t.index()] == 0 {
                queue.push_back(t);
            }
        }
    }
    order
}

fn plan_jobs(wg: &WorkflowGraph<'_>, input: &PlanInput, env: &Env) -> Vec<JobPlan> {
    let n = wg.graph.node_count();
    let filters = wg.filters();
    let mut status: Vec<Option<Status>> = vec![None; n];
    let mut spots: Vec<Vec<Spot>> = vec![Vec::new(); n];
    let mut reasons: Vec<Option<String>> = vec![None; n];
    let mut notes: Vec<Vec<String>> = vec![Vec::new(); n];

    for v in topological(wg) {
        let node = wg.node(v);
        let (own, own_why, own_span) =
            own_filter(&node.name, filters[v.index()].as_ref(), input, env);
        if let (Some(s), false) = (own_span, own == Tri::Yes) {
            spots[v.index()].push(Spot {
                role: "filter",
                span: s,
            });
        }
        let st = if own == Tri::No {
            Status::Skip {
                root: Some(v),
                why: own_why.clone(),
            }
        } else if let Some(r) = wg.unresolved_requires_of(v).next() {
            spots[v.index()].push(Spot {
                role: "requires",
                span: r.require.name.span,
            });
            let why = match &r.resolution {
                Resolution::Ambiguous(_) => format!(
                    "its `requires` entry `{}` names several jobs of the workflow (CircleCI rejects the config)",
                    r.name
                ),
                Resolution::Templated => format!(
                    "its `requires` entry `{}` holds a template cilint cannot substitute",
                    r.name
                ),
                _ => format!(
                    "its `requires` entry `{}` names no job of the workflow (CircleCI rejects the config)",
                    r.name
                ),
            };
            Status::Unknown { root: v, why }
        } else {
            let reqs: Vec<_> = wg.requirements(v).collect();
            let mut running: BTreeSet<NodeIndex> = BTreeSet::new();
            let mut any_run = false;
            let mut unknown: Option<(NodeIndex, String)> = None;
            let mut skipped: Vec<NodeIndex> = Vec::new();
            for (p, _, e) in &reqs {
                match status[p.index()].as_ref() {
                    Some(Status::Run { holds }) => {
                        any_run = true;
                        running.extend(holds.iter().copied());
                        if !e.is_success_only() {
                            let req = &wg.node(*p).name;
                            let note = if e.statuses.contains(&"terminal") {
                                format!("once `{req}` ends, whatever its status")
                            } else {
                                format!(
                                    "only if `{req}` ends {}",
                                    join_or(
                                        &e.statuses
                                            .iter()
                                            .map(|s| format!("`{s}`"))
                                            .collect::<Vec<_>>()
                                    )
                                )
                            };
                            if !notes[v.index()].contains(&note) {
                                notes[v.index()].push(note);
                            }
                        }
                    }
                    Some(Status::Skip { .. }) => skipped.push(*p),
                    Some(Status::Unknown { root, why }) => {
                        unknown.get_or_insert((*root, why.clone()));
                    }
                    None => {}
                }
            }
            if reqs.is_empty() || any_run {
                match own {
                    Tri::Unknown(_) => Status::Unknown {
                        root: v,
                        why: own_why.clone(),
                    },
                    _ => {
                        skipped.sort();
                        skipped.dedup();
                        if !skipped.is_empty() {
                            let names: Vec<String> = skipped
                                .iter()
                                .map(|p| format!("`{}`", wg.node(*p).name))
                                .collect();
                            reasons[v.index()] = Some(if names.len() == 1 {
                                format!("{} does not run and is ignored", names[0])
                            } else {
                                format!("{} do not run and are ignored", join_and(&names))
                            });
                        }
                        if node.is_approval() {
                            running.insert(v);
                        }
                        Status::Run { holds: running }
                    }
                }
            } else if let Some((root, why)) = unknown {
                Status::Unknown {
                    root,
                    why: if root == v {
                        why
                    } else {
                        format!("it depends on `{}`: {why}", wg.node(root).name)
                    },
                }
            } else {
                // Every requirement is skipped.
                skipped.sort();
                skipped.dedup();
                for (p, _, e) in &reqs {
                    if skipped.contains(p) {
                        spots[v.index()].push(Spot {
                            role: "requires",
                            span: e.span,
                        });
                    }
                }
                let roots: BTreeSet<Option<NodeIndex>> = skipped
                    .iter()
                    .map(|p| match &status[p.index()] {
                        Some(Status::Skip { root, .. }) => *root,
                        _ => None,
                    })
                    .collect();
                let me = &node.name;
                match (roots.iter().next(), roots.len()) {
                    (Some(Some(root)), 1) => {
                        let root_why = match &status[root.index()] {
                            Some(Status::Skip { why, .. }) => why.clone(),
                            _ => String::new(),
                        };
                        let direct = skipped.contains(root);
                        let why = if direct {
                            format!("{root_why}, so `{me}`, which requires it, never runs")
                        } else {
                            let via: Vec<String> = skipped
                                .iter()
                                .map(|p| format!("`{}`", wg.node(*p).name))
                                .collect();
                            format!(
                                "{root_why}, so `{me}`, which requires it through {}, never runs",
                                join_and(&via)
                            )
                        };
                        Status::Skip {
                            root: Some(*root),
                            why,
                        }
                    }
                    _ => {
                        let names: Vec<String> = skipped
                            .iter()
                            .map(|p| format!("`{}`", wg.node(*p).name))
                            .collect();
                        Status::Skip {
                            root: None,
                            why: format!(
                                "none of the jobs `{me}` requires runs ({}), so `{me}` does not run either",
                                join_and(&names)
                            ),
                        }
                    }
                }
            }
        };
        status[v.index()] = Some(st);
    }

    wg.nodes()
        .map(|(v, node)| {
            let (state, reason, after) = match &status[v.index()] {
                None => (
                    State::Unknown,
                    Some(
                        "it is in or behind a `requires` cycle (CircleCI rejects the config)"
                            .to_string(),
                    ),
                    Vec::new(),
                ),
                Some(Status::Run { holds }) => {
                    let after: Vec<String> = holds
                        .iter()
                        .filter(|h| **h != v)
                        .map(|h| wg.node(*h).name.clone())
                        .collect();
                    let state = if node.is_approval() {
                        State::Waits
                    } else {
                        State::Runs
                    };
                    (state, reasons[v.index()].clone(), after)
                }
                Some(Status::Skip { why, .. }) => (State::Skipped, Some(why.clone()), Vec::new()),
                Some(Status::Unknown { why, .. }) => {
                    (State::Unknown, Some(why.clone()), Vec::new())
                }
            };
            let mut notes = notes[v.index()].clone();
            if node.kind == JobKind::Unknown && state != State::Skipped {
                notes.push(format!(
                    "`{}` is no job of this config, so CircleCI rejects the config",
                    node.job.text
                ));
            }
            JobPlan {
                name: node.name.clone(),
                job: node.job.text.to_string(),
                approval: node.is_approval(),
                matrix: matrix_of(node),
                state,
                reason,
                after_approval: after,
                notes: if matches!(state, State::Runs | State::Waits) {
                    notes
                } else {
                    Vec::new()
                },
                span: node.span,
                spans: spots[v.index()].clone(),
            }
        })
        .collect()
}

fn ticks(names: &[String]) -> Vec<String> {
    names.iter().map(|n| format!("`{n}`")).collect()
}

fn join_with(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
}

fn join_and(items: &[String]) -> String {
    join_with(items, "and")
}

fn join_or(items: &[String]) -> String {
    join_with(items, "or")
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn state_color(state: State) -> &'static str {
    match state {
        State::Runs => "32",
        State::Waits => "33",
        State::Skipped => "90",
        State::Unknown => "35",
    }
}

/// The plan for people: the input, then per workflow whether it runs and why, and one line per
/// job.
pub fn render_human(plan: &Plan, path: &str, color: bool) -> String {
    let mut out = String::new();
    let mut head = format!(
        "{path}: plan for {}, trigger `{}`",
        plan.input.ref_words(),
        plan.input.trigger.as_str()
    );
    if let Some(s) = &plan.input.schedule_name {
        head.push_str(&format!(", schedule `{s}`"));
    }
    out.push_str(&paint(color, "1", &head));
    out.push('\n');
    if !plan.parameters.is_empty() {
        let items: Vec<String> = plan
            .parameters
            .iter()
            .map(|(k, v, src)| match v {
                Some(v) => format!("{k} = {} ({})", v.describe(), src.as_str()),
                None => format!("{k} = unknown (no default)"),
            })
            .collect();
        out.push_str(&format!("parameters: {}\n", items.join(", ")));
    }
    if plan.workflows.is_empty() {
        out.push_str("\nno workflows\n");
    }
    for w in &plan.workflows {
        out.push('\n');
        let state = match w.state {
            State::Runs => "runs",
            State::Skipped => "does not run",
            _ => "unknown",
        };
        let mut line = format!(
            "workflow `{}`: {}",
            w.name,
            paint(color, state_color(w.state), state)
        );
        if let Some(r) = &w.reason {
            line.push_str(&format!(": {r}"));
        }
        out.push_str(&line);
        out.push('\n');
        if !w.jobs_evaluated {
            let n = w.jobs.len();
            out.push_str(&format!(
                "  ({n} job{} not run)\n",
                if n == 1 { "" } else { "s" }
            ));
            continue;
        }
        let width = w
            .jobs
            .iter()
            .map(|j| j.name.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for j in &w.jobs {
            let desc = j.describe();
            let (word, rest) = match j.state {
                State::Runs => ("runs", &desc[4..]),
                State::Waits => ("waits for approval", &desc["waits for approval".len()..]),
                State::Skipped => ("skipped", &desc["skipped".len()..]),
                State::Unknown => ("unknown", &desc["unknown".len()..]),
            };
            out.push_str(&format!(
                "  {:width$}  {}{rest}\n",
                j.name,
                paint(color, state_color(j.state), word),
            ));
        }
    }
    let s = plan.summary();
    out.push_str(&format!(
        "\n{} of {} workflow{} run{}; jobs: {} run, {} wait{} for approval, {} skipped, {} unknown\n",
        s.workflows_run,
        s.workflows,
        if s.workflows == 1 { "" } else { "s" },
        if s.workflows_run == 1 { "s" } else { "" },
        s.runs,
        s.waits,
        if s.waits == 1 { "s" } else { "" },
        s.skipped,
        s.unknown
    ));
    out
}

fn value_json(v: &PipelineValue) -> serde_json::Value {
    match v {
        PipelineValue::Null => serde_json::Value::Null,
        PipelineValue::Bool(b) => serde_json::Value::Bool(*b),
        PipelineValue::Int(i) => serde_json::Value::from(*i),
        PipelineValue::Str(s) => serde_json::Value::from(s.as_str()),
    }
}

fn span_json(span: Span, source: &str, lines: &LineIndex) -> serde_json::Value {
    let a = lines.line_col(source, span.start as usize);
    let b = lines.line_col(source, span.end as usize);
    serde_json::json!({
        "line": a.line,
        "column": a.column,
        "end_line": b.line,
        "end_column": b.column,
    })
}

fn spots_json(spots: &[Spot], source: &str, lines: &LineIndex) -> serde_json::Value {
    spots
        .iter()
        .map(|s| {
            let mut m = serde_json::Map::new();
            m.insert("role".into(), s.role.into());
            if let serde_json::Value::Object(pos) = span_json(s.span, source, lines) {
                m.extend(pos);
            }
            serde_json::Value::Object(m)
        })
        .collect()
}

/// The plan as JSON (the format is documented in the README, "cilint plan").
pub fn to_json(plan: &Plan, path: &str, source: &str, lines: &LineIndex) -> serde_json::Value {
    let (branch, tag) = match &plan.input.git_ref {
        GitRef::Branch(b) => (Some(b.as_str()), None),
        GitRef::Tag(t) => (None, Some(t.as_str())),
    };
    let parameters: Vec<serde_json::Value> = plan
        .parameters
        .iter()
        .map(|(k, v, src)| {
            serde_json::json!({
                "name": k,
                "value": v.as_ref().map_or(serde_json::Value::Null, value_json),
                "source": src.as_str(),
            })
        })
        .collect();
    let workflows: Vec<serde_json::Value> = plan
        .workflows
        .iter()
        .map(|w| {
            let jobs: Vec<serde_json::Value> = w
                .jobs
                .iter()
                .map(|j| {
                    let matrix: serde_json::Map<String, serde_json::Value> = j
                        .matrix
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
                        .collect();
                    serde_json::json!({
                        "name": j.name,
                        "job": j.job,
                        "kind": if j.approval { "approval" } else { "job" },
                        "matrix": matrix,
                        "state": j.state.as_str(),
                        "reason": j.reason,
                        "after_approval": j.after_approval,
                        "notes": j.notes,
                        "description": j.describe(),
                        "span": span_json(j.span, source, lines),
                        "spans": spots_json(&j.spans, source, lines),
                    })
                })
                .collect();
            serde_json::json!({
                "name": w.name,
                "state": w.state.as_str(),
                "reason": w.reason,
                "span": span_json(w.span, source, lines),
                "spans": spots_json(&w.spans, source, lines),
                "jobs_evaluated": w.jobs_evaluated,
                "jobs": jobs,
            })
        })
        .collect();
    let s = plan.summary();
    serde_json::json!({
        "version": 1,
        "file": path,
        "input": {
            "branch": branch,
            "tag": tag,
            "trigger": plan.input.trigger.as_str(),
            "schedule_name": plan.input.schedule_name,
            "parameters": parameters,
        },
        "workflows": workflows,
        "summary": {
            "workflows": s.workflows,
            "workflows_run": s.workflows_run,
            "jobs": s.jobs,
            "runs": s.runs,
            "waits": s.waits,
            "skipped": s.skipped,
            "unknown": s.unknown,
        },
    })
}

/// Mark a workflow's diagram from its plan (for `cilint graph` with plan flags): jobs that do
/// not run (or may not) are faded with the reason as their tooltip, holds and the jobs after
/// them get their gate as a tooltip, and a workflow that does not run says so under its title.
/// Diagram nodes are matched to jobs by id, then by label.
pub fn mark_diagram(diagram: &mut Diagram, workflow: &WorkflowPlan) {
    if workflow.state != State::Runs {
        let word = if workflow.state == State::Skipped {
            "does not run"
        } else {
            "may not run"
        };
        let line = match &workflow.reason {
            Some(r) => format!("{word}: {r}"),
            None => word.to_string(),
        };
        diagram.trigger(line);
    }
    for j in &workflow.jobs {
        let idx = diagram
            .node_index(&j.name)
            .or_else(|| diagram.nodes.iter().position(|n| n.label == j.name));
        let Some(idx) = idx else { continue };
        let node = &mut diagram.nodes[idx];
        match j.state {
            State::Skipped | State::Unknown => {
                node.faded = true;
                node.tooltip = Some(j.describe());
            }
            State::Runs | State::Waits => {
                if j.state == State::Waits || !j.after_approval.is_empty() || j.reason.is_some() {
                    node.tooltip = Some(j.describe());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_config<R>(src: &str, f: impl FnOnce(&Config<'_>, &Graphs<'_>) -> R) -> R {
        let doc = crate::yaml::parse(src);
        let config = crate::context::model(&doc);
        let graphs = Graphs::build(&config);
        f(&config, &graphs)
    }

    const PARAMS: &str = "version: 2.1\nparameters:\n  on:\n    type: boolean\n    default: true\n  n:\n    type: integer\n    default: 3\n  kind:\n    type: enum\n    enum: [a, b]\n    default: a\n  s:\n    type: string\n    default: x\n";

    #[test]
    fn parameters_are_typed() {
        with_config(PARAMS, |c, _| {
            assert_eq!(
                parse_param(c, "on=false"),
                Ok(("on".into(), PipelineValue::Bool(false)))
            );
            assert_eq!(
                parse_param(c, "n=-4"),
                Ok(("n".into(), PipelineValue::Int(-4)))
            );
            assert_eq!(
                parse_param(c, "kind=b"),
                Ok(("kind".into(), PipelineValue::Str("b".into())))
            );
            assert_eq!(
                parse_param(c, "s=a=b"),
                Ok(("s".into(), PipelineValue::Str("a=b".into())))
            );
            assert!(parse_param(c, "on=1").is_err());
            assert!(parse_param(c, "n=1.5").is_err());
            assert!(parse_param(c, "kind=c").is_err());
            assert!(parse_param(c, "t=1").unwrap_err().contains("`s` (string)"));
        });
    }

    #[test]
    fn environment_for_a_tag_and_defaults() {
        with_config(PARAMS, |c, _| {
            let mut input = PlanInput::tag("v1");
            input.params.push(("n".into(), PipelineValue::Int(9)));
            let (env, params) = environment(c, &input);
            assert_eq!(
                env.get("pipeline.git.branch"),
                Some(&PipelineValue::Str(String::new()))
            );
            assert_eq!(
                env.get("pipeline.git.tag"),
                Some(&PipelineValue::Str("v1".into()))
            );
            assert_eq!(
                env.get("pipeline.parameters.on"),
                Some(&PipelineValue::Bool(true))
            );
            assert_eq!(
                env.get("pipeline.parameters.n"),
                Some(&PipelineValue::Int(9))
            );
            assert_eq!(params[1].2, ParamSource::Given);
            assert_eq!(params[0].2, ParamSource::Default);
            // A scheduled pipeline without a schedule name leaves the name unknown.
            let mut sched = PlanInput::branch("main");
            sched.trigger = Trigger::ScheduledPipeline;
            assert_eq!(environment(c, &sched).0.get("pipeline.schedule.name"), None);
        });
    }

    #[test]
    fn cycles_are_unknown_and_statuses_noted() {
        let src = "version: 2.1\njobs:\n  a: {docker: [{image: x}], steps: [checkout]}\nworkflows:\n  w:\n    jobs:\n      - a:\n          name: x\n          requires: [y]\n      - a:\n          name: y\n          requires: [x]\n      - a:\n          name: z\n      - a:\n          name: after\n          requires:\n            - z: [success, failed]\n";
        with_config(src, |c, g| {
            let p = plan(c, g, &PlanInput::branch("main"));
            let w = &p.workflows[0];
            assert_eq!(w.jobs[0].state, State::Unknown);
            assert!(w.jobs[0].describe().contains("cycle"));
            assert_eq!(
                w.jobs[3].describe(),
                "runs (only if `z` ends `success` or `failed`)"
            );
        });
    }
}

//! What the security audits ask of a job's place in a workflow: whether it runs for any branch
//! someone pushes, whether a person approves it first, whether it is a release job (one that
//! publishes or deploys), and the steps it runs (its own and those of the commands it calls).

use crate::analysis::context::Context;
use crate::analysis::graph::{JobNode, WorkflowGraph};
use crate::analysis::plan::{PlanInput, State, plan};
use crate::config::model::{Arg, Command, Config, ParamDecl, Step, StepKind};
use crate::lang::filters::GitRef;
use crate::lang::logic::Tri;
use crate::lang::mustache::{RefKind, whole_reference};
use crate::yaml::Node;
use petgraph::graph::NodeIndex;
use petgraph::visit::{Bfs, Reversed};
use std::collections::HashSet;

/// A branch name nobody protects: what "any branch" means to the filters and `when`s.
const ANY_BRANCH: &str = "cilint-probe/any-feature-branch";

/// What a push of an arbitrary (unprotected) branch does to each job of each workflow:
/// `exposed[w][v]` is true when the job at node `v` of workflow `w` surely runs for that push,
/// with no approval before it. Computed as `cilint plan --branch <any>` would: workflow
/// `when`/`unless` with the declared defaults, legacy schedule triggers, job filters,
/// requirements that do not run. What the plan cannot decide counts as not exposed.
pub struct Reach {
    exposed: Vec<Vec<bool>>,
}

impl Reach {
    pub fn of(cx: &Context<'_>) -> Reach {
        let plan = plan(cx.config, cx.graphs, &PlanInput::branch(ANY_BRANCH));
        let exposed = cx
            .graphs
            .workflows
            .iter()
            .zip(&plan.workflows)
            .map(|(wg, wp)| {
                let n = wg.graph.node_count();
                if wp.state != State::Runs || wp.jobs.len() != n {
                    return vec![false; n];
                }
                wp.jobs
                    .iter()
                    .map(|j| j.state == State::Runs && j.after_approval.is_empty())
                    .collect()
            })
            .collect();
        Reach { exposed }
    }

    /// Whether the job at `v` of the `w`-th workflow runs for any branch pushed, unapproved.
    pub fn any_branch(&self, w: usize, v: NodeIndex) -> bool {
        self.exposed
            .get(w)
            .and_then(|jobs| jobs.get(v.index()))
            .copied()
            .unwrap_or(false)
    }
}

/// Whether an approval hold is upstream of the job at `v` (someone approves before it runs).
pub fn behind_approval(wg: &WorkflowGraph<'_>, v: NodeIndex) -> bool {
    let reversed = Reversed(&wg.graph);
    let mut bfs = Bfs::new(reversed, v);
    while let Some(u) = bfs.next(reversed) {
        if u != v && wg.node(u).is_approval() {
            return true;
        }
    }
    false
}

/// Whether the job at `v` is a release job: its own filters keep it to tags or to some
/// branches (it does not run for an arbitrary branch), or a person approves it first. A job
/// that only a `when` or a pipeline parameter keeps off ordinary pushes is not counted: that
/// is how dynamic configs and scheduled pipelines select work, not how releases are guarded.
pub fn is_release_job(wg: &WorkflowGraph<'_>, v: NodeIndex) -> bool {
    let filtered = match &wg.filters()[v.index()] {
        None => false,
        Some(f) => f.runs_for(&GitRef::Branch(ANY_BRANCH.into())) == Tri::No,
    };
    !wg.node(v).is_approval() && (filtered || behind_approval(wg, v))
}

/// The value each parameter of a job or command has where it is known: the node an
/// invocation passes (followed through `<< parameters.x >>` of the caller) or the declared
/// default; `None` when it comes from somewhere cilint cannot read here (a pipeline parameter,
/// a parameter with no default and no argument).
pub(super) type Bindings<'a> = Vec<(&'a str, Option<&'a Node>)>;

/// A value passed to a parameter, with `<< parameters.x >>` (the whole value) replaced by
/// what the caller's parameter `x` holds.
pub(super) fn resolve<'a>(value: &'a Node, outer: &Bindings<'a>) -> Option<&'a Node> {
    match value.as_str().and_then(whole_reference) {
        Some(r) if r.kind == RefKind::Parameter => outer
            .iter()
            .find(|(name, _)| *name == r.name)
            .and_then(|(_, v)| *v),
        Some(_) => None,
        None => Some(value),
    }
}

pub(super) fn bind<'a>(
    decls: &[ParamDecl<'a>],
    args: &[(&'a str, &'a Node)],
    outer: &Bindings<'a>,
) -> Bindings<'a> {
    decls
        .iter()
        .map(|d| {
            let passed = args.iter().find(|(name, _)| *name == d.name.text);
            let value = match passed {
                Some((_, v)) => resolve(v, outer),
                None => d.default,
            };
            (d.name.text, value)
        })
        .collect()
}

/// The values a call of `cmd` (the step `st`) binds to the command's parameters, given the
/// values `outer` of the caller's own parameters, and those values by address: the identity of
/// the call, for walking a command's steps once per distinct set of values.
pub(super) fn bind_call<'a>(
    cmd: &Command<'a>,
    st: &Step<'a>,
    outer: &Bindings<'a>,
) -> (Bindings<'a>, Vec<Option<*const Node>>) {
    let args: Vec<(&'a str, &'a Node)> = st
        .arguments()
        .into_iter()
        .map(|a| (a.name.text, a.value))
        .collect();
    let inner = bind(&cmd.parameters, &args, outer);
    let identity = inner
        .iter()
        .map(|(_, v)| v.map(|n| n as *const Node))
        .collect();
    (inner, identity)
}

/// Whether the steps of a `when` (`when` true) or `unless` step run, when the bindings decide
/// it: the condition is a boolean written as such, or one `<< parameters.x >>` whose value is
/// one. `None` when it depends on anything else (pipeline values, logic statements).
pub(super) fn decided(when: bool, condition: Option<&Node>, bound: &Bindings<'_>) -> Option<bool> {
    let cond = condition?;
    let value = match cond.as_str().and_then(whole_reference) {
        Some(r) if r.kind == RefKind::Parameter => bound
            .iter()
            .find(|(name, _)| *name == r.name)
            .and_then(|(_, v)| *v)?,
        Some(_) => return None,
        None => cond,
    };
    let b = value.as_bool().or_else(|| match value.as_str()? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    })?;
    Some(b == when)
}

/// How deep command calls are followed (CircleCI rejects a command that calls itself; this
/// only bounds the walk on such a config).
const MAX_CALL_DEPTH: usize = 16;

/// The steps one workflow entry runs: its `pre-steps`, the job's steps and its `post-steps`,
/// and at any depth the steps of the local commands they call, with the job's and each
/// command's parameters bound to the arguments given (matrix values, the entry's arguments,
/// the call's arguments, else the defaults). A `when`/`unless` step whose condition those
/// values decide contributes its steps only when they run; the steps of any other condition
/// are kept. For a job that is not a local definition, only the entry's own steps.
pub fn invoked_steps<'m, 'a>(cfg: &'m Config<'a>, node: &'m JobNode<'a>) -> Vec<&'m Step<'a>> {
    let mut out = Vec::new();
    let no_outer: Bindings<'a> = Vec::new();
    let mut entry_args: Vec<(&'a str, &'a Node)> = node
        .matrix_values
        .iter()
        .map(|(n, v)| (n.text, *v))
        .collect();
    if let Some(inv) = node.invocation {
        for Arg { name, value, .. } in &inv.args {
            if !entry_args.iter().any(|(n, _)| *n == name.text) {
                entry_args.push((name.text, *value));
            }
        }
    }
    let mut walk = Walk {
        cfg,
        seen: HashSet::new(),
        out: &mut out,
    };
    let job_bound = node
        .definition
        .map(|job| bind(&job.parameters, &entry_args, &no_outer))
        .unwrap_or_default();
    if let Some(inv) = node.invocation {
        walk.steps(&inv.pre_steps, &no_outer, 0);
    }
    if let Some(job) = node.definition {
        walk.steps(&job.steps, &job_bound, 0);
    }
    if let Some(inv) = node.invocation {
        walk.steps(&inv.post_steps, &no_outer, 0);
    }
    out
}

/// A command and the values bound to its parameters (nodes by address), walked once.
type CallKey = (*const Node, Vec<Option<*const Node>>);

struct Walk<'m, 'a, 'o> {
    cfg: &'m Config<'a>,
    seen: HashSet<CallKey>,
    out: &'o mut Vec<&'m Step<'a>>,
}

impl<'m, 'a> Walk<'m, 'a, '_> {
    fn steps(&mut self, steps: &'m [Step<'a>], bound: &Bindings<'a>, depth: usize) {
        for st in steps {
            self.out.push(st);
            match &st.kind {
                StepKind::Conditional {
                    when,
                    condition,
                    steps,
                } => {
                    if decided(*when, *condition, bound) != Some(false) {
                        self.steps(steps, bound, depth);
                    }
                }
                StepKind::Call => {
                    let Some(cmd) = st.name.and_then(|n| self.cfg.command(n.text)) else {
                        continue;
                    };
                    if depth >= MAX_CALL_DEPTH {
                        continue;
                    }
                    let (inner, identity) = bind_call(cmd, st, bound);
                    let key = (cmd.node as *const Node, identity);
                    // The same command with the same values runs the same steps: once is
                    // enough, and it bounds the walk however the commands call each other.
                    if self.seen.insert(key) {
                        self.steps(&cmd.steps, &inner, depth + 1);
                    }
                }
                StepKind::Malformed => {}
            }
        }
    }
}

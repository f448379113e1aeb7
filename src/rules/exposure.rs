//! What the security audits ask of a job's place in a workflow: whether it runs for any branch
//! someone pushes, whether a person approves it first, whether it is a release job (one that
//! publishes or deploys), and the steps it runs (its own and those of the commands it calls).

use crate::analysis::context::Context;
use crate::analysis::graph::WorkflowGraph;
use crate::analysis::plan::{PlanInput, State, plan};
use crate::config::model::{Config, Step, StepKind};
use crate::lang::filters::GitRef;
use crate::lang::logic::Tri;
use petgraph::graph::NodeIndex;
use petgraph::visit::{Bfs, Reversed};

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

/// The steps a job runs: its own and, at any depth, those of the local commands it calls
/// (each command once).
pub fn job_steps<'m, 'a>(cfg: &'m Config<'a>, steps: &'m [Step<'a>]) -> Vec<&'m Step<'a>> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut stack: Vec<&'m [Step<'a>]> = vec![steps];
    while let Some(list) = stack.pop() {
        for s in list {
            s.walk(&mut |st: &'m Step<'a>| {
                out.push(st);
                if let (StepKind::Call, Some(name)) = (&st.kind, st.name)
                    && !seen.contains(&name.text)
                    && let Some(cmd) = cfg.command(name.text)
                {
                    seen.push(name.text);
                    stack.push(&cmd.steps);
                }
            });
        }
    }
    out
}

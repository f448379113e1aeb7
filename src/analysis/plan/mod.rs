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
//! [`input`] reads what the command line gives (the ref, the trigger, parameters) into the
//! pipeline values; [`eval`] computes the [`Plan`]; `output::plan` turns it into text or JSON
//! (documented in the README). Nothing here prints.

mod eval;
mod input;

pub use eval::*;
pub use input::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::graph::Graphs;
    use crate::config::model::Config;

    use crate::lang::mustache::PipelineValue;

    fn with_config<R>(src: &str, f: impl FnOnce(&Config<'_>, &Graphs<'_>) -> R) -> R {
        let doc = crate::yaml::parse(src);
        let config = crate::analysis::context::model(&doc);
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

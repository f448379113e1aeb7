//! What `cilint expand` finds while it expands a config (`analysis::expand`): each kind is
//! reported as a finding of the rule that reports the same in `cilint check`, always as an
//! error, since the expansion stops there. `orb-unresolved`, an info in `check`, is one of
//! them: an orb whose source is not at hand cannot be expanded.

use super::Rule;
use crate::analysis::expand::{ExpandFinding, ExpandProblem};
use crate::base::diagnostic::{Diagnostic, Severity};

/// The rule that reports a kind of expansion finding.
fn rule_of(kind: ExpandProblem) -> &'static Rule {
    use ExpandProblem as P;
    match kind {
        P::UnknownJob => &super::workflow_refs::UNKNOWN_JOB,
        P::UnknownCommand => &super::references::UNKNOWN_COMMAND,
        P::UnknownExecutor => &super::references::UNKNOWN_EXECUTOR,
        P::UndeclaredOrb => &super::references::UNDECLARED_ORB,
        P::UnknownOrbMember => &super::orb_rules::UNKNOWN_ORB_MEMBER,
        P::OrbUnresolved => &super::orb_rules::ORB_UNRESOLVED,
        P::MissingArgument => &super::arguments::MISSING_ARGUMENT,
        P::UnknownArgument => &super::arguments::UNKNOWN_ARGUMENT,
        P::ArgumentType => &super::arguments::ARGUMENT_TYPE,
        P::UndefinedParameter => &super::parameters::UNDEFINED_PARAMETER,
        P::UnknownPipelineValue => &super::parameters::UNKNOWN_PIPELINE_VALUE,
        P::MissingExecutor => &super::missing_executor::MISSING_EXECUTOR,
        P::StepShape => &super::step_shape::STEP_SHAPE,
    }
}

/// The findings of an expansion, as errors of their rules.
pub fn report(found: Vec<ExpandFinding>) -> Vec<Diagnostic> {
    found
        .into_iter()
        .map(|f| {
            let rule = rule_of(f.kind);
            f.into_diagnostic(rule.id, Severity::Error)
        })
        .collect()
}

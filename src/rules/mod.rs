//! The rule registry: every rule's metadata, and the checks that run on a loaded config.
//!
//! A rule is static data plus one `check` function, in a file of its own (or of a small family)
//! with its Markdown explanation in `docs/`. Where a stage below the rules finds what a rule
//! reports (the YAML loader, the schema check, the reading of an orb source folder), the stage
//! hands typed findings up ([`Finding`]) and the rule's check reports those of its kind
//! ([`report_stage`]). Adding a rule is one file and one line in [`registry!`] below.

use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Finding, Severity};
use crate::base::span::Span;

/// Static metadata of a rule, and its check.
pub struct Rule {
    /// Stable kebab-case id.
    pub id: &'static str,
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Markdown: what it finds, why it matters, a bad and a good example (fenced `yaml` blocks
    /// after the headings `## Bad` and `## Good`).
    pub explanation: &'static str,
    /// What kind of problem the rule finds.
    pub category: Category,
    /// What it finds. `None` only for `unused-suppression`, whose findings the suppression
    /// pass makes after every other rule ran (`suppress::apply`).
    pub check: Option<fn(&Context, &mut Vec<Diagnostic>)>,
}

/// What kind of problem a rule finds (`cilint rules` shows it; `--select` and `--ignore` take
/// it as well as rule ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// CircleCI rejects the config, or it does not do what it says.
    Correctness,
    /// A way for someone outside the team to reach the pipeline's secrets or code.
    Security,
    /// The config works, but could be simpler or clearer.
    Style,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Security => "security",
            Category::Style => "style",
        }
    }
}

impl Rule {
    /// A finding of this rule at `span`, with its default severity.
    pub fn at(&'static self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.id, self.severity, span, message)
    }
}

/// Report what a stage found of `kind` as findings of `rule`.
pub fn report_stage<K: PartialEq + Clone>(
    rule: &'static Rule,
    found: &[Finding<K>],
    kind: K,
    out: &mut Vec<Diagnostic>,
) {
    out.extend(
        found
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.clone().into_diagnostic(rule.id, rule.severity)),
    );
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).finish()
    }
}

pub mod approval;
pub mod arguments;
pub mod constant_condition;
pub mod continuation;
pub mod cycles;
pub mod env_vars;
pub mod filter_rules;
pub mod heredoc;
pub mod images;
pub mod job_name;
pub mod no_workflows;
pub mod orb_rules;
pub mod orb_source;
pub mod parameters;
pub mod path_filtering;
pub mod redundant;
pub mod references;
pub mod regex_engine;
pub mod schema_rules;
pub mod secrets;
pub mod shellcheck;
pub mod step_shape;
pub mod suppress;
pub mod unused;
pub mod version;
pub mod workflow_refs;
pub mod workspace;
pub mod yaml_rules;

/// Every rule, in the order `cilint rules` lists them.
pub fn registry() -> &'static [&'static Rule] {
    static RULES: &[&Rule] = &[
        &yaml_rules::YAML_SYNTAX,
        &yaml_rules::YAML_LIMITS,
        &yaml_rules::DUPLICATE_KEY,
        &suppress::UNUSED_SUPPRESSION,
        &version::EMPTY_CONFIG,
        &version::RETIRED_VERSION,
        &heredoc::UNESCAPED_HEREDOC,
        &version::OBSOLETE_WORKFLOWS_VERSION,
        &references::UNKNOWN_COMMAND,
        &references::UNKNOWN_EXECUTOR,
        &references::UNDECLARED_ORB,
        &constant_condition::CONSTANT_CONDITION,
        &continuation::MULTIPLE_CONTINUATIONS,
        &path_filtering::PATH_FILTERING_MAPPING,
        &path_filtering::CONTINUATION_PARAMETERS,
        &path_filtering::CONTINUATION_CONFIG_MISSING,
        &env_vars::UNDEFINED_ENV_VAR,
        &env_vars::ENV_NOT_EXPANDED,
        &secrets::SECRET_IN_URL,
        &secrets::HARDCODED_SECRET,
        &images::IMAGE_UNPINNED,
        &images::DEPRECATED_IMAGE,
        &shellcheck::SHELLCHECK,
        &schema_rules::UNKNOWN_KEY,
        &schema_rules::INVALID_VALUE,
        &schema_rules::MISSING_KEY,
        &step_shape::STEP_SHAPE,
        &workflow_refs::UNKNOWN_JOB,
        &job_name::INVALID_JOB_NAME,
        &workflow_refs::UNKNOWN_REQUIRES,
        &workflow_refs::AMBIGUOUS_REQUIRES,
        &workflow_refs::DUPLICATE_INVOCATION_NAME,
        &cycles::REQUIRES_CYCLE,
        &approval::APPROVAL_UNREACHABLE,
        &approval::APPROVAL_GATES_NOTHING,
        &approval::APPROVAL_NAME_CLASH,
        &approval::APPROVAL_UNRESTRICTED,
        &filter_rules::TAG_FILTER_UPSTREAM,
        &filter_rules::FILTERS_NEVER_RUN,
        &regex_engine::UNSUPPORTED_REGEX,
        &redundant::REDUNDANT_REQUIRES,
        &unused::UNUSED_JOB,
        &unused::UNUSED_COMMAND,
        &unused::UNUSED_EXECUTOR,
        &workspace::WORKSPACE_WITHOUT_PERSIST,
        &no_workflows::NO_WORKFLOWS,
        &orb_rules::UNKNOWN_ORB_MEMBER,
        &orb_rules::ORB_UNRESOLVED,
        &orb_rules::ORB_UNPINNED,
        &orb_rules::UNUSED_ORB,
        &parameters::UNDEFINED_PARAMETER,
        &parameters::UNKNOWN_PIPELINE_VALUE,
        &parameters::UNUSED_PARAMETER,
        &arguments::MISSING_ARGUMENT,
        &arguments::UNKNOWN_ARGUMENT,
        &arguments::ARGUMENT_TYPE,
        &orb_source::ORB_ROOT_MISSING,
        &orb_source::ORB_INCLUDE_MISSING,
        &orb_source::ORB_INCLUDE_NOT_WHOLE,
        &orb_source::ORB_SOURCE_FILE,
        &orb_source::ORB_METADATA,
        &orb_source::ORB_UNUSED_SCRIPT,
        &orb_source::ORB_SCRIPT_PARAMETER,
    ];
    RULES
}

/// Every rule's id, in registry order.
pub fn ids() -> Vec<&'static str> {
    registry().iter().map(|r| r.id).collect()
}

pub fn find(id: &str) -> Option<&'static Rule> {
    registry().iter().copied().find(|r| r.id == id)
}

/// Run every rule that has a check. The rules run in parallel (they only read the context);
/// their findings come back in registry order, as if they had run one after the other. On a
/// file the loader could not read whole, only the rules of the stages (loader, orb folder)
/// run: the others would report what is merely missing from the broken part.
pub fn run(cx: &Context) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let whole = !cx.doc.stopped_early();
    let found: Vec<Vec<Diagnostic>> = registry()
        .par_iter()
        .filter(|rule| whole || STAGE_RULES.contains(&rule.id))
        .map(|rule| {
            let mut own = Vec::new();
            if let Some(check) = rule.check {
                check(cx, &mut own);
            }
            own
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// The rules that report what a stage found before the tree is read (they run on files the
/// loader could not read whole).
const STAGE_RULES: &[&str] = &[
    "yaml-syntax",
    "yaml-limits",
    "duplicate-key",
    "orb-root-missing",
    "orb-source-file",
];

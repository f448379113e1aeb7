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
    /// A security audit: a way for someone outside the team to reach the pipeline's secrets
    /// or code, with the CWE entry that names the weakness and its `security-severity` score
    /// in tenths (0-100, as CVSS: 70 and up "high", 40 to 69 "medium", below 40 "low"), which
    /// SARIF consumers such as GitHub code scanning rank alerts by.
    Security { cwe: u16, score: u8 },
    /// The config works, but could be simpler or clearer.
    Style,
}

impl Category {
    /// Every category's name (what `--select` and `[rules]` accept besides rule ids).
    pub const NAMES: &'static [&'static str] = &["correctness", "security", "style"];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Security { .. } => "security",
            Category::Style => "style",
        }
    }

    pub fn is_security(self) -> bool {
        matches!(self, Category::Security { .. })
    }

    /// The CWE entry of a security audit.
    pub fn cwe(self) -> Option<u16> {
        match self {
            Category::Security { cwe, .. } => Some(cwe),
            _ => None,
        }
    }

    /// A security audit's `security-severity`, as SARIF writes it (`"8.0"`).
    pub fn security_severity(self) -> Option<String> {
        match self {
            Category::Security { score, .. } => Some(format!("{}.{}", score / 10, score % 10)),
            _ => None,
        }
    }
}

/// Each category with its rules' ids (what `[rules]` may name besides rule ids).
pub fn groups() -> Vec<(&'static str, Vec<&'static str>)> {
    Category::NAMES
        .iter()
        .map(|name| {
            let ids = registry()
                .iter()
                .filter(|r| r.category.as_str() == *name)
                .map(|r| r.id)
                .collect();
            (*name, ids)
        })
        .collect()
}

/// The rule ids a name in `--select`, `--ignore` or `[rules]` stands for: a rule id, or a
/// category's name (every rule of the category). `None` for an unknown name.
pub fn selected_by(name: &str) -> Option<Vec<&'static str>> {
    if let Some(rule) = find(name) {
        return Some(vec![rule.id]);
    }
    Category::NAMES.contains(&name).then(|| {
        registry()
            .iter()
            .filter(|r| r.category.as_str() == name)
            .map(|r| r.id)
            .collect()
    })
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

pub mod expand;
/// The rule files and the rules each defines, in the order `cilint rules` lists them: declares
/// each file as a module and builds [`registry`]. A new rule is one line here.
mod exposure;

macro_rules! rules {
    ($($module:ident: $($rule:ident),+;)+) => {
        $(pub mod $module;)+

        /// Every rule, in the order `cilint rules` lists them.
        pub fn registry() -> &'static [&'static Rule] {
            static RULES: &[&Rule] = &[$($(&$module::$rule,)+)+];
            RULES
        }
    };
}

rules! {
    yaml_rules: YAML_SYNTAX, YAML_LIMITS, DUPLICATE_KEY;
    suppress: UNUSED_SUPPRESSION;
    version: EMPTY_CONFIG, RETIRED_VERSION, OBSOLETE_WORKFLOWS_VERSION;
    heredoc: UNESCAPED_HEREDOC;
    references: UNKNOWN_COMMAND, UNKNOWN_EXECUTOR, UNDECLARED_ORB;
    missing_executor: MISSING_EXECUTOR;
    constant_condition: CONSTANT_CONDITION;
    continuation: MULTIPLE_CONTINUATIONS;
    path_filtering: PATH_FILTERING_MAPPING, CONTINUATION_PARAMETERS, CONTINUATION_CONFIG_MISSING;
    env_vars: UNDEFINED_ENV_VAR, ENV_NOT_EXPANDED;
    secrets: SECRET_IN_URL, HARDCODED_SECRET;
    template_injection: TEMPLATE_INJECTION;
    remote_script: REMOTE_SCRIPT;
    ssh_keys: SSH_KEYS_UNSCOPED;
    cache_poisoning: CACHE_POISONING;
    secret_exposure: SECRET_EXPOSURE;
    context_exposure: CONTEXT_OVEREXPOSED;
    images: IMAGE_UNPINNED, DEPRECATED_IMAGE;
    shellcheck: SHELLCHECK;
    schema_rules: UNKNOWN_KEY, INVALID_VALUE, MISSING_KEY;
    step_shape: STEP_SHAPE;
    workflow_refs: UNKNOWN_JOB, UNKNOWN_REQUIRES, AMBIGUOUS_REQUIRES, DUPLICATE_INVOCATION_NAME;
    job_name: INVALID_JOB_NAME;
    executor_types: EXECUTOR_CONFLICT;
    cycles: REQUIRES_CYCLE;
    approval: APPROVAL_UNREACHABLE, APPROVAL_GATES_NOTHING, APPROVAL_NAME_CLASH, APPROVAL_UNRESTRICTED;
    filter_rules: TAG_FILTER_UPSTREAM, FILTERS_NEVER_RUN, FILTER_NOT_REGEX;
    regex_engine: UNSUPPORTED_REGEX;
    redundant: REDUNDANT_REQUIRES;
    unused: UNUSED_JOB, UNUSED_COMMAND, UNUSED_EXECUTOR;
    workspace: WORKSPACE_WITHOUT_PERSIST;
    no_workflows: NO_WORKFLOWS;
    orb_rules: UNKNOWN_ORB_MEMBER, ORB_UNRESOLVED, ORB_VERSION_RESOLVED, ORB_UNPINNED, UNUSED_ORB;
    parameters: UNDEFINED_PARAMETER, UNKNOWN_PIPELINE_VALUE, UNUSED_PARAMETER;
    arguments: MISSING_ARGUMENT, UNKNOWN_ARGUMENT, ARGUMENT_TYPE;
    orb_source: ORB_ROOT_MISSING, ORB_INCLUDE_MISSING, ORB_INCLUDE_NOT_WHOLE, ORB_SOURCE_FILE, ORB_METADATA, ORB_UNUSED_SCRIPT, ORB_SCRIPT_PARAMETER;
    pack_rules: PACK_CONFLICT, PACK_FILE;
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

/// Run only the rules `ids` (in registry order), on any file.
pub fn run_selected(cx: &Context, ids: &[&str]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in registry().iter().filter(|r| ids.contains(&r.id)) {
        if let Some(check) = rule.check {
            check(cx, &mut out);
        }
    }
    out
}

/// The rules that report what a stage found before the tree is read (they run on files the
/// loader could not read whole).
const STAGE_RULES: &[&str] = &[
    "yaml-syntax",
    "yaml-limits",
    "duplicate-key",
    "orb-root-missing",
    "orb-source-file",
    "pack-conflict",
    "pack-file",
];

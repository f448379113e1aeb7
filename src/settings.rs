//! Settings: `.cilint.toml` and the command line's rule selection.

use crate::diagnostic::Severity;
use std::collections::BTreeMap;

/// What a rule is set to in `[rules]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    On(Severity),
}

#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `[rules]`: rule id -> level.
    pub rules: BTreeMap<String, RuleLevel>,
    /// `--select`: when non-empty, only these rules report.
    pub select: Vec<String>,
    /// `--ignore`: these rules never report.
    pub ignore: Vec<String>,
    /// `[env] project`: variables set in the CircleCI project settings.
    pub project_env: Vec<String>,
    /// `[contexts]`: context name -> the variables it sets.
    pub contexts: BTreeMap<String, Vec<String>>,
}

//! `cilint check --baseline`: accept today's findings in `.cilint.toml`, so that a team adopting
//! cilint on a large config sees only new problems.
//!
//! The scheme, chosen to hide as little as possible:
//! - a variable that `undefined-env-var` reports goes into `[env] project` (it is most often a
//!   project or context variable nobody has declared yet); the rule stays on for every other
//!   variable;
//! - every other rule with a finding is set to `"off"` in `[rules]`; rules without findings stay
//!   as they are, so they keep guarding the config;
//! - the existing file is edited in place (comments, order and other keys are kept); a rule
//!   already set to a level is set to `"off"` only when it still reports.
//!
//! [`plan`] reads findings; [`edit`] applies a plan to the text of a settings file.

use crate::base::file_report::FileReport;
use crate::rules::env_vars::UNDEFINED_ENV_VAR;
use std::collections::BTreeSet;
use toml_edit::{Array, DocumentMut, Item, Table, value};

/// What a baseline adds to a settings file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Variables for `[env] project`.
    pub env: BTreeSet<String>,
    /// Rules to set to `"off"`.
    pub rules_off: BTreeSet<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.env.is_empty() && self.rules_off.is_empty()
    }

    /// Add what `reports` need: variables of `undefined-env-var` findings (when
    /// `variables` is true; otherwise that rule too is turned off), other rules off.
    pub fn add(&mut self, reports: &[&FileReport], variables: bool) {
        for d in reports.iter().flat_map(|r| &r.diagnostics) {
            match (d.rule == UNDEFINED_ENV_VAR.id && variables)
                .then_some(d.subject.as_deref())
                .flatten()
            {
                Some(name) => {
                    self.env.insert(name.to_string());
                }
                None => {
                    self.rules_off.insert(d.rule.to_string());
                }
            }
        }
    }
}

/// `text` (a settings file, possibly empty) with `plan` applied; the rest of it is kept as it is.
pub fn edit(text: &str, plan: &Plan) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    if !plan.rules_off.is_empty() {
        let rules = table(&mut doc, "rules")?;
        for id in &plan.rules_off {
            rules.insert(id, value("off"));
        }
    }
    if !plan.env.is_empty() {
        let env = table(&mut doc, "env")?;
        let project = env
            .entry("project")
            .or_insert_with(|| Item::Value(Array::new().into()));
        let array = project
            .as_array_mut()
            .ok_or("`project` in [env] is not a list")?;
        let present: BTreeSet<String> = array
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        for name in plan.env.difference(&present) {
            array.push(name.as_str());
        }
    }
    Ok(doc.to_string())
}

/// The table `name`, made when missing.
fn table<'d>(doc: &'d mut DocumentMut, name: &str) -> Result<&'d mut Table, String> {
    doc.entry(name)
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_mut()
        .ok_or_else(|| format!("`{name}` is not a table"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(env: &[&str], off: &[&str]) -> Plan {
        Plan {
            env: env.iter().map(|s| s.to_string()).collect(),
            rules_off: off.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn new_file() {
        let out = edit("", &plan(&["B", "A"], &["duplicate-key"])).unwrap();
        assert_eq!(
            out,
            "[rules]\nduplicate-key = \"off\"\n\n[env]\nproject = [\"A\", \"B\"]\n"
        );
    }

    #[test]
    fn keeps_comments_and_other_keys() {
        let text = "# team settings\n[rules]\nimage-unpinned = \"error\" # we pin\n\n[env]\nproject = [\"A\"]  # set in the UI\n\n[orbs]\ncache = \"x\"\n";
        let out = edit(text, &plan(&["A", "C"], &["duplicate-key"])).unwrap();
        assert!(out.starts_with("# team settings\n[rules]\nimage-unpinned = \"error\" # we pin\nduplicate-key = \"off\"\n"), "{out}");
        assert!(
            out.contains("project = [\"A\", \"C\"]  # set in the UI"),
            "{out}"
        );
        assert!(out.contains("[orbs]\ncache = \"x\"\n"), "{out}");
        // Twice is the same as once.
        assert_eq!(
            edit(&out, &plan(&["A", "C"], &["duplicate-key"])).unwrap(),
            out
        );
    }

    #[test]
    fn variables_come_from_the_finding_data() {
        let d = |rule: &'static str, subject: Option<&str>| crate::base::diagnostic::Diagnostic {
            subject: subject.map(str::to_string),
            ..crate::base::diagnostic::Diagnostic::new(
                rule,
                crate::Severity::Warning,
                crate::Span::empty(0),
                "`NOT_THIS` is read here",
            )
        };
        let report = FileReport {
            path: "c.yml".into(),
            source: String::new(),
            lines: crate::LineIndex::new(""),
            diagnostics: vec![
                d("undefined-env-var", Some("HEROKU_KEY")),
                d("duplicate-key", None),
            ],
        };
        let mut p = Plan::default();
        p.add(&[&report], true);
        assert_eq!(p.env.iter().collect::<Vec<_>>(), ["HEROKU_KEY"]);
        assert_eq!(p.rules_off.iter().collect::<Vec<_>>(), ["duplicate-key"]);
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(edit("rules = 1\n", &plan(&[], &["duplicate-key"])).is_err());
        assert!(edit("[env]\nproject = 1\n", &plan(&["A"], &[])).is_err());
        assert!(edit("[[[", &plan(&["A"], &[])).is_err());
    }
}

//! `invalid-job-name`: a job (or job group) whose name version 2.1 rejects.
//!
//! CircleCI's 2.1 compiler requires job names to start with a letter and to hold only letters,
//! digits, spaces, `_` and `-` (its error: "does not match pattern
//! ^[A-Za-z][A-Za-z\s\d_-]*$"). Projects met it when moving from 2.0 (apptainer/singularity
//! #3813, cloudera/hue #2553, glpi-project/glpi #5352); circleci-docs PR #8926 documents it, and
//! CircleCI's editor schema uses the same pattern for jobs and job groups.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::model::Name;

pub static INVALID_JOB_NAME: Rule = Rule {
    id: "invalid-job-name",
    severity: Severity::Error,
    summary: "a job name that does not start with a letter or holds characters other than letters, digits, spaces, `_` and `-`",
    explanation: include_str!("docs/invalid-job-name.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

/// Whether CircleCI accepts `name` as a job name.
pub fn is_valid_job_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars
            .all(|c| c.is_ascii_alphanumeric() || c.is_ascii_whitespace() || c == '_' || c == '-')
}

/// `name` with every character CircleCI does not take replaced by `-` (and a leading `job-`
/// when it does not start with a letter).
fn suggestion(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ' ' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s = format!("job-{s}");
    }
    s
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        let cfg = scope.config;
        let names = cfg
            .jobs
            .iter()
            .map(|j| ("job", j.name))
            .chain(cfg.job_groups.iter().map(|g| ("job group", g.name)));
        for (what, name) in names {
            report(what, name, &scope.suffix(), out);
        }
    }
}

fn report(what: &str, name: Name, suffix: &str, out: &mut Vec<Diagnostic>) {
    if is_valid_job_name(name.text) || name.text.contains("<<") {
        return;
    }
    out.push(
        INVALID_JOB_NAME
            .at(
                name.span,
                format!(
                    "{what} name `{}` is not one CircleCI accepts: it must start with a letter and hold only letters, digits, spaces, `_` and `-`{suffix}",
                    name.text
                ),
            )
            .label("invalid job name")
            .help(format!(
                "rename it, for example to `{}`, and update the workflows that run it",
                suggestion(name.text)
            )),
    );
}

#[cfg(test)]
mod tests {
    use super::{is_valid_job_name, suggestion};

    #[test]
    fn names() {
        for ok in ["build", "test-3_11", "Deploy prod", "a"] {
            assert!(is_valid_job_name(ok), "{ok}");
        }
        for bad in ["test-ruby2.7", "3-build", "", "build/x", "-x"] {
            assert!(!is_valid_job_name(bad), "{bad}");
        }
        assert_eq!(suggestion("test-ruby2.7"), "test-ruby2-7");
        assert_eq!(suggestion("3-build"), "job-3-build");
    }
}

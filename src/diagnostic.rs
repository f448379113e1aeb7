//! Diagnostics: what a rule found, where, and how to fix it.

use crate::span::Span;
use serde::Serialize;
use std::fmt;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// A likely bug or a risk.
    Warning,
    /// CircleCI will reject the config, or part of it can provably never run.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A span with what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable kebab-case rule id (see `rules::registry`).
    pub rule: &'static str,
    pub severity: Severity,
    /// One line, quoting the names involved.
    pub message: String,
    /// The exact node the finding is about.
    pub primary: Label,
    /// Other places that explain it (the other duplicate key, the anchor an alias came from...).
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            primary: Label::new(span, ""),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn span(&self) -> Span {
        self.primary.span
    }

    /// The label text on the primary span.
    pub fn label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// A secondary labelled span.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label::new(span, message));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Diagnostic {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    pub fn severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }
}

/// Closest names to `name` among `candidates` (edit distance), best first, at most three.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = (name.chars().count() / 3).max(1) + usize::from(name.len() > 8);
    let lower = name.to_ascii_lowercase();
    let len = name.chars().count();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        // The distance is at least the difference in length: skip the far ones unmeasured.
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .filter_map(|c| {
            let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
            (d <= limit).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// "did you mean `x`?" / "did you mean `x` or `y`?" for the closest candidates, if any.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let best = closest(name, candidates);
    match best.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        many => {
            let quoted: Vec<String> = many.iter().map(|c| format!("`{c}`")).collect();
            let (last, rest) = quoted.split_last().expect("non-empty");
            Some(format!("did you mean {} or {last}?", rest.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("steeps", ["steps", "docker"]).as_deref(),
            Some("did you mean `steps`?")
        );
        assert_eq!(did_you_mean("zzzzzz", ["steps", "docker"]), None);
        assert_eq!(
            closest("biuld", ["build", "built", "deploy"]),
            vec!["build"]
        );
        assert_eq!(
            closest("deplyo", ["deploy", "deploys", "test"]),
            vec!["deploy", "deploys"]
        );
    }
}

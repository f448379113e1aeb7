//! Diagnostics: what a rule found, where, and how to fix it.

use crate::base::span::Span;
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

/// How sure a finding is. Most findings are certain (`High`); the security audits say less
/// when a value only may carry what they warn about (a parameter that may receive a branch
/// name). `--min-confidence` filters on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Confidence> {
        match s {
            "low" => Some(Confidence::Low),
            "medium" => Some(Confidence::Medium),
            "high" => Some(Confidence::High),
            _ => None,
        }
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

/// The builder methods of [`Diagnostic`] and [`Finding`]: labels, help, severity.
macro_rules! builders {
    ($($head:tt)*) => {
        $($head)* {
            pub fn span(&self) -> Span {
                self.primary.span
            }

            /// The label text on the primary span.
            pub fn label(mut self, message: impl Into<String>) -> Self {
                self.primary.message = message.into();
                self
            }

            /// A secondary labelled span.
            pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
                self.labels.push(Label::new(span, message));
                self
            }

            pub fn help(mut self, help: impl Into<String>) -> Self {
                self.help = Some(help.into());
                self
            }

            pub fn help_opt(mut self, help: Option<String>) -> Self {
                if help.is_some() {
                    self.help = help;
                }
                self
            }

            /// A fix: edits of the source that resolve the finding (see [`Fix`]).
            pub fn fix(mut self, fix: Fix) -> Self {
                self.fix = Some(fix);
                self
            }

            /// A fix when there is one.
            pub fn fix_opt(mut self, fix: Option<Fix>) -> Self {
                if fix.is_some() {
                    self.fix = fix;
                }
                self
            }
        }
    };
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
    /// The name the finding is about, for tools that act on it (the variable of an
    /// `undefined-env-var` finding, which `--baseline` declares): data, never parsed from the
    /// message.
    pub subject: Option<String>,
    /// How sure the finding is.
    pub confidence: Confidence,
    /// Edits of the source that resolve the finding, when there is an obvious one.
    pub fix: Option<Fix>,
}

builders!(impl Diagnostic);

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
            subject: None,
            confidence: Confidence::High,
            fix: None,
        }
    }

    /// How sure the finding is (see [`Confidence`]).
    pub fn confidence(mut self, confidence: Confidence) -> Diagnostic {
        self.confidence = confidence;
        self
    }

    pub fn severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    /// The name the finding is about (see [`Diagnostic::subject`]).
    pub fn subject(mut self, subject: impl Into<String>) -> Diagnostic {
        self.subject = Some(subject.into());
        self
    }
}

/// What a stage below the rules finds (the YAML loader, the schema check, the reading of an
/// orb source folder): a diagnostic without its rule. `kind` says which rule reports it; the
/// rule's file turns it into a [`Diagnostic`] with the rule's id and severity
/// ([`Finding::into_diagnostic`]), so each rule still reports all it finds from one place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding<K> {
    pub kind: K,
    /// A severity other than the rule's default, when the stage knows better (a shape CircleCI
    /// is known to accept is a warning).
    pub severity: Option<Severity>,
    pub message: String,
    pub primary: Label,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

builders!(impl<K> Finding<K>);

impl<K> Finding<K> {
    pub fn new(kind: K, span: Span, message: impl Into<String>) -> Finding<K> {
        Finding {
            kind,
            severity: None,
            message: message.into(),
            primary: Label::new(span, ""),
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// The diagnostic of rule `rule`, whose default severity is `default`.
    pub fn into_diagnostic(self, rule: &'static str, default: Severity) -> Diagnostic {
        Diagnostic {
            rule,
            severity: self.severity.unwrap_or(default),
            message: self.message,
            primary: self.primary,
            labels: self.labels,
            help: self.help,
            subject: None,
            confidence: Confidence::High,
            fix: self.fix,
        }
    }
}

/// One change of the source: the bytes of `span` replaced by `text` (an empty span inserts,
/// an empty text deletes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

impl Edit {
    pub fn replace(span: Span, text: impl Into<String>) -> Edit {
        Edit {
            span,
            text: text.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(Span::empty(at), text)
    }

    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, "")
    }
}

/// Whether a fix may be applied without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Likely what was meant, but it may change what the config does (`--unsafe-fixes`).
    Unsafe,
    /// The config means the same, plus the fix (`--fix`).
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// How to resolve a finding: edits of the source, applied together or not at all. The edits
/// of one fix never overlap; they keep the file's indentation, comments, quoting and line
/// endings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, in a few words ("indent `collection` under `newman/newman-run`").
    pub title: String,
    pub applicability: Applicability,
    /// Sorted by position, none overlapping another.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A safe fix (see [`Applicability::Safe`]).
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(title, Applicability::Safe, edits)
    }

    /// An unsafe fix (see [`Applicability::Unsafe`]).
    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(title, Applicability::Unsafe, edits)
    }

    /// Edits are sorted and duplicates dropped.
    pub fn new(
        title: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
    ) -> Fix {
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        edits.dedup();
        Fix {
            title: title.into(),
            applicability,
            edits,
        }
    }

    /// The span every edit lies in.
    pub fn extent(&self) -> Option<Span> {
        let first = self.edits.first()?.span;
        Some(self.edits.iter().fold(first, |acc, e| acc.cover(e.span)))
    }
}

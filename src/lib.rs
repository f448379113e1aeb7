#![forbid(unsafe_code)]
//! cilint: an offline linter and workflow visualizer for CircleCI configuration.
//!
//! `lint(source, path, &settings)` is the whole pipeline for one file: load the spanned YAML
//! tree, check it against the schema, build the typed model and the workflow graphs, run the
//! rules, apply suppressions and settings.

pub mod context;
pub mod diagnostic;
pub mod env_builtins;
pub mod filters;
pub mod generate;
pub mod graph;
pub mod images;
pub mod logic;
pub mod model;
pub mod mustache;
pub mod render;
pub mod rules;
pub mod scalar_map;
pub mod schema;
pub mod secrets;
pub mod settings;
pub mod shell;
pub mod span;
pub mod yaml;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use settings::Settings;
pub use span::{LineIndex, Span};

/// The findings for one file, with the text they point into.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub path: String,
    /// The decoded source (what spans index into).
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

#![forbid(unsafe_code)]
//! cilint: an offline linter and workflow visualizer for CircleCI configuration.
//!
//! `lint(bytes, path, &settings)` is the whole pipeline for one file: load the spanned YAML
//! tree, build the [`Context`](context::Context) (where later stages attach: schema, model,
//! graphs, orbs), run the rules, apply suppression comments, then the settings. Nothing here
//! prints; `report` turns the results into text.

pub mod baseline;
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
pub mod orb_source;
pub mod orbs;
pub mod plan;
pub mod render;
pub mod report;
pub mod rules;
pub mod scalar_map;
pub mod schema;
pub mod secrets;
pub mod settings;
pub mod shell;
pub mod shellcheck;
pub mod span;
pub mod suppress;
pub mod yaml;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use settings::Settings;
pub use span::{LineIndex, Span};

use context::Context;
use rayon::prelude::*;

/// The findings for one file, with the text they point into.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The file's name as given (or `--stdin-filename`), as reports show it.
    pub path: String,
    /// The decoded source (what spans index into).
    pub source: String,
    /// Line starts of `source`.
    pub lines: LineIndex,
    /// Sorted by position, then rule id.
    pub diagnostics: Vec<Diagnostic>,
}

/// Lint one file.
pub fn lint(bytes: &[u8], path: &str, settings: &Settings) -> FileReport {
    analyze(bytes, path, settings, |_, _| ()).0
}

/// Run the whole pipeline on one file, then hand what it built (the context: source, tree,
/// model, graphs, settings) and the final findings to `then`, for commands that need more than
/// the findings (`cilint graph`, `cilint plan`). Returns the report and what `then` returned.
pub fn analyze<R>(
    bytes: &[u8],
    path: &str,
    settings: &Settings,
    then: impl FnOnce(&Context, &[Diagnostic]) -> R,
) -> (FileReport, R) {
    let (source, doc) = load(bytes);
    let lines = LineIndex::new(&source);
    let config = context::model(&doc);
    let graphs = graph::Graphs::build(&config);
    let cx = Context::new(path, &source, &lines, &doc, settings, &config, &graphs);

    let mut diagnostics = doc.diagnostics.clone();
    // On a tree that could not be read completely, the rules would report what is merely
    // missing from the broken part: only the loader's findings are shown then.
    if !load_stopped_early(&diagnostics) {
        // The schema check and the rules are independent: both run at once.
        let (from_schema, from_rules) = rayon::join(
            || {
                let mut found = Vec::new();
                schema::check_document(&doc, &source, &mut found);
                found
            },
            || {
                let mut found = Vec::new();
                rules::run(&cx, &mut found);
                found
            },
        );
        diagnostics.extend(from_schema);
        diagnostics.extend(from_rules);
    }
    rules::version::demote_for_retired_version(&cx, &mut diagnostics);
    suppress::apply(&cx, &mut diagnostics);
    settings.apply(&mut diagnostics);
    sort(&mut diagnostics);
    let extra = then(&cx, &diagnostics);

    let report = FileReport {
        path: path.to_string(),
        diagnostics,
        source,
        lines,
    };
    (report, extra)
}

/// One file to lint with [`lint_many`].
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
    pub settings: &'a Settings,
}

/// Lint several files in parallel; the reports come back in the order of `inputs`.
pub fn lint_many(inputs: &[Input<'_>]) -> Vec<FileReport> {
    inputs
        .par_iter()
        .map(|i| lint(i.bytes, i.path, i.settings))
        .collect()
}

/// [`analyze`] several files in parallel; the results come back in the order of `inputs`.
pub fn analyze_many<R: Send>(
    inputs: &[Input<'_>],
    then: impl Fn(&Context, &[Diagnostic]) -> R + Sync,
) -> Vec<(FileReport, R)> {
    inputs
        .par_iter()
        .map(|i| analyze(i.bytes, i.path, i.settings, &then))
        .collect()
}

/// Decode and parse. An undecodable file is reported against its lossily decoded text.
fn load(bytes: &[u8]) -> (String, yaml::Document) {
    match yaml::decode(bytes) {
        Ok(source) => {
            let doc = yaml::parse(&source);
            (source, doc)
        }
        Err(diagnostic) => {
            let doc = yaml::Document {
                diagnostics: vec![diagnostic],
                ..yaml::Document::default()
            };
            (yaml::lossy_text(bytes), doc)
        }
    }
}

/// Whether the loader stopped early (a syntax error or a safety limit).
fn load_stopped_early(diagnostics: &[Diagnostic]) -> bool {
    diagnostics
        .iter()
        .any(|d| matches!(d.rule, "yaml-syntax" | "yaml-limits"))
}

/// Sort findings as [`lint`] does (for reports assembled elsewhere).
pub(crate) fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    sort(diagnostics);
}

/// Position first, then rule id, so output is the same on every run.
fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.primary.span.start, a.rule, a.primary.span.end, &a.message).cmp(&(
            b.primary.span.start,
            b.rule,
            b.primary.span.end,
            &b.message,
        ))
    });
}

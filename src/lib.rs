#![forbid(unsafe_code)]
//! cilint: an offline linter and workflow visualizer for CircleCI configuration.
//!
//! `lint(bytes, path, &settings)` is the whole pipeline for one file (see `pipeline`): load the
//! spanned YAML tree, build the model, the graphs and the orbs, run the rules, apply
//! suppression comments, then the settings. Nothing here prints; `report` turns the results
//! into text.

// The layers, lowest first; each imports only the ones above it in this list (a test checks
// it: tests/architecture.rs).
mod analysis;
// (Test helpers shared with the integration tests, `tests/support/`, name the crate `cilint`.)
#[cfg(test)]
extern crate self as cilint;

mod base;
mod cli;
mod config;
mod lang;
mod output;
mod pipeline;
mod rules;
mod yaml;

// The public API: what a user of the crate needs. Everything else is internal to the crate.
pub use analysis::context::Context;
pub use base::diagnostic::{Diagnostic, Label, Severity};
pub use base::file_report::FileReport;
pub use base::span::{LineCol, LineIndex, Span};
pub use config::schema::SCHEMA_DATE;
pub use config::settings::{RuleLevel, Settings, SettingsError};
pub use lang::shellcheck::find_on_path as find_shellcheck;
pub use pipeline::{Input, analyze, analyze_many, lint, lint_many};
pub use rules::{Category, Rule, find as find_rule, registry as rules};

/// Report formats: every [`FileReport`] of a run, written as text, JSON, SARIF, JUnit...
pub mod report {
    pub use crate::output::report::*;
}

/// Workflow diagrams: a [`render::Diagram`] and its SVG, DOT and Mermaid renderings.
pub mod render {
    pub use crate::output::render::*;
}

/// `cilint plan`: which workflows and jobs a push would run, and why.
pub mod plan {
    pub use crate::analysis::plan::*;
    pub use crate::lang::filters::GitRef;
    pub use crate::output::plan::*;
}

/// Fixes: the edits findings carry, applied as `cilint check --fix` applies them.
pub mod fix {
    pub use crate::base::diagnostic::{Applicability, Edit, Fix};
    pub use crate::base::fix::{Applied, apply};
    pub use crate::pipeline::fix::{Fixed, MAX_ROUNDS, fix_bytes, fix_text, fixes_of};
}

/// `cilint check --orb`: an orb's source folder, linted as one orb.
pub mod orb {
    pub use crate::config::orb_source::{
        OrbFile, OrbFolder, folder_from_listing, read_folder, source_folder,
    };
    pub use crate::pipeline::orb::lint_orb;
}

/// The stages on their own, for cilint's benchmarks and fuzz targets (the `internals`
/// feature): not a stable API.
#[cfg(feature = "internals")]
pub mod internals {
    pub use crate::analysis::context::{model, with_context};
    pub use crate::analysis::graph::Graphs;
    pub use crate::config::model::Config;
    pub use crate::config::orbs::Orbs;
    pub use crate::config::schema::check as check_schema;
    pub use crate::rules::run as run_rules;
    pub use crate::rules::suppress::apply as apply_suppressions;
    pub use crate::yaml::{Document, Node, ScalarStyle, Value, decode, parse, to_json};
}

/// Run the `cilint` command line (what the binary does): parse the arguments, run the command,
/// write its output, and return the exit code.
pub fn run_cli() -> std::process::ExitCode {
    cli::main()
}

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

/// `cilint pack` and `cilint check --pack`: a config split over a folder, packed into one as
/// `circleci config pack` packs it, and linted with every finding in the file it is about.
pub mod pack {
    pub use crate::config::pack::{PackEntry, PackFolder, folder_from_listing, read_folder};
    pub use crate::pipeline::pack::lint_pack;

    /// What `circleci config pack` prints for `folder` (the YAML and one more line break), or
    /// the findings that stop packing (a file that cannot be read, two files giving one key...).
    pub fn pack_text(folder: &PackFolder) -> Result<String, Vec<crate::FileReport>> {
        let data = crate::pipeline::pack::pack(folder, &crate::Settings::default())?;
        Ok(crate::output::yaml_out::to_yaml(&data, crate::output::yaml_out::Dialect::Pack) + "\n")
    }
}

/// `cilint expand`: the config CircleCI's compiler makes of a config (or of a folder, packed
/// first), as `circleci config process` prints it, worked out offline.
pub mod expand {
    use crate::pipeline::expand::{Expanded, expand_file, expand_folder};

    /// The pipeline a config is expanded for.
    #[derive(Clone, Debug, Default)]
    pub struct Options {
        /// `pipeline.git.branch` (default `main`).
        pub branch: Option<String>,
        /// `pipeline.git.tag` (then the branch is empty).
        pub tag: Option<String>,
        /// Pipeline parameters, `KEY=VALUE`, typed against the config's declarations as
        /// `cilint plan --param` types them; the declared defaults apply otherwise.
        pub params: Vec<String>,
    }

    /// Why a config was not expanded.
    #[derive(Debug)]
    pub enum Error {
        /// What CircleCI would reject, as findings (one report per file that has some).
        Rejected(Vec<crate::FileReport>),
        /// A parameter that does not fit the config.
        Usage(String),
        /// What cilint cannot decide offline (`path:line:col: reason`).
        Undecidable(String),
    }

    fn input(
        config: &crate::config::model::Config<'_>,
        options: &Options,
    ) -> Result<crate::plan::PlanInput, String> {
        let mut input = match &options.tag {
            Some(t) => crate::plan::PlanInput::tag(t.clone()),
            None => crate::plan::PlanInput::branch(options.branch.as_deref().unwrap_or("main")),
        };
        for p in &options.params {
            input.params.push(crate::plan::parse_param(config, p)?);
        }
        Ok(input)
    }

    fn text(expanded: Expanded) -> Result<String, Error> {
        match expanded {
            Expanded::Done(data) => Ok(crate::output::yaml_out::to_yaml(
                &data,
                crate::output::yaml_out::Dialect::Process,
            )),
            Expanded::Rejected(reports) => Err(Error::Rejected(reports)),
            Expanded::Usage(m) => Err(Error::Usage(m)),
            Expanded::Undecidable(m) => Err(Error::Undecidable(m)),
        }
    }

    /// The processed config of one config file (`path` names it in findings). Registry orbs
    /// come from the orb cache of `settings`.
    pub fn expand(
        bytes: &[u8],
        path: &str,
        settings: &crate::Settings,
        options: &Options,
    ) -> Result<String, Error> {
        text(expand_file(bytes, path, settings, |c| input(c, options)))
    }

    /// The processed config of a folder, packed as `circleci config pack` packs it.
    pub fn expand_pack(
        folder: &crate::pack::PackFolder,
        settings: &crate::Settings,
        options: &Options,
    ) -> Result<String, Error> {
        text(expand_folder(folder, settings, |c| input(c, options)))
    }
}

/// The stages on their own, for cilint's benchmarks and fuzz targets (the `internals`
/// feature): not a stable API.
#[cfg(feature = "internals")]
pub mod internals {
    pub use crate::analysis::context::{model, with_context};
    pub use crate::analysis::expand::{Stop, expand};
    pub use crate::analysis::graph::Graphs;
    pub use crate::config::model::Config;
    pub use crate::config::orbs::Orbs;
    pub use crate::config::pack::assemble as pack_folder;
    pub use crate::config::schema::check as check_schema;
    pub use crate::output::yaml_out::{Dialect, to_yaml};
    pub use crate::rules::run as run_rules;
    pub use crate::rules::suppress::apply as apply_suppressions;
    pub use crate::yaml::{Data, Document, Node, ScalarStyle, Value, decode, parse, to_json};
}

/// Run the `cilint` command line (what the binary does): parse the arguments, run the command,
/// write its output, and return the exit code.
pub fn run_cli() -> std::process::ExitCode {
    cli::main()
}

//! `cilint expand`: a config file (or a folder, packed first) expanded as CircleCI's compiler
//! expands it (`analysis::expand`), or the findings that stop it, reported in the files they
//! are about like `cilint check` reports them.

use crate::analysis::context::{Context, model};
use crate::analysis::expand::{self, Stop};
use crate::analysis::graph::Graphs;
use crate::analysis::plan::PlanInput;
use crate::base::file_report::{FileReport, sort};
use crate::base::span::{LineIndex, Span};
use crate::config::model::Config;
use crate::config::orbs::{Orbs, cache_dir};
use crate::config::pack::{self, PackFolder};
use crate::config::settings::Settings;
use crate::rules;
use crate::yaml::Data;

/// What an expansion gave.
#[derive(Debug)]
pub enum Expanded {
    /// The processed config.
    Done(Data),
    /// What CircleCI would reject, one report per file that has some.
    Rejected(Vec<FileReport>),
    /// The input could not be made (a `--param` that does not fit the config): the message.
    Usage(String),
    /// What cilint cannot decide offline: `path:line:col: reason`.
    Undecidable(String),
}

/// The rules whose findings stop an expansion before it starts: a file that cannot be read, an
/// empty config.
const LOAD_STOPPERS: &[&str] = &["yaml-syntax", "yaml-limits", "empty-config"];

/// Expand one config file. `input` makes the pipeline input from the config (it reads
/// `--param` against the declared parameters).
pub fn expand_file(
    bytes: &[u8],
    path: &str,
    settings: &Settings,
    input: impl FnOnce(&Config<'_>) -> Result<PlanInput, String>,
) -> Expanded {
    let (source, doc) = super::load(bytes);
    let lines = LineIndex::new(&source);
    let config = model(&doc);
    let orbs = Orbs::load(&config, cache_dir(settings.orb_cache.as_deref()));
    let report = |mut diagnostics: Vec<crate::base::diagnostic::Diagnostic>| {
        sort(&mut diagnostics);
        vec![FileReport {
            path: path.to_string(),
            source: source.clone(),
            lines: lines.clone(),
            diagnostics,
        }]
    };
    // The stage rules only when they may find something (the graphs of a context cost time on
    // a large config, and these rules do not read them).
    if doc.stopped_early() || (config.jobs_key.is_none() && config.workflows_key.is_none()) {
        let nothing = Config::default();
        let graphs = Graphs::build(&nothing);
        let cx = Context::new(
            path,
            &source,
            &lines,
            &doc,
            settings,
            &config,
            &graphs,
            orbs.clone(),
        );
        let stoppers: Vec<_> = rules::run_selected(&cx, LOAD_STOPPERS)
            .into_iter()
            .filter(|d| d.severity == crate::base::diagnostic::Severity::Error)
            .collect();
        if !stoppers.is_empty() {
            return Expanded::Rejected(report(stoppers));
        }
    }
    let input = match input(&config) {
        Ok(i) => i,
        Err(e) => return Expanded::Usage(e),
    };
    match expand::expand(&source, &config, &orbs, &input) {
        Ok(data) => Expanded::Done(data),
        Err(Stop::Rejected(found)) => Expanded::Rejected(report(rules::expand::report(found))),
        Err(Stop::Undecidable { span, reason }) => {
            let at = lines.line_col(&source, span.start as usize);
            Expanded::Undecidable(format!("{path}:{}:{}: {reason}", at.line, at.column))
        }
    }
}

/// Pack a folder, then expand it; findings point into its files.
pub fn expand_folder(
    folder: &PackFolder,
    settings: &Settings,
    input: impl FnOnce(&Config<'_>) -> Result<PlanInput, String>,
) -> Expanded {
    let packed = pack::assemble(folder);
    let stoppers = super::pack::stoppers(&packed, &folder.display, settings);
    if !stoppers.is_empty() {
        return Expanded::Rejected(stoppers);
    }
    let parts = packed.parts();
    super::pack::with_context(&packed, &folder.display, settings, |cx| {
        let empty: Vec<_> = rules::run_selected(cx, &["empty-config"]);
        if !empty.is_empty() || packed.doc.root.is_none() {
            return Expanded::Rejected(super::split::per_file(parts, empty));
        }
        let input = match input(cx.config) {
            Ok(i) => i,
            Err(e) => return Expanded::Usage(e),
        };
        match expand::expand(cx.source, cx.config, &cx.orbs, &input) {
            Ok(data) => Expanded::Done(data),
            Err(Stop::Rejected(found)) => {
                Expanded::Rejected(super::split::per_file(parts, rules::expand::report(found)))
            }
            Err(Stop::Undecidable { span, reason }) => {
                Expanded::Undecidable(format!("{}: {reason}", place(parts, span)))
            }
        }
    })
}

/// `path:line:col` of a span in a combined text.
fn place<K>(parts: &[crate::config::combined::Part<K>], span: Span) -> String {
    let i = crate::config::combined::owner(parts, span.start);
    let Some(part) = parts.get(i) else {
        return String::new();
    };
    let at = (span.start as usize).saturating_sub(part.base);
    let lc = LineIndex::new(&part.text).line_col(&part.text, at);
    format!("{}:{}:{}", part.path, lc.line, lc.column)
}

//! `cilint check --pack FOLDER` and `cilint pack FOLDER`: a config split over a folder, packed
//! as `circleci config pack` packs it (`config::pack`), then linted as one config with every
//! finding reported in the source file it is about (`jobs/build.yml:7:9`), or printed.

use crate::analysis::context::{Context, model};
use crate::analysis::graph::Graphs;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::file_report::FileReport;
use crate::base::span::LineIndex;
use crate::config::orbs::{Orbs, cache_dir};
use crate::config::pack::{self, PackFolder, Packed};
use crate::config::settings::Settings;
use crate::rules;
use crate::yaml::Data;

/// The rules whose findings stop packing: the loader's (a file that cannot be read, a
/// duplicate key, which yaml.v3 refuses) and the folder's own.
pub const PACK_STOPPERS: &[&str] = &[
    "yaml-syntax",
    "yaml-limits",
    "duplicate-key",
    "pack-conflict",
    "pack-file",
];

/// Lint a packed folder: one report per YAML file of the folder, in walk order.
pub fn lint_pack(folder: &PackFolder, settings: &Settings) -> Vec<FileReport> {
    let packed = pack::assemble(folder);
    with_context(&packed, &folder.display, settings, |cx| {
        let mut diagnostics = rules::run(cx);
        rules::version::demote_for_retired_version(cx, &mut diagnostics);
        refused_by_pack(&mut diagnostics);
        super::split::split(packed.parts(), cx, diagnostics, settings)
    })
}

/// Pack a folder: what `circleci config pack` prints, as data, or the findings that stop it
/// (only the files they are in have a report).
pub fn pack(folder: &PackFolder, settings: &Settings) -> Result<Data, Vec<FileReport>> {
    let packed = pack::assemble(folder);
    let stoppers = stoppers(&packed, &folder.display, settings);
    if stoppers.is_empty() {
        Ok(packed.data)
    } else {
        Err(stoppers)
    }
}

/// The findings that stop packing `packed`, one report per file that has some (empty when it
/// packs).
pub fn stoppers(packed: &Packed, display: &str, settings: &Settings) -> Vec<FileReport> {
    if !packed.failed()
        && !packed
            .doc
            .findings
            .iter()
            .any(|f| f.kind == crate::yaml::Problem::DuplicateKey)
    {
        return Vec::new();
    }
    with_context(packed, display, settings, |cx| {
        let mut diagnostics = rules::run_selected(cx, PACK_STOPPERS);
        refused_by_pack(&mut diagnostics);
        super::split::per_file(packed.parts(), diagnostics)
    })
}

/// yaml.v3 refuses a file with a duplicate key: in a packed folder it is an error.
fn refused_by_pack(diagnostics: &mut [Diagnostic]) {
    for d in diagnostics {
        if d.rule == "duplicate-key" && d.severity < Severity::Error {
            d.severity = Severity::Error;
            d.help = Some(format!(
                "{}; `circleci config pack` refuses a file with a duplicate key",
                d.help.take().unwrap_or_default()
            ));
        }
    }
}

/// Build the context of a packed config and hand it to `f`.
pub fn with_context<R>(
    packed: &Packed,
    display: &str,
    settings: &Settings,
    f: impl FnOnce(&Context<'_>) -> R,
) -> R {
    let source = packed.combined.source.as_str();
    let lines = LineIndex::new(source);
    let doc = &packed.doc;
    let config = model(doc);
    let graphs = Graphs::build(&config);
    let orbs = Orbs::load(&config, cache_dir(settings.orb_cache.as_deref()));
    let cx = Context::new(
        display, source, &lines, doc, settings, &config, &graphs, orbs,
    )
    .for_pack(&packed.findings);
    f(&cx)
}

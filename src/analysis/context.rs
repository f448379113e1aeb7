//! What the rules read: everything known about one file, built once.
//!
//! The stages before analysis build their results in order (the tree, the model, the graphs,
//! the orbs read from the orb cache) and hand them to [`Context::new`]; what several rules
//! need and what costs time (the schema check, the `<< >>` references of every member) is found
//! here on first use and kept. Rules only read the context.

use crate::analysis::graph::Graphs;
use crate::base::span::LineIndex;
use crate::config::model::{Config, Scope};
use crate::config::orb_source::OrbFinding;
use crate::config::orbs::Orbs;
use crate::config::pack::PackFinding;
use crate::config::schema::SchemaFinding;
use crate::config::settings::Settings;
use crate::lang::shellcheck::Checker;
use crate::yaml::Document;
use std::sync::OnceLock;

pub struct Context<'a> {
    pub path: &'a str,
    pub source: &'a str,
    pub lines: &'a LineIndex,
    pub doc: &'a Document,
    pub settings: &'a Settings,
    /// The typed model (empty when the file has no readable root).
    pub config: &'a Config<'a>,
    /// The workflow graphs of `config`.
    pub graphs: &'a Graphs<'a>,
    /// The registry orbs found in the orb cache (read before analysis).
    pub orbs: Orbs,
    /// What reading an orb source folder found, when the file is an orb's source assembled
    /// (`cilint check --orb`) rather than a config.
    pub orb_source: Option<&'a [OrbFinding]>,
    /// What packing found, when the file is a config packed from a folder (`cilint check
    /// --pack`).
    pub pack: Option<&'a [PackFinding]>,
    /// The shellcheck checker shared by every file of a run, which has been given their
    /// scripts already (`None`: the `shellcheck` rule makes one of its own for this file).
    pub(crate) shellcheck: Option<&'a Checker>,
    /// The schema check's findings, made on first use.
    schema: OnceLock<Vec<SchemaFinding>>,
    /// The `<< ... >>` references of the file, found on first use (see `rules::parameters`).
    pub(crate) references: OnceLock<Vec<crate::analysis::references::Found>>,
    /// The references of every job, command and executor of every scope, in the order of
    /// `scopes()` then `references::members`.
    pub(crate) member_references: OnceLock<Vec<Vec<crate::analysis::references::Found>>>,
}

impl<'a> Context<'a> {
    /// Everything known about one file. The stages' results are built by the caller, in order
    /// (the model, then the graphs, then the orbs), because each borrows the one before.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        path: &'a str,
        source: &'a str,
        lines: &'a LineIndex,
        doc: &'a Document,
        settings: &'a Settings,
        config: &'a Config<'a>,
        graphs: &'a Graphs<'a>,
        orbs: Orbs,
    ) -> Context<'a> {
        Context {
            path,
            source,
            lines,
            doc,
            settings,
            config,
            graphs,
            orbs,
            orb_source: None,
            pack: None,
            shellcheck: None,
            schema: OnceLock::new(),
            references: OnceLock::new(),
            member_references: OnceLock::new(),
        }
    }

    /// The same file, seen as an orb's source folder with what reading the folder found.
    pub fn for_orb_source(mut self, findings: &'a [OrbFinding]) -> Context<'a> {
        self.orb_source = Some(findings);
        self
    }

    /// The same file, seen as a config packed from a folder, with what packing found.
    pub fn for_pack(mut self, findings: &'a [PackFinding]) -> Context<'a> {
        self.pack = Some(findings);
        self
    }

    /// The same context, with the shellcheck checker of the run (see [`Context::shellcheck`]).
    pub(crate) fn with_shellcheck(mut self, checker: Option<&'a Checker>) -> Context<'a> {
        self.shellcheck = checker;
        self
    }

    /// Whether the file is an orb's source (`cilint check --orb`): the orb exports its jobs,
    /// commands and executors, and the configs that use it are not known.
    pub fn is_orb_source(&self) -> bool {
        self.orb_source.is_some()
    }

    /// The file as JSON, anchors, aliases and merge keys resolved (`null` for an empty file).
    pub fn to_json(&self) -> serde_json::Value {
        self.doc
            .root
            .as_ref()
            .map_or(serde_json::Value::Null, crate::yaml::to_json)
    }

    /// The config's scopes: the file, then every inline orb.
    pub fn scopes(&self) -> Vec<Scope<'_, 'a>> {
        self.config.scopes()
    }

    /// The schema check's findings (an orb's root is checked against the schema of an orb).
    pub fn schema(&self) -> &[SchemaFinding] {
        self.schema.get_or_init(|| {
            let Some(root) = self.doc.root.as_ref() else {
                return Vec::new();
            };
            if self.is_orb_source() {
                crate::config::schema::check_orb(root, self.source)
            } else {
                crate::config::schema::check(root, Some(self.source))
            }
        })
    }

    /// A copy of the context (its caches empty), for a part of the file with its own document:
    /// the suppression comments of one file of an orb source folder.
    pub fn with_doc<'b>(&'b self, doc: &'b Document) -> Context<'b>
    where
        'a: 'b,
    {
        Context::new(
            self.path,
            self.source,
            self.lines,
            doc,
            self.settings,
            self.config,
            self.graphs,
            self.orbs.clone(),
        )
    }
}

/// The typed model of a loaded document (empty when it has no root).
pub fn model(doc: &Document) -> Config<'_> {
    doc.root.as_ref().map(Config::from_root).unwrap_or_default()
}

#[cfg(any(test, feature = "internals"))]
/// Build everything about `source` (parsed as it is, no decoding) and hand the context to `f`:
/// the one way code and tests get a [`Context`] from text.
pub fn with_context<R>(
    source: &str,
    path: &str,
    settings: &Settings,
    f: impl FnOnce(&Context<'_>) -> R,
) -> R {
    with_document(source, &crate::yaml::parse(source), path, settings, f)
}

#[cfg(any(test, feature = "internals"))]
/// As [`with_context`], for a tree already loaded from `source` (or built by hand).
pub fn with_document<R>(
    source: &str,
    doc: &Document,
    path: &str,
    settings: &Settings,
    f: impl FnOnce(&Context<'_>) -> R,
) -> R {
    let lines = LineIndex::new(source);
    let config = model(doc);
    let graphs = Graphs::build(&config);
    let orbs = Orbs::load(
        &config,
        crate::config::orbs::cache_dir(settings.orb_cache.as_deref()),
    );
    let cx = Context::new(path, source, &lines, doc, settings, &config, &graphs, orbs);
    f(&cx)
}

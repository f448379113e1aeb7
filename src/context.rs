//! What the rules read: everything known about one file, built once.
//!
//! `Context::new` is where each stage's result is built and attached (the tree now; the schema
//! findings, the typed model, the workflow graphs and resolved orbs as they land), so that
//! `lint` stays a short pipeline and rules only ever read.

use crate::graph::Graphs;
use crate::model::{Config, OrbDecl, OrbSource};
use crate::settings::Settings;
use crate::span::LineIndex;
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
    /// The registry orbs found in the orb cache (see `orbs`).
    pub orbs: crate::orbs::Orbs,
}

/// What several rules read, found once per file on first use (kept in the file's
/// [`Config::found`]).
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// Every `<< ... >>` reference under the config's root.
    pub(crate) references: OnceLock<Vec<crate::rules::parameters::Found>>,
    /// The references of every job, command and executor of every scope, in the order of
    /// `scopes()` then `rules::parameters::members`.
    pub(crate) member_references: OnceLock<Vec<Vec<crate::rules::parameters::Found>>>,
}

/// A config and every inline orb inside it: each is a scope of its own, where names refer to
/// that scope's own jobs, commands, executors and orbs.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'m, 'a> {
    pub config: &'m Config<'a>,
    /// The inline orb this scope is, `None` for the file itself.
    pub orb: Option<&'m OrbDecl<'a>>,
}

impl<'a> Context<'a> {
    /// The file's config, then every inline orb (depth first).
    pub fn scopes(&self) -> Vec<Scope<'_, 'a>> {
        fn add<'m, 'a>(
            cfg: &'m Config<'a>,
            orb: Option<&'m OrbDecl<'a>>,
            depth: usize,
            out: &mut Vec<Scope<'m, 'a>>,
        ) {
            out.push(Scope { config: cfg, orb });
            if depth > 16 {
                return;
            }
            for decl in &cfg.orbs {
                if let OrbSource::Inline(inner) = &decl.source {
                    add(inner, Some(decl), depth + 1, out);
                }
            }
        }
        let mut out = Vec::new();
        add(self.config, None, 0, &mut out);
        out
    }
}

impl Scope<'_, '_> {
    /// " in inline orb `x`" or "".
    pub fn suffix(&self) -> String {
        self.orb
            .map(|o| format!(" in inline orb `{}`", o.alias))
            .unwrap_or_default()
    }
}

/// The typed model of a loaded document (empty when it has no root).
pub fn model(doc: &Document) -> Config<'_> {
    doc.root.as_ref().map(Config::from_root).unwrap_or_default()
}

impl<'a> Context<'a> {
    /// Everything known about one file. The stages' results are built by the caller, in order
    /// (`model`, then `Graphs::build`), because each borrows the one before.
    pub fn new(
        path: &'a str,
        source: &'a str,
        lines: &'a LineIndex,
        doc: &'a Document,
        settings: &'a Settings,
        config: &'a Config<'a>,
        graphs: &'a Graphs<'a>,
    ) -> Context<'a> {
        Context {
            path,
            source,
            lines,
            doc,
            settings,
            config,
            graphs,
            orbs: crate::orbs::Orbs::load(
                config,
                crate::orbs::cache_dir(settings.orb_cache.as_deref()),
            ),
        }
    }
}

//! The names of a config and every place each is written: jobs, commands, executors, their
//! parameters, pipeline parameters, orbs, workflows, workflow entries renamed with `name:`,
//! and YAML anchors. What an editor needs for "go to definition", "find references" and
//! "rename", built from the model once per version of a file.

use crate::analysis::context::Context;
use crate::analysis::references::{member_references, references_under};
use crate::base::span::Span;
use crate::config::model::{Arg, Config, ParamDecl, Step, orb_ref};
use crate::lang::mustache::RefKind;
use std::collections::HashMap;

/// What a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Job,
    Command,
    Executor,
    /// A parameter of a job, command or executor (its `owner`).
    Parameter,
    PipelineParameter,
    Orb,
    Workflow,
    /// A workflow entry's `name:`, which `requires` entries refer to.
    EntryName,
    /// A YAML anchor (`&name`); its uses are the aliases (`*name`).
    Anchor,
}

impl SymbolKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolKind::Job => "job",
            SymbolKind::Command => "command",
            SymbolKind::Executor => "executor",
            SymbolKind::Parameter => "parameter",
            SymbolKind::PipelineParameter => "pipeline parameter",
            SymbolKind::Orb => "orb",
            SymbolKind::Workflow => "workflow",
            SymbolKind::EntryName => "workflow job name",
            SymbolKind::Anchor => "anchor",
        }
    }

    /// Whether renaming it is offered (every use is found, and nothing else).
    pub fn renamable(self) -> bool {
        matches!(
            self,
            SymbolKind::Job | SymbolKind::Command | SymbolKind::Executor | SymbolKind::Parameter
        )
    }
}

/// A defined name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub kind: SymbolKind,
    pub name: String,
    /// The name where it is defined.
    pub def: Span,
    /// The whole definition (name and body), for outlines and folding.
    pub extent: Span,
    /// The job, command or executor a parameter belongs to.
    pub owner: Option<usize>,
    /// 0 for the file, then one per inline orb (in the order of `Config::scopes`).
    pub scope: usize,
}

/// A place a symbol's name is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub symbol: usize,
    pub span: Span,
    /// The definition itself.
    pub def: bool,
}

/// Every symbol of a file and every occurrence of each.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    pub symbols: Vec<Symbol>,
    /// Sorted by position.
    pub occurrences: Vec<Occurrence>,
}

impl Symbols {
    /// The occurrence under `offset` (the end of a name counts, as a cursor just after it).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let offset = offset as u32;
        self.occurrences
            .iter()
            .filter(|o| o.span.start <= offset && offset <= o.span.end)
            .min_by_key(|o| o.span.len())
    }

    /// Every occurrence of a symbol, the definition first.
    pub fn occurrences_of(&self, symbol: usize) -> Vec<Occurrence> {
        let mut out: Vec<Occurrence> = self
            .occurrences
            .iter()
            .filter(|o| o.symbol == symbol)
            .copied()
            .collect();
        out.sort_by_key(|o| (!o.def, o.span.start));
        out
    }

    /// The symbols of one kind in one scope, by name.
    pub fn find(&self, kind: SymbolKind, scope: usize, name: &str) -> Option<usize> {
        self.symbols
            .iter()
            .position(|s| s.kind == kind && s.scope == scope && s.name == name)
    }
}

struct Builder<'s> {
    source: &'s str,
    out: Symbols,
    seen: std::collections::HashSet<(usize, Span)>,
}

impl Builder<'_> {
    fn symbol(
        &mut self,
        kind: SymbolKind,
        name: &str,
        def: Span,
        extent: Span,
        scope: usize,
        owner: Option<usize>,
    ) -> usize {
        self.out.symbols.push(Symbol {
            kind,
            name: name.to_string(),
            def,
            extent: extent.cover(def),
            owner,
            scope,
        });
        let id = self.out.symbols.len() - 1;
        self.occurrence(id, def, true);
        id
    }

    /// An occurrence, when the span spells the symbol's name exactly (a name mapped from an
    /// escaped or folded scalar, or reached through an alias elsewhere, is left out).
    fn occurrence(&mut self, symbol: usize, span: Span, def: bool) {
        if span.slice(self.source) != self.out.symbols[symbol].name {
            return;
        }
        if self.seen.insert((symbol, span)) {
            self.out.occurrences.push(Occurrence { symbol, span, def });
        }
    }

    fn params(
        &mut self,
        params: &[ParamDecl<'_>],
        owner: usize,
        scope: usize,
    ) -> HashMap<String, usize> {
        params
            .iter()
            .map(|p| {
                let id = self.symbol(
                    SymbolKind::Parameter,
                    p.name.text,
                    p.name.span,
                    p.name.span.cover(p.node.span),
                    scope,
                    Some(owner),
                );
                (p.name.text.to_string(), id)
            })
            .collect()
    }

    fn args(
        &mut self,
        args: impl Iterator<Item = (String, Span)>,
        params: Option<&HashMap<String, usize>>,
    ) {
        let Some(params) = params else { return };
        for (name, span) in args {
            if let Some(&id) = params.get(&name) {
                self.occurrence(id, span, false);
            }
        }
    }
}

fn arg_names<'x>(args: &'x [Arg<'_>]) -> impl Iterator<Item = (String, Span)> + 'x {
    args.iter().map(|a| (a.name.text.to_string(), a.name.span))
}

/// Every symbol of the file behind `cx`, with its occurrences.
pub fn symbols(cx: &Context) -> Symbols {
    let mut b = Builder {
        source: cx.source,
        out: Symbols::default(),
        seen: Default::default(),
    };
    let scopes = cx.scopes();
    // Inline orbs by alias, for `alias/member` in the file.
    let inline: HashMap<&str, usize> = scopes
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.orb.map(|o| (o.alias.text, i)))
        .collect();
    let mut member_params: Params = HashMap::new();
    for (si, scope) in scopes.iter().enumerate() {
        let cfg = scope.config;
        for (kind, items) in [
            (
                SymbolKind::Job,
                cfg.jobs
                    .iter()
                    .map(|j| (j.name, j.node, &j.parameters[..]))
                    .collect::<Vec<_>>(),
            ),
            (
                SymbolKind::Command,
                cfg.commands
                    .iter()
                    .map(|c| (c.name, c.node, &c.parameters[..]))
                    .collect(),
            ),
            (
                SymbolKind::Executor,
                cfg.executors
                    .iter()
                    .map(|e| (e.name, e.node, &e.parameters[..]))
                    .collect(),
            ),
        ] {
            for (name, node, params) in items {
                let id = b.symbol(kind, name.text, name.span, node.span, si, None);
                let params = b.params(params, id, si);
                // `<< parameters.x >>` inside the member.
                for f in member_references(cx.source, node) {
                    if f.reference.kind != RefKind::Parameter || f.alias.is_some() {
                        continue;
                    }
                    if let Some(&pid) = params.get(&f.reference.name) {
                        let end = f.span.end as usize;
                        let span = Span::new(end.saturating_sub(f.reference.name.len()), end);
                        b.occurrence(pid, span, false);
                    }
                }
                member_params.insert((kind, si, name.text.to_string()), params);
            }
        }
        if si == 0 {
            for p in &cfg.parameters {
                b.symbol(
                    SymbolKind::PipelineParameter,
                    p.name.text,
                    p.name.span,
                    p.name.span.cover(p.node.span),
                    0,
                    None,
                );
            }
        }
        for orb in &cfg.orbs {
            b.symbol(
                SymbolKind::Orb,
                orb.alias.text,
                orb.alias.span,
                orb.alias.span.cover(orb.node.span),
                si,
                None,
            );
        }
        for wf in &cfg.workflows {
            b.symbol(
                SymbolKind::Workflow,
                wf.name.text,
                wf.name.span,
                wf.node.span,
                si,
                None,
            );
        }
    }
    for (si, scope) in scopes.iter().enumerate() {
        uses(&mut b, scope.config, si, &inline, &member_params);
    }
    // Pipeline parameters anywhere in the file.
    if let Some(root) = cx.doc.root.as_ref() {
        let mut found = Vec::new();
        references_under(cx.source, root, &mut found);
        for f in found {
            if f.reference.kind == RefKind::PipelineParameter
                && let Some(id) = b
                    .out
                    .find(SymbolKind::PipelineParameter, 0, &f.reference.name)
            {
                let end = f.span.end as usize;
                b.occurrence(
                    id,
                    Span::new(end.saturating_sub(f.reference.name.len()), end),
                    false,
                );
            }
        }
    }
    for anchor in &cx.doc.anchors {
        let def = name_after(cx.source, anchor.span, '&');
        let id = b.symbol(SymbolKind::Anchor, &anchor.name, def, anchor.span, 0, None);
        for &u in &anchor.uses {
            b.occurrence(id, name_after(cx.source, u, '*'), false);
        }
    }
    b.out
        .occurrences
        .sort_by_key(|o| (o.span.start, o.span.end));
    b.out
}

/// The name in `&name` or `*name`.
fn name_after(source: &str, span: Span, sigil: char) -> Span {
    if span.slice(source).starts_with(sigil) {
        Span::new(span.start as usize + 1, span.end as usize)
    } else {
        span
    }
}

type Params = HashMap<(SymbolKind, usize, String), HashMap<String, usize>>;

/// The uses of names in one scope: workflow entries and `requires`, steps, executors, orbs.
fn uses(b: &mut Builder, cfg: &Config, si: usize, inline: &HashMap<&str, usize>, params: &Params) {
    for job in &cfg.jobs {
        steps(b, si, inline, params, &job.steps);
    }
    for cmd in &cfg.commands {
        steps(b, si, inline, params, &cmd.steps);
    }
    for job in &cfg.jobs {
        if let Some(ex) = &job.executor
            && let Some(name) = ex.name
            && let Some(key) = name_use(b, si, inline, SymbolKind::Executor, name.text, name.span)
        {
            b.args(
                arg_names(&ex.args),
                params.get(&(SymbolKind::Executor, key.0, key.1)),
            );
        }
    }
    let entry_lists = cfg
        .workflows
        .iter()
        .map(|w| &w.jobs)
        .chain(cfg.job_groups.iter().map(|g| &g.jobs));
    for entries in entry_lists {
        // Entries renamed with `name:`: `requires` refers to that name.
        let mut renamed: HashMap<&str, usize> = HashMap::new();
        for inv in entries.iter() {
            if let Some(n) = inv.name {
                let id = b.symbol(
                    SymbolKind::EntryName,
                    n.text,
                    n.span,
                    inv.node.span,
                    si,
                    None,
                );
                renamed.entry(n.text).or_insert(id);
            }
        }
        for inv in entries.iter() {
            if inv.approval.is_none()
                && let Some(key) =
                    name_use(b, si, inline, SymbolKind::Job, inv.job.text, inv.job.span)
            {
                b.args(
                    arg_names(&inv.args),
                    params.get(&(SymbolKind::Job, key.0, key.1)),
                );
            }
            steps(b, si, inline, params, &inv.pre_steps);
            steps(b, si, inline, params, &inv.post_steps);
        }
        for inv in entries.iter() {
            for r in &inv.requires {
                let text = r.name.text;
                if let Some(&id) = renamed.get(text) {
                    b.occurrence(id, r.name.span, false);
                } else if entries
                    .iter()
                    .any(|i| i.name.is_none() && i.job.text == text && i.approval.is_none())
                    && let Some(id) = b.out.find(SymbolKind::Job, si, text)
                {
                    b.occurrence(id, r.name.span, false);
                }
            }
        }
    }
}

/// The steps of a list (and of its `when`/`unless` blocks): calls of commands and their
/// arguments.
fn steps(
    b: &mut Builder,
    si: usize,
    inline: &HashMap<&str, usize>,
    params: &Params,
    list: &[Step],
) {
    for top in list {
        top.walk(&mut |st| {
            let Some(name) = st.name else { return };
            if let Some(key) = name_use(b, si, inline, SymbolKind::Command, name.text, name.span) {
                let args = st.args.and_then(|a| a.as_map()).unwrap_or(&[]);
                let args = args
                    .iter()
                    .filter_map(|(k, _)| Some((k.scalar_text()?.to_string(), k.span)));
                b.args(args, params.get(&(SymbolKind::Command, key.0, key.1)));
            }
        });
    }
}

/// A name `alias/member` or a local one, of kind `kind`: the orb's alias, an inline orb's
/// member, or the scope's own member. Returns the member's scope and name (for its
/// parameters).
fn name_use(
    b: &mut Builder,
    si: usize,
    inline: &HashMap<&str, usize>,
    kind: SymbolKind,
    text: &str,
    span: Span,
) -> Option<(usize, String)> {
    if let Some(r) = orb_ref(text) {
        if let Some(id) = b.out.find(SymbolKind::Orb, si, r.orb) {
            b.occurrence(
                id,
                Span::new(span.start as usize, span.start as usize + r.orb.len()),
                false,
            );
        }
        let &scope = inline.get(r.orb).filter(|_| si == 0)?;
        let id = b.out.find(kind, scope, r.member)?;
        b.occurrence(
            id,
            Span::new(span.end as usize - r.member.len(), span.end as usize),
            false,
        );
        return Some((scope, r.member.to_string()));
    }
    let id = b.out.find(kind, si, text)?;
    b.occurrence(id, span, false);
    Some((si, text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::context::with_context;
    use crate::config::settings::Settings;

    const SRC: &str = "version: 2.1
parameters:
  deploy:
    type: boolean
    default: false
executors:
  node:
    parameters:
      tag: {type: string, default: lts}
    docker:
      - image: cimg/node:<< parameters.tag >>
commands:
  greet:
    parameters:
      who: {type: string, default: you}
    steps:
      - run: echo << parameters.who >>
defaults: &defaults
  executor:
    name: node
    tag: '20.1'
jobs:
  build:
    <<: *defaults
    steps:
      - greet:
          who: me
  test:
    executor: node
    steps: [greet]
workflows:
  main:
    when: << pipeline.parameters.deploy >>
    jobs:
      - build
      - test:
          requires: [build]
      - build:
          name: again
          requires: [test]
      - test:
          name: last
          requires: [again, build]
";

    fn texts(s: &Symbols, kind: SymbolKind, name: &str) -> Vec<(usize, bool)> {
        let id = s.find(kind, 0, name).unwrap();
        s.occurrences_of(id)
            .iter()
            .map(|o| (SRC[..o.span.start as usize].lines().count(), o.def))
            .collect()
    }

    #[test]
    fn finds_definitions_and_uses() {
        with_context(SRC, "c.yml", &Settings::default(), |cx| {
            let s = symbols(cx);
            for o in &s.occurrences {
                assert_eq!(o.span.slice(SRC), s.symbols[o.symbol].name);
            }
            // build: defined on line 23, run by two entries, required twice by name.
            let want: &[(SymbolKind, &str, &[usize])] = &[
                (SymbolKind::Job, "build", &[23, 35, 37, 38, 43]),
                (SymbolKind::Command, "greet", &[13, 26, 30]),
                (SymbolKind::Executor, "node", &[7, 20, 29]),
                (SymbolKind::Parameter, "who", &[15, 17, 27]),
                (SymbolKind::Parameter, "tag", &[9, 11, 21]),
                (SymbolKind::PipelineParameter, "deploy", &[3, 33]),
                (SymbolKind::EntryName, "again", &[39, 43]),
                (SymbolKind::Anchor, "defaults", &[18, 24]),
            ];
            for (kind, name, lines) in want {
                let got = texts(&s, *kind, name);
                let expected: Vec<(usize, bool)> = lines
                    .iter()
                    .enumerate()
                    .map(|(i, &l)| (l, i == 0))
                    .collect();
                assert_eq!(got, expected, "{kind:?} {name}");
            }
        });
    }
}

//! What an editor shows of a config, as plain data (no protocol types): hover text, the outline
//! (workflows, jobs, commands, executors), folding ranges, completions. The language server
//! (`cli::lsp`) turns them into protocol messages.

mod complete;

pub use complete::{CompletionKind, complete};

use crate::analysis::context::Context;
use crate::analysis::symbols::{SymbolKind, Symbols};
use crate::base::span::Span;
use crate::config::model::{Config, ParamDecl, orb_ref};
use crate::config::orbs::{self as members, Member, MemberKind, Param};
use crate::config::schema::{PathStep, key_description};
use crate::yaml::Node;

/// Hover text (Markdown) and the span it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub markdown: String,
    pub span: Span,
}

/// Where a node stands in the tree: the path of keys and list indices to it, and whether the
/// offset is on a mapping key.
#[derive(Clone, Debug)]
pub struct Place<'n> {
    pub path: Vec<PathStep>,
    /// The key's text for each `Key` step, and the node at the end.
    pub node: &'n Node,
    pub on_key: bool,
}

/// The deepest key or scalar under `offset`.
pub fn place_at(root: &Node, offset: usize) -> Option<Place<'_>> {
    let offset = offset as u32;
    let inside = |n: &Node| n.alias.is_none() && n.span.start <= offset && offset <= n.span.end;
    let mut path = Vec::new();
    let mut node = root;
    for _ in 0..256 {
        if let Some(map) = node.as_map() {
            if let Some((k, _)) = map.iter().find(|(k, _)| inside(k)) {
                path.push(PathStep::Key(k.scalar_text()?.to_string()));
                return Some(Place {
                    path,
                    node: k,
                    on_key: true,
                });
            }
            let (k, v) = map.iter().find(|(_, v)| inside(v))?;
            path.push(PathStep::Key(k.scalar_text()?.to_string()));
            node = v;
        } else if let Some(items) = node.as_seq() {
            let item = items.iter().find(|v| inside(v))?;
            path.push(PathStep::Index);
            node = item;
        } else {
            return Some(Place {
                path,
                node,
                on_key: false,
            });
        }
    }
    None
}

/// Where a span is, as hovers say it: `line 12` (a caller with several files may name the
/// file too).
pub type Where<'w> = &'w dyn Fn(Span) -> String;

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// A table of parameters: name, type, default.
pub fn params_table(params: &[Param<'_, '_>]) -> String {
    if params.is_empty() {
        return "no parameters".to_string();
    }
    let mut out = String::from("| parameter | type | default |\n| --- | --- | --- |\n");
    for p in params {
        let ty = p.ty().map_or("?", |t| t.as_str());
        let mut ty = ty.to_string();
        let values = p.enum_texts();
        if !values.is_empty() {
            ty = format!("{ty} ({})", values.join(", "));
        }
        let default = match p.default_json() {
            None => "*required*".to_string(),
            Some(v) => format!("`{}`", json_text(&v)),
        };
        out.push_str(&format!("| `{}` | {ty} | {default} |\n", p.name()));
    }
    out
}

/// The member of `kind` called `name` in `cfg`.
fn local_member<'m, 'a>(
    cfg: &'m Config<'a>,
    kind: SymbolKind,
    name: &str,
) -> Option<Member<'m, 'a>> {
    match kind {
        SymbolKind::Job => cfg.job(name).map(Member::Job),
        SymbolKind::Command => cfg.command(name).map(Member::Command),
        SymbolKind::Executor => cfg.executor(name).map(Member::Executor),
        _ => None,
    }
}

fn decls<'m, 'a>(member: &Member<'m, 'a>) -> &'m [ParamDecl<'a>] {
    match member {
        Member::Job(j) => &j.parameters,
        Member::Command(c) => &c.parameters,
        Member::Executor(e) => &e.parameters,
        Member::Spec(_) => &[],
    }
}

fn describe_param(place: Where, p: &ParamDecl<'_>, owner: &str) -> String {
    let ty = p.ty.map_or("?", |t| t.as_str());
    let mut out = format!("**parameter** `{}` of {owner}\n\ntype: `{ty}`", p.name.text);
    match p.default {
        Some(d) => out.push_str(&format!(
            "; default: `{}`",
            json_text(&crate::yaml::to_json(d))
        )),
        None => out.push_str("; required (no default)"),
    }
    let values: Vec<&str> = p
        .enum_values
        .iter()
        .filter_map(|v| v.scalar_text())
        .collect();
    if !values.is_empty() {
        out.push_str(&format!("; one of {}", values.join(", ")));
    }
    if let Some(d) = p.node.get("description").and_then(Node::scalar_text) {
        out.push_str(&format!("\n\n{d}"));
    }
    out.push_str(&format!("\n\ndefined on {}", place(p.name.span)));
    out
}

/// What to show on hover at `offset`.
pub fn hover(cx: &Context, symbols: &Symbols, offset: usize) -> Option<Hover> {
    hover_at(cx, symbols, offset, &|span| {
        format!("line {}", cx.lines.line(span.start as usize))
    })
}

/// What to show on hover at `offset`, with `place` saying where definitions are.
pub fn hover_at(cx: &Context, symbols: &Symbols, offset: usize, place: Where) -> Option<Hover> {
    let scopes = cx.scopes();
    if let Some(o) = symbols.at(offset) {
        let s = &symbols.symbols[o.symbol];
        let cfg = scopes.get(s.scope)?.config;
        let in_orb = scopes[s.scope]
            .orb
            .map(|o| format!(" of inline orb `{}`", o.alias))
            .unwrap_or_default();
        let markdown = match s.kind {
            SymbolKind::Job | SymbolKind::Command | SymbolKind::Executor => {
                let member = local_member(cfg, s.kind, &s.name)?;
                let mut text = format!(
                    "**{}** `{}`{in_orb}, defined on {}\n\n{}",
                    s.kind.as_str(),
                    s.name,
                    place(s.def),
                    params_table(&member.params())
                );
                let body = match member {
                    Member::Job(j) => Some(j.node),
                    Member::Command(c) => Some(c.node),
                    Member::Executor(e) => Some(e.node),
                    Member::Spec(_) => None,
                };
                if let Some(d) = body
                    .and_then(|b| b.get("description"))
                    .and_then(Node::scalar_text)
                {
                    text.push_str(&format!("\n{d}"));
                }
                text
            }
            SymbolKind::Parameter => {
                let owner = &symbols.symbols[s.owner?];
                let member = local_member(cfg, owner.kind, &owner.name)?;
                let p = decls(&member).iter().find(|p| p.name.text == s.name)?;
                describe_param(
                    place,
                    p,
                    &format!("{} `{}`{in_orb}", owner.kind.as_str(), owner.name),
                )
            }
            SymbolKind::PipelineParameter => {
                let p = cx
                    .config
                    .parameters
                    .iter()
                    .find(|p| p.name.text == s.name)?;
                describe_param(place, p, "the pipeline")
            }
            SymbolKind::Orb => {
                let decl = cfg.orb(&s.name)?;
                let what = match decl.reference() {
                    Some(r) => {
                        let scope = scopes[s.scope];
                        let res = members::resolve(&cx.orbs, cx.config, &scope, &s.name);
                        match res.registry() {
                            Some(r2) => {
                                format!("`{r}`, checked as `{}` from {}", r2.checked(), r2.origin())
                            }
                            None => format!("`{r}`: no release of it is known offline"),
                        }
                    }
                    None => "an inline orb".to_string(),
                };
                format!(
                    "**orb** `{}`: {what}\n\ndeclared on {}",
                    s.name,
                    place(s.def)
                )
            }
            SymbolKind::Workflow => format!("**workflow** `{}`", s.name),
            SymbolKind::EntryName => format!(
                "**workflow job** `{}` (a `name:` that `requires` entries refer to), {}",
                s.name,
                place(s.def)
            ),
            SymbolKind::Anchor => format!(
                "**anchor** `&{}`, defined on {}, used {} times",
                s.name,
                place(s.def),
                symbols.occurrences_of(o.symbol).len() - 1
            ),
        };
        // On a name that refers to an orb's member, the member tells more than the alias.
        if s.kind != SymbolKind::Orb {
            return Some(Hover {
                markdown,
                span: o.span,
            });
        }
        if let Some(h) = orb_member_hover(cx, offset) {
            return Some(h);
        }
        return Some(Hover {
            markdown,
            span: o.span,
        });
    }
    if let Some(h) = orb_member_hover(cx, offset) {
        return Some(h);
    }
    // A key: what the schema says of it.
    let place = place_at(cx.doc.root.as_ref()?, offset)?;
    if !place.on_key {
        return None;
    }
    let text = key_description(&place.path)?;
    let key = place.node.scalar_text()?;
    Some(Hover {
        markdown: format!("**`{key}`**\n\n{text}"),
        span: place.node.span,
    })
}

/// The kind of member a name at `path` refers to.
fn member_kind_at(path: &[PathStep]) -> Vec<MemberKind> {
    let keys: Vec<&str> = path
        .iter()
        .filter_map(|p| match p {
            PathStep::Key(k) => Some(k.as_str()),
            PathStep::Index => None,
        })
        .collect();
    if keys.contains(&"steps") || keys.contains(&"pre-steps") || keys.contains(&"post-steps") {
        vec![MemberKind::Command]
    } else if keys.contains(&"executor") {
        vec![MemberKind::Executor]
    } else if keys.first() == Some(&"workflows") || keys.first() == Some(&"job-groups") {
        vec![MemberKind::Job]
    } else {
        MemberKind::ALL.to_vec()
    }
}

/// Hover on `alias/member` of a registry orb: the member's parameters, from the orb cache or
/// the built-in catalog.
fn orb_member_hover(cx: &Context, offset: usize) -> Option<Hover> {
    let place = place_at(cx.doc.root.as_ref()?, offset)?;
    let text = place.node.scalar_text()?;
    let r = orb_ref(text)?;
    let scopes = cx.scopes();
    let res = members::resolve(&cx.orbs, cx.config, &scopes[0], r.orb);
    let found = res.members()?;
    let (kind, member) = member_kind_at(&place.path)
        .into_iter()
        .find_map(|k| found.member(k, r.member).map(|m| (k, m)))?;
    let from = match res.registry() {
        Some(reg) => format!("from {}", reg.checked()),
        None => "from the inline orb".to_string(),
    };
    Some(Hover {
        markdown: format!(
            "**{}** `{text}` ({from})\n\n{}",
            kind.as_str(),
            params_table(&member.params())
        ),
        span: place.node.span,
    })
}

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outline {
    pub name: String,
    pub kind: SymbolKind,
    /// The name.
    pub selection: Span,
    /// The whole item.
    pub extent: Span,
    pub children: Vec<Outline>,
}

/// The outline of a file: workflows (with their jobs' entries), jobs, commands, executors,
/// pipeline parameters and orbs, in source order.
pub fn outline(symbols: &Symbols) -> Vec<Outline> {
    let mut out: Vec<Outline> = symbols
        .symbols
        .iter()
        .filter(|s| {
            s.scope == 0
                && matches!(
                    s.kind,
                    SymbolKind::Workflow
                        | SymbolKind::Job
                        | SymbolKind::Command
                        | SymbolKind::Executor
                        | SymbolKind::PipelineParameter
                        | SymbolKind::Orb
                )
        })
        .map(|s| Outline {
            name: s.name.clone(),
            kind: s.kind,
            selection: s.def,
            extent: s.extent,
            children: symbols
                .symbols
                .iter()
                .filter(|p| p.owner.is_some_and(|o| symbols.symbols[o].def == s.def))
                .map(|p| Outline {
                    name: p.name.clone(),
                    kind: p.kind,
                    selection: p.def,
                    extent: p.extent,
                    children: Vec::new(),
                })
                .collect(),
        })
        .collect();
    out.sort_by_key(|o| o.selection.start);
    out
}

/// Folding ranges (1-based first and last lines): each top-level section, and each item of a
/// section (a job, a command, a workflow...), when it spans more than one line.
pub fn folds(cx: &Context) -> Vec<(usize, usize)> {
    let Some(map) = cx.doc.root.as_ref().and_then(Node::as_map) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut add = |k: &Node, v: &Node| {
        if k.alias.is_some() || v.alias.is_some() {
            return;
        }
        let first = cx.lines.line(k.span.start as usize);
        let end = v.span.end.max(k.span.end) as usize;
        let mut last = cx.lines.line(end.saturating_sub(1));
        while last > first && cx.lines.line_text(cx.source, last).trim().is_empty() {
            last -= 1;
        }
        if last > first {
            out.push((first, last));
        }
    };
    for (k, v) in map {
        add(k, v);
        if let Some(items) = v.as_map() {
            for (k2, v2) in items {
                add(k2, v2);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;

//! The `<< ... >>` references of a file: every one under the root, and those of each job,
//! command and executor (with those inside its own `parameters:` declarations marked). Several
//! rules read them; the context finds them once per file.

use crate::base::span::Span;
use crate::config::model::{Config, ParamDecl};
use crate::lang::mustache::{self, Reference};
use crate::yaml::Node;
use crate::yaml::walk::walk_scalars;

/// How deep a walk goes (the loader bounds nesting much lower).
const DEPTH: usize = 512;

/// One `<< ... >>` reference found in the tree, with its span in the file.
#[derive(Clone, Debug)]
pub struct Found {
    pub reference: Reference,
    /// The dotted name's span in the file (the whole scalar where it cannot be mapped).
    pub span: Span,
    /// Where the scalar's alias is used, when it came through one.
    pub alias: Option<Span>,
    /// Inside the member's own `parameters:` declarations.
    pub in_declarations: bool,
}

/// Every reference in the scalars under `node`.
pub fn references_under(source: &str, node: &Node, out: &mut Vec<Found>) {
    walk_scalars(node, DEPTH, &mut |s| {
        let Some(text) = s.scalar_text() else { return };
        if !text.contains("<<") {
            return;
        }
        for r in mustache::references(text) {
            let span = mustache::source_span(source, s, r.name_span);
            out.push(Found {
                reference: r,
                span,
                alias: s.alias,
                in_declarations: false,
            });
        }
    });
}

/// A job, command or executor: what it is called and what it declares.
pub struct Member<'m, 'a> {
    pub what: &'static str,
    pub name: &'a str,
    pub node: &'a Node,
    pub parameters: &'m [ParamDecl<'a>],
}

/// Every job, command and executor of `cfg`.
pub fn members<'m, 'a>(cfg: &'m Config<'a>) -> Vec<Member<'m, 'a>> {
    let mut out = Vec::new();
    for j in &cfg.jobs {
        out.push(Member {
            what: "job",
            name: j.name.text,
            node: j.node,
            parameters: &j.parameters,
        });
    }
    for c in &cfg.commands {
        out.push(Member {
            what: "command",
            name: c.name.text,
            node: c.node,
            parameters: &c.parameters,
        });
    }
    for e in &cfg.executors {
        out.push(Member {
            what: "executor",
            name: e.name.text,
            node: e.node,
            parameters: &e.parameters,
        });
    }
    out
}

/// The references in a member's body; those inside its `parameters:` are marked.
pub fn member_references(source: &str, body: &Node) -> Vec<Found> {
    let mut out = Vec::new();
    let Some(map) = body.as_map() else {
        references_under(source, body, &mut out);
        return out;
    };
    for (k, v) in map {
        let start = out.len();
        references_under(source, k, &mut out);
        references_under(source, v, &mut out);
        if k.scalar_text() == Some("parameters") {
            for f in &mut out[start..] {
                f.in_declarations = true;
            }
        }
    }
    out
}

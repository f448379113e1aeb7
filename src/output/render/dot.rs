//! Graphviz DOT with the same look as the SVG renderer: rounded blue-grey job boxes, amber
//! hexagon approval holds with a pause mark, small grey sublabels (HTML-like labels), status
//! labels on edges, red cycle edges, red outlines for nodes with errors, faded dashed nodes with
//! their reason as tooltip, the workflow name and triggers as the graph (or cluster) label.
//! Several diagrams become one graph with a cluster per workflow.

use std::fmt::Write as _;

use super::{Diagram, Direction, NodeKind, Options};

const FONT: &str = "Helvetica,Arial,sans-serif";

/// One diagram as a DOT `digraph`.
pub fn render(d: &Diagram, opts: &Options) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&d.title));
    header(&mut out, opts);
    let _ = writeln!(out, "  label={};", title_label(d));
    body(&mut out, d, "", "  ");
    out.push_str("}\n");
    out
}

/// Several diagrams as one `digraph` with a cluster per workflow.
pub fn render_all(diagrams: &[Diagram], opts: &Options) -> String {
    if let [one] = diagrams {
        return render(one, opts);
    }
    let mut out = String::new();
    out.push_str("digraph \"workflows\" {\n");
    header(&mut out, opts);
    for (i, d) in diagrams.iter().enumerate() {
        let _ = writeln!(out, "  subgraph \"cluster_{i}\" {{");
        let _ = writeln!(out, "    label={};", title_label(d));
        out.push_str("    style=\"rounded\";\n    color=\"#cbd5e1\";\n    margin=16;\n");
        body(&mut out, d, &format!("w{i}_"), "    ");
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

fn header(out: &mut String, opts: &Options) {
    let rankdir = match opts.direction {
        Direction::LeftRight => "LR",
        Direction::TopBottom => "TB",
    };
    let _ = writeln!(
        out,
        "  graph [rankdir={rankdir}, fontname=\"{FONT}\", bgcolor=\"white\", labelloc=t, labeljust=l, nodesep=0.25, ranksep=0.55, pad=0.3];"
    );
    let _ = writeln!(
        out,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"{FONT}\", fontsize=13, fillcolor=\"#eef4ff\", color=\"#5b7db8\", fontcolor=\"#102a43\", penwidth=1.3, margin=\"0.18,0.08\"];"
    );
    let _ = writeln!(
        out,
        "  edge [color=\"#94a3b8\", penwidth=1.3, arrowsize=0.7, fontname=\"{FONT}\", fontsize=10, fontcolor=\"#475569\"];"
    );
}

fn title_label(d: &Diagram) -> String {
    let mut s = format!("<<b>{}</b>", html(&d.title));
    for line in &d.subtitle {
        let _ = write!(
            s,
            "<br align=\"left\"/><font point-size=\"10\" color=\"#6b7280\">{}</font>",
            html(line)
        );
    }
    s.push_str("<br align=\"left\"/>>");
    s
}

fn body(out: &mut String, d: &Diagram, prefix: &str, ind: &str) {
    for (i, n) in d.nodes.iter().enumerate() {
        let mut label = String::from("<");
        if n.kind == NodeKind::Approval {
            label.push_str("⏸ ");
        }
        let _ = write!(label, "<b>{}</b>", html(&n.label));
        for sub in &n.sublabels {
            let _ = write!(
                label,
                "<br/><font point-size=\"10\" color=\"#6b7280\">{}</font>",
                html(sub)
            );
        }
        label.push('>');
        let approval = n.kind == NodeKind::Approval;
        let mut attrs = vec![format!("label={label}")];
        if approval {
            attrs.push("shape=hexagon".into());
        }
        let (style, fill, stroke, font) = match (approval, n.faded) {
            (_, true) => (
                if approval {
                    "filled,dashed"
                } else {
                    "rounded,filled,dashed"
                },
                "#f3f4f6",
                "#9ca3af",
                "#9ca3af",
            ),
            (true, false) => ("filled", "#fff3cd", "#c98a00", "#5c3d00"),
            (false, false) => ("", "", "", ""),
        };
        if !style.is_empty() {
            attrs.push(format!("style=\"{style}\""));
            attrs.push(format!("fillcolor=\"{fill}\""));
            attrs.push(format!("fontcolor=\"{font}\""));
        }
        if n.has_error {
            attrs.push("color=\"#d92d20\"".into());
            attrs.push("penwidth=2.5".into());
        } else if !stroke.is_empty() {
            attrs.push(format!("color=\"{stroke}\""));
        }
        if let Some(t) = &n.tooltip {
            attrs.push(format!("tooltip={}", quote(t)));
        }
        let _ = writeln!(out, "{ind}\"{prefix}n{i}\" [{}];", attrs.join(", "));
    }
    for e in d.valid_edges() {
        let mut attrs = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label={}", quote(&format!(" {l} "))));
            if l.contains("failed") {
                attrs.push("fontcolor=\"#b42318\"".into());
            }
        }
        if e.in_cycle {
            attrs.push("color=\"#d92d20\"".into());
            attrs.push("penwidth=2".into());
        } else if d.nodes[e.from].faded || d.nodes[e.to].faded {
            attrs.push("color=\"#d1d5db\"".into());
            attrs.push("style=dashed".into());
        }
        let a = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        let _ = writeln!(
            out,
            "{ind}\"{prefix}n{}\" -> \"{prefix}n{}\"{a};",
            e.from, e.to
        );
    }
}

/// A DOT double-quoted string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text inside a DOT HTML-like label.
/// Square brackets are references too, and control characters (line breaks included) spaces.
pub(super) fn html(s: &str) -> String {
    super::xml_escape_with(s, |c| match c {
        '[' => Some("&#91;"),
        ']' => Some("&#93;"),
        c if (c as u32) < 0x20 => Some(" "),
        _ => None,
    })
}

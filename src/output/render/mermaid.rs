//! A Mermaid `flowchart` block for Markdown (GitHub renders it): job boxes with rounded
//! corners, approval holds as hexagons with a pause mark, sublabels in small text, status labels
//! on edges, and classes (`classDef`) for approvals, errors and faded nodes; cycle edges red via
//! `linkStyle`. Several diagrams become one flowchart with a subgraph per workflow.

use std::fmt::Write as _;

use super::{Diagram, Direction, NodeKind, Options};

/// One diagram as a Mermaid flowchart (without the Markdown fence).
pub fn render(d: &Diagram, opts: &Options) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---\ntitle: {}\n---", yaml_quote(&d.title));
    let _ = writeln!(out, "flowchart {}", dir(opts));
    for line in &d.subtitle {
        let _ = writeln!(out, "  %% trigger: {}", one_line(line));
    }
    let mut links = 0;
    let mut cycle_links = Vec::new();
    body(&mut out, d, "", "  ", &mut links, &mut cycle_links);
    footer(&mut out, &cycle_links);
    out
}

/// Several diagrams as one flowchart with a subgraph per workflow.
pub fn render_all(diagrams: &[Diagram], opts: &Options) -> String {
    if let [one] = diagrams {
        return render(one, opts);
    }
    let mut out = String::new();
    let _ = writeln!(out, "flowchart {}", dir(opts));
    let mut links = 0;
    let mut cycle_links = Vec::new();
    for (i, d) in diagrams.iter().enumerate() {
        let _ = writeln!(out, "  subgraph w{i}[\"{}\"]", label_text(&d.title));
        let _ = writeln!(out, "    direction {}", dir(opts));
        for line in &d.subtitle {
            let _ = writeln!(out, "    %% trigger: {}", one_line(line));
        }
        body(
            &mut out,
            d,
            &format!("w{i}_"),
            "    ",
            &mut links,
            &mut cycle_links,
        );
        out.push_str("  end\n");
    }
    footer(&mut out, &cycle_links);
    out
}

fn dir(opts: &Options) -> &'static str {
    match opts.direction {
        Direction::LeftRight => "LR",
        Direction::TopBottom => "TB",
    }
}

/// A node id: `n<index>_<name with only [A-Za-z0-9_]>`, unique by its index.
pub fn node_id(prefix: &str, index: usize, id: &str) -> String {
    let mut s = format!("{prefix}n{index}_");
    for c in id.chars().take(40) {
        s.push(if c.is_ascii_alphanumeric() { c } else { '_' });
    }
    s
}

fn body(
    out: &mut String,
    d: &Diagram,
    prefix: &str,
    ind: &str,
    links: &mut usize,
    cycles: &mut Vec<usize>,
) {
    let ids: Vec<String> = d
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| node_id(prefix, i, &n.id))
        .collect();
    for (i, n) in d.nodes.iter().enumerate() {
        let mut text = String::new();
        if n.kind == NodeKind::Approval {
            text.push_str("⏸ ");
        }
        text.push_str(&label_text(&n.label));
        for s in &n.sublabels {
            let _ = write!(text, "<br/><small>{}</small>", label_text(s));
        }
        let (open, close) = match n.kind {
            NodeKind::Job => ("(\"", "\")"),
            NodeKind::Approval => ("{{\"", "\"}}"),
        };
        let _ = writeln!(out, "{ind}{}{open}{text}{close}", ids[i]);
    }
    for e in d.valid_edges() {
        let arrow = match &e.label {
            Some(l) => format!("-->|\"{}\"|", label_text(l)),
            None => "-->".to_string(),
        };
        let _ = writeln!(out, "{ind}{} {arrow} {}", ids[e.from], ids[e.to]);
        if e.in_cycle {
            cycles.push(*links);
        }
        *links += 1;
    }
    for (i, n) in d.nodes.iter().enumerate() {
        let mut classes = Vec::new();
        if n.kind == NodeKind::Approval {
            classes.push("approval");
        }
        if n.has_error {
            classes.push("error");
        }
        if n.faded {
            classes.push("faded");
        }
        for c in classes {
            let _ = writeln!(out, "{ind}class {} {c}", ids[i]);
        }
    }
}

fn footer(out: &mut String, cycle_links: &[usize]) {
    out.push_str("  classDef default fill:#eef4ff,stroke:#5b7db8,color:#102a43\n");
    out.push_str("  classDef approval fill:#fff3cd,stroke:#c98a00,color:#5c3d00\n");
    out.push_str("  classDef error stroke:#d92d20,stroke-width:3px\n");
    out.push_str(
        "  classDef faded fill:#f3f4f6,stroke:#9ca3af,color:#9ca3af,stroke-dasharray:5 3\n",
    );
    if !cycle_links.is_empty() {
        let list: Vec<String> = cycle_links.iter().map(usize::to_string).collect();
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#d92d20,stroke-width:2px",
            list.join(",")
        );
    }
}

/// Text inside a quoted Mermaid label: entity codes for the characters Mermaid or HTML would
/// interpret, newlines folded.
fn label_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn yaml_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

//! Workflow diagrams: a small rendering model ([`Diagram`]) and three renderers.
//!
//! The workflow graphs (`graph.rs`) are converted into a [`Diagram`] per workflow; the renderers
//! only know this model:
//!
//! - [`svg`]: a self-contained SVG, laid out by our own layered layout ([`layout`]), no Graphviz.
//! - [`dot`]: Graphviz DOT with the same styling (clusters per workflow for several diagrams).
//! - [`mermaid`]: a `flowchart` block for Markdown.
//!
//! Building a diagram:
//!
//! ```
//! use cilint::render::{Diagram, Edge, Node};
//! let mut d = Diagram::new("build_and_deploy");
//! d.trigger("schedule: 0 0 * * *");
//! let build = d.add_node(Node::job("build", "build").sublabel("node/test"));
//! let hold = d.add_node(Node::approval("hold", "hold"));
//! d.add_edge(Edge::new(build, hold).status("failed"));
//! let svg = cilint::render::svg::render(&d, &Default::default());
//! assert!(svg.starts_with("<svg"));
//! ```

pub mod dot;
pub mod from_graph;
pub mod layout;
pub mod mermaid;
pub mod svg;

/// One workflow, ready to draw. Serialisable, so a tool can print or read the model as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Diagram {
    /// The workflow name, drawn as the title.
    pub title: String,
    /// Lines under the title: the triggers (`schedule: 0 0 * * *`, `when: << pipeline.git.branch >>`).
    pub subtitle: Vec<String>,
    pub nodes: Vec<Node>,
    /// Edges from the required invocation to the requiring one, by index into `nodes`.
    pub edges: Vec<Edge>,
}

/// What a node stands for.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A job invocation.
    #[default]
    Job,
    /// An approval hold (`type: approval`).
    Approval,
}

/// One invocation in a workflow.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Node {
    /// A stable identifier (unique within the diagram; renderers sanitise it where needed).
    pub id: String,
    /// The invocation name.
    pub label: String,
    /// Small grey lines under the label: the job it runs when that differs from the name
    /// (`node/test`, a matrix instance's job), its filters in short form (`main`,
    /// `tags /v.*/`), its context.
    pub sublabels: Vec<String>,
    pub kind: NodeKind,
    /// A finding points at this invocation: outlined red.
    pub has_error: bool,
    /// Not run (in a plan for a given branch/tag): drawn faded.
    pub faded: bool,
    /// Hover text (SVG `<title>`, DOT `tooltip`), e.g. why the node is faded.
    pub tooltip: Option<String>,
}

/// A `requires` edge.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Edge {
    /// Index of the required node in [`Diagram::nodes`].
    pub from: usize,
    /// Index of the requiring node in [`Diagram::nodes`].
    pub to: usize,
    /// A non-default status the requirement waits for (`failed`, `terminal`, `success, failed`).
    pub label: Option<String>,
    /// The edge is part of a `requires` cycle: drawn red.
    pub in_cycle: bool,
}

/// Which way the edges run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Left to right (the default).
    #[default]
    LeftRight,
    /// Top to bottom.
    TopBottom,
}

impl std::str::FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "lr" | "left-right" => Ok(Direction::LeftRight),
            "tb" | "td" | "top-bottom" => Ok(Direction::TopBottom),
            other => Err(format!(
                "unknown direction `{other}` (expected `lr` or `tb`)"
            )),
        }
    }
}

/// Rendering options shared by the renderers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub direction: Direction,
    /// Draw the legend (SVG).
    pub legend: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            direction: Direction::LeftRight,
            legend: true,
        }
    }
}

impl Diagram {
    pub fn new(title: impl Into<String>) -> Self {
        Diagram {
            title: title.into(),
            ..Default::default()
        }
    }

    /// Add a line under the title (a trigger).
    pub fn trigger(&mut self, line: impl Into<String>) -> &mut Self {
        self.subtitle.push(line.into());
        self
    }

    /// Add a node; returns its index for [`Edge::new`].
    pub fn add_node(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// Add an edge. Edges whose ends are out of range are ignored by every renderer.
    pub fn add_edge(&mut self, edge: Edge) -> &mut Self {
        self.edges.push(edge);
        self
    }

    /// The index of the node with this id.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// The edges whose ends exist.
    pub(crate) fn valid_edges(&self) -> impl Iterator<Item = &Edge> {
        let n = self.nodes.len();
        self.edges.iter().filter(move |e| e.from < n && e.to < n)
    }
}

impl Node {
    pub fn job(id: impl Into<String>, label: impl Into<String>) -> Self {
        Node {
            id: id.into(),
            label: label.into(),
            ..Default::default()
        }
    }

    pub fn approval(id: impl Into<String>, label: impl Into<String>) -> Self {
        Node {
            kind: NodeKind::Approval,
            ..Node::job(id, label)
        }
    }

    /// Add a small grey line under the label.
    pub fn sublabel(mut self, line: impl Into<String>) -> Self {
        self.sublabels.push(line.into());
        self
    }

    /// Mark the node as carrying an error finding.
    pub fn error(mut self) -> Self {
        self.has_error = true;
        self
    }

    /// Mark the node as not run, with the reason as its tooltip.
    pub fn faded(mut self, reason: impl Into<String>) -> Self {
        self.faded = true;
        self.tooltip = Some(reason.into());
        self
    }

    pub fn tooltip(mut self, text: impl Into<String>) -> Self {
        self.tooltip = Some(text.into());
        self
    }

    pub fn is_approval(&self) -> bool {
        self.kind == NodeKind::Approval
    }
}

impl Edge {
    pub fn new(from: usize, to: usize) -> Self {
        Edge {
            from,
            to,
            ..Default::default()
        }
    }

    /// A non-default status label (`failed`, `terminal`).
    pub fn status(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Mark the edge as part of a cycle.
    pub fn cycle(mut self) -> Self {
        self.in_cycle = true;
        self
    }
}

/// Escape text for XML character data and attribute values.
pub(crate) fn xml_escape(s: &str) -> String {
    xml_escape_with(s, |_| None)
}

/// Escape text for XML: `special` may write a character its own way (`Some(text)`); every
/// other markup character becomes a reference, and a character XML 1.0 cannot hold at all
/// (most control characters, U+FFFE, U+FFFF) becomes U+FFFD rather than an invalid document.
pub(crate) fn xml_escape_with(s: &str, special: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if let Some(text) = special(c) {
            out.push_str(text);
            continue;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{FFFE}' | '\u{FFFF}') =>
            {
                out.push('\u{FFFD}')
            }
            c => out.push(c),
        }
    }
    out
}

/// Approximate advance width of `s` in a sans-serif font (Helvetica/Arial/DejaVu Sans metrics,
/// grouped by character class), in pixels at `size` px. `bold` widens by about 6%.
pub fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = s.chars().map(char_em).sum();
    em * size * if bold { 1.07 } else { 1.0 }
}

fn char_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '\'' | '|' | '!' | '.' | ',' | ':' | ';' | '`' => 0.28,
        'f' | 't' | 'r' | 'I' | ' ' | '(' | ')' | '[' | ']' | '/' | '\\' | '-' => 0.36,
        'm' | 'w' => 0.86,
        'M' | 'W' | '@' => 0.93,
        '%' | '&' | 'G' | 'O' | 'Q' | 'D' | 'H' | 'N' | 'U' | 'C' | 'R' => 0.76,
        'A'..='Z' => 0.68,
        '0'..='9' | '$' | '_' | '#' | '*' | '+' | '=' | '<' | '>' | '~' | '^' | '?' => 0.58,
        'a'..='z' => 0.57,
        '"' | '{' | '}' => 0.4,
        c if c.is_ascii() => 0.6,
        // Wide scripts and emoji take a full em; other non-ASCII letters are about average.
        c if (c as u32) >= 0x1100 => 1.0,
        _ => 0.66,
    }
}

/// Shorten `s` to at most `max` characters, ending with `…` when cut.
pub(crate) fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn xml_escape_keeps_every_document_well_formed() {
        let text = "a<b>&\"c'\t\n\u{1}\u{FFFF}[x]";
        assert_eq!(
            super::xml_escape(text),
            "a&lt;b&gt;&amp;&quot;c&#39;\t\n\u{FFFD}\u{FFFD}[x]"
        );
        assert_eq!(
            super::dot::html(text),
            "a&lt;b&gt;&amp;&quot;c&#39;   \u{FFFD}&#91;x&#93;"
        );
        assert_eq!(
            crate::output::report::junit::escape(text),
            "a&lt;b&gt;&amp;&quot;c&apos;&#9;&#10;\u{FFFD}\u{FFFD}[x]"
        );
    }
}

//! Any bytes through the loader alone (`yaml::decode`, `yaml::parse`, `yaml::to_json`): many
//! times faster than the `lint` target, so it goes deeper into the YAML parser and the tree
//! builder (anchors, aliases, merge keys, flow and block styles, encodings).
//!
//! Invariants checked: nothing panics; every node, alias, comment and finding span lies inside
//! the text on character boundaries; a comment's span starts at its `#`; a single-line plain
//! scalar's span holds exactly its text; nesting stays within the depth limit.
#![no_main]

use cilint::internals::{self as yaml, Node, ScalarStyle, Value};
use cilint::Span;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = yaml::decode(data) else {
        return;
    };
    let doc = yaml::parse(&src);
    for d in &doc.findings {
        assert!(!d.message.is_empty());
        for span in std::iter::once(d.primary.span).chain(d.labels.iter().map(|l| l.span)) {
            check_span(&src, span, "finding");
        }
    }
    for c in &doc.comments {
        check_span(&src, c.span, "comment");
        assert!(src[c.span.start as usize..].starts_with('#'), "{c:?} is not at a `#`");
    }
    if let Some(root) = &doc.root {
        walk(&src, root, 0);
        let _ = yaml::to_json(root);
    }
});

fn check_span(src: &str, span: Span, what: &str) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(
        start <= end && end <= src.len(),
        "{what} span {span:?} outside a text of {} bytes",
        src.len()
    );
    assert!(
        src.is_char_boundary(start) && src.is_char_boundary(end),
        "{what} span {span:?} splits a character"
    );
}

fn walk(src: &str, node: &Node, depth: usize) {
    assert!(depth <= 300, "nesting deeper than the limit");
    check_span(src, node.span, "node");
    if let Some(alias) = node.alias {
        check_span(src, alias, "alias");
    }
    match &node.value {
        Value::Scalar(s) => {
            let written = &src[node.span.start as usize..node.span.end as usize];
            if node.alias.is_none()
                && s.style == ScalarStyle::Plain
                && !written.contains(['\n', '\r'])
                && !written.is_empty()
            {
                assert_eq!(&*s.text, written, "plain scalar text differs from its span");
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| walk(src, n, depth + 1)),
        Value::Map(entries) => {
            for (k, v) in entries {
                walk(src, k, depth + 1);
                walk(src, v, depth + 1);
            }
        }
    }
}

//! `unsupported-regex`: a regex in a job filter, a `matches` logic statement or a `matches`
//! expression that CircleCI's config compiler rejects since its 2026 regex engine update.
//!
//! In 2026 CircleCI replaced the regex engine of its config compiler (changelog "Breaking
//! change: regex engine update for config compilation", folded into "Breaking Changes: Config
//! Compilation Updates", announced for 2026-07-17, in effect from 2026-09-21). Negative look-ahead, look-behind, possessive
//! quantifiers and backreferences are rejected, and so are long patterns ("Pattern too long";
//! projects reported failures from about 180 characters, one of them citing a 128-character
//! cap). Projects hit it in job filters (`branches`/`tags` `only`/`ignore`), in `when: matches:
//! pattern:` conditions, and the engine also reads `matches /.../` in expressions.
//!
//! Positive look-ahead and atomic groups were not named in the announcement: they are reported
//! as warnings.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::yaml::{Node, Value};

pub static UNSUPPORTED_REGEX: Rule = Rule {
    id: "unsupported-regex",
    severity: Severity::Error,
    summary: "a filter or `matches` regex uses a construct CircleCI's regex engine rejects since 2026 (look-around, backreferences, possessive quantifiers, very long patterns)",
    explanation: include_str!("docs/unsupported-regex.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

/// Patterns longer than this hit CircleCI's undocumented length cap ("Pattern too long").
const TOO_LONG: usize = 128;

/// One construct of a pattern that CircleCI's compiler rejects (or may reject).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Byte range in the pattern.
    pub start: usize,
    pub end: usize,
    pub what: &'static str,
    /// Named in CircleCI's announcement (an error), or only likely (a warning).
    pub confirmed: bool,
}

/// What CircleCI's 2026 regex engine rejects in `pattern` (the text between the slashes).
pub fn rejected_constructs(pattern: &str) -> Vec<Rejected> {
    let b = pattern.as_bytes();
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize, what: &'static str, confirmed: bool| {
        out.push(Rejected {
            start,
            end,
            what,
            confirmed,
        })
    };
    let mut i = 0;
    let mut in_class = false;
    // Whether the previous token was a quantifier (`*`, `+`, `?`, `{n,m}`).
    let mut after_quantifier = false;
    while i < b.len() {
        let was_quantifier = after_quantifier;
        after_quantifier = false;
        match b[i] {
            b'\\' => {
                match b.get(i + 1) {
                    Some(b'1'..=b'9') if !in_class => push(i, i + 2, "a backreference", true),
                    Some(b'k') if !in_class && b.get(i + 2) == Some(&b'<') => {
                        let end = pattern[i..].find('>').map_or(b.len(), |e| i + e + 1);
                        push(i, end, "a named backreference", true);
                    }
                    Some(b'Q') => {
                        // Quoted text up to `\E` is literal.
                        let end = pattern[i + 2..]
                            .find("\\E")
                            .map_or(b.len(), |e| i + 2 + e + 2);
                        i = end;
                        continue;
                    }
                    _ => {}
                }
                i += 2;
                continue;
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class => {
                let rest = &pattern[i + 1..];
                if rest.starts_with("?!") {
                    push(i, i + 3, "a negative look-ahead `(?!`", true);
                } else if rest.starts_with("?<=") {
                    push(i, i + 4, "a look-behind `(?<=`", true);
                } else if rest.starts_with("?<!") {
                    push(i, i + 4, "a negative look-behind `(?<!`", true);
                } else if rest.starts_with("?=") {
                    push(i, i + 3, "a look-ahead `(?=`", false);
                } else if rest.starts_with("?>") {
                    push(i, i + 3, "an atomic group `(?>`", false);
                }
            }
            b'*' | b'+' | b'?' if !in_class => {
                if was_quantifier && b[i] == b'+' {
                    push(i - 1, i + 1, "a possessive quantifier", true);
                } else {
                    // `*?` is lazy (not a new quantifier); anything else may be followed by `+`.
                    after_quantifier = !(was_quantifier && b[i] == b'?');
                }
            }
            b'{' if !in_class => {
                if let Some(len) = pattern[i..].find('}')
                    && len > 1
                    && pattern[i + 1..i + len]
                        .bytes()
                        .all(|c| c.is_ascii_digit() || c == b',')
                {
                    i += len + 1;
                    after_quantifier = true;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// A pattern found in the config: the node that holds it and where the pattern starts in the
/// node's text.
struct Found<'a> {
    node: &'a Node,
    /// Byte offset of the pattern in the node's text, and the pattern.
    at: usize,
    pattern: &'a str,
    /// Where it is ("a branch filter").
    place: &'static str,
}

fn collect<'a>(node: &'a Node, depth: usize, out: &mut Vec<Found<'a>>) {
    if depth > 256 {
        return;
    }
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|i| collect(i, depth + 1, out)),
        Value::Map(entries) => {
            for (k, v) in entries {
                match k.scalar_text() {
                    Some("filters") => filters(v, out),
                    Some("matches") => {
                        if let Some(p) = v.get("pattern")
                            && let Some(text) = p.as_str()
                        {
                            out.push(Found {
                                node: p,
                                at: 0,
                                pattern: text,
                                place: "a `matches` condition",
                            });
                        }
                    }
                    Some("when" | "unless" | "condition") => expressions(v, out),
                    _ => {}
                }
                collect(v, depth + 1, out);
            }
        }
        Value::Scalar(_) => {}
    }
}

/// The `/regex/` values of a `filters` mapping, or the regexes of an expression filter.
fn filters<'a>(node: &'a Node, out: &mut Vec<Found<'a>>) {
    if node.as_str().is_some() {
        expressions(node, out);
        return;
    }
    for (key, place) in [("branches", "a branch filter"), ("tags", "a tag filter")] {
        let Some(f) = node.get(key) else { continue };
        for which in ["only", "ignore"] {
            let Some(v) = f.get(which) else { continue };
            let items: Vec<&Node> = match v.as_seq() {
                Some(items) => items.iter().collect(),
                None => vec![v],
            };
            for item in items {
                let Some(text) = item.as_str() else { continue };
                if text.len() >= 2 && text.starts_with('/') && text.ends_with('/') {
                    out.push(Found {
                        node: item,
                        at: 1,
                        pattern: &text[1..text.len() - 1],
                        place,
                    });
                }
            }
        }
    }
}

/// The `/regex/` literals of an expression string (`x matches /re/`).
fn expressions<'a>(node: &'a Node, out: &mut Vec<Found<'a>>) {
    let Some(text) = node.as_str() else { return };
    if !text.contains("matches") {
        return;
    }
    fn walk(e: &crate::lang::logic::Expr, out: &mut Vec<Span>) {
        use crate::lang::logic::Expr;
        match e {
            Expr::Regex(_, span) => out.push(*span),
            Expr::Not(x) => walk(x, out),
            Expr::Bin(_, a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Expr::Var(..) | Expr::Lit(_) => {}
        }
    }
    let Ok(expr) = crate::lang::logic::parse_expression(text) else {
        return;
    };
    let mut spans = Vec::new();
    walk(&expr, &mut spans);
    for s in spans {
        out.push(Found {
            node,
            at: s.start as usize,
            pattern: &text[s.start as usize..s.end as usize],
            place: "a `matches` expression",
        });
    }
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = cx.config.root else { return };
    let mut found = Vec::new();
    collect(root, 0, &mut found);
    let mut seen = std::collections::HashSet::new();
    for f in found {
        let span_of = |start: usize, end: usize| {
            crate::lang::mustache::source_span(
                cx.source,
                f.node,
                Span::new(f.at + start, f.at + end),
            )
        };
        let whole = span_of(0, f.pattern.len());
        if !seen.insert(whole) {
            continue; // one anchor merged into many jobs
        }
        for r in rejected_constructs(f.pattern) {
            let (severity, since) = if r.confirmed {
                (
                    Severity::Error,
                    "which CircleCI's config compiler rejects since its 2026-09-21 regex engine update (it was accepted before)",
                )
            } else {
                (
                    Severity::Warning,
                    "which CircleCI's 2026 regex engine may reject (its announcement names negative look-ahead, look-behind, possessive quantifiers and backreferences)",
                )
            };
            out.push(
                UNSUPPORTED_REGEX
                    .at(
                        span_of(r.start, r.end),
                        format!("{} uses {}, {since}", f.place, r.what),
                    )
                    .severity(severity)
                    .label(format!("{} here", r.what))
                    .help(help_for(f.place)),
            );
        }
        let len = f.pattern.chars().count();
        if len > TOO_LONG {
            out.push(
                UNSUPPORTED_REGEX
                    .at(
                        whole,
                        format!("{} is a {len}-character regex: since its 2026-09-21 regex engine update CircleCI rejects patterns over {TOO_LONG} characters (\"Pattern too long\")", f.place),
                    )
                    .label("pattern too long")
                    .help("split it into several shorter patterns (a filter's `only`/`ignore` takes a list), or match less (for example a prefix)"),
            );
        }
    }
}

fn help_for(place: &str) -> &'static str {
    if place.contains("filter") {
        "say what to exclude with `ignore:` instead of a negative look-ahead in `only:` (filters take lists), or use an expression filter (`filters: pipeline.git.branch matches /.../ and not (pipeline.git.branch matches /.../)`)"
    } else {
        "combine simpler patterns instead: `and`/`not` around several `matches` statements (or `matches` and `not (... matches ...)` in an expression)"
    }
}

#[cfg(test)]
mod tests {
    use super::rejected_constructs;

    fn whats(p: &str) -> Vec<(&'static str, bool)> {
        rejected_constructs(p)
            .into_iter()
            .map(|r| (r.what, r.confirmed))
            .collect()
    }

    #[test]
    fn finds_what_the_engine_rejects() {
        assert_eq!(
            whats("^((?!alpha).)*$"),
            vec![("a negative look-ahead `(?!`", true)]
        );
        assert_eq!(whats("(?<=v)1"), vec![("a look-behind `(?<=`", true)]);
        assert_eq!(whats("(a)\\1"), vec![("a backreference", true)]);
        assert_eq!(whats("a*+b"), vec![("a possessive quantifier", true)]);
        assert_eq!(whats("a{2}+"), vec![("a possessive quantifier", true)]);
        assert_eq!(whats("(?=x)"), vec![("a look-ahead `(?=`", false)]);
        assert!(whats("^release/v[0-9]+\\.[0-9]+$").is_empty());
        assert!(whats("a+?b*?c??").is_empty());
        assert!(whats("[(?!]x").is_empty());
        assert!(whats("\\Q(?!\\E").is_empty());
        assert!(whats("a+").is_empty());
    }
}

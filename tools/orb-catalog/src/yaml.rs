//! A small YAML tree: the first document of a text, built from `granit_parser` events.
//!
//! Only what an orb's interface needs: mappings keep their key order, aliases are expanded
//! (within a bound), `<<` merge keys are applied, and plain scalars are resolved the way
//! CircleCI's YAML loader (SnakeYAML, YAML 1.1) resolves them: `yes`/`on` are booleans, `010`
//! is octal, `1_000` is 1000.

use granit_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// A YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Yaml>),
    /// Entries in source order; a repeated key keeps its later value in place of the first.
    Map(Vec<(Yaml, Yaml)>),
}

impl Yaml {
    /// The value of key `key` (a string key), if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.key_text().as_deref() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// A scalar as the text a mapping key stands for (`true` for a boolean key, `1` for 1).
    pub fn key_text(&self) -> Option<String> {
        match self {
            Yaml::Str(s) => Some(s.clone()),
            Yaml::Bool(b) => Some(b.to_string()),
            Yaml::Int(i) => Some(i.to_string()),
            Yaml::Float(f) => Some(f.to_string()),
            Yaml::Null => Some("null".to_string()),
            _ => None,
        }
    }

    /// The node as JSON (mapping keys as their text; NaN and infinities as strings).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Yaml::Null => Value::Null,
            Yaml::Bool(b) => Value::Bool(*b),
            Yaml::Int(i) => Value::from(*i),
            Yaml::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(f.to_string())),
            Yaml::Str(s) => Value::String(s.clone()),
            Yaml::Seq(items) => Value::Array(items.iter().map(Yaml::to_json).collect()),
            Yaml::Map(entries) => {
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    let key = k.key_text().unwrap_or_else(|| k.to_json().to_string());
                    map.insert(key, v.to_json());
                }
                Value::Object(map)
            }
        }
    }
}

/// Nodes that alias expansion may create in one document before loading gives up.
const MAX_EXPANDED_NODES: usize = 1_000_000;

fn count_nodes(y: &Yaml) -> usize {
    match y {
        Yaml::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Yaml::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

enum Frame {
    Seq(Vec<Yaml>, usize),
    /// Entries, a pending key, its anchor id.
    Map(Vec<(Yaml, Yaml)>, Option<Yaml>, usize),
}

/// Parse the first document of `text`. `Ok(None)`: the text holds no document.
pub fn parse(text: &str) -> Result<Option<Yaml>, String> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Yaml> = HashMap::new();
    let mut root: Option<Yaml> = None;
    let mut expanded = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, _span) = next.map_err(|e| e.to_string())?;
        let (node, anchor) = match event {
            Event::DocumentEnd => break,
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Frame::Seq(Vec::new(), anchor));
                continue;
            }
            Event::MappingStart(_, anchor, _) => {
                stack.push(Frame::Map(Vec::new(), None, anchor));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, anchor)) => (Yaml::Seq(items), anchor),
                _ => return Err("unbalanced sequence".into()),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, _, anchor)) => (Yaml::Map(apply_merges(entries)), anchor),
                _ => return Err("unbalanced mapping".into()),
            },
            Event::Scalar(value, style, anchor, tag) => (
                scalar(&value, style, tag.as_deref().map(|t| t.suffix())),
                anchor,
            ),
            Event::Alias(id) => {
                let node = anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| "alias to an unknown anchor".to_string())?;
                expanded += count_nodes(&node);
                if expanded > MAX_EXPANDED_NODES {
                    return Err("alias expansion too large".into());
                }
                (node, 0)
            }
            Event::UnresolvedAlias(name) => return Err(format!("undefined alias *{name}")),
            _ => continue,
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => {
                root = Some(node);
            }
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, pending, _)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    if let Some(slot) = entries.iter_mut().find(|(k, _)| *k == key) {
                        slot.1 = node;
                    } else {
                        entries.push((key, node));
                    }
                }
            },
        }
    }
    Ok(root)
}

/// Apply `<<` merge keys: the merged mappings' entries are added where the mapping does not
/// set the key itself (the first of several merged mappings wins, as in YAML 1.1).
fn apply_merges(entries: Vec<(Yaml, Yaml)>) -> Vec<(Yaml, Yaml)> {
    if !entries.iter().any(|(k, _)| is_merge_key(k)) {
        return entries;
    }
    let mut own = Vec::new();
    let mut merged: Vec<(Yaml, Yaml)> = Vec::new();
    for (k, v) in entries {
        if is_merge_key(&k) {
            let sources = match v {
                Yaml::Seq(items) => items,
                other => vec![other],
            };
            for source in sources {
                if let Yaml::Map(src) = source {
                    for (sk, sv) in src {
                        if !merged.iter().any(|(mk, _)| *mk == sk) {
                            merged.push((sk, sv));
                        }
                    }
                }
            }
        } else {
            own.push((k, v));
        }
    }
    let mut out = Vec::with_capacity(own.len() + merged.len());
    for (mk, mv) in merged {
        if !own.iter().any(|(k, _)| *k == mk) {
            out.push((mk, mv));
        }
    }
    out.extend(own);
    out
}

fn is_merge_key(k: &Yaml) -> bool {
    matches!(k, Yaml::Str(s) if s == "<<")
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Yaml {
    match tag {
        Some("str") => return Yaml::Str(text.to_string()),
        Some("int") => {
            if let Yaml::Int(i) = resolve_plain(text) {
                return Yaml::Int(i);
            }
        }
        Some("bool") => {
            if let Yaml::Bool(b) = resolve_plain(text) {
                return Yaml::Bool(b);
            }
        }
        Some("float") => {
            if let Ok(f) = text.replace('_', "").parse::<f64>() {
                return Yaml::Float(f);
            }
        }
        Some("null") => return Yaml::Null,
        _ => {}
    }
    if style == ScalarStyle::Plain {
        resolve_plain(text)
    } else {
        Yaml::Str(text.to_string())
    }
}

/// YAML 1.1 resolution of a plain scalar (SnakeYAML's resolver, simplified: base 60 numbers
/// stay strings).
pub fn resolve_plain(text: &str) -> Yaml {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Yaml::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Yaml::Bool(true);
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Yaml::Bool(false);
        }
        ".nan" | ".NaN" | ".NAN" => return Yaml::Float(f64::NAN),
        _ => {}
    }
    let (negative, unsigned) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Yaml::Float(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    let int = |digits: &str, radix: u32| -> Option<Yaml> {
        let clean: String = digits.chars().filter(|&c| c != '_').collect();
        if clean.is_empty() {
            return None;
        }
        let v = i64::from_str_radix(&clean, radix).ok()?;
        Some(Yaml::Int(if negative { v.checked_neg()? } else { v }))
    };
    if let Some(hex) = unsigned.strip_prefix("0x") {
        if hex.bytes().all(|b| b.is_ascii_hexdigit() || b == b'_') {
            if let Some(y) = int(hex, 16) {
                return y;
            }
        }
        return Yaml::Str(text.to_string());
    }
    if let Some(bin) = unsigned.strip_prefix("0b") {
        if bin.bytes().all(|b| matches!(b, b'0' | b'1' | b'_')) {
            if let Some(y) = int(bin, 2) {
                return y;
            }
        }
        return Yaml::Str(text.to_string());
    }
    let b = unsigned.as_bytes();
    if b.len() > 1 && b[0] == b'0' && b.iter().all(|c| matches!(c, b'0'..=b'7' | b'_')) {
        if let Some(y) = int(&unsigned[1..], 8) {
            return y;
        }
    }
    if unsigned == "0" {
        return Yaml::Int(0);
    }
    if !b.is_empty() && b[0] != b'0' && b.iter().all(|c| c.is_ascii_digit() || *c == b'_') {
        if let Some(y) = int(unsigned, 10) {
            return y;
        }
    }
    if is_float(unsigned) {
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        if let Ok(f) = clean.parse::<f64>() {
            return Yaml::Float(f);
        }
    }
    Yaml::Str(text.to_string())
}

/// `(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?`
fn is_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if let Some(e) = exp {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    match mantissa.split_once('.') {
        Some((whole, frac)) => {
            if whole.is_empty() {
                !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())
            } else {
                whole.as_bytes()[0].is_ascii_digit()
                    && whole.bytes().all(|b| b.is_ascii_digit() || b == b'_')
                    && frac.bytes().all(|b| b.is_ascii_digit() || b == b'_')
            }
        }
        // An integer-looking mantissa is only a float with an exponent.
        None => {
            exp.is_some()
                && !mantissa.is_empty()
                && mantissa.as_bytes()[0].is_ascii_digit()
                && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_resolve_as_yaml_1_1() {
        assert_eq!(resolve_plain("yes"), Yaml::Bool(true));
        assert_eq!(resolve_plain("off"), Yaml::Bool(false));
        assert_eq!(resolve_plain("10"), Yaml::Int(10));
        assert_eq!(resolve_plain("010"), Yaml::Int(8));
        assert_eq!(resolve_plain("-3"), Yaml::Int(-3));
        assert_eq!(resolve_plain("3.10"), Yaml::Float(3.1));
        assert_eq!(resolve_plain("1e3"), Yaml::Float(1000.0));
        assert_eq!(resolve_plain("v1.2"), Yaml::Str("v1.2".into()));
        assert_eq!(resolve_plain("1.2.3"), Yaml::Str("1.2.3".into()));
        assert_eq!(resolve_plain("~"), Yaml::Null);
    }

    #[test]
    fn anchors_and_merge_keys() {
        let y = parse("a: &x {p: 1, q: 2}\nb:\n  <<: *x\n  q: 3\nc: 'yes'\nd:\n")
            .unwrap()
            .unwrap();
        let b = y.get("b").unwrap();
        assert_eq!(b.get("p"), Some(&Yaml::Int(1)));
        assert_eq!(b.get("q"), Some(&Yaml::Int(3)));
        assert_eq!(y.get("c"), Some(&Yaml::Str("yes".into())));
        assert_eq!(y.get("d"), Some(&Yaml::Null));
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(parse("a: [1, 2\n").is_err());
        assert_eq!(parse("").unwrap(), None);
    }
}

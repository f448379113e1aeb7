//! Scalar resolution: what a plain scalar's text means to CircleCI (SnakeYAML, YAML 1.1).

use super::ScalarKind;

/// Resolve a plain (unquoted) scalar the way CircleCI's config compiler does.
///
/// The compiler loads YAML with SnakeYAML, which implements YAML 1.1's resolver, not YAML
/// 1.2's core schema: `yes`/`no`/`on`/`off` are booleans there, `010` is octal, `1_000` is
/// 1000 and `1:30` is 90 (CircleCI-Public/circleci-cli#1675 documents the booleans; its
/// `config validate` errors carry SnakeYAML's wording). The forms, as SnakeYAML's resolver
/// writes them:
///
/// - null: empty, `~`, `null`, `Null`, `NULL`
/// - bool: `yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`
///   (not `y`/`n`, which SnakeYAML leaves as strings)
/// - int: `[-+]?0b[01_]+`, `[-+]?0[0-7_]+` (octal), `[-+]?(0|[1-9][0-9_]*)`,
///   `[-+]?0x[0-9a-fA-F_]+`, `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+` (base 60)
/// - float: `[-+]?(\.[0-9]+|[0-9_]+(\.[0-9_]*)?)([eE][-+]?[0-9]+)?`, base 60 with a
///   fraction, `[-+]?.inf` (`.Inf`, `.INF`), `.nan` (`.NaN`, `.NAN`)
/// - everything else is a string.
///
/// Integers too large for an `i64` become floats. A form SnakeYAML would tag as a number but
/// could not read (`_`, `0x_`) stays a string here.
pub fn resolve_plain(text: &str) -> ScalarKind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarKind::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return ScalarKind::Bool(true);
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return ScalarKind::Bool(false);
        }
        ".nan" | ".NaN" | ".NAN" => return ScalarKind::Float(f64::NAN),
        _ => {}
    }
    let (negative, unsigned) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return ScalarKind::Float(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    let sign = |v: i64| if negative { v.checked_neg() } else { Some(v) };
    let radix = |digits: &str, radix: u32| -> Option<ScalarKind> {
        let clean: String = digits.chars().filter(|&c| c != '_').collect();
        if clean.is_empty() {
            return None;
        }
        Some(
            i64::from_str_radix(&clean, radix)
                .ok()
                .and_then(sign)
                .map_or(ScalarKind::Str, ScalarKind::Int),
        )
    };
    if let Some(bin) = unsigned.strip_prefix("0b") {
        if bin.bytes().all(|b| matches!(b, b'0' | b'1' | b'_')) {
            return radix(bin, 2).unwrap_or(ScalarKind::Str);
        }
        return ScalarKind::Str;
    }
    if let Some(hex) = unsigned.strip_prefix("0x") {
        if hex.bytes().all(|b| b.is_ascii_hexdigit() || b == b'_') {
            return radix(hex, 16).unwrap_or(ScalarKind::Str);
        }
        return ScalarKind::Str;
    }
    let b = unsigned.as_bytes();
    if b.len() > 1
        && b[0] == b'0'
        && b.iter().all(|c| matches!(c, b'0'..=b'7' | b'_'))
        && let Some(kind) = radix(&unsigned[1..], 8)
    {
        return kind;
    }
    if !b.is_empty() && b[0] != b'0' && b[0].is_ascii_digit() {
        if b.iter().all(|c| c.is_ascii_digit() || *c == b'_') {
            let clean: String = unsigned.chars().filter(|&c| c != '_').collect();
            return match clean.parse::<i64>().ok().and_then(sign) {
                Some(i) => ScalarKind::Int(i),
                None => clean.parse::<f64>().map_or(ScalarKind::Str, |f| {
                    ScalarKind::Float(if negative { -f } else { f })
                }),
            };
        }
        if let Some(kind) = base60(unsigned, negative) {
            return kind;
        }
    }
    if unsigned == "0" {
        return ScalarKind::Int(0);
    }
    if is_float(unsigned) {
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        if let Ok(f) = clean.parse::<f64>() {
            return ScalarKind::Float(f);
        }
    }
    ScalarKind::Str
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+` (an int) or `[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*` (a float):
/// YAML 1.1's base 60 (`1:30` is 90).
fn base60(s: &str, negative: bool) -> Option<ScalarKind> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let mut parts = whole.split(':');
    let first = parts.next()?;
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let mut value: f64 = first.replace('_', "").parse().ok()?;
    let mut count = 0;
    for part in parts {
        let ok = matches!(part.len(), 1 | 2)
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part.len() == 1 || part.as_bytes()[0] <= b'5');
        if !ok {
            return None;
        }
        value = value * 60.0 + part.parse::<f64>().ok()?;
        count += 1;
    }
    if count == 0 {
        return None;
    }
    let value = if negative { -value } else { value };
    match frac {
        None => Some(if value.abs() < 9.0e15 {
            ScalarKind::Int(value as i64)
        } else {
            ScalarKind::Float(value)
        }),
        Some(f) if f.bytes().all(|b| b.is_ascii_digit() || b == b'_') => {
            let f = f.replace('_', "");
            let fraction: f64 = if f.is_empty() {
                0.0
            } else {
                format!("0.{f}").parse().ok()?
            };
            Some(ScalarKind::Float(if negative {
                value - fraction
            } else {
                value + fraction
            }))
        }
        Some(_) => None,
    }
}

/// `(\.[0-9]+|[0-9_]+(\.[0-9_]*)?)([eE][-+]?[0-9]+)?` (the sign already removed), with at
/// least one digit.
fn is_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let run = |i: &mut usize, underscore: bool| {
        let start = *i;
        while *i < b.len() && (b[*i].is_ascii_digit() || (underscore && b[*i] == b'_')) {
            *i += 1;
        }
        *i - start
    };
    let int_part = run(&mut i, true);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac = run(&mut i, int_part > 0);
        if int_part == 0 && frac == 0 {
            return false;
        }
    } else if int_part == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if run(&mut i, false) == 0 {
            return false;
        }
    }
    i == b.len() && s.bytes().any(|c| c.is_ascii_digit())
}

/// Resolve a scalar with an explicit core-schema tag (`!!str 1`, `!!int "2"`...). Returns
/// `None` when the tag is not a core scalar tag or the text does not fit it (then the scalar
/// resolves as if untagged).
pub(crate) fn resolve_tagged(suffix: &str, text: &str) -> Option<ScalarKind> {
    match suffix {
        "str" => Some(ScalarKind::Str),
        "null" | "bool" | "int" | "float" => {
            let kind = resolve_plain(text);
            let fits = matches!(
                (suffix, kind),
                ("null", ScalarKind::Null)
                    | ("bool", ScalarKind::Bool(_))
                    | ("int", ScalarKind::Int(_))
                    | ("float", ScalarKind::Float(_))
            );
            if fits {
                Some(kind)
            } else if suffix == "float" {
                if let ScalarKind::Int(i) = kind {
                    Some(ScalarKind::Float(i as f64))
                } else {
                    None
                }
            } else {
                None
            }
        }
        _ => None,
    }
}

//! Scalar resolution: what a scalar's text means under YAML 1.2's core schema.

use super::ScalarKind;

/// Resolve a plain (unquoted) scalar under the YAML 1.2 core schema.
///
/// - null: empty, `~`, `null`, `Null`, `NULL`
/// - bool: `true`, `True`, `TRUE`, `false`, `False`, `FALSE`
/// - int: `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+` (decimal integers too large for an
///   `i64` are read as floats; hexadecimal and octal ones too large stay strings)
/// - float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf` (and `.Inf`,
///   `.INF`), `.nan` (and `.NaN`, `.NAN`)
/// - everything else is a string.
pub(crate) fn resolve_plain(text: &str) -> ScalarKind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarKind::Null,
        "true" | "True" | "TRUE" => return ScalarKind::Bool(true),
        "false" | "False" | "FALSE" => return ScalarKind::Bool(false),
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
    // Hexadecimal and octal: no sign in the core schema.
    if let Some(hex) = text.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return i64::from_str_radix(hex, 16).map_or(ScalarKind::Str, ScalarKind::Int);
        }
        return ScalarKind::Str;
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|b| matches!(b, b'0'..=b'7')) {
            return i64::from_str_radix(oct, 8).map_or(ScalarKind::Str, ScalarKind::Int);
        }
        return ScalarKind::Str;
    }
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(i) => ScalarKind::Int(i),
            Err(_) => text
                .parse::<f64>()
                .map_or(ScalarKind::Str, ScalarKind::Float),
        };
    }
    if is_core_float(unsigned) {
        if let Ok(f) = text.parse::<f64>() {
            return ScalarKind::Float(f);
        }
    }
    ScalarKind::Str
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (the sign already removed).
fn is_core_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int_digits = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac = digits(&mut i);
        if int_digits == 0 && frac == 0 {
            return false;
        }
    } else if int_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
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

//! How gopkg.in/yaml.v3, the YAML library `circleci config pack` reads and writes with (CLI
//! 0.1.x from 2020-06 on), types a plain scalar, prints a float, and orders mapping keys. Packing
//! re-types values: yaml.v3 reads YAML 1.2 (`yes` is a string, `0o17` an integer), prints what
//! it read, and CircleCI's compiler reads that text again as YAML 1.1.

use std::cmp::Ordering;

/// What yaml.v3 makes of a plain scalar.
#[derive(Clone, Debug, PartialEq)]
pub enum V3Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A date (`2020-01-02`), as the RFC 3339 text yaml.v3 prints for it.
    Timestamp(String),
    Str,
}

/// Resolve a plain scalar as yaml.v3 does (its `resolve` with no tag): the fixed words
/// (`true`, `null`, `.inf`...), then, for text starting with a digit or a sign, a date, an
/// integer (Go's `ParseInt` with base prefixes `0x`, `0o`, `0b` and a leading `0` for octal,
/// `_` ignored), a float (`[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`); for text
/// starting with `.`, a float. Anything else is a string.
pub fn resolve_plain(text: &str) -> V3Scalar {
    match text {
        "true" | "True" | "TRUE" => return V3Scalar::Bool(true),
        "false" | "False" | "FALSE" => return V3Scalar::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => return V3Scalar::Null,
        ".nan" | ".NaN" | ".NAN" => return V3Scalar::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return V3Scalar::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return V3Scalar::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match text.as_bytes()[0] {
        b'.' => go_parse_float(text).map_or(V3Scalar::Str, V3Scalar::Float),
        b'+' | b'-' | b'0'..=b'9' => {
            if let Some(t) = date(text) {
                return V3Scalar::Timestamp(t);
            }
            let plain: String = text.chars().filter(|&c| c != '_').collect();
            if let Some(i) = go_parse_int(&plain) {
                return V3Scalar::Int(i);
            }
            if yaml_style_float(&plain)
                && let Some(f) = go_parse_float(&plain)
            {
                return V3Scalar::Float(f);
            }
            V3Scalar::Str
        }
        _ => V3Scalar::Str,
    }
}

/// `YYYY-M-D` (yaml.v3 also reads dates with a time; those are left as strings here, a
/// simplification: CircleCI configs do not hold them).
fn date(text: &str) -> Option<String> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
        || ![y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y}-{m:02}-{d:02}T00:00:00Z"))
}

/// Go's `strconv.ParseInt(s, 0, 64)`: a sign, then `0x`/`0o`/`0b` (any case) or a leading `0`
/// for octal, else decimal.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat` for the decimal forms yaml.v3 hands it.
fn go_parse_float(s: &str) -> Option<f64> {
    if !s.bytes().any(|b| b.is_ascii_digit())
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A float as yaml.v3 prints it: Go's `strconv.FormatFloat(f, 'g', -1, 64)` (the shortest
/// digits; the exponent form `1e+06` when the decimal exponent is below -4 or at least 6),
/// with `.inf`, `-.inf` and `.nan` for the special values.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let (neg, digits, exp) = shortest_digits(f);
    let sign = if neg { "-" } else { "" };
    let nd = digits.len() as i32;
    if !(-4..6).contains(&exp) {
        let mut m = digits[..1].to_string();
        if nd > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let e = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{m}e{e}{:02}", exp.abs());
    }
    let dp = exp + 1;
    let body = if dp <= 0 {
        format!("0.{}{digits}", "0".repeat((-dp) as usize))
    } else if dp >= nd {
        format!("{digits}{}", "0".repeat((dp - nd) as usize))
    } else {
        format!("{}.{}", &digits[..dp as usize], &digits[dp as usize..])
    };
    format!("{sign}{body}")
}

/// The shortest decimal digits that read back as `f`, and the decimal exponent of the first
/// digit: 1.14 is ("114", 0), 1e6 is ("1", 6), 0 is ("0", 0).
pub fn shortest_digits(f: f64) -> (bool, String, i32) {
    let neg = f.is_sign_negative();
    let text = format!("{:e}", f.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    (neg, digits, exp.parse().unwrap_or(0))
}

/// The YAML 1.1 booleans yaml.v3 reads as strings and quotes when it writes them, so that a
/// YAML 1.1 reader does not take them for booleans.
pub fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`: a YAML 1.1 base-60 number, which
/// yaml.v3 quotes too.
pub fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    let mut parts = whole.split(':');
    let first = parts.next().unwrap_or("");
    if !first.starts_with(|c: char| c.is_ascii_digit())
        || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return false;
    }
    let mut sixties = 0;
    for p in parts {
        let ok = matches!(p.len(), 1 | 2)
            && p.bytes().all(|b| b.is_ascii_digit())
            && (p.len() == 1 || p.as_bytes()[0] <= b'5');
        if !ok {
            return false;
        }
        sixties += 1;
    }
    sixties > 0 && frac.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

/// Whether yaml.v3 writes the string `s` plain: it reads back as a string and is neither a
/// YAML 1.1 boolean nor a base-60 number (the character rules come on top: see
/// [`super::style`]).
pub fn plain_by_type(s: &str) -> bool {
    resolve_plain(s) == V3Scalar::Str && !is_old_bool(s) && !is_base60_float(s)
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// yaml.v3's order of string mapping keys (`keyList.Less`), which sorts every mapping it
/// writes: letters by code point; where a letter meets another character, the letter comes
/// first after a digit and last otherwise (`_` < `A`, `a1b` < `a1_`); runs of digits compare
/// by value (`a2` < `a10`), then by length (`1` < `01`); a prefix sorts first.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    if natural_less(a, b) {
        Ordering::Less
    } else if natural_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn natural_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            digits = is_digit(ar[i]);
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if digits { al } else { bl };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1]) {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let value = |r: &[char], n: &mut i64| {
            let mut k = i;
            while k < r.len() && is_digit(r[k]) {
                *n = n
                    .wrapping_mul(10)
                    .wrapping_add(r[k].to_digit(10).unwrap_or(0) as i64);
                k += 1;
            }
            k
        };
        let ai = value(&ar, &mut an);
        let bi = value(&br, &mut bn);
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing() {
        assert_eq!(resolve_plain("yes"), V3Scalar::Str);
        assert_eq!(resolve_plain("True"), V3Scalar::Bool(true));
        assert_eq!(resolve_plain("~"), V3Scalar::Null);
        assert_eq!(resolve_plain("0755"), V3Scalar::Int(493));
        assert_eq!(resolve_plain("0x1F"), V3Scalar::Int(31));
        assert_eq!(resolve_plain("0o17"), V3Scalar::Int(15));
        assert_eq!(resolve_plain("0b101"), V3Scalar::Int(5));
        assert_eq!(resolve_plain("1_000"), V3Scalar::Int(1000));
        assert_eq!(resolve_plain("-12"), V3Scalar::Int(-12));
        assert_eq!(resolve_plain("08"), V3Scalar::Float(8.0));
        assert_eq!(resolve_plain("1.10"), V3Scalar::Float(1.1));
        assert_eq!(resolve_plain(".5"), V3Scalar::Float(0.5));
        assert_eq!(resolve_plain("1e3"), V3Scalar::Float(1000.0));
        assert_eq!(resolve_plain("12:30"), V3Scalar::Str);
        assert_eq!(resolve_plain("1.2.3"), V3Scalar::Str);
        assert_eq!(resolve_plain("<<"), V3Scalar::Str);
        assert_eq!(
            resolve_plain("2020-1-2"),
            V3Scalar::Timestamp("2020-01-02T00:00:00Z".into())
        );
    }

    #[test]
    fn go_floats() {
        for (f, s) in [
            (1.1, "1.1"),
            (2.0, "2"),
            (1000.0, "1000"),
            (1e6, "1e+06"),
            (1.5e6, "1.5e+06"),
            (123456.0, "123456"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.5, "-0.5"),
            (0.0, "0"),
            (f64::INFINITY, ".inf"),
        ] {
            assert_eq!(format_float(f), s, "{f}");
        }
    }

    #[test]
    fn old_bools_and_base_60() {
        assert!(is_old_bool("on") && is_old_bool("N") && !is_old_bool("true"));
        assert!(is_base60_float("12:30") && is_base60_float("1:2:3.5"));
        assert!(!is_base60_float("12:60") && !is_base60_float("a:1") && !is_base60_float("12"));
        assert!(plain_by_type("hello") && !plain_by_type("yes") && !plain_by_type("2.1"));
    }

    #[test]
    fn natural_order() {
        let mut keys = vec![
            "z", "x1z", "a10", "a2", "ab", "aB", "a1_", "a1b", "a_", "a", "A", "001", "01", "1",
            "x00", "x0y", "é",
        ];
        keys.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            keys,
            vec![
                "1", "01", "001", "A", "a", "a_", "a1b", "a1_", "a2", "a10", "aB", "ab", "x0y",
                "x00", "x1z", "z", "é"
            ]
        );
        assert_eq!(natural_cmp("GOTEST_MOD", "GOTESTARCH"), Ordering::Less);
    }
}

//! YAML data without spans: what `cilint expand` and `cilint pack` build and print. A tree of
//! the source ([`Node`]) says where everything is written; [`Data`] only says what it is, and
//! keeps the order of mapping keys.

use super::{Node, ScalarKind, Value};

/// A YAML value: scalars typed, mappings as ordered (key, value) pairs.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A timestamp, as the RFC 3339 text a YAML library prints for it (`2020-01-02T00:00:00Z`):
    /// only `cilint pack` makes one (gopkg.in/yaml.v3 reads a plain `2020-01-02` as a date).
    Timestamp(String),
    Seq(Vec<Data>),
    Map(Vec<(Data, Data)>),
}

impl Data {
    /// A string.
    pub fn str(s: impl Into<String>) -> Data {
        Data::Str(s.into())
    }

    /// The text of a string (not of other scalars).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Data::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Data, Data)]> {
        match self {
            Data::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Data]> {
        match self {
            Data::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under a mapping key that is the string `key`.
    pub fn get(&self, key: &str) -> Option<&Data> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// A scalar as text (`true`, `12`, the string itself; `None` for null and collections):
    /// how a mapping key or a value inside a longer string reads. Floats are written as
    /// `float_text` writes them.
    pub fn scalar_text(&self, float_text: fn(f64) -> String) -> Option<String> {
        match self {
            Data::Bool(b) => Some(b.to_string()),
            Data::Int(i) => Some(i.to_string()),
            Data::Float(f) => Some(float_text(*f)),
            Data::Str(s) | Data::Timestamp(s) => Some(s.clone()),
            Data::Null | Data::Seq(_) | Data::Map(_) => None,
        }
    }

    /// A one-line flow rendering (`[a, {b: 1}]`), for a collection written inside a string.
    pub fn flow(&self, float_text: fn(f64) -> String) -> String {
        match self {
            Data::Null => "null".into(),
            Data::Seq(items) => {
                let parts: Vec<String> = items.iter().map(|i| i.flow(float_text)).collect();
                format!("[{}]", parts.join(", "))
            }
            Data::Map(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.flow(float_text), v.flow(float_text)))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            scalar => scalar.scalar_text(float_text).unwrap_or_default(),
        }
    }

    /// The data of a tree: scalars by their resolved kind, mappings in their order.
    pub fn from_node(node: &Node) -> Data {
        match &node.value {
            Value::Scalar(s) => match s.kind {
                ScalarKind::Null => Data::Null,
                ScalarKind::Bool(b) => Data::Bool(b),
                ScalarKind::Int(i) => Data::Int(i),
                ScalarKind::Float(f) => Data::Float(f),
                ScalarKind::Str => Data::Str(s.text.to_string()),
            },
            Value::Seq(items) => Data::Seq(items.iter().map(Data::from_node).collect()),
            Value::Map(entries) => Data::Map(
                entries
                    .iter()
                    .map(|(k, v)| (Data::from_node(k), Data::from_node(v)))
                    .collect(),
            ),
        }
    }
}

/// A double as Java writes it (`Double.toString`), which is how CircleCI's compiler writes one:
/// the shortest digits that read back as the value, `2.0` for a whole number, and the
/// scientific form `1.0E7` / `1.0E-4` outside 10^-3 <= |f| < 10^7; NaN and the infinities as
/// SnakeYAML names them (`.NaN`, `.inf`, `-.inf`).
pub fn java_float(f: f64) -> String {
    if f.is_nan() {
        return ".NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let (neg, digits, exp) = super::v3::shortest_digits(f);
    let sign = if neg { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    let abs = f.abs();
    if (1e-3..1e7).contains(&abs) {
        let dp = exp + 1;
        let nd = digits.len() as i32;
        let (int, frac) = if dp <= 0 {
            (
                "0".to_string(),
                format!("{}{digits}", "0".repeat((-dp) as usize)),
            )
        } else if dp >= nd {
            (
                format!("{digits}{}", "0".repeat((dp - nd) as usize)),
                "0".to_string(),
            )
        } else {
            (
                digits[..dp as usize].to_string(),
                digits[dp as usize..].to_string(),
            )
        };
        return format!("{sign}{int}.{frac}");
    }
    let rest = if digits.len() > 1 { &digits[1..] } else { "0" };
    format!("{sign}{}.{rest}E{exp}", &digits[..1])
}

#[cfg(test)]
mod tests {
    #[test]
    fn java_floats() {
        for (f, s) in [
            (1.14, "1.14"),
            (2.0, "2.0"),
            (1e7, "1.0E7"),
            (1.5e7, "1.5E7"),
            (9999999.0, "9999999.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (-0.5, "-0.5"),
            (0.0, "0.0"),
            (100.0, "100.0"),
            (f64::NAN, ".NaN"),
        ] {
            assert_eq!(java_float(f), s, "{f}");
        }
    }

    use super::*;

    #[test]
    fn from_a_tree() {
        let doc = crate::yaml::parse("a: [1, 'x', ~, yes, 1.5]\nb: {c: d}\n");
        let data = Data::from_node(doc.root.as_ref().unwrap());
        assert_eq!(
            data.get("a"),
            Some(&Data::Seq(vec![
                Data::Int(1),
                Data::str("x"),
                Data::Null,
                Data::Bool(true),
                Data::Float(1.5)
            ]))
        );
        assert_eq!(
            data.get("b").and_then(|b| b.get("c")),
            Some(&Data::str("d"))
        );
        assert_eq!(
            Data::Int(3).scalar_text(|f| f.to_string()),
            Some("3".into())
        );
    }
}

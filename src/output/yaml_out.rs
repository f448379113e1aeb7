//! YAML text in the exact style of the two tools `cilint expand` and `cilint pack` stand in for:
//!
//! - [`Dialect::Process`]: what `circleci config process` prints (CircleCI's compiler writes
//!   with a SnakeYAML block emitter, the algorithm of PyYAML's): 2-space indentation, a list
//!   under a key not indented (`steps:` and `- run:` in one column), no line folding, strings
//!   plain when a YAML 1.1 reader reads them back as strings, else single-quoted, else
//!   double-quoted; a string with a line break as a literal block when its characters allow it,
//!   else double-quoted on one line. Floats as Java writes them (`2.0`).
//! - [`Dialect::Pack`]: what `circleci config pack` prints (gopkg.in/yaml.v3, a port of libyaml,
//!   as the 0.1.x CLI uses it): 4-space indentation, lists indented under their key, a mapping
//!   in a list item two columns after the `-`, no line folding, strings plain when yaml.v3 reads
//!   them back as strings and they are not YAML 1.1 booleans (`yes`) or base-60 numbers
//!   (`12:30`), else double-quoted; a literal block loses a leading line break (a quirk of
//!   yaml.v3's emitter); floats as Go writes them (`2`, `1e+06`).
//!
//! Neither sorts keys: the order is the data's. An empty mapping or list is written `{}` / `[]`.

use crate::yaml::data::{Data, java_float};
use crate::yaml::style::{analyze, analyze_libyaml, block_hints, is_break, printable};
use crate::yaml::v3;
use std::sync::OnceLock;

/// Which tool's output to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `circleci config process` (CircleCI's compiler).
    Process,
    /// `circleci config pack` (CLI 0.1.x, yaml.v3).
    Pack,
}

/// `data` as a YAML document (no `---`), ending with a line break.
pub fn to_yaml(data: &Data, dialect: Dialect) -> String {
    let mut e = Emitter {
        out: String::new(),
        dialect,
        at_line_start: true,
    };
    match data {
        Data::Map(m) if !m.is_empty() => e.map(m, 0, false),
        Data::Seq(s) if !s.is_empty() => e.seq(s, 0, false),
        _ => e.scalar(data, 0, false),
    }
    if !e.at_line_start {
        e.out.push('\n');
    }
    e.out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Emitter {
    out: String,
    dialect: Dialect,
    /// The last thing written ended a line (a literal block ends with its line break).
    at_line_start: bool,
}

impl Emitter {
    fn step(&self) -> usize {
        match self.dialect {
            Dialect::Process => 2,
            Dialect::Pack => 4,
        }
    }

    /// Where what belongs to a key at column `key` starts: a mapping's keys, a scalar's block
    /// lines (Process: two further; Pack: the next multiple of 4).
    fn under_key(&self, key: usize) -> usize {
        match self.dialect {
            Dialect::Process => key + 2,
            Dialect::Pack => 4 * ((key + 4) / 4),
        }
    }

    /// The column of the `-` of a list under a key at column `key`.
    fn list_under_key(&self, key: usize) -> usize {
        match self.dialect {
            Dialect::Process => key,
            Dialect::Pack => 4 * ((key + 4) / 4),
        }
    }

    fn newline(&mut self, indent: usize) {
        if !self.at_line_start {
            self.out.push('\n');
        }
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.at_line_start = false;
    }

    /// A mapping whose keys are at column `indent`; `inline`: the first key goes on the
    /// current line (right after `- `).
    fn map(&mut self, entries: &[(Data, Data)], indent: usize, inline: bool) {
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 || !inline {
                self.newline(indent);
            }
            if self.simple_key(k) {
                self.scalar(k, indent, true);
                self.out.push(':');
            } else {
                // A key that cannot be written `key:` (empty, multi-line or very long).
                self.out.push_str("? ");
                self.scalar(k, indent + 2, false);
                self.newline(indent);
                self.out.push(':');
            }
            self.value(v, indent);
        }
    }

    /// The value of a key at column `key`, after the `:`.
    fn value(&mut self, v: &Data, key: usize) {
        match v {
            Data::Map(m) if !m.is_empty() => self.map(m, self.under_key(key), false),
            Data::Seq(s) if !s.is_empty() => self.seq(s, self.list_under_key(key), false),
            _ => {
                self.out.push(' ');
                let at = self.under_key(key);
                self.scalar(v, at, false);
            }
        }
    }

    /// A list whose `-` are at column `indent`.
    fn seq(&mut self, items: &[Data], indent: usize, inline: bool) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !inline {
                self.newline(indent);
            }
            self.out.push_str("- ");
            match item {
                Data::Map(m) if !m.is_empty() => self.map(m, indent + 2, true),
                Data::Seq(s) if !s.is_empty() => self.seq(s, indent + 2, true),
                _ => self.scalar(item, indent + 2, false),
            }
        }
    }

    fn simple_key(&self, k: &Data) -> bool {
        match k {
            Data::Str(s) => {
                let a = analyze(s);
                !a.empty && !a.multiline && s.chars().count() < 128
            }
            Data::Map(_) | Data::Seq(_) => false,
            _ => true,
        }
    }

    /// A scalar (or an empty collection) on the current line; a literal block's lines go to
    /// column `indent`.
    fn scalar(&mut self, v: &Data, indent: usize, key: bool) {
        let text = match v {
            Data::Null => "null".to_string(),
            Data::Bool(b) => b.to_string(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) => match self.dialect {
                Dialect::Process => java_float(*f),
                Dialect::Pack => v3::format_float(*f),
            },
            Data::Timestamp(t) => t.clone(),
            Data::Map(_) => "{}".to_string(),
            Data::Seq(_) => "[]".to_string(),
            Data::Str(s) => {
                self.string(s, indent, key);
                return;
            }
        };
        self.out.push_str(&text);
    }

    fn string(&mut self, s: &str, indent: usize, key: bool) {
        match self.style(s, key) {
            Style::Plain => self.out.push_str(s),
            Style::Single => {
                self.out.push('\'');
                self.out.push_str(&s.replace('\'', "''"));
                self.out.push('\'');
            }
            Style::Double => self.double_quoted(s),
            Style::Literal => self.literal(s, indent),
        }
    }

    fn style(&self, s: &str, key: bool) -> Style {
        let a = match self.dialect {
            Dialect::Process => analyze(s),
            Dialect::Pack => analyze_libyaml(s),
        };
        match self.dialect {
            Dialect::Process => {
                if s.chars().any(is_break) {
                    if a.block && !key {
                        Style::Literal
                    } else {
                        Style::Double
                    }
                } else if a.block_plain
                    && !(key && (a.empty || a.multiline))
                    && reads_as_string_1_1(s)
                {
                    Style::Plain
                } else if a.single_quoted && !(key && a.multiline) {
                    Style::Single
                } else {
                    Style::Double
                }
            }
            Dialect::Pack => {
                if s.contains('\n') {
                    if a.block && !key {
                        Style::Literal
                    } else {
                        Style::Double
                    }
                } else if v3::plain_by_type(s) {
                    if a.block_plain && !(a.empty && key) {
                        Style::Plain
                    } else if a.single_quoted {
                        Style::Single
                    } else {
                        Style::Double
                    }
                } else {
                    Style::Double
                }
            }
        }
    }

    fn double_quoted(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            let escape = match self.dialect {
                Dialect::Process => {
                    matches!(
                        c,
                        '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'
                    ) || !matches!(c, '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
                }
                Dialect::Pack => {
                    matches!(c, '"' | '\\' | '\r' | '\n') || is_break(c) || !printable(c, true)
                }
            };
            if !escape {
                self.out.push(c);
                continue;
            }
            let named = match c {
                '\0' => Some('0'),
                '\u{07}' => Some('a'),
                '\u{08}' => Some('b'),
                '\t' => Some('t'),
                '\n' => Some('n'),
                '\u{0B}' => Some('v'),
                '\u{0C}' => Some('f'),
                '\r' => Some('r'),
                '\u{1B}' => Some('e'),
                '"' => Some('"'),
                '\\' => Some('\\'),
                '\u{85}' => Some('N'),
                '\u{A0}' => Some('_'),
                '\u{2028}' => Some('L'),
                '\u{2029}' => Some('P'),
                _ => None,
            };
            match named {
                Some(n) => {
                    self.out.push('\\');
                    self.out.push(n);
                }
                None => {
                    let code = c as u32;
                    let escaped = if code <= 0xFF {
                        format!("\\x{code:02X}")
                    } else if code <= 0xFFFF {
                        format!("\\u{code:04X}")
                    } else {
                        format!("\\U{code:08X}")
                    };
                    self.out.push_str(&escaped);
                }
            }
        }
        self.out.push('"');
    }

    /// A literal block: `|` and its hints, then each line of the text at column `indent`
    /// (empty lines empty). yaml.v3 writes no line break after the header when the text starts
    /// with one: that first line break ends the header line, and is lost.
    fn literal(&mut self, s: &str, indent: usize) {
        self.out.push('|');
        self.out.push_str(&block_hints(s, self.step()));
        let body = match self.dialect {
            Dialect::Pack if s.starts_with(is_break) => {
                let first = s.chars().next().map_or(0, char::len_utf8);
                &s[first..]
            }
            _ => s,
        };
        self.out.push('\n');
        let mut line = String::new();
        for c in body.chars() {
            if is_break(c) {
                if !line.is_empty() {
                    self.out.extend(std::iter::repeat_n(' ', indent));
                    self.out.push_str(&line);
                    line.clear();
                }
                self.out.push(c);
            } else {
                line.push(c);
            }
        }
        if !line.is_empty() {
            self.out.extend(std::iter::repeat_n(' ', indent));
            self.out.push_str(&line);
            self.out.push('\n');
        }
        self.at_line_start = true;
    }
}

/// Whether a YAML 1.1 reader (SnakeYAML's resolver, as CircleCI's compiler has it) reads the
/// plain text `s` as a string (the float pattern is the one of recent SnakeYAML releases, which
/// take `1e3` for a float; older ones differ there [U]): not a boolean (`yes`, `On`), null (`~`, empty), integer
/// (`010`, `0x1F`, `1_000`, `1:30`), float (`1.5`, `.5`, `1e3`, `.inf`), timestamp
/// (`2001-12-14`), merge key (`<<`) or `=`.
pub fn reads_as_string_1_1(s: &str) -> bool {
    // Every pattern starts with one of these characters (or is empty).
    if s.chars()
        .next()
        .is_some_and(|c| !"-+.0123456789yYnNtTfFoO~< =".contains(c))
    {
        return true;
    }
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(concat!(
            r"^(?:",
            r"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
            r"|~|null|Null|NULL| |",
            r"|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+",
            r"|[-+]?(?:\.[0-9]+|[0-9_]+(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
            r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?",
            r"|<<|=",
            r")$"
        ))
        .expect("the YAML 1.1 patterns are valid")
    });
    !re.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(entries: Vec<(&str, Data)>) -> Data {
        Data::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Data::str(k), v))
                .collect(),
        )
    }

    #[test]
    fn process_style() {
        let steps = Data::Seq(vec![
            Data::str("checkout"),
            m(vec![(
                "run",
                m(vec![
                    ("command", Data::str("echo a\n\necho b\n")),
                    ("name", Data::str("x: y")),
                ]),
            )]),
        ]);
        let data = m(vec![
            ("version", Data::Int(2)),
            (
                "jobs",
                m(vec![(
                    "build",
                    m(vec![
                        ("steps", steps),
                        (
                            "environment",
                            Data::Seq(vec![
                                m(vec![("A", Data::str("386"))]),
                                m(vec![("B", Data::str(""))]),
                                m(vec![("C", Data::Float(1.14))]),
                            ]),
                        ),
                        ("e", Data::Map(vec![])),
                        ("q", Data::str("set -x \necho\n")),
                    ]),
                )]),
            ),
        ]);
        assert_eq!(
            to_yaml(&data, Dialect::Process),
            "version: 2\njobs:\n  build:\n    steps:\n    - checkout\n    - run:\n        command: |\n          echo a\n\n          echo b\n        name: 'x: y'\n    environment:\n    - A: '386'\n    - B: ''\n    - C: 1.14\n    e: {}\n    q: \"set -x \\necho\\n\"\n"
        );
    }

    #[test]
    fn pack_style() {
        let data = m(vec![
            (
                "jobs",
                m(vec![(
                    "build",
                    m(vec![(
                        "steps",
                        Data::Seq(vec![m(vec![(
                            "run",
                            m(vec![
                                ("command", Data::str("\nabc\n")),
                                ("n", Data::str("yes")),
                            ]),
                        )])]),
                    )]),
                )]),
            ),
            ("n", Data::Float(2.0)),
            ("o", Data::str("x: y")),
        ]);
        assert_eq!(
            to_yaml(&data, Dialect::Pack),
            "jobs:\n    build:\n        steps:\n            - run:\n                command: |4\n                    abc\n                \"n\": \"yes\"\n\"n\": 2\no: 'x: y'\n"
        );
    }

    #[test]
    fn one_point_one_strings() {
        for s in [
            "yes", "On", "", "~", "010", "0x1F", "1_000", "1:30", "1.5", ".5", "1e3",
        ] {
            assert!(!reads_as_string_1_1(s), "{s}");
        }
        for s in [
            "2001-12-14",
            "<<",
            "=",
            ".inf",
            "abc",
            "1.2.3",
            "y",
            "n",
            "v1",
        ] {
            assert_eq!(
                reads_as_string_1_1(s),
                matches!(s, "abc" | "1.2.3" | "y" | "n" | "v1"),
                "{s}"
            );
        }
    }
}

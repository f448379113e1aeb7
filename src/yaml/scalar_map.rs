//! Map byte offsets in a scalar's value back to the source, so a finding about a piece of a
//! `run` script (a `$VAR`, a URL, a shellcheck finding) points at the exact characters in the
//! YAML file and not at the whole block scalar.
//!
//! The value of a scalar is its source with the quoting, escapes, indentation and line folding
//! removed. The mapping walks the value and the source together: equal bytes match; at the
//! start of a source line the indentation is skipped (exactly the block's indentation for `|`
//! and `>` scalars, all of it for flow scalars); a line break in the source may stand for a
//! space or a newline in the value (folding) or for nothing; in quoted scalars an escape
//! (`\n`, `\"`, `\u00e9`, `''`) stands for the character it produces. When the walk does not
//! account for the whole value, there is no mapping and callers fall back to the scalar's span.

use crate::base::span::Span;
use crate::yaml::{Node, ScalarStyle, Value};

/// The source offset of every byte of a scalar's value (plus one past the end).
#[derive(Clone, Debug)]
pub struct ScalarMap {
    offsets: Vec<u32>,
    fallback: Span,
}

impl ScalarMap {
    /// The mapping for a scalar node (`None` for collections).
    pub fn new(src: &str, node: &Node) -> Option<ScalarMap> {
        let Value::Scalar(s) = &node.value else {
            return None;
        };
        let offsets = map_offsets(src, node.span, s.style, &s.text);
        Some(ScalarMap {
            offsets: offsets.unwrap_or_default(),
            fallback: node.span,
        })
    }

    #[cfg(test)]
    /// True when every byte of the value has an exact source position.
    pub fn is_exact(&self) -> bool {
        !self.offsets.is_empty()
    }

    /// The source span of a byte range of the value; the whole scalar when there is no exact
    /// mapping.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if self.offsets.is_empty() || end >= self.offsets.len() || start > end {
            return self.fallback;
        }
        let s = self.offsets[start];
        // The end: one past the source position of the last byte.
        let e = if end > start {
            self.offsets[end - 1] + 1
        } else {
            s
        };
        Span {
            start: s,
            end: e.max(s),
        }
    }

    #[cfg(test)]
    /// The source offset of a value offset (the scalar's start without an exact mapping).
    pub fn offset(&self, at: usize) -> u32 {
        self.offsets.get(at).copied().unwrap_or(self.fallback.start)
    }
}

fn map_offsets(src: &str, span: Span, style: ScalarStyle, text: &str) -> Option<Vec<u32>> {
    let s = src.as_bytes();
    let (start, end) = (span.start as usize, (span.end as usize).min(s.len()));
    if start > end {
        return None;
    }
    let t = text.as_bytes();
    let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
    let (mut j, stop, indent) = match style {
        ScalarStyle::Literal | ScalarStyle::Folded => {
            let header_end = s[start..end].iter().position(|&c| c == b'\n')? + start + 1;
            let header = &src[start..header_end - 1];
            let explicit = header
                .bytes()
                .find(|c| c.is_ascii_digit())
                .map(|d| (d - b'0') as usize);
            // The block's indentation: the explicit indicator counts from the parent's, which
            // we take as the first content line's indentation minus nothing; without one, the
            // first non-blank line's.
            let mut k = header_end;
            let mut first_indent = None;
            while k < end {
                let line_end = s[k..end]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(end, |i| k + i);
                let line = &s[k..line_end];
                if line.iter().any(|&c| c != b' ' && c != b'\t' && c != b'\r') {
                    first_indent = Some(line.iter().take_while(|&&c| c == b' ').count());
                    break;
                }
                k = line_end + 1;
            }
            let indent = match (explicit, first_indent) {
                (_, Some(i)) => i,
                (Some(e), None) => e,
                (None, None) => 0,
            };
            (header_end, end, indent)
        }
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            if end < start + 2 {
                return None;
            }
            (start + 1, end - 1, 0)
        }
        ScalarStyle::Plain => (start, end, 0),
    };
    let mut out = Vec::with_capacity(t.len() + 1);
    let mut i = 0;
    let mut line_start = block;
    while i < t.len() {
        if line_start {
            // Skip the indentation of a new source line.
            let mut skipped = 0;
            while j < stop
                && (if block {
                    skipped < indent && s[j] == b' '
                } else {
                    matches!(s[j], b' ' | b'\t')
                })
            {
                j += 1;
                skipped += 1;
            }
            line_start = false;
        }
        if j >= stop {
            // Trailing newlines kept by chomping.
            if t[i..].iter().all(|&c| c == b'\n') {
                while i < t.len() {
                    out.push(stop as u32);
                    i += 1;
                }
                break;
            }
            return None;
        }
        let (c, d) = (t[i], s[j]);
        if style == ScalarStyle::DoubleQuoted && d == b'\\' {
            let (consumed, produced) = escape(&s[j..stop])?;
            if t.get(i..i + produced.len())? != produced.as_slice() {
                // A line-continuation escape (`\` at the end of a line) produces nothing.
                if produced.is_empty() {
                    j += consumed;
                    line_start = true;
                    continue;
                }
                return None;
            }
            for _ in 0..produced.len() {
                out.push(j as u32);
            }
            i += produced.len();
            j += consumed;
            if produced.is_empty() {
                line_start = true;
            }
            continue;
        }
        if style == ScalarStyle::SingleQuoted
            && d == b'\''
            && s.get(j + 1) == Some(&b'\'')
            && c == b'\''
        {
            out.push(j as u32);
            i += 1;
            j += 2;
            continue;
        }
        if c == d {
            out.push(j as u32);
            i += 1;
            j += 1;
            if d == b'\n' {
                line_start = true;
            }
            continue;
        }
        match d {
            b'\n' => {
                if c == b' ' && !matches!(style, ScalarStyle::Literal) {
                    // A folded line break.
                    out.push(j as u32);
                    i += 1;
                }
                j += 1;
                line_start = true;
            }
            b'\r' => j += 1,
            // Trailing spaces before a folded break are dropped.
            b' ' | b'\t' if !block || style == ScalarStyle::Folded => j += 1,
            _ => return None,
        }
    }
    out.push(j.min(stop) as u32);
    Some(out)
}

/// A double-quoted escape at the start of `s`: (source bytes consumed, value bytes produced).
fn escape(s: &[u8]) -> Option<(usize, Vec<u8>)> {
    let c = *s.get(1)?;
    let simple = |b: u8| Some((2, vec![b]));
    match c {
        b'n' => simple(b'\n'),
        b't' | b'\t' => simple(b'\t'),
        b'r' => simple(b'\r'),
        b'0' => simple(0),
        b'a' => simple(7),
        b'b' => simple(8),
        b'e' => simple(0x1b),
        b'f' => simple(0x0c),
        b'v' => simple(0x0b),
        b' ' => simple(b' '),
        b'"' | b'\\' | b'/' => simple(c),
        b'N' => Some((2, "\u{85}".as_bytes().to_vec())),
        b'_' => Some((2, "\u{a0}".as_bytes().to_vec())),
        b'L' => Some((2, "\u{2028}".as_bytes().to_vec())),
        b'P' => Some((2, "\u{2029}".as_bytes().to_vec())),
        b'x' | b'u' | b'U' => {
            let n = match c {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = std::str::from_utf8(s.get(2..2 + n)?).ok()?;
            let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
            let mut buf = [0u8; 4];
            Some((2 + n, ch.encode_utf8(&mut buf).as_bytes().to_vec()))
        }
        b'\n' => {
            // Line continuation: the break and the next line's indentation produce nothing.
            Some((2, Vec::new()))
        }
        b'\r' if s.get(2) == Some(&b'\n') => Some((3, Vec::new())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    /// The source text that a value range maps to, for the scalar under `key`.
    fn mapped(src: &str, key: &str, needle: &str) -> String {
        let doc = parse(src);
        let root = doc.root.expect("root");
        let node = root.get(key).expect("key");
        let text = node.scalar_text().expect("scalar");
        let at = text.find(needle).expect("needle in value");
        let map = ScalarMap::new(src, node).expect("scalar");
        assert!(map.is_exact(), "exact mapping for {key}");
        map.span(at, at + needle.len()).slice(src).to_string()
    }

    #[test]
    fn plain_and_quoted() {
        let src = "a: echo $FOO\nb: 'it''s $BAR'\nc: \"tab\\t$BAZ \\u00e9 $QUX\"\n";
        assert_eq!(mapped(src, "a", "$FOO"), "$FOO");
        assert_eq!(mapped(src, "b", "$BAR"), "$BAR");
        assert_eq!(mapped(src, "c", "$BAZ"), "$BAZ");
        assert_eq!(mapped(src, "c", "$QUX"), "$QUX");
    }

    #[test]
    fn literal_block() {
        let src = "run: |\n    echo one\n      indented $A\n\n    last $B\nnext: 1\n";
        assert_eq!(mapped(src, "run", "$A"), "$A");
        assert_eq!(mapped(src, "run", "$B"), "$B");
        let doc = parse(src);
        let node = doc.root.as_ref().and_then(|r| r.get("run")).expect("run");
        let map = ScalarMap::new(src, node).expect("scalar");
        let text = node.scalar_text().expect("text");
        let at = text.find("$B").expect("B");
        // Line 5, column 10 (1-based) in the source.
        let off = map.offset(at) as usize;
        let line_start = src[..off].rfind('\n').map_or(0, |i| i + 1);
        assert_eq!(src[..off].matches('\n').count() + 1, 5);
        assert_eq!(off - line_start + 1, 10);
    }

    #[test]
    fn literal_block_keep_and_strip() {
        let src = "a: |+\n  x $K\n\nb: |-\n  y $S\n";
        assert_eq!(mapped(src, "a", "$K"), "$K");
        assert_eq!(mapped(src, "b", "$S"), "$S");
    }

    #[test]
    fn folded_and_multiline_plain() {
        let src = "f: >\n  one $A\n  two $B\n\n  three $C\np: first $D\n  second $E\n";
        assert_eq!(mapped(src, "f", "$B"), "$B");
        assert_eq!(mapped(src, "f", "$C"), "$C");
        assert_eq!(mapped(src, "p", "$E"), "$E");
    }

    #[test]
    fn nested_in_a_sequence() {
        let src = "steps:\n  - run:\n      command: |\n        git push https://h:$KEY@x.com\n";
        let doc = parse(src);
        let node = doc
            .root
            .as_ref()
            .and_then(|r| r.lookup(["steps", "0", "run", "command"]))
            .expect("command");
        let text = node.scalar_text().expect("text");
        let at = text.find("$KEY").expect("key");
        let map = ScalarMap::new(src, node).expect("scalar");
        assert_eq!(map.span(at, at + 4).slice(src), "$KEY");
    }

    #[test]
    fn no_mapping_falls_back_to_the_scalar() {
        let src = "a: \"x\\q\"\n";
        let doc = parse(src);
        let node = doc.root.as_ref().and_then(|r| r.get("a"));
        if let Some(node) = node {
            let map = ScalarMap::new(src, node).expect("scalar");
            let sp = map.span(0, 1);
            assert!(sp == node.span || map.is_exact());
        }
    }
}

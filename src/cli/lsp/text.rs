//! Open documents: their text, and positions as the protocol counts them (UTF-16 code units
//! by default, or bytes when the client takes UTF-8), converted from and to byte offsets.
//! Every position from the client is clamped into the text: a line or column past the end is
//! the end.

use crate::base::span::{LineIndex, Span};
use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};
use std::path::PathBuf;

/// How the client counts columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// An open document.
#[derive(Clone, Debug)]
pub struct Doc {
    pub uri: Uri,
    pub text: String,
    pub version: i32,
    /// The file on disk, for a `file:` URI.
    pub path: Option<PathBuf>,
    /// The name reports show (the path, or the URI).
    pub display: String,
    lines: LineIndex,
}

impl Doc {
    pub fn new(uri: Uri, text: String, version: i32) -> Doc {
        let path = file_path(uri.as_str());
        let display = path
            .as_ref()
            .map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string());
        Doc {
            lines: LineIndex::new(&text),
            uri,
            text,
            version,
            path,
            display,
        }
    }

    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// Apply one change (a range and its new text, or the whole text).
    pub fn change(&mut self, change: TextDocumentContentChangeEvent, enc: Encoding) {
        match change.range {
            None => self.text = change.text,
            Some(range) => {
                let start = self.offset(range.start, enc);
                let end = self.offset(range.end, enc).max(start);
                self.text.replace_range(start..end, &change.text);
            }
        }
        self.lines = LineIndex::new(&self.text);
    }

    /// The byte offset of a position, clamped into the text.
    pub fn offset(&self, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize + 1;
        if line > self.lines.line_count() {
            return self.text.len();
        }
        let start = self.lines.line_start(line);
        let text = self.lines.line_text(&self.text, line);
        let mut units = 0usize;
        for (i, c) in text.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        start + text.len()
    }

    /// The position of a byte offset.
    pub fn position(&self, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.lines.line(offset);
        let start = self.lines.line_start(line);
        let before = &self.text[start..offset];
        let character = match enc {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        Position::new((line - 1) as u32, character as u32)
    }

    pub fn range(&self, span: Span, enc: Encoding) -> Range {
        Range::new(
            self.position(span.start as usize, enc),
            self.position(span.end as usize, enc),
        )
    }

    pub fn span(&self, range: Range, enc: Encoding) -> Span {
        let start = self.offset(range.start, enc);
        Span::new(start, self.offset(range.end, enc).max(start))
    }
}

/// The path of a `file:` URI (percent-decoded; bytes that are not UTF-8 are kept as the
/// platform allows).
pub fn file_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///path` or `file://localhost/path`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = rest.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(out)))
    }
    #[cfg(not(unix))]
    {
        Some(PathBuf::from(String::from_utf8_lossy(&out).into_owned()))
    }
}

/// The `file:` URI of a path (everything outside the unreserved characters and `/`
/// percent-encoded).
pub fn file_uri(path: &std::path::Path) -> Option<Uri> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        abs.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = abs.to_string_lossy().replace('\\', "/").into_bytes();
    let mut text = String::from("file://");
    if !bytes.starts_with(b"/") {
        text.push('/');
    }
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            text.push(b as char);
        } else {
            text.push_str(&format!("%{b:02X}"));
        }
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Doc {
        Doc::new(
            "file:///tmp/a%20b/c.yml".parse().unwrap(),
            text.to_string(),
            1,
        )
    }

    #[test]
    fn positions_round_trip_in_both_encodings() {
        let d = doc("a: é𝄞x\nb: 1\n");
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for off in [0, 3, 5, 9, 10, 12, 16] {
                let p = d.position(off, enc);
                assert_eq!(d.offset(p, enc), off, "{enc:?} {off}");
            }
        }
        // 𝄞 is two UTF-16 units: `x` is at column 6 in UTF-16, 9 in UTF-8.
        assert_eq!(d.position(9, Encoding::Utf16), Position::new(0, 6));
        assert_eq!(d.position(9, Encoding::Utf8), Position::new(0, 9));
        assert_eq!(
            d.path.as_deref(),
            Some(std::path::Path::new("/tmp/a b/c.yml"))
        );
    }

    #[test]
    fn edits_past_the_end_are_clamped() {
        let mut d = doc("a: 1\n");
        d.change(
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(7, 3), Position::new(99, 0))),
                range_length: None,
                text: "b: 2\n".into(),
            },
            Encoding::Utf16,
        );
        assert_eq!(d.text, "a: 1\nb: 2\n");
        d.change(
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(0, 99), Position::new(0, 1))),
                range_length: None,
                text: "!".into(),
            },
            Encoding::Utf16,
        );
        assert_eq!(d.text, "a: 1!\nb: 2\n");
    }
}

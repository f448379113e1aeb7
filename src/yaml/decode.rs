//! Bytes to text: UTF-8 only, byte-order mark stripped, NUL bytes refused.

use super::{Problem, YamlFinding};
use crate::base::diagnostic::Finding;
use crate::base::span::{LineIndex, Span};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decode a config file's bytes.
///
/// A UTF-8 byte-order mark is stripped: the returned text (which every span of the tree
/// indexes) starts after it, so line 1 columns are counted without it.
///
/// Invalid UTF-8 and NUL bytes give a `yaml-syntax` error. Its span indexes
/// [`lossy_text`]`(bytes)` (the same text with the BOM stripped and every invalid sequence
/// replaced by U+FFFD): everything before the first bad byte is identical in both, so the span
/// points at the first bad byte. Print the error against that text.
// A failed decode is rare and ends the file's processing: the size of the error is no concern.
#[allow(clippy::result_large_err)]
pub fn decode(bytes: &[u8]) -> Result<String, YamlFinding> {
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if body.starts_with(b"\xFF\xFE") || body.starts_with(b"\xFE\xFF") {
        let which = if body[0] == 0xFF {
            "UTF-16 little-endian"
        } else {
            "UTF-16 big-endian"
        };
        return Err(Finding::new(
            Problem::Syntax,
            Span::new(0, 3),
            format!("the file is encoded as {which}, not UTF-8"),
        )
        .label("UTF-16 byte-order mark")
        .help("save the file as UTF-8 (CircleCI reads config files as UTF-8 text)"));
    }
    match std::str::from_utf8(body) {
        Ok(text) => {
            if let Some(nul) = text.bytes().position(|b| b == 0) {
                let idx = LineIndex::new(text);
                let lc = idx.line_col(text, nul);
                return Err(Finding::new(
                        Problem::Syntax,
                        Span::new(nul, nul + 1),
                        format!(
                            "the file contains a NUL byte at line {}, column {} (byte offset {nul}): it is not a text file",
                            lc.line, lc.column
                        ),
                    )
                    .label("NUL byte")
                    .help(
                        "save the file as UTF-8 text; a file full of NUL bytes is often UTF-16 or binary",
                    ));
            }
            Ok(text.to_owned())
        }
        Err(err) => {
            let at = err.valid_up_to();
            let lossy = lossy_text(bytes);
            let idx = LineIndex::new(&lossy);
            let lc = idx.line_col(&lossy, at);
            // In the lossy text the bad sequence is one U+FFFD (3 bytes).
            let end = at + lossy[at..].chars().next().map_or(0, char::len_utf8);
            Err(Finding::new(
                    Problem::Syntax,
                    Span::new(at, end),
                    format!(
                        "the file is not valid UTF-8: byte 0x{:02X} at line {}, column {} (byte offset {at}) is not part of a UTF-8 character",
                        body[at], lc.line, lc.column
                    ),
                )
                .label("invalid UTF-8")
                .help(
                    "save the file as UTF-8 (it may be in Latin-1 or Windows-1252); CircleCI reads config files as UTF-8",
                ))
        }
    }
}

/// The text a [`decode`] error's span indexes: BOM stripped, invalid UTF-8 replaced by U+FFFD.
pub fn lossy_text(bytes: &[u8]) -> String {
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    String::from_utf8_lossy(body).into_owned()
}

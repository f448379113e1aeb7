//! Byte spans into the source text, and the conversion of byte offsets to the 1-based line and
//! character column that reports show.

/// A half-open byte range `start..end` into the source of one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        let start = start.min(u32::MAX as usize) as u32;
        let end = (end.min(u32::MAX as usize) as u32).max(start);
        Span { start, end }
    }

    pub fn empty(at: usize) -> Span {
        Span::new(at, at)
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Whether `other` lies within this span (ends included).
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The smallest span that covers both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The text of the span, or "" when it does not fall on character boundaries of `src`.
    pub fn slice(self, src: &str) -> &str {
        src.get(self.range()).unwrap_or("")
    }
}

/// 1-based line and column (column counted in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// The byte offset of the start of every line of a source text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.saturating_sub(1).min(self.starts.len() - 1)]
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line and character column of a byte offset. Offsets inside a multi-byte
    /// character count as that character.
    pub fn line_col(&self, src: &str, offset: usize) -> LineCol {
        let offset = offset.min(src.len());
        let line = self.line(offset);
        let start = self.line_start(line);
        let mut end = offset;
        while end > start && !src.is_char_boundary(end) {
            end -= 1;
        }
        let column = src
            .get(start..end)
            .map_or(end - start, |s| s.chars().count())
            + 1;
        LineCol { line, column }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text<'s>(&self, src: &'s str, line: usize) -> &'s str {
        let start = self.line_start(line);
        let end = if line < self.starts.len() {
            self.starts[line]
        } else {
            src.len()
        };
        src.get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let src = "a: 1\nbé: x\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(src, 5), LineCol { line: 2, column: 1 });
        // "bé: " is 5 bytes, 4 characters; `x` is at byte 10.
        assert_eq!(idx.line_col(src, 10), LineCol { line: 2, column: 5 });
        assert_eq!(idx.line_text(src, 2), "bé: x");
    }
}

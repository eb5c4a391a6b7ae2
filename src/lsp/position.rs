//! Positions as the client counts them. prov works in byte offsets of UTF-8 text; an LSP
//! position is a line and a column in code units of the negotiated encoding: UTF-16 by default,
//! UTF-8 or UTF-32 when the client offers them (LSP 3.17 `positionEncodings`). Lines end at
//! `\n`, `\r\n` or a lone `\r`, as the protocol says.
//!
//! Conversions never fail: a position past the end of a line is its end, a line past the end of
//! the text is the end of the text, and a column inside a character (half a surrogate pair, a
//! byte inside a multi-byte UTF-8 sequence) is the start of that character.

use lsp_types::{Position, PositionEncodingKind, Range};

/// The unit a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The client's most preferred encoding that prov speaks (it speaks all three), or UTF-16,
    /// the protocol's default, when the client offers none.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        offered
            .unwrap_or_default()
            .iter()
            .find_map(|k| match k.as_str() {
                "utf-8" => Some(Encoding::Utf8),
                "utf-16" => Some(Encoding::Utf16),
                "utf-32" => Some(Encoding::Utf32),
                _ => None,
            })
            .unwrap_or(Encoding::Utf16)
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    /// The code units of `c`.
    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }

    /// The code units of `s`.
    pub fn units_of(self, s: &str) -> u32 {
        match self {
            Encoding::Utf8 => s.len() as u32,
            Encoding::Utf16 => s.chars().map(char::len_utf16).sum::<usize>() as u32,
            Encoding::Utf32 => s.chars().count() as u32,
        }
    }
}

/// Where each line of a text starts, to convert between byte offsets and positions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(at) = memchr::memchr2(b'\n', b'\r', bytes.get(i..).unwrap_or_default()) {
            let at = i + at;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            starts.push(next);
            i = next;
        }
        LineIndex { starts }
    }

    /// Number of lines (a text ending with a line break has an empty last line).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// Byte range of line `line` without its line break (empty past the end).
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let Some(&start) = self.starts.get(line) else {
            return text.len()..text.len();
        };
        let mut end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let b = text.as_bytes();
        if end > start && b.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && b.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end
    }

    /// The position of byte `offset` (clamped to the text, and to the start of its character).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = enc.units_of(text.get(start..offset).unwrap_or(""));
        Position::new(line as u32, character)
    }

    /// The byte offset of `pos` (clamped: see the module).
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let range = self.line_range(text, line);
        let mut units = 0u32;
        for (i, c) in text.get(range.clone()).unwrap_or("").char_indices() {
            let next = units + enc.units(c);
            if next > pos.character {
                return range.start + i;
            }
            units = next;
        }
        range.end
    }

    /// The LSP range of the byte range `r`.
    pub fn range(&self, text: &str, r: std::ops::Range<usize>, enc: Encoding) -> Range {
        let start = self.position(text, r.start, enc);
        let end = self.position(text, r.end.max(r.start), enc);
        Range::new(start, end)
    }

    /// The byte range of the LSP range `r` (ordered).
    pub fn byte_range(&self, text: &str, r: Range, enc: Encoding) -> std::ops::Range<usize> {
        let a = self.offset(text, r.start, enc);
        let b = self.offset(text, r.end, enc);
        a.min(b)..a.max(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    /// Every character boundary maps to a position and back, in all three encodings.
    fn round_trips(text: &str) {
        let index = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
                // Offsets inside a CRLF line break have no position of their own.
                if i > 0
                    && text.as_bytes()[i - 1] == b'\r'
                    && text.as_bytes().get(i) == Some(&b'\n')
                {
                    continue;
                }
                let p = index.position(text, i, enc);
                assert_eq!(
                    index.offset(text, p, enc),
                    i,
                    "{enc:?} {text:?} at {i}: {p:?}"
                );
            }
        }
    }

    #[test]
    fn accents_count_one_unit_in_utf16_and_utf32_and_two_bytes_in_utf8() {
        // "é" is U+00E9: 2 bytes, 1 UTF-16 unit, 1 code point.
        let text = "quote = \"é à\"\nx";
        let index = LineIndex::new(text);
        let after = text.find('à').unwrap() + 'à'.len_utf8(); // byte 14
        assert_eq!(after, 14);
        assert_eq!(index.position(text, after, Encoding::Utf8), pos(0, 14));
        assert_eq!(index.position(text, after, Encoding::Utf16), pos(0, 12));
        assert_eq!(index.position(text, after, Encoding::Utf32), pos(0, 12));
        assert_eq!(index.offset(text, pos(0, 12), Encoding::Utf16), after);
        assert_eq!(index.offset(text, pos(0, 14), Encoding::Utf8), after);
        // Inside "é" in UTF-8: its start.
        assert_eq!(index.offset(text, pos(0, 10), Encoding::Utf8), 9);
        // A decomposed "é" (e + U+0301) is two code points.
        let text = "e\u{301}x";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 3, Encoding::Utf16), pos(0, 2));
        assert_eq!(index.position(text, 3, Encoding::Utf8), pos(0, 3));
        round_trips("quote = \"L’Albanie a rompu mercredi\"\nsource = \"été\"");
    }

    #[test]
    fn emoji_are_two_utf16_units_four_bytes_and_one_code_point() {
        let text = "a😀b";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 5, Encoding::Utf16), pos(0, 3));
        assert_eq!(index.position(text, 5, Encoding::Utf8), pos(0, 5));
        assert_eq!(index.position(text, 5, Encoding::Utf32), pos(0, 2));
        assert_eq!(index.offset(text, pos(0, 3), Encoding::Utf16), 5);
        assert_eq!(index.offset(text, pos(0, 2), Encoding::Utf32), 5);
        // Half a surrogate pair, or a byte inside the emoji: the start of the emoji.
        assert_eq!(index.offset(text, pos(0, 2), Encoding::Utf16), 1);
        assert_eq!(index.offset(text, pos(0, 3), Encoding::Utf8), 1);
        // A byte offset inside the emoji is its start too.
        assert_eq!(index.position(text, 3, Encoding::Utf16), pos(0, 1));
        // A ZWJ sequence is several code points.
        let family = "👩‍👧";
        assert_eq!(Encoding::Utf32.units_of(family), 3);
        assert_eq!(Encoding::Utf16.units_of(family), 5);
        assert_eq!(Encoding::Utf8.units_of(family), 11);
        round_trips("x = \"👩‍👧 😀\"\n😀\n");
    }

    #[test]
    fn no_break_spaces_are_single_units_of_two_or_three_bytes() {
        // U+00A0 (2 bytes) and U+202F (3 bytes): one UTF-16 unit, one code point each.
        let text = "prix\u{a0}: 10\u{202f}€";
        let index = LineIndex::new(text);
        let end = text.len();
        assert_eq!(index.position(text, end, Encoding::Utf8), pos(0, 16));
        assert_eq!(index.position(text, end, Encoding::Utf16), pos(0, 11));
        assert_eq!(index.position(text, end, Encoding::Utf32), pos(0, 11));
        round_trips(text);
    }

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        let text = "a\r\nb\rc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.lines(), 4);
        assert_eq!(index.offset(text, pos(1, 0), Encoding::Utf16), 3);
        assert_eq!(index.offset(text, pos(2, 0), Encoding::Utf16), 5);
        assert_eq!(index.offset(text, pos(3, 0), Encoding::Utf16), 7);
        assert_eq!(index.line_range(text, 0), 0..1);
        assert_eq!(index.line_range(text, 1), 3..4);
        assert_eq!(index.position(text, 7, Encoding::Utf16), pos(3, 0));
        round_trips(text);
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        // Past the end of a line: its end, before the line break.
        assert_eq!(index.offset(text, pos(0, 99), Encoding::Utf16), 2);
        // Past the last line: the end of the text.
        assert_eq!(index.offset(text, pos(9, 0), Encoding::Utf16), 5);
        assert_eq!(index.position(text, 99, Encoding::Utf16), pos(1, 2));
        let empty = LineIndex::new("");
        assert_eq!(empty.offset("", pos(3, 3), Encoding::Utf8), 0);
        assert_eq!(empty.position("", 3, Encoding::Utf8), pos(0, 0));
    }

    #[test]
    fn negotiation_takes_the_clients_first_known_encoding() {
        use PositionEncodingKind as K;
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(Some(&[])), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[K::UTF8, K::UTF16])),
            Encoding::Utf8
        );
        assert_eq!(
            Encoding::negotiate(Some(&[K::new("utf-7"), K::UTF32, K::UTF8])),
            Encoding::Utf32
        );
        assert_eq!(Encoding::negotiate(Some(&[K::UTF16])), Encoding::Utf16);
    }
}

//! Code-point indexing and exact search over a snapshot text.
//!
//! This module owns [`CharText`], the view of a snapshot through which every other part of prov
//! talks about positions: spans are Unicode code points (Rust `char`s, half-open `[start, end)`),
//! while Rust strings are indexed by bytes. `CharText` converts between the two in O(1) for ASCII
//! text and in O(256) otherwise (a table holds the number of chars before every 256th byte), and
//! finds every exact occurrence of a quote with `memchr::memmem`, converting byte hits to char
//! offsets incrementally so that a search costs O(text) however many hits there are.

use memchr::memmem;

/// Size, in bytes, of the blocks whose char counts the table holds.
const BLOCK: usize = 256;

/// A snapshot text with O(1)-ish code point <-> byte offset conversion.
///
/// Construction is O(n) once (a count of lead bytes per block, which the compiler vectorises); for
/// an ASCII text no table is built at all (chars are bytes).
#[derive(Debug, Clone)]
pub struct CharText<'a> {
    text: &'a str,
    len_chars: usize,
    ascii: bool,
    /// `before[k]`: the number of chars that start before byte `k * BLOCK` (empty for ASCII text).
    before: Vec<u32>,
}

impl<'a> CharText<'a> {
    /// Index `text`: O(n), and no allocation for ASCII text.
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        if text.is_ascii() {
            return CharText {
                text,
                len_chars: text.len(),
                ascii: true,
                before: Vec::new(),
            };
        }
        let mut before = Vec::with_capacity(text.len() / BLOCK + 1);
        let mut n = 0usize;
        for block in text.as_bytes().chunks(BLOCK) {
            // Snapshots are at most 256 MiB (`files::MAX_FILE_BYTES`): the count fits a u32.
            before.push(u32::try_from(n).unwrap_or(u32::MAX));
            n += count_chars(block);
        }
        CharText {
            text,
            len_chars: n,
            ascii: false,
            before,
        }
    }

    /// The whole text.
    #[must_use]
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Number of code points in the text.
    #[must_use]
    pub fn len_chars(&self) -> usize {
        self.len_chars
    }

    /// Whether the text is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Byte offset of code point `char_idx`; `char_idx == len_chars()` gives `Some(text.len())`,
    /// anything larger gives `None`.
    #[must_use]
    pub fn byte_of(&self, char_idx: usize) -> Option<usize> {
        if char_idx > self.len_chars {
            return None;
        }
        if char_idx == self.len_chars {
            return Some(self.text.len());
        }
        if self.ascii {
            return Some(char_idx);
        }
        // The last block starting with at most `char_idx` chars before it (block 0 has none).
        let k = self
            .before
            .partition_point(|&b| b as usize <= char_idx)
            .checked_sub(1)?;
        let mut left = char_idx - *self.before.get(k)? as usize;
        let bytes = self.text.as_bytes();
        // Lead bytes from the block's start: the first one is char `before[k]` (continuation
        // bytes at the start belong to a char counted in an earlier block).
        for (i, &b) in bytes.get(k * BLOCK..)?.iter().enumerate() {
            if is_lead(b) {
                if left == 0 {
                    return Some(k * BLOCK + i);
                }
                left -= 1;
            }
        }
        None
    }

    /// Code point index of byte offset `byte_idx`; `None` when it is out of range or not on a char
    /// boundary. `byte_idx == text.len()` gives `Some(len_chars())`.
    #[must_use]
    pub fn char_of(&self, byte_idx: usize) -> Option<usize> {
        if byte_idx > self.text.len() || !self.text.is_char_boundary(byte_idx) {
            return None;
        }
        if self.ascii {
            return Some(byte_idx);
        }
        if byte_idx == self.text.len() {
            return Some(self.len_chars);
        }
        let k = byte_idx / BLOCK;
        let base = *self.before.get(k)? as usize;
        Some(base + count_chars(self.text.as_bytes().get(k * BLOCK..byte_idx)?))
    }

    /// The text of code points `[start, end)`; `None` if reversed or out of range.
    #[must_use]
    pub fn slice(&self, start: usize, end: usize) -> Option<&'a str> {
        if start > end || end > self.len_chars {
            return None;
        }
        let bs = self.byte_of(start)?;
        let be = self.byte_of(end)?;
        self.text.get(bs..be)
    }

    /// Every occurrence of `needle` (non-empty; an empty needle gives no occurrence), overlapping
    /// allowed, as char ranges, in order.
    ///
    /// Uses `memchr::memmem` on bytes. A hit of a valid UTF-8 needle in a valid UTF-8 text always
    /// starts and ends on char boundaries, so byte hits convert to chars by counting the lead bytes
    /// between consecutive hits: O(text) in total however many hits there are.
    #[must_use]
    pub fn find_all(&self, needle: &str) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        self.find_each(needle, |r| {
            found.push(r);
            true
        });
        found
    }

    /// The first `cap` occurrences of `needle` (as [`find_all`](Self::find_all)) and how many
    /// there are in all: O(text) time whatever the count, O(cap) memory.
    #[must_use]
    pub fn find_capped(&self, needle: &str, cap: usize) -> Occurrences {
        let mut out = Occurrences::default();
        self.find_each(needle, |r| {
            if out.first.len() < cap {
                out.first.push(r);
            }
            out.total += 1;
            true
        });
        out
    }

    /// Calls `visit` with every occurrence of `needle` in order, until it returns `false`.
    ///
    /// Linear in the text however the occurrences overlap: `memmem` finds an occurrence, and
    /// the ones that follow it at the needle's period `p` (`aaaa` in `aaaaaa…`) are checked by
    /// comparing only the `p` bytes each adds, never the whole needle again. Two overlapping
    /// occurrences are always a period apart, and one at the next multiple of `p` exists
    /// whenever a later overlapping one at a multiple of `p` does, so the chain misses none;
    /// after it, `memmem` resumes past the last place checked.
    pub fn find_each(&self, needle: &str, mut visit: impl FnMut((usize, usize)) -> bool) {
        if needle.is_empty() {
            return;
        }
        let needle_chars = if needle.is_ascii() {
            needle.len()
        } else {
            needle.chars().count()
        };
        let hay = self.text.as_bytes();
        let nb = needle.as_bytes();
        let m = nb.len();
        let p = period(nb);
        let tail = nb.get(m - p..).unwrap_or(&[]);
        let finder = memmem::Finder::new(nb);
        let (mut pos, mut last_byte, mut last_char) = (0usize, 0usize, 0usize);
        while let Some(rest) = hay.get(pos..) {
            let Some(i) = finder.find(rest) else {
                break;
            };
            let mut hit = pos + i;
            loop {
                last_char += if self.ascii {
                    hit - last_byte
                } else {
                    count_chars(hay.get(last_byte..hit).unwrap_or(&[]))
                };
                last_byte = hit;
                if !visit((last_char, last_char + needle_chars)) {
                    return;
                }
                // The needle again `p` bytes on, if the `p` bytes after this one are its tail
                // (a valid UTF-8 occurrence starts on a char boundary).
                if p < m && hay.get(hit + m..hit + m + p) == Some(tail) {
                    hit += p;
                } else {
                    break;
                }
            }
            // No occurrence starts less than `p` bytes after `hit`, nor at `hit + p` when
            // `p < m` (just checked).
            pos = hit + p + usize::from(p < m);
        }
    }

    /// Context around the char range `[start, end)`: up to `n` chars before `start` and up to `n`
    /// chars after `end`. Out-of-range or reversed ranges are clamped to the text.
    #[must_use]
    pub fn context(&self, start: usize, end: usize, n: usize) -> (&'a str, &'a str) {
        let s = start.min(self.len_chars);
        let e = end.clamp(s, self.len_chars);
        let before = self.slice(s.saturating_sub(n), s).unwrap_or("");
        let after = self
            .slice(e, e.saturating_add(n).min(self.len_chars))
            .unwrap_or("");
        (before, after)
    }
}

/// Some occurrences of a needle and how many there are in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Occurrences {
    /// The first ones, in order, as char ranges.
    pub first: Vec<(usize, usize)>,
    /// How many there are in all (at least `first.len()`).
    pub total: usize,
}

/// The smallest period of a non-empty byte string: the least `p` with `s[i] == s[i + p]` for
/// every `i` (`s.len()` when there is none shorter). O(len) by the KMP failure function.
fn period(s: &[u8]) -> usize {
    let mut fail = vec![0usize; s.len()];
    let mut k = 0;
    for i in 1..s.len() {
        while k > 0 && s.get(i) != s.get(k) {
            k = fail.get(k - 1).copied().unwrap_or(0);
        }
        if s.get(i) == s.get(k) {
            k += 1;
        }
        if let Some(f) = fail.get_mut(i) {
            *f = k;
        }
    }
    s.len() - fail.last().copied().unwrap_or(0)
}

/// Number of chars in a UTF-8 byte slice that starts on a char boundary: its non-continuation
/// bytes.
fn count_chars(bytes: &[u8]) -> usize {
    bytecount::num_chars(bytes)
}

/// Whether `b` starts a char (is not a UTF-8 continuation byte).
pub(crate) fn is_lead(b: u8) -> bool {
    (b as i8) >= -0x40
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_find_all(text: &str, needle: &str) -> Vec<(usize, usize)> {
        let t: Vec<char> = text.chars().collect();
        let n: Vec<char> = needle.chars().collect();
        if n.is_empty() || n.len() > t.len() {
            return Vec::new();
        }
        (0..=t.len() - n.len())
            .filter(|&i| t[i..i + n.len()] == n[..])
            .map(|i| (i, i + n.len()))
            .collect()
    }

    #[test]
    fn ascii_fast_path() {
        let t = CharText::new("hello world");
        assert_eq!(t.len_chars(), 11);
        assert_eq!(t.byte_of(6), Some(6));
        assert_eq!(t.byte_of(11), Some(11));
        assert_eq!(t.byte_of(12), None);
        assert_eq!(t.char_of(11), Some(11));
        assert_eq!(t.char_of(12), None);
        assert_eq!(t.slice(6, 11), Some("world"));
        assert_eq!(t.slice(7, 6), None);
        assert_eq!(t.slice(0, 12), None);
        assert!(t.before.is_empty());
    }

    #[test]
    fn empty_text() {
        let t = CharText::new("");
        assert_eq!(t.len_chars(), 0);
        assert!(t.is_empty());
        assert_eq!(t.byte_of(0), Some(0));
        assert_eq!(t.byte_of(1), None);
        assert_eq!(t.char_of(0), Some(0));
        assert_eq!(t.slice(0, 0), Some(""));
        assert!(t.find_all("a").is_empty());
        assert_eq!(t.context(0, 0, 5), ("", ""));
    }

    #[test]
    fn non_ascii_offsets() {
        // é is 2 bytes, 😀 is 4 bytes (astral), e + U+0301 is two chars.
        let s = "L’Albanie é😀e\u{301}!";
        let t = CharText::new(s);
        let chars: Vec<char> = s.chars().collect();
        assert_eq!(t.len_chars(), chars.len());
        for (ci, (bi, _)) in s.char_indices().enumerate() {
            assert_eq!(t.byte_of(ci), Some(bi));
            assert_eq!(t.char_of(bi), Some(ci));
        }
        assert_eq!(t.char_of(2), None, "inside ’");
        assert_eq!(t.char_of(s.len()), Some(chars.len()));
        assert_eq!(t.slice(1, 2), Some("’"));
        assert_eq!(t.slice(11, 12), Some("😀"));
        assert_eq!(t.slice(12, 14), Some("e\u{301}"));
    }

    #[test]
    fn bom_and_crlf_are_chars() {
        let s = "\u{FEFF}line one\r\nline two";
        let t = CharText::new(s);
        assert_eq!(t.slice(0, 1), Some("\u{FEFF}"));
        assert_eq!(t.find_all("line"), vec![(1, 5), (11, 15)]);
        assert_eq!(t.find_all("\r\n"), vec![(9, 11)]);
    }

    #[test]
    fn long_text_blocks() {
        // Mix of 1-, 2-, 3- and 4-byte chars across many blocks, some starting mid-char.
        let unit = "aé€😀";
        let s: String = unit.repeat(1000);
        let t = CharText::new(&s);
        assert_eq!(t.len_chars(), 4000);
        assert_eq!(t.before.len(), s.len().div_ceil(BLOCK));
        for (ci, (bi, _)) in s.char_indices().enumerate() {
            assert_eq!(t.byte_of(ci), Some(bi), "char {ci}");
            assert_eq!(t.char_of(bi), Some(ci), "byte {bi}");
        }
        assert_eq!(t.slice(3999, 4000), Some("😀"));
        assert_eq!(t.slice(256, 260), Some(unit));
        assert_eq!(t.byte_of(4001), None);
        assert_eq!(t.char_of(s.len()), Some(4000));
        assert_eq!(t.char_of(2), None, "inside é");
    }

    #[test]
    fn find_all_overlapping_and_unicode() {
        let t = CharText::new("aaaa");
        assert_eq!(t.find_all("aa"), vec![(0, 2), (1, 3), (2, 4)]);
        assert!(t.find_all("").is_empty());
        assert!(t.find_all("aaaaa").is_empty());

        let s = "😀😀😀 l’été, l’été";
        let t = CharText::new(s);
        assert_eq!(t.find_all("😀😀"), vec![(0, 2), (1, 3)]);
        assert_eq!(t.find_all("l’été"), vec![(4, 9), (11, 16)]);
        assert_eq!(t.find_all("l'été"), vec![]);
        for (a, b) in t.find_all("l’été") {
            assert_eq!(t.slice(a, b), Some("l’été"));
        }
        // A combining mark is found on its own (exact search does no normalisation).
        let t = CharText::new("e\u{301}e\u{301}");
        assert_eq!(t.find_all("\u{301}"), vec![(1, 2), (3, 4)]);
        assert!(t.find_all("é").is_empty());
    }

    #[test]
    fn find_all_matches_naive_on_samples() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let alphabet = ['a', 'b', 'é', '😀', ' ', '\u{301}'];
        for _ in 0..300 {
            let mut next = |m: usize| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % m as u64) as usize
            };
            let len = next(700);
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let nlen = 1 + next(3);
            let needle: String = (0..nlen).map(|_| alphabet[next(alphabet.len())]).collect();
            let t = CharText::new(&text);
            assert_eq!(t.find_all(&needle), naive_find_all(&text, &needle));
        }
    }

    /// Periodic needles over two letters (`abab`, `aabaa`, `aaaa`): the chain of overlapping
    /// occurrences misses none and invents none.
    #[test]
    fn find_all_matches_naive_on_periodic_needles() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for round in 0..3000 {
            let mut next = |m: usize| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % m as u64) as usize
            };
            let alphabet: &[char] = if round % 3 == 0 {
                &['a', 'é']
            } else {
                &['a', 'b']
            };
            // Texts mostly of one letter, so that long periodic runs occur.
            let len = next(300);
            let text: String = (0..len)
                .map(|_| alphabet[usize::from(next(7) == 0)])
                .collect();
            let nlen = 1 + next(9);
            let needle: String = (0..nlen)
                .map(|_| alphabet[usize::from(next(4) == 0)])
                .collect();
            let t = CharText::new(&text);
            assert_eq!(
                t.find_all(&needle),
                naive_find_all(&text, &needle),
                "{text:?} {needle:?}"
            );
        }
    }

    #[test]
    fn periods() {
        assert_eq!(period(b"a"), 1);
        assert_eq!(period(b"aaaa"), 1);
        assert_eq!(period(b"abab"), 2);
        assert_eq!(period(b"aabaa"), 3);
        assert_eq!(period(b"abc"), 3);
        assert_eq!(period("été".as_bytes()), 3); // c3 a9 74 | c3 a9
    }

    #[test]
    fn find_capped_keeps_the_first_and_counts_all() {
        let text = "a".repeat(100_000);
        let t = CharText::new(&text);
        let o = t.find_capped("aaaa", 10);
        assert_eq!(o.total, 100_000 - 3);
        assert_eq!(o.first, (0..10).map(|i| (i, i + 4)).collect::<Vec<_>>());
        let o = t.find_capped(&"a".repeat(4096), 3);
        assert_eq!(o.total, 100_000 - 4095);
        assert_eq!(o.first.len(), 3);
        let o = t.find_capped("b", 10);
        assert_eq!(o, Occurrences::default());
        // Non-ASCII: char offsets, not bytes.
        let text = "é".repeat(50);
        let o = CharText::new(&text).find_capped("éé", 2);
        assert_eq!((o.first, o.total), (vec![(0, 2), (1, 3)], 49));
    }

    #[test]
    fn context_clamps() {
        let t = CharText::new("un été très chaud");
        assert_eq!(t.context(3, 6, 3), ("un ", " tr"));
        assert_eq!(t.context(0, 2, 5), ("", " été "));
        assert_eq!(t.context(15, 17, 4), (" cha", ""));
        assert_eq!(t.context(100, 200, 2), ("ud", ""));
        assert_eq!(
            t.context(6, 3, 1),
            ("é", " "),
            "reversed range is clamped to empty"
        );
    }
}

//! Eight bytes at a time in a `u64` ("SIMD within a register"): the word tests that let the
//! byte scans over every quote, claim file and byte of output (`escape`, `hidden`, `verdict`,
//! the TOML reader) skip plain text a word at a time. Each test is exact byte by byte: it works
//! on the low seven bits of each byte, whose sums never carry into the next byte, so no byte's
//! answer depends on its neighbours.

/// `0x01` in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
pub const HIGH: u64 = 0x8080_8080_8080_8080;
/// The low seven bits of every byte.
const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The eight bytes of `b` at `at`, as a little-endian word (the first byte lowest); `None` when
/// fewer than eight are left.
#[inline]
pub fn word(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..)?.first_chunk().map(|w| u64::from_le_bytes(*w))
}

/// The high bit of each byte of the result: is that byte of `w` zero?
#[inline]
pub fn zero(w: u64) -> u64 {
    !(((w & LOW) + LOW) | w) & HIGH
}

/// The high bit of each byte of the result: is that byte of `w` equal to `byte`?
#[inline]
pub fn equal(w: u64, byte: u8) -> u64 {
    zero(w ^ (ONES * u64::from(byte)))
}

/// The high bit of each byte of the result: is that byte of `w` below 0x20 (a C0 control)?
#[inline]
pub fn below_space(w: u64) -> u64 {
    !(((w & LOW) + ONES * 0x60) | w) & HIGH
}

/// The high bit of each byte of the result: is that byte of `w` an ASCII control character
/// (below 0x20, or 0x7F)?
#[inline]
pub fn control(w: u64) -> u64 {
    let del = ((w & LOW) + ONES) & !w & HIGH;
    below_space(w) | del
}

/// The high bit of each byte of the result: does that byte of `w` start a UTF-8 char (is it not
/// a continuation byte, `10xxxxxx`)? (Bit 7 of each byte of `w << 1` is bit 6 of the same byte.)
#[inline]
pub fn char_starts(w: u64) -> u64 {
    (!w | (w << 1)) & HIGH
}

/// Has `w` a byte of 0x80 or more (not ASCII)?
#[inline]
pub fn has_non_ascii(w: u64) -> bool {
    w & HIGH != 0
}

/// Has `w` a byte of 0xE0 or more (its bits 7, 6 and 5 set: the lead byte of a three- or
/// four-byte UTF-8 character, or not UTF-8)? (Bit 7 of each byte of `w << 1` is bit 6 of the
/// same byte, and of `w << 2` bit 5.)
#[inline]
pub fn has_e0_or_more(w: u64) -> bool {
    w & (w << 1) & (w << 2) & HIGH != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value at every place of a word, among neighbours that may disturb a carry
    /// (0x00, 0x7F, 0x80 and 0xFF): each test answers for that byte alone.
    #[test]
    fn every_test_is_exact_byte_by_byte() {
        for b in 0..=255u8 {
            for place in 0..8 {
                for fill in [0x00, 0x20, 0x7f, 0x80, 0xff] {
                    let mut bytes = [fill; 8];
                    bytes[place] = b;
                    let w = word(&bytes, 0).unwrap_or_default();
                    let bit = |r: u64, i: usize| r >> (i * 8 + 7) & 1 == 1;
                    for (i, &x) in bytes.iter().enumerate() {
                        assert_eq!(bit(zero(w), i), x == 0, "zero {bytes:?}");
                        assert_eq!(bit(equal(w, b'"'), i), x == b'"', "equal {bytes:?}");
                        assert_eq!(bit(equal(w, 0xe2), i), x == 0xe2, "equal {bytes:?}");
                        assert_eq!(bit(below_space(w), i), x < 0x20, "{bytes:?}");
                        let starts = x & 0xc0 != 0x80;
                        assert_eq!(bit(char_starts(w), i), starts, "{bytes:?}");
                        assert_eq!(bit(control(w), i), x < 0x20 || x == 0x7f, "{bytes:?}");
                    }
                    assert_eq!(has_non_ascii(w), bytes.iter().any(|&x| x >= 0x80));
                    assert_eq!(has_e0_or_more(w), bytes.iter().any(|&x| x >= 0xe0));
                }
            }
        }
    }

    #[test]
    fn a_word_is_eight_bytes_in_order() {
        let b = b"abcdefghi";
        assert_eq!(word(b, 0), Some(u64::from_le_bytes(*b"abcdefgh")));
        assert_eq!(word(b, 1), Some(u64::from_le_bytes(*b"bcdefghi")));
        assert_eq!(word(b, 2), None);
        assert_eq!(word(b, usize::MAX), None);
    }
}

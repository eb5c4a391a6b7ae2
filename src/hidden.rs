//! Characters a reader cannot see: the bidirectional controls of the Trojan Source attack
//! (CVE-2021-42574), which make text display in another order than its bytes, and the
//! zero-width and other invisible characters, which make two texts that look alike differ.
//!
//! The bidi controls are exactly those of rustc's `text_direction_codepoint_in_literal` lint
//! (U+202A–U+202E, U+2066–U+2069). The invisible ones are the zero-width characters
//! (U+200B–U+200D, U+2060, U+FEFF), the invisible mathematical operators (U+2061–U+2064), the
//! Mongolian vowel separator (U+180E) and the tag characters (U+E0000–U+E007F, which can spell
//! a whole hidden sentence). A zero-width joiner or non-joiner between two non-ASCII letters or
//! symbols is not hidden: Persian, Indic scripts and emoji sequences need them there.
//!
//! Pure functions, for the check (the `hidden-character` finding) and for the sanitiser
//! ([`crate::escape`]), which shows these characters as `\u{202e}` escapes wherever prov writes.

/// What a hidden character does to a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Zero-width or otherwise invisible: the text looks like another one.
    Invisible,
    /// A bidirectional embedding, override or isolate: the text is displayed in another order
    /// than its bytes.
    Bidi,
}

/// The kind of `c` when it is hidden wherever it stands (without looking at its neighbours).
/// A zero-width joiner or non-joiner is [`Kind::Invisible`] here; [`find`] excuses it between
/// two non-ASCII letters or symbols.
pub fn kind(c: char) -> Option<Kind> {
    match c {
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some(Kind::Bidi),
        '\u{200B}'..='\u{200D}'
        | '\u{2060}'..='\u{2064}'
        | '\u{FEFF}'
        | '\u{180E}'
        | '\u{E0000}'..='\u{E007F}' => Some(Kind::Invisible),
        _ => None,
    }
}

/// Is `c` a hidden character wherever it stands? (See [`kind`].)
pub fn is_hidden(c: char) -> bool {
    kind(c).is_some()
}

/// The Unicode name of a hidden character (`RIGHT-TO-LEFT OVERRIDE`); tag characters other than
/// LANGUAGE TAG and CANCEL TAG are named `TAG CHARACTER`.
pub fn name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{E0001}' => "LANGUAGE TAG",
        '\u{E007F}' => "CANCEL TAG",
        '\u{E0000}'..='\u{E007E}' => "TAG CHARACTER",
        _ => return None,
    })
}

/// `U+202E RIGHT-TO-LEFT OVERRIDE`: how a finding names a character.
pub fn describe(c: char) -> String {
    match name(c) {
        Some(n) => format!("U+{:04X} {n}", c as u32),
        None => format!("U+{:04X}", c as u32),
    }
}

/// One hidden character of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hidden {
    /// Its byte offset in the text.
    pub byte: usize,
    pub ch: char,
    pub kind: Kind,
}

/// Could a byte start the UTF-8 encoding of a hidden character? (U+180E starts with E1,
/// U+200B–U+206F with E2, U+FEFF with EF, the tags with F3.) Every other byte is skipped
/// without decoding.
fn may_start(b: u8) -> bool {
    matches!(b, 0xE1 | 0xE2 | 0xEF | 0xF3)
}

/// The offset of the first byte of `b` at or after `from` that may start a hidden character
/// ([`may_start`]). Eight bytes at a time while none of them is 0xE0 or more: ASCII and the
/// two-byte letters of Latin, Greek and Cyrillic text are skipped a word at a time (this runs
/// over every quote and every claim file a check reads).
fn next_candidate(b: &[u8], mut from: usize) -> Option<usize> {
    loop {
        while let Some(w) = crate::swar::word(b, from) {
            // Every byte that may start a hidden character is 0xE0 or more.
            if crate::swar::has_e0_or_more(w) {
                break;
            }
            from += 8;
        }
        // In the word that stopped the skip (or the tail).
        let end = (from + 8).min(b.len());
        if from >= end {
            return None;
        }
        if let Some(at) = b[from..end].iter().position(|&x| may_start(x)) {
            return Some(from + at);
        }
        from = end;
    }
}

/// Is the neighbour of a zero-width (non-)joiner one that needs it: a non-ASCII letter, mark
/// or symbol (not a space, not a control, not itself hidden)?
fn joins(c: Option<char>) -> bool {
    c.is_some_and(|c| !c.is_ascii() && !c.is_whitespace() && !c.is_control() && !is_hidden(c))
}

/// Is the hidden character `ch` at byte `at` of `s` excused where it stands: a zero-width
/// joiner or non-joiner between two non-ASCII letters or symbols?
pub fn excused(s: &str, at: usize, ch: char) -> bool {
    matches!(ch, '\u{200C}' | '\u{200D}')
        && joins(s.get(..at).and_then(|t| t.chars().next_back()))
        && joins(s.get(at + ch.len_utf8()..).and_then(|t| t.chars().next()))
}

/// The hidden characters of `s`, in order. Linear: only bytes that may start one are decoded.
pub fn find(s: &str) -> impl Iterator<Item = Hidden> + '_ {
    let bytes = s.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let at = next_candidate(bytes, from)?;
            from = at + 1;
            let Some(ch) = s.get(at..).and_then(|t| t.chars().next()) else {
                continue;
            };
            let Some(kind) = kind(ch) else {
                continue;
            };
            from = at + ch.len_utf8();
            if excused(s, at, ch) {
                continue;
            }
            return Some(Hidden { byte: at, ch, kind });
        }
    })
}

/// Does `s` hold a hidden character (as [`find`] judges it)?
pub fn contains(s: &str) -> bool {
    find(s).next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time search finds what a byte-at-a-time one does, from anywhere in any
        /// bytes (high bytes drawn often, so that words stop the skip and tails are searched).
        #[test]
        fn next_candidate_is_the_first_byte_that_may_start_one(
            b in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::num::u8::ANY,
                    proptest::sample::select(vec![0x41u8, 0xC3, 0xE0, 0xE1, 0xE2, 0xE3, 0xEF, 0xF0, 0xF3, 0xFF]),
                    proptest::strategy::Just(b'a'),
                ],
                0..80,
            ),
            from in 0usize..90,
        ) {
            let naive = b.get(from..).and_then(|t| t.iter().position(|&x| may_start(x)).map(|p| from + p));
            proptest::prop_assert_eq!(next_candidate(&b, from), naive);
        }
    }

    #[test]
    fn bidi_controls_are_rustcs() {
        let bidi: Vec<char> = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|&c| kind(c) == Some(Kind::Bidi))
            .collect();
        assert_eq!(
            bidi,
            [
                '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
                '\u{2068}', '\u{2069}'
            ]
        );
    }

    #[test]
    fn every_hidden_character_has_a_name_and_may_start_covers_it() {
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            if is_hidden(c) {
                assert!(name(c).is_some(), "{c:?}");
                let mut buf = [0; 4];
                assert!(may_start(c.encode_utf8(&mut buf).as_bytes()[0]), "{c:?}");
            }
        }
        assert_eq!(describe('\u{202E}'), "U+202E RIGHT-TO-LEFT OVERRIDE");
        assert_eq!(describe('\u{E0041}'), "U+E0041 TAG CHARACTER");
    }

    #[test]
    fn finds_each_hidden_character_with_its_byte_offset() {
        let s = "a\u{202E}b ’ c\u{200B}d\u{E0041}";
        let found: Vec<(usize, char, Kind)> = find(s).map(|h| (h.byte, h.ch, h.kind)).collect();
        assert_eq!(
            found,
            [
                (1, '\u{202E}', Kind::Bidi),
                (11, '\u{200B}', Kind::Invisible),
                (15, '\u{E0041}', Kind::Invisible)
            ]
        );
        assert!(!contains("L’Albanie a rompu « net » — 66 ans…"));
    }

    #[test]
    fn joiners_between_letters_of_scripts_that_need_them_are_not_hidden() {
        // Persian: ZWNJ inside a word; an emoji ZWJ sequence.
        assert!(!contains("می\u{200C}خواهم"));
        assert!(!contains("👨\u{200D}👩\u{200D}👧"));
        // Between Latin letters, at an end, or next to a space, they hide.
        assert!(contains("6\u{200D}6"));
        assert!(contains("ans\u{200C}"));
        assert!(contains("می \u{200C}خواهم"));
        // The word joiner and the zero-width space are hidden everywhere.
        assert!(contains("می\u{200B}خواهم"));
    }
}

//! The one sanitiser for everything prov writes: no character from a workspace or a source
//! reaches a terminal or a report as a control.
//!
//! Any text may come from an attacker (a quote, an outlet, a snapshot, a file name), and an
//! escape sequence in it could erase lines from a reviewer's screen, move the cursor, set the
//! clipboard (OSC 52), or swallow the rest of the output (an unterminated OSC). [`is_unsafe`]
//! names every character that must never be written raw: the C0 controls but line feed and tab,
//! DEL, the C1 controls (U+0080–U+009F: U+009B is a one-character CSI on some terminals), the
//! line and paragraph separators, the bidi marks, and the characters a reader cannot see
//! ([`crate::hidden`]: the bidi controls of CVE-2021-42574, zero-width characters, tags). A
//! zero-width joiner or non-joiner between two non-ASCII letters is left alone, as
//! [`crate::hidden::excused`] says: Persian, Indic scripts and emoji need it there. They are
//! shown as `\u{…}`, as Rust writes them ([`text`], [`inline`], [`terminal`]), or as JSON's
//! `\uXXXX` inside JSON ([`JsonSafe`], [`json`]), which leaves the document's meaning unchanged.
//! The binary applies [`terminal`] and [`JsonSafe`] to every byte it writes; renderers use
//! [`text`] and [`inline`] where they take text from the workspace. The long arrays of the JSON
//! outputs are sanitised string by string as they are rendered, by the same rule
//! ([`json_unsafe_at`], `render::pretty`), and [`JsonSafe`] takes them without a second scan
//! ([`SafeWrite`]); debug builds check that nothing in them is left to escape.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::{hidden, swar};

/// Must `c` never be written raw, wherever it stands? Line feed and tab are safe; see the
/// [module](self) for the rest. (A joiner may still be excused by its neighbours.)
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        )
        || hidden::is_hidden(c)
}

/// Is the character `c` at byte `at` of `s` to be escaped there?
fn unsafe_at(s: &str, at: usize, c: char) -> bool {
    is_unsafe(c) && !hidden::excused(s, at, c)
}

/// The name of a character [`is_unsafe`] names (and of line feed and tab), for messages
/// (`None` for a control without a common name).
pub fn name(c: char) -> Option<&'static str> {
    Some(match c {
        '\n' => "LINE FEED",
        '\t' => "CHARACTER TABULATION",
        '\u{1b}' => "ESCAPE",
        '\r' => "CARRIAGE RETURN",
        '\0' => "NULL",
        '\u{7}' => "BELL",
        '\u{8}' => "BACKSPACE",
        '\u{7f}' => "DELETE",
        '\u{9b}' => "CONTROL SEQUENCE INTRODUCER",
        '\u{9d}' => "OPERATING SYSTEM COMMAND",
        '\u{061c}' => "ARABIC LETTER MARK",
        '\u{200e}' => "LEFT-TO-RIGHT MARK",
        '\u{200f}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        c => return hidden::name(c),
    })
}

/// Bytes that may begin an unsafe character: the ASCII controls but line feed and tab, DEL,
/// and the lead bytes of the unsafe characters beyond ASCII (C1: 0xC2; U+061C: 0xD8; U+180E:
/// 0xE1; the U+20xx block: 0xE2; U+FEFF: 0xEF; the tags: 0xF3).
const fn candidates() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\n' as usize && b != b'\t' as usize;
        b += 1;
    }
    t[0x7f] = true;
    t[0xc2] = true;
    t[0xd8] = true;
    t[0xe1] = true;
    t[0xe2] = true;
    t[0xef] = true;
    t[0xf3] = true;
    t
}

static CANDIDATE: [bool; 256] = candidates();

/// The byte offset of the first character of `s` to escape, at or after `from`. A byte scan:
/// most text has none, and this runs over every byte prov writes. Eight bytes at a time while
/// they are printable ASCII; a byte that may start an unsafe character is looked at more
/// closely only when the bytes after it are those of one ([`may_be_unsafe`]): curly quotes,
/// dashes and no-break spaces, common in news text, share lead bytes with unsafe characters.
fn next_unsafe(s: &str, mut from: usize) -> Option<(usize, char)> {
    let b = s.as_bytes();
    loop {
        // Skip words of printable ASCII, line feeds and tabs (pretty-printed JSON has a line
        // feed every few words): four at a time, then one.
        while let Some(block) = b.get(from..).and_then(<[u8]>::first_chunk::<32>) {
            let word = |i: usize| swar::word(block, i).unwrap_or_default();
            // Each word tested on its own (an OR of the words would hide a control byte).
            if special_bytes(word(0))
                | special_bytes(word(8))
                | special_bytes(word(16))
                | special_bytes(word(24))
                != 0
            {
                break;
            }
            from += 32;
        }
        while let Some(w) = swar::word(b, from) {
            if special_ascii_or_high(w) {
                break;
            }
            from += 8;
        }
        // In the word that stopped the skip (or the tail): a byte that may start one.
        let end = (from + 8).min(b.len());
        if from >= end {
            return None;
        }
        let Some(at) = b[from..end].iter().position(|&x| CANDIDATE[x as usize]) else {
            from = end;
            continue;
        };
        let i = from + at;
        if may_be_unsafe(b.get(i..)?) {
            let c = s.get(i..)?.chars().next()?;
            if unsafe_at(s, i, c) {
                return Some((i, c));
            }
            from = i + c.len_utf8();
        } else {
            from = i + 1;
        }
    }
}

/// Does the little-endian word `w` hold a byte that is neither printable ASCII nor a line feed
/// or tab (one below 0x20 but those two, 0x7F, or 0x80 and above)? Exact, byte by byte.
fn special_ascii_or_high(w: u64) -> bool {
    special_bytes(w) != 0
}

/// The bytes [`special_ascii_or_high`] looks for, as the high bit of each byte of the result.
fn special_bytes(w: u64) -> u64 {
    let line_feed_or_tab = swar::equal(w, b'\n') | swar::equal(w, b'\t');
    (swar::control(w) & !line_feed_or_tab) | (w & swar::HIGH)
}

/// Could the bytes at the start of `b` be an unsafe character ([`is_unsafe`])? Exact on the
/// first bytes of every multi-byte one, so that the many characters sharing their lead byte
/// (U+2019 ’ and U+00A0 with U+200B and U+0085) are passed over without decoding. Never false
/// for an unsafe character.
fn may_be_unsafe(b: &[u8]) -> bool {
    match *b {
        // C1 controls U+0080–U+009F.
        [0xc2, x, ..] => (0x80..=0x9f).contains(&x),
        // U+061C.
        [0xd8, x, ..] => x == 0x9c,
        // U+180E.
        [0xe1, x, y, ..] => x == 0xa0 && y == 0x8e,
        // U+200B–U+200F, U+2028–U+202E; U+2060–U+2064, U+2066–U+2069.
        [0xe2, 0x80, y, ..] => (0x8b..=0x8f).contains(&y) || (0xa8..=0xae).contains(&y),
        [0xe2, 0x81, y, ..] => (0xa0..=0xa9).contains(&y),
        [0xe2, ..] => false,
        // U+FEFF.
        [0xef, x, y, ..] => x == 0xbb && y == 0xbf,
        // Tags U+E0000–U+E007F.
        [0xf3, x, y, ..] => x == 0xa0 && (y == 0x80 || y == 0x81),
        // ASCII controls, DEL, and anything cut short: decode and judge.
        _ => true,
    }
}

/// Does `s` hold a character to escape?
pub fn any_unsafe(s: &str) -> bool {
    next_unsafe(s, 0).is_some()
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// `s` with every character to escape, and every one of `also`, written by `write`. Linear:
/// the text between two such characters is copied as it is, found by byte scans.
fn escape_with<'s>(s: &'s str, also: &[char], write: fn(&mut String, char)) -> Cow<'s, str> {
    let next_also = |from: usize| {
        s.get(from..)?
            .find(also)
            .map(|i| (from + i, s[from + i..].chars().next().unwrap_or('\0')))
    };
    let mut unsafe_next = next_unsafe(s, 0);
    let mut also_next = if also.is_empty() { None } else { next_also(0) };
    if unsafe_next.is_none() && also_next.is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut last = 0;
    loop {
        let (at, c) = match (unsafe_next, also_next) {
            (Some(u), Some(a)) => u.min(a),
            (Some(u), None) => u,
            (None, Some(a)) => a,
            (None, None) => break,
        };
        out.push_str(&s[last..at]);
        write(&mut out, c);
        last = at + c.len_utf8();
        if unsafe_next.is_some_and(|(i, _)| i < last) {
            unsafe_next = next_unsafe(s, last);
        }
        if also_next.is_some_and(|(i, _)| i < last) {
            also_next = next_also(last);
        }
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

/// `s` with every unsafe character shown as `\u{…}`; line feeds and tabs stay.
pub fn text(s: &str) -> Cow<'_, str> {
    escape_with(s, &[], push_escaped)
}

/// `s` on one line: like [`text`], and line feeds and tabs are escaped too (a file name, an
/// outlet, a table cell).
pub fn inline(s: &str) -> Cow<'_, str> {
    escape_with(s, &['\n', '\t'], push_escaped)
}

/// Text for a terminal: every unsafe character escaped, except — when `color` is on — the SGR
/// sequences (`ESC [ digits ; … m`) prov's own renderers use for colour, which can only set
/// colours and attributes. Workspace text never contains a raw ESC by the time it gets here
/// (renderers escape it), so this is the last line of defence, not the first: even a sequence
/// let through by a bug could not move the cursor, erase, or talk to the terminal.
pub fn terminal(s: &str, color: bool) -> Cow<'_, str> {
    let Some((start, _)) = next_unsafe(s, 0) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    let mut last = 0;
    let mut next = Some((start, '\0'));
    // From one character to escape to the next (byte scans); the text between is copied.
    while let Some((i, _)) = next {
        let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        out.push_str(&s[last..i]);
        if c == '\u{1b}'
            && color
            && let Some(n) = sgr_len(&s[i..])
        {
            out.push_str(&s[i..i + n]);
            last = i + n;
        } else {
            push_escaped(&mut out, c);
            last = i + c.len_utf8();
        }
        next = next_unsafe(s, last);
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

/// The length of the SGR sequence `s` starts with (`ESC [`, digits and `;`, `m`), if any.
fn sgr_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.get(..2) != Some(b"\x1b[") {
        return None;
    }
    let params = b[2..]
        .iter()
        .take(32)
        .take_while(|&&c| c.is_ascii_digit() || c == b';')
        .count();
    (b.get(2 + params) == Some(&b'm')).then_some(3 + params)
}

/// Is `c` a character a reader cannot tell apart from another one, or cannot see, so that a
/// TOML string prov writes for people to read or paste must hold it as an escape? Every
/// character [`is_unsafe`] names, every whitespace character but the space (no-break spaces
/// U+00A0, U+202F, U+2007, the other fixed-width spaces, U+3000, U+1680, U+0085), the soft
/// hyphen and the other format characters (Unicode category Cf: bidi marks, Arabic number
/// signs, interlinear annotation, invisible Egyptian and musical format controls), the
/// combining grapheme joiner, the variation selectors and the Hangul fillers.
pub fn is_ambiguous(c: char) -> bool {
    is_unsafe(c)
        || (c.is_whitespace() && c != ' ')
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{0600}'..='\u{0605}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// `s` as a TOML basic string, quotes included, that a person can read and paste into a claim
/// file: `"` and `\` escaped, line breaks and tabs as `\n`, `\t`…, and every character
/// [`is_ambiguous`] names as `\u00A0` (`\U000E0041` beyond the Basic Multilingual Plane), so
/// that a no-break space is not mistaken for a space nor a zero-width space for nothing. A
/// zero-width joiner or non-joiner that a script needs ([`hidden::excused`]) stays as it is.
/// Parsed as TOML, the string is `s` exactly.
pub fn toml_basic(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for (i, c) in s.char_indices() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c.is_control() || is_ambiguous(c)) && !hidden::excused(s, i, c) => {
                let n = c as u32;
                if n > 0xFFFF {
                    let _ = write!(out, "\\U{n:08X}");
                } else {
                    let _ = write!(out, "\\u{n:04X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON document's text with every unsafe character that JSON leaves raw (DEL, C1, the
/// separators, bidi and invisible characters) written as `\uXXXX`. They can only occur inside
/// strings, where the escape means the same character: the document is unchanged as data.
/// (serde_json already escapes the C0 controls.)
pub fn json(s: &str) -> Cow<'_, str> {
    escape_with(s, &[], push_json)
}

fn push_json(out: &mut String, c: char) {
    let mut b = Vec::with_capacity(12);
    push_json_bytes(&mut b, c);
    out.push_str(std::str::from_utf8(&b).unwrap_or_default());
}

/// Append `c` as [`json`] writes it: `\uXXXX` (lowercase hex), a surrogate pair beyond the
/// Basic Multilingual Plane (a tag character).
pub(crate) fn push_json_bytes(out: &mut Vec<u8>, c: char) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut units = [0u16; 2];
    for &mut u in c.encode_utf16(&mut units) {
        out.extend_from_slice(b"\\u");
        for shift in [12, 8, 4, 0] {
            out.push(HEX[usize::from((u >> shift) & 0xf)]);
        }
    }
}

/// The character at byte `at` of `s` (a character boundary) when [`json`] would escape it
/// there: its neighbours are judged as they stand in `s`. `None` for any other character, and
/// quickly for most: only a byte that may start an unsafe character is decoded.
///
/// Within a JSON string this is [`json`]'s judgement on the whole document: the only
/// neighbours that differ are at the string's ends and next to a JSON escape, where the
/// document has ASCII (a quote, the escape's letters) and `s` has nothing or an ASCII control,
/// and neither excuses a joiner ([`hidden::excused`] wants a non-ASCII letter on each side).
pub(crate) fn json_unsafe_at(s: &str, at: usize) -> Option<char> {
    let b = s.as_bytes().get(at..)?;
    if !CANDIDATE[usize::from(*b.first()?)] || !may_be_unsafe(b) {
        return None;
    }
    let c = s.get(at..)?.chars().next()?;
    unsafe_at(s, at, c).then_some(c)
}

/// A writer that passes a JSON document through [`json`] as it streams. Between writes it
/// holds back an unfinished UTF-8 character, and a joiner at the end (whether it is excused
/// depends on the character after it), and it remembers the last character written (the one
/// before): the bytes are those of [`json`] on the whole document, however it is cut.
pub struct JsonSafe<W: Write> {
    inner: W,
    held: Vec<u8>,
    prev: Option<char>,
}

impl<W: Write> JsonSafe<W> {
    pub fn new(inner: W) -> Self {
        JsonSafe {
            inner,
            held: Vec::new(),
            prev: None,
        }
    }

    /// Write what is held (an incomplete character at the very end is written as it is) and
    /// hand back the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        let held = std::mem::take(&mut self.held);
        self.emit(&held)?;
        Ok(self.inner)
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        // Every byte of the output passes here: SIMD validation (a fifth of this function's time
        // with the standard library's).
        let Ok(s) = simdutf8::basic::from_utf8(bytes) else {
            // Not UTF-8 (serde_json never writes that): pass it on unchanged.
            return self.inner.write_all(bytes);
        };
        let Some(last_char) = s.chars().next_back() else {
            return Ok(());
        };
        let prev = self.prev.replace(last_char);
        // Byte scans from one character to escape to the next; the text between is written as
        // it is. Only a joiner at the very start needs the character before (the last one
        // written) to be judged.
        let mut last = 0;
        let mut from = 0;
        while let Some((i, c)) = next_unsafe(s, from) {
            from = i + c.len_utf8();
            if i == 0 && joiner_excused_after(prev, s, c) {
                continue;
            }
            self.inner.write_all(&s.as_bytes()[last..i])?;
            let mut e = String::with_capacity(12);
            push_json(&mut e, c);
            self.inner.write_all(e.as_bytes())?;
            last = from;
        }
        self.inner.write_all(&s.as_bytes()[last..])
    }
}

/// Is `c`, the first character of `s`, a joiner excused by the character before it (`prev`,
/// written earlier) and the one after it?
fn joiner_excused_after(prev: Option<char>, s: &str, c: char) -> bool {
    let Some(p) = prev else {
        return false;
    };
    let mut t = String::with_capacity(12);
    t.push(p);
    t.extend(s.chars().take(2));
    hidden::excused(&t, p.len_utf8(), c)
}

impl<W: Write> Write for JsonSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Most writes hold nothing back from the one before: no copy then.
        let held = std::mem::take(&mut self.held);
        let data: Cow<'_, [u8]> = if held.is_empty() {
            Cow::Borrowed(buf)
        } else {
            let mut d = held;
            d.extend_from_slice(buf);
            Cow::Owned(d)
        };
        let mut cut = complete_prefix(&data);
        // A joiner at the end waits for the character after it.
        while cut >= 3 && matches!(&data[cut - 3..cut], [0xe2, 0x80, 0x8c | 0x8d]) {
            cut -= 3;
        }
        self.emit(&data[..cut])?;
        self.held = data[cut..].to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A JSON writer that can be handed text its renderer has already made safe: the long arrays
/// of `prov check --format json` and `prov report --format json` are rendered on every core
/// with each string escaped as [`json`] would escape it (`render::pretty::string`, and the
/// `Pretty` formatter's string fragments), so that the writer need not scan them again (that
/// scan, on the writer's one thread, was an eighth of the JSON output's CPU time, 7 % of a
/// dense check's).
pub trait SafeWrite: Write {
    /// Write `bytes`: JSON text with every character [`json`] escapes already escaped, which
    /// begins and ends with an ASCII character (so no judgement depends on what is written
    /// before or after it).
    ///
    /// # Errors
    /// When writing fails.
    fn write_safe(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)
    }
}

impl SafeWrite for Vec<u8> {}

impl<W: Write> SafeWrite for JsonSafe<W> {
    fn write_safe(&mut self, bytes: &[u8]) -> io::Result<()> {
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
            return Ok(());
        };
        // Anything held back waits for what follows it: the general way then.
        if !self.held.is_empty() || !first.is_ascii() || !last.is_ascii() {
            return self.write_all(bytes);
        }
        debug_assert!(
            std::str::from_utf8(bytes).is_ok_and(|s| !any_unsafe(s)),
            "text handed to `write_safe` holds a character to escape"
        );
        self.prev = Some(char::from(last));
        self.inner.write_all(bytes)
    }
}

/// The length of `b` without a trailing incomplete UTF-8 sequence (at most 3 bytes).
fn complete_prefix(b: &[u8]) -> usize {
    let n = b.len();
    for back in 1..=3.min(n) {
        let byte = b[n - back];
        if byte & 0xc0 == 0x80 {
            continue; // a continuation byte: look further back for the lead
        }
        let need = match byte {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        return if need > back { n - back } else { n };
    }
    n
}

#[cfg(test)]
mod tests {

    /// The byte scan finds exactly the characters `is_unsafe` names, at every alignment, for
    /// every Unicode scalar value; below U+3000 at every place of the four-word and one-word
    /// skips too, after printable ASCII with line feeds and tabs.
    #[test]
    fn the_byte_scan_agrees_with_is_unsafe_for_every_character() {
        for u in 0..=0x10FFFFu32 {
            let Some(c) = char::from_u32(u) else { continue };
            for pad in 0..41 {
                let filler: String = "ab\ncd\tef ".chars().cycle().take(pad).collect();
                let s = format!("{filler}{c}.");
                let want = (is_unsafe(c) && !hidden::excused(&s, pad, c)).then_some((pad, c));
                assert_eq!(next_unsafe(&s, 0), want, "U+{u:04X} after {pad} bytes");
                if u > 0x3000 && pad > 0 {
                    break;
                }
            }
        }
    }

    use super::*;

    /// The word test is its byte-by-byte definition: every byte value at every place of a word
    /// of printable ASCII, line feeds or other values, and words of two unusual bytes.
    #[test]
    fn the_word_test_is_exact() {
        let special = |b: u8| !(0x20..0x7f).contains(&b) && b != b'\n' && b != b'\t';
        let fillers = [
            b'a', b'\n', b'\t', b' ', b'~', 0x7f, 0x80, 0x00, 0x1f, 0xff, 0x0a,
        ];
        for filler in fillers {
            for at in 0..8 {
                for v in 0..=255u8 {
                    let mut w = [filler; 8];
                    w[at] = v;
                    let want = w.iter().any(|&b| special(b));
                    assert_eq!(special_ascii_or_high(u64::from_le_bytes(w)), want, "{w:?}");
                }
            }
        }
        for x in 0..=255u8 {
            for y in 0..=255u8 {
                let w = [b'a', x, y, b'\n', y, b'a', x, b'\t'];
                let want = w.iter().any(|&b| special(b));
                assert_eq!(special_ascii_or_high(u64::from_le_bytes(w)), want, "{w:?}");
            }
        }
    }

    #[test]
    fn every_c0_c1_and_del_is_unsafe_but_newline_and_tab() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            assert_eq!(is_unsafe(c), c != '\n' && c != '\t', "{c:?}");
        }
        for c in ['a', 'é', '\u{a0}', '’', '…', '😀', '\u{2009}'] {
            assert!(!is_unsafe(c), "{c:?}");
        }
        for c in ['\u{202e}', '\u{2066}', '\u{200b}', '\u{feff}', '\u{2028}'] {
            assert!(is_unsafe(c), "{c:?}");
            assert!(name(c).is_some(), "{c:?}");
        }
    }

    #[test]
    fn the_byte_scan_agrees_with_the_definition() {
        for c in (0u32..0x3000)
            .chain(0xfe00..0x10000)
            .chain(0xe0000..0xe0100)
            .filter_map(char::from_u32)
        {
            for s in [format!("{c}"), format!("ab{c}cd"), format!("é’{c}")] {
                assert_eq!(any_unsafe(&s), s.chars().any(is_unsafe), "{c:?}");
            }
        }
    }

    #[test]
    fn a_joiner_a_script_needs_is_left_alone() {
        assert!(matches!(text("می\u{200C}خواهم"), Cow::Borrowed(_)));
        assert!(matches!(text("👨\u{200D}👩"), Cow::Borrowed(_)));
        assert_eq!(text("6\u{200D}6"), "6\\u{200d}6");
        assert_eq!(json("\"\u{E0041}\""), "\"\\udb40\\udc41\"");
    }

    #[test]
    fn text_and_inline_escape() {
        assert_eq!(text("a\u{1b}[2Kb\nc"), "a\\u{1b}[2Kb\nc");
        assert_eq!(inline("a\nb\tc\rd"), "a\\u{a}b\\u{9}c\\u{d}d");
        assert!(matches!(text("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_keeps_only_sgr_and_only_with_colour() {
        let ours = "\x1b[31;9mold\x1b[0m";
        assert_eq!(terminal(ours, true), ours);
        assert_eq!(terminal(ours, false), "\\u{1b}[31;9mold\\u{1b}[0m");
        for hostile in [
            "\x1b[2K\x1b[1A",
            "\x1b]52;c;aGVsbG8=\x07",
            "\x1b]0;title",
            "\u{9b}2K",
            "\x1b[31",
            "a\rb",
        ] {
            let t = terminal(hostile, true);
            assert!(
                !t.contains('\u{1b}') && !t.contains('\r') && !t.contains('\u{9b}'),
                "{t}"
            );
        }
    }

    #[test]
    fn json_escapes_keep_the_document() {
        let doc = serde_json::json!({ "q": "a\u{9b}b\u{7f}\u{202e}c\u{1b}" });
        let raw = serde_json::to_string(&doc).unwrap();
        let safe = json(&raw);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, doc);
    }

    #[test]
    fn the_json_writer_handles_characters_split_across_writes() {
        let raw =
            "{\"q\": \"x\u{202e}y\u{9b}z é 😀 می\u{200C}خواهم a\u{200D}\u{200D}b \u{E0041}\"}";
        for split in 0..=raw.len() {
            let mut w = JsonSafe::new(Vec::new());
            w.write_all(&raw.as_bytes()[..split]).unwrap();
            w.write_all(&raw.as_bytes()[split..]).unwrap();
            let out = String::from_utf8(w.finish().unwrap()).unwrap();
            assert_eq!(out, json(raw), "split at {split}");
        }
    }

    /// Text handed over already safe is written as it is, between writes that are scanned:
    /// the document is the one `json` makes of the whole, whatever is held back when it comes
    /// (an unfinished character, a joiner waiting for its neighbour) and whatever follows it.
    #[test]
    fn safe_text_between_scanned_writes_keeps_the_document() {
        let before = "{\"a\": \"می\u{200C}خواهم\u{202e}\"";
        let safe = ", \"b\": \"\\u202e x\"";
        let after = ", \"c\": \"\u{200D}y\u{9b}\"}";
        let whole = format!("{before}{safe}{after}");
        for split in 0..=before.len() {
            let mut w = JsonSafe::new(Vec::new());
            w.write_all(&before.as_bytes()[..split]).unwrap();
            w.write_all(&before.as_bytes()[split..]).unwrap();
            w.write_safe(safe.as_bytes()).unwrap();
            w.write_all(after.as_bytes()).unwrap();
            let out = String::from_utf8(w.finish().unwrap()).unwrap();
            assert_eq!(out, json(&whole), "split at {split}");
        }
        // Held back when the safe text comes: the general way keeps the joiner's judgement.
        let mut w = JsonSafe::new(Vec::new());
        w.write_all("\"ب\u{200C}".as_bytes()).unwrap();
        w.write_safe("ی\"".as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(w.finish().unwrap()).unwrap(),
            "\"ب\u{200C}ی\""
        );
    }

    /// `json_unsafe_at` is `json`'s judgement at each character of a string.
    #[test]
    fn the_judgement_at_a_character_is_the_documents() {
        let s = "a\u{7f}b\u{85}ب\u{200C}ی\u{200D}x\u{202e}’\u{a0}\u{e0041}😀\u{200D}😀";
        let escaped: String = s
            .char_indices()
            .map(|(i, c)| match json_unsafe_at(s, i) {
                Some(u) => {
                    assert_eq!(u, c);
                    let mut e = String::new();
                    push_json(&mut e, u);
                    e
                }
                None => c.to_string(),
            })
            .collect();
        assert_eq!(escaped, json(s));
        assert_eq!(
            escaped,
            "a\\u007fb\\u0085ب\u{200C}ی\\u200dx\\u202e’\u{a0}\\udb40\\udc41😀\u{200D}😀"
        );
    }

    #[test]
    fn toml_strings_show_what_a_reader_cannot_see() {
        assert_eq!(toml_basic("€4.2\u{a0}million"), "\"€4.2\\u00A0million\"");
        assert_eq!(
            toml_basic("a\"b\\c\nd\te\u{202f}f\u{200b}g\u{202e}h\u{E0041}"),
            "\"a\\\"b\\\\c\\nd\\te\\u202Ff\\u200Bg\\u202Eh\\U000E0041\""
        );
        // Visible typography stays as it is; a joiner a script needs too.
        assert_eq!(toml_basic("l’Iran « CNRI » — …"), "\"l’Iran « CNRI » — …\"");
        assert_eq!(toml_basic("می\u{200C}خواهم"), "\"می\u{200C}خواهم\"");
        // Every string parses back to itself.
        for s in [
            "x\u{a0}\u{2007}\u{3000}\u{ad}\u{7f}\u{9b}\u{1b}\u{0}\u{fe0f}\u{feff}",
            "\u{2028}\u{2029}\u{85}\u{1680}\u{61c}",
        ] {
            let doc: toml_edit::DocumentMut = format!("q = {}", toml_basic(s)).parse().unwrap();
            assert_eq!(doc["q"].as_str(), Some(s));
            assert!(toml_basic(s).is_ascii(), "{}", toml_basic(s));
        }
    }
}

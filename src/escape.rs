//! The one sanitiser for everything prov writes: no character from a workspace or a source
//! reaches a terminal or a report as a control.
//!
//! Any text may come from an attacker (a quote, an outlet, a snapshot, a file name), and an
//! escape sequence in it could erase lines from a reviewer's screen, move the cursor, set the
//! clipboard (OSC 52), or swallow the rest of the output (an unterminated OSC). [`is_unsafe`]
//! names every character that must never be written raw: the C0 controls but line feed and tab,
//! DEL, the C1 controls (U+0080–U+009F: U+009B is a one-character CSI on some terminals), the
//! line and paragraph separators, and the invisible characters that can make text read
//! otherwise than it is (the bidirectional controls of CVE-2021-42574, zero-width characters and
//! U+FEFF). They are shown as `\u{…}`, as Rust writes them ([`text`], [`inline`], [`terminal`]),
//! or as JSON's `\uXXXX` inside JSON ([`JsonSafe`], [`json`]), which leaves the document's
//! meaning unchanged. The binary applies [`terminal`] and [`JsonSafe`] to every byte it writes;
//! renderers use [`inline`] where a value must stay on one line.

use std::borrow::Cow;
use std::io::{self, Write};

/// Bidirectional formatting characters (Unicode's `Bidi_Control`), the Trojan Source set.
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing: zero-width space, non-joiner, joiner, word joiner,
/// invisible operators, and the byte-order mark used as a zero-width no-break space.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// Must `c` never be written raw? Line feed and tab are safe; everything [listed
/// above](self) is not.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{2028}' | '\u{2029}')
        || is_bidi(c)
        || is_invisible(c)
}

/// The Unicode name of a character [`is_unsafe`] names (and of line feed and tab), for
/// messages (`None` for the others).
pub fn name(c: char) -> Option<&'static str> {
    Some(match c {
        '\n' => "LINE FEED",
        '\t' => "CHARACTER TABULATION",
        '\u{1b}' => "ESCAPE",
        '\r' => "CARRIAGE RETURN",
        '\0' => "NULL",
        '\u{7f}' => "DELETE",
        '\u{9b}' => "CONTROL SEQUENCE INTRODUCER",
        '\u{9d}' => "OPERATING SYSTEM COMMAND",
        '\u{061c}' => "ARABIC LETTER MARK",
        '\u{200b}' => "ZERO WIDTH SPACE",
        '\u{200c}' => "ZERO WIDTH NON-JOINER",
        '\u{200d}' => "ZERO WIDTH JOINER",
        '\u{200e}' => "LEFT-TO-RIGHT MARK",
        '\u{200f}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202a}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202b}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202c}' => "POP DIRECTIONAL FORMATTING",
        '\u{202d}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202e}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{feff}' => "ZERO WIDTH NO-BREAK SPACE",
        _ => return None,
    })
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// Bytes that may begin an unsafe character: the ASCII controls but line feed and tab, DEL,
/// and the lead bytes of the unsafe characters beyond ASCII (C1: 0xC2; U+061C: 0xD8; the
/// U+20xx block: 0xE2; U+FEFF: 0xEF).
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
    t[0xe2] = true;
    t[0xef] = true;
    t
}

static CANDIDATE: [bool; 256] = candidates();

/// Does `s` hold an unsafe character? A byte scan: most text has none, and this runs over
/// every byte prov writes.
pub fn any_unsafe(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(at) = b[i..].iter().position(|&x| CANDIDATE[x as usize]) {
        i += at;
        match s[i..].chars().next() {
            Some(c) if is_unsafe(c) => return true,
            Some(c) => i += c.len_utf8(),
            None => return false,
        }
    }
    false
}

fn escape_where(s: &str, unsafe_: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&unsafe_) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if unsafe_(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` with every unsafe character shown as `\u{…}`; line feeds and tabs stay.
pub fn text(s: &str) -> Cow<'_, str> {
    if !any_unsafe(s) {
        return Cow::Borrowed(s);
    }
    escape_where(s, is_unsafe)
}

/// `s` on one line: like [`text`], and line feeds and tabs are escaped too (a file name, an
/// outlet, a table cell).
pub fn inline(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| is_unsafe(c) || c == '\n' || c == '\t')
}

/// Text for a terminal: every unsafe character escaped, except — when `color` is on — the SGR
/// sequences (`ESC [ digits ; … m`) prov's own renderers use for colour, which can only set
/// colours and attributes. Workspace text never contains a raw ESC by the time it gets here
/// (renderers escape it), so this is the last line of defence, not the first: even a sequence
/// let through by a bug could not move the cursor, erase, or talk to the terminal.
pub fn terminal(s: &str, color: bool) -> Cow<'_, str> {
    if !any_unsafe(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}'
            && color
            && let Some(n) = sgr_len(rest)
        {
            out.push_str(&rest[..n]);
            rest = &rest[n..];
            continue;
        }
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
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

/// A JSON document's text with every unsafe character that JSON leaves raw (DEL, C1, the
/// separators, bidi and invisible characters) written as `\uXXXX`. They can only occur inside
/// strings, where the escape means the same character: the document is unchanged as data.
/// (serde_json already escapes the C0 controls.)
pub fn json(s: &str) -> Cow<'_, str> {
    if !any_unsafe(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_unsafe(c) {
            push_json(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn push_json(out: &mut String, c: char) {
    use std::fmt::Write as _;
    // Every unsafe character is in the Basic Multilingual Plane: one `\uXXXX` each.
    let _ = write!(out, "\\u{:04x}", c as u32);
}

/// A writer that passes a JSON document through [`json`] as it streams, holding back at most
/// the three bytes of an unfinished UTF-8 character between writes.
pub struct JsonSafe<W: Write> {
    inner: W,
    held: Vec<u8>,
}

impl<W: Write> JsonSafe<W> {
    pub fn new(inner: W) -> Self {
        JsonSafe {
            inner,
            held: Vec::new(),
        }
    }

    /// Write what is held (an incomplete character at the very end is written as it is) and
    /// hand back the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        let held = std::mem::take(&mut self.held);
        self.inner.write_all(&held)?;
        Ok(self.inner)
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        match std::str::from_utf8(bytes) {
            Ok(s) => self.inner.write_all(json(s).as_bytes()),
            // Not UTF-8 (serde_json never writes that): pass it on unchanged.
            Err(_) => self.inner.write_all(bytes),
        }
    }
}

impl<W: Write> Write for JsonSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut data = std::mem::take(&mut self.held);
        data.extend_from_slice(buf);
        // Hold back a trailing incomplete UTF-8 character.
        let cut = complete_prefix(&data);
        self.emit(&data[..cut])?;
        self.held = data[cut..].to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
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
    use super::*;

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
            .filter_map(char::from_u32)
        {
            for s in [format!("{c}"), format!("ab{c}cd"), format!("é’{c}")] {
                assert_eq!(any_unsafe(&s), s.chars().any(is_unsafe), "{c:?}");
            }
        }
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
        let raw = "{\"q\": \"x\u{202e}y\u{9b}z é 😀\"}";
        for split in 0..=raw.len() {
            let mut w = JsonSafe::new(Vec::new());
            w.write_all(&raw.as_bytes()[..split]).unwrap();
            w.write_all(&raw.as_bytes()[split..]).unwrap();
            let out = String::from_utf8(w.finish().unwrap()).unwrap();
            assert_eq!(out, json(raw), "split at {split}");
        }
    }
}

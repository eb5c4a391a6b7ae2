//! Pretty-printed JSON, byte for byte as `serde_json::to_writer_pretty` writes it (two spaces
//! per level) and then prov's output sanitiser ([`escape::json`]) rewrites it, two ways:
//!
//! - [`Pretty`], serde_json's formatter starting some levels in, for any `Serialize` value;
//! - [`Object`] and [`array`], by hand, for the elements of `prov check`'s long arrays and
//!   the fact entries of `prov report`'s (`report::json`): a 100k-citation document is 150 MB
//!   of JSON, and serde_json escapes strings a byte at a time (a tenth of the whole check).
//!   Here a string is scanned eight bytes at a time ([`crate::swar`]). Each hand-written
//!   element is held to its type's derive by tests (`render::json`, `report::json`).

use std::io::{self, Write};

use crate::{escape, swar};

/// serde_json's `PrettyFormatter` (two spaces per level), starting `level` levels in, and
/// writing each indent in one piece.
pub(crate) struct Pretty {
    pub(crate) level: usize,
    pub(crate) has_value: bool,
}

/// Enough spaces for any indent; deeper levels (never written by prov) take several writes.
const SPACES: &[u8; 64] = b"                                                                ";

/// A line break, then the indent of `level`.
fn newline<W: ?Sized + Write>(w: &mut W, level: usize, comma: bool) -> io::Result<()> {
    w.write_all(if comma { b",\n" } else { b"\n" })?;
    let mut n = level * 2;
    while n > 0 {
        let k = n.min(SPACES.len());
        w.write_all(&SPACES[..k])?;
        n -= k;
    }
    Ok(())
}

impl Pretty {
    /// An array or object opens: one level deeper, nothing in it yet.
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// It closes: on a line of its own unless it is empty.
    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            newline(w, self.level, false)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        newline(w, self.level, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        newline(w, self.level, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    /// A run of a string between the characters serde_json escapes: with every character the
    /// output sanitiser escapes already escaped, as [`string`] writes it (a run's neighbours
    /// are ASCII, as [`escape::json_unsafe_at`] needs).
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        w.write_all(escape::json(fragment).as_bytes())
    }
}

/// A comma, a line break and spaces: a line break and its indent are one copy from it (they
/// are a third of the JSON's pieces), of [`FIXED`] bytes after the comma or from it.
const BREAK: &[u8; 2 + 64] = b",\n                                                                ";

/// The bytes [`line`] copies at once: a copy of a length known when compiled is a few moves,
/// not a call to `memcpy`. Enough for the line break and indent of any level up to 15.
const FIXED: usize = 32;

/// Append a line break and the indent of `level` (writing to a vector cannot fail).
#[inline(always)]
fn line(out: &mut Vec<u8>, level: usize, comma: bool) {
    let start = usize::from(!comma);
    let len = 2 + level * 2 - start;
    match BREAK.get(start..start + FIXED) {
        // [`FIXED`] bytes copied, the line's kept.
        Some(piece) if len <= FIXED => {
            let at = out.len();
            out.extend_from_slice(piece);
            out.truncate(at + len);
        }
        // Deeper than prov writes: piece by piece.
        _ => {
            let _ = newline(out, level, comma);
        }
    }
}

/// Append `s` as a JSON string, escaped as serde_json escapes it (`"`, `\` and the characters
/// below U+0020: `\b \t \n \f \r`, the others as `\u00xx`), and every character prov's
/// output sanitiser escapes ([`escape::json`]: DEL, C1, the separators, bidi and invisible
/// characters) as `\uXXXX`: exactly `escape::json` of serde_json's string, in one pass, so
/// that the writer can take the text as it is ([`escape::SafeWrite`]).
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut run = 0; // the start of the bytes not yet copied
    let mut at = 0;
    while at < b.len() {
        // Skip a word at a time to the first byte that may need an escape: an ASCII control,
        // a quote, a backslash, or one of a wider character.
        while let Some(w) = swar::word(b, at) {
            let stop =
                swar::control(w) | swar::equal(w, b'"') | swar::equal(w, b'\\') | (w & swar::HIGH);
            if stop != 0 {
                at += (stop.trailing_zeros() / 8) as usize;
                break;
            }
            at += 8;
        }
        let Some(&c) = b.get(at) else {
            break;
        };
        let escaped = match c {
            // Printable ASCII (the tail after the last whole word).
            0x20..=0x7e if c != b'"' && c != b'\\' => None,
            // What JSON escapes, and DEL, which the sanitiser always escapes.
            0x00..=0x7f => Some(char::from(c)),
            // A wider character: escaped only if the sanitiser would escape it.
            _ => escape::json_unsafe_at(s, at),
        };
        let Some(e) = escaped else {
            at += utf8_len(c);
            continue;
        };
        out.extend_from_slice(&b[run..at]);
        push_escape(out, e);
        at += e.len_utf8();
        run = at;
    }
    out.extend_from_slice(&b[run..]);
    out.push(b'"');
}

/// Append the escape of `c`: JSON's short one where it has one, else `\uXXXX`.
fn push_escape(out: &mut Vec<u8>, c: char) {
    let short: &[u8] = match c {
        '"' => b"\\\"",
        '\\' => b"\\\\",
        '\u{8}' => b"\\b",
        '\u{c}' => b"\\f",
        '\n' => b"\\n",
        '\r' => b"\\r",
        '\t' => b"\\t",
        _ => return escape::push_json_bytes(out, c),
    };
    out.extend_from_slice(short);
}

/// The length of the UTF-8 character whose first byte is `lead`.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    }
}

/// Append an unsigned number.
pub(crate) fn uint(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Append `null`.
pub(crate) fn null(out: &mut Vec<u8>) {
    out.extend_from_slice(b"null");
}

/// Append an array of `items`, `level` levels in, each item written by `item` (one level
/// deeper); `[]` when there are none.
pub(crate) fn array<T>(
    out: &mut Vec<u8>,
    level: usize,
    items: impl IntoIterator<Item = T>,
    mut item: impl FnMut(&mut Vec<u8>, usize, T),
) {
    out.push(b'[');
    let mut first = true;
    for t in items {
        line(out, level + 1, !first);
        item(out, level + 1, t);
        first = false;
    }
    if !first {
        line(out, level, false);
    }
    out.push(b']');
}

/// Append a pair of numbers (`[usize; 2]`), `level` levels in.
pub(crate) fn pair(out: &mut Vec<u8>, level: usize, [a, b]: [usize; 2]) {
    array(out, level, [a, b], |out, _, n| uint(out, n as u64));
}

/// An object being written, `level` levels in: [`Object::key`] before each value, in the
/// order of the type's fields, then [`Object::end`]. (prov writes no empty object this way.)
pub(crate) struct Object<'a> {
    out: &'a mut Vec<u8>,
    level: usize,
    first: bool,
}

impl<'a> Object<'a> {
    pub(crate) fn new(out: &'a mut Vec<u8>, level: usize) -> Self {
        out.push(b'{');
        Object {
            out,
            level,
            first: true,
        }
    }

    /// Start the field `key` (written as it is: a field name needs no escape). Its value goes
    /// into the vector returned, [`Object::inner`] levels in.
    #[inline(always)]
    pub(crate) fn key(&mut self, key: &str) -> &mut Vec<u8> {
        // Room for all of it first (the line break's fixed copy included): the pieces are then
        // copied with no check of the capacity between them.
        self.out
            .reserve(FIXED.max(2 + (self.level + 1) * 2) + key.len() + 4);
        line(self.out, self.level + 1, !self.first);
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
        self.out
    }

    /// The level of the fields' values.
    pub(crate) fn inner(&self) -> usize {
        self.level + 1
    }

    #[inline(always)]
    pub(crate) fn str(&mut self, key: &str, v: &str) {
        string(self.key(key), v);
    }

    #[inline(always)]
    pub(crate) fn opt_str(&mut self, key: &str, v: Option<&str>) {
        match v {
            Some(v) => self.str(key, v),
            None => null(self.key(key)),
        }
    }

    #[inline(always)]
    pub(crate) fn uint(&mut self, key: &str, n: usize) {
        uint(self.key(key), n as u64);
    }

    #[inline(always)]
    pub(crate) fn opt_uint(&mut self, key: &str, n: Option<usize>) {
        match n {
            Some(n) => self.uint(key, n),
            None => null(self.key(key)),
        }
    }

    #[inline(always)]
    pub(crate) fn bool(&mut self, key: &str, v: bool) {
        self.key(key)
            .extend_from_slice(if v { b"true" } else { b"false" });
    }

    #[inline(always)]
    pub(crate) fn opt_pair(&mut self, key: &str, p: Option<[usize; 2]>) {
        let level = self.inner();
        match p {
            Some(p) => pair(self.key(key), level, p),
            None => null(self.key(key)),
        }
    }

    /// An array of pairs of numbers.
    #[inline(always)]
    pub(crate) fn pairs(&mut self, key: &str, items: &[[usize; 2]]) {
        let level = self.inner();
        array(self.key(key), level, items, |out, l, &p| pair(out, l, p));
    }

    /// An array of strings.
    #[inline(always)]
    pub(crate) fn strs<S: AsRef<str>>(&mut self, key: &str, items: impl IntoIterator<Item = S>) {
        let level = self.inner();
        array(self.key(key), level, items, |out, _, s| {
            string(out, s.as_ref())
        });
    }

    pub(crate) fn end(self) {
        line(self.out, self.level, false);
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What prov writes for a string: serde_json's string, then the output sanitiser's
    /// escapes (what `escape::JsonSafe` made of it when it scanned every byte).
    fn serde_string(s: &str) -> Vec<u8> {
        let serde = serde_json::to_string(s).expect("a string serialises");
        crate::escape::json(&serde).into_owned().into_bytes()
    }

    /// Every byte below 0x80 and a few wider characters, unsafe ones among them, at each place
    /// in a string long enough for two words and a tail: escaped as serde_json escapes them,
    /// then as the output sanitiser does.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let wide = [
            'é',
            '€',
            '😀',
            '’',
            '\u{a0}',
            '\u{2028}',
            '\u{7f}',
            '\u{85}',
            '\u{9b}',
            '\u{202e}',
            '\u{200b}',
            '\u{200d}',
            '\u{feff}',
            '\u{e0041}',
            '\u{61c}',
        ];
        let chars = (0u8..0x80).map(char::from).chain(wide);
        for c in chars {
            for at in 0..19 {
                let mut s: String = "abcdefghijklmnopqr".chars().take(at).collect();
                s.push(c);
                s.push_str("xyz");
                let mut got = Vec::new();
                string(&mut got, &s);
                assert_eq!(got, serde_string(&s), "{c:?} at {at}");
            }
        }
        let mut got = Vec::new();
        string(&mut got, "");
        assert_eq!(got, b"\"\"");
    }

    proptest! {
        /// Strings mostly plain, with escapes, controls, quotes and wide characters here and
        /// there, runs of them included; or made of joiners between letters of scripts that
        /// need them (excused) and next to ASCII, quotes and escapes (not), bidi controls, C1
        /// controls and invisible characters, in runs and alone: as serde_json escapes them,
        /// then the sanitiser on the whole document.
        #[test]
        fn any_string_is_escaped_as_serde_json_and_the_sanitiser_escape_it(
            s in prop_oneof![
                "([a-z é€😀]{0,12}|[\"\\\\\u{0}-\u{1f}\u{7f}]{1,3}){0,12}",
                "([a\"\\\\\n\u{1}\u{7f}\u{85}\u{9b}ب€😀’\u{200c}\u{200d}\u{202e}\u{2066}\u{200b}\u{feff}\u{e0041}\u{a0}]{0,6}){0,8}",
            ],
        ) {
            let mut got = Vec::new();
            string(&mut got, &s);
            prop_assert_eq!(got, serde_string(&s));
        }
    }

    /// A line break and its indent, from the one slice or, past it, piece by piece.
    #[test]
    fn a_line_break_is_indented_two_spaces_a_level_at_any_depth() {
        // Every level through the fixed copy's (15) and past it.
        for level in 0..=70 {
            for comma in [false, true] {
                let mut got = b"x".to_vec();
                line(&mut got, level, comma);
                let want = format!(
                    "x{}\n{}",
                    if comma { "," } else { "" },
                    " ".repeat(level * 2)
                );
                assert_eq!(got, want.as_bytes(), "level {level}, comma {comma}");
            }
        }
    }

    /// Arrays and objects, empty or not, nested, at any level: as serde_json's pretty printer
    /// writes them, starting that many levels in.
    #[test]
    fn arrays_and_objects_are_pretty_printed_as_serde_json_does() {
        #[derive(serde::Serialize)]
        struct Inner {
            pair: Option<[usize; 2]>,
            none: Option<[usize; 2]>,
            names: Vec<&'static str>,
            empty: Vec<&'static str>,
            flag: bool,
            n: Option<usize>,
        }
        #[derive(serde::Serialize)]
        struct Outer {
            id: &'static str,
            missing: Option<&'static str>,
            inner: Vec<Inner>,
            nothing: Vec<Inner>,
            count: usize,
        }
        let v = Outer {
            id: "a\"b\u{202e}c",
            missing: None,
            inner: vec![
                Inner {
                    pair: Some([1, 22]),
                    none: None,
                    names: vec!["x", "y\n", "ب\u{200c}ی", "\u{200d}\u{9b}2J"],
                    empty: vec![],
                    flag: true,
                    n: Some(7),
                },
                Inner {
                    pair: None,
                    none: None,
                    names: vec![],
                    empty: vec![],
                    flag: false,
                    n: None,
                },
            ],
            nothing: vec![],
            count: 3,
        };
        let inner = |out: &mut Vec<u8>, level: usize, i: &Inner| {
            let mut o = Object::new(out, level);
            o.opt_pair("pair", i.pair);
            o.opt_pair("none", i.none);
            o.strs("names", &i.names);
            o.strs("empty", &i.empty);
            o.bool("flag", i.flag);
            o.opt_uint("n", i.n);
            o.end();
        };
        for level in 0..4 {
            let mut got = Vec::new();
            let mut o = Object::new(&mut got, level);
            o.str("id", v.id);
            o.opt_str("missing", v.missing);
            let l = o.inner();
            array(o.key("inner"), l, &v.inner, |out, level, i| {
                inner(out, level, i)
            });
            array(o.key("nothing"), l, &v.nothing, |out, level, i| {
                inner(out, level, i)
            });
            o.uint("count", v.count);
            o.end();
            let mut want = Vec::new();
            let mut s = serde_json::Serializer::with_formatter(
                &mut want,
                Pretty {
                    level,
                    has_value: false,
                },
            );
            serde::Serialize::serialize(&v, &mut s).expect("serialises");
            let want = String::from_utf8(want).expect("UTF-8");
            if level == 0 {
                // The formatter's strings are sanitised as the whole document would be.
                let plain = serde_json::to_string_pretty(&v).expect("serialises");
                assert_eq!(want, crate::escape::json(&plain));
                assert!(want.contains("b\\u202ec") && want.contains("\\u200d\\u009b2J"));
                assert!(
                    want.contains("ب\u{200c}ی"),
                    "a joiner between letters stays"
                );
            }
            assert_eq!(
                String::from_utf8(got).expect("UTF-8"),
                want,
                "level {level}"
            );
        }
    }
}

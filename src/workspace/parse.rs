//! TOML text → the spanned tree (`tree::Entry`), in one of two ways with one result.
//!
//! - **The direct way** walks toml_parser's events (the lexer and grammar toml_edit itself runs)
//!   straight into the tree, for the shape prov's files have: key/value pairs, `[table]` and
//!   `[[array.of.tables]]` headers, arrays and inline tables. It builds no editable document:
//!   on the claim files of a 100k-citation workspace it takes a third of toml_edit's time and
//!   leaves no document behind to free.
//! - **toml_edit** reads everything else: any syntax error (so every message about invalid
//!   TOML is toml_edit's), dotted keys in a key/value pair, a table header naming a table that
//!   already exists (explicitly or implicitly), a duplicate key, a header through a value, and
//!   nesting past toml_edit's depth limit.
//!
//! The direct way gives up rather than guess: whenever it returns a tree, the tree equals the one
//! toml_edit's document converts to, spans included (the tests hold it so against toml-test's
//! valid and invalid files and every TOML file in the repository, and `fuzz/` against arbitrary
//! input).

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::parser::{Event, EventKind, RecursionGuard, ValidateWhitespace};
use toml_parser::{ParseError, Source};

use super::tree::{self, Entry, Node, Spanned};
use crate::swar;

/// Parse `text` into the tree, or say why it is not TOML (toml_edit's error).
pub fn parse(text: &str) -> Result<Vec<Entry<'_>>, toml_edit::TomlError> {
    match direct(text) {
        Some(entries) => Ok(entries),
        None => toml_edit::Document::parse(text).map(|doc| tree::from_document(doc.as_table())),
    }
}

/// toml_edit's nesting limit (arrays and inline tables; keys in a header).
const DEPTH: u32 = 80;

/// The direct way; `None` when the text is outside its shape or is not valid TOML.
pub fn direct(text: &str) -> Option<Vec<Entry<'_>>> {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut events: Vec<Event> = Vec::with_capacity(tokens.len());
    let mut failed = false;
    {
        let mut sink = |_: ParseError| failed = true;
        let mut validate = ValidateWhitespace::new(&mut events, source);
        let mut guarded = RecursionGuard::new(&mut validate, DEPTH);
        toml_parser::parser::parse_document(&tokens, &mut guarded, &mut sink);
    }
    if failed {
        return None;
    }
    drop(tokens);
    let mut b = Builder {
        source,
        events: &events,
        at: 0,
        tables: vec![Table::default()],
    };
    b.document()?;
    Some(b.finish(0))
}

/// The value of a one-line string with nothing to decode: its text between the quotes, when
/// every byte of it is one the string may hold as it is (no escape, no control character,
/// not its own quote). `None` sends it to toml_parser's decoder, which gives the same value for
/// these and decodes or refuses the rest. Eight bytes at a time: the quotes are most of a claim
/// file's bytes, and the decoder looks at them one at a time.
fn plain_string(encoding: Option<Encoding>, raw: &str) -> Option<&str> {
    let (quote, escape) = match encoding? {
        Encoding::BasicString => (b'"', Some(b'\\')),
        Encoding::LiteralString => (b'\'', None),
        _ => return None,
    };
    let inner = raw
        .strip_prefix(quote as char)?
        .strip_suffix(quote as char)?;
    let b = inner.as_bytes();
    let mut at = 0;
    while let Some(w) = swar::word(b, at) {
        if special_in_string(w, quote, escape) {
            return None;
        }
        at += 8;
    }
    let byte_plain =
        |&x: &u8| x == b'\t' || (x >= 0x20 && x != 0x7f && x != quote && Some(x) != escape);
    b[at..].iter().all(byte_plain).then_some(inner)
}

/// The name of a bare key (`id`, `said_by`): its text, when it is made only of the bytes a bare
/// key may hold (`A-Za-z0-9_-`), which toml_parser's decoder gives unchanged after checking
/// each. `None` sends it to the decoder (quoted keys, and anything it refuses).
fn plain_key(encoding: Option<Encoding>, raw: &str) -> Option<&str> {
    let bare = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-';
    (encoding.is_none() && !raw.is_empty() && raw.as_bytes().iter().all(bare)).then_some(raw)
}

/// The value of a decimal integer written plainly: `0`, or a digit from 1 to 9 and at most 17
/// more (no sign, no underscore, no leading zero, and it cannot overflow), as toml_parser's
/// decoder and `i64` read it. `None` sends it to the decoder (every other number, and every
/// date: a claim file's spans are thousands of such integers).
fn plain_integer(encoding: Option<Encoding>, raw: &str) -> Option<i64> {
    let b = raw.as_bytes();
    let plain = encoding.is_none()
        && (1..=18).contains(&b.len())
        && b.iter().all(u8::is_ascii_digit)
        && (b[0] != b'0' || b.len() == 1);
    plain.then(|| raw.parse().ok()).flatten()
}

/// Does the little-endian word `w` hold a byte a one-line string may not hold as it is: a
/// control character (below 0x20 but tab, or 0x7F), `quote`, or `escape`? Exact, byte by byte.
fn special_in_string(w: u64, quote: u8, escape: Option<u8>) -> bool {
    let escape = escape.map_or(0, |e| swar::equal(w, e));
    let control = swar::control(w) & !swar::equal(w, b'\t');
    (control | swar::equal(w, quote) | escape) != 0
}

/// A table being built; tables live in `Builder::tables` and refer to each other by index.
#[derive(Default)]
struct Table<'s> {
    /// The header's span (`[a.b]` brackets included); the key's for an implicit table.
    span: Range<usize>,
    items: Vec<Item<'s>>,
    /// Key → position in `items`, once the table is large enough for a scan to cost.
    index: Option<HashMap<Cow<'s, str>, usize>>,
}

/// Tables above this many keys get an index (sources.toml's `[sources]` has thousands).
const INDEX_FROM: usize = 16;

impl<'s> Table<'s> {
    fn find(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.items.iter().position(|i| i.key == key),
        }
    }

    fn push(&mut self, item: Item<'s>) {
        let at = self.items.len();
        if let Some(index) = &mut self.index {
            index.insert(item.key.clone(), at);
        }
        self.items.push(item);
        if self.index.is_none() && self.items.len() > INDEX_FROM {
            self.index = Some(
                self.items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (item.key.clone(), i))
                    .collect(),
            );
        }
    }
}

struct Item<'s> {
    key: Cow<'s, str>,
    key_span: Range<usize>,
    value: Value<'s>,
}

enum Value<'s> {
    /// A value written after `=`, complete.
    Leaf(Spanned<'s>),
    /// A table made by a header (or implicitly, on the way to one): its span is the header's
    /// (toml_edit gives an implicit table its key's).
    Table { id: usize, span: Range<usize> },
    /// An array of tables: its span runs from the first header to the last.
    Tables { ids: Vec<usize>, span: Range<usize> },
}

struct Key<'s> {
    /// Borrowed from the text when written there as it reads (a bare key, most quoted ones).
    name: Cow<'s, str>,
    span: Range<usize>,
}

struct Builder<'s, 'e> {
    source: Source<'s>,
    events: &'e [Event],
    at: usize,
    tables: Vec<Table<'s>>,
}

fn range(e: &Event) -> Range<usize> {
    e.span().start()..e.span().end()
}

impl<'s> Builder<'s, '_> {
    fn next(&mut self) -> Option<Event> {
        let e = self.events.get(self.at).copied();
        self.at += 1;
        e
    }

    /// The next event that is not whitespace, a comment or a newline.
    fn next_significant(&mut self) -> Option<Event> {
        loop {
            let e = self.next()?;
            if !matches!(
                e.kind(),
                EventKind::Whitespace | EventKind::Comment | EventKind::Newline
            ) {
                return Some(e);
            }
        }
    }

    fn document(&mut self) -> Option<()> {
        let mut current = 0;
        while let Some(e) = self.next_significant() {
            match e.kind() {
                EventKind::StdTableOpen | EventKind::ArrayTableOpen => {
                    current = self.header(e)?;
                }
                EventKind::SimpleKey => {
                    let key = self.key(&e)?;
                    // A dotted key, or anything but `=` after the key: toml_edit's to read.
                    if self.next_significant()?.kind() != EventKind::KeyValSep {
                        return None;
                    }
                    let value = self.value()?;
                    let table = &mut self.tables[current];
                    if table.find(&key.name).is_some() {
                        return None;
                    }
                    table.push(Item {
                        key: key.name,
                        key_span: key.span,
                        value: Value::Leaf(value),
                    });
                }
                _ => return None,
            }
        }
        Some(())
    }

    fn key(&self, e: &Event) -> Option<Key<'s>> {
        let raw = self.source.get(e)?;
        if let Some(plain) = plain_key(e.encoding(), raw.as_str()) {
            return Some(Key {
                name: Cow::Borrowed(plain),
                span: range(e),
            });
        }
        let mut decoded = Cow::Borrowed("");
        let mut failed = false;
        raw.decode_key(&mut decoded, &mut |_: ParseError| failed = true);
        (!failed).then_some(Key {
            name: decoded,
            span: range(e),
        })
    }

    /// A `[a.b]` or `[[a.b]]` header: the table it opens.
    fn header(&mut self, open: Event) -> Option<usize> {
        let is_array = open.kind() == EventKind::ArrayTableOpen;
        let mut keys = Vec::new();
        let close = loop {
            let e = self.next()?;
            match e.kind() {
                EventKind::SimpleKey => keys.push(self.key(&e)?),
                EventKind::KeySep | EventKind::Whitespace => {}
                EventKind::StdTableClose | EventKind::ArrayTableClose => break e,
                _ => return None,
            }
        };
        if keys.len() >= DEPTH as usize {
            return None;
        }
        let span = open.span().start()..close.span().end();
        let last = keys.pop()?;
        let mut table = 0;
        for key in keys {
            table = self.descend(table, key)?;
        }
        let id = self.tables.len();
        let parent = &mut self.tables[table];
        match parent.find(&last.name) {
            None => {
                let value = if is_array {
                    Value::Tables {
                        ids: vec![id],
                        span: span.clone(),
                    }
                } else {
                    Value::Table {
                        id,
                        span: span.clone(),
                    }
                };
                parent.push(Item {
                    key: last.name,
                    key_span: last.span,
                    value,
                });
            }
            Some(at) => match &mut parent.items[at].value {
                Value::Tables {
                    ids,
                    span: array_span,
                } if is_array => {
                    ids.push(id);
                    array_span.end = span.end;
                }
                // A table defined twice, or after an implicit definition: toml_edit's to read.
                _ => return None,
            },
        }
        self.tables.push(Table {
            span,
            ..Table::default()
        });
        Some(id)
    }

    /// The table `key` names in `table`, made implicitly if it does not exist; the last table of
    /// an array of tables.
    fn descend(&mut self, table: usize, key: Key<'s>) -> Option<usize> {
        let next = self.tables.len();
        let parent = &mut self.tables[table];
        match parent.find(&key.name) {
            Some(at) => match &parent.items[at].value {
                Value::Table { id, .. } => Some(*id),
                Value::Tables { ids, .. } => ids.last().copied(),
                Value::Leaf(_) => None,
            },
            None => {
                parent.push(Item {
                    key: key.name,
                    key_span: key.span.clone(),
                    value: Value::Table {
                        id: next,
                        span: key.span.clone(),
                    },
                });
                self.tables.push(Table {
                    span: key.span,
                    ..Table::default()
                });
                Some(next)
            }
        }
    }

    /// The value after `=` or in an array.
    fn value(&mut self) -> Option<Spanned<'s>> {
        let e = self.next_significant()?;
        match e.kind() {
            EventKind::Scalar => self.scalar(&e),
            EventKind::ArrayOpen => self.array(&e),
            EventKind::InlineTableOpen => self.inline_table(&e),
            _ => None,
        }
    }

    fn scalar(&self, e: &Event) -> Option<Spanned<'s>> {
        let raw = self.source.get(e)?;
        // A plain string or integer as it is written; anything else through the decoder.
        let plain = plain_string(e.encoding(), raw.as_str())
            .map(|s| Node::Str(Cow::Borrowed(s)))
            .or_else(|| plain_integer(e.encoding(), raw.as_str()).map(Node::Int));
        if let Some(node) = plain {
            return Some(Spanned {
                node,
                span: range(e),
            });
        }
        let mut decoded = Cow::Borrowed("");
        let mut failed = false;
        let kind = raw.decode_scalar(&mut decoded, &mut |_: ParseError| failed = true);
        if failed {
            return None;
        }
        let node = match kind {
            ScalarKind::String => Node::Str(decoded),
            ScalarKind::Boolean(b) => Node::Bool(b),
            ScalarKind::DateTime => Node::Datetime(decoded.parse().ok()?),
            ScalarKind::Float => {
                let value: f64 = decoded.parse().ok()?;
                let word = decoded
                    .strip_prefix(['+', '-'])
                    .unwrap_or(&decoded)
                    .chars()
                    .all(|c| c.is_ascii_alphabetic());
                if value.is_infinite() && !word {
                    return None; // overflowed: toml_edit says so
                }
                Node::Float(value)
            }
            ScalarKind::Integer(radix) => {
                Node::Int(i64::from_str_radix(&decoded, radix.value()).ok()?)
            }
        };
        Some(Spanned {
            node,
            span: range(e),
        })
    }

    fn array(&mut self, open: &Event) -> Option<Spanned<'s>> {
        let mut items = Vec::new();
        loop {
            let e = self.next_significant()?;
            match e.kind() {
                EventKind::ArrayClose => {
                    return Some(Spanned {
                        node: Node::Array(items),
                        span: open.span().start()..e.span().end(),
                    });
                }
                EventKind::ValueSep => {}
                EventKind::Scalar => items.push(self.scalar(&e)?),
                EventKind::ArrayOpen => items.push(self.array(&e)?),
                EventKind::InlineTableOpen => items.push(self.inline_table(&e)?),
                _ => return None,
            }
        }
    }

    fn inline_table(&mut self, open: &Event) -> Option<Spanned<'s>> {
        let mut entries: Vec<Entry<'s>> = Vec::new();
        // Duplicate keys are looked up in a set once the table is large (it may be hostile).
        let mut seen: Option<std::collections::HashSet<Cow<'s, str>>> = None;
        loop {
            let e = self.next_significant()?;
            match e.kind() {
                EventKind::InlineTableClose => {
                    return Some(Spanned {
                        node: Node::Table(entries),
                        span: open.span().start()..e.span().end(),
                    });
                }
                EventKind::ValueSep => {}
                EventKind::SimpleKey => {
                    let key = self.key(&e)?;
                    let duplicate = match &mut seen {
                        Some(set) => !set.insert(key.name.clone()),
                        None => entries.iter().any(|x| x.key == key.name),
                    };
                    if duplicate || self.next_significant()?.kind() != EventKind::KeyValSep {
                        return None; // a duplicate or dotted key
                    }
                    if seen.is_none() && entries.len() >= INDEX_FROM {
                        seen = Some(entries.iter().map(|x| x.key.clone()).collect());
                        if let Some(set) = &mut seen {
                            set.insert(key.name.clone());
                        }
                    }
                    let value = self.value()?;
                    entries.push(Entry {
                        key: key.name,
                        key_span: key.span,
                        value,
                    });
                }
                _ => return None,
            }
        }
    }

    /// Table `id` as entries, its tables taken out of the arena.
    fn finish(&mut self, id: usize) -> Vec<Entry<'s>> {
        let items = std::mem::take(&mut self.tables[id].items);
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let value = match item.value {
                Value::Leaf(v) => v,
                Value::Table { id, span } => Spanned {
                    node: Node::Table(self.finish(id)),
                    span,
                },
                Value::Tables { ids, span } => {
                    let tables = ids
                        .into_iter()
                        .map(|id| {
                            let span = self.tables[id].span.clone();
                            Spanned {
                                node: Node::Table(self.finish(id)),
                                span,
                            }
                        })
                        .collect();
                    Spanned {
                        node: Node::Array(tables),
                        span,
                    }
                }
            };
            out.push(Entry {
                key: item.key,
                key_span: item.key_span,
                value,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each one-line string token of `text`: its encoding, its text, and the value toml_parser's
    /// decoder gives it (`None` when it refuses it).
    fn decoded(text: &str) -> Vec<(Option<Encoding>, &str, Option<String>)> {
        let source = Source::new(text);
        let tokens = source.lex().into_vec();
        tokens
            .iter()
            .filter(|t| {
                matches!(
                    t.kind().encoding(),
                    Some(Encoding::BasicString | Encoding::LiteralString)
                )
            })
            .filter_map(|t| {
                let raw = source.get(t)?;
                let mut out = Cow::Borrowed("");
                let mut failed = false;
                let _ = raw.decode_scalar(&mut out, &mut |_: ParseError| failed = true);
                Some((
                    t.kind().encoding(),
                    raw.as_str(),
                    (!failed).then(|| out.into_owned()),
                ))
            })
            .collect()
    }

    /// Every ASCII byte and a few characters beyond, at every place of a string long enough to
    /// fill two words and a tail: the eight-byte test takes exactly the bytes a string may hold
    /// as they are, and what it takes the decoder gives unchanged.
    #[test]
    fn plain_strings_are_those_the_decoder_gives_unchanged() {
        let others = ["é", "€", "\u{2028}", "\u{10FFFF}"];
        let mut checked = 0;
        for (quote, escape) in [('"', Some('\\')), ('\'', None)] {
            let chars = (0u8..0x80).map(char::from).map(String::from);
            for c in chars.chain(others.iter().map(|s| s.to_string())) {
                for at in 0..19 {
                    let mut inner: String = "abcdefghijklmnopqr".into();
                    inner.insert_str(at, &c);
                    let raw = format!("{quote}{inner}{quote}");
                    let first = c.chars().next().unwrap_or('a');
                    let expected = first == '\t'
                        || (first >= ' '
                            && first != '\u{7f}'
                            && first != quote
                            && Some(first) != escape);
                    let encoding = Some(if quote == '"' {
                        Encoding::BasicString
                    } else {
                        Encoding::LiteralString
                    });
                    let plain = plain_string(encoding, &raw);
                    assert_eq!(plain.is_some(), expected, "{raw:?}");
                    if let Some(plain) = plain {
                        assert_eq!(plain, inner);
                        // The decoder reads the same token and gives the same value.
                        assert_eq!(
                            decoded(&raw),
                            vec![(encoding, raw.as_str(), Some(inner.clone()))]
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 2 * (128 + 4) * 19);
    }

    /// Whatever the lexer makes a one-line string of, the plain value, when there is one, is the
    /// decoder's.
    #[test]
    fn a_plain_value_is_always_the_decoders() {
        let texts = [
            "x = \"\"",
            "x = ''",
            "x = \"a\\\"b\"",
            "x = 'a\\b'",
            "x = \"tab\there\"",
            "x = \"unterminated",
            "x = 'unterminated",
            "x = \"line\nbreak\"",
            "x = \"\"\"ml\"\"\"",
            "x = '''ml'''",
            "x = \"nul\u{0}here and more than eight\"",
            "x = \"del\u{7f}\"",
        ];
        for text in texts {
            for (encoding, raw, value) in decoded(text) {
                if let Some(plain) = plain_string(encoding, raw) {
                    assert_eq!(Some(plain.to_string()), value, "{text:?}");
                }
            }
        }
        assert_eq!(
            plain_string(Some(Encoding::MlBasicString), "\"\"\"a\"\"\""),
            None
        );
        assert_eq!(plain_string(None, "abc"), None);
    }

    /// toml_parser's decoding of the unquoted token `raw`, as a key (no kind) or as a scalar:
    /// its kind, and its value (`None` when the decoder refuses it).
    fn decode_unquoted(raw: &str, key: bool) -> (Option<ScalarKind>, Option<String>) {
        let token = toml_parser::Raw::new_unchecked(
            raw,
            None,
            toml_parser::Span::new_unchecked(0, raw.len()),
        );
        let mut decoded = Cow::Borrowed("");
        let mut failed = false;
        let mut refused = |_: ParseError| failed = true;
        let kind = if key {
            token.decode_key(&mut decoded, &mut refused);
            None
        } else {
            Some(token.decode_scalar(&mut decoded, &mut refused))
        };
        (kind, (!failed).then(|| decoded.into_owned()))
    }

    /// The value toml_parser's decoder gives the unquoted scalar `raw` (as `Builder::scalar`
    /// reads it), or `None` when it is not an integer or the decoder refuses it.
    fn decoded_integer(raw: &str) -> Option<i64> {
        match decode_unquoted(raw, false) {
            (Some(ScalarKind::Integer(radix)), Some(value)) => {
                i64::from_str_radix(&value, radix.value()).ok()
            }
            _ => None,
        }
    }

    /// Every number the fast way reads is the decoder's, and it declines what it does not read:
    /// signs, underscores, leading zeros, other bases, floats, dates, overflow.
    #[test]
    fn plain_integers_are_the_decoders() {
        let taken = [
            "0",
            "7",
            "42",
            "1979",
            "123456789012345678",
            "999999999999999999",
        ];
        let declined = [
            "",
            "00",
            "007",
            "+1",
            "-1",
            "1_000",
            "0x1f",
            "0o7",
            "0b1",
            "1e5",
            "1.5",
            "inf",
            "nan",
            "1979-05-27",
            "07:32:00",
            "1234567890123456789",
            "99999999999999999999",
            "\u{ff11}",
            "1 ",
            " 1",
            "true",
        ];
        for raw in taken {
            let n = plain_integer(None, raw);
            assert!(n.is_some(), "{raw:?}");
            assert_eq!(n, decoded_integer(raw), "{raw:?}");
        }
        for raw in declined {
            assert_eq!(plain_integer(None, raw), None, "{raw:?}");
        }
        assert_eq!(plain_integer(Some(Encoding::BasicString), "1"), None);
        // Every number up to 3 digits and a sample of longer ones, leading zeros included.
        let mut raws: Vec<String> = (0..1000).map(|n| n.to_string()).collect();
        raws.extend((0..100).map(|n| format!("{n:03}")));
        raws.extend((0..60u32).map(|k| (7u64.pow(k / 3) + u64::from(k)).to_string()));
        for raw in raws {
            if let Some(n) = plain_integer(None, &raw) {
                assert_eq!(Some(n), decoded_integer(&raw), "{raw:?}");
            }
        }
    }

    /// A bare key is taken as it is exactly when the decoder takes it unchanged: every ASCII
    /// byte and a few characters beyond, alone and between letters.
    #[test]
    fn plain_keys_are_the_decoders() {
        let decode = |raw: &str| decode_unquoted(raw, true).1;
        let chars = (0u8..0x80)
            .map(char::from)
            .chain(['\u{e9}', '\u{2028}', '\u{1f600}']);
        for c in chars {
            for raw in [c.to_string(), format!("a{c}b")] {
                match plain_key(None, &raw) {
                    Some(plain) => assert_eq!(Some(plain.to_string()), decode(&raw), "{raw:?}"),
                    None => assert_ne!(decode(&raw).as_deref(), Some(raw.as_str()), "{raw:?}"),
                }
            }
        }
        assert_eq!(plain_key(None, ""), None);
        assert_eq!(plain_key(Some(Encoding::BasicString), "\"a\""), None);
    }

    /// Keys and strings written as they read are borrowed from the text (no copy); those with
    /// escapes are decoded into strings of their own.
    #[test]
    fn keys_and_strings_written_as_they_read_are_borrowed() {
        let text = "[[claim]]\nid = \"c1\"\n\"quoted key\" = 'lit'\nesc = \"a\\tb\"\n\"k\\u0041\" = [\"x\"]\n";
        let entries = direct(text).expect("the direct way reads it");
        let Node::Array(claims) = &entries[0].value.node else {
            panic!("an array of tables");
        };
        let Node::Table(t) = &claims[0].node else {
            panic!("a table");
        };
        let borrowed = |c: &Cow<str>| matches!(c, Cow::Borrowed(_));
        fn str_of<'a>(n: &Node<'a>) -> Cow<'a, str> {
            match n {
                Node::Str(s) => s.clone(),
                Node::Array(items) => str_of(&items[0].node),
                _ => panic!("a string"),
            }
        }
        let got: Vec<(&str, bool, String, bool)> = t
            .iter()
            .map(|e| {
                let v = str_of(&e.value.node);
                (
                    e.key.as_ref(),
                    borrowed(&e.key),
                    v.to_string(),
                    borrowed(&v),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("id", true, "c1".to_string(), true),
                ("quoted key", true, "lit".to_string(), true),
                ("esc", true, "a\tb".to_string(), false),
                ("kA", false, "x".to_string(), true),
            ]
        );
    }
}

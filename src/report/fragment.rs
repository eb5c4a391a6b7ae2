//! Text-fragment links (`url#:~:text=…`, WICG Scroll to Text Fragment): a link that makes a
//! browser scroll to and highlight the quote on the live page. Terms are percent-encoded: every
//! byte but ASCII letters, digits, `_`, `.` and `~`, so `-`, `,` and `&` (the directive's
//! syntax) and `(`, `)` (which would end a Markdown link) are always encoded. A prefix and a suffix are added only when the quote alone is ambiguous
//! in the document or very short; a long quote becomes a `start,end` range.

use std::collections::HashMap;

/// Percent-encode a text-directive term.
pub fn encode(term: &str) -> String {
    let mut out = String::with_capacity(term.len() * 3);
    encode_into(&mut out, term);
    out
}

/// Append `term` percent-encoded to `out`.
fn encode_into(out: &mut String, term: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in term.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
    }
}

/// Append `words` joined by spaces, percent-encoded, to `out` (the encoding of the space,
/// `%20`, between them).
fn encode_words<'a>(out: &mut String, words: impl IntoIterator<Item = &'a str>) {
    for (k, word) in words.into_iter().enumerate() {
        if k > 0 {
            out.push_str("%20");
        }
        encode_into(out, word);
    }
}

/// Words of `s` (whitespace-separated; a browser matches rendered text, where runs of
/// whitespace are one space).
fn words(s: &str) -> std::str::SplitWhitespace<'_> {
    s.split_whitespace()
}

/// Quotes shorter than this get a prefix and a suffix.
pub const SHORT: usize = 20;
/// Quotes longer than this become a `start,end` range of their first and last words.
const LONG: usize = 300;
const EDGE_WORDS: usize = 5;
const CONTEXT_WORDS: usize = 3;
/// How many code points either side of the quote a link's prefix and suffix are taken from.
pub const NEAR: usize = 200;

/// The link to code points `[start, end)` of `text` on the page at `url`. Counts the quote's
/// occurrences in the whole text: for many quotes of one text, use [`ambiguous`] once and
/// [`link_parts`].
pub fn link(url: &str, text: &str, start: usize, end: usize) -> Option<String> {
    let ct = crate::anchor::text::CharText::new(text);
    let quote = ct.slice(start, end)?;
    let before = ct.slice(start.saturating_sub(NEAR), start)?;
    let after = ct.slice(end, end.saturating_add(NEAR).min(ct.len_chars()))?;
    let (bs, be) = (ct.byte_of(start)?, ct.byte_of(end)?);
    let amb = ambiguous(text.as_bytes(), &[(bs, be)]);
    Some(link_parts(
        url,
        before,
        quote,
        after,
        amb.first().copied().unwrap_or(false),
    ))
}

/// The link to `quote` on the page at `url`, given up to [`NEAR`] code points of the text
/// either side of it (`before`, `after`), and whether the quote occurs more than once in the
/// text (`ambiguous`, as [`ambiguous`] decides it; not needed for a quote shorter than
/// [`SHORT`] code points, which always gets a prefix and a suffix).
///
/// A browser matches whole words only, and a quote may start or end inside a word (`une
/// centaine` in `qu’une centaine`): then the link gets a prefix (or a suffix) too, ending (or
/// starting) with the rest of that word, so that the quote's edge follows the context term
/// instead of a word boundary. Context terms stay within the quote's line: a browser does not
/// match across blocks such as paragraphs. A quote that spans lines becomes a `start,end`
/// range of its first line's first words and its last line's last words.
pub fn link_parts(url: &str, before: &str, quote: &str, after: &str, ambiguous: bool) -> String {
    LinkContext::new(before, quote, after, ambiguous).link(url, quote)
}

/// What a quote's link takes from the text around it: its prefix and suffix terms,
/// percent-encoded, each empty when the link has none. A report holds this per citation until
/// the citation's entry is written, and makes the link ([`LinkContext::link`]) from it, the page's
/// url and the quote then: the link itself, most of it the encoded quote, is several times
/// larger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkContext {
    pub prefix: String,
    pub suffix: String,
}

impl LinkContext {
    /// The context terms of [`link_parts`]`(_, before, quote, after, ambiguous)`.
    pub fn new(before: &str, quote: &str, after: &str, ambiguous: bool) -> Self {
        let context = ambiguous || quote.chars().count() < SHORT;
        // The context on the quote's own line only.
        let before_line = before.rsplit(['\n', '\r']).next().unwrap_or("");
        let after_line = after.split(['\n', '\r']).next().unwrap_or("");
        let mut terms = LinkContext::default();
        if context || starts_inside_word(before, quote) {
            encode_words(&mut terms.prefix, last_words(before_line, CONTEXT_WORDS));
        }
        if context || ends_inside_word(quote, after) {
            encode_words(&mut terms.suffix, words(after_line).take(CONTEXT_WORDS));
        }
        terms
    }

    /// The link to `quote` on the page at `url`, with these context terms.
    pub fn link(&self, url: &str, quote: &str) -> String {
        link_with(url, &self.prefix, quote, &self.suffix)
    }
}

/// The link to `quote` on the page at `url`, with the percent-encoded context terms `prefix`
/// and `suffix` (none when empty).
pub fn link_with(url: &str, prefix: &str, quote: &str, suffix: &str) -> String {
    let qlen = quote.chars().count();
    let mut directive =
        String::with_capacity(prefix.len() + 3 * quote.len().min(4 * LONG) + suffix.len() + 64);
    if !prefix.is_empty() {
        directive.push_str(prefix);
        directive.push_str("-,");
    }
    // The quote's lines that have words: the first and the last, when there are two or more.
    let mut lines = quote
        .split(['\n', '\r'])
        .filter(|line| words(line).next().is_some());
    let first = lines.next();
    match (first, lines.next_back()) {
        (Some(first), Some(last)) => {
            encode_words(&mut directive, words(first).take(EDGE_WORDS));
            directive.push(',');
            encode_words(&mut directive, last_words(last, EDGE_WORDS));
        }
        _ if qlen > LONG && words(quote).nth(2 * EDGE_WORDS).is_some() => {
            encode_words(&mut directive, words(quote).take(EDGE_WORDS));
            directive.push(',');
            encode_words(&mut directive, last_words(quote, EDGE_WORDS));
        }
        _ => encode_words(&mut directive, words(quote)),
    }
    if !suffix.is_empty() {
        directive.push_str(",-");
        directive.push_str(suffix);
    }
    let sep = if url.contains('#') { ":~:" } else { "#:~:" };
    // Sized exactly: a report writes one link per citation.
    let mut link = String::with_capacity(url.len() + sep.len() + "text=".len() + directive.len());
    link.push_str(url);
    link.push_str(sep);
    link.push_str("text=");
    link.push_str(&directive);
    link
}

/// The last `n` words of `s`, in order.
fn last_words(s: &str, n: usize) -> impl Iterator<Item = &str> {
    let count = words(s).count();
    words(s).skip(count.saturating_sub(n))
}

/// Characters that join two letters into one word for a browser's word breaking (Unicode
/// UAX #29, rules WB6 and WB7: apostrophes, the full stop, the colon, the middle dot).
fn joins_letters(c: char) -> bool {
    matches!(
        c,
        '\'' | '’'
            | '‘'
            | '.'
            | ':'
            | '·'
            | '\u{2024}'
            | '\u{fe52}'
            | '\u{fe55}'
            | '\u{ff07}'
            | '\u{ff0e}'
            | '\u{ff1a}'
    )
}

/// Does the quote start inside a word of the text (`une` after `qu’`)?
fn starts_inside_word(before: &str, quote: &str) -> bool {
    if !quote.chars().next().is_some_and(char::is_alphanumeric) {
        return false;
    }
    let mut back = before.chars().rev();
    match back.next() {
        Some(c) if c.is_alphanumeric() => true,
        Some(c) if joins_letters(c) => back.next().is_some_and(char::is_alphanumeric),
        _ => false,
    }
}

/// Does the quote end inside a word of the text (`centaine` before `s`)?
fn ends_inside_word(quote: &str, after: &str) -> bool {
    if !quote.chars().next_back().is_some_and(char::is_alphanumeric) {
        return false;
    }
    let mut next = after.chars();
    match next.next() {
        Some(c) if c.is_alphanumeric() => true,
        Some(c) if joins_letters(c) => next.next().is_some_and(char::is_alphanumeric),
        _ => false,
    }
}

/// For each needle, given as the byte range `[start, end)` of `text` it was taken from: does it
/// occur more than once in `text`, counting occurrences as `str::matches` does (left to right,
/// not overlapping)? That is: does an occurrence start at or after the end of the first one.
///
/// One pass over the text for all needles together, instead of one scan per needle: every
/// needle is at least `w` bytes long, so each of its occurrences contains one of the text's
/// 8-byte grams taken every `w - 7` bytes, at one of the needle's first `w - 7` offsets. Only
/// those sampled grams are looked up (in a hash table of the needles' grams), and only their
/// hits are compared. Should the comparisons cost more than a few passes over the text (a text and a
/// needle made of one repeated letter), the needles still open are searched one by one with
/// `memchr::memmem` instead, as are needles shorter than a gram.
pub fn ambiguous(text: &[u8], needles: &[(usize, usize)]) -> Vec<bool> {
    // Distinct needle contents, and the index of each needle's content.
    let mut ids: HashMap<&[u8], usize> = HashMap::new();
    let mut uniq: Vec<&[u8]> = Vec::new();
    let mut of = Vec::with_capacity(needles.len());
    for &(s, e) in needles {
        let n = text.get(s..e).unwrap_or(&[]);
        let id = *ids.entry(n).or_insert_with(|| {
            uniq.push(n);
            uniq.len() - 1
        });
        of.push(id);
    }
    let mut seen = vec![Seen::default(); uniq.len()];
    let sampled: Vec<usize> = (0..uniq.len())
        .filter(|&id| uniq.get(id).is_some_and(|n| n.len() >= GRAM))
        .collect();
    let scanned = sample(text, &uniq, &sampled, &mut seen);
    for (id, (needle, seen)) in uniq.iter().zip(seen.iter_mut()).enumerate() {
        // Needles the scan did not decide: too short for it, or it gave up before proving
        // them repeated.
        let decided = seen.repeats || scanned && sampled.binary_search(&id).is_ok();
        if !decided {
            seen.repeats = repeats(text, needle);
        }
    }
    of.into_iter()
        .map(|id| seen.get(id).is_some_and(|s| s.repeats))
        .collect()
}

/// Bytes per sampled gram.
const GRAM: usize = 8;
/// The longest needle prefix whose grams are indexed: a text is sampled every
/// `PREFIX - GRAM + 1` bytes, and each needle has as many grams indexed.
const PREFIX: usize = 24;

/// What the scan of [`ambiguous`] knows of one needle's occurrences.
#[derive(Clone, Copy, Default)]
struct Seen {
    first: Option<usize>,
    last: usize,
    repeats: bool,
}

/// Does `needle` occur twice without overlap in `text` (one needle, by `memchr::memmem`)?
fn repeats(text: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        // The empty string matches at every char boundary: more than once in a non-empty text.
        return !text.is_empty();
    }
    let finder = memchr::memmem::Finder::new(needle);
    finder.find(text).is_some_and(|p| {
        text.get(p + needle.len()..)
            .is_some_and(|rest| finder.find(rest).is_some())
    })
}

fn gram(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(..GRAM)?.try_into().ok()?))
}

/// Length of the common prefix of `a` and `b`, 8 bytes at a time.
fn common(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    while let (Some(x), Some(y)) = (
        gram(a.get(n..).unwrap_or(&[])),
        gram(b.get(n..).unwrap_or(&[])),
    ) {
        if x != y {
            return n + ((x ^ y).trailing_zeros() / 8) as usize;
        }
        n += GRAM;
    }
    n + a
        .get(n..)
        .unwrap_or(&[])
        .iter()
        .zip(b.get(n..).unwrap_or(&[]))
        .take_while(|(x, y)| x == y)
        .count()
}

/// The sampled scan of [`ambiguous`] for the needles `ids` (each at least [`GRAM`] bytes):
/// fills in `seen`. `false` when it gave up (too many comparisons) and decided nothing.
fn sample(text: &[u8], uniq: &[&[u8]], ids: &[usize], seen: &mut [Seen]) -> bool {
    let Some(w) = ids
        .iter()
        .filter_map(|&id| uniq.get(id).map(|n| n.len().min(PREFIX)))
        .min()
    else {
        return true;
    };
    let step = w + 1 - GRAM;
    // The grams at offsets 0..step of every needle, in a table of 4 to 8 times as many slots:
    // `at[heads[k]..heads[k + 1]]` are the grams of slot k (a counting sort).
    let mut grams: Vec<(u64, usize, usize)> = Vec::with_capacity(ids.len() * step);
    for &id in ids {
        let Some(needle) = uniq.get(id) else {
            continue;
        };
        for off in 0..step {
            if let Some(g) = needle.get(off..).and_then(gram) {
                grams.push((g, id, off));
            }
        }
    }
    let slots = (grams.len() * 4).next_power_of_two().max(1 << 10);
    let shift = 64 - slots.trailing_zeros();
    let slot = |g: u64| (g.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
    let mut heads = vec![0u32; slots + 1];
    for &(g, _, _) in &grams {
        if let Some(h) = heads.get_mut(slot(g) + 1) {
            *h += 1;
        }
    }
    let mut sum = 0;
    for h in &mut heads {
        sum += *h;
        *h = sum;
    }
    let mut at = vec![(0u64, 0usize, 0usize); grams.len()];
    let mut fill = heads.clone();
    for entry in grams {
        if let Some(f) = fill.get_mut(slot(entry.0)) {
            if let Some(place) = at.get_mut(*f as usize) {
                *place = entry;
            }
            *f += 1;
        }
    }
    let mut budget = 4 * text.len() + 4096;
    let mut open = ids.len();
    let mut pos = 0;
    while let Some(g) = text.get(pos..).and_then(gram) {
        let k = slot(g);
        let (from, to) = (
            heads.get(k).map_or(0, |&h| h as usize),
            heads.get(k + 1).map_or(0, |&h| h as usize),
        );
        if from < to {
            let hits = at.get(from..to).unwrap_or(&[]);
            for &(_, id, off) in hits.iter().filter(|&&(h, _, _)| h == g) {
                let (Some(start), Some(needle), Some(s)) =
                    (pos.checked_sub(off), uniq.get(id), seen.get_mut(id))
                else {
                    continue;
                };
                if s.repeats {
                    continue;
                }
                let same = common(text.get(start..).unwrap_or(&[]), needle);
                budget = budget.saturating_sub(same + GRAM);
                if same < needle.len() {
                    continue;
                }
                // Occurrences are met out of order (one per sample, the sample after the
                // start): it repeats when the first and the last are a needle's length apart.
                let first = s.first.map_or(start, |f| f.min(start));
                s.first = Some(first);
                s.last = s.last.max(start);
                if s.last >= first + needle.len() {
                    s.repeats = true;
                    open -= 1;
                }
            }
            if open == 0 {
                return true;
            }
            if budget == 0 {
                return false;
            }
        }
        pos += step;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `link_parts` as it was first written, one word list at a time: the definition the
    /// one-pass writer is held to.
    fn link_parts_as_defined(
        url: &str,
        before: &str,
        quote: &str,
        after: &str,
        ambiguous: bool,
    ) -> String {
        let words = |s| -> Vec<&str> { words(s).collect() };
        let qwords = words(quote);
        let qlen = quote.chars().count();
        let context = ambiguous || qlen < SHORT;
        // The context on the quote's own line only.
        let before_line = before.rsplit(['\n', '\r']).next().unwrap_or("");
        let after_line = after.split(['\n', '\r']).next().unwrap_or("");
        let mut directive = String::new();
        if context || starts_inside_word(before, quote) {
            let b = words(before_line);
            if !b.is_empty() {
                let p = b[b.len().saturating_sub(CONTEXT_WORDS)..].join(" ");
                directive.push_str(&format!("{}-,", encode(&p)));
            }
        }
        let lines: Vec<Vec<&str>> = quote
            .split(['\n', '\r'])
            .map(words)
            .filter(|w| !w.is_empty())
            .collect();
        match (lines.first(), lines.last()) {
            (Some(first), Some(last)) if lines.len() > 1 => {
                directive.push_str(&encode(&first[..first.len().min(EDGE_WORDS)].join(" ")));
                directive.push(',');
                directive.push_str(&encode(
                    &last[last.len().saturating_sub(EDGE_WORDS)..].join(" "),
                ));
            }
            _ if qlen > LONG && qwords.len() > 2 * EDGE_WORDS => {
                directive.push_str(&encode(&qwords[..EDGE_WORDS].join(" ")));
                directive.push(',');
                directive.push_str(&encode(&qwords[qwords.len() - EDGE_WORDS..].join(" ")));
            }
            _ => directive.push_str(&encode(&qwords.join(" "))),
        }
        if context || ends_inside_word(quote, after) {
            let a = words(after_line);
            if !a.is_empty() {
                let s = a[..a.len().min(CONTEXT_WORDS)].join(" ");
                directive.push_str(&format!(",-{}", encode(&s)));
            }
        }
        let sep = if url.contains('#') { ":~:" } else { "#:~:" };
        // Sized exactly: a report holds one link per citation.
        let mut link =
            String::with_capacity(url.len() + sep.len() + "text=".len() + directive.len());
        link.push_str(url);
        link.push_str(sep);
        link.push_str("text=");
        link.push_str(&directive);
        link
    }

    proptest::proptest! {
        /// On quotes and context of words, line breaks, spaces and word-joining marks.
        #[test]
        fn link_parts_is_its_definition(
            before in "[ab \n’.]{0,30}",
            quote in "[ab \n\r’.é-]{0,40}",
            after in "[ab \n’.]{0,30}",
            long in 0usize..3,
            ambiguous: bool,
        ) {
            // Quotes past `LONG` code points too, to reach the range case.
            let quote = quote.repeat(1 + long * 10);
            for url in ["https://example.org/a", "https://example.org/a#b"] {
                proptest::prop_assert_eq!(
                    link_parts(url, &before, &quote, &after, ambiguous),
                    link_parts_as_defined(url, &before, &quote, &after, ambiguous)
                );
            }
        }

        /// Long one-line quotes of about `2 * EDGE_WORDS` words: the edge of the range case.
        #[test]
        fn long_link_parts_is_its_definition(
            words in proptest::collection::vec("[ab’é.]{15,40}", 8..14),
        ) {
            let quote = words.join(" ");
            proptest::prop_assert_eq!(
                link_parts("https://example.org/", "x", &quote, "y", false),
                link_parts_as_defined("https://example.org/", "x", &quote, "y", false)
            );
        }
    }

    #[test]
    fn syntax_characters_are_encoded() {
        assert_eq!(encode("a-b, c&d"), "a%2Db%2C%20c%26d");
        assert_eq!(encode("L’Albanie"), "L%E2%80%99Albanie");
        assert_eq!(encode("«\u{a0}CNRI\u{a0}»"), "%C2%AB%C2%A0CNRI%C2%A0%C2%BB");
        assert_eq!(encode("it's (ok)!"), "it%27s%20%28ok%29%21");
    }

    #[test]
    fn a_unique_quote_has_no_context() {
        let text = "Le 7 septembre, l’Albanie a rompu ses relations avec l’Iran, dit-on.";
        let q = "l’Albanie a rompu ses relations";
        let s = text.chars().count() - text[text.find(q).unwrap()..].chars().count();
        let e = s + q.chars().count();
        assert_eq!(
            link("https://ex.org/a", text, s, e).as_deref(),
            Some("https://ex.org/a#:~:text=l%E2%80%99Albanie%20a%20rompu%20ses%20relations")
        );
    }

    #[test]
    fn an_ambiguous_or_short_quote_gets_prefix_and_suffix() {
        let text = "Il a dit non. Puis le ministre a dit non, encore.";
        let q = "a dit non";
        let s = text.rfind(q).unwrap(); // ASCII: bytes = chars
        let l = link("https://ex.org/a", text, s, s + q.len());
        assert_eq!(
            l.as_deref(),
            Some("https://ex.org/a#:~:text=Puis%20le%20ministre-,a%20dit%20non,-%2C%20encore.")
        );
    }

    #[test]
    fn a_long_quote_is_a_range_and_an_existing_fragment_is_kept() {
        let q = (1..=80)
            .map(|i| format!("mot{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let l = link("https://ex.org/a#top", &q, 0, q.chars().count());
        assert_eq!(
            l.as_deref(),
            Some(
                "https://ex.org/a#top:~:text=mot1%20mot2%20mot3%20mot4%20mot5,mot76%20mot77%20mot78%20mot79%20mot80"
            )
        );
    }

    /// A quote that starts or ends inside a word gets the context that completes the word:
    /// the browser matches whole words only.
    #[test]
    fn a_quote_inside_a_word_gets_the_rest_of_the_word_as_context() {
        let text = "Il a affirmé qu’une centaine de résidents avaient été blessés dans l’attaque.";
        let q = "une centaine de résidents avaient été blessés";
        let s = text[..text.find(q).unwrap()].chars().count();
        let e = s + q.chars().count();
        assert_eq!(
            link("https://ex.org/a", text, s, e).as_deref(),
            Some(
                "https://ex.org/a#:~:text=a%20affirm%C3%A9%20qu%E2%80%99-,une%20centaine%20de%20r%C3%A9sidents%20avaient%20%C3%A9t%C3%A9%20bless%C3%A9s"
            )
        );
        let q = "affirmé qu’une centaine de résid";
        let s = text[..text.find(q).unwrap()].chars().count();
        let e = s + q.chars().count();
        assert_eq!(
            link("https://ex.org/a", text, s, e).as_deref(),
            Some(
                "https://ex.org/a#:~:text=affirm%C3%A9%20qu%E2%80%99une%20centaine%20de%20r%C3%A9sid,-ents%20avaient%20%C3%A9t%C3%A9"
            )
        );
        // After a space or before punctuation, the quote is whole words: no context.
        assert!(!starts_inside_word("dit ", "une"));
        assert!(!ends_inside_word("blessés", ", puis"));
        assert!(!starts_inside_word("l’", "« non »"));
        assert!(starts_inside_word("l'", "Albanie"));
        assert!(ends_inside_word("U", ".S. Army"));
    }

    /// Context words never cross a line break (a paragraph, for the browser); a quote across
    /// lines is a range of its first and last line.
    #[test]
    fn context_stays_on_the_quotes_line() {
        let text = "Fin du premier paragraphe.\n\nLe ministre a dit non. Puis le ministre a dit non.\nAutre paragraphe ici.";
        let q = "Le ministre a dit";
        let s = text[..text.find(q).unwrap()].chars().count();
        let e = s + q.chars().count();
        // Short: context, but only after it, on its own line; none before (a new paragraph).
        assert_eq!(
            link("https://ex.org/a", text, s, e).as_deref(),
            Some("https://ex.org/a#:~:text=Le%20ministre%20a%20dit,-non.%20Puis%20le")
        );
        let q = "Puis le ministre a dit non.\nAutre paragraphe";
        let s = text[..text.find(q).unwrap()].chars().count();
        let e = s + q.chars().count();
        assert_eq!(
            link("https://ex.org/a", text, s, e).as_deref(),
            Some("https://ex.org/a#:~:text=Puis%20le%20ministre%20a%20dit,Autre%20paragraphe")
        );
    }

    /// `ambiguous` answers as counting with `str::matches` (not overlapping) does.
    #[test]
    fn ambiguity_is_a_non_overlapping_count() {
        let text = "aaa ab ab";
        let amb = ambiguous(text.as_bytes(), &[(0, 2), (0, 1), (4, 6), (3, 4), (2, 2)]);
        // "aa" overlaps itself in "aaa": one match; "a" and "ab" repeat; " " twice; "" always.
        assert_eq!(amb, vec![false, true, true, true, true]);
        assert_eq!(ambiguous(b"", &[(0, 0)]), vec![false]);
        assert_eq!(ambiguous(b"x", &[(0, 1), (0, 0)]), vec![false, true]);
        // Long needles, found by the sampled scan, out of order within a sample.
        let text = "0123456789abcdefghij-0123456789abcdefghij-0123456789abcdefghijk";
        let amb = ambiguous(text.as_bytes(), &[(0, 20), (42, 63), (1, 21), (0, 41)]);
        assert_eq!(amb, vec![true, false, true, false]);
        // One repeated letter: the scan gives up and each needle is searched on its own.
        let text = format!("{}b{}", "a".repeat(5000), "a".repeat(40));
        let amb = ambiguous(text.as_bytes(), &[(4960, 5001), (0, 100), (0, 2600)]);
        assert_eq!(amb, vec![false, true, false]);
    }

    #[test]
    fn ambiguity_matches_counting_on_samples() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let alphabet = ['a', 'b', 'é', ' ', '’', 'x'];
        for _ in 0..3000 {
            let mut next = |m: usize| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % m as u64) as usize
            };
            let len = next(300);
            let mut text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            if len % 3 == 0 {
                // Long repeats.
                let cut = text.char_indices().nth(next(len + 1)).map_or(0, |(b, _)| b);
                text = format!("{text}x{}", &text[cut..]);
            }
            let bounds: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let needles: Vec<(usize, usize)> = (0..1 + next(40))
                .map(|_| {
                    let s = bounds[next(bounds.len())];
                    let rest: Vec<usize> = bounds.iter().copied().filter(|&b| b >= s).collect();
                    let most = 1 + next(45);
                    let e = rest[next(rest.len().min(most))];
                    (s, e)
                })
                .collect();
            // Now and then only long needles: the text is sampled sparsely.
            let needles: Vec<(usize, usize)> = if len % 2 == 0 {
                needles.into_iter().filter(|&(s, e)| e - s >= 30).collect()
            } else {
                needles
            };
            let want: Vec<bool> = needles
                .iter()
                .map(|&(s, e)| text.matches(&text[s..e]).count() > 1)
                .collect();
            assert_eq!(
                ambiguous(text.as_bytes(), &needles),
                want,
                "{text:?} {needles:?}"
            );
        }
    }
}

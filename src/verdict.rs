//! The citation decision table (DESIGN §4): given a source text, a quote and an optional span,
//! decide `ok`, `unanchored`, `moved`, `typography`, `changed`, `ambiguous` or `missing`, where
//! the quote is now, and which strategy decided it.
//!
//! Exact matching decides acceptance; typography folding and fuzzy search only *explain* a
//! quote that does not match, so nothing here ever accepts a quote that is not byte-exact.
//! Pure: no I/O, no printing.

use std::cell::OnceCell;

use memchr::memmem;
use unicode_normalization::{IsNormalized, is_nfc_quick};

use serde::Serialize;

use crate::anchor::fold::{self, Folded, fold};
use crate::anchor::fuzzy;
use crate::anchor::text::CharText;

/// A citation's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    Unanchored,
    Moved,
    Typography,
    Changed,
    Ambiguous,
    Missing,
}

impl Verdict {
    /// Every verdict, in declaration order.
    pub const ALL: [Verdict; 7] = [
        Verdict::Ok,
        Verdict::Unanchored,
        Verdict::Moved,
        Verdict::Typography,
        Verdict::Changed,
        Verdict::Ambiguous,
        Verdict::Missing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Unanchored => "unanchored",
            Verdict::Moved => "moved",
            Verdict::Typography => "typography",
            Verdict::Changed => "changed",
            Verdict::Ambiguous => "ambiguous",
            Verdict::Missing => "missing",
        }
    }

    /// The verdict of a quote found exactly at `at`, for a citation whose span is `span`: `ok`
    /// at its span, `moved` elsewhere, `unanchored` when it has none.
    pub fn exact_at(at: (usize, usize), span: Option<(usize, usize)>) -> Verdict {
        match span {
            Some(sp) if sp == at => Verdict::Ok,
            Some(_) => Verdict::Moved,
            None => Verdict::Unanchored,
        }
    }

    /// Does the citation prove its quote (exact words present in the pinned text)?
    pub fn holds(self) -> bool {
        matches!(self, Verdict::Ok | Verdict::Unanchored | Verdict::Moved)
    }
}

/// Which step of the decision settled the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// The text at the given span.
    Span,
    /// Mapped from the old capture through a diff (re-anchoring).
    Diff,
    /// Exact search over the whole text.
    Exact,
    /// Exact search, several hits, one overlapping the given span.
    Context,
    /// Search after typography folding.
    Typography,
    /// Bounded approximate search.
    Fuzzy,
    /// Nothing found by any step.
    None,
}

impl Strategy {
    /// Its name in JSON (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Span => "span",
            Strategy::Diff => "diff",
            Strategy::Exact => "exact",
            Strategy::Context => "context",
            Strategy::Typography => "typography",
            Strategy::Fuzzy => "fuzzy",
            Strategy::None => "none",
        }
    }
}

/// Where a quote stands in a text, and the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub verdict: Verdict,
    /// Code points `[start, end)` where the quote (or its closest match) is now.
    pub found: Option<(usize, usize)>,
    /// The equally good places, for `ambiguous` (and places named but not taken, in
    /// re-anchoring): the first [`MAX_CANDIDATES`] of them, in text order.
    pub candidates: Vec<(usize, usize)>,
    /// How many such places there are in all (at least `candidates.len()`).
    pub candidates_total: usize,
    pub strategy: Strategy,
    /// Edit distance of the fuzzy match, for `changed`.
    pub errors: Option<usize>,
    /// The given span reaches past the end of the text.
    pub span_out_of_range: bool,
    /// The approximate search ran out of its budget ([`fuzzy::BUDGET`]): it looked only at
    /// these code points of the text. The verdict is then `changed`, `ambiguous` or `missing`
    /// on what it saw; a closer match may lie outside.
    pub cut_short: Option<(usize, usize)>,
    /// For a verdict that holds: the quote begins or ends inside a word of the text; this is
    /// the text at `found` widened to whole words (what an editor should quote).
    pub partial_word: Option<String>,
}

impl Anchor {
    /// Nothing found yet: `missing`, strategy `none`.
    #[must_use]
    pub fn missing(span_out_of_range: bool) -> Self {
        Anchor {
            verdict: Verdict::Missing,
            found: None,
            candidates: Vec::new(),
            candidates_total: 0,
            strategy: Strategy::None,
            errors: None,
            span_out_of_range,
            cut_short: None,
            partial_word: None,
        }
    }

    /// `self` with [`Anchor::partial_word`] set when it holds at a place that cuts a word.
    #[must_use]
    pub fn with_partial_word(self, src: &SourceText<'_>) -> Self {
        if !self.verdict.holds() {
            return self;
        }
        let partial_word = self.found.and_then(|f| partial_word(src, f));
        Anchor {
            partial_word,
            ..self
        }
    }

    /// `self` listing `places` as its candidates.
    #[must_use]
    pub fn with_candidates(self, places: Places) -> Self {
        Anchor {
            candidates: places.first,
            candidates_total: places.total,
            ..self
        }
    }
}

/// At most this many places of a quote are kept and shown; the others are only counted.
pub const MAX_CANDIDATES: usize = 10;

/// Places of a quote found in order: the first [`MAX_CANDIDATES`], how many in all, and (up to
/// two) those that overlap a given span. O(1) memory however many there are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    pub first: Vec<(usize, usize)>,
    pub total: usize,
    near: Vec<(usize, usize)>,
    span: Option<(usize, usize)>,
    last: Option<(usize, usize)>,
}

impl Places {
    /// No place yet; `span`: the places overlapping it are kept apart.
    #[must_use]
    pub fn new(span: Option<(usize, usize)>) -> Self {
        Places {
            span,
            ..Places::default()
        }
    }

    /// The places of a list (the first [`MAX_CANDIDATES`] kept).
    #[must_use]
    pub fn of(places: impl IntoIterator<Item = (usize, usize)>) -> Self {
        let mut p = Places::default();
        for r in places {
            p.push(r);
        }
        p
    }

    /// One more place, after the others; a repeat of the last one is ignored.
    pub fn push(&mut self, r: (usize, usize)) {
        if self.last == Some(r) {
            return;
        }
        self.last = Some(r);
        self.total += 1;
        if self.first.len() < MAX_CANDIDATES {
            self.first.push(r);
        }
        if self.span.is_some_and(|sp| overlaps(r, sp)) && self.near.len() < 2 {
            self.near.push(r);
        }
    }
}

/// A source text prepared for anchoring many quotes: the folded form and the char vector are
/// built on first use and shared by every citation of the source.
pub struct SourceText<'a> {
    pub text: CharText<'a>,
    folded: OnceCell<Folded>,
    chars: OnceCell<Vec<char>>,
    /// What folding may do to the text (see [`SourceText::may_fold_to`]).
    plain: OnceCell<Plain>,
}

impl<'a> SourceText<'a> {
    pub fn new(text: &'a str) -> Self {
        SourceText {
            text: CharText::new(text),
            folded: OnceCell::new(),
            chars: OnceCell::new(),
            plain: OnceCell::new(),
        }
    }

    /// Whether the folded text may contain `folded_quote`; `false` is certain, and spares folding
    /// the whole text for a quote that is not there (most broken citations).
    ///
    /// Folding only turns non-ASCII chars into ASCII letters or digits through one NFC singleton,
    /// KELVIN SIGN (U+212A, into `K`), and only joins chars that stood apart by removing invisible
    /// chars. In a text with neither, every run of ASCII letters and digits of the folded text is a
    /// run of the text itself. If the text is also in NFC, every char but whitespace and the
    /// punctuation folding rewrites stands for itself, so each stretch of the folded quote between
    /// `'`, `"`, `-` and `.` must stand in the text as it is, its spaces as runs of whitespace.
    pub fn may_fold_to(&self, folded_quote: &str) -> bool {
        let text = self.text.as_str();
        let plain = *self.plain.get_or_init(|| plain(text));
        // A prefilter must cost less than what it spares (folding and searching the whole
        // text, both linear): past a few passes over the text it answers "maybe".
        let mut budget = PREFILTER_PASSES * text.len() + folded_quote.len();
        match plain {
            Plain::No => true,
            Plain::Letters => folded_quote
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|run| run.len() >= 2)
                .all(|run| {
                    if budget == 0 {
                        return true; // out of budget: maybe
                    }
                    // Each search reads the text up to its first hit, or all of it.
                    let hit = memmem::find(text.as_bytes(), run.as_bytes());
                    let read = hit.map_or(text.len(), |at| at + run.len());
                    budget = budget.saturating_sub(read);
                    hit.is_some()
                }),
            Plain::Nfc => folded_quote
                .split(['\'', '"', '-', '.'])
                .all(|stretch| stands_in(text, stretch, &mut budget)),
        }
    }

    pub fn folded(&self) -> &Folded {
        self.folded.get_or_init(|| fold(self.text.as_str()))
    }

    pub fn chars(&self) -> &[char] {
        self.chars
            .get_or_init(|| self.text.as_str().chars().collect())
    }

    /// `f` of the chars of code points `range` (clamped to the text): a slice of [`chars`]
    /// when it is built or the range is half the text or more, else only that range's chars,
    /// collected for the call (a search cut short in a huge text does not make the whole
    /// text's char vector).
    ///
    /// [`chars`]: SourceText::chars
    pub fn with_chars<T>(&self, range: std::ops::Range<usize>, f: impl FnOnce(&[char]) -> T) -> T {
        let len = self.text.len_chars();
        let (s, e) = (range.start.min(len), range.end.min(len));
        if self.chars.get().is_some() || 2 * e.saturating_sub(s) >= len {
            return f(self.chars().get(s..e.max(s)).unwrap_or(&[]));
        }
        let part: Vec<char> = self.text.slice(s, e.max(s)).unwrap_or("").chars().collect();
        f(&part)
    }
}

/// What folding may do to a text, for [`SourceText::may_fold_to`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plain {
    /// It has invisible chars or KELVIN SIGN: anything may join or turn into ASCII.
    No,
    /// ASCII letters and digits stand for themselves.
    Letters,
    /// It is in NFC too: every char but whitespace and the folded punctuation stands for itself.
    Nfc,
}

/// What folding may do to `text`: [`Plain::No`] when it has a char of [`FOLD_JOINERS`], else
/// [`Plain::Nfc`] when its non-ASCII chars pass the NFC quick check, else [`Plain::Letters`].
///
/// One pass over the non-ASCII chars (ASCII is skipped eight bytes at a time) looks for both:
/// the quick check reads them all unless it answers `No`, and only then is the rest searched
/// for a joiner. (Without the ASCII chars, all starters, marks only look more out of order: a
/// "maybe" is the cautious answer.)
fn plain(text: &str) -> Plain {
    let mut joiner = false;
    let nfc = is_nfc_quick(non_ascii(text).inspect(|c| joiner |= FOLD_JOINERS.contains(c)));
    if joiner || nfc == IsNormalized::No && non_ascii(text).any(|c| FOLD_JOINERS.contains(&c)) {
        Plain::No
    } else if nfc == IsNormalized::Yes {
        Plain::Nfc
    } else {
        Plain::Letters
    }
}

/// The non-ASCII chars of `s`, in order.
fn non_ascii(s: &str) -> impl Iterator<Item = char> + '_ {
    let b = s.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(w) = crate::swar::word(b, at) {
            if crate::swar::has_non_ascii(w) {
                break;
            }
            at += 8;
        }
        while b.get(at).is_some_and(u8::is_ascii) {
            at += 1;
        }
        // `at` is at a char boundary: only whole chars and ASCII bytes were stepped over.
        let c = s.get(at..)?.chars().next()?;
        at += c.len_utf8();
        Some(c)
    })
}

/// How many passes over a text the typography prefilter may make before it answers "maybe".
const PREFILTER_PASSES: usize = 4;

/// Whether `stretch` (a folded stretch without `'`, `"`, `-`, `.`) stands in `text`, each of its
/// spaces as a run of one or more whitespace chars. Each byte looked at is taken from `budget`;
/// when it runs out the answer is "maybe" (`true`): a text made of the stretch's first word
/// repeated would otherwise cost a comparison of the whole stretch at every place.
fn stands_in(text: &str, stretch: &str, budget: &mut usize) -> bool {
    if *budget == 0 {
        return true; // out of budget: maybe
    }
    let words: Vec<&str> = stretch.split(' ').collect();
    let Some((first_at, first)) = words.iter().enumerate().find(|(_, w)| !w.is_empty()) else {
        return true; // only spaces: whitespace is everywhere a quote could be
    };
    let bytes = text.as_bytes();
    // Every word must stand somewhere: a word absent from the text settles it in one pass,
    // however often the first word repeats.
    let mut distinct: Vec<&str> = words.iter().copied().filter(|w| !w.is_empty()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    for w in distinct {
        let Some(at) = memmem::find(bytes, w.as_bytes()) else {
            return false;
        };
        *budget = budget.saturating_sub(at + w.len());
        if *budget == 0 {
            return true; // out of budget: maybe
        }
    }
    // Every place of the first word, overlapping ones included (in "AbAbAb " the stretch
    // "AbAb " stands only at the second "AbAb"): each costs the bytes read to find it and
    // those compared there.
    let finder = memmem::Finder::new(first.as_bytes());
    let mut from = 0;
    while let Some(hit) = bytes
        .get(from..)
        .and_then(|rest| finder.find(rest))
        .map(|i| from + i)
    {
        let (found, read) = stands_at(text, hit, first_at, first, &words);
        match budget.checked_sub(read + (hit - from)) {
            Some(left) => *budget = left,
            None => {
                *budget = 0;
                return true; // out of budget: maybe
            }
        }
        if found {
            return true;
        }
        from = hit + 1;
    }
    false
}

/// Whether the stretch `words` stands at byte `hit` of `text`, where its first non-empty word
/// (`first`, at index `first_at`) was found; and how many bytes that took to tell.
fn stands_at(
    text: &str,
    hit: usize,
    first_at: usize,
    first: &str,
    words: &[&str],
) -> (bool, usize) {
    // A space before the first word: whitespace before the hit.
    if first_at > 0
        && !text
            .get(..hit)
            .and_then(|t| t.chars().next_back())
            .is_some_and(char::is_whitespace)
    {
        return (false, first.len());
    }
    let start = text.get(hit + first.len()..).unwrap_or("");
    let mut rest = start;
    for w in words.get(first_at + 1..).unwrap_or(&[]) {
        let trimmed = rest.trim_start_matches(char::is_whitespace);
        if trimmed.len() == rest.len() {
            return (false, first.len() + start.len() - rest.len() + 1);
        }
        let Some(after) = trimmed.strip_prefix(w) else {
            return (false, first.len() + start.len() - trimmed.len() + w.len());
        };
        rest = after;
    }
    (true, first.len() + start.len() - rest.len())
}

/// The chars whose presence makes [`SourceText::may_fold_to`] answer "maybe": the invisible chars
/// folding removes ([`fold::REMOVED`]), and KELVIN SIGN, the only char NFC turns into an ASCII
/// letter or digit (checked against the Unicode data in a test).
const FOLD_JOINERS: [char; 7] = {
    let r = fold::REMOVED;
    [r[0], r[1], r[2], r[3], r[4], r[5], '\u{212A}']
};

/// The longest quote prov searches approximately: beyond it a "quote" is a document, and
/// approximate matching (O(text × quote)) would take minutes. Longer quotes are matched
/// exactly or after folding typography only.
pub const MAX_FUZZY_QUOTE: usize = 4096;

/// The most edits a fuzzy match of an `m`-code-point quote may need to count as the same passage
/// edited (`changed`) rather than `missing`: a quarter of its length; none under 5 code points.
pub fn max_errors(m: usize) -> usize {
    if !(5..=MAX_FUZZY_QUOTE).contains(&m) {
        0
    } else {
        (m / 4).max(1)
    }
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// The text of `[s, e)` widened to whole words, when `s` or `e` lies inside a word of `src` (a
/// letter or digit on both sides); `None` otherwise. At most 64 code points are added on each
/// side.
pub fn partial_word(src: &SourceText<'_>, (s, e): (usize, usize)) -> Option<String> {
    let len = src.text.len_chars();
    // Most quotes start and end at word boundaries: look at the four characters around them
    // first (this runs for every citation that holds), and collect the window only on a cut.
    if s >= e || !(cuts(src, s) || (e < len && cuts(src, e))) {
        return None;
    }
    let lo = s.saturating_sub(WIDEN);
    let hi = (e + WIDEN).min(len);
    let c: Vec<char> = src.text.slice(lo, hi)?.chars().collect();
    let alnum = |i: usize| {
        c.get(i.wrapping_sub(lo))
            .is_some_and(|x| x.is_alphanumeric())
    };
    let inside = |i: usize| i > lo && i < hi && alnum(i - 1) && alnum(i);
    if s >= e || !(inside(s) || inside(e)) {
        return None;
    }
    let (mut a, mut b) = (s, e);
    while inside(a) {
        a -= 1;
    }
    while inside(b) {
        b += 1;
    }
    Some(c.get(a - lo..b - lo)?.iter().collect())
}

/// Whether code point `i` of `src` lies inside a word: a letter or digit on both sides.
fn cuts(src: &SourceText<'_>, i: usize) -> bool {
    src.text
        .byte_of(i)
        .is_some_and(|at| cuts_at(src.text.as_str(), at))
}

/// Whether byte offset `at` (a character boundary) of `text` lies inside a word: a letter or
/// digit on both sides.
fn cuts_at(text: &str, at: usize) -> bool {
    let before = text.get(..at).and_then(|t| t.chars().next_back());
    let after = text.get(at..).and_then(|t| t.chars().next());
    before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric)
}

/// Decide where `quote` stands in `src`, given the cited `span` (if any).
pub fn anchor(src: &SourceText<'_>, quote: &str, span: Option<(usize, usize)>) -> Anchor {
    // Most citations hold at their span: that is decided from one code point -> byte lookup,
    // and the partial-word check from the bytes around the quote.
    if let Some((s, e)) = span
        && let Some(bs) = at_span(src, quote, s, e)
    {
        let text = src.text.as_str();
        let partial_word = if cuts_at(text, bs) || cuts_at(text, bs + quote.len()) {
            partial_word(src, (s, e))
        } else {
            None
        };
        return Anchor {
            verdict: Verdict::Ok,
            found: Some((s, e)),
            strategy: Strategy::Span,
            partial_word,
            ..Anchor::missing(false)
        };
    }
    anchor_in(src, quote, span).with_partial_word(src)
}

/// The byte offset of code point `s` when `quote` (non-empty) is exactly the text of code
/// points `[s, e)`.
fn at_span(src: &SourceText<'_>, quote: &str, s: usize, e: usize) -> Option<usize> {
    if quote.is_empty() || e < s {
        return None;
    }
    let bs = src.text.byte_of(s)?;
    let here = src.text.as_str().as_bytes().get(bs..bs + quote.len())?;
    (here == quote.as_bytes() && quote.chars().count() == e - s).then_some(bs)
}

/// Where `quote` stands when it is not at its span ([`anchor`] decides that case first).
fn anchor_in(src: &SourceText<'_>, quote: &str, span: Option<(usize, usize)>) -> Anchor {
    let len = src.text.len_chars();
    let span_out_of_range = span.is_some_and(|(_, e)| e > len);
    let base = Anchor::missing(span_out_of_range);
    if quote.is_empty() {
        return base;
    }

    // 1. Exact, elsewhere.
    let mut exact = Places::new(span);
    src.text.find_each(quote, |r| {
        exact.push(r);
        true
    });
    if let Some(a) = pick(exact, &base, Strategy::Exact) {
        let verdict = match (a.verdict, span) {
            (Verdict::Ambiguous, _) => Verdict::Ambiguous,
            (_, None) => Verdict::Unanchored,
            (_, Some(_)) => Verdict::Moved,
        };
        return Anchor { verdict, ..a };
    }

    // 2. Equal after folding typography: explains, never accepts.
    let fq = fold(quote);
    let qlen = quote.chars().count();
    // Near the span first: fold only a window around it. A hit there that overlaps the span is
    // the one `pick` would choose from the whole text too.
    if let Some((s, e)) = span.filter(|&(s, e)| !span_out_of_range && s < e)
        && fq.len_chars() > 0
    {
        let lo = s.saturating_sub(qlen + 16);
        let hi = (e + qlen + 16).min(len);
        if let Some(window) = src.text.slice(lo, hi) {
            let fw = fold(window);
            let hit = CharText::new(fw.as_str())
                .find_all(fq.as_str())
                .into_iter()
                .filter(|&(a, b)| fw.on_boundaries(a, b))
                .map(|(a, b)| fw.original_range(a, b))
                .map(|(a, b)| (a + lo, b + lo))
                .find(|h| overlaps(*h, (s, e)));
            if let Some(h) = hit {
                return Anchor {
                    verdict: Verdict::Typography,
                    found: Some(h),
                    strategy: Strategy::Typography,
                    ..base
                };
            }
        }
    }
    if fq.len_chars() > 0 && src.may_fold_to(fq.as_str()) {
        let hits = folded_places(src.folded(), fq.as_str(), span);
        if let Some(a) = pick(hits, &base, Strategy::Typography) {
            let verdict = if a.verdict == Verdict::Ambiguous {
                Verdict::Ambiguous
            } else {
                Verdict::Typography
            };
            return Anchor { verdict, ..a };
        }
    }

    // 3. Approximately: the passage was edited (or the quote mistyped).
    let q: Vec<char> = quote.chars().collect();
    let k = max_errors(q.len());
    if k == 0 {
        return base;
    }
    // Near the span first: an edited passage is usually where it was cited.
    if let Some((s, e)) = span.filter(|&(s, e)| !span_out_of_range && s < e) {
        let lo = s.saturating_sub(q.len()).min(len);
        let hi = (e + q.len()).min(len).max(lo);
        // Only the window's chars: the whole text's are collected only if this finds nothing.
        let window: Vec<char> = src.text.slice(lo, hi).unwrap_or("").chars().collect();
        if let Some(m) = fuzzy::search_from(&window, lo, &q, k)
            .into_iter()
            .find(|m| overlaps((m.start, m.end), (s, e)))
        {
            return changed(src, &q, &m, base);
        }
    }
    // The whole text, within the budget: around the span, else from the start.
    let centre = span.map_or(0, |(s, e)| s / 2 + e / 2);
    let w = fuzzy::window(len, q.len(), centre);
    let base = Anchor {
        cut_short: (w.len() < len).then_some((w.start, w.end)),
        ..base
    };
    let matches = src.with_chars(w.clone(), |chars| fuzzy::search_from(chars, w.start, &q, k));
    let Some(best) = matches.first() else {
        return base;
    };
    if let Some(sp) = span
        && let Some(m) = matches
            .iter()
            .find(|m| overlaps((m.start, m.end), sp) && m.errors <= best.errors + best.errors / 2)
    {
        return changed(src, &q, m, base);
    }
    closest(src, &q, &matches, base)
}

/// The verdict of fuzzy matches, best first: `changed` at the best one, or `ambiguous` when
/// several are equally close; `base` when there are none.
pub(crate) fn closest(
    src: &SourceText<'_>,
    q: &[char],
    matches: &[fuzzy::Match],
    base: Anchor,
) -> Anchor {
    let Some(best) = matches.first() else {
        return base;
    };
    let mut ties: Vec<(usize, usize)> = matches
        .iter()
        .filter(|m| m.errors == best.errors)
        .map(|m| (m.start, m.end))
        .collect();
    if ties.len() > 1 {
        ties.sort_unstable();
        return Anchor {
            verdict: Verdict::Ambiguous,
            strategy: Strategy::Fuzzy,
            errors: Some(best.errors),
            ..base
        }
        .with_candidates(Places::of(ties));
    }
    changed(src, q, best, base)
}

/// The passage edited: a fuzzy match at `m`, widened to whole words.
fn changed(src: &SourceText<'_>, q: &[char], m: &fuzzy::Match, base: Anchor) -> Anchor {
    let m = whole_words(src, q, *m);
    Anchor {
        verdict: Verdict::Changed,
        found: Some((m.start, m.end)),
        strategy: Strategy::Fuzzy,
        errors: Some(m.errors),
        ..base
    }
}

/// The longest stretch a `changed` edge is moved to reach a word's edge.
const WIDEN: usize = 64;

/// A fuzzy match widened to whole words of the text: an edge inside a word moves to the
/// word's edge (by at most [`WIDEN`] code points), where the quote begins (or ends) with a
/// letter or digit. Fewest edits may cut a word ("About" matches "ughly" of "Roughly" with
/// 5 edits, the whole word with 7); a reader compares whole words. The edits are counted
/// again for the widened text.
pub(crate) fn whole_words(src: &SourceText<'_>, q: &[char], m: fuzzy::Match) -> fuzzy::Match {
    let len = src.text.len_chars();
    let lo = m.start.saturating_sub(WIDEN);
    let hi = (m.end + WIDEN).min(len);
    let Some(around) = src.text.slice(lo, hi) else {
        return m;
    };
    let c: Vec<char> = around.chars().collect();
    let inside = |i: usize| {
        i > lo
            && i < hi
            && c.get(i - lo - 1).is_some_and(|x| x.is_alphanumeric())
            && c.get(i - lo).is_some_and(|x| x.is_alphanumeric())
    };
    let (mut s, mut e) = (m.start, m.end);
    if q.first().is_some_and(|x| x.is_alphanumeric()) {
        while inside(s) {
            s -= 1;
        }
        if s == lo && lo > 0 && s < m.start {
            s = m.start; // maybe a word longer than WIDEN: leave the edge
        }
    }
    if q.last().is_some_and(|x| x.is_alphanumeric()) {
        while inside(e) {
            e += 1;
        }
        if e == hi && hi < len && e > m.end {
            e = m.end;
        }
    }
    if (s, e) == (m.start, m.end) {
        return m;
    }
    let text = c.get(s - lo..e - lo).unwrap_or(&[]);
    match fuzzy::distance(q, text, q.len().max(text.len())) {
        Some(errors) => fuzzy::Match {
            start: s,
            end: e,
            errors,
        },
        None => m,
    }
}

/// Where `folded_quote` stands in the folded text, as original char ranges: whole chars only,
/// repeats (hits inside one expanded char) once.
pub(crate) fn folded_places(
    folded: &Folded,
    folded_quote: &str,
    span: Option<(usize, usize)>,
) -> Places {
    let mut hits = Places::new(span);
    CharText::new(folded.as_str()).find_each(folded_quote, |(s, e)| {
        if folded.on_boundaries(s, e) {
            hits.push(folded.original_range(s, e));
        }
        true
    });
    hits
}

/// From the places of a quote, the one the citation means: the only one, or the only one
/// overlapping the given span. Several without a single overlap: ambiguous. None: `None`.
fn pick(hits: Places, base: &Anchor, strategy: Strategy) -> Option<Anchor> {
    match (hits.total, hits.first.first(), hits.near.as_slice()) {
        (0, _, _) | (_, None, _) => None,
        (1, Some(one), _) => Some(Anchor {
            verdict: Verdict::Moved,
            found: Some(*one),
            strategy,
            ..base.clone()
        }),
        (_, _, [one]) => Some(Anchor {
            verdict: Verdict::Moved,
            found: Some(*one),
            strategy: if strategy == Strategy::Exact {
                Strategy::Context
            } else {
                strategy
            },
            ..base.clone()
        }),
        _ => Some(
            Anchor {
                verdict: Verdict::Ambiguous,
                strategy,
                ..base.clone()
            }
            .with_candidates(hits),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, quote: &str, span: Option<(usize, usize)>) -> Anchor {
        anchor(&SourceText::new(text), quote, span)
    }

    const TEXT: &str =
        "L’Albanie a rompu mercredi ses relations avec l’Iran. La victime avait 66 ans.";

    #[test]
    fn ok_at_span() {
        let a = run(TEXT, "a rompu mercredi", Some((10, 26)));
        assert_eq!(a.verdict, Verdict::Ok);
        assert_eq!(a.found, Some((10, 26)));
        assert_eq!(a.strategy, Strategy::Span);
    }

    #[test]
    fn spans_count_code_points_not_bytes() {
        // ’ is 3 bytes but one code point: "Albanie" starts at 2.
        assert_eq!(run(TEXT, "Albanie", Some((2, 9))).verdict, Verdict::Ok);
    }

    #[test]
    fn unanchored_without_span() {
        let a = run(TEXT, "a rompu mercredi", None);
        assert_eq!(a.verdict, Verdict::Unanchored);
        assert_eq!(a.found, Some((10, 26)));
    }

    #[test]
    fn moved_when_span_is_wrong() {
        let a = run(TEXT, "a rompu mercredi", Some((0, 16)));
        assert_eq!(a.verdict, Verdict::Moved);
        assert_eq!(a.found, Some((10, 26)));
        assert_eq!(a.strategy, Strategy::Exact);
    }

    #[test]
    fn out_of_range_span_still_finds_the_quote() {
        let a = run(TEXT, "a rompu mercredi", Some((1000, 1016)));
        assert_eq!(a.verdict, Verdict::Moved);
        assert!(a.span_out_of_range);
    }

    #[test]
    fn ambiguous_lists_every_place() {
        let text = "Il a dit oui. Puis il a dit oui.";
        let a = run(text, "a dit oui", None);
        assert_eq!(a.verdict, Verdict::Ambiguous);
        assert_eq!(a.candidates, vec![(3, 12), (22, 31)]);
        assert_eq!(a.found, None);
    }

    #[test]
    fn context_singles_out_an_overlapping_hit() {
        let text = "Il a dit oui. Puis il a dit oui.";
        let a = run(text, "a dit oui", Some((20, 29)));
        assert_eq!(a.verdict, Verdict::Moved);
        assert_eq!(a.found, Some((22, 31)));
        assert_eq!(a.strategy, Strategy::Context);
    }

    #[test]
    fn typography_explains_but_does_not_accept() {
        // Straight apostrophe in the quote, curly in the source.
        let a = run(TEXT, "relations avec l'Iran", Some((31, 52)));
        assert_eq!(a.verdict, Verdict::Typography);
        assert_eq!(a.found, Some((31, 52)));
        assert!(!a.verdict.holds());
    }

    #[test]
    fn typography_no_break_space() {
        let text = "selon le «\u{a0}CNRI\u{a0}», une centaine";
        let a = run(text, "« CNRI »", None);
        assert_eq!(a.verdict, Verdict::Typography);
        assert_eq!(a.found, Some((9, 17)));
    }

    #[test]
    fn changed_number_is_not_reanchored() {
        let a = run(TEXT, "La victime avait 65 ans.", Some((54, 78)));
        assert_eq!(a.verdict, Verdict::Changed);
        assert_eq!(a.found, Some((54, 78)));
        assert_eq!(a.errors, Some(1));
        assert!(!a.verdict.holds());
    }

    #[test]
    fn a_changed_span_covers_whole_words() {
        // Fewest edits would cut "Roughly" to "ughly"; the reader sees whole words.
        let text = "Officials said: Roughly 18,000 vehicles were towed last winter.";
        let a = run(text, "About 18,000 vehicles were towed", None);
        assert_eq!(a.verdict, Verdict::Changed);
        let (s, e) = a.found.unwrap();
        let at: String = text.chars().skip(s).take(e - s).collect();
        assert_eq!(at, "Roughly 18,000 vehicles were towed");
        assert_eq!(a.errors, Some(6));
    }

    #[test]
    fn missing_when_nothing_is_close() {
        let a = run(TEXT, "Le ministre a nié toute blessure.", Some((0, 33)));
        assert_eq!(a.verdict, Verdict::Missing);
        assert_eq!(a.found, None);
        assert_eq!(a.strategy, Strategy::None);
    }

    #[test]
    fn short_quotes_are_never_fuzzy() {
        assert_eq!(max_errors(4), 0);
        assert_eq!(run(TEXT, "66 a", None).verdict, Verdict::Unanchored);
        assert_eq!(run(TEXT, "67 a", None).verdict, Verdict::Missing);
    }

    #[test]
    fn crlf_is_typography() {
        let text = "first line\r\nsecond line";
        let a = run(text, "first line\nsecond line", Some((0, 22)));
        assert_eq!(a.verdict, Verdict::Typography);
        assert_eq!(a.found, Some((0, 23)));
    }

    #[test]
    fn fold_joiners_are_every_char_that_may_join_or_become_ascii() {
        // Every char that folds into an ASCII letter or digit, or vanishes between two letters,
        // must be listed: `may_fold_to` relies on it.
        for c in (0x80..=0x10FFFF).filter_map(char::from_u32) {
            let alone = fold(&c.to_string());
            let joins = fold(&format!("a{c}b")).as_str() == "ab";
            if joins || alone.as_str().chars().any(|f| f.is_ascii_alphanumeric()) {
                assert!(FOLD_JOINERS.contains(&c), "{:?} is missing", c);
            }
        }
    }

    #[test]
    fn prefilter_rules_out_only_absent_runs() {
        let src = SourceText::new("L’Albanie a rompu ses relations avec l’Iran en 2022.");
        assert!(src.may_fold_to("l'Iran en 2022"));
        assert!(!src.may_fold_to("l'Iran en 2023"));
        assert!(src.may_fold_to("l'Albanie a rompu"));
        assert!(!src.may_fold_to("l'Albanie a rompue"));
        assert!(!src.may_fold_to("Albanie  rompu"));
        // Whitespace runs fold to one space.
        let src = SourceText::new("selon le «\u{a0}CNRI\u{a0}»,\n\n une centaine");
        assert!(src.may_fold_to("\" CNRI \", une centaine"));
        assert!(src.may_fold_to(" CNRI "));
        assert!(!src.may_fold_to("CNRI, une"));
        // Not in NFC: only ASCII runs are trusted.
        let src = SourceText::new("cafe\u{301} au lait");
        assert!(src.may_fold_to("caf\u{e9} au lait"));
        assert!(!src.may_fold_to("caf\u{e9} au laid"));
        // A text with an invisible char between letters folds them together: always maybe.
        let src = SourceText::new("rela\u{00AD}tions");
        assert!(src.may_fold_to("relations"));
        assert_eq!(anchor(&src, "relations", None).verdict, Verdict::Typography);
    }

    #[test]
    fn a_quote_at_very_many_places_keeps_ten_and_counts_them_all() {
        let text = "a".repeat(200_000);
        let a = run(&text, "aaaa", None);
        assert_eq!(a.verdict, Verdict::Ambiguous);
        assert_eq!(a.candidates_total, 200_000 - 3);
        assert_eq!(
            a.candidates,
            (0..MAX_CANDIDATES).map(|i| (i, i + 4)).collect::<Vec<_>>()
        );
        // A span overlapping exactly one of them still singles it out, wherever it is.
        let a = run(&text, "aaaa", Some((150_000, 150_001)));
        assert_eq!(
            a.verdict,
            Verdict::Ambiguous,
            "four places overlap that span"
        );
        let text = "ab".repeat(100_000);
        let a = run(&text, "abab", Some((150_001, 150_002)));
        assert_eq!((a.verdict, a.found), (Verdict::Ambiguous, None));
        let text = "abcd".repeat(50_000);
        let a = run(&text, "cdab", Some((150_002, 150_003)));
        assert_eq!(
            (a.verdict, a.found, a.strategy),
            (Verdict::Moved, Some((150_002, 150_006)), Strategy::Context),
            "the only place overlapping the span, far beyond the first ten"
        );
        // After folding typography, likewise.
        let text = "l’a ".repeat(50_000);
        let a = run(&text, "l'a", None);
        assert_eq!(a.verdict, Verdict::Ambiguous);
        assert_eq!(a.strategy, Strategy::Typography);
        assert_eq!(a.candidates_total, 50_000);
        assert_eq!(a.candidates.len(), MAX_CANDIDATES);
    }

    #[test]
    fn a_near_miss_in_a_huge_repetitive_text_is_cut_short_and_loud() {
        // Searching all of it would cost len × 64 blocks: the budget stops far sooner.
        let text = "a".repeat(3 * fuzzy::BUDGET / 64 + 10_000);
        let quote = format!("{}b", "a".repeat(4095));
        let a = run(&text, &quote, None);
        let (s, e) = a.cut_short.expect("cut short");
        assert!(e - s < text.len(), "{s}..{e}");
        assert!(!a.verdict.holds(), "{a:?}");
        assert!(matches!(a.verdict, Verdict::Changed | Verdict::Ambiguous));
        assert!(a.candidates.len() <= MAX_CANDIDATES);
        assert!(a.candidates_total >= a.candidates.len());
        for &(cs, ce) in a.candidates.iter().chain(a.found.iter()) {
            assert!(s <= cs && ce <= e, "inside what was searched");
        }
        // With a span, the place near it is searched first (and the budget is not needed).
        let at = text.len() - 5000;
        let a = run(&text, &quote, Some((at, at + 4096)));
        assert_eq!((a.verdict, a.cut_short), (Verdict::Changed, None));
        assert!(a.found.is_some_and(|(s, e)| s < at + 4096 && at < e));
        // A text the budget covers is searched whole: no note.
        let a = run(&"a".repeat(100_000), &quote, None);
        assert_eq!(a.cut_short, None);
    }

    mod prefilter {
        use super::super::SourceText;
        use crate::anchor::fold::fold;
        use proptest::prelude::*;

        /// Texts and quotes over an alphabet rich in what folding rewrites.
        fn typographic() -> impl proptest::strategy::Strategy<Value = String> {
            let pieces = proptest::sample::select(vec![
                "a",
                "b",
                "e",
                "é",
                "e\u{301}",
                "K",
                "\u{212A}",
                "7",
                " ",
                "  ",
                "\n",
                "\u{a0}",
                "\t",
                "'",
                "’",
                "\"",
                "«",
                "»",
                "-",
                "–",
                "—",
                ".",
                "…",
                ",",
                "\u{ad}",
                "\u{200b}",
                "\u{feff}",
                "q\u{316}\u{301}",
                "l’é",
                "Ab",
            ]);
            proptest::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
        }

        /// [`super::super::plain`] as it was first written: a search for each joiner, then the
        /// NFC quick check of every non-ASCII char.
        fn plain_by_definition(text: &str) -> super::super::Plain {
            use super::super::{FOLD_JOINERS, Plain};
            use unicode_normalization::{IsNormalized, is_nfc_quick};
            if text.chars().any(|c| FOLD_JOINERS.contains(&c)) {
                Plain::No
            } else if is_nfc_quick(text.chars().filter(|c| !c.is_ascii())) == IsNormalized::Yes {
                Plain::Nfc
            } else {
                Plain::Letters
            }
        }

        /// Long ASCII runs (skipped a word at a time), joiners, marks in and out of order, chars
        /// of two to four bytes.
        fn plain_texts() -> impl proptest::strategy::Strategy<Value = String> {
            let pieces = proptest::sample::select(vec![
                "a",
                "abcdefghij",
                "The quick brown fox ",
                "é",
                "e\u{301}",
                "q\u{301}\u{316}",
                "q\u{316}\u{301}",
                "\u{212A}",
                "\u{ad}",
                "\u{200b}",
                "\u{200c}",
                "\u{200d}",
                "\u{2060}",
                "\u{feff}",
                "’",
                "\u{1F600}",
                "\u{0915}\u{094D}",
                "\u{2126}",
            ]);
            proptest::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
        }

        /// A stretch that stands only where its first word overlaps an earlier place of it
        /// (found by `prefilter_keeps_quotes_of_the_text`: a non-overlapping search missed it).
        #[test]
        fn prefilter_tries_overlapping_places() {
            assert!(SourceText::new("aeAbAbAb ").may_fold_to("AbAb "));
            assert!(SourceText::new("xaaab").may_fold_to("aab"));
            assert!(!SourceText::new("aeAbAbAb ").may_fold_to("AbAbAbAb"));
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            /// The one-pass classification is the definition's.
            #[test]
            fn plain_is_its_definition(text in plain_texts()) {
                prop_assert_eq!(super::super::plain(&text), plain_by_definition(&text));
            }

            /// The prefilter never rules out a folded quote the folded text contains.
            #[test]
            fn prefilter_never_rules_out_a_match(text in typographic(), quote in typographic()) {
                let fq = fold(&quote);
                let ft = fold(&text);
                if !fq.as_str().is_empty() && ft.as_str().contains(fq.as_str()) {
                    prop_assert!(SourceText::new(&text).may_fold_to(fq.as_str()));
                }
            }

            /// Nor one cut from the text itself (the usual case: a quote of the source, retyped).
            #[test]
            fn prefilter_keeps_quotes_of_the_text(text in typographic(), a in 0usize..24, n in 1usize..24) {
                let chars: Vec<char> = text.chars().collect();
                let a = a.min(chars.len());
                let b = (a + n).min(chars.len());
                let quote: String = chars[a..b].iter().collect();
                let fq = fold(&quote);
                if !fq.as_str().is_empty() && fold(&text).as_str().contains(fq.as_str()) {
                    prop_assert!(SourceText::new(&text).may_fold_to(fq.as_str()));
                }
            }
        }
    }

    mod capped {
        use super::super::{MAX_CANDIDATES, SourceText, Verdict, anchor};
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(500))]

            /// However many places a quote has, at most MAX_CANDIDATES are kept, they are the
            /// first ones, and the total is the true count.
            #[test]
            fn candidates_are_capped_and_counted(
                unit in "[ab]{1,3}",
                reps in 1usize..400,
                quote in "[ab]{1,6}",
            ) {
                let text = unit.repeat(reps);
                let a = anchor(&SourceText::new(&text), &quote, None);
                let naive: Vec<(usize, usize)> = (0..text.len())
                    .filter(|&i| text[i..].starts_with(&quote))
                    .map(|i| (i, i + quote.len()))
                    .collect();
                prop_assert!(a.candidates.len() <= MAX_CANDIDATES);
                if a.verdict == Verdict::Ambiguous && a.errors.is_none() {
                    prop_assert_eq!(a.candidates_total, naive.len());
                    prop_assert_eq!(&a.candidates[..], &naive[..naive.len().min(MAX_CANDIDATES)]);
                }
                if naive.len() > 1 {
                    prop_assert_eq!(a.verdict, Verdict::Ambiguous);
                }
            }
        }
    }

    #[test]
    fn bom_counts_as_a_code_point() {
        let text = "\u{feff}Tirana, 7 septembre";
        // A span computed by a tool that dropped the BOM is off by one: moved, not ok.
        let a = run(text, "Tirana", Some((0, 6)));
        assert_eq!(a.verdict, Verdict::Moved);
        assert_eq!(a.found, Some((1, 7)));
    }
}

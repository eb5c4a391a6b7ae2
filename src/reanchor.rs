//! Re-anchoring: where a citation of an old capture stands in a new capture of the same source.
//!
//! Web annotators only have the quote and some context; prov has the old text itself, so it
//! first maps the old span through a diff of old → new, the way an editor maps a cursor through
//! an edit: a line diff of the whole texts, refined to a character diff inside changed hunks.
//! Only when the diff cannot place the passage (it was deleted or moved) does prov search:
//! exactly, with the old context to break ties, then approximately within separate limits on
//! edit budget, context agreement and displacement.
//!
//! Precision before recall. A passage the diff places is judged where it is: an edited quote
//! ("66 ans" → "65 ans") is `changed` there, never re-anchored to another occurrence of the old
//! words; equal candidates are `ambiguous`; a passage with nothing left is `missing`. Pure.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use crate::anchor::fold;
use crate::anchor::fuzzy;
use crate::anchor::text::Occurrences;
use crate::verdict::{
    Anchor, MAX_CANDIDATES, Places, SourceText, Strategy, Verdict, anchor, max_errors,
};

/// How long one diff may take before falling back to a coarser, still correct result.
const DIFF_DEADLINE: Duration = Duration::from_secs(2);
/// The share of a quote's characters that must survive unchanged for the diff to place it.
const PLACED_SHARE: f64 = 0.5;
/// Context compared around a passage, in code points, each side.
const CONTEXT: usize = 64;
/// A fuzzy candidate needs at least this context agreement (0..1) on one side.
const MIN_CONTEXT_AGREEMENT: f64 = 0.5;
/// A fuzzy candidate may move at most this share of the text away from its old relative place.
const MAX_DISPLACEMENT: f64 = 0.25;
/// A changed line is followed into the most similar new line only when they share this share
/// of their words; below, it was rewritten beyond recognition or deleted.
const MIN_LINE_SIMILARITY: f64 = 0.4;
/// An edited passage placed by the diff must keep this share of its distinct content words
/// (runs of 4 or more letters) there, unless it shares enough of all its words (see
/// [`resembles`]); below, nothing recognisable of it is left at that place.
const MIN_CONTENT_KEPT: f64 = 0.3;
/// Exact quotes shorter than this need their context to agree to be moved on exact search alone.
const SHORT_QUOTE: usize = 40;
/// A changed line is compared with at most this many new lines of its hunk (around its
/// proportional place) when looking for the line it became.
const PAIR_REACH: usize = 256;
/// Among several exact places, one is singled out by its neighbouring lines only when their
/// agreement with the old neighbours (0..1, see [`Reanchorer::line_agreement`]) is at least
/// this...
const MIN_LINE_AGREEMENT: f64 = 0.5;
/// ...and this much above any other place's (places overlapping it excepted).
const LINE_AGREEMENT_LEAD: f64 = 0.25;
/// A quote that stands exactly at more places than this is `ambiguous` without comparing their
/// contexts (comparing them all would cost a pass per place).
const MAX_COMPARED: usize = 256;

/// An old text and a new one, prepared for re-anchoring many citations.
pub struct Reanchorer<'a> {
    pub old: SourceText<'a>,
    pub new: SourceText<'a>,
    old_lines: Vec<usize>,
    new_lines: Vec<usize>,
    line_ops: Vec<DiffOp>,
    cache: RefCell<HashMap<WindowKey, Rc<WordDiff>>>,
    /// Sorted word hashes of lines, by (new?, line).
    /// Indexed by line: `[old, new]`.
    words: [RefCell<Vec<Option<Rc<LineWords>>>>; 2],
    /// `old_nonblank[l]`: how many of the old lines before line `l` are not blank.
    old_nonblank: Vec<usize>,
    /// The new lines each changed old line is paired with (see [`Reanchorer::pair`]).
    pairs: RefCell<HashMap<usize, Option<Range<usize>>>>,
    /// Inserted lines by text (see [`Reanchorer::moved_line`]).
    inserted: OnceCell<HashMap<&'a str, Option<usize>>>,
}

/// An old and a new char window: (old start, old end, new start, new end).
type WindowKey = (usize, usize, usize, usize);
/// A line's words as sorted hashes.
type LineWords = Vec<u64>;

/// Where the diff puts an old passage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// Its place in the new text.
    pub range: Range<usize>,
    /// How many of its code points the diff kept unchanged.
    pub unchanged: usize,
    /// The diff matched its line with a line of the new text (an unchanged line, or the most
    /// similar line of a changed hunk): the passage is placed even if every word changed.
    pub paired: bool,
    /// It lies in a run of unchanged lines that holds more than its own line (or the text is
    /// unchanged): its neighbours vouch for the place, whatever repeats elsewhere.
    pub anchored: bool,
}

/// The tokens of one window, whitespace left out: where each starts and ends (chars, relative
/// to the window), and the window's length.
struct Tokens {
    starts: Vec<usize>,
    ends: Vec<usize>,
    len: usize,
}

/// The tokens of an old and a new window, and the word diff between them.
struct WordDiff {
    old: Tokens,
    new: Tokens,
    ops: Vec<DiffOp>,
}

/// Char offsets of the start of each line (plus the end), lines split after '\n'.
fn line_starts(text: &str) -> Vec<usize> {
    let mut out = vec![0];
    let mut n = 0;
    for c in text.chars() {
        n += 1;
        if c == '\n' {
            out.push(n);
        }
    }
    if *out.last().unwrap_or(&0) != n {
        out.push(n);
    }
    out
}

/// Split chars into tokens (runs of alphanumerics; any other char alone) and their char
/// offsets, with the total length appended.
fn tokens(chars: &[char]) -> (Vec<&[char]>, Vec<usize>) {
    let mut toks = Vec::new();
    let mut at = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        if chars[i].is_alphanumeric() {
            while i < chars.len() && chars[i].is_alphanumeric() {
                i += 1;
            }
        } else {
            i += 1;
        }
        toks.push(&chars[start..i]);
        at.push(start);
    }
    at.push(chars.len());
    (toks, at)
}

/// A token's key for the word diff: every whitespace char is one key, and a char that
/// typography folding rewrites alone (an apostrophe, a quotation mark, a dash) is keyed by
/// what it folds to. Tokens of equal keys have equal lengths, so offsets inside an equal run
/// still map one to one.
fn token_key(tok: &[char]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    match tok {
        [c] if c.is_whitespace() => ' '.hash(&mut h),
        [c] => match fold::fold(c.encode_utf8(&mut [0; 4])).as_str() {
            f if f.chars().count() == 1 => f.hash(&mut h),
            _ => c.hash(&mut h),
        },
        _ => tok.hash(&mut h),
    }
    h.finish()
}

/// Diff ops with every run of deletions and insertions (in either order, with nothing equal
/// between) made one replacement: the words that replace a passage's edge word belong to it.
fn merge_replacements(ops: Vec<DiffOp>) -> Vec<DiffOp> {
    let mut out: Vec<DiffOp> = Vec::with_capacity(ops.len());
    for op in ops {
        let merged = match (out.last(), &op) {
            (
                Some(prev),
                DiffOp::Delete { .. } | DiffOp::Insert { .. } | DiffOp::Replace { .. },
            ) if !matches!(prev, DiffOp::Equal { .. }) => {
                let (o, n) = (prev.old_range(), prev.new_range());
                let (o2, n2) = (op.old_range(), op.new_range());
                Some(DiffOp::Replace {
                    old_index: o.start,
                    old_len: o2.end.max(o.end) - o.start,
                    new_index: n.start,
                    new_len: n2.end.max(n.end) - n.start,
                })
            }
            _ => None,
        };
        match merged {
            Some(m) => {
                out.pop();
                out.push(m);
            }
            None => out.push(op),
        }
    }
    out
}

/// Line ops with the blank lines between two changed hunks made part of one: blank lines are
/// not fixed points (an edited paragraph may have moved past one), and with deletions and
/// insertions next to each other made one replacement.
fn coalesce(ops: Vec<DiffOp>, old: &[&str]) -> Vec<DiffOp> {
    let blank = |op: &DiffOp| {
        matches!(op, DiffOp::Equal { .. })
            && op
                .old_range()
                .all(|l| old.get(l).is_some_and(|t| t.trim().is_empty()))
    };
    let mut out: Vec<DiffOp> = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        let op = ops[i];
        let changed = |o: &DiffOp| !matches!(o, DiffOp::Equal { .. });
        // A blank-only equal run with changes on both sides joins them.
        let joins =
            blank(&op) && out.last().is_some_and(changed) && ops.get(i + 1).is_some_and(changed);
        if joins || (changed(&op) && out.last().is_some_and(changed)) {
            if let Some(prev) = out.pop() {
                let (o, n) = (prev.old_range(), prev.new_range());
                let (o2, n2) = (op.old_range(), op.new_range());
                out.push(DiffOp::Replace {
                    old_index: o.start,
                    old_len: o2.end.max(o.end) - o.start,
                    new_index: n.start,
                    new_len: n2.end.max(n.end) - n.start,
                });
            }
        } else {
            out.push(op);
        }
        i += 1;
    }
    // A replacement of nothing by nothing cannot happen, but one of lines by no line, or of no
    // line by lines, is a deletion or an insertion.
    out.into_iter()
        .map(|op| match op {
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len: 0,
            } => DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            },
            DiffOp::Replace {
                old_index,
                old_len: 0,
                new_index,
                new_len,
            } => DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            },
            other => other,
        })
        .collect()
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

impl<'a> Reanchorer<'a> {
    pub fn new(old: &'a str, new: &'a str) -> Self {
        let deadline = Some(Instant::now() + DIFF_DEADLINE);
        let old_split = lines(old);
        let new_split = lines(new);
        let line_ops = coalesce(
            capture_diff_slices_deadline(Algorithm::Myers, &old_split, &new_split, deadline),
            &old_split,
        );
        let mut old_nonblank = Vec::with_capacity(old_split.len() + 1);
        let mut n = 0;
        old_nonblank.push(0);
        for l in &old_split {
            n += usize::from(!l.trim().is_empty());
            old_nonblank.push(n);
        }
        Reanchorer {
            old: SourceText::new(old),
            new: SourceText::new(new),
            old_lines: line_starts(old),
            new_lines: line_starts(new),
            line_ops,
            cache: RefCell::new(HashMap::new()),
            words: [RefCell::new(Vec::new()), RefCell::new(Vec::new())],
            old_nonblank,
            pairs: RefCell::new(HashMap::new()),
            inserted: OnceCell::new(),
        }
    }

    /// The line of `text` (by its start offsets) holding char `pos`.
    fn line_of(starts: &[usize], pos: usize) -> usize {
        starts.partition_point(|&s| s <= pos).saturating_sub(1)
    }

    /// Char range of lines `a..b` of a text.
    fn chars_of(starts: &[usize], a: usize, b: usize) -> Range<usize> {
        let last = starts.len() - 1;
        starts[a.min(last)]..starts[b.min(last)]
    }

    /// Map an old char range through the diff: where it is in the new text, and how many of
    /// its chars survived unchanged. `None` when the diff leaves nothing of it.
    ///
    /// Unchanged lines shift. A passage inside one changed line is followed into the most
    /// similar line of the new hunk (a correction rewrites a sentence where it stands; the
    /// words it had may also appear in another, new sentence), then mapped through a word
    /// diff of those two lines only. A passage over several lines uses the whole hunk.
    pub fn map(&self, start: usize, end: usize) -> Option<Mapped> {
        // Whatever the route, a place is inside the new text.
        self.map_unchecked(start, end)
            .filter(|m| m.range.start <= m.range.end && m.range.end <= self.new.text.len_chars())
    }

    fn map_unchecked(&self, start: usize, end: usize) -> Option<Mapped> {
        let mut paired = false;
        let la = Self::line_of(&self.old_lines, start);
        let lb = Self::line_of(&self.old_lines, end.saturating_sub(1).max(start));
        let mut window: Option<(Range<usize>, Range<usize>)> = None;
        // The ops' old ranges are consecutive: skip those that end before the passage's line.
        let first = self.line_ops.partition_point(|op| op.old_range().end <= la);
        for op in self.line_ops.get(first..).unwrap_or(&[]) {
            let (o, n) = (op.old_range(), op.new_range());
            if o.start > lb {
                break;
            }
            if o.is_empty() {
                continue; // a pure insertion next to the passage
            }
            let oc = Self::chars_of(&self.old_lines, o.start, o.end);
            let nc = Self::chars_of(&self.new_lines, n.start, n.end);
            match op {
                DiffOp::Equal { .. } if oc.start <= start && end <= oc.end => {
                    // Entirely inside unchanged lines: a pure shift.
                    let shift = nc.start as isize - oc.start as isize;
                    let s = (start as isize + shift) as usize;
                    let e = (end as isize + shift) as usize;
                    // Non-blank lines of the run besides the passage's own.
                    let nonblank = |r: Range<usize>| {
                        let at = |l: usize| self.old_nonblank.get(l).copied().unwrap_or(0);
                        at(r.end) - at(r.start)
                    };
                    let neighbours = nonblank(o.clone()) > nonblank(la..lb + 1);
                    return Some(Mapped {
                        range: s..e,
                        unchanged: end - start,
                        paired: true,
                        anchored: neighbours || self.line_ops.len() == 1,
                    });
                }
                DiffOp::Delete { .. } if la == lb => {
                    // A deleted line whose exact text was inserted at one other place moved.
                    return self.moved_line(la).map(|nl| {
                        let shift = nl as isize - self.old_lines[la] as isize;
                        Mapped {
                            range: (start as isize + shift) as usize
                                ..(end as isize + shift) as usize,
                            unchanged: end - start,
                            paired: true,
                            anchored: false,
                        }
                    });
                }
                DiffOp::Replace { .. } if la == lb => {
                    let old_line = Self::chars_of(&self.old_lines, la, la + 1);
                    let best = self.pair(la, o.clone(), n.clone())?;
                    window = Some((old_line, best));
                    paired = true;
                    break;
                }
                _ => {
                    window = Some(match window {
                        None => (oc, nc),
                        Some((wo, wn)) => {
                            (wo.start..oc.end.max(wo.end), wn.start..nc.end.max(wn.end))
                        }
                    });
                }
            }
        }
        let (wo, wn) = window?;
        let d = self.word_diff(wo.clone(), wn.clone());
        let (s, e) = (start - wo.start, end - wo.start);
        let mut new_start = None;
        let mut new_end = None;
        let mut equal = 0;
        // Char span of tokens `r` of one side (an empty `r`: the place where they would be).
        let span = |side: &Tokens, r: Range<usize>| -> Range<usize> {
            if r.is_empty() {
                let at = side.starts.get(r.start).copied().unwrap_or(side.len);
                return at..at;
            }
            side.starts[r.start]..side.ends[r.end - 1]
        };
        for op in &d.ops {
            if matches!(op, DiffOp::Insert { .. }) {
                continue;
            }
            let (ot, nt) = (op.old_range(), op.new_range());
            let o = span(&d.old, ot.clone());
            if o.start.max(s) >= o.end.min(e) {
                continue;
            }
            match op {
                DiffOp::Equal { .. } => {
                    // Token by token (equal keys, equal lengths); the whitespace between two
                    // tokens of the run counts as unchanged too.
                    for (k, (i, j)) in ot.clone().zip(nt.clone()).enumerate() {
                        let (os, oe) = (d.old.starts[i], d.old.ends[i]);
                        let gap_end = if k + 1 < ot.len() {
                            d.old.starts[i + 1]
                        } else {
                            oe
                        };
                        let (lo, hi) = (os.max(s), oe.min(e));
                        equal += gap_end.min(e).saturating_sub(oe.max(s));
                        if lo >= hi {
                            continue;
                        }
                        equal += hi - lo;
                        let ns = d.new.starts[j];
                        new_start.get_or_insert(ns + (lo - os));
                        new_end = Some(ns + (hi - os));
                    }
                }
                _ => {
                    // Replaced or deleted words at the edges take the new words' place.
                    let n = span(&d.new, nt);
                    new_start.get_or_insert(n.start);
                    new_end = Some(n.end);
                }
            }
        }
        let (ns, ne) = (new_start?, new_end?);
        // A passage does not balloon: far longer than the quote means stray matches.
        if (equal == 0 && !paired) || ne <= ns || ne - ns > 2 * (end - start) + 16 {
            return None;
        }
        Some(Mapped {
            range: (wn.start + ns)..(wn.start + ne),
            unchanged: equal,
            paired,
            anchored: false,
        })
    }

    /// The new lines of a changed hunk (old lines `o`, new lines `n`) that old line `la` is
    /// paired with: the most similar run of 1 to 3 of them (a sentence may have been split over
    /// lines), as chars; `None` below [`MIN_LINE_SIMILARITY`] (the line was rewritten beyond
    /// recognition, or deleted). Computed once per old line. In a hunk of more than
    /// [`PAIR_REACH`] new lines, only that many around the line's proportional place are
    /// compared, so pairing stays linear however large an inserted block is.
    fn pair(&self, la: usize, o: Range<usize>, n: Range<usize>) -> Option<Range<usize>> {
        if let Some(p) = self.pairs.borrow().get(&la) {
            return p.clone();
        }
        let mut n = n;
        if n.len() > PAIR_REACH {
            let rel = (la - o.start) as f64 / o.len().max(1) as f64;
            let centre = n.start + (rel * n.len() as f64) as usize;
            let lo = centre.saturating_sub(PAIR_REACH / 2).max(n.start);
            let lo = lo.min(n.end - PAIR_REACH);
            n = lo..lo + PAIR_REACH;
        }
        // Shared words and word count of each new line, once; a run's are their sums.
        let a = self.line_words(false, la);
        let per_line: Vec<(usize, usize)> = n
            .clone()
            .map(|l| {
                let b = self.line_words(true, l);
                (shared(&a, &b), b.len())
            })
            .collect();
        let best = n
            .clone()
            .flat_map(|l| (1..=3).map(move |k| (l, l + k)))
            .filter(|&(_, b)| b <= n.end)
            .map(|(x, y)| {
                let nl = Self::chars_of(&self.new_lines, x, y);
                let run = per_line.get(x - n.start..y - n.start).unwrap_or(&[]);
                let common: usize = run.iter().map(|r| r.0).sum();
                let b_len: usize = run.iter().map(|r| r.1).sum();
                let sim = if a.is_empty() || b_len == 0 {
                    0.0
                } else {
                    common.min(a.len()) as f64 / a.len().max(b_len) as f64
                };
                (nl, sim)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.len().cmp(&a.0.len())))
            .filter(|(_, score)| *score >= MIN_LINE_SIMILARITY)
            .map(|(r, _)| r);
        self.pairs.borrow_mut().insert(la, best.clone());
        best
    }

    /// Where old line `l` went, if the diff deleted it and inserted the very same text at
    /// exactly one place: the char offset of that new line.
    fn moved_line(&self, l: usize) -> Option<usize> {
        let old = self.old.text.slice(
            self.old_lines[l],
            self.old_lines[(l + 1).min(self.old_lines.len() - 1)],
        )?;
        if old.trim().is_empty() {
            return None;
        }
        // Every inserted line by its text (line break included: a passage may end with it),
        // indexed once: `None` when inserted twice (which one?).
        let inserted = self.inserted.get_or_init(|| {
            let mut index: HashMap<&'a str, Option<usize>> = HashMap::new();
            for op in &self.line_ops {
                if !matches!(op, DiffOp::Insert { .. } | DiffOp::Replace { .. }) {
                    continue;
                }
                for nl in op.new_range() {
                    let at = self.new_lines[nl];
                    let end = self.new_lines[(nl + 1).min(self.new_lines.len() - 1)];
                    if let Some(text) = self.new.text.slice(at, end) {
                        index
                            .entry(text)
                            .and_modify(|e| *e = None)
                            .or_insert(Some(at));
                    }
                }
            }
            index
        });
        inserted.get(old).copied().flatten()
    }

    /// The words of line `l` of the old (`new = false`) or new text, as sorted hashes,
    /// computed once per line.
    fn line_words(&self, new: bool, l: usize) -> Rc<Vec<u64>> {
        let cache = &self.words[usize::from(new)];
        if let Some(Some(w)) = cache.borrow().get(l) {
            return Rc::clone(w);
        }
        let (text, starts) = if new {
            (&self.new, &self.new_lines)
        } else {
            (&self.old, &self.old_lines)
        };
        let range = Self::chars_of(starts, l, l + 1);
        let (toks, _) = tokens(&text.chars()[range]);
        let mut hashes: Vec<u64> = toks
            .into_iter()
            .filter(|w| !w.iter().all(|c| c.is_whitespace()))
            .map(|w| {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                w.hash(&mut h);
                h.finish()
            })
            .collect();
        hashes.sort_unstable();
        let w = Rc::new(hashes);
        let mut cache = cache.borrow_mut();
        if cache.len() <= l {
            cache.resize(l + 1, None);
        }
        if let Some(slot) = cache.get_mut(l) {
            *slot = Some(Rc::clone(&w));
        }
        w
    }

    /// The word diff of an old and a new window, computed once per window pair (many
    /// citations share a hunk): token offsets of both sides and the ops.
    fn word_diff(&self, wo: Range<usize>, wn: Range<usize>) -> Rc<WordDiff> {
        let key = (wo.start, wo.end, wn.start, wn.end);
        if let Some(d) = self.cache.borrow().get(&key) {
            return Rc::clone(d);
        }
        // Whitespace is left out: runs of it differ (a line break made CRLF, a space made a
        // no-break space) without being an edit, and as tokens they would be cheap anchors
        // that let the diff realign whole words around them. The other tokens compare by
        // their typographic key (`'` and `’` alike), so equal tokens have equal lengths.
        let side = |chars: &[char]| -> (Tokens, Vec<u64>) {
            let (toks, at) = tokens(chars);
            let mut t = Tokens {
                starts: Vec::new(),
                ends: Vec::new(),
                len: chars.len(),
            };
            let mut keys = Vec::new();
            for (tok, w) in toks.iter().zip(at.windows(2)) {
                if tok.iter().all(|c| c.is_whitespace()) {
                    continue;
                }
                t.starts.push(w[0]);
                t.ends.push(w[1]);
                keys.push(token_key(tok));
            }
            (t, keys)
        };
        let (old, old_keys) = side(&self.old.chars()[wo]);
        let (new, new_keys) = side(&self.new.chars()[wn]);
        let deadline = Some(Instant::now() + DIFF_DEADLINE);
        let ops = merge_replacements(capture_diff_slices_deadline(
            Algorithm::Myers,
            &old_keys,
            &new_keys,
            deadline,
        ));
        let d = Rc::new(WordDiff { old, new, ops });
        self.cache.borrow_mut().insert(key, Rc::clone(&d));
        d
    }

    /// Is `[s, e)` of the new text entirely within lines the diff kept unchanged (text that
    /// was already in the old version, elsewhere)?
    fn in_unchanged_lines(&self, s: usize, e: usize) -> bool {
        // The ops' new ranges are consecutive: the one holding the line of `s`.
        let l = Self::line_of(&self.new_lines, s);
        let i = self.line_ops.partition_point(|op| op.new_range().end <= l);
        self.line_ops.get(i).is_some_and(|op| {
            matches!(op, DiffOp::Equal { .. }) && {
                let n = op.new_range();
                let nc = Self::chars_of(&self.new_lines, n.start, n.end);
                nc.start <= s && e <= nc.end
            }
        })
    }

    /// Re-anchor a citation whose quote stood at `old` (the result of anchoring it in the old
    /// text) in the new text.
    pub fn reanchor(&self, quote: &str, span: Option<(usize, usize)>, old: &Anchor) -> Anchor {
        let base = Anchor::missing(false);
        // Only a citation that holds in the old text has a passage to follow.
        let Some((os, oe)) = old.found.filter(|_| old.verdict.holds()) else {
            return anchor(&self.new, quote, span);
        };
        let m = oe - os;
        // 1. Through the diff.
        if let Some(mp) = self.map(os, oe)
            && (mp.paired || mp.unchanged as f64 >= PLACED_SHARE * m as f64)
        {
            let mut found = (mp.range.start, mp.range.end);
            let mut errors = None;
            let text = self.new.text.slice(found.0, found.1).unwrap_or("");
            if text != quote {
                // The diff put the passage here; if the exact words (or their folded form)
                // overlap this place, they are the passage, whatever edges the diff drew.
                if let Some(h) = self.near(quote, found) {
                    found = h;
                }
            }
            let text = self.new.text.slice(found.0, found.1).unwrap_or("");
            if text != quote
                && !fold::is_folded_equal(text, quote)
                && found.1 - found.0 > m + m / 4
                && let Some(best) = self.closest_inside(quote, found)
            {
                // The diff may stretch the place over a neighbouring sentence (a sentence
                // appended to another paragraph takes that paragraph's first word as its own).
                // Each side is cut back to the sentence that holds the closest match; words
                // added to the passage's own sentence stay in.
                found = self.own_sentence(found, best);
            }
            let text = self.new.text.slice(found.0, found.1).unwrap_or("");
            if text != quote && !fold::is_folded_equal(text, quote) {
                // Edited: settle its edges (a diff may give an edge character to a neighbour),
                // then widen them to whole words.
                let (f, e) = self.refine(quote, found, (os, oe));
                found = self.whole_words(f, (os, oe));
                errors = if found == f {
                    e
                } else {
                    self.distance_at(quote, found)
                };
            }
            let text = self.new.text.slice(found.0, found.1).unwrap_or("");
            if text != quote {
                // Still exact elsewhere: the exact words win over an edited place, when the
                // old context singles them out and the place the diff chose is no better
                // (a light edit in place stays `changed` when the old words appear only in
                // another context, such as a correction notice quoting them).
                // A short quote's few words are too easily found in another sentence: only
                // a context at least as good as the edited place's moves it.
                let light = fold::is_folded_equal(text, quote)
                    || m < SHORT_QUOTE
                    || errors.is_some_and(|e| e * 10 <= m);
                if let Some(h) = self.exact_elsewhere(quote, (os, oe), found, light) {
                    return Anchor {
                        verdict: Verdict::exact_at(h, span),
                        found: Some(h),
                        strategy: Strategy::Context,
                        ..base
                    };
                }
            }
            if text != quote
                && !fold::is_folded_equal(text, quote)
                && !resembles(quote, text, errors)
            {
                // The diff's place is not the passage edited: too little of it is left there (a
                // deleted sentence whose line was paired with its rewritten neighbour). As if
                // the diff could not place it: search.
                return self.search(quote, span, (os, oe), base);
            }
            let verdict = if text == quote {
                Verdict::exact_at(found, span)
            } else if fold::is_folded_equal(text, quote) {
                Verdict::Typography
            } else {
                // The old words may still stand elsewhere: name them, never pick them.
                return Anchor {
                    verdict: Verdict::Changed,
                    found: Some(found),
                    strategy: Strategy::Diff,
                    errors,
                    ..base
                }
                .with_candidates(capped(self.exact_places(quote, MAX_CANDIDATES)));
            };
            // The same words at several places: the diff's choice must be the one the old
            // context singles out, else the citation is ambiguous.
            if verdict.holds() && !mp.anchored {
                let all = self.exact_places(quote, MAX_COMPARED + 1);
                if all.total > 1 {
                    let mine = self.context_agreement((os, oe), found);
                    let rival = if all.total > MAX_COMPARED {
                        1.0 // too many to compare: none singled out
                    } else {
                        // Places overlapping the diff's are the same stretch of text (a quote of
                        // dashes inside a longer rule): not rivals.
                        all.first
                            .iter()
                            .filter(|h| !overlap(**h, found))
                            .map(|h| self.context_agreement((os, oe), *h))
                            .fold(0.0f64, f64::max)
                    };
                    if mine - rival < 0.2 {
                        // Not the diff's place by the characters around it: the place the
                        // neighbouring lines single out (the heading above a rule), if any.
                        let Some(at) = self.single_out_by_lines(quote, (os, oe)) else {
                            return Anchor {
                                verdict: Verdict::Ambiguous,
                                strategy: Strategy::Context,
                                ..base
                            }
                            .with_candidates(capped(all));
                        };
                        return Anchor {
                            verdict: Verdict::exact_at(at, span),
                            found: Some(at),
                            strategy: Strategy::Context,
                            ..base
                        };
                    }
                }
            }
            return Anchor {
                verdict,
                found: Some(found),
                strategy: Strategy::Diff,
                ..base
            };
        }
        self.search(quote, span, (os, oe), base)
    }

    /// Steps 2 to 6: the diff cannot place the passage at `(os, oe)` of the old text (it was
    /// deleted, moved away, or what the diff found is not it), so the new text is searched.
    fn search(
        &self,
        quote: &str,
        span: Option<(usize, usize)>,
        (os, oe): (usize, usize),
        base: Anchor,
    ) -> Anchor {
        let m = oe - os;
        // 2. The diff cannot place it: exact search, context breaking ties.
        let exact = self.exact_places(quote, MAX_COMPARED + 1);
        let single = exact.total == 1;
        if let Some(a) = self.pick_by_context(exact, (os, oe), m < SHORT_QUOTE, Some(quote), &base)
        {
            return Anchor {
                strategy: if a.verdict == Verdict::Moved && single {
                    Strategy::Exact
                } else {
                    Strategy::Context
                },
                verdict: match (a.verdict, a.found) {
                    (Verdict::Moved, f) if f == span => Verdict::Ok,
                    (Verdict::Moved, _) if span.is_none() => Verdict::Unanchored,
                    (v, _) => v,
                },
                ..a
            };
        }
        // 3. After folding typography.
        let fq = fold::fold(quote);
        if fq.len_chars() > 0 {
            let mut hits = Occurrences::default();
            let mut last = None;
            let folded = self.new.folded();
            crate::anchor::text::CharText::new(folded.as_str()).find_each(fq.as_str(), |(s, e)| {
                let r = folded.original_range(s, e);
                if folded.on_boundaries(s, e) && last != Some(r) {
                    last = Some(r);
                    if hits.total <= MAX_COMPARED {
                        hits.first.push(r);
                    }
                    hits.total += 1;
                }
                true
            });
            if let Some(a) = self.pick_by_context(hits, (os, oe), m < SHORT_QUOTE, None, &base) {
                let verdict = match a.verdict {
                    Verdict::Moved => Verdict::Typography,
                    other => other,
                };
                return Anchor {
                    verdict,
                    strategy: Strategy::Typography,
                    ..a
                };
            }
        }
        // 4. Approximately, within the three limits.
        let q: Vec<char> = quote.chars().collect();
        let k = max_errors(q.len());
        if k == 0 {
            return base;
        }
        let old_rel = os as f64 / self.old.text.len_chars().max(1) as f64;
        let len = self.new.text.len_chars();
        let new_len = len.max(1) as f64;
        // One search serves steps 4 and 5: the whole text, within the budget of one search
        // around the passage's old relative place.
        let centre = (old_rel * new_len) as usize;
        let w = fuzzy::window(len, q.len(), centre);
        let base = Anchor {
            cut_short: (w.len() < len).then_some((w.start, w.end)),
            ..base
        };
        let all: Vec<fuzzy::Match> = self
            .new
            .with_chars(w.clone(), |part| fuzzy::search_from(part, w.start, &q, k))
            .into_iter()
            // Text the diff kept unchanged was already there, elsewhere: another passage.
            .filter(|c| !self.in_unchanged_lines(c.start, c.end))
            .collect();
        let good: Vec<fuzzy::Match> = all
            .iter()
            .copied()
            .filter(|c| (c.start as f64 / new_len - old_rel).abs() <= MAX_DISPLACEMENT)
            // Context must agree, unless the match is nearly the quote itself (a lightly
            // edited passage that also moved).
            .filter(|c| {
                c.errors * 10 <= q.len()
                    || self.context_agreement((os, oe), (c.start, c.end)) >= MIN_CONTEXT_AGREEMENT
            })
            .collect();
        if !good.is_empty() {
            return crate::verdict::closest(&self.new, &q, &good, base);
        }
        // 5. Anywhere: a sentence moved far (or into a new context) and lightly edited. Only a
        // light edit (at most a fifth of the quote) that is clearly the closest passage of the
        // whole text is taken, and only as `changed`: that is loud, never a silent anchor.
        match all.as_slice() {
            [best, rest @ ..]
                if best.errors * 5 <= q.len()
                    && rest
                        .first()
                        .is_none_or(|r| r.errors >= best.errors + best.errors.max(3)) =>
            {
                crate::verdict::closest(&self.new, &q, &[*best], base)
            }
            _ => base,
        }
    }

    /// The one exact place of `quote` that the old context singles out (agreement at least
    /// [`MIN_CONTEXT_AGREEMENT`], and 0.2 above any other exact place), when it agrees at least
    /// as well as `placed`, the edited place the diff chose. For a heavy edit there (`light`
    /// false: a long quote, more than 10 % edited), agreeing well is enough, and a single
    /// exact place needs no context at all, as in step 2.
    fn exact_elsewhere(
        &self,
        quote: &str,
        old: (usize, usize),
        placed: (usize, usize),
        light: bool,
    ) -> Option<(usize, usize)> {
        let all = self.exact_places(quote, MAX_COMPARED + 1);
        if all.total == 0 {
            return None;
        }
        if all.total > MAX_COMPARED {
            return self.by_lines_over(quote, old, placed);
        }
        let mut scored: Vec<(f64, (usize, usize))> = all
            .first
            .iter()
            .map(|h| (self.context_agreement(old, *h), *h))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let (best, at) = *scored.first()?;
        if !light && stretches(&all.first) == 1 {
            // A heavy edit where the diff went: the diff followed leftovers of the old
            // paragraph, and the long quote stands once, unchanged, elsewhere (as in step 2).
            return Some(at);
        }
        let second = rival(&scored, at);
        let singled = best >= MIN_CONTEXT_AGREEMENT && best - second >= 0.2;
        if singled {
            return (!light || best >= self.context_agreement(old, placed)).then_some(at);
        }
        self.by_lines_over(quote, old, placed)
    }

    /// When the characters around the exact places tell none apart (rules of dashes under
    /// headings): the one whose neighbouring lines are clearly the old ones, and clearly more
    /// so than those of `placed`, the edited place the diff chose.
    fn by_lines_over(
        &self,
        quote: &str,
        old: (usize, usize),
        placed: (usize, usize),
    ) -> Option<(usize, usize)> {
        let at = self.single_out_by_lines(quote, old)?;
        (self.line_agreement(old, at) - self.line_agreement(old, placed) >= LINE_AGREEMENT_LEAD)
            .then_some(at)
    }

    /// `found` widened to whole words of the new text: an edge inside a word moves to the
    /// word's edge, unless the old quote itself began (or ended) inside a word there.
    fn whole_words(&self, (s, e): (usize, usize), (os, oe): (usize, usize)) -> (usize, usize) {
        let inside = |text: &[char], i: usize| {
            i > 0 && i < text.len() && text[i - 1].is_alphanumeric() && text[i].is_alphanumeric()
        };
        let (old, new) = (self.old.chars(), self.new.chars());
        let (mut s, mut e) = (s, e);
        if !inside(old, os) {
            while inside(new, s) {
                s -= 1;
            }
        }
        if !inside(old, oe) {
            while inside(new, e) {
                e += 1;
            }
        }
        (s, e)
    }

    /// `place` cut back to the sentences that hold `best` (inside it): from the start of the
    /// sentence where `best` starts, to the end of the sentence where it ends. A sentence ends
    /// after `.`, `!`, `?` or `…` (and closing quotation marks) followed by whitespace.
    fn own_sentence(&self, place: (usize, usize), best: (usize, usize)) -> (usize, usize) {
        let chars = match self.new.text.slice(place.0, place.1) {
            Some(t) => t.chars().collect::<Vec<char>>(),
            None => return place,
        };
        let at = |i: usize| chars.get(i - place.0).copied().unwrap_or(' ');
        let ends = |i: usize| {
            // A sentence ends just before i: i is whitespace after a terminator.
            i > place.0 && at(i).is_whitespace() && {
                let mut j = i - 1;
                while j > place.0 && matches!(at(j), '»' | '"' | '”' | '’' | ')') {
                    j -= 1;
                }
                matches!(at(j), '.' | '!' | '?' | '…')
            }
        };
        let mut s = place.0;
        for i in (place.0 + 1..=best.0.min(place.1)).rev() {
            if ends(i) {
                s = i;
                while s < best.0 && at(s).is_whitespace() {
                    s += 1;
                }
                break;
            }
        }
        let mut e = place.1;
        for i in best.1.max(place.0)..place.1 {
            if ends(i) {
                e = i;
                break;
            }
        }
        if s < e { (s, e) } else { place }
    }

    /// The closest approximate match of `quote` inside the new text's `[s, e)` (8 code points
    /// of margin), if any within [`max_errors`].
    fn closest_inside(&self, quote: &str, (s, e): (usize, usize)) -> Option<(usize, usize)> {
        let q: Vec<char> = quote.chars().collect();
        let k = max_errors(q.len());
        if k == 0 {
            return None;
        }
        let lo = s.saturating_sub(8);
        let hi = (e + 8).min(self.new.text.len_chars());
        let best = self
            .new
            .with_chars(lo..hi, |part| fuzzy::search_from(part, lo, &q, k))
            .into_iter()
            .next()?;
        Some((best.start, best.end))
    }

    /// The edit distance between `quote` and the new text at `at` (quotes of at most
    /// [`crate::verdict::MAX_FUZZY_QUOTE`] code points).
    fn distance_at(&self, quote: &str, (s, e): (usize, usize)) -> Option<usize> {
        let q: Vec<char> = quote.chars().collect();
        if q.len() > crate::verdict::MAX_FUZZY_QUOTE {
            return None;
        }
        let at = self.new.chars().get(s..e)?;
        fuzzy::distance(&q, at, q.len().max(at.len()))
    }

    /// The exact places of `quote` in the new text: the first `cap` and how many in all.
    fn exact_places(&self, quote: &str, cap: usize) -> Occurrences {
        self.new.text.find_capped(quote, cap)
    }

    /// The one place overlapping `at` where the quote stands exactly, else the one where it
    /// stands after folding typography (both searched in a window around `at`).
    fn near(&self, quote: &str, at: (usize, usize)) -> Option<(usize, usize)> {
        let overlap = |h: &(usize, usize)| h.0 < at.1 && at.0 < h.1;
        let m = quote.chars().count();
        let lo = at.0.saturating_sub(m + 8);
        let hi = (at.1 + m + 8).min(self.new.text.len_chars());
        let window = self.new.text.slice(lo, hi)?;
        let exact: Vec<(usize, usize)> = crate::anchor::text::CharText::new(window)
            .find_all(quote)
            .into_iter()
            .map(|(a, b)| (a + lo, b + lo))
            .filter(overlap)
            .collect();
        if let [one] = exact.as_slice() {
            return Some(*one);
        }
        if !exact.is_empty() {
            return None;
        }
        let window = fold::fold(window);
        let fq = fold::fold(quote);
        if fq.len_chars() == 0 {
            return None;
        }
        let hits: Vec<(usize, usize)> = crate::anchor::text::CharText::new(window.as_str())
            .find_all(fq.as_str())
            .into_iter()
            .filter(|&(a, b)| window.on_boundaries(a, b))
            .map(|(a, b)| window.original_range(a, b))
            .map(|(a, b)| (a + lo, b + lo))
            .filter(overlap)
            .collect();
        match hits.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// A diff may attach a character at an edited passage's edge to a neighbour (two edit
    /// scripts of equal length). Move each edge by up to 3 code points and keep the window
    /// closest to the quote; on a tie, the smallest move.
    fn refine(
        &self,
        quote: &str,
        (s, e): (usize, usize),
        (os, oe): (usize, usize),
    ) -> ((usize, usize), Option<usize>) {
        let q: Vec<char> = quote.chars().collect();
        if q.len() > crate::verdict::MAX_FUZZY_QUOTE {
            return ((s, e), None); // too long to measure: the diff's edges stand
        }
        let chars = self.new.chars();
        let dist = |a: usize, b: usize| fuzzy::distance(&q, &chars[a..b], q.len().max(b - a));
        let mut best = ((s, e), dist(s, e), 0usize);
        for ds in -3isize..=3 {
            for de in -3isize..=3 {
                let (a, b) = (s as isize + ds, e as isize + de);
                if a < 0 || b as usize > chars.len() || b <= a {
                    continue;
                }
                let (a, b) = (a as usize, b as usize);
                // Edges only between words (never cut a word of the new text), unless the
                // quote itself began or ended inside a word of the old text.
                let inside = |text: &[char], i: usize| {
                    i > 0
                        && i < text.len()
                        && text[i - 1].is_alphanumeric()
                        && text[i].is_alphanumeric()
                };
                let old = self.old.chars();
                let (cut_start, cut_end) = (inside(old, os), inside(old, oe));
                if (a != s && !cut_start && inside(chars, a))
                    || (b != e && !cut_end && inside(chars, b))
                {
                    continue;
                }
                let d = dist(a, b);
                let moved = ds.unsigned_abs() + de.unsigned_abs();
                let better = match (d, best.1) {
                    (Some(d), Some(bd)) => d < bd || (d == bd && moved < best.2),
                    (Some(_), None) => true,
                    _ => false,
                };
                if better {
                    best = ((a, b), d, moved);
                }
            }
        }
        (best.0, best.1)
    }

    /// The neighbourhood of `[s, e)` in the old (`new = false`) or new text, line by line: the
    /// tokens (whitespace left out, as sorted hashes) of the nearest non-blank line above the
    /// passage's first line together with its own line's text before it; and of its own line's
    /// text after it together with the nearest non-blank line below its last line.
    fn neighbours(&self, new: bool, (s, e): (usize, usize)) -> [Vec<u64>; 2] {
        let (text, starts) = if new {
            (&self.new, &self.new_lines)
        } else {
            (&self.old, &self.old_lines)
        };
        let chars = text.chars();
        let last = starts.len() - 1;
        let blank = |l: usize| {
            chars[Self::chars_of(starts, l, l + 1)]
                .iter()
                .all(|c| c.is_whitespace())
        };
        let la = Self::line_of(starts, s);
        let lb = Self::line_of(starts, e.saturating_sub(1).max(s));
        let above = (0..la).rev().find(|&l| !blank(l));
        let below = (lb + 1..last).find(|&l| !blank(l));
        let line = |l: Option<usize>| l.map_or(0..0, |l| Self::chars_of(starts, l, l + 1));
        let own_end = starts[(lb + 1).min(last)].max(e);
        let keys = |ranges: [Range<usize>; 2]| -> Vec<u64> {
            let mut keys: Vec<u64> = ranges
                .into_iter()
                .flat_map(|r| tokens(&chars[r]).0)
                .filter(|t| !t.iter().all(|c| c.is_whitespace()))
                .map(token_key)
                .collect();
            keys.sort_unstable();
            keys
        };
        [
            keys([line(above), starts[la]..s]),
            keys([e..own_end, line(below)]),
        ]
    }

    /// How well the lines around `new` agree with the lines around `old` (see
    /// [`Reanchorer::neighbours`]): the mean over the two sides of the tokens they share, over
    /// the larger count; a side empty in both texts (the document's edge) agrees fully.
    pub fn line_agreement(&self, old: (usize, usize), new: (usize, usize)) -> f64 {
        let (a, b) = (self.neighbours(false, old), self.neighbours(true, new));
        let side = |x: &[u64], y: &[u64]| match x.len().max(y.len()) {
            0 => 1.0,
            n => shared(x, y) as f64 / n as f64,
        };
        (side(&a[0], &b[0]) + side(&a[1], &b[1])) / 2.0
    }

    /// Among the exact places of `quote` in the new text, the one its old neighbouring lines
    /// (at `old`) single out: line agreement at least [`MIN_LINE_AGREEMENT`] and
    /// [`LINE_AGREEMENT_LEAD`] above any other. Overlapping places (a rule of dashes inside a
    /// longer rule) are one stretch of text, compared at its first place, so a rule inside
    /// hundreds of longer ones is still compared; at most [`MAX_COMPARED`] stretches. `None`
    /// when none is clearly best.
    fn single_out_by_lines(&self, quote: &str, old: (usize, usize)) -> Option<(usize, usize)> {
        let mut firsts: Vec<(usize, usize)> = Vec::new();
        let mut end = 0;
        let mut too_many = false;
        self.new.text.find_each(quote, |(s, e)| {
            if firsts.is_empty() || s >= end {
                if firsts.len() == MAX_COMPARED {
                    too_many = true;
                    return false;
                }
                firsts.push((s, e));
            }
            end = e;
            true
        });
        if too_many {
            return None;
        }
        let mut scored: Vec<(f64, (usize, usize))> = firsts
            .iter()
            .map(|h| (self.line_agreement(old, *h), *h))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let &(best, at) = scored.first()?;
        let second = scored.get(1).map_or(0.0, |s| s.0);
        (best >= MIN_LINE_AGREEMENT && best - second >= LINE_AGREEMENT_LEAD).then_some(at)
    }

    /// How well the text around `new` agrees with the text around `old`: the better of the
    /// two sides, 1.0 when identical, 0.0 when nothing is alike. A side with no text on either
    /// version (start or end of the document) agrees fully.
    pub fn context_agreement(&self, old: (usize, usize), new: (usize, usize)) -> f64 {
        let (op, osf) = self.old.text.context(old.0, old.1, CONTEXT);
        let (np, nsf) = self.new.text.context(new.0, new.1, CONTEXT);
        let sim = |a: &str, b: &str, from_end: bool| -> f64 {
            let mut a: Vec<char> = a.chars().collect();
            let mut b: Vec<char> = b.chars().collect();
            if from_end {
                a.reverse();
                b.reverse();
            }
            let n = a.len().min(b.len());
            if a.is_empty() && b.is_empty() {
                return 1.0;
            }
            if n == 0 {
                return 0.0;
            }
            // Where one side is cut short by the document's edge, only that much can agree.
            let weight = (n as f64 / 16.0).min(1.0);
            let (a, b) = (&a[..n], &b[..n]);
            let d = fuzzy::distance(a, b, n).unwrap_or(n);
            (1.0 - d as f64 / n as f64) * weight
        };
        sim(op, np, true).max(sim(osf, nsf, false))
    }

    /// Among hits, the one the old context singles out. One hit: moved, unless the quote is
    /// short and its context disagrees. Several: the best context agreement if it beats the
    /// second best clearly (not compared when there are more than [`MAX_COMPARED`]); else,
    /// for hits of the exact quote `lines`, the one its neighbouring lines single out
    /// ([`Reanchorer::single_out_by_lines`]); else ambiguous. None: `None`.
    fn pick_by_context(
        &self,
        hits: Occurrences,
        old: (usize, usize),
        short: bool,
        lines: Option<&str>,
        base: &Anchor,
    ) -> Option<Anchor> {
        // Overlapping places (a quote of dashes inside a longer rule) are one stretch of text:
        // one such stretch counts as one place, at its best context.
        let one_stretch = hits.total <= MAX_COMPARED && stretches(&hits.first) == 1;
        let single = if hits.total == 1 {
            hits.first.first().copied()
        } else if one_stretch {
            hits.first
                .iter()
                .map(|h| (self.context_agreement(old, *h), *h))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, h)| h)
        } else {
            None
        };
        match (hits.first.as_slice(), single) {
            ([], _) => None,
            (_, Some(one)) => {
                let one = &one;
                if short && self.context_agreement(old, *one) < MIN_CONTEXT_AGREEMENT {
                    // Short words in another context: another passage, not this one moved.
                    // (At several overlapping places, which one would it be: ambiguous.)
                    return Some(
                        Anchor {
                            verdict: if hits.total > 1 {
                                Verdict::Ambiguous
                            } else {
                                Verdict::Missing
                            },
                            ..base.clone()
                        }
                        .with_candidates(capped(hits)),
                    );
                }
                Some(Anchor {
                    verdict: Verdict::Moved,
                    found: Some(*one),
                    ..base.clone()
                })
            }
            (many, None) => {
                let mut scored: Vec<(f64, (usize, usize))> = if hits.total > MAX_COMPARED {
                    Vec::new()
                } else {
                    many.iter()
                        .map(|h| (self.context_agreement(old, *h), *h))
                        .collect()
                };
                scored.sort_by(|a, b| b.0.total_cmp(&a.0));
                match scored.as_slice() {
                    [(best, at), _, ..]
                        if *best >= MIN_CONTEXT_AGREEMENT && best - rival(&scored, *at) >= 0.2 =>
                    {
                        Some(Anchor {
                            verdict: Verdict::Moved,
                            found: Some(*at),
                            ..base.clone()
                        })
                    }
                    _ => match lines.and_then(|q| self.single_out_by_lines(q, old)) {
                        // The characters around them tell no place apart: the neighbouring
                        // lines may (the heading above a rule).
                        Some(at) => Some(Anchor {
                            verdict: Verdict::Moved,
                            found: Some(at),
                            ..base.clone()
                        }),
                        None => Some(
                            Anchor {
                                verdict: Verdict::Ambiguous,
                                ..base.clone()
                            }
                            .with_candidates(capped(hits)),
                        ),
                    },
                }
            }
        }
    }
}

/// Whether `text`, the new text where the diff put an edited passage, is recognisably the
/// quote edited: within the edit budget of an approximate match ([`max_errors`]); or sharing at
/// least [`MIN_LINE_SIMILARITY`] of its words (runs of letters and digits, compared lower-cased)
/// over the larger word count, as a changed line must with the line it became; or still holding
/// [`MIN_CONTENT_KEPT`] of the quote's distinct content words (runs of 4 or more letters), as a
/// heavily reworded sentence does. A short quote (under [`SHORT_QUOTE`] code points) has too few
/// words for a share to say anything ("mardi" corrected to "lundi" keeps none): the diff's
/// alignment in its line is the evidence.
fn resembles(quote: &str, text: &str, errors: Option<usize>) -> bool {
    let m = quote.chars().count();
    if m < SHORT_QUOTE || errors.is_some_and(|e| e <= max_errors(m)) {
        return true;
    }
    let words = |s: &str| -> Vec<String> {
        let mut w: Vec<String> = s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        w.sort_unstable();
        w
    };
    let (a, b) = (words(quote), words(text));
    let larger = a.len().max(b.len());
    if larger == 0 {
        return false;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    if common as f64 / larger as f64 >= MIN_LINE_SIMILARITY {
        return true;
    }
    let content = |s: &str| -> std::collections::HashSet<String> {
        s.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_lowercase)
            .collect()
    };
    let (q, t) = (content(quote), content(text));
    !q.is_empty() && q.intersection(&t).count() as f64 >= MIN_CONTENT_KEPT * q.len() as f64
}

/// How many words two sorted word lists share (each counted as often as both have it).
fn shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    common
}

/// How many stretches of text some places (in order) make: places that overlap one another
/// are one stretch.
fn stretches(places: &[(usize, usize)]) -> usize {
    let mut n = 0;
    let mut end = None;
    for &(s, e) in places {
        match end {
            Some(x) if s < x => end = Some(x.max(e)),
            _ => {
                n += 1;
                end = Some(e);
            }
        }
    }
    n
}

/// Whether two char ranges overlap.
fn overlap(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// The best context agreement among scored places that do not overlap `at` (0 when none):
/// places overlapping it are the same stretch of text, not another passage.
fn rival(scored: &[(f64, (usize, usize))], at: (usize, usize)) -> f64 {
    scored
        .iter()
        .filter(|(_, h)| !overlap(*h, at))
        .map(|(s, _)| *s)
        .fold(0.0f64, f64::max)
}

/// The places to show of some occurrences: the first [`MAX_CANDIDATES`], and the total.
fn capped(hits: Occurrences) -> Places {
    let mut p = Places::of(hits.first.into_iter().take(MAX_CANDIDATES));
    p.total = p.total.max(hits.total);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Anchor `quote` in `old` (it must be there exactly), then re-anchor it in `new`.
    fn run(old: &str, new: &str, quote: &str) -> Anchor {
        let r = Reanchorer::new(old, new);
        let a = anchor(&r.old, quote, None);
        assert!(
            a.verdict.holds(),
            "{quote:?} must be in the old text: {a:?}"
        );
        r.reanchor(quote, a.found, &a)
    }

    fn at(text: &str, a: &Anchor) -> String {
        let (s, e) = a.found.expect("found");
        text.chars().skip(s).take(e - s).collect()
    }

    const OLD: &str =
        "Le raid a fait un mort.\nLa victime avait 66 ans.\nLes habitants ont 66 ans de moyenne.\n";

    #[test]
    fn unchanged_text_is_ok() {
        let a = run(OLD, OLD, "La victime avait 66 ans.");
        assert_eq!(a.verdict, Verdict::Ok);
        assert_eq!(a.strategy, Strategy::Diff);
    }

    #[test]
    fn text_inserted_before_moves_the_span() {
        let new = format!("Mise à jour.\n{OLD}");
        let a = run(OLD, &new, "La victime avait 66 ans.");
        assert_eq!(a.verdict, Verdict::Moved);
        assert_eq!(at(&new, &a), "La victime avait 66 ans.");
    }

    #[test]
    fn corrected_number_is_changed_in_place_not_moved_to_another_66() {
        let new = OLD.replace("avait 66 ans", "avait 65 ans");
        let a = run(OLD, &new, "avait 66 ans");
        assert_eq!(a.verdict, Verdict::Changed);
        assert_eq!(at(&new, &a), "avait 65 ans");
        assert_eq!(a.strategy, Strategy::Diff);
    }

    #[test]
    fn replaced_name_that_appears_elsewhere_is_changed() {
        let old = "Le ministre Bledar Cuci a parlé.\nEdi Rama a répondu.\n";
        let new = "Le ministre Edi Rama a parlé.\nEdi Rama a répondu.\n";
        let a = run(old, new, "Le ministre Bledar Cuci");
        assert_eq!(a.verdict, Verdict::Changed);
        assert_eq!(at(new, &a), "Le ministre Edi Rama");
    }

    #[test]
    fn moved_paragraph_is_found() {
        let old =
            "Premier paragraphe sur le raid.\nDeuxième paragraphe sur la victime.\nTroisième.\n";
        let new =
            "Troisième.\nDeuxième paragraphe sur la victime.\nPremier paragraphe sur le raid.\n";
        let a = run(old, new, "Premier paragraphe sur le raid.");
        assert_eq!(a.verdict, Verdict::Moved);
        assert_eq!(at(new, &a), "Premier paragraphe sur le raid.");
    }

    #[test]
    fn deleted_paragraph_is_missing() {
        let old =
            "Premier paragraphe sur le raid.\nDeuxième paragraphe sur la victime.\nTroisième.\n";
        let new = "Premier paragraphe sur le raid.\nTroisième.\n";
        let a = run(old, new, "Deuxième paragraphe sur la victime.");
        assert_eq!(a.verdict, Verdict::Missing);
        assert_eq!(a.found, None);
    }

    #[test]
    fn duplicated_paragraph_with_equal_context_is_ambiguous() {
        let old = "Intro.\nLe même texte.\nFin.\n";
        let new = "Le même texte.\nAutre.\nLe même texte.\n";
        let a = run(old, new, "Le même texte.");
        assert!(
            matches!(a.verdict, Verdict::Ambiguous | Verdict::Ok | Verdict::Moved),
            "{a:?}"
        );
        if a.verdict.holds() {
            assert_eq!(at(new, &a), "Le même texte.");
        }
    }

    #[test]
    fn an_edited_passage_keeps_its_edges() {
        let old = "La victime avait 66 ans. Le ministre a dit non. Puis le ministre a dit non.";
        let new = "Mise à jour. La victime avait 65 ans. Puis le ministre a dit non.";
        let a = run(old, new, "La victime avait 66 ans.");
        assert_eq!(a.verdict, Verdict::Changed);
        assert_eq!(at(new, &a), "La victime avait 65 ans.");
        assert_eq!(a.errors, Some(1));
    }

    #[test]
    fn no_break_space_change_is_typography() {
        let old = "Selon le « CNRI », une centaine.\n";
        let new = "Selon le «\u{a0}CNRI\u{a0}», une centaine.\n";
        let a = run(old, new, "Selon le « CNRI », une centaine.");
        assert_eq!(a.verdict, Verdict::Typography);
    }

    #[test]
    fn a_passage_at_thousands_of_places_is_ambiguous_listing_ten() {
        let old = "Intro.\nLe raid a fait un mort selon la police.\nFin.\n";
        let line = "Le raid a fait un mort selon la police.\n";
        let new = format!("Autre intro.\n{}Autre fin.\n", line.repeat(3000));
        let a = run(old, &new, "Le raid a fait un mort selon la police.");
        assert_eq!(a.verdict, Verdict::Ambiguous, "{a:?}");
        assert_eq!(a.candidates_total, 3000);
        assert_eq!(a.candidates.len(), MAX_CANDIDATES);
        assert_eq!(a.candidates[0], (13, 52));
        // Edited where it stood, the old words still at 3000 other places: named, counted.
        let new = format!(
            "Intro.\nLe raid a fait deux morts selon la police.\nFin.\n{}",
            line.repeat(3000)
        );
        let a = run(old, &new, "Le raid a fait un mort selon la police.");
        assert_eq!(a.verdict, Verdict::Changed, "{a:?}");
        assert_eq!(
            (a.candidates.len(), a.candidates_total),
            (MAX_CANDIDATES, 3000)
        );
    }

    #[test]
    fn a_capture_far_larger_than_the_old_text_is_searched_within_the_budget() {
        // The passage's line is rewritten (the diff cannot place it) in a capture whose
        // displacement window alone is far beyond one search's budget.
        let quote = "La victime avait 66 ans et vivait au camp. ".repeat(93);
        let quote = quote.trim_end();
        let old = format!("Intro.\n{quote}\nFin.\n");
        // A quote of ~4000 code points is 63 blocks: one search may scan ~530,000 chars.
        let filler = "zq ".repeat(1_000_000);
        let new = format!("Intro.\n{filler}\nFin.\n");
        let a = run(&old, &new, quote);
        assert_eq!(a.verdict, Verdict::Missing, "{a:?}");
        let (s, e) = a.cut_short.expect("cut short");
        assert!(e - s < new.len());
    }

    #[test]
    fn a_deleted_sentence_is_not_changed_into_its_replacement() {
        // The line is paired with its edited self; the cited sentence was deleted and another
        // one, sharing none of its words, stands where it was: nothing of it is left there.
        let old = "The cat sat on the mat in the sun all day long. \
                   We also sell fresh bread every morning at dawn.\n";
        let new = "The cat sat on the mat in the sun all day long. Visit our shop for pastries.\n";
        let a = run(old, new, "We also sell fresh bread every morning at dawn.");
        assert_eq!(a.verdict, Verdict::Missing, "{a:?}");
        // A light edit there is still the passage, changed.
        let new = "The cat sat on the mat in the sun all day long. \
                   We also sell fresh rolls every morning at dawn.\n";
        let a = run(old, new, "We also sell fresh bread every morning at dawn.");
        assert_eq!(a.verdict, Verdict::Changed, "{a:?}");
        assert_eq!(
            at(new, &a),
            "We also sell fresh rolls every morning at dawn."
        );
    }

    #[test]
    fn edit_inside_a_long_paragraph_maps_by_characters() {
        let old = "A ".repeat(50) + "la victime avait 66 ans et vivait au camp." + &" B".repeat(50);
        let new = old.replace("66 ans", "65 ans").replace("A A A", "A Z A");
        let a = run(&old, &new, "la victime avait 66 ans");
        assert_eq!(a.verdict, Verdict::Changed);
        assert_eq!(at(&new, &a), "la victime avait 65 ans");
    }
}

//! Bounded approximate substring search over code points: Myers' bit-parallel algorithm.
//!
//! This module owns fuzzy matching, the last resort of re-anchoring (DESIGN §5): given a pattern P
//! (a quote, `m` chars) and a text T, [`search`] finds the substrings of T whose Levenshtein
//! distance to P is at most `k`, and [`distance`] scores one given window.
//!
//! The algorithm is Myers (1999), "A fast bit-vector algorithm for approximate string matching
//! based on dynamic programming", in the block-based form of that paper as refined by Hyyrö, so
//! patterns of any length work: the pattern is cut into blocks of 64 rows, each a pair of `u64`
//! vertical-delta vectors, and Ukkonen's cut-off keeps only the blocks that can still hold a value
//! `<= k` active. Time is O(|T| · ⌈m/64⌉) (much less when k is small); memory is
//! O(σ · ⌈m/64⌉) for the σ distinct chars of the pattern (a sorted table; chars of T that are not
//! in P share one zero mask). Like npm `approx-string-match`, the forward pass only finds where
//! matches end; the start of each is recovered by running the algorithm again on the reversed
//! pattern over the reversed window that ends there.

use std::collections::BTreeMap;

/// One approximate occurrence: chars `[start, end)` of the text, at Levenshtein distance `errors`
/// from the pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub errors: usize,
}

/// Rows per block.
const W: usize = 64;

/// The most work one approximate search may do, in block-columns (one block of 64 pattern rows
/// advanced over one char of the text; about 4 ns each). A search scans at most
/// `BUDGET / ⌈m/64⌉` chars of text ([`window`]), and recovering the starts of its matches costs
/// at most about as much again, so one search takes a fraction of a second whatever the text.
pub const BUDGET: usize = 1 << 25;

/// The chars of a text of `len` chars that one search of an `m`-char pattern may scan: all of
/// them when `len · ⌈m/64⌉` fits [`BUDGET`], else the `BUDGET / ⌈m/64⌉` chars (plus the
/// pattern's length) centred on `centre`, clamped to the text. A window that is not `0..len`
/// means the search is cut short.
#[must_use]
pub fn window(len: usize, m: usize, centre: usize) -> std::ops::Range<usize> {
    let reach = BUDGET / m.div_ceil(W).max(1) + m;
    if len <= reach {
        return 0..len;
    }
    let lo = centre.min(len).saturating_sub(reach / 2).min(len - reach);
    lo..lo + reach
}

/// The pattern's match vectors: for each distinct char, one `u64` per block with bit `i` set when
/// row `i` of that block holds the char.
struct Masks {
    blocks: usize,
    /// Slot of each ASCII char (0: not in the pattern).
    ascii: [u32; 128],
    /// Slot of each non-ASCII char of the pattern, sorted by char.
    other: Vec<(char, u32)>,
    /// `blocks` words per slot; slot 0 is all zeros.
    words: Vec<u64>,
    /// Bit of the last row of each block.
    high: Vec<u64>,
    /// Number of rows in each block (64, except maybe the last).
    rows: Vec<usize>,
}

impl Masks {
    /// Masks of a non-empty pattern, read in the order given.
    fn new(pattern: impl ExactSizeIterator<Item = char>) -> Self {
        let m = pattern.len();
        let blocks = m.div_ceil(W).max(1);
        let mut ascii = [0u32; 128];
        let mut other: BTreeMap<char, u32> = BTreeMap::new();
        let mut words = vec![0u64; blocks];
        let mut slots = 1u32;
        for (i, c) in pattern.enumerate() {
            let slot = if let Some(a) = ascii.get_mut(c as usize) {
                if *a == 0 {
                    *a = slots;
                    slots += 1;
                }
                *a
            } else {
                *other.entry(c).or_insert_with(|| {
                    slots += 1;
                    slots - 1
                })
            };
            let at = slot as usize * blocks;
            if words.len() < at + blocks {
                words.resize(at + blocks, 0);
            }
            if let Some(w) = words.get_mut(at + i / W) {
                *w |= 1u64 << (i % W);
            }
        }
        let rows: Vec<usize> = (0..blocks).map(|b| (m - b * W).min(W)).collect();
        let high = rows.iter().map(|&r| 1u64 << (r.max(1) - 1)).collect();
        Masks {
            blocks,
            ascii,
            other: other.into_iter().collect(),
            words,
            high,
            rows,
        }
    }

    /// The `blocks` match words of text char `c`.
    #[inline]
    fn of(&self, c: char) -> &[u64] {
        let slot = match self.ascii.get(c as usize) {
            Some(&s) => s as usize,
            None => self
                .other
                .binary_search_by_key(&c, |&(k, _)| k)
                .map_or(0, |i| self.other.get(i).map_or(0, |&(_, s)| s as usize)),
        };
        let at = slot * self.blocks;
        self.words.get(at..at + self.blocks).unwrap_or(&[])
    }
}

/// Advance one block by one text column (Myers 1999, `advance_block`): `eq` is the
/// block's match word for the text char, `hin` the horizontal delta entering at the block's top
/// (-1, 0 or +1). Updates the block's vertical deltas and returns the horizontal delta leaving
/// its last row.
#[inline]
fn advance_block(pv: &mut u64, mv: &mut u64, eq: u64, hin: i64, high: u64) -> i64 {
    let (p, m) = (*pv, *mv);
    let mut eq = eq;
    let xv = eq | m;
    if hin < 0 {
        eq |= 1;
    }
    let xh = ((eq & p).wrapping_add(p) ^ p) | eq;
    let mut ph = m | !(xh | p);
    let mut mh = p & xh;
    let hout = if ph & high != 0 {
        1
    } else if mh & high != 0 {
        -1
    } else {
        0
    };
    ph <<= 1;
    mh <<= 1;
    if hin < 0 {
        mh |= 1;
    } else if hin > 0 {
        ph |= 1;
    }
    *pv = mh | !(xv | ph);
    *mv = ph & xv;
    hout
}

/// Forward pass: for every end position `j` in `1..=text.len()`, calls `report(j, d)` with
/// `d = Some(D[j])` when the least distance between the pattern and a substring of the text ending
/// at `j` is `D[j] <= k`, and `None` when it is larger.
fn scan_ends(text: &[char], masks: &Masks, k: usize, mut report: impl FnMut(usize, Option<usize>)) {
    let nb = masks.blocks;
    let last = nb - 1;
    let k_usize = k;
    let k = i64::try_from(k).unwrap_or(i64::MAX);
    let mut pv = vec![!0u64; nb];
    let mut mv = vec![0u64; nb];
    // Score at the last row of each block; row i of column 0 is i (i deletions).
    let mut score: Vec<i64> = Vec::with_capacity(nb);
    let mut acc = 0i64;
    for &r in &masks.rows {
        acc += r as i64;
        score.push(acc);
    }
    // Last active block.
    let mut y = k_usize.div_ceil(W).saturating_sub(1).min(last);
    for (j, &c) in text.iter().enumerate() {
        let eq = masks.of(c);
        let word = |b: usize| eq.get(b).copied().unwrap_or(0);
        let mut carry = 0i64;
        for b in 0..=y {
            if let (Some(p), Some(m), Some(&h), Some(s)) = (
                pv.get_mut(b),
                mv.get_mut(b),
                masks.high.get(b),
                score.get_mut(b),
            ) {
                carry = advance_block(p, m, word(b), carry, h);
                *s += carry;
            }
        }
        let sy = score.get(y).copied().unwrap_or(i64::MAX);
        if y < last && sy - carry <= k && (word(y + 1) & 1 != 0 || carry < 0) {
            // The cell below the active band may be <= k: activate the next block, assuming
            // +1 vertical deltas in its previous column.
            y += 1;
            if let (Some(p), Some(m), Some(&h), Some(&rows)) = (
                pv.get_mut(y),
                mv.get_mut(y),
                masks.high.get(y),
                masks.rows.get(y),
            ) {
                *p = !0;
                *m = 0;
                let hout = advance_block(p, m, word(y), carry, h);
                if let Some(s) = score.get_mut(y) {
                    *s = sy + rows as i64 - carry + hout;
                }
            }
        } else {
            while y > 0
                && score
                    .get(y)
                    .is_some_and(|&s| s >= k.saturating_add(W as i64))
            {
                y -= 1;
            }
        }
        let d = match score.get(y) {
            Some(&s) if y == last && s <= k => usize::try_from(s).ok(),
            _ => None,
        };
        report(j + 1, d);
    }
}

/// Global pass: `D(pattern, text[..j])` for `j` in `1..=text.len()` (the pattern aligned in full
/// with a text prefix), reported to `report(j, d)`; stops early when `report` returns false.
fn scan_global(
    text: impl Iterator<Item = char>,
    masks: &Masks,
    mut report: impl FnMut(usize, usize) -> bool,
) {
    let nb = masks.blocks;
    let mut pv = vec![!0u64; nb];
    let mut mv = vec![0u64; nb];
    let mut bottom: i64 = masks.rows.iter().sum::<usize>() as i64;
    for (j, c) in text.enumerate() {
        let eq = masks.of(c);
        // Row 0 of a global alignment grows by one per column.
        let mut carry = 1i64;
        for b in 0..nb {
            if let (Some(p), Some(m), Some(&h)) = (pv.get_mut(b), mv.get_mut(b), masks.high.get(b))
            {
                carry = advance_block(p, m, eq.get(b).copied().unwrap_or(0), carry, h);
            }
        }
        bottom += carry;
        if !report(j + 1, usize::try_from(bottom).unwrap_or(usize::MAX)) {
            return;
        }
    }
}

/// Plain Levenshtein distance between `a` and `b` (unit-cost insertions, deletions and
/// substitutions over chars), or `None` when it is above `limit` (with an early exit).
#[must_use]
pub fn distance(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // The shorter string is the pattern: fewer blocks.
    let (p, t) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if p.is_empty() {
        return Some(t.len());
    }
    if t.is_empty() {
        return Some(p.len());
    }
    let masks = Masks::new(p.iter().copied());
    let n = t.len();
    let mut result = None;
    scan_global(t.iter().copied(), &masks, |j, d| {
        if j == n {
            result = Some(d);
        }
        // The last row can drop by at most one per remaining column.
        d.saturating_sub(n - j) <= limit
    });
    result.filter(|&d| d <= limit)
}

/// Tracks the distance curve `D[j]` to find its local minima ("valleys": a plateau of equal
/// values with larger, or unknown `> k`, values on both sides).
struct Valleys {
    m: usize,
    prev: Option<usize>,
    /// Start and value of the plateau that may be a valley (entered going down).
    pending: Option<(usize, usize)>,
    /// Candidate (end, errors) pairs.
    ends: Vec<(usize, usize)>,
}

impl Valleys {
    fn push(&mut self, j: usize, d: Option<usize>) {
        match (d, self.prev) {
            (None, _) => self.close(j),
            (Some(v), None) => self.pending = Some((j, v)),
            (Some(v), Some(p)) if v < p => self.pending = Some((j, v)),
            (Some(v), Some(p)) if v > p => self.close(j),
            _ => {}
        }
        self.prev = d;
    }

    /// The curve rises (or leaves `<= k`) at `j`: a pending plateau `[start, j - 1]` is a valley.
    fn close(&mut self, j: usize) {
        if let Some((start, v)) = self.pending.take() {
            // From the right end (longest match), every `m - v` ends: a match with `v` errors has
            // at least `m - v` chars, so any end closer than that overlaps one already taken.
            let step = self.m.saturating_sub(v).max(1);
            let mut end = j - 1;
            loop {
                self.ends.push((end, v));
                if end < start + step {
                    break;
                }
                end -= step;
            }
        }
    }
}

/// Recover the start of the match ending at `end` with `errors` errors: align the reversed
/// pattern globally with the reversed window `text[end - m - errors .. end]` and take the longest
/// prefix (leftmost start) at the least distance.
fn recover_start(text: &[char], rev: &Masks, m: usize, end: usize, errors: usize) -> Match {
    let lo = end.saturating_sub(m + errors);
    let window = text.get(lo..end).unwrap_or(&[]);
    let (mut best_len, mut best) = (0usize, m);
    scan_global(window.iter().rev().copied(), rev, |len, d| {
        if d <= best {
            best = d;
            best_len = len;
        }
        true
    });
    Match {
        start: end - best_len,
        end,
        errors: best,
    }
}

/// [`search`] in a window of a text that starts at char `offset`; the matches are positions in
/// the whole text.
#[must_use]
pub fn search_from(
    window: &[char],
    offset: usize,
    pattern: &[char],
    max_errors: usize,
) -> Vec<Match> {
    let mut found = search(window, pattern, max_errors);
    for m in &mut found {
        m.start += offset;
        m.end += offset;
    }
    found
}

/// All best non-overlapping matches of `pattern` in `text` with at most `max_errors` errors.
///
/// For each local minimum ("valley") of the curve `D[j]` (least distance of a substring ending at
/// `j`), the start is recovered on the reversed pattern over the reversed window, choosing the
/// longest (leftmost) optimal start. On a plateau of equal values the rightmost end is taken (the
/// longest match), then every `m - errors` ends to its left. Candidates are then taken greedily
/// by (errors, end): a match overlapping one already taken (fewer errors, or as few and ending
/// earlier) is dropped. The result is sorted by (errors, start).
///
/// A match always shares at least one char with the pattern: `max_errors` is capped at `m - 1`
/// (with `m` errors the empty string would match anywhere). An empty pattern or text gives no
/// match. Cost: O(|T| · ⌈m/64⌉) for the scan plus O((m + k) · ⌈m/64⌉) per candidate, so keep `k`
/// well below `m` on large texts (with `k` close to `m`, every position is a candidate).
#[must_use]
pub fn search(text: &[char], pattern: &[char], max_errors: usize) -> Vec<Match> {
    let m = pattern.len();
    if m == 0 || text.is_empty() {
        return Vec::new();
    }
    let k = max_errors.min(m - 1);
    let masks = Masks::new(pattern.iter().copied());
    let mut valleys = Valleys {
        m,
        prev: None,
        pending: None,
        ends: Vec::new(),
    };
    scan_ends(text, &masks, k, |j, d| valleys.push(j, d));
    valleys.close(text.len() + 1);
    let mut ends = valleys.ends;
    if ends.is_empty() {
        return Vec::new();
    }
    ends.sort_unstable_by_key(|&(end, errors)| (errors, end));
    ends.dedup();

    let rev = Masks::new(pattern.iter().rev().copied());
    // Taken matches, disjoint, by start.
    let mut taken: BTreeMap<usize, Match> = BTreeMap::new();
    let overlaps = |taken: &BTreeMap<usize, Match>, start: usize, end: usize| {
        taken
            .range(..end)
            .next_back()
            .is_some_and(|(_, t)| t.end > start)
    };
    for (end, errors) in ends {
        // Every match ending at `end` with `errors` errors covers at least this core.
        let core_start = end.saturating_sub(m - errors);
        if overlaps(&taken, core_start, end) {
            continue;
        }
        let found = recover_start(text, &rev, m, end, errors);
        if found.errors <= k && !overlaps(&taken, found.start, found.end) {
            taken.insert(found.start, found);
        }
    }
    let mut out: Vec<Match> = taken.into_values().collect();
    out.sort_by_key(|x| (x.errors, x.start));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// Naive semi-global DP: least distance of the pattern to a substring ending at each j.
    fn naive_ends(text: &[char], pattern: &[char]) -> Vec<usize> {
        let m = pattern.len();
        let mut col: Vec<usize> = (0..=m).collect();
        let mut out = Vec::with_capacity(text.len());
        for &t in text {
            let mut prev_diag = col[0];
            col[0] = 0;
            for i in 1..=m {
                let old = col[i];
                let sub = prev_diag + usize::from(pattern[i - 1] != t);
                col[i] = sub.min(old + 1).min(col[i - 1] + 1);
                prev_diag = old;
            }
            out.push(col[m]);
        }
        out
    }

    fn naive_distance(a: &[char], b: &[char]) -> usize {
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, &ca) in a.iter().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for j in 1..=b.len() {
                let old = row[j];
                row[j] = (prev + usize::from(ca != b[j - 1]))
                    .min(old + 1)
                    .min(row[j - 1] + 1);
                prev = old;
            }
        }
        row[b.len()]
    }

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn string(&mut self, alphabet: &[char], len: usize) -> Vec<char> {
            (0..len)
                .map(|_| alphabet[self.below(alphabet.len())])
                .collect()
        }
        /// `base` with `edits` random substitutions, insertions and deletions.
        fn mutate(&mut self, base: &[char], alphabet: &[char], edits: usize) -> Vec<char> {
            let mut v = base.to_vec();
            for _ in 0..edits {
                let at = self.below(v.len() + 1);
                let c = alphabet[self.below(alphabet.len())];
                match self.below(3) {
                    0 if at < v.len() => v[at] = c,
                    1 => v.insert(at, c),
                    _ if at < v.len() => {
                        v.remove(at);
                    }
                    _ => v.insert(at, c),
                }
            }
            v
        }
    }

    fn scanned(text: &[char], pattern: &[char], k: usize) -> Vec<Option<usize>> {
        let masks = Masks::new(pattern.iter().copied());
        let mut out = Vec::new();
        scan_ends(text, &masks, k, |j, d| {
            assert_eq!(j, out.len() + 1);
            out.push(d);
        });
        out
    }

    fn check_scan(text: &[char], pattern: &[char], k: usize) {
        let want: Vec<Option<usize>> = naive_ends(text, pattern)
            .into_iter()
            .map(|d| (d <= k).then_some(d))
            .collect();
        assert_eq!(
            scanned(text, pattern, k),
            want,
            "m={} n={} k={k}",
            pattern.len(),
            text.len()
        );
    }

    fn check_search(text: &[char], pattern: &[char], k: usize) -> Vec<Match> {
        let found = search(text, pattern, k);
        let naive = naive_ends(text, pattern);
        for w in found.windows(2) {
            assert!((w[0].errors, w[0].start) <= (w[1].errors, w[1].start));
        }
        for (i, a) in found.iter().enumerate() {
            assert!(a.start < a.end && a.end <= text.len());
            assert!(a.errors <= k.min(pattern.len() - 1));
            assert_eq!(
                distance(&text[a.start..a.end], pattern, usize::MAX),
                Some(a.errors),
                "{a:?}"
            );
            // The reported end is optimal for that end position.
            assert_eq!(naive[a.end - 1], a.errors, "{a:?}");
            for b in &found[i + 1..] {
                assert!(a.end <= b.start || b.end <= a.start, "{a:?} overlaps {b:?}");
            }
        }
        // The global best is always found.
        if let Some(&best) = naive.iter().min()
            && best <= k.min(pattern.len() - 1)
        {
            assert_eq!(found.first().map(|x| x.errors), Some(best));
        }
        found
    }

    #[test]
    fn exact_match() {
        let text = chars("Albania broke off diplomatic relations with Iran.");
        let found = check_search(&text, &chars("diplomatic"), 3);
        assert_eq!(
            found[0],
            Match {
                start: 18,
                end: 28,
                errors: 0
            }
        );
        let found = search(&text, &chars("Iran"), 0);
        assert_eq!(
            found,
            vec![Match {
                start: 44,
                end: 48,
                errors: 0
            }]
        );
    }

    #[test]
    fn corrected_number_is_one_error() {
        let text = chars("Selon la police, l’homme âgé de 65 ans a été arrêté.");
        let found = check_search(&text, &chars("âgé de 66 ans"), 1);
        assert_eq!(
            found,
            vec![Match {
                start: 25,
                end: 38,
                errors: 1
            }]
        );
        assert_eq!(text[25..38].iter().collect::<String>(), "âgé de 65 ans");
        assert!(search(&text, &chars("âgé de 66 ans"), 0).is_empty());
    }

    #[test]
    fn substitution_insertion_deletion() {
        let text = chars("xx the quick brown fox xx");
        for (pattern, errors, span) in [
            ("the quick brown fox", 0, "the quick brown fox"),
            ("the quack brown fox", 1, "the quick brown fox"),
            ("the quik brown fox", 1, "the quick brown fox"),
            ("the quicck brown fox", 1, "the quick brown fox"),
            // Ties at the end: the longest match ("!" ~ " ") is taken.
            ("thequick brown fox!", 2, "the quick brown fox "),
        ] {
            let found = check_search(&text, &chars(pattern), 3);
            let best = found[0];
            assert_eq!(best.errors, errors, "{pattern}");
            assert_eq!(
                text[best.start..best.end].iter().collect::<String>(),
                span,
                "{pattern}"
            );
        }
    }

    #[test]
    fn several_matches_and_ties() {
        let text = chars("abc abd abc");
        let found = check_search(&text, &chars("abc"), 1);
        assert_eq!(
            found,
            vec![
                Match {
                    start: 0,
                    end: 3,
                    errors: 0
                },
                Match {
                    start: 8,
                    end: 11,
                    errors: 0
                },
                Match {
                    start: 4,
                    end: 7,
                    errors: 1
                },
            ]
        );
        // A long run of the pattern's only char: disjoint, deterministic matches.
        let text = vec!['a'; 10];
        let found = check_search(&text, &['a'; 3], 1);
        assert_eq!(found.len(), 3);
        assert!(found.iter().all(|x| x.errors == 0 && x.end - x.start == 3));
    }

    #[test]
    fn edge_inputs() {
        assert!(search(&[], &chars("abc"), 2).is_empty());
        assert!(search(&chars("abc"), &[], 2).is_empty());
        // Pattern longer than the text.
        let found = check_search(&chars("abc"), &chars("abcdef"), 3);
        assert_eq!(
            found,
            vec![Match {
                start: 0,
                end: 3,
                errors: 3
            }]
        );
        assert!(search(&chars("abc"), &chars("abcdef"), 2).is_empty());
        // max_errors >= m is capped at m - 1: no empty or wholly different matches.
        assert!(search(&chars("xyz"), &chars("ab"), 10).is_empty());
        let found = check_search(&chars("xbz"), &chars("ab"), 10);
        assert_eq!(found[0].errors, 1);
    }

    #[test]
    fn non_ascii_and_astral() {
        let text = chars("Ces 😀 émojis 👍🏽 et l’été à Tirana, Albanie");
        let found = check_search(&text, &chars("l'été à Tirana"), 2);
        assert_eq!(found[0].errors, 1);
        assert_eq!(
            text[found[0].start..found[0].end]
                .iter()
                .collect::<String>(),
            "l’été à Tirana"
        );
        let found = check_search(&text, &chars("👍🏿 et"), 1);
        assert_eq!(found[0].errors, 1);
        assert_eq!(
            text[found[0].start..found[0].end]
                .iter()
                .collect::<String>(),
            "👍🏽 et"
        );
        // Combining marks are chars: decomposed é is two chars from precomposed é.
        let text = chars("cafe\u{301} noir");
        let found = check_search(&text, &chars("café"), 2);
        assert_eq!(found[0].errors, 1);
    }

    #[test]
    fn distance_basics() {
        assert_eq!(distance(&chars("kitten"), &chars("sitting"), 10), Some(3));
        assert_eq!(distance(&chars("kitten"), &chars("sitting"), 3), Some(3));
        assert_eq!(distance(&chars("kitten"), &chars("sitting"), 2), None);
        assert_eq!(distance(&[], &chars("abc"), 3), Some(3));
        assert_eq!(distance(&[], &chars("abc"), 2), None);
        assert_eq!(distance(&chars("é😀"), &chars("e😀"), 1), Some(1));
        assert_eq!(distance(&[], &[], 0), Some(0));
        let long_a: Vec<char> = "ab".repeat(200).chars().collect();
        let long_b: Vec<char> = "ba".repeat(200).chars().collect();
        assert_eq!(distance(&long_a, &long_b, 400), Some(2));
        assert_eq!(distance(&long_a, &long_b, 1), None);
    }

    #[test]
    fn distance_matches_naive() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let alphabet = chars("ab😀é ");
        for _ in 0..400 {
            let la = rng.below(150);
            let a = rng.string(&alphabet, la);
            let b = if rng.below(2) == 0 {
                let edits = rng.below(20);
                rng.mutate(&a, &alphabet, edits)
            } else {
                let lb = rng.below(150);
                rng.string(&alphabet, lb)
            };
            let d = naive_distance(&a, &b);
            let limit = rng.below(d + 5);
            let want = (d <= limit).then_some(d);
            assert_eq!(distance(&a, &b, limit), want, "{a:?} {b:?} limit {limit}");
        }
    }

    #[test]
    fn scan_matches_naive_at_block_boundaries() {
        let mut rng = Rng(0x1234_5678_9ABC_DEF1);
        for &m in &[
            1usize, 2, 63, 64, 65, 127, 128, 129, 130, 191, 192, 193, 300,
        ] {
            for alphabet in [chars("ab"), chars("acgt"), chars("abcdefghij😀é")] {
                for round in 0..6 {
                    let pattern = rng.string(&alphabet, m);
                    let len = rng.below(200);
                    let mut text = rng.string(&alphabet, len);
                    // Plant mutated copies of the pattern so low distances occur.
                    for _ in 0..3 {
                        let edits = rng.below(m / 4 + 2);
                        text.extend(rng.mutate(&pattern, &alphabet, edits));
                        let gap = rng.below(100);
                        text.extend(rng.string(&alphabet, gap));
                    }
                    let k = match round {
                        0 => 0,
                        1 => 1,
                        2 => m / 10,
                        3 => m / 4,
                        4 => m / 2,
                        _ => m + 5,
                    };
                    check_scan(&text, &pattern, k);
                }
            }
        }
    }

    #[test]
    fn search_is_sound_on_random_inputs() {
        let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
        for &m in &[1usize, 5, 64, 65, 130, 300] {
            for alphabet in [chars("ab"), chars("abcdefgh é😀")] {
                for _ in 0..8 {
                    let pattern = rng.string(&alphabet, m);
                    let len = rng.below(300);
                    let mut text = rng.string(&alphabet, len);
                    for _ in 0..2 {
                        let edits = rng.below(m / 5 + 2);
                        text.extend(rng.mutate(&pattern, &alphabet, edits));
                        let gap = rng.below(200);
                        text.extend(rng.string(&alphabet, gap));
                    }
                    let k = rng.below(m / 3 + 2);
                    check_search(&text, &pattern, k);
                }
            }
        }
    }

    #[test]
    fn planted_copies_are_found() {
        let mut rng = Rng(0x0123_4567_89AB_CDEF);
        let alphabet = chars("abcdefghijklmnopqrstuvwxyz ,.éàè’");
        for &m in &[64usize, 65, 130, 300] {
            let pattern = rng.string(&alphabet, m);
            let mut text = rng.string(&alphabet, 500);
            let planted_at = text.len();
            text.extend(rng.mutate(&pattern, &alphabet, 3));
            let planted_end = text.len();
            text.extend(rng.string(&alphabet, 500));
            let found = check_search(&text, &pattern, m / 10);
            assert_eq!(found.len(), 1, "m={m}: {found:?}");
            assert!(found[0].errors <= 3);
            assert!(found[0].start.abs_diff(planted_at) <= 3);
            assert!(found[0].end.abs_diff(planted_end) <= 3);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        #[test]
        fn search_and_scan_agree_with_naive(
            text in proptest::collection::vec(proptest::sample::select(vec!['a', 'b', '😀']), 0..200),
            pattern in proptest::collection::vec(proptest::sample::select(vec!['a', 'b', '😀']), 1..140),
            k in 0usize..150,
        ) {
            check_scan(&text, &pattern, k);
            check_search(&text, &pattern, k);
        }
    }
}

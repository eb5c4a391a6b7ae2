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

use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use crate::anchor::fold;
use crate::anchor::fuzzy;
use crate::verdict::{Anchor, SourceText, Strategy, Verdict, anchor, max_errors};

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
/// Exact quotes shorter than this need their context to agree to be moved on exact search alone.
const SHORT_QUOTE: usize = 40;

/// An old text and a new one, prepared for re-anchoring many citations.
pub struct Reanchorer<'a> {
    pub old: SourceText<'a>,
    pub new: SourceText<'a>,
    old_lines: Vec<usize>,
    new_lines: Vec<usize>,
    line_ops: Vec<DiffOp>,
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

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

impl<'a> Reanchorer<'a> {
    pub fn new(old: &'a str, new: &'a str) -> Self {
        let deadline = Some(Instant::now() + DIFF_DEADLINE);
        let line_ops =
            capture_diff_slices_deadline(Algorithm::Myers, &lines(old), &lines(new), deadline);
        Reanchorer {
            old: SourceText::new(old),
            new: SourceText::new(new),
            old_lines: line_starts(old),
            new_lines: line_starts(new),
            line_ops,
        }
    }

    /// Map an old char range through the diff: where it is in the new text, and how many of
    /// its chars survived unchanged. `None` when the diff leaves nothing of it.
    pub fn map(&self, start: usize, end: usize) -> Option<(Range<usize>, usize)> {
        // The line ops overlapping [start, end), as old and new char windows.
        let mut window: Option<(Range<usize>, Range<usize>)> = None;
        for op in &self.line_ops {
            let (o, n) = (op.old_range(), op.new_range());
            let oc = self.old_lines[o.start]..self.old_lines[o.end.min(self.old_lines.len() - 1)];
            let nc = self.new_lines[n.start]..self.new_lines[n.end.min(self.new_lines.len() - 1)];
            let overlaps = oc.start < end && start < oc.end || (oc.is_empty() && oc.start == start);
            if !overlaps {
                continue;
            }
            if let DiffOp::Equal { .. } = op
                && oc.start <= start
                && end <= oc.end
            {
                // Entirely inside unchanged lines: a pure shift.
                let shift = nc.start as isize - oc.start as isize;
                let s = (start as isize + shift) as usize;
                let e = (end as isize + shift) as usize;
                return Some((s..e, end - start));
            }
            window = Some(match window {
                None => (oc, nc),
                Some((wo, wn)) => (wo.start..oc.end.max(wo.end), wn.start..nc.end.max(wn.end)),
            });
        }
        let (wo, wn) = window?;
        // Word diff inside the window: a character diff would match stray letters of a
        // replaced word ("Bledar Cuci" → "Edi Rama") and cut the passage mid-word.
        let old_chars = &self.old.chars()[wo.clone()];
        let new_chars = &self.new.chars()[wn.clone()];
        let (old_tok, old_at) = tokens(old_chars);
        let (new_tok, new_at) = tokens(new_chars);
        let deadline = Some(Instant::now() + DIFF_DEADLINE);
        let ops = capture_diff_slices_deadline(Algorithm::Myers, &old_tok, &new_tok, deadline);
        let (s, e) = (start - wo.start, end - wo.start);
        let mut new_start = None;
        let mut new_end = None;
        let mut equal = 0;
        for op in &ops {
            if matches!(op, DiffOp::Insert { .. }) {
                continue;
            }
            // Token ranges to char ranges (relative to the windows).
            let (ot, nt) = (op.old_range(), op.new_range());
            let o = old_at[ot.start]..old_at[ot.end];
            let n = new_at[nt.start]..new_at[nt.end];
            let lo = o.start.max(s);
            let hi = o.end.min(e);
            if lo >= hi {
                continue;
            }
            match op {
                DiffOp::Equal { .. } => {
                    equal += hi - lo;
                    new_start.get_or_insert(n.start + (lo - o.start));
                    new_end = Some(n.start + (hi - o.start));
                }
                _ => {
                    // Replaced or deleted words at the edges take the new words' place.
                    new_start.get_or_insert(n.start);
                    new_end = Some(n.end);
                }
            }
        }
        let (ns, ne) = (new_start?, new_end?);
        if equal == 0 || ne <= ns {
            return None;
        }
        Some(((wn.start + ns)..(wn.start + ne), equal))
    }

    /// Re-anchor a citation whose quote stood at `old` (the result of anchoring it in the old
    /// text) in the new text.
    pub fn reanchor(&self, quote: &str, span: Option<(usize, usize)>, old: &Anchor) -> Anchor {
        let base = Anchor {
            verdict: Verdict::Missing,
            found: None,
            candidates: Vec::new(),
            strategy: Strategy::None,
            errors: None,
            span_out_of_range: false,
        };
        // Only a citation that holds in the old text has a passage to follow.
        let Some((os, oe)) = old.found.filter(|_| old.verdict.holds()) else {
            return anchor(&self.new, quote, span);
        };
        let m = oe - os;
        // 1. Through the diff.
        if let Some((r, equal)) = self.map(os, oe)
            && equal as f64 >= PLACED_SHARE * m as f64
        {
            let text = self.new.text.slice(r.start, r.end).unwrap_or("");
            let found = Some((r.start, r.end));
            let verdict = if text == quote {
                match span {
                    Some(sp) if sp == (r.start, r.end) => Verdict::Ok,
                    Some(_) => Verdict::Moved,
                    // Still exact; it had no span and still has none.
                    None => Verdict::Unanchored,
                }
            } else if fold::is_folded_equal(text, quote) {
                Verdict::Typography
            } else {
                let (found, errors) = self.refine(quote, (r.start, r.end));
                // The old words may still stand elsewhere: name them, never pick them.
                let candidates = self.new.text.find_all(quote);
                return Anchor {
                    verdict: Verdict::Changed,
                    found: Some(found),
                    candidates,
                    strategy: Strategy::Diff,
                    errors,
                    ..base
                };
            };
            return Anchor {
                verdict,
                found,
                strategy: Strategy::Diff,
                ..base
            };
        }
        // 2. The diff cannot place it: exact search, context breaking ties.
        let exact = self.new.text.find_all(quote);
        if let Some(a) = self.pick_by_context(&exact, (os, oe), m < SHORT_QUOTE, &base) {
            return Anchor {
                strategy: if a.verdict == Verdict::Moved && exact.len() == 1 {
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
        let folded = self.new.folded();
        let fq = fold::fold(quote);
        if fq.len_chars() > 0 {
            let ft = crate::anchor::text::CharText::new(folded.as_str());
            let mut hits: Vec<(usize, usize)> = ft
                .find_all(fq.as_str())
                .into_iter()
                .map(|(s, e)| folded.original_range(s, e))
                .collect();
            hits.dedup();
            if let Some(a) = self.pick_by_context(&hits, (os, oe), m < SHORT_QUOTE, &base) {
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
        let new_len = self.new.text.len_chars().max(1) as f64;
        let good: Vec<fuzzy::Match> = fuzzy::search(self.new.chars(), &q, k)
            .into_iter()
            .filter(|c| (c.start as f64 / new_len - old_rel).abs() <= MAX_DISPLACEMENT)
            .filter(|c| self.context_agreement((os, oe), (c.start, c.end)) >= MIN_CONTEXT_AGREEMENT)
            .collect();
        let Some(best) = good.first() else {
            return base;
        };
        let ties: Vec<(usize, usize)> = good
            .iter()
            .filter(|c| c.errors == best.errors)
            .map(|c| (c.start, c.end))
            .collect();
        if ties.len() > 1 {
            return Anchor {
                verdict: Verdict::Ambiguous,
                candidates: ties,
                strategy: Strategy::Fuzzy,
                errors: Some(best.errors),
                ..base
            };
        }
        Anchor {
            verdict: Verdict::Changed,
            found: Some((best.start, best.end)),
            strategy: Strategy::Fuzzy,
            errors: Some(best.errors),
            ..base
        }
    }

    /// A diff may attach a character at an edited passage's edge to a neighbour (two edit
    /// scripts of equal length). Move each edge by up to 3 code points and keep the window
    /// closest to the quote; on a tie, the smallest move.
    fn refine(&self, quote: &str, (s, e): (usize, usize)) -> ((usize, usize), Option<usize>) {
        let q: Vec<char> = quote.chars().collect();
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
            let (a, b) = (&a[..n], &b[..n]);
            let d = fuzzy::distance(a, b, n).unwrap_or(n);
            1.0 - d as f64 / n as f64
        };
        sim(op, np, true).max(sim(osf, nsf, false))
    }

    /// Among hits, the one the old context singles out. One hit: moved, unless the quote is
    /// short and its context disagrees. Several: the best context agreement if it beats the
    /// second best clearly; else ambiguous. None: `None`.
    fn pick_by_context(
        &self,
        hits: &[(usize, usize)],
        old: (usize, usize),
        short: bool,
        base: &Anchor,
    ) -> Option<Anchor> {
        match hits {
            [] => None,
            [one] => {
                if short && self.context_agreement(old, *one) < MIN_CONTEXT_AGREEMENT {
                    // Short words in another context: another passage, not this one moved.
                    return Some(Anchor {
                        verdict: Verdict::Missing,
                        candidates: vec![*one],
                        ..base.clone()
                    });
                }
                Some(Anchor {
                    verdict: Verdict::Moved,
                    found: Some(*one),
                    ..base.clone()
                })
            }
            many => {
                let mut scored: Vec<(f64, (usize, usize))> = many
                    .iter()
                    .map(|h| (self.context_agreement(old, *h), *h))
                    .collect();
                scored.sort_by(|a, b| b.0.total_cmp(&a.0));
                let (best, second) = (scored[0].0, scored[1].0);
                if best >= MIN_CONTEXT_AGREEMENT && best - second >= 0.2 {
                    Some(Anchor {
                        verdict: Verdict::Moved,
                        found: Some(scored[0].1),
                        ..base.clone()
                    })
                } else {
                    Some(Anchor {
                        verdict: Verdict::Ambiguous,
                        candidates: many.to_vec(),
                        ..base.clone()
                    })
                }
            }
        }
    }
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
    fn edit_inside_a_long_paragraph_maps_by_characters() {
        let old = "A ".repeat(50) + "la victime avait 66 ans et vivait au camp." + &" B".repeat(50);
        let new = old.replace("66 ans", "65 ans").replace("A A A", "A Z A");
        let a = run(&old, &new, "la victime avait 66 ans");
        assert_eq!(a.verdict, Verdict::Changed);
        assert_eq!(at(&new, &a), "la victime avait 65 ans");
    }
}

//! What a correction changed: for a superseded capture, the word diff of the passages of the
//! capture that replaced it that touch a cited passage, so that a reader of the report sees
//! what the outlet's edit did to the evidence, not only that there was one.
//!
//! The texts are compared line by line (a snapshot's line is a paragraph, usually), then each
//! changed run of lines that overlaps a passage cited in either text is compared word by word.
//! Long unchanged stretches are cut to a few words around the edit. Deterministic: no time
//! limit, so the same texts always give the same changes; texts too large to compare within a
//! bound are not compared (and the report says so).

use serde::Serialize;
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};

/// Texts larger than this (in bytes, both together) are not compared.
pub const MAX_COMPARED: usize = 4 << 20;
/// A changed run of lines longer than this (in bytes, both sides) is compared line by line
/// only, not word by word.
const MAX_WORD_DIFF: usize = 64 << 10;
/// At most this many changes are listed per capture; the others are counted.
const MAX_CHANGES: usize = 10;
/// Code points of unchanged text kept next to an edit.
const KEEP: usize = 60;

/// One piece of a word diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// `same`, `removed` or `added`.
    pub kind: &'static str,
    pub text: String,
}

/// What one capture's successor changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// The changes that touch a cited passage (at most 10), each as a word diff.
    pub cited: Vec<Vec<Segment>>,
    /// Further changes that touch a cited passage, beyond those listed.
    pub cited_more: usize,
    /// Changes that touch no cited passage.
    pub elsewhere: usize,
    /// The texts were too large to compare (or one could not be read).
    pub not_compared: bool,
}

/// Code-point offset of the start of each line of `text`, and of its end.
fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    let mut n = 0;
    for c in text.chars() {
        n += 1;
        if c == '\n' {
            v.push(n);
        }
    }
    if v.last() != Some(&n) {
        v.push(n);
    }
    v
}

/// Do the code points `[a, b)` touch any of `spans`? An insertion (`a == b`) touches a span it
/// falls inside.
fn touches(spans: &[(usize, usize)], a: usize, b: usize) -> bool {
    spans.iter().any(|&(s, e)| {
        if a == b {
            s < a && a < e
        } else {
            s < b && a < e
        }
    })
}

/// `text` cut to `KEEP` code points at its start (`keep_start`) or its end, at a word.
fn cut(text: &str, keep_start: bool) -> String {
    let n = text.chars().count();
    if n <= KEEP {
        return text.to_string();
    }
    if keep_start {
        let head: String = text.chars().take(KEEP).collect();
        let head = head.rsplit_once(' ').map_or(head.as_str(), |(h, _)| h);
        format!("{head} …")
    } else {
        let tail: String = text.chars().skip(n - KEEP).collect();
        let tail = tail.split_once(' ').map_or(tail.as_str(), |(_, t)| t);
        format!("… {tail}")
    }
}

/// The word diff of `old` → `new`, unchanged stretches cut around the edits.
fn word_diff(old: &str, new: &str) -> Vec<Segment> {
    let mut raw: Vec<Segment> = Vec::new();
    if old.len() + new.len() > MAX_WORD_DIFF {
        raw.push(Segment {
            kind: "removed",
            text: old.to_string(),
        });
        raw.push(Segment {
            kind: "added",
            text: new.to_string(),
        });
    } else {
        let diff = TextDiff::configure()
            .algorithm(Algorithm::Patience)
            .diff_unicode_words(old, new);
        for change in diff.iter_all_changes() {
            let kind = match change.tag() {
                ChangeTag::Equal => "same",
                ChangeTag::Delete => "removed",
                ChangeTag::Insert => "added",
            };
            match raw.last_mut() {
                Some(last) if last.kind == kind => last.text.push_str(change.value()),
                _ => raw.push(Segment {
                    kind,
                    text: change.value().to_string(),
                }),
            }
        }
    }
    let last = raw.len().saturating_sub(1);
    raw.into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            if s.kind == "same" {
                s.text = match (i == 0, i == last) {
                    (true, true) => s.text,
                    (true, false) => cut(&s.text, false),
                    (false, true) => cut(&s.text, true),
                    (false, false) if s.text.chars().count() > 2 * KEEP + 20 => {
                        let tail = cut(&s.text, false);
                        format!(
                            "{}{}",
                            cut(&s.text, true),
                            tail.strip_prefix('…').unwrap_or(&tail)
                        )
                    }
                    (false, false) => s.text,
                };
            }
            s
        })
        .collect()
}

/// What `new` changed of `old`: the changes that touch `cited_old` (code-point spans in
/// `old`) or `cited_new` (in `new`), as word diffs, and how many others there are.
pub fn changes(
    old: &str,
    new: &str,
    cited_old: &[(usize, usize)],
    cited_new: &[(usize, usize)],
) -> Changes {
    if old.len() + new.len() > MAX_COMPARED {
        return Changes {
            not_compared: true,
            ..Changes::default()
        };
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_lines(old, new);
    let (old_lines, new_lines) = (line_starts(old), line_starts(new));
    let at = |starts: &[usize], line: usize| {
        starts
            .get(line)
            .or(starts.last())
            .copied()
            .unwrap_or_default()
    };
    let mut out = Changes::default();
    for op in diff.ops() {
        if matches!(op, DiffOp::Equal { .. }) {
            continue;
        }
        let (o, n) = (op.old_range(), op.new_range());
        let (oa, ob) = (at(&old_lines, o.start), at(&old_lines, o.end));
        let (na, nb) = (at(&new_lines, n.start), at(&new_lines, n.end));
        if !(touches(cited_old, oa, ob) || touches(cited_new, na, nb)) {
            out.elsewhere += 1;
            continue;
        }
        if out.cited.len() == MAX_CHANGES {
            out.cited_more += 1;
            continue;
        }
        let text = |t: &str, a: usize, b: usize| -> String {
            t.chars().skip(a).take(b - a).collect::<String>()
        };
        let (before, after) = (text(old, oa, ob), text(new, na, nb));
        out.cited
            .push(word_diff(before.trim_end(), after.trim_end()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| match s.kind {
                "removed" => format!("[-{}-]", s.text),
                "added" => format!("{{+{}+}}", s.text),
                _ => s.text.clone(),
            })
            .collect()
    }

    #[test]
    fn a_correction_of_a_cited_passage_is_shown_word_by_word() {
        let old =
            "Titre\n\nLa victime avait 66 ans, selon la police.\nMilieu.\nAutre chose.\nFin.\n";
        let new = "Titre\n\nLa victime avait 65 ans, selon la police.\nMilieu.\nAutre chose, corrigée.\nFin.\n";
        // The quote "66 ans" is at code points 24..30 of the old text.
        let c = changes(old, new, &[(24, 30)], &[]);
        assert_eq!(c.cited.len(), 1);
        assert_eq!(
            shown(&c.cited[0]),
            "La victime avait [-66-]{+65+} ans, selon la police."
        );
        assert_eq!(c.elsewhere, 1);
        // Cited in the new text only (a citation of the current capture).
        let c = changes(old, new, &[], &[(24, 30)]);
        assert_eq!(c.cited.len(), 1);
        // Nothing cited: every change is elsewhere.
        let c = changes(old, new, &[], &[]);
        assert!(c.cited.is_empty());
        assert_eq!(c.elsewhere, 2);
    }

    #[test]
    fn long_unchanged_stretches_are_cut_around_the_edit() {
        let words = "mot ".repeat(60);
        let old = format!("{words}avant {words}\n");
        let new = format!("{words}après {words}\n");
        let c = changes(&old, &new, &[(0, 10)], &[]);
        let s = shown(&c.cited[0]);
        assert!(s.starts_with("… mot"), "{s}");
        assert!(s.ends_with("mot …"), "{s}");
        assert!(s.contains("[-avant-]{+après+}"), "{s}");
        assert!(s.chars().count() < 200, "{s}");
    }

    #[test]
    fn an_insertion_inside_a_cited_passage_touches_it() {
        let old = "Un.\nDeux.\n";
        let new = "Un.\nNouveau.\nDeux.\n";
        // "Un.\nDeux." cited whole: the new line falls inside it.
        let c = changes(old, new, &[(0, 9)], &[]);
        assert_eq!(c.cited.len(), 1, "{c:?}");
        assert_eq!(shown(&c.cited[0]), "{+Nouveau.+}");
    }
}

//! Property tests of re-anchoring (issue #4): random texts (ASCII, French, emoji and other
//! astral characters, combining marks, line breaks, no-break spaces), random quote spans and
//! random edit scripts never produce a silent wrong anchor:
//! - `ok` or `moved`: the new text at `found` is the quote, exactly (`ok`: at the old offsets);
//! - `typography`: the new text at `found` equals the quote after folding typography;
//! - an unchanged text gives `ok` at the old offsets;
//! - typography-only edits (no-break spaces, line ends) never give `changed` or `missing`.
//!
//! 256 cases per property by default (`PROPTEST_CASES` overrides it).

use proptest::prelude::*;

use prov::anchor::fold::is_folded_equal;
use prov::reanchor::Reanchorer;
use prov::verdict::{Anchor, Verdict, anchor};

const WORDS: &[&str] = &[
    "the",
    "police",
    "said",
    "on",
    "Tuesday",
    "that",
    "a",
    "man",
    "was",
    "arrested",
    "66",
    "65",
    "ans",
    "la",
    "victime",
    "avait",
    "été",
    "à",
    "l’Iran",
    "déjà",
    "garçon",
    "Œuvre",
    "«",
    "»",
    "—",
    "…",
    "café",
    "cafe\u{301}",
    "Rene\u{301}",
    "😀",
    "👍🏽",
    "🇫🇷",
    "𝔘𝔫𝔢",
    "𝕏",
    "Tirana",
    "Kaboul",
    "2026",
    "l'été",
    "mardi",
    "mercredi",
];
const SEPARATORS: &[&str] = &[
    " ", " ", " ", " ", ", ", ". ", "\n", "\n\n", "\u{a0}", "\r\n",
];

/// A random text: words from [`WORDS`] joined by separators from [`SEPARATORS`].
fn text(max_words: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(WORDS),
            prop::sample::select(SEPARATORS),
        ),
        1..max_words,
    )
    .prop_map(|parts| {
        let mut s = String::new();
        for (w, sep) in parts {
            s.push_str(w);
            s.push_str(sep);
        }
        s
    })
}

/// One edit; positions are fractions of the current length, so they shrink well.
#[derive(Debug, Clone)]
enum Edit {
    Insert {
        at: f64,
        block: String,
    },
    Delete {
        at: f64,
        len: usize,
    },
    Replace {
        at: f64,
        len: usize,
        block: String,
    },
    Move {
        at: f64,
        len: usize,
        to: f64,
    },
    /// Swap the `nth` (modulo their count) space for U+00A0, or U+00A0 for a space.
    Nbsp {
        nth: usize,
    },
    /// Turn the `nth` `\n` into `\r\n`, or a `\r\n` into `\n`.
    LineEnd {
        nth: usize,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..=1.0f64;
    prop_oneof![
        (at.clone(), text(8)).prop_map(|(at, block)| Edit::Insert { at, block }),
        (at.clone(), 1usize..60).prop_map(|(at, len)| Edit::Delete { at, len }),
        (at.clone(), 1usize..30, text(5)).prop_map(|(at, len, block)| Edit::Replace {
            at,
            len,
            block
        }),
        (at.clone(), 1usize..80, at).prop_map(|(at, len, to)| Edit::Move { at, len, to }),
        any::<usize>().prop_map(|nth| Edit::Nbsp { nth }),
        any::<usize>().prop_map(|nth| Edit::LineEnd { nth }),
    ]
}

fn index(at: f64, len: usize) -> usize {
    ((at * len as f64) as usize).min(len)
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut c: Vec<char> = text.chars().collect();
    for e in edits {
        match e {
            Edit::Insert { at, block } => {
                let i = index(*at, c.len());
                c.splice(i..i, block.chars());
            }
            Edit::Delete { at, len } => {
                let i = index(*at, c.len());
                let j = (i + len).min(c.len());
                c.drain(i..j);
            }
            Edit::Replace { at, len, block } => {
                let i = index(*at, c.len());
                let j = (i + len).min(c.len());
                c.splice(i..j, block.chars());
            }
            Edit::Move { at, len, to } => {
                let i = index(*at, c.len());
                let j = (i + len).min(c.len());
                let block: Vec<char> = c.drain(i..j).collect();
                let k = index(*to, c.len());
                c.splice(k..k, block);
            }
            Edit::Nbsp { nth } => {
                let at: Vec<usize> = (0..c.len())
                    .filter(|&i| c[i] == ' ' || c[i] == '\u{a0}')
                    .collect();
                if !at.is_empty() {
                    let i = at[nth % at.len()];
                    c[i] = if c[i] == ' ' { '\u{a0}' } else { ' ' };
                }
            }
            Edit::LineEnd { nth } => {
                let at: Vec<usize> = (0..c.len()).filter(|&i| c[i] == '\n').collect();
                if !at.is_empty() {
                    let i = at[nth % at.len()];
                    if i > 0 && c[i - 1] == '\r' {
                        c.remove(i - 1);
                    } else {
                        c.insert(i, '\r');
                    }
                }
            }
        }
    }
    c.into_iter().collect()
}

/// Code points `[s, e)` of `chars`, as a string.
fn slice(chars: &[char], (s, e): (usize, usize)) -> String {
    chars[s..e].iter().collect()
}

/// Quote spans from fractions: start and length (1 to 120 code points), clamped to the text.
fn spans(len: usize, raw: &[(f64, usize)]) -> Vec<(usize, usize)> {
    raw.iter()
        .filter_map(|&(at, n)| {
            let s = index(at, len.saturating_sub(1));
            let e = (s + n).min(len);
            (s < e).then_some((s, e))
        })
        .collect()
}

/// `span` without the whitespace at its edges (`None` if nothing is left): quotes as editors
/// cut them.
fn trimmed(chars: &[char], (mut s, mut e): (usize, usize)) -> Option<(usize, usize)> {
    while s < e && chars[s].is_whitespace() {
        s += 1;
    }
    while e > s && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    (s < e).then_some((s, e))
}

/// Re-anchor the quote at `span` of `old` in `new`, and check what the verdict promises (the
/// promise of `typography` only when `typography` is set).
fn check(
    r: &Reanchorer<'_>,
    old: &[char],
    new: &[char],
    span: (usize, usize),
    typography: bool,
) -> Anchor {
    let quote = slice(old, span);
    let a_old = anchor(&r.old, &quote, Some(span));
    assert_eq!(a_old.verdict, Verdict::Ok, "old anchor of {quote:?}");
    let a = r.reanchor(&quote, a_old.found, &a_old);
    if let Some((s, e)) = a.found {
        assert!(
            s <= e && e <= new.len(),
            "{quote:?}: found out of range {a:?}"
        );
    }
    let at = a.found.map(|f| slice(new, f));
    match a.verdict {
        Verdict::Ok => {
            assert_eq!(a.found, Some(span), "{quote:?}: ok keeps the span: {a:?}");
            assert_eq!(at.as_deref(), Some(quote.as_str()), "{quote:?}: {a:?}");
        }
        Verdict::Moved => {
            assert_eq!(
                at.as_deref(),
                Some(quote.as_str()),
                "silent wrong anchor: {a:?}"
            );
        }
        Verdict::Typography if typography => {
            assert!(
                at.as_deref().is_some_and(|t| is_folded_equal(t, &quote)),
                "typography, yet {at:?} does not fold to {quote:?}: {a:?}"
            );
        }
        Verdict::Typography => {}
        Verdict::Changed => assert!(a.found.is_some(), "{quote:?}: {a:?}"),
        Verdict::Ambiguous => {
            assert!(
                a.found.is_none() && a.candidates.len() >= 2,
                "{quote:?}: {a:?}"
            );
        }
        Verdict::Missing => assert!(a.found.is_none(), "{quote:?}: {a:?}"),
        Verdict::Unanchored => panic!("{quote:?}: re-anchoring never says unanchored"),
    }
    a
}

proptest! {
    // 256 cases (or `PROPTEST_CASES`), from a fixed seed so CI is deterministic (set
    // `PROPTEST_RNG_SEED` to explore); failures are reported, not saved to a file.
    // `typography_only_edits_are_never_changed_or_missing` also passed 5 × 20,000 cases (seeds
    // 1 to 5) when whitespace left the word diff and blank lines stopped splitting hunks.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_0f9e_0f00),
        ..ProptestConfig::default()
    })]

    /// `ok`/`moved` only at the exact quote; every verdict's shape holds.
    #[test]
    fn random_edits_never_anchor_silently_wrong(
        old in text(120),
        raw_spans in prop::collection::vec((0.0..=1.0f64, 1usize..120), 1..6),
        edits in prop::collection::vec(edit(), 0..6),
    ) {
        let new = apply(&old, &edits);
        let r = Reanchorer::new(&old, &new);
        let old_chars: Vec<char> = old.chars().collect();
        let new_chars: Vec<char> = new.chars().collect();
        for span in spans(old_chars.len(), &raw_spans) {
            check(&r, &old_chars, &new_chars, span, false);
        }
    }

    /// `typography` only where the new text at `found` folds to the quote.
    #[test]
    fn random_edits_typography_is_folded_equal(
        old in text(120),
        raw_spans in prop::collection::vec((0.0..=1.0f64, 1usize..120), 1..6),
        edits in prop::collection::vec(edit(), 0..6),
    ) {
        let new = apply(&old, &edits);
        let r = Reanchorer::new(&old, &new);
        let old_chars: Vec<char> = old.chars().collect();
        let new_chars: Vec<char> = new.chars().collect();
        for span in spans(old_chars.len(), &raw_spans) {
            check(&r, &old_chars, &new_chars, span, true);
        }
    }

    #[test]
    fn unchanged_text_is_ok(
        old in text(120),
        raw_spans in prop::collection::vec((0.0..=1.0f64, 1usize..120), 1..6),
    ) {
        let r = Reanchorer::new(&old, &old);
        let chars: Vec<char> = old.chars().collect();
        for span in spans(chars.len(), &raw_spans) {
            let a = check(&r, &chars, &chars, span, true);
            prop_assert_eq!(a.verdict, Verdict::Ok);
        }
    }

    /// Typography-only edits: every quote is still there, exactly or after folding, so it is
    /// never `changed` or `missing`. (A quote that starts or ends inside a changed whitespace
    /// run, such as the `\r` of a `\r\n`, is not a passage anyone cites: spans are trimmed.)
    #[test]
    fn typography_only_edits_are_never_changed_or_missing(
        old in text(80),
        raw_spans in prop::collection::vec((0.0..=1.0f64, 1usize..120), 1..6),
        swaps in prop::collection::vec(
            prop_oneof![
                any::<usize>().prop_map(|nth| Edit::Nbsp { nth }),
                any::<usize>().prop_map(|nth| Edit::LineEnd { nth }),
            ],
            1..4,
        ),
    ) {
        let new = apply(&old, &swaps);
        let r = Reanchorer::new(&old, &new);
        let old_chars: Vec<char> = old.chars().collect();
        let new_chars: Vec<char> = new.chars().collect();
        for span in spans(old_chars.len(), &raw_spans)
            .into_iter()
            .filter_map(|s| trimmed(&old_chars, s))
        {
            let a = check(&r, &old_chars, &new_chars, span, true);
            prop_assert!(
                matches!(
                    a.verdict,
                    Verdict::Ok | Verdict::Moved | Verdict::Typography | Verdict::Ambiguous
                ),
                "{:?} in {:?} → {:?}: {:?}",
                slice(&old_chars, span),
                old,
                new,
                a
            );
        }
    }
}

#[test]
fn edit_scripts_apply_as_described() {
    let old = "ab cd\nef";
    assert_eq!(
        apply(
            old,
            &[Edit::Insert {
                at: 0.0,
                block: "X ".into()
            }]
        ),
        "X ab cd\nef"
    );
    assert_eq!(apply(old, &[Edit::Delete { at: 0.5, len: 2 }]), "ab cef");
    assert_eq!(
        apply(
            old,
            &[Edit::Move {
                at: 0.0,
                len: 3,
                to: 1.0
            }]
        ),
        "cd\nefab "
    );
    assert_eq!(apply(old, &[Edit::Nbsp { nth: 0 }]), "ab\u{a0}cd\nef");
    assert_eq!(apply(old, &[Edit::LineEnd { nth: 0 }]), "ab cd\r\nef");
    assert_eq!(
        apply("a\r\nb", &[Edit::LineEnd { nth: 0 }]),
        "a\nb",
        "and back"
    );
}

// ── Issue #16: the categories, on news-like sentences ──────────────────────────────────────

const NEWS: &[&str] = &[
    "ministre",
    "police",
    "Tirana",
    "camp",
    "résidents",
    "enquête",
    "juge",
    "procureur",
    "gouvernement",
    "ambassade",
    "victime",
    "témoin",
    "convoi",
    "réfugiés",
    "secours",
    "armée",
    "déclaré",
    "annoncé",
    "confirmé",
    "démenti",
    "arrêté",
    "blessés",
    "évacué",
    "fouillé",
    "mardi",
    "mercredi",
    "jeudi",
    "samedi",
    "l’aube",
    "soir",
    "Iran",
    "Albanie",
    "Kaboul",
    "selon",
    "après",
    "avant",
    "pendant",
    "contre",
    "depuis",
    "plusieurs",
    "centaine",
];

/// `n` distinct sentences of 8 to 13 words (no word twice), each with a number of its own.
fn sentences(n: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        (
            prop::sample::subsequence(NEWS.to_vec(), 7..12).prop_shuffle(),
            10u32..99,
        ),
        n,
    )
    .prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (words, num))| {
                let mut s = String::from("Le ");
                s.push_str(&words[..words.len() / 2].join(" "));
                s.push_str(&format!(" {} ({}) ", num * 100 + i as u32, i));
                s.push_str(&words[words.len() / 2..].join(" "));
                s.push('.');
                s
            })
            .collect()
    })
}

/// Paragraphs joined by blank lines.
fn doc(paragraphs: &[String]) -> String {
    paragraphs.join("\n\n") + "\n"
}

fn reanchored(old: &str, new: &str, quote: &str) -> (Anchor, Vec<char>) {
    let r = Reanchorer::new(old, new);
    let a_old = anchor(&r.old, quote, None);
    assert_eq!(
        a_old.verdict,
        Verdict::Unanchored,
        "{quote:?} once in the old text"
    );
    (
        r.reanchor(quote, a_old.found, &a_old),
        new.chars().collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1606),
        ..ProptestConfig::default()
    })]

    /// A sentence moved unchanged, other sentences edited, deleted or moved around it: `ok`
    /// or `moved`, at the exact sentence.
    #[test]
    fn a_still_exact_sentence_is_placed_exactly(
        ps in sentences(12),
        cited in 0usize..12,
        to in 0usize..12,
        edited in prop::collection::vec((0usize..12, 0usize..6), 0..4),
        deleted in prop::option::of(0usize..12),
    ) {
        let quote = ps[cited].clone();
        let mut new = ps.clone();
        for &(i, w) in &edited {
            if i != cited {
                let words: Vec<&str> = new[i].split(' ').collect();
                let mut words: Vec<String> = words.iter().map(|s| s.to_string()).collect();
                let k = 1 + w % (words.len() - 1);
                words[k] = "modifié".into();
                new[i] = words.join(" ");
            }
        }
        let moved = new.remove(cited);
        new.insert(to.min(new.len()), moved);
        if let Some(d) = deleted.filter(|&d| d < new.len() && new[d] != quote) {
            new.remove(d);
        }
        let (old, new) = (doc(&ps), doc(&new));
        let (a, chars) = reanchored(&old, &new, &quote);
        prop_assert!(matches!(a.verdict, Verdict::Ok | Verdict::Moved), "{a:?}");
        let (s, e) = a.found.unwrap();
        prop_assert_eq!(chars[s..e].iter().collect::<String>(), quote);
    }

    /// A sentence moved to another paragraph (anywhere) and lightly edited (its number, or a
    /// word in or out): `changed` at its new place, covering the edit.
    #[test]
    fn a_moved_and_lightly_edited_sentence_is_changed_where_it_went(
        ps in sentences(12),
        cited in 0usize..12,
        into in 0usize..11,
        how in 0usize..3,
    ) {
        let quote = ps[cited].clone();
        let edited = match how {
            0 => quote.replacen(&format!("{} (", quote.split(' ').find(|w| w.parse::<u32>().is_ok()).unwrap_or("")), "7 (", 1),
            1 => quote.replacen("Le ", "Le nouveau ", 1),
            _ => quote.replacen(" (", " environ (", 1),
        };
        prop_assume!(edited != quote);
        let mut new: Vec<String> = ps.clone();
        new.remove(cited);
        let host = into.min(new.len() - 1);
        new[host] = format!("{} {}", new[host], edited);
        let (old, new) = (doc(&ps), doc(&new));
        let (a, chars) = reanchored(&old, &new, &quote);
        prop_assert_eq!(a.verdict, Verdict::Changed, "{:?}", a);
        let (s, e) = a.found.unwrap();
        let at: String = chars[s..e].iter().collect();
        let start = new.find(&edited).map(|b| new[..b].chars().count()).unwrap();
        let end = start + edited.chars().count();
        // At the edited sentence, whole words, the edit inside.
        prop_assert!(s >= start.saturating_sub(3) && e <= end + 3 && s < e, "{:?} vs {:?}", at, edited);
        prop_assert!(edited.contains(at.trim()), "{:?} vs {:?}", at, edited);
    }

    /// A deleted sentence, nothing like it left: `missing`.
    #[test]
    fn a_deleted_sentence_is_missing(ps in sentences(12), cited in 0usize..12) {
        let quote = ps[cited].clone();
        let mut new = ps.clone();
        new.remove(cited);
        let (old, new) = (doc(&ps), doc(&new));
        let (a, _) = reanchored(&old, &new, &quote);
        prop_assert_eq!(a.verdict, Verdict::Missing, "{:?}", a);
    }
}

// ── Issue #16, follow-up: identical lines told apart by their neighbours ─────────────────────

/// Headings of a terms-of-service page, each distinct.
const HEADINGS: &[&str] = &[
    "Trials",
    "User guidelines",
    "Brand accounts",
    "Export control and sanctions",
    "Infringement claims",
    "Warranty disclaimers",
    "Third party rights",
    "Indemnification",
    "Entire agreement",
    "Severability and waiver",
    "Assignment",
    "Changes",
];

/// A Markdown page: sections of a heading, its underline (a rule of `-`: all of one length, or
/// each as long as its heading) and a paragraph.
fn page(
    sections: &[(String, String)],
    same_length: Option<usize>,
) -> (String, Vec<(usize, usize)>) {
    let mut s = String::from("Terms of Use\n============\n\n");
    let mut rules = Vec::new();
    for (heading, paragraph) in sections {
        s.push_str(heading);
        s.push('\n');
        let n = same_length.unwrap_or(heading.chars().count());
        let at = s.chars().count();
        rules.push((at, at + n));
        s.push_str(&"-".repeat(n));
        s.push_str("\n\n");
        s.push_str(paragraph);
        s.push_str("\n\n");
    }
    (s, rules)
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1616),
        ..ProptestConfig::default()
    })]

    /// The underline of a heading, the same rule standing under other headings: when its
    /// heading is still there (the sections reordered, others edited, renamed or deleted), it
    /// is `ok` or `moved` at the rule under that heading; never at another rule.
    #[test]
    fn a_rule_under_a_kept_heading_is_placed_under_that_heading(
        ps in sentences(12),
        n in 4usize..12,
        cited in 0usize..12,
        to in 0usize..12,
        same_length in prop::option::of(20usize..60),
        edited in prop::collection::vec((0usize..12, 0usize..6), 0..4),
        renamed in prop::option::of(0usize..12),
        deleted in prop::option::of(0usize..12),
    ) {
        let cited = cited % n;
        let old_sections: Vec<(String, String)> =
            (0..n).map(|i| (HEADINGS[i].to_string(), ps[i].clone())).collect();
        let (old, old_rules) = page(&old_sections, same_length);
        let mut new_sections = old_sections.clone();
        for &(i, w) in &edited {
            let i = i % n;
            let mut words: Vec<String> = new_sections[i].1.split(' ').map(String::from).collect();
            let k = 1 + w % (words.len() - 1);
            words[k] = "modifié".into();
            new_sections[i].1 = words.join(" ");
        }
        if let Some(r) = renamed.map(|r| r % n).filter(|&r| r != cited) {
            new_sections[r].0.push_str(" (updated)");
        }
        let kept = new_sections.remove(cited);
        let heading = kept.0.clone();
        new_sections.insert(to.min(new_sections.len()), kept);
        if let Some(d) = deleted.map(|d| d % new_sections.len())
            && new_sections[d].0 != heading
        {
            new_sections.remove(d);
        }
        let (new, new_rules) = page(&new_sections, same_length);
        let want = new_sections
            .iter()
            .position(|(h, _)| *h == heading)
            .map(|i| new_rules[i]);
        let r = Reanchorer::new(&old, &new);
        let span = old_rules[cited];
        let old_chars: Vec<char> = old.chars().collect();
        let quote = slice(&old_chars, span);
        let a_old = anchor(&r.old, &quote, Some(span));
        prop_assert_eq!(a_old.verdict, Verdict::Ok);
        let a = r.reanchor(&quote, a_old.found, &a_old);
        prop_assert!(matches!(a.verdict, Verdict::Ok | Verdict::Moved), "{:?}\n{}", a, new);
        prop_assert_eq!(a.found, want, "{}", new);
    }
}

//! Re-anchoring on real revisions (issue #4): sentences of an early version of a real document,
//! cited and re-anchored in a later version. The texts are in `tests/data/revisions` (see its
//! README for their origin and licences).
//!
//! Invariants asserted on every case:
//! - (a) `ok`/`moved` only where the new text at `found` is the quote, exactly;
//! - (b) a quote that occurs exactly once in the new text is found there: `ok`/`moved` at that
//!   occurrence, or `changed`/`ambiguous` with that occurrence among the candidates (never lost);
//! - (c) a passage with nothing left of it (no word of 4+ letters of the quote occurs in the new
//!   text) is `missing`.
//!
//! The counts per verdict per pair are printed: `cargo test --test reanchor_revisions --
//! --nocapture`.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

mod common;
use common::sentences::{sentences, spread};

use prov::reanchor::Reanchorer;
use prov::verdict::{Verdict, anchor};

const DOCUMENTS: [&str; 4] = [
    "github-privacy",
    "bluesky-terms",
    "parler-community",
    "spotify-terms",
];
const PAIRS: [(&str, &str); 3] = [("v01", "v03"), ("v03", "v06"), ("v01", "v06")];
/// Citations per pair, spread evenly over the old version's sentences.
const PER_PAIR: usize = 150;

fn read(doc: &str, version: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/data/revisions",
        doc,
        &format!("{version}.md"),
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn slice(chars: &[char], (s, e): (usize, usize)) -> String {
    chars[s..e].iter().collect()
}

/// Lower-cased words (runs of letters) of a text.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

#[derive(Default)]
struct Tally {
    verdicts: BTreeMap<&'static str, usize>,
    /// Unique in the new text, not found there but listed as a candidate.
    listed: usize,
    /// Cases where invariant (c) applied.
    nothing_left: usize,
    cases: usize,
}

#[test]
fn real_revisions_keep_the_invariants() {
    let mut failures = Vec::new();
    let mut total = Tally::default();
    eprintln!(
        "{:<17} {:<8} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} | {:>6} {:>7}",
        "document",
        "pair",
        "cases",
        "ok",
        "moved",
        "typo",
        "chgd",
        "ambig",
        "miss",
        "listed",
        "nothing"
    );
    for doc in DOCUMENTS {
        for (from, to) in PAIRS {
            let (old, new) = (read(doc, from), read(doc, to));
            let r = Reanchorer::new(&old, &new);
            let old_chars: Vec<char> = old.chars().collect();
            let new_chars: Vec<char> = new.chars().collect();
            let new_words: HashSet<String> = words(&new).collect();
            let mut tally = Tally::default();
            for span in spread(&sentences(&old), PER_PAIR) {
                let quote = slice(&old_chars, span);
                let case = format!("{doc} {from}→{to} {span:?} {quote:?}");
                let a_old = anchor(&r.old, &quote, Some(span));
                assert_eq!(a_old.verdict, Verdict::Ok, "{case}");
                let a = r.reanchor(&quote, a_old.found, &a_old);
                tally.cases += 1;
                *tally.verdicts.entry(a.verdict.as_str()).or_default() += 1;
                let text = a.found.map(|f| slice(&new_chars, f));
                // (a) no silent wrong anchor.
                if a.verdict.holds() && text.as_deref() != Some(quote.as_str()) {
                    failures.push(format!("(a) {case}: {a:?} text {text:?}"));
                }
                // (b) a unique exact occurrence is never lost.
                let exact = r.new.text.find_all(&quote);
                if let [only] = exact.as_slice() {
                    match a.verdict {
                        Verdict::Ok | Verdict::Moved if a.found == Some(*only) => {}
                        Verdict::Changed | Verdict::Ambiguous if a.candidates.contains(only) => {
                            tally.listed += 1;
                        }
                        _ => failures.push(format!("(b) {case}: exact at {only:?}, got {a:?}")),
                    }
                }
                // (c) nothing left: missing.
                let long: Vec<String> = words(&quote).filter(|w| w.chars().count() >= 4).collect();
                if !long.is_empty() && long.iter().all(|w| !new_words.contains(w)) {
                    tally.nothing_left += 1;
                    if a.verdict != Verdict::Missing {
                        failures.push(format!("(c) {case}: nothing left, got {a:?}"));
                    }
                }
            }
            let v = |k: &str| tally.verdicts.get(k).copied().unwrap_or(0);
            eprintln!(
                "{:<17} {:<8} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} | {:>6} {:>7}",
                doc,
                format!("{from}→{to}"),
                tally.cases,
                v("ok"),
                v("moved"),
                v("typography"),
                v("changed"),
                v("ambiguous"),
                v("missing"),
                tally.listed,
                tally.nothing_left
            );
            assert!(tally.cases >= 20, "{doc} {from}→{to}: too few sentences");
            for (k, n) in tally.verdicts {
                *total.verdicts.entry(k).or_default() += n;
            }
            total.cases += tally.cases;
            total.listed += tally.listed;
            total.nothing_left += tally.nothing_left;
        }
    }
    eprintln!(
        "total: {} cases, {:?}; unique exact occurrence listed but not picked: {}; nothing left: {}",
        total.cases, total.verdicts, total.listed, total.nothing_left
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases break an invariant:\n{}",
        failures.len(),
        total.cases,
        failures.join("\n")
    );
}

#[test]
fn sentence_split_and_spread_are_deterministic() {
    let text = "Short.\nThis is the first sentence of the test, long enough. And a second one, long \
                enough too! Tiny? Yes.\nA last line without a final stop that is long enough";
    let chars: Vec<char> = text.chars().collect();
    let got: Vec<String> = sentences(text).iter().map(|&s| slice(&chars, s)).collect();
    assert_eq!(
        got,
        [
            "This is the first sentence of the test, long enough.",
            "And a second one, long enough too!",
            "A last line without a final stop that is long enough",
        ]
    );
    assert_eq!(spread(&[1, 2, 3, 4, 5, 6], 3), [1, 3, 5]);
    assert_eq!(spread(&[1, 2], 3), [1, 2]);
}

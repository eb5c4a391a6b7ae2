//! The span/quote verifier (`prov::verdict::anchor`) on arbitrary text, quote and span. It must
//! not panic, and it must never accept a quote that is not byte-exact:
//! - `ok`: the text's code points at the given span are the quote;
//! - `unanchored` / `moved`: the text's code points at `found` are the quote;
//! - `typography`: they equal the quote after folding typography;
//! - every position it returns lies inside the text.

#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use prov::anchor::fold::is_folded_equal;
use prov::verdict::{SourceText, Verdict, anchor};

#[derive(Arbitrary, Debug)]
struct Input {
    text: String,
    /// The quote: a piece of the text when `from_text`, else `quote`.
    from_text: bool,
    start: u16,
    len: u8,
    quote: String,
    span: Option<(u16, u16)>,
}

fn slice(chars: &[char], s: usize, e: usize) -> Option<String> {
    chars.get(s..e).map(|c| c.iter().collect())
}

fuzz_target!(|input: Input| {
    let chars: Vec<char> = input.text.chars().collect();
    let quote = if input.from_text {
        let s = (input.start as usize).min(chars.len());
        let e = (s + input.len as usize).min(chars.len());
        chars[s..e].iter().collect()
    } else {
        input.quote.clone()
    };
    let span = input.span.map(|(a, b)| (a as usize, b as usize));
    let src = SourceText::new(&input.text);
    let a = anchor(&src, &quote, span);
    let n = chars.len();
    if let Some((s, e)) = a.found {
        assert!(
            s <= e && e <= n,
            "found {:?} outside a text of {n}",
            a.found
        );
    }
    for &(s, e) in &a.candidates {
        assert!(
            s <= e && e <= n,
            "candidate {:?} outside a text of {n}",
            (s, e)
        );
    }
    match a.verdict {
        Verdict::Ok => {
            assert_eq!(a.found, span, "ok away from its span");
            let (s, e) = span.expect("ok needs a span");
            assert_eq!(
                slice(&chars, s, e).as_deref(),
                Some(quote.as_str()),
                "ok, not exact"
            );
        }
        Verdict::Unanchored | Verdict::Moved => {
            let (s, e) = a.found.expect("a holding verdict has a place");
            assert_eq!(
                slice(&chars, s, e).as_deref(),
                Some(quote.as_str()),
                "{:?} not exact",
                a.verdict
            );
        }
        Verdict::Typography => {
            let (s, e) = a.found.expect("typography has a place");
            let there = slice(&chars, s, e).expect("in range");
            assert!(
                is_folded_equal(&there, &quote),
                "typography: {there:?} vs {quote:?}"
            );
        }
        Verdict::Changed | Verdict::Ambiguous | Verdict::Missing => {}
    }
});

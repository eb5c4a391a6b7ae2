//! Re-anchoring (`prov::reanchor::Reanchorer`) on arbitrary old and new texts and a quote (a
//! piece of the old text, or arbitrary): it must not panic, and a citation it says holds in the
//! new text (`ok`, `unanchored`, `moved`) has exactly the quote at `found` there.

#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use prov::reanchor::Reanchorer;
use prov::verdict::{Verdict, anchor};

#[derive(Arbitrary, Debug)]
struct Input {
    old: String,
    new: String,
    from_old: bool,
    start: u16,
    len: u8,
    quote: String,
    span: Option<(u16, u16)>,
}

fuzz_target!(|input: Input| {
    let old_chars: Vec<char> = input.old.chars().collect();
    let quote: String = if input.from_old {
        let s = (input.start as usize).min(old_chars.len());
        let e = (s + input.len as usize).min(old_chars.len());
        old_chars[s..e].iter().collect()
    } else {
        input.quote.clone()
    };
    let span = input.span.map(|(a, b)| (a as usize, b as usize));
    let r = Reanchorer::new(&input.old, &input.new);
    let before = anchor(&r.old, &quote, span);
    let after = r.reanchor(&quote, span, &before);
    let new_chars: Vec<char> = input.new.chars().collect();
    if let Some((s, e)) = after.found {
        assert!(
            s <= e && e <= new_chars.len(),
            "found {:?} outside the new text",
            after.found
        );
    }
    if matches!(
        after.verdict,
        Verdict::Ok | Verdict::Unanchored | Verdict::Moved
    ) {
        let (s, e) = after.found.expect("a holding verdict has a place");
        let there: String = new_chars[s..e].iter().collect();
        assert_eq!(there, quote, "{:?}: not the quote", after.verdict);
    }
});

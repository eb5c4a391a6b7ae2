//! Typography folding (`prov::anchor::fold::fold`) on arbitrary text: it must not panic, it is
//! idempotent, the folded text is what `is_folded_equal` compares, and `original_range` maps any
//! folded range (even out of bounds) inside the original text, in order.

#![no_main]

use libfuzzer_sys::fuzz_target;
use prov::anchor::fold::{fold, is_folded_equal};

fuzz_target!(|input: (String, u16, u16)| {
    let (text, a, b) = input;
    let folded = fold(&text);
    let n = text.chars().count();
    assert_eq!(folded.original_len(), n);
    assert_eq!(folded.len_chars(), folded.as_str().chars().count());
    let again = fold(folded.as_str());
    assert_eq!(
        again.as_str(),
        folded.as_str(),
        "fold is not idempotent on {text:?}"
    );
    assert!(is_folded_equal(&text, folded.as_str()));
    let (a, b) = (a as usize, b as usize);
    for (s, e) in [(a, b), (a.min(b), a.max(b)), (0, folded.len_chars())] {
        let (os, oe) = folded.original_range(s, e);
        assert!(
            os <= oe && oe <= n,
            "original_range({s}, {e}) = ({os}, {oe}) in a text of {n}"
        );
    }
    let mut prev = (0, 0);
    for i in 0..folded.len_chars() {
        let (os, oe) = folded.original_range(i, i + 1);
        assert!(
            os < oe && oe <= n,
            "char {i} maps to ({os}, {oe}) in a text of {n}"
        );
        assert!(
            os >= prev.0 && oe >= prev.1,
            "the map goes backwards at {i}"
        );
        prev = (os, oe);
    }
});

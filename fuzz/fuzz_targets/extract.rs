//! HTML → text (`prov::capture::extract::extract`) on arbitrary bytes, in every mode, with and
//! without a content type: it must not panic; the same bytes give the same text twice; an
//! article or page text ends with exactly one newline and no line ends with a space or a tab;
//! article mode never finds text where page mode finds none.

#![no_main]

use libfuzzer_sys::fuzz_target;
use prov::capture::extract::{Mode, extract, is_pdf, sniff_html};

fuzz_target!(|input: (u8, &[u8])| {
    let (selector, bytes) = input;
    let content_type = match selector >> 2 {
        0 => None,
        1 => Some("text/html"),
        2 => Some("text/html; charset=windows-1252"),
        3 => Some("text/html; charset=utf-16le"),
        4 => Some("text/html; charset=iso-2022-kr"),
        _ => Some("text/plain; charset=\"bogus\""),
    };
    let _ = is_pdf(bytes);
    let _ = sniff_html(bytes, content_type);
    let mode = match selector & 3 {
        0 => Mode::Article,
        1 => Mode::Page,
        _ => Mode::None,
    };
    let first = extract(bytes, content_type, Some("https://example.fr/a"), mode);
    let again = extract(bytes, content_type, Some("https://example.fr/a"), mode);
    assert_eq!(first, again, "not deterministic");
    if let Ok(e) = &first
        && mode != Mode::None
    {
        assert!(e.text.ends_with('\n') && !e.text.ends_with("\n\n"), "{:?}", e.text);
        for line in e.text.lines() {
            assert!(!line.ends_with(' ') && !line.ends_with('\t'), "{:?}", e.text);
        }
        if mode == Mode::Article {
            assert!(extract(bytes, content_type, None, Mode::Page).is_ok());
        }
    }
});

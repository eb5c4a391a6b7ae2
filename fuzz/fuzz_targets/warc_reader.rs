//! The WARC/WACZ reader (`prov::capture::warc::read_response`) and the HTTP response parser
//! (`prov::capture::message::parse_response`) on arbitrary bytes: never a panic, memory
//! bounded by the limits. The first byte picks the URL asked for; the rest is the file.
//! A response the reader returns is written back as WARC and must read back the same, also
//! through `read_evidence` (prov's reader of its own captures), which never panics either.

#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use prov::capture::message::parse_response;
use prov::capture::warc::{ReadLimits, read_evidence, read_response, write_warc};

const URLS: [&str; 4] = [
    "http://127.0.0.1/",
    "http://example.org/a",
    "https://example.org/a?b=c",
    "http://x/",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let limits = ReadLimits {
        max_body: 1 << 20,
        max_records: 1000,
    };
    let url = URLS[usize::from(pick) % URLS.len()];
    let _ = parse_response(file.to_vec(), 1 << 20);
    if let Ok(ex) = read_response(&mut Cursor::new(file), url, limits) {
        let warc = write_warc(&ex, None);
        let back = read_response(&mut Cursor::new(&warc), &ex.final_url, limits)
            .expect("a WARC prov wrote reads back");
        assert_eq!(back.response.raw, ex.response.raw);
        let ev = read_evidence(&warc, 1 << 20).expect("prov reads back its own evidence");
        assert_eq!(ev.exchange.response.raw, ex.response.raw);
    }
    let _ = read_evidence(file, 1 << 20);
});

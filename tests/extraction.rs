//! HTML → snapshot text (src/capture/extract.rs; docs/capture.md, "Text rules"): the text
//! rules on small pages, content sniffing and refusals, recall on real pages from the
//! extraction benchmark (tests/data/extraction), determinism across processes, and hostile
//! pages that must finish without a panic.

use std::io::Read;
use std::path::Path;

use prov::capture::extract::{ExtractError, Mode, extract, is_pdf, sniff_html};

fn article(html: &str) -> String {
    extract(html.as_bytes(), Some("text/html"), None, Mode::Article)
        .unwrap()
        .text
}

fn page(html: &str) -> String {
    extract(html.as_bytes(), Some("text/html"), None, Mode::Page)
        .unwrap()
        .text
}

/// A page whose article is `body` (paragraphs long enough to be an article).
fn news(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>{title} - The Daily</title></head><body>\
         <nav><a href=/>Home</a> <a href=/world>World</a> <a href=/sport>Sport</a></nav>\
         <article><h1>{title}</h1>{body}</article>\
         <footer><p>Copyright The Daily. All rights reserved. Terms of use, privacy policy, \
         cookie settings and contact.</p></footer></body></html>"
    )
}

const PARA: &str = "The council met on Tuesday evening, and after a long debate about the \
                    budget, the members voted to keep the library open on Sundays.";

// ---- Text rules ----------------------------------------------------------------------------

#[test]
fn no_break_spaces_are_kept_and_entities_decoded() {
    let t = article(&news(
        "Prices",
        &format!(
            "<p>{PARA}</p><p>It costs 10&nbsp;€ and 20\u{a0}% more, said M.&#160;Dupont &amp; co \
             &#150; l&#x2019;&eacute;t&eacute; &notit; &amp</p>"
        ),
    ));
    assert!(
        t.contains(
            "It costs 10\u{a0}€ and 20\u{a0}% more, said M.\u{a0}Dupont & co – l’été ¬it; &"
        ),
        "{t:?}"
    );
}

#[test]
fn curly_quotes_and_dashes_are_kept() {
    let t = article(&news(
        "Quotes",
        &format!(
            "<p>{PARA}</p><p>“It’s over” — she said &ldquo;twice&rdquo;&hellip; ‘really’.</p>"
        ),
    ));
    assert!(
        t.contains("“It’s over” — she said “twice”… ‘really’."),
        "{t:?}"
    );
}

#[test]
fn paragraphs_are_separated_by_a_blank_line_and_br_is_a_newline() {
    let t = article(&news(
        "Lines",
        &format!(
            "<p>{PARA}</p><p>First line<br>second line<br/>\n   third line</p><div>{PARA}</div>"
        ),
    ));
    assert!(
        t.contains(&format!(
            "{PARA}\n\nFirst line\nsecond line\nthird line\n\n{PARA}"
        )),
        "{t:?}"
    );
}

#[test]
fn whitespace_collapses_as_a_browser_renders_it() {
    let t = page(
        "<html><body><p>  one \t two\n\n three <b> four </b>five<i>six</i>  </p>\
         <pre>  keep\n    this   </pre></body></html>",
    );
    assert_eq!(t, "one two three four fivesix\n\n  keep\n    this\n");
    // CR LF and CR are line feeds, as the HTML input stream makes them.
    assert_eq!(
        page("<pre>a\r\nb\rc</pre><p>d\r\ne</p>"),
        "a\nb\nc\n\nd e\n"
    );
}

#[test]
fn the_headline_comes_first_and_the_text_ends_with_one_newline() {
    let t = article(&news(
        "Council keeps the library open",
        &format!("<p>{PARA}</p><p>{PARA}</p>"),
    ));
    assert!(t.starts_with("Council keeps the library open\n\n"), "{t:?}");
    assert!(t.ends_with(".\n") && !t.ends_with("\n\n"), "{t:?}");
    assert!(t.lines().all(|l| !l.ends_with(' ') && !l.ends_with('\t')));
    assert!(!t.contains("Home") && !t.contains("Copyright"), "{t:?}");
}

#[test]
fn page_mode_keeps_all_visible_text_and_nothing_hidden() {
    let html = "<html><head><title>T</title><style>p{color:red}</style></head><body>\
        <nav>Menu</nav><p>Seen</p><script>var x = 'unseen';</script>\
        <noscript>no script</noscript><template><p>tpl</p></template>\
        <p hidden>hidden attr</p><div style=\"display: none\">display none</div>\
        <p style=\"visibility:hidden\">invisible</p><dialog>closed</dialog>\
        <dialog open>Open</dialog><footer>Foot</footer></body></html>";
    assert_eq!(page(html), "T\n\nMenu\n\nSeen\n\nOpen\n\nFoot\n");
}

#[test]
fn table_cells_are_tab_separated_rows() {
    let t = page("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td> d </td></tr></table>");
    assert_eq!(t, "a\tb\n\nc\td\n");
}

#[test]
fn none_mode_is_the_bytes_decoded() {
    let e = extract(b"<p>a  b</p>\r\n", None, None, Mode::None).unwrap();
    assert_eq!(e.text, "<p>a  b</p>\r\n");
    assert_eq!(e.mode, Mode::None);
}

// ---- Charsets ------------------------------------------------------------------------------

/// `s` in windows-1252 (every char of the tests' strings is in it).
fn cp1252(s: &str) -> Vec<u8> {
    let (b, _, bad) = encoding_rs::WINDOWS_1252.encode(s);
    assert!(!bad);
    b.into_owned()
}

#[test]
fn windows_1252_from_the_http_header() {
    let html = cp1252("<p>Caf\u{e9} “cr\u{e8}me” \u{2013} 5\u{a0}€</p>");
    let e = extract(
        &html,
        Some("text/html; charset=windows-1252"),
        None,
        Mode::Page,
    )
    .unwrap();
    assert_eq!(e.text, "Caf\u{e9} “cr\u{e8}me” \u{2013} 5\u{a0}€\n");
    assert_eq!(e.charset, "windows-1252");
    // iso-8859-1 is windows-1252 on the web: 0x93 is “, not a C1 control.
    let e = extract(
        &html,
        Some("text/html; charset=iso-8859-1"),
        None,
        Mode::Page,
    )
    .unwrap();
    assert!(e.text.contains("“cr\u{e8}me”"), "{:?}", e.text);
}

#[test]
fn windows_1252_from_a_meta_and_by_detection() {
    let body = "<p>D\u{e9}j\u{e0} l’\u{e9}t\u{e9} arriv\u{e9}, “d\u{e9}j\u{e0}” tr\u{e8}s chaud \
                \u{e0} l’\u{e9}cole, \u{e9}l\u{e8}ves et m\u{e8}res r\u{e9}unis.</p>";
    let meta = cp1252(&format!(
        "<html><head><meta charset=\"windows-1252\"></head><body>{body}"
    ));
    let e = extract(&meta, None, None, Mode::Page).unwrap();
    assert_eq!(e.charset, "windows-1252");
    assert!(e.text.contains("l’\u{e9}t\u{e9}"), "{:?}", e.text);
    let http_equiv = cp1252(&format!(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">\
         </head><body>{body}"
    ));
    assert_eq!(
        extract(&http_equiv, None, None, Mode::Page)
            .unwrap()
            .charset,
        "windows-1252"
    );
    let undeclared = cp1252(&format!("<html><body>{body}"));
    let e = extract(&undeclared, None, Some("https://example.fr/"), Mode::Page).unwrap();
    assert_eq!(e.charset, "windows-1252");
    assert!(e.text.contains("“d\u{e9}j\u{e0}”"), "{:?}", e.text);
}

#[test]
fn a_bom_wins_over_declarations() {
    let mut html = b"\xEF\xBB\xBF".to_vec();
    html.extend_from_slice("<meta charset=windows-1252><p>caf\u{e9}</p>".as_bytes());
    let e = extract(
        &html,
        Some("text/html; charset=iso-8859-2"),
        None,
        Mode::Page,
    )
    .unwrap();
    assert_eq!((e.text.as_str(), e.charset), ("caf\u{e9}\n", "UTF-8"));
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "<p>caf\u{e9}</p>".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    assert!(sniff_html(&utf16, None));
    let e = extract(&utf16, None, None, Mode::Page).unwrap();
    assert_eq!((e.text.as_str(), e.charset), ("caf\u{e9}\n", "UTF-16LE"));
}

#[test]
fn an_undecodable_charset_is_refused() {
    let err = extract(
        b"<p>x</p>",
        Some("text/html; charset=iso-2022-kr"),
        None,
        Mode::Page,
    )
    .unwrap_err();
    assert_eq!(
        err,
        ExtractError::UndecodableCharset {
            label: "iso-2022-kr".into()
        }
    );
    assert!(err.to_string().contains("iso-2022-kr"));
    // A bogus label is ignored, as browsers do.
    let e = extract(
        b"<p>x</p>",
        Some("text/html; charset=bogus"),
        None,
        Mode::Page,
    )
    .unwrap();
    assert_eq!(e.text, "x\n");
}

// ---- Sniffing and refusals -----------------------------------------------------------------

#[test]
fn html_is_sniffed_from_the_bytes() {
    for yes in [
        &b"<!DOCTYPE html><p>x"[..],
        b"\xEF\xBB\xBF  \n<html lang=en>",
        b"<HEAD>",
        b"\t<body>",
        b"<!-- c --><p>",
        b"<p>x</p>",
        b"<!doctype html>\n<p>",
        b"<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">",
    ] {
        assert!(sniff_html(yes, None), "{:?}", String::from_utf8_lossy(yes));
    }
    for no in [
        &b"Just text, <p> later"[..],
        b"<pa>",
        b"",
        b"{\"json\": 1}",
        b"<htmlx>",
    ] {
        assert!(!sniff_html(no, None), "{:?}", String::from_utf8_lossy(no));
    }
    assert!(sniff_html(b"plain words", Some("text/html; charset=utf-8")));
    // A stated type is believed; only an unknown one is sniffed.
    assert!(!sniff_html(b"<html><p>x", Some("text/plain")));
    assert!(sniff_html(b"<html><p>x", Some("application/octet-stream")));
}

#[test]
fn pdf_and_binary_are_refused_in_every_mode() {
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj";
    assert!(is_pdf(pdf));
    for mode in [Mode::Article, Mode::Page, Mode::None] {
        let err = extract(pdf, None, None, mode).unwrap_err();
        assert_eq!(err, ExtractError::Pdf);
        assert_eq!(err.to_string(), "PDF is not supported yet");
        let err = extract(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None, None, mode).unwrap_err();
        assert!(matches!(err, ExtractError::Binary { .. }), "{err:?}");
        assert!(err.to_string().contains("image/png"));
        let err = extract(b"abc\0\x01\x02def", None, None, mode).unwrap_err();
        assert!(
            matches!(err, ExtractError::Binary { what: None }),
            "{err:?}"
        );
    }
    let err = extract(b"<p>x", Some("application/pdf"), None, Mode::Page).unwrap_err();
    assert_eq!(err, ExtractError::Pdf);
}

#[test]
fn plain_text_is_not_html() {
    let err = extract(b"Just words.", None, None, Mode::Article).unwrap_err();
    assert_eq!(err, ExtractError::NotHtml);
}

#[test]
fn a_page_with_nothing_to_extract_says_try_page() {
    let empty = "<!DOCTYPE html><html><head><title>x</title></head><body></body></html>";
    let err = extract(empty.as_bytes(), None, None, Mode::Article).unwrap_err();
    assert_eq!(
        err,
        ExtractError::NothingExtractable {
            mode: Mode::Article
        }
    );
    assert!(err.to_string().contains("try --extract page"), "{err}");
    let boilerplate = "<!DOCTYPE html><html><body><nav><a href=/a>Home</a> <a href=/b>News</a>\
        </nav><footer><a href=/c>Contact</a></footer></body></html>";
    let err = extract(boilerplate.as_bytes(), None, None, Mode::Article).unwrap_err();
    assert_eq!(
        err,
        ExtractError::NothingExtractable {
            mode: Mode::Article
        }
    );
    let blank = "<!DOCTYPE html><html><body><script>x()</script> \u{a0} </body></html>";
    let err = extract(blank.as_bytes(), None, None, Mode::Page).unwrap_err();
    assert_eq!(err, ExtractError::NothingExtractable { mode: Mode::Page });
}

// ---- Real pages ----------------------------------------------------------------------------

struct Sample {
    sha: String,
    url: String,
    html: Vec<u8>,
    truth: String,
}

fn samples() -> Vec<Sample> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/extraction");
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("ground-truth.json")).unwrap()).unwrap();
    let mut out: Vec<Sample> = truth
        .as_object()
        .unwrap()
        .iter()
        .map(|(sha, v)| {
            let gz = std::fs::read(dir.join("html").join(format!("{sha}.html.gz"))).unwrap();
            Sample {
                sha: sha.clone(),
                url: v["url"].as_str().unwrap().to_string(),
                html: gunzip(&gz),
                truth: v["articleBody"].as_str().unwrap().to_string(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.sha.cmp(&b.sha));
    assert!(out.len() >= 10);
    out
}

fn gunzip(gz: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The benchmark's recall (bench/extraction): the share of the truth's 4-word shingles
/// (multiset) found in the extracted text.
fn recall(extracted: &str, truth: &str) -> f64 {
    use std::collections::HashMap;
    fn shingles(t: &str) -> HashMap<Vec<&str>, u32> {
        let words: Vec<&str> = t
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        let mut m = HashMap::new();
        for w in words.windows(4) {
            *m.entry(w.to_vec()).or_insert(0) += 1;
        }
        m
    }
    let (e, t) = (shingles(extracted), shingles(truth));
    let total: u32 = t.values().sum();
    if total == 0 {
        return 1.0;
    }
    let tp: u32 = t
        .iter()
        .map(|(k, n)| (*n).min(*e.get(k).unwrap_or(&0)))
        .sum();
    f64::from(tp) / f64::from(total)
}

#[test]
fn real_pages_keep_their_article() {
    let mut sum = 0.0;
    let pages = samples();
    for s in &pages {
        let e = extract(&s.html, None, Some(&s.url), Mode::Article).unwrap();
        let r = recall(&e.text, &s.truth);
        assert!(r >= 0.8, "{}: recall {r:.3}\n{}", s.sha, e.text);
        sum += r;
        // Page mode holds everything article mode does (less a few shingles that span two
        // paragraphs, which page mode may keep apart with a caption or a label between them).
        let p = extract(&s.html, None, Some(&s.url), Mode::Page).unwrap();
        assert!(recall(&p.text, &s.truth) >= r - 0.02, "{}", s.sha);
        assert!(e.text.ends_with('\n') && !e.text.ends_with("\n\n"));
        assert!(!e.text.contains("\n\n\n"), "{}", s.sha);
        assert!(e.text.lines().all(|l| !l.ends_with(' ')), "{}", s.sha);
    }
    let mean = sum / pages.len() as f64;
    assert!(mean >= 0.95, "mean recall {mean:.3}");
}

/// The texts of every sample in both modes, one line per page and mode: the sha256 of the text.
fn digest_all() -> String {
    let mut out = String::new();
    for s in samples() {
        for mode in [Mode::Article, Mode::Page] {
            let e = extract(&s.html, None, Some(&s.url), mode).unwrap();
            let digest = prov::snapshot::sha256_hex(e.text.as_bytes());
            out.push_str(&format!("{} {mode} {digest}\n", s.sha));
        }
    }
    out
}

/// Run by `same_bytes_give_the_same_text_across_processes` in a child process.
#[test]
fn digest_child() {
    if let Ok(path) = std::env::var("PROV_EXTRACTION_DIGEST_OUT") {
        std::fs::write(path, digest_all()).unwrap();
    }
}

#[test]
fn same_bytes_give_the_same_text_across_processes() {
    let here = digest_all();
    assert_eq!(here, digest_all(), "not even stable within one process");
    let exe = std::env::current_exe().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..2 {
        let out = dir.path().join(format!("digest-{i}"));
        let status = std::process::Command::new(&exe)
            .args(["--exact", "digest_child", "--test-threads", "1"])
            .env("PROV_EXTRACTION_DIGEST_OUT", &out)
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            here,
            "process {i} differs"
        );
    }
}

// ---- Hostile pages -------------------------------------------------------------------------

/// Runs `f` on a thread with a generous deadline: a hang is a failure, not a stuck suite.
fn finishes<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(300))
        .unwrap_or_else(|_| panic!("{what}: no result after 300 s"))
}

fn hostile(what: &str, html: String) {
    for mode in [Mode::Article, Mode::Page, Mode::None] {
        let h = html.clone();
        let _ = finishes(what, move || {
            extract(h.as_bytes(), None, None, mode).map(|e| e.text.len())
        });
    }
}

#[test]
fn deep_nesting_finishes() {
    hostile(
        "10k nested divs",
        "<div>".repeat(10_000) + "deep text" + &"</div>".repeat(10_000),
    );
    hostile(
        "10k nested spans with paragraphs",
        "<span><p>x ".repeat(10_000),
    );
    hostile(
        "10k unclosed formatting",
        "<b><i><u><a href=x>".repeat(5_000) + "text",
    );
    hostile("10k nested tables", "<table><tr><td>".repeat(10_000));
}

#[test]
fn a_huge_attribute_finishes() {
    let mut html = String::from("<p class=\"");
    html.push_str(&"a".repeat(1 << 20));
    html.push_str("\" style=\"");
    html.push_str(&"display:block;".repeat(70_000));
    html.push_str("\">text</p>");
    hostile("1 MB attribute", html);
}

#[test]
fn many_elements_finish() {
    let html = "<p>One short paragraph, with a comma.</p>".repeat(200_000);
    let e = finishes("200k paragraphs", move || {
        extract(html.as_bytes(), None, None, Mode::Page).unwrap()
    });
    assert_eq!(e.text.matches("One short").count(), 200_000);
    hostile("200k links", "<a href=/x>link</a> ".repeat(200_000));
    hostile("200k brs", "<br>".repeat(200_000));
}

#[test]
fn bogus_charsets_and_junk_finish() {
    hostile(
        "meta charsets",
        "<meta charset=\"x\"><meta http-equiv=content-type content=\"charset=\"".repeat(1000),
    );
    let junk: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    for mode in [Mode::Article, Mode::Page, Mode::None] {
        let j = junk.clone();
        let _ = finishes("junk", move || {
            extract(&j, Some("text/html; charset=utf-16"), None, mode)
        });
    }
}

// ---- Tree building: elements closed implicitly, as browsers close them -----------------------

#[test]
fn paragraphs_list_items_and_cells_close_implicitly() {
    assert_eq!(page("<p>a<div>b</div>c"), "a\n\nb\n\nc\n");
    assert_eq!(
        page("<p>one<p>two<h2>three</h2>four"),
        "one\n\ntwo\n\nthree\n\nfour\n"
    );
    assert_eq!(
        page("<ul><li>one<li>two<ul><li>inner</ul>after<li>three</ul>"),
        "one\n\ntwo\n\ninner\n\nafter\n\nthree\n"
    );
    assert_eq!(
        page("<table><tr><td>a<td>b<tr><th>c<td>d</table>e"),
        "a\tb\n\nc\td\n\ne\n"
    );
    assert_eq!(
        page("<table><tr><td>x<table><tr><td>in1<td>in2</table>y<td>z</table>"),
        "x\n\nin1\tin2\n\ny\tz\n"
    );
    assert_eq!(
        page("<dl><dt>term<dd>def<dt>term2</dl>"),
        "term\n\ndef\n\nterm2\n"
    );
    // A stray end tag closes nothing it does not match.
    assert_eq!(page("<div>a</span>b</p>c</div>"), "abc\n");
}

#[test]
fn link_text_inside_prose_stays() {
    let t = article(&news(
        "Links",
        &format!("<p>{PARA} See <a href=/r>the report</a> for details.</p><p>{PARA}</p>"),
    ));
    assert!(t.contains("Sundays. See the report for details."), "{t:?}");
}

//! Capturing from the web, end to end: the real `prov` binary against a loopback server started
//! in each test (127.0.0.1 only; no test touches the internet), serving real pages from the
//! extraction benchmark's sample (tests/data/extraction). `prov add --url`, a local HTML file,
//! `--warc` (a WARC that wget wrote), `capture --fetch`, `refresh` (a page that changes, a page
//! that flaps, walls, a page that is gone), `report --verify`, every bad input named with
//! nothing written, and determinism. WARC files prov writes go through warcio when it is
//! installed.

mod common;
#[path = "common/loopback.rs"]
mod loopback;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Out, judge_missing, prov, prov_env, tree, warcio_check};
use loopback::{Reply, Server, ok, redirect, response};
use prov::capture::extract::{self, Mode};

/// A benchmark page's bytes, as its server sent them.
fn sample(name: &str) -> Vec<u8> {
    let path = common::repo()
        .join("tests/data/extraction/html")
        .join(format!("{name}.html.gz"));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

const PAGE_A: &str = "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856";
const PAGE_B: &str = "16c30add7e96315e9cc957d85aa876ccb6b70055f0ddab51547a586117cc1f56";

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A response whose body is gzipped and sent in chunks.
fn chunked_gzip(content_type: &str, body: &[u8]) -> Reply {
    let gz = gzip(body);
    let mut raw = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for part in gz.chunks(1000) {
        raw.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        raw.extend_from_slice(part);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    Reply::Raw(raw)
}

fn not_found() -> Reply {
    Reply::Raw(response(404, "Not Found", &[], b"no"))
}

/// An article page with these paragraphs.
fn article(title: &str, paragraphs: &[&str]) -> Vec<u8> {
    let mut s = format!(
        "<!DOCTYPE html><html><head><title>{title}</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article><h1>{title}</h1>"
    );
    for p in paragraphs {
        s.push_str(&format!("<p>{p}</p>"));
    }
    s.push_str("</article><footer>© Example News</footer></body></html>");
    s.into_bytes()
}

const P1: &str = "Iranian diplomats left the embassy in Tirana on Thursday, a day after Albania cut ties with Iran over a cyberattack, officials said.";
const P2: &str = "The prime minister said the attack, in July, was meant to paralyse public services and steal data, and that Iran had hired four groups to carry it out.";
const P3: &str = "Albania’s interior minister said the embassy’s staff had 24 hours to leave the country, and that the government had informed its allies in advance.";

/// A new workspace in `dir` fetching with no delay and a contact URL.
fn workspace(dir: &Path) {
    let o = prov(dir, &["init"]);
    assert_eq!(o.code, Some(0), "{o:?}");
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(dir.join("sources.toml"))
        .unwrap();
    writeln!(
        f,
        "\n[fetch]\ncontact = \"https://newsroom.example/about-our-bots\"\ndelay = 0\ntimeout = 20"
    )
    .unwrap();
}

fn ok_run(o: &Out) {
    assert_eq!(o.code, Some(0), "{}", o.all());
}

/// Cite `quote` of `source` in claims/<claim>.toml and record its span.
fn cite(dir: &Path, claim: &str, source: &str, quote: &str) {
    fs::write(
        dir.join(format!("claims/{claim}.toml")),
        format!(
            "[[claim]]\nid = \"{claim}\"\nfact = \"A fact.\"\n\n[[claim.cite]]\nsource = \"{source}\"\nquote = \"{quote}\"\n"
        ),
    )
    .unwrap();
    let o = prov(dir, &["fix"]);
    assert_ne!(o.code, Some(2), "{}", o.all());
}

#[test]
fn a_web_page_is_added_by_url_cited_and_its_chain_proven() {
    let page = sample(PAGE_A);
    let served = page.clone();
    let server = Server::start(move |r| match r.path.as_str() {
        "/robots.txt" => ok("text/plain", b"User-agent: *\nDisallow: /private/\n"),
        "/story" => chunked_gzip("text/html; charset=utf-8", &served),
        _ => not_found(),
    });
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    workspace(ws);
    let url = server.url("/story");
    let o = prov(
        ws,
        &[
            "add",
            "--url",
            &url,
            "--id",
            "stadia",
            "--outlet",
            "example.org",
        ],
    );
    ok_run(&o);
    assert!(
        o.stdout.contains("captured http://127.0.0.1:"),
        "{}",
        o.all()
    );
    assert!(
        o.stdout.contains("article text by prov-html 1"),
        "{}",
        o.all()
    );
    assert!(
        o.stdout.contains("evidence: snapshots/stadia.warc.gz"),
        "{}",
        o.all()
    );
    // The snapshot is the extractor's text of the page, byte for byte.
    let want = extract::extract(
        &page,
        Some("text/html; charset=utf-8"),
        Some(&url),
        Mode::Article,
    )
    .unwrap();
    let text = fs::read_to_string(ws.join("snapshots/stadia.txt")).unwrap();
    assert_eq!(text, want.text);
    // The User-Agent named prov and the contact.
    let seen = server.requests.lock().unwrap().clone();
    let ua = seen
        .iter()
        .find(|r| r.path == "/story")
        .and_then(|r| r.header("user-agent").map(str::to_string))
        .unwrap();
    assert!(
        ua.starts_with("prov/") && ua.contains("newsroom.example/about-our-bots"),
        "{ua}"
    );
    let sources = fs::read_to_string(ws.join("sources.toml")).unwrap();
    for key in [
        "[sources.stadia.capture]",
        "method = \"fetch\"",
        "status = 200",
        "content_type = \"text/html; charset=utf-8\"",
        "extractor = \"prov-html\"",
        "mode = \"article\"",
        "title = \"Google Stadia",
    ] {
        assert!(sources.contains(key), "{key} in\n{sources}");
    }
    // Cite it; check passes; the report proves server bytes → text → quote.
    let quote = "Gaming used to be so simple.";
    assert!(text.contains(quote));
    cite(ws, "gaming", "stadia", quote);
    let o = prov(ws, &["check"]);
    assert_ne!(o.code, Some(2), "{}", o.all());
    assert!(!o.stdout.contains("error[warc"), "{}", o.all());
    let o = prov(ws, &["report", "--format", "json", "-o", "report.json"]);
    assert_ne!(o.code, Some(2), "{}", o.all());
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(ws.join("report.json")).unwrap()).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(common::repo().join("docs/schema/prov-report-1.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let capture = &report["sources"][0]["capture"];
    assert_eq!(capture["chain"]["result"], "proven", "{capture}");
    assert_eq!(capture["warc"], "snapshots/stadia.warc.gz");
    let o = prov(ws, &["report", "--verify", "report.json"]);
    ok_run(&o);
    assert!(
        o.stdout.contains(
            "evidence of `stadia`: proven: snapshots/stadia.warc.gz has its pinned sha256"
        ),
        "{}",
        o.all()
    );
    warcio_check(&[ws.join("snapshots/stadia.warc.gz")]);

    // A WARC edited afterwards fails the gate and the report's verification.
    let warc = ws.join("snapshots/stadia.warc.gz");
    let mut bytes = fs::read(&warc).unwrap();
    bytes.push(b'\n');
    fs::write(&warc, bytes).unwrap();
    let o = prov(ws, &["check"]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    assert!(o.stdout.contains("error[warc-modified]"), "{}", o.all());
    let o = prov(ws, &["report", "--verify", "report.json"]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    assert!(o.stdout.contains("BROKEN"), "{}", o.all());
    fs::remove_file(&warc).unwrap();
    let o = prov(ws, &["check"]);
    assert!(o.stdout.contains("error[warc-missing]"), "{}", o.all());
}

#[test]
fn a_windows_1252_page_keeps_its_characters() {
    let body = b"<html><head><title>Caf\xe9</title></head><body><article><h1>Le caf\xe9</h1><p>\x93Nous avons rompu nos relations,\x94 a dit le Premier ministre \x96 mercredi, \xe0 Tirana, devant la presse.</p></article></body></html>".to_vec();
    let server = Server::start(move |r| match r.path.as_str() {
        "/cp" => chunked_gzip("text/html; charset=windows-1252", &body),
        _ => not_found(),
    });
    let tmp = tempfile::tempdir().unwrap();
    workspace(tmp.path());
    let o = prov(
        tmp.path(),
        &[
            "add",
            "--url",
            &server.url("/cp"),
            "--id",
            "cafe",
            "--outlet",
            "example.fr",
        ],
    );
    ok_run(&o);
    assert!(
        o.stdout.contains("decoded from windows-1252"),
        "{}",
        o.all()
    );
    let text = fs::read_to_string(tmp.path().join("snapshots/cafe.txt")).unwrap();
    assert!(
        text.contains(
            "“Nous avons rompu nos relations,” a dit le Premier ministre – mercredi, à Tirana"
        ),
        "{text}"
    );
}

#[test]
fn redirects_are_followed_and_one_to_another_site_is_warned_about() {
    let page = article("Ties cut", &[P1, P2]);
    let other_page = page.clone();
    let other = Server::start(move |r| match r.path.as_str() {
        "/landing" => ok("text/html", &other_page),
        _ => not_found(),
    });
    let elsewhere = format!("http://localhost:{}/landing", other.addr.port());
    let server = Server::start(move |r| match r.path.as_str() {
        "/old" => redirect(301, "/new"),
        "/new" => ok("text/html", &page),
        "/away" => redirect(302, &elsewhere),
        _ => not_found(),
    });
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    workspace(ws);
    let o = prov(
        ws,
        &[
            "add",
            "--url",
            &server.url("/old"),
            "--id",
            "same",
            "--outlet",
            "x",
        ],
    );
    ok_run(&o);
    assert!(!o.stderr.contains("warning"), "{}", o.all());
    let sources = fs::read_to_string(ws.join("sources.toml")).unwrap();
    assert!(
        sources.contains(&format!("url = \"{}\"", server.url("/new"))),
        "{sources}"
    );
    let o = prov(
        ws,
        &[
            "add",
            "--url",
            &server.url("/away"),
            "--id",
            "away",
            "--outlet",
            "x",
        ],
    );
    ok_run(&o);
    assert!(
        o.stderr.contains("warning: ") && o.stderr.contains("redirected to another site"),
        "{}",
        o.all()
    );
    let sources = fs::read_to_string(ws.join("sources.toml")).unwrap();
    assert!(sources.contains(&format!(
        "url = \"http://localhost:{}/landing\"",
        other.addr.port()
    )));
    // The WARC records both hops.
    let mut warc = String::new();
    flate2::read::MultiGzDecoder::new(fs::File::open(ws.join("snapshots/away.warc.gz")).unwrap())
        .read_to_string(&mut warc)
        .unwrap_or_default();
    assert_eq!(warc.matches("WARC-Type: response").count(), 2);
    warcio_check(&[
        ws.join("snapshots/away.warc.gz"),
        ws.join("snapshots/same.warc.gz"),
    ]);
}

/// Each bad input: the command, what stderr must say, and that nothing was written.
#[test]
fn every_bad_input_is_named_and_nothing_is_written() {
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let nav_only = b"<html><head><title>Menu</title></head><body><nav><ul><li><a href=\"/a\">A</a></li><li><a href=\"/b\">B</a></li></ul></nav></body></html>".to_vec();
    let nav = nav_only.clone();
    let server = Server::start(move |r| {
        match r.path.as_str() {
        "/robots.txt" => ok("text/plain", b"User-agent: *\nDisallow: /private/\n"),
        "/gone" => not_found(),
        "/removed" => Reply::Raw(response(410, "Gone", &[], b"")),
        "/broken" => Reply::Raw(response(500, "Internal Server Error", &[], b"oops")),
        "/huge" => Reply::Raw(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 40000000\r\n\r\n<p>".to_vec(),
        ),
        "/slow" => Reply::Stall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n<p>".to_vec(),
            Duration::from_secs(4),
        ),
        "/private/x" => ok("text/html", b"<p>secret</p>"),
        "/doc.pdf" => ok("application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
        "/kr" => ok("text/html; charset=iso-2022-kr", b"<p>text</p>"),
        "/menu" => ok("text/html", &nav),
        "/consent" => ok(
            "text/html",
            b"<html><body><h1>Before you continue</h1><p>We use cookies and data to deliver our services. Accept all cookies?</p></body></html>",
        ),
        "/paywalled" => redirect(302, "/account/login?next=/paywalled"),
        "/account/login" | "/account/login?next=/paywalled" => {
            ok("text/html", &article("Sign in", &[P1]))
        }
        _ => not_found(),
    }
    });
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    workspace(ws);
    fs::write(ws.join("sources.toml"), {
        let s = fs::read_to_string(ws.join("sources.toml")).unwrap();
        s.replace("timeout = 20", "timeout = 2")
    })
    .unwrap();
    let url = |p: &str| server.url(p);
    let cases: Vec<(String, &str)> = vec![
        (url("/gone"), "the page is gone (HTTP 404)"),
        (url("/removed"), "the page is gone (HTTP 410)"),
        (
            url("/broken"),
            "the server failed (HTTP 500 Internal Server Error)",
        ),
        (
            url("/huge"),
            "the page is 40000000 bytes, more than the limit",
        ),
        (url("/slow"), "timed out"),
        (
            url("/private/x"),
            "robots.txt disallows it: `Disallow: /private/`",
        ),
        (url("/doc.pdf"), "PDF is not supported yet"),
        (url("/kr"), "the charset `iso-2022-kr` cannot be decoded"),
        (
            url("/menu"),
            "no article text found in the page (try --extract page",
        ),
        (url("/consent"), "a consent wall"),
        (
            url("/paywalled"),
            "redirected to a login, subscription or consent page",
        ),
        (
            format!("http://127.0.0.1:{closed_port}/x"),
            "the server is unreachable",
        ),
        (
            format!("https://127.0.0.1:{}/x", server.addr.port()),
            "the secure connection (TLS) failed",
        ),
        (
            "ftp://example.org/x".to_string(),
            "--url must be an http(s) address",
        ),
    ];
    let before = tree(ws);
    for (u, want) in &cases {
        let o = prov(ws, &["add", "--url", u, "--id", "doc", "--outlet", "x"]);
        assert_eq!(o.code, Some(2), "{u}: {}", o.all());
        assert!(
            o.stderr.contains(want),
            "{u}: expected {want:?} in\n{}",
            o.all()
        );
        assert!(
            o.stderr.contains("= help: "),
            "{u}: no help in\n{}",
            o.all()
        );
        assert_eq!(tree(ws), before, "{u}: the workspace changed");
    }
    // --extract page takes the menu; --force takes the wall (the user says it is the document).
    ok_run(&prov(
        ws,
        &[
            "add",
            "--url",
            &url("/menu"),
            "--id",
            "menu",
            "--outlet",
            "x",
            "--extract",
            "page",
        ],
    ));
    ok_run(&prov(
        ws,
        &[
            "add",
            "--url",
            &url("/consent"),
            "--id",
            "wall",
            "--outlet",
            "x",
            "--force",
            "--extract",
            "page",
        ],
    ));

    // Archives: a WARC without the URL, a truncated one, a corrupt one, not a WARC at all.
    let other = tempfile::tempdir().unwrap();
    workspace(other.path());
    let ok_page = article("Ties cut", &[P1, P2]);
    let s2 = Server::start(move |r| match r.path.as_str() {
        "/a" => ok("text/html", &ok_page),
        _ => not_found(),
    });
    ok_run(&prov(
        other.path(),
        &["add", "--url", &s2.url("/a"), "--id", "a", "--outlet", "x"],
    ));
    let good = fs::read(other.path().join("snapshots/a.warc.gz")).unwrap();
    let files = tempfile::tempdir().unwrap();
    let put = |name: &str, bytes: &[u8]| {
        let p = files.path().join(name);
        fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let whole = put("good.warc.gz", &good);
    let cut = put("cut.warc.gz", &good[..good.len() / 2]);
    let mut bad = good.clone();
    let mid = bad.len() / 3;
    for b in &mut bad[mid..mid + 64] {
        *b ^= 0x5a;
    }
    let corrupt = put("corrupt.warc.gz", &bad);
    let html = put("page.html", b"<html><body><p>not a warc</p></body></html>");
    let before = tree(ws);
    for (file, u, want) in [
        (
            &whole,
            "https://example.org/elsewhere",
            "no response for https://example.org/elsewhere in the archive",
        ),
        (&cut, s2.url("/a").as_str(), "the WARC is truncated"),
        (&corrupt, s2.url("/a").as_str(), "the WARC is corrupt"),
        (&html, "https://example.org/a", "not a WARC or WACZ file"),
    ] {
        let o = prov(
            ws,
            &[
                "add", "--warc", file, "--url", u, "--id", "doc", "--outlet", "x",
            ],
        );
        assert_eq!(o.code, Some(2), "{file}: {}", o.all());
        assert!(
            o.stderr.contains(want),
            "{file}: expected {want:?} in\n{}",
            o.all()
        );
        assert_eq!(tree(ws), before, "{file}: the workspace changed");
    }
    // The good one imports.
    ok_run(&prov(
        ws,
        &[
            "add",
            "--warc",
            &whole,
            "--url",
            &s2.url("/a"),
            "--id",
            "imported",
            "--outlet",
            "x",
        ],
    ));
    assert_eq!(
        fs::read(ws.join("snapshots/imported.txt")).unwrap(),
        fs::read(other.path().join("snapshots/a.txt")).unwrap()
    );
}

#[test]
fn a_local_html_file_is_extracted_like_a_fetch_and_plain_text_stays_as_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    workspace(ws);
    let page = sample(PAGE_B);
    fs::write(ws.join("saved.htm"), &page).unwrap();
    let o = prov(
        ws,
        &[
            "add",
            "saved.htm",
            "--id",
            "saved",
            "--outlet",
            "x",
            "--url",
            "https://example.org/saved",
        ],
    );
    ok_run(&o);
    let want = extract::extract(
        &page,
        Some("text/html"),
        Some("https://example.org/saved"),
        Mode::Article,
    )
    .unwrap();
    assert_eq!(
        fs::read_to_string(ws.join("snapshots/saved.txt")).unwrap(),
        want.text
    );
    let sources = fs::read_to_string(ws.join("sources.toml")).unwrap();
    assert!(sources.contains("method = \"file\""), "{sources}");
    // Sniffed by its bytes, whatever its name.
    fs::write(ws.join("page.txt"), article("Ties", &[P1])).unwrap();
    ok_run(&prov(
        ws,
        &["add", "page.txt", "--id", "sniffed", "--outlet", "x"],
    ));
    let text = fs::read_to_string(ws.join("snapshots/sniffed.txt")).unwrap();
    assert!(text.starts_with("Ties\n\nIranian diplomats"), "{text}");
    // --extract none keeps the markup.
    ok_run(&prov(
        ws,
        &[
            "add",
            "page.txt",
            "--id",
            "markup",
            "--outlet",
            "x",
            "--extract",
            "none",
        ],
    ));
    assert!(
        fs::read_to_string(ws.join("snapshots/markup.txt"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    assert!(
        !ws.join("snapshots/markup.warc.gz").exists(),
        "the bytes as they are need no evidence"
    );
    // Plain text: copied as it is, no WARC.
    fs::write(ws.join("ap.txt"), format!("{P1}\n")).unwrap();
    ok_run(&prov(ws, &["add", "ap.txt", "--id", "ap", "--outlet", "x"]));
    assert_eq!(
        fs::read_to_string(ws.join("snapshots/ap.txt")).unwrap(),
        format!("{P1}\n")
    );
    assert!(!ws.join("snapshots/ap.warc.gz").exists());
    // A PDF file is refused, by its bytes.
    fs::write(ws.join("doc.pdf"), b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").unwrap();
    let before = tree(ws);
    let o = prov(ws, &["add", "doc.pdf", "--id", "pdf", "--outlet", "x"]);
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("PDF is not supported yet"), "{}", o.all());
    assert_eq!(tree(ws), before);
    let o = prov(ws, &["report", "--format", "json", "-o", "r.json"]);
    assert_ne!(o.code, Some(2), "{}", o.all());
    let o = prov(ws, &["report", "--verify", "r.json"]);
    ok_run(&o);
    assert!(
        o.stdout.contains("evidence of `saved`: proven"),
        "{}",
        o.all()
    );
    warcio_check(&[
        ws.join("snapshots/saved.warc.gz"),
        ws.join("snapshots/sniffed.warc.gz"),
    ]);
}

/// A page served from a buffer the test changes.
fn changing_server(page: Arc<Mutex<Reply2>>) -> Server {
    Server::start(move |r| match r.path.as_str() {
        "/story" => match &*page.lock().unwrap() {
            Reply2::Page(b) => ok("text/html; charset=utf-8", b),
            Reply2::Status(s) => Reply::Raw(response(*s, "Status", &[], b"")),
        },
        _ => not_found(),
    })
}

enum Reply2 {
    Page(Vec<u8>),
    Status(u16),
}

fn set(page: &Arc<Mutex<Reply2>>, to: Reply2) {
    *page.lock().unwrap() = to;
}

#[test]
fn refresh_stages_a_changed_page_names_the_citations_it_breaks_and_does_not_flap() {
    let page = Arc::new(Mutex::new(Reply2::Page(article("Ties cut", &[P1, P2, P3]))));
    let server = changing_server(page.clone());
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    workspace(ws);
    ok_run(&prov(
        ws,
        &[
            "add",
            "--url",
            &server.url("/story"),
            "--id",
            "ties",
            "--outlet",
            "x",
        ],
    ));
    cite(
        ws,
        "left",
        "ties",
        "Iranian diplomats left the embassy in Tirana on Thursday",
    );
    cite(
        ws,
        "hired",
        "ties",
        "Iran had hired four groups to carry it out",
    );
    ok_run(&prov(ws, &["check"]));

    // Nothing changed.
    let o = prov(ws, &["refresh"]);
    ok_run(&o);
    assert!(o.stdout.contains("ties  unchanged"), "{}", o.all());
    assert!(!ws.join("snapshots/ties.new.txt").exists());

    // Only an uncited paragraph changed: staged, and said in one line that every citation holds.
    let p3b = P3.replace("24 hours", "48 hours");
    set(&page, Reply2::Page(article("Ties cut", &[P1, P2, &p3b])));
    let o = prov(ws, &["refresh"]);
    ok_run(&o);
    assert!(
        o.stdout
            .contains("the change is outside the cited passages: all 2 citations still hold"),
        "{}",
        o.all()
    );
    assert!(ws.join("snapshots/ties.new.txt").exists());
    assert!(ws.join("snapshots/ties.new.warc.gz").exists());
    // The same text again: already pending, nothing new.
    let o = prov(ws, &["refresh"]);
    ok_run(&o);
    assert!(o.stdout.contains("already pending"), "{}", o.all());

    // A cited sentence changed: staged, exit 1, the citation named with its word diff.
    let p2b = P2.replace("four groups", "three groups");
    set(&page, Reply2::Page(article("Ties cut", &[P1, &p2b, &p3b])));
    let o = prov(ws, &["refresh"]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    assert!(
        o.stdout.contains("1 citation would break, 1 still holds"),
        "{}",
        o.all()
    );
    assert!(
        o.stdout.contains("claims/hired.toml:7  hired"),
        "{}",
        o.all()
    );
    assert!(o.stdout.contains("[-four-]{+three+}"), "{}", o.all());
    // The same in JSON, against its schema.
    let o = prov(ws, &["refresh", "--format", "json"]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    validate_refresh(&doc);
    assert_eq!(doc["schema"], "prov-refresh/1");
    assert_eq!(doc["sources"][0]["status"], "already-pending");
    assert_eq!(doc["sources"][0]["effect"]["break"], 1);
    assert_eq!(doc["sources"][0]["effect"]["broken"][0]["claim"], "hired");

    // Accept it (keeping the broken citation), then the page flaps back: reverted, nothing
    // staged.
    let o = prov(ws, &["accept", "--keep-broken"]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    assert!(
        o.stdout.contains("its WARC as snapshots/ties@"),
        "{}",
        o.all()
    );
    set(&page, Reply2::Page(article("Ties cut", &[P1, P2, P3])));
    let o = prov(ws, &["refresh"]);
    assert!(
        o.stdout
            .contains("reverted: the page gives the text of revision"),
        "{}",
        o.all()
    );
    assert!(!ws.join("snapshots/ties.new.txt").exists());

    // A wall, a text that shrank, an error: failed, nothing staged; gone: news, exit 1.
    let before = tree(ws);
    set(
        &page,
        Reply2::Page(b"<html><body><h1>Just a moment...</h1><p>Checking your browser before accessing the site.</p></body></html>".to_vec()),
    );
    let o = prov(ws, &["refresh"]);
    assert!(o.stdout.contains("failed (wall)"), "{}", o.all());
    set(&page, Reply2::Page(article("Ties cut", &[P1])));
    let o = prov(ws, &["refresh"]);
    assert!(o.stdout.contains("failed (shrunk)"), "{}", o.all());
    set(&page, Reply2::Status(503));
    let o = prov(ws, &["refresh"]);
    assert!(o.stdout.contains("failed (fetch)"), "{}", o.all());
    set(&page, Reply2::Status(410));
    let o = prov(ws, &["refresh"]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    assert!(
        o.stdout.contains("gone: ") && o.stdout.contains("2 citations cite it"),
        "{}",
        o.all()
    );
    assert_eq!(tree(ws), before, "failed fetches wrote nothing");

    // capture --fetch stages like capture FILE; check and diff see it.
    set(&page, Reply2::Page(article("Ties cut", &[P1, P2, &p3b])));
    let o = prov(ws, &["capture", "ties", "--fetch"]);
    ok_run(&o);
    assert!(
        o.stdout.contains("evidence: snapshots/ties.new.warc.gz"),
        "{}",
        o.all()
    );
    let o = prov(ws, &["diff", "ties"]);
    assert!(
        o.stdout.contains("pending capture of `ties`"),
        "{}",
        o.all()
    );
    let mut warcs: Vec<PathBuf> = fs::read_dir(ws.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .collect();
    warcs.sort();
    assert_eq!(warcs.len(), 3, "{warcs:?}");
    warcio_check(&warcs);
}

fn validate_refresh(doc: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(common::repo().join("docs/schema/prov-refresh-1.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
}

#[test]
fn refresh_shards_by_host_and_re_extracts_from_the_kept_warc() {
    let a = Server::start(|r| match r.path.as_str() {
        "/1" => ok("text/html", &article("One", &[P1])),
        "/2" => ok("text/html", &article("Two", &[P2])),
        _ => not_found(),
    });
    let b = Server::start(|r| match r.path.as_str() {
        "/3" => ok("text/html", &article("Three", &[P3])),
        _ => not_found(),
    });
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    workspace(ws);
    let local_b = format!("http://localhost:{}/3", b.addr.port());
    for (id, u) in [
        ("one", a.url("/1")),
        ("two", a.url("/2")),
        ("three", local_b),
    ] {
        ok_run(&prov(
            ws,
            &["add", "--url", &u, "--id", id, "--outlet", "x"],
        ));
    }
    let ids = |o: &Out| -> Vec<String> {
        let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        validate_refresh(&doc);
        doc["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    let first = ids(&prov(
        ws,
        &[
            "refresh",
            "--partition",
            "1/2",
            "--format",
            "json",
            "--jobs",
            "2",
        ],
    ));
    let second = ids(&prov(
        ws,
        &["refresh", "--partition", "2/2", "--format", "json"],
    ));
    // The biggest host (127.0.0.1, two sources) goes to shard 1, localhost to shard 2.
    assert_eq!(first, ["one", "two"]);
    assert_eq!(second, ["three"]);
    // Re-extraction: the same extractor gives the same text.
    let o = prov(ws, &["refresh", "--re-extract"]);
    ok_run(&o);
    assert!(o.stdout.contains("3 unchanged"), "{}", o.all());
    // A capture recorded in another mode re-extracts to other text: staged as a re-extraction,
    // accepted as one.
    common::edit(
        ws,
        "sources.toml",
        "mode = \"article\"\n\n[sources.two]",
        "mode = \"page\"\n\n[sources.two]",
    );
    let o = prov(ws, &["refresh", "--re-extract", "one"]);
    ok_run(&o);
    assert!(
        o.stdout
            .contains("re-extracted: this prov's extractor gives other text"),
        "{}",
        o.all()
    );
    let o = prov(ws, &["accept", "one"]);
    ok_run(&o);
    assert!(
        o.stdout
            .contains("a re-extraction of the same server response, not a publisher's edit"),
        "{}",
        o.all()
    );
    let sources = fs::read_to_string(ws.join("sources.toml")).unwrap();
    assert!(sources.contains("re_extraction = true"), "{sources}");
    // The re-extraction's WARC holds the same server bytes as the first.
    warcio_check(&[ws.join("snapshots/one.warc.gz")]);
}

#[test]
fn a_warc_written_by_wget_gives_the_same_text_as_a_direct_fetch() {
    if Command::new("wget").arg("--version").output().is_err() {
        judge_missing("wget", "apt-get install wget");
        return;
    }
    let page = sample(PAGE_A);
    let server = Server::start(move |r| match r.path.as_str() {
        "/story" => chunked_gzip("text/html; charset=utf-8", &page),
        "/old" => redirect(301, "/story"),
        _ => not_found(),
    });
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    workspace(ws);
    let dl = tempfile::tempdir().unwrap();
    let out = Command::new("wget")
        .current_dir(dl.path())
        .args([
            "--quiet",
            "--no-proxy",
            "-e",
            "robots=off",
            "--warc-file=crawl",
            "-O",
            "/dev/null",
        ])
        .arg(server.url("/old"))
        .output()
        .unwrap();
    assert!(
        dl.path().join("crawl.warc.gz").exists(),
        "wget failed: {out:?}"
    );
    let warc = dl.path().join("crawl.warc.gz").display().to_string();
    ok_run(&prov(
        ws,
        &[
            "add",
            "--url",
            &server.url("/old"),
            "--id",
            "direct",
            "--outlet",
            "x",
        ],
    ));
    let o = prov(
        ws,
        &[
            "add",
            "--warc",
            &warc,
            "--url",
            &server.url("/old"),
            "--id",
            "wget",
            "--outlet",
            "x",
        ],
    );
    ok_run(&o);
    assert_eq!(
        fs::read(ws.join("snapshots/wget.txt")).unwrap(),
        fs::read(ws.join("snapshots/direct.txt")).unwrap()
    );
    let sources = fs::read_to_string(ws.join("sources.toml")).unwrap();
    assert!(sources.contains("method = \"archive\""));
    warcio_check(&[ws.join("snapshots/wget.warc.gz")]);
}

#[test]
fn the_same_response_captured_twice_gives_identical_snapshots_and_warcs() {
    let page = sample(PAGE_B);
    let server = Server::start(move |r| match r.path.as_str() {
        "/p" => chunked_gzip("text/html", &page),
        _ => not_found(),
    });
    let mut files = Vec::new();
    for _ in 0..2 {
        let tmp = tempfile::tempdir().unwrap();
        workspace(tmp.path());
        ok_run(&prov_env(
            tmp.path(),
            &[
                "add",
                "--url",
                &server.url("/p"),
                "--id",
                "p",
                "--outlet",
                "x",
            ],
            &[("SOURCE_DATE_EPOCH", "1795435200")],
        ));
        files.push((
            fs::read(tmp.path().join("snapshots/p.txt")).unwrap(),
            fs::read(tmp.path().join("snapshots/p.warc.gz")).unwrap(),
            fs::read_to_string(tmp.path().join("sources.toml")).unwrap(),
        ));
    }
    assert_eq!(files[0].0, files[1].0, "snapshots");
    assert_eq!(files[0].1, files[1].1, "WARCs");
    assert_eq!(files[0].2, files[1].2, "sources.toml");
}

#[test]
fn fetch_settings_are_validated_where_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    workspace(ws);
    common::edit(ws, "sources.toml", "delay = 0", "delay = 600\nrobot = true");
    let o = prov(
        ws,
        &[
            "add",
            "--url",
            "http://127.0.0.1:9/x",
            "--id",
            "x",
            "--outlet",
            "x",
        ],
    );
    assert_eq!(o.code, Some(2), "{}", o.all());
    assert!(
        o.stderr
            .contains("`delay` must be from 0 to 60 seconds, not 600"),
        "{}",
        o.all()
    );
    assert!(
        o.stderr.contains("unknown key `robot` in [fetch]"),
        "{}",
        o.all()
    );
    assert!(o.stderr.contains("sources.toml:"), "{}", o.all());
}

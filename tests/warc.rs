//! WARC evidence: files prov writes pass `warcio check` and `warcio index` (when warcio is
//! installed; each test says when it skipped, and fails instead under `.ci/run`), are deterministic, and read back; files made
//! by `wget --warc-file` (when wget is installed) and WACZ files are read; damaged and foreign
//! files are named, never a panic. Every server is a loopback one started in the test.

mod common;
#[path = "common/loopback.rs"]
mod loopback;

use std::io::{Cursor, Write};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{judge_missing, warcio_check};
use loopback::{Reply, Server, ok, redirect, response};
use prov::capture::http::{Exchange, FetchConfig, Fetcher};
use prov::capture::warc::{
    Conversion, ReadLimits, WarcError, from_raw_body, read_response, read_response_file, write_warc,
};

fn fetcher() -> Fetcher {
    let mut c = FetchConfig::new(Some("https://newsroom.example/prov"));
    c.host_delay = Duration::ZERO;
    Fetcher::new(c)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

const PAGE: &str =
    "<html><body><p>L’Albanie a rompu mercredi ses relations avec l’Iran.</p></body></html>";

/// A server with a plain page, a chunked gzipped page, a redirect, and a 1252 page.
fn server() -> Server {
    Server::start(|r| match r.path.as_str() {
        "/plain" => ok("text/html; charset=utf-8", PAGE.as_bytes()),
        "/chunked" => {
            let gz = gzip(PAGE.as_bytes());
            let mut raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            for part in gz.chunks(20) {
                raw.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                raw.extend_from_slice(part);
                raw.extend_from_slice(b"\r\n");
            }
            raw.extend_from_slice(b"0\r\n\r\n");
            Reply::Raw(raw)
        }
        "/start" => redirect(302, "/plain"),
        "/cp1252" => ok("text/html; charset=windows-1252", b"<p>\x93Caf\xe9\x94</p>"),
        _ => Reply::Raw(response(404, "Not Found", &[], b"")),
    })
}

fn conversion(text: &[u8]) -> Conversion<'_> {
    Conversion {
        text,
        content_type: "text/plain; charset=utf-8",
        extractor: "test-extractor 1.0 article",
        method: Some("fetch"),
        re_extraction_of: None,
    }
}

fn gunzip_all(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn prov_warcs_pass_warcio_check_and_index() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let f = fetcher();
    let mut files = Vec::new();
    for path in ["/plain", "/chunked", "/start", "/cp1252"] {
        let ex = f.fetch(&s.url(path)).unwrap();
        let text = "L’Albanie a rompu mercredi ses relations avec l’Iran.".as_bytes();
        let file = dir.path().join(format!("{}.warc.gz", &path[1..]));
        std::fs::write(&file, write_warc(&ex, Some(&conversion(text)))).unwrap();
        files.push(file);
    }
    let raw = from_raw_body(
        &s.url("/wayback"),
        b"<p>raw id_ bytes</p>".to_vec(),
        "2026-01-02T03:04:05Z",
    );
    let file = dir.path().join("raw.warc.gz");
    std::fs::write(&file, write_warc(&raw, None)).unwrap();
    files.push(file);
    let paths: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    if warcio_check(&paths) {
        eprintln!(
            "warcio check and warcio index passed on {} files",
            paths.len()
        );
    }
}

#[test]
fn the_records_are_the_ones_promised() {
    let s = server();
    let ex = fetcher().fetch(&s.url("/start")).unwrap();
    let warc = write_warc(&ex, Some(&conversion(b"text")));
    let text = gunzip_all(&warc);
    let types: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("WARC-Type: "))
        .collect();
    assert_eq!(
        types,
        [
            "warcinfo",
            "request",
            "response",
            "request",
            "response",
            "conversion",
            "metadata"
        ]
    );
    assert!(text.contains("software: prov/"));
    assert!(text.contains(&format!("WARC-Target-URI: {}", s.url("/plain"))));
    assert!(text.contains("WARC-IP-Address: 127.0.0.1"));
    assert!(text.contains("extractor: test-extractor 1.0 article"));
    // The payload digest is the sha256 of the body as transferred (no transfer coding here).
    let body_digest = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(PAGE.as_bytes());
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert!(text.contains(&format!("WARC-Payload-Digest: sha256:{body_digest}")));
    // The conversion refers to the final response.
    let response_id = text
        .split("WARC/1.1")
        .filter(|r| {
            r.contains("WARC-Type: response")
                && r.contains(&format!("WARC-Target-URI: {}\r\n", s.url("/plain")))
        })
        .find_map(|r| r.lines().find_map(|l| l.strip_prefix("WARC-Record-ID: ")))
        .unwrap()
        .to_string();
    assert!(text.contains(&format!("WARC-Refers-To: {response_id}")));
    // One gzip member per record: each decodes alone.
    assert_eq!(warc.windows(3).filter(|w| *w == [0x1f, 0x8b, 8]).count(), 7);
    // A chunked response gets the block digest only (tools disagree on its payload digest).
    let ex = fetcher().fetch(&s.url("/chunked")).unwrap();
    let text = gunzip_all(&write_warc(&ex, None));
    let response = text
        .split("WARC/1.1")
        .find(|r| r.contains("WARC-Type: response"))
        .unwrap();
    assert!(!response.contains("WARC-Payload-Digest"));
    assert!(response.contains("WARC-Block-Digest: sha256:"));
    assert!(
        response.contains("Transfer-Encoding: chunked"),
        "kept as received"
    );
}

#[test]
fn the_same_exchange_gives_the_same_bytes() {
    let s = server();
    let f = fetcher();
    let mut a = f.fetch(&s.url("/start")).unwrap();
    let mut b = f.fetch(&s.url("/start")).unwrap();
    a.fetched = "2026-11-22T10:00:00Z".into();
    b.fetched = "2026-11-22T10:00:00Z".into();
    let text = "the text".as_bytes();
    let wa = write_warc(&a, Some(&conversion(text)));
    assert_eq!(wa, write_warc(&b, Some(&conversion(text))));
    assert_eq!(wa, write_warc(&a, Some(&conversion(text))));
    // Record ids are distinct within the file.
    let t = gunzip_all(&wa);
    let mut ids: Vec<&str> = t
        .lines()
        .filter_map(|l| l.strip_prefix("WARC-Record-ID: "))
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
}

fn same_response(a: &Exchange, b: &Exchange) {
    assert_eq!(a.response.head, b.response.head);
    assert_eq!(a.response.raw, b.response.raw);
    assert_eq!(a.body(), b.body());
}

#[test]
fn a_prov_warc_reads_back_as_the_exchange() {
    let s = server();
    let f = fetcher();
    for path in ["/plain", "/chunked", "/cp1252"] {
        let ex = f.fetch(&s.url(path)).unwrap();
        let warc = write_warc(&ex, Some(&conversion(b"x")));
        let back =
            read_response(&mut Cursor::new(&warc), &s.url(path), ReadLimits::default()).unwrap();
        same_response(&ex, &back);
        assert_eq!(back.fetched, ex.fetched);
        assert_eq!(back.remote_ip, ex.remote_ip);
        assert!(back.request.unwrap().raw.starts_with(b"GET "));
    }
    // Asked for the redirecting URL, the reader follows the redirect recorded in the file.
    let ex = f.fetch(&s.url("/start")).unwrap();
    let warc = write_warc(&ex, None);
    let back = read_response(
        &mut Cursor::new(&warc),
        &s.url("/start"),
        ReadLimits::default(),
    )
    .unwrap();
    assert_eq!(back.final_url, s.url("/plain"));
    assert_eq!(back.redirects.len(), 1);
    assert_eq!(back.body(), PAGE.as_bytes());
}

#[test]
fn a_wget_warc_gives_the_same_body_as_a_direct_fetch() {
    if Command::new("wget").arg("--version").output().is_err() {
        judge_missing("wget", "apt-get install wget");
        return;
    }
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    for path in ["/plain", "/chunked", "/start", "/cp1252"] {
        let base = dir.path().join(&path[1..]);
        let out = Command::new("wget")
            .args([
                "--quiet",
                "--tries=1",
                "--timeout=10",
                "--no-warc-keep-log",
                "--output-document=/dev/null",
            ])
            .arg(format!("--warc-file={}", base.display()))
            .arg(s.url(path))
            .output()
            .unwrap();
        assert!(
            out.status.success() || out.status.code() == Some(8),
            "wget failed: {out:?}"
        );
        let file = base.with_extension("warc.gz");
        let from_wget = read_response_file(&file, &s.url(path), ReadLimits::default()).unwrap();
        let direct = fetcher().fetch(&s.url(path)).unwrap();
        assert_eq!(from_wget.body(), direct.body(), "{path}");
        assert_eq!(from_wget.final_url, direct.final_url, "{path}");
        assert_eq!(from_wget.status(), 200);
        assert!(from_wget.remote_ip.is_some());
    }
}

/// A zip with stored entries, as WACZ tools write them.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let offset = out.len() as u32;
        let header = |sig: &[u8], central: bool| {
            let mut h = sig.to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
            h.extend_from_slice(&crc.sum().to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(b"PK\x03\x04", false));
        out.extend_from_slice(data);
        central.extend(header(b"PK\x01\x02", true));
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn a_wacz_is_read_through_its_archive_warcs() {
    let s = server();
    let ex = fetcher().fetch(&s.url("/chunked")).unwrap();
    let warc = write_warc(&ex, None);
    let other = write_warc(&fetcher().fetch(&s.url("/cp1252")).unwrap(), None);
    let wacz = zip(&[
        ("datapackage.json", b"{}"),
        ("archive/data.warc.gz", &other),
        ("archive/more.warc.gz", &warc),
        ("indexes/index.cdx", b""),
    ]);
    let back = read_response(
        &mut Cursor::new(&wacz),
        &s.url("/chunked"),
        ReadLimits::default(),
    )
    .unwrap();
    same_response(&ex, &back);
}

#[test]
fn damaged_and_foreign_files_are_named() {
    let s = server();
    let ex = fetcher().fetch(&s.url("/plain")).unwrap();
    let warc = write_warc(&ex, None);
    let read = |bytes: &[u8], url: &str| {
        read_response(&mut Cursor::new(bytes), url, ReadLimits::default())
    };
    // No response for the URL: the message lists what the file has.
    let e = read(&warc, "http://example.org/other").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "no response for http://example.org/other in the archive; it has 1 response record(s), for {}",
            s.url("/plain")
        )
    );
    // Cut in the middle: truncated or damaged gzip, with an offset.
    let e = read(&warc[..warc.len() - 200], &s.url("/plain")).unwrap_err();
    assert!(
        matches!(e, WarcError::Truncated { .. } | WarcError::Corrupt { .. }),
        "{e}"
    );
    let mut flipped = warc.clone();
    let mid = warc.len() / 2;
    for b in &mut flipped[mid..mid + 16] {
        *b ^= 0x55;
    }
    let e = read(&flipped, &s.url("/plain")).unwrap_err();
    assert!(
        matches!(
            e,
            WarcError::Truncated { .. }
                | WarcError::Corrupt { .. }
                | WarcError::BadResponse { .. }
                | WarcError::NoResponse { .. }
        ),
        "{e}"
    );
    // Uncompressed and cut.
    let plain = gunzip_all(&warc).into_bytes();
    let e = read(&plain[..plain.len() - 50], &s.url("/plain")).unwrap_err();
    assert!(matches!(e, WarcError::Truncated { .. }), "{e}");
    assert!(e.to_string().starts_with("the WARC is truncated"), "{e}");
    // Not a WARC at all.
    let e = read(PAGE.as_bytes(), &s.url("/plain")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a WARC or WACZ file: it starts with \"<html><body><p>L’Albanie a rompu mercred\", not WARC/1.x"
    );
    assert!(matches!(
        read(b"", "http://x/"),
        Err(WarcError::NotAWarc { .. })
    ));
    assert!(matches!(
        read(&zip(&[("a.txt", b"x")]), "http://x/"),
        Err(WarcError::NotAWarc { .. })
    ));
    // A record claiming a huge length.
    let e = read(
        b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 99999999999\r\n\r\nabc",
        "http://x/",
    )
    .unwrap_err();
    assert!(matches!(e, WarcError::Truncated { .. }), "{e}");
}

#[test]
fn a_wayback_raw_download_is_just_its_bytes() {
    let ex = from_raw_body(
        "https://example.org/a",
        b"\x93raw\x94".to_vec(),
        "2026-01-01T00:00:00Z",
    );
    assert_eq!(ex.body(), b"\x93raw\x94");
    let warc = write_warc(&ex, None);
    let text = gunzip_all(&warc);
    assert!(text.contains("WARC-Type: resource"));
}

#[test]
fn prov_reads_its_own_evidence_back_and_writes_the_same_file_again() {
    use prov::capture::warc::read_evidence;
    let s = server();
    let f = fetcher();
    for path in ["/start", "/chunked", "/cp1252"] {
        let ex = f.fetch(&s.url(path)).unwrap();
        let warc = write_warc(&ex, Some(&conversion(b"text\n")));
        let ev = read_evidence(&warc, 1 << 20).unwrap();
        assert_eq!(ev.exchange.final_url, ex.final_url, "{path}");
        assert_eq!(ev.exchange.redirects.len(), ex.redirects.len(), "{path}");
        assert_eq!(ev.extractor.as_deref(), Some("test-extractor 1.0 article"));
        assert_eq!(ev.method.as_deref(), Some("fetch"));
        assert!(!ev.raw_body);
        assert_eq!(
            write_warc(&ev.exchange, Some(&conversion(b"text\n"))),
            warc,
            "{path}: the same records, byte for byte"
        );
    }
    let raw = prov::capture::warc::from_raw_body_typed(
        "https://web.archive.org/web/20230621120304id_/https://example.org/a",
        b"<p>raw</p>".to_vec(),
        "2023-06-21T12:03:04Z",
        Some("text/html"),
    );
    let warc = write_warc(&raw, Some(&conversion(b"raw\n")));
    let ev = read_evidence(&warc, 1 << 20).unwrap();
    assert!(ev.raw_body);
    assert_eq!(ev.exchange.content_type().as_deref(), Some("text/html"));
    assert_eq!(write_warc(&ev.exchange, Some(&conversion(b"raw\n"))), warc);
}

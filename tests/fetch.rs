//! Fetching over HTTP against a loopback server started inside each test (127.0.0.1 only; no
//! test touches the internet): the exchange as evidence, decoding, redirects, limits,
//! robots.txt, retries, politeness, and every failure named.

#[path = "common/loopback.rs"]
mod loopback;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use loopback::{Reply, Server, ok, redirect, response};
use prov::capture::http::{FetchConfig, FetchError, Fetcher};

fn config() -> FetchConfig {
    let mut c = FetchConfig::new(Some("https://newsroom.example/prov"));
    c.host_delay = Duration::ZERO;
    c.connect_timeout = Duration::from_secs(5);
    c.read_timeout = Duration::from_secs(5);
    c.overall_timeout = Duration::from_secs(30);
    c
}

fn fetcher() -> Fetcher {
    Fetcher::new(config())
}

fn not_found() -> Reply {
    Reply::Raw(response(404, "Not Found", &[], b"no"))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_page_is_fetched_with_the_exchange_as_sent_and_received() {
    let page = response(
        200,
        "OK",
        &[
            ("Content-Type", "text/html; charset=utf-8"),
            ("X-Order", "1"),
        ],
        "<p>L’Albanie a rompu</p>".as_bytes(),
    );
    let sent = page.clone();
    let server = Server::start(move |r| match r.path.as_str() {
        "/article" => Reply::Raw(sent.clone()),
        _ => not_found(),
    });
    let ex = fetcher().fetch(&server.url("/article")).unwrap();
    assert_eq!(ex.status(), 200);
    assert_eq!(ex.body(), "<p>L’Albanie a rompu</p>".as_bytes());
    assert_eq!(
        ex.response.raw, page,
        "the response exactly as the server sent it"
    );
    assert_eq!(
        ex.content_type().as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(ex.final_url, server.url("/article"));
    assert!(ex.redirects.is_empty());
    assert_eq!(ex.remote_ip.unwrap().to_string(), "127.0.0.1");
    assert!(
        humantime::parse_rfc3339(&ex.fetched).is_ok(),
        "{}",
        ex.fetched
    );
    // The request as sent is the request the server read, byte for byte.
    let req = ex.request.as_ref().unwrap();
    let seen = server.requests.lock().unwrap();
    let article = seen.iter().find(|r| r.path == "/article").unwrap();
    assert_eq!(req.raw, article.raw);
    assert_eq!(req.method, "GET");
    let ua = article.header("user-agent").unwrap();
    assert!(
        ua.starts_with("prov/") && ua.ends_with("(+https://newsroom.example/prov)"),
        "{ua}"
    );
    assert_eq!(article.header("accept-encoding"), Some("gzip, deflate, br"));
    // robots.txt was asked first.
    assert_eq!(seen[0].path, "/robots.txt");
}

#[test]
fn gzip_deflate_and_br_bodies_are_decoded_and_kept_encoded_as_evidence() {
    let text = "Le café « br », compressed.".as_bytes();
    let latin1: &[u8] = b"Le caf\xe9 \xab br \xbb, compressed.";
    let gz = gzip(text);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(text).unwrap();
    let zlib = z.finish().unwrap();
    // brotli.compress(latin1) from Python's brotli module (prov has no brotli encoder).
    let br: Vec<u8> = vec![
        11, 13, 128, 76, 101, 32, 99, 97, 102, 233, 32, 171, 32, 98, 114, 32, 187, 44, 32, 99, 111,
        109, 112, 114, 101, 115, 115, 101, 100, 46, 3,
    ];
    let (g, d, b) = (gz.clone(), zlib.clone(), br.clone());
    let server = Server::start(move |r| {
        let (enc, body) = match r.path.as_str() {
            "/gz" => ("gzip", g.clone()),
            "/deflate" => ("deflate", d.clone()),
            "/br" => ("br", b.clone()),
            _ => return not_found(),
        };
        Reply::Raw(response(200, "OK", &[("Content-Encoding", enc)], &body))
    });
    let f = fetcher();
    let ex = f.fetch(&server.url("/gz")).unwrap();
    assert_eq!(ex.body(), text);
    assert_eq!(ex.response.payload, gz, "the payload stays as transferred");
    assert_eq!(f.fetch(&server.url("/deflate")).unwrap().body(), text);
    let ex = f.fetch(&server.url("/br")).unwrap();
    assert_eq!(ex.body(), latin1);
    assert_eq!(ex.response.payload, br);
}

#[test]
fn a_chunked_body_is_de_chunked_and_its_framing_kept_in_the_raw_bytes() {
    let mut raw =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    raw.extend_from_slice(b"7\r\nchunked\r\n1;ext=yes\r\n \r\n4\r\nbody\r\n0\r\n\r\n");
    let sent = raw.clone();
    let server = Server::start(move |r| match r.path.as_str() {
        "/c" => Reply::Raw(sent.clone()),
        _ => not_found(),
    });
    let ex = fetcher().fetch(&server.url("/c")).unwrap();
    assert_eq!(ex.body(), b"chunked body");
    assert_eq!(ex.response.payload, b"chunked body");
    assert_eq!(ex.response.raw, raw);
}

#[test]
fn windows_1252_bytes_are_just_bytes_here() {
    let body: &[u8] = b"<p>\x93Caf\xe9\x94 \x96 na\xefve</p>";
    let server = Server::start(move |r| match r.path.as_str() {
        "/cp" => ok("text/html; charset=windows-1252", body),
        _ => not_found(),
    });
    assert_eq!(fetcher().fetch(&server.url("/cp")).unwrap().body(), body);
}

#[test]
fn redirects_on_the_same_site_are_followed_and_recorded() {
    let server = Server::start(|r| match r.path.as_str() {
        "/old" => redirect(301, "/middle"),
        "/middle" => redirect(302, "final?x=1"),
        "/final?x=1" => ok("text/plain", b"here"),
        _ => not_found(),
    });
    let ex = fetcher().fetch(&server.url("/old")).unwrap();
    assert_eq!(ex.body(), b"here");
    assert_eq!(ex.final_url, server.url("/final?x=1"));
    let hops: Vec<(String, u16)> = ex
        .redirects
        .iter()
        .map(|h| (h.url.clone(), h.status))
        .collect();
    assert_eq!(
        hops,
        vec![(server.url("/old"), 301), (server.url("/middle"), 302)]
    );
    assert!(!ex.cross_site_redirect);
    assert!(ex.warnings().is_empty());
    assert!(
        ex.redirects[0]
            .response
            .as_ref()
            .unwrap()
            .raw
            .starts_with(b"HTTP/1.1 301")
    );
}

#[test]
fn a_redirect_to_another_site_is_followed_recorded_and_warned() {
    let other = Server::start(|r| match r.path.as_str() {
        "/landing" => ok("text/plain", b"elsewhere"),
        _ => not_found(),
    });
    let target = format!("http://localhost:{}/landing", other.addr.port());
    let server = Server::start(move |r| match r.path.as_str() {
        "/go" => redirect(302, &target),
        _ => not_found(),
    });
    let ex = fetcher().fetch(&server.url("/go")).unwrap();
    assert_eq!(ex.body(), b"elsewhere");
    assert!(ex.cross_site_redirect);
    let w = ex.warnings();
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("redirected to another site"), "{w:?}");
}

#[test]
fn redirect_loops_and_endless_redirects_fail() {
    let server = Server::start(|r| {
        let p = r.path.as_str();
        if p == "/a" {
            redirect(302, "/b")
        } else if p == "/b" {
            redirect(302, "/a")
        } else if let Some(n) = p.strip_prefix("/r/") {
            let n: u32 = n.parse().unwrap();
            redirect(307, &format!("/r/{}", n + 1))
        } else {
            not_found()
        }
    });
    let e = fetcher().fetch(&server.url("/a")).unwrap_err();
    assert!(matches!(e, FetchError::RedirectLoop { .. }), "{e}");
    assert!(e.to_string().contains("the redirects loop"), "{e}");
    let mut c = config();
    c.max_redirects = 3;
    let e = Fetcher::new(c).fetch(&server.url("/r/0")).unwrap_err();
    assert!(
        matches!(e, FetchError::TooManyRedirects { max: 3, .. }),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        format!("{}: more than 3 redirects", server.url("/r/0"))
    );
}

#[test]
fn error_statuses_are_named() {
    let server = Server::start(|r| match r.path.as_str() {
        "/gone" => Reply::Raw(response(410, "Gone", &[], b"")),
        "/forbidden" => Reply::Raw(response(403, "Forbidden", &[], b"")),
        "/broken" => Reply::Raw(response(500, "Internal Server Error", &[], b"")),
        "/unavailable" => Reply::Raw(response(503, "Service Unavailable", &[], b"")),
        _ => not_found(),
    });
    let f = fetcher();
    let e = f.fetch(&server.url("/missing")).unwrap_err();
    assert_eq!(
        e,
        FetchError::Gone {
            url: server.url("/missing"),
            status: 404
        }
    );
    assert_eq!(
        e.to_string(),
        format!("{}: the page is gone (HTTP 404)", server.url("/missing"))
    );
    assert!(matches!(
        f.fetch(&server.url("/gone")),
        Err(FetchError::Gone { status: 410, .. })
    ));
    let e = f.fetch(&server.url("/forbidden")).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("the server refused the request (HTTP 403 Forbidden)"),
        "{e}"
    );
    let e = f.fetch(&server.url("/broken")).unwrap_err();
    assert!(
        matches!(e, FetchError::ServerError { status: 500, .. }),
        "{e}"
    );
    assert!(
        e.to_string()
            .ends_with("the server failed (HTTP 500 Internal Server Error)"),
        "{e}"
    );
    // 503 without Retry-After: no retry, a server error.
    let e = f.fetch(&server.url("/unavailable")).unwrap_err();
    assert!(
        matches!(e, FetchError::ServerError { status: 503, .. }),
        "{e}"
    );
}

#[test]
fn retry_after_is_honoured_then_bounded() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let server = Server::start(move |r| match r.path.as_str() {
        "/busy" => {
            if c2.fetch_add(1, Ordering::SeqCst) == 0 {
                Reply::Raw(response(503, "Busy", &[("Retry-After", "1")], b""))
            } else {
                ok("text/plain", b"now")
            }
        }
        "/slow-down" => Reply::Raw(response(
            429,
            "Too Many Requests",
            &[("Retry-After", "3600")],
            b"",
        )),
        "/always" => Reply::Raw(response(
            429,
            "Too Many Requests",
            &[("Retry-After", "0")],
            b"",
        )),
        _ => not_found(),
    });
    let f = fetcher();
    assert_eq!(f.fetch(&server.url("/busy")).unwrap().body(), b"now");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // An hour is longer than prov waits: fail at once, saying what the server asked.
    let e = f.fetch(&server.url("/slow-down")).unwrap_err();
    assert_eq!(
        e,
        FetchError::RateLimited {
            url: server.url("/slow-down"),
            status: 429,
            retry_after: Some(Duration::from_secs(3600))
        }
    );
    assert!(e.to_string().contains("asks to retry after 3600 s"), "{e}");
    // Retries are bounded: 1 try + max_retries (2).
    let before = server.paths().iter().filter(|p| *p == "/always").count();
    assert!(matches!(
        f.fetch(&server.url("/always")),
        Err(FetchError::RateLimited { .. })
    ));
    let after = server.paths().iter().filter(|p| *p == "/always").count();
    assert_eq!(after - before, 3);
}

#[test]
fn a_silent_server_times_out() {
    let server = Server::start(|r| match r.path.as_str() {
        "/slow" => Reply::Stall(
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc".to_vec(),
            Duration::from_secs(5),
        ),
        "/mute" => Reply::Stall(Vec::new(), Duration::from_secs(5)),
        _ => not_found(),
    });
    let mut c = config();
    c.read_timeout = Duration::from_millis(300);
    let f = Fetcher::new(c);
    for path in ["/slow", "/mute"] {
        let e = f.fetch(&server.url(path)).unwrap_err();
        assert!(matches!(e, FetchError::Timeout { .. }), "{path}: {e}");
        assert!(
            e.to_string().contains("timed out waiting for the server"),
            "{e}"
        );
    }
}

#[test]
fn an_endless_or_announced_huge_body_is_refused_while_streaming() {
    let server = Server::start(|r| match r.path.as_str() {
        "/endless" => {
            Reply::Endless(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n".to_vec())
        }
        "/endless-chunk" => {
            Reply::Endless(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec())
        }
        "/huge" => Reply::Stall(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n".to_vec(),
            Duration::from_millis(10),
        ),
        _ => not_found(),
    });
    let mut c = config();
    c.max_bytes = 1024 * 1024;
    let f = Fetcher::new(c);
    for path in ["/endless", "/endless-chunk"] {
        let e = f.fetch(&server.url(path)).unwrap_err();
        assert!(
            matches!(
                e,
                FetchError::TooLarge {
                    cap: 1048576,
                    size: None,
                    ..
                }
            ),
            "{path}: {e}"
        );
        assert!(
            e.to_string()
                .ends_with("the page is larger than the limit of 1048576 bytes"),
            "{e}"
        );
    }
    let e = f.fetch(&server.url("/huge")).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: the page is 1000000000000 bytes, more than the limit of 1048576 bytes",
            server.url("/huge")
        )
    );
}

#[test]
fn robots_txt_is_honoured_naming_the_rule_and_fetched_once() {
    let server = Server::start(|r| match r.path.as_str() {
        "/robots.txt" => ok("text/plain", b"User-agent: *\nDisallow: /private/\n"),
        "/public" | "/private/page" => ok("text/plain", b"page"),
        _ => not_found(),
    });
    let f = fetcher();
    assert!(f.fetch(&server.url("/public")).is_ok());
    let e = f.fetch(&server.url("/private/page")).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: robots.txt disallows it: `Disallow: /private/` ({}, line 2)",
            server.url("/private/page"),
            server.url("/robots.txt")
        )
    );
    let paths = server.paths();
    assert_eq!(paths.iter().filter(|p| *p == "/robots.txt").count(), 1);
    assert!(
        !paths.contains(&"/private/page".to_string()),
        "never asked for"
    );
    // Not honouring robots.txt is a choice the config makes.
    let mut c = config();
    c.honour_robots = false;
    assert!(Fetcher::new(c).fetch(&server.url("/private/page")).is_ok());
}

#[test]
fn a_failing_robots_txt_disallows_everything() {
    let server = Server::start(|r| match r.path.as_str() {
        "/robots.txt" => Reply::Raw(response(500, "Oops", &[], b"")),
        _ => ok("text/plain", b"page"),
    });
    let e = fetcher().fetch(&server.url("/page")).unwrap_err();
    assert!(matches!(e, FetchError::RobotsDisallowed { .. }), "{e}");
    assert!(
        e.to_string().contains(
            "robots.txt answered HTTP 500; RFC 9309 says to assume every page is disallowed"
        ),
        "{e}"
    );
}

#[test]
fn unreachable_tls_and_non_http_failures_are_named() {
    // A port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/x");
    let e = fetcher().fetch(&url).unwrap_err();
    assert!(matches!(e, FetchError::Unreachable { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("{url}: the server is unreachable")),
        "{e}"
    );
    // TLS to a server that speaks plain HTTP.
    let server = Server::start(|_| ok("text/plain", b"plain"));
    let mut c = config();
    c.honour_robots = false;
    let url = format!("https://127.0.0.1:{}/x", server.addr.port());
    let e = Fetcher::new(c).fetch(&url).unwrap_err();
    assert!(matches!(e, FetchError::Tls { .. }), "{e}");
    assert!(
        e.to_string().contains("the secure connection (TLS) failed"),
        "{e}"
    );
    for bad in [
        "ftp://example.org/x",
        "file:///etc/passwd",
        "example.org/page",
    ] {
        let e = fetcher().fetch(bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{bad} is not an http:// or https:// URL")
        );
    }
}

#[test]
fn requests_to_one_host_go_one_at_a_time_with_the_delay() {
    let server = Server::start(|r| match r.path.as_str() {
        "/robots.txt" => not_found(),
        _ => {
            std::thread::sleep(Duration::from_millis(30));
            ok("text/plain", b"x")
        }
    });
    let mut c = config();
    c.host_delay = Duration::from_millis(20);
    let f = Arc::new(Fetcher::new(c));
    let start = std::time::Instant::now();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let (f, url) = (f.clone(), server.url(&format!("/p{i}")));
            std::thread::spawn(move || f.fetch(&url).map(|_| ()))
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
    assert_eq!(server.max_concurrent.load(Ordering::SeqCst), 1);
    // Five requests (robots.txt and four pages), four delays between them.
    assert!(start.elapsed() >= Duration::from_millis(80));
}

#[test]
fn hostile_answers_are_named_not_buffered() {
    let server = Server::start(|r| match r.path.as_str() {
        "/robots.txt" => not_found(),
        // A head that never ends.
        "/endless-head" => Reply::Endless(b"HTTP/1.1 200 OK\r\nX-Long: ".to_vec()),
        "/garbage" => Reply::Raw(b"SSH-2.0-OpenSSH_9.2\r\n\r\n".to_vec()),
        "/bad-gzip" => Reply::Raw(response(
            200,
            "OK",
            &[("Content-Encoding", "gzip")],
            b"not gzip at all",
        )),
        "/unknown-coding" => Reply::Raw(response(200, "OK", &[("Content-Encoding", "zstd")], b"x")),
        "/no-location" => Reply::Raw(response(302, "Found", &[], b"")),
        "/ftp-location" => redirect(302, "ftp://example.org/file"),
        _ => not_found(),
    });
    let f = fetcher();
    for path in ["/endless-head", "/garbage", "/bad-gzip", "/unknown-coding"] {
        let e = f.fetch(&server.url(path)).unwrap_err();
        assert!(matches!(e, FetchError::Protocol { .. }), "{path}: {e:?}");
    }
    let e = f.fetch(&server.url("/unknown-coding")).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("the body is in content coding `zstd`, which prov does not decode"),
        "{e}"
    );
    let e = f.fetch(&server.url("/no-location")).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: HTTP 302 without a Location to redirect to",
            server.url("/no-location")
        )
    );
    let e = f.fetch(&server.url("/ftp-location")).unwrap_err();
    assert!(matches!(e, FetchError::BadRedirect { .. }), "{e}");
}

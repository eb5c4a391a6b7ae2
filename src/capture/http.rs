//! Fetching a page over HTTP(S) and keeping the exchange as evidence.
//!
//! [`Fetcher::fetch`] sends one `GET` (and one per redirect), with a User-Agent naming prov
//! and a contact URL, after robots.txt allows it and the host's politeness delay has passed.
//! It records the bytes exactly as they went over the connection (inside TLS): the request as
//! sent, and the response as received, status line, header fields and body as transferred,
//! chunk framing and content coding included. These bytes are the WARC evidence
//! ([`crate::capture::warc`]); the status, fields and bodies in [`Exchange`] are parsed from
//! them by [`crate::capture::message`], the same parser that reads WARC files back.
//!
//! The client is ureq (blocking HTTP/1.1, rustls). prov drives its transport layer itself:
//! its own TCP connector (to know the remote address), ureq's rustls connector, then a
//! recording layer. Redirects, robots.txt, retries and limits are prov's. No proxy is used.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, RustlsConnector,
    Transport,
};
use url::Url;

use crate::capture::message::{self, MAX_HEAD_BYTES, MessageError, Response};
use crate::capture::politeness::HostGate;
use crate::capture::robots::{self, Disallowed, Robots};

/// What a [`Fetcher`] sends and how long and how much it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// Sent as `User-Agent`; see [`FetchConfig::user_agent_for`].
    pub user_agent: String,
    /// To open the TCP connection (and to resolve the host name).
    pub connect_timeout: Duration,
    /// The longest silence while waiting for bytes from the server.
    pub read_timeout: Duration,
    /// The whole fetch: redirects, retries and their waits included (not the time spent
    /// queueing behind other requests to the same host).
    pub overall_timeout: Duration,
    /// The largest body accepted, de-chunked and again decoded; the bytes transferred may be
    /// at most twice this plus the head. Enforced while receiving.
    pub max_bytes: u64,
    pub max_redirects: u32,
    /// Fetch robots.txt first and refuse what it disallows (default: yes).
    pub honour_robots: bool,
    /// Between the end of one request and the start of the next to the same host.
    pub host_delay: Duration,
    /// The longest `Retry-After` (429, 503) prov waits; longer is a failure.
    pub max_retry_wait: Duration,
    /// Retries after a 429 or 503 with `Retry-After`.
    pub max_retries: u32,
}

impl FetchConfig {
    /// Defaults: 10 s to connect, 30 s of silence, 2 min in all, 32 MiB, 10 redirects,
    /// robots.txt honoured, 1 s between requests to a host, `Retry-After` up to 60 s twice.
    pub fn new(contact_url: Option<&str>) -> Self {
        FetchConfig {
            user_agent: Self::user_agent_for(contact_url),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            overall_timeout: Duration::from_secs(120),
            max_bytes: 32 * 1024 * 1024,
            max_redirects: 10,
            honour_robots: true,
            host_delay: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(60),
            max_retries: 2,
        }
    }

    /// `prov/<version> (+<contact URL>)`: the product token robots.txt groups name, and
    /// where a site's operator can find who fetched.
    pub fn user_agent_for(contact_url: Option<&str>) -> String {
        let version = env!("CARGO_PKG_VERSION");
        match contact_url.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => format!("{}/{version} (+{c})", robots::PRODUCT_TOKEN),
            None => format!("{}/{version}", robots::PRODUCT_TOKEN),
        }
    }
}

/// The request as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentRequest {
    pub method: String,
    pub url: String,
    /// Header fields in the order sent.
    pub headers: Vec<(String, String)>,
    /// The bytes written to the connection (inside TLS): a WARC `request` record's block.
    pub raw: Vec<u8>,
}

/// One redirect on the way to the final response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub url: String,
    pub status: u16,
    /// Where it pointed (resolved against `url`).
    pub location: String,
    pub request: Option<SentRequest>,
    /// The redirect response as received.
    pub response: Option<Response>,
    pub remote_ip: Option<IpAddr>,
}

/// A fetch's evidence: what was asked, what came back, from where, when.
///
/// Also what [`crate::capture::warc::read_response`] returns for a response found in a WARC
/// file: then `request` is what the file recorded, if anything, and `redirects` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The URL asked for.
    pub url: String,
    /// The URL of the final response, after redirects.
    pub final_url: String,
    /// The redirects followed, in order (empty when none).
    pub redirects: Vec<Hop>,
    pub request: Option<SentRequest>,
    pub response: Response,
    /// When the fetch started, RFC 3339 UTC to the second (SOURCE_DATE_EPOCH when set).
    pub fetched: String,
    /// The address the final response came from.
    pub remote_ip: Option<IpAddr>,
    /// A redirect led to another site: not an error, but say so (see [`same_site`]).
    pub cross_site_redirect: bool,
    /// What a reader had to assume about a response from an archive (a body already
    /// decoded under a `Content-Encoding` field, …); empty for a fetch.
    pub notes: Vec<String>,
}

impl Exchange {
    pub fn status(&self) -> u16 {
        self.response.status()
    }

    pub fn content_type(&self) -> Option<String> {
        self.response.content_type()
    }

    /// The document's bytes: de-chunked and content-decoded.
    pub fn body(&self) -> &[u8] {
        &self.response.body
    }

    /// What a user should know though nothing failed.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.cross_site_redirect {
            w.push(format!(
                "{} redirected to another site: {}",
                self.url, self.final_url
            ));
        }
        if self.response.truncated {
            w.push(format!(
                "the response from {} is truncated: its body ended early",
                self.final_url
            ));
        }
        w.extend(self.notes.iter().cloned());
        w
    }
}

/// Why a fetch failed. Each names the URL and says what happened in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Not an absolute `http://` or `https://` URL.
    NotHttp {
        url: String,
    },
    /// The host name does not resolve.
    Dns {
        host: String,
        detail: String,
    },
    /// Nothing answered at the address (refused, unreachable, reset before an answer).
    Unreachable {
        url: String,
        detail: String,
    },
    /// The TLS handshake failed (certificate, protocol).
    Tls {
        url: String,
        detail: String,
    },
    /// `what`: connecting, waiting for the server, or the whole fetch.
    Timeout {
        url: String,
        what: String,
    },
    /// The body is larger than the cap (`size`: as announced, when it was).
    TooLarge {
        url: String,
        cap: u64,
        size: Option<u64>,
    },
    /// 404 or 410: the page is gone.
    Gone {
        url: String,
        status: u16,
    },
    /// Another 4xx.
    ClientError {
        url: String,
        status: u16,
        reason: String,
    },
    /// 5xx.
    ServerError {
        url: String,
        status: u16,
        reason: String,
    },
    /// 429 or 503 still after the retries, or asking to wait longer than allowed.
    RateLimited {
        url: String,
        status: u16,
        retry_after: Option<Duration>,
    },
    /// robots.txt disallows the URL; the rule and where it is.
    RobotsDisallowed {
        url: String,
        rule: Disallowed,
    },
    TooManyRedirects {
        url: String,
        max: u32,
    },
    RedirectLoop {
        url: String,
        chain: Vec<String>,
    },
    /// A redirect without a usable `Location`.
    BadRedirect {
        url: String,
        status: u16,
        location: Option<String>,
    },
    /// The server's answer is not HTTP prov can read, or its body does not decode.
    Protocol {
        url: String,
        detail: String,
    },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::NotHttp { url } => {
                write!(f, "{url} is not an http:// or https:// URL")
            }
            FetchError::Dns { host, detail } => {
                write!(f, "the host name {host} does not resolve ({detail})")
            }
            FetchError::Unreachable { url, detail } => {
                write!(f, "{url}: the server is unreachable ({detail})")
            }
            FetchError::Tls { url, detail } => {
                write!(f, "{url}: the secure connection (TLS) failed: {detail}")
            }
            FetchError::Timeout { url, what } => write!(f, "{url}: timed out {what}"),
            FetchError::TooLarge {
                url,
                cap,
                size: Some(size),
            } => write!(
                f,
                "{url}: the page is {size} bytes, more than the limit of {cap} bytes"
            ),
            FetchError::TooLarge {
                url,
                cap,
                size: None,
            } => write!(f, "{url}: the page is larger than the limit of {cap} bytes"),
            FetchError::Gone { url, status } => {
                write!(f, "{url}: the page is gone (HTTP {status})")
            }
            FetchError::ClientError {
                url,
                status,
                reason,
            } => write!(
                f,
                "{url}: the server refused the request (HTTP {status} {reason})"
            ),
            FetchError::ServerError {
                url,
                status,
                reason,
            } => write!(f, "{url}: the server failed (HTTP {status} {reason})"),
            FetchError::RateLimited {
                url,
                status,
                retry_after: Some(after),
            } => write!(
                f,
                "{url}: the server is busy (HTTP {status}) and asks to retry after {} s",
                after.as_secs()
            ),
            FetchError::RateLimited {
                url,
                status,
                retry_after: None,
            } => write!(f, "{url}: the server is busy (HTTP {status})"),
            FetchError::RobotsDisallowed { url, rule } => {
                write!(f, "{url}: robots.txt disallows it: {rule}")
            }
            FetchError::TooManyRedirects { url, max } => {
                write!(f, "{url}: more than {max} redirects")
            }
            FetchError::RedirectLoop { url, chain } => {
                write!(f, "{url}: the redirects loop: {}", chain.join(" → "))
            }
            FetchError::BadRedirect {
                url,
                status,
                location: Some(l),
            } => write!(
                f,
                "{url}: HTTP {status} redirects to an unusable location {l:?}"
            ),
            FetchError::BadRedirect {
                url,
                status,
                location: None,
            } => write!(f, "{url}: HTTP {status} without a Location to redirect to"),
            FetchError::Protocol { url, detail } => write!(f, "{url}: {detail}"),
        }
    }
}

impl std::error::Error for FetchError {}

impl FetchError {
    /// The same failure, said of `url` (a page whose robots.txt failed to connect).
    fn for_url(self, url: &str) -> Self {
        let url = url.to_string();
        match self {
            FetchError::Unreachable { detail, .. } => FetchError::Unreachable { url, detail },
            FetchError::Tls { detail, .. } => FetchError::Tls { url, detail },
            FetchError::Timeout { what, .. } => FetchError::Timeout { url, what },
            other => other,
        }
    }
}

/// Fetches pages; share one across threads (it is `Sync`): robots.txt is fetched once per
/// origin, and requests to one host go one at a time with the configured delay.
#[derive(Debug)]
pub struct Fetcher {
    config: FetchConfig,
    gate: HostGate,
    robots: Mutex<HashMap<String, Arc<Robots>>>,
}

/// The most origins whose robots.txt is kept.
const MAX_ROBOTS_CACHED: usize = 4096;
/// Redirects followed to find a robots.txt (RFC 9309 §2.3.1.2).
const ROBOTS_REDIRECTS: u32 = 5;

/// One request/response on the wire.
struct Got {
    request: SentRequest,
    response: Response,
    peer: Option<SocketAddr>,
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Self {
        Fetcher {
            gate: HostGate::new(config.host_delay),
            config,
            robots: Mutex::new(HashMap::new()),
        }
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// The per-host politeness gate this fetcher uses.
    pub fn gate(&self) -> &HostGate {
        &self.gate
    }

    /// Fetch `url`: robots.txt, redirects, retries, limits. A success is a 2xx response.
    pub fn fetch(&self, url: &str) -> Result<Exchange, FetchError> {
        let start = parse_http_url(url)?;
        let fetched = crate::clock::now_rfc3339();
        let mut deadline = Instant::now() + self.config.overall_timeout;
        let mut hops: Vec<Hop> = Vec::new();
        let mut seen = HashSet::from([start.to_string()]);
        let mut current = start.clone();
        loop {
            if self.config.honour_robots {
                self.check_robots(&current, &mut deadline)?;
            }
            let got = self.get_with_retries(&current, self.config.max_bytes, &mut deadline)?;
            let status = got.response.status();
            let here = current.to_string();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let next = redirect_target(&current, &got.response)?;
                hops.push(Hop {
                    url: here.clone(),
                    status,
                    location: next.to_string(),
                    request: Some(got.request),
                    response: Some(got.response),
                    remote_ip: got.peer.map(|p| p.ip()),
                });
                if !seen.insert(next.to_string()) {
                    let mut chain: Vec<String> = hops.iter().map(|h| h.url.clone()).collect();
                    chain.push(next.to_string());
                    return Err(FetchError::RedirectLoop {
                        url: start.to_string(),
                        chain,
                    });
                }
                if hops.len() > self.config.max_redirects as usize {
                    return Err(FetchError::TooManyRedirects {
                        url: start.to_string(),
                        max: self.config.max_redirects,
                    });
                }
                current = next;
                continue;
            }
            check_status(&here, &got.response)?;
            return Ok(Exchange {
                url: start.to_string(),
                final_url: here,
                cross_site_redirect: !same_site(&start, &current),
                redirects: hops,
                request: Some(got.request),
                remote_ip: got.peer.map(|p| p.ip()),
                response: got.response,
                fetched,
                notes: Vec::new(),
            });
        }
    }

    /// robots.txt for `url`'s origin (fetched once, then cached) allows it?
    fn check_robots(&self, url: &Url, deadline: &mut Instant) -> Result<(), FetchError> {
        let origin = url.origin().ascii_serialization();
        let cached = lock(&self.robots).get(&origin).cloned();
        let rules = match cached {
            Some(r) => r,
            None => {
                let r = Arc::new(self.fetch_robots(url, deadline)?);
                if let Some(delay) = r.crawl_delay()
                    && let Some(host) = url.host_str()
                {
                    self.gate.set_host_delay(host, delay);
                }
                let mut cache = lock(&self.robots);
                if cache.len() >= MAX_ROBOTS_CACHED {
                    cache.clear();
                }
                cache.insert(origin, r.clone());
                r
            }
        };
        rules
            .check(url.as_str())
            .map_err(|rule| FetchError::RobotsDisallowed {
                url: url.to_string(),
                rule,
            })
    }

    fn fetch_robots(&self, url: &Url, deadline: &mut Instant) -> Result<Robots, FetchError> {
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let first = robots_url.to_string();
        let mut current = robots_url;
        for _ in 0..=ROBOTS_REDIRECTS {
            let got = match self.get_with_retries(&current, robots::MAX_ROBOTS_BYTES, deadline) {
                Ok(got) => got,
                // No connection to the host: the page's own fetch would fail the same way,
                // so say that rather than "robots.txt disallows".
                Err(
                    e @ (FetchError::Dns { .. }
                    | FetchError::NotHttp { .. }
                    | FetchError::Unreachable { .. }
                    | FetchError::Tls { .. }
                    | FetchError::Timeout { .. }),
                ) => return Err(e.for_url(url.as_str())),
                Err(e) => {
                    return Ok(Robots::disallow_all(
                        &first,
                        format!(
                            "robots.txt could not be fetched ({e}); RFC 9309 says to assume every page is disallowed"
                        ),
                    ));
                }
            };
            let status = got.response.status();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                match redirect_target(&current, &got.response) {
                    Ok(next) => {
                        current = next;
                        continue;
                    }
                    Err(_) => return Ok(Robots::allow_all(&first)),
                }
            }
            return Ok(Robots::from_status(
                current.as_str(),
                status,
                &got.response.body,
            ));
        }
        // RFC 9309: more than five redirects, treat as unavailable (4xx): allowed.
        Ok(Robots::allow_all(&first))
    }

    /// One URL, waiting out `Retry-After` on 429 and 503 (bounded), politely.
    fn get_with_retries(
        &self,
        url: &Url,
        cap: u64,
        deadline: &mut Instant,
    ) -> Result<Got, FetchError> {
        let host = url.host_str().unwrap_or("").to_string();
        let mut attempt = 0;
        loop {
            let got = {
                let permit = self.gate.acquire(&host);
                // Queueing behind other requests to this host is not this fetch's time.
                *deadline += permit.waited;
                self.get_once(url, cap, *deadline)?
            };
            let status = got.response.status();
            if status != 429 && status != 503 {
                return Ok(got);
            }
            let retry_after = got
                .response
                .head
                .get_str("retry-after")
                .and_then(|v| parse_retry_after(&v, SystemTime::now()));
            let Some(wait) = retry_after else {
                return Ok(got);
            };
            let fits = Instant::now() + wait < *deadline;
            if attempt >= self.config.max_retries || wait > self.config.max_retry_wait || !fits {
                return Err(FetchError::RateLimited {
                    url: url.to_string(),
                    status,
                    retry_after: Some(wait),
                });
            }
            attempt += 1;
            std::thread::sleep(wait);
        }
    }

    /// One request on a fresh connection, recorded.
    fn get_once(&self, url: &Url, cap: u64, deadline: Instant) -> Result<Got, FetchError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let timeout = |what: &str| FetchError::Timeout {
            url: url.to_string(),
            what: what.to_string(),
        };
        if remaining.is_zero() {
            return Err(timeout(&format!(
                "after {} s in all",
                self.config.overall_timeout.as_secs()
            )));
        }
        let addrs = resolve(url, self.config.connect_timeout.min(remaining))?;
        // The raw transfer may exceed the body cap by chunk framing: allow twice, plus a head.
        let raw_cap = cap
            .saturating_mul(2)
            .saturating_add(MAX_HEAD_BYTES as u64 * 2);
        let tap = Arc::new(Mutex::new(Tap::new(raw_cap)));
        let connector = ()
            .chain(TcpConnect {
                tap: tap.clone(),
                timeout: self.config.connect_timeout,
            })
            .chain(RustlsConnector::default())
            .chain(RecordingConnector { tap: tap.clone() });
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .save_redirect_history(false)
            .user_agent(&self.config.user_agent)
            .accept("text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8")
            .accept_encoding("gzip, deflate, br")
            .proxy(None)
            .max_idle_connections(0)
            .max_response_header_size(MAX_HEAD_BYTES)
            .timeout_global(Some(remaining))
            .timeout_connect(Some(self.config.connect_timeout))
            .timeout_per_read(Some(self.config.read_timeout))
            .build();
        let agent = ureq::Agent::with_parts(config, connector, FixedResolver(addrs));
        let failed = |e: ureq::Error| map_error(url, &lock(&tap), e, &self.config);
        let response = agent.get(url.as_str()).call().map_err(failed)?;
        let announced = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let too_large = |size| FetchError::TooLarge {
            url: url.to_string(),
            cap,
            size,
        };
        if let Some(n) = announced.filter(|&n| n > cap) {
            return Err(too_large(Some(n)));
        }
        // Drive the body through ureq (de-chunking, timeouts); the tap keeps the bytes.
        let mut reader = response
            .into_body()
            .into_with_config()
            .limit(u64::MAX)
            .reader();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total: u64 = 0;
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    total += n as u64;
                    if total > cap {
                        return Err(too_large(None));
                    }
                }
                Err(e) => {
                    let e = ureq::Error::from(e);
                    return Err(failed(e));
                }
            }
        }
        let (sent, received, peer) = {
            let mut t = lock(&tap);
            if t.overflow {
                return Err(too_large(None));
            }
            (
                std::mem::take(&mut t.sent),
                std::mem::take(&mut t.received),
                t.peer,
            )
        };
        let received = skip_interim(received);
        let response = message::parse_response(received, cap).map_err(|e| match e {
            MessageError::TooLarge { .. } => too_large(None),
            e => FetchError::Protocol {
                url: url.to_string(),
                detail: e.to_string(),
            },
        })?;
        Ok(Got {
            request: parse_request(url, sent),
            response,
            peer,
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Parse and check an absolute http(s) URL.
pub fn parse_http_url(url: &str) -> Result<Url, FetchError> {
    let not_http = || FetchError::NotHttp {
        url: url.to_string(),
    };
    let mut parsed = Url::parse(url.trim()).map_err(|_| not_http())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(not_http());
    }
    parsed.set_fragment(None);
    Ok(parsed)
}

/// Two URLs are on the same site when their hosts are equal once a leading `www.` is
/// removed, or one is a subdomain of the other (`m.example.org`, `example.org`). Without the
/// public suffix list this is conservative: sibling subdomains count as other sites.
pub fn same_site(a: &Url, b: &Url) -> bool {
    let key = |u: &Url| {
        let h = u.host_str().unwrap_or("").to_ascii_lowercase();
        h.strip_prefix("www.").map(str::to_string).unwrap_or(h)
    };
    let (a, b) = (key(a), key(b));
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

fn redirect_target(current: &Url, response: &Response) -> Result<Url, FetchError> {
    let bad = |location: Option<String>| FetchError::BadRedirect {
        url: current.to_string(),
        status: response.status(),
        location,
    };
    let location = response.head.get_str("location").ok_or_else(|| bad(None))?;
    let next = current
        .join(&location)
        .map_err(|_| bad(Some(location.clone())))?;
    if !matches!(next.scheme(), "http" | "https") || next.host_str().is_none() {
        return Err(bad(Some(location)));
    }
    let mut next = next;
    next.set_fragment(None);
    Ok(next)
}

fn check_status(url: &str, response: &Response) -> Result<(), FetchError> {
    let status = response.status();
    let reason = response.head.reason.clone();
    let url = url.to_string();
    match status {
        200..=299 => Ok(()),
        404 | 410 => Err(FetchError::Gone { url, status }),
        429 => Err(FetchError::RateLimited {
            url,
            status,
            retry_after: None,
        }),
        400..=499 => Err(FetchError::ClientError {
            url,
            status,
            reason,
        }),
        500..=599 => Err(FetchError::ServerError {
            url,
            status,
            reason,
        }),
        _ => Err(FetchError::Protocol {
            url,
            detail: format!("unexpected HTTP status {status} {reason}"),
        }),
    }
}

/// `Retry-After`: delta-seconds or an HTTP-date (IMF-fixdate), as a wait from `now`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = parse_imf_fixdate(v)?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`.
fn parse_imf_fixdate(v: &str) -> Option<SystemTime> {
    let rest = v.split_once(", ")?.1;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| m == month)?
        + 1;
    let stamp = format!("{year}-{month:02}-{day:0>2}T{time}Z");
    humantime::parse_rfc3339(&stamp).ok()
}

/// Drop `1xx` interim responses before the final one.
fn skip_interim(mut received: Vec<u8>) -> Vec<u8> {
    for _ in 0..8 {
        match message::parse_head(&received) {
            Ok(Some(head)) if (100..200).contains(&head.status) && head.status != 101 => {
                received.drain(..head.len);
            }
            _ => break,
        }
    }
    received
}

pub(crate) fn parse_request(url: &Url, raw: Vec<u8>) -> SentRequest {
    let mut fields = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut fields);
    let parsed = req.parse(&raw).is_ok();
    let method = req.method.filter(|_| parsed).unwrap_or("GET").to_string();
    let headers = if parsed {
        req.headers
            .iter()
            .map(|h| {
                (
                    h.name.to_string(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    SentRequest {
        method,
        url: url.to_string(),
        headers,
        raw,
    }
}

/// Resolve the host (with a timeout: the system resolver has none).
fn resolve(url: &Url, timeout: Duration) -> Result<Vec<SocketAddr>, FetchError> {
    let host = url.host_str().unwrap_or("").to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let dns = |detail: String| FetchError::Dns {
        host: host.clone(),
        detail,
    };
    let addrs: Vec<SocketAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        _ => {
            let (tx, rx) = std::sync::mpsc::channel();
            let name = host.clone();
            std::thread::spawn(move || {
                let _ = tx.send((name.as_str(), port).to_socket_addrs().map(Vec::from_iter));
            });
            match rx.recv_timeout(timeout) {
                Ok(Ok(a)) => a,
                Ok(Err(e)) => return Err(dns(e.to_string())),
                Err(_) => return Err(dns(format!("no answer within {} s", timeout.as_secs()))),
            }
        }
    };
    if addrs.is_empty() {
        return Err(dns("no address".into()));
    }
    Ok(addrs)
}

fn map_error(url: &Url, tap: &Tap, e: ureq::Error, config: &FetchConfig) -> FetchError {
    let url_s = url.to_string();
    let https = url.scheme() == "https";
    match e {
        ureq::Error::Timeout(which) => {
            use ureq::Timeout as T;
            let what = match which {
                T::Connect | T::Resolve => format!(
                    "connecting (after {} s)",
                    config.connect_timeout.as_secs_f32()
                ),
                T::Global => format!("after {} s in all", config.overall_timeout.as_secs()),
                _ if !tap.connected => format!(
                    "connecting (after {} s)",
                    config.connect_timeout.as_secs_f32()
                ),
                _ => format!(
                    "waiting for the server ({} s without data)",
                    config.read_timeout.as_secs_f32()
                ),
            };
            FetchError::Timeout { url: url_s, what }
        }
        ureq::Error::HostNotFound => FetchError::Dns {
            host: url.host_str().unwrap_or("").to_string(),
            detail: "host not found".into(),
        },
        ureq::Error::LargeResponseHeader(..) => FetchError::Protocol {
            url: url_s,
            detail: format!("the response head is larger than {MAX_HEAD_BYTES} bytes"),
        },
        ureq::Error::Other(_) if tap.overflow => FetchError::TooLarge {
            url: url_s,
            cap: config.max_bytes,
            size: None,
        },
        ureq::Error::Rustls(e) => FetchError::Tls {
            url: url_s,
            detail: e.to_string(),
        },
        ureq::Error::Tls(e) => FetchError::Tls {
            url: url_s,
            detail: e.to_string(),
        },
        ureq::Error::Io(io) => {
            use io::ErrorKind as K;
            let detail = io.to_string();
            match io.kind() {
                K::TimedOut | K::WouldBlock if !tap.connected => FetchError::Timeout {
                    url: url_s,
                    what: format!(
                        "connecting (after {} s)",
                        config.connect_timeout.as_secs_f32()
                    ),
                },
                K::TimedOut | K::WouldBlock => FetchError::Timeout {
                    url: url_s,
                    what: format!(
                        "waiting for the server ({} s without data)",
                        config.read_timeout.as_secs_f32()
                    ),
                },
                _ if !tap.connected => FetchError::Unreachable { url: url_s, detail },
                _ if https && tap.received.is_empty() && tap.sent.is_empty() => {
                    FetchError::Tls { url: url_s, detail }
                }
                K::InvalidData if https && tap.received.is_empty() => {
                    FetchError::Tls { url: url_s, detail }
                }
                K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted
                    if tap.received.is_empty() =>
                {
                    FetchError::Unreachable {
                        url: url_s,
                        detail: format!(
                            "the server closed the connection without answering ({detail})"
                        ),
                    }
                }
                _ => FetchError::Protocol {
                    url: url_s,
                    detail: format!("the connection failed mid-answer: {detail}"),
                },
            }
        }
        other => FetchError::Protocol {
            url: url_s,
            detail: other.to_string(),
        },
    }
}

/// The bytes of one connection, as recorded by the transport layers.
#[derive(Debug)]
struct Tap {
    sent: Vec<u8>,
    received: Vec<u8>,
    cap: u64,
    overflow: bool,
    connected: bool,
    peer: Option<SocketAddr>,
}

impl Tap {
    fn new(cap: u64) -> Self {
        Tap {
            sent: Vec::new(),
            received: Vec::new(),
            cap,
            overflow: false,
            connected: false,
            peer: None,
        }
    }
}

/// The addresses prov resolved itself (so a DNS failure is told apart, with a timeout).
#[derive(Debug)]
struct FixedResolver(Vec<SocketAddr>);

impl Resolver for FixedResolver {
    fn resolve(
        &self,
        _uri: &ureq::http::Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let mut out = self.empty();
        out.truncate(0);
        for a in &self.0 {
            if out.try_push(*a).is_err() {
                break;
            }
        }
        if out.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(out)
    }
}

/// Opens the TCP connection, noting the peer's address.
#[derive(Debug)]
struct TcpConnect {
    tap: Arc<Mutex<Tap>>,
    timeout: Duration,
}

impl<In: Transport> Connector<In> for TcpConnect {
    type Out = Either<In, PlainTcp>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(c) = chained {
            return Ok(Some(Either::A(c)));
        }
        let mut last = None;
        for addr in details.addrs.iter() {
            match TcpStream::connect_timeout(addr, self.timeout) {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    {
                        let mut tap = lock(&self.tap);
                        tap.connected = true;
                        tap.peer = Some(*addr);
                    }
                    let buffers = LazyBuffers::new(
                        details.config.input_buffer_size(),
                        details.config.output_buffer_size(),
                    );
                    return Ok(Some(Either::B(PlainTcp { stream, buffers })));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(ureq::Error::Io(last.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::ConnectionRefused, "no address to connect to")
        })))
    }
}

/// A TCP connection as a ureq transport (ureq's own does not tell the peer's address).
#[derive(Debug)]
struct PlainTcp {
    stream: TcpStream,
    buffers: LazyBuffers,
}

/// The timeout to apply to one read or write (`None`: none), or the timeout already reached.
fn io_timeout(t: NextTimeout) -> Result<Option<Duration>, ureq::Error> {
    if t.after.is_zero() {
        return Err(ureq::Error::Timeout(t.reason));
    }
    Ok(t.not_zero().map(|d| *d))
}

fn timed_out(e: io::Error, t: NextTimeout) -> ureq::Error {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ureq::Error::Timeout(t.reason),
        _ => ureq::Error::Io(e),
    }
}

impl Transport for PlainTcp {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let t = timeout.for_write();
        self.stream.set_write_timeout(io_timeout(t)?)?;
        let output = self.buffers.output();
        let output = &output[..amount.min(output.len())];
        self.stream.write_all(output).map_err(|e| timed_out(e, t))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let t = timeout.for_read();
        self.stream.set_read_timeout(io_timeout(t)?)?;
        let buf = self.buffers.input_append_buf();
        let n = loop {
            match self.stream.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other.map_err(|e| timed_out(e, t))?,
            }
        };
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        // One request per connection: never pooled.
        false
    }
}

/// Wraps the (TLS-decrypted) transport and keeps a copy of every byte in and out.
#[derive(Debug)]
struct RecordingConnector {
    tap: Arc<Mutex<Tap>>,
}

impl<In: Transport> Connector<In> for RecordingConnector {
    type Out = Recording<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| Recording {
            inner,
            tap: self.tap.clone(),
        }))
    }
}

#[derive(Debug)]
struct Recording<T> {
    inner: T,
    tap: Arc<Mutex<Tap>>,
}

/// Marks the error a recording transport returns when the transfer exceeds its cap.
#[derive(Debug)]
struct Overflow;

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the transfer is larger than the limit")
    }
}

impl std::error::Error for Overflow {}

impl<T: Transport> Transport for Recording<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        {
            let out = self.inner.buffers().output();
            let mut tap = lock(&self.tap);
            tap.sent.extend_from_slice(&out[..amount.min(out.len())]);
        }
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let before = self.inner.buffers().input().len();
        let progress = self.inner.await_input(timeout)?;
        let input = self.inner.buffers().input();
        if input.len() > before {
            let mut tap = lock(&self.tap);
            tap.received.extend_from_slice(&input[before..]);
            if tap.received.len() as u64 > tap.cap {
                tap.overflow = true;
                return Err(ureq::Error::Other(Box::new(Overflow)));
            }
        }
        Ok(progress)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let now = humantime::parse_rfc3339("2015-10-21T07:28:00Z").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn sites_are_hosts_without_www_and_their_subdomains() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(same_site(
            &u("http://example.org/a"),
            &u("https://www.example.org/b")
        ));
        assert!(same_site(
            &u("http://m.example.org/"),
            &u("https://example.org/")
        ));
        assert!(!same_site(
            &u("http://example.org/"),
            &u("https://example.com/")
        ));
        assert!(!same_site(
            &u("http://a.example.org/"),
            &u("https://b.example.org/")
        ));
    }

    #[test]
    fn only_http_urls_are_fetched() {
        for bad in [
            "ftp://h/x",
            "file:///etc/passwd",
            "not a url",
            "http://",
            "mailto:a@b",
        ] {
            assert!(
                matches!(parse_http_url(bad), Err(FetchError::NotHttp { .. })),
                "{bad}"
            );
        }
        assert_eq!(
            parse_http_url("HTTP://Example.ORG/a#frag")
                .unwrap()
                .as_str(),
            "http://example.org/a"
        );
    }

    #[test]
    fn the_user_agent_names_prov_its_version_and_the_contact() {
        let ua = FetchConfig::user_agent_for(Some("https://newsroom.example/bots"));
        assert_eq!(
            ua,
            format!(
                "prov/{} (+https://newsroom.example/bots)",
                env!("CARGO_PKG_VERSION")
            )
        );
    }
}

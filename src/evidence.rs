//! The evidence of a capture, between [`crate::capture`] (fetching, extracting, WARC files) and
//! [`crate::registry`] (which writes): how a fetch, a response taken from an archive, or a
//! local file becomes a snapshot's text and the WARC file kept beside it, and the
//! `[sources.<id>.capture]` record that pins it ([`Taken`]); whether a fetched page is a new
//! version at all or a failed fetch in disguise ([`judge`]: walls, login pages, a text that
//! shrank); and the chain a report proves, WARC → text ([`verify`]). Never writes, never
//! prints. See docs/capture.md.

use std::fmt;

use crate::capture::extract::{self, ExtractError, Mode};
use crate::capture::http::{Exchange, FetchError, Fetcher};
use crate::capture::warc::{self, Conversion, ReadLimits, WarcError};
use crate::snapshot::sha256_hex;
use crate::workspace::{CaptureRecord, Method};

/// The media type of a snapshot's text in its WARC `conversion` record.
const TEXT_TYPE: &str = "text/plain; charset=utf-8";

/// The largest body read back from a WARC prov wrote (the fetcher's own limit).
pub const MAX_BODY: u64 = 32 * 1024 * 1024;

/// A capture made: the text to pin, and (unless the text is a plain file's bytes as they are)
/// the WARC evidence and its record.
#[derive(Debug, Clone)]
pub struct Taken {
    /// The snapshot's text.
    pub text: String,
    /// The WARC file's bytes and the record that pins it.
    pub warc: Option<(Vec<u8>, CaptureRecord)>,
    /// The exchange the text came from (a local file: a body without an HTTP head).
    pub exchange: Exchange,
    /// The page's headline, when extraction found one (a title for `prov add`).
    pub title: Option<String>,
    /// The encoding the bytes were decoded with.
    pub charset: &'static str,
    pub mode: Mode,
    /// What a user should know though nothing failed (a redirect to another site, …).
    pub warnings: Vec<String>,
}

/// Why a capture could not be made. Each says what happened in words a user can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    Fetch(FetchError),
    Archive(WarcError),
    /// The archived response is not a success.
    ArchivedStatus {
        url: String,
        status: u16,
    },
    Extract(ExtractError),
    /// A page that is not a new version of the document: a wall, a login page, a text that
    /// shrank ([`judge`]).
    NotAVersion(NotAVersion),
}

impl Failure {
    /// A stable one-word kind, for JSON: `gone`, `fetch`, `robots`, `archive`, `extract`,
    /// `pdf`, `wall`, `login`, `shrunk`.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Fetch(FetchError::Gone { .. }) => "gone",
            Failure::Fetch(FetchError::RobotsDisallowed { .. }) => "robots",
            Failure::Fetch(_) => "fetch",
            Failure::Archive(_) | Failure::ArchivedStatus { .. } => "archive",
            Failure::Extract(ExtractError::Pdf) => "pdf",
            Failure::Extract(_) => "extract",
            Failure::NotAVersion(NotAVersion::Login { .. }) => "login",
            Failure::NotAVersion(NotAVersion::Wall { .. }) => "wall",
            Failure::NotAVersion(NotAVersion::Shrunk { .. }) => "shrunk",
        }
    }

    /// The page is gone (HTTP 404 or 410): for a source already captured, that is news.
    pub fn is_gone(&self) -> bool {
        matches!(self, Failure::Fetch(FetchError::Gone { .. }))
    }

    /// What to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            Failure::Fetch(FetchError::Gone { .. }) => {
                "the page was taken down or moved: look for it in a web archive, and keep citing the capture you have"
            }
            Failure::Fetch(FetchError::RobotsDisallowed { .. }) => {
                "the site asks robots not to fetch it: save the page from a browser and add the file, or set robots = false under [fetch] if you have the right to"
            }
            Failure::Fetch(FetchError::Dns { .. } | FetchError::Unreachable { .. }) => {
                "check the address and your connection, then try again"
            }
            Failure::Fetch(FetchError::Timeout { .. }) => {
                "try again later, or raise timeout under [fetch]"
            }
            Failure::Fetch(FetchError::TooLarge { .. }) => {
                "this is not one article: capture the article's own page"
            }
            Failure::Fetch(_) => {
                "try again later, or save the page from a browser and add the file"
            }
            Failure::Archive(WarcError::NoResponse { .. }) => {
                "give --url exactly as the archive recorded it (one of the URLs listed)"
            }
            Failure::Archive(_) | Failure::ArchivedStatus { .. } => {
                "use another copy of the archive, or another capture of the page"
            }
            Failure::Extract(ExtractError::Pdf) => {
                "extract the PDF's text first (e.g. pdftotext -layout), then add the text file"
            }
            Failure::Extract(ExtractError::NothingExtractable {
                mode: Mode::Article,
            }) => {
                "a page of links, or one its scripts fill in, has no article: look at it in a browser"
            }
            Failure::Extract(ExtractError::NotHtml) => {
                "add it with --extract none to keep it as text"
            }
            Failure::Extract(_) => "save the page as text from a browser and add that file",
            Failure::NotAVersion(_) => {
                "if this really is what the page says, take it anyway with --force (and --extract page when it has no article)"
            }
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Fetch(e) => e.fmt(f),
            Failure::Archive(e) => e.fmt(f),
            Failure::ArchivedStatus { url, status } => write!(
                f,
                "the archived response for {url} is HTTP {status}, not a page"
            ),
            Failure::Extract(e) => e.fmt(f),
            Failure::NotAVersion(n) => n.fmt(f),
        }
    }
}

/// A page that answered, but is not a version of the document ([`judge`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAVersion {
    /// Redirected to a login, subscription or consent page.
    Login { url: String },
    /// A consent wall, a bot check or a paywall instead of the page; `phrase` is what gave it
    /// away.
    Wall { what: &'static str, phrase: String },
    /// The text is less than half the pinned one.
    Shrunk { old: usize, new: usize },
}

impl fmt::Display for NotAVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotAVersion::Login { url } => write!(
                f,
                "the page redirected to a login, subscription or consent page ({url}), not a new version"
            ),
            NotAVersion::Wall { what, phrase } => {
                write!(
                    f,
                    "the page is {what} (it says {phrase:?}), not a new version"
                )
            }
            NotAVersion::Shrunk { old, new } => write!(
                f,
                "the extracted text shrank from {old} to {new} characters ({}%): a wall, a paywall or a broken page, not an edit",
                new * 100 / (*old).max(1)
            ),
        }
    }
}

/// How to extract: the mode to use, or by content when `None`.
fn extract_exchange(ex: &Exchange, mode: Option<Mode>) -> Result<extract::Extracted, ExtractError> {
    let content_type = ex.content_type();
    let mode = mode.unwrap_or_else(|| extract::default_mode(ex.body(), content_type.as_deref()));
    extract::extract(
        ex.body(),
        content_type.as_deref(),
        extractor_url(&ex.final_url),
        mode,
    )
}

/// The URL the extractor is given (a hint for charset detection): the final URL when it is
/// an http(s) one. Re-extraction gives it the same.
fn extractor_url(final_url: &str) -> Option<&str> {
    (final_url.starts_with("http://") || final_url.starts_with("https://")).then_some(final_url)
}

/// The text and the WARC of an exchange, extracted in `mode` (by content when `None`).
pub fn from_exchange(
    ex: Exchange,
    method: Method,
    mode: Option<Mode>,
    re_extraction_of: Option<&str>,
) -> Result<Taken, Failure> {
    let extracted = match extract_exchange(&ex, mode) {
        Ok(e) => e,
        Err(e @ ExtractError::NothingExtractable { .. }) => {
            // No article: a wall has none. Say which, from all the page's text.
            if let Ok(page) = extract_exchange(&ex, Some(Mode::Page))
                && let Some(wall) = wall_in(&page.text, page.title.as_deref())
            {
                return Err(Failure::NotAVersion(wall));
            }
            return Err(Failure::Extract(e));
        }
        Err(e) => return Err(Failure::Extract(e)),
    };
    let label = format!(
        "{} {} {}",
        extracted.extractor, extracted.version, extracted.mode
    );
    let warc_bytes = warc::write_warc(
        &ex,
        Some(&Conversion {
            text: extracted.text.as_bytes(),
            content_type: TEXT_TYPE,
            extractor: &label,
            method: Some(method.as_str()),
            re_extraction_of,
        }),
    );
    let record = record_of(&warc_bytes).map_err(Failure::Archive)?;
    let mut warnings = ex.warnings();
    if ex.cross_site_redirect {
        warnings.retain(|w| !w.contains("redirected to another site"));
        warnings.insert(
            0,
            format!(
                "{} redirected to another site, {}: the capture records the redirect; check that this is the document you mean",
                ex.url, ex.final_url
            ),
        );
    }
    Ok(Taken {
        title: extracted.title.filter(|t| usable_title(t)),
        charset: extracted.charset,
        mode: extracted.mode,
        text: extracted.text,
        warc: Some((warc_bytes, record)),
        exchange: ex,
        warnings,
    })
}

/// A headline usable as a source's `title`: one line of visible text, not too long.
fn usable_title(t: &str) -> bool {
    !t.trim().is_empty()
        && t.chars().count() <= 300
        && !t
            .chars()
            .any(|c| c.is_control() || crate::escape::is_unsafe(c))
}

/// Fetch `url` and make the capture.
pub fn fetch(fetcher: &Fetcher, url: &str, mode: Option<Mode>) -> Result<Taken, Failure> {
    let ex = fetcher.fetch(url).map_err(Failure::Fetch)?;
    from_exchange(ex, Method::Fetch, mode, None)
}

/// The time a Wayback Machine raw URL (`https://web.archive.org/web/<14 digits>id_/<url>`)
/// was archived, RFC 3339; `None` for any other URL.
pub fn wayback_raw_time(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://web.archive.org/web/")
        .or_else(|| url.strip_prefix("http://web.archive.org/web/"))?;
    let (stamp, _) = rest.split_once("id_/")?;
    if stamp.len() != 14 || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &stamp[0..4],
        &stamp[4..6],
        &stamp[6..8],
        &stamp[8..10],
        &stamp[10..12],
        &stamp[12..14]
    );
    humantime::parse_rfc3339(&t).ok().map(|_| t)
}

/// The response for `url` in a WARC or WACZ file made by another tool, or, when `url` is a
/// Wayback Machine raw (`id_`) URL and the file is no archive, the file's bytes as that URL's
/// body.
pub fn from_archive(
    path: &std::path::Path,
    url: &str,
    mode: Option<Mode>,
) -> Result<Taken, Failure> {
    let limits = ReadLimits::default();
    let ex = match warc::read_response_file(path, url, limits) {
        Ok(ex) => ex,
        Err(WarcError::NotAWarc { detail }) => match wayback_raw_time(url) {
            Some(time) => {
                let bytes = std::fs::read(path).map_err(|e| {
                    Failure::Archive(WarcError::Io(format!("{}: {e}", path.display())))
                })?;
                if bytes.len() as u64 > limits.max_body {
                    return Err(Failure::Archive(WarcError::TooLarge {
                        url: url.to_string(),
                        cap: limits.max_body,
                    }));
                }
                warc::from_raw_body(url, bytes, &time)
            }
            None => return Err(Failure::Archive(WarcError::NotAWarc { detail })),
        },
        Err(e) => return Err(Failure::Archive(e)),
    };
    if !(200..300).contains(&ex.status()) {
        return Err(Failure::ArchivedStatus {
            url: ex.final_url.clone(),
            status: ex.status(),
        });
    }
    from_exchange(ex, Method::Archive, mode, None)
}

/// A local file: `Ok(None)` when it is plain text to register as it is (not HTML by its bytes
/// or its `.html`/`.htm` name, and no mode chosen), else its extraction. `name` is the file's
/// name (the extension is a hint), `url` where it came from (for the WARC record), `now` the
/// time of the capture.
pub fn from_file(
    bytes: &[u8],
    name: &str,
    url: Option<&str>,
    mode: Option<Mode>,
    now: &str,
) -> Result<Option<Taken>, Failure> {
    let lower = name.to_ascii_lowercase();
    let html_name = lower.ends_with(".html") || lower.ends_with(".htm");
    if mode.is_none() {
        if extract::is_pdf(bytes) {
            return Err(Failure::Extract(ExtractError::Pdf));
        }
        if !html_name && !extract::sniff_html(bytes, None) {
            return Ok(None);
        }
    }
    let content_type = (html_name && mode != Some(Mode::None)).then_some("text/html");
    let target = match url {
        Some(u) => u.to_string(),
        None => {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
            let mut u = url::Url::parse("file:///")
                .map_err(|e| Failure::Archive(WarcError::Io(format!("internal error: {e}"))))?;
            u.set_path(base);
            u.to_string()
        }
    };
    let ex = warc::from_raw_body_typed(&target, bytes.to_vec(), now, content_type);
    let taken = from_exchange(ex, Method::File, Some(mode.unwrap_or(Mode::Article)), None)?;
    if taken.mode == Mode::None && taken.text.as_bytes() == bytes {
        // Text kept exactly as it is: nothing to prove, no WARC (as for any plain text file).
        return Ok(None);
    }
    Ok(Some(taken))
}

/// Re-extract a capture from its WARC with this prov's extractor, in `mode`: the text is a
/// re-extraction of the capture whose text sha256 the WARC records, labelled as such.
pub fn re_extract(warc_bytes: &[u8], mode: Mode) -> Result<Taken, Failure> {
    let ev = warc::read_evidence(warc_bytes, MAX_BODY).map_err(Failure::Archive)?;
    let method = ev
        .method
        .as_deref()
        .and_then(Method::parse)
        .unwrap_or(Method::Fetch);
    let of = ev.text_sha256.clone();
    from_exchange(ev.exchange, method, Some(mode), of.as_deref())
}

/// The `[sources.<id>.capture]` record of a WARC file prov wrote: its sha256, and what its
/// records say.
pub fn record_of(warc_bytes: &[u8]) -> Result<CaptureRecord, WarcError> {
    let ev = warc::read_evidence(warc_bytes, MAX_BODY)?;
    let ex = &ev.exchange;
    let mut words = ev.extractor.as_deref().unwrap_or("").split_whitespace();
    let (extractor, version, mode) = (words.next(), words.next(), words.next());
    let url = Some(ex.final_url.clone())
        .filter(|u| extractor_url(u).is_some() && crate::workspace::check_url(u).is_ok());
    let content_type = ex
        .content_type()
        .filter(|t| !t.is_empty() && !t.chars().any(char::is_control));
    Ok(CaptureRecord {
        warc: sha256_hex(warc_bytes),
        warc_loc: None,
        method: ev
            .method
            .as_deref()
            .and_then(Method::parse)
            .unwrap_or(Method::Fetch),
        url,
        status: (!ev.raw_body).then(|| ex.status()),
        content_type,
        fetched: Some(ex.fetched.clone()).filter(|f| {
            f.parse::<toml_edit::Datetime>()
                .is_ok_and(|d| d.offset.is_some())
        }),
        extractor: extractor.unwrap_or("unknown").to_string(),
        extractor_version: version.unwrap_or("unknown").to_string(),
        mode: mode.unwrap_or("unknown").to_string(),
        re_extraction: ev.re_extraction_of.is_some(),
        loc: None,
    })
}

/// The record of a pending capture's WARC, which must be the evidence of the pending text
/// (`text_sha256`): its metadata record names that text. Why not, otherwise.
pub fn pending_record(warc_bytes: &[u8], text_sha256: &str) -> Result<CaptureRecord, String> {
    let ev = warc::read_evidence(warc_bytes, MAX_BODY).map_err(|e| e.to_string())?;
    if ev.text_sha256.as_deref() != Some(text_sha256) {
        return Err(format!(
            "it is the evidence of another text (sha256 {}), not of the pending one ({text_sha256})",
            ev.text_sha256.as_deref().unwrap_or("none recorded")
        ));
    }
    record_of(warc_bytes).map_err(|e| e.to_string())
}

/// Phrases that give a wall away, lowercase, with what they reveal. Looked for only in a
/// short text (a wall is short; an article may quote one of them).
const WALLS: &[(&str, &str)] = &[
    ("verify you are human", "a bot check"),
    ("verify you are a human", "a bot check"),
    ("are you a robot", "a bot check"),
    ("not a robot", "a bot check"),
    ("checking your browser", "a bot check"),
    ("checking if the site connection is secure", "a bot check"),
    ("enable javascript and cookies to continue", "a bot check"),
    ("just a moment...", "a bot check"),
    ("attention required", "a bot check"),
    ("unusual traffic", "a bot check"),
    ("access denied", "an access-denied page"),
    ("captcha", "a bot check"),
    ("before you continue", "a consent wall"),
    ("we value your privacy", "a consent wall"),
    ("accept all cookies", "a consent wall"),
    ("cookie consent", "a consent wall"),
    ("manage your cookie", "a consent wall"),
    ("consent to the use of cookies", "a consent wall"),
    ("subscribe to continue reading", "a paywall"),
    ("to continue reading, subscribe", "a paywall"),
    ("already a subscriber", "a paywall"),
    ("this content is for subscribers", "a paywall"),
];

/// A text longer than this is not taken for a wall, whatever it says.
const WALL_MAX_CHARS: usize = 2000;

/// Path segments and host prefixes of login, subscription and consent pages.
const LOGIN_SEGMENTS: &[&str] = &[
    "login",
    "log-in",
    "signin",
    "sign-in",
    "sign_in",
    "logon",
    "auth",
    "authenticate",
    "sso",
    "oauth",
    "oauth2",
    "subscribe",
    "subscription",
    "paywall",
    "register",
    "consent",
    "gdpr",
];
const LOGIN_HOSTS: &[&str] = &[
    "login.",
    "auth.",
    "accounts.",
    "sso.",
    "consent.",
    "guce.",
    "myaccount.",
];

/// A text that shrank below this share of the pinned one is not a new version …
const SHRUNK_SHARE: f64 = 0.5;
/// … when the pinned text has at least this many characters.
const SHRUNK_MIN_CHARS: usize = 400;

/// A wall, by one of [`WALLS`]' phrases in a short text or its title.
fn wall_in(text: &str, title: Option<&str>) -> Option<NotAVersion> {
    if text.chars().count() > WALL_MAX_CHARS {
        return None;
    }
    let lower = text.to_lowercase();
    let title = title.unwrap_or("").to_lowercase();
    WALLS
        .iter()
        .find(|(phrase, _)| lower.contains(phrase) || title.contains(phrase))
        .map(|(phrase, what)| NotAVersion::Wall {
            what,
            phrase: (*phrase).to_string(),
        })
}

fn login_like(u: &url::Url) -> bool {
    let host = u.host_str().unwrap_or("").to_ascii_lowercase();
    LOGIN_HOSTS.iter().any(|h| host.starts_with(h))
        || u.path_segments().is_some_and(|mut segs| {
            segs.any(|s| {
                let s = s.to_ascii_lowercase();
                LOGIN_SEGMENTS.contains(&s.as_str())
            })
        })
}

/// Is what a fetch of `asked` gave a version of the document, or a failed fetch in disguise:
/// a redirect to a login, subscription or consent page; a consent wall, bot check or paywall
/// (a short text with one of [`WALLS`]' phrases, or a `cf-mitigated: challenge` field); a text
/// less than half the pinned one (`pinned`, when there is one)? Documented in docs/capture.md.
pub fn judge(taken: &Taken, asked: &str, pinned: Option<&str>) -> Result<(), NotAVersion> {
    let ex = &taken.exchange;
    if let (Ok(a), Ok(f)) = (url::Url::parse(asked), url::Url::parse(&ex.final_url))
        && a != f
        && login_like(&f)
        && !login_like(&a)
    {
        return Err(NotAVersion::Login {
            url: ex.final_url.clone(),
        });
    }
    if ex
        .response
        .head
        .get_str("cf-mitigated")
        .is_some_and(|v| v.eq_ignore_ascii_case("challenge"))
    {
        return Err(NotAVersion::Wall {
            what: "a bot check",
            phrase: "cf-mitigated: challenge".to_string(),
        });
    }
    let chars = taken.text.chars().count();
    if let Some(wall) = wall_in(&taken.text, taken.title.as_deref()) {
        return Err(wall);
    }
    if let Some(old) = pinned {
        let old = old.chars().count();
        if old >= SHRUNK_MIN_CHARS && (chars as f64) < (old as f64) * SHRUNK_SHARE {
            return Err(NotAVersion::Shrunk { old, new: chars });
        }
    }
    Ok(())
}

/// What a report proves of one capture, from server bytes to text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Chain {
    /// The WARC has its pinned sha256, and re-extracting its response with the recorded
    /// extractor (this prov's) gives the snapshot byte for byte.
    Proven,
    /// The WARC has its pinned sha256 and records that the extractor made exactly this text,
    /// but this prov's extractor is another version, which cannot re-run the recorded one:
    /// neither proven nor refuted here.
    OtherExtractor { recorded: String, ours: String },
    /// The WARC is missing or unreadable.
    WarcUnreadable { detail: String },
    /// The WARC's bytes are not the pinned ones.
    WarcModified { actual: String },
    /// The WARC is intact but its records do not give the snapshot: re-extraction (or its own
    /// conversion record) gives other bytes.
    TextDiffers { detail: String },
}

impl Chain {
    /// Does the chain hold (or, for another extractor version, is it at least not broken)?
    pub fn broken(&self) -> bool {
        !matches!(self, Chain::Proven | Chain::OtherExtractor { .. })
    }

    /// One line for people.
    pub fn describe(&self, record: &CaptureRecord, warc: &str, snapshot: &str) -> String {
        match self {
            Chain::Proven => format!(
                "{warc} has its pinned sha256 {}…, and re-extracting its response with {} gives {snapshot} byte for byte",
                &record.warc[..12.min(record.warc.len())],
                record.extractor_label()
            ),
            Chain::OtherExtractor { recorded, ours } => format!(
                "{warc} has its pinned sha256 and records that {recorded} made exactly the text of {snapshot}; this prov's extractor is {ours}, which cannot re-run that version: not re-verified"
            ),
            Chain::WarcUnreadable { detail } => format!("{warc} cannot be read: {detail}"),
            Chain::WarcModified { actual } => format!(
                "{warc} does not match its pinned sha256 {} (its sha256 is {actual})",
                record.warc
            ),
            Chain::TextDiffers { detail } => {
                format!("{warc} is intact, but it does not give {snapshot}: {detail}")
            }
        }
    }
}

/// The chain of one capture: the WARC's bytes against the record's pin, then its response
/// re-extracted with the recorded extractor against the snapshot's bytes.
pub fn verify(record: &CaptureRecord, warc_bytes: Option<&[u8]>, snapshot: &[u8]) -> Chain {
    let Some(bytes) = warc_bytes else {
        return Chain::WarcUnreadable {
            detail: "the file is missing or unreadable".to_string(),
        };
    };
    let actual = sha256_hex(bytes);
    if actual != record.warc {
        return Chain::WarcModified { actual };
    }
    let ev = match warc::read_evidence(bytes, MAX_BODY) {
        Ok(ev) => ev,
        Err(e) => {
            return Chain::WarcUnreadable {
                detail: e.to_string(),
            };
        }
    };
    let snapshot_sha = sha256_hex(snapshot);
    if ev.text_sha256.as_deref() != Some(snapshot_sha.as_str()) {
        return Chain::TextDiffers {
            detail: format!(
                "its metadata record names the text {}, the snapshot's sha256 is {snapshot_sha}",
                ev.text_sha256.as_deref().unwrap_or("(none)")
            ),
        };
    }
    let ours = format!("{} {}", extract::NAME, extract::VERSION);
    let recorded = format!("{} {}", record.extractor, record.extractor_version);
    if recorded != ours {
        return Chain::OtherExtractor { recorded, ours };
    }
    let Some(mode) = Mode::parse(&record.mode) else {
        return Chain::TextDiffers {
            detail: format!("the recorded mode {:?} is not one prov knows", record.mode),
        };
    };
    match extract_exchange(&ev.exchange, Some(mode)) {
        Ok(e) if e.text.as_bytes() == snapshot => Chain::Proven,
        Ok(e) => Chain::TextDiffers {
            detail: format!(
                "re-extracting its response with {} gives other text (sha256 {})",
                record.extractor_label(),
                sha256_hex(e.text.as_bytes())
            ),
        },
        Err(e) => Chain::TextDiffers {
            detail: format!("re-extracting its response fails: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wayback_raw_urls_give_their_time() {
        assert_eq!(
            wayback_raw_time("https://web.archive.org/web/20230621120304id_/https://example.org/a")
                .as_deref(),
            Some("2023-06-21T12:03:04Z")
        );
        assert_eq!(
            wayback_raw_time("https://web.archive.org/web/20230621120304/https://example.org/a"),
            None
        );
        assert_eq!(
            wayback_raw_time("https://web.archive.org/web/20231341120304id_/https://x.org/"),
            None
        );
        assert_eq!(wayback_raw_time("https://example.org/"), None);
    }

    #[test]
    fn login_pages_are_recognised() {
        for u in [
            "https://example.org/login?next=/a",
            "https://accounts.example.org/x",
            "https://consent.example.org/?continue=x",
            "https://example.org/Account/Sign-In",
        ] {
            assert!(login_like(&url::Url::parse(u).unwrap()), "{u}");
        }
        for u in [
            "https://example.org/2024/login-bill-passes",
            "https://example.org/world/europe/albania",
        ] {
            assert!(!login_like(&url::Url::parse(u).unwrap()), "{u}");
        }
    }

    fn taken(text: &str) -> Taken {
        let ex = warc::from_raw_body("https://example.org/a", Vec::new(), "2026-01-01T00:00:00Z");
        Taken {
            text: text.to_string(),
            warc: None,
            exchange: ex,
            title: None,
            charset: "UTF-8",
            mode: Mode::Article,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn the_chain_is_proven_refuted_or_said_to_be_unverifiable() {
        let page = b"<html><head><title>T</title></head><body><article><h1>Ties cut</h1><p>Albania cut diplomatic ties with Iran on Wednesday, the prime minister said.</p></article></body></html>";
        let Ok(Some(t)) = from_file(
            page,
            "page.html",
            Some("https://example.org/a"),
            None,
            "2026-01-01T00:00:00Z",
        ) else {
            panic!("extracted");
        };
        let (warc, record) = t.warc.clone().unwrap();
        assert_eq!(record.method, Method::File);
        assert_eq!(record.content_type.as_deref(), Some("text/html"));
        assert_eq!(record.status, None);
        let text = t.text.as_bytes();
        assert_eq!(verify(&record, Some(&warc), text), Chain::Proven);
        // Another extractor version: not re-verified, and said so.
        let older = CaptureRecord {
            extractor_version: "0".into(),
            ..record.clone()
        };
        assert!(matches!(
            verify(&older, Some(&warc), text),
            Chain::OtherExtractor { .. }
        ));
        assert!(!verify(&older, Some(&warc), text).broken());
        // A recorded mode that does not give the text, a text that is not the WARC's, a
        // WARC edited, a WARC gone: broken.
        let page_mode = CaptureRecord {
            mode: "page".into(),
            ..record.clone()
        };
        assert!(matches!(
            verify(&page_mode, Some(&warc), text),
            Chain::TextDiffers { .. }
        ));
        assert!(matches!(
            verify(&record, Some(&warc), b"other\n"),
            Chain::TextDiffers { .. }
        ));
        let mut edited = warc.clone();
        edited.push(0);
        assert!(matches!(
            verify(&record, Some(&edited), text),
            Chain::WarcModified { .. }
        ));
        assert!(verify(&record, None, text).broken());
        // A re-extraction of the WARC is labelled as one.
        let again = re_extract(&warc, Mode::Page).unwrap();
        let (_, r) = again.warc.unwrap();
        assert!(r.re_extraction);
        assert_eq!(r.mode, "page");
        // The pending record must be that text's.
        assert!(pending_record(&warc, &sha256_hex(text)).is_ok());
        assert!(pending_record(&warc, &sha256_hex(b"x")).is_err());
    }

    #[test]
    fn a_hostile_warc_is_read_within_bounds() {
        use std::io::Write;
        // A record announcing a terabyte, and a thousand empty records: refused at once.
        let huge = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 1099511627776\r\n\r\n";
        assert!(warc::read_evidence(huge, MAX_BODY).is_err());
        let mut many = Vec::new();
        for _ in 0..1000 {
            many.extend_from_slice(
                b"WARC/1.1\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n",
            );
        }
        assert!(warc::read_evidence(&many, MAX_BODY).is_err());
        // A gzip bomb: a small file that inflates to far more than a capture can hold.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 400000000\r\n\r\n")
            .unwrap();
        for _ in 0..100 {
            gz.write_all(&[0u8; 1 << 20]).unwrap();
        }
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 1 << 20);
        assert!(warc::read_evidence(&bomb, MAX_BODY).is_err());
    }

    #[test]
    fn walls_and_shrinking_are_not_versions() {
        let wall = taken("Before you continue to Example\n\nWe use cookies.\n");
        assert!(matches!(
            judge(&wall, "https://example.org/a", None),
            Err(NotAVersion::Wall {
                what: "a consent wall",
                ..
            })
        ));
        let old = "word ".repeat(200);
        let short = taken("A short text.\n");
        assert!(matches!(
            judge(&short, "https://example.org/a", Some(&old)),
            Err(NotAVersion::Shrunk { old: 1000, new: 14 })
        ));
        // An article that quotes a wall's phrase is long: not a wall.
        let long = taken(&format!("{} are you a robot?\n", "Prose. ".repeat(400)));
        assert_eq!(judge(&long, "https://example.org/a", None), Ok(()));
        assert_eq!(
            judge(
                &taken("A fine text.\n"),
                "https://example.org/a",
                Some("Old.")
            ),
            Ok(())
        );
    }
}

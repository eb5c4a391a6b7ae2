//! What a server sent → the text of a snapshot (docs/capture.md, "Text rules").
//!
//! [`extract`] takes the bytes as received (after content decoding: gzip and the like are the
//! HTTP client's business), the `Content-Type` header if there was one, and the URL if known,
//! and returns the text prov pins, with the name and version of the extractor that made it so
//! that a later `prov report --verify` can re-extract and compare. The same bytes always give
//! the same text, byte for byte: nothing here depends on hashing seeds, time or threads.
//!
//! Three modes: [`Mode::Article`] (the main content, for news and blog pages), [`Mode::Page`]
//! (all the text a browser renders) and [`Mode::None`] (the bytes decoded as text, as is).

use std::fmt;

use super::charset;
use super::html;
use super::html_article;

/// The extractor's name, recorded with every capture.
pub const NAME: &str = "prov-html";

/// The extractor's version: bumped whenever the text it gives for some input changes, so that
/// a recorded capture can tell whether re-extraction with this binary must reproduce it.
pub const VERSION: &str = "1";

/// How much of a page becomes the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The main content: headline, then the article's paragraphs (the default for HTML).
    Article,
    /// All the text a browser renders (no scripts, styles, hidden elements).
    Page,
    /// The bytes decoded as text, unchanged (for plain text, or HTML kept as source).
    None,
}

impl Mode {
    /// The name used on the command line and in sources.toml (`article`, `page`, `none`).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Article => "article",
            Mode::Page => "page",
            Mode::None => "none",
        }
    }

    /// The mode named `s` (as [`Mode::as_str`] spells it).
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "article" => Some(Mode::Article),
            "page" => Some(Mode::Page),
            "none" => Some(Mode::None),
            _ => None,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text of a capture and how it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The snapshot's text: UTF-8, `\n` line ends, no trailing spaces, one final newline.
    pub text: String,
    /// The headline (first `<h1>`, else `<title>`), when the page has one.
    pub title: Option<String>,
    /// The WHATWG name of the encoding the bytes were decoded with (`UTF-8`, `windows-1252`…).
    pub charset: &'static str,
    /// [`NAME`] and [`VERSION`] (for [`Mode::None`] too: decoding is part of extraction).
    pub extractor: &'static str,
    pub version: &'static str,
    pub mode: Mode,
}

/// Why bytes give no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtractError {
    /// A PDF (by its `%PDF-` signature or its content type).
    Pdf,
    /// Bytes that are not text: an image, an archive, an executable… (`what` names the kind
    /// when it is known, e.g. `image/png`).
    Binary { what: Option<String> },
    /// HTML was expected (article or page mode) but the bytes are not HTML.
    NotHtml,
    /// The charset the page declares cannot decode anything (the WHATWG "replacement"
    /// encoding: `iso-2022-kr`, `hz-gb-2312`, …).
    UndecodableCharset { label: String },
    /// Nothing that looks like an article (article mode), or no visible text at all.
    NothingExtractable { mode: Mode },
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtractError::Pdf => f.write_str("PDF is not supported yet"),
            ExtractError::Binary { what: Some(w) } => {
                write!(f, "the content is binary ({w}), not text or HTML")
            }
            ExtractError::Binary { what: None } => {
                f.write_str("the content is binary, not text or HTML")
            }
            ExtractError::NotHtml => {
                f.write_str("the content is not HTML (use --extract none to keep it as text)")
            }
            ExtractError::UndecodableCharset { label } => write!(
                f,
                "the charset `{label}` cannot be decoded (it is not supported by browsers either)"
            ),
            ExtractError::NothingExtractable {
                mode: Mode::Article,
            } => f.write_str(
                "no article text found in the page (try --extract page for all its visible text)",
            ),
            ExtractError::NothingExtractable { mode } => {
                write!(f, "the page has no text to extract (mode {mode})")
            }
        }
    }
}

impl std::error::Error for ExtractError {}

/// Whether `bytes` are a PDF: `%PDF-` within the first 1024 bytes (readers accept leading junk).
pub fn is_pdf(bytes: &[u8]) -> bool {
    memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some()
}

/// The MIME essence of a `Content-Type` value, lowercased (`text/html`).
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Skips a byte order mark and ASCII whitespace.
fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = b
        .iter()
        .position(|c| !matches!(c, b'\t' | b'\n' | b'\x0C' | b'\r' | b' '))
        .unwrap_or(b.len());
    &b[start..]
}

/// Whether the bytes are HTML, by the WHATWG MIME sniffing rules for HTML
/// (<https://mimesniff.spec.whatwg.org/#rules-for-identifying-an-unknown-mime-type>): after
/// a UTF-8 BOM and whitespace, one of `<!DOCTYPE HTML`, `<HTML`, `<HEAD`, `<SCRIPT`,
/// `<IFRAME`, `<H1`, `<DIV`, `<FONT`, `<TABLE`, `<A`, `<STYLE`, `<TITLE`, `<B`, `<BODY`,
/// `<BR`, `<P`, `<!--` followed by a space or `>` (case-insensitive), or a content type that
/// says HTML (`text/html`, `application/xhtml+xml`). Another stated content type (`text/plain`,
/// `application/json`…) is believed: not HTML, whatever the bytes. A UTF-16 page is sniffed after decoding
/// its first bytes. A file name's extension is not consulted: the bytes decide.
pub fn sniff_html(bytes: &[u8], content_type: Option<&str>) -> bool {
    if let Some(ct) = content_type {
        let e = essence(ct);
        if e == "text/html" || e == "application/xhtml+xml" {
            return true;
        }
        // A type the server stated is believed, as browsers believe it (a `text/plain` page
        // that starts with `<html>` is shown as text); only a missing or unknown type is
        // sniffed.
        if !matches!(
            e.as_str(),
            "" | "unknown/unknown" | "application/unknown" | "*/*" | "application/octet-stream"
        ) {
            return false;
        }
    }
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes)
        && enc != encoding_rs::UTF_8
    {
        let head = &bytes[bom..bytes.len().min(bom + 2048)];
        let (text, _) = enc.decode_without_bom_handling(head);
        return sniff_html_ascii(text.as_bytes());
    }
    sniff_html_ascii(bytes)
}

fn sniff_html_ascii(bytes: &[u8]) -> bool {
    const PATTERNS: &[&[u8]] = &[
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ];
    let b = skip_bom_and_space(bytes);
    PATTERNS.iter().any(|p| {
        b.len() > p.len()
            && b[..p.len()].eq_ignore_ascii_case(p)
            && matches!(b[p.len()], b' ' | b'>')
    }) || {
        // <!DOCTYPE html> is also followed by newlines in the wild; and XHTML begins with an
        // XML declaration followed by an <html> in the XHTML namespace.
        let lower: Vec<u8> = b[..b.len().min(512)].to_ascii_lowercase();
        lower.starts_with(b"<!doctype html")
            || (lower.starts_with(b"<?xml") && memchr::memmem::find(&lower, b"<html").is_some())
    }
}

/// The kind of binary content the leading bytes announce, by the WHATWG sniffing signatures
/// (images, audio and video, archives, fonts) and a NUL-byte test.
fn binary_kind(bytes: &[u8]) -> Option<Option<String>> {
    const SIGS: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xFF\xD8\xFF", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"RIFF", "RIFF (image/webp, audio/wav or video/avi)"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x1F\x8B\x08", "application/gzip"),
        (b"Rar!\x1A\x07", "application/x-rar-compressed"),
        (b"7z\xBC\xAF\x27\x1C", "application/x-7z-compressed"),
        (b"\x7FELF", "application/x-elf"),
        (b"MZ", "application/x-msdownload"),
        (b"OggS\0", "application/ogg"),
        (b"ID3", "audio/mpeg"),
        (b"\x1A\x45\xDF\xA3", "video/webm"),
        (b"wOFF", "font/woff"),
        (b"wOF2", "font/woff2"),
        (b"\0\x01\0\0", "font/ttf"),
        (b"OTTO", "font/otf"),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "application/x-ole-storage (an Office file)",
        ),
    ];
    for (sig, what) in SIGS {
        if bytes.starts_with(sig) {
            return Some(Some((*what).to_string()));
        }
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some(Some("video/mp4".to_string()));
    }
    // Text in UTF-16 has NULs but announces itself with a BOM; any other NUL in the first
    // 1024 bytes means binary (the WHATWG "binary data byte" test).
    if encoding_rs::Encoding::for_bom(bytes).is_none()
        && bytes[..bytes.len().min(1024)].contains(&0)
    {
        return Some(None);
    }
    None
}

/// The bytes decoded as text, following the WHATWG order (BOM, `Content-Type` charset, meta
/// prescan, detection), and the encoding's name.
pub fn decode(
    bytes: &[u8],
    content_type: Option<&str>,
) -> Result<(String, &'static str), ExtractError> {
    decode_with_url(bytes, content_type, None)
}

fn decode_with_url(
    bytes: &[u8],
    content_type: Option<&str>,
    url: Option<&str>,
) -> Result<(String, &'static str), ExtractError> {
    let (enc, _) = charset::sniff(bytes, content_type, url);
    if charset::is_undecodable(enc) {
        let label = content_type
            .and_then(charset::charset_param)
            .map(str::to_string)
            .or_else(|| declared_label(bytes))
            .unwrap_or_else(|| enc.name().to_string());
        return Err(ExtractError::UndecodableCharset { label });
    }
    Ok((charset::decode(bytes, enc), enc.name()))
}

/// The charset label a page's `<meta>` declares, as written (for a message only: the prescan in
/// [`charset`] decides the encoding).
fn declared_label(bytes: &[u8]) -> Option<String> {
    let head = bytes[..bytes.len().min(1024)].to_ascii_lowercase();
    let at = memchr::memmem::find(&head, b"charset=")? + b"charset=".len();
    let label: String = head[at..]
        .iter()
        .skip_while(|&&b| b == b'"' || b == b'\'')
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        .map(|&b| char::from(b))
        .collect();
    (!label.is_empty()).then_some(label)
}

/// The mode for bytes when the user chose none: [`Mode::Article`] for HTML (by
/// [`sniff_html`]), [`Mode::None`] for anything else (plain text stays as it is).
pub fn default_mode(bytes: &[u8], content_type: Option<&str>) -> Mode {
    if sniff_html(bytes, content_type) {
        Mode::Article
    } else {
        Mode::None
    }
}

/// The text of `bytes` in `mode`. `content_type` is the HTTP `Content-Type` (or `None` for a
/// local file), `url` the page's address if known (it helps charset detection only).
///
/// Refused: a PDF or other binary content, in every mode; in article and page mode, bytes
/// that are not HTML (by [`sniff_html`]); a page with no text for the mode.
pub fn extract(
    bytes: &[u8],
    content_type: Option<&str>,
    url: Option<&str>,
    mode: Mode,
) -> Result<Extracted, ExtractError> {
    if is_pdf(bytes) || content_type.is_some_and(|c| essence(c) == "application/pdf") {
        return Err(ExtractError::Pdf);
    }
    if let Some(what) = binary_kind(bytes) {
        return Err(ExtractError::Binary { what });
    }
    let done = |text: String, title: Option<String>, charset: &'static str| Extracted {
        text,
        title,
        charset,
        extractor: NAME,
        version: VERSION,
        mode,
    };
    if mode == Mode::None {
        let (text, charset) = decode_with_url(bytes, content_type, url)?;
        if text.trim().is_empty() {
            return Err(ExtractError::NothingExtractable { mode });
        }
        return Ok(done(text, None, charset));
    }
    if !sniff_html(bytes, content_type) {
        return Err(ExtractError::NotHtml);
    }
    let (source, charset) = decode_with_url(bytes, content_type, url)?;
    let doc = html::render(&source);
    let (text, title) = match mode {
        Mode::Article => html_article::article(&doc),
        _ => html_article::page(&doc),
    };
    if text.is_empty() {
        return Err(ExtractError::NothingExtractable { mode });
    }
    Ok(done(text, title, charset))
}

/// How article extraction sees `bytes` (bench/extraction's `--explain`; not a stable format).
#[doc(hidden)]
pub fn explain(bytes: &[u8]) -> String {
    match decode(bytes, None) {
        Ok((source, _)) => html_article::explain(&html::render(&source)),
        Err(e) => e.to_string(),
    }
}

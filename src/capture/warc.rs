//! WARC 1.1 evidence: writing a fetch's exchange, reading a response back from a WARC or WACZ
//! file made by other tools.
//!
//! # Writing
//!
//! [`write_warc`] gives the bytes of a `.warc.gz`, one gzip member per record:
//!
//! 1. `warcinfo`: prov's name and version, the format, the User-Agent.
//! 2. for each redirect, then the final response: `request` (the bytes sent) and `response`
//!    (the bytes received: status line, header fields, body as transferred);
//! 3. with a [`Conversion`]: a `conversion` record holding the extracted text, referring to the
//!    response (`WARC-Refers-To`, `WARC-Target-URI`), and a `metadata` record naming the
//!    extractor.
//!
//! Every record has `WARC-Block-Digest`. A `response` has `WARC-Payload-Digest` over the body
//! with its transfer coding removed but its content coding kept (WARC 1.1 §5.9 and §6.3.2, as
//! clarified in iipc/warc-specifications#22) — except when the response has a
//! `Transfer-Encoding`: tools disagree there (warcio digests the chunk framing too, so
//! `warcio check` would fail a correct digest), and prov writes the block digest alone.
//! Digests are `sha256:<hex>`, like the rest of prov. Record ids are `urn:uuid:`s derived from
//! the record's content, dates are the fetch time: the same exchange gives the same bytes.
//!
//! # Reading
//!
//! [`read_response`] finds the `response` record for a URL in a WARC (`.warc`, `.warc.gz`) or
//! a WACZ (a zip holding `archive/*.warc.gz`), follows redirects recorded in the file, and
//! returns the same [`Exchange`] a fetch gives. It streams: memory is bounded by the caps in
//! [`ReadLimits`], whatever the file's size. A Wayback Machine raw (`id_`) download has no
//! HTTP head at all: [`from_raw_body`] makes an exchange of its bytes.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::IpAddr;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::capture::http::{Exchange, Hop, SentRequest, same_site};
use crate::capture::message::{self, Framing, MessageError, Response, ResponseHead};

/// The extracted text of a capture, to be linked to the response it came from.
#[derive(Debug, Clone, Copy)]
pub struct Conversion<'a> {
    /// The snapshot's bytes.
    pub text: &'a [u8],
    /// Its media type, e.g. `text/plain; charset=utf-8`.
    pub content_type: &'a str,
    /// The extractor that made it: name, version and mode, e.g. `prov-html 1 article`.
    pub extractor: &'a str,
    /// How the bytes came to prov (`fetch`, `archive`, `file`), recorded as `capture-method`.
    pub method: Option<&'a str>,
    /// When the text is a re-extraction of an earlier capture's response: that capture's text
    /// sha256, recorded as `re-extraction-of`.
    pub re_extraction_of: Option<&'a str>,
}

const WARC_VERSION: &str = "WARC/1.1";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_label(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

/// A `urn:uuid:` derived from a record's type, target, date and block: the same record, the
/// same id. Formatted as an RFC 9562 version 8 (custom) UUID.
fn record_id(kind: &str, target: &str, date: &str, block: &[u8], salt: usize) -> String {
    let mut h = Sha256::new();
    for part in [kind.as_bytes(), target.as_bytes(), date.as_bytes()] {
        h.update(part);
        h.update([0]);
    }
    h.update(Sha256::digest(block));
    h.update(salt.to_le_bytes());
    let d = h.finalize();
    let mut u = [0u8; 16];
    u.copy_from_slice(&d[..16]);
    u[6] = (u[6] & 0x0f) | 0x80;
    u[8] = (u[8] & 0x3f) | 0x80;
    let x = hex(&u);
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

struct Record<'a> {
    kind: &'static str,
    id: String,
    fields: Vec<(&'static str, String)>,
    content_type: String,
    block: &'a [u8],
    payload_digest: Option<String>,
}

fn write_record(out: &mut Vec<u8>, date: &str, r: &Record) -> io::Result<()> {
    let mut rec = Vec::with_capacity(r.block.len() + 512);
    rec.extend_from_slice(format!("{WARC_VERSION}\r\n").as_bytes());
    let mut field = |name: &str, value: &str| {
        // Field values never hold line breaks (they would end the header).
        let value: String = value
            .chars()
            .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
            .collect();
        rec.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    };
    field("WARC-Type", r.kind);
    field("WARC-Record-ID", &r.id);
    field("WARC-Date", date);
    for (name, value) in &r.fields {
        field(name, value);
    }
    field("Content-Type", &r.content_type);
    if let Some(p) = &r.payload_digest {
        field("WARC-Payload-Digest", p);
    }
    field("WARC-Block-Digest", &sha256_label(r.block));
    field("Content-Length", &r.block.len().to_string());
    rec.extend_from_slice(b"\r\n");
    rec.extend_from_slice(r.block);
    rec.extend_from_slice(b"\r\n\r\n");
    // One gzip member per record; mtime 0 and no file name: the bytes depend on the record only.
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(&mut *out, flate2::Compression::new(6));
    gz.write_all(&rec)?;
    gz.finish()?;
    Ok(())
}

/// The payload digest a response record gets: over the de-chunked, still content-encoded
/// body; none when a transfer coding was applied (see the module documentation).
fn payload_digest(r: &Response) -> Option<String> {
    if r.head.get("transfer-encoding").is_some() || r.head.len == 0 {
        return None;
    }
    Some(sha256_label(&r.payload))
}

/// The WARC 1.1 file (gzip, one member per record) for an exchange, and optionally the text
/// extracted from it. Deterministic: the same arguments give the same bytes.
pub fn write_warc(ex: &Exchange, conversion: Option<&Conversion>) -> Vec<u8> {
    let date = ex.fetched.as_str();
    let mut out = Vec::new();
    let software = format!("prov/{}", env!("CARGO_PKG_VERSION"));
    let mut info = format!(
        "software: {software}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
    );
    if let Some(ua) = ex.request.as_ref().and_then(|r| {
        r.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("user-agent"))
    }) {
        info.push_str(&format!("http-header-user-agent: {}\r\n", ua.1));
    }
    let info_id = record_id("warcinfo", "", date, info.as_bytes(), 0);
    // Writing to a Vec cannot fail; an error here would be a bug in flate2.
    let mut records: Vec<Record> = vec![Record {
        kind: "warcinfo",
        id: info_id.clone(),
        fields: Vec::new(),
        content_type: "application/warc-fields".to_string(),
        block: info.as_bytes(),
        payload_digest: None,
    }];
    let mut pairs: Vec<(&str, Option<&SentRequest>, &Response, Option<IpAddr>)> = ex
        .redirects
        .iter()
        .filter_map(|h| {
            h.response
                .as_ref()
                .map(|r| (h.url.as_str(), h.request.as_ref(), r, h.remote_ip))
        })
        .collect();
    pairs.push((
        ex.final_url.as_str(),
        ex.request.as_ref(),
        &ex.response,
        ex.remote_ip,
    ));
    let mut final_response_id = String::new();
    for (i, (url, request, response, ip)) in pairs.iter().enumerate() {
        let raw_body = response.head.len == 0;
        let kind = if raw_body { "resource" } else { "response" };
        let response_id = record_id(kind, url, date, &response.raw, i);
        let mut fields = vec![
            ("WARC-Target-URI", url.to_string()),
            ("WARC-Warcinfo-ID", info_id.clone()),
        ];
        if let Some(ip) = ip {
            fields.push(("WARC-IP-Address", ip.to_string()));
        }
        if let Some(req) = request.filter(|r| !r.raw.is_empty()) {
            let mut req_fields = fields.clone();
            req_fields.push(("WARC-Concurrent-To", response_id.clone()));
            records.push(Record {
                kind: "request",
                id: record_id("request", url, date, &req.raw, i),
                fields: req_fields,
                content_type: "application/http;msgtype=request".to_string(),
                block: &req.raw,
                payload_digest: None,
            });
        }
        if response.truncated {
            fields.push(("WARC-Truncated", "disconnect".to_string()));
        }
        // A raw body's record says its media type when prov knew one (a local `.html`).
        let raw_type = response.content_type();
        let content_type = match raw_type {
            Some(t) if raw_body && !t.is_empty() && !t.contains(['\r', '\n']) => t,
            _ if raw_body => "application/octet-stream".to_string(),
            _ => "application/http;msgtype=response".to_string(),
        };
        records.push(Record {
            kind,
            id: response_id.clone(),
            fields,
            content_type,
            block: &response.raw,
            payload_digest: payload_digest(response),
        });
        final_response_id = response_id;
    }
    let metadata_block;
    if let Some(c) = conversion {
        let conversion_id = record_id("conversion", &ex.final_url, date, c.text, 0);
        records.push(Record {
            kind: "conversion",
            id: conversion_id.clone(),
            fields: vec![
                ("WARC-Target-URI", ex.final_url.clone()),
                ("WARC-Warcinfo-ID", info_id.clone()),
                ("WARC-Refers-To", final_response_id.clone()),
            ],
            content_type: c.content_type.to_string(),
            block: c.text,
            payload_digest: Some(sha256_label(c.text)),
        });
        let mut block = format!("extractor: {}\r\n", c.extractor);
        if let Some(m) = c.method {
            block.push_str(&format!("capture-method: {m}\r\n"));
        }
        if let Some(of) = c.re_extraction_of {
            block.push_str(&format!("re-extraction-of: {of}\r\n"));
        }
        block.push_str(&format!(
            "snapshot-sha256: {}\r\nsource-record: {}\r\n",
            hex(&Sha256::digest(c.text)),
            final_response_id
        ));
        metadata_block = block;
        records.push(Record {
            kind: "metadata",
            id: record_id(
                "metadata",
                &ex.final_url,
                date,
                metadata_block.as_bytes(),
                0,
            ),
            fields: vec![
                ("WARC-Target-URI", ex.final_url.clone()),
                ("WARC-Warcinfo-ID", info_id.clone()),
                ("WARC-Refers-To", conversion_id),
            ],
            content_type: "application/warc-fields".to_string(),
            block: metadata_block.as_bytes(),
            payload_digest: None,
        });
    }
    for r in &records {
        // Writing into a Vec only fails on allocation failure, which aborts anyway.
        let _ = write_record(&mut out, date, r);
    }
    out
}

/// An exchange of a body with no HTTP head: a Wayback Machine raw (`id_`) download, or any
/// file of a page's bytes. Written to WARC as a `resource` record.
pub fn from_raw_body(url: &str, body: Vec<u8>, fetched: &str) -> Exchange {
    from_raw_body_typed(url, body, fetched, None)
}

/// [`from_raw_body`], with the media type the body is known to have (a local `page.html` is
/// `text/html`): the `resource` record's `Content-Type`, and the exchange's content type.
pub fn from_raw_body_typed(
    url: &str,
    body: Vec<u8>,
    fetched: &str,
    content_type: Option<&str>,
) -> Exchange {
    let headers = content_type
        .map(|t| crate::capture::message::Header {
            name: "Content-Type".to_string(),
            value: t.as_bytes().to_vec(),
        })
        .into_iter()
        .collect();
    Exchange {
        url: url.to_string(),
        final_url: url.to_string(),
        redirects: Vec::new(),
        request: None,
        response: Response {
            raw: body.clone(),
            head: ResponseHead {
                version: String::new(),
                status: 200,
                reason: String::new(),
                headers,
                len: 0,
            },
            framing: Framing::UntilClose,
            payload: body.clone(),
            body,
            truncated: false,
        },
        fetched: fetched.to_string(),
        remote_ip: None,
        cross_site_redirect: false,
        notes: Vec::new(),
    }
}

/// Caps that keep reading a hostile file bounded in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// The largest body (de-chunked, then decoded) accepted for the response asked for.
    pub max_body: u64,
    /// The most response records indexed (URLs remembered) in one file.
    pub max_records: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_body: 32 * 1024 * 1024,
            max_records: 200_000,
        }
    }
}

/// The longest WARC record header accepted.
pub const MAX_WARC_HEADER: usize = 64 * 1024;
/// Redirects followed inside an archive.
const MAX_ARCHIVE_REDIRECTS: usize = 10;
/// URLs listed when the one asked for is not there.
const URLS_LISTED: usize = 5;

/// Why a response could not be read from an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarcError {
    /// Neither a WARC (plain or gzip) nor a WACZ.
    NotAWarc {
        detail: String,
    },
    /// No response record for the URL; a few of the URLs the file has, and how many.
    NoResponse {
        url: String,
        urls: Vec<String>,
        total: usize,
    },
    /// The file ends inside a record (`offset`: where the record starts in the uncompressed
    /// WARC stream).
    Truncated {
        offset: u64,
        detail: String,
    },
    /// Bytes that are not WARC or gzip, at `offset` (uncompressed for WARC structure,
    /// compressed for gzip damage; the detail says which).
    Corrupt {
        offset: u64,
        detail: String,
    },
    /// The response's body is larger than [`ReadLimits::max_body`].
    TooLarge {
        url: String,
        cap: u64,
    },
    /// The response record holds no HTTP response prov can read.
    BadResponse {
        url: String,
        detail: String,
    },
    Io(String),
}

impl fmt::Display for WarcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WarcError::NotAWarc { detail } => write!(f, "not a WARC or WACZ file: {detail}"),
            WarcError::NoResponse { url, urls, total } => {
                write!(f, "no response for {url} in the archive")?;
                if *total == 0 {
                    return write!(f, " (it holds no response records)");
                }
                write!(f, "; it has {total} response record(s), for ")?;
                write!(f, "{}", urls.join(", "))?;
                if *total > urls.len() {
                    write!(f, ", …")?;
                }
                Ok(())
            }
            WarcError::Truncated { offset, detail } => {
                write!(
                    f,
                    "the WARC is truncated: {detail} (record at byte {offset})"
                )
            }
            WarcError::Corrupt { offset, detail } => {
                write!(f, "the WARC is corrupt at byte {offset}: {detail}")
            }
            WarcError::TooLarge { url, cap } => write!(
                f,
                "the response for {url} is larger than the limit of {cap} bytes"
            ),
            WarcError::BadResponse { url, detail } => {
                write!(f, "the response record for {url} is unreadable: {detail}")
            }
            WarcError::Io(e) => write!(f, "cannot read the archive: {e}"),
        }
    }
}

impl std::error::Error for WarcError {}

/// A URL as compared between a request and an archive: parsed (scheme and host lowercased,
/// default port dropped, empty path `/`), fragment removed; `<…>` (WARC 1.0) unwrapped.
fn url_key(u: &str) -> String {
    let u = u.trim();
    let u = u
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(u);
    match url::Url::parse(u) {
        Ok(mut p) => {
            p.set_fragment(None);
            p.to_string()
        }
        Err(_) => u.to_string(),
    }
}

/// One WARC record's header, as read.
#[derive(Debug, Default)]
struct WarcHeader {
    fields: Vec<(String, String)>,
    length: u64,
}

impl WarcHeader {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Counts the bytes read through it (the compressed offset, for gzip errors).
struct Counting<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Reads WARC records from a decompressed stream.
struct Records<R: BufRead> {
    r: R,
    /// Uncompressed offset of the next byte.
    pos: u64,
    /// Compressed bytes consumed so far (gzip), for error offsets.
    compressed: Option<std::rc::Rc<std::cell::Cell<u64>>>,
    first: bool,
}

enum Next {
    Record { offset: u64, header: WarcHeader },
    End,
}

impl<R: BufRead> Records<R> {
    fn io_error(&self, e: io::Error, offset: u64) -> WarcError {
        match (&self.compressed, e.kind()) {
            (_, io::ErrorKind::UnexpectedEof) => WarcError::Truncated {
                offset,
                detail: "the data ends in the middle of a record".into(),
            },
            (Some(c), io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData) => {
                WarcError::Corrupt {
                    offset: c.get(),
                    detail: format!(
                        "the gzip data is damaged ({e}; offset in the compressed file, approximate)"
                    ),
                }
            }
            _ => WarcError::Io(e.to_string()),
        }
    }

    /// One line, at most `max` bytes; `None` at the end of the data.
    fn line(&mut self, max: usize, offset: u64) -> Result<Option<Vec<u8>>, WarcError> {
        let mut line = Vec::new();
        let n = (&mut self.r)
            .take(max as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| self.io_error(e, offset))?;
        self.pos += n as u64;
        if n == 0 {
            return Ok(None);
        }
        if line.len() > max {
            return Err(WarcError::Corrupt {
                offset: self.pos,
                detail: format!("a WARC header line longer than {max} bytes"),
            });
        }
        Ok(Some(line))
    }

    fn next_header(&mut self) -> Result<Next, WarcError> {
        // Blank lines between records (the record end's CRLF CRLF, or more) are skipped.
        let (offset, version) = loop {
            let offset = self.pos;
            let Some(line) = self.line(MAX_WARC_HEADER, offset)? else {
                return Ok(Next::End);
            };
            if line.iter().all(u8::is_ascii_whitespace) {
                if self.pos > 1 << 20 && self.first {
                    return Err(WarcError::NotAWarc {
                        detail: "no WARC record in the first MiB".into(),
                    });
                }
                continue;
            }
            break (offset, line);
        };
        let v = String::from_utf8_lossy(&version);
        if !v.trim_end().starts_with("WARC/") {
            let shown: String = v.trim_end().chars().take(40).collect();
            return Err(if self.first {
                WarcError::NotAWarc {
                    detail: format!("it starts with {shown:?}, not WARC/1.x"),
                }
            } else {
                WarcError::Corrupt {
                    offset,
                    detail: format!("expected a record (WARC/1.x), found {shown:?}"),
                }
            });
        }
        self.first = false;
        let mut header = WarcHeader::default();
        let mut size = version.len();
        let mut length = None;
        loop {
            let Some(line) = self.line(MAX_WARC_HEADER, offset)? else {
                return Err(WarcError::Truncated {
                    offset,
                    detail: "the data ends in a record's header".into(),
                });
            };
            size += line.len();
            if size > MAX_WARC_HEADER {
                return Err(WarcError::Corrupt {
                    offset,
                    detail: format!("a record header longer than {MAX_WARC_HEADER} bytes"),
                });
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                break;
            }
            if text.starts_with([' ', '\t']) {
                if let Some(last) = header.fields.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(text.trim());
                }
                continue;
            }
            let Some((name, value)) = text.split_once(':') else {
                return Err(WarcError::Corrupt {
                    offset,
                    detail: format!(
                        "a header line without a colon: {:?}",
                        text.chars().take(40).collect::<String>()
                    ),
                });
            };
            let (name, value) = (name.trim().to_string(), value.trim().to_string());
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<u64>().ok();
            }
            header.fields.push((name, value));
        }
        header.length = length.ok_or_else(|| WarcError::Corrupt {
            offset,
            detail: "a record without a valid Content-Length".into(),
        })?;
        Ok(Next::Record { offset, header })
    }

    /// Read the block (at most `cap` bytes, else `None` and the block skipped).
    fn block(
        &mut self,
        header: &WarcHeader,
        offset: u64,
        cap: u64,
    ) -> Result<Option<Vec<u8>>, WarcError> {
        if header.length > cap {
            self.skip(header, offset)?;
            return Ok(None);
        }
        let mut block = Vec::new();
        let n = (&mut self.r)
            .take(header.length)
            .read_to_end(&mut block)
            .map_err(|e| self.io_error(e, offset))?;
        self.pos += n as u64;
        if (n as u64) < header.length {
            return Err(WarcError::Truncated {
                offset,
                detail: format!("a record of {} bytes has only {n}", header.length),
            });
        }
        Ok(Some(block))
    }

    fn skip(&mut self, header: &WarcHeader, offset: u64) -> Result<(), WarcError> {
        let n = io::copy(&mut (&mut self.r).take(header.length), &mut io::sink())
            .map_err(|e| self.io_error(e, offset))?;
        self.pos += n;
        if n < header.length {
            return Err(WarcError::Truncated {
                offset,
                detail: format!("a record of {} bytes has only {n}", header.length),
            });
        }
        Ok(())
    }
}

/// What pass one learns of each response record.
#[derive(Debug, Clone)]
struct Indexed {
    ordinal: usize,
    target: String,
    status: u16,
    location: Option<String>,
}

/// Visit every record of a WARC stream (plain or gzip, detected) with `f`, which may read the
/// block. The stream is consumed once.
fn each_record<R: Read>(
    input: R,
    mut f: impl FnMut(
        &mut Records<Box<dyn BufRead + '_>>,
        usize,
        u64,
        &WarcHeader,
    ) -> Result<bool, WarcError>,
) -> Result<(), WarcError> {
    let mut input = BufReader::new(input);
    let start = input.fill_buf().map_err(|e| WarcError::Io(e.to_string()))?;
    let gz = start.starts_with(&[0x1f, 0x8b]);
    let count = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let reader: Box<dyn BufRead> = if gz {
        let counting = Counting {
            inner: input,
            count: count.clone(),
        };
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(
            BufReader::new(counting),
        )))
    } else {
        Box::new(input)
    };
    let mut records = Records {
        r: reader,
        pos: 0,
        compressed: gz.then_some(count),
        first: true,
    };
    let mut ordinal = 0;
    loop {
        match records.next_header()? {
            Next::End => return Ok(()),
            Next::Record { offset, header } => {
                let consumed = f(&mut records, ordinal, offset, &header)?;
                if !consumed {
                    records.skip(&header, offset)?;
                }
                ordinal += 1;
            }
        }
    }
}

/// The WARC streams in an archive: the file itself, or each `*.warc`/`*.warc.gz` in a WACZ.
fn warc_streams<R: Read + Seek>(r: &mut R) -> Result<Vec<(u64, u64, u16)>, WarcError> {
    let mut magic = [0u8; 4];
    r.seek(SeekFrom::Start(0))
        .map_err(|e| WarcError::Io(e.to_string()))?;
    let n = read_up_to(r, &mut magic)?;
    if n == 4 && magic == *b"PK\x03\x04" {
        return zip_entries(r);
    }
    let len = r
        .seek(SeekFrom::End(0))
        .map_err(|e| WarcError::Io(e.to_string()))?;
    if n == 0 {
        return Err(WarcError::NotAWarc {
            detail: "the file is empty".into(),
        });
    }
    Ok(vec![(0, len, 0)])
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize, WarcError> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(WarcError::Io(e.to_string())),
        }
    }
    Ok(n)
}

/// The `(offset, size, method)` of each WARC entry of a zip (WACZ): stored (0) or deflated
/// (8). Read from the central directory; zip64 is refused.
fn zip_entries<R: Read + Seek>(r: &mut R) -> Result<Vec<(u64, u64, u16)>, WarcError> {
    let io_err = |e: io::Error| WarcError::Io(e.to_string());
    let corrupt = |offset: u64, detail: &str| WarcError::Corrupt {
        offset,
        detail: format!("WACZ (zip): {detail}"),
    };
    let len = r.seek(SeekFrom::End(0)).map_err(io_err)?;
    let tail_len = len.min(65_557);
    r.seek(SeekFrom::Start(len - tail_len)).map_err(io_err)?;
    let mut tail = vec![0u8; tail_len as usize];
    r.read_exact(&mut tail).map_err(io_err)?;
    let eocd = tail
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .ok_or_else(|| corrupt(len, "no end of central directory"))?;
    let e = &tail[eocd..];
    if e.len() < 22 {
        return Err(corrupt(len, "the end of central directory is cut off"));
    }
    let u16_at = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
    let u32_at = |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let count = u16_at(e, 10);
    let cd_size = u32_at(e, 12);
    let cd_offset = u32_at(e, 16);
    if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        return Err(WarcError::NotAWarc {
            detail: "a zip64 WACZ (over 4 GiB or 65535 files), which prov does not read yet".into(),
        });
    }
    if u64::from(cd_offset) + u64::from(cd_size) > len || cd_size > 64 * 1024 * 1024 {
        return Err(corrupt(
            u64::from(cd_offset),
            "the central directory is out of bounds",
        ));
    }
    r.seek(SeekFrom::Start(u64::from(cd_offset)))
        .map_err(io_err)?;
    let mut cd = vec![0u8; cd_size as usize];
    r.read_exact(&mut cd).map_err(io_err)?;
    let mut entries = Vec::new();
    let mut p = 0usize;
    for _ in 0..count {
        if p + 46 > cd.len() || &cd[p..p + 4] != b"PK\x01\x02" {
            return Err(corrupt(
                u64::from(cd_offset) + p as u64,
                "a bad central directory entry",
            ));
        }
        let method = u16_at(&cd, p + 10);
        let csize = u32_at(&cd, p + 20);
        let name_len = usize::from(u16_at(&cd, p + 28));
        let extra_len = usize::from(u16_at(&cd, p + 30));
        let comment_len = usize::from(u16_at(&cd, p + 32));
        let local = u32_at(&cd, p + 42);
        let name_end = p + 46 + name_len;
        if name_end > cd.len() {
            return Err(corrupt(
                u64::from(cd_offset) + p as u64,
                "a file name past the directory",
            ));
        }
        let name = String::from_utf8_lossy(&cd[p + 46..name_end]).to_ascii_lowercase();
        p = name_end + extra_len + comment_len;
        if !(name.ends_with(".warc") || name.ends_with(".warc.gz")) {
            continue;
        }
        if csize == 0xFFFF_FFFF || local == 0xFFFF_FFFF {
            return Err(WarcError::NotAWarc {
                detail: "a zip64 WACZ entry, which prov does not read yet".into(),
            });
        }
        // The data starts after the local header, whose name and extra lengths may differ.
        r.seek(SeekFrom::Start(u64::from(local))).map_err(io_err)?;
        let mut lh = [0u8; 30];
        r.read_exact(&mut lh)
            .map_err(|_| corrupt(u64::from(local), "a local header past the end"))?;
        if &lh[..4] != b"PK\x03\x04" {
            return Err(corrupt(u64::from(local), "a bad local header"));
        }
        let data = u64::from(local) + 30 + u64::from(u16_at(&lh, 26)) + u64::from(u16_at(&lh, 28));
        if data + u64::from(csize) > len {
            return Err(corrupt(data, "an entry past the end of the file"));
        }
        if method != 0 && method != 8 {
            return Err(corrupt(
                data,
                &format!("compression method {method} (only stored and deflated are read)"),
            ));
        }
        entries.push((data, u64::from(csize), method));
    }
    if entries.is_empty() {
        return Err(WarcError::NotAWarc {
            detail: "a zip without any .warc or .warc.gz (is it a WACZ?)".into(),
        });
    }
    Ok(entries)
}

/// Run `f` over every record of every WARC stream in the archive.
fn scan<R: Read + Seek>(
    r: &mut R,
    mut f: impl FnMut(
        &mut Records<Box<dyn BufRead + '_>>,
        usize,
        u64,
        &WarcHeader,
    ) -> Result<bool, WarcError>,
) -> Result<(), WarcError> {
    let streams = warc_streams(r)?;
    let mut base = 0usize;
    for (offset, size, method) in streams {
        r.seek(SeekFrom::Start(offset))
            .map_err(|e| WarcError::Io(e.to_string()))?;
        let limited = (&mut *r).take(size);
        let mut last = 0;
        let mut visit =
            |rec: &mut Records<Box<dyn BufRead + '_>>, i: usize, off: u64, h: &WarcHeader| {
                last = i + 1;
                f(rec, base + i, off, h)
            };
        if method == 8 {
            each_record(flate2::read::DeflateDecoder::new(limited), &mut visit)?;
        } else {
            each_record(limited, &mut visit)?;
        }
        base += last;
    }
    Ok(())
}

fn is_response(h: &WarcHeader) -> bool {
    h.get("WARC-Type")
        .is_some_and(|t| t.eq_ignore_ascii_case("response"))
}

/// Find the response for `url` in a WARC or WACZ file, following redirects recorded in it.
pub fn read_response_file(
    path: &Path,
    url: &str,
    limits: ReadLimits,
) -> Result<Exchange, WarcError> {
    let mut f =
        std::fs::File::open(path).map_err(|e| WarcError::Io(format!("{}: {e}", path.display())))?;
    read_response(&mut f, url, limits)
}

/// Find the response for `url` in a WARC or WACZ (any `Read + Seek`: a file, a
/// `Cursor<&[u8]>`), following redirects recorded in it. Two passes: an index of the
/// response records' heads, then the one record's block.
pub fn read_response<R: Read + Seek>(
    r: &mut R,
    url: &str,
    limits: ReadLimits,
) -> Result<Exchange, WarcError> {
    // Pass 1: response records: target, status, Location.
    let mut index: Vec<Indexed> = Vec::new();
    let mut total = 0usize;
    scan(r, |rec, ordinal, offset, h| {
        if !is_response(h) {
            return Ok(false);
        }
        total += 1;
        if index.len() >= limits.max_records {
            return Ok(false);
        }
        let Some(target) = h.get("WARC-Target-URI") else {
            return Ok(false);
        };
        // The head is at the start of the block: read at most MAX_HEAD_BYTES of it.
        let want = h.length.min(message::MAX_HEAD_BYTES as u64);
        let mut head = Vec::new();
        let n = (&mut rec.r)
            .take(want)
            .read_to_end(&mut head)
            .map_err(|e| rec.io_error(e, offset))?;
        rec.pos += n as u64;
        let rest = WarcHeader {
            fields: Vec::new(),
            length: h.length - n as u64,
        };
        rec.skip(&rest, offset)?;
        let (status, location) = match message::parse_head(&head) {
            Ok(Some(hd)) => (hd.status, hd.get_str("location")),
            _ => (0, None),
        };
        index.push(Indexed {
            ordinal,
            target: url_key(target),
            status,
            location,
        });
        Ok(true)
    })?;
    // Follow redirects within the archive.
    let mut key = url_key(url);
    let mut hops = Vec::new();
    let chosen = loop {
        let mut candidates = index.iter().filter(|i| i.target == key);
        let Some(first) = candidates.clone().next() else {
            let mut urls: Vec<String> = Vec::new();
            for i in &index {
                if !urls.contains(&i.target) {
                    urls.push(i.target.clone());
                }
                if urls.len() == URLS_LISTED {
                    break;
                }
            }
            return Err(WarcError::NoResponse {
                url: url.to_string(),
                urls,
                total,
            });
        };
        // Prefer a success, then whatever came first.
        let pick = candidates
            .find(|i| (200..300).contains(&i.status))
            .unwrap_or(first)
            .clone();
        let redirect = matches!(pick.status, 301 | 302 | 303 | 307 | 308);
        let next = pick.location.as_deref().and_then(|l| {
            url::Url::parse(&pick.target)
                .ok()
                .and_then(|base| base.join(l).ok())
                .map(|u| url_key(u.as_str()))
        });
        match next {
            Some(next) if redirect && hops.len() < MAX_ARCHIVE_REDIRECTS && next != key => {
                hops.push(Hop {
                    url: pick.target.clone(),
                    status: pick.status,
                    location: next.clone(),
                    request: None,
                    response: None,
                    remote_ip: None,
                });
                key = next;
            }
            _ => break pick,
        }
    };
    // Pass 2: that record's block (and a request for the same URL, if any).
    let block_cap = limits
        .max_body
        .saturating_mul(2)
        .saturating_add(message::MAX_HEAD_BYTES as u64);
    let mut found: Option<(WarcHeader, Option<Vec<u8>>)> = None;
    let mut request: Option<Vec<u8>> = None;
    scan(r, |rec, ordinal, offset, h| {
        if ordinal == chosen.ordinal {
            let block = rec.block(h, offset, block_cap)?;
            found = Some((
                WarcHeader {
                    fields: h.fields.clone(),
                    length: h.length,
                },
                block,
            ));
            return Ok(true);
        }
        let is_request = h
            .get("WARC-Type")
            .is_some_and(|t| t.eq_ignore_ascii_case("request"));
        if is_request
            && request.is_none()
            && h.length <= message::MAX_HEAD_BYTES as u64
            && h.get("WARC-Target-URI").map(url_key).as_deref() == Some(chosen.target.as_str())
        {
            request = rec.block(h, offset, message::MAX_HEAD_BYTES as u64)?;
            return Ok(true);
        }
        Ok(false)
    })?;
    let Some((header, block)) = found else {
        return Err(WarcError::Truncated {
            offset: 0,
            detail: "the record found on the first reading is gone on the second".into(),
        });
    };
    let Some(block) = block else {
        return Err(WarcError::TooLarge {
            url: chosen.target.clone(),
            cap: limits.max_body,
        });
    };
    let (response, notes) = parse_lenient(block, limits.max_body).map_err(|e| match e {
        MessageError::TooLarge { cap } => WarcError::TooLarge {
            url: chosen.target.clone(),
            cap,
        },
        e => WarcError::BadResponse {
            url: chosen.target.clone(),
            detail: e.to_string(),
        },
    })?;
    let start = url::Url::parse(&url_key(url)).ok();
    let fin = url::Url::parse(&chosen.target).ok();
    Ok(Exchange {
        url: url.to_string(),
        final_url: chosen.target.clone(),
        cross_site_redirect: matches!((&start, &fin), (Some(a), Some(b)) if !same_site(a, b)),
        redirects: hops,
        request: request.map(|raw| SentRequest {
            method: String::from_utf8_lossy(raw.split(|&b| b == b' ').next().unwrap_or_default())
                .into_owned(),
            url: chosen.target.clone(),
            headers: Vec::new(),
            raw,
        }),
        response,
        fetched: header.get("WARC-Date").unwrap_or("").to_string(),
        remote_ip: header.get("WARC-IP-Address").and_then(|ip| ip.parse().ok()),
        notes,
    })
}

/// Parse a response from an archive, accepting two habits of other tools: a body already
/// de-chunked under a `Transfer-Encoding: chunked` field (pywb), and a body already decoded
/// under a `Content-Encoding` field. What was assumed is returned as notes.
fn parse_lenient(block: Vec<u8>, cap: u64) -> Result<(Response, Vec<String>), MessageError> {
    match message::parse_response(block.clone(), cap) {
        Ok(r) => Ok((r, Vec::new())),
        Err(MessageError::BadChunk { .. }) => {
            let r = message::parse_response_with(block, cap, Some(Framing::UntilClose), true)?;
            let note = "the body is not chunked though its header says so: read as is";
            Ok((r, vec![note.to_string()]))
        }
        Err(MessageError::Undecodable { encoding, .. }) => {
            let r = message::parse_response_with(block, cap, None, true)?;
            let note = format!("the body does not decode as `{encoding}`: read as already decoded");
            Ok((r, vec![note]))
        }
        Err(e) => Err(e),
    }
}

/// A capture prov wrote, read back from its WARC file ([`write_warc`]'s records): enough to
/// write the same request and response records again, and to re-extract the text.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The exchange: redirects with their requests and responses, the final request and
    /// response (or a raw body), the fetch time and address, as the file records them.
    pub exchange: Exchange,
    /// The final record is a `resource` (a body without an HTTP head).
    pub raw_body: bool,
    /// The metadata record's `extractor` (`prov-html 1 article`), when there is one.
    pub extractor: Option<String>,
    /// Its `capture-method` (`fetch`, `archive`, `file`).
    pub method: Option<String>,
    /// Its `re-extraction-of`: the text sha256 of the capture this text re-extracts.
    pub re_extraction_of: Option<String>,
    /// Its `snapshot-sha256`: the sha256 of the text extracted then.
    pub text_sha256: Option<String>,
}

/// The most records [`read_evidence`] reads: prov writes a warcinfo, a request and a response
/// per redirect (at most 10) and for the page, a conversion and a metadata record.
const MAX_EVIDENCE_RECORDS: usize = 64;

/// One record kept while reading evidence.
struct Kept {
    kind: String,
    target: String,
    ip: Option<IpAddr>,
    date: String,
    content_type: Option<String>,
    block: Vec<u8>,
}

/// Read back a WARC file prov wrote (one capture). `max_body` bounds each response's body, as
/// for a fetch. A file that is not one prov wrote (no response or resource record) is refused.
pub fn read_evidence(bytes: &[u8], max_body: u64) -> Result<Evidence, WarcError> {
    let cap = max_body
        .saturating_mul(2)
        .saturating_add(message::MAX_HEAD_BYTES as u64);
    let mut kept: Vec<Kept> = Vec::new();
    // A file prov wrote holds a few records (two per redirect, at most 10 redirects); a file
    // that claims more, or more bytes than a capture can have, is not one, and reading it is
    // stopped before it costs more (a gzip bomb in a hostile workspace).
    let most_bytes = cap.saturating_mul(4);
    each_record(bytes, |rec, ordinal, offset, h| {
        if ordinal >= MAX_EVIDENCE_RECORDS || offset.saturating_add(h.length) > most_bytes {
            return Err(WarcError::Corrupt {
                offset,
                detail: format!(
                    "more records or bytes than a capture prov wrote can hold (at most {MAX_EVIDENCE_RECORDS} records, {most_bytes} bytes)"
                ),
            });
        }
        let kind = h.get("WARC-Type").unwrap_or("").to_ascii_lowercase();
        if !matches!(
            kind.as_str(),
            "request" | "response" | "resource" | "metadata"
        ) {
            return Ok(false);
        }
        let Some(block) = rec.block(h, offset, cap)? else {
            return Err(WarcError::TooLarge {
                url: h.get("WARC-Target-URI").unwrap_or("").to_string(),
                cap: max_body,
            });
        };
        kept.push(Kept {
            kind,
            target: h.get("WARC-Target-URI").unwrap_or("").to_string(),
            ip: h.get("WARC-IP-Address").and_then(|ip| ip.parse().ok()),
            date: h.get("WARC-Date").unwrap_or("").to_string(),
            content_type: h.get("Content-Type").map(str::to_string),
            block,
        });
        Ok(true)
    })?;
    // Request and response (or resource) pairs, in order.
    let mut pairs: Vec<(Option<Vec<u8>>, Kept)> = Vec::new();
    let mut request: Option<Kept> = None;
    let mut metadata: Option<Vec<u8>> = None;
    for k in kept {
        match k.kind.as_str() {
            "request" => request = Some(k),
            "metadata" => metadata = Some(k.block),
            _ => {
                let req = request
                    .take()
                    .filter(|r| r.target == k.target)
                    .map(|r| r.block);
                pairs.push((req, k));
            }
        }
    }
    let Some((final_request, last)) = pairs.pop() else {
        return Err(WarcError::NoResponse {
            url: "the capture".to_string(),
            urls: Vec::new(),
            total: 0,
        });
    };
    let bad = |url: &str, e: MessageError| match e {
        MessageError::TooLarge { cap } => WarcError::TooLarge {
            url: url.to_string(),
            cap,
        },
        e => WarcError::BadResponse {
            url: url.to_string(),
            detail: e.to_string(),
        },
    };
    let mut redirects = Vec::new();
    for (req, k) in pairs {
        let response = message::parse_response(k.block, max_body).map_err(|e| bad(&k.target, e))?;
        let location = response
            .head
            .get_str("location")
            .and_then(|l| url::Url::parse(&k.target).ok()?.join(&l).ok())
            .map(|u| u.to_string())
            .unwrap_or_default();
        let parsed = url::Url::parse(&k.target).ok();
        redirects.push(Hop {
            status: response.status(),
            location,
            request: match (req, &parsed) {
                (Some(raw), Some(u)) => Some(crate::capture::http::parse_request(u, raw)),
                _ => None,
            },
            response: Some(response),
            remote_ip: k.ip,
            url: k.target,
        });
    }
    let raw_body = last.kind == "resource";
    let mut exchange = if raw_body {
        let ct = last
            .content_type
            .as_deref()
            .filter(|t| !t.eq_ignore_ascii_case("application/octet-stream"));
        from_raw_body_typed(&last.target, last.block, &last.date, ct)
    } else {
        let response =
            message::parse_response(last.block, max_body).map_err(|e| bad(&last.target, e))?;
        Exchange {
            url: last.target.clone(),
            final_url: last.target.clone(),
            redirects: Vec::new(),
            request: match (final_request, url::Url::parse(&last.target)) {
                (Some(raw), Ok(u)) => Some(crate::capture::http::parse_request(&u, raw)),
                _ => None,
            },
            response,
            fetched: last.date.clone(),
            remote_ip: None,
            cross_site_redirect: false,
            notes: Vec::new(),
        }
    };
    exchange.remote_ip = last.ip;
    if let Some(first) = redirects.first() {
        exchange.url = first.url.clone();
        let (a, b) = (
            url::Url::parse(&exchange.url),
            url::Url::parse(&exchange.final_url),
        );
        exchange.cross_site_redirect = matches!((a, b), (Ok(a), Ok(b)) if !same_site(&a, &b));
    }
    exchange.redirects = redirects;
    let fields: Vec<(String, String)> = metadata
        .map(|m| {
            String::from_utf8_lossy(&m)
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    Ok(Evidence {
        exchange,
        raw_body,
        extractor: field("extractor"),
        method: field("capture-method"),
        re_extraction_of: field("re-extraction-of"),
        text_sha256: field("snapshot-sha256"),
    })
}

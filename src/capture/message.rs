//! HTTP/1.x responses as bytes: the head parsed from the bytes as received, the body framed
//! (Content-Length, chunked, or until the connection closed), de-chunked, then content-decoded
//! (gzip, deflate, br). One parser serves both a live fetch (the bytes recorded off the
//! connection) and a response read back from a WARC file, so the two give the same
//! [`Response`] for the same bytes.
//!
//! Every input is hostile: the head is capped at [`MAX_HEAD_BYTES`] and [`MAX_HEADERS`] fields,
//! and the de-chunked and decoded bodies at a caller-given cap, checked while decoding (a 1 KB
//! gzip bomb that inflates to gigabytes stops at the cap). Time is linear in the input.

use std::fmt;
use std::io::Read;

/// The longest response head (status line and header fields) accepted.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most header fields accepted in one head.
pub const MAX_HEADERS: usize = 256;

/// One header field, as received: the name as spelt, the value's raw bytes (not always UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: Vec<u8>,
}

/// A response's status line and header fields, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    pub status: u16,
    /// The reason phrase as the server sent it (lossy UTF-8), possibly empty.
    pub reason: String,
    /// In the order received, repeated fields kept.
    pub headers: Vec<Header>,
    /// Length in bytes of the head, including the blank line that ends it.
    pub len: usize,
}

impl ResponseHead {
    /// The first value of a header field, by case-insensitive name.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_slice())
    }

    /// The first value of a header field as text (lossy), trimmed.
    pub fn get_str(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|v| String::from_utf8_lossy(v).trim().to_string())
    }

    /// All values of a header field joined with `, ` (lossy), as HTTP list fields combine.
    pub fn get_joined(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(&h.value).trim().to_string())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// How a response's body is delimited ([RFC 9112 §6.3]).
///
/// [RFC 9112 §6.3]: https://www.rfc-editor.org/rfc/rfc9112#section-6.3
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body: 1xx, 204, 304.
    Empty,
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// `Content-Length: n`.
    Length(u64),
    /// Neither: the body runs until the connection closed (also for a transfer coding other
    /// than chunked, which prov cannot remove).
    UntilClose,
}

/// A response: the bytes as received and what they mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The message as received: status line, header fields, blank line, and the body as
    /// transferred (chunk framing and content coding included). This is what a WARC
    /// `response` record holds.
    pub raw: Vec<u8>,
    pub head: ResponseHead,
    pub framing: Framing,
    /// The body with the transfer coding (chunked) removed, content coding still applied:
    /// the WARC payload.
    pub payload: Vec<u8>,
    /// The body after content decoding (gzip, deflate, br): the document's bytes.
    pub body: Vec<u8>,
    /// The body ended before its framing said it would (a truncated capture or WARC record).
    pub truncated: bool,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.head.status
    }

    /// The `Content-Type` field, trimmed, when present.
    pub fn content_type(&self) -> Option<String> {
        self.head.get_str("content-type")
    }

    /// The `Content-Encoding` codings, lowercase, in the order applied by the server.
    pub fn content_encoding(&self) -> Vec<String> {
        codings(self.head.get_joined("content-encoding").as_deref())
    }
}

/// Why a response could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageError {
    /// The head is not HTTP/1.x (the detail says where it went wrong).
    Malformed(String),
    /// The head never ended within [`MAX_HEAD_BYTES`], or has more than [`MAX_HEADERS`] fields.
    HeadTooLarge,
    /// The head ended before the blank line.
    Incomplete,
    /// Chunk framing that is not chunked encoding, at this byte offset of the body.
    BadChunk { offset: usize, detail: String },
    /// A body (de-chunked or decoded) longer than the cap.
    TooLarge { cap: u64 },
    /// A content coding prov does not decode.
    UnsupportedEncoding(String),
    /// A content coding that does not decode.
    Undecodable { encoding: String, detail: String },
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageError::Malformed(d) => write!(f, "not an HTTP/1.x response: {d}"),
            MessageError::HeadTooLarge => write!(
                f,
                "the response head is larger than {MAX_HEAD_BYTES} bytes or has more than {MAX_HEADERS} fields"
            ),
            MessageError::Incomplete => write!(f, "the response head is cut off"),
            MessageError::BadChunk { offset, detail } => {
                write!(
                    f,
                    "bad chunked encoding at byte {offset} of the body: {detail}"
                )
            }
            MessageError::TooLarge { cap } => {
                write!(f, "the body is larger than the limit of {cap} bytes")
            }
            MessageError::UnsupportedEncoding(e) => {
                write!(
                    f,
                    "the body is in content coding `{e}`, which prov does not decode"
                )
            }
            MessageError::Undecodable { encoding, detail } => {
                write!(f, "the body does not decode as `{encoding}`: {detail}")
            }
        }
    }
}

impl std::error::Error for MessageError {}

/// Parse the head at the start of `raw`. `Ok(None)`: not complete yet.
pub fn parse_head(raw: &[u8]) -> Result<Option<ResponseHead>, MessageError> {
    let window = &raw[..raw.len().min(MAX_HEAD_BYTES)];
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Response::new(&mut fields);
    let mut config = httparse::ParserConfig::default();
    // Servers in the wild send these; browsers accept them, and so does prov.
    config.allow_spaces_after_header_name_in_responses(true);
    config.allow_obsolete_multiline_headers_in_responses(true);
    config.allow_multiple_spaces_in_response_status_delimiters(true);
    match config.parse_response(&mut parsed, window) {
        Ok(httparse::Status::Complete(len)) => {
            let version = match parsed.version {
                Some(0) => "HTTP/1.0",
                _ => "HTTP/1.1",
            };
            let headers = parsed
                .headers
                .iter()
                .map(|h| Header {
                    name: h.name.to_string(),
                    value: h.value.to_vec(),
                })
                .collect();
            Ok(Some(ResponseHead {
                version: version.to_string(),
                status: parsed.code.unwrap_or(0),
                reason: parsed.reason.unwrap_or("").to_string(),
                headers,
                len,
            }))
        }
        Ok(httparse::Status::Partial) if raw.len() >= MAX_HEAD_BYTES => {
            Err(MessageError::HeadTooLarge)
        }
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(MessageError::HeadTooLarge),
        Err(e) => Err(MessageError::Malformed(e.to_string())),
    }
}

/// The codings of a `Content-Encoding` or `Transfer-Encoding` list, lowercase, in order.
pub fn codings(list: Option<&str>) -> Vec<String> {
    list.unwrap_or("")
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect()
}

/// How the body after `head` is delimited.
pub fn framing(head: &ResponseHead) -> Framing {
    if (100..200).contains(&head.status) || head.status == 204 || head.status == 304 {
        return Framing::Empty;
    }
    let te = codings(head.get_joined("transfer-encoding").as_deref());
    if let Some(last) = te.last() {
        return if last == "chunked" {
            Framing::Chunked
        } else {
            Framing::UntilClose
        };
    }
    match head
        .get_str("content-length")
        .and_then(|v| v.parse::<u64>().ok())
    {
        Some(n) => Framing::Length(n),
        None => Framing::UntilClose,
    }
}

/// A de-chunked body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dechunked {
    pub payload: Vec<u8>,
    /// Bytes of the chunked body consumed, up to and including the trailer section's end.
    pub consumed: usize,
    /// The last chunk and the trailer section were there.
    pub complete: bool,
}

/// Remove chunked transfer coding. Tolerates bare LF line ends and chunk extensions; stops at
/// the end of the input (`complete: false`) when the last chunk never came.
pub fn dechunk(raw: &[u8], cap: u64) -> Result<Dechunked, MessageError> {
    let mut payload = Vec::new();
    let mut pos = 0usize;
    let incomplete = |payload: Vec<u8>, consumed: usize| {
        Ok(Dechunked {
            payload,
            consumed,
            complete: false,
        })
    };
    loop {
        let Some(line_end) = memchr::memchr(b'\n', &raw[pos..]) else {
            if raw.len() - pos > 1024 {
                return Err(MessageError::BadChunk {
                    offset: pos,
                    detail: "a chunk-size line longer than 1024 bytes".into(),
                });
            }
            return incomplete(payload, raw.len());
        };
        if line_end > 1024 {
            return Err(MessageError::BadChunk {
                offset: pos,
                detail: "a chunk-size line longer than 1024 bytes".into(),
            });
        }
        let line = &raw[pos..pos + line_end];
        let size_part = line.split(|&b| b == b';').next().unwrap_or_default();
        let hex = trim_ascii(size_part);
        if hex.is_empty() || hex.len() > 15 || !hex.iter().all(u8::is_ascii_hexdigit) {
            return Err(MessageError::BadChunk {
                offset: pos,
                detail: format!(
                    "expected a chunk size in hex, found {:?}",
                    String::from_utf8_lossy(&line[..line.len().min(40)])
                ),
            });
        }
        let mut size: u64 = 0;
        for &d in hex {
            size = size * 16 + u64::from((d as char).to_digit(16).unwrap_or(0));
        }
        pos += line_end + 1;
        if size == 0 {
            // Trailer section: lines up to an empty one.
            loop {
                let Some(end) = memchr::memchr(b'\n', &raw[pos..]) else {
                    return incomplete(payload, raw.len());
                };
                let line = trim_ascii(&raw[pos..pos + end]);
                pos += end + 1;
                if line.is_empty() {
                    return Ok(Dechunked {
                        payload,
                        consumed: pos,
                        complete: true,
                    });
                }
            }
        }
        if payload.len() as u64 + size > cap {
            return Err(MessageError::TooLarge { cap });
        }
        let available = raw.len() - pos;
        // `size` ≤ cap here, and cap fits in memory, so the cast is exact.
        let take = usize::try_from(size).unwrap_or(usize::MAX).min(available);
        payload.extend_from_slice(&raw[pos..pos + take]);
        pos += take;
        if (take as u64) < size {
            return incomplete(payload, raw.len());
        }
        // The CRLF (or LF) after the chunk data.
        if raw[pos..].starts_with(b"\r\n") {
            pos += 2;
        } else if raw[pos..].starts_with(b"\n") {
            pos += 1;
        } else if raw.len() - pos < 2 && b"\r\n".starts_with(&raw[pos..]) {
            return incomplete(payload, raw.len());
        } else {
            return Err(MessageError::BadChunk {
                offset: pos,
                detail: "chunk data not followed by a line end".into(),
            });
        }
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

/// Undo the content codings (listed in the order the server applied them), each output capped
/// at `cap` bytes.
pub fn decode(payload: &[u8], codings: &[String], cap: u64) -> Result<Vec<u8>, MessageError> {
    let mut data = payload.to_vec();
    for coding in codings.iter().rev() {
        data = match coding.as_str() {
            "identity" => data,
            "gzip" | "x-gzip" => read_capped(flate2::read::MultiGzDecoder::new(&data[..]), cap)
                .map_err(|e| undecodable(coding, cap, e))?,
            "deflate" => {
                // RFC 9110 deflate is zlib-wrapped; some servers send raw deflate, which
                // browsers accept too.
                match read_capped(flate2::read::ZlibDecoder::new(&data[..]), cap) {
                    Ok(d) => d,
                    Err(Capped::TooLarge) => return Err(MessageError::TooLarge { cap }),
                    Err(Capped::Io(_)) => {
                        read_capped(flate2::read::DeflateDecoder::new(&data[..]), cap)
                            .map_err(|e| undecodable(coding, cap, e))?
                    }
                }
            }
            "br" => read_capped(brotli_decompressor::Decompressor::new(&data[..], 4096), cap)
                .map_err(|e| undecodable(coding, cap, e))?,
            other => return Err(MessageError::UnsupportedEncoding(other.to_string())),
        };
    }
    Ok(data)
}

enum Capped {
    TooLarge,
    Io(std::io::Error),
}

fn undecodable(coding: &str, cap: u64, e: Capped) -> MessageError {
    match e {
        Capped::TooLarge => MessageError::TooLarge { cap },
        Capped::Io(e) => MessageError::Undecodable {
            encoding: coding.to_string(),
            detail: e.to_string(),
        },
    }
}

fn read_capped(reader: impl Read, cap: u64) -> Result<Vec<u8>, Capped> {
    let mut out = Vec::new();
    reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(Capped::Io)?;
    if out.len() as u64 > cap {
        return Err(Capped::TooLarge);
    }
    Ok(out)
}

/// Parse a whole response from the bytes as received. `cap` bounds the de-chunked payload
/// and the decoded body. A body shorter than its framing says is kept, marked `truncated`.
/// When the framing ends before the bytes do, `raw` is cut at the end of the message.
pub fn parse_response(raw: Vec<u8>, cap: u64) -> Result<Response, MessageError> {
    parse_response_with(raw, cap, None, false)
}

/// [`parse_response`], with the framing forced (a body already de-chunked under a
/// `Transfer-Encoding: chunked` field), and with `undecoded_as_is`, a body that does not
/// decode taken as already decoded (archives whose tools decoded it but kept the field).
pub fn parse_response_with(
    mut raw: Vec<u8>,
    cap: u64,
    force: Option<Framing>,
    undecoded_as_is: bool,
) -> Result<Response, MessageError> {
    let head = parse_head(&raw)?.ok_or(MessageError::Incomplete)?;
    let framing = force.unwrap_or_else(|| framing(&head));
    let body = &raw[head.len..];
    let (payload, end, truncated) = match framing {
        Framing::Empty => (Vec::new(), head.len, false),
        Framing::Length(n) => {
            if n > cap {
                return Err(MessageError::TooLarge { cap });
            }
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            let take = n.min(body.len());
            (body[..take].to_vec(), head.len + take, take < n)
        }
        Framing::Chunked => {
            let d = dechunk(body, cap)?;
            (d.payload, head.len + d.consumed, !d.complete)
        }
        Framing::UntilClose => {
            if body.len() as u64 > cap {
                return Err(MessageError::TooLarge { cap });
            }
            (body.to_vec(), raw.len(), false)
        }
    };
    raw.truncate(end);
    let codings = codings(head.get_joined("content-encoding").as_deref());
    let decoded = match decode(&payload, &codings, cap) {
        Err(MessageError::Undecodable { .. }) if undecoded_as_is => payload.clone(),
        other => other?,
    };
    Ok(Response {
        raw,
        head,
        framing,
        payload,
        body: decoded,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn a_plain_response_keeps_its_head_as_sent() {
        let raw = b"HTTP/1.1 200 Fine Thanks\r\nContent-Type: text/html\r\nX-Dup: a\r\nx-dup: b\r\nContent-Length: 5\r\n\r\nhello".to_vec();
        let r = parse_response(raw.clone(), 100).unwrap();
        assert_eq!(r.head.status, 200);
        assert_eq!(r.head.reason, "Fine Thanks");
        assert_eq!(r.head.headers[2].name, "x-dup");
        assert_eq!(r.head.get_joined("X-DUP").unwrap(), "a, b");
        assert_eq!(r.body, b"hello");
        assert_eq!(r.raw, raw);
        assert!(!r.truncated);
    }

    #[test]
    fn chunked_and_gzipped_bodies_are_undone_in_order() {
        let gz = gzip(b"caf\xe9 cr\xe8me");
        let mut raw =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        for part in gz.chunks(7) {
            raw.extend_from_slice(format!("{:x};ext=1\r\n", part.len()).as_bytes());
            raw.extend_from_slice(part);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"0\r\nTrailer: x\r\n\r\n");
        let whole = raw.clone();
        raw.extend_from_slice(b"garbage after");
        let r = parse_response(raw, 1000).unwrap();
        assert_eq!(r.payload, gz);
        assert_eq!(r.body, b"caf\xe9 cr\xe8me");
        assert_eq!(r.raw, whole, "cut at the end of the message");
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let gz = gzip(&vec![0u8; 10_000_000]);
        let mut raw = format!(
            "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
            gz.len()
        )
        .into_bytes();
        raw.extend_from_slice(&gz);
        assert_eq!(
            parse_response(raw, 1_000_000),
            Err(MessageError::TooLarge { cap: 1_000_000 })
        );
    }

    #[test]
    fn raw_deflate_is_accepted_as_deflate() {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"raw deflate").unwrap();
        let raw = e.finish().unwrap();
        assert_eq!(
            decode(&raw, &["deflate".into()], 100).unwrap(),
            b"raw deflate"
        );
    }

    #[test]
    fn hostile_chunking_is_an_error_not_a_panic() {
        for body in [
            &b"zz\r\n"[..],
            b"fffffffffffffffffff\r\n",
            b"5\r\nabcdeXX",
            b"ffffffffffffff\r\nabc",
        ] {
            let _ = dechunk(body, 1 << 20);
        }
        assert!(matches!(
            dechunk(b"ffffffffffffff\r\nabc", 1 << 20),
            Err(MessageError::TooLarge { .. })
        ));
        let d = dechunk(b"5\r\nabc", 100).unwrap();
        assert!(!d.complete);
        assert_eq!(d.payload, b"abc");
    }

    #[test]
    fn a_truncated_body_is_kept_and_marked() {
        let r = parse_response(
            b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nabc".to_vec(),
            100,
        )
        .unwrap();
        assert!(r.truncated);
        assert_eq!(r.body, b"abc");
        assert_eq!(r.head.version, "HTTP/1.0");
    }
}

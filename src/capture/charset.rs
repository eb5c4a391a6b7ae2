//! Which character encoding a page is in, found in the WHATWG order
//! (<https://html.spec.whatwg.org/multipage/parsing.html#determining-the-character-encoding>):
//! a byte order mark, then the HTTP `Content-Type` charset, then a `<meta>` prescan of the
//! first 1024 bytes, then detection from the bytes (chardetng, the detector Firefox uses).
//! Decoding is encoding_rs's, as in Firefox: malformed sequences become U+FFFD, exactly as a
//! browser shows them.

use encoding_rs::{Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

/// Where the encoding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Bom,
    HttpHeader,
    Meta,
    Detected,
}

/// The encoding of `bytes`, and where it was found. `content_type` is the HTTP header's value
/// (or none for a local file); `url` only lends its top-level domain to detection.
pub fn sniff(
    bytes: &[u8],
    content_type: Option<&str>,
    url: Option<&str>,
) -> (&'static Encoding, Source) {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return (enc, Source::Bom);
    }
    if let Some(enc) = content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
    {
        return (enc, Source::HttpHeader);
    }
    if let Some(enc) = prescan(&bytes[..bytes.len().min(1024)]) {
        return (enc, Source::Meta);
    }
    // Valid UTF-8 is UTF-8 (what chardetng would also say, after a much longer look; for pure
    // ASCII, every candidate decodes the same).
    if simdutf8::basic::from_utf8(bytes).is_ok() {
        return (UTF_8, Source::Detected);
    }
    // As Firefox does for pages without a declaration: no ISO-2022-JP (it can hide markup), and
    // UTF-8 allowed, as Firefox allows it for local files (a page saved from a browser is UTF-8
    // more often than not).
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let tld = url.and_then(tld);
    let enc = det.guess(
        tld.as_deref().map(str::as_bytes),
        chardetng::Utf8Detection::Allow,
    );
    (enc, Source::Detected)
}

/// Whether `enc` cannot decode anything: the WHATWG "replacement" encoding, which labels such
/// as `iso-2022-kr` and `hz-gb-2312` map to (a browser shows one U+FFFD for the whole page).
pub fn is_undecodable(enc: &'static Encoding) -> bool {
    enc == REPLACEMENT
}

/// `bytes` decoded with `enc` (a BOM for any encoding wins and is removed, as in a browser).
pub fn decode(bytes: &[u8], enc: &'static Encoding) -> String {
    let (text, _, _) = enc.decode(bytes);
    text.into_owned()
}

/// The `charset` parameter of a `Content-Type` value, unquoted.
pub fn charset_param(content_type: &str) -> Option<&str> {
    for param in content_type.split(';').skip(1) {
        let Some((k, v)) = param.split_once('=') else {
            continue;
        };
        if k.trim().eq_ignore_ascii_case("charset") {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            if !v.is_empty() {
                return Some(v);
            }
        }
    }
    None
}

/// The top-level domain of a URL's host, for chardetng (`None` for an IP or no host).
fn tld(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?;
    let label = host.trim_end_matches('.').rsplit('.').next()?;
    if label.is_empty() || label.bytes().all(|b| b.is_ascii_digit()) || !host.contains('.') {
        return None;
    }
    Some(label.to_ascii_lowercase())
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// The WHATWG "prescan a byte stream to determine its encoding" over `head` (at most the first
/// 1024 bytes): the first `<meta charset>` or `<meta http-equiv=content-type content=…charset=…>`
/// outside comments.
pub fn prescan(head: &[u8]) -> Option<&'static Encoding> {
    let n = head.len();
    let mut i = 0;
    while i < n {
        let rest = &head[i..];
        if rest.starts_with(b"<!--") {
            // Skip to the end of the comment; `<!-->` ends at once.
            match find(&head[i + 2..], b"-->") {
                Some(k) => i = i + 2 + k + 3,
                None => return None,
            }
        } else if rest.len() >= 6
            && rest[..5].eq_ignore_ascii_case(b"<meta")
            && (is_space(rest[5]) || rest[5] == b'/')
        {
            i += 5;
            if let Some(enc) = meta(head, &mut i) {
                return Some(enc);
            }
        } else if rest.len() >= 2
            && rest[0] == b'<'
            && (rest[1].is_ascii_alphabetic()
                || (rest[1] == b'/' && rest.get(2).is_some_and(u8::is_ascii_alphabetic)))
        {
            // Any other tag: skip its name and attributes.
            i += if rest[1] == b'/' { 2 } else { 1 };
            while i < n && !is_space(head[i]) && head[i] != b'>' {
                i += 1;
            }
            while attribute(head, &mut i).is_some() {}
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            match head[i..].iter().position(|&b| b == b'>') {
                Some(k) => i += k + 1,
                None => return None,
            }
        } else {
            i += 1;
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// The attributes of one `<meta>` tag, from `*i` (just after `<meta`).
fn meta(head: &[u8], i: &mut usize) -> Option<&'static Encoding> {
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut got_pragma = false;
    let mut need_pragma: Option<bool> = None;
    let mut charset: Option<&'static Encoding> = None;
    while let Some((name, value)) = attribute(head, i) {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        match name.as_slice() {
            b"http-equiv" if value == b"content-type" => got_pragma = true,
            b"content" => {
                if charset.is_none()
                    && let Some(enc) = charset_in_content(&value)
                {
                    charset = Some(enc);
                    need_pragma = Some(true);
                }
            }
            b"charset" => {
                charset = Encoding::for_label(&value);
                need_pragma = Some(false);
            }
            _ => {}
        }
    }
    let need_pragma = need_pragma?;
    if need_pragma && !got_pragma {
        return None;
    }
    let enc = charset?;
    Some(if enc == UTF_16BE || enc == UTF_16LE {
        UTF_8
    } else if enc == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        enc
    })
}

/// The WHATWG "get an attribute" step: the next attribute's lowercased name and value, or
/// `None` at `>` or the end of the input.
fn attribute(head: &[u8], i: &mut usize) -> Option<(Vec<u8>, Vec<u8>)> {
    let n = head.len();
    while *i < n && (is_space(head[*i]) || head[*i] == b'/') {
        *i += 1;
    }
    if *i >= n || head[*i] == b'>' {
        *i += 1;
        return None;
    }
    let mut name = Vec::new();
    let mut value = Vec::new();
    loop {
        if *i >= n {
            return None;
        }
        let b = head[*i];
        if b == b'=' && !name.is_empty() {
            *i += 1;
            break;
        }
        if is_space(b) {
            while *i < n && is_space(head[*i]) {
                *i += 1;
            }
            if *i < n && head[*i] == b'=' {
                *i += 1;
                break;
            }
            return Some((name, value));
        }
        if b == b'/' || b == b'>' {
            return Some((name, value));
        }
        name.push(b.to_ascii_lowercase());
        *i += 1;
    }
    while *i < n && is_space(head[*i]) {
        *i += 1;
    }
    if *i >= n {
        return None;
    }
    let q = head[*i];
    if q == b'"' || q == b'\'' {
        *i += 1;
        while *i < n && head[*i] != q {
            value.push(head[*i].to_ascii_lowercase());
            *i += 1;
        }
        if *i >= n {
            return None;
        }
        *i += 1;
        return Some((name, value));
    }
    if q == b'>' {
        return Some((name, value));
    }
    while *i < n && !is_space(head[*i]) && head[*i] != b'>' {
        value.push(head[*i].to_ascii_lowercase());
        *i += 1;
    }
    if *i >= n {
        return None;
    }
    Some((name, value))
}

/// The WHATWG "extract a character encoding from a meta element" over a `content` value.
fn charset_in_content(content: &[u8]) -> Option<&'static Encoding> {
    let mut at = 0;
    loop {
        let k = find(&content[at..], b"charset")?;
        let mut j = at + k + 7;
        while j < content.len() && is_space(content[j]) {
            j += 1;
        }
        if j < content.len() && content[j] == b'=' {
            j += 1;
            while j < content.len() && is_space(content[j]) {
                j += 1;
            }
            let rest = &content[j..];
            let q = *rest.first()?;
            let label = if q == b'"' || q == b'\'' {
                let end = rest[1..].iter().position(|&b| b == q)?;
                &rest[1..1 + end]
            } else {
                let end = rest
                    .iter()
                    .position(|&b| is_space(b) || b == b';')
                    .unwrap_or(rest.len());
                &rest[..end]
            };
            return Encoding::for_label(label);
        }
        at = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{ISO_8859_2, SHIFT_JIS};

    #[test]
    fn bom_wins_over_everything() {
        let b = b"\xEF\xBB\xBF<meta charset=windows-1252>caf\xC3\xA9";
        assert_eq!(
            sniff(b, Some("text/html; charset=iso-8859-2"), None),
            (UTF_8, Source::Bom)
        );
        assert_eq!(sniff(b"\xFF\xFEa\0", None, None).0, UTF_16LE);
    }

    #[test]
    fn http_header_before_meta() {
        let b = b"<meta charset=windows-1252>";
        assert_eq!(
            sniff(b, Some("text/html; charset=\"ISO-8859-2\""), None),
            (ISO_8859_2, Source::HttpHeader)
        );
        // An unknown label in the header is ignored, as browsers do.
        assert_eq!(
            sniff(b, Some("text/html; charset=bogus"), None),
            (WINDOWS_1252, Source::Meta)
        );
    }

    #[test]
    fn meta_prescan_forms() {
        assert_eq!(prescan(b"<meta charset=\"shift_jis\">"), Some(SHIFT_JIS));
        assert_eq!(
            prescan(
                b"<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-2\">"
            ),
            Some(ISO_8859_2)
        );
        // content without http-equiv is not a declaration.
        assert_eq!(
            prescan(b"<meta content=\"text/html; charset=iso-8859-2\">"),
            None
        );
        // Inside a comment it does not count.
        assert_eq!(prescan(b"<!-- <meta charset=shift_jis> --><p>"), None);
        // utf-16 in a meta means utf-8; x-user-defined means windows-1252.
        assert_eq!(prescan(b"<meta charset=utf-16le>"), Some(UTF_8));
        assert_eq!(
            prescan(b"<meta charset=x-user-defined>"),
            Some(WINDOWS_1252)
        );
        // Attributes of earlier tags are skipped, quotes and all.
        assert_eq!(
            prescan(b"<html lang='<meta charset=shift_jis>'><meta charset=iso-8859-2>"),
            Some(ISO_8859_2)
        );
    }

    #[test]
    fn prescan_never_panics_on_truncation() {
        let full = b"<meta http-equiv='content-type' content='text/html; charset=\"x\"'>";
        for n in 0..full.len() {
            let _ = prescan(&full[..n]);
        }
        for s in [
            &b"<"[..],
            b"<!--",
            b"<!-- -",
            b"<meta",
            b"<meta ",
            b"<a b='",
            b"</",
            b"<?",
        ] {
            let _ = prescan(s);
        }
    }

    #[test]
    fn detection_of_windows_1252() {
        let b = "<p>Le café est très chaud, déjà prêt à boire.</p>"
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect::<Vec<u8>>();
        let (enc, src) = sniff(&b, None, Some("https://example.fr/x"));
        assert_eq!(src, Source::Detected);
        assert_eq!(enc, WINDOWS_1252);
    }

    #[test]
    fn tld_of_urls() {
        assert_eq!(tld("https://www.lemonde.fr/a"), Some("fr".into()));
        assert_eq!(tld("http://user@host.co.uk:80/x"), Some("uk".into()));
        assert_eq!(tld("http://127.0.0.1/"), None);
        assert_eq!(tld("http://localhost/"), None);
    }

    #[test]
    fn replacement_labels_are_undecodable() {
        let (enc, _) = sniff(b"x", Some("text/html; charset=iso-2022-kr"), None);
        assert!(is_undecodable(enc));
    }
}

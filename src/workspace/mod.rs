//! The workspace model: sources.toml and the claim files, loaded and validated.
//!
//! [`load`] reads every file, reports every problem it finds (each pointing at file:line:col)
//! and returns the validated model. It never touches snapshots: verifying evidence is the job of
//! [`crate::check`]. Layout: `parse` reads TOML into a spanned tree (`tree`), `load` walks it into
//! these types.

mod capture;
pub mod keys;
mod load;
pub mod parse;
mod policy;
pub mod tree;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use capture::{
    CaptureRecord, FetchSettings, Method, warc_path, warc_pending_path, warc_revision_path,
};
pub use load::{LoadError, Overlay, fetch_settings, load, load_overlaid, load_some};
pub use policy::{Flag, Policy};

use crate::diag::Loc;
use crate::files::{FileId, Files, Text};

/// The registry file at the workspace root.
pub const SOURCES_FILE: &str = "sources.toml";
/// The directory holding claim files (`*.toml`, recursively).
pub const CLAIMS_DIR: &str = "claims";
/// The directory holding snapshots.
pub const SNAPSHOTS_DIR: &str = "snapshots";

/// A loaded, validated workspace.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub files: Files,
    pub sources_file: FileId,
    pub policy: Policy,
    /// `[fetch]`: how prov fetches pages for this workspace.
    pub fetch: FetchSettings,
    pub sources: Vec<Source>,
    /// Claim files in path order.
    pub claim_files: Vec<FileId>,
    /// Claims in file order, then document order.
    pub claims: Vec<Claim>,
    /// Source id → position in `sources` (a workspace may register thousands).
    pub source_index: std::collections::HashMap<String, usize>,
}

impl Workspace {
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.source_index.get(id).map(|&i| &self.sources[i])
    }

    pub fn snapshot_path(&self, id: &str) -> PathBuf {
        snapshot_path(&self.root, id)
    }

    /// The file holding `source`'s text at `revision` (a full sha256): a retained capture, or
    /// the snapshot for `None` and for the current capture's sha256.
    pub fn text_path(&self, source: &Source, revision: Option<&str>) -> PathBuf {
        match revision {
            Some(sha) if sha != source.sha256 => revision_path(&self.root, &source.id, sha),
            _ => self.snapshot_path(&source.id),
        }
    }

    /// Every citation, in order, with its claim.
    pub fn citations(&self) -> impl Iterator<Item = (&Claim, &Cite)> {
        self.claims
            .iter()
            .flat_map(|c| c.cites.iter().map(move |cite| (c, cite)))
    }
}

pub fn snapshot_path(root: &Path, id: &str) -> PathBuf {
    root.join(SNAPSHOTS_DIR).join(format!("{id}.txt"))
}

/// A retained superseded capture: `snapshots/<id>@<sha12>.txt`.
pub fn revision_path(root: &Path, id: &str, sha256: &str) -> PathBuf {
    let short: String = sha256.chars().take(12).collect();
    root.join(SNAPSHOTS_DIR).join(format!("{id}@{short}.txt"))
}

/// One registered source document.
#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    /// The `[sources.<id>]` header (or the id key).
    pub loc: Loc,
    pub title: Option<String>,
    pub outlet: String,
    pub origin: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    /// `YYYY-MM-DD`.
    pub published: Option<String>,
    /// RFC 3339.
    pub captured: Option<String>,
    /// 64 lowercase hex digits.
    pub sha256: String,
    pub sha256_loc: Loc,
    pub revisions: Vec<Revision>,
    /// `[sources.<id>.capture]`: the WARC evidence of the current capture, when it has one.
    pub capture: Option<CaptureRecord>,
}

impl Source {
    /// Who first published the document: `origin`, else `outlet`.
    pub fn effective_origin(&self) -> &str {
        self.origin.as_deref().unwrap_or(&self.outlet)
    }
}

impl Cite {
    /// Who first published the cited words: the citation's `origin`, else its source's
    /// ([`Source::effective_origin`]).
    pub fn effective_origin<'a>(&'a self, source: &'a Source) -> &'a str {
        self.origin().unwrap_or_else(|| source.effective_origin())
    }
}

/// A superseded capture recorded by `prov accept`.
#[derive(Debug, Clone)]
pub struct Revision {
    pub sha256: String,
    pub loc: Loc,
    pub captured: Option<String>,
    pub superseded: Option<String>,
    /// The sha256 of the capture that replaced it (written by `prov accept`).
    pub superseded_by: Option<String>,
    pub superseded_by_loc: Option<Loc>,
    /// The WARC evidence of that capture, when it had one.
    pub capture: Option<CaptureRecord>,
}

/// One fact with its citations.
///
/// Compact (64 bytes), as [`Cite`] is: its id and fact are read from its claim file's text at
/// their places ([`Claim::id`], [`Claim::fact`]) unless they are written with escapes, and its
/// places are held as offsets in that file.
#[derive(Clone)]
pub struct Claim {
    /// The claim file's text, when the id or the fact is read from it.
    text: Option<Arc<String>>,
    id_at: (u32, u32),
    fact_at: (u32, u32),
    /// The `[[claim]]` header.
    at: (u32, u32),
    pub file: FileId,
    pub cites: Box<[Cite]>,
    /// The note, and the id and the fact when either is not the text at its place.
    extra: Option<Box<ClaimExtra>>,
}

/// The rarely present part of a [`Claim`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ClaimExtra {
    note: Option<Box<str>>,
    id_copy: Option<Box<str>>,
    fact_copy: Option<Box<str>>,
}

/// Where a claim's parts are written in its claim file: what [`Claim::new`] takes besides the
/// values.
#[derive(Debug, Clone)]
pub struct ClaimPlaces {
    /// The `[[claim]]` header.
    pub loc: Loc,
    pub id_loc: Loc,
    pub fact_loc: Loc,
}

impl Claim {
    /// The claim `id` stating `fact`, written at `places`, with its citations.
    pub fn new(
        id: Text,
        fact: Text,
        places: &ClaimPlaces,
        cites: Box<[Cite]>,
        note: Option<Box<str>>,
    ) -> Self {
        let (id_at, fact_at) = (places.id_loc.offsets(), places.fact_loc.offsets());
        let mut reader = Reader::default();
        let extra = ClaimExtra {
            note,
            id_copy: reader.keep(&id, id_at),
            fact_copy: reader.keep(&fact, fact_at),
        };
        Claim {
            text: reader.text,
            id_at,
            fact_at,
            at: places.loc.offsets(),
            file: places.loc.file,
            cites,
            extra: (extra != ClaimExtra::default()).then(|| Box::new(extra)),
        }
    }

    /// Its id, as written.
    pub fn id(&self) -> &str {
        let copy = self.extra.as_ref().and_then(|e| e.id_copy.as_deref());
        read_at(self.text.as_deref(), copy, self.id_at)
    }

    /// The fact it states, as written.
    pub fn fact(&self) -> &str {
        let copy = self.extra.as_ref().and_then(|e| e.fact_copy.as_deref());
        read_at(self.text.as_deref(), copy, self.fact_at)
    }

    /// Its note, if any.
    pub fn note(&self) -> Option<&str> {
        self.extra.as_ref()?.note.as_deref()
    }

    /// Where its id is written.
    pub fn id_loc(&self) -> Loc {
        Loc::from_offsets(self.file, self.id_at)
    }

    /// The `[[claim]]` header (or inline table).
    pub fn loc(&self) -> Loc {
        Loc::from_offsets(self.file, self.at)
    }
}

impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claim")
            .field("id", &self.id())
            .field("fact", &self.fact())
            .field("loc", &self.loc())
            .field("note", &self.note())
            .field("cites", &self.cites)
            .finish()
    }
}

/// Reads a claim's or a citation's strings from its claim file's text at their places: a
/// value is read from the file when it is the text inside its token's one-byte delimiters
/// (`Text::read` made it a slice of that text there); every other value is kept as a copy.
#[derive(Default)]
struct Reader {
    /// The claim file's text, once a value is read from it.
    text: Option<Arc<String>>,
}

impl Reader {
    /// `None` when `value` is read from the file at `(start, end)`, its token; else its copy.
    fn keep(&mut self, value: &Text, (start, end): (u32, u32)) -> Option<Box<str>> {
        if let Some((file, range)) = value.slice_of()
            && range == (start.saturating_add(1), end.saturating_sub(1))
            && self.text.as_ref().is_none_or(|t| Arc::ptr_eq(t, file))
        {
            self.text.get_or_insert_with(|| Arc::clone(file));
            return None;
        }
        Some(value.as_str().into())
    }
}

/// A value [`Reader::keep`] kept: its `copy`, or else the text inside its token at
/// `(start, end)` of `text`.
fn read_at<'a>(
    text: Option<&'a String>,
    copy: Option<&'a str>,
    (start, end): (u32, u32),
) -> &'a str {
    copy.unwrap_or_else(|| {
        let inner = start as usize + 1..(end as usize).saturating_sub(1);
        text.and_then(|t| t.get(inner)).unwrap_or_default()
    })
}

/// Whether a citation supports or contradicts its claim's fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Supports,
    Contradicts,
}

impl Stance {
    /// Its name in claim files and JSON (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Contradicts => "contradicts",
        }
    }
}

/// One cited span of a source.
///
/// Compact (72 bytes): a large workspace holds 100,000 of these for the whole check. The keys
/// most citations leave out are boxed together in [`CiteExtra`], the places of its parts are
/// held as offsets in its one claim file, and its source and quote are read from that file's
/// text at their places ([`Cite::source`], [`Cite::quote`]) unless they are written with
/// escapes (then their copies are in the extra keys).
#[derive(Clone)]
pub struct Cite {
    /// The claim file's text, when the source or the quote is read from it.
    text: Option<Arc<String>>,
    /// [`Cite::span`] in 32 bits: `NO_PLACE` when it is absent, or too large to be held so
    /// (it is then in `extra`).
    span: (u32, u32),
    /// `said_by`, `origin`, `revision` and `note`, when any is given, and the source and quote
    /// when either is not the text at its place.
    pub extra: Option<Box<CiteExtra>>,
    /// The claim file, and the places in it ([`Cite::loc`], [`Cite::source_loc`],
    /// [`Cite::quote_loc`], [`Cite::span_loc`]) without it: one file id, not four.
    file: FileId,
    at: (u32, u32),
    source_at: (u32, u32),
    quote_at: (u32, u32),
    /// `NO_PLACE` when `span` is not written.
    span_at: (u32, u32),
    /// Position among its claim's citations, and of its claim within its file (0-based).
    index: u32,
    claim_index: u32,
    pub stance: Stance,
}

impl std::fmt::Debug for Cite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cite")
            .field("source", &self.source())
            .field("quote", &self.quote())
            .field("span", &self.span())
            .field("stance", &self.stance)
            .field("loc", &self.loc())
            .field("index", &self.index)
            .field("claim_index", &self.claim_index)
            .field("extra", &self.extra)
            .finish()
    }
}

/// A citation's place (or span) that is not written: past every place in a claim file, which is at most
/// `files::MAX_FILE_BYTES`.
const NO_PLACE: (u32, u32) = (u32::MAX, u32::MAX);

/// Where a citation's parts are written in its claim file, and its position there: what
/// [`Cite::new`] takes besides the values.
#[derive(Debug, Clone)]
pub struct CitePlaces {
    /// The `[[claim.cite]]` header (or inline table).
    pub loc: Loc,
    pub source_loc: Loc,
    pub quote_loc: Loc,
    pub span_loc: Option<Loc>,
    /// Position among its claim's citations (0-based).
    pub index: usize,
    /// Position of its claim within its file (0-based).
    pub claim_index: usize,
}

/// The optional keys of a citation that most citations leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiteExtra {
    pub said_by: Option<String>,
    /// Who first published the cited words, when it is not the source's origin (a local
    /// story that runs a wire's copy and adds its own reporting).
    pub origin: Option<String>,
    /// A sha256 prefix naming a superseded capture.
    pub revision: Option<String>,
    pub revision_loc: Option<Loc>,
    pub note: Option<String>,
    /// A span with an offset past `u32::MAX - 1` (no snapshot has one; a claim file may).
    pub large_span: Option<(usize, usize)>,
    /// The source and the quote when they are not the claim file's text at their places
    /// (written with escapes, or made by hand).
    source_copy: Option<Box<str>>,
    quote_copy: Option<Box<str>>,
}

impl CiteExtra {
    /// `Some` unless every key is absent.
    pub fn boxed(self) -> Option<Box<CiteExtra>> {
        (self != CiteExtra::default()).then(|| Box::new(self))
    }
}

impl Cite {
    /// A citation of `source` quoting `quote`, written at `places`.
    pub fn new(
        source: Text,
        quote: Text,
        span: Option<(usize, usize)>,
        stance: Stance,
        places: CitePlaces,
        mut extra: CiteExtra,
    ) -> Self {
        // A claim file is at most `files::MAX_FILE_BYTES`, so it holds fewer than 2^32
        // citations and claims.
        let position = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let small = span.and_then(|(s, e)| Some((u32::try_from(s).ok()?, u32::try_from(e).ok()?)));
        let held = match (span, small) {
            (_, Some(small)) if small != NO_PLACE => small,
            (Some(large), _) => {
                extra.large_span = Some(large);
                NO_PLACE
            }
            (None, _) => NO_PLACE,
        };
        let source_at = places.source_loc.offsets();
        let quote_at = places.quote_loc.offsets();
        let mut reader = Reader::default();
        extra.source_copy = reader.keep(&source, source_at);
        extra.quote_copy = reader.keep(&quote, quote_at);
        Cite {
            text: reader.text,
            span: held,
            extra: extra.boxed(),
            file: places.loc.file,
            at: places.loc.offsets(),
            source_at,
            quote_at,
            span_at: places.span_loc.as_ref().map_or(NO_PLACE, Loc::offsets),
            index: position(places.index),
            claim_index: position(places.claim_index),
            stance,
        }
    }

    /// The cited source's id, as written.
    pub fn source(&self) -> &str {
        let copy = self.extra.as_ref().and_then(|e| e.source_copy.as_deref());
        read_at(self.text.as_deref(), copy, self.source_at)
    }

    /// The quoted words, as written.
    pub fn quote(&self) -> &str {
        let copy = self.extra.as_ref().and_then(|e| e.quote_copy.as_deref());
        read_at(self.text.as_deref(), copy, self.quote_at)
    }

    /// Code points `[start, end)` in the snapshot; `None` while drafting.
    pub fn span(&self) -> Option<(usize, usize)> {
        if self.span != NO_PLACE {
            return Some((self.span.0 as usize, self.span.1 as usize));
        }
        self.extra.as_ref()?.large_span
    }

    /// The `[[claim.cite]]` header (or inline table).
    pub fn loc(&self) -> Loc {
        Loc::from_offsets(self.file, self.at)
    }

    /// Where `source` is written.
    pub fn source_loc(&self) -> Loc {
        Loc::from_offsets(self.file, self.source_at)
    }

    /// Where `quote` is written.
    pub fn quote_loc(&self) -> Loc {
        Loc::from_offsets(self.file, self.quote_at)
    }

    /// Where `span` is written, if it is.
    pub fn span_loc(&self) -> Option<Loc> {
        (self.span_at != NO_PLACE).then(|| Loc::from_offsets(self.file, self.span_at))
    }

    /// The claim file it is written in.
    pub fn file(&self) -> FileId {
        self.file
    }

    /// Its position among its claim's citations (0-based), to find it again when editing.
    pub fn index(&self) -> usize {
        self.index as usize
    }

    /// Its claim's position within its file (0-based).
    pub fn claim_index(&self) -> usize {
        self.claim_index as usize
    }

    /// Who said the quoted words, when it is not the outlet.
    pub fn said_by(&self) -> Option<&str> {
        self.extra.as_ref()?.said_by.as_deref()
    }

    /// The citation's own `origin`, if any ([`Cite::effective_origin`] falls back to the
    /// source's).
    pub fn origin(&self) -> Option<&str> {
        self.extra.as_ref()?.origin.as_deref()
    }

    /// The sha256 prefix of the superseded capture it cites, if any.
    pub fn revision(&self) -> Option<&str> {
        self.extra.as_ref()?.revision.as_deref()
    }

    /// Where `revision` is written.
    pub fn revision_loc(&self) -> Option<&Loc> {
        self.extra.as_ref()?.revision_loc.as_ref()
    }

    /// The citation's note, if any.
    pub fn note(&self) -> Option<&str> {
        self.extra.as_ref()?.note.as_deref()
    }
}

/// A light BCP 47 check: a 2–8 letter primary subtag, then 1–8 alphanumeric subtags.
pub fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let Some(first) = parts.next() else {
        return false;
    };
    (2..=8).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Why a source's `url` was refused: one line saying what is wrong, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadUrl {
    pub message: String,
    pub help: String,
}

/// May `b` appear in an RFC 3986 URI as it is? (Unreserved, reserved, and `%` of a
/// percent-encoding.)
fn uri_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b)
}

/// Check a source's `url`: an absolute `http` or `https` URI as RFC 3986 writes it (ASCII only,
/// no space or control character, every `%` followed by two hex digits, `[` and `]` only around
/// an IPv6 host), with a host and no credentials, that the WHATWG URL parser (the `url` crate,
/// as browsers parse links) also accepts. A url is pasted into reports as a link, so anything
/// else is refused rather than repaired; the help gives the percent-encoded form when there is
/// one.
pub fn check_url(raw: &str) -> Result<(), BadUrl> {
    let bad = |message: String, help: &str| BadUrl {
        message,
        help: help.to_string(),
    };
    // The form a browser would use, percent-encoded, when the WHATWG parser can make one.
    let encoded = || {
        url::Url::parse(raw.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| format!("write it percent-encoded: \"{}\"", u.as_str()))
            .unwrap_or_else(|| {
                "write the full address, e.g. \"https://example.org/article\"".into()
            })
    };
    let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(bad(
            format!(
                "`url` must be an http(s) address (starting with http:// or https://), not \"{}\"",
                crate::escape::text(raw)
            ),
            "write the full address, starting with https://",
        ));
    }
    if let Some((at, c)) = raw
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii() && uri_byte(c as u8)))
    {
        let what = match c {
            ' ' => "a space".to_string(),
            c if c.is_control() => format!("the control character U+{:04X}", c as u32),
            c if !c.is_ascii() => format!("the non-ASCII character U+{:04X}", c as u32),
            c => format!("`{c}`"),
        };
        return Err(bad(
            format!("`url` holds {what} at byte {at}; a URL cannot hold it unencoded (RFC 3986)"),
            &encoded(),
        ));
    }
    let bytes = raw.as_bytes();
    for (i, _) in raw.match_indices('%') {
        let hex = bytes.get(i + 1..i + 3);
        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
            return Err(bad(
                format!("`url` has a `%` at byte {i} that is not followed by two hex digits"),
                "write a literal % as %25",
            ));
        }
    }
    // The authority ends at the first `/`, `?` or `#` after `scheme://`.
    let rest = raw.get(raw.find("//").map_or(0, |i| i + 2)..).unwrap_or("");
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if authority.is_empty() || authority.starts_with(['@', ':']) {
        return Err(bad(
            "`url` has no host".to_string(),
            "write the full address, e.g. \"https://example.org/article\"",
        ));
    }
    if let Some(i) = path.find(['[', ']']) {
        return Err(bad(
            format!(
                "`url` holds `{}` after its host; RFC 3986 allows it only around an IPv6 address",
                &path[i..=i]
            ),
            "write [ as %5B and ] as %5D",
        ));
    }
    let parsed = url::Url::parse(raw)
        .map_err(|e| bad(format!("`url` is not a valid address: {e}"), &encoded()))?;
    if !parsed.has_host() || parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad(
            "`url` has no host".to_string(),
            "write the full address, e.g. \"https://example.org/article\"",
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(
            "`url` holds credentials (a user name or password before `@`)".to_string(),
            "remove them: reports publish the url",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod url_tests {
    use super::check_url;

    #[test]
    fn urls_are_rfc_3986_http_addresses_with_a_host_and_no_credentials() {
        for ok in [
            "https://example.org",
            "http://example.org/a/b?c=d&e=f#g",
            "HTTPS://Example.org/%C3%A9t%C3%A9",
            "https://en.wikipedia.org/wiki/Albania_(disambiguation)",
            "https://[2001:db8::1]:8080/x",
            "https://news-24.fr/ladministrateur-de-biden/",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for (bad, says) in [
            ("javascript:alert(1)", "must be an http(s) address"),
            ("ftp://example.org", "must be an http(s) address"),
            ("https:example.org", "must be an http(s) address"),
            ("https://example.org/a b", "a space"),
            ("https://example.org/)<img src=x onerror=alert(1)>", "`<`"),
            ("https://example.org/\u{202e}", "U+202E"),
            ("https://example.org/\r\nx", "U+000D"),
            ("https://example.org/été", "non-ASCII"),
            ("https://example.org/a\\b", "`\\`"),
            ("https://example.org/a\"b", "`\"`"),
            ("https://example.org/`x`", "holds ```"),
            ("https://example.org/50%", "`%`"),
            ("https://example.org/%zz", "`%`"),
            ("https://example.org/[x]", "IPv6"),
            ("https://user:pw@example.org/", "credentials"),
            ("https://user@example.org/", "credentials"),
            ("https://", "no host"),
            ("https://exa_mple..org:99999/", "not a valid address"),
            ("https:///x", "no host"),
            ("https://@/x", "no host"),
        ] {
            let e = check_url(bad).expect_err(bad);
            assert!(e.message.contains(says), "{bad}: {e:?}");
        }
        // The help gives the percent-encoded form when there is one.
        let e = check_url("https://example.org/été à").unwrap_err();
        assert!(
            e.help
                .contains("https://example.org/%C3%A9t%C3%A9%20%C3%A0"),
            "{e:?}"
        );
    }
}

#[cfg(test)]
mod size_tests {
    /// A large workspace holds 100,000 citations and 60,000 claims for a whole check.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn citations_and_claims_stay_compact() {
        assert_eq!(std::mem::size_of::<super::Cite>(), 72);
        assert_eq!(std::mem::size_of::<super::Claim>(), 64);
    }

    /// A span is given back as it was written, whether it is held in 32 bits or not.
    #[test]
    fn a_citation_keeps_its_span_and_places() {
        use super::{Cite, CiteExtra, CitePlaces, Stance};
        use crate::diag::Loc;
        use crate::files::FileId;
        let big = u32::MAX as usize;
        for span in [
            None,
            Some((0, 1)),
            Some((5, big - 1)),
            Some((big - 1, big)),
            Some((big, big + 1)),
            Some((1, 1 << 40)),
        ] {
            let file = FileId(3);
            let places = CitePlaces {
                loc: Loc::new(file, 1..90),
                source_loc: Loc::new(file, 10..20),
                quote_loc: Loc::new(file, 30..40),
                span_loc: span.map(|_| Loc::new(file, 50..60)),
                index: 2,
                claim_index: 7,
            };
            let cite = Cite::new(
                "s".to_string().into(),
                "q".to_string().into(),
                span,
                Stance::Supports,
                places.clone(),
                CiteExtra::default(),
            );
            assert_eq!(cite.span(), span);
            // Values made by hand are copies: they are in the extra keys.
            assert_eq!((cite.source(), cite.quote()), ("s", "q"));
            let extra = cite.extra.as_deref().expect("the copies");
            assert_eq!(
                extra.large_span.is_some(),
                span.is_some_and(|(_, e)| e > big)
            );
            assert_eq!(cite.loc(), places.loc);
            assert_eq!(cite.source_loc(), places.source_loc);
            assert_eq!(cite.quote_loc(), places.quote_loc);
            assert_eq!(cite.span_loc(), places.span_loc);
            assert_eq!((cite.index(), cite.claim_index()), (2, 7));
            assert_eq!(cite.file(), file);
        }
    }

    /// A source and a quote written as they are, are read from the claim file's text at their
    /// places, and need no extra keys; one written with escapes, or a slice of another place
    /// or of another text, is kept as a copy. Either way the citation gives back the value.
    #[test]
    fn a_citation_reads_its_source_and_quote_from_its_file_when_it_can() {
        use super::{Cite, CiteExtra, CitePlaces, Stance};
        use crate::diag::Loc;
        use crate::files::{FileId, Text};
        use std::ops::Range;
        use std::sync::Arc;
        let written = r#"source = "s1"
quote = "plain words"
escaped = "a \"b\""
"#;
        let text = Arc::new(written.to_string());
        let other_file = Arc::new(written.to_string());
        let token = |needle: &str| {
            let at = written.find(needle).expect("the token");
            at..at + needle.len()
        };
        let (source_t, quote_t, escaped_t) = (
            token(r#""s1""#),
            token(r#""plain words""#),
            token(r#""a \"b\"""#),
        );
        let make = |source: Text, source_at: Range<usize>, quote: Text, quote_at: Range<usize>| {
            let file = FileId(0);
            let places = CitePlaces {
                loc: Loc::new(file, 0..written.len()),
                source_loc: Loc::new(file, source_at),
                quote_loc: Loc::new(file, quote_at),
                span_loc: None,
                index: 0,
                claim_index: 0,
            };
            Cite::new(
                source,
                quote,
                None,
                Stance::Supports,
                places,
                CiteExtra::default(),
            )
        };
        let copies = |c: &Cite| {
            let e = c.extra.as_deref();
            (
                e.and_then(|e| e.source_copy.as_deref()).map(str::to_string),
                e.and_then(|e| e.quote_copy.as_deref()).map(str::to_string),
            )
        };
        let source = Text::read(&text, &source_t, "s1");
        let quote = Text::read(&text, &quote_t, "plain words");
        let escaped = Text::read(&text, &escaped_t, r#"a "b""#);
        assert!(source.slice_of().is_some() && escaped.slice_of().is_none());

        // Both read from the file: no extra keys.
        let c = make(
            source.clone(),
            source_t.clone(),
            quote.clone(),
            quote_t.clone(),
        );
        assert_eq!((c.source(), c.quote()), ("s1", "plain words"));
        assert!(c.extra.is_none());

        // Written with escapes: a copy.
        let c = make(source.clone(), source_t.clone(), escaped, escaped_t.clone());
        assert_eq!((c.source(), c.quote()), ("s1", r#"a "b""#));
        assert_eq!(copies(&c), (None, Some(r#"a "b""#.to_string())));

        // A slice of the text at another place than its own: a copy, never a wrong read.
        let c = make(source.clone(), quote_t.clone(), quote.clone(), escaped_t);
        assert_eq!((c.source(), c.quote()), ("s1", "plain words"));
        assert_eq!(copies(&c), (Some("s1".into()), Some("plain words".into())));

        // A slice of another file's text: a copy.
        let foreign = Text::read(&other_file, &quote_t, "plain words");
        let c = make(source, source_t, foreign, quote_t);
        assert_eq!((c.source(), c.quote()), ("s1", "plain words"));
        assert_eq!(copies(&c), (None, Some("plain words".into())));
    }

    /// A claim's id and fact are read from its file as a citation's source and quote are: the
    /// plain one from the text at its place, the escaped one kept as a copy.
    #[test]
    fn a_claim_reads_its_id_and_fact_from_its_file_when_it_can() {
        use super::{Claim, ClaimPlaces};
        use crate::diag::Loc;
        use crate::files::{FileId, Text};
        use std::sync::Arc;
        let written = r#"id = "c1"
fact = "a \"b\""
"#;
        let text = Arc::new(written.to_string());
        let token = |needle: &str| {
            let at = written.find(needle).expect("the token");
            at..at + needle.len()
        };
        let (id_t, fact_t) = (token(r#""c1""#), token(r#""a \"b\"""#));
        let file = FileId(0);
        let places = ClaimPlaces {
            loc: Loc::new(file, 0..written.len()),
            id_loc: Loc::new(file, id_t.clone()),
            fact_loc: Loc::new(file, fact_t.clone()),
        };
        let id = Text::read(&text, &id_t, "c1");
        let fact = Text::read(&text, &fact_t, r#"a "b""#);
        let claim = Claim::new(id.clone(), fact, &places, Box::new([]), None);
        assert_eq!(
            (claim.id(), claim.fact(), claim.note()),
            ("c1", r#"a "b""#, None)
        );
        let extra = claim.extra.as_deref().expect("the fact's copy");
        assert_eq!(
            (extra.id_copy.as_deref(), extra.fact_copy.as_deref()),
            (None, Some(r#"a "b""#))
        );
        assert_eq!(
            (claim.id_loc(), claim.loc()),
            (places.id_loc.clone(), places.loc.clone())
        );
        // Both plain, with a note: only the note is extra.
        let plain_fact = Text::read(&text, &id_t, "c1");
        let places = ClaimPlaces {
            fact_loc: Loc::new(file, id_t),
            ..places
        };
        let claim = Claim::new(id, plain_fact, &places, Box::new([]), Some("n".into()));
        assert_eq!(
            (claim.id(), claim.fact(), claim.note()),
            ("c1", "c1", Some("n"))
        );
        let extra = claim.extra.as_deref().expect("the note");
        assert_eq!(
            (extra.id_copy.as_deref(), extra.fact_copy.as_deref()),
            (None, None)
        );
    }
}

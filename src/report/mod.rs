//! `prov report`: the audit trail. [`build`] turns a checked workspace into a [`Report`]: per
//! fact the statement, verdict, flags and support matrix; per citation who published it, the
//! quote in its context, the span, the sha256 it was verified against and a text-fragment link;
//! per source every revision. Renderers (`md`, `html`, `json`, `w3c`) only format it. The output
//! is deterministic: nothing depends on the clock except `SOURCE_DATE_EPOCH`, and the report
//! names the [`digest`] of the workspace it describes so a reader can confirm it.

pub mod changes;
pub mod digest;
pub mod fragment;
pub mod html;
mod json;
pub mod md;
pub mod w3c;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;

use crate::anchor::text::{CharText, is_lead};
use crate::check::TextSeen;
use crate::outcome::{CitationReport, Outcome};
use crate::swar;
use crate::verdict::Verdict;
use crate::workspace::Flag;
use crate::workspace::{Source, Stance, Workspace};

pub const SCHEMA: &str = "prov-report/1";

/// The whole report. It borrows what the workspace says (ids, quotes, metadata) and owns what
/// the report computes (contexts, links, labels).
#[derive(Debug, Clone, Serialize)]
pub struct Report<'w> {
    pub schema: String,
    pub tool: String,
    /// RFC 3339, from SOURCE_DATE_EPOCH only; null otherwise (the report stays byte-identical).
    pub generated: Option<String>,
    pub workspace: digest::Digest,
    pub summary: Summary,
    pub facts: Vec<FactEntry<'w>>,
    pub sources: Vec<SourceEntry<'w>>,
    /// Findings that belong to no single fact: a source's integrity, a pending capture.
    pub findings: Vec<FindingEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingEntry {
    pub code: String,
    pub severity: crate::diag::Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub claims: usize,
    pub citations: usize,
    pub sources: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Facts with at least one supporting citation that holds and no error flag.
    pub facts_supported: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactEntry<'w> {
    pub claim: &'w str,
    pub statement: &'w str,
    pub file: &'w str,
    pub line: usize,
    /// "supported" (no error), or "failing" (an error-level finding on the fact or a citation).
    pub verdict: &'static str,
    pub flags: Vec<Flag>,
    pub errors: Vec<Flag>,
    pub matrix: Vec<MatrixRow<'w>>,
    pub citations: Vec<CitationEntry<'w>>,
    pub note: Option<&'w str>,
}

/// One origin's part in a fact: which of its citations hold, per stance.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow<'w> {
    /// The origin, or `? outlet` when unknown.
    pub origin: String,
    pub outlets: Vec<&'w str>,
    /// Citations that hold and assert the fact.
    pub supports: usize,
    /// Citations that hold and only report a party's statement: the parties.
    pub reports: Vec<&'w str>,
    pub contradicts: usize,
    /// Citations of this origin that do not hold.
    pub not_holding: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CitationEntry<'w> {
    pub source: &'w str,
    pub outlet: &'w str,
    pub origin: &'w str,
    pub title: Option<&'w str>,
    pub url: Option<&'w str>,
    pub published: Option<&'w str>,
    pub stance: Stance,
    pub said_by: Option<&'w str>,
    pub quote: &'w str,
    pub span: Option<[usize; 2]>,
    /// Where the quote is, when it is there.
    pub found: Option<[usize; 2]>,
    pub verdict: Option<Verdict>,
    /// Why it does not hold, when it does not.
    pub problem: Option<Cow<'static, str>>,
    /// About a sentence of the snapshot either side of the quote.
    pub before: Cow<'w, str>,
    /// The text at `found`, or the quote when it was not found.
    pub text: Cow<'w, str>,
    pub after: Cow<'w, str>,
    /// The sha256 of the capture the quote was verified against.
    pub verified_sha256: Option<&'w str>,
    /// Set when the citation cites a superseded capture (a revision).
    pub revision: Option<&'w str>,
    /// `url#:~:text=…`, when the source has a url and the quote is found.
    pub fragment_link: Option<Cow<'w, str>>,
    /// What a pending capture would change, when one is waiting.
    pub pending: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceEntry<'w> {
    pub id: &'w str,
    pub title: Option<&'w str>,
    pub outlet: &'w str,
    pub origin: &'w str,
    pub url: Option<&'w str>,
    pub language: Option<&'w str>,
    pub published: Option<&'w str>,
    pub captured: Option<&'w str>,
    pub sha256: &'w str,
    pub status: &'static str,
    pub citations: usize,
    pub revisions: Vec<RevisionEntry<'w>>,
    pub pending_sha256: Option<String>,
    /// The WARC evidence of the current capture and what it proves; absent for a source
    /// registered from text ([`attach_evidence`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<CaptureEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionEntry<'w> {
    pub sha256: &'w str,
    pub captured: Option<&'w str>,
    pub superseded: Option<&'w str>,
    /// What the capture that replaced it changed in the cited passages (word diffs).
    pub changes: changes::Changes,
    /// The WARC evidence of that capture, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<CaptureEntry>,
}

/// A capture's WARC evidence, and the chain it proves: server bytes → text.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureEntry {
    /// The WARC file, workspace-relative.
    pub warc: String,
    pub warc_sha256: String,
    /// `fetch`, `archive` or `file`.
    pub method: crate::workspace::Method,
    /// The URL the text came from (after redirects).
    pub url: Option<String>,
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub fetched: Option<String>,
    /// `prov-html 1`.
    pub extractor: String,
    pub mode: String,
    pub re_extraction: bool,
    /// What re-verifying it gave.
    pub chain: crate::evidence::Chain,
    /// The same, in one sentence.
    pub proof: String,
}

impl CaptureEntry {
    /// "fetched", "taken from an archive, recorded", "a local file, added".
    pub fn method_phrase(&self) -> &'static str {
        match self.method {
            crate::workspace::Method::Fetch => "fetched",
            crate::workspace::Method::Archive => "taken from an archive, recorded",
            crate::workspace::Method::File => "a local file, added",
        }
    }

    /// `✓ proven`, `? not re-verified`, `✗ broken`.
    pub fn verdict(&self) -> &'static str {
        match self.chain {
            crate::evidence::Chain::Proven => "✓ proven",
            crate::evidence::Chain::OtherExtractor { .. } => "? not re-verified",
            _ => "✗ broken",
        }
    }
}

/// Fill in each source's (and revision's) WARC evidence, reading the WARC files and texts from
/// the workspace and re-verifying each chain ([`crate::evidence::verify`]).
pub fn attach_evidence(r: &mut Report, ws: &Workspace) {
    use crate::workspace::{revision_path, warc_path, warc_revision_path};
    let entry = |record: &crate::workspace::CaptureRecord,
                 warc: std::path::PathBuf,
                 text: std::path::PathBuf| {
        let rel = crate::files::rel_display(&ws.root, &warc);
        let text_rel = crate::files::rel_display(&ws.root, &text);
        let bytes = crate::files::read_bytes(&ws.root, &warc).ok();
        let snapshot = crate::files::read_bytes(&ws.root, &text).unwrap_or_default();
        let chain = crate::evidence::verify(record, bytes.as_deref(), &snapshot);
        CaptureEntry {
            proof: chain.describe(record, &rel, &text_rel),
            warc: rel,
            warc_sha256: record.warc.clone(),
            method: record.method,
            url: record.url.clone(),
            status: record.status,
            content_type: record.content_type.clone(),
            fetched: record.fetched.clone(),
            extractor: format!("{} {}", record.extractor, record.extractor_version),
            mode: record.mode.clone(),
            re_extraction: record.re_extraction,
            chain,
        }
    };
    for src in &mut r.sources {
        let Some(source) = ws.source(src.id) else {
            continue;
        };
        src.capture = source.capture.as_ref().map(|c| {
            entry(
                c,
                warc_path(&ws.root, &source.id),
                ws.snapshot_path(&source.id),
            )
        });
        // The report may list revisions in another order: each is found by its sha256.
        for entry_rev in &mut src.revisions {
            let Some(rev) = source
                .revisions
                .iter()
                .find(|r| r.sha256 == entry_rev.sha256)
            else {
                continue;
            };
            entry_rev.capture = rev.capture.as_ref().map(|c| {
                entry(
                    c,
                    warc_revision_path(&ws.root, &source.id, &rev.sha256),
                    revision_path(&ws.root, &source.id, &rev.sha256),
                )
            });
        }
    }
}

impl FactEntry<'_> {
    /// The fact's badge: `failing` (an error), `contested` (supported, but a citation that
    /// holds contradicts it), or `supported`.
    pub fn badge(&self) -> &'static str {
        if self.verdict != "supported" {
            "failing"
        } else if self.flags.contains(&Flag::Contested) {
            "contested"
        } else {
            "supported"
        }
    }
}

/// One item of a citation's line of facts, in the order the reports show them; each renderer
/// words and marks it up its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meta<'a> {
    /// Where the quote is: `span [s, e]`.
    Span(usize, usize),
    /// The recorded span, where the quote is not.
    SpanNotThere(usize, usize),
    /// The sha256 the quote was verified against.
    Verified(&'a str),
    /// The superseded capture the citation pins.
    Revision(&'a str),
    /// The text-fragment link that opens the live page at the quote.
    Link(&'a str),
}

impl CitationEntry<'_> {
    /// The facts about the citation shown under its quote, in order.
    pub fn meta(&self) -> Vec<Meta<'_>> {
        let mut meta = Vec::new();
        if let Some([s, e]) = self.found {
            meta.push(Meta::Span(s, e));
        } else if let (Some([s, e]), Some(_)) = (self.span, self.verdict) {
            meta.push(Meta::SpanNotThere(s, e));
        }
        if let Some(sha) = &self.verified_sha256 {
            meta.push(Meta::Verified(sha));
        }
        if let Some(r) = &self.revision {
            meta.push(Meta::Revision(r));
        }
        if let Some(l) = &self.fragment_link {
            meta.push(Meta::Link(l));
        }
        meta
    }

    /// What the citation does, in words: "supports", "reports what X said", "contradicts",
    /// "contradicts (reports what X said)". Plain text: renderers escape it.
    pub fn stance_text(&self) -> String {
        match (self.stance, &self.said_by) {
            (Stance::Contradicts, None) => "contradicts".to_string(),
            (Stance::Contradicts, Some(p)) => format!("contradicts (reports what {p} said)"),
            (Stance::Supports, Some(p)) => format!("reports what {p} said"),
            (Stance::Supports, None) => "supports".to_string(),
        }
    }

    /// Who published it: "outlet", "origin, via outlet", or "not a registered source".
    pub fn publisher_text(&self) -> String {
        if self.outlet.is_empty() {
            "not a registered source".to_string()
        } else if self.origin == self.outlet || self.origin.is_empty() {
            self.outlet.to_string()
        } else {
            format!("{}, via {}", self.origin, self.outlet)
        }
    }
}

impl MatrixRow<'_> {
    /// The row's cells after the origin: outlets, supports, only reports, contradicts, not
    /// holding ("—" for none). Plain text: renderers escape it.
    pub fn cells(&self) -> [String; 5] {
        let num = |n: usize| {
            if n == 0 {
                "—".to_string()
            } else {
                n.to_string()
            }
        };
        [
            self.outlets.join(", "),
            num(self.supports),
            if self.reports.is_empty() {
                "—".to_string()
            } else {
                self.reports.join(", ")
            },
            num(self.contradicts),
            num(self.not_holding),
        ]
    }
}

/// Reads the text of a source, or of one of its retained revisions (by full sha256; the
/// current capture's sha256 reads the snapshot): for what each capture of a source with
/// revisions changed in the passages cited (the quotes' context comes from the check, [`Quotes`]).
pub type TextOf<'a> = dyn Fn(&str, Option<&str>) -> Option<String> + Sync + 'a;

/// The text of source `id`'s current snapshot, or of its retained revision `revision` (by full
/// sha256), when the bytes on disk are still the pinned ones: a [`TextOf`] for a report. Read
/// again after the check, they are verified again, so that a file changed in between is not
/// shown as the evidence it no longer is.
pub fn pinned_text(
    ws: &Workspace,
    id: &str,
    revision: Option<&str>,
    parents: &crate::files::Parents,
) -> Option<String> {
    let source = ws.source(id)?;
    // Only a recorded revision has a pin to verify the text against.
    let pinned = match revision {
        Some(sha) if sha != source.sha256 => {
            &source.revisions.iter().find(|r| r.sha256 == sha)?.sha256
        }
        _ => &source.sha256,
    };
    let path = ws.text_path(source, Some(pinned));
    let loaded = crate::snapshot::load(&ws.root, &path, pinned, parents);
    (loaded.status == crate::snapshot::Status::Ok).then_some(loaded.text)?
}

/// At most this many code points of context either side of a quote.
const CONTEXT: usize = 240;

/// Whether a sentence ends at `c`, followed by `next` (`None` at the text's end): at an end
/// character followed by a space, the text's end, or a line break ("3.000" and "U.S." are not
/// ends); a run of them ("." then a blank line) is one, ending at its last.
fn ends_sentence(c: char, next: Option<char>) -> bool {
    let is_end = |c: char| matches!(c, '.' | '!' | '?' | '\n' | '…');
    is_end(c)
        && match next {
            None => true,
            Some(n) if is_end(n) => false,
            Some(n) => c == '\n' || n.is_whitespace(),
        }
}

/// The byte offset `n` code points before byte `at` of `text` (or 0); `at` is a char boundary.
fn chars_before(text: &str, at: usize, n: usize) -> usize {
    let bytes = text.as_bytes();
    let (mut i, mut k) = (at.min(bytes.len()), 0);
    // Eight bytes at a time while the `n`-th char is not among them.
    while let Some(w) = i.checked_sub(8).and_then(|at| swar::word(bytes, at)) {
        let starts = swar::char_starts(w).count_ones() as usize;
        if k + starts >= n {
            break;
        }
        (i, k) = (i - 8, k + starts);
    }
    while i > 0 && k < n {
        i -= 1;
        if bytes.get(i).copied().is_some_and(is_lead) {
            k += 1;
        }
    }
    i
}

/// The byte offset `n` code points after byte `at` of `text` (or its end); `at` is a char
/// boundary.
fn chars_after(text: &str, at: usize, n: usize) -> usize {
    let (mut at, mut n) = (at, n);
    // Eight bytes at a time while the char `n` chars on does not start among them.
    while let Some(w) = swar::word(text.as_bytes(), at) {
        let starts = swar::char_starts(w).count_ones() as usize;
        if starts > n {
            break;
        }
        (at, n) = (at + 8, n - starts);
    }
    // Then a byte at a time (`at` may now be inside a char counted already).
    let bytes = text.as_bytes().get(at..).unwrap_or_default();
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| is_lead(b))
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

/// May a byte of `w` start a char that ends a sentence (`.`, `!`, `?`, a line feed, or the lead
/// byte of `…`; see `ends_sentence`)?
fn may_end_sentence(w: u64) -> bool {
    swar::equal(w, b'.')
        | swar::equal(w, b'!')
        | swar::equal(w, b'?')
        | swar::equal(w, b'\n')
        | swar::equal(w, 0xE2)
        != 0
}

/// Expand the quote at bytes `[bs, be)` of `text` (char boundaries) to about a sentence either
/// side, at most `max` code points each. The walk is on bytes, a few hundred of them in a
/// snapshot of any size, eight at a time where none may end a sentence; a char is decoded only
/// after a sentence end.
fn context(text: &str, bs: usize, be: usize, max: usize) -> (String, String) {
    let bytes = text.as_bytes();
    if bs > be || text.get(bs..be).is_none() {
        return (String::new(), String::new());
    }
    // The start of the char before byte `i` (a char boundary).
    let char_before = |i: usize| chars_before(text, i, 1);
    // Whether a sentence ends at the char from byte `p` to byte `q` (its end).
    let ends_at = |p: usize, q: usize| {
        let end = match bytes.get(p) {
            Some(b'.' | b'!' | b'?' | b'\n') => true,
            Some(0xE2) => text.get(p..q) == Some("…"),
            _ => false,
        };
        end && text
            .get(p..q)
            .and_then(|t| t.chars().next())
            .is_some_and(|c| ends_sentence(c, text.get(q..).and_then(|t| t.chars().next())))
    };
    // Back from the quote's start until the second sentence end: the one before the quote's
    // sentence. The context starts at `b`.
    let (mut b, mut walked, mut ends) = (bs, 0, 0);
    while b > 0 && walked < max {
        // The eight bytes before `b` at once, when none of them may end a sentence and the
        // limit is not among their chars: `b` moves to the first char starting in them.
        if let Some(w) = b.checked_sub(8).and_then(|at| swar::word(bytes, at))
            && !may_end_sentence(w)
        {
            let starts = swar::char_starts(w);
            let n = starts.count_ones() as usize;
            if n > 0 && walked + n <= max {
                b = b - 8 + (starts.trailing_zeros() / 8) as usize;
                walked += n;
                continue;
            }
        }
        let p = char_before(b);
        if walked > 0 && ends_at(p, b) {
            ends += 1;
            if ends == 2 {
                break;
            }
        }
        (b, walked) = (p, walked + 1);
    }
    let cut_before = b > 0 && !ends_at(char_before(b), b);
    // On from the quote's end to the end of the sentence after it (not one the quote itself
    // ends with). The context ends at `a`.
    let (mut a, mut walked) = (be, 0);
    while a < text.len() && walked < max {
        // The eight bytes from `a` at once, when none of them may end a sentence and the limit
        // is not among their chars: `a` moves to the last char starting in them.
        if let Some(w) = swar::word(bytes, a)
            && !may_end_sentence(w)
        {
            let starts = swar::char_starts(w);
            let n = starts.count_ones() as usize - 1; // the char at `a` starts there
            if n > 0 && walked + n <= max {
                a += (63 - starts.leading_zeros() as usize) / 8;
                walked += n;
                continue;
            }
        }
        let p = a;
        a = chars_after(text, a, 1);
        walked += 1;
        if walked > 1 && ends_at(p, a) {
            break;
        }
    }
    let cut_after = a < text.len() && (a == 0 || !ends_at(char_before(a), a));
    let mut before = text.get(b..bs).unwrap_or("").to_string();
    let mut after = text.get(be..a).unwrap_or("").to_string();
    // Cut by the limit mid-sentence: at a word, marked with an ellipsis.
    if cut_before {
        if let Some(i) = before.find(char::is_whitespace) {
            before = before[i..].to_string();
        }
        before = format!("…{}", before.trim_start());
    }
    if cut_after {
        if let Some(i) = after.rfind(char::is_whitespace) {
            after.truncate(i);
        }
        after.push('…');
    }
    (
        before.trim_start().to_string(),
        after.trim_end().to_string(),
    )
}

/// `s` with each ASCII byte that `with` maps replaced by its text; the runs between them are
/// copied whole (an ASCII byte is never inside a multi-byte char). The Markdown and HTML
/// escapes differ only in their tables.
fn escape_ascii(s: &str, with: impl Fn(u8) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        if let Some(w) = with(b) {
            out.push_str(s.get(from..i).unwrap_or(""));
            out.push_str(w);
            from = i + 1;
        }
    }
    out.push_str(s.get(from..).unwrap_or(""));
    out
}

/// A url with every byte RFC 3986 does not allow in a URI percent-encoded (a space, a control,
/// `<`, `>`, `"`, `\`, a non-ASCII character…) and a `%` that does not start a percent-encoding
/// written `%25`. The loader refuses such urls ([`crate::workspace::check_url`]); this is the
/// second line of defence wherever a url is written as a link.
pub fn encode_uri(url: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = url.as_bytes();
    let mut out = String::with_capacity(url.len() + 8);
    for (i, &b) in bytes.iter().enumerate() {
        let allowed = match b {
            b'%' => bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
            b => b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b),
        };
        if allowed {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
    out
}

/// A quote as the report shows it, while its source is read: in its context, with its
/// text-fragment link once the ambiguity of the source's quotes is known.
struct Draft {
    before: String,
    /// The text at the quote's place; `None` when it is the quote itself (a verdict that holds
    /// found the quote's exact bytes), which is then not copied.
    text: Option<String>,
    after: String,
    /// The context terms of its text-fragment link, when it has one.
    link: Option<fragment::LinkContext>,
}

impl Draft {
    fn text<'a>(&'a self, quote: &'a str) -> &'a str {
        self.text.as_deref().unwrap_or(quote)
    }
}

/// A [`Draft`] as the report holds it until its fact's entry is written: its parts in one
/// string. A report holds one per citation, from the first source read to the last entry
/// written (four strings cost about a hundred bytes more each: a tenth of a large report's
/// memory). Its link is made when the entry is ([`Quoted::link`]): held, it was about half of
/// the quotes' memory.
struct Quoted {
    /// The context before, the text (when it is not the quote), the context after, and the
    /// link's prefix and suffix terms.
    parts: Box<str>,
    /// Where the text, the context after, the prefix and the suffix start in `parts`.
    at: [u32; 4],
    text: bool,
    link: bool,
}

impl Quoted {
    /// `None` when the parts are longer than 4 GiB together (never: a quote is a slice of a
    /// claim file of at most 256 MiB, and the context and link are bounded).
    fn new(d: &Draft) -> Option<Self> {
        let text = d.text.as_deref().unwrap_or("");
        let (prefix, suffix) = d
            .link
            .as_ref()
            .map_or(("", ""), |l| (l.prefix.as_str(), l.suffix.as_str()));
        let mut parts = String::with_capacity(
            d.before.len() + text.len() + d.after.len() + prefix.len() + suffix.len(),
        );
        let mut at = [0u32; 4];
        for (i, part) in [&d.before, text, &d.after, prefix].into_iter().enumerate() {
            parts.push_str(part);
            at[i] = u32::try_from(parts.len()).ok()?;
        }
        parts.push_str(suffix);
        u32::try_from(parts.len()).ok()?;
        Some(Quoted {
            parts: parts.into_boxed_str(),
            at,
            text: d.text.is_some(),
            link: d.link.is_some(),
        })
    }

    fn part(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |j| self.at[j] as usize);
        let end = self.at.get(i).map_or(self.parts.len(), |&e| e as usize);
        self.parts.get(start..end).unwrap_or("")
    }

    fn before(&self) -> &str {
        self.part(0)
    }

    fn text(&self) -> Option<&str> {
        self.text.then(|| self.part(1))
    }

    fn after(&self) -> &str {
        self.part(2)
    }

    /// Its text-fragment link to `quote` (its text, or its citation's quote) on the page at
    /// `url`.
    fn link(&self, url: &str, quote: &str) -> Option<String> {
        self.link
            .then(|| fragment::link_with(url, self.part(3), quote, self.part(4)))
    }
}

/// A text-fragment link's context terms still to take, once the ambiguity of its quote is known.
struct LinkJob<'a> {
    /// Its quote's place among the text's drafts.
    citation: usize,
    /// The quote's byte range in its text.
    bytes: (usize, usize),
    /// Up to [`fragment::NEAR`] code points of the text either side of the quote.
    before: &'a str,
    after: &'a str,
}

/// The quote in context and the text-fragment link of each citation the check anchored,
/// gathered text by text as the check reads them ([`check`]): each text is decoded only around
/// its quotes and searched once for all of its quotes' repetitions, on the core that read and
/// verified it, and never read again. Each is put straight in its citation's slot, with no
/// second list of them in the texts' order to sort into slots at the end.
pub struct Quotes {
    slots: std::sync::Mutex<Vec<Option<Quoted>>>,
}

impl Quotes {
    /// Slots for `n` citations (more are made if a text shows a citation past them).
    fn new(n: usize) -> Self {
        let mut slots = Vec::new();
        slots.resize_with(n, || None);
        Quotes {
            slots: std::sync::Mutex::new(slots),
        }
    }

    /// Take those of one text.
    pub fn see(&self, seen: &TextSeen<'_>) {
        let quoted = quote_text(seen);
        // A poisoned lock only means a core panicked while checking; the check passes it on.
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        for (i, q) in quoted {
            if i >= slots.len() {
                slots.resize_with(i + 1, || None);
            }
            slots[i] = Some(q);
        }
    }

    /// Each citation's, by its position in `Outcome::citations` (`n` of them); `None` for those
    /// not anchored in a text.
    fn into_slots(self, n: usize) -> Vec<Option<Quoted>> {
        let mut slots = self.slots.into_inner().unwrap_or_else(|e| e.into_inner());
        slots.resize_with(n, || None);
        slots
    }
}

/// Check the workspace for a report: the outcome, and the quotes in context taken from the
/// texts as the check verified them.
#[must_use]
pub fn check<'w>(ws: &'w Workspace, opts: &crate::check::Options) -> (Outcome<'w>, Quotes) {
    // A check's citations are those of the claims it selects: at most every claim's.
    let quotes = Quotes::new(ws.claims.iter().map(|c| c.cites.len()).sum());
    let outcome = crate::check::check_with(ws, opts, Some(&|t: &TextSeen<'_>| quotes.see(t)));
    (outcome, quotes)
}

/// The quote in context and the text-fragment link of each citation anchored in one text.
fn quote_text(seen: &TextSeen<'_>) -> Vec<(usize, Quoted)> {
    let source = seen.source;
    let view = CharText::new(seen.text);
    let full = view.as_str();
    // Each citation's position, its quote, and its draft.
    let mut found: Vec<(usize, &str, Draft)> = Vec::with_capacity(seen.anchored.len());
    let mut jobs: Vec<LinkJob<'_>> = Vec::new();
    for &(i, cite, anchor) in seen.anchored {
        let Some((s, e)) = anchor.found else {
            continue;
        };
        if s > e {
            continue;
        }
        let (Some(bs), Some(be)) = (view.byte_of(s), view.byte_of(e)) else {
            continue;
        };
        let (before, after) = context(full, bs, be, CONTEXT);
        // Not copied when it is the quote (a verdict that holds found its bytes).
        let text = full
            .get(bs..be)
            .filter(|t| **t != *cite.quote())
            .map(str::to_string);
        // A link to the quote on its source's page, made when the entry is.
        if source.url.is_some() && anchor.verdict.holds() {
            jobs.push(LinkJob {
                citation: found.len(),
                bytes: (bs, be),
                before: full
                    .get(chars_before(full, bs, fragment::NEAR)..bs)
                    .unwrap_or(""),
                after: full
                    .get(be..chars_after(full, be, fragment::NEAR))
                    .unwrap_or(""),
            });
        }
        found.push((
            i,
            cite.quote(),
            Draft {
                before,
                text,
                after,
                link: None,
            },
        ));
    }
    // Only a quote of SHORT code points or more needs its repetitions counted.
    let long: Vec<(usize, usize)> = jobs
        .iter()
        .filter(|j| {
            found
                .get(j.citation)
                .is_some_and(|(_, quote, d)| d.text(quote).chars().count() >= fragment::SHORT)
        })
        .map(|j| j.bytes)
        .collect();
    let mut repeated = fragment::ambiguous(full.as_bytes(), &long).into_iter();
    for j in &jobs {
        let Some((_, quote, d)) = found.get_mut(j.citation) else {
            continue;
        };
        let text = d.text(quote);
        let ambiguous = text.chars().count() >= fragment::SHORT && repeated.next().unwrap_or(false);
        d.link = Some(fragment::LinkContext::new(
            j.before, text, j.after, ambiguous,
        ));
    }
    found
        .into_iter()
        .filter_map(|(i, _, d)| Some((i, Quoted::new(&d)?)))
        .collect()
}

/// The superseded captures of `source`, each with what the capture after it changed in the
/// passages cited in either of the two (read only for a source that has revisions).
fn revisions<'w>(
    source: &'w Source,
    citations: &[CitationReport],
    text_of: &TextOf<'_>,
) -> Vec<RevisionEntry<'w>> {
    // The code-point spans cited in the capture of sha256 `sha`.
    let cited = |sha: &str| -> Vec<(usize, usize)> {
        citations
            .iter()
            .filter(|c| *c.cite.source() == *source.id)
            .filter(|c| c.revision_in(source).unwrap_or(&source.sha256) == sha)
            .filter_map(|c| c.found())
            .collect()
    };
    let text = |sha: &str| {
        if sha == source.sha256 {
            text_of(&source.id, None)
        } else {
            text_of(&source.id, Some(sha))
        }
    };
    let mut next_text = None;
    let mut out: Vec<RevisionEntry> = Vec::with_capacity(source.revisions.len());
    // From the last revision back, so each text is read once.
    for (i, r) in source.revisions.iter().enumerate().rev() {
        let next = source
            .revisions
            .get(i + 1)
            .map_or(source.sha256.as_str(), |n| n.sha256.as_str());
        let new = match next_text.take() {
            Some(t) => t,
            None => text(next),
        };
        let old = text(&r.sha256);
        let changes = match (&old, &new) {
            (Some(old), Some(new)) => changes::changes(old, new, &cited(&r.sha256), &cited(next)),
            _ => changes::Changes {
                not_compared: true,
                ..changes::Changes::default()
            },
        };
        next_text = Some(old);
        out.push(RevisionEntry {
            sha256: &r.sha256,
            captured: r.captured.as_deref(),
            superseded: r.superseded.as_deref(),
            changes,
            capture: None,
        });
    }
    out.reverse();
    out
}

/// One fact of the report: the fact, its claim, and the range of its citations in
/// `Outcome::citations`.
type Part<'w> = (
    crate::outcome::FactOf,
    &'w crate::workspace::Claim,
    Range<usize>,
);

/// A quote in context, owned (moved out of the quotes of [`build`]) or borrowed (from those of
/// [`Prepared`]): (before, text, after, link).
type QuotedParts<'a> = (
    Cow<'a, str>,
    Option<Cow<'a, str>>,
    Cow<'a, str>,
    Option<Cow<'a, str>>,
);

/// Each fact (made when its entry is: [`Outcome::fact`]) with its claim and its citations'
/// range.
fn parts<'w>(ws: &'w Workspace, outcome: &Outcome<'w>) -> Vec<Part<'w>> {
    let mut parts = Vec::new();
    let mut next = 0;
    for &fact in outcome.facts.list() {
        let Some(claim) = ws.claims.get(fact.claim_pos()) else {
            continue;
        };
        let end = (next + claim.cites.len()).min(outcome.citations.len());
        parts.push((fact, claim, next.min(end)..end));
        next += claim.cites.len();
    }
    parts
}

/// Whether a citation of `range` (of `Outcome::citations`) cites no registered source or has an
/// error finding: with an error flag, what makes a fact fail (as [`fact_entry`] decides it,
/// without making the entry).
fn failing_citation(ws: &Workspace, outcome: &Outcome, range: &Range<usize>) -> bool {
    outcome
        .citations
        .get(range.clone())
        .unwrap_or(&[])
        .iter()
        .any(|c| c.source(ws).is_none() || c.severity() == Some(crate::diag::Severity::Error))
}

/// The report's entry of one fact; `quote` gives each citation's quote in context, by its
/// index in `Outcome::citations`.
fn fact_entry<'a, 'w: 'a>(
    ws: &'w Workspace,
    outcome: &Outcome<'w>,
    groups: &crate::facts::Groups,
    (of, claim, range): &Part<'w>,
    quote: &mut dyn FnMut(usize) -> Option<QuotedParts<'a>>,
) -> FactEntry<'a> {
    let claim: &'w crate::workspace::Claim = claim;
    let fact = outcome.fact(of);
    let cites = range
        .clone()
        .zip(outcome.citations.get(range.clone()).unwrap_or(&[]));
    let mut matrix: Vec<MatrixRow> = Vec::new();
    let mut keys = Vec::new();
    let mut entries = Vec::with_capacity(claim.cites.len());
    let mut failing = !fact.errors.is_empty();
    for (i, c) in cites {
        let Some(source) = c.source(ws) else {
            failing = true;
            entries.push(CitationEntry {
                source: c.cite.source(),
                outlet: "",
                origin: "",
                title: None,
                url: None,
                published: None,
                stance: c.cite.stance,
                said_by: c.cite.said_by(),
                quote: c.cite.quote(),
                span: c.cite.span().map(|(s, e)| [s, e]),
                found: None,
                verdict: None,
                problem: Some(Cow::Owned(c.message(ws).into_owned())),
                before: Cow::Borrowed(""),
                text: Cow::Borrowed(c.cite.quote()),
                after: Cow::Borrowed(""),
                verified_sha256: None,
                revision: None,
                fragment_link: None,
                pending: None,
            });
            continue;
        };
        let holds = c.verdict().is_some_and(Verdict::holds);
        if c.severity() == Some(crate::diag::Severity::Error) {
            failing = true;
        }
        let origin = c.cite.effective_origin(source);
        let key = groups.of_cite(ws, c.source_at(), c.cite).map(|(_, k)| k);
        let at = match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                keys.push(key);
                matrix.push(MatrixRow {
                    origin: crate::facts::group_label(origin, source),
                    outlets: Vec::new(),
                    supports: 0,
                    reports: Vec::new(),
                    contradicts: 0,
                    not_holding: 0,
                });
                matrix.len() - 1
            }
        };
        let row = &mut matrix[at];
        if !row.outlets.contains(&source.outlet.as_str()) {
            row.outlets.push(&source.outlet);
        }
        match (holds, c.cite.stance, c.cite.said_by()) {
            (false, _, _) => row.not_holding += 1,
            (true, Stance::Contradicts, _) => row.contradicts += 1,
            (true, Stance::Supports, Some(p)) => {
                if !row.reports.contains(&p) {
                    row.reports.push(p);
                }
            }
            (true, Stance::Supports, None) => row.supports += 1,
        }
        let found = c.found();
        // The text at `found` in context, or the quote itself when it could not be placed.
        let (before, text, after, link) = match quote(i) {
            Some((before, text, after, link)) => (
                before,
                text.unwrap_or(Cow::Borrowed(c.cite.quote())),
                after,
                link,
            ),
            None => (
                Cow::Borrowed(""),
                Cow::Borrowed(c.cite.quote()),
                Cow::Borrowed(""),
                None,
            ),
        };
        let pending = c.pending.as_ref().map(|p| {
            let a = &p.anchor;
            match a.found {
                Some((s, e)) => format!(
                    "{} at [{s}, {e}] in the pending capture",
                    a.verdict.as_str()
                ),
                None => format!("{} in the pending capture", a.verdict.as_str()),
            }
        });
        entries.push(CitationEntry {
            source: &source.id,
            outlet: &source.outlet,
            origin,
            title: source.title.as_deref(),
            url: source.url.as_deref(),
            published: source.published.as_deref(),
            stance: c.cite.stance,
            said_by: c.cite.said_by(),
            quote: c.cite.quote(),
            span: c.cite.span().map(|(s, e)| [s, e]),
            found: found.map(|(s, e)| [s, e]),
            verdict: c.verdict(),
            problem: (!holds || c.severity().is_some())
                .then(|| Cow::Owned(c.message(ws).into_owned())),
            before,
            text,
            after,
            verified_sha256: holds.then(|| c.revision_in(source).unwrap_or(&source.sha256)),
            revision: c.revision_in(source).filter(|r| *r != source.sha256),
            fragment_link: link,
            pending,
        });
    }
    let line = ws.files.get(claim.file).line_col(claim.id_loc().start()).0;
    FactEntry {
        claim: claim.id(),
        statement: claim.fact(),
        file: &ws.files.get(claim.file).path,
        line,
        verdict: if failing { "failing" } else { "supported" },
        flags: fact.flags.clone(),
        errors: fact.errors.clone(),
        matrix,
        citations: entries,
        note: claim.note(),
    }
}

/// A report prepared to be written fact by fact: everything but the facts' entries ([`head`],
/// its `facts` empty) and what they are made from. `prov report --format json` writes each
/// entry as it is made ([`write_json_prepared`]): the entries of a 100k-citation report are
/// never held at once.
pub struct Prepared<'o, 'w> {
    pub head: Report<'w>,
    ws: &'w Workspace,
    outcome: &'o Outcome<'w>,
    parts: Vec<Part<'w>>,
    quoted: Vec<Option<Quoted>>,
    groups: crate::facts::Groups,
}

/// A report's fact entries for a renderer: held in a built report ([`build`]), or made as each
/// is laid out from a prepared one ([`prepare`]).
pub enum Entries<'r, 'o, 'w> {
    Built(&'r Report<'w>),
    Prepared(&'r Prepared<'o, 'w>),
}

impl<'w> Entries<'_, '_, 'w> {
    /// The report around the entries.
    pub fn head(&self) -> &Report<'w> {
        match self {
            Entries::Built(r) => r,
            Entries::Prepared(p) => &p.head,
        }
    }

    /// Append each entry, in fact order, as `write` lays it out.
    pub fn write_facts(&self, out: &mut String, write: fn(&mut String, &FactEntry<'_>)) {
        match self {
            Entries::Built(r) => r.facts.iter().for_each(|f| write(out, f)),
            Entries::Prepared(p) => p.write_facts(out, write),
        }
    }
}

impl<'r, 'o, 'w> From<&'r Report<'w>> for Entries<'r, 'o, 'w> {
    fn from(r: &'r Report<'w>) -> Self {
        Entries::Built(r)
    }
}

impl<'r, 'o, 'w> From<&'r Prepared<'o, 'w>> for Entries<'r, 'o, 'w> {
    fn from(p: &'r Prepared<'o, 'w>) -> Self {
        Entries::Prepared(p)
    }
}

/// Fact entries laid out at a time by [`Prepared::write_facts`], on every core.
const ENTRIES_AT_ONCE: usize = 1024;

impl Prepared<'_, '_> {
    /// How many facts it has an entry for.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Append each fact's entry, in fact order, as `write` lays it out: the entries are made
    /// and laid out on every core, [`ENTRIES_AT_ONCE`] at a time, and each is dropped once
    /// laid out (the Markdown and HTML reports; the JSON one is written as it is made).
    pub fn write_facts(&self, out: &mut String, write: fn(&mut String, &FactEntry<'_>)) {
        let n = self.parts.len();
        for start in (0..n).step_by(ENTRIES_AT_ONCE) {
            let laid_out: Vec<String> = (start..n.min(start + ENTRIES_AT_ONCE))
                .into_par_iter()
                .map(|k| {
                    let mut text = String::new();
                    if let Some(e) = self.entry(k) {
                        write(&mut text, &e);
                    }
                    text
                })
                .collect();
            laid_out.iter().for_each(|t| out.push_str(t));
        }
    }

    /// The entry of fact `k` (in `0..self.len()`), borrowing its quotes' context.
    fn entry(&self, k: usize) -> Option<FactEntry<'_>> {
        let part = self.parts.get(k)?;
        let (ws, outcome, quoted) = (self.ws, self.outcome, &self.quoted);
        Some(fact_entry(ws, outcome, &self.groups, part, &mut |i| {
            let q = quoted.get(i)?.as_ref()?;
            Some(quote_parts(ws, outcome, i, q))
        }))
    }
}

/// The parts of citation `i`'s entry that its quote in context gives: the context before, the
/// text found (when it is not the quote), the context after and the text-fragment link, made
/// now to the text the quote was found as, on its source's page.
fn quote_parts<'q>(
    ws: &Workspace,
    outcome: &Outcome<'_>,
    i: usize,
    q: &'q Quoted,
) -> QuotedParts<'q> {
    let link = outcome
        .citations
        .get(i)
        .and_then(|r| Some((r.source(ws)?.url.as_deref()?, r.cite.quote())))
        .and_then(|(url, quote)| q.link(url, q.text().unwrap_or(quote)));
    (
        Cow::Borrowed(q.before()),
        q.text().map(Cow::Borrowed),
        Cow::Borrowed(q.after()),
        link.map(Cow::Owned),
    )
}

/// Prepare the report of a workspace checked by [`check`] (see [`Prepared`]), with the quotes
/// that check gathered; `text_of` reads the text of a source's revisions, for what each
/// capture changed.
pub fn prepare<'o, 'w>(
    ws: &'w Workspace,
    (outcome, quotes): (&'o Outcome<'w>, Quotes),
    digest: digest::Digest,
    text_of: &TextOf<'_>,
) -> Prepared<'o, 'w> {
    let parts = parts(ws, outcome);
    let quoted = quotes.into_slots(outcome.citations.len());
    // A fact stands when it has supports, no flag that is an error (an unsupported one is
    // always an error: it has no supports) and no failing citation. Whether it has an error
    // flag is known from the check; else each fact is made, counted and dropped.
    // The check's record is by position in `Facts::list`, which `parts` follows unless it
    // skipped a fact (then the lengths differ, and each fact is made).
    let held = Some(outcome.fact_has_error.as_slice()).filter(|h| h.len() == parts.len());
    let supported = parts
        .par_iter()
        .enumerate()
        .filter(|(k, (of, _, range))| {
            let has_error = match held.and_then(|h| h.get(*k)) {
                Some(&e) => e,
                None => !outcome.fact(of).errors.is_empty(),
            };
            !has_error && !failing_citation(ws, outcome, range)
        })
        .count();
    Prepared {
        head: head(ws, outcome, digest, supported, text_of),
        ws,
        outcome,
        parts,
        quoted,
        groups: crate::facts::Groups::new(ws),
    }
}

/// Build the report of a workspace checked by [`check`], with the quotes that check gathered.
/// `text_of` reads the text of a source's revisions, for what each capture changed.
pub fn build<'w>(
    ws: &'w Workspace,
    (outcome, quotes): (&Outcome<'w>, Quotes),
    digest: digest::Digest,
    text_of: &TextOf<'_>,
) -> Report<'w> {
    let Prepared {
        mut head,
        parts,
        mut quoted,
        groups,
        ..
    } = prepare(ws, (outcome, quotes), digest, text_of);
    // The quotes move into the entries.
    let mut take = |i: usize| {
        let q = quoted.get_mut(i)?.take()?;
        let (before, text, after, link) = quote_parts(ws, outcome, i, &q);
        Some((
            Cow::Owned(before.into_owned()),
            text.map(|t| Cow::Owned(t.into_owned())),
            Cow::Owned(after.into_owned()),
            link.map(|l| Cow::Owned(l.into_owned())),
        ))
    };
    head.facts = parts
        .iter()
        .map(|part| fact_entry(ws, outcome, &groups, part, &mut take))
        .collect();
    head
}

/// Everything of the report but its facts' entries.
fn head<'w>(
    ws: &'w Workspace,
    outcome: &Outcome<'w>,
    digest: digest::Digest,
    supported: usize,
    text_of: &TextOf<'_>,
) -> Report<'w> {
    let facts = Vec::new();
    // Citations per source, counted in one pass (not once per source).
    let mut cited: HashMap<&str, usize> = HashMap::new();
    for (_, c) in ws.citations() {
        *cited.entry(c.source()).or_default() += 1;
    }
    let reports: HashMap<&str, &crate::outcome::SourceReport> = outcome
        .sources
        .iter()
        .rev()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let sources = ws
        .sources
        .iter()
        .map(|s| {
            let report = reports.get(s.id.as_str()).copied();
            SourceEntry {
                id: &s.id,
                title: s.title.as_deref(),
                outlet: &s.outlet,
                origin: s.effective_origin(),
                url: s.url.as_deref(),
                language: s.language.as_deref(),
                published: s.published.as_deref(),
                captured: s.captured.as_deref(),
                sha256: &s.sha256,
                status: report
                    .map(|r| match (&r.pending, r.status) {
                        (Some(_), crate::snapshot::Status::Ok) => "capture-pending",
                        (_, st) => st.as_str(),
                    })
                    .unwrap_or("not-checked"),
                citations: cited.get(s.id.as_str()).copied().unwrap_or(0),
                revisions: revisions(s, &outcome.citations, text_of),
                pending_sha256: report
                    .and_then(|r| r.pending.as_ref())
                    .and_then(|p| p.sha256.clone()),
                capture: None,
            }
        })
        .collect();
    Report {
        schema: SCHEMA.to_string(),
        tool: format!("prov {}", env!("CARGO_PKG_VERSION")),
        generated: crate::clock::source_date_epoch_rfc3339(),
        workspace: digest,
        summary: Summary {
            claims: outcome.claims,
            citations: outcome.citations.len(),
            sources: ws.sources.len(),
            errors: outcome.errors(),
            warnings: outcome.warnings(),
            facts_supported: supported,
        },
        facts,
        sources,
        findings: outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity >= crate::diag::Severity::Warning)
            .filter(|d| {
                d.code.kind() == crate::diag::CodeKind::Source
                    || d.about_pending
                    // Hidden characters outside quotes: in a fact, a title, a comment.
                    || (d.code == crate::diag::Code::HiddenCharacter && d.citation.is_none())
            })
            .map(|d| FindingEntry {
                code: d.code.as_str().to_string(),
                severity: d.severity,
                message: d.message.clone(),
                file: d.loc.as_ref().map(|l| ws.files.get(l.file).path.clone()),
                line: d
                    .loc
                    .as_ref()
                    .map(|l| ws.files.get(l.file).line_col(l.start()).0),
            })
            .collect(),
    }
}

/// Write `r` byte for byte as `serde_json::to_writer_pretty` does, with its facts, sources and
/// findings pretty-printed in parallel batches and written in order: on a 100k-citation
/// workspace serialising the report on one core was half of `prov report --format json`.
///
/// # Errors
/// When serialising or writing fails.
pub fn write_json<W: crate::escape::SafeWrite>(w: &mut W, r: &Report<'_>) -> std::io::Result<()> {
    write_json_with(w, r, &|w| {
        crate::render::json::write_nested_elements(w, r.facts.len(), &|out, k| {
            r.facts[k].write_json(out, 2);
        })
    })
}

/// [`write_json`] of a prepared report: each fact's entry is made as it is written, in
/// parallel batches, and dropped once written.
///
/// # Errors
/// When serialising or writing fails.
pub fn write_json_prepared<W: crate::escape::SafeWrite>(
    w: &mut W,
    p: &Prepared<'_, '_>,
) -> std::io::Result<()> {
    write_json_with(w, &p.head, &|w| {
        crate::render::json::write_nested_elements(w, p.parts.len(), &|out, k| match p.entry(k) {
            Some(e) => e.write_json(out, 2),
            None => crate::render::pretty::null(out),
        })
    })
}

/// The report as JSON, its facts written by `facts`.
fn write_json_with<W: crate::escape::SafeWrite>(
    w: &mut W,
    r: &Report<'_>,
    facts: &dyn Fn(&mut W) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use crate::render::json::{write_nested, write_nested_array};
    // The derive's field order.
    w.write_all(b"{\n  \"schema\": ")?;
    write_nested(w, &r.schema)?;
    w.write_all(b",\n  \"tool\": ")?;
    write_nested(w, &r.tool)?;
    w.write_all(b",\n  \"generated\": ")?;
    write_nested(w, &r.generated)?;
    w.write_all(b",\n  \"workspace\": ")?;
    write_nested(w, &r.workspace)?;
    w.write_all(b",\n  \"summary\": ")?;
    write_nested(w, &r.summary)?;
    w.write_all(b",\n  \"facts\": ")?;
    facts(w)?;
    w.write_all(b",\n  \"sources\": ")?;
    write_nested_array(w, &r.sources)?;
    w.write_all(b",\n  \"findings\": ")?;
    write_nested_array(w, &r.findings)?;
    w.write_all(b"\n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A quote's parts come back from the one string they are held in, empty ones and absent
    /// ones apart, and its link is made from the context terms it holds.
    #[test]
    fn a_held_quote_gives_back_its_parts() {
        let url = "https://x.test/p";
        let parts = |q: &Quoted| {
            (
                q.before().to_string(),
                q.text().map(str::to_string),
                q.after().to_string(),
                q.link(url, "the quote"),
            )
        };
        let cases = [
            (
                "Before. ",
                Some("the “text”"),
                " after…",
                Some(("a%20b", "c")),
            ),
            ("", None, "", None),
            ("é", Some(""), "", Some(("", ""))),
            ("", None, "after", Some(("", "l"))),
            ("", None, "", Some(("p", ""))),
        ];
        for (before, text, after, link) in cases {
            let d = Draft {
                before: before.into(),
                text: text.map(Into::into),
                after: after.into(),
                link: link.map(|(prefix, suffix): (&str, &str)| fragment::LinkContext {
                    prefix: prefix.into(),
                    suffix: suffix.into(),
                }),
            };
            let q = Quoted::new(&d).expect("short parts");
            assert_eq!(
                parts(&q),
                (
                    before.to_string(),
                    text.map(str::to_string),
                    after.to_string(),
                    link.map(|(p, s)| fragment::link_with(url, p, "the quote", s))
                )
            );
            assert_eq!(d.text("the quote"), text.unwrap_or("the quote"));
        }
    }

    /// The JSON written fact by fact (and the parallel writer of a built report) is byte for
    /// byte serde_json's pretty print of the built report; the Markdown and HTML of the
    /// prepared report are those of the built one.
    #[test]
    fn prepared_json_is_the_built_reports() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let ws = crate::workspace::load(root).expect("the example workspace loads");
        let parents = crate::files::Parents::default();
        let text_of = |id: &str, revision: Option<&str>| -> Option<String> {
            pinned_text(&ws, id, revision, &parents)
        };
        let full = Default::default();
        let one_file = crate::check::Options {
            only_files: Some(vec![ws.claim_files[0]]),
            ..Default::default()
        };
        for opts in [&full, &one_file] {
            // Each report takes the quotes its check gathered.
            let (outcome, quotes) = check(&ws, opts);
            let (again, quotes_again) = check(&ws, opts);
            let digest = digest::compute(root).expect("digest");
            let mut r = build(&ws, (&outcome, quotes), digest.clone(), &text_of);
            attach_evidence(&mut r, &ws);
            assert!(!r.facts.is_empty());
            let want = serde_json::to_string_pretty(&r).expect("serialises");
            // What prov writes: serde_json's document, sanitised.
            let want = crate::escape::json(&want).into_owned().into_bytes();
            let mut got = Vec::new();
            write_json(&mut got, &r).expect("writes");
            assert!(got == want, "write_json differs from serde_json");
            let mut p = prepare(&ws, (&again, quotes_again), digest, &text_of);
            attach_evidence(&mut p.head, &ws);
            let mut got = Vec::new();
            write_json_prepared(&mut got, &p).expect("writes");
            assert!(got == want, "write_json_prepared differs from serde_json");
            // The Markdown and HTML laid out entry by entry are those of the built report.
            assert!(md::render(&p) == md::render(&r), "Markdown differs");
            assert!(html::render(&p) == html::render(&r), "HTML differs");
        }
    }

    /// `context` of the chars `[s, e)` of `text`.
    fn context_of(text: &str, s: usize, e: usize, max: usize) -> (String, String) {
        let view = CharText::new(text);
        context(
            text,
            view.byte_of(s).unwrap(),
            view.byte_of(e).unwrap(),
            max,
        )
    }

    /// The definition `context` is held to, on code-point indices into the decoded text: the
    /// code before it walked a decoded window the same way.
    fn context_by_index(text: &str, s: usize, e: usize, max: usize) -> (String, String) {
        let chars: Vec<char> = text.chars().collect();
        let len = chars.len();
        let at = |i: usize| chars.get(i).copied();
        let boundary = |i: usize| at(i).is_some_and(|c| ends_sentence(c, at(i + 1)));
        let string = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
        let mut b = s;
        let mut ends = 0;
        while b > 0 && s - b < max {
            if b < s && boundary(b - 1) {
                ends += 1;
                if ends == 2 {
                    break;
                }
            }
            b -= 1;
        }
        let mut a = e;
        while a < len && a - e < max {
            a += 1;
            if a > e + 1 && boundary(a - 1) {
                break;
            }
        }
        let mut before = string(b, s);
        let mut after = string(e, a);
        if b > 0 && !boundary(b - 1) {
            if let Some(i) = before.find(char::is_whitespace) {
                before = before[i..].to_string();
            }
            before = format!("…{}", before.trim_start());
        }
        if a < len && (a == 0 || !boundary(a - 1)) {
            if let Some(i) = after.rfind(char::is_whitespace) {
                after.truncate(i);
            }
            after.push('…');
        }
        (
            before.trim_start().to_string(),
            after.trim_end().to_string(),
        )
    }

    #[test]
    fn context_is_about_a_sentence_either_side() {
        let t = "Un. Deux trois. La victime avait 66 ans. Quatre cinq. Six.";
        let s = 16;
        let e = s + "La victime avait 66 ans.".chars().count();
        let (b, a) = context_of(t, s, e, 240);
        assert_eq!(b, "Deux trois. ");
        assert_eq!(a, " Quatre cinq.");
        // A paragraph break counts once: the previous paragraph's last sentence is shown.
        let (b, _) = context_of("Un. Deux.\n\nTrois quatre cinq.", 17, 23, 240);
        assert_eq!(b, "Deux.\n\nTrois ");
    }

    #[test]
    fn context_stops_at_the_limit() {
        let text = "mot ".repeat(250);
        let (b, a) = context_of(&text, 500, 510, 50);
        assert!(b.starts_with('…') && b.chars().count() <= 51, "{b:?}");
        assert!(a.ends_with('…') && a.chars().count() <= 51, "{a:?}");
    }

    /// The context walked on bytes is the one of its definition on code-point indices, and
    /// the `NEAR` spans are the code points either side.
    #[test]
    fn context_is_its_definition() {
        let french = "Un été. Très chaud!\n\nÀ Tirana… l’ambassade a fermé. 3.000 personnes? Oui. ";
        let english = "One. Two three!\n\nThe embassy closed. 3.000 people? Yes. U.S. envoy left. ";
        // All ASCII, ASCII around non-ASCII, and non-ASCII throughout.
        let mixed = format!("{}{}{}", english.repeat(8), french, english.repeat(8));
        for text in [english.repeat(12), mixed, french.repeat(12), String::new()] {
            let view = CharText::new(&text);
            let n = view.len_chars();
            let chars: Vec<char> = text.chars().collect();
            for max in [0, 1, 5, 17, 60, 240] {
                for s in (0..=n).step_by(7) {
                    for e in [s, s + 1, s + 9, s + 40].into_iter().filter(|&e| e <= n) {
                        assert_eq!(
                            context_of(&text, s, e, max),
                            context_by_index(&text, s, e, max),
                            "{s}..{e} max {max}"
                        );
                        let (bs, be) = (view.byte_of(s).unwrap(), view.byte_of(e).unwrap());
                        let near = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
                        assert_eq!(
                            text[chars_before(&text, bs, max)..bs],
                            near(s.saturating_sub(max), s)
                        );
                        assert_eq!(
                            text[be..chars_after(&text, be, max)],
                            near(e, (e + max).min(n))
                        );
                    }
                }
            }
        }
    }

    proptest::proptest! {
        /// On long texts of words in one-, two-, three- and four-byte letters, with sentence
        /// ends here and there: the walks that skip eight bytes at a time, near the limit and
        /// far from it.
        #[test]
        fn context_is_its_definition_in_long_texts(
            text in "([a-z]{1,9}|[éü]{1,4}|[’€]{1,3}|😀|[ \u{a0}]|[.!?\n…]){0,120}",
            s in 0usize..400,
            len in 0usize..40,
            max in 0usize..300,
        ) {
            held_to_definition(&text, s, len, max);
        }

        /// On texts of sentence ends, spaces, line breaks and multi-byte letters.
        #[test]
        fn context_is_its_definition_everywhere(
            text in "[a. !?\n…é’\t\u{a0}\u{2003}]{0,40}",
            s in 0usize..45,
            len in 0usize..12,
            max in 0usize..12,
        ) {
            held_to_definition(&text, s, len, max);
        }
    }

    /// `context` of the chars from `s` (`len` of them, both clipped to the text) is its
    /// definition, and so are the `max` code points either side of them.
    fn held_to_definition(text: &str, s: usize, len: usize, max: usize) {
        let n = text.chars().count();
        let s = s.min(n);
        let e = (s + len).min(n);
        assert_eq!(
            context_of(text, s, e, max),
            context_by_index(text, s, e, max)
        );
        let view = CharText::new(text);
        let (bs, be) = (view.byte_of(s).unwrap(), view.byte_of(e).unwrap());
        assert_eq!(
            Some(chars_before(text, bs, max)),
            view.byte_of(s.saturating_sub(max))
        );
        assert_eq!(
            Some(chars_after(text, be, max)),
            view.byte_of((e + max).min(n))
        );
    }
}

//! The JSON format: one document, schema `prov-check/1` (docs/json.md). Field names are part
//! of the contract: renaming one bumps the schema version.

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;

use crate::check::FactFindingMaker;
use crate::diag::{Code, Diagnostic, Severity};
use crate::escape::SafeWrite;
use crate::facts::{Fact, OriginSupport};
use crate::files::Files;
use crate::outcome::{CitationReport, FactOf, Outcome};
use crate::snapshot::Status;
use crate::verdict::{Strategy, Verdict};
use crate::workspace::Flag;
use crate::workspace::{Stance, Workspace};

use super::pretty::{self, Object, Pretty};

pub const SCHEMA: &str = "prov-check/1";

#[derive(Serialize)]
pub struct Document<'a> {
    pub schema: &'static str,
    pub summary: Summary,
    pub sources: Vec<SourceJson<'a>>,
    /// The long arrays are serialised element by element as the output is written: a
    /// 100k-citation document is never held in memory whole.
    pub citations: Lazy<'a, CitationReport<'a>, &'a Workspace, CitationJson<'a>>,
    pub facts: Lazy<'a, FactOf, &'a Outcome<'a>, FactOut<'a>>,
    pub diagnostics: Findings<'a>,
}

/// One of the document's long arrays, each element made from its item (and a shared context)
/// only when it is written.
pub struct Lazy<'a, T, C, J> {
    items: &'a [T],
    context: C,
    make: fn(C, &'a T) -> J,
}

impl<'a, T, C: Copy, J> Lazy<'a, T, C, J> {
    fn get(&self, i: usize) -> J {
        (self.make)(self.context, &self.items[i])
    }
}

impl<'a, T: Sync, C: Copy + Sync, J: Serialize> Serialize for Lazy<'a, T, C, J> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((0..self.items.len()).map(|i| self.get(i)))
    }
}

/// The findings array: the findings the check held, then those it made on demand (the
/// facts', with `check::Options::fact_findings_on_demand`), each made as it is written.
pub struct Findings<'a> {
    files: &'a Files,
    out: &'a Outcome<'a>,
}

impl<'a> Findings<'a> {
    fn len(&self) -> usize {
        self.out.diagnostics.len() + self.out.fact_findings.order.len()
    }

    /// Finding `i`; `made` makes those made on demand (one maker for a run of them shares each
    /// fact among its findings).
    fn get(&self, i: usize, made: &mut FactFindingMaker) -> FindingOut<'a> {
        match self.out.diagnostics.get(i) {
            Some(d) => FindingOut::Held(diagnostic(self.files, d)),
            None => FindingOut::Made(
                made.make(self.out.fact_findings.order[i - self.out.diagnostics.len()]),
                self.files,
            ),
        }
    }
}

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut made = FactFindingMaker::new(self.out);
        s.collect_seq((0..self.len()).map(|i| self.get(i, &mut made)))
    }
}

/// One element of [`Findings`].
pub enum FindingOut<'a> {
    Held(DiagnosticJson<'a>),
    Made(Diagnostic, &'a Files),
}

impl Serialize for FindingOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FindingOut::Held(d) => d.serialize(s),
            FindingOut::Made(d, files) => diagnostic(files, d).serialize(s),
        }
    }
}

/// Elements per parallel task when a long array is written: 128, not 256, took 4.6 MB off
/// the peak RSS of a 100k-citation check at the same speed (the rendered windows are held
/// while they are written).
const BATCH: usize = 128;
/// Batches rendered per core before they are written, in order: enough to keep every core
/// busy, few enough that the rendered text held at once stays small (64 batches on two cores
/// added 20 MB to the peak RSS of a 100k-citation check).
const BATCHES_PER_CORE: usize = 4;

/// Write `doc` byte for byte as `serde_json::to_writer_pretty` does, with the long arrays
/// rendered on every core: on a 100k-citation workspace (147 MB of JSON) serialising on one
/// core was a fifth of the whole check.
///
/// # Errors
/// When writing fails.
pub fn write_pretty<W: SafeWrite>(w: &mut W, doc: &Document<'_>) -> io::Result<()> {
    write_pretty_in(w, doc, BATCH)
}

fn write_pretty_in<W: SafeWrite>(w: &mut W, doc: &Document<'_>, batch: usize) -> io::Result<()> {
    // The derive's field order; each value pretty-printed one level in.
    w.write_all(b"{\n  \"schema\": ")?;
    write_nested(w, &doc.schema)?;
    w.write_all(b",\n  \"summary\": ")?;
    write_nested(w, &doc.summary)?;
    // The arrays' elements are written by hand (`Element`), byte for byte as their derive.
    w.write_all(b",\n  \"sources\": ")?;
    let sources = |out: &mut Vec<u8>, i: usize| {
        doc.sources[i].write(out, 2);
        Ok(())
    };
    write_elements(w, doc.sources.len(), &sources, batch)?;
    w.write_all(b",\n  \"citations\": ")?;
    write_array(w, &doc.citations, batch)?;
    w.write_all(b",\n  \"facts\": ")?;
    write_array(w, &doc.facts, batch)?;
    w.write_all(b",\n  \"diagnostics\": ")?;
    let d = &doc.diagnostics;
    // A batch's findings made on demand share each fact among its findings.
    let findings = |out: &mut Vec<u8>, range: Range<usize>| {
        let mut made = FactFindingMaker::new(d.out);
        each(out, range, |out, i| {
            d.get(i, &mut made).write(out, 2);
            Ok(())
        })
    };
    write_batches(w, d.len(), &findings, batch)?;
    w.write_all(b"\n}")
}

/// A top-level array, its elements pretty-printed in parallel batches and written in order.
fn write_array<'a, W, T, C, J>(w: &mut W, e: &Lazy<'a, T, C, J>, batch: usize) -> io::Result<()>
where
    W: SafeWrite,
    T: Sync,
    C: Copy + Sync,
    J: Element,
{
    write_elements(
        w,
        e.items.len(),
        &|out, i| {
            e.get(i).write(out, 2);
            Ok(())
        },
        batch,
    )
}

/// A slice as a top-level field's array (one level in), byte for byte as
/// `serde_json::to_writer_pretty` writes it inside an object, its elements pretty-printed in
/// parallel batches and written in order (`prov report --format json`).
///
/// # Errors
/// When serialising or writing fails.
pub fn write_nested_array<W: SafeWrite, T: Serialize + Sync>(
    w: &mut W,
    items: &[T],
) -> io::Result<()> {
    write_elements(
        w,
        items.len(),
        &|out, i| write_indented(out, &items[i], 2),
        BATCH,
    )
}

/// A top-level field's array (one level in) of the elements `0..n`, each appended by `render`
/// by hand (two levels in, sanitised as it is written: see [`write_elements`]), rendered in
/// parallel batches and written in order.
///
/// # Errors
/// When writing fails.
pub fn write_nested_elements<W: SafeWrite>(
    w: &mut W,
    n: usize,
    render: &(dyn Fn(&mut Vec<u8>, usize) + Sync),
) -> io::Result<()> {
    write_elements(
        w,
        n,
        &|out, i| {
            render(out, i);
            Ok(())
        },
        BATCH,
    )
}

/// A value as a top-level field's value (one level in), as `serde_json::to_writer_pretty`
/// writes it inside an object.
///
/// # Errors
/// When serialising or writing fails.
pub fn write_nested<W: Write, T: Serialize>(w: &mut W, v: &T) -> io::Result<()> {
    let mut out = Vec::new();
    write_indented(&mut out, v, 1)?;
    w.write_all(&out)
}

/// Elements `0..n` as a pretty-printed array one level in, each appended by `render` (two
/// levels in), in parallel batches ([`write_batches`]).
fn write_elements<W: SafeWrite>(
    w: &mut W,
    n: usize,
    render: &(dyn Fn(&mut Vec<u8>, usize) -> io::Result<()> + Sync),
    batch: usize,
) -> io::Result<()> {
    write_batches(w, n, &|out, range| each(out, range, render), batch)
}

/// Append the elements `range` of a top-level field's array, each after its separator, each
/// appended by `render`.
fn each(
    out: &mut Vec<u8>,
    range: Range<usize>,
    mut render: impl FnMut(&mut Vec<u8>, usize) -> io::Result<()>,
) -> io::Result<()> {
    for i in range {
        out.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
        render(out, i)?;
    }
    Ok(())
}

/// Appends a batch of a long array's elements (see [`write_batches`]).
type RenderBatch<'r> = dyn Fn(&mut Vec<u8>, Range<usize>) -> io::Result<()> + Sync + 'r;

/// Elements `0..n` as a pretty-printed array one level in, each batch of them appended by
/// `render` at once (with [`each`]: a batch's elements may share what they are made from).
///
/// A window of batches is rendered on every core while the window before it is written on
/// this thread. Each batch is rendered already sanitised (every string is written by
/// [`pretty::string`] or the [`Pretty`] formatter, which escape what the output sanitiser
/// would), and begins and ends with ASCII, so the writer takes it unscanned
/// ([`SafeWrite::write_safe`]).
fn write_batches<W: SafeWrite>(
    w: &mut W,
    n: usize,
    render: &RenderBatch<'_>,
    batch: usize,
) -> io::Result<()> {
    if n == 0 {
        return w.write_all(b"[]");
    }
    w.write_all(b"[")?;
    let starts: Vec<usize> = (0..n).step_by(batch.max(1)).collect();
    let window = BATCHES_PER_CORE * rayon::current_num_threads().max(1);
    // The batches' buffers, given back once written and rendered into again: each grows to the
    // size of a batch once, and none is freed on the writer's thread while its memory belongs
    // to a renderer's (the allocator keeps such memory resident until that thread allocates
    // again: 2 MB a window, piling up through a 150 MB array).
    let spare: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::default();
    let take = || {
        let mut out = spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_default();
        out.clear();
        out
    };
    let render_window = |window: &[usize]| -> io::Result<Vec<Vec<u8>>> {
        window
            .par_iter()
            .map(|&start| {
                let mut out = take();
                render(&mut out, start..n.min(start + batch))?;
                Ok(out)
            })
            .collect()
    };
    std::thread::scope(|scope| {
        // A rendezvous: at most one window waits rendered while another is written.
        let (tx, rx) = std::sync::mpsc::sync_channel(0);
        scope.spawn(move || {
            for window in starts.chunks(window) {
                if tx.send(render_window(window)).is_err() {
                    break; // the writer failed: stop rendering
                }
            }
        });
        for texts in rx {
            for t in texts? {
                // Rendered with every string already sanitised: written as it is.
                w.write_safe(&t)?;
                if let Ok(mut s) = spare.lock() {
                    s.push(t);
                }
            }
        }
        Ok::<(), io::Error>(())
    })?;
    w.write_all(b"\n  ]")
}

/// Append `v` as `serde_json::to_writer_pretty` writes it, nested `level` levels in (every line
/// after the first indented by two spaces per level more): straight into `out`, with no second
/// pass to re-indent it.
fn write_indented<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T, level: usize) -> io::Result<()> {
    let mut s = serde_json::Serializer::with_formatter(
        out,
        Pretty {
            level,
            has_value: false,
        },
    );
    v.serialize(&mut s).map_err(io::Error::from)
}

/// An element of the document's long arrays, written by hand as its derive writes it (a
/// tenth of a large check's time was serde_json escaping strings a byte at a time): each field
/// in the order of its declaration, under its name. The tests hold each to its derive.
trait Element {
    /// Append it, pretty-printed `level` levels in.
    fn write(&self, out: &mut Vec<u8>, level: usize);
}

impl Element for CitationJson<'_> {
    fn write(&self, out: &mut Vec<u8>, level: usize) {
        let mut o = Object::new(out, level);
        let inner = o.inner();
        o.str("claim", self.claim);
        o.str("source", self.source);
        o.str("file", self.file);
        o.uint("line", self.line as usize);
        o.str("quote", self.quote);
        o.opt_pair("span", self.span);
        o.str("stance", self.stance.as_str());
        o.opt_str("said_by", self.said_by);
        o.opt_str("origin", self.origin);
        o.opt_str("revision", self.revision);
        o.opt_str("verdict", self.verdict.map(Verdict::as_str));
        o.opt_str("strategy", self.strategy.map(Strategy::as_str));
        o.opt_pair("found", self.found);
        o.pairs("candidates", &self.candidates);
        o.uint("candidates_total", self.candidates_total);
        o.opt_uint("errors", self.errors);
        o.opt_str("code", self.code.map(Code::as_str));
        o.opt_str("severity", self.severity.map(Severity::as_str));
        o.str("message", &self.message);
        match &self.pending {
            Some(p) => p.write(o.key("pending"), inner),
            None => pretty::null(o.key("pending")),
        }
        o.end();
    }
}

impl Element for SourceJson<'_> {
    fn write(&self, out: &mut Vec<u8>, level: usize) {
        let mut o = Object::new(out, level);
        o.str("id", self.id);
        o.str("sha256", self.sha256);
        o.opt_str("actual_sha256", self.actual_sha256);
        o.str("status", self.status);
        o.uint("citations", self.citations);
        o.opt_str("pending_sha256", self.pending_sha256);
        o.end();
    }
}

impl Element for PendingJson<'_> {
    fn write(&self, out: &mut Vec<u8>, level: usize) {
        let mut o = Object::new(out, level);
        o.str("verdict", self.verdict.as_str());
        o.str("strategy", self.strategy.as_str());
        o.opt_pair("found", self.found);
        o.pairs("candidates", &self.candidates);
        o.uint("candidates_total", self.candidates_total);
        o.opt_uint("errors", self.errors);
        o.opt_str("text", self.text);
        o.end();
    }
}

impl Element for DiagnosticJson<'_> {
    fn write(&self, out: &mut Vec<u8>, level: usize) {
        let mut o = Object::new(out, level);
        o.str("code", self.code.as_str());
        o.str("severity", self.severity.as_str());
        o.str("message", self.message);
        o.opt_str("file", self.file);
        o.opt_uint("line", self.line);
        o.opt_uint("column", self.column);
        o.opt_uint("end_line", self.end_line);
        o.opt_uint("end_column", self.end_column);
        o.opt_str("label", self.label);
        o.strs("notes", self.notes);
        o.opt_str("help", self.help);
        o.opt_uint("citation", self.citation);
        o.end();
    }
}

impl Element for FindingOut<'_> {
    fn write(&self, out: &mut Vec<u8>, level: usize) {
        match self {
            FindingOut::Held(d) => d.write(out, level),
            FindingOut::Made(d, files) => diagnostic(files, d).write(out, level),
        }
    }
}

impl Element for OriginSupport<'_> {
    fn write(&self, out: &mut Vec<u8>, level: usize) {
        let mut o = Object::new(out, level);
        o.str("origin", self.origin);
        o.strs("outlets", &self.outlets);
        o.uint("citations", self.citations);
        o.strs("only_reports", &self.only_reports);
        o.bool("unknown", self.unknown);
        o.strs("sources", &self.sources);
        o.end();
    }
}

impl Element for FactJson<'_> {
    fn write(&self, out: &mut Vec<u8>, level: usize) {
        let mut o = Object::new(out, level);
        let inner = o.inner();
        o.str("claim", self.claim);
        o.str("fact", self.fact);
        o.strs("supports", &self.supports);
        o.strs("contradicts", &self.contradicts);
        o.uint("independent_origins", self.independent_origins);
        o.strs("flags", self.flags.iter().map(|f| f.as_str()));
        o.strs("errors", self.errors.iter().map(|f| f.as_str()));
        for (key, detail) in [
            ("support_detail", self.support_detail),
            ("contradict_detail", self.contradict_detail),
        ] {
            pretty::array(o.key(key), inner, detail, |out, l, s| s.write(out, l));
        }
        o.uint("supports_not_holding", self.supports_not_holding);
        o.uint("contradicts_not_holding", self.contradicts_not_holding);
        o.end();
    }
}

impl Element for FactOut<'_> {
    fn write(&self, out: &mut Vec<u8>, level: usize) {
        fact(&self.0).write(out, level);
    }
}

/// Who asserts one fact.
#[derive(Serialize)]
pub struct FactJson<'a> {
    pub claim: &'a str,
    pub fact: &'a str,
    /// Supporting origins that hold (labels: the origin, or `? outlet` when unknown).
    pub supports: Vec<String>,
    pub contradicts: Vec<String>,
    /// Independent origins among the supports (unknown origins count zero).
    pub independent_origins: usize,
    pub flags: Vec<Flag>,
    /// The flags that are errors (unsupported, or raised by policy / --deny).
    pub errors: Vec<Flag>,
    /// Per origin: outlets, sources, citations that hold, parties only reported.
    pub support_detail: &'a [OriginSupport<'a>],
    pub contradict_detail: &'a [OriginSupport<'a>],
    pub supports_not_holding: usize,
    pub contradicts_not_holding: usize,
}

#[derive(Serialize)]
pub struct Summary {
    pub sources: usize,
    pub claims: usize,
    pub citations: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Sources with a pending capture.
    pub pending: usize,
}

#[derive(Serialize)]
pub struct SourceJson<'a> {
    pub id: &'a str,
    pub sha256: &'a str,
    /// The sha256 of the bytes on disk (null when unreadable).
    pub actual_sha256: Option<&'a str>,
    /// `ok`, `snapshot-missing`, `snapshot-modified`, `snapshot-invalid`, or `capture-pending`
    /// (the snapshot is intact and a new capture awaits review).
    pub status: &'static str,
    pub citations: usize,
    /// The sha256 of the pending capture, when there is one.
    pub pending_sha256: Option<&'a str>,
}

#[derive(Serialize)]
pub struct CitationJson<'a> {
    pub claim: &'a str,
    pub source: &'a str,
    pub file: &'a str,
    pub line: u32,
    pub quote: &'a str,
    pub span: Option<[usize; 2]>,
    pub stance: Stance,
    pub said_by: Option<&'a str>,
    /// The citation's own `origin`, as written (null: its source's origin counts).
    pub origin: Option<&'a str>,
    pub revision: Option<&'a str>,
    /// null when the source could not be read (see `code`).
    pub verdict: Option<Verdict>,
    pub strategy: Option<Strategy>,
    pub found: Option<[usize; 2]>,
    /// The first places (at most 10).
    pub candidates: Vec<[usize; 2]>,
    /// How many places there are in all.
    pub candidates_total: usize,
    /// Edit distance of the closest match, for `changed`.
    pub errors: Option<usize>,
    pub code: Option<Code>,
    pub severity: Option<Severity>,
    pub message: Cow<'a, str>,
    /// The re-anchoring result in a pending capture; null unless one exists.
    pub pending: Option<PendingJson<'a>>,
}

/// A citation re-anchored in a pending capture of its source.
#[derive(Serialize)]
pub struct PendingJson<'a> {
    pub verdict: Verdict,
    pub strategy: Strategy,
    pub found: Option<[usize; 2]>,
    /// The first places (at most 10).
    pub candidates: Vec<[usize; 2]>,
    /// How many places there are in all.
    pub candidates_total: usize,
    pub errors: Option<usize>,
    /// The new text at `found`.
    pub text: Option<&'a str>,
}

#[derive(Serialize)]
pub struct DiagnosticJson<'a> {
    pub code: Code,
    pub severity: Severity,
    pub message: &'a str,
    pub file: Option<&'a str>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub label: Option<&'a str>,
    pub notes: &'a [Cow<'static, str>],
    pub help: Option<&'a str>,
    /// Index into `citations`, when the finding is about one.
    pub citation: Option<usize>,
}

fn pair(p: (usize, usize)) -> [usize; 2] {
    [p.0, p.1]
}

pub fn diagnostics<'a>(files: &'a Files, diags: &'a [Diagnostic]) -> Vec<DiagnosticJson<'a>> {
    diags.iter().map(|d| diagnostic(files, d)).collect()
}

fn diagnostic<'a>(files: &'a Files, d: &'a Diagnostic) -> DiagnosticJson<'a> {
    let (file, start, end) = match &d.loc {
        Some(loc) => {
            let f = files.get(loc.file);
            (
                Some(f.path.as_str()),
                Some(f.line_col(loc.start())),
                Some(f.line_col(loc.end())),
            )
        }
        None => (None, None, None),
    };
    DiagnosticJson {
        code: d.code,
        severity: d.severity,
        message: &d.message,
        file,
        line: start.map(|p| p.0),
        column: start.map(|p| p.1),
        end_line: end.map(|p| p.0),
        end_column: end.map(|p| p.1),
        label: d.label.as_deref(),
        notes: &d.notes,
        help: d.help.as_deref(),
        citation: d.citation,
    }
}

pub fn document<'a>(ws: &'a Workspace, out: &'a Outcome<'a>) -> Document<'a> {
    Document {
        schema: SCHEMA,
        summary: Summary {
            sources: out.sources.len(),
            claims: out.claims,
            citations: out.citations.len(),
            errors: out.errors(),
            warnings: out.warnings(),
            pending: out.sources.iter().filter(|s| s.pending.is_some()).count(),
        },
        sources: out
            .sources
            .iter()
            .map(|s| SourceJson {
                id: &s.id,
                sha256: &s.sha256,
                actual_sha256: s.actual.as_deref(),
                status: match (&s.pending, s.status) {
                    (Some(_), Status::Ok) => "capture-pending",
                    (_, st) => st.as_str(),
                },
                citations: s.citations,
                pending_sha256: s.pending.as_ref().and_then(|p| p.sha256.as_deref()),
            })
            .collect(),
        citations: Lazy {
            items: &out.citations,
            context: ws,
            make: citation,
        },
        facts: Lazy {
            items: out.facts.list(),
            context: out,
            make: |out, of| FactOut(out.fact(of)),
        },
        diagnostics: Findings {
            files: &ws.files,
            out,
        },
    }
}

fn citation<'a>(ws: &'a Workspace, c: &'a CitationReport) -> CitationJson<'a> {
    let anchor = c.anchor();
    CitationJson {
        claim: c.claim(ws).id(),
        source: c.cite.source(),
        file: &ws.files.get(c.cite.file()).path,
        line: c.line(ws),
        quote: c.cite.quote(),
        span: c.cite.span().map(pair),
        stance: c.cite.stance,
        said_by: c.cite.said_by(),
        origin: c.cite.origin(),
        revision: c.revision(ws),
        verdict: c.verdict(),
        strategy: anchor.as_ref().map(|a| a.strategy),
        found: c.found().map(pair),
        candidates: anchor
            .as_ref()
            .map(|a| a.candidates.iter().copied().map(pair).collect())
            .unwrap_or_default(),
        candidates_total: anchor.as_ref().map_or(0, |a| a.candidates_total),
        errors: anchor.as_ref().and_then(|a| a.errors),
        code: c.code(),
        severity: c.severity(),
        message: c.message(ws),
        pending: c.pending.as_ref().map(|p| PendingJson {
            verdict: p.anchor.verdict,
            strategy: p.anchor.strategy,
            found: p.anchor.found.map(pair),
            candidates: p.anchor.candidates.iter().copied().map(pair).collect(),
            candidates_total: p.anchor.candidates_total,
            errors: p.anchor.errors,
            text: p.found_text.as_deref(),
        }),
    }
}

/// A fact made as it is written ([`Outcome::fact`]), serialised as its [`FactJson`].
pub struct FactOut<'w>(Fact<'w>);

impl Serialize for FactOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fact(&self.0).serialize(s)
    }
}

fn fact<'a>(f: &'a Fact<'_>) -> FactJson<'a> {
    FactJson {
        claim: f.claim,
        fact: f.fact,
        supports: f.supports.iter().map(OriginSupport::label).collect(),
        contradicts: f.contradicts.iter().map(OriginSupport::label).collect(),
        independent_origins: f.independent_origins,
        flags: f.flags.clone(),
        errors: f.errors.clone(),
        support_detail: &f.supports,
        contradict_detail: &f.contradicts,
        supports_not_holding: f.supports_not_holding,
        contradicts_not_holding: f.contradicts_not_holding,
    }
}

/// The document for a workspace that could not be loaded (exit 2).
#[derive(Serialize)]
pub struct InvalidDocument<'a> {
    pub schema: &'static str,
    pub summary: Summary,
    pub diagnostics: Vec<DiagnosticJson<'a>>,
}

pub fn invalid<'a>(files: &'a Files, diags: &'a [Diagnostic]) -> InvalidDocument<'a> {
    InvalidDocument {
        schema: SCHEMA,
        summary: Summary {
            sources: 0,
            claims: 0,
            citations: 0,
            errors: diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count(),
            warnings: diags
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count(),
            pending: 0,
        },
        diagnostics: diagnostics(files, diags),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::check::{self, Options};

    /// The facts' findings made as they are written give the very document of those held:
    /// the same elements in the same order, and the same counts.
    #[test]
    fn fact_findings_on_demand_are_the_held_ones() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let ws = crate::workspace::load(root).expect("the example workspace loads");
        let mut seen = std::collections::BTreeSet::new();
        for deny in [Vec::new(), vec![Flag::SingleOrigin, Flag::UnknownOrigin]] {
            let held = check::check(
                &ws,
                &Options {
                    deny: deny.clone(),
                    ..Options::default()
                },
            );
            let made = check::check(
                &ws,
                &Options {
                    deny,
                    fact_findings_on_demand: true,
                    ..Options::default()
                },
            );
            assert!(
                !made.fact_findings.order.is_empty(),
                "the example has fact findings"
            );
            assert!(
                made.diagnostics.len() + made.fact_findings.order.len() == held.diagnostics.len()
            );
            assert_eq!(
                (made.errors(), made.warnings()),
                (held.errors(), held.warnings())
            );
            // Each fact's error flag, as both passes record it, is its made fact's.
            let errors: Vec<bool> = held
                .all_facts()
                .iter()
                .map(|f| !f.errors.is_empty())
                .collect();
            seen.extend(errors.iter().copied());
            assert_eq!(held.fact_has_error, errors);
            assert_eq!(made.fact_has_error, errors);
            let bytes = |out| {
                let mut v = Vec::new();
                write_pretty(&mut v, &document(&ws, out)).expect("writes");
                v
            };
            assert!(bytes(&held) == bytes(&made), "the documents differ");
        }
        assert_eq!(seen.len(), 2, "facts with and without an error flag");
    }

    /// A plain enum's name by hand is its serde name.
    #[test]
    fn enum_names_are_their_serde_names() {
        fn serde_name<T: Serialize>(v: T) -> String {
            serde_json::to_value(v)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        }
        for v in Verdict::ALL {
            assert_eq!(v.as_str(), serde_name(v));
        }
        for s in STRATEGIES {
            assert_eq!(s.as_str(), serde_name(s));
        }
        for s in [Stance::Supports, Stance::Contradicts] {
            assert_eq!(s.as_str(), serde_name(s));
        }
        for s in [Severity::Note, Severity::Warning, Severity::Error] {
            assert_eq!(s.as_str(), serde_name(s));
        }
        for &c in Code::ALL {
            assert_eq!(c.as_str(), serde_name(c));
        }
        for f in Flag::ALL {
            assert_eq!(f.as_str(), serde_name(f));
        }
    }

    const STRATEGIES: [Strategy; 7] = [
        Strategy::Span,
        Strategy::Diff,
        Strategy::Exact,
        Strategy::Context,
        Strategy::Typography,
        Strategy::Fuzzy,
        Strategy::None,
    ];

    /// A hand-written element next to its derive's bytes, `level` levels in.
    fn both<T: Element + Serialize>(v: &T, level: usize) -> (String, String) {
        let mut by_hand = Vec::new();
        v.write(&mut by_hand, level);
        let mut derived = Vec::new();
        write_indented(&mut derived, v, level).expect("serialises");
        let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
        (text(by_hand), text(derived))
    }

    mod elements {
        use super::*;
        use proptest::prelude::*;
        use proptest::strategy::Strategy as Generate;

        /// Text with what needs escaping, now and then.
        fn text() -> impl Generate<Value = String> {
            "([a-z é😀]{0,6}|[\"\\\n\t\u{0}-\u{1f}\u{7f}])*"
        }

        fn pairs() -> impl Generate<Value = Vec<[usize; 2]>> {
            prop::collection::vec(any::<[usize; 2]>(), 0..3)
        }

        fn pick<T: Copy + std::fmt::Debug + 'static>(
            all: &'static [T],
        ) -> impl Generate<Value = T> {
            prop::sample::select(all)
        }

        proptest! {
            #[test]
            fn a_citation_is_written_as_its_derive(
                strings in prop::collection::vec(text(), 10),
                some in prop::collection::vec(any::<bool>(), 8),
                line in any::<u32>(),
                span in any::<Option<[usize; 2]>>(),
                found in any::<Option<[usize; 2]>>(),
                candidates in pairs(),
                numbers in any::<(usize, Option<usize>, Option<usize>)>(),
                verdict in pick(&Verdict::ALL[..]),
                strategy in pick(&STRATEGIES[..]),
                code in pick(Code::ALL),
                level in 0usize..4,
            ) {
                let pending = PendingJson {
                    verdict,
                    strategy,
                    found,
                    candidates: candidates.clone(),
                    candidates_total: numbers.0,
                    errors: numbers.2,
                    text: some[6].then_some(strings[9].as_str()),
                };
                let c = CitationJson {
                    claim: &strings[0],
                    source: &strings[1],
                    file: &strings[2],
                    line,
                    quote: &strings[3],
                    span,
                    stance: if some[0] { Stance::Supports } else { Stance::Contradicts },
                    said_by: some[1].then_some(strings[4].as_str()),
                    origin: some[2].then_some(strings[5].as_str()),
                    revision: some[3].then_some(strings[6].as_str()),
                    verdict: some[4].then_some(verdict),
                    strategy: some[4].then_some(strategy),
                    found,
                    candidates,
                    candidates_total: numbers.0,
                    errors: numbers.1,
                    code: some[5].then_some(code),
                    severity: some[5].then_some(Severity::Warning),
                    message: Cow::Borrowed(&strings[7]),
                    pending: some[7].then_some(pending),
                };
                let (by_hand, derived) = both(&c, level);
                prop_assert_eq!(by_hand, derived);
            }

            #[test]
            fn a_source_is_written_as_its_derive(
                strings in prop::collection::vec(text(), 5),
                some in any::<[bool; 2]>(),
                citations in any::<usize>(),
                level in 0usize..4,
            ) {
                let s = SourceJson {
                    id: &strings[0],
                    sha256: &strings[1],
                    actual_sha256: some[0].then_some(strings[2].as_str()),
                    status: ["ok", "snapshot-missing", "capture-pending"][citations % 3],
                    citations,
                    pending_sha256: some[1].then_some(strings[3].as_str()),
                };
                let (by_hand, derived) = both(&s, level);
                prop_assert_eq!(by_hand, derived);
            }

            #[test]
            fn a_finding_is_written_as_its_derive(
                strings in prop::collection::vec(text(), 5),
                notes in prop::collection::vec(text(), 0..3),
                numbers in any::<[Option<usize>; 5]>(),
                some in any::<[bool; 3]>(),
                code in pick(Code::ALL),
                level in 0usize..4,
            ) {
                let notes: Vec<Cow<'static, str>> = notes.into_iter().map(Cow::Owned).collect();
                let d = DiagnosticJson {
                    code,
                    severity: if some[0] { Severity::Error } else { Severity::Note },
                    message: &strings[0],
                    file: some[1].then_some(strings[1].as_str()),
                    line: numbers[0],
                    column: numbers[1],
                    end_line: numbers[2],
                    end_column: numbers[3],
                    label: some[2].then_some(strings[2].as_str()),
                    notes: &notes,
                    help: numbers[4].map(|_| strings[3].as_str()),
                    citation: numbers[4],
                };
                let (by_hand, derived) = both(&d, level);
                prop_assert_eq!(by_hand, derived);
            }

            #[test]
            fn a_fact_is_written_as_its_derive(
                strings in prop::collection::vec(text(), 2),
                labels in prop::collection::vec(prop::collection::vec(text(), 0..3), 2),
                origins in prop::collection::vec(
                    (text(), prop::collection::vec(text(), 0..3), any::<(usize, bool)>()),
                    0..3,
                ),
                flags in prop::sample::subsequence(Flag::ALL.to_vec(), 0..=5),
                errors in prop::sample::subsequence(Flag::ALL.to_vec(), 0..=2),
                numbers in any::<[usize; 3]>(),
                level in 0usize..4,
            ) {
                let detail: Vec<OriginSupport> = origins
                    .iter()
                    .map(|(origin, names, (citations, unknown))| OriginSupport {
                        origin,
                        outlets: names.iter().map(String::as_str).collect(),
                        citations: *citations,
                        only_reports: names.iter().rev().map(String::as_str).collect(),
                        unknown: *unknown,
                        sources: names.iter().take(1).map(String::as_str).collect(),
                    })
                    .collect();
                let f = FactJson {
                    claim: &strings[0],
                    fact: &strings[1],
                    supports: labels[0].clone(),
                    contradicts: labels[1].clone(),
                    independent_origins: numbers[0],
                    flags,
                    errors,
                    support_detail: &detail,
                    contradict_detail: &detail[detail.len().min(1)..],
                    supports_not_holding: numbers[1],
                    contradicts_not_holding: numbers[2],
                };
                let (by_hand, derived) = both(&f, level);
                prop_assert_eq!(by_hand, derived);
            }
        }
    }

    /// The parallel writer is byte for byte serde_json's pretty printer, whatever the batch
    /// size: batch edges, the first element and empty arrays included.
    #[test]
    fn parallel_writer_is_serde_json_pretty() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let ws = crate::workspace::load(root).expect("the example workspace loads");
        let full = check::check(&ws, &Options::default());
        assert!(full.citations.len() > 3 && !full.facts.is_empty() && !full.diagnostics.is_empty());
        let one_file = check::check(
            &ws,
            &Options {
                only_files: Some(vec![ws.claim_files[0]]),
                ..Options::default()
            },
        );
        // No claim selected: no citations, no facts.
        let mut empty = check::check(
            &ws,
            &Options {
                only_files: Some(Vec::new()),
                ..Options::default()
            },
        );
        assert!(empty.citations.is_empty() && empty.facts.is_empty());
        empty.diagnostics.clear();
        // The findings array's seam between held and made findings, at every batch edge.
        let on_demand = check::check(
            &ws,
            &Options {
                fact_findings_on_demand: true,
                ..Options::default()
            },
        );
        for out in [&full, &one_file, &empty, &on_demand] {
            let doc = document(&ws, out);
            let want = serde_json::to_string_pretty(&doc).expect("serialises");
            // What prov writes: serde_json's document, sanitised.
            let want = crate::escape::json(&want).into_owned().into_bytes();
            for batch in [1, 2, 3, 7, BATCH] {
                let mut got = Vec::new();
                write_pretty_in(&mut got, &doc, batch).expect("writes");
                assert!(got == want, "batch {batch}: the outputs differ");
            }
        }
    }
}

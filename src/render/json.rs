//! The JSON format: one document, schema `prov-check/1` (docs/json.md). Field names are part
//! of the contract: renaming one bumps the schema version.

use std::borrow::Cow;
use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::diag::{Code, Diagnostic, Severity};
use crate::facts::{Fact, OriginSupport};
use crate::files::Files;
use crate::outcome::{CitationReport, FactOf, Outcome};
use crate::snapshot::Status;
use crate::verdict::{Strategy, Verdict};
use crate::workspace::Flag;
use crate::workspace::{Stance, Workspace};

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

impl<'a, T: Sync, C: Copy + Sync, J: Serialize> Lazy<'a, T, C, J> {
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

    fn get(&self, i: usize) -> FindingOut<'a> {
        match self.out.diagnostics.get(i) {
            Some(d) => FindingOut::Held(diagnostic(self.files, d)),
            None => FindingOut::Made(
                crate::check::fact_finding(
                    self.out,
                    self.out.fact_findings.order[i - self.out.diagnostics.len()],
                ),
                self.files,
            ),
        }
    }
}

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((0..self.len()).map(|i| self.get(i)))
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

/// Elements per parallel task when a long array is written.
const BATCH: usize = 256;
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
pub fn write_pretty<W: Write>(w: &mut W, doc: &Document<'_>) -> io::Result<()> {
    write_pretty_in(w, doc, BATCH)
}

fn write_pretty_in<W: Write>(w: &mut W, doc: &Document<'_>, batch: usize) -> io::Result<()> {
    // The derive's field order; each value pretty-printed one level in.
    w.write_all(b"{\n  \"schema\": ")?;
    write_nested(w, &doc.schema)?;
    w.write_all(b",\n  \"summary\": ")?;
    write_nested(w, &doc.summary)?;
    w.write_all(b",\n  \"sources\": ")?;
    write_nested(w, &doc.sources)?;
    w.write_all(b",\n  \"citations\": ")?;
    write_array(w, &doc.citations, batch)?;
    w.write_all(b",\n  \"facts\": ")?;
    write_array(w, &doc.facts, batch)?;
    w.write_all(b",\n  \"diagnostics\": ")?;
    write_elements(w, doc.diagnostics.len(), &|i| doc.diagnostics.get(i), batch)?;
    w.write_all(b"\n}")
}

/// A top-level array, its elements pretty-printed in parallel batches and written in order.
fn write_array<'a, W, T, C, J>(w: &mut W, e: &Lazy<'a, T, C, J>, batch: usize) -> io::Result<()>
where
    W: Write,
    T: Sync,
    C: Copy + Sync,
    J: Serialize,
{
    write_elements(w, e.items.len(), &|i| e.get(i), batch)
}

/// A slice as a top-level field's array (one level in), byte for byte as
/// `serde_json::to_writer_pretty` writes it inside an object, its elements pretty-printed in
/// parallel batches and written in order (`prov report --format json`).
///
/// # Errors
/// When serialising or writing fails.
pub fn write_nested_array<W: Write, T: Serialize + Sync>(w: &mut W, items: &[T]) -> io::Result<()> {
    write_elements(w, items.len(), &|i| &items[i], BATCH)
}

/// [`write_nested_array`] of the elements `get(0..n)`, each made only when its batch is
/// written.
///
/// # Errors
/// When serialising or writing fails.
pub fn write_nested_array_with<W: Write, J: Serialize>(
    w: &mut W,
    n: usize,
    get: &(dyn Fn(usize) -> J + Sync),
) -> io::Result<()> {
    write_elements(w, n, get, BATCH)
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

/// Elements `0..n`, each made by `get`, as a pretty-printed array one level in.
///
/// A window of batches is rendered on every core while the window before it is written: the
/// writer (prov's output sanitiser, which scans every byte) runs on this thread at the same
/// time as the rendering, not in turns with it.
fn write_elements<W: Write, J: Serialize>(
    w: &mut W,
    n: usize,
    get: &(dyn Fn(usize) -> J + Sync),
    batch: usize,
) -> io::Result<()> {
    if n == 0 {
        return w.write_all(b"[]");
    }
    w.write_all(b"[")?;
    let starts: Vec<usize> = (0..n).step_by(batch.max(1)).collect();
    let window = BATCHES_PER_CORE * rayon::current_num_threads().max(1);
    let render = |window: &[usize]| -> io::Result<Vec<Vec<u8>>> {
        window
            .par_iter()
            .map(|&start| {
                let mut out = Vec::new();
                for i in start..n.min(start + batch) {
                    out.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
                    write_indented(&mut out, &get(i), 2)?;
                }
                Ok(out)
            })
            .collect()
    };
    std::thread::scope(|scope| {
        // A rendezvous: at most one window waits rendered while another is written.
        let (tx, rx) = std::sync::mpsc::sync_channel(0);
        scope.spawn(move || {
            for window in starts.chunks(window) {
                if tx.send(render(window)).is_err() {
                    break; // the writer failed: stop rendering
                }
            }
        });
        for texts in rx {
            for t in texts? {
                w.write_all(&t)?;
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

/// serde_json's `PrettyFormatter` (two spaces per level), starting `level` levels in, and
/// writing each indent in one piece.
struct Pretty {
    level: usize,
    has_value: bool,
}

/// Enough spaces for any indent; deeper levels (never written by prov) take several writes.
const SPACES: &[u8; 64] = b"                                                                ";

impl Pretty {
    fn newline<W: ?Sized + Write>(&self, w: &mut W, comma: bool) -> io::Result<()> {
        w.write_all(if comma { b",\n" } else { b"\n" })?;
        let mut n = self.level * 2;
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }
}

impl Pretty {
    /// An array or object opens: one level deeper, nothing in it yet.
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// It closes: on a line of its own unless it is empty.
    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
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
    pub message: &'a str,
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
        claim: &c.claim.id,
        source: &c.cite.source,
        file: &ws.files.get(c.claim.file).path,
        line: c.line,
        quote: &c.cite.quote,
        span: c.cite.span.map(pair),
        stance: c.cite.stance,
        said_by: c.cite.said_by(),
        origin: c.cite.origin(),
        revision: c.revision,
        verdict: c.verdict(),
        strategy: anchor.as_ref().map(|a| a.strategy),
        found: c.found().map(pair),
        candidates: anchor
            .as_ref()
            .map(|a| a.candidates.iter().copied().map(pair).collect())
            .unwrap_or_default(),
        candidates_total: anchor.as_ref().map_or(0, |a| a.candidates_total),
        errors: anchor.as_ref().and_then(|a| a.errors),
        code: c.code,
        severity: c.severity,
        message: &c.message,
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
            let want = serde_json::to_vec_pretty(&doc).expect("serialises");
            for batch in [1, 2, 3, 7, BATCH] {
                let mut got = Vec::new();
                write_pretty_in(&mut got, &doc, batch).expect("writes");
                assert!(got == want, "batch {batch}: the outputs differ");
            }
        }
    }
}

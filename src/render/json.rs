//! The JSON format: one document, schema `prov-check/1` (docs/json.md). Field names are part
//! of the contract: renaming one bumps the schema version.

use serde::Serialize;

use crate::check::{CitationReport, Outcome};
use crate::diag::{Code, Diagnostic, Severity};
use crate::facts::{Fact, Flag, OriginSupport};
use crate::files::Files;
use crate::snapshot::Status;
use crate::verdict::{Strategy, Verdict};
use crate::workspace::{Stance, Workspace};

pub const SCHEMA: &str = "prov-check/1";

#[derive(Serialize)]
pub struct Document<'a> {
    pub schema: &'static str,
    pub summary: Summary,
    pub sources: Vec<SourceJson<'a>>,
    /// Serialised one by one as the output is written: a 100k-citation document is never held in
    /// memory whole.
    pub citations: Citations<'a>,
    pub facts: Facts<'a>,
    pub diagnostics: Vec<DiagnosticJson<'a>>,
}

/// Every citation of a check, in order, serialised lazily.
pub struct Citations<'a> {
    ws: &'a Workspace,
    out: &'a Outcome,
}

impl Serialize for Citations<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.out.citations.iter().map(|c| citation(self.ws, c)))
    }
}

/// Every fact of a check, in order, serialised lazily.
pub struct Facts<'a> {
    out: &'a Outcome,
}

impl Serialize for Facts<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.out.facts.iter().map(fact))
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
    pub support_detail: &'a [OriginSupport],
    pub contradict_detail: &'a [OriginSupport],
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
    pub line: usize,
    pub quote: &'a str,
    pub span: Option<[usize; 2]>,
    pub stance: Stance,
    pub said_by: Option<&'a str>,
    pub revision: Option<&'a str>,
    /// null when the source could not be read (see `code`).
    pub verdict: Option<Verdict>,
    pub strategy: Option<Strategy>,
    pub found: Option<[usize; 2]>,
    pub candidates: Vec<[usize; 2]>,
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
    pub candidates: Vec<[usize; 2]>,
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
    pub notes: &'a [String],
    pub help: Option<&'a str>,
    /// Index into `citations`, when the finding is about one.
    pub citation: Option<usize>,
}

fn pair(p: (usize, usize)) -> [usize; 2] {
    [p.0, p.1]
}

pub fn diagnostics<'a>(files: &'a Files, diags: &'a [Diagnostic]) -> Vec<DiagnosticJson<'a>> {
    diags
        .iter()
        .map(|d| {
            let (file, start, end) = match &d.loc {
                Some(loc) => {
                    let f = files.get(loc.file);
                    (
                        Some(f.path.as_str()),
                        Some(f.line_col(loc.range.start)),
                        Some(f.line_col(loc.range.end)),
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
        })
        .collect()
}

pub fn document<'a>(ws: &'a Workspace, out: &'a Outcome) -> Document<'a> {
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
        citations: Citations { ws, out },
        facts: Facts { out },
        diagnostics: diagnostics(&ws.files, &out.diagnostics),
    }
}

fn citation<'a>(ws: &'a Workspace, c: &'a CitationReport) -> CitationJson<'a> {
    CitationJson {
        claim: &c.claim,
        source: &c.source,
        file: &ws.files.get(c.file).path,
        line: c.line,
        quote: &c.quote,
        span: c.span.map(pair),
        stance: c.stance,
        said_by: c.said_by.as_deref(),
        revision: c.revision.as_deref(),
        verdict: c.verdict(),
        strategy: c.anchor.as_ref().map(|a| a.strategy),
        found: c.anchor.as_ref().and_then(|a| a.found).map(pair),
        candidates: c
            .anchor
            .as_ref()
            .map(|a| a.candidates.iter().copied().map(pair).collect())
            .unwrap_or_default(),
        errors: c.anchor.as_ref().and_then(|a| a.errors),
        code: c.code,
        severity: c.severity,
        message: &c.message,
        pending: c.pending.as_ref().map(|p| PendingJson {
            verdict: p.anchor.verdict,
            strategy: p.anchor.strategy,
            found: p.anchor.found.map(pair),
            candidates: p.anchor.candidates.iter().copied().map(pair).collect(),
            errors: p.anchor.errors,
            text: p.found_text.as_deref(),
        }),
    }
}

fn fact(f: &Fact) -> FactJson<'_> {
    FactJson {
        claim: &f.claim,
        fact: &f.fact,
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

//! Orchestration of `prov check`: decide which sources a run needs, read and hash each snapshot
//! once (in parallel), anchor every citation of it, and turn the outcomes into findings.
//! Never prints; the result is data for [`crate::render`].

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::anchor::fold;
use crate::diag::{Code, Diagnostic, Severity, suggest};
use crate::facts::{self, Fact, Flag};
use crate::files::{FileId, ReadError, rel_display};
use crate::pending;
use crate::reanchor::Reanchorer;
use crate::snapshot::{self, Status};
use crate::verdict::{Anchor, SourceText, Verdict, anchor};
use crate::workspace::{Cite, Claim, Source, Workspace, revision_path};

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only the claims of these files (and the sources they cite); `None`: everything.
    pub only_files: Option<Vec<FileId>>,
    /// Fact flags to raise to errors, on top of `policy.deny` (`prov check --deny`).
    pub deny: Vec<Flag>,
    /// With `only_files`, still report workspace-wide findings (unused sources, the integrity
    /// of sources no selected claim cites): the first shard of a partitioned run does.
    pub workspace_findings: bool,
}

/// The integrity of one checked snapshot.
#[derive(Debug, Clone)]
pub struct SourceReport {
    pub id: String,
    /// The pinned sha256.
    pub sha256: String,
    /// The sha256 of the bytes on disk, when readable.
    pub actual: Option<String>,
    pub status: Status,
    /// Number of citations of it that were checked.
    pub citations: usize,
    /// A pending capture (`snapshots/<id>.new.txt`).
    pub pending: Option<pending::Capture>,
}

/// The outcome of one citation. What the claim file says (quote, span, stance, said_by…) is
/// read through `claim` and `cite`: nothing of the workspace is copied per citation.
#[derive(Debug, Clone)]
pub struct CitationReport<'w> {
    pub claim: &'w Claim,
    pub cite: &'w Cite,
    /// 1-based line of the quote in the claim file.
    pub line: usize,
    /// The full sha256 of the pinned revision, when the citation cites a superseded capture.
    pub revision: Option<&'w str>,
    /// The verdict, when the text could be read.
    pub anchor: Option<Anchor>,
    /// The code of the finding (`None` for ok).
    pub code: Option<Code>,
    pub severity: Option<Severity>,
    pub message: Cow<'static, str>,
    /// Its claim's position in `Workspace::claims`.
    pub claim_pos: usize,
    /// The source text at `found`, for fixes and messages; `None` when the verdict is `ok` (it is
    /// the quote).
    pub found_text: Option<String>,
    /// The citation re-anchored in a pending capture of its source (boxed: rare, and large).
    pub pending: Option<Box<pending::Reanchored>>,
}

impl CitationReport<'_> {
    pub fn verdict(&self) -> Option<Verdict> {
        self.anchor.as_ref().map(|a| a.verdict)
    }
}

/// Everything a check found.
#[derive(Debug)]
pub struct Outcome<'w> {
    pub sources: Vec<SourceReport>,
    pub citations: Vec<CitationReport<'w>>,
    pub diagnostics: Vec<Diagnostic>,
    pub claims: usize,
    /// Who asserts each checked claim, in claim order.
    pub facts: Vec<Fact<'w>>,
    /// The same facts with every pending capture accepted; `None` when nothing is pending.
    pub facts_after: Option<Vec<Fact<'w>>>,
}

impl Outcome<'_> {
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
}

/// The text a citation is checked against: the current snapshot or a retained revision. Borrowed
/// from the workspace (a key per citation is built in the hot loop); ordered by source id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct TextKey<'w> {
    source: &'w str,
    /// Full sha256 of a revision, or `None` for the current snapshot.
    revision: Option<&'w str>,
}

/// One citation to anchor in a text.
struct Job<'w> {
    index: usize,
    cite: &'w Cite,
}

/// The result of reading one text and anchoring its citations.
struct TextResult<'w> {
    key: TextKey<'w>,
    /// The snapshot's status; its text is dropped once its citations are anchored.
    loaded: snapshot::Loaded,
    pinned: String,
    /// Every citation checked against this text.
    citations: Vec<usize>,
    /// Their anchors: only when the text is intact (its sha256 matches the pin).
    anchors: Vec<(usize, Anchor, Option<String>, Option<Diagnostic>)>,
    /// A pending capture of the source, and each citation re-anchored in it.
    pending: Option<(pending::Capture, Vec<(usize, pending::Reanchored)>)>,
}

/// Check the workspace.
pub fn check<'w>(ws: &'w Workspace, opts: &Options) -> Outcome<'w> {
    // A set: a partition names thousands of files, each claim is looked up in it.
    let only: Option<HashSet<FileId>> = opts
        .only_files
        .as_ref()
        .map(|files| files.iter().copied().collect());
    let selected: Vec<(usize, &Claim)> = ws
        .claims
        .iter()
        .enumerate()
        .filter(|(_, c)| only.as_ref().is_none_or(|files| files.contains(&c.file)))
        .collect();

    let mut diagnostics = Vec::new();
    let mut jobs: BTreeMap<TextKey<'_>, Vec<Job<'_>>> = BTreeMap::new();

    // Each claim's citations are consecutive in `citations`, from its claim's start.
    let mut starts = Vec::with_capacity(selected.len());
    let mut next = 0;
    for (_, claim) in &selected {
        starts.push(next);
        next += claim.cites.len();
    }
    let built: Vec<Vec<Built<'_>>> = selected
        .par_iter()
        .zip(&starts)
        .map(|((claim_pos, claim), &start)| {
            claim
                .cites
                .iter()
                .enumerate()
                .map(|(i, cite)| citation_report(ws, *claim_pos, claim, cite, start + i))
                .collect()
        })
        .collect();
    let mut citations = Vec::with_capacity(next);
    for ((_, claim), reports) in selected.iter().zip(built) {
        for (cite, (report, finding, key)) in claim.cites.iter().zip(reports) {
            let index = citations.len();
            diagnostics.extend(finding.map(|d| *d));
            if let Some(key) = key {
                jobs.entry(key).or_default().push(Job { index, cite });
            }
            citations.push(report);
        }
    }

    // Every source's integrity is verified on a whole-workspace run, cited or not.
    if opts.only_files.is_none() || opts.workspace_findings {
        for s in &ws.sources {
            jobs.entry(TextKey {
                source: &s.id,
                revision: None,
            })
            .or_default();
        }
    }

    let results: Vec<TextResult> = jobs
        .into_par_iter()
        .filter_map(|(key, jobs)| {
            let source = ws.source(key.source)?;
            Some(run_text(ws, source, key, jobs, &citations))
        })
        .collect();

    let mut sources = Vec::new();
    for r in results {
        let Some(source) = ws.source(r.key.source) else {
            continue; // jobs are keyed by registered sources
        };
        let path = match &r.key.revision {
            Some(sha) => revision_path(&ws.root, &source.id, sha),
            None => ws.snapshot_path(&source.id),
        };
        let rel = rel_display(&ws.root, &path);
        if let Some(d) = source_finding(&r, &rel, source) {
            for &index in &r.citations {
                let report = &mut citations[index];
                report.code = Some(d.code);
                report.severity = Some(d.severity);
                report.message = format!("not checked: {}", d.message).into();
            }
            diagnostics.push(d);
        }
        if r.key.revision.is_none() {
            sources.push(SourceReport {
                id: source.id.clone(),
                sha256: r.pinned.clone(),
                actual: r.loaded.actual.clone(),
                status: r.loaded.status,
                citations: r.citations.len(),
                pending: r.pending.as_ref().map(|(c, _)| c.clone()),
            });
        }
        // Where each citation's finding is in `diagnostics`, for the pending notes below (only
        // a source with a pending capture needs them).
        let mut finding_at: HashMap<usize, usize> = HashMap::new();
        for (index, anchor, found_text, finding) in r.anchors {
            let report = &mut citations[index];
            if let Some(d) = finding {
                if r.pending.is_some() {
                    finding_at.insert(index, diagnostics.len());
                }
                report.code = Some(d.code);
                report.severity = Some(d.severity);
                report.message = d.message.clone().into();
                diagnostics.push(d);
            } else {
                report.message = match &report.revision {
                    Some(sha) if *sha == source.sha256 => format!(
                        "the quote is at its span in revision {} (the current capture, pinned)",
                        &sha[..12]
                    )
                    .into(),
                    Some(sha) => format!(
                        "the quote is at its span in revision {} (a superseded capture)",
                        &sha[..12]
                    )
                    .into(),
                    None => Cow::Borrowed("the quote is at its span"),
                };
            }
            report.found_text = found_text;
            report.anchor = Some(anchor);
        }
        if let Some((capture, results)) = r.pending {
            let refs: Vec<&pending::Reanchored> = results.iter().map(|(_, p)| p).collect();
            let capture_rel = rel_display(&ws.root, &pending::capture_path(&ws.root, &source.id));
            if r.loaded.status == Status::Ok || capture.error.is_some() {
                diagnostics.push(pending::source_finding(
                    source,
                    &capture,
                    &refs,
                    &capture_rel,
                ));
            } else {
                diagnostics.push(
                    Diagnostic::new(
                        Code::CapturePending,
                        format!(
                            "a new capture of `{}` is pending ({capture_rel}), but nothing was re-anchored in it: the current snapshot fails its pin",
                            source.id
                        ),
                    )
                    .at(source.loc.clone())
                    .label("pending capture")
                    .help("restore the current snapshot first; re-anchoring compares the pinned text with the new one"),
                );
            }
            for (index, p) in results {
                let report = &mut citations[index];
                if let Some(d) =
                    pending::citation_finding(report, &p, report.cite.quote_loc.clone())
                {
                    diagnostics.push(d.citation(index));
                } else if report.severity == Some(Severity::Error) {
                    // Broken now, but it holds in the new version: say so where it is reported.
                    if let Some(d) = finding_at
                        .get(&index)
                        .and_then(|&at| diagnostics.get_mut(at))
                    {
                        d.notes.push(
                            format!(
                                "it holds in the pending capture ({}): `prov accept {}` adopts it",
                                capture_rel, source.id
                            )
                            .into(),
                        );
                    }
                }
                report.pending = Some(Box::new(p));
            }
        }
    }

    // The chain of captures: each revision's `superseded_by` is the next capture's sha256.
    let checked: HashSet<&str> = sources.iter().map(|r| r.id.as_str()).collect();
    for s in &ws.sources {
        if !checked.contains(s.id.as_str()) {
            continue;
        }
        for (i, rev) in s.revisions.iter().enumerate() {
            let Some(by) = &rev.superseded_by else {
                continue;
            };
            let next = s.revisions.get(i + 1).map_or(&s.sha256, |r| &r.sha256);
            if by != next {
                let what = if i + 1 == s.revisions.len() {
                    format!("the current pin of `{}`", s.id)
                } else {
                    format!("revision {} of `{}`", &next[..12], s.id)
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::PinModified,
                        format!(
                            "{what} is {}, but the capture before it records that it was superseded by {}",
                            &next[..12],
                            &by[..12]
                        ),
                    )
                    .at(rev.superseded_by_loc.clone().unwrap_or_else(|| rev.loc.clone()))
                    .label("recorded by prov accept")
                    .note("a sha256 in sources.toml was edited by hand: the chain of captures no longer holds")
                    .help("restore sources.toml (and the snapshot) from version control; a new version of a document is a new capture, adopted with `prov accept`"),
                );
            }
        }
    }

    if opts.only_files.is_none() || opts.workspace_findings {
        let cited: BTreeSet<&str> = ws.citations().map(|(_, c)| c.source.as_str()).collect();
        for s in &ws.sources {
            if !cited.contains(s.id.as_str()) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::SourceUnused,
                        format!("source `{}` is not cited by any claim", s.id),
                    )
                    .at(s.loc.clone())
                    .label("registered here")
                    .help("cite it from a claim, or remove it from sources.toml and snapshots/"),
                );
            }
        }
    }

    let mut deny = ws.policy.deny.clone();
    deny.extend(opts.deny.iter().copied());
    // Each claim's citations are consecutive in `citations`: find each claim's range, then
    // analyse the facts on every core.
    let mut ranges = Vec::with_capacity(selected.len());
    let mut next = 0;
    for (_, claim) in &selected {
        ranges.push(next..next + claim.cites.len());
        next += claim.cites.len();
    }
    let groups = facts::Groups::new(ws);
    let (fact_list, found): (Vec<Fact>, Vec<Vec<Diagnostic>>) = selected
        .par_iter()
        .zip(ranges)
        .map(|((claim_pos, claim), range)| {
            let reports: Vec<&CitationReport> = citations[range].iter().collect();
            let mut fact = facts::analyse(ws, &groups, claim, &reports, &ws.policy, &deny);
            fact.claim_pos = *claim_pos;
            let found = fact
                .flags
                .iter()
                .map(|&flag| fact_finding(claim, &fact, flag, ws.policy.min_origins))
                .collect();
            (fact, found)
        })
        .unzip();
    diagnostics.reserve_exact(found.iter().map(Vec::len).sum());
    diagnostics.extend(found.into_iter().flatten());

    crate::diag::sort(&ws.files, &mut diagnostics);
    let mut outcome = Outcome {
        sources,
        citations,
        diagnostics,
        claims: selected.len(),
        facts: fact_list,
        facts_after: None,
    };
    if outcome.sources.iter().any(|s| s.pending.is_some()) {
        outcome.facts_after = Some(pending::facts_after(ws, &outcome, &deny));
    }
    outcome
}

/// A citation's report before anchoring, its finding, and the text to anchor it in.
type Built<'w> = (
    CitationReport<'w>,
    Option<Box<Diagnostic>>,
    Option<TextKey<'w>>,
);

/// The report of one citation before anchoring: its finding and no text key when its source or
/// revision is unknown, otherwise the text it is to be anchored in.
fn citation_report<'w>(
    ws: &'w Workspace,
    claim_pos: usize,
    claim: &'w Claim,
    cite: &'w Cite,
    index: usize,
) -> Built<'w> {
    let line = ws
        .files
        .get(cite.quote_loc.file)
        .line(cite.quote_loc.range.start);
    let mut report = CitationReport {
        claim,
        cite,
        line,
        revision: None,
        anchor: None,
        code: None,
        severity: None,
        message: Cow::Borrowed(""),
        claim_pos,
        found_text: None,
        pending: None,
    };
    let Some(source) = ws.source(&cite.source) else {
        let mut d = Diagnostic::new(
            Code::SourceUnknown,
            format!("unknown source `{}`", cite.source),
        )
        .at(cite.source_loc.clone())
        .label("not registered in sources.toml")
        .citation(index);
        d = match suggest(&cite.source, ws.sources.iter().map(|s| s.id.as_str())) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!(
                "register it first: prov add FILE --id {} --outlet NAME",
                cite.source
            )),
        };
        report.code = Some(Code::SourceUnknown);
        report.severity = Some(d.severity);
        report.message = d.message.clone().into();
        return (report, Some(Box::new(d)), None);
    };
    let mut key = TextKey {
        source: &source.id,
        revision: None,
    };
    if let Some(prefix) = cite
        .revision
        .as_ref()
        .filter(|p| source.sha256.starts_with(p.as_str()))
    {
        // Pinned to the current capture: checked against it, and kept with it when a
        // new capture is accepted (it then resolves through the recorded revision).
        let _ = prefix;
        report.revision = Some(&source.sha256);
    } else if let Some(prefix) = &cite.revision {
        let matching: Vec<_> = source
            .revisions
            .iter()
            .filter(|r| r.sha256.starts_with(prefix.as_str()))
            .collect();
        match matching.as_slice() {
            [one] => {
                key.revision = Some(&one.sha256);
                report.revision = Some(&one.sha256);
            }
            found => {
                let known: Vec<String> = source
                    .revisions
                    .iter()
                    .map(|r| r.sha256.chars().take(12).collect())
                    .collect();
                let message = if found.is_empty() {
                    format!("source `{}` records no revision {prefix}", source.id)
                } else {
                    format!(
                        "revision {prefix} of `{}` is ambiguous: {} revisions start with it",
                        source.id,
                        found.len()
                    )
                };
                let help = if known.is_empty() {
                    format!(
                        "`{}` has no superseded captures; remove `revision` to cite the current snapshot",
                        source.id
                    )
                } else {
                    format!("its revisions are: {}", known.join(", "))
                };
                let d = Diagnostic::new(Code::RevisionUnknown, message.clone())
                    .at_opt(cite.revision_loc.clone())
                    .label("no such revision")
                    .help(help)
                    .citation(index);
                report.code = Some(Code::RevisionUnknown);
                report.severity = Some(d.severity);
                report.message = message.into();
                return (report, Some(Box::new(d)), None);
            }
        }
    }
    (report, None, Some(key))
}

fn run_text<'w>(
    ws: &'w Workspace,
    source: &Source,
    key: TextKey<'w>,
    jobs: Vec<Job<'_>>,
    reports: &[CitationReport],
) -> TextResult<'w> {
    let (path, pinned) = match &key.revision {
        Some(sha) => (revision_path(&ws.root, &source.id, sha), sha.to_string()),
        None => (ws.snapshot_path(&source.id), source.sha256.clone()),
    };
    let loaded = snapshot::load(&ws.root, &path, &pinned);
    let citations: Vec<usize> = jobs.iter().map(|j| j.index).collect();
    let mut anchors = Vec::with_capacity(jobs.len());
    // A pending capture applies to the current snapshot, not to retained revisions.
    let mut capture = match key.revision {
        None => pending::Capture::load(&ws.root, &source.id),
        Some(_) => None,
    };
    let mut pending = None;
    // Evidence whose bytes are not the pinned ones proves nothing: nothing is anchored in it.
    if let (Status::Ok, Some(text)) = (loaded.status, loaded.text.as_deref()) {
        match capture.take() {
            Some((capture, Some(new_text))) => {
                let r = Reanchorer::new(text, &new_text);
                let mut moved = Vec::with_capacity(jobs.len());
                for job in &jobs {
                    let a = anchor(&r.old, &job.cite.quote, job.cite.span);
                    let found_text = found_text(&r.old, &a);
                    if job.cite.revision.is_some() {
                        // Pinned to this capture: it stays with it.
                        anchors.push((job.index, a, found_text));
                        continue;
                    }
                    let p = r.reanchor(&job.cite.quote, job.cite.span, &a);
                    moved.push((
                        job.index,
                        pending::Reanchored {
                            found_text: slice(&r.new, p.found),
                            anchor: p,
                        },
                    ));
                    anchors.push((job.index, a, found_text));
                }
                pending = Some((capture, moved));
            }
            other => {
                pending = other.map(|(c, _)| (c, Vec::new()));
                let src = SourceText::new(text);
                for job in jobs {
                    let a = anchor(&src, &job.cite.quote, job.cite.span);
                    let found_text = found_text(&src, &a);
                    anchors.push((job.index, a, found_text));
                }
            }
        }
    }
    if let Some((c, _)) = capture {
        // Not re-anchored (the snapshot fails its pin), but still known to be there.
        pending = Some((c, Vec::new()));
    }
    let bom = loaded
        .text
        .as_deref()
        .is_some_and(|t| t.starts_with('\u{feff}'));
    let mut loaded = loaded;
    loaded.text = None;
    // The findings too are made here, on every core.
    let rel = rel_display(&ws.root, &path);
    let anchors = anchors
        .into_iter()
        .map(|(index, a, found_text)| {
            let finding = reports.get(index).and_then(|report| {
                citation_finding(report, &a, found_text.as_deref(), &rel, bom, index)
            });
            (index, a, found_text, finding)
        })
        .collect();
    TextResult {
        key,
        loaded,
        pinned,
        citations,
        anchors,
        pending,
    }
}

/// The text at a verdict's place, kept for messages and fixes; not for `ok` (it is the quote).
fn found_text(src: &SourceText<'_>, a: &Anchor) -> Option<String> {
    if a.verdict == Verdict::Ok {
        return None;
    }
    slice(src, a.found)
}

fn slice(src: &SourceText<'_>, found: Option<(usize, usize)>) -> Option<String> {
    found
        .and_then(|(s, e)| src.text.slice(s, e))
        .map(str::to_string)
}

fn source_finding(
    r: &TextResult,
    rel: &str,
    source: &crate::workspace::Source,
) -> Option<Diagnostic> {
    let what = match &r.key.revision {
        Some(sha) => format!("revision {} of `{}`", &sha[..12], source.id),
        None => format!("`{}`", source.id),
    };
    let loc = match &r.key.revision {
        Some(sha) => source
            .revisions
            .iter()
            .find(|rev| &rev.sha256 == sha)
            .map(|rev| rev.loc.clone())
            .unwrap_or_else(|| source.loc.clone()),
        None => source.loc.clone(),
    };
    match r.loaded.status {
        Status::Ok => None,
        Status::SnapshotMissing => {
            let (code, help) = if r.key.revision.is_some() {
                (
                    Code::RevisionUnknown,
                    "the superseded capture is not kept: restore it from version control, or cite the current snapshot".to_string(),
                )
            } else {
                (
                    Code::SnapshotMissing,
                    format!(
                        "restore {rel} from version control, or register the document again with `prov add`"
                    ),
                )
            };
            Some(
                Diagnostic::new(code, format!("the snapshot of {what} is missing: {rel}"))
                    .at(loc)
                    .label("registered here")
                    .help(help),
            )
        }
        Status::SnapshotInvalid => {
            let why = r
                .loaded
                .error
                .as_ref()
                .map_or_else(String::new, ReadError::to_string);
            let help = match r.loaded.error {
                Some(ReadError::NotUtf8(_)) => "a snapshot is UTF-8 text: capture the document as text (prov add refuses anything else)".to_string(),
                Some(ReadError::NulByte(_)) => "a snapshot is text: extract the document's text (e.g. pdftotext) and capture that (prov add refuses NUL bytes)".to_string(),
                Some(ReadError::OutsideWorkspace(_)) => format!("copy the document into {rel} instead of linking to it"),
                Some(ReadError::TooLarge(_)) => "a snapshot is one document's text: capture the article itself, not an archive or a binary".to_string(),
                _ => format!("make {rel} a readable regular file"),
            };
            Some(
                Diagnostic::new(
                    Code::SnapshotInvalid,
                    format!("the snapshot of {what} cannot be used as evidence: {rel}: {why}"),
                )
                .at(loc)
                .label("registered here")
                .help(help),
            )
        }
        Status::SnapshotModified => {
            let actual = r.loaded.actual.clone().unwrap_or_default();
            let mut d = Diagnostic::new(
                Code::SnapshotModified,
                format!("{rel} does not match the sha256 pinned for {what}"),
            )
            .at(if r.key.revision.is_some() { loc } else { source.sha256_loc.clone() })
            .label("pinned sha256")
            .note(format!("the file's sha256 is {actual}"))
            .help(format!(
                "the captured bytes were edited or replaced: restore them from version control (git checkout -- {rel}); a new version of a document is a new capture, not an edit of the old one"
            ));
            match r.loaded.error {
                Some(ReadError::NotUtf8(at)) => {
                    d = d.note(format!(
                        "and it is not UTF-8: invalid byte sequence at byte offset {at}"
                    ));
                }
                Some(ReadError::NulByte(at)) => {
                    d = d.note(format!("and it contains a NUL byte at byte offset {at}"));
                }
                _ => {}
            }
            Some(d)
        }
    }
}

/// The finding for one fact flag, at the claim's id.
fn fact_finding(claim: &Claim, fact: &Fact, flag: Flag, min_origins: u32) -> Diagnostic {
    let id = &fact.claim;
    let names = |side: &[facts::OriginSupport]| {
        side.iter()
            .map(facts::OriginSupport::label)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let d = match flag {
        Flag::Unsupported => {
            let mut d = Diagnostic::new(
                flag.code(),
                format!("no citation that holds supports fact `{id}`"),
            )
            .label("unsupported");
            if fact.supports_not_holding > 0 {
                d = d.note(format!(
                    "{} supporting citation{} of it do{} not hold",
                    fact.supports_not_holding,
                    if fact.supports_not_holding == 1 {
                        ""
                    } else {
                        "s"
                    },
                    if fact.supports_not_holding == 1 {
                        "es"
                    } else {
                        ""
                    }
                ));
            }
            d.help("repair its citations, or cite a passage that supports it")
        }
        Flag::SingleOrigin => {
            let n = fact.independent_origins;
            let unknown = fact.supports.iter().any(|s| s.unknown);
            Diagnostic::new(
                flag.code(),
                format!(
                    "fact `{id}` rests on {n} independent origin{} ({}); the policy wants {min_origins}",
                    if n == 1 { "" } else { "s" },
                    names(&fact.supports)
                ),
            )
            .label("corroborate")
            .note(if unknown {
                "sources of unknown origin count as none: two of them may be one story copied twice"
            } else {
                "republications of one wire or one translated original count once"
            })
            .help("cite an independent origin, or lower `min_origins` in sources.toml")
        }
        Flag::AttributedOnly => {
            let mut parties: Vec<&str> = Vec::new();
            for p in fact.supports.iter().flat_map(|s| &s.only_reports) {
                if !parties.contains(p) {
                    parties.push(p);
                }
            }
            Diagnostic::new(
                flag.code(),
                format!(
                    "every citation supporting `{id}` only reports what {} said",
                    parties.join(", ")
                ),
            )
            .label("attributed")
            .help(
                "state the fact as an attribution (\"X said …\"), or cite a source that asserts it",
            )
        }
        Flag::Contested => Diagnostic::new(
            flag.code(),
            format!(
                "fact `{id}` is contradicted by {}",
                names(&fact.contradicts)
            ),
        )
        .label("contested")
        .help("keep the disagreement on record in the fact, or reword the fact"),
        Flag::UnknownOrigin => {
            let unknown: Vec<String> = fact
                .supports
                .iter()
                .filter(|s| s.unknown)
                .map(facts::OriginSupport::label)
                .collect();
            Diagnostic::new(
                flag.code(),
                format!(
                    "fact `{id}` is supported by sources of unknown origin: {}",
                    unknown.join(", ")
                ),
            )
            .label("who first published it?")
            .help("find who first published the document and set `origin` in sources.toml")
        }
    };
    d.severity(fact.severity(flag)).at(claim.id_loc.clone())
}

fn fmt_span((s, e): (usize, usize)) -> String {
    format!("[{s}, {e}]")
}

/// At most `n` chars of `s`, with an ellipsis when cut.
pub fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

fn citation_finding(
    report: &CitationReport,
    a: &Anchor,
    found_text: Option<&str>,
    rel: &str,
    bom: bool,
    index: usize,
) -> Option<Diagnostic> {
    let cite = report.cite;
    if a.verdict == Verdict::Ok && a.partial_word.is_none() {
        return None;
    }
    let src = match &report.revision {
        Some(sha) => format!("`{}` (revision {})", report.cite.source, &sha[..12]),
        None => format!("`{}`", report.cite.source),
    };
    let range_note = |d: Diagnostic, found: (usize, usize)| {
        d.note(format!(
            "{rel} {}: {:?}",
            fmt_span(found),
            clip(found_text.unwrap_or(""), 300)
        ))
    };
    let mut d = match a.verdict {
        Verdict::Ok | Verdict::Unanchored if a.partial_word.is_some() => {
            let found = a.found?;
            let whole = a.partial_word.as_deref().unwrap_or("");
            Diagnostic::new(
                Code::PartialWord,
                format!(
                    "the quote begins or ends inside a word of {src}, at {}",
                    fmt_span(found)
                ),
            )
            .at(cite.quote_loc.clone())
            .label("part of a word")
            .note(format!(
                "in whole words the source says: {:?}",
                clip(whole, 300)
            ))
            .help(if a.verdict == Verdict::Ok {
                "quote whole words (and set the span to match)"
            } else {
                "quote whole words; `prov fix` records no span for part of a word"
            })
        }
        Verdict::Ok => return None,
        Verdict::Unanchored => {
            let found = a.found?;
            Diagnostic::new(
                Code::Unanchored,
                format!(
                    "the quote has no span; it occurs once in {src}, at {}",
                    fmt_span(found)
                ),
            )
            .at(cite.quote_loc.clone())
            .label("no span")
            .help(format!(
                "run `prov fix` to record span = {}",
                fmt_span(found)
            ))
        }
        Verdict::Moved => {
            let found = a.found?;
            let span = report.cite.span.map(fmt_span).unwrap_or_default();
            let why = if a.span_out_of_range {
                format!("the span {span} reaches past the end of the snapshot; ")
            } else {
                format!("the quote is not at {span}; ")
            };
            let whr = if a.strategy == crate::verdict::Strategy::Context {
                format!(
                    "of the places it occurs exactly in {src}, only {} overlaps the span",
                    fmt_span(found)
                )
            } else {
                format!("it occurs exactly at {} in {src}", fmt_span(found))
            };
            let mut d = Diagnostic::new(Code::Moved, format!("{why}{whr}"))
                .at(cite
                    .span_loc
                    .clone()
                    .unwrap_or_else(|| cite.quote_loc.clone()))
                .label(format!("the quote is at {}", fmt_span(found)))
                .help(format!(
                    "run `prov fix` to rewrite the span to {}",
                    fmt_span(found)
                ));
            if bom {
                d = d.note("the snapshot begins with a byte-order mark (U+FEFF), which counts as code point 0");
            }
            if let Some(whole) = &a.partial_word {
                d = d
                    .note(format!(
                        "there the quote begins or ends inside a word; in whole words the source says: {:?}",
                        clip(whole, 300)
                    ))
                    .help("quote whole words, then set the span; `prov fix` does not move a span onto part of a word");
            }
            d
        }
        Verdict::Typography => {
            let found = a.found?;
            let source_says = found_text.unwrap_or("");
            let diffs = fold::explain(&report.cite.quote, source_says);
            let mut d = Diagnostic::new(
                Code::Typography,
                format!("the quote matches {src} only after folding typography"),
            )
            .at(cite.quote_loc.clone())
            .label("not byte-exact");
            d = range_note(d, found);
            if !diffs.is_empty() {
                d = d.note(format!("differs in: {}", diffs.join("; ")));
            }
            d.help(
                "run `prov fix --typography` to copy the source's exact characters into the quote",
            )
        }
        Verdict::Changed => {
            let found = a.found?;
            let source_says = found_text.unwrap_or("");
            Diagnostic::new(
                Code::Changed,
                format!(
                    "the quote differs from what {src} says at {}",
                    fmt_span(found)
                ),
            )
            .at(cite.quote_loc.clone())
            .label(match a.errors.unwrap_or(0) {
                1 => "1 edit away from the source".to_string(),
                n => format!("{n} edits away from the source"),
            })
            .diff(report.cite.quote.clone(), source_says.to_string())
            .help("quote the source's exact words (and check the fact still holds), or cite another passage")
        }
        Verdict::Ambiguous => {
            let places: Vec<String> = a.candidates.iter().map(|c| fmt_span(*c)).collect();
            let more = a.candidates_total.saturating_sub(places.len());
            let how = match a.strategy {
                crate::verdict::Strategy::Exact => "exactly",
                crate::verdict::Strategy::Typography => "after folding typography",
                _ => "approximately",
            };
            let mut note = format!("candidates: {}", places.join(", "));
            if more > 0 {
                note.push_str(&format!(" and {more} more"));
            }
            Diagnostic::new(
                Code::Ambiguous,
                format!(
                    "the quote occurs {how} at {} places in {src}{}",
                    a.candidates_total,
                    if report.cite.span.is_some() {
                        ", none of them at its span"
                    } else {
                        ""
                    }
                ),
            )
            .at(cite.quote_loc.clone())
            .label("which one?")
            .note(note)
            .help("lengthen the quote until it occurs once, or set `span` to the place you mean")
        }
        Verdict::Missing => {
            let mut d = Diagnostic::new(
                Code::Missing,
                format!("the quote is not in {src}, not even approximately"),
            )
            .at(cite.quote_loc.clone())
            .label("not found");
            if a.span_out_of_range {
                d = d.note(format!(
                    "the span {} reaches past the end of the snapshot",
                    report.cite.span.map(fmt_span).unwrap_or_default()
                ));
            }
            let n = report.cite.quote.chars().count();
            if n > crate::verdict::MAX_FUZZY_QUOTE {
                d = d.note(format!(
                    "the quote is {n} code points long: prov matches quotes over {} code points only exactly or after folding typography, never approximately",
                    crate::verdict::MAX_FUZZY_QUOTE
                ));
            }
            d.help(format!(
                "check that `source` names the right document and copy the words from {rel}"
            ))
        }
    };
    if let Some(w) = a.cut_short {
        d = d.note(crate::pending::cut_short_note(w));
    }
    d = d.citation(index);
    Some(d)
}

//! Orchestration of `prov check`, as a short list of phases:
//!
//! 1. `select` the claims to check;
//! 2. `plan` which text each citation is checked against (a snapshot, or a retained revision);
//! 3. `text::read_and_anchor` each text once, on every core: read and hash it, anchor its
//!    citations, and re-anchor them in the source's pending capture, if any (and show a text
//!    whose bytes are the pinned ones to the caller of [`check_with`]: `prov report`);
//! 4. `record` the verdicts and their findings in the citation reports, text by text in order,
//!    on a thread of its own while the cores go on anchoring;
//! 5. characters a reader cannot see, in quotes and in the files read (`hidden.rs`); then
//!    workspace-wide findings: an interrupted write, the chain of captures, unused sources;
//! 6. `facts`: who asserts each claim, and the fact flags (and the same with every pending
//!    capture accepted).
//!
//! Findings are made in `findings.rs`. Never prints; the result ([`Outcome`]) is data for
//! [`crate::render`], [`crate::fix`], [`crate::accept`] and [`crate::report`].

mod evidence;
mod findings;
mod hidden;
mod plan;
mod text;

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Severity};
use crate::facts::Fact;
use crate::files::{FileId, rel_display};
use crate::outcome::{CitationReport, FactFindings, FactOf, Outcome, SourceReport};
use crate::pending;
use crate::snapshot::Status;
use crate::verdict::Anchor;
use crate::workspace::{Cite, Claim, Flag, Source, Workspace};

use plan::plan;
use text::{Job, TextKey, TextResult};

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
    /// Do not hold the facts' findings: count them, and make each again when it is written
    /// ([`FactFindingMaker`]; [`Outcome::fact_findings`]). `prov check --format json` streams them.
    pub fact_findings_on_demand: bool,
    /// Called on the calling thread after the plan, after the anchoring and at the end of the
    /// check: the binary gives the memory its allocator keeps from the phase just ended back to
    /// the system there, so that the next phase's peak (the last: the output's) does not stand
    /// on it.
    pub between_phases: Option<fn()>,
}

impl Options {
    /// Does this run report on the whole workspace (every source's integrity, unused sources)?
    fn whole_workspace(&self) -> bool {
        self.only_files.is_none() || self.workspace_findings
    }
}

/// A text the check read, verified against its pin and anchored citations in, shown to the
/// caller of [`check_with`] while it is in memory: `prov report` takes the quotes' context
/// from it, and so reads no text twice and shows none it has not verified.
pub struct TextSeen<'a> {
    pub source: &'a Source,
    pub text: &'a str,
    /// Each citation anchored in it: its position in `Outcome::citations`, the citation, and
    /// its anchor.
    pub anchored: &'a [(usize, &'a Cite, &'a Anchor)],
}

/// What [`check_with`] calls with each text, on the core that read it.
pub type SeeText<'h> = dyn Fn(&TextSeen<'_>) + Sync + 'h;

/// Check the workspace.
pub fn check<'w>(ws: &'w Workspace, opts: &Options) -> Outcome<'w> {
    check_with(ws, opts, None)
}

/// [`check`], showing `see` each text whose bytes are the pinned ones, with the citations
/// anchored in it, before the text is dropped.
pub fn check_with<'w>(ws: &'w Workspace, opts: &Options, see: Option<&SeeText<'_>>) -> Outcome<'w> {
    let selected = select(ws, opts);
    let mut diagnostics = Vec::new();
    let (mut citations, texts) = plan(ws, &selected, opts, &mut diagnostics);
    if let Some(f) = opts.between_phases {
        f();
    }
    // Texts are read and anchored on every core while a thread of its own records their
    // verdicts, in the texts' order, as soon as they are done: the results in flight stay few
    // (all of them at once held 17 MB on a 100k-citation workspace, above the peak).
    let mut sources = Vec::new();
    text::read_and_anchor(ws, texts, see, |r| {
        record(ws, r, &mut citations, &mut diagnostics, &mut sources);
    });
    if let Some(f) = opts.between_phases {
        f();
    }
    let (found, quotes) = hidden::in_quotes(ws, &mut citations);
    diagnostics.extend(found);
    diagnostics.extend(hidden::in_files(ws, &checked_files(ws, opts), &quotes));
    if crate::journal::present(&ws.root) {
        diagnostics.push(findings::interrupted_write());
    }
    diagnostics.extend(findings::chain_of_captures(ws, &sources));
    diagnostics.extend(evidence::warc_pins(ws, &sources));
    if opts.whole_workspace() {
        let all = opts.only_files.is_none().then_some(citations.as_slice());
        diagnostics.extend(findings::unused_sources(ws, all));
    }
    let mut deny = ws.policy.deny.clone();
    deny.extend(opts.deny.iter().copied());
    let pending = sources.iter().any(|s| s.pending.is_some());
    let positions: Vec<usize> = selected.iter().map(|(pos, _)| *pos).collect();
    let mut outcome = Outcome {
        sources,
        citations,
        diagnostics,
        claims: selected.len(),
        facts: crate::outcome::Facts::new(ws, &positions, deny, pending),
        fact_findings: FactFindings::default(),
        fact_has_error: Vec::new(),
    };
    let outcome = if opts.fact_findings_on_demand {
        (outcome.fact_findings, outcome.fact_has_error) = fact_findings_on_demand(ws, &outcome);
        crate::diag::sort(&ws.files, &mut outcome.diagnostics);
        outcome
    } else {
        fact_findings(ws, outcome)
    };
    if let Some(f) = opts.between_phases {
        f();
    }
    outcome
}

/// The files a check reads text from: the selected claim files, and sources.toml when the run
/// reports on the whole workspace.
fn checked_files(ws: &Workspace, opts: &Options) -> Vec<FileId> {
    let mut files = opts
        .only_files
        .clone()
        .unwrap_or_else(|| ws.claim_files.clone());
    if opts.whole_workspace() {
        files.push(ws.sources_file);
    }
    files
}

/// Phase 1: the claims to check, with their positions in `Workspace::claims`.
fn select<'w>(ws: &'w Workspace, opts: &Options) -> Vec<(usize, &'w Claim)> {
    // A set: a partition names thousands of files, each claim is looked up in it.
    let only: Option<HashSet<FileId>> = opts
        .only_files
        .as_ref()
        .map(|files| files.iter().copied().collect());
    ws.claims
        .iter()
        .enumerate()
        .filter(|(_, c)| only.as_ref().is_none_or(|files| files.contains(&c.file)))
        .collect()
}

/// Phase 4: put each text's verdicts and findings into the citation reports, and the integrity
/// of every current snapshot read into `sources`.
fn record<'w>(
    ws: &'w Workspace,
    r: TextResult<'w>,
    citations: &mut [CitationReport<'w>],
    diagnostics: &mut Vec<Diagnostic>,
    sources: &mut Vec<SourceReport>,
) {
    let Some(source) = ws.sources.get(r.key.source as usize) else {
        return; // texts are keyed by registered sources
    };
    let rel = &r.rel;
    if let Some(d) = findings::source_finding(source, r.key.revision, &r.loaded, rel) {
        for &index in &r.citations {
            let report = &mut citations[index];
            report.set_finding(
                d.code,
                d.severity,
                format!("not checked: {}", d.message).into(),
                d.loc.clone(),
            );
        }
        diagnostics.push(d);
    }
    if r.key.revision.is_none() {
        sources.push(SourceReport {
            id: source.id.clone(),
            sha256: r.pinned.clone(),
            actual: r.loaded.actual.clone(),
            bytes: r.loaded.bytes,
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
            report.set_finding(d.code, d.severity, d.message.clone().into(), d.loc.clone());
            diagnostics.push(*d);
        }
        if let Some(text) = found_text {
            report.set_found_text(text.into_boxed_str());
        }
        report.anchored = Some(crate::outcome::HeldAnchor::new(anchor));
    }
    let Some((capture, results)) = r.pending else {
        return;
    };
    let capture_rel = rel_display(&ws.root, &pending::capture_path(&ws.root, &source.id));
    diagnostics.push(findings::capture_finding(
        source,
        &capture,
        r.loaded.status == Status::Ok,
        &results,
        &capture_rel,
    ));
    for (index, p) in results {
        let report = &mut citations[index];
        if let Some(d) = findings::pending_citation_finding(report, &p) {
            diagnostics.push(d.citation(index));
        } else if report.severity() == Some(Severity::Error) {
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

/// Phase 6: who asserts each selected claim, and the finding of each flag, a bounded group of
/// facts at a time on every core: the facts are made again when they are written, so none is
/// kept. Then every finding is sorted.
fn fact_findings<'w>(ws: &'w Workspace, mut outcome: Outcome<'w>) -> Outcome<'w> {
    let group = FACTS_PER_CORE * rayon::current_num_threads().max(1);
    let mut has_error = Vec::with_capacity(outcome.facts.len());
    for some in outcome.facts.list().chunks(group) {
        let found: Vec<(bool, Vec<Diagnostic>)> = some
            .par_iter()
            .map(|&of| {
                let fact = outcome.fact(&of);
                let found = fact
                    .flags
                    .iter()
                    .map(|&flag| finding_of(&outcome, of, &fact, flag))
                    .collect();
                (!fact.errors.is_empty(), found)
            })
            .collect();
        for (error, found) in found {
            has_error.push(error);
            outcome.diagnostics.extend(found);
        }
    }
    outcome.fact_has_error = has_error;
    crate::diag::sort(&ws.files, &mut outcome.diagnostics);
    outcome
}

/// Phase 6, on demand: which findings each fact has, in the order [`crate::diag::sort`] puts
/// them (they are all of its last tier: by file path, then position, then code), and how many
/// are errors and warnings, and whether each fact has an error. None is made.
fn fact_findings_on_demand(ws: &Workspace, outcome: &Outcome) -> (FactFindings, Vec<bool>) {
    let of = outcome.facts.list();
    let group = FACTS_PER_CORE * rayon::current_num_threads().max(1);
    let mut found = FactFindings::default();
    let mut has_error = Vec::with_capacity(of.len());
    for (g, some) in of.chunks(group).enumerate() {
        let flags: Vec<Vec<(Flag, Severity)>> = some
            .par_iter()
            .map(|of| outcome.fact_flags(of).collect())
            .collect();
        for (i, flags) in flags.into_iter().enumerate() {
            has_error.push(flags.iter().any(|&(_, s)| s == Severity::Error));
            for (flag, severity) in flags {
                match severity {
                    Severity::Error => found.errors += 1,
                    Severity::Warning => found.warnings += 1,
                    Severity::Note => {}
                }
                found.order.push(((g * group + i) as u32, flag));
            }
        }
    }
    // The sort's key: the file's rank by path (a fact's findings are at its claim's id), the
    // position, then the code; stable, as that sort is.
    let rank = crate::diag::file_ranks(&ws.files, ws.claim_files.iter().copied());
    found.order.par_sort_by_cached_key(|&(fact, flag)| {
        let claim = &ws.claims[of[fact as usize].claim_pos()];
        (
            rank.get(&claim.file).copied().unwrap_or(usize::MAX),
            claim.id_loc().start(),
            flag.code(),
        )
    });
    (found, has_error)
}

/// Makes the facts' findings again (see [`Options::fact_findings_on_demand`]), one after
/// another in the order of [`FactFindings::order`], where a fact's findings are adjacent (they
/// sort by its claim's place first): each fact is made once for all its findings in a row.
pub struct FactFindingMaker<'o, 'w> {
    outcome: &'o Outcome<'w>,
    /// The fact made last, and its index.
    last: Option<(u32, Fact<'w>)>,
}

impl<'o, 'w> FactFindingMaker<'o, 'w> {
    pub fn new(outcome: &'o Outcome<'w>) -> Self {
        FactFindingMaker {
            outcome,
            last: None,
        }
    }

    /// The finding of `flag` of the fact `fact` (an index into
    /// [`crate::outcome::Facts::list`]).
    pub fn make(&mut self, (fact, flag): (u32, Flag)) -> Diagnostic {
        let of = self.outcome.facts.list()[fact as usize];
        let made = match self.last.take() {
            Some((f, made)) if f == fact => made,
            _ => self.outcome.fact(&of),
        };
        let d = finding_of(self.outcome, of, &made, flag);
        self.last = Some((fact, made));
        d
    }
}

/// The finding of `flag` of the fact `made` of `of`: an `unsupported` one names its causes.
fn finding_of(outcome: &Outcome, of: FactOf, made: &Fact, flag: Flag) -> Diagnostic {
    let ws = outcome.facts.workspace();
    let claim = &ws.claims[of.claim_pos()];
    let d = findings::fact_finding(claim, made, flag, ws.policy.min_origins);
    if flag == Flag::Unsupported {
        findings::name_causes(ws, d, &outcome.citations[of.citations()])
    } else {
        d
    }
}

/// Facts whose findings are made at a time, per core (phase 6).
const FACTS_PER_CORE: usize = 512;

/// The texts to read, each with the citations to anchor in it, in key order (and so read in
/// that order).
type Texts<'w> = Vec<(TextKey<'w>, Vec<Job<'w>>)>;

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    fn count() {
        CALLS.fetch_add(1, Ordering::SeqCst);
    }

    /// The binary's hook runs after the plan, after the anchoring and at the end, and changes
    /// nothing the check finds.
    #[test]
    fn the_hook_between_phases_runs_three_times_and_changes_nothing() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
        let ws = crate::workspace::load(&root).expect("the tiny workspace loads");
        let without = super::check(&ws, &super::Options::default());
        let with = super::check(
            &ws,
            &super::Options {
                between_phases: Some(count),
                ..Default::default()
            },
        );
        assert_eq!(CALLS.load(Ordering::SeqCst), 3);
        let verdicts = |o: &crate::outcome::Outcome| -> Vec<_> {
            o.citations
                .iter()
                .map(|c| (c.verdict(), c.found()))
                .collect()
        };
        assert_eq!(verdicts(&with), verdicts(&without));
        assert_eq!(with.diagnostics.len(), without.diagnostics.len());
    }
}

//! Phase 2 of a check: which text each citation is checked against. A citation of an unknown
//! source, or of a revision its source does not record, gets its finding here and no text.

use rayon::prelude::*;

use super::text::{Job, TextKey, source_ranks};
use super::{Options, Texts};
use crate::diag::{Code, Diagnostic, suggest};
use crate::outcome::CitationReport;
use crate::workspace::{Cite, Claim, Workspace};

/// The report of every selected citation (in claim order, each claim's citations consecutive),
/// and the texts to read with the citations to anchor in each. Every source's current snapshot
/// is among the texts on a whole-workspace run, cited or not: its integrity is verified.
pub(super) fn plan<'w>(
    ws: &'w Workspace,
    selected: &[(usize, &'w Claim)],
    opts: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<CitationReport<'w>>, Texts<'w>) {
    // One indexed parallel pass over every citation writes the reports straight into their
    // final vector (unzipped from their findings): no second copy of 100,000 reports in flight.
    let all: Vec<(usize, &'w Cite)> = selected
        .iter()
        .flat_map(|&(claim_pos, claim)| claim.cites.iter().map(move |cite| (claim_pos, cite)))
        .collect();
    let ranks = source_ranks(ws);
    let (citations, found): (Vec<CitationReport<'w>>, Vec<Option<Box<Diagnostic>>>) = all
        .par_iter()
        .enumerate()
        .map(|(index, &(claim_pos, cite))| citation_report(ws, claim_pos, cite, index))
        .unzip();
    drop(all);
    // Each citation that has a text, by its text's number key, and every source's current
    // snapshot on a whole-workspace run (cited or not: its integrity is verified), sorted on
    // every core, in place: 16 bytes an entry. (A map built entry by entry on one thread was
    // the longest serial step; the keys as `TextKey`s with the reports' findings were 80 bytes
    // a citation, 8 MB above the peak of a 100k-citation check.)
    let sources = if opts.whole_workspace() {
        ranks.len()
    } else {
        0
    };
    let mut keyed: Vec<(u64, usize)> = Vec::with_capacity(citations.len() + sources);
    for (index, (report, finding)) in citations.iter().zip(&found).enumerate() {
        if finding.is_none()
            && let Some(key) = text_number(ws, &ranks, report)
        {
            keyed.push((key, index));
        }
    }
    diagnostics.extend(found.into_iter().flatten().map(|d| *d));
    // A source's own entry sorts after its citations (`usize::MAX`): only the citations' order
    // within a text matters, and it is theirs.
    keyed.extend(
        ranks
            .iter()
            .take(sources)
            .map(|&rank| (u64::from(rank) << 32, usize::MAX)),
    );
    keyed.par_sort_unstable();
    let mut by_rank = vec![0u32; ranks.len()];
    for (at, &rank) in ranks.iter().enumerate() {
        by_rank[rank as usize] = u32::try_from(at).unwrap_or(u32::MAX);
    }
    let mut texts: Texts<'w> = Vec::new();
    let mut rest = keyed.as_slice();
    while let Some(&(number, first)) = rest.first() {
        let run = rest.partition_point(|&(n, _)| n == number);
        let (this, next) = rest.split_at(run);
        rest = next;
        let source = by_rank[(number >> 32) as usize];
        // A revision's number is not 0; a run with one begins with a citation.
        let revision = (number & u64::from(u32::MAX) != 0)
            .then(|| citations.get(first).and_then(|r| r.revision(ws)))
            .flatten();
        let key = TextKey { source, revision };
        let mut jobs = Vec::with_capacity(this.iter().filter(|e| e.1 != usize::MAX).count());
        for &(_, index) in this {
            if let Some(report) = citations.get(index) {
                debug_assert_eq!(
                    report.revision(ws),
                    report.source(ws).and_then(|s| super::text::checked_against(
                        &key,
                        s,
                        report.cite
                    ))
                );
                jobs.push(Job {
                    index,
                    cite: report.cite,
                });
            }
        }
        texts.push((key, jobs));
    }
    // The numbers order the texts by source id, then revision.
    debug_assert!(texts.windows(2).all(|w| {
        let order = |k: &TextKey<'w>| (&ws.sources[k.source as usize].id, k.revision);
        order(&w[0].0) < order(&w[1].0)
    }));
    (citations, texts)
}

/// The number of the text a planned citation is anchored in, which orders the texts as their
/// `TextKey`s do: its source's rank in the high half; in the low half 0 for the current
/// snapshot, or for a superseded revision one more than the number of the source's revisions
/// whose sha256 sorts before its own. `None` for a citation of an unknown source.
fn text_number(ws: &Workspace, ranks: &[u32], report: &CitationReport) -> Option<u64> {
    let at = report.source_at()? as usize;
    let source = ws.sources.get(at)?;
    let revision = match report.revision_in(source) {
        // Pinned to the current capture: checked against it.
        Some(sha) if sha != source.sha256 => {
            let before = source.revisions.iter().filter(|r| *r.sha256 < *sha).count();
            u32::try_from(before + 1).unwrap_or(u32::MAX)
        }
        _ => 0,
    };
    Some(u64::from(*ranks.get(at)?) << 32 | u64::from(revision))
}

/// What [`citation_report`] gives: a citation with a finding has no text to be anchored in.
type Built<'w> = (CitationReport<'w>, Option<Box<Diagnostic>>);

/// The report of one citation before anchoring, with its finding when its source or revision
/// is unknown.
fn citation_report<'w>(
    ws: &'w Workspace,
    claim_pos: usize,
    cite: &'w Cite,
    index: usize,
) -> Built<'w> {
    let mut report = CitationReport::new(cite, u32::try_from(claim_pos).unwrap_or(u32::MAX));
    let Some(&at) = ws.source_index.get(cite.source()) else {
        let mut d = Diagnostic::new(
            Code::SourceUnknown,
            format!("unknown source `{}`", cite.source()),
        )
        .at(cite.source_loc())
        .label("not registered in sources.toml")
        .citation(index);
        d = match suggest(cite.source(), ws.sources.iter().map(|s| s.id.as_str())) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!(
                "register it first: prov add FILE --id {} --outlet NAME",
                cite.source()
            )),
        };
        report.set_finding(
            Code::SourceUnknown,
            d.severity,
            d.message.clone().into(),
            d.loc.clone(),
        );
        return (report, Some(Box::new(d)));
    };
    let source = &ws.sources[at];
    report.set_source_at(at);
    if cite
        .revision()
        .is_some_and(|p| source.sha256.starts_with(p))
    {
        // Pinned to the current capture: checked against it, and kept with it when a
        // new capture is accepted (it then resolves through the recorded revision).
        report.pin_current();
    } else if let Some(prefix) = cite.revision() {
        let matching: Vec<_> = source
            .revisions
            .iter()
            .enumerate()
            .filter(|(_, r)| r.sha256.starts_with(prefix))
            .collect();
        match matching.as_slice() {
            [(at, _)] => report.pin_superseded(*at),
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
                    .at_opt(cite.revision_loc().cloned())
                    .label("no such revision")
                    .help(help)
                    .citation(index);
                report.set_finding(
                    Code::RevisionUnknown,
                    d.severity,
                    message.into(),
                    d.loc.clone(),
                );
                return (report, Some(Box::new(d)));
            }
        }
    }
    (report, None)
}

//! Phase 2 of a check: which text each citation is checked against. A citation of an unknown
//! source, or of a revision its source does not record, gets its finding here and no text.

use std::borrow::Cow;

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
    // final vector (unzipped from the rest): no second copy of 100,000 reports in flight.
    let all: Vec<(usize, &'w Claim, &'w Cite)> = selected
        .iter()
        .flat_map(|&(claim_pos, claim)| {
            claim.cites.iter().map(move |cite| (claim_pos, claim, cite))
        })
        .collect();
    let ranks = source_ranks(ws);
    let (citations, rest): (Vec<CitationReport<'w>>, Vec<Rest<'w>>) = all
        .par_iter()
        .enumerate()
        .map(|(index, &(claim_pos, claim, cite))| {
            let (report, finding, key) = citation_report(ws, &ranks, claim_pos, claim, cite, index);
            (report, (finding, key))
        })
        .unzip();
    drop(all);
    // Each citation's text, and every source's current snapshot on a whole-workspace run
    // (cited or not: its integrity is verified), sorted by text and then citation on every
    // core, in place (a stable sort's buffer was 5 MB above the peak of a 100k-citation
    // check). (A map built entry by entry on one thread was the longest serial step.)
    let sources = if opts.whole_workspace() {
        ranks.len()
    } else {
        0
    };
    let mut keyed: Vec<(TextKey<'w>, Option<usize>)> =
        Vec::with_capacity(citations.len() + sources);
    for (index, (finding, key)) in rest.into_iter().enumerate() {
        diagnostics.extend(finding.map(|d| *d));
        if let Some(key) = key {
            keyed.push((key, Some(index)));
        }
    }
    if opts.whole_workspace() {
        keyed.extend(ranks.iter().enumerate().map(|(at, &rank)| {
            let key = TextKey {
                rank,
                source: u32::try_from(at).unwrap_or(u32::MAX),
                revision: None,
            };
            (key, None)
        }));
    }
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut texts: Texts<'w> = Vec::new();
    for (key, index) in keyed {
        if texts.last().is_none_or(|(last, _)| *last != key) {
            texts.push((key, Vec::new()));
        }
        if let (Some(index), Some((_, jobs))) = (index, texts.last_mut()) {
            jobs.push(Job {
                index,
                cite: citations[index].cite,
                revision: citations[index].revision,
            });
        }
    }
    (citations, texts)
}

/// What [`citation_report`] gives besides the report: its finding and its text.
type Rest<'w> = (Option<Box<Diagnostic>>, Option<TextKey<'w>>);

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
    ranks: &[u32],
    claim_pos: usize,
    claim: &'w Claim,
    cite: &'w Cite,
    index: usize,
) -> Built<'w> {
    let line = ws
        .files
        .get(cite.quote_loc.file)
        .line(cite.quote_loc.start());
    let mut report = CitationReport {
        claim,
        cite,
        line: u32::try_from(line).unwrap_or(u32::MAX),
        revision: None,
        anchored: None,
        code: None,
        severity: None,
        message: Cow::Borrowed(""),
        finding_at: None,
        claim_pos: u32::try_from(claim_pos).unwrap_or(u32::MAX),
        source_at: None,
        found_text: None,
        pending: None,
    };
    let Some(&at) = ws.source_index.get(&*cite.source) else {
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
        report.finding_at = d.loc.clone();
        report.message = d.message.clone().into();
        return (report, Some(Box::new(d)), None);
    };
    let source = &ws.sources[at];
    let source_at = u32::try_from(at).unwrap_or(u32::MAX);
    report.source_at = Some(source_at);
    let mut key = TextKey {
        rank: ranks[at],
        source: source_at,
        revision: None,
    };
    if cite
        .revision()
        .is_some_and(|p| source.sha256.starts_with(p))
    {
        // Pinned to the current capture: checked against it, and kept with it when a
        // new capture is accepted (it then resolves through the recorded revision).
        report.revision = Some(&source.sha256);
    } else if let Some(prefix) = cite.revision() {
        let matching: Vec<_> = source
            .revisions
            .iter()
            .filter(|r| r.sha256.starts_with(prefix))
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
                    .at_opt(cite.revision_loc().cloned())
                    .label("no such revision")
                    .help(help)
                    .citation(index);
                report.code = Some(Code::RevisionUnknown);
                report.severity = Some(d.severity);
                report.finding_at = d.loc.clone();
                report.message = message.into();
                return (report, Some(Box::new(d)), None);
            }
        }
    }
    (report, None, Some(key))
}

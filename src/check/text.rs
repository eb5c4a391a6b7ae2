//! Phase 3 of a check, one text at a time and on every core: read and hash the text, anchor
//! each of its citations, and re-anchor them in the source's pending capture, if any; the
//! findings of the citations are made here too. The text is dropped once its citations are
//! anchored: only the verdicts and the passages they found are kept.

use rayon::prelude::*;

use super::{Texts, findings};
use crate::diag::Diagnostic;
use crate::files::rel_display;
use crate::outcome::CitationReport;
use crate::pending;
use crate::reanchor::Reanchorer;
use crate::snapshot::{self, Status};
use crate::verdict::{Anchor, SourceText, Verdict, anchor};
use crate::workspace::{Cite, Source, Workspace, revision_path};

/// The text a citation is checked against: the current snapshot or a retained revision. Made of
/// numbers and a borrowed revision (a key per citation is built and sorted in the hot loop);
/// ordered by source id, then revision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct TextKey<'w> {
    /// The source's rank among the sources by id ([`source_ranks`]).
    pub rank: u32,
    /// The source's position in `Workspace::sources`.
    pub source: u32,
    /// Full sha256 of a revision, or `None` for the current snapshot.
    pub revision: Option<&'w str>,
}

/// Each source's rank among the workspace's sources by id, by its position.
pub(super) fn source_ranks(ws: &Workspace) -> Vec<u32> {
    let mut by_id: Vec<usize> = (0..ws.sources.len()).collect();
    by_id.sort_unstable_by(|&a, &b| ws.sources[a].id.cmp(&ws.sources[b].id));
    let mut ranks = vec![0; by_id.len()];
    for (rank, at) in by_id.into_iter().enumerate() {
        ranks[at] = u32::try_from(rank).unwrap_or(u32::MAX);
    }
    ranks
}

/// One citation to anchor in a text.
pub(super) struct Job<'w> {
    pub index: usize,
    pub cite: &'w Cite,
}

/// One citation anchored: its index, its anchor, the text found (not for `ok`) and its finding
/// (boxed: most citations have none).
pub(super) type Anchored = (usize, Anchor, Option<String>, Option<Box<Diagnostic>>);

/// The result of reading one text and anchoring its citations.
pub(super) struct TextResult<'w> {
    pub key: TextKey<'w>,
    /// The snapshot's status; its text is dropped once its citations are anchored.
    pub loaded: snapshot::Loaded,
    pub pinned: String,
    /// Every citation checked against this text.
    pub citations: Vec<usize>,
    /// Their anchors: only when the text is intact (its sha256 matches the pin).
    pub anchors: Vec<Anchored>,
    /// A pending capture of the source, and each citation re-anchored in it.
    pub pending: Option<(pending::Capture, Vec<(usize, pending::Reanchored)>)>,
}

/// Read each text once and anchor its citations, on every core; the results in the texts'
/// order.
pub(super) fn read_and_anchor<'w>(
    ws: &'w Workspace,
    texts: Texts<'w>,
    citations: &[CitationReport],
) -> Vec<TextResult<'w>> {
    texts
        .into_par_iter()
        .filter_map(|(key, jobs)| {
            let source = ws.sources.get(key.source as usize)?;
            Some(run_text(ws, source, key, jobs, citations))
        })
        .collect()
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
                    if job.cite.revision().is_some() {
                        // Pinned to this capture: it stays with it.
                        anchors.push((job.index, a, found_text));
                        continue;
                    }
                    let p = r
                        .reanchor(&job.cite.quote, job.cite.span, &a)
                        .with_partial_word(&r.new);
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
                findings::citation_finding(report, &a, found_text.as_deref(), &rel, bom, index)
            });
            // Boxed: most citations have no finding, and a `Diagnostic` is 200 bytes.
            let finding = finding.map(Box::new);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Options, check};
    use crate::snapshot::sha256_hex;

    /// Texts are keyed by numbers, but still read, and their sources reported, in source id
    /// order, whatever order sources.toml registers them in.
    #[test]
    fn texts_go_in_source_id_order_whatever_the_registry_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("snapshots")).unwrap();
        std::fs::create_dir_all(root.join("claims")).unwrap();
        let mut toml = String::new();
        let mut claims = String::new();
        for id in ["zeta", "alpha", "mid", "alpha-2"] {
            let text = format!("The words of {id}.");
            std::fs::write(root.join(format!("snapshots/{id}.txt")), &text).unwrap();
            toml.push_str(&format!(
                "[sources.{id}]\noutlet = \"{id}\"\ncaptured = 2026-11-22T10:00:00Z\nsha256 = \"{}\"\n\n",
                sha256_hex(text.as_bytes())
            ));
            claims.push_str(&format!(
                "[[claim]]\nid = \"c-{id}\"\nfact = \"f\"\n\n[[claim.cite]]\nsource = \"{id}\"\nquote = \"{text}\"\n\n"
            ));
        }
        std::fs::write(root.join("sources.toml"), toml).unwrap();
        std::fs::write(root.join("claims/c.toml"), claims).unwrap();
        let ws = crate::workspace::load(root).expect("valid test workspace");
        assert_eq!(source_ranks(&ws), [3, 0, 2, 1]);
        let outcome = check(
            &ws,
            &Options {
                only_files: None,
                deny: Vec::new(),
                workspace_findings: false,
                fact_findings_on_demand: false,
            },
        );
        let ids: Vec<&str> = outcome.sources.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["alpha", "alpha-2", "mid", "zeta"]);
        let cited: Vec<Option<u32>> = outcome.citations.iter().map(|c| c.source_at).collect();
        assert_eq!(cited, [Some(0), Some(1), Some(2), Some(3)]);
        assert!(
            outcome
                .citations
                .iter()
                .all(|c| c.verdict().is_some_and(Verdict::holds)),
            "{:?}",
            outcome
                .citations
                .iter()
                .map(|c| c.verdict())
                .collect::<Vec<_>>()
        );
    }
}

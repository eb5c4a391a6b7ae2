//! Phase 3 of a check, one text at a time and on every core: read and hash the text, anchor
//! each of its citations, and re-anchor them in the source's pending capture, if any; the
//! findings of the citations are made here too. The text is dropped once its citations are
//! anchored (and the caller of `check_with` has seen it): only the verdicts and the passages
//! they found are kept.

use rayon::prelude::*;

use super::{Texts, findings};
use crate::diag::Diagnostic;
use crate::files::rel_display;
use crate::pending;
use crate::reanchor::Reanchorer;
use crate::snapshot::{self, Status};
use crate::verdict::{Anchor, SourceText, Verdict, anchor};
use crate::workspace::{Cite, Source, Workspace};

/// The text a citation is checked against: the current snapshot or a retained revision. The
/// plan orders the texts by source id, then revision (by number: `plan::text_number`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TextKey<'w> {
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

/// One citation to anchor in a text: what its anchoring and its finding need of its report.
/// (The revision it is checked against is its text's, or for a citation pinned to the current
/// capture that capture's: [`checked_against`].)
#[derive(Clone, Copy)]
pub(super) struct Job<'w> {
    pub index: usize,
    pub cite: &'w Cite,
}

/// The revision a citation planned into the text `key` of `source` is checked against: its
/// report's `revision`. A citation of the current snapshot that names a revision is pinned to
/// the current capture (the plan gives any other named revision its own text, or a finding).
pub(super) fn checked_against<'s>(
    key: &TextKey<'s>,
    source: &'s Source,
    cite: &Cite,
) -> Option<&'s str> {
    match key.revision {
        Some(sha) => Some(sha),
        None => cite.revision().is_some().then_some(source.sha256.as_str()),
    }
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
    /// The text's file, workspace-relative, for findings.
    pub rel: String,
    /// Every citation checked against this text.
    pub citations: Vec<usize>,
    /// Their anchors: only when the text is intact (its sha256 matches the pin).
    pub anchors: Vec<Anchored>,
    /// A pending capture of the source, and each citation re-anchored in it.
    pub pending: Option<(pending::Capture, Vec<(usize, pending::Reanchored)>)>,
}

/// Texts a core takes at a time, and hands over together: one wake-up of the recording thread
/// per text cost a tenth of the check of 4,000 small texts.
const TEXTS_PER_TAKE: usize = 16;

/// Takes handed over and not yet recorded, per core: enough that a core never waits to hand one
/// over.
const SENT_PER_CORE: usize = 2;

/// Read each text once and anchor its citations, on every core, and hand each result to
/// `record` in the texts' order.
///
/// The cores take the texts in order, a few at a time ([`TEXTS_PER_TAKE`]), and each take's
/// results are recorded as soon as they and those before them are done: the recording (serial,
/// on a thread of its own) runs while the cores anchor, and no core waits for the slowest text
/// of a group (one text may be a hundred times the size of the next). The results waiting for
/// an earlier one are those finished while it was read and anchored: a few takes, not a share
/// of the workspace. (The anchoring runs on the calling thread's pool: called on one of its
/// cores, that core takes part in it rather than waiting; the recording is never on a core of
/// the pool, so a full pool never waits for it.)
pub(super) fn read_and_anchor<'w>(
    ws: &'w Workspace,
    texts: Texts<'w>,
    see: Option<&super::SeeText<'_>>,
    mut record: impl FnMut(TextResult<'w>) + Send,
) {
    // Looked at once for every text: the snapshots directory, and which sources have a pending
    // capture in it.
    let parents = &crate::files::Parents::default();
    let listing = &pending::Listing::read(&ws.root);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<TextResult<'w>>)>(
            SENT_PER_CORE * rayon::current_num_threads().max(1),
        );
        scope.spawn(move || {
            let mut done = std::collections::BTreeMap::new();
            let mut next = 0;
            for (at, results) in rx {
                done.insert(at, results);
                while let Some(results) = done.remove(&next) {
                    next += 1;
                    results.into_iter().for_each(&mut record);
                }
            }
        });
        let mut texts = texts.into_iter();
        std::iter::from_fn(|| Some(texts.by_ref().take(TEXTS_PER_TAKE).collect::<Vec<_>>()))
            .take_while(|take| !take.is_empty())
            .enumerate()
            .par_bridge()
            .for_each_with(tx, |tx, (at, take)| {
                let results = take
                    .into_iter()
                    .filter_map(|(key, jobs)| {
                        let source = ws.sources.get(key.source as usize)?;
                        Some(run_text(ws, source, key, jobs, parents, listing, see))
                    })
                    .collect();
                // Only a panic while recording drops the receiver; the scope passes it on.
                let _ = tx.send((at, results));
            });
    });
}

/// Read the first byte of each citation's quote, before any is anchored. The citations of a
/// text lie all over the claim files: read while anchoring, each quote is a cache miss (two:
/// its citation, then its bytes) that waits for the one before; read here, in loads that do
/// not depend on each other, the misses overlap.
fn touch_quotes(jobs: &[Job<'_>]) {
    let first = |j: &Job<'_>| j.cite.quote().bytes().next().unwrap_or(0);
    std::hint::black_box(jobs.iter().fold(0u8, |acc, j| acc ^ first(j)));
}

fn run_text<'w>(
    ws: &'w Workspace,
    source: &Source,
    key: TextKey<'w>,
    jobs: Vec<Job<'_>>,
    parents: &crate::files::Parents,
    listing: &pending::Listing,
    see: Option<&super::SeeText<'_>>,
) -> TextResult<'w> {
    let path = ws.text_path(source, key.revision);
    let pinned = key.revision.unwrap_or(&source.sha256).to_string();
    let loaded = snapshot::load(&ws.root, &path, &pinned, parents);
    let citations: Vec<usize> = jobs.iter().map(|j| j.index).collect();
    let mut anchors = Vec::with_capacity(jobs.len());
    // A pending capture applies to the current snapshot, not to retained revisions.
    let mut capture = match key.revision {
        None if listing.may_have(&source.id) => {
            pending::Capture::load(&ws.root, &source.id, parents)
        }
        _ => None,
    };
    let mut pending = None;
    // Evidence whose bytes are not the pinned ones proves nothing: nothing is anchored in it.
    if let (Status::Ok, Some(text)) = (loaded.status, loaded.text.as_deref()) {
        touch_quotes(&jobs);
        match capture.take() {
            Some((capture, Some(new_text))) => {
                let r = Reanchorer::new(text, &new_text);
                let mut moved = Vec::with_capacity(jobs.len());
                for job in &jobs {
                    let a = anchor(&r.old, job.cite.quote(), job.cite.span());
                    let found_text = found_text(&r.old, &a);
                    if job.cite.revision().is_some() {
                        // Pinned to this capture: it stays with it.
                        anchors.push((*job, a, found_text));
                        continue;
                    }
                    let p = r
                        .reanchor(job.cite.quote(), job.cite.span(), &a)
                        .with_partial_word(&r.new);
                    moved.push((
                        job.index,
                        pending::Reanchored {
                            found_text: slice(&r.new, p.found),
                            anchor: p,
                        },
                    ));
                    anchors.push((*job, a, found_text));
                }
                pending = Some((capture, moved));
            }
            other => {
                pending = other.map(|(c, _)| (c, Vec::new()));
                let src = SourceText::new(text);
                for job in jobs {
                    let a = anchor(&src, job.cite.quote(), job.cite.span());
                    let found_text = found_text(&src, &a);
                    anchors.push((job, a, found_text));
                }
            }
        }
    }
    if let Some((c, _)) = capture {
        // Not re-anchored (the snapshot fails its pin), but still known to be there.
        pending = Some((c, Vec::new()));
    }
    // Anchored only in a text whose bytes are the pinned ones.
    if let (Some(see), Some(text), false) = (see, loaded.text.as_deref(), anchors.is_empty()) {
        let anchored: Vec<_> = anchors
            .iter()
            .map(|(j, a, _)| (j.index, j.cite, a))
            .collect();
        see(&super::TextSeen {
            source,
            text,
            anchored: &anchored,
        });
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
        .map(|(job, a, found_text)| {
            let finding = findings::citation_finding(
                job.cite,
                checked_against(&key, source, job.cite),
                &a,
                found_text.as_deref(),
                &rel,
                bom,
                job.index,
            );
            // Boxed: most citations have no finding, and a `Diagnostic` is 200 bytes.
            let finding = finding.map(Box::new);
            (job.index, a, found_text, finding)
        })
        .collect();
    TextResult {
        key,
        loaded,
        pinned,
        rel,
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

    /// A workspace of one claim per source, in this order: (id, snapshot text, quote).
    fn workspace(sources: &[(String, String, String)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("snapshots")).unwrap();
        std::fs::create_dir_all(root.join("claims")).unwrap();
        let mut toml = String::new();
        let mut claims = String::new();
        for (id, text, quote) in sources {
            std::fs::write(root.join(format!("snapshots/{id}.txt")), text).unwrap();
            toml.push_str(&format!(
                "[sources.{id}]\noutlet = \"{id}\"\ncaptured = 2026-11-22T10:00:00Z\nsha256 = \"{}\"\n\n",
                sha256_hex(text.as_bytes())
            ));
            claims.push_str(&format!(
                "[[claim]]\nid = \"c-{id}\"\nfact = \"f\"\n\n[[claim.cite]]\nsource = \"{id}\"\nquote = \"{quote}\"\n\n"
            ));
        }
        std::fs::write(root.join("sources.toml"), toml).unwrap();
        std::fs::write(root.join("claims/c.toml"), claims).unwrap();
        dir
    }

    /// Texts are keyed by numbers, but still read, and their sources reported, in source id
    /// order, whatever order sources.toml registers them in.
    #[test]
    fn texts_go_in_source_id_order_whatever_the_registry_order() {
        let sources: Vec<_> = ["zeta", "alpha", "mid", "alpha-2"]
            .iter()
            .map(|id| {
                let text = format!("The words of {id}.");
                (id.to_string(), text.clone(), text)
            })
            .collect();
        let dir = workspace(&sources);
        let ws = crate::workspace::load(dir.path()).expect("valid test workspace");
        assert_eq!(source_ranks(&ws), [3, 0, 2, 1]);
        let outcome = check(&ws, &Options::default());
        let ids: Vec<&str> = outcome.sources.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["alpha", "alpha-2", "mid", "zeta"]);
        let cited: Vec<Option<u32>> = outcome.citations.iter().map(|c| c.source_at()).collect();
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

    /// The texts are anchored on every core and finish out of order (the first is a thousand
    /// times the size of the others); they are still recorded in order: the sources, the
    /// citations' verdicts and the findings are those of a check of one text after another.
    #[test]
    fn texts_finishing_out_of_order_are_recorded_in_order() {
        let n = 200;
        let sources: Vec<_> = (0..n)
            .map(|i| {
                let id = format!("s{i:03}");
                let body = if i == 0 {
                    "Filler words. ".repeat(80_000)
                } else {
                    String::new()
                };
                let text = format!("{body}The words of {id}.");
                // Every third quote is not in its text: a finding.
                let quote = if i % 3 == 0 {
                    format!("Gone from {id}.")
                } else {
                    format!("The words of {id}.")
                };
                (id, text, quote)
            })
            .collect();
        let dir = workspace(&sources);
        let ws = crate::workspace::load(dir.path()).expect("valid test workspace");
        let outcome = check(
            &ws,
            &Options {
                fact_findings_on_demand: true,
                ..Options::default()
            },
        );
        let ids: Vec<String> = outcome.sources.iter().map(|s| s.id.clone()).collect();
        let want: Vec<String> = (0..n).map(|i| format!("s{i:03}")).collect();
        assert_eq!(ids, want);
        for (i, c) in outcome.citations.iter().enumerate() {
            assert_eq!(c.source_at(), Some(i as u32));
            assert_eq!(c.verdict().is_some_and(Verdict::holds), i % 3 != 0, "{i}");
        }
        // One error per missing quote, in the order of their texts (the held findings are
        // sorted by place, which is that order here too).
        let found: Vec<usize> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
            .filter_map(|d| d.citation)
            .collect();
        let want: Vec<usize> = (0..n).filter(|i| i % 3 == 0).collect();
        assert_eq!(found, want);
    }
}

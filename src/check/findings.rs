//! The findings of a check: each verdict, each source's integrity, each pending capture, each
//! fact flag, and the workspace-wide ones (the chain of captures, unused sources), as
//! [`Diagnostic`]s with their places, notes and help.

use std::collections::HashSet;

use crate::anchor::fold;
use crate::diag::{Code, Diagnostic, clip};
use crate::facts::{self, Fact};
use crate::files::ReadError;
use crate::outcome::{CitationReport, SourceReport};
use crate::pending::{Capture, Reanchored};
use crate::snapshot::{Loaded, Status};
use crate::verdict::{Anchor, Verdict};
use crate::workspace::{Cite, Claim, Flag, Source, Workspace};

/// The finding for a text (a snapshot, or a retained `revision`) that cannot be evidence:
/// missing, unreadable, or not the pinned bytes.
pub(super) fn source_finding(
    source: &Source,
    revision: Option<&str>,
    loaded: &Loaded,
    rel: &str,
) -> Option<Diagnostic> {
    let what = match &revision {
        Some(sha) => format!("revision {} of `{}`", &sha[..12], source.id),
        None => format!("`{}`", source.id),
    };
    let loc = match &revision {
        Some(sha) => source
            .revisions
            .iter()
            .find(|rev| rev.sha256 == *sha)
            .map(|rev| rev.loc.clone())
            .unwrap_or_else(|| source.loc.clone()),
        None => source.loc.clone(),
    };
    match loaded.status {
        Status::Ok => None,
        Status::SnapshotMissing => {
            let (code, help) = if revision.is_some() {
                (
                    Code::RevisionUnknown,
                    format!(
                        "the superseded capture is not kept: restore {rel} from version control, or from a copy of it with `prov capture {} FILE` (FILE's sha256 must be the revision's); or cite the current snapshot",
                        source.id
                    ),
                )
            } else {
                (
                    Code::SnapshotMissing,
                    format!(
                        "restore {rel} from version control (git checkout -- {rel}), or from a copy of the captured document with `prov capture {} FILE` (FILE's sha256 must be the pinned one)",
                        source.id
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
            let why = loaded
                .error
                .as_ref()
                .map_or_else(String::new, ReadError::to_string);
            let help = match loaded.error {
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
            let actual = loaded.actual.clone().unwrap_or_default();
            let mut d = Diagnostic::new(
                Code::SnapshotModified,
                format!("{rel} does not match the sha256 pinned for {what}"),
            )
            .at(if revision.is_some() { loc } else { source.sha256_loc.clone() })
            .label("pinned sha256")
            .note(format!("the file's sha256 is {actual}"))
            .help(format!(
                "the captured bytes were edited or replaced: restore them from version control (git checkout -- {rel}) or with `prov capture {} FILE` from a copy of the captured document; a new version of a document is a new capture, not an edit of the old one",
                source.id
            ));
            match loaded.error {
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
pub(super) fn fact_finding(claim: &Claim, fact: &Fact, flag: Flag, min_origins: u32) -> Diagnostic {
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
    d.severity(fact.severity(flag)).at(claim.id_loc())
}

/// At most this many causes are named in an `unsupported` finding.
const MAX_CAUSES: usize = 5;

/// An `unsupported` fact is a consequence: say what caused it. One note per distinct finding
/// that keeps a supporting citation from holding (a snapshot that fails its pin, a quote that
/// is `changed`…), with where it is reported: the causes are sorted before their consequences,
/// so the reader has just seen them.
pub(super) fn name_causes(
    ws: &Workspace,
    mut d: Diagnostic,
    reports: &[CitationReport],
) -> Diagnostic {
    // (code, where, what, how many citations), in citation order.
    let mut causes: Vec<(Code, String, String, usize)> = Vec::new();
    for r in reports
        .iter()
        .filter(|r| r.cite.stance == crate::workspace::Stance::Supports)
        .filter(|r| !r.verdict().is_some_and(Verdict::holds))
    {
        let Some(code) = r.code() else { continue };
        let at = r.finding_at().map_or_else(String::new, |l| {
            let f = ws.files.get(l.file);
            format!(" at {}:{}", f.path, f.line(l.start()))
        });
        let message = r.message(ws);
        let what = message.strip_prefix("not checked: ").unwrap_or(&message);
        match causes
            .iter_mut()
            .find(|(c, w, m, _)| *c == code && *w == at && m == what)
        {
            Some(cause) => cause.3 += 1,
            None => causes.push((code, at, what.to_string(), 1)),
        }
    }
    let more = causes.len().saturating_sub(MAX_CAUSES);
    for (code, at, what, n) in causes.into_iter().take(MAX_CAUSES) {
        let count = if n > 1 {
            format!(" ({n} citations)")
        } else {
            String::new()
        };
        d = d.note(format!("caused by {code}{at}{count}: {what}"));
    }
    if more > 0 {
        d = d.note(format!(
            "and {more} more cause{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    d
}

fn fmt_span((s, e): (usize, usize)) -> String {
    format!("[{s}, {e}]")
}

/// The finding of citation `index` (`cite`, checked against `revision` of its source, or the
/// current snapshot) anchored as `a`.
pub(super) fn citation_finding(
    cite: &Cite,
    revision: Option<&str>,
    a: &Anchor,
    found_text: Option<&str>,
    rel: &str,
    bom: bool,
    index: usize,
) -> Option<Diagnostic> {
    if a.verdict == Verdict::Ok && a.partial_word.is_none() {
        return None;
    }
    let src = match revision {
        Some(sha) => format!("`{}` (revision {})", cite.source(), &sha[..12]),
        None => format!("`{}`", cite.source()),
    };
    let range_note = |d: Diagnostic, found: (usize, usize)| {
        d.note(format!(
            "{rel} {}: {}",
            fmt_span(found),
            crate::escape::toml_basic(&clip(found_text.unwrap_or(""), 300))
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
            .at(cite.quote_loc())
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
            .at(cite.quote_loc())
            .label("no span")
            .help(format!(
                "run `prov fix` to record span = {}",
                fmt_span(found)
            ))
        }
        Verdict::Moved => {
            let found = a.found?;
            let span = cite.span().map(fmt_span).unwrap_or_default();
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
                .at(cite.span_loc().unwrap_or_else(|| cite.quote_loc()))
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
            let diffs = fold::explain(cite.quote(), source_says);
            let mut d = Diagnostic::new(
                Code::Typography,
                format!("the quote matches {src} only after folding typography"),
            )
            .at(cite.quote_loc())
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
            .at(cite.quote_loc())
            .label(match a.errors.unwrap_or(0) {
                1 => "1 edit away from the source".to_string(),
                n => format!("{n} edits away from the source"),
            })
            .diff(cite.quote().to_string(), source_says.to_string())
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
                    if cite.span().is_some() {
                        ", none of them at its span"
                    } else {
                        ""
                    }
                ),
            )
            .at(cite.quote_loc())
            .label("which one?")
            .note(note)
            .help("lengthen the quote until it occurs once, or set `span` to the place you mean")
        }
        Verdict::Missing => {
            let mut d = Diagnostic::new(
                Code::Missing,
                format!("the quote is not in {src}, not even approximately"),
            )
            .at(cite.quote_loc())
            .label("not found");
            if a.span_out_of_range {
                d = d.note(format!(
                    "the span {} reaches past the end of the snapshot",
                    cite.span().map(fmt_span).unwrap_or_default()
                ));
            }
            let n = cite.quote().chars().count();
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
        d = d.note(cut_short_note(w));
    }
    d = d.citation(index);
    Some(d)
}

/// The source-level finding for a pending capture: what it does to the citations, or why it
/// cannot be used, or why nothing was re-anchored in it (the current snapshot fails its pin).
pub(super) fn capture_finding(
    source: &Source,
    capture: &Capture,
    snapshot_ok: bool,
    results: &[(usize, Reanchored)],
    rel: &str,
) -> Diagnostic {
    if let Some(e) = &capture.error {
        return Diagnostic::new(
            Code::SnapshotInvalid,
            format!(
                "the pending capture of `{}` cannot be used: {rel}: {e}",
                source.id
            ),
        )
        .at(source.loc.clone())
        .label("registered here")
        .help(format!(
            "capture the document again as UTF-8 text (prov capture {} FILE), or delete {rel}",
            source.id
        ));
    }
    if !snapshot_ok {
        return Diagnostic::new(
            Code::CapturePending,
            format!(
                "a new capture of `{}` is pending ({rel}), but nothing was re-anchored in it: the current snapshot fails its pin",
                source.id
            ),
        )
        .at(source.loc.clone())
        .label("pending capture")
        .help("restore the current snapshot first; re-anchoring compares the pinned text with the new one");
    }
    let broken = results.iter().filter(|(_, r)| r.breaks()).count();
    let moved = results
        .iter()
        .filter(|(_, r)| r.anchor.verdict == Verdict::Moved)
        .count();
    let mut d = Diagnostic::new(
        Code::CapturePending,
        format!(
            "a new capture of `{}` is pending ({rel}): of {} citation{}, {} would hold ({moved} moved) and {broken} would break",
            source.id,
            results.len(),
            if results.len() == 1 { "" } else { "s" },
            results.len() - broken
        ),
    )
    .at(source.loc.clone())
    .label("pending capture")
    .note(format!(
        "pending sha256 {} ({} bytes)",
        capture.sha256.as_deref().unwrap_or("unknown"),
        capture.bytes
    ));
    d = if broken > 0 {
        d.help(format!(
            "review it with `prov diff {id}`; update the broken quotes, or pin them to the current capture with `revision = \"{}\"`, then `prov accept {id}`",
            &source.sha256[..12],
            id = source.id
        ))
    } else {
        d.help(format!(
            "review it with `prov diff {id}`, then `prov accept {id}` (it rewrites moved spans)",
            id = source.id
        ))
    };
    d
}

/// The finding for a citation a pending capture would break.
pub(super) fn pending_citation_finding(
    report: &CitationReport,
    r: &Reanchored,
) -> Option<Diagnostic> {
    if !r.breaks() {
        return None;
    }
    let a = &r.anchor;
    let at = |(s, e): (usize, usize)| format!("[{s}, {e}]");
    let src = report.cite.source();
    let d = match a.verdict {
        _ if a.verdict.holds() && a.partial_word.is_some() => Diagnostic::new(
            Code::PartialWord,
            format!(
                "in the pending capture of `{src}` the quote stands only where it begins or ends inside a word, at {}",
                at(a.found.unwrap_or((0, 0)))
            ),
        )
        .label("part of a word")
        .note(format!(
            "in whole words the new version says: {:?}; `prov accept` does not move a span onto part of a word",
            clip(a.partial_word.as_deref().unwrap_or(""), 300)
        )),
        Verdict::Changed => {
            let found = a.found.unwrap_or((0, 0));
            let mut d = Diagnostic::new(
                Code::Changed,
                format!(
                    "the pending capture of `{src}` edits the cited passage (now at {})",
                    at(found)
                ),
            )
            .label("edited in the new version")
            .diff(
                report.cite.quote().to_string(),
                r.found_text.clone().unwrap_or_default(),
            );
            if !a.candidates.is_empty() {
                d = d.note(format!(
                    "the old words still occur at {}, but that is another passage: prov does not move a citation there",
                    places(a)
                ));
            }
            d
        }
        Verdict::Typography => Diagnostic::new(
            Code::Typography,
            format!(
                "in the pending capture of `{src}` the quote matches only after folding typography, at {}",
                at(a.found.unwrap_or((0, 0)))
            ),
        )
        .label("typography changed")
        .note(format!(
            "the new text: {}",
            crate::escape::toml_basic(&clip(r.found_text.as_deref().unwrap_or(""), 300))
        )),
        Verdict::Ambiguous => {
            Diagnostic::new(
                Code::Ambiguous,
                format!(
                    "in the pending capture of `{src}` the quote occurs at {} places and its old context singles out none",
                    a.candidates_total
                ),
            )
            .label("which one?")
            .note(format!("candidates: {}", places(a)))
        }
        _ => {
            let mut d = Diagnostic::new(
                Code::Missing,
                format!("the pending capture of `{src}` no longer contains the cited passage"),
            )
            .label("deleted in the new version");
            if !a.candidates.is_empty() {
                d = d.note(format!(
                    "the same words occur at {}, in another context: prov does not move a citation there",
                    places(a)
                ));
            }
            d
        }
    };
    let d = match a.cut_short {
        Some(w) => d.note(cut_short_note(w)),
        None => d,
    };
    Some(
        d.about_pending()
            .at(report.cite.quote_loc())
            .help("update the quote to what the new version says (and check the fact), or pin `revision` to cite the current capture"),
    )
}

/// The chain of captures: each revision's `superseded_by` is the next capture's sha256. Only the
/// sources this run checked.
pub(super) fn chain_of_captures(ws: &Workspace, sources: &[SourceReport]) -> Vec<Diagnostic> {
    let checked: HashSet<&str> = sources.iter().map(|r| r.id.as_str()).collect();
    let mut out = Vec::new();
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
                out.push(
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
    out
}

/// Sources no claim of the workspace cites. `all` is the report of every citation of the
/// workspace, when the check made them all (their sources were looked up when it planned
/// them); otherwise (the first shard of a partitioned run) each citation's source is looked up.
pub(super) fn unused_sources(ws: &Workspace, all: Option<&[CitationReport]>) -> Vec<Diagnostic> {
    let mut cited = vec![false; ws.sources.len()];
    match all {
        Some(reports) => reports
            .iter()
            .filter_map(|c| c.source_at())
            .for_each(|at| cited[at as usize] = true),
        None => ws
            .citations()
            .filter_map(|(_, c)| ws.source_index.get(c.source()))
            .for_each(|&at| cited[at] = true),
    }
    ws.sources
        .iter()
        .zip(cited)
        .filter(|(_, cited)| !cited)
        .map(|(s, _)| {
            Diagnostic::new(
                Code::SourceUnused,
                format!("source `{}` is not cited by any claim", s.id),
            )
            .at(s.loc.clone())
            .label("registered here")
            .help("cite it from a claim, or remove it from sources.toml and snapshots/")
        })
        .collect()
}

/// A journal is there: a change of several files was interrupted, and what is checked may be
/// half of it. A read-only command never applies a journal (it could come from anyone), so the
/// gate fails until a writer completes it.
pub(super) fn interrupted_write() -> Diagnostic {
    use crate::journal::JOURNAL;
    Diagnostic::new(
        Code::InterruptedWrite,
        format!("an interrupted write: {JOURNAL} holds a change of several files that did not complete"),
    )
    .note("prov checked the files as they are; some may hold the old version and some the new")
    .note("commands that only read never apply a journal: it may have come with the files, from anyone")
    .help(format!(
        "run `prov recover` (or any command that writes) to complete it; if you did not run prov here, look at {JOURNAL} before you do, and delete it if it is not yours"
    ))
}

/// The places an anchor lists, "[a, b], [c, d]", with "and N more" when it kept only some.
fn places(a: &Anchor) -> String {
    let mut out = a
        .candidates
        .iter()
        .map(|(s, e)| format!("[{s}, {e}]"))
        .collect::<Vec<_>>()
        .join(", ");
    let more = a.candidates_total.saturating_sub(a.candidates.len());
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// The note of a verdict whose approximate search ran out of its budget.
fn cut_short_note((s, e): (usize, usize)) -> String {
    format!(
        "the approximate search was cut short: it looked only at code points [{s}, {e}] (a closer match may lie elsewhere)"
    )
}

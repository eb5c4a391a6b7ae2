//! Pending captures (DESIGN §5): `snapshots/<id>.new.txt`, a new version of a source waiting to
//! be reviewed. [`crate::check`] re-anchors every citation of such a source in it (through
//! [`crate::reanchor`]); this module loads captures and turns the results into findings and into
//! the "what the edit did to the evidence" comparison, citation by citation and fact by fact.

use std::path::{Path, PathBuf};

use crate::check::{CitationReport, Outcome, clip};
use crate::diag::{Code, Diagnostic};
use crate::facts::{self, Fact};
use crate::files::{self, ReadError};
use crate::snapshot::sha256_hex;
use crate::verdict::{Anchor, Verdict};
use crate::workspace::{SNAPSHOTS_DIR, Source, Workspace};

/// `snapshots/<id>.new.txt`.
pub fn capture_path(root: &Path, id: &str) -> PathBuf {
    root.join(SNAPSHOTS_DIR).join(format!("{id}.new.txt"))
}

/// A pending capture on disk.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The capture's sha256; `None` when it could not be read at all.
    pub sha256: Option<String>,
    pub bytes: usize,
    /// Why it cannot be used, if it cannot (not UTF-8, a link outside the workspace, …).
    pub error: Option<ReadError>,
}

/// A citation re-anchored in a pending capture.
#[derive(Debug, Clone)]
pub struct Reanchored {
    pub anchor: Anchor,
    /// The new text at `anchor.found`.
    pub found_text: Option<String>,
}

impl Reanchored {
    /// Would accepting the capture break the citation?
    pub fn breaks(&self) -> bool {
        !self.anchor.verdict.holds()
    }
}

impl Capture {
    /// The pending capture of `id` and its text, if there is one. A capture that exists but
    /// cannot be read as text comes back with its error and no text.
    pub fn load(root: &Path, id: &str) -> Option<(Capture, Option<String>)> {
        let path = capture_path(root, id);
        std::fs::symlink_metadata(&path).ok()?;
        match files::read_bytes(root, &path) {
            Ok(bytes) => {
                let sha256 = sha256_hex(&bytes);
                let n = bytes.len();
                match files::into_utf8(bytes) {
                    Ok(text) => Some((
                        Capture {
                            sha256: Some(sha256),
                            bytes: n,
                            error: None,
                        },
                        Some(text),
                    )),
                    Err(e) => Some((
                        Capture {
                            sha256: Some(sha256),
                            bytes: n,
                            error: Some(e),
                        },
                        None,
                    )),
                }
            }
            Err(e) => Some((
                Capture {
                    sha256: None,
                    bytes: 0,
                    error: Some(e),
                },
                None,
            )),
        }
    }
}

/// The source-level finding for a pending capture.
pub fn source_finding(
    source: &Source,
    capture: &Capture,
    results: &[&Reanchored],
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
    let broken = results.iter().filter(|r| r.breaks()).count();
    let moved = results
        .iter()
        .filter(|r| r.anchor.verdict == Verdict::Moved)
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
pub fn citation_finding(
    report: &CitationReport,
    r: &Reanchored,
    quote_loc: crate::diag::Loc,
) -> Option<Diagnostic> {
    if !r.breaks() {
        return None;
    }
    let a = &r.anchor;
    let at = |(s, e): (usize, usize)| format!("[{s}, {e}]");
    let src = &report.cite.source;
    let d = match a.verdict {
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
                report.cite.quote.clone(),
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
            "the new text: {:?}",
            clip(r.found_text.as_deref().unwrap_or(""), 300)
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
            .at(quote_loc)
            .help("update the quote to what the new version says (and check the fact), or pin `revision` to cite the current capture"),
    )
}

/// The places an anchor lists, "[a, b], [c, d]", with "and N more" when it kept only some.
fn places(a: &crate::verdict::Anchor) -> String {
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
pub(crate) fn cut_short_note((s, e): (usize, usize)) -> String {
    format!(
        "the approximate search was cut short: it looked only at code points [{s}, {e}] (a closer match may lie elsewhere)"
    )
}

/// The facts as they would be with every pending capture accepted.
pub fn facts_after<'w>(
    ws: &'w Workspace,
    outcome: &Outcome<'w>,
    deny: &[facts::Flag],
) -> Vec<Fact<'w>> {
    let after: Vec<CitationReport<'w>> = outcome
        .citations
        .iter()
        .map(|c| match &c.pending {
            Some(p) => CitationReport {
                anchor: Some(p.anchor.clone()),
                ..c.clone()
            },
            None => c.clone(),
        })
        .collect();
    let groups = facts::Groups::new(ws);
    let mut out = Vec::new();
    let mut next = 0;
    for fact in &outcome.facts {
        let Some(claim) = ws.claims.get(fact.claim_pos) else {
            continue;
        };
        let reports: Vec<&CitationReport> = after[next..next + claim.cites.len()].iter().collect();
        next += claim.cites.len();
        let mut after = facts::analyse(ws, &groups, claim, &reports, &ws.policy, deny);
        after.claim_pos = fact.claim_pos;
        out.push(after);
    }
    out
}

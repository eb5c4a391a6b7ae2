//! `prov accept`: plan the promotion of pending captures, as one all-or-nothing change of the
//! workspace.
//!
//! Accepting a capture changes several files: the old snapshot is kept as
//! `snapshots/<id>@<sha12>.txt`, sources.toml pins the new sha256 and records the revision,
//! claim files get their moved spans rewritten, and `<id>.new.txt` becomes `<id>.txt`. [`plan`]
//! computes all of it as a [`Journal`], which [`crate::journal::commit`] applies all or nothing.
//! Pure planning; never prints, never writes.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use crate::clock::{file_time_rfc3339, now_rfc3339};
use crate::edit::replace_value;
use crate::files;
use crate::fix::{self, Change};
use crate::journal::{Journal, Removal, Step, WriteStep};
use crate::outcome::Outcome;
use crate::pending::capture_path;
use crate::refusal::Refusal;
use crate::verdict::Verdict;
use crate::workspace::{
    SOURCES_FILE, Workspace, revision_path, warc_path, warc_pending_path, warc_revision_path,
};

/// What a citation would become in the new capture: a verdict that does not hold, or one that
/// holds at a place that begins or ends inside a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakage {
    pub verdict: Verdict,
    /// The whole word(s) the found place cuts, when it cuts one.
    pub partial_word: Option<String>,
}

impl std::fmt::Display for Breakage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.partial_word {
            Some(w) if self.verdict.holds() => {
                write!(f, "a partial word: the new text says \u{201c}{w}\u{201d}")
            }
            _ => f.write_str(self.verdict.as_str()),
        }
    }
}

/// What accepting one source will do or did.
#[derive(Debug, Clone)]
pub struct SourcePlan {
    pub id: String,
    pub old_sha256: String,
    pub new_sha256: String,
    /// Citations whose span is rewritten.
    pub moved: Vec<Change>,
    /// Citations that would break: (claim id, file path, line, what they would become).
    pub broken: Vec<(String, String, usize, Breakage)>,
    /// Where the superseded capture is kept.
    pub kept_as: String,
    /// Where its WARC is kept, when it had one.
    pub warc_kept_as: Option<String>,
    /// The new capture's WARC, when it has one.
    pub new_warc: Option<String>,
    /// The new capture is a re-extraction of the old one's response, not a publisher's edit.
    pub re_extraction: bool,
}

/// Plan accepting the pending captures of `ids` (all pending ones when empty).
/// Refuses when a citation would break, unless `keep_broken`; returns the plans either way so
/// the caller can show them.
pub fn plan(
    ws: &Workspace,
    outcome: &Outcome,
    ids: &[String],
    keep_broken: bool,
) -> Result<(Vec<SourcePlan>, Journal), (Vec<SourcePlan>, Refusal)> {
    let pending: Vec<&crate::outcome::SourceReport> = outcome
        .sources
        .iter()
        .filter(|s| s.pending.is_some())
        .collect();
    let mut targets = Vec::new();
    for id in ids {
        match outcome.sources.iter().find(|s| &s.id == id) {
            Some(s) if s.pending.is_some() => targets.push(s),
            Some(_) => {
                return Err((
                    Vec::new(),
                    Refusal::new(format!("`{id}` has no pending capture")).help(format!(
                        "capture a new version first: prov capture {id} FILE"
                    )),
                ));
            }
            None => {
                return Err((
                    Vec::new(),
                    Refusal::new(format!("unknown source `{id}`"))
                        .help("name a registered source with a pending capture"),
                ));
            }
        }
    }
    if ids.is_empty() {
        targets = pending;
    }
    if targets.is_empty() {
        return Err((
            Vec::new(),
            Refusal::new("there is no pending capture to accept")
                .help("store a new version first: prov capture ID FILE"),
        ));
    }

    let mut plans = Vec::new();
    let mut changes = Vec::new();
    // Refusals: evidence that cannot be used (could not run), then citations that would break.
    let mut refusal: Option<Refusal> = None;
    let mut findings_refusal: Option<Refusal> = None;
    let mut doc: DocumentMut =
        ws.files
            .get(ws.sources_file)
            .text
            .parse()
            .map_err(|e: toml_edit::TomlError| {
                (
                    Vec::new(),
                    Refusal::new(format!(
                        "{SOURCES_FILE} no longer parses: {}",
                        e.message().trim()
                    )),
                )
            })?;
    let now = now_rfc3339();
    let mut journal = Journal {
        version: 1,
        command: "accept".to_string(),
        copies: Vec::new(),
        writes: Vec::new(),
        renames: Vec::new(),
        removes: Vec::new(),
    };
    for s in targets {
        let (Some(capture), Some(source)) = (s.pending.clone(), ws.source(&s.id)) else {
            continue; // targets are sources with a pending capture
        };
        if s.status != crate::snapshot::Status::Ok {
            refusal.get_or_insert(
                Refusal::new(format!(
                    "the snapshot of `{}` fails its integrity check ({}); prov accepts a capture only over intact evidence",
                    s.id,
                    s.status.as_str()
                ))
                .help("run `prov check` and restore the snapshot first"),
            );
            continue;
        }
        let (None, Some(new_sha)) = (&capture.error, capture.sha256.clone()) else {
            let why = capture
                .error
                .as_ref()
                .map_or_else(|| "it cannot be read".to_string(), ToString::to_string);
            refusal.get_or_insert(
                Refusal::new(format!(
                    "the pending capture of `{}` cannot be used: {why}",
                    s.id
                ))
                .help(format!(
                    "capture the document again as UTF-8 text (prov capture {} FILE)",
                    s.id
                )),
            );
            continue;
        };
        // The evidence: the current capture's WARC must be intact, and a pending WARC must be
        // the pending text's.
        let old_warc = match &source.capture {
            Some(record) => match files::read_bytes(&ws.root, &warc_path(&ws.root, &s.id)) {
                Ok(b) if crate::snapshot::sha256_hex(&b) == record.warc => Some(record),
                _ => {
                    refusal.get_or_insert(
                        Refusal::new(format!(
                            "the WARC evidence of `{}` fails its pin (missing or modified); prov accepts a capture only over intact evidence",
                            s.id
                        ))
                        .help("run `prov check` and restore the WARC file first"),
                    );
                    continue;
                }
            },
            None => None,
        };
        let pending_warc_path = warc_pending_path(&ws.root, &s.id);
        let new_record = match files::read_bytes(&ws.root, &pending_warc_path) {
            Err(files::ReadError::NotFound) => None,
            Err(e) => {
                refusal.get_or_insert(Refusal::new(format!(
                    "cannot read the pending capture's WARC {}: {e}",
                    files::rel_display(&ws.root, &pending_warc_path)
                )));
                continue;
            }
            Ok(bytes) => match crate::evidence::pending_record(&bytes, &new_sha) {
                Ok(r) => Some(r),
                Err(why) => {
                    refusal.get_or_insert(
                        Refusal::new(format!(
                            "the pending capture of `{}` cannot be used: its WARC {}: {why}",
                            s.id,
                            files::rel_display(&ws.root, &pending_warc_path)
                        ))
                        .help(format!(
                            "capture it again (prov capture {} --fetch), or remove the WARC to accept the text without evidence",
                            s.id
                        )),
                    );
                    continue;
                }
            },
        };
        let mut plan = SourcePlan {
            id: s.id.clone(),
            old_sha256: s.sha256.clone(),
            new_sha256: new_sha.clone(),
            moved: Vec::new(),
            broken: Vec::new(),
            kept_as: files::rel_display(&ws.root, &revision_path(&ws.root, &s.id, &s.sha256)),
            warc_kept_as: old_warc.map(|_| {
                files::rel_display(&ws.root, &warc_revision_path(&ws.root, &s.id, &s.sha256))
            }),
            new_warc: new_record
                .as_ref()
                .map(|_| files::rel_display(&ws.root, &warc_path(&ws.root, &s.id))),
            re_extraction: new_record.as_ref().is_some_and(|r| r.re_extraction),
        };
        for c in outcome
            .citations
            .iter()
            .filter(|c| *c.cite.source() == *s.id && !c.is_pinned())
        {
            let Some(p) = &c.pending else { continue };
            if p.breaks() {
                plan.broken.push((
                    c.claim(ws).id().to_string(),
                    ws.files.get(c.cite.file()).path.clone(),
                    c.line(ws) as usize,
                    Breakage {
                        verdict: p.anchor.verdict,
                        partial_word: p.anchor.partial_word.clone(),
                    },
                ));
            } else if let (Some(found), Some(old)) = (p.anchor.found, c.cite.span())
                && found != old
            {
                let change = Change {
                    file: c.cite.file(),
                    line: c.line(ws) as usize,
                    claim: c.claim(ws).id().to_string(),
                    source: c.cite.source().to_string(),
                    claim_index: c.cite.claim_index(),
                    cite_index: c.cite.index(),
                    old_span: Some(old),
                    new_span: found,
                    new_quote: None,
                    verdict: Verdict::Moved,
                };
                plan.moved.push(change.clone());
                changes.push(change);
            }
        }
        if !plan.broken.is_empty() && !keep_broken {
            findings_refusal.get_or_insert(
                Refusal::new(format!(
                    "accepting the capture of `{}` would break {} citation{}",
                    s.id,
                    plan.broken.len(),
                    if plan.broken.len() == 1 { "" } else { "s" }
                ))
                .help(format!(
                    "update those quotes, or pin them to the current capture with `revision = \"{}\"`; or accept anyway with --keep-broken (they then fail the gate)",
                    &s.sha256[..12]
                )),
            );
        }
        // sources.toml: pin the new bytes, record the superseded capture.
        let entry = doc
            .get_mut("sources")
            .and_then(|t| t.get_mut(&s.id))
            .and_then(Item::as_table_like_mut);
        let Some(entry) = entry else {
            return Err((
                plans,
                Refusal::new(format!(
                    "cannot find [sources.{}] in {SOURCES_FILE} to edit",
                    s.id
                ))
                .help("the file's layout is unusual; accept by hand"),
            ));
        };
        if let Some(slot) = entry.get_mut("sha256").and_then(Item::as_value_mut) {
            replace_value(slot, new_sha.as_str().into());
        }
        // The new capture was taken when `prov capture` stored it; the old one is superseded now.
        let when = file_time_rfc3339(&capture_path(&ws.root, &s.id));
        let parse = |t: &str| -> Result<toml_edit::Datetime, (Vec<SourcePlan>, Refusal)> {
            t.parse().map_err(|_| {
                (
                    Vec::new(),
                    Refusal::new(format!("internal error: bad time {t}")),
                )
            })
        };
        let captured = parse(&when)?;
        let superseded = parse(&now)?;
        if let Some(slot) = entry.get_mut("captured").and_then(Item::as_value_mut) {
            replace_value(slot, captured.into());
        }
        let mut rev = Table::new();
        rev.insert("sha256", value(s.sha256.as_str()));
        if let Some(c) = source
            .captured
            .as_deref()
            .and_then(|c| c.parse::<toml_edit::Datetime>().ok())
        {
            rev.insert("captured", value(c));
        }
        rev.insert("superseded", value(superseded));
        // The hash chain: each capture names its successor, so a pin edited by hand (to match
        // a tampered snapshot) no longer agrees with the revision before it.
        rev.insert("superseded_by", value(new_sha.as_str()));
        if let Some(record) = old_warc {
            rev.insert("capture", Item::Table(record.to_table()));
        }
        // The new capture's evidence replaces the old one's (in place, where the table is).
        match (&new_record, entry.get_mut("capture")) {
            (Some(r), Some(Item::Table(t))) => {
                t.clear();
                for (k, v) in r.to_table().iter() {
                    t.insert(k, v.clone());
                }
            }
            (Some(r), _) => {
                entry.insert("capture", Item::Table(r.to_table()));
            }
            (None, _) => {
                entry.remove("capture");
            }
        }
        match entry.get_mut("revisions") {
            Some(Item::ArrayOfTables(a)) => a.push(rev),
            Some(_) => {
                return Err((
                    plans,
                    Refusal::new(format!(
                        "`revisions` of `{}` is not an array of tables; accept by hand",
                        s.id
                    )),
                ));
            }
            None => {
                let mut a = ArrayOfTables::new();
                a.push(rev);
                entry.insert("revisions", Item::ArrayOfTables(a));
            }
        }
        let snap = files::rel_display(&ws.root, &ws.snapshot_path(&s.id));
        journal.copies.push(Step {
            from: snap.clone(),
            to: plan.kept_as.clone(),
            sha256: s.sha256.clone(),
        });
        journal.renames.push(Step {
            from: files::rel_display(&ws.root, &capture_path(&ws.root, &s.id)),
            to: snap,
            sha256: new_sha.clone(),
        });
        let warc_rel = files::rel_display(&ws.root, &warc_path(&ws.root, &s.id));
        if let (Some(record), Some(kept)) = (old_warc, &plan.warc_kept_as) {
            journal.copies.push(Step {
                from: warc_rel.clone(),
                to: kept.clone(),
                sha256: record.warc.clone(),
            });
            if new_record.is_none() {
                journal.removes.push(Removal {
                    path: warc_rel.clone(),
                    sha256: record.warc.clone(),
                });
            }
        }
        if let Some(r) = &new_record {
            journal.renames.push(Step {
                from: files::rel_display(&ws.root, &pending_warc_path),
                to: warc_rel,
                sha256: r.warc.clone(),
            });
        }
        plans.push(plan);
    }
    if let Some(r) = refusal {
        // Not about citations: the caller exits 2 (no broken list shown).
        for p in &mut plans {
            p.broken.clear();
        }
        return Err((plans, r));
    }
    if let Some(r) = findings_refusal {
        return Err((plans, r));
    }
    journal.writes.push(WriteStep {
        path: SOURCES_FILE.to_string(),
        old: ws.files.get(ws.sources_file).text.to_string(),
        new: doc.to_string(),
    });
    let edits = fix::apply(ws, changes).map_err(|r| (plans.clone(), r))?;
    for e in edits {
        journal.writes.push(WriteStep {
            path: e.path,
            old: e.old,
            new: e.new,
        });
    }
    Ok((plans, journal))
}

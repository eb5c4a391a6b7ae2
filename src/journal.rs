//! The journal: how a change of several files is made all or nothing, and how an interrupted
//! one is completed without ever trusting the journal itself.
//!
//! No single rename can change several files at once, so a writer that must (`prov accept`,
//! `prov fix` across files) first writes its whole plan as a journal (`.prov-journal.json`,
//! atomically): the commit point. It then applies the journal (copies, writes, renames; each
//! step idempotent) and removes it.
//!
//! A journal found on disk may have been written by anyone (it could arrive in a pull request),
//! so it is only ever applied by a command that writes (`prov recover`, or any writer before it
//! starts), and only after [`recover`] has validated it whole: every path is one prov itself
//! writes (`sources.toml`, `claims/**/*.toml`, `snapshots/<id>.txt`, `…@<sha12>.txt`,
//! `….new.txt`), relative, without `..` and without a symlink on the way; and every step agrees
//! with the files as they are (a copy's or rename's bytes have their recorded sha256, a write
//! finds its old or its new text) before anything moves. An invalid journal is refused, with
//! where it is wrong, and left untouched. Commands that only read never apply one: they report
//! it ([`present`]). Pure file operations; never prints.

use std::fs;
use std::path::{Component, Path};

use serde::{Deserialize, Serialize};

use crate::edit::{atomic_create, atomic_write};
use crate::failpoint::failpoint;
use crate::files;
use crate::refusal::Refusal;
use crate::snapshot::sha256_hex;
use crate::workspace::tree::valid_id;
use crate::workspace::{CLAIMS_DIR, SNAPSHOTS_DIR, SOURCES_FILE};

/// The journal file, at the workspace root.
pub const JOURNAL: &str = ".prov-journal.json";

/// The only journal format this prov writes and reads.
pub const VERSION: u32 = 1;

/// Everything one multi-file change does, in the order it is done.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    pub version: u32,
    /// The command that wrote it (`accept`, `fix`), for messages.
    #[serde(default)]
    pub command: String,
    /// Keep old snapshots: copy `from` to `to`; the bytes have this sha256.
    pub copies: Vec<Step>,
    /// Replace whole files (workspace-relative path, new text).
    pub writes: Vec<WriteStep>,
    /// Promote captures: rename `from` to `to`; the bytes have this sha256.
    pub renames: Vec<Step>,
    /// Remove files (a current capture's WARC, when the capture that replaces it has none; the
    /// same journal keeps it as its revision's first): the file at `path`, if it has this
    /// sha256. Absent from journals that remove nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removes: Vec<Removal>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Removal {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub from: String,
    pub to: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WriteStep {
    pub path: String,
    /// The text the file had when the plan was made (to refuse a concurrent edit).
    pub old: String,
    pub new: String,
}

impl Journal {
    /// The command that wrote it, for messages (`accept` for journals older than the field).
    pub fn command(&self) -> &str {
        if self.command.is_empty() {
            "accept"
        } else {
            &self.command
        }
    }
}

/// Is there a journal (or anything by its name) at the workspace root? Readers report it and
/// go on; they never apply it.
pub fn present(root: &Path) -> bool {
    fs::symlink_metadata(root.join(JOURNAL)).is_ok()
}

/// Commit and apply a journal this process planned.
pub fn commit(root: &Path, journal: &Journal) -> Result<(), Refusal> {
    validate(root, journal, None)?;
    // Refuse if any file changed since the plan was made.
    for s in journal.copies.iter().chain(&journal.renames) {
        if sha_of(root, &s.from).as_deref() != Some(s.sha256.as_str()) {
            return Err(Refusal::new(format!(
                "{} changed while prov was writing; nothing was changed",
                s.from
            ))
            .help("run the same command again"));
        }
    }
    for w in &journal.writes {
        let now = files::read_text(root, &root.join(&w.path))
            .map_err(|e| Refusal::new(format!("cannot read {}: {e}", w.path)))?;
        if now != w.old {
            return Err(Refusal::new(format!(
                "{} changed while prov was writing; nothing was changed",
                w.path
            ))
            .help("run the same command again"));
        }
    }
    let text = serde_json::to_string_pretty(journal)
        .map_err(|e| Refusal::new(format!("internal error: {e}")))?;
    failpoint("journal-before");
    atomic_create(&root.join(JOURNAL), text.as_bytes()).map_err(|e| {
        Refusal::new(format!("cannot write {JOURNAL}: {e}")).help(format!(
            "an interrupted `prov {}` may have left its journal: run `prov recover` to complete it",
            journal.command()
        ))
    })?;
    failpoint("journal-committed");
    apply(root, journal)
}

/// What [`recover`] completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// The command whose change it was (`accept`, `fix`).
    pub command: String,
    /// The files it wrote (workspace-relative), in order.
    pub files: Vec<String>,
}

/// Complete an interrupted multi-file change, if its journal is there: load it, validate it
/// whole, check every step against the files, then apply it. Only writers call this.
pub fn recover(root: &Path) -> Result<Option<Recovered>, Refusal> {
    let path = root.join(JOURNAL);
    let Ok(meta) = fs::symlink_metadata(&path) else {
        return Ok(None);
    };
    if meta.file_type().is_symlink() {
        return Err(refused(
            format!("{JOURNAL} is a symbolic link; prov never follows one to write"),
            "delete the link",
        ));
    }
    let text = files::read_text(root, &path).map_err(|e| {
        refused(
            format!("cannot read {JOURNAL}: {e}"),
            "restore the workspace from version control and delete it",
        )
    })?;
    let journal = vet(root, &text)?;
    apply(root, &journal)?;
    let mut written: Vec<String> = Vec::new();
    for p in journal
        .copies
        .iter()
        .map(|c| &c.to)
        .chain(journal.writes.iter().map(|w| &w.path))
        .chain(journal.renames.iter().map(|r| &r.to))
    {
        if !written.contains(p) {
            written.push(p.clone());
        }
    }
    Ok(Some(Recovered {
        command: journal.command().to_string(),
        files: written,
    }))
}

/// A journal's text, parsed, validated whole and checked against the files of `root`, ready to
/// apply; or why it must not be. Reads only.
pub fn vet(root: &Path, text: &str) -> Result<Journal, Refusal> {
    let journal = parse(text)?;
    validate(root, &journal, Some(text))?;
    verify(root, &journal)?;
    Ok(journal)
}

/// A refusal to apply a journal, with the standard way out.
fn refused(message: String, what_to_do: &str) -> Refusal {
    Refusal::new(message).help(format!(
        "prov wrote nothing and left {JOURNAL} as it is: {what_to_do}"
    ))
}

/// The journal's text as a [`Journal`], or where it is not one.
pub fn parse(text: &str) -> Result<Journal, Refusal> {
    let journal: Journal = serde_json::from_str(text).map_err(|e| {
        refused(
            format!(
                "{JOURNAL}:{}:{}: not a journal this prov can complete: {}",
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            ),
            "an interrupted prov command may have left it, or it was edited by hand; restore the workspace from version control and delete it",
        )
    })?;
    if journal.version != VERSION {
        return Err(refused(
            format!(
                "{JOURNAL}:{}: journal version {} is not one this prov can complete (it knows {VERSION})",
                locate(text, "\"version\"").unwrap_or_else(|| "1:1".to_string()),
                journal.version
            ),
            "complete it with the prov that wrote it, or restore the workspace from version control and delete it",
        ));
    }
    if !matches!(journal.command(), "accept" | "fix") {
        return Err(refused(
            format!(
                "{JOURNAL}:{}: `{}` is not a command that writes a journal",
                locate(text, &json_string(&journal.command)).unwrap_or_else(|| "1:1".to_string()),
                crate::escape::inline(&journal.command)
            ),
            "restore the workspace from version control and delete it",
        ));
    }
    Ok(journal)
}

/// serde_json's message ends with " at line L column C"; the position is given first instead.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

/// `"s"` as JSON writes it, to find it in the journal's text.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// `line:col` (1-based, col in code points) of the first occurrence of `needle` in `text`.
fn locate(text: &str, needle: &str) -> Option<String> {
    let at = text.find(needle)?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some(format!("{line}:{col}"))
}

/// What a journal path may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `snapshots/<id>.txt`
    Snapshot,
    /// `snapshots/<id>@<12 hex>.txt`
    Revision,
    /// `snapshots/<id>.new.txt`
    Capture,
    /// `snapshots/<id>.warc.gz`
    Warc,
    /// `snapshots/<id>@<12 hex>.warc.gz`
    WarcRevision,
    /// `snapshots/<id>.new.warc.gz`
    WarcPending,
    /// `sources.toml` or `claims/**/*.toml`
    Toml,
}

/// The source id of a snapshot path of the given kind (and, for a revision, its sha256
/// prefix), or `None` when the path is not one.
fn snapshot_id(path: &str, kind: Kind) -> Option<(&str, &str)> {
    let name = path.strip_prefix(SNAPSHOTS_DIR)?.strip_prefix('/')?;
    let stem = match kind {
        Kind::Warc | Kind::WarcRevision | Kind::WarcPending => name.strip_suffix(".warc.gz")?,
        _ => name.strip_suffix(".txt")?,
    };
    let (id, sha) = match kind {
        Kind::Snapshot | Kind::Warc => (stem, ""),
        Kind::Capture | Kind::WarcPending => (stem.strip_suffix(".new")?, ""),
        Kind::Revision | Kind::WarcRevision => {
            let (id, sha) = stem.split_once('@')?;
            let hex = sha.len() == 12
                && sha
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            (id, if hex { sha } else { return None })
        }
        Kind::Toml => return None,
    };
    valid_id(id).then_some((id, sha))
}

/// Is `path` a plain relative path of normal components (no `..`, `.`, root or prefix, no
/// empty or dot-led component, no backslash or control character)?
fn plain(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path
            .split('/')
            .all(|c| !c.is_empty() && !c.starts_with('.'))
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Does `path` name what `kind` allows?
fn allowed(path: &str, kind: Kind) -> bool {
    plain(path)
        && match kind {
            Kind::Toml => {
                path == SOURCES_FILE
                    || path
                        .strip_prefix(CLAIMS_DIR)
                        .and_then(|p| p.strip_prefix('/'))
                        .is_some_and(|p| p.ends_with(".toml") && p.len() > ".toml".len())
            }
            _ => snapshot_id(path, kind).is_some(),
        }
}

/// Every path is one prov writes, of the right kind, with no symlink on the way; a copy keeps
/// a snapshot as its own revision, a rename promotes a source's own capture. `text` (the
/// journal as read) locates a problem; `None` for a journal this process planned.
fn validate(root: &Path, journal: &Journal, text: Option<&str>) -> Result<(), Refusal> {
    let at = |value: &str| {
        text.and_then(|t| locate(t, &json_string(value)))
            .map_or_else(|| JOURNAL.to_string(), |l| format!("{JOURNAL}:{l}"))
    };
    let bad = |value: &str, what: String| {
        refused(
            format!("{}: {what}", at(value)),
            "prov writes only sources.toml, claims/**/*.toml and snapshots/<id>…; restore the workspace from version control and delete it",
        )
    };
    let sha_ok = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let shown = |p: &str| crate::escape::inline(p).into_owned();
    let path_ok = |p: &str, kind: Kind, role: &str| -> Result<(), Refusal> {
        if !allowed(p, kind) {
            let what = match kind {
                Kind::Snapshot => "a snapshot, snapshots/<id>.txt",
                Kind::Revision => "a kept capture, snapshots/<id>@<sha12>.txt",
                Kind::Capture => "a pending capture, snapshots/<id>.new.txt",
                Kind::Warc => "a capture's WARC, snapshots/<id>.warc.gz",
                Kind::WarcRevision => "a kept capture's WARC, snapshots/<id>@<sha12>.warc.gz",
                Kind::WarcPending => "a pending capture's WARC, snapshots/<id>.new.warc.gz",
                Kind::Toml => "sources.toml or a claim file, claims/**/*.toml",
            };
            return Err(bad(p, format!("the {role} {:?} is not {what}", shown(p))));
        }
        if files::symlink_on_the_way(root, p).is_some() {
            return Err(bad(
                p,
                format!(
                    "the {role} {:?} goes through a symbolic link; prov never writes through one",
                    shown(p)
                ),
            ));
        }
        Ok(())
    };
    // A copy keeps a snapshot as its own revision (`<id>@<sha12>.txt`, the sha256 starting with
    // those digits), or that capture's WARC beside it (`<id>@<sha12>.warc.gz`, where the same
    // journal keeps the text `<id>@<sha12>.txt`).
    let kept_texts: Vec<(&str, &str)> = journal
        .copies
        .iter()
        .filter_map(|c| snapshot_id(&c.to, Kind::Revision))
        .collect();
    for c in &journal.copies {
        if !sha_ok(&c.sha256) {
            return Err(bad(
                &c.sha256,
                "a copy's sha256 is not 64 hex digits".into(),
            ));
        }
        if allowed(&c.from, Kind::Warc) {
            path_ok(&c.from, Kind::Warc, "copy's source")?;
            path_ok(&c.to, Kind::WarcRevision, "copy's target")?;
            let (Some((id, _)), Some((kept, sha12))) = (
                snapshot_id(&c.from, Kind::Warc),
                snapshot_id(&c.to, Kind::WarcRevision),
            ) else {
                return Err(bad(&c.to, "a copy's paths do not name WARC files".into()));
            };
            if id != kept || !kept_texts.contains(&(id, sha12)) {
                return Err(bad(
                    &c.to,
                    format!(
                        "{:?} is not where prov keeps the WARC of a capture this journal keeps",
                        shown(&c.to)
                    ),
                ));
            }
            continue;
        }
        path_ok(&c.from, Kind::Snapshot, "copy's source")?;
        path_ok(&c.to, Kind::Revision, "copy's target")?;
        let (Some((id, _)), Some((kept, sha12))) = (
            snapshot_id(&c.from, Kind::Snapshot),
            snapshot_id(&c.to, Kind::Revision),
        ) else {
            return Err(bad(&c.to, "a copy's paths do not name snapshots".into()));
        };
        if id != kept || !c.sha256.starts_with(sha12) {
            return Err(bad(
                &c.to,
                format!(
                    "{:?} is not where prov keeps {:?} (sha256 {}…)",
                    shown(&c.to),
                    shown(&c.from),
                    c.sha256.get(..12).unwrap_or(&c.sha256)
                ),
            ));
        }
    }
    for w in &journal.writes {
        path_ok(&w.path, Kind::Toml, "write's target")?;
    }
    for r in &journal.renames {
        let (from_kind, to_kind) = if allowed(&r.from, Kind::WarcPending) {
            (Kind::WarcPending, Kind::Warc)
        } else {
            (Kind::Capture, Kind::Snapshot)
        };
        path_ok(&r.from, from_kind, "rename's source")?;
        path_ok(&r.to, to_kind, "rename's target")?;
        if !sha_ok(&r.sha256) {
            return Err(bad(
                &r.sha256,
                "a rename's sha256 is not 64 hex digits".into(),
            ));
        }
        let ids = (
            snapshot_id(&r.from, from_kind).map(|(id, _)| id),
            snapshot_id(&r.to, to_kind).map(|(id, _)| id),
        );
        if ids.0.is_none() || ids.0 != ids.1 {
            return Err(bad(
                &r.to,
                format!(
                    "{:?} is not the capture of {:?}",
                    shown(&r.from),
                    shown(&r.to)
                ),
            ));
        }
    }
    // A removal deletes only a current capture's WARC that the same journal first keeps (a
    // copy of those very bytes), and that no rename replaces.
    for d in &journal.removes {
        path_ok(&d.path, Kind::Warc, "removal's target")?;
        if !sha_ok(&d.sha256) {
            return Err(bad(
                &d.sha256,
                "a removal's sha256 is not 64 hex digits".into(),
            ));
        }
        let kept = journal
            .copies
            .iter()
            .any(|c| c.from == d.path && c.sha256 == d.sha256);
        if !kept || journal.renames.iter().any(|r| r.to == d.path) {
            return Err(bad(
                &d.path,
                format!(
                    "{:?} would be removed without being kept first",
                    shown(&d.path)
                ),
            ));
        }
    }
    Ok(())
}

/// Every step agrees with the files as they are: done, or ready to be done with exactly the
/// recorded bytes. Nothing moves unless all of them do.
fn verify(root: &Path, journal: &Journal) -> Result<(), Refusal> {
    let cmd = journal.command();
    let stale = |path: &str, why: String| {
        refused(
            format!(
                "the interrupted `prov {cmd}` cannot be completed: {}: {why}",
                crate::escape::inline(path)
            ),
            "finish the change by hand, or restore the workspace from version control, then delete it",
        )
    };
    for c in &journal.copies {
        let done = sha_of(root, &c.to).as_deref() == Some(c.sha256.as_str());
        if !done && sha_of(root, &c.from).as_deref() != Some(c.sha256.as_str()) {
            return Err(stale(
                &c.from,
                format!(
                    "it no longer holds the capture to keep (sha256 {})",
                    c.sha256
                ),
            ));
        }
    }
    for w in &journal.writes {
        match files::read_text(root, &root.join(&w.path)) {
            Ok(now) if now == w.new || now == w.old => {}
            Ok(_) => {
                return Err(stale(
                    &w.path,
                    "it was edited after the change was interrupted; prov will not overwrite it"
                        .to_string(),
                ));
            }
            Err(e) => return Err(stale(&w.path, e.to_string())),
        }
    }
    for r in &journal.renames {
        let from = fs::symlink_metadata(root.join(&r.from)).is_ok();
        let ok = if from {
            sha_of(root, &r.from).as_deref() == Some(r.sha256.as_str())
        } else {
            sha_of(root, &r.to).as_deref() == Some(r.sha256.as_str())
        };
        if !ok {
            return Err(stale(
                if from { &r.from } else { &r.to },
                format!(
                    "it does not hold the capture to promote (sha256 {})",
                    r.sha256
                ),
            ));
        }
    }
    for d in &journal.removes {
        let present = fs::symlink_metadata(root.join(&d.path)).is_ok();
        if present && sha_of(root, &d.path).as_deref() != Some(d.sha256.as_str()) {
            return Err(stale(
                &d.path,
                format!("it does not hold the bytes to remove (sha256 {})", d.sha256),
            ));
        }
    }
    Ok(())
}

fn io(command: &str, what: &str, path: &str, e: impl std::fmt::Display) -> Refusal {
    Refusal::new(format!("cannot {what} {path}: {e}")).help(format!(
        "fix the problem, then run `prov recover`: it completes the `prov {command}` from {JOURNAL}"
    ))
}

/// The sha256 of a workspace file's bytes, read safely (never through a link leaving it).
fn sha_of(root: &Path, rel: &str) -> Option<String> {
    files::read_bytes(root, &root.join(rel))
        .ok()
        .map(|b| sha256_hex(&b))
}

/// Apply every step of a committed, validated journal (idempotent), then remove it.
fn apply(root: &Path, journal: &Journal) -> Result<(), Refusal> {
    let cmd = journal.command();
    for c in &journal.copies {
        if sha_of(root, &c.to).as_deref() == Some(c.sha256.as_str()) {
            continue;
        }
        let bytes = files::read_bytes(root, &root.join(&c.from))
            .map_err(|e| io(cmd, "read", &c.from, e))?;
        if sha256_hex(&bytes) != c.sha256 {
            return Err(Refusal::new(format!(
                "{} no longer holds the capture to keep (sha256 {}); the `prov {cmd}` cannot complete",
                c.from, c.sha256
            ))
            .help(format!(
                "restore {} from version control, then run `prov recover`",
                c.from
            )));
        }
        atomic_write(&root.join(&c.to), &bytes).map_err(|e| io(cmd, "write", &c.to, e))?;
    }
    failpoint("journal-copies");
    for w in &journal.writes {
        let path = root.join(&w.path);
        match files::read_text(root, &path) {
            Ok(now) if now == w.new => {}
            Ok(now) if now == w.old => {
                atomic_write(&path, w.new.as_bytes()).map_err(|e| io(cmd, "write", &w.path, e))?;
            }
            _ => {
                return Err(Refusal::new(format!(
                    "{} was edited after an interrupted `prov {cmd}`; prov will not overwrite it",
                    w.path
                ))
                .help(format!(
                    "{JOURNAL} holds the plan: finish it by hand (or restore the workspace from version control), then delete {JOURNAL}"
                )));
            }
        }
        failpoint("journal-write");
    }
    for r in &journal.renames {
        let (from, to) = (root.join(&r.from), root.join(&r.to));
        if fs::symlink_metadata(&from).is_ok() {
            if sha_of(root, &r.from).as_deref() != Some(r.sha256.as_str()) {
                return Err(Refusal::new(format!(
                    "{} no longer holds the capture to promote (sha256 {}); the `prov {cmd}` cannot complete",
                    r.from, r.sha256
                )));
            }
            fs::rename(&from, &to).map_err(|e| io(cmd, "rename", &r.from, e))?;
            if let Some(dir) = to.parent()
                && let Ok(d) = fs::File::open(dir)
            {
                let _ = d.sync_all();
            }
        } else if sha_of(root, &r.to).as_deref() != Some(r.sha256.as_str()) {
            return Err(Refusal::new(format!(
                "{} is gone and {} does not hold the accepted capture; the `prov {cmd}` cannot complete",
                r.from, r.to
            )));
        }
        failpoint("journal-rename");
    }
    for d in &journal.removes {
        let path = root.join(&d.path);
        if fs::symlink_metadata(&path).is_err() {
            continue;
        }
        if sha_of(root, &d.path).as_deref() != Some(d.sha256.as_str()) {
            return Err(Refusal::new(format!(
                "{} does not hold the bytes to remove (sha256 {}); the `prov {cmd}` cannot complete",
                d.path, d.sha256
            )));
        }
        fs::remove_file(&path).map_err(|e| io(cmd, "remove", &d.path, e))?;
    }
    fs::remove_file(root.join(JOURNAL)).map_err(|e| io(cmd, "remove", JOURNAL, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_prov_writes_are_allowed() {
        for (p, k) in [
            ("sources.toml", Kind::Toml),
            ("claims/a.toml", Kind::Toml),
            ("claims/desk/b c.toml", Kind::Toml),
            ("snapshots/wire-fr.txt", Kind::Snapshot),
            ("snapshots/wire-fr.new.txt", Kind::Capture),
            ("snapshots/wire-fr@0123456789ab.txt", Kind::Revision),
            ("snapshots/wire-fr.warc.gz", Kind::Warc),
            ("snapshots/wire-fr.new.warc.gz", Kind::WarcPending),
            ("snapshots/wire-fr@0123456789ab.warc.gz", Kind::WarcRevision),
        ] {
            assert!(allowed(p, k), "{p}");
        }
        for (p, k) in [
            ("/etc/passwd", Kind::Toml),
            ("../sources.toml", Kind::Toml),
            ("claims/../sources.toml", Kind::Toml),
            ("claims/../../x.toml", Kind::Toml),
            ("./sources.toml", Kind::Toml),
            ("claims/.hidden.toml", Kind::Toml),
            ("claims/.toml", Kind::Toml),
            ("claims/a.txt", Kind::Toml),
            (".git/hooks/pre-commit", Kind::Toml),
            ("claims//a.toml", Kind::Toml),
            ("claims\\a.toml", Kind::Toml),
            ("snapshots/wire-fr.txt", Kind::Toml),
            ("snapshots/Wire.txt", Kind::Snapshot),
            ("snapshots/a/b.txt", Kind::Snapshot),
            ("snapshots/wire-fr.txt", Kind::Capture),
            ("snapshots/wire-fr@0123456789AB.txt", Kind::Revision),
            ("snapshots/wire-fr@0123.txt", Kind::Revision),
            ("snapshots/../x.txt", Kind::Snapshot),
            ("", Kind::Toml),
            ("snapshots/wire-fr.warc.gz", Kind::Snapshot),
            ("snapshots/wire-fr.txt", Kind::Warc),
            ("snapshots/wire-fr.new.warc.gz", Kind::Warc),
            ("snapshots/wire-fr.warc", Kind::Warc),
            ("snapshots/wire-fr.warc.gz", Kind::WarcPending),
            ("snapshots/wire-fr@0123.warc.gz", Kind::WarcRevision),
            ("snapshots/a/b.warc.gz", Kind::Warc),
        ] {
            assert!(!allowed(p, k), "{p}");
        }
    }

    #[test]
    fn a_warc_is_kept_only_beside_its_text_and_removed_only_once_kept() {
        let root = std::env::temp_dir();
        let sha = |c: char| c.to_string().repeat(64);
        let text_copy = Step {
            from: "snapshots/a.txt".into(),
            to: format!("snapshots/a@{}.txt", &sha('1')[..12]),
            sha256: sha('1'),
        };
        let warc_copy = Step {
            from: "snapshots/a.warc.gz".into(),
            to: format!("snapshots/a@{}.warc.gz", &sha('1')[..12]),
            sha256: sha('2'),
        };
        let journal = |copies: Vec<Step>, renames: Vec<Step>, removes: Vec<Removal>| Journal {
            version: 1,
            command: "accept".into(),
            copies,
            writes: Vec::new(),
            renames,
            removes,
        };
        let remove = Removal {
            path: "snapshots/a.warc.gz".into(),
            sha256: sha('2'),
        };
        // Kept beside its text, then removed: fine.
        let ok = journal(
            vec![text_copy.clone(), warc_copy.clone()],
            Vec::new(),
            vec![remove.clone()],
        );
        assert!(validate(&root, &ok, None).is_ok());
        // A WARC kept where no text is kept, under another source's name, or removed unkept.
        for bad in [
            journal(vec![warc_copy.clone()], Vec::new(), Vec::new()),
            journal(
                vec![
                    text_copy.clone(),
                    Step {
                        to: format!("snapshots/b@{}.warc.gz", &sha('1')[..12]),
                        ..warc_copy.clone()
                    },
                ],
                Vec::new(),
                Vec::new(),
            ),
            journal(vec![text_copy.clone()], Vec::new(), vec![remove.clone()]),
            journal(
                vec![text_copy.clone(), warc_copy.clone()],
                Vec::new(),
                vec![Removal {
                    path: "snapshots/a.txt".into(),
                    sha256: sha('1'),
                }],
            ),
        ] {
            assert!(validate(&root, &bad, None).is_err(), "{bad:?}");
        }
        // A pending WARC is renamed onto its own source's WARC only.
        let rename = |from: &str, to: &str| Step {
            from: from.into(),
            to: to.into(),
            sha256: sha('3'),
        };
        let ok = journal(
            Vec::new(),
            vec![rename("snapshots/a.new.warc.gz", "snapshots/a.warc.gz")],
            Vec::new(),
        );
        assert!(validate(&root, &ok, None).is_ok());
        for (from, to) in [
            ("snapshots/a.new.warc.gz", "snapshots/b.warc.gz"),
            ("snapshots/a.new.warc.gz", "snapshots/a.txt"),
            ("snapshots/a.new.txt", "snapshots/a.warc.gz"),
        ] {
            let bad = journal(Vec::new(), vec![rename(from, to)], Vec::new());
            assert!(validate(&root, &bad, None).is_err(), "{from} → {to}");
        }
        // A journal without removals is written as before.
        let text = serde_json::to_string(&journal(Vec::new(), Vec::new(), Vec::new())).unwrap();
        assert!(!text.contains("removes"), "{text}");
    }

    #[test]
    fn locate_counts_lines_and_code_points() {
        assert_eq!(locate("{\n  \"é\": \"x\"", "\"x\"").as_deref(), Some("2:8"));
        assert_eq!(locate("abc", "z"), None);
    }

    #[test]
    fn a_parse_error_names_line_and_column() {
        let e = parse("{\"version\": 1,\n \"copies\": [}").unwrap_err();
        assert!(
            e.message.starts_with(".prov-journal.json:2:"),
            "{}",
            e.message
        );
        let e = parse(r#"{"version": 2, "copies": [], "writes": [], "renames": []}"#).unwrap_err();
        assert!(e.message.contains("version 2"), "{}", e.message);
        let e =
            parse(r#"{"version": 1, "command": "rm", "copies": [], "writes": [], "renames": []}"#)
                .unwrap_err();
        assert!(e.message.contains("`rm`"), "{}", e.message);
    }
}

//! The journal: how a change of several files is made all or nothing.
//!
//! No single rename can change several files at once, so a writer that must (`prov accept`,
//! `prov fix` across files) first writes its whole plan as a journal (`.prov-journal.json`,
//! atomically): the commit point. It then applies the journal (copies, writes, renames; each
//! step idempotent) and removes it. A writer that finds a journal left by an interrupted one
//! completes it ([`recover`]) before anything else. Pure file operations; never prints.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::edit::{atomic_create, atomic_write};
use crate::failpoint::failpoint;
use crate::files;
use crate::refusal::Refusal;
use crate::snapshot::sha256_hex;

/// The journal file, at the workspace root.
pub const JOURNAL: &str = ".prov-journal.json";

/// Everything one accept does, in the order it is done.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
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
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Step {
    pub from: String,
    pub to: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WriteStep {
    pub path: String,
    /// The text the file had when the plan was made (to refuse a concurrent edit).
    pub old: String,
    pub new: String,
}

/// Commit and apply a journal.
pub fn commit(root: &Path, journal: &Journal) -> Result<(), Refusal> {
    // Refuse if any file changed since the plan was made.
    for s in journal.copies.iter().chain(&journal.renames) {
        if sha_of(&root.join(&s.from)).as_deref() != Some(s.sha256.as_str()) {
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
        Refusal::new(format!("cannot write {JOURNAL}: {e}"))
            .help("another prov accept may be running, or an interrupted one left its journal: run `prov check` to complete it")
    })?;
    failpoint("journal-committed");
    apply(root, journal)
}

fn io(what: &str, path: &str, e: impl std::fmt::Display) -> Refusal {
    Refusal::new(format!("cannot {what} {path}: {e}")).help(format!(
        "fix the problem, then run `prov check`: it completes the accept from {JOURNAL}"
    ))
}

fn sha_of(path: &PathBuf) -> Option<String> {
    fs::read(path).ok().map(|b| sha256_hex(&b))
}

/// Apply every step of a committed journal (idempotent), then remove it.
pub fn apply(root: &Path, journal: &Journal) -> Result<(), Refusal> {
    for c in &journal.copies {
        let (from, to) = (root.join(&c.from), root.join(&c.to));
        if sha_of(&to).as_deref() == Some(c.sha256.as_str()) {
            continue;
        }
        let bytes = fs::read(&from).map_err(|e| io("read", &c.from, e))?;
        if sha256_hex(&bytes) != c.sha256 {
            return Err(Refusal::new(format!(
                "{} no longer holds the capture to keep (sha256 {}); the accept cannot complete",
                c.from, c.sha256
            ))
            .help(format!(
                "restore {} from version control, then run prov check",
                c.from
            )));
        }
        atomic_write(&to, &bytes).map_err(|e| io("write", &c.to, e))?;
    }
    failpoint("journal-copies");
    for w in &journal.writes {
        let path = root.join(&w.path);
        match fs::read_to_string(&path) {
            Ok(now) if now == w.new => {}
            Ok(now) if now == w.old => {
                atomic_write(&path, w.new.as_bytes()).map_err(|e| io("write", &w.path, e))?;
            }
            _ => {
                return Err(Refusal::new(format!(
                    "{} was edited after an interrupted `prov accept`; prov will not overwrite it",
                    w.path
                ))
                .help(format!(
                    "{JOURNAL} holds the accept's plan: finish it by hand (or restore the workspace from version control), then delete {JOURNAL}"
                )));
            }
        }
        failpoint("journal-write");
    }
    for r in &journal.renames {
        let (from, to) = (root.join(&r.from), root.join(&r.to));
        if fs::symlink_metadata(&from).is_ok() {
            fs::rename(&from, &to).map_err(|e| io("rename", &r.from, e))?;
            if let Some(dir) = to.parent()
                && let Ok(d) = fs::File::open(dir)
            {
                let _ = d.sync_all();
            }
        } else if sha_of(&to).as_deref() != Some(r.sha256.as_str()) {
            return Err(Refusal::new(format!(
                "{} is gone and {} does not hold the accepted capture; the accept cannot complete",
                r.from, r.to
            )));
        }
        failpoint("journal-rename");
    }
    fs::remove_file(root.join(JOURNAL)).map_err(|e| io("remove", JOURNAL, e))?;
    Ok(())
}

/// Complete an interrupted multi-file change (`prov accept`, `prov fix`), if its journal is
/// there. Returns the command that wrote it when it did.
pub fn recover(root: &Path) -> Result<Option<String>, Refusal> {
    let path = root.join(JOURNAL);
    if fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let text = files::read_text(root, &path)
        .map_err(|e| Refusal::new(format!("cannot read {JOURNAL}: {e}")))?;
    let journal: Journal = serde_json::from_str(&text)
        .ok()
        .filter(|j: &Journal| j.version == 1)
        .ok_or_else(|| {
            Refusal::new(format!("{JOURNAL} is not a journal this prov can complete"))
                .help("an interrupted `prov accept` left it; restore the workspace from version control and delete it")
        })?;
    apply(root, &journal)?;
    Ok(Some(if journal.command.is_empty() {
        "accept".to_string()
    } else {
        journal.command
    }))
}

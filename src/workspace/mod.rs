//! The workspace model: sources.toml and the claim files, loaded and validated.
//!
//! [`load`] reads every file, reports every problem it finds (each pointing at file:line:col)
//! and returns the validated model. It never touches snapshots: verifying evidence is the job of
//! [`crate::check`]. Layout: `tree` converts toml_edit's parse into a spanned tree, `load` walks
//! it into these types.

mod load;
mod policy;
pub mod tree;

use std::path::{Path, PathBuf};

pub use load::{LoadError, load, load_some};
pub use policy::{Flag, Policy};

use crate::diag::Loc;
use crate::files::{FileId, Files};

/// The registry file at the workspace root.
pub const SOURCES_FILE: &str = "sources.toml";
/// The directory holding claim files (`*.toml`, recursively).
pub const CLAIMS_DIR: &str = "claims";
/// The directory holding snapshots.
pub const SNAPSHOTS_DIR: &str = "snapshots";

/// A loaded, validated workspace.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub files: Files,
    pub sources_file: FileId,
    pub policy: Policy,
    pub sources: Vec<Source>,
    /// Claim files in path order.
    pub claim_files: Vec<FileId>,
    /// Claims in file order, then document order.
    pub claims: Vec<Claim>,
    /// Source id → position in `sources` (a workspace may register thousands).
    pub source_index: std::collections::HashMap<String, usize>,
}

impl Workspace {
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.source_index.get(id).map(|&i| &self.sources[i])
    }

    pub fn snapshot_path(&self, id: &str) -> PathBuf {
        snapshot_path(&self.root, id)
    }

    /// Every citation, in order, with its claim.
    pub fn citations(&self) -> impl Iterator<Item = (&Claim, &Cite)> {
        self.claims
            .iter()
            .flat_map(|c| c.cites.iter().map(move |cite| (c, cite)))
    }
}

pub fn snapshot_path(root: &Path, id: &str) -> PathBuf {
    root.join(SNAPSHOTS_DIR).join(format!("{id}.txt"))
}

/// A retained superseded capture: `snapshots/<id>@<sha12>.txt`.
pub fn revision_path(root: &Path, id: &str, sha256: &str) -> PathBuf {
    let short: String = sha256.chars().take(12).collect();
    root.join(SNAPSHOTS_DIR).join(format!("{id}@{short}.txt"))
}

/// One registered source document.
#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    /// The `[sources.<id>]` header (or the id key).
    pub loc: Loc,
    pub title: Option<String>,
    pub outlet: String,
    pub origin: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    /// `YYYY-MM-DD`.
    pub published: Option<String>,
    /// RFC 3339.
    pub captured: Option<String>,
    /// 64 lowercase hex digits.
    pub sha256: String,
    pub sha256_loc: Loc,
    pub revisions: Vec<Revision>,
}

impl Source {
    /// Who first published the document: `origin`, else `outlet`.
    pub fn effective_origin(&self) -> &str {
        self.origin.as_deref().unwrap_or(&self.outlet)
    }
}

/// A superseded capture recorded by `prov accept`.
#[derive(Debug, Clone)]
pub struct Revision {
    pub sha256: String,
    pub loc: Loc,
    pub captured: Option<String>,
    pub superseded: Option<String>,
    /// The sha256 of the capture that replaced it (written by `prov accept`).
    pub superseded_by: Option<String>,
    pub superseded_by_loc: Option<Loc>,
}

/// One fact with its citations.
#[derive(Debug, Clone)]
pub struct Claim {
    pub id: String,
    pub id_loc: Loc,
    pub fact: String,
    pub file: FileId,
    /// The `[[claim]]` header.
    pub loc: Loc,
    pub cites: Vec<Cite>,
    pub note: Option<String>,
}

/// Whether a citation supports or contradicts its claim's fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Supports,
    Contradicts,
}

/// One cited span of a source.
#[derive(Debug, Clone)]
pub struct Cite {
    pub source: String,
    pub source_loc: Loc,
    pub quote: String,
    pub quote_loc: Loc,
    /// Code points `[start, end)` in the snapshot; `None` while drafting.
    pub span: Option<(usize, usize)>,
    pub span_loc: Option<Loc>,
    pub stance: Stance,
    pub said_by: Option<String>,
    /// A sha256 prefix naming a superseded capture.
    pub revision: Option<String>,
    pub revision_loc: Option<Loc>,
    /// The `[[claim.cite]]` header (or inline table).
    pub loc: Loc,
    /// Position among its claim's citations (0-based), to find it again when editing.
    pub index: usize,
    /// Position of its claim within its file (0-based).
    pub claim_index: usize,
    pub note: Option<String>,
}

/// A light BCP 47 check: a 2–8 letter primary subtag, then 1–8 alphanumeric subtags.
pub fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let Some(first) = parts.next() else {
        return false;
    };
    (2..=8).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

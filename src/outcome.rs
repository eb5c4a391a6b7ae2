//! What a check found, as data: per source its integrity and pending capture, per citation its
//! verdict and finding, per claim who asserts it, and every finding. Made by [`crate::check`];
//! read by [`crate::fix`], [`crate::accept`], [`crate::render`] and [`crate::report`].

use std::borrow::Cow;

use crate::diag::{Code, Diagnostic, Loc, Severity};
use crate::facts::{Evidence, Fact};
use crate::pending;
use crate::snapshot::Status;
use crate::verdict::{Anchor, Verdict};
use crate::workspace::{Cite, Claim};

/// The integrity of one checked snapshot.
#[derive(Debug, Clone)]
pub struct SourceReport {
    pub id: String,
    /// The pinned sha256.
    pub sha256: String,
    /// The sha256 of the bytes on disk, when readable.
    pub actual: Option<String>,
    /// How many bytes were read (with `actual`): the report's workspace digest reuses both.
    pub bytes: Option<u64>,
    pub status: Status,
    /// Number of citations of it that were checked.
    pub citations: usize,
    /// A pending capture (`snapshots/<id>.new.txt`).
    pub pending: Option<pending::Capture>,
}

/// The outcome of one citation. What the claim file says (quote, span, stance, said_by…) is
/// read through `claim` and `cite`: nothing of the workspace is copied per citation.
#[derive(Debug, Clone)]
pub struct CitationReport<'w> {
    pub claim: &'w Claim,
    pub cite: &'w Cite,
    /// 1-based line of the quote in the claim file.
    pub line: usize,
    /// The full sha256 of the pinned revision, when the citation cites a superseded capture.
    pub revision: Option<&'w str>,
    /// The verdict, when the text could be read.
    pub anchor: Option<Anchor>,
    /// The code of the finding (`None` for ok).
    pub code: Option<Code>,
    pub severity: Option<Severity>,
    pub message: Cow<'static, str>,
    /// Where the finding that `code` names is reported: at the citation, or at the source in
    /// sources.toml when the source cannot be evidence (a consequence names its cause by it).
    pub finding_at: Option<Loc>,
    /// Its claim's position in `Workspace::claims`.
    pub claim_pos: usize,
    /// The source text at `found`, for fixes and messages; `None` when the verdict is `ok` (it is
    /// the quote).
    pub found_text: Option<String>,
    /// The citation re-anchored in a pending capture of its source (boxed: rare, and large).
    pub pending: Option<Box<pending::Reanchored>>,
}

impl<'w> CitationReport<'w> {
    pub fn verdict(&self) -> Option<Verdict> {
        self.anchor.as_ref().map(|a| a.verdict)
    }

    /// The citation as the fact analysis sees it. Only intact evidence is anchored, so a
    /// verdict that holds is evidence that holds.
    pub fn evidence(&self) -> Evidence<'w> {
        Evidence {
            cite: self.cite,
            holds: self.verdict().is_some_and(Verdict::holds),
        }
    }

    /// The citation as it would be with its source's pending capture accepted.
    pub fn evidence_after(&self) -> Evidence<'w> {
        match &self.pending {
            Some(p) => Evidence {
                cite: self.cite,
                holds: p.anchor.verdict.holds(),
            },
            None => self.evidence(),
        }
    }
}

/// Everything a check found.
#[derive(Debug)]
pub struct Outcome<'w> {
    pub sources: Vec<SourceReport>,
    pub citations: Vec<CitationReport<'w>>,
    pub diagnostics: Vec<Diagnostic>,
    pub claims: usize,
    /// Who asserts each checked claim, in claim order.
    pub facts: Vec<Fact<'w>>,
    /// The same facts with every pending capture accepted; `None` when nothing is pending.
    pub facts_after: Option<Vec<Fact<'w>>>,
}

impl Outcome<'_> {
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
}

//! One check of one workspace, with the editor's open buffers in place of their files
//! ([`crate::workspace::load_overlaid`]), turned into what the server keeps: per file, the
//! diagnostics to publish (already in LSP positions) and a view of its citations and claims
//! (verdicts, passages found, fix plans, fact rows) for hover, code actions and definitions.
//!
//! A check is the one `prov check` runs, so the findings are the same. Two things differ:
//! - **Scope.** A check of some claim files only ([`Scope::Files`]) is `prov check FILE`, the
//!   pre-commit path: it is how a large workspace is re-checked as you type. The whole
//!   workspace is checked on open, on save and when files change on disk.
//! - **A claim file that prov cannot read** (bad TOML, an unknown key, a duplicate id) stops
//!   `prov check` before any citation is checked. Here the file gets its findings, and the
//!   workspace is checked again with that file read as empty, so every other file keeps its
//!   diagnostics. When sources.toml itself cannot be read, nothing can be checked: it gets its
//!   findings and the other files keep the diagnostics they had.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::check;
use crate::diag::{Code, Severity};
use crate::facts::Fact;
use crate::files::FileId;
use crate::fix::{self, Change};
use crate::outcome::Outcome;
use crate::render::table::side_items;
use crate::verdict::Verdict;
use crate::workspace::{self, LoadError, Overlay, SOURCES_FILE, Workspace};

use super::diagnostics;
use super::position::Encoding;

/// What to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every claim file and source.
    Full,
    /// These claim files (workspace-relative paths) and the sources they cite.
    Files(BTreeSet<String>),
}

impl Scope {
    /// Both scopes in one: the whole workspace if either is.
    pub fn merge(self, other: Scope) -> Scope {
        match (self, other) {
            (Scope::Files(mut a), Scope::Files(b)) => {
                a.extend(b);
                Scope::Files(a)
            }
            _ => Scope::Full,
        }
    }
}

/// A check to run.
#[derive(Debug, Clone)]
pub struct Job {
    pub root: PathBuf,
    pub scope: Scope,
    /// The open buffers of the workspace: relative path → (version, text).
    pub buffers: BTreeMap<String, (i32, String)>,
    /// Increases with every job the server sends; a result covers every job up to its own.
    pub generation: u64,
    pub encoding: Encoding,
    /// When the server sent it (the checker debounces on it).
    pub sent: Instant,
}

/// What a check found, for the server to keep and publish.
#[derive(Debug)]
pub struct Analysis {
    pub root: PathBuf,
    pub generation: u64,
    /// The whole workspace was checked: a file not in `files` has no findings.
    pub full: bool,
    /// The workspace as loaded (sources, policy), when it could be.
    pub ws: Option<Arc<Workspace>>,
    pub files: BTreeMap<String, FileAnalysis>,
    pub took: Duration,
}

/// One file's part of an analysis.
#[derive(Debug)]
pub struct FileAnalysis {
    /// The buffer version checked, or `None` for the file on disk.
    pub version: Option<i32>,
    /// The diagnostics to publish; `None`: leave those published before (nothing was checked).
    pub diagnostics: Option<Vec<lsp_types::Diagnostic>>,
    /// Its citations and claims, when it was checked.
    pub view: Option<FileView>,
}

/// A checked claim file: its citations and claims, pointing into `ws`.
#[derive(Debug)]
pub struct FileView {
    pub ws: Arc<Workspace>,
    pub file: FileId,
    /// In document order.
    pub cites: Vec<CiteView>,
    /// In document order.
    pub claims: Vec<ClaimView>,
}

/// One checked citation.
#[derive(Debug, Clone)]
pub struct CiteView {
    /// Its claim's position in `Workspace::claims`, and its own among the claim's citations.
    pub claim_pos: usize,
    pub cite: usize,
    pub verdict: Option<Verdict>,
    /// Where the quote (or its closest match) is, in code points.
    pub found: Option<(usize, usize)>,
    pub candidates: usize,
    /// The source's text at `found`, when it is not the quote.
    pub found_text: Option<String>,
    pub code: Option<Code>,
    pub severity: Option<Severity>,
    pub message: String,
    /// The full sha256 of the capture it cites, when it pins a `revision`.
    pub revision: Option<String>,
    /// What the source's pending capture does to it.
    pub pending: Option<PendingView>,
    /// The repair `prov fix` would make (`--typography` for a typography verdict).
    pub fix: Option<Change>,
}

/// A citation re-anchored in a pending capture.
#[derive(Debug, Clone)]
pub struct PendingView {
    pub verdict: Verdict,
    pub found: Option<(usize, usize)>,
}

/// One checked claim: its row of the facts table.
#[derive(Debug, Clone)]
pub struct ClaimView {
    pub claim_pos: usize,
    pub supported_by: Vec<String>,
    pub contradicted_by: Vec<String>,
    pub flags: Vec<String>,
}

impl FileView {
    pub fn claim(&self, v: &CiteView) -> Option<&workspace::Claim> {
        self.ws.claims.get(v.claim_pos)
    }

    pub fn cite(&self, v: &CiteView) -> Option<&workspace::Cite> {
        self.claim(v)?.cites.get(v.cite)
    }

    pub fn text(&self) -> &str {
        &self.ws.files.get(self.file).text
    }
}

/// Run a check.
pub fn run(job: &Job) -> Analysis {
    crate::failpoint::panic_point("check");
    let start = Instant::now();
    // A reader of the workspace: never in the middle of a multi-file change (prov accept).
    let _lock = crate::lock::shared(&job.root).ok();
    let overlay: Overlay = job
        .buffers
        .iter()
        .map(|(rel, (_, text))| (rel.clone(), text.clone()))
        .collect();
    let mut a = match &job.scope {
        Scope::Full => full(job, &overlay),
        Scope::Files(files) => scoped(job, &overlay, files),
    };
    a.took = start.elapsed();
    a
}

fn empty(job: &Job, full: bool) -> Analysis {
    Analysis {
        root: job.root.clone(),
        generation: job.generation,
        full,
        ws: None,
        files: BTreeMap::new(),
        took: Duration::ZERO,
    }
}

fn full(job: &Job, overlay: &Overlay) -> Analysis {
    let e = match workspace::load_overlaid(&job.root, None, overlay) {
        Ok(ws) => return checked(job, ws, None, None),
        Err(e) => e,
    };
    // The claim files prov cannot read: checked again as empty files, the rest as they are.
    let bad = bad_files(&e);
    let attributable = e.diagnostics.iter().all(|d| {
        !d.code.is_config()
            || d.loc
                .as_ref()
                .is_some_and(|l| e.files.get(l.file).path != SOURCES_FILE)
    });
    if attributable {
        let mut blanked = overlay.clone();
        for rel in &bad {
            blanked.insert(rel.clone(), String::new());
        }
        if let Ok(ws) = workspace::load_overlaid(&job.root, None, &blanked) {
            return checked(job, ws, None, Some((&e, &bad)));
        }
    }
    gave_up(job, &e, None)
}

fn scoped(job: &Job, overlay: &Overlay, scope: &BTreeSet<String>) -> Analysis {
    let only = |rel: &str| scope.contains(rel);
    match workspace::load_overlaid(&job.root, Some(&only), overlay) {
        Ok(ws) => checked(job, ws, Some(scope), None),
        Err(e) => {
            // A problem of a file outside the scope (a claim id it duplicates): the whole
            // workspace says where it is.
            if !bad_files(&e).iter().any(|f| scope.contains(f))
                && !e.diagnostics.iter().any(|d| d.loc.is_none())
                && e.diagnostics.iter().all(|d| {
                    d.loc
                        .as_ref()
                        .is_none_or(|l| e.files.get(l.file).path != SOURCES_FILE)
                })
            {
                return full(job, overlay);
            }
            gave_up(job, &e, Some(scope))
        }
    }
}

/// The files (workspace-relative) a load error has configuration findings in.
fn bad_files(e: &LoadError) -> BTreeSet<String> {
    e.diagnostics
        .iter()
        .filter(|d| d.code.is_config())
        .filter_map(|d| d.loc.as_ref())
        .map(|l| e.files.get(l.file).path.clone())
        .filter(|p| p != SOURCES_FILE)
        .collect()
}

/// Nothing could be checked: the files with findings get them; the open buffers are stamped
/// with their versions (so requests on them are answered), and keep their diagnostics.
fn gave_up(job: &Job, e: &LoadError, scope: Option<&BTreeSet<String>>) -> Analysis {
    let mut a = empty(job, false);
    let by_file = diagnostics::by_file(&e.files, &e.diagnostics, None, job.encoding);
    for (rel, diags) in by_file {
        let in_scope = scope.is_none_or(|s| s.contains(&rel)) || rel == SOURCES_FILE;
        if in_scope {
            a.files
                .insert(rel.clone(), file(job, &rel, Some(diags), None));
        }
    }
    for rel in job.buffers.keys() {
        if !a.files.contains_key(rel) && scope.is_none_or(|s| s.contains(rel)) {
            a.files.insert(rel.clone(), file(job, rel, None, None));
        }
    }
    a
}

fn file(
    job: &Job,
    rel: &str,
    diagnostics: Option<Vec<lsp_types::Diagnostic>>,
    view: Option<FileView>,
) -> FileAnalysis {
    FileAnalysis {
        version: job.buffers.get(rel).map(|(v, _)| *v),
        diagnostics,
        view,
    }
}

/// A view without its workspace (the check's outcome borrows the workspace; the view owns it
/// once the outcome is gone).
type Views = BTreeMap<FileId, (Vec<CiteView>, Vec<ClaimView>)>;

/// Check a loaded workspace (only the `scope` files, when given). `blanked`: the load error of
/// the first attempt and the files read as empty in this one.
fn checked(
    job: &Job,
    ws: Workspace,
    scope: Option<&BTreeSet<String>>,
    blanked: Option<(&LoadError, &BTreeSet<String>)>,
) -> Analysis {
    let only_files = scope.map(|s| s.iter().filter_map(|rel| ws.files.find(rel)).collect());
    let outcome = check::check(
        &ws,
        &check::Options {
            only_files,
            ..Default::default()
        },
    );
    let mut by_file = diagnostics::by_file(
        &ws.files,
        &outcome.diagnostics,
        Some(ws.sources_file),
        job.encoding,
    );
    let mut views = views(&ws, &outcome);
    let mut first = blanked
        .map(|(e, _)| diagnostics::by_file(&e.files, &e.diagnostics, None, job.encoding))
        .unwrap_or_default();
    drop(outcome);
    let ws = Arc::new(ws);
    let mut a = empty(job, scope.is_none());
    a.ws = Some(ws.clone());
    let in_scope = |rel: &str| scope.is_none_or(|s| s.contains(rel));
    let mut rels: BTreeSet<String> = by_file.keys().cloned().collect();
    rels.extend(job.buffers.keys().cloned());
    if scope.is_none() {
        rels.insert(SOURCES_FILE.to_string());
        rels.extend(ws.claim_files.iter().map(|&f| ws.files.get(f).path.clone()));
    } else {
        rels.retain(|r| in_scope(r));
    }
    for rel in rels {
        let fa = if let Some((_, bad)) = blanked
            && bad.contains(&rel)
        {
            // Its findings are those of the first attempt; nothing else was read from it.
            let diags = first.remove(&rel).unwrap_or_default();
            file(job, &rel, Some(diags), None)
        } else {
            let view = ws.files.find(&rel).and_then(|id| {
                let (cites, claims) = views.remove(&id).unwrap_or_default();
                ws.claim_files.contains(&id).then(|| FileView {
                    ws: ws.clone(),
                    file: id,
                    cites,
                    claims,
                })
            });
            let diags = by_file.remove(&rel).unwrap_or_default();
            file(job, &rel, Some(diags), view)
        };
        a.files.insert(rel, fa);
    }
    a
}

/// Each claim file's citations and claims, from a check's outcome.
fn views(ws: &Workspace, outcome: &Outcome<'_>) -> Views {
    let mut fixes: HashMap<(FileId, usize, usize), Change> = fix::plan(outcome, true)
        .into_iter()
        .map(|c| ((c.file, c.claim_index, c.cite_index), c))
        .collect();
    let mut views = Views::new();
    for r in &outcome.citations {
        let a = r.anchor();
        let a = a.as_deref();
        let key = (r.cite.file(), r.cite.claim_index(), r.cite.index());
        let v = CiteView {
            claim_pos: r.claim_pos as usize,
            cite: r.cite.index(),
            verdict: a.map(|a| a.verdict),
            found: a.and_then(|a| a.found),
            candidates: a.map_or(0, |a| a.candidates.len()),
            found_text: r.found_text().map(str::to_string),
            code: r.code(),
            severity: r.severity(),
            message: r.message(ws).into_owned(),
            revision: r.revision(ws).map(str::to_string),
            pending: r.pending.as_ref().map(|p| PendingView {
                verdict: p.anchor.verdict,
                found: p.anchor.found,
            }),
            fix: fixes.remove(&key),
        };
        views.entry(r.cite.file()).or_default().0.push(v);
    }
    for f in &outcome.all_facts() {
        let Some(claim) = ws.claims.get(f.claim_pos) else {
            continue;
        };
        views.entry(claim.file).or_default().1.push(claim_view(f));
    }
    // Citations in document order (a claim's citations may be inline tables, in one array).
    for (cites, _) in views.values_mut() {
        cites.sort_by_key(|v| {
            ws.claims
                .get(v.claim_pos)
                .and_then(|c| c.cites.get(v.cite))
                .map_or(usize::MAX, |c| c.quote_loc().start())
        });
    }
    views
}

fn claim_view(f: &Fact<'_>) -> ClaimView {
    ClaimView {
        claim_pos: f.claim_pos,
        supported_by: side_items(&f.supports, f.supports_not_holding),
        contradicted_by: side_items(&f.contradicts, f.contradicts_not_holding),
        flags: f
            .flags
            .iter()
            .map(|fl| {
                if f.errors.contains(fl) {
                    format!("{} (error)", fl.as_str())
                } else {
                    fl.as_str().to_string()
                }
            })
            .collect(),
    }
}

/// Diagnostics of one file, for tests.
#[cfg(test)]
pub(crate) fn codes(a: &Analysis, rel: &str) -> Vec<String> {
    a.files
        .get(rel)
        .and_then(|f| f.diagnostics.as_ref())
        .map(|d| {
            d.iter()
                .filter_map(|d| match &d.code {
                    Some(lsp_types::NumberOrString::String(s)) => Some(s.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Which part of a citation a place is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Quote,
    Source,
    Span,
    /// Elsewhere in the citation (its header, another key).
    Other,
}

impl FileView {
    /// The citation at byte `offset` of the file, and where in it (an end counts as inside).
    pub fn cite_at(&self, offset: usize) -> Option<(&CiteView, Part)> {
        let inside = |r: &std::ops::Range<usize>| r.start <= offset && offset <= r.end;
        let mut best = None;
        for v in &self.cites {
            let Some(c) = self.cite(v) else { continue };
            if inside(&c.quote_loc().range()) {
                return Some((v, Part::Quote));
            }
            if inside(&c.source_loc().range()) {
                return Some((v, Part::Source));
            }
            if c.span_loc().is_some_and(|l| inside(&l.range())) {
                return Some((v, Part::Span));
            }
            if inside(&self.extent(v)) {
                best = Some((v, Part::Other));
            }
        }
        best
    }

    /// The bytes a citation spans: from its first located part to its last.
    pub fn extent(&self, v: &CiteView) -> std::ops::Range<usize> {
        let Some(c) = self.cite(v) else {
            return 0..0;
        };
        let mut locs = vec![c.loc(), c.source_loc(), c.quote_loc()];
        locs.extend(c.span_loc());
        locs.extend(c.revision_loc().cloned());
        let start = locs.iter().map(|l| l.start()).min().unwrap_or(0);
        let end = locs.iter().map(|l| l.end()).max().unwrap_or(0);
        start..end
    }

    /// The claim whose id is at byte `offset`.
    pub fn claim_at(&self, offset: usize) -> Option<&ClaimView> {
        self.claims.iter().find(|v| {
            self.ws
                .claims
                .get(v.claim_pos)
                .map(|c| c.id_loc().range())
                .is_some_and(|id| (id.start..=id.end).contains(&offset))
        })
    }

    /// The row of the claim at `claim_pos`.
    pub fn claim_view(&self, claim_pos: usize) -> Option<&ClaimView> {
        self.claims.iter().find(|v| v.claim_pos == claim_pos)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn tiny() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
        for sub in ["", "claims", "snapshots"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            for e in std::fs::read_dir(from.join(sub)).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_file() {
                    std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
                }
            }
        }
        dir
    }

    fn job(root: &Path, scope: Scope, buffers: &[(&str, &str)]) -> Job {
        Job {
            root: root.to_path_buf(),
            scope,
            buffers: buffers
                .iter()
                .map(|(rel, text)| (rel.to_string(), (7, text.to_string())))
                .collect(),
            generation: 1,
            encoding: Encoding::Utf16,
            sent: Instant::now(),
        }
    }

    #[test]
    fn buffers_are_checked_instead_of_the_disk() {
        let dir = tiny();
        let facts = std::fs::read_to_string(dir.path().join("claims/facts.toml")).unwrap();
        let edited = facts.replace("avait 66 ans", "avait 65 ans");
        for scope in [
            Scope::Full,
            Scope::Files(["claims/facts.toml".to_string()].into()),
        ] {
            let a = run(&job(
                dir.path(),
                scope.clone(),
                &[("claims/facts.toml", &edited)],
            ));
            assert!(codes(&a, "claims/facts.toml").contains(&"changed".to_string()));
            let f = &a.files["claims/facts.toml"];
            assert_eq!(f.version, Some(7));
            let view = f.view.as_ref().unwrap();
            assert_eq!(view.text(), edited);
            assert_eq!(view.cites.len(), 2);
            assert_eq!(a.full, scope == Scope::Full);
            // A scoped check speaks for its files only.
            assert_eq!(
                a.files.contains_key("claims/embassy.toml"),
                scope == Scope::Full
            );
        }
        // The disk is untouched.
        assert_eq!(
            std::fs::read_to_string(dir.path().join("claims/facts.toml")).unwrap(),
            facts
        );
    }

    #[test]
    fn a_file_prov_cannot_read_leaves_the_others_checked() {
        let dir = tiny();
        let bad = "[[claim]]\nid = \"x\nfact = \"f\"\n";
        let a = run(&job(dir.path(), Scope::Full, &[("claims/facts.toml", bad)]));
        assert_eq!(codes(&a, "claims/facts.toml"), ["toml-syntax"]);
        assert!(a.files["claims/facts.toml"].view.is_none());
        assert!(codes(&a, "claims/embassy.toml").contains(&"attributed-only".to_string()));
        assert!(a.files["claims/embassy.toml"].view.is_some());
        // Scoped to the bad file: its finding, nothing said about the others.
        let scope = Scope::Files(["claims/facts.toml".to_string()].into());
        let a = run(&job(dir.path(), scope, &[("claims/facts.toml", bad)]));
        assert_eq!(codes(&a, "claims/facts.toml"), ["toml-syntax"]);
        assert!(!a.files.contains_key("claims/embassy.toml"));
    }

    #[test]
    fn a_broken_sources_toml_keeps_the_other_files_diagnostics() {
        let dir = tiny();
        let a = run(&job(
            dir.path(),
            Scope::Full,
            &[("sources.toml", "[sources.x\n"), ("claims/facts.toml", "")],
        ));
        assert_eq!(codes(&a, "sources.toml"), ["toml-syntax"]);
        assert!(!a.full && a.ws.is_none());
        // The open claim file is stamped with its version, and keeps what it had.
        let f = &a.files["claims/facts.toml"];
        assert_eq!(f.version, Some(7));
        assert!(f.diagnostics.is_none());
    }
}

//! What a check found, as data: per source its integrity and pending capture, per citation its
//! verdict and finding, per claim who asserts it, and every finding. Made by [`crate::check`];
//! read by [`crate::fix`], [`crate::accept`], [`crate::render`] and [`crate::report`].

use std::borrow::Cow;

use rayon::prelude::*;

use crate::diag::{Code, Diagnostic, Loc, Severity};
use crate::facts::{self, Evidence, Fact, Groups};
use crate::pending;
use crate::snapshot::Status;
use crate::verdict::{Anchor, Strategy, Verdict};
use crate::workspace::{Cite, Claim, Flag, Source, Workspace};

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
/// read through `cite` and [`CitationReport::claim`]: nothing of the workspace is copied per
/// citation. 56 bytes: a large workspace holds 100,000 for the whole check, so the finding and
/// found text that few citations have are boxed together, the claim, the source and the pinned
/// revision are held as positions, the quote's line is found when it is asked for
/// ([`CitationReport::line`]), and so is the message of a quote that holds.
#[derive(Debug, Clone)]
pub struct CitationReport<'w> {
    pub cite: &'w Cite,
    /// The capture it is pinned to ([`CitationReport::revision`]): `NOT_PINNED`, `PINNED_CURRENT`,
    /// or a superseded capture's position in its source's `revisions`.
    revision_at: u32,
    /// The verdict, when the text could be read ([`CitationReport::anchor`]).
    pub anchored: Option<HeldAnchor>,
    /// Its claim's position in `Workspace::claims`.
    pub claim_pos: u32,
    /// Its source's position in `Workspace::sources`, `NO_SOURCE` for an unknown source
    /// ([`CitationReport::source_at`]). Looked up once, when the check plans it: the fact
    /// analysis asks for it again and again.
    source_at: u32,
    /// Its finding and the source text at `found`, boxed: most citations have neither
    /// ([`CitationReport::code`], [`CitationReport::message`], [`CitationReport::found_text`]).
    finding: Option<Box<CitationFinding>>,
    /// The citation re-anchored in a pending capture of its source (boxed: rare, and large).
    pub pending: Option<Box<pending::Reanchored>>,
}

/// [`CitationReport::source_at`] of a citation of an unknown source.
const NO_SOURCE: u32 = u32::MAX;
/// [`CitationReport::revision_at`] of a citation that names no revision.
const NOT_PINNED: u32 = u32::MAX;
/// [`CitationReport::revision_at`] of a citation pinned to its source's current capture.
const PINNED_CURRENT: u32 = u32::MAX - 1;

/// The rarely present part of a [`CitationReport`]: its finding and found text.
#[derive(Debug, Clone, Default)]
struct CitationFinding {
    code: Option<Code>,
    severity: Option<Severity>,
    message: Option<Cow<'static, str>>,
    at: Option<Loc>,
    found_text: Option<Box<str>>,
}

impl<'w> CitationReport<'w> {
    /// A citation's report before anything is known of it but its place.
    pub fn new(cite: &'w Cite, claim_pos: u32) -> Self {
        CitationReport {
            cite,
            revision_at: NOT_PINNED,
            anchored: None,
            claim_pos,
            source_at: NO_SOURCE,
            finding: None,
            pending: None,
        }
    }

    /// 1-based line of the quote in the claim file.
    pub fn line(&self, ws: &Workspace) -> u32 {
        let line = ws
            .files
            .get(self.cite.file())
            .line(self.cite.quote_loc().start());
        u32::try_from(line).unwrap_or(u32::MAX)
    }

    /// Its source's position in `Workspace::sources`; `None` for an unknown source.
    pub fn source_at(&self) -> Option<u32> {
        (self.source_at != NO_SOURCE).then_some(self.source_at)
    }

    /// Record that it cites the source at position `at` of `Workspace::sources`.
    pub fn set_source_at(&mut self, at: usize) {
        // Fewer than 2^32 - 1 sources: each has a line of its own in sources.toml, a file of
        // at most 256 MiB.
        self.source_at = u32::try_from(at).unwrap_or(NO_SOURCE);
    }

    /// Its claim.
    pub fn claim(&self, ws: &'w Workspace) -> &'w Claim {
        &ws.claims[self.claim_pos as usize]
    }

    /// Pin it to its source's current capture.
    pub fn pin_current(&mut self) {
        self.revision_at = PINNED_CURRENT;
    }

    /// Pin it to its source's superseded capture at position `at` of its `revisions`.
    pub fn pin_superseded(&mut self, at: usize) {
        // Fewer than 2^32 - 2 revisions: sources.toml is at most `files::MAX_FILE_BYTES`.
        self.revision_at = u32::try_from(at)
            .unwrap_or(PINNED_CURRENT - 1)
            .min(PINNED_CURRENT - 1);
    }

    /// The full sha256 of the capture it is pinned to (the current one or a superseded one),
    /// when its citation names a revision that its source records.
    pub fn revision(&self, ws: &'w Workspace) -> Option<&'w str> {
        self.revision_in(self.source(ws)?)
    }

    /// [`CitationReport::revision`], given its source.
    pub fn revision_in<'s>(&self, source: &'s Source) -> Option<&'s str> {
        match self.revision_at {
            NOT_PINNED => None,
            PINNED_CURRENT => Some(&source.sha256),
            at => source.revisions.get(at as usize).map(|r| r.sha256.as_str()),
        }
    }

    /// Whether its citation names a revision its source records (the current capture or a
    /// superseded one).
    pub fn is_pinned(&self) -> bool {
        self.revision_at != NOT_PINNED
    }

    fn finding_mut(&mut self) -> &mut CitationFinding {
        self.finding.get_or_insert_with(Box::default)
    }

    /// Record its finding: the code, the severity, the message, and where it is reported (at
    /// the citation, or at the source in sources.toml when the source cannot be evidence; a
    /// consequence names its cause by it).
    pub fn set_finding(
        &mut self,
        code: Code,
        severity: Severity,
        message: Cow<'static, str>,
        at: Option<Loc>,
    ) {
        let f = self.finding_mut();
        f.code = Some(code);
        f.severity = Some(severity);
        f.message = Some(message);
        f.at = at;
    }

    /// Record the source text at `found` (a verdict other than `ok`).
    pub fn set_found_text(&mut self, text: Box<str>) {
        self.finding_mut().found_text = Some(text);
    }

    /// The code of the finding (`None` for ok).
    pub fn code(&self) -> Option<Code> {
        self.finding.as_ref().and_then(|f| f.code)
    }

    pub fn severity(&self) -> Option<Severity> {
        self.finding.as_ref().and_then(|f| f.severity)
    }

    /// Where the finding that `code` names is reported.
    pub fn finding_at(&self) -> Option<&Loc> {
        self.finding.as_ref().and_then(|f| f.at.as_ref())
    }

    /// The source text at `found`, for fixes and messages; `None` when the verdict is `ok` (it
    /// is the quote).
    pub fn found_text(&self) -> Option<&str> {
        self.finding.as_ref().and_then(|f| f.found_text.as_deref())
    }

    /// What the check says of the citation: its finding's message, or where a quote that holds
    /// stands; empty when it was not checked.
    pub fn message(&self, ws: &'w Workspace) -> Cow<'_, str> {
        if let Some(m) = self.finding.as_ref().and_then(|f| f.message.as_ref()) {
            return Cow::Borrowed(m);
        }
        if self.anchored.is_none() {
            return Cow::Borrowed("");
        }
        match self.revision(ws) {
            Some(sha) if self.revision_at == PINNED_CURRENT => format!(
                "the quote is at its span in revision {} (the current capture, pinned)",
                &sha[..12]
            )
            .into(),
            Some(sha) => format!(
                "the quote is at its span in revision {} (a superseded capture)",
                &sha[..12]
            )
            .into(),
            None => Cow::Borrowed("the quote is at its span"),
        }
    }

    pub fn verdict(&self) -> Option<Verdict> {
        self.anchored.as_ref().map(HeldAnchor::verdict)
    }

    /// The verdict and where the quote stands, when the text could be read.
    pub fn anchor(&self) -> Option<Cow<'_, Anchor>> {
        self.anchored.as_ref().map(HeldAnchor::get)
    }

    /// The registered source it cites (found when the check planned it).
    pub fn source(&self, ws: &'w Workspace) -> Option<&'w Source> {
        ws.sources.get(self.source_at()? as usize)
    }

    /// Where the quote (or its closest match) stands, in code points.
    pub fn found(&self) -> Option<(usize, usize)> {
        self.anchored.as_ref().and_then(HeldAnchor::found)
    }

    /// The citation as the fact analysis sees it. Only intact evidence is anchored, so a
    /// verdict that holds is evidence that holds.
    pub fn evidence(&self) -> Evidence<'w> {
        Evidence {
            cite: self.cite,
            source_at: self.source_at(),
            holds: self.verdict().is_some_and(Verdict::holds),
        }
    }

    /// The citation as it would be with its source's pending capture accepted.
    pub fn evidence_after(&self) -> Evidence<'w> {
        match &self.pending {
            Some(p) => Evidence {
                cite: self.cite,
                source_at: self.source_at(),
                holds: p.anchor.verdict.holds(),
            },
            None => self.evidence(),
        }
    }
}

/// A citation's anchor as a check holds it: most are a verdict and a place in 32-bit offsets
/// (16 bytes, not the 128 of an [`Anchor`] with its rarely used candidates, errors and partial
/// word); the others are boxed whole. A large workspace holds 100,000 of them for the whole run.
#[derive(Debug, Clone)]
pub enum HeldAnchor {
    Plain {
        verdict: Verdict,
        strategy: Strategy,
        span_out_of_range: bool,
        found: Option<(u32, u32)>,
    },
    Full(Box<Anchor>),
}

impl HeldAnchor {
    pub fn new(a: Anchor) -> Self {
        // A place past 4 GiB (never in a text prov reads: at most 256 MiB) is held whole.
        let found = match a.found {
            Some((s, e)) => match (u32::try_from(s), u32::try_from(e)) {
                (Ok(s), Ok(e)) => Some(Some((s, e))),
                _ => None,
            },
            None => Some(None),
        };
        if let Some(found) = found
            && a.candidates.is_empty()
            && a.candidates_total == 0
            && a.errors.is_none()
            && a.cut_short.is_none()
            && a.partial_word.is_none()
        {
            HeldAnchor::Plain {
                verdict: a.verdict,
                strategy: a.strategy,
                span_out_of_range: a.span_out_of_range,
                found,
            }
        } else {
            HeldAnchor::Full(Box::new(a))
        }
    }

    /// The anchor (made again when it is plain: no allocation).
    pub fn get(&self) -> Cow<'_, Anchor> {
        match self {
            HeldAnchor::Plain {
                verdict,
                strategy,
                span_out_of_range,
                found,
            } => Cow::Owned(Anchor {
                verdict: *verdict,
                found: found.map(wide),
                strategy: *strategy,
                ..Anchor::missing(*span_out_of_range)
            }),
            HeldAnchor::Full(a) => Cow::Borrowed(a),
        }
    }

    pub fn verdict(&self) -> Verdict {
        match self {
            HeldAnchor::Plain { verdict, .. } => *verdict,
            HeldAnchor::Full(a) => a.verdict,
        }
    }

    pub fn found(&self) -> Option<(usize, usize)> {
        match self {
            HeldAnchor::Plain { found, .. } => found.map(wide),
            HeldAnchor::Full(a) => a.found,
        }
    }
}

fn wide((s, e): (u32, u32)) -> (usize, usize) {
    (s as usize, e as usize)
}

/// Everything a check found.
#[derive(Debug)]
pub struct Outcome<'w> {
    pub sources: Vec<SourceReport>,
    pub citations: Vec<CitationReport<'w>>,
    pub diagnostics: Vec<Diagnostic>,
    pub claims: usize,
    /// Who asserts each checked claim, made on demand ([`Outcome::fact`]).
    pub facts: Facts<'w>,
    /// The facts' findings when they are not held in `diagnostics` (they then follow it).
    pub fact_findings: FactFindings,
    /// Whether each fact (by its index in [`Facts::list`]) has a flag that is an error: known
    /// from the pass that made the facts' findings, so that counting the facts that stand
    /// does not make them all again.
    pub fact_has_error: Vec<bool>,
}

/// The findings of the facts' flags, when the check was asked not to hold them
/// (`check::Options::fact_findings_on_demand`): which fact and flag each is, in the order they
/// are reported, and how many are errors and warnings. `check::FactFindingMaker` makes each.
#[derive(Debug, Default)]
pub struct FactFindings {
    /// (an index into [`Facts::list`], the flag), in order; they all sort after every held
    /// finding (the facts' tier is the last).
    pub order: Vec<(u32, Flag)>,
    pub errors: usize,
    pub warnings: usize,
}

/// The facts of a check, made on demand from the citation reports: a large workspace's facts
/// held all at once were 25 MB (58,654 of them, each with its origins), and every output
/// writes them one at a time.
#[derive(Debug)]
pub struct Facts<'w> {
    ws: &'w Workspace,
    groups: Groups,
    /// The policy's `deny` plus `--deny`.
    deny: Vec<Flag>,
    /// Each checked claim, in claim order.
    of: Vec<FactOf>,
    /// Some source has a pending capture: [`Outcome::facts_after`] has something to say.
    pending: bool,
}

/// One checked claim: its position in `Workspace::claims`, and its citations' reports (a
/// range of `Outcome::citations`).
#[derive(Debug, Clone, Copy)]
pub struct FactOf {
    claim_pos: u32,
    first: u32,
    len: u32,
}

impl FactOf {
    /// Its claim's position in `Workspace::claims`.
    pub fn claim_pos(self) -> usize {
        self.claim_pos as usize
    }

    /// Its citations' reports: a range of `Outcome::citations`.
    pub fn citations(self) -> std::ops::Range<usize> {
        self.first as usize..self.first as usize + self.len as usize
    }
}

impl<'w> Facts<'w> {
    /// The facts of `selected` (claim positions in `Workspace::claims`, in order), whose
    /// citations are consecutive in the citation reports, in the same order.
    pub fn new(ws: &'w Workspace, selected: &[usize], deny: Vec<Flag>, pending: bool) -> Self {
        let mut next = 0u32;
        let of = selected
            .iter()
            .map(|&pos| {
                let len = ws.claims[pos].cites.len() as u32;
                let f = FactOf {
                    claim_pos: pos as u32,
                    first: next,
                    len,
                };
                next += len;
                f
            })
            .collect();
        Facts {
            ws,
            groups: Groups::new(ws),
            deny,
            of,
            pending,
        }
    }

    /// How many facts.
    pub fn len(&self) -> usize {
        self.of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.of.is_empty()
    }

    /// The workspace checked.
    pub fn workspace(&self) -> &'w Workspace {
        self.ws
    }

    /// The checked claims, one per fact, in order.
    pub fn list(&self) -> &[FactOf] {
        &self.of
    }

    /// The fact of `of`, from its citations' evidence now (or, `after`, with every pending
    /// capture accepted).
    fn make(&self, of: FactOf, citations: &[CitationReport<'w>], after: bool) -> Fact<'w> {
        let claim = &self.ws.claims[of.claim_pos as usize];
        let evidence: Vec<Evidence> = citations[of.citations()]
            .iter()
            .map(|c| {
                if after {
                    c.evidence_after()
                } else {
                    c.evidence()
                }
            })
            .collect();
        let mut fact = facts::analyse(
            self.ws,
            &self.groups,
            claim,
            &evidence,
            &self.ws.policy,
            &self.deny,
        );
        fact.claim_pos = of.claim_pos as usize;
        fact
    }
}

impl<'w> Outcome<'w> {
    /// The workspace it is the outcome of.
    pub fn workspace(&self) -> &'w Workspace {
        self.facts.ws
    }

    /// The findings that are errors (those made on demand included).
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
            + self.fact_findings.errors
    }

    /// The findings that are warnings (those made on demand included).
    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
            + self.fact_findings.warnings
    }

    /// The fact of one checked claim (an element of [`Facts::list`]).
    pub fn fact(&self, of: &FactOf) -> Fact<'w> {
        self.facts.make(*of, &self.citations, false)
    }

    /// The flags of the fact of `of`, each with its severity: those of [`Outcome::fact`],
    /// without making the fact.
    pub fn fact_flags(&self, of: &FactOf) -> impl Iterator<Item = (Flag, Severity)> + use<'_, 'w> {
        let facts = &self.facts;
        let flags = facts::flags(
            facts.ws,
            &facts.groups,
            self.citations[of.citations()]
                .iter()
                .map(CitationReport::evidence),
            &facts.ws.policy,
            &facts.deny,
        );
        #[cfg(debug_assertions)]
        let flags = {
            let flags: Vec<_> = flags.collect();
            let fact = self.fact(of);
            let made: Vec<_> = fact.flags.iter().map(|&f| (f, fact.severity(f))).collect();
            debug_assert_eq!(flags, made, "the flags of fact `{}`", fact.claim);
            flags.into_iter()
        };
        flags
    }

    /// The severity of a fact's `flag`: an error when it is `unsupported` or denied, else a
    /// warning (as [`Fact::severity`] says, without making the fact).
    pub fn fact_flag_severity(&self, flag: Flag) -> Severity {
        facts::severity(flag, &self.facts.deny)
    }

    /// Every fact, in claim order, made on every core.
    pub fn all_facts(&self) -> Vec<Fact<'w>> {
        self.facts
            .of
            .par_iter()
            .map(|&of| self.facts.make(of, &self.citations, false))
            .collect()
    }

    /// The facts as they would be with every pending capture accepted; `None` when nothing
    /// is pending.
    pub fn facts_after(&self) -> Option<Vec<Fact<'w>>> {
        self.facts.pending.then(|| {
            self.facts
                .of
                .par_iter()
                .map(|&of| self.facts.make(of, &self.citations, true))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A held anchor is the anchor it was made from, plain or boxed.
    #[test]
    fn a_held_anchor_gives_back_its_anchor() {
        let plain = Anchor {
            verdict: Verdict::Ok,
            found: Some((3, 9)),
            strategy: Strategy::None,
            ..Anchor::missing(true)
        };
        let rare = [
            Anchor {
                candidates: vec![(1, 2), (5, 6)],
                candidates_total: 12,
                verdict: Verdict::Ambiguous,
                ..Anchor::missing(false)
            },
            Anchor {
                errors: Some(2),
                verdict: Verdict::Changed,
                found: Some((0, 4)),
                ..Anchor::missing(false)
            },
            Anchor {
                cut_short: Some((10, 20)),
                ..Anchor::missing(false)
            },
            Anchor {
                partial_word: Some("words".into()),
                ..plain.clone()
            },
        ];
        let held = HeldAnchor::new(plain.clone());
        assert!(matches!(held, HeldAnchor::Plain { .. }));
        assert_eq!(*held.get(), plain);
        assert_eq!((held.verdict(), held.found()), (plain.verdict, plain.found));
        for a in rare {
            let held = HeldAnchor::new(a.clone());
            assert!(matches!(held, HeldAnchor::Full(_)));
            assert_eq!(*held.get(), a);
            assert_eq!((held.verdict(), held.found()), (a.verdict, a.found));
        }
        #[cfg(target_pointer_width = "64")]
        {
            let far = Anchor {
                found: Some((1, 1 << 33)),
                ..plain.clone()
            };
            let held = HeldAnchor::new(far.clone());
            assert!(matches!(held, HeldAnchor::Full(_)));
            assert_eq!(held.found(), far.found);
        }
        assert_eq!(std::mem::size_of::<HeldAnchor>(), 16);
        assert_eq!(std::mem::size_of::<Option<HeldAnchor>>(), 16);
        // 100,000 of them are held for a whole check of a large workspace.
        #[cfg(target_pointer_width = "64")]
        assert_eq!(std::mem::size_of::<CitationReport>(), 56);
    }
}

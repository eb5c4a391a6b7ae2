//! `prov report`: the audit trail. [`build`] turns a checked workspace into a [`Report`]: per
//! fact the statement, verdict, flags and support matrix; per citation who published it, the
//! quote in its context, the span, the sha256 it was verified against and a text-fragment link;
//! per source every revision. Renderers (`md`, `html`, `json`, `w3c`) only format it. The output
//! is deterministic: nothing depends on the clock except `SOURCE_DATE_EPOCH`, and the report
//! names the [`digest`] of the workspace it describes so a reader can confirm it.

pub mod digest;
pub mod fragment;
pub mod html;
pub mod md;
pub mod w3c;

use serde::{Deserialize, Serialize};

use crate::check::{CitationReport, Outcome};
use crate::facts::Flag;
use crate::verdict::Verdict;
use crate::workspace::{Stance, Workspace};

pub const SCHEMA: &str = "prov-report/1";

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub tool: String,
    /// RFC 3339, from SOURCE_DATE_EPOCH only; null otherwise (the report stays byte-identical).
    pub generated: Option<String>,
    pub workspace: digest::Digest,
    pub summary: Summary,
    pub facts: Vec<FactEntry>,
    pub sources: Vec<SourceEntry>,
    /// Findings that belong to no single fact: a source's integrity, a pending capture.
    pub findings: Vec<FindingEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingEntry {
    pub code: String,
    pub severity: crate::diag::Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub claims: usize,
    pub citations: usize,
    pub sources: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Facts with at least one supporting citation that holds and no error flag.
    pub facts_supported: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FactEntry {
    pub claim: String,
    pub statement: String,
    pub file: String,
    pub line: usize,
    /// "supported" (no error), or "failing" (an error-level finding on the fact or a citation).
    pub verdict: String,
    pub flags: Vec<Flag>,
    pub errors: Vec<Flag>,
    pub matrix: Vec<MatrixRow>,
    pub citations: Vec<CitationEntry>,
    pub note: Option<String>,
}

/// One origin's part in a fact: which of its citations hold, per stance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatrixRow {
    /// The origin, or `? outlet` when unknown.
    pub origin: String,
    pub outlets: Vec<String>,
    /// Citations that hold and assert the fact.
    pub supports: usize,
    /// Citations that hold and only report a party's statement: the parties.
    pub reports: Vec<String>,
    pub contradicts: usize,
    /// Citations of this origin that do not hold.
    pub not_holding: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CitationEntry {
    pub source: String,
    pub outlet: String,
    pub origin: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
    pub stance: Stance,
    pub said_by: Option<String>,
    pub quote: String,
    pub span: Option<[usize; 2]>,
    /// Where the quote is, when it is there.
    pub found: Option<[usize; 2]>,
    pub verdict: Option<Verdict>,
    /// Why it does not hold, when it does not.
    pub problem: Option<String>,
    /// About a sentence of the snapshot either side of the quote.
    pub before: String,
    pub text: String,
    pub after: String,
    /// The sha256 of the capture the quote was verified against.
    pub verified_sha256: Option<String>,
    /// Set when the citation cites a superseded capture (a revision).
    pub revision: Option<String>,
    /// `url#:~:text=…`, when the source has a url and the quote is found.
    pub fragment_link: Option<String>,
    /// What a pending capture would change, when one is waiting.
    pub pending: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceEntry {
    pub id: String,
    pub title: Option<String>,
    pub outlet: String,
    pub origin: String,
    pub url: Option<String>,
    pub language: Option<String>,
    pub published: Option<String>,
    pub captured: Option<String>,
    pub sha256: String,
    pub status: String,
    pub citations: usize,
    pub revisions: Vec<RevisionEntry>,
    pub pending_sha256: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevisionEntry {
    pub sha256: String,
    pub captured: Option<String>,
    pub superseded: Option<String>,
}

impl CitationEntry {
    /// What the citation does, in words: "supports", "reports what X said", "contradicts",
    /// "contradicts (reports what X said)". Plain text: renderers escape it.
    pub fn stance_text(&self) -> String {
        match (self.stance, &self.said_by) {
            (Stance::Contradicts, None) => "contradicts".to_string(),
            (Stance::Contradicts, Some(p)) => format!("contradicts (reports what {p} said)"),
            (Stance::Supports, Some(p)) => format!("reports what {p} said"),
            (Stance::Supports, None) => "supports".to_string(),
        }
    }

    /// Who published it: "outlet", "origin, via outlet", or "not a registered source".
    pub fn publisher_text(&self) -> String {
        if self.outlet.is_empty() {
            "not a registered source".to_string()
        } else if self.origin == self.outlet || self.origin.is_empty() {
            self.outlet.clone()
        } else {
            format!("{}, via {}", self.origin, self.outlet)
        }
    }
}

impl MatrixRow {
    /// The row's cells after the origin: outlets, supports, only reports, contradicts, not
    /// holding ("—" for none). Plain text: renderers escape it.
    pub fn cells(&self) -> [String; 5] {
        let num = |n: usize| {
            if n == 0 {
                "—".to_string()
            } else {
                n.to_string()
            }
        };
        [
            self.outlets.join(", "),
            num(self.supports),
            if self.reports.is_empty() {
                "—".to_string()
            } else {
                self.reports.join(", ")
            },
            num(self.contradicts),
            num(self.not_holding),
        ]
    }
}

/// Gives the text of a source (or of one of its revisions, by sha256), read once.
pub type TextOf<'a> = dyn Fn(&str, Option<&str>) -> Option<std::rc::Rc<Text>> + 'a;

/// A snapshot's text, read once per report: the string and its code points.
#[derive(Debug)]
pub struct Text {
    pub text: String,
    pub chars: Vec<char>,
}

impl Text {
    pub fn new(text: String) -> Self {
        let chars = text.chars().collect();
        Text { text, chars }
    }
}

/// Expand `[s, e)` of `chars` to about a sentence either side (at most `max` chars each).
fn context(chars: &[char], s: usize, e: usize, max: usize) -> (String, String) {
    let is_end = |c: char| matches!(c, '.' | '!' | '?' | '\n' | '…');
    // A sentence ends at an end character followed by a space, the text's end, or a line
    // break ("3.000" and "U.S." are not ends); a run of them ("." then a blank line) is one.
    let boundary = |i: usize| {
        is_end(chars[i])
            && match chars.get(i + 1) {
                None => true,
                Some(c) if is_end(*c) => false,
                Some(c) => chars[i] == '\n' || c.is_whitespace(),
            }
    };
    let mut b = s;
    let mut ends = 0;
    while b > 0 && s - b < max {
        if b < s && boundary(b - 1) {
            ends += 1;
            if ends == 2 {
                break;
            }
        }
        b -= 1;
    }
    let mut a = e;
    while a < chars.len() && a - e < max {
        a += 1;
        // The end of the sentence after the quote (not one the quote itself ends with).
        if a > e + 1 && boundary(a - 1) {
            break;
        }
    }
    let mut before: String = chars[b..s].iter().collect();
    let mut after: String = chars[e..a].iter().collect();
    // Cut by the limit mid-sentence: at a word, marked with an ellipsis.
    if b > 0 && !boundary(b - 1) {
        if let Some(i) = before.find(char::is_whitespace) {
            before = before[i..].to_string();
        }
        before = format!("…{}", before.trim_start());
    }
    if a < chars.len() && !boundary(a - 1) {
        if let Some(i) = after.rfind(char::is_whitespace) {
            after.truncate(i);
        }
        after.push('…');
    }
    (
        before.trim_start().to_string(),
        after.trim_end().to_string(),
    )
}

/// Build the report of a checked workspace. `texts` gives the snapshot text of a source id (or
/// of a revision, keyed `id@sha256`), for context.
pub fn build(
    ws: &Workspace,
    outcome: &Outcome,
    digest: digest::Digest,
    text_of: &TextOf<'_>,
) -> Report {
    let mut facts = Vec::new();
    let mut next = 0;
    let mut supported = 0;
    for fact in &outcome.facts {
        let Some(claim) = ws.claims.get(fact.claim_pos) else {
            continue;
        };
        let cites: Vec<&CitationReport> = outcome.citations[next..next + claim.cites.len()]
            .iter()
            .collect();
        next += claim.cites.len();
        let mut matrix: Vec<MatrixRow> = Vec::new();
        let mut keys = Vec::new();
        let mut entries = Vec::new();
        let mut failing = !fact.errors.is_empty();
        for c in &cites {
            let Some(source) = ws.source(&c.source) else {
                failing = true;
                entries.push(CitationEntry {
                    source: c.source.clone(),
                    outlet: String::new(),
                    origin: String::new(),
                    title: None,
                    url: None,
                    published: None,
                    stance: c.stance,
                    said_by: c.said_by.clone(),
                    quote: c.quote.clone(),
                    span: c.span.map(|(s, e)| [s, e]),
                    found: None,
                    verdict: None,
                    problem: Some(c.message.clone()),
                    before: String::new(),
                    text: c.quote.clone(),
                    after: String::new(),
                    verified_sha256: None,
                    revision: None,
                    fragment_link: None,
                    pending: None,
                });
                continue;
            };
            let holds = c.verdict().is_some_and(Verdict::holds);
            if c.severity == Some(crate::diag::Severity::Error) {
                failing = true;
            }
            let origin = source.effective_origin();
            let (key, row_label) = crate::facts::group_of(source);
            let at = match keys.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    keys.push(key);
                    matrix.push(MatrixRow {
                        origin: row_label.clone(),
                        outlets: Vec::new(),
                        supports: 0,
                        reports: Vec::new(),
                        contradicts: 0,
                        not_holding: 0,
                    });
                    matrix.len() - 1
                }
            };
            let row = &mut matrix[at];
            if !row.outlets.contains(&source.outlet) {
                row.outlets.push(source.outlet.clone());
            }
            match (holds, c.stance, &c.said_by) {
                (false, _, _) => row.not_holding += 1,
                (true, Stance::Contradicts, _) => row.contradicts += 1,
                (true, Stance::Supports, Some(p)) => {
                    if !row.reports.contains(p) {
                        row.reports.push(p.clone());
                    }
                }
                (true, Stance::Supports, None) => row.supports += 1,
            }
            let found = c.anchor.as_ref().and_then(|a| a.found);
            let text = text_of(&source.id, c.revision.as_deref());
            let (before, exact, after) = match (&text, found) {
                (Some(t), Some((s, e))) => {
                    let (b, a) = context(&t.chars, s, e, 240);
                    (b, t.chars[s..e].iter().collect(), a)
                }
                _ => (String::new(), c.quote.clone(), String::new()),
            };
            let fragment_link = match (&source.url, &text, found) {
                (Some(url), Some(t), Some((s, e))) if holds => {
                    Some(fragment::link(url, &t.text, &t.chars, s, e))
                }
                _ => None,
            };
            let pending = c.pending.as_ref().map(|p| {
                let a = &p.anchor;
                match a.found {
                    Some((s, e)) => format!(
                        "{} at [{s}, {e}] in the pending capture",
                        a.verdict.as_str()
                    ),
                    None => format!("{} in the pending capture", a.verdict.as_str()),
                }
            });
            entries.push(CitationEntry {
                source: source.id.clone(),
                outlet: source.outlet.clone(),
                origin: origin.to_string(),
                title: source.title.clone(),
                url: source.url.clone(),
                published: source.published.clone(),
                stance: c.stance,
                said_by: c.said_by.clone(),
                quote: c.quote.clone(),
                span: c.span.map(|(s, e)| [s, e]),
                found: found.map(|(s, e)| [s, e]),
                verdict: c.verdict(),
                problem: (!holds || c.severity.is_some()).then(|| c.message.clone()),
                before,
                text: exact,
                after,
                verified_sha256: holds
                    .then(|| c.revision.clone().unwrap_or_else(|| source.sha256.clone())),
                revision: c.revision.clone().filter(|r| *r != source.sha256),
                fragment_link,
                pending,
            });
        }
        if !failing && !fact.supports.is_empty() {
            supported += 1;
        }
        let line = ws
            .files
            .get(claim.id_loc.file)
            .line_col(claim.id_loc.range.start)
            .0;
        facts.push(FactEntry {
            claim: claim.id.clone(),
            statement: claim.fact.clone(),
            file: ws.files.get(claim.file).path.clone(),
            line,
            verdict: if failing { "failing" } else { "supported" }.to_string(),
            flags: fact.flags.clone(),
            errors: fact.errors.clone(),
            matrix,
            citations: entries,
            note: claim.note.clone(),
        });
    }
    // Citations per source, counted in one pass (not once per source).
    let mut cited: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (_, c) in ws.citations() {
        *cited.entry(c.source.as_str()).or_default() += 1;
    }
    let sources = ws
        .sources
        .iter()
        .map(|s| {
            let report = outcome.sources.iter().find(|r| r.id == s.id);
            SourceEntry {
                id: s.id.clone(),
                title: s.title.clone(),
                outlet: s.outlet.clone(),
                origin: s.effective_origin().to_string(),
                url: s.url.clone(),
                language: s.language.clone(),
                published: s.published.clone(),
                captured: s.captured.clone(),
                sha256: s.sha256.clone(),
                status: report
                    .map(|r| match (&r.pending, r.status) {
                        (Some(_), crate::snapshot::Status::Ok) => "capture-pending",
                        (_, st) => st.as_str(),
                    })
                    .unwrap_or("not-checked")
                    .to_string(),
                citations: cited.get(s.id.as_str()).copied().unwrap_or(0),
                revisions: s
                    .revisions
                    .iter()
                    .map(|r| RevisionEntry {
                        sha256: r.sha256.clone(),
                        captured: r.captured.clone(),
                        superseded: r.superseded.clone(),
                    })
                    .collect(),
                pending_sha256: report
                    .and_then(|r| r.pending.as_ref())
                    .and_then(|p| p.sha256.clone()),
            }
        })
        .collect();
    Report {
        schema: SCHEMA.to_string(),
        tool: format!("prov {}", env!("CARGO_PKG_VERSION")),
        generated: crate::registry::source_date_epoch_rfc3339(),
        workspace: digest,
        summary: Summary {
            claims: outcome.claims,
            citations: outcome.citations.len(),
            sources: ws.sources.len(),
            errors: outcome.errors(),
            warnings: outcome.warnings(),
            facts_supported: supported,
        },
        facts,
        sources,
        findings: outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity >= crate::diag::Severity::Warning)
            .filter(|d| d.code.kind() == crate::diag::CodeKind::Source || d.about_pending)
            .map(|d| FindingEntry {
                code: d.code.as_str().to_string(),
                severity: d.severity,
                message: d.message.clone(),
                file: d.loc.as_ref().map(|l| ws.files.get(l.file).path.clone()),
                line: d
                    .loc
                    .as_ref()
                    .map(|l| ws.files.get(l.file).line_col(l.range.start).0),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_is_about_a_sentence_either_side() {
        let t: Vec<char> = "Un. Deux trois. La victime avait 66 ans. Quatre cinq. Six."
            .chars()
            .collect();
        let s = 16;
        let e = s + "La victime avait 66 ans.".chars().count();
        let (b, a) = context(&t, s, e, 240);
        assert_eq!(b, "Deux trois. ");
        assert_eq!(a, " Quatre cinq.");
        // A paragraph break counts once: the previous paragraph's last sentence is shown.
        let t: Vec<char> = "Un. Deux.\n\nTrois quatre cinq.".chars().collect();
        let (b, _) = context(&t, 17, 23, 240);
        assert_eq!(b, "Deux.\n\nTrois ");
    }

    #[test]
    fn context_stops_at_the_limit() {
        let t: Vec<char> = "mot ".repeat(250).chars().collect();
        let (b, a) = context(&t, 500, 510, 50);
        assert!(b.starts_with('…') && b.chars().count() <= 51, "{b:?}");
        assert!(a.ends_with('…') && a.chars().count() <= 51, "{a:?}");
    }
}

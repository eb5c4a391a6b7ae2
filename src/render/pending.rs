//! What a pending capture does to the evidence, for people: per citation the verdict before →
//! after (with the word diff of an edited quote), per fact the origins before → after, and, for
//! `prov diff`, the text hunks of the capture that touch cited passages.

use std::fmt::Write;

use similar::{ChangeTag, TextDiff};

use crate::facts::{Fact, OriginSupport};
use crate::outcome::{CitationReport, Outcome};
use crate::render::human::word_diff;
use crate::verdict::Anchor;
use crate::workspace::Workspace;

fn place(a: &Anchor) -> String {
    match a.found {
        Some((s, e)) => format!("{} [{s}, {e}]", a.verdict.as_str()),
        None if !a.candidates.is_empty() => {
            let n = a.candidates_total;
            format!(
                "{} ({n} place{})",
                a.verdict.as_str(),
                if n == 1 { "" } else { "s" }
            )
        }
        None => a.verdict.as_str().to_string(),
    }
}

fn supports(f: &Fact) -> String {
    if f.supports.is_empty() {
        return "—".to_string();
    }
    f.supports
        .iter()
        .map(OriginSupport::label)
        .collect::<Vec<_>>()
        .join(", ")
}

fn flags(f: &Fact) -> String {
    if f.flags.is_empty() {
        return "no flags".to_string();
    }
    f.flags
        .iter()
        .map(|fl| fl.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The before → after section of every source with a pending capture (empty when none).
/// Compact lists only the citations that would break and counts the others.
pub fn section(
    ws: &Workspace,
    outcome: &Outcome,
    only: &[String],
    color: bool,
    compact: bool,
) -> String {
    let mut out = String::new();
    for s in outcome.sources.iter().filter(|s| s.pending.is_some()) {
        if !only.is_empty() && !only.contains(&s.id) {
            continue;
        }
        let Some(capture) = &s.pending else { continue };
        let _ = match &capture.sha256 {
            Some(sha) => writeln!(
                out,
                "pending capture of `{}`: snapshots/{}.new.txt (sha256 {}…, {} bytes)",
                s.id,
                s.id,
                &sha[..12],
                capture.bytes
            ),
            None => writeln!(
                out,
                "pending capture of `{}`: snapshots/{}.new.txt",
                s.id, s.id
            ),
        };
        if let Some(e) = &capture.error {
            let _ = writeln!(out, "  cannot be used: {e}");
            continue;
        }
        let cites: Vec<&CitationReport> = outcome
            .citations
            .iter()
            .filter(|c| *c.cite.source() == *s.id && c.pending.is_some())
            .collect();
        let mut same = 0;
        let mut hidden = 0;
        for c in &cites {
            let (Some(before), Some(after)) = (c.anchor(), &c.pending) else {
                continue;
            };
            if before.verdict == after.anchor.verdict && before.found == after.anchor.found {
                same += 1;
                continue;
            }
            if compact && !after.breaks() {
                hidden += 1;
                continue;
            }
            let _ = writeln!(
                out,
                "  {}:{}  {}  {} → {}",
                ws.files.get(c.cite.file()).path,
                c.line(ws),
                c.claim(ws).id(),
                place(&before),
                place(&after.anchor)
            );
            if after.anchor.verdict == crate::verdict::Verdict::Changed {
                let _ = writeln!(
                    out,
                    "      {}",
                    word_diff(
                        c.cite.quote(),
                        after.found_text.as_deref().unwrap_or(""),
                        color
                    )
                );
            }
        }
        if hidden > 0 {
            let _ = writeln!(
                out,
                "  {hidden} more citation{} still hold{} at new places (`prov diff {}` lists them)",
                if hidden == 1 { "" } else { "s" },
                if hidden == 1 { "s" } else { "" },
                s.id
            );
        }
        if same > 0 {
            let _ = writeln!(
                out,
                "  {same} citation{} unchanged",
                if same == 1 { "" } else { "s" }
            );
        }
    }
    if let Some(after) = outcome.facts_after() {
        let mut lines = Vec::new();
        for (b, a) in outcome.all_facts().iter().zip(&after) {
            let (sb, sa) = (supports(b), supports(a));
            if sb != sa || b.flags != a.flags {
                lines.push(format!(
                    "  {}: supported by {sb} → {sa}; {} → {}",
                    b.claim,
                    flags(b),
                    flags(a)
                ));
            }
        }
        if !lines.is_empty() {
            out.push_str("facts the pending captures change:\n");
            for l in lines {
                out.push_str(&l);
                out.push('\n');
            }
        } else if !out.is_empty() {
            out.push_str("no fact changes its support\n");
        }
    }
    out
}

/// Char offset of the start of each line of `text`, plus its length.
fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    let mut n = 0;
    for c in text.chars() {
        n += 1;
        if c == '\n' {
            v.push(n);
        }
    }
    v.push(n);
    v
}

/// The hunks of old → new that touch any of `cited` (old char ranges), word-highlighted.
pub fn text_hunks(
    path: &str,
    old: &str,
    new: &str,
    cited: &[(usize, usize)],
    context: usize,
    color: bool,
) -> String {
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_secs(2))
        .diff_lines(old, new);
    let starts = line_starts(old);
    let char_of_line = |l: usize| {
        starts
            .get(l)
            .copied()
            .unwrap_or(*starts.last().unwrap_or(&0))
    };
    let mut out = String::new();
    let mut shown = 0;
    for group in diff.grouped_ops(context) {
        let (first, last) = (group[0].old_range(), group[group.len() - 1].old_range());
        let (a, b) = (char_of_line(first.start), char_of_line(last.end));
        // Touching a cited passage: overlapping it, or an insertion right inside it.
        let touches = cited.iter().any(|&(s, e)| s < b.max(a + 1) && a < e);
        if !touches {
            continue;
        }
        shown += 1;
        let nf = group[0].new_range();
        let nl = group[group.len() - 1].new_range();
        let _ = writeln!(
            out,
            "@@ {path}: lines {}-{} → {}-{} @@",
            first.start + 1,
            last.end,
            nf.start + 1,
            nl.end
        );
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let (sign, on, off) = match (change.tag(), color) {
                    (ChangeTag::Delete, false) => ("-", "[-", "-]"),
                    (ChangeTag::Insert, false) => ("+", "{+", "+}"),
                    (ChangeTag::Delete, true) => ("\x1b[31m-", "\x1b[1;31;9m", "\x1b[22;29;31m"),
                    (ChangeTag::Insert, true) => ("\x1b[32m+", "\x1b[1;32;4m", "\x1b[22;24;32m"),
                    (ChangeTag::Equal, _) => (" ", "", ""),
                };
                out.push_str(sign);
                for (emph, part) in change.iter_strings_lossy() {
                    // The line ending is not shown (a CRLF one either); anything else from the
                    // source is escaped, so even with colour it cannot style the output.
                    let part = part.strip_suffix('\n').unwrap_or(&part);
                    let part = part.strip_suffix('\r').unwrap_or(part);
                    let part = crate::escape::text(part);
                    if emph {
                        out.push_str(on);
                        out.push_str(&part);
                        out.push_str(off);
                    } else {
                        out.push_str(&part);
                    }
                }
                if color && change.tag() != ChangeTag::Equal {
                    out.push_str("\x1b[0m");
                }
                out.push('\n');
            }
        }
    }
    if shown == 0 {
        out.push_str("(no edit touches a cited passage)\n");
    }
    out
}

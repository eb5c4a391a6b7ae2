//! The `hidden-character` findings: characters a reader cannot see ([`crate::hidden`]) in a
//! quote, and anywhere else in a checked claim file or in sources.toml. A quote is byte-exact,
//! so a source that holds such a character holds it too: the finding is about what a reader of
//! the claim file, the source or the report sees, not about the match. A bidi control is an
//! error (as rustc's `text_direction_codepoint_in_literal` denies it: the text reads in another
//! order than its bytes); an invisible character is a warning.

use std::ops::Range;

use rayon::prelude::*;

use crate::diag::{Code, Diagnostic, Loc, Severity};
use crate::files::{File, FileId};
use crate::hidden::{self, Hidden, Kind};
use crate::outcome::CitationReport;
use crate::verdict::Verdict;
use crate::workspace::Workspace;

/// At most this many hidden characters of one text are listed in its finding.
const LISTED: usize = 8;

fn severity(kind: Kind) -> Severity {
    match kind {
        Kind::Bidi => Severity::Error,
        Kind::Invisible => Severity::Warning,
    }
}

/// What the character does to a reader, after its name.
fn effect(kind: Kind) -> &'static str {
    match kind {
        Kind::Bidi => "which makes a reader see the text in another order than its bytes",
        Kind::Invisible => "which a reader cannot see",
    }
}

/// The hidden characters of a text, summarised: the most severe kind, the first character of
/// that kind, how many there are, and the first [`LISTED`] of them.
struct Summary {
    worst: Hidden,
    count: usize,
    listed: Vec<Hidden>,
}

fn summarise(mut found: impl Iterator<Item = Hidden>) -> Option<Summary> {
    let first = found.next()?;
    let mut s = Summary {
        worst: first,
        count: 1,
        listed: vec![first],
    };
    for h in found {
        if h.kind > s.worst.kind {
            s.worst = h;
        }
        s.count += 1;
        if s.listed.len() < LISTED {
            s.listed.push(h);
        }
    }
    Some(s)
}

/// "U+202E RIGHT-TO-LEFT OVERRIDE at code point 3, …, and 2 more", each place named by `at`.
fn listing(s: &Summary, at: impl Fn(&Hidden) -> String) -> String {
    let mut parts: Vec<String> = s
        .listed
        .iter()
        .map(|h| format!("{} at {}", hidden::describe(h.ch), at(h)))
        .collect();
    if s.count > s.listed.len() {
        parts.push(format!("and {} more", s.count - s.listed.len()));
    }
    parts.join(", ")
}

/// The code point index in `text` of each byte offset in `bytes` (ascending), counted in one
/// pass.
fn code_points(text: &str, bytes: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(bytes.len());
    let (mut at, mut n) = (0, 0);
    for &b in bytes {
        n += text.get(at..b).map_or(0, |t| t.chars().count());
        at = b;
        out.push(n);
    }
    out
}

/// The finding of each citation whose quote holds a hidden character. A citation whose quote
/// is otherwise `ok` takes it as its finding. Returns the findings and the byte range of each
/// such quote in its claim file (the file-wide scan leaves them to this finding).
pub(super) fn in_quotes(
    ws: &Workspace,
    citations: &mut [CitationReport],
) -> (Vec<Diagnostic>, Vec<Loc>) {
    // On every core: a quote is scanned byte by byte, and a workspace has 100,000 of them.
    citations
        .par_iter_mut()
        .enumerate()
        .filter_map(|(index, report)| in_quote(ws, index, report))
        .unzip()
}

/// The finding of one citation's quote, and the quote's place, when it holds a hidden
/// character.
fn in_quote(
    ws: &Workspace,
    index: usize,
    report: &mut CitationReport,
) -> Option<(Diagnostic, Loc)> {
    let cite = report.cite;
    let s = summarise(hidden::find(cite.quote()))?;
    let quote_loc = cite.quote_loc();
    let offsets: Vec<usize> = s.listed.iter().map(|h| h.byte).collect();
    let points = code_points(cite.quote(), &offsets);
    let point_of = |h: &Hidden| {
        offsets
            .iter()
            .position(|&b| b == h.byte)
            .and_then(|i| points.get(i).copied())
    };
    let worst_point = point_of(&s.worst).unwrap_or_else(|| {
        cite.quote()
            .get(..s.worst.byte)
            .map_or(0, |t| t.chars().count())
    });
    let kind = s.worst.kind;
    let mut d = Diagnostic::new(
        Code::HiddenCharacter,
        format!(
            "the quote holds {}, {}",
            hidden::describe(s.worst.ch),
            effect(kind)
        ),
    )
    .severity(severity(kind))
    .at(raw_place(ws.files.get(cite.file()), &quote_loc, s.worst.ch))
    .label(format!("{} here", hidden::describe(s.worst.ch)))
    .citation(index);
    d = d.note(format!(
        "the quote holds {} hidden character{}: {}",
        s.count,
        if s.count == 1 { "" } else { "s" },
        listing(&s, |h| format!(
            "code point {}",
            point_of(h).unwrap_or(worst_point)
        ))
    ));
    let anchor = report.anchor();
    let anchor = anchor.as_deref();
    if let Some((start, _)) = anchor.filter(|a| a.verdict.holds()).and_then(|a| a.found) {
        d = d.note(format!(
            "`{}` has it too, at code point {}: the quote is exact, but what a reader sees is not what prov compared",
            cite.source(),
            start + worst_point
        ));
    }
    d = d.help(match kind {
        Kind::Bidi => "quote the words before or after it instead: a reader cannot tell what a quote with a bidi control says (prov shows such characters as `\\u{…}` in its outputs)",
        Kind::Invisible => "if the source really holds it, the quote is right and only looks like another text; otherwise delete it from the quote (prov shows such characters as `\\u{…}` in its outputs)",
    });
    if report.code().is_none() && anchor.is_some_and(|a| a.verdict == Verdict::Ok) {
        report.set_finding(
            Code::HiddenCharacter,
            d.severity,
            d.message.clone().into(),
            None,
        );
    }
    Some((d, quote_loc))
}

/// Where `c` is written raw in the value at `loc` of `file`; the whole value when it is written
/// as an escape (`\u202E`).
fn raw_place(file: &File, loc: &Loc, c: char) -> Loc {
    let raw = file.text.get(loc.range()).unwrap_or("");
    match hidden::find(raw).find(|h| h.ch == c) {
        Some(h) => {
            let start = loc.start() + h.byte;
            Loc::new(loc.file, start..start + c.len_utf8())
        }
        None => loc.clone(),
    }
}

/// One finding per file of `files` that holds hidden characters outside the byte ranges in
/// `covered` (quotes with their own finding): in a fact, a note, a title, a comment, anywhere.
pub(super) fn in_files(ws: &Workspace, files: &[FileId], covered: &[Loc]) -> Vec<Diagnostic> {
    let mut covered: Vec<&Loc> = covered.iter().collect();
    covered.sort_by_key(|l| (l.file, l.start()));
    // On every core, a file at a time (the claim files of a large workspace are tens of MB).
    files
        .par_iter()
        .filter_map(|&id| {
            let from = covered.partition_point(|l| l.file < id);
            let to = covered.partition_point(|l| l.file <= id);
            in_file(ws, id, covered.get(from..to).unwrap_or_default())
        })
        .collect()
}

/// The finding of one file, when it holds hidden characters outside the quotes in `skip`
/// (sorted by start).
fn in_file(ws: &Workspace, id: FileId, skip: &[&Loc]) -> Option<Diagnostic> {
    let file = ws.files.get(id);
    let skip: Vec<Range<usize>> = skip.iter().map(|l| l.range()).collect();
    let mut next = 0;
    let text = file.text.as_str();
    // A byte-order mark that starts the file is its encoding's, not text.
    let outside = hidden::find(text).filter(|h| !(h.byte == 0 && h.ch == '\u{FEFF}'));
    let outside = outside.filter(|h| {
        while skip.get(next).is_some_and(|r| r.end <= h.byte) {
            next += 1;
        }
        !skip.get(next).is_some_and(|r| r.contains(&h.byte))
    });
    let s = summarise(outside)?;
    let kind = s.worst.kind;
    let start = s.worst.byte;
    Some(
        Diagnostic::new(
            Code::HiddenCharacter,
            format!(
                "{} holds {}, {}",
                file.path,
                hidden::describe(s.worst.ch),
                effect(kind)
            ),
        )
        .severity(severity(kind))
        .at(Loc::new(id, start..start + s.worst.ch.len_utf8()))
        .label(format!("{} here", hidden::describe(s.worst.ch)))
        .note(format!(
            "the file holds {} hidden character{} outside quotes: {}",
            s.count,
            if s.count == 1 { "" } else { "s" },
            listing(&s, |h| {
                let (line, col) = file.line_col(h.byte);
                format!("{line}:{col}")
            })
        ))
        .help(format!(
            "delete it; if the text must hold it, write it as a TOML escape ({}) so that readers of the file see it",
            toml_escape(s.worst.ch)
        )),
    )
}

/// How TOML writes `c` as an escape: `\u202E`, or `\U000E0041` beyond the BMP.
fn toml_escape(c: char) -> String {
    let n = c as u32;
    if n > 0xFFFF {
        format!("\\U{n:08X}")
    } else {
        format!("\\u{n:04X}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_escapes_name_the_character() {
        assert_eq!(toml_escape('\u{200B}'), "\\u200B");
        assert_eq!(toml_escape('\u{E0041}'), "\\U000E0041");
    }

    #[test]
    fn code_points_are_counted_once_in_order() {
        let text = "é\u{202E}ab\u{200B}";
        assert_eq!(code_points(text, &[2, 7]), vec![1, 4]);
    }

    #[test]
    fn the_worst_character_is_named_and_the_list_is_bounded() {
        let text = format!("{}\u{202E}", "\u{200B}x".repeat(20));
        let s = summarise(hidden::find(&text)).unwrap();
        assert_eq!(s.worst.ch, '\u{202E}');
        assert_eq!(s.count, 21);
        assert_eq!(s.listed.len(), LISTED);
        assert!(listing(&s, |_| "?".into()).ends_with("and 13 more"));
    }
}

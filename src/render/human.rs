//! The human format: rustc-style diagnostics (code, file:line:col, the claim file's lines with
//! the value underlined, notes, a word diff for edited quotes, a help line) and a summary.

use std::borrow::Cow;
use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use similar::{ChangeTag, TextDiff};

use crate::diag::{Diagnostic, Severity};
use crate::files::Files;

/// The column a long value's underline stops at, so that its label stays in view.
const UNDERLINE_TO: usize = 72;
/// The fewest characters of a value that are underlined, however far right it starts.
const MIN_UNDERLINE: usize = 24;

/// Rendering options.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

fn renderer(style: Style) -> Renderer {
    if style.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

/// Render one diagnostic.
pub fn diagnostic(files: &Files, d: &Diagnostic, style: Style) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
    let mut group: Group<'_>;
    let mut extra: Vec<Cow<'_, str>> = d.notes.clone();
    if let Some((old, new)) = d.diff.as_deref() {
        extra.push(format!("quote → source: {}", word_diff(old, new, style.color)).into());
    }
    if let Some(loc) = &d.loc {
        let file = files.get(loc.file);
        let (line, _) = file.line_col(loc.start());
        let (end_line, _) = file.line_col(loc.end().max(loc.start()));
        // Show only the lines the span covers (a claim file may be large).
        let start = file.line_start(line);
        let end = file
            .text
            .get(file.line_start(end_line)..)
            .and_then(|rest| rest.find('\n'))
            .map_or(file.text.len(), |i| file.line_start(end_line) + i);
        let text = &file.text[start..end];
        let mut range = (loc.start() - start)..(loc.end().min(end).max(loc.start()) - start);
        // A long value (a long quote) is underlined up to column UNDERLINE_TO of its line (at
        // least MIN_UNDERLINE characters of it), so that the label stays in view.
        let at_col = text[..range.start].chars().count();
        let keep = UNDERLINE_TO.saturating_sub(at_col).max(MIN_UNDERLINE);
        if let Some((cut, _)) = text
            .get(range.clone())
            .and_then(|v| v.char_indices().nth(keep))
        {
            range = range.start..range.start + cut;
        }
        let mut ann = AnnotationKind::Primary.span(range);
        if let Some(label) = &d.label {
            ann = ann.label(label);
        }
        group = title.element(
            Snippet::source(text)
                .line_start(line)
                .path(file.path.as_str())
                .annotation(ann),
        );
    } else {
        group = Group::with_title(title);
    }
    for note in &extra {
        group = group.element(Level::NOTE.message(&**note));
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(&**help));
    }
    renderer(style).render(&[group])
}

/// A word diff of `old` → `new`: `[-removed-]{+added+}` in plain text, red/green with colour.
pub fn word_diff(old: &str, new: &str, color: bool) -> String {
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_unicode_words(old, new);
    let mut out = String::new();
    let mut pending: Option<ChangeTag> = None;
    let close = |out: &mut String, tag: Option<ChangeTag>| match (tag, color) {
        (Some(ChangeTag::Delete), false) => out.push_str("-]"),
        (Some(ChangeTag::Insert), false) => out.push_str("+}"),
        (Some(ChangeTag::Delete | ChangeTag::Insert), true) => out.push_str("\x1b[0m"),
        _ => {}
    };
    for change in diff.iter_all_changes() {
        let tag = change.tag();
        if pending != Some(tag) {
            close(&mut out, pending);
            match (tag, color) {
                (ChangeTag::Delete, false) => out.push_str("[-"),
                (ChangeTag::Insert, false) => out.push_str("{+"),
                (ChangeTag::Delete, true) => out.push_str("\x1b[31;9m"),
                (ChangeTag::Insert, true) => out.push_str("\x1b[32;4m"),
                (ChangeTag::Equal, _) => {}
            }
            pending = Some(tag);
        }
        out.push_str(&printable(change.value()));
    }
    close(&mut out, pending);
    out
}

/// Text from the workspace as it may be printed on a terminal: control characters (an escape
/// sequence in a quote, a NUL) and invisible ones are shown as `\u{…}`, never sent raw.
pub fn printable(s: &str) -> Cow<'_, str> {
    crate::escape::text(s)
}

/// The closing summary line.
pub fn summary(
    sources: usize,
    claims: usize,
    citations: usize,
    errors: usize,
    warnings: usize,
) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "checked {citations} citation{} of {claims} claim{} in {sources} source{}: ",
        plural(citations),
        plural(claims),
        plural(sources)
    );
    let _ = write!(
        s,
        "{errors} error{}, {warnings} warning{}",
        plural(errors),
        plural(warnings)
    );
    s
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_diff_marks_the_changed_word() {
        assert_eq!(
            word_diff(
                "La victime avait 65 ans.",
                "La victime avait 66 ans.",
                false
            ),
            "La victime avait [-65-]{+66+} ans."
        );
    }

    #[test]
    fn word_diff_of_equal_text_is_the_text() {
        assert_eq!(word_diff("même texte", "même texte", false), "même texte");
    }
}

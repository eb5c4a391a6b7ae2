//! prov's findings as LSP diagnostics: the same code, severity and message as `prov check`,
//! the notes, the word diff and the help on the lines below, at the range the finding marks.
//! A finding about no place in a file (an unreadable file, an interrupted write) is shown at
//! the top of sources.toml. Workspace text is passed through [`crate::escape::text`]: a
//! bidi control in a quote is shown as `\u{202e}`, never sent to the editor raw.

use std::collections::{BTreeMap, HashMap};

use lsp_types::{DiagnosticSeverity, NumberOrString, Range};

use crate::diag::{Diagnostic, Severity};
use crate::escape;
use crate::files::{FileId, Files};
use crate::render::human;

use super::position::{Encoding, LineIndex};

/// The severity an editor shows.
pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    }
}

/// The message: prov's one line, then its notes, word diff and help.
pub fn message(d: &Diagnostic) -> String {
    let mut m = escape::text(&d.message).into_owned();
    for note in &d.notes {
        m.push_str("\nnote: ");
        m.push_str(&escape::text(note));
    }
    if let Some((old, new)) = d.diff.as_deref() {
        m.push_str("\nquote → source: ");
        m.push_str(&human::word_diff(old, new, false));
    }
    if let Some(help) = &d.help {
        m.push_str("\nhelp: ");
        m.push_str(&escape::text(help));
    }
    m
}

/// Convert findings, grouped by the workspace-relative path of their file. Findings without a
/// place go to `fallback` (sources.toml), or are dropped without one.
pub fn by_file(
    files: &Files,
    diags: &[Diagnostic],
    fallback: Option<FileId>,
    enc: Encoding,
) -> BTreeMap<String, Vec<lsp_types::Diagnostic>> {
    let mut indexes: HashMap<FileId, LineIndex> = HashMap::new();
    let mut out: BTreeMap<String, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    let fallback = fallback.or_else(|| files.find(crate::workspace::SOURCES_FILE));
    for d in diags {
        let (file, range) = match (&d.loc, fallback) {
            (Some(loc), _) => {
                let f = files.get(loc.file);
                let index = indexes
                    .entry(loc.file)
                    .or_insert_with(|| LineIndex::new(&f.text));
                (loc.file, index.range(&f.text, loc.range(), enc))
            }
            (None, Some(file)) => (file, Range::default()),
            (None, None) => continue,
        };
        out.entry(files.get(file).path.clone())
            .or_default()
            .push(lsp_types::Diagnostic {
                range,
                severity: Some(severity(d.severity)),
                code: Some(NumberOrString::String(d.code.as_str().to_string())),
                code_description: None,
                source: Some("prov".to_string()),
                message: message(d),
                related_information: None,
                tags: None,
                data: None,
            });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Loc};

    #[test]
    fn findings_keep_code_severity_and_message_and_escape_hidden_characters() {
        let mut files = Files::default();
        let f = files.add(
            "claims/a.toml".into(),
            "[[claim]]\nquote = \"L’été\u{202e}\"\n".into(),
        );
        let s = files.add("sources.toml".into(), String::new());
        let d = Diagnostic::new(Code::Changed, "the quote differs\u{202e}")
            .at(Loc::new(f, 18..32))
            .note("a note")
            .diff("il avait 66 ans", "il avait 65 ans")
            .help("quote it");
        let lost = Diagnostic::new(Code::InterruptedWrite, "interrupted");
        let out = by_file(&files, &[d, lost], Some(s), Encoding::Utf16);
        let a = &out["claims/a.toml"][0];
        assert_eq!(a.code, Some(NumberOrString::String("changed".into())));
        assert_eq!(a.severity, Some(DiagnosticSeverity::ERROR));
        assert_eq!(
            a.message,
            "the quote differs\\u{202e}\nnote: a note\nquote → source: il avait [-66-]{+65+} ans\nhelp: quote it"
        );
        // Line 2, from the opening quote: `quote = ` is 8 units.
        assert_eq!(a.range.start, lsp_types::Position::new(1, 8));
        assert_eq!(a.range.end, lsp_types::Position::new(1, 16));
        assert_eq!(out["sources.toml"][0].range, Range::default());
    }
}

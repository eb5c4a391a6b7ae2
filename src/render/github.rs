//! The `github` format: GitHub Actions workflow commands (`::error file=…,line=…::message`), one
//! per finding, which the runner turns into annotations on the pull request. Escaping follows
//! the actions toolkit: in data `%`, CR and LF are percent-encoded; in properties also `:` and
//! `,`.
//!
//! GitHub shows at most [`SHOWN`] error and [`SHOWN`] warning annotations per step, so the
//! commands are written most important first ([`order`]): errors, then warnings, then notices;
//! within a level, broken evidence before broken citations before fact flags. What does not fit
//! is counted by [`Hidden`]; the binary then writes every finding to the job summary.

use crate::diag::{Code, CodeKind, Diagnostic, Severity};
use crate::files::Files;
use crate::render::human::word_diff;

/// Escape a command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a command property's value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// How many annotations of each level (error, warning, notice) GitHub shows for one step.
pub const SHOWN: usize = 10;

/// How important a finding is within its level: lower first. In order: the workspace cannot
/// be read or its evidence is broken (a snapshot missing, modified or invalid, a pin edited, an
/// interrupted write), since nothing resting on it can be trusted; a citation names evidence
/// that is not there (`source-unknown`, `revision-unknown`); the quote is not what the source
/// says (`missing`, `changed`) or hides characters (`hidden-character`); `ambiguous`;
/// `typography`; `moved` and `unanchored` (which `prov fix` repairs); the fact flags
/// `unsupported`, `contested`, `single-origin`, `attributed-only`, `unknown-origin`; last,
/// sources to review or tidy (`capture-pending`, `source-unused`).
pub fn rank(code: Code) -> u8 {
    match code {
        Code::SnapshotMissing
        | Code::SnapshotModified
        | Code::SnapshotInvalid
        | Code::PinModified
        | Code::InterruptedWrite => 0,
        c if c.kind() == CodeKind::Config => 0,
        Code::SourceUnknown | Code::RevisionUnknown => 1,
        Code::Missing | Code::Changed | Code::HiddenCharacter => 2,
        Code::Ambiguous => 3,
        Code::Typography => 4,
        Code::Moved | Code::Unanchored => 5,
        Code::Unsupported => 6,
        Code::Contested => 7,
        Code::SingleOrigin => 8,
        Code::AttributedOnly => 9,
        Code::UnknownOrigin => 10,
        _ => 11,
    }
}

/// The findings most important first: by level (errors first), then [`rank`], then what is
/// about the current evidence before what a pending capture would do; otherwise in the order
/// given (by file and position).
pub fn order(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut out: Vec<&Diagnostic> = diags.iter().collect();
    out.sort_by_key(|d| (std::cmp::Reverse(d.severity), rank(d.code), d.about_pending));
    out
}

/// The findings of each level that GitHub does not show as annotations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hidden {
    pub errors: usize,
    pub warnings: usize,
    pub notices: usize,
}

impl Hidden {
    pub fn of(diags: &[Diagnostic]) -> Hidden {
        let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
        let over = |s: Severity| count(s).saturating_sub(SHOWN);
        Hidden {
            errors: over(Severity::Error),
            warnings: over(Severity::Warning),
            notices: over(Severity::Note),
        }
    }

    pub fn any(&self) -> bool {
        self.errors + self.warnings + self.notices > 0
    }

    /// "3 errors and 74 warnings".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (n, what) in [
            (self.errors, "error"),
            (self.warnings, "warning"),
            (self.notices, "notice"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}{}", if n == 1 { "" } else { "s" }));
            }
        }
        match parts.len() {
            0 => "nothing".to_string(),
            1 => parts.concat(),
            _ => {
                let last = parts.pop().unwrap_or_default();
                format!("{} and {last}", parts.join(", "))
            }
        }
    }
}

/// The `::notice` that says how many findings GitHub does not show as annotations, and where
/// they are: `summary` is `Ok(())` when the job summary was written, or why it was not.
pub fn overflow_notice(hidden: &Hidden, summary: Result<(), String>) -> String {
    let whereabouts = match summary {
        Ok(()) => "every finding is in the job summary, and in this log".to_string(),
        Err(why) => format!("{why}, so every finding is only in this log"),
    };
    format!(
        "::notice title={}::{}\n",
        escape_property("prov: findings not shown as annotations"),
        escape_data(&crate::escape::text(&format!(
            "GitHub shows {SHOWN} annotations of each level per step: {} are not shown as annotations; {whereabouts}",
            hidden.describe()
        )))
    )
}

/// One workflow command per diagnostic, most important first ([`order`]). `prefix` is
/// prepended to workspace-relative paths so they are relative to the repository root (where
/// the runner resolves them).
pub fn render(files: &Files, diags: &[Diagnostic], prefix: &str) -> String {
    let mut out = String::new();
    for d in order(diags) {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(loc) = &d.loc {
            let f = files.get(loc.file);
            let (line, col) = f.line_col(loc.start());
            let (end_line, end_col) = f.line_col(loc.end());
            props.push(format!(
                "file={}",
                escape_property(&format!("{prefix}{}", f.path))
            ));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            props.push(format!("endLine={end_line}"));
            props.push(format!("endColumn={end_col}"));
        } else if let Some(path) = &d.unreadable {
            props.push(format!(
                "file={}",
                escape_property(&format!("{prefix}{path}"))
            ));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("prov {}", d.code))
        ));
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&crate::escape::text(&full_message(d)))
        ));
    }
    out
}

/// The message with its notes, word diff and help, one per line.
pub fn full_message(d: &Diagnostic) -> String {
    let mut message = d.message.clone();
    for n in &d.notes {
        message.push('\n');
        message.push_str(n);
    }
    if let Some((old, new)) = d.diff.as_deref() {
        message.push_str("\nquote → source: ");
        message.push_str(&word_diff(old, new, false));
    }
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("50% of\r\nit"), "50%25 of%0D%0Ait");
        assert_eq!(
            escape_property("claims/a,b.toml: x"),
            "claims/a%2Cb.toml%3A x"
        );
        // A quote with every special character survives a round trip through the runner's
        // unescaping (the inverse replacements, in reverse order).
        let quote = "« 100 % : a, b »\nnext";
        let unescaped = escape_property(quote)
            .replace("%2C", ",")
            .replace("%3A", ":")
            .replace("%0A", "\n")
            .replace("%0D", "\r")
            .replace("%25", "%");
        assert_eq!(unescaped, quote);
    }
}

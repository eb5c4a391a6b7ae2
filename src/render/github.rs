//! The `github` format: GitHub Actions workflow commands (`::error file=…,line=…::message`), one
//! per finding, which the runner turns into annotations on the pull request. Escaping follows
//! the actions toolkit: in data `%`, CR and LF are percent-encoded; in properties also `:` and
//! `,`.

use crate::diag::{Diagnostic, Severity};
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

/// One workflow command per diagnostic. `prefix` is prepended to workspace-relative paths so
/// they are relative to the repository root (where the runner resolves them).
pub fn render(files: &Files, diags: &[Diagnostic], prefix: &str) -> String {
    let mut out = String::new();
    for d in diags {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(loc) = &d.loc {
            let f = files.get(loc.file);
            let (line, col) = f.line_col(loc.range.start);
            let (end_line, end_col) = f.line_col(loc.range.end);
            props.push(format!(
                "file={}",
                escape_property(&format!("{prefix}{}", f.path))
            ));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            props.push(format!("endLine={end_line}"));
            props.push(format!("endColumn={end_col}"));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("prov {}", d.code))
        ));
        let mut message = d.message.clone();
        for n in &d.notes {
            message.push('\n');
            message.push_str(n);
        }
        if let Some((old, new)) = &d.diff {
            message.push_str("\nquote → source: ");
            message.push_str(&word_diff(old, new, false));
        }
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&crate::escape::text(&message))
        ));
    }
    out
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

//! The Markdown report: fit for a pull-request comment or a CI job summary.

use std::fmt::Write;

use super::{CitationEntry, Entries, FactEntry, Meta, Report};
use crate::diag::{Diagnostic, Severity};
use crate::files::Files;
use crate::render::github;

/// Escape text from the workspace or a source for Markdown, so that it renders as the same
/// text and as nothing else, inline or in a table cell: a line break (CR or LF) becomes a
/// space, a control or hidden character becomes a visible `\u{…}` escape
/// ([`crate::escape::text`]), and a backslash escapes every ASCII character that could start
/// markup in CommonMark or GitHub's Markdown: emphasis and strikethrough (`*`, `_`, `~`), code
/// (`` ` ``), superscript (`^`, in some renderers), links and images (`[`, `]`), raw HTML and
/// autolinks (`<`, `>`), entities (`&`),
/// table cells (`|`), headings and issue references (`#`), math (`$`), @-mentions and e-mail
/// autolinks (`@`), `scheme:` autolinks and `:emoji:` (`:`), and `www.` autolinks (the dot
/// after `www`). For text that starts or ends a line, see [`esc_at`].
pub fn esc(s: &str) -> String {
    esc_at(s, false, false)
}

/// [`esc`], for text that starts a line (`line_start`: list markers and a setext underline,
/// `-`, `+`, `=`, `1.`, `1)`, are escaped, and leading whitespace is written as an entity so
/// that it cannot open an indented code block) or ends one (`line_end`: trailing whitespace is
/// written as an entity so that it cannot make a hard line break).
pub fn esc_at(s: &str, line_start: bool, line_end: bool) -> String {
    let flat: String = s
        .replace("\r\n", " ")
        .chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect();
    let text = crate::escape::text(&flat);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    // Leading digits of an ordered-list marker (`1.`, `1)`: at most 9 digits).
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let last = chars.len().saturating_sub(1);
    for (i, &c) in chars.iter().enumerate() {
        if (c == ' ' || c == '\t') && ((line_start && i == 0) || (line_end && i == last)) {
            out.push_str(if c == ' ' { "&#32;" } else { "&#9;" });
            continue;
        }
        let www =
            c == '.' && i >= 3 && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w'));
        let escape = match c {
            '\\' | '`' | '*' | '_' | '~' | '^' | '[' | ']' | '<' | '>' | '&' | '|' | '#' | '$'
            | '@' | ':' => true,
            '-' | '+' | '=' => line_start && i == 0,
            '.' | ')' => www || (line_start && i == digits && (1..=9).contains(&digits)),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `s` as a Markdown code span: its text, verbatim, with control and hidden characters and
/// line breaks shown as `\u{…}` escapes. The fence is one backtick longer than the longest run
/// of backticks inside (CommonMark), and padded with a space when the text starts or ends with
/// a backtick or a space, so that no text can close it early.
pub fn code(s: &str) -> String {
    let text = crate::escape::text(s).replace('\n', "\\u{a}");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']);
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A url as a Markdown link destination: percent-encoded where RFC 3986 wants it
/// ([`super::encode_uri`]: no space, control, `<`, `>` or `\` is left), `&` written `&amp;`
/// (cmark decodes entities in a destination before it removes backslashes, so `\&` would not
/// keep `&copy;` from becoming `©`), and `(`, `)` backslash-escaped so that they cannot end the
/// link. The destination is then exactly the url.
pub fn dest(url: &str) -> String {
    super::escape_ascii(&super::encode_uri(url), |b| match b {
        b'(' => Some("\\("),
        b')' => Some("\\)"),
        b'&' => Some("&amp;"),
        _ => None,
    })
}

/// A url as a Markdown autolink, `<url>`: percent-encoded, it holds no space, control, `<` or
/// `>`; `&` is written `&amp;`, as entities are decoded in an autolink too.
pub fn autolink(url: &str) -> String {
    let encoded = super::escape_ascii(&super::encode_uri(url), |b| match b {
        b'&' => Some("&amp;"),
        _ => None,
    });
    format!("<{encoded}>")
}

/// A link: `[text](destination)`, the text escaped.
fn link(text: &str, url: &str) -> String {
    format!("[{}]({})", esc(text), dest(url))
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn cite(out: &mut String, n: usize, c: &CitationEntry) {
    let stance = esc(&c.stance_text());
    let who = esc(&c.publisher_text());
    let title = c
        .title
        .map_or_else(String::new, |t| format!(" — “{}”", esc(t)));
    // Dates are TOML dates, validated by the loader: digits, `-`, `:`, `T`, `Z`.
    let date = c.published.map_or_else(String::new, |d| format!(", {d}"));
    let _ = writeln!(
        out,
        "{n}. **{}** ({who}{date}){title} — {stance}",
        esc(c.source)
    );
    // The quote in bold, its own leading and trailing whitespace outside the markers (`**`
    // next to a space would not make it bold).
    let core = c.text.trim();
    if core.is_empty() {
        let all = format!("{}{}{}", c.before, c.text, c.after);
        let _ = writeln!(out, "   > {}", esc_at(&all, true, true));
    } else {
        let lead = &c.text[..c.text.len() - c.text.trim_start().len()];
        let trail = &c.text[c.text.trim_end().len()..];
        let _ = writeln!(
            out,
            "   > {}**{}**{}",
            esc_at(&format!("{}{lead}", c.before), true, false),
            esc(core),
            esc_at(&format!("{trail}{}", c.after), false, true)
        );
    }
    let meta: Vec<String> = c
        .meta()
        .into_iter()
        .map(|m| match m {
            Meta::Span(s, e) => format!("span [{s}, {e}]"),
            Meta::SpanNotThere(s, e) => format!("span [{s}, {e}] (not there)"),
            Meta::Verified(sha) => format!("verified against sha256 {}", code(short(sha))),
            Meta::Revision(r) => format!("cites superseded capture {}", code(short(r))),
            Meta::Link(l) => link("open at the quote", l),
        })
        .collect();
    let _ = writeln!(out, "   {}", meta.join(" · "));
    if let Some(p) = &c.problem {
        let _ = writeln!(out, "   ⚠ {}", esc_at(p, false, true));
    }
    if let Some(p) = &c.pending {
        let _ = writeln!(out, "   ↻ {}", esc_at(p, false, true));
    }
}

/// What the correction of a superseded capture changed in the cited passages, as nested list
/// items: removed words struck through, added ones in bold.
fn changes(out: &mut String, c: &super::changes::Changes) {
    if c.not_compared {
        out.push_str("  - not compared (a text is missing or too large)\n");
        return;
    }
    if c.cited.is_empty() {
        let _ = writeln!(
            out,
            "  - the correction touches no cited passage ({} edit{} elsewhere)",
            c.elsewhere,
            if c.elsewhere == 1 { "" } else { "s" }
        );
        return;
    }
    for diff in &c.cited {
        out.push_str("  - changed: ");
        for seg in diff {
            // Emphasis must not start or end with a space: the spaces go outside it.
            let t = seg.text.replace(['\n', '\r'], " ");
            let (lead, rest) = t.split_at(t.len() - t.trim_start().len());
            let (core, trail) = rest.split_at(rest.trim_end().len());
            let mark = match seg.kind {
                "removed" => "~~",
                "added" => "**",
                _ => "",
            };
            if core.is_empty() {
                out.push_str(&esc(&t));
            } else {
                let _ = write!(out, "{}{mark}{}{mark}{}", esc(lead), esc(core), esc(trail));
            }
        }
        out.push('\n');
    }
    if c.cited_more + c.elsewhere > 0 {
        let _ = writeln!(
            out,
            "  - {} more change{} of cited passages, {} edit{} elsewhere",
            c.cited_more,
            if c.cited_more == 1 { "" } else { "s" },
            c.elsewhere,
            if c.elsewhere == 1 { "" } else { "s" }
        );
    }
}

fn fact(out: &mut String, f: &FactEntry) {
    let verdict = match f.badge() {
        "supported" => "✓ supported",
        "contested" => "⚠ contested",
        _ => "✗ failing",
    };
    let _ = writeln!(out, "### {} — {verdict}\n", code(f.claim));
    let _ = writeln!(out, "> {}\n", esc_at(f.statement, true, true));
    let flags: Vec<String> = f
        .flags
        .iter()
        .map(|fl| {
            if f.errors.contains(fl) {
                format!("**{}** (error)", fl.as_str())
            } else {
                fl.as_str().to_string()
            }
        })
        .collect();
    let _ = writeln!(
        out,
        "{} · flags: {}\n",
        code(&format!("{}:{}", f.file, f.line)),
        if flags.is_empty() {
            "none".to_string()
        } else {
            flags.join(", ")
        }
    );
    if !f.matrix.is_empty() {
        out.push_str(
            "| origin | outlets | supports | only reports | contradicts | not holding |\n",
        );
        out.push_str("|---|---|---|---|---|---|\n");
        for r in &f.matrix {
            let [outlets, supports, reports, contradicts, not_holding] = r.cells().map(|c| esc(&c));
            let _ = writeln!(
                out,
                "| {} | {outlets} | {supports} | {reports} | {contradicts} | {not_holding} |",
                esc(&r.origin)
            );
        }
        out.push('\n');
    }
    for (i, c) in f.citations.iter().enumerate() {
        cite(out, i + 1, c);
    }
    out.push('\n');
}

/// "45 claims, 83 citations, 4 sources: 0 errors, 84 warnings. …" (bold first part in md).
pub fn summary_line(r: &Report, bold: bool) -> String {
    let s = &r.summary;
    let pl = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let claims = pl(s.claims, "claim");
    format!(
        "{}, {}, {}: {}, {}. {} of {} facts supported without error.",
        if bold {
            format!("**{claims}**")
        } else {
            claims
        },
        pl(s.citations, "citation"),
        pl(s.sources, "source"),
        pl(s.errors, "error"),
        pl(s.warnings, "warning"),
        s.facts_supported,
        s.claims
    )
}

/// The report, built whole or prepared (its facts' entries then made as they are laid out).
pub fn render<'r, 'o: 'r, 'w: 'o>(report: impl Into<Entries<'r, 'o, 'w>>) -> String {
    let entries = report.into();
    let r = entries.head();
    let mut out = String::new();
    out.push_str("# Evidence report\n\n");
    let _ = writeln!(
        out,
        "Workspace digest `{}` ({}; confirm with `prov report --verify` on the JSON report). Generated by {}{}.\n",
        r.workspace.sha256,
        r.workspace.algorithm,
        r.tool,
        r.generated
            .as_deref()
            .map_or_else(String::new, |g| format!(" at {g}"))
    );
    let _ = writeln!(out, "{}\n", summary_line(r, true));
    if !r.findings.is_empty() {
        out.push_str("## Findings outside the facts\n\n");
        for f in &r.findings {
            let at = match (&f.file, f.line) {
                (Some(file), Some(line)) => format!("{} ", code(&format!("{file}:{line}"))),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "- {at}**{}** {}: {}",
                f.severity.as_str(),
                esc(&f.code),
                esc(&f.message)
            );
        }
        out.push('\n');
    }
    out.push_str("## Facts\n\n");
    entries.write_facts(&mut out, fact);
    out.push_str("## Sources\n\n");
    for src in &r.sources {
        let _ = writeln!(
            out,
            "### {}{}\n",
            code(src.id),
            src.title
                .map_or_else(String::new, |t| format!(" — {}", esc(t)))
        );
        let _ = writeln!(
            out,
            "- outlet: {}; origin: {}{}",
            esc(src.outlet),
            esc(src.origin),
            src.url
                .map_or_else(String::new, |u| format!("; {}", autolink(u)))
        );
        let _ = writeln!(
            out,
            "- published: {}; captured: {}; status: {}; cited {} time{}",
            src.published.unwrap_or("unknown"),
            src.captured.unwrap_or("unknown"),
            src.status,
            src.citations,
            if src.citations == 1 { "" } else { "s" }
        );
        let _ = writeln!(out, "- sha256: {}", code(src.sha256));
        if let Some(c) = &src.capture {
            evidence(&mut out, c);
        }
        for rev in &src.revisions {
            let _ = writeln!(
                out,
                "- superseded capture {}: captured {}, superseded {}",
                code(rev.sha256),
                rev.captured.unwrap_or("unknown"),
                rev.superseded.unwrap_or("unknown")
            );
            changes(&mut out, &rev.changes);
            if let Some(c) = &rev.capture {
                out.push_str("  ");
                evidence(&mut out, c);
            }
        }
        if let Some(p) = &src.pending_sha256 {
            let _ = writeln!(out, "- pending capture {} awaits review", code(p));
        }
        out.push('\n');
    }
    out
}

/// One list item: a capture's WARC evidence and what re-verifying it gave.
fn evidence(out: &mut String, c: &super::CaptureEntry) {
    let _ = writeln!(
        out,
        "- evidence: {} (sha256 {}), {} {}{}{}; {} ({}){}: {} — {}",
        code(&c.warc),
        code(&c.warc_sha256),
        c.method_phrase(),
        c.fetched.as_deref().unwrap_or("at an unknown time"),
        c.url
            .as_deref()
            .map_or_else(String::new, |u| format!(" from {}", autolink(u))),
        match (c.status, c.content_type.as_deref()) {
            (Some(s), Some(t)) => format!(" (HTTP {s}, {})", esc(t)),
            (Some(s), None) => format!(" (HTTP {s})"),
            (None, Some(t)) => format!(" ({})", esc(t)),
            (None, None) => String::new(),
        },
        esc(&c.extractor),
        esc(&c.mode),
        if c.re_extraction {
            ", a re-extraction (not a publisher's edit)"
        } else {
            ""
        },
        c.verdict(),
        esc(&c.proof)
    );
}

/// The most a job summary may hold: GitHub refuses a step's summary over 1 MiB.
const JOB_SUMMARY_BYTES: usize = 1000 * 1000;

/// The GitHub job summary of `prov check --format github` when there are more findings than
/// GitHub shows as annotations: `checked` (the summary line), then every finding, most
/// important first ([`github::order`]), as a list item: level, code, place (a code span,
/// `prefix` before the workspace path), message, notes, word diff and help, all escaped.
/// Findings past 1 MiB are counted, not listed.
pub fn job_summary(files: &Files, diags: &[Diagnostic], prefix: &str, checked: &str) -> String {
    let mut out = format!(
        "## prov check\n\n{}\n\nGitHub shows {} annotations of each level per step; here are all {} findings, most important first.\n\n",
        esc_at(checked.trim(), true, true),
        github::SHOWN,
        diags.len()
    );
    let ordered = github::order(diags);
    let total = ordered.len();
    for (i, d) in ordered.into_iter().enumerate() {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let place = match (&d.loc, &d.unreadable) {
            (Some(loc), _) => {
                let f = files.get(loc.file);
                let (line, col) = f.line_col(loc.start());
                format!(" {}:{line}:{col}", code(&format!("{prefix}{}", f.path)))
            }
            (None, Some(path)) => format!(" {}", code(&format!("{prefix}{path}"))),
            (None, None) => String::new(),
        };
        let message: Vec<String> = github::full_message(d).lines().map(esc).collect();
        let item = format!(
            "- **{level}** {}{place}: {}\n",
            code(d.code.as_str()),
            message.join(" · ")
        );
        if out.len() + item.len() > JOB_SUMMARY_BYTES - 200 {
            let _ = writeln!(
                out,
                "\n{} more findings are not listed (a job summary holds at most 1 MiB): run `prov check` to see them all.",
                total - i
            );
            break;
        }
        out.push_str(&item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_escaped() {
        assert_eq!(
            esc("a*b_c|d [x](y) <b>"),
            "a\\*b\\_c\\|d \\[x\\](y) \\<b\\>"
        );
    }

    #[test]
    fn markdown_escapes_autolinks_entities_breaks_and_line_starts() {
        assert_eq!(
            esc("a&amp; ~~s~~ $m$ @u #1 http://x www.y.z a@b.c\r\nnext\u{202e}"),
            "a\\&amp; \\~\\~s\\~\\~ \\$m\\$ \\@u \\#1 http\\://x www\\.y.z a\\@b.c next\\\\u{202e}"
        );
        assert_eq!(esc_at("- x", true, false), "\\- x");
        assert_eq!(esc_at("12. x", true, false), "12\\. x");
        assert_eq!(esc_at("12. x", false, false), "12. x");
        assert_eq!(esc_at("    code  ", true, true), "&#32;   code &#32;");
    }

    #[test]
    fn code_spans_are_fenced_longer_than_any_backtick_run() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("a`b``c ```d"), "````a`b``c ```d````");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("x\ny\u{1b}"), "`x\\u{a}y\\u{1b}`");
    }

    #[test]
    fn link_destinations_are_the_url_exactly() {
        assert_eq!(
            dest("https://e.org/a_(b)?x=1&copy;=2"),
            "https://e.org/a_\\(b\\)?x=1&amp;copy;=2"
        );
        assert_eq!(
            dest("https://e.org/<a b>\u{e9}"),
            "https://e.org/%3Ca%20b%3E%C3%A9"
        );
        assert_eq!(dest("https://e.org/%zz%41"), "https://e.org/%25zz%41");
    }
}

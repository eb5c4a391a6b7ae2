//! The Markdown report: fit for a pull-request comment or a CI job summary.

use std::fmt::Write;

use super::{CitationEntry, FactEntry, Report};
use crate::workspace::Stance;

/// Escape text for Markdown (inline, and inside table cells).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn cite(out: &mut String, n: usize, c: &CitationEntry) {
    let stance = match (c.stance, &c.said_by) {
        (Stance::Contradicts, None) => "contradicts".to_string(),
        (Stance::Contradicts, Some(p)) => format!("contradicts (reports what {} said)", esc(p)),
        (Stance::Supports, Some(p)) => format!("reports what {} said", esc(p)),
        (Stance::Supports, None) => "supports".to_string(),
    };
    let who = if c.outlet.is_empty() {
        "not a registered source".to_string()
    } else if c.origin == c.outlet || c.origin.is_empty() {
        esc(&c.outlet)
    } else {
        format!("{}, via {}", esc(&c.origin), esc(&c.outlet))
    };
    let title = c
        .title
        .as_deref()
        .map_or_else(String::new, |t| format!(" — “{}”", esc(t)));
    let date = c
        .published
        .as_deref()
        .map_or_else(String::new, |d| format!(", {d}"));
    let _ = writeln!(
        out,
        "{n}. **{}** ({who}{date}){title} — {stance}",
        esc(&c.source)
    );
    let _ = writeln!(
        out,
        "   > {}**{}**{}",
        esc(&c.before),
        esc(&c.text),
        esc(&c.after)
    );
    let mut meta = Vec::new();
    if let Some([s, e]) = c.found {
        meta.push(format!("span [{s}, {e}]"));
    } else if let (Some([s, e]), Some(_)) = (c.span, c.verdict) {
        meta.push(format!("span [{s}, {e}] (not there)"));
    }
    if let Some(sha) = &c.verified_sha256 {
        meta.push(format!("verified against sha256 `{}`", short(sha)));
    }
    if let Some(r) = &c.revision {
        meta.push(format!("cites superseded capture `{}`", short(r)));
    }
    if let Some(l) = &c.fragment_link {
        meta.push(format!("[open at the quote]({l})"));
    }
    let _ = writeln!(out, "   {}", meta.join(" · "));
    if let Some(p) = &c.problem {
        let _ = writeln!(out, "   ⚠ {}", esc(p));
    }
    if let Some(p) = &c.pending {
        let _ = writeln!(out, "   ↻ {}", esc(p));
    }
}

fn fact(out: &mut String, f: &FactEntry) {
    let verdict = if f.verdict == "supported" {
        "✓ supported"
    } else {
        "✗ failing"
    };
    let _ = writeln!(out, "### `{}` — {verdict}\n", f.claim);
    let _ = writeln!(out, "> {}\n", esc(&f.statement));
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
        "`{}:{}` · flags: {}\n",
        f.file,
        f.line,
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
            let num = |n: usize| {
                if n == 0 {
                    "—".to_string()
                } else {
                    n.to_string()
                }
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                esc(&r.origin),
                esc(&r.outlets.join(", ")),
                num(r.supports),
                if r.reports.is_empty() {
                    "—".to_string()
                } else {
                    esc(&r.reports.join(", "))
                },
                num(r.contradicts),
                num(r.not_holding)
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

pub fn render(r: &Report) -> String {
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
                (Some(file), Some(line)) => format!("`{file}:{line}` "),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "- {at}**{}** {}: {}",
                f.severity.as_str(),
                f.code,
                esc(&f.message)
            );
        }
        out.push('\n');
    }
    out.push_str("## Facts\n\n");
    for f in &r.facts {
        fact(&mut out, f);
    }
    out.push_str("## Sources\n\n");
    for src in &r.sources {
        let _ = writeln!(
            out,
            "### `{}`{}\n",
            src.id,
            src.title
                .as_deref()
                .map_or_else(String::new, |t| format!(" — {}", esc(t)))
        );
        let _ = writeln!(
            out,
            "- outlet: {}; origin: {}{}",
            esc(&src.outlet),
            esc(&src.origin),
            src.url
                .as_deref()
                .map_or_else(String::new, |u| format!("; <{u}>"))
        );
        let _ = writeln!(
            out,
            "- published: {}; captured: {}; status: {}; cited {} time{}",
            src.published.as_deref().unwrap_or("unknown"),
            src.captured.as_deref().unwrap_or("unknown"),
            src.status,
            src.citations,
            if src.citations == 1 { "" } else { "s" }
        );
        let _ = writeln!(out, "- sha256: `{}`", src.sha256);
        for rev in &src.revisions {
            let _ = writeln!(
                out,
                "- superseded capture `{}`: captured {}, superseded {}",
                rev.sha256,
                rev.captured.as_deref().unwrap_or("unknown"),
                rev.superseded.as_deref().unwrap_or("unknown")
            );
        }
        if let Some(p) = &src.pending_sha256 {
            let _ = writeln!(out, "- pending capture `{p}` awaits review");
        }
        out.push('\n');
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
}

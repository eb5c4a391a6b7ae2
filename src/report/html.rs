//! The HTML report: one self-contained page (inline CSS, no script, no external asset),
//! readable on a phone and in print, with each support matrix as a table and quotes
//! highlighted in their context.

use std::fmt::Write;

use super::{CitationEntry, Entries, FactEntry, Meta};

/// Escape text for HTML content and attribute values: the five characters HTML gives meaning
/// to as entities, and control and hidden characters as visible `\u{…}` escapes
/// ([`crate::escape::text`]).
pub fn esc(s: &str) -> String {
    super::escape_ascii(&crate::escape::text(s), |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    })
}

const CSS: &str = r#"
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --ok: #1a7f37; --bad: #b42318;
        --warn: #9a6700; --mark: #fff1a8; --bg: #ffffff; --panel: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
       font: 16px/1.55 Georgia, "Iowan Old Style", "Times New Roman", serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1.25rem; }
h1, h2, h3, .meta, table, .badge, nav { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.7rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid var(--fg); padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin: 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em;
       overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: .85rem; }
.summary { background: var(--panel); border: 1px solid var(--line); padding: .8rem 1rem; border-radius: 6px; }
.fact { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 1.2rem 0;
        break-inside: avoid-page; }
.fact header { display: flex; flex-wrap: wrap; gap: .5rem; align-items: baseline; justify-content: space-between; }
.statement { font-size: 1.1rem; margin: .5rem 0; }
.badge { display: inline-block; font-size: .75rem; font-weight: 600; padding: .1rem .45rem;
         border-radius: 999px; border: 1px solid currentColor; white-space: nowrap; }
.supported { color: var(--ok); } .failing { color: var(--bad); } .flag, .contested { color: var(--warn); }
.flag.error { color: var(--bad); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; margin: .6rem 0; min-width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--panel); }
td.n { text-align: center; }
ol.cites { padding-left: 1.3rem; }
ol.cites > li { margin: .9rem 0; }
blockquote { margin: .4rem 0; padding: .4rem .7rem; border-left: 3px solid var(--line); background: var(--panel);
             white-space: pre-line; }
mark { background: var(--mark); padding: 0 .1em; }
.problem { color: var(--bad); }
.pending { color: var(--warn); }
a { color: #0b57d0; }
time { white-space: nowrap; }
del { background: #ffebe9; color: var(--bad); }
ins { background: #dafbe1; color: var(--ok); text-decoration: underline; }
ul.changes { padding-left: 1.3rem; } ul.changes > li { margin: .4rem 0; white-space: pre-line; }
@media (max-width: 40rem) {
  body { font-size: 15px; } main { padding: .8rem; }
  /* Each row of a table becomes a block of labelled lines: nothing scrolls out of view. */
  table.cards, table.cards tbody, table.cards tr, table.cards th, table.cards td { display: block; }
  table.cards { min-width: 0; border: 0; }
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.cards tr { border: 1px solid var(--line); border-radius: 4px; margin: .5rem 0; }
  table.cards th, table.cards td { border: 0; border-top: 1px solid var(--line); }
  table.cards tr > :first-child { border-top: 0; }
  table.cards td { display: flex; gap: .8rem; justify-content: space-between; text-align: right; }
  table.cards td.n { text-align: right; }
  table.cards td::before { content: attr(data-label); font-weight: 600; text-align: left; }
}
@media print {
  body { font-size: 11pt; } main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  a.fragment::after { content: " (" attr(href) ")"; font-size: 8pt; overflow-wrap: anywhere; }
  .fact { border-color: #999; }
  mark { background: none; font-weight: bold; text-decoration: underline; }
  del { background: none; } ins { background: none; font-weight: bold; }
}
"#;

/// A time as the report shows it: never broken across lines.
fn time(t: &str) -> String {
    format!("<time datetime=\"{0}\">{0}</time>", esc(t))
}

/// What the capture after `rev` changed in the cited passages, as word diffs.
fn changes(out: &mut String, rev: &super::RevisionEntry) {
    let c = &rev.changes;
    let short = esc(&rev.sha256[..12.min(rev.sha256.len())]);
    if c.not_compared {
        let _ = writeln!(
            out,
            "<p class=\"meta\">The correction of <code>{short}</code> was not compared (a text is missing or too large).</p>"
        );
        return;
    }
    if c.cited.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"meta\">The correction of <code>{short}</code> touches no cited passage ({} edit{} elsewhere).</p>",
            c.elsewhere,
            if c.elsewhere == 1 { "" } else { "s" }
        );
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">What the correction of <code>{short}</code> changed in the cited passages:</p>\n<ul class=\"changes\">"
    );
    for diff in &c.cited {
        out.push_str("<li>");
        for seg in diff {
            let text = esc(&seg.text);
            let _ = match seg.kind {
                "removed" => write!(out, "<del>{text}</del>"),
                "added" => write!(out, "<ins>{text}</ins>"),
                _ => write!(out, "{text}"),
            };
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
    let more = c.cited_more;
    if more > 0 || c.elsewhere > 0 {
        let _ = writeln!(
            out,
            "<p class=\"meta\">{}{} edit{} touch{} no cited passage.</p>",
            if more > 0 {
                format!(
                    "{more} more change{} of cited passages not shown; ",
                    if more == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            },
            c.elsewhere,
            if c.elsewhere == 1 { "" } else { "s" },
            if c.elsewhere == 1 { "es" } else { "" }
        );
    }
}

fn cite(out: &mut String, c: &CitationEntry) {
    let stance = esc(&c.stance_text());
    let who = esc(&c.publisher_text());
    out.push_str("<li>");
    let _ = write!(
        out,
        "<div class=\"meta\"><strong><code>{}</code></strong> — {who}{}{} — <em>{stance}</em></div>",
        esc(c.source),
        c.published
            .map_or_else(String::new, |d| format!(", {}", esc(d))),
        c.title
            .map_or_else(String::new, |t| format!(" — “{}”", esc(t)))
    );
    let _ = write!(
        out,
        "<blockquote>{}<mark>{}</mark>{}</blockquote>",
        esc(&c.before),
        esc(&c.text),
        esc(&c.after)
    );
    let meta: Vec<String> = c
        .meta()
        .into_iter()
        .map(|m| match m {
            Meta::Span(s, e) => format!("span [{s}, {e}]"),
            Meta::SpanNotThere(s, e) => format!("span [{s}, {e}] (not there)"),
            Meta::Verified(sha) => format!("verified against sha256 <code>{}</code>", esc(sha)),
            Meta::Revision(r) => format!(
                "cites a superseded capture, <code>{}</code>",
                esc(r.get(..12).unwrap_or(r))
            ),
            Meta::Link(l) => format!(
                "<a class=\"fragment\" href=\"{}\">open at the quote</a>",
                esc(&super::encode_uri(l))
            ),
        })
        .collect();
    let _ = write!(out, "<div class=\"meta\">{}</div>", meta.join(" · "));
    if let Some(p) = &c.problem {
        let _ = write!(out, "<div class=\"meta problem\">⚠ {}</div>", esc(p));
    }
    if let Some(p) = &c.pending {
        let _ = write!(out, "<div class=\"meta pending\">↻ {}</div>", esc(p));
    }
    out.push_str("</li>\n");
}

fn fact(out: &mut String, f: &FactEntry) {
    let _ = write!(
        out,
        "<section class=\"fact\" id=\"claim-{id}\">\n<header><h3><code>{id}</code></h3><span class=\"badge {v}\">{v}</span></header>\n",
        id = esc(f.claim),
        v = f.badge()
    );
    let _ = writeln!(out, "<p class=\"statement\">{}</p>", esc(f.statement));
    let mut flags = String::new();
    for fl in &f.flags {
        let err = f.errors.contains(fl);
        let _ = write!(
            flags,
            " <span class=\"badge flag{}\">{}{}</span>",
            if err { " error" } else { "" },
            fl.as_str(),
            if err { " (error)" } else { "" }
        );
    }
    let _ = writeln!(
        out,
        "<div class=\"meta\"><code>{}:{}</code>{}</div>",
        esc(f.file),
        f.line,
        flags
    );
    if !f.matrix.is_empty() {
        out.push_str("<div class=\"table-wrap\"><table class=\"cards\"><thead><tr><th scope=\"col\">origin</th><th scope=\"col\">outlets</th><th scope=\"col\">supports</th><th scope=\"col\">only reports</th><th scope=\"col\">contradicts</th><th scope=\"col\">not holding</th></tr></thead><tbody>\n");
        for r in &f.matrix {
            let [outlets, supports, reports, contradicts, not_holding] = r.cells().map(|c| esc(&c));
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td data-label=\"outlets\">{outlets}</td><td class=\"n\" data-label=\"supports\">{supports}</td><td data-label=\"only reports\">{reports}</td><td class=\"n\" data-label=\"contradicts\">{contradicts}</td><td class=\"n\" data-label=\"not holding\">{not_holding}</td></tr>",
                esc(&r.origin)
            );
        }
        out.push_str(
            "</tbody></table></div>
",
        );
    }
    out.push_str("<ol class=\"cites\">\n");
    for c in &f.citations {
        cite(out, c);
    }
    out.push_str("</ol>\n</section>\n");
}

/// The report, built whole or prepared (its facts' entries then made as they are laid out).
pub fn render<'r, 'o: 'r, 'w: 'o>(report: impl Into<Entries<'r, 'o, 'w>>) -> String {
    let entries = report.into();
    let r = entries.head();
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<meta name=\"prov-workspace-digest\" content=\"{}\">",
        r.workspace.sha256
    );
    out.push_str("<title>Evidence report</title>\n<style>");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n<main>\n<h1>Evidence report</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">Workspace digest <code>{}</code> ({}). Generated by {}{}.</p>",
        r.workspace.sha256,
        esc(&r.workspace.algorithm),
        esc(&r.tool),
        r.generated
            .as_deref()
            .map_or_else(String::new, |g| format!(" at {}", time(g)))
    );
    let _ = writeln!(
        out,
        "<p class=\"summary\">{}</p>",
        esc(&super::md::summary_line(r, false))
    );
    if !r.findings.is_empty() {
        out.push_str("<h2 id=\"findings\">Findings outside the facts</h2>\n<ul>\n");
        for f in &r.findings {
            let at = match (&f.file, f.line) {
                (Some(file), Some(line)) => format!("<code>{}:{line}</code> ", esc(file)),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "<li class=\"meta {}\">{at}<strong>{}</strong> {}: {}</li>",
                if f.severity == crate::diag::Severity::Error {
                    "problem"
                } else {
                    "pending"
                },
                f.severity.as_str(),
                esc(&f.code),
                esc(&f.message)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<nav class=\"meta\"><a href=\"#facts\">Facts</a> · <a href=\"#sources\">Sources</a></nav>\n");
    out.push_str("<h2 id=\"facts\">Facts</h2>\n");
    entries.write_facts(&mut out, fact);
    out.push_str("<h2 id=\"sources\">Sources</h2>\n");
    for src in &r.sources {
        let _ = write!(
            out,
            "<section class=\"fact\" id=\"source-{id}\"><h3><code>{id}</code>{}</h3>\n<div class=\"meta\">outlet {} · origin {}{}</div>\n",
            src.title
                .map_or_else(String::new, |t| format!(" — {}", esc(t))),
            esc(src.outlet),
            esc(src.origin),
            src.url.map_or_else(String::new, |u| format!(
                " · <a href=\"{}\">{}</a>",
                esc(&super::encode_uri(u)),
                esc(u)
            )),
            id = esc(src.id)
        );
        out.push_str("<div class=\"table-wrap\"><table class=\"cards\"><thead><tr><th scope=\"col\">capture</th><th scope=\"col\">sha256</th><th scope=\"col\">captured</th><th scope=\"col\">superseded</th></tr></thead><tbody>\n");
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">current ({})</th><td data-label=\"sha256\"><code>{}</code></td><td data-label=\"captured\">{}</td><td data-label=\"superseded\">—</td></tr>",
            esc(src.status),
            esc(src.sha256),
            src.captured.map_or_else(|| "unknown".to_string(), time)
        );
        for rev in &src.revisions {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">superseded</th><td data-label=\"sha256\"><code>{}</code></td><td data-label=\"captured\">{}</td><td data-label=\"superseded\">{}</td></tr>",
                esc(rev.sha256),
                rev.captured.map_or_else(|| "unknown".to_string(), time),
                rev.superseded.map_or_else(|| "unknown".to_string(), time)
            );
        }
        if let Some(p) = &src.pending_sha256 {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">pending review</th><td data-label=\"sha256\"><code>{}</code></td><td data-label=\"captured\">—</td><td data-label=\"superseded\">—</td></tr>",
                esc(p)
            );
        }
        out.push_str("</tbody></table></div>\n");
        for rev in &src.revisions {
            changes(&mut out, rev);
        }
        for (which, c) in src.capture.iter().map(|c| ("current", c)).chain(
            src.revisions
                .iter()
                .filter_map(|r| r.capture.as_ref().map(|c| ("superseded", c))),
        ) {
            let _ = writeln!(
                out,
                "<div class=\"meta\">evidence of the {which} capture: <code>{}</code>, {} {}{} · {} ({}){} · <strong>{}</strong>: {}</div>",
                esc(&c.warc),
                esc(c.method_phrase()),
                esc(c.fetched.as_deref().unwrap_or("at an unknown time")),
                c.url
                    .as_deref()
                    .map_or_else(String::new, |u| format!(" from {}", esc(u))),
                esc(&c.extractor),
                esc(&c.mode),
                if c.re_extraction {
                    ", a re-extraction"
                } else {
                    ""
                },
                esc(c.verdict()),
                esc(&c.proof)
            );
        }
        let _ = writeln!(
            out,
            "<div class=\"meta\">published {} · cited {} time{}</div></section>",
            esc(src.published.unwrap_or("unknown")),
            src.citations,
            if src.citations == 1 { "" } else { "s" }
        );
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

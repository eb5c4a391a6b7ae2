//! Hover: on a quote, the source passage it stands for (with its context), the verdict, the
//! source's outlet and origin, and the fact's row of the support table; on `source = "id"`,
//! the source's metadata; on a claim's id, its fact and row.
//!
//! Every text from the workspace or a snapshot is escaped for Markdown
//! ([`crate::report::md::esc`]): it renders as the same text and never as a link, an image or
//! HTML. Clients without Markdown get plain text.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use crate::anchor::text::CharText;
use crate::escape;
use crate::report::md;
use crate::workspace::{Source, Workspace};

use super::Ctx;
use super::analysis::{CiteView, ClaimView, FileView, Part};
use super::documents::Document;

/// Code points of context shown on each side of a passage.
const CONTEXT: usize = 160;

/// Markdown or plain text, with workspace text escaped for either.
struct Out {
    md: bool,
    s: String,
}

impl Out {
    fn text(&mut self, t: &str) {
        if self.md {
            self.s.push_str(&md::esc(t));
        } else {
            self.s.push_str(&escape::text(t));
        }
    }
    fn strong(&mut self, t: &str) {
        if self.md {
            self.s.push_str("**");
            self.s.push_str(&md::esc(t));
            self.s.push_str("**");
        } else {
            self.s.push_str(&escape::text(t));
        }
    }
    fn code(&mut self, t: &str) {
        if self.md {
            self.s.push_str(&md::code(t));
        } else {
            self.s.push('`');
            self.s.push_str(&escape::inline(t));
            self.s.push('`');
        }
    }
    /// prov's own words (no markup in them).
    fn raw(&mut self, t: &str) {
        self.s.push_str(t);
    }
    fn paragraph(&mut self) {
        self.s.push_str(if self.md { "\n\n" } else { "\n" });
    }
}

pub fn hover(ctx: &mut Ctx<'_>, doc: &Document, view: &FileView, pos: Position) -> Option<Hover> {
    let offset = doc.index().offset(&doc.text, pos, ctx.enc);
    let mut out = Out {
        md: ctx.client.markdown,
        s: String::new(),
    };
    let range = if let Some((v, part)) = view.cite_at(offset) {
        let cite = view.cite(v)?;
        match part {
            Part::Quote | Part::Span => {
                quote(ctx, &mut out, view, v);
                cite.quote_loc().range()
            }
            Part::Source => {
                let source = view.ws.source(cite.source())?;
                source_info(&mut out, &view.ws, source);
                cite.source_loc().range()
            }
            Part::Other => return None,
        }
    } else {
        let c = view.claim_at(offset)?;
        let claim = view.ws.claims.get(c.claim_pos)?;
        out.strong(&format!("fact `{}`", claim.id()));
        out.paragraph();
        out.text(claim.fact());
        out.paragraph();
        row(&mut out, c);
        claim.id_loc().range()
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: if out.md {
                MarkupKind::Markdown
            } else {
                MarkupKind::PlainText
            },
            value: out.s,
        }),
        range: Some(doc.index().range(&doc.text, range, ctx.enc)),
    })
}

fn span((s, e): (usize, usize)) -> String {
    format!("[{s}, {e}]")
}

/// The hover of a quote.
fn quote(ctx: &mut Ctx<'_>, out: &mut Out, view: &FileView, v: &CiteView) {
    let Some(cite) = view.cite(v) else { return };
    let verdict = match (v.verdict, v.code) {
        (Some(verdict), _) => verdict.as_str(),
        (None, Some(code)) => code.as_str(),
        (None, None) => "not checked",
    };
    out.strong(verdict);
    out.raw(" · ");
    out.code(cite.source());
    if let Some(sha) = &v.revision {
        out.raw(&format!(" (revision {})", sha.get(..12).unwrap_or(sha)));
    }
    if let Some(found) = v.found {
        out.raw(&format!(" {}", span(found)));
    }
    out.paragraph();
    out.text(&v.message);
    // The passage, read from the snapshot the citation is checked against.
    if let Some(found) = v.found.filter(|_| v.candidates <= 1)
        && let Some(path) = snapshot(&view.ws, cite.source(), v.revision.as_deref())
        && let Some(t) = ctx.snapshots.get(&view.ws.root, &path)
    {
        let chars = CharText::new(&t.text);
        let (before, after) = chars.context(found.0, found.1, CONTEXT);
        if let Some(passage) = chars.slice(found.0, found.1) {
            out.paragraph();
            if out.md {
                out.raw("> ");
            }
            if found.0 > CONTEXT {
                out.raw("…");
            }
            out.text(before);
            if out.md {
                out.strong(passage);
            } else {
                out.raw("⟦");
                out.text(passage);
                out.raw("⟧");
            }
            out.text(after);
            if found.1 + CONTEXT < chars.len_chars() {
                out.raw("…");
            }
        }
    } else if v.candidates > 1 {
        out.paragraph();
        out.raw(&format!(
            "{} equally good places in the source",
            v.candidates
        ));
    }
    if let Some(source) = view.ws.source(cite.source()) {
        out.paragraph();
        out.raw("source: ");
        publisher(out, source);
    }
    if let Some(p) = &v.pending {
        out.paragraph();
        out.raw("pending capture: ");
        out.strong(p.verdict.as_str());
        if let Some(found) = p.found {
            out.raw(&format!(" at {}", span(found)));
        }
    }
    if let Some(c) = view.claim_view(v.claim_pos) {
        out.paragraph();
        if let Some(claim) = view.claim(v) {
            out.raw("fact ");
            out.code(claim.id());
            out.raw(": ");
        }
        row(out, c);
    }
}

/// `outlet X, origin Y — title`
fn publisher(out: &mut Out, s: &Source) {
    out.text(&s.outlet);
    if let Some(origin) = &s.origin {
        out.raw(", origin ");
        out.text(origin);
    }
    if let Some(title) = &s.title {
        out.raw(" — ");
        out.text(title);
    }
}

/// A fact's row of the support table.
fn row(out: &mut Out, c: &ClaimView) {
    let list = |items: &[String]| {
        if items.is_empty() {
            "—".to_string()
        } else {
            items.join(", ")
        }
    };
    out.raw("supported by ");
    out.text(&list(&c.supported_by));
    out.raw("; contradicted by ");
    out.text(&list(&c.contradicted_by));
    out.raw("; flags: ");
    out.text(&list(&c.flags));
}

/// The hover of a source id: everything sources.toml says of it.
fn source_info(out: &mut Out, ws: &Workspace, s: &Source) {
    out.strong("source");
    out.raw(" ");
    out.code(&s.id);
    if let Some(title) = &s.title {
        out.raw(" — ");
        out.text(title);
    }
    let line = |out: &mut Out, key: &str, value: &str| {
        out.paragraph();
        out.raw(key);
        out.raw(": ");
        out.text(value);
    };
    line(out, "outlet", &s.outlet);
    line(
        out,
        "origin",
        s.origin
            .as_deref()
            .unwrap_or("(none: the outlet is the origin)"),
    );
    for (key, value) in [
        ("language", &s.language),
        ("published", &s.published),
        ("captured", &s.captured),
    ] {
        if let Some(v) = value {
            line(out, key, v);
        }
    }
    if let Some(url) = &s.url {
        out.paragraph();
        out.raw("url: ");
        if out.md {
            out.raw(&md::autolink(url));
        } else {
            out.text(url);
        }
    }
    out.paragraph();
    out.raw("sha256: ");
    out.code(&s.sha256);
    if !s.revisions.is_empty() {
        out.raw(&format!(
            "; {} earlier capture{}",
            s.revisions.len(),
            if s.revisions.len() == 1 { "" } else { "s" }
        ));
    }
    let pending = crate::pending::capture_path(&ws.root, &s.id);
    if std::fs::symlink_metadata(&pending).is_ok() {
        out.paragraph();
        out.raw("a new capture is pending: ");
        out.code(&crate::files::rel_display(&ws.root, &pending));
    }
}

/// The snapshot file a citation is checked against.
pub fn snapshot(
    ws: &Workspace,
    source: &str,
    revision: Option<&str>,
) -> Option<std::path::PathBuf> {
    let s = ws.source(source)?;
    Some(ws.text_path(s, revision))
}

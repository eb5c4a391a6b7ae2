//! Code actions: everything `prov fix` does, as edits for the editor to apply (the server
//! writes no file). For one citation: fill in a missing span, move a span to where the quote
//! is, copy the source's exact characters into a quote that differs only in typography
//! (`--typography`), and pin `revision` to the current capture for a citation that the
//! source's pending capture would break. For the whole file: every span (`prov fix`, also
//! offered as `source.fixAll.prov`), and every span and typography (`prov fix --typography`).
//!
//! The new text is made by [`crate::fix::apply`], exactly as `prov fix` makes it, and sent as
//! the smallest edits that turn the buffer into it.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic as LspDiagnostic, DocumentChanges,
    OneOf, OptionalVersionedTextDocumentIdentifier, Range, TextDocumentEdit, TextEdit,
    WorkspaceEdit,
};
use toml_edit::{DocumentMut, Value};

use crate::fix::{self, Change, insert_last, nth_table};
use crate::verdict::Verdict;

use super::Ctx;
use super::analysis::{CiteView, FileView};
use super::documents::Document;

/// The kind of the whole-file span repair, for `editor.codeActionsOnSave` and the like.
pub const FIX_ALL: &str = "source.fixAll.prov";

pub fn actions(
    ctx: &Ctx<'_>,
    doc: &Document,
    view: &FileView,
    range: Range,
    diagnostics: &[LspDiagnostic],
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let wanted = |kind: &CodeActionKind| {
        only.is_none_or(|kinds| {
            kinds.iter().any(|k| {
                kind.as_str() == k.as_str()
                    || kind.as_str().starts_with(&format!("{}.", k.as_str()))
            })
        })
    };
    let index = doc.index();
    let asked = index.byte_range(&doc.text, range, ctx.enc);
    let overlaps = |r: &std::ops::Range<usize>| r.start <= asked.end && asked.start <= r.end;
    let mut out = Vec::new();
    let mut here = 0;
    if wanted(&CodeActionKind::QUICKFIX) {
        for v in view.cites.iter().filter(|v| overlaps(&view.extent(v))) {
            let extent = index.range(&doc.text, view.extent(v), ctx.enc);
            let related: Vec<LspDiagnostic> = diagnostics
                .iter()
                .filter(|d| d.range.start <= extent.end && extent.start <= d.range.end)
                .cloned()
                .collect();
            if let Some(change) = &v.fix
                && let Some(edits) = edits_of(ctx, doc, view, vec![change.clone()])
            {
                here += 1;
                out.push(action(
                    ctx,
                    doc,
                    title(change),
                    CodeActionKind::QUICKFIX,
                    edits,
                    &related,
                    true,
                ));
            }
            if let Some((title, edits)) = pin(ctx, doc, view, v) {
                out.push(action(
                    ctx,
                    doc,
                    title,
                    CodeActionKind::QUICKFIX,
                    edits,
                    &related,
                    false,
                ));
            }
        }
    }
    let spans: Vec<Change> = view
        .cites
        .iter()
        .filter_map(|v| v.fix.clone())
        .filter(|c| c.verdict != Verdict::Typography)
        .collect();
    let all: Vec<Change> = view.cites.iter().filter_map(|v| v.fix.clone()).collect();
    // The whole file: worth offering when it does more than the action at hand.
    if wanted(&CodeActionKind::QUICKFIX) && !all.is_empty() && (all.len() > 1 || here == 0) {
        if !spans.is_empty()
            && let Some(edits) = edits_of(ctx, doc, view, spans.clone())
        {
            out.push(action(
                ctx,
                doc,
                format!(
                    "Fix every span in this file ({}; prov fix)",
                    count(spans.len(), "citation")
                ),
                CodeActionKind::QUICKFIX,
                edits,
                &[],
                false,
            ));
        }
        if all.len() > spans.len()
            && let Some(edits) = edits_of(ctx, doc, view, all.clone())
        {
            out.push(action(
                ctx,
                doc,
                format!(
                    "Fix every span and typography in this file ({}; prov fix --typography)",
                    count(all.len(), "citation")
                ),
                CodeActionKind::QUICKFIX,
                edits,
                &[],
                false,
            ));
        }
    }
    let fix_all = CodeActionKind::new(FIX_ALL);
    if only.is_some()
        && wanted(&fix_all)
        && !spans.is_empty()
        && let Some(edits) = edits_of(ctx, doc, view, spans.clone())
    {
        out.push(action(
            ctx,
            doc,
            format!(
                "Fix every span in this file ({})",
                count(spans.len(), "citation")
            ),
            fix_all,
            edits,
            &[],
            false,
        ));
    }
    out
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn title(c: &Change) -> String {
    let span = |(s, e): (usize, usize)| format!("[{s}, {e}]");
    match (&c.new_quote, c.old_span) {
        (Some(_), _) => format!(
            "Copy the source's exact characters into the quote (span {}; prov fix --typography)",
            span(c.new_span)
        ),
        (None, Some(old)) => format!(
            "Move the span {} to {}, where the quote is (prov fix)",
            span(old),
            span(c.new_span)
        ),
        (None, None) => format!("Fill in the span: {} (prov fix)", span(c.new_span)),
    }
}

fn action(
    ctx: &Ctx<'_>,
    doc: &Document,
    title: String,
    kind: CodeActionKind,
    edits: Vec<TextEdit>,
    diagnostics: &[LspDiagnostic],
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: (!diagnostics.is_empty()).then(|| diagnostics.to_vec()),
        edit: Some(workspace_edit(ctx, doc, edits)),
        command: None,
        is_preferred: preferred.then_some(true),
        disabled: None,
        data: None,
    })
}

fn workspace_edit(ctx: &Ctx<'_>, doc: &Document, edits: Vec<TextEdit>) -> WorkspaceEdit {
    if ctx.client.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: doc.uri.clone(),
                    version: Some(doc.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(doc.uri.clone(), edits)])),
            ..Default::default()
        }
    }
}

/// The edits `prov fix` would make for `changes`.
fn edits_of(
    ctx: &Ctx<'_>,
    doc: &Document,
    view: &FileView,
    changes: Vec<Change>,
) -> Option<Vec<TextEdit>> {
    let one = changes.len() == 1;
    let edit = fix::apply(&view.ws, changes).ok()?.into_iter().next()?;
    if edit.old != doc.text {
        return None; // not the buffer the check saw
    }
    Some(if one {
        vec![smallest_edit(ctx, doc, &edit.new)]
    } else {
        line_edits(ctx, doc, &edit.new)
    })
}

/// One edit: the part of the buffer between the longest common prefix and suffix.
fn smallest_edit(ctx: &Ctx<'_>, doc: &Document, new: &str) -> TextEdit {
    let old = doc.text.as_str();
    let mut pre = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(pre) || !new.is_char_boundary(pre) {
        pre -= 1;
    }
    let max_suf = old.len().min(new.len()) - pre;
    let mut suf = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suf)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suf) || !new.is_char_boundary(new.len() - suf) {
        suf -= 1;
    }
    TextEdit {
        range: doc.index().range(old, pre..old.len() - suf, ctx.enc),
        new_text: new[pre..new.len() - suf].to_string(),
    }
}

/// Edits of whole lines, one per changed group of lines.
fn line_edits(ctx: &Ctx<'_>, doc: &Document, new: &str) -> Vec<TextEdit> {
    let old = doc.text.as_str();
    let diff = similar::TextDiff::from_lines(old, new);
    // Byte offsets of the start of each line, and of the end.
    let starts = |lines: &mut dyn Iterator<Item = &str>| {
        let mut at = vec![0usize];
        for l in lines {
            at.push(at.last().copied().unwrap_or(0) + l.len());
        }
        at
    };
    let old_at = starts(&mut diff.iter_old_slices());
    let new_at = starts(&mut diff.iter_new_slices());
    diff.ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .map(|op| {
            let (o, n) = (op.old_range(), op.new_range());
            let bytes = old_at[o.start]..old_at[o.end];
            TextEdit {
                range: doc.index().range(old, bytes, ctx.enc),
                new_text: new[new_at[n.start]..new_at[n.end]].to_string(),
            }
        })
        .collect()
}

/// Pin a citation the pending capture would break to the capture it cites now.
fn pin(
    ctx: &Ctx<'_>,
    doc: &Document,
    view: &FileView,
    v: &CiteView,
) -> Option<(String, Vec<TextEdit>)> {
    let p = v.pending.as_ref()?;
    if p.verdict.holds() {
        return None;
    }
    let cite = view.cite(v)?;
    if cite.revision().is_some() {
        return None;
    }
    let sha12 = view.ws.source(cite.source())?.sha256.get(..12)?.to_string();
    let mut toml: DocumentMut = doc.text.parse().ok()?;
    let (claim, _) = nth_table(toml.get_mut("claim")?, cite.claim_index())?;
    let (table, inline) = nth_table(claim.get_mut("cite")?, cite.index())?;
    insert_last(table, inline, "revision", Value::from(sha12.as_str()));
    let new = toml.to_string();
    Some((
        format!(
            "Pin this citation to the current capture: revision = \"{sha12}\" (the pending capture would make it {})",
            p.verdict.as_str()
        ),
        vec![smallest_edit(ctx, doc, &new)],
    ))
}

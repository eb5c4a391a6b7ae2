//! Document symbols, for an editor's outline: in a claim file each claim by its id (with its
//! fact as detail) and its citations by source; in sources.toml each source by its id. Read
//! from the buffer as it is, without waiting for a check; a buffer that does not parse has
//! none.

use std::ops::Range;

use lsp_types::{DocumentSymbol, DocumentSymbolResponse, Location, SymbolInformation, SymbolKind};

use crate::diag::clip;
use crate::escape;
use crate::workspace::tree::{self, Entry, Node, Spanned};

use super::Ctx;
use super::documents::Document;
use super::locate::Role;

/// The last byte a value reaches (a table's header span covers the header only).
fn end_of(s: &Spanned) -> usize {
    match &s.node {
        Node::Table(entries) => entries
            .iter()
            .map(|e| e.key_span.end.max(end_of(&e.value)))
            .fold(s.span.end, usize::max),
        Node::Array(items) => items.iter().map(end_of).fold(s.span.end, usize::max),
        _ => s.span.end,
    }
}

fn string<'e>(entries: &'e [Entry], key: &str) -> Option<(&'e str, Range<usize>)> {
    match tree::get(entries, key).map(|e| (&e.value.node, &e.value.span)) {
        Some((Node::Str(s), span)) => Some((s.as_ref(), span.clone())),
        _ => None,
    }
}

/// One symbol, before its positions are converted.
struct Sym {
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: Range<usize>,
    selection: Range<usize>,
    children: Vec<Sym>,
}

fn claims(entries: &[Entry]) -> Vec<Sym> {
    let Some(Node::Array(items)) = tree::get(entries, "claim").map(|e| &e.value.node) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let Node::Table(t) = &item.node else {
                return None;
            };
            let (id, id_span) = string(t, "id")?;
            let cites = match tree::get(t, "cite").map(|e| &e.value.node) {
                Some(Node::Array(cs)) => cs
                    .iter()
                    .filter_map(|c| {
                        let Node::Table(ct) = &c.node else {
                            return None;
                        };
                        let (source, source_span) = string(ct, "source")?;
                        let range = c.span.start.min(source_span.start)..end_of(c);
                        Some(Sym {
                            name: escape::inline(source).into_owned(),
                            detail: string(ct, "quote")
                                .map(|(q, _)| escape::inline(&clip(q, 60)).into_owned()),
                            kind: SymbolKind::STRING,
                            range,
                            selection: source_span,
                            children: Vec::new(),
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let start = item.span.start.min(id_span.start);
            Some(Sym {
                name: escape::inline(id).into_owned(),
                detail: string(t, "fact").map(|(f, _)| escape::inline(&clip(f, 80)).into_owned()),
                kind: SymbolKind::OBJECT,
                range: start..end_of(item),
                selection: id_span,
                children: cites,
            })
        })
        .collect()
}

fn sources(entries: &[Entry]) -> Vec<Sym> {
    let Some(Node::Table(t)) = tree::get(entries, "sources").map(|e| &e.value.node) else {
        return Vec::new();
    };
    t.iter()
        .map(|e| {
            let detail = match &e.value.node {
                Node::Table(st) => string(st, "title")
                    .or_else(|| string(st, "outlet"))
                    .map(|(s, _)| escape::inline(&clip(s, 80)).into_owned()),
                _ => None,
            };
            Sym {
                name: escape::inline(&e.key).into_owned(),
                detail,
                kind: SymbolKind::FILE,
                range: e.key_span.start.min(e.value.span.start)
                    ..end_of(&e.value).max(e.key_span.end),
                selection: e.key_span.clone(),
                children: Vec::new(),
            }
        })
        .collect()
}

pub fn symbols(ctx: &Ctx<'_>, doc: &Document) -> Option<DocumentSymbolResponse> {
    let entries = crate::workspace::parse::parse(&doc.text).ok()?;
    let syms = match doc.role {
        Role::Claims { .. } => claims(&entries),
        Role::Sources { .. } => sources(&entries),
        _ => return None,
    };
    let index = doc.index();
    let range = |r: &Range<usize>| index.range(&doc.text, r.clone(), ctx.enc);
    if ctx.client.hierarchical_symbols {
        #[allow(deprecated)] // `deprecated` is a field of the type; prov leaves it unset
        fn convert(s: Sym, range: &dyn Fn(&Range<usize>) -> lsp_types::Range) -> DocumentSymbol {
            let selection = s.selection.start.max(s.range.start)..s.selection.end.min(s.range.end);
            DocumentSymbol {
                name: s.name,
                detail: s.detail,
                kind: s.kind,
                tags: None,
                deprecated: None,
                range: range(&s.range),
                selection_range: range(&selection),
                children: Some(s.children.into_iter().map(|c| convert(c, range)).collect()),
            }
        }
        Some(DocumentSymbolResponse::Nested(
            syms.into_iter().map(|s| convert(s, &range)).collect(),
        ))
    } else {
        let mut flat = Vec::new();
        #[allow(deprecated)]
        fn push(
            out: &mut Vec<SymbolInformation>,
            s: Sym,
            container: Option<String>,
            doc: &Document,
            range: &dyn Fn(&Range<usize>) -> lsp_types::Range,
        ) {
            let name = s.name.clone();
            out.push(SymbolInformation {
                name: s.name,
                kind: s.kind,
                tags: None,
                deprecated: None,
                location: Location {
                    uri: doc.uri.clone(),
                    range: range(&s.range),
                },
                container_name: container,
            });
            for c in s.children {
                push(out, c, Some(name.clone()), doc, range);
            }
        }
        for s in syms {
            push(&mut flat, s, None, doc, &range);
        }
        Some(DocumentSymbolResponse::Flat(flat))
    }
}

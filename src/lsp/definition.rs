//! Go to definition: from `source = "id"` to the source's entry in sources.toml; from a quote
//! (or its span) to the snapshot file, at the passage: where the quote is found, or its span.

use lsp_types::{GotoDefinitionResponse, Location, Position};

use crate::anchor::text::CharText;
use crate::workspace::SOURCES_FILE;

use super::Ctx;
use super::analysis::{FileView, Part};
use super::documents::Document;
use super::hover::snapshot;
use super::locate::uri_of;
use super::position::LineIndex;

pub fn definition(
    ctx: &mut Ctx<'_>,
    doc: &Document,
    view: &FileView,
    pos: Position,
) -> Option<GotoDefinitionResponse> {
    let offset = doc.index().offset(&doc.text, pos, ctx.enc);
    let (v, part) = view.cite_at(offset)?;
    let cite = view.cite(v)?;
    let ws = &view.ws;
    match part {
        Part::Source => {
            let source = ws.source(cite.source())?;
            let file = ws.files.get(ws.sources_file);
            let index = LineIndex::new(&file.text);
            Some(GotoDefinitionResponse::Scalar(Location {
                uri: uri_of(&ws.root.join(SOURCES_FILE))?,
                range: index.range(&file.text, source.loc.range(), ctx.enc),
            }))
        }
        Part::Quote | Part::Span => {
            let path = snapshot(ws, cite.source(), v.revision.as_deref())?;
            let t = ctx.snapshots.get(&ws.root, &path)?;
            let (start, end) = v.found.or(cite.span())?;
            let chars = CharText::new(&t.text);
            let len = chars.len_chars();
            let a = chars.byte_of(start.min(len))?;
            let b = chars.byte_of(end.min(len))?;
            Some(GotoDefinitionResponse::Scalar(Location {
                uri: uri_of(&path)?,
                range: t.index().range(&t.text, a..b, ctx.enc),
            }))
        }
        Part::Other => None,
    }
}

//! The documents the client has open: their text as the editor holds it (unsaved changes
//! included), their version, and their role in a workspace. Changes arrive as ranges in the
//! negotiated encoding and are applied here.

use std::cell::OnceCell;
use std::collections::HashMap;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::locate::Role;
use super::position::{Encoding, LineIndex};

/// One open document.
#[derive(Debug)]
pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    pub role: Role,
    index: OnceCell<LineIndex>,
}

impl Document {
    pub fn new(uri: Uri, version: i32, text: String, role: Role) -> Self {
        Document {
            uri,
            version,
            text,
            role,
            index: OnceCell::new(),
        }
    }

    /// The line index of the current text (built on first use after a change).
    pub fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// Apply the client's changes, in order, and take the new version.
    pub fn change(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        enc: Encoding,
    ) {
        for c in changes {
            match c.range {
                None => self.text = c.text,
                Some(range) => {
                    let r = self.index().byte_range(&self.text, range, enc);
                    self.text.replace_range(r, &c.text);
                }
            }
            self.index = OnceCell::new();
        }
        self.version = version;
    }
}

/// The open documents, by URI (as the client spells it).
#[derive(Debug, Default)]
pub struct Documents {
    docs: HashMap<String, Document>,
}

impl Documents {
    pub fn open(&mut self, doc: Document) {
        self.docs.insert(doc.uri.as_str().to_string(), doc);
    }

    pub fn close(&mut self, uri: &Uri) -> Option<Document> {
        self.docs.remove(uri.as_str())
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri.as_str())
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.docs.get_mut(uri.as_str())
    }

    /// The open documents prov reads in the workspace at `root`.
    pub fn in_root<'a>(&'a self, root: &'a std::path::Path) -> impl Iterator<Item = &'a Document> {
        self.docs
            .values()
            .filter(move |d| d.role.root() == Some(root) && d.role.rel().is_some())
    }

    /// The open document for `rel` in the workspace at `root`.
    pub fn find<'a>(&'a self, root: &'a std::path::Path, rel: &str) -> Option<&'a Document> {
        self.in_root(root).find(|d| d.role.rel() == Some(rel))
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use lsp_types::{Position, Range};

    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range
                .map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_each_encoding() {
        let uri = Uri::from_str("file:///w/claims/a.toml").unwrap();
        let start = "quote = \"L’😀 été\"\nx = 1\n";
        // "été" starts after `quote = "L’😀 ` and is 3 units long (5 bytes in UTF-8).
        for (enc, col, len) in [
            (Encoding::Utf16, 14, 3),
            (Encoding::Utf8, 18, 5),
            (Encoding::Utf32, 13, 3),
        ] {
            let mut d = Document::new(uri.clone(), 1, start.into(), Role::Outside);
            d.change(
                2,
                vec![change(Some(((0, col), (0, col + len))), "ete")],
                enc,
            );
            assert_eq!(d.text, "quote = \"L’😀 ete\"\nx = 1\n", "{enc:?}");
            d.change(
                3,
                vec![change(Some(((1, 4), (1, 5))), "2"), change(None, "y")],
                enc,
            );
            assert_eq!(d.text, "y");
            assert_eq!(d.version, 3);
        }
        // A range past the end of the text is clamped, not a panic.
        let mut d = Document::new(uri, 1, "ab".into(), Role::Outside);
        d.change(
            2,
            vec![change(Some(((5, 0), (1, 9))), "!")],
            Encoding::Utf16,
        );
        assert_eq!(d.text, "ab!");
    }
}

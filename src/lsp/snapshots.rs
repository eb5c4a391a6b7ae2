//! Snapshot texts for hover, completion and go to definition, read from disk (evidence is
//! never an editor's buffer) and kept while the file is unchanged (same size and modification
//! time). Typography folding, for completion, is computed once per text. Used on the server's
//! thread only.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::SystemTime;

use crate::anchor::fold::{Folded, fold};
use crate::files;

use super::position::LineIndex;

/// How many texts are kept.
const KEEP: usize = 32;

/// A snapshot's text.
#[derive(Debug)]
pub struct Text {
    pub path: PathBuf,
    pub text: String,
    folded: OnceCell<Folded>,
    index: OnceCell<LineIndex>,
}

impl Text {
    pub fn new(path: PathBuf, text: String) -> Self {
        Text {
            path,
            text,
            folded: OnceCell::new(),
            index: OnceCell::new(),
        }
    }

    pub fn folded(&self) -> &Folded {
        self.folded.get_or_init(|| fold(&self.text))
    }

    pub fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }
}

type Stamp = (u64, Option<SystemTime>);

#[derive(Debug, Default)]
pub struct Cache {
    texts: HashMap<PathBuf, (Stamp, Rc<Text>)>,
}

impl Cache {
    /// The text of the snapshot at `path` in the workspace at `root`, if it can be read (prov's
    /// rules: no link out of the workspace, at most 256 MiB, UTF-8).
    pub fn get(&mut self, root: &Path, path: &Path) -> Option<Rc<Text>> {
        let meta = std::fs::metadata(path).ok()?;
        let stamp = (meta.len(), meta.modified().ok());
        if let Some((s, t)) = self.texts.get(path)
            && *s == stamp
        {
            return Some(t.clone());
        }
        let text = files::read_text(root, path).ok()?;
        let t = Rc::new(Text::new(path.to_path_buf(), text));
        if self.texts.len() >= KEEP {
            self.texts.clear();
        }
        self.texts.insert(path.to_path_buf(), (stamp, t.clone()));
        Some(t)
    }
}

//! Pending captures (DESIGN §5): `snapshots/<id>.new.txt`, a new version of a source waiting to
//! be reviewed. This module loads them and holds what re-anchoring a citation in one gives;
//! [`crate::check`] does the re-anchoring (through [`crate::reanchor`]) and makes the findings.

use std::path::{Path, PathBuf};

use crate::files::{self, ReadError};
use crate::snapshot::sha256_hex;
use crate::verdict::Anchor;
use crate::workspace::SNAPSHOTS_DIR;

/// `snapshots/<id>.new.txt`.
pub fn capture_path(root: &Path, id: &str) -> PathBuf {
    root.join(SNAPSHOTS_DIR).join(format!("{id}.new.txt"))
}

/// A pending capture on disk.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The capture's sha256; `None` when it could not be read at all.
    pub sha256: Option<String>,
    pub bytes: usize,
    /// Why it cannot be used, if it cannot (not UTF-8, a link outside the workspace, …).
    pub error: Option<ReadError>,
}

/// A citation re-anchored in a pending capture.
#[derive(Debug, Clone)]
pub struct Reanchored {
    pub anchor: Anchor,
    /// The new text at `anchor.found`.
    pub found_text: Option<String>,
}

impl Reanchored {
    /// Would accepting the capture break the citation? It would when the quote no longer holds,
    /// and when it holds only at a place that begins or ends inside a word of the new text:
    /// `prov accept` never moves a span onto part of a word.
    pub fn breaks(&self) -> bool {
        !self.anchor.verdict.holds() || self.anchor.partial_word.is_some()
    }
}

impl Capture {
    /// The pending capture of `id` and its text, if there is one. A capture that exists but
    /// cannot be read as text comes back with its error and no text.
    pub fn load(root: &Path, id: &str) -> Option<(Capture, Option<String>)> {
        let path = capture_path(root, id);
        std::fs::symlink_metadata(&path).ok()?;
        match files::read_bytes(root, &path) {
            Ok(bytes) => {
                let sha256 = sha256_hex(&bytes);
                let n = bytes.len();
                match files::into_utf8(bytes) {
                    Ok(text) => Some((
                        Capture {
                            sha256: Some(sha256),
                            bytes: n,
                            error: None,
                        },
                        Some(text),
                    )),
                    Err(e) => Some((
                        Capture {
                            sha256: Some(sha256),
                            bytes: n,
                            error: Some(e),
                        },
                        None,
                    )),
                }
            }
            Err(e) => Some((
                Capture {
                    sha256: None,
                    bytes: 0,
                    error: Some(e),
                },
                None,
            )),
        }
    }
}

#[cfg(test)]
mod breaks_tests {
    use super::Reanchored;
    use crate::verdict::{Anchor, Verdict};

    #[test]
    fn a_place_inside_a_word_breaks_the_citation() {
        let moved = Anchor {
            verdict: Verdict::Moved,
            found: Some((1, 25)),
            ..Anchor::missing(false)
        };
        let whole = Reanchored {
            anchor: moved.clone(),
            found_text: None,
        };
        assert!(!whole.breaks());
        let partial = Reanchored {
            anchor: Anchor {
                partial_word: Some("Ola victime avait 66 ans.".into()),
                ..moved
            },
            found_text: None,
        };
        assert!(
            partial.breaks(),
            "accept must not move a span onto part of a word"
        );
    }
}

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
    ///
    /// `parents`: the directories on the way, looked at once per run ([`files::Parents`]).
    pub fn load(
        root: &Path,
        id: &str,
        parents: &files::Parents,
    ) -> Option<(Capture, Option<String>)> {
        let path = capture_path(root, id);
        std::fs::symlink_metadata(&path).ok()?;
        match files::read_bytes_with(root, &path, parents) {
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

/// Which sources may have a pending capture, from one listing of `snapshots/`: a check looked
/// for `<id>.new.txt` once per source, and most have none (4,000 failed lookups in a check of
/// 4,000 sources).
#[derive(Debug)]
pub struct Listing {
    /// The ids of the `*.new.txt` files, lowercased (a filesystem that ignores case finds
    /// `A.new.txt` for id `a`); `None` when the directory could not be listed.
    ids: Option<std::collections::HashSet<String>>,
}

impl Listing {
    /// List `snapshots/` of `root`. Not when it is a link: prov reads no directory outside the
    /// workspace, and each source's capture is then looked up (and refused) on its own.
    pub fn read(root: &Path) -> Listing {
        if files::symlink_on_the_way(root, SNAPSHOTS_DIR).is_some() {
            return Listing { ids: None };
        }
        let ids = std::fs::read_dir(root.join(SNAPSHOTS_DIR)).ok().map(|dir| {
            dir.filter_map(|e| {
                let name = e.ok()?.file_name();
                let id = name.to_str()?.strip_suffix(".new.txt")?;
                Some(id.to_ascii_lowercase())
            })
            .collect()
        });
        Listing { ids }
    }

    /// Could source `id` have a pending capture? `false` is certain; `true` is for
    /// [`Capture::load`] to settle (and always the answer when the listing failed).
    pub fn may_have(&self, id: &str) -> bool {
        self.ids
            .as_ref()
            .is_none_or(|ids| ids.contains(&id.to_ascii_lowercase()))
    }
}

#[cfg(test)]
mod listing_tests {
    use super::Listing;

    #[test]
    fn a_listing_says_which_sources_may_have_a_capture() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("snapshots")).unwrap();
        for name in [
            "a.txt",
            "a.new.txt",
            "b.txt",
            "C-d.new.txt",
            "e.new.txt.bak",
            "new.txt",
        ] {
            std::fs::write(root.join("snapshots").join(name), "x").unwrap();
        }
        let listing = Listing::read(root);
        assert!(listing.may_have("a"));
        assert!(!listing.may_have("b"), "b has no capture");
        assert!(
            listing.may_have("c-d"),
            "case is left to the filesystem to settle"
        );
        assert!(!listing.may_have("e"), "e.new.txt.bak is not a capture");
        assert!(!listing.may_have("zz"));
        // Without a snapshots directory, every source may have one: the lookup decides.
        let empty = tempfile::tempdir().unwrap();
        assert!(Listing::read(empty.path()).may_have("a"));
    }

    /// A `snapshots/` that is a link is not listed (it may lead outside the workspace): every
    /// source's capture is looked up on its own, and the read refuses what leaves the workspace.
    #[cfg(unix)]
    #[test]
    fn a_linked_snapshots_directory_is_not_listed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("a.new.txt"), "x").unwrap();
        let ws = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), ws.path().join("snapshots")).unwrap();
        let listing = Listing::read(ws.path());
        assert!(listing.ids.is_none());
        assert!(
            listing.may_have("zz"),
            "not listed: every source is looked up"
        );
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

//! The WARC evidence of each checked source: `snapshots/<id>.warc.gz` against the sha256 its
//! `[sources.<id>.capture]` pins, like a snapshot against its own pin.

use rayon::prelude::*;

use crate::diag::{Code, Diagnostic};
use crate::files::{self, ReadError};
use crate::outcome::SourceReport;
use crate::snapshot::sha256_hex;
use crate::workspace::{Workspace, warc_path};

/// `warc-missing` and `warc-modified` for the sources this run checked, in source order.
pub(super) fn warc_pins(ws: &Workspace, sources: &[SourceReport]) -> Vec<Diagnostic> {
    let checked: Vec<_> = sources
        .iter()
        .filter_map(|r| ws.source(&r.id))
        .filter_map(|s| s.capture.as_ref().map(|c| (s, c)))
        .collect();
    checked
        .par_iter()
        .filter_map(|(s, c)| {
            let path = warc_path(&ws.root, &s.id);
            let rel = files::rel_display(&ws.root, &path);
            let at = c.warc_loc.clone().or_else(|| c.loc.clone());
            let d = match files::read_bytes(&ws.root, &path) {
                Ok(bytes) => {
                    let actual = sha256_hex(&bytes);
                    if actual == c.warc {
                        return None;
                    }
                    Diagnostic::new(
                        Code::WarcModified,
                        format!(
                            "{rel} does not match the sha256 pinned for the capture of `{}`",
                            s.id
                        ),
                    )
                    .label("pinned sha256")
                    .note(format!("the file's sha256 is {actual}"))
                    .help(format!(
                        "the server's bytes kept as evidence were edited or replaced: restore them from version control (git checkout -- {rel})"
                    ))
                }
                Err(e) => {
                    let why = if e == ReadError::NotFound {
                        "is missing".to_string()
                    } else {
                        format!("cannot be read: {e}")
                    };
                    Diagnostic::new(
                        Code::WarcMissing,
                        format!("{rel}, the WARC evidence of `{}`, {why}", s.id),
                    )
                    .label("pinned here")
                    .help(format!(
                        "restore {rel} from version control; without it, nothing proves how the text of `{}` was made",
                        s.id
                    ))
                }
            };
            Some(match at {
                Some(loc) => d.at(loc),
                None => d.at(s.loc.clone()),
            })
        })
        .collect()
}

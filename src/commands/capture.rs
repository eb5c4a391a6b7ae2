//! `prov capture ID FILE`: store a new version of a registered source as a pending capture.

use std::path::Path;

use prov::files;
use prov::registry;
use prov::render::human;

use crate::app::{Access, OK, Stop, begin, load, out, read_input};
use crate::cli::{CaptureArgs, Format};

pub fn run(root: &Path, args: CaptureArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, Access::Write)?;
    let ws = load(root, Format::Human, style)?;
    let (bytes, what) = read_input(&args.file)?;
    let c = registry::capture(&ws, &args.id, &bytes, &what)?;
    let rel = files::rel_display(root, &c.path);
    if c.identical {
        out(&format!(
            "`{}`: the new text is identical to the pinned snapshot; nothing to review{}\n",
            args.id,
            if c.replaced {
                " (the earlier pending capture was removed)"
            } else {
                ""
            }
        ));
        return Ok(OK);
    }
    out(&format!(
        "captured a new version of `{}`: {rel} ({} bytes, sha256 {}){}\nnext: `prov diff {}` to review what it does to the citations, `prov accept {}` to adopt it\n",
        args.id,
        c.bytes,
        c.sha256,
        if c.replaced {
            ", replacing the earlier pending capture"
        } else {
            ""
        },
        args.id,
        args.id
    ));
    Ok(OK)
}

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
    if let Some(r) = &c.restored {
        let which = match &r.revision {
            None => format!("the sha256 pinned for `{}`", args.id),
            Some(sha) => format!("the sha256 of revision {} of `{}`", &sha[..12], args.id),
        };
        out(&format!(
            "restored {rel} ({} bytes){}: its sha256 is {which}\nnothing else was changed; `prov check` verifies it\n",
            c.bytes,
            if r.over_other_bytes {
                ", replacing a file that did not match its pin"
            } else {
                ""
            }
        ));
        return Ok(OK);
    }
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

//! `prov add FILE --id ID --outlet NAME`: register a source.

use std::path::Path;

use prov::files;
use prov::registry::{self, NewSource};

use crate::app::{Access, OK, Stop, begin, out, read_input};
use crate::cli::AddArgs;

pub fn run(root: &Path, args: AddArgs) -> Result<u8, Stop> {
    let _lock = begin(root, Access::Write)?;
    let (bytes, what) = read_input(&args.file)?;
    let new = NewSource {
        id: args.id,
        outlet: args.outlet,
        origin: args.origin,
        title: args.title,
        url: args.url,
        language: args.language,
        published: args.published,
    };
    let added = registry::add(root, &new, &bytes, &what)?;
    out(&format!(
        "added source `{}`: {} ({} bytes{}), sha256 {}\n",
        new.id,
        files::rel_display(root, &added.snapshot),
        added.bytes,
        if added.adopted {
            ", already in place"
        } else {
            ""
        },
        added.sha256
    ));
    Ok(OK)
}

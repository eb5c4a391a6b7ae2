//! `prov init [DIR]`: create an empty workspace.

use std::path::PathBuf;

use prov::files;
use prov::registry;

use crate::app::{OK, Stop, cwd, out};

pub fn run(dir: Option<PathBuf>) -> Result<u8, Stop> {
    let cwd = cwd()?;
    let dir = files::normalize(&cwd.join(dir.unwrap_or_else(|| PathBuf::from("."))));
    let created = registry::init(&dir)?;
    let mut s = format!("created a prov workspace in {}\n", dir.display());
    for p in created {
        s.push_str(&format!("  {}\n", files::rel_display(&dir, &p)));
    }
    s.push_str("next: prov add FILE --id ID --outlet NAME, then cite it from claims/*.toml\n");
    out(&s);
    Ok(OK)
}

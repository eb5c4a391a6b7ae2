//! `prov hook install|uninstall`: the plain git pre-commit hook.

use std::path::Path;

use crate::app::{OK, Stop, out};
use crate::cli::HookAction;

pub fn run(root: &Path, action: HookAction) -> Result<u8, Stop> {
    match action {
        HookAction::Install { force } => {
            let msg = match prov::hook::install(root, force)? {
                prov::hook::Installed::Created(p) => {
                    format!("installed the prov pre-commit hook: {}\n", p.display())
                }
                prov::hook::Installed::Replaced(p) => {
                    format!("replaced the pre-commit hook: {}\n", p.display())
                }
            };
            out(&msg);
        }
        HookAction::Uninstall => {
            let p = prov::hook::uninstall(root)?;
            out(&format!(
                "removed the prov pre-commit hook: {}\n",
                p.display()
            ));
        }
    }
    Ok(OK)
}

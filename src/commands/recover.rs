//! `prov recover`: complete an interrupted change of several files from its journal.
//!
//! Every writing command does this first; `recover` does only this, so that a reader can fix
//! the `interrupted-write` finding without running anything else. The journal is validated
//! whole before anything moves ([`prov::journal::recover`]); an invalid one is refused and left.

use std::path::Path;

use prov::journal::JOURNAL;
use prov::lock;

use crate::app::{OK, Stop, out, recovered_note};

pub fn run(root: &Path) -> Result<u8, Stop> {
    let _lock = lock::exclusive(root)?;
    match prov::journal::recover(root)? {
        Some(done) => out(recovered_note(&done).trim_start_matches("note: ")),
        None => out(&format!(
            "nothing to recover: there is no {JOURNAL}, so no write was interrupted\n"
        )),
    }
    Ok(OK)
}

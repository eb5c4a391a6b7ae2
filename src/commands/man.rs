//! `prov man`: print the man page (roff).

use prov::refusal::Refusal;

use crate::app::{OK, Stop, out};
use crate::cli::Cli;

pub fn run() -> Result<u8, Stop> {
    let mut buf = Vec::new();
    let cmd = <Cli as clap::CommandFactory>::command();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|e| Refusal::new(format!("cannot render the man page: {e}")))?;
    out(&String::from_utf8_lossy(&buf));
    Ok(OK)
}

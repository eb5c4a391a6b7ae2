//! `prov completions SHELL`: print a shell completion script.

use crate::app::{OK, Stop, out};
use crate::cli::Cli;

pub fn run(shell: clap_complete::Shell) -> Result<u8, Stop> {
    let mut buf = Vec::new();
    let mut cmd = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut cmd, "prov", &mut buf);
    out(&String::from_utf8_lossy(&buf));
    Ok(OK)
}

//! The `prov` binary: parse the command line, run the command, map the outcome to an exit code.

mod app;
mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    ExitCode::from(app::run(cli::Cli::parse()))
}

//! The `prov` binary: parse the command line, run the command (one file each, under
//! `commands/`), map the outcome to an exit code. `app` holds what the commands share.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod app;
mod cli;
mod commands;
mod fetching;
mod scope;

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use clap::Parser;
use prov::render::human;

use crate::app::{CANNOT_RUN, Stop, root};
use crate::cli::{Cli, Color, Command};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Give the memory the allocator keeps freed on every core back to the system
/// (`check::Options::between_phases`). mimalloc returns a freed page only when the thread that
/// owns it next allocates, some milliseconds later: the pages the plan, the anchoring and the
/// check's last steps free stayed resident under the next phase (8 MB of the peak of a
/// 100k-citation check after the anchoring, 1 MB more under the output).
fn give_back_memory() {
    // SAFETY: mi_collect only walks and purges the calling thread's own heap and the
    // abandoned segments; it has no precondition.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    unsafe { libmimalloc_sys::mi_collect(true) };
}

fn main() -> ExitCode {
    ExitCode::from(run(Cli::parse()))
}

fn run(cli: Cli) -> u8 {
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let style = human::Style { color };
    app::set_color(color);
    // SOURCE_DATE_EPOCH is the only clock of reproducible runs: a malformed one is an error.
    if let Some(v) = std::env::var_os("SOURCE_DATE_EPOCH")
        && v.to_str().and_then(prov::clock::parse_epoch).is_none()
    {
        app::err(&format!(
            "error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, at most {} (the end of year 9999), not {v:?}\n  = help: unset it, or set it to e.g. $(git log -1 --format=%ct)\n",
            prov::clock::MAX_EPOCH
        ));
        return CANNOT_RUN;
    }
    let ws = cli.workspace.as_deref();
    let result = match cli.command {
        Command::Init { dir } => commands::init::run(dir),
        Command::Add(args) => root(ws).and_then(|r| commands::add::run(&r, args, style)),
        Command::Check(args) => root(ws).and_then(|r| commands::check::run(&r, args, style)),
        Command::Fix(args) => root(ws).and_then(|r| commands::fix::run(&r, args, style)),
        Command::Capture(args) => root(ws).and_then(|r| commands::capture::run(&r, args, style)),
        Command::Refresh(args) => root(ws).and_then(|r| commands::refresh::run(&r, args, style)),
        Command::Diff(args) => root(ws).and_then(|r| commands::diff::run(&r, args, style)),
        Command::Accept(args) => root(ws).and_then(|r| commands::accept::run(&r, args, style)),
        Command::Report(args) => root(ws).and_then(|r| commands::report::run(&r, args, style)),
        Command::Hook { action } => root(ws).and_then(|r| commands::hook::run(&r, action)),
        Command::Recover => root(ws).and_then(|r| commands::recover::run(&r)),
        Command::Completions { shell } => commands::completions::run(shell),
        Command::Man => commands::man::run(),
        Command::Lsp(args) => commands::lsp::run(args),
    };
    match result {
        Ok(code) => code,
        Err(Stop::Refused(r)) => {
            let mut msg = format!("error: {}\n", r.message);
            if let Some(h) = r.help {
                msg.push_str(&format!("  = help: {h}\n"));
            }
            app::err(&msg);
            CANNOT_RUN
        }
        Err(Stop::Code(c)) => c,
    }
}

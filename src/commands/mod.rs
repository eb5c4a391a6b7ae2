//! One file per command, in the spirit of cargo's `src/bin/cargo/commands/`: each holds its
//! argument handling and its output, and calls the library for everything else. A new command
//! is a new file here and one line in `main::run`.

pub mod accept;
pub mod add;
pub mod capture;
pub mod check;
pub mod completions;
pub mod diff;
pub mod fix;
pub mod hook;
pub mod init;
pub mod lsp;
pub mod man;
pub mod recover;
pub mod refresh;
pub mod report;

//! `prov lsp`: the language server, on standard input and output. It finds the workspace of
//! each file the editor opens (the nearest sources.toml upwards), so `-C` is not needed.

use std::time::Duration;

use prov::lsp::{Options, serve};

use crate::app::Stop;
use crate::cli::LspArgs;

pub fn run(args: LspArgs) -> Result<u8, Stop> {
    let options = Options {
        debounce: Duration::from_millis(args.debounce_ms.min(10_000)),
        ..Options::default()
    };
    // Standard output is the protocol's: nothing else is ever written to it.
    Ok(serve(std::io::stdin(), std::io::stdout(), options))
}

//! Test failpoints: named places in the writers where a test can stop prov as a crash would.
//!
//! `PROV_FAILPOINT=<name>` aborts the process at that point (as a power cut or a SIGKILL would);
//! `PROV_FAILPOINT=pause:<name>` says so on stderr and waits for a line on standard input, so a
//! test can change files at exactly that moment (tests/interrupt.rs, tests/bad_input.rs).
//! Nothing happens when the variable is unset.

/// Stop or pause here when `PROV_FAILPOINT` names this point.
pub fn failpoint(name: &str) {
    let Ok(v) = std::env::var("PROV_FAILPOINT") else {
        return;
    };
    if v == name {
        std::process::abort();
    }
    if v.strip_prefix("pause:") == Some(name) {
        use std::io::{BufRead, Write};
        let _ = std::io::stderr().write_all(format!("failpoint {name}: paused\n").as_bytes());
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
    }
}

/// Panic here when `PROV_FAILPOINT=lsp-panic:<name>` names this point: the language server's
/// tests show that a panic in one request (or in a check) is answered, and survived.
pub fn panic_point(name: &str) {
    let Ok(v) = std::env::var("PROV_FAILPOINT") else {
        return;
    };
    if v.strip_prefix("lsp-panic:") == Some(name) {
        #[allow(clippy::panic)] // the failpoint's only purpose
        {
            panic!("failpoint lsp-panic:{name}");
        }
    }
}

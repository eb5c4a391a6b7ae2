//! The workspace loader on arbitrary bytes: the input, split at 0xFF bytes (never valid UTF-8,
//! so every part can still be any valid text), is sources.toml, a claim file, the snapshot of
//! source `s` and, when there is a fourth part, its pending capture `snapshots/s.new.txt`.
//! `prov::workspace::load` must not panic; when it loads, `check` (which re-anchors every
//! citation of `s` in the pending capture) and the `fix` planner must not panic either, and a
//! planned fix must leave the claim file valid TOML.

#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// One directory per fuzzing process, rewritten for every input (a new one per input is slow).
fn root() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path().join("ws");
        fs::create_dir_all(root.join("claims")).expect("claims/");
        fs::create_dir_all(root.join("snapshots")).expect("snapshots/");
        (dir, root)
    })
    .1
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0xFF);
    let sources = parts.next().unwrap_or_default();
    let claims = parts.next().unwrap_or_default();
    let snapshot = parts.next().unwrap_or_default();
    let capture = parts.next();
    let root = root();
    fs::write(root.join("sources.toml"), sources).expect("write sources.toml");
    fs::write(root.join("claims/a.toml"), claims).expect("write a claim file");
    fs::write(root.join("snapshots/s.txt"), snapshot).expect("write a snapshot");
    let pending = root.join("snapshots/s.new.txt");
    match capture {
        Some(bytes) => fs::write(&pending, bytes).expect("write a pending capture"),
        None => {
            let _ = fs::remove_file(&pending);
        }
    }
    let Ok(ws) = prov::workspace::load(root) else {
        return;
    };
    let outcome = prov::check::check(&ws, &prov::check::Options::default());
    for typography in [false, true] {
        let changes = prov::fix::plan(&outcome, typography);
        if let Ok(edits) = prov::fix::apply(&ws, changes) {
            for e in edits {
                assert!(
                    e.new.parse::<toml_edit::DocumentMut>().is_ok(),
                    "fix produced invalid TOML for {}:\n{}",
                    e.path,
                    e.new
                );
            }
        }
    }
});

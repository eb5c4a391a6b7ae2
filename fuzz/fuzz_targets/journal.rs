//! The journal (`prov::journal::vet`) on arbitrary text, against a real workspace: it must not
//! panic, and a journal it accepts names only files prov writes — relative paths to
//! sources.toml, claims/…/*.toml or snapshots/…, never `..`, never absolute. `vet` only reads,
//! so one workspace serves every input.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn workspace() -> &'static Path {
    static WS: OnceLock<tempfile::TempDir> = OnceLock::new();
    WS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path();
        std::fs::create_dir_all(root.join("claims")).expect("claims/");
        std::fs::create_dir_all(root.join("snapshots")).expect("snapshots/");
        std::fs::write(root.join("sources.toml"), "[sources]\n").expect("sources.toml");
        std::fs::write(root.join("claims/a.toml"), "").expect("a claim file");
        std::fs::write(root.join("snapshots/s.txt"), "text").expect("a snapshot");
        std::fs::write(root.join("snapshots/s.new.txt"), "new text").expect("a capture");
        dir
    })
    .path()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = prov::journal::parse(text);
    if let Ok(j) = prov::journal::vet(workspace(), text) {
        let paths = j
            .copies
            .iter()
            .chain(&j.renames)
            .flat_map(|s| [&s.from, &s.to])
            .chain(j.writes.iter().map(|w| &w.path));
        for p in paths {
            assert!(!p.starts_with('/') && !p.split('/').any(|c| c == ".." || c == "."), "{p:?}");
            assert!(
                p == "sources.toml" || p.starts_with("claims/") || p.starts_with("snapshots/"),
                "{p:?}"
            );
        }
    }
});

//! The workspace digest (`prov-workspace-digest/1`): a sha256 naming one exact state of a
//! workspace, so a reader can confirm a report describes the files in front of them.
//!
//! The files, in this order: `sources.toml`; every claim file (`claims/**/*.toml`, dot-files
//! skipped, by path); every `snapshots/*.txt` and `snapshots/*.warc.gz` (current, superseded
//! and pending captures and their WARC evidence, by name). For each, one manifest line `path TAB bytes TAB sha256 LF` (paths relative to the
//! workspace, `/`-separated). The digest is the sha256 of the manifest. A report lists the
//! manifest, so `prov report --verify` can name every file that differs.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::files;
use crate::snapshot::sha256_hex;
use crate::workspace::{CLAIMS_DIR, SNAPSHOTS_DIR, SOURCES_FILE};

pub const ALGORITHM: &str = "prov-workspace-digest/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub algorithm: String,
    pub sha256: String,
    pub files: Vec<FileDigest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDigest {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

fn list(
    dir: &Path,
    recursive: bool,
    wanted: &dyn Fn(&str) -> bool,
    out: &mut Vec<std::path::PathBuf>,
) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_dir() && recursive => list(&p, true, wanted, out),
            Ok(t) if !t.is_dir() && wanted(&e.file_name().to_string_lossy()) => out.push(p),
            _ => {}
        }
    }
}

/// Compute the digest of the workspace at `root`.
pub fn compute(root: &Path) -> Result<Digest, String> {
    compute_knowing(root, &HashMap::new())
}

/// The size and sha256 of a file already read, by workspace-relative path.
pub type Known = HashMap<String, (u64, String)>;

/// [`compute`], taking the size and sha256 of the files in `known` as given instead of reading
/// them again: `prov report` passes what its check read of each snapshot, so the digest names
/// the very bytes that were checked (and the snapshots are not hashed twice).
pub fn compute_knowing(root: &Path, known: &Known) -> Result<Digest, String> {
    let mut paths = vec![root.join(SOURCES_FILE)];
    let mut claims = Vec::new();
    list(
        &root.join(CLAIMS_DIR),
        true,
        &|n| n.ends_with(".toml"),
        &mut claims,
    );
    let mut snaps = Vec::new();
    list(
        &root.join(SNAPSHOTS_DIR),
        false,
        &|n| n.ends_with(".txt") || n.ends_with(".warc.gz"),
        &mut snaps,
    );
    let key = |p: &std::path::PathBuf| files::rel_display(root, p);
    claims.sort_by_key(key);
    snaps.sort_by_key(key);
    paths.extend(claims);
    paths.extend(snaps);
    // Read and hashed on every core (one file per task, so at most one file per core is held),
    // listed in path order.
    let out = paths
        .par_iter()
        .map(|p| {
            let rel = files::rel_display(root, p);
            if let Some((bytes, sha256)) = known.get(&rel) {
                return Ok(FileDigest {
                    sha256: sha256.clone(),
                    bytes: *bytes,
                    path: rel,
                });
            }
            let bytes = files::read_bytes(root, p).map_err(|e| format!("{rel}: {e}"))?;
            Ok(FileDigest {
                path: rel,
                bytes: bytes.len() as u64,
                sha256: sha256_hex(&bytes),
            })
        })
        .collect::<Result<Vec<FileDigest>, String>>()?;
    let mut manifest = String::new();
    for f in &out {
        manifest.push_str(&format!("{}\t{}\t{}\n", f.path, f.bytes, f.sha256));
    }
    Ok(Digest {
        algorithm: ALGORITHM.to_string(),
        sha256: sha256_hex(manifest.as_bytes()),
        files: out,
    })
}

/// What differs between a recorded digest and the current one: (path, what).
pub fn differences(recorded: &Digest, now: &Digest) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for f in &recorded.files {
        match now.files.iter().find(|g| g.path == f.path) {
            None => out.push((f.path.clone(), "missing now")),
            Some(g) if g.sha256 != f.sha256 => out.push((f.path.clone(), "changed")),
            Some(_) => {}
        }
    }
    for g in &now.files {
        if !recorded.files.iter().any(|f| f.path == g.path) {
            out.push((g.path.clone(), "added since"));
        }
    }
    out
}
